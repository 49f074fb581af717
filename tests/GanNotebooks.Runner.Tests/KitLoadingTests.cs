using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Run;
using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

/// <summary>
/// The course notebooks' first cell, <c>#load "../lib/kit.csx"</c>, in the real kernel: what a student sees before the
/// library is built, and what the kit brings into the kernel after (namespaces, native libraries, live display updates,
/// offline charts).
/// </summary>
public class KitLoadingTests
{
    static string KitScript => Path.Combine(NotebookExecutionTests.RepoRoot(), "lib", "kit.csx");

    [Fact]
    public async Task Before_the_library_is_built_the_first_cell_fails_with_the_one_command_to_run()
    {
        using var nb = Create(Code("#load \"../lib/kit.csx\""), Code("1 + 1"));
        // A checkout without bin/: the script beside an empty lib/ folder.
        var lib = Path.Combine(Path.GetDirectoryName(nb.Directory)!, Path.GetFileName(nb.Directory) + "-lib", "lib");
        var notebooks = Path.Combine(Path.GetDirectoryName(lib)!, "notebooks");
        Directory.CreateDirectory(lib);
        Directory.CreateDirectory(notebooks);
        try
        {
            File.Copy(KitScript, Path.Combine(lib, "kit.csx"));
            var path = Path.Combine(notebooks, "nb.ipynb");
            File.Copy(nb.Path, path);
            var log = new StringWriter();
            var result = await NotebookRunner.RunAsync(new RunOptions
            {
                NotebookPath = path, OutputDirectory = Path.Combine(notebooks, "out"), Profile = BudgetProfile.Smoke, Out = log, Error = log,
            });
            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith("cell 1", result.ErrorMessage);
            Assert.Contains("GanNotebooks is not built yet: run `dotnet build -c Release lib/GanNotebooks` in the repository root", result.ErrorMessage);
            var run = new Run(result, log.ToString(), "");
            var error = run.OutputsAt(0).Single()!;
            Assert.DoesNotContain('\n', error["evalue"]!.GetValue<string>());
        }
        finally { Directory.Delete(Path.GetDirectoryName(lib)!, recursive: true); }
    }

    [Fact]
    public async Task The_kit_brings_its_namespaces_torch_live_updates_and_offline_charts_into_the_kernel()
    {
        using var nb = Create(
            Code($"#load \"{KitScript.Replace("\\", "/")}\""),
            Code("Kit.Setup()"),
            Code("var status = display(\"starting…\");\nfor (var i = 1; i <= 3; i++) status.Update($\"step {i} of 3\");\n(int)torch.ones(4).sum().item<float>()"),
            Code("Charts.Density1D(new double[] { 0, 1, 2 }, pData: new double[] { 0.1, 0.5, 0.1 }, title: \"a chart\")"),
            Code("Charts.Density1D(new double[] { 0, 1, 2 }, pData: new double[] { 0.2, 0.4, 0.2 }, title: \"another chart\")"));
        var run = await nb.RunAsync();
        Assert.True(run.Result.Succeeded, run.Result.ErrorMessage + "\n" + run.Out);

        // A display handle updates the output it made (the kernel's own display() returns a handle with another id).
        var progress = run.OutputsAt(2);
        Assert.Equal("step 3 of 3", Run.Plain(progress[0]));
        Assert.Equal("4", Run.Plain(progress[^1]));
        Assert.False(Directory.Exists(Path.Combine(NotebookExecutionTests.RepoRoot(), "lib", "GanNotebooks", "bin", "Release", "cpu")),
            "TorchSharp copied libtorch out of the NuGet cache: the kit's native preload did not run first");

        // Charts draw from their own figure JSON; plotly.js is inlined once for the whole session (here: in Kit.Setup's report).
        var html = string.Concat(Enumerable.Range(0, 5).SelectMany(i => run.OutputsAt(i)).Select(o => Run.Data(o, "text/html")));
        Assert.Equal(1, html.Split("data-gankit-plotlyjs=").Length - 1);
        Assert.Contains("data-gankit-plotlyjs=", Run.Data(run.OutputsAt(1)[0], "text/html"));
        foreach (var chart in new[] { 3, 4 })
        {
            var h = Run.Data(run.OutputsAt(chart)[0], "text/html");
            Assert.Contains("class=\"gankit-plotly-figure\"", h);
            Assert.DoesNotContain("data-gankit-plotlyjs=", h);
            Assert.DoesNotContain("cdn.plot.ly/plotly", h);
        }
    }
}
