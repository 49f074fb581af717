using System.Reflection;
using System.Text.RegularExpressions;
using GanNotebooks.Tests.Shared;
using NetArchTest.Rules;

namespace GanNotebooks.Runner.Tests.Architecture;

/// <summary>
/// The house rule of lib/GanNotebooks.Runner/ARCHITECTURE.md as code: gannb's folders (= namespaces) form layers, bottom
/// to top, every dependency points down or stays inside its layer, and no two folders depend on each other, directly or
/// through others. Dependencies are read from the compiled IL (NetArchTest.Rules, Mono.Cecil), so method bodies, field
/// types, generic arguments and attributes count, not just <c>using</c> lines. The checker is the library's
/// (tests/GanNotebooks.Tests/Architecture/LayerRules.cs) with gannb's list, and it also names a folder outside the list
/// that has no edge.
/// </summary>
public static class RunnerLayers
{
    /// <summary>The layers, bottom first. A folder's layer is its first name below <see cref="Root"/>; the root namespace is Cli.</summary>
    public static IReadOnlyList<string> Layers { get; } =
        ["Shared", "Execution", "Kernel", "Output", "Manifest", "Report", "Classroom", "Run", "Writeups", "Cli"];

    /// <summary>gannb's root namespace (its folder: lib/GanNotebooks.Runner).</summary>
    public const string Root = "GanNotebooks.Runner";

    /// <summary>The namespace of the source gannb shares with the library (lib/GanNotebooks.Shared, linked into both).</summary>
    public const string Shared = "GanNotebooks.Runtime.Shared";

    /// <summary>The layer of a namespace: "GanNotebooks.Runner.Report" → "Report"; the root → "Cli"; the shared source → "Shared"; null otherwise.</summary>
    public static string? LayerOf(string? ns)
    {
        if (ns == Root) return "Cli";
        if (ns == Shared) return "Shared";
        if (ns is null || !ns.StartsWith(Root + ".", StringComparison.Ordinal)) return null;
        return ns[(Root.Length + 1)..].Split('.')[0];
    }

    /// <summary>Position of a layer in <see cref="Layers"/> (−1 when unknown).</summary>
    public static int Rank(string layer) => Layers.ToList().IndexOf(layer);

    /// <summary>A broken rule: an upward dependency (with the types that cause it), a cycle of folders, or a folder outside the list.</summary>
    public sealed record Violation(string Kind, string Description)
    {
        public override string ToString() => $"{Kind}: {Description}";
    }

    /// <summary>
    /// Checks a folder dependency graph (namespace → namespaces it uses; evidence → type names, for messages): no folder
    /// outside the list, no edge from a lower layer to a higher one, no cycle among folders (Tarjan's strongly connected
    /// components; a component of more than one folder is a cycle).
    /// </summary>
    public static IReadOnlyList<Violation> Check(IReadOnlyDictionary<string, IReadOnlyCollection<string>> graph,
        Func<string, string, string>? evidence = null)
    {
        var violations = new List<Violation>();
        foreach (var folder in graph.Keys.Concat(graph.Values.SelectMany(v => v)).Distinct().Order(StringComparer.Ordinal))
            if (LayerOf(folder) is not { } l || Rank(l) < 0)
                violations.Add(new("unknown layer", $"{folder}: every namespace must belong to one of {string.Join(", ", Layers)}"));
        foreach (var (from, tos) in graph.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            foreach (var to in tos.Order(StringComparer.Ordinal))
            {
                if (LayerOf(from) is not { } lf || LayerOf(to) is not { } lt || Rank(lf) < 0 || Rank(lt) < 0) continue;
                if (Rank(lt) > Rank(lf))
                    violations.Add(new("upward dependency", $"{from} ({lf}) → {to} ({lt}){(evidence is null ? "" : ": " + evidence(from, to))}"));
            }
        foreach (var component in FolderGraph.StronglyConnected(graph).Where(c => c.Count > 1))
            violations.Add(new("cycle", string.Join(" ⇄ ", component.Order(StringComparer.Ordinal))));
        return violations;
    }

    /// <summary>gannb's namespaces (folders, and the shared source) and the types in each.</summary>
    public static IReadOnlyDictionary<string, string[]> Folders(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => !t.IsNested && t.Namespace is { } ns && (ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal)
                                                                 || ns == Shared || ns.StartsWith(Shared + ".", StringComparison.Ordinal)))
            .GroupBy(t => t.Namespace!)
            .ToDictionary(g => g.Key, g => g.Select(t => t.FullName!).Order(StringComparer.Ordinal).ToArray());

    /// <summary>
    /// Folder → folders it depends on, read from the IL with NetArchTest: folder A depends on folder B when a type of A
    /// (including its nested and compiler-generated types) references a type of B.
    /// </summary>
    public static (Dictionary<string, IReadOnlyCollection<string>> Graph, Dictionary<(string, string), string[]> Evidence) DependencyGraph(Assembly assembly)
    {
        var folders = Folders(assembly);
        var graph = new Dictionary<string, IReadOnlyCollection<string>>();
        var evidence = new Dictionary<(string, string), string[]>();
        foreach (var from in folders.Keys)
        {
            var tos = new List<string>();
            foreach (var (to, typesOfTo) in folders)
            {
                if (to == from) continue;
                var users = Types.InAssembly(assembly).That().ResideInNamespaceMatching($"^{Regex.Escape(from)}$")
                    .And().HaveDependencyOnAny(typesOfTo).GetTypes().Select(t => t.FullName ?? t.Name).ToArray();
                if (users.Length == 0) continue;
                tos.Add(to);
                evidence[(from, to)] = users;
            }
            graph[from] = tos;
        }
        return (graph, evidence);
    }
}
