using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetArchTest.Rules;

namespace GanNotebooks.Runner.Tests.Architecture;

/// <summary>
/// gannb's layering (lib/GanNotebooks.Runner/ARCHITECTURE.md): every folder belongs to a layer, every dependency points
/// down, no folders depend on each other in a cycle, namespaces follow folders, only Kernel/ touches .NET Interactive, the
/// shared source needs nothing but .NET, and no method is longer than <see cref="MaxMethodLines"/> lines. The checker
/// itself is tested on small made-up graphs, so a rule that silently stopped checking would fail here too.
/// </summary>
public class ArchitectureTests
{
    static readonly System.Reflection.Assembly Runner = typeof(Cli).Assembly;

    /// <summary>The longest method (declaration to closing brace) a file of gannb may have.</summary>
    public const int MaxMethodLines = 60;

    [Fact]
    public void Every_folder_belongs_to_a_layer_and_every_layer_has_a_folder()
    {
        var folders = RunnerLayers.Folders(Runner).Keys.ToList();
        var unknown = folders.Where(ns => RunnerLayers.LayerOf(ns) is not { } l || RunnerLayers.Rank(l) < 0).ToList();
        Assert.True(unknown.Count == 0, "namespaces outside the layer list: " + string.Join(", ", unknown));
        var empty = RunnerLayers.Layers.Where(l => !folders.Any(ns => RunnerLayers.LayerOf(ns) == l)).ToList();
        Assert.True(empty.Count == 0, "layers without any type (stale rule list?): " + string.Join(", ", empty));
    }

