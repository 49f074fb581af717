using System.Text.RegularExpressions;

namespace GanNotebooks.Tests.Architecture;

/// <summary>
/// The library's layering (lib/GanNotebooks/ARCHITECTURE.md): every folder belongs to a layer, every dependency
/// points down, no folders depend on each other in a cycle, namespaces follow folders. The checker itself is
/// tested on small made-up graphs, so a rule that silently stopped checking would fail here too.
/// </summary>
public class ArchitectureTests
{
    static readonly System.Reflection.Assembly Library = typeof(Kit).Assembly;

    [Fact]
    public void Every_folder_belongs_to_a_layer_and_every_layer_has_a_folder()
    {
        var folders = LayerRules.Folders(Library).Keys.ToList();
        var unknown = folders.Where(ns => LayerOf(ns) is not { } l || LayerRules.Rank(l) < 0).ToList();
        Assert.True(unknown.Count == 0, "namespaces outside the layer list: " + string.Join(", ", unknown));
        var empty = LayerRules.Layers.Where(l => !folders.Any(ns => LayerOf(ns) == l)).ToList();
        Assert.True(empty.Count == 0, "layers without any type (stale rule list?): " + string.Join(", ", empty));
    }

    static string? LayerOf(string ns) => LayerRules.LayerOf(ns);

    [Fact]
    public void Dependencies_point_down_and_folders_have_no_cycles()
    {
        var (graph, evidence) = LayerRules.DependencyGraph(Library);
        var violations = LayerRules.Check(graph, (a, b) => string.Join(", ", evidence[(a, b)].Take(4)));
        Assert.True(violations.Count == 0, "layering broken:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_graph_reader_sees_real_dependencies()
    {
        // Guards against a vacuous pass: edges known from the code must be found.
        var (graph, _) = LayerRules.DependencyGraph(Library);
        Assert.Contains("GanNotebooks.Losses", graph["GanNotebooks.Training"]);       // LogitGanObjective → GanLosses
        Assert.Contains("GanNotebooks.Training", graph["GanNotebooks.Variants.Wgan"]); // objectives implement IGanObjective
        Assert.Contains("GanNotebooks.Runtime", graph["GanNotebooks"]);               // Kit.Setup → NativeRuntime
        Assert.Contains("GanNotebooks.Variants.Stylegan", graph["GanNotebooks.Evaluation"]); // StyleGanProbes reads a StyleGenerator
        Assert.DoesNotContain(graph, kv => kv.Value.Contains("GanNotebooks"));       // nothing depends on Kit
    }

    [Fact]
    public void The_checker_flags_an_upward_dependency()
    {
        var graph = Graph(("GanNotebooks.Training", "GanNotebooks.Viz"), ("GanNotebooks.Viz", "GanNotebooks.Core"));
        var v = Assert.Single(LayerRules.Check(graph));
        Assert.Equal("upward dependency", v.Kind);
        Assert.Contains("GanNotebooks.Training (Training) → GanNotebooks.Viz (Viz)", v.Description);
    }

    [Fact]
    public void The_checker_flags_a_cycle_even_inside_one_layer()
    {
        // Two variants that use each other are in the same layer (no upward edge) but form a cycle.
        var graph = Graph(("GanNotebooks.Variants.Wgan", "GanNotebooks.Variants.Progressive"),
                          ("GanNotebooks.Variants.Progressive", "GanNotebooks.Variants.Wgan"),
                          ("GanNotebooks.Variants.Wgan", "GanNotebooks.Training"));
        var v = Assert.Single(LayerRules.Check(graph));
        Assert.Equal("cycle", v.Kind);
        Assert.Equal("GanNotebooks.Variants.Progressive ⇄ GanNotebooks.Variants.Wgan", v.Description);
    }

    [Fact]
    public void The_checker_flags_a_long_cycle_and_an_unknown_folder()
    {
        var graph = Graph(("GanNotebooks.Core", "GanNotebooks.Data.Toy"), ("GanNotebooks.Data.Toy", "GanNotebooks.Runtime"),
                          ("GanNotebooks.Runtime", "GanNotebooks.Core"), ("GanNotebooks.Experiments", "GanNotebooks.Core"));
        var kinds = LayerRules.Check(graph).Select(v => v.Kind).Order().ToList();
        Assert.Equal(["cycle", "unknown layer", "upward dependency", "upward dependency"], kinds);
    }

    [Fact]
    public void A_correct_graph_passes()
    {
        var graph = Graph(("GanNotebooks", "GanNotebooks.Viz"), ("GanNotebooks.Viz", "GanNotebooks.Evaluation"),
                          ("GanNotebooks.Variants.Progressive", "GanNotebooks.Variants.Wgan"), ("GanNotebooks.Data.Toy", "GanNotebooks.Data.Images"));
        Assert.Empty(LayerRules.Check(graph));
    }

    [Fact]
    public void Namespaces_follow_folders()
    {
        var lib = Path.Combine(KitPaths(), "lib", "GanNotebooks");
        var wrong = new List<string>();
        foreach (var file in Directory.EnumerateFiles(lib, "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(lib, file).Replace('\\', '/');
            if (rel.StartsWith("bin/", StringComparison.Ordinal) || rel.StartsWith("obj/", StringComparison.Ordinal)) continue;
            var dir = Path.GetDirectoryName(rel)!.Replace('/', '.');
            var expected = dir.Length == 0 ? "GanNotebooks" : "GanNotebooks." + dir;
            var m = Regex.Match(File.ReadAllText(file), @"^namespace ([\w.]+)\s*;", RegexOptions.Multiline);
            if (!m.Success || m.Groups[1].Value != expected) wrong.Add($"{rel}: namespace {(m.Success ? m.Groups[1].Value : "(none)")}, expected {expected}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    static string KitPaths() => GanNotebooks.Runtime.KitPaths.FindRepoRoot() ?? throw new InvalidOperationException("repository root not found");

    static Dictionary<string, IReadOnlyCollection<string>> Graph(params (string From, string To)[] edges) =>
        edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => (IReadOnlyCollection<string>)g.Select(e => e.To).ToList());
}