    [Fact]
    public void Dependencies_point_down_and_folders_have_no_cycles()
    {
        var (graph, evidence) = RunnerLayers.DependencyGraph(Runner);
        var violations = RunnerLayers.Check(graph, (a, b) => string.Join(", ", evidence[(a, b)].Take(4)));
        Assert.True(violations.Count == 0, "layering broken:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Usings_point_down_too()
    {
        // The IL does not show every dependency: a constant (NotebookRunner.ExitUsage, Profiles.EnvironmentVariable) is
        // copied into the code that uses it. A using directive of a higher layer is an upward dependency all the same.
        var runner = Path.Combine(NotebookExecutionTests.RepoRoot(), "lib", "GanNotebooks.Runner");
        var upward = new List<string>();
        foreach (var (file, rel) in Sources(runner))
        {
            var folder = Path.GetDirectoryName(rel)!.Replace('/', '.');
            var from = folder.Length == 0 ? RunnerLayers.Root : RunnerLayers.Root + "." + folder;
            foreach (Match m in Regex.Matches(File.ReadAllText(file), @"^using (GanNotebooks\.[\w.]+)\s*;", RegexOptions.Multiline))
            {
                var to = m.Groups[1].Value;
                if (RunnerLayers.LayerOf(from) is { } lf && RunnerLayers.LayerOf(to) is { } lt && RunnerLayers.Rank(lt) > RunnerLayers.Rank(lf))
                    upward.Add($"lib/GanNotebooks.Runner/{rel}: using {to} ({lt}) in {lf}");
            }
        }
        Assert.True(upward.Count == 0, "upward using directives:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void The_graph_reader_sees_real_dependencies()
    {
        // Guards against a vacuous pass: edges known from the code must be found.
        var (graph, _) = RunnerLayers.DependencyGraph(Runner);
        Assert.Contains("GanNotebooks.Runner.Execution", graph["GanNotebooks.Runner.Kernel"]);   // DotNetInteractiveKernel : INotebookKernel
        Assert.Contains("GanNotebooks.Runner.Kernel", graph["GanNotebooks.Runner.Run"]);         // NotebookRunner → KernelHost
        Assert.Contains("GanNotebooks.Runner.Manifest", graph["GanNotebooks.Runner.Report"]);    // ReportInfo.Manifest
        Assert.Contains("GanNotebooks.Runner.Run", graph["GanNotebooks.Runner.Writeups"]);       // verify re-runs through NotebookRunner
        Assert.Contains("GanNotebooks.Runtime.Shared", graph["GanNotebooks.Runner.Classroom"]);  // the gradebook's AtomicFile and Csv
        Assert.Contains("GanNotebooks.Runner.Writeups", graph["GanNotebooks.Runner"]);           // Cli → WriteupsCli → Sweep, Verifier, …
        Assert.DoesNotContain(graph, kv => kv.Value.Contains("GanNotebooks.Runner"));           // nothing depends on the command line
        Assert.Empty(graph["GanNotebooks.Runtime.Shared"]);                                      // the shared source knows nothing of gannb
    }

    [Fact]
    public void The_checker_flags_an_upward_dependency()
    {
        var graph = Graph(("GanNotebooks.Runner.Report", "GanNotebooks.Runner.Writeups"), ("GanNotebooks.Runner.Writeups", "GanNotebooks.Runner.Execution"));
        var v = Assert.Single(RunnerLayers.Check(graph));
        Assert.Equal("upward dependency", v.Kind);
        Assert.Contains("GanNotebooks.Runner.Report (Report) → GanNotebooks.Runner.Writeups (Writeups)", v.Description);
    }

    [Fact]
    public void The_checker_flags_a_cycle_even_inside_one_layer()
    {
        // Two folders of one layer that use each other: no upward edge, still a cycle.
        var graph = Graph(("GanNotebooks.Runner.Writeups", "GanNotebooks.Runner.Writeups.Slurm"),
                          ("GanNotebooks.Runner.Writeups.Slurm", "GanNotebooks.Runner.Writeups"),
                          ("GanNotebooks.Runner.Writeups", "GanNotebooks.Runner.Run"));
        var v = Assert.Single(RunnerLayers.Check(graph));
        Assert.Equal("cycle", v.Kind);
        Assert.Equal("GanNotebooks.Runner.Writeups ⇄ GanNotebooks.Runner.Writeups.Slurm", v.Description);
    }

    [Fact]
    public void The_checker_flags_a_long_cycle_and_a_folder_outside_the_list()
    {
        // Execution → Kernel → Output are both upward; Output → Execution closes the cycle.
        var graph = Graph(("GanNotebooks.Runner.Execution", "GanNotebooks.Runner.Kernel"), ("GanNotebooks.Runner.Kernel", "GanNotebooks.Runner.Output"),
                          ("GanNotebooks.Runner.Output", "GanNotebooks.Runner.Execution"), ("GanNotebooks.Runner.Plugins", "GanNotebooks.Runner.Execution"));
        var kinds = RunnerLayers.Check(graph).Select(v => v.Kind).Order().ToList();
        Assert.Equal(["cycle", "unknown layer", "upward dependency", "upward dependency"], kinds);
    }

    [Fact]
    public void The_checker_flags_a_folder_outside_the_list_even_without_edges()
    {
        var v = Assert.Single(RunnerLayers.Check(Graph(("GanNotebooks.Runner.Extras", "GanNotebooks.Runtime.Shared"))));
        Assert.Equal("unknown layer", v.Kind);
        Assert.StartsWith("GanNotebooks.Runner.Extras:", v.Description);
    }

    [Fact]
    public void A_correct_graph_passes()
    {
        var graph = Graph(("GanNotebooks.Runner", "GanNotebooks.Runner.Writeups"), ("GanNotebooks.Runner.Writeups", "GanNotebooks.Runner.Run"),
                          ("GanNotebooks.Runner.Run", "GanNotebooks.Runner.Kernel"), ("GanNotebooks.Runner.Kernel", "GanNotebooks.Runner.Execution"),
                          ("GanNotebooks.Runner.Execution", "GanNotebooks.Runtime.Shared"));
        Assert.Empty(RunnerLayers.Check(graph));
    }

    [Fact]
    public void Only_Kernel_touches_DotNet_Interactive()
    {
        var result = Types.InAssembly(Runner).That().DoNotResideInNamespace("GanNotebooks.Runner.Kernel")
            .Should().NotHaveDependencyOn("Microsoft.DotNet.Interactive").GetResult();
        Assert.True(result.IsSuccessful, "outside Kernel/: " + string.Join(", ", result.FailingTypeNames ?? []));
        // …and Kernel/ does (else the rule above checks nothing).
        Assert.NotEmpty(Types.InAssembly(Runner).That().ResideInNamespace("GanNotebooks.Runner.Kernel")
            .And().HaveDependencyOn("Microsoft.DotNet.Interactive").GetTypes());
    }

    [Fact]
    public void The_shared_source_needs_nothing_but_dotnet()
    {
        // lib/GanNotebooks.Shared is compiled into the library too: no package (no TorchSharp, no .NET Interactive, no
        // Roslyn, no Markdig) and nothing of gannb.
        var result = Types.InAssembly(Runner).That().ResideInNamespace(RunnerLayers.Shared)
            .Should().OnlyHaveDependenciesOn("System", RunnerLayers.Shared).GetResult();
        Assert.True(result.IsSuccessful, "shared types with other dependencies: " + string.Join(", ", result.FailingTypeNames ?? []));
        Assert.NotEmpty(Types.InAssembly(Runner).That().ResideInNamespace(RunnerLayers.Shared).GetTypes());
    }

    [Fact]
    public void Namespaces_follow_folders()
    {
        var root = NotebookExecutionTests.RepoRoot();
        var wrong = new List<string>();
        var runner = Path.Combine(root, "lib", "GanNotebooks.Runner");
        foreach (var (file, rel) in Sources(runner))
        {
            var dir = Path.GetDirectoryName(rel)!.Replace('/', '.');
            var expected = dir.Length == 0 ? RunnerLayers.Root : RunnerLayers.Root + "." + dir;
            // Program.cs is the top-level statements (no namespace).
            if (rel == "Program.cs") expected = "(none)";
            Expect(file, "lib/GanNotebooks.Runner/" + rel, expected, wrong);
        }
        foreach (var (file, rel) in Sources(Path.Combine(root, "lib", "GanNotebooks.Shared")))
            Expect(file, "lib/GanNotebooks.Shared/" + rel, RunnerLayers.Shared, wrong);
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));

        static void Expect(string file, string rel, string expected, List<string> wrong)
        {
            var m = Regex.Match(File.ReadAllText(file), @"^namespace ([\w.]+)\s*;", RegexOptions.Multiline);
            var actual = m.Success ? m.Groups[1].Value : "(none)";
            if (actual != expected) wrong.Add($"{rel}: namespace {actual}, expected {expected}");
        }
    }

    [Fact]
    public void No_method_is_longer_than_the_limit()
    {
        var root = NotebookExecutionTests.RepoRoot();
        var tooLong = new List<string>();
        foreach (var folder in new[] { "GanNotebooks.Runner", "GanNotebooks.Shared" })
            foreach (var (file, rel) in Sources(Path.Combine(root, "lib", folder)))
            {
                var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file), new CSharpParseOptions(LanguageVersion.Preview));
                foreach (var node in tree.GetRoot().DescendantNodes().Where(n => n is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax))
                {
                    var span = node.GetLocation().GetLineSpan();
                    var lines = span.EndLinePosition.Line - span.StartLinePosition.Line + 1;
                    if (lines > MaxMethodLines) tooLong.Add($"lib/{folder}/{rel}:{span.StartLinePosition.Line + 1}: {Name(node)} has {lines} lines");
                }
            }
        Assert.True(tooLong.Count == 0, $"methods over {MaxMethodLines} lines (split them into named steps):\n" + string.Join("\n", tooLong));

        static string Name(SyntaxNode node) => node switch
        {
            MethodDeclarationSyntax m => m.Identifier.ValueText,
            ConstructorDeclarationSyntax c => c.Identifier.ValueText + " (constructor)",
            LocalFunctionStatementSyntax l => l.Identifier.ValueText + " (local function)",
            AccessorDeclarationSyntax a => a.Keyword.ValueText + " accessor",
            _ => node.Kind().ToString(),
        };
    }

    [Fact]
    public void The_length_rule_measures_methods()
    {
        // A 3-line method measured as 3 lines: the rule above would see a long one.
        var tree = CSharpSyntaxTree.ParseText("class C\n{\n    void M()\n    {\n    }\n}\n");
        var m = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single().GetLocation().GetLineSpan();
        Assert.Equal(3, m.EndLinePosition.Line - m.StartLinePosition.Line + 1);
    }

    /// <summary>The .cs files under <paramref name="folder"/> (not bin/ or obj/), with their paths relative to it ('/').</summary>
    static IEnumerable<(string File, string Relative)> Sources(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(folder, file).Replace('\\', '/');
            if (rel.StartsWith("bin/", StringComparison.Ordinal) || rel.StartsWith("obj/", StringComparison.Ordinal)) continue;
            yield return (file, rel);
        }
    }

    static Dictionary<string, IReadOnlyCollection<string>> Graph(params (string From, string To)[] edges) =>
        edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => (IReadOnlyCollection<string>)g.Select(e => e.To).ToList());
}
