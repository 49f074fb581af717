using GanNotebooks.Runner.Run;
using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

public class SessionTests
{
    [Fact]
    public async Task State_types_and_usings_carry_across_cells()
    {
        using var nb = Create(
            Code("using System.Numerics;\nvar counter = 10;\nrecord Point(int X, int Y);\nint Twice(int v) => 2 * v;"),
            Markdown("between"),
            Code("counter += Twice(new Point(3, 4).Y);\nvar big = BigInteger.Pow(2, 70);"),
            Code("$\"{counter} {big}\""));
        var run = await nb.RunAsync();
        Assert.Equal(0, run.Result.ExitCode);
        Assert.Equal("18 1180591620717411303424", Run.Plain(run.OutputsAt(3).Single()));
        Assert.Equal([1, 2, 3], run.Result.Cells.Where(c => c.ExecutionCount is not null).Select(c => c.ExecutionCount!.Value));
    }

    [Fact]
    public async Task Top_level_await_works()
    {
        using var nb = Create(Code("async Task<int> SlowAdd(int a, int b) { await Task.Delay(5); return a + b; }"), Code("await SlowAdd(20, 22)"));
        var run = await nb.RunAsync();
        Assert.Equal(0, run.Result.ExitCode);
        Assert.Equal("42", Run.Plain(run.OutputsAt(1).Single()));
    }

    [Fact]
    public async Task Relative_load_and_r_paths_resolve_against_the_notebooks_folder()
    {
        // As in Jupyter, which starts the kernel in the notebook's folder (the kit's first cell is #load "../lib/kit.csx").
        using var nb = Create(Code("#load \"lib/helper.csx\"\nHelper(20)"));
        Directory.CreateDirectory(Path.Combine(nb.Directory, "lib"));
        File.WriteAllText(Path.Combine(nb.Directory, "lib", "helper.csx"), "int Helper(int v) => v + 22;\n");
        var run = await nb.RunAsync();
        Assert.True(run.Result.ExitCode == 0, run.Err + run.Out);
        Assert.Equal("42", Run.Plain(run.OutputsAt(0).Single()));
    }

    [Fact]
    public async Task Only_the_dotnet_interactive_default_namespaces_are_imported()
    {
        // torch without 'using TorchSharp;' must fail here as it would in VS Code.
        using var nb = Create(Code("var xs = new List<int> { 1, 2 }.Select(i => i * 2).ToList();\nxs.Count"), Code("torch.ones(1)"));
        var run = await nb.RunAsync();
        Assert.Equal(1, run.Result.ExitCode);
        Assert.Equal("2", Run.Plain(run.OutputsAt(0).Single()));
        Assert.Contains("cell 2 (line 1)", run.Err);
        Assert.Contains("torch", run.Err);
    }

    [Fact]
    public async Task Magics_behave_as_in_the_tools_Jupyter_kernel()
    {
        // #!markdown shows the rest of the cell as HTML; #!csharp / #!c# select the C# kernel; #!time adds the wall time.
        using var nb = Create(Code("#!markdown\n## From a magic cell"), Code("#!csharp\n1 + 1"), Code("#!c#\n#!time\n2 + 2"));
        var run = await nb.RunAsync();
        Assert.True(run.Result.ExitCode == 0, run.Err + run.Out);
        Assert.Contains("<h2 id=\"from-a-magic-cell\">From a magic cell</h2>", Run.Data(run.OutputsAt(0).Single(), "text/html"));
        Assert.Equal("2", Run.Plain(run.OutputsAt(1).Single()));
        var timed = run.OutputsAt(2).Select(Run.Plain).ToList();
        Assert.Contains("4", timed);
        Assert.Contains(timed, t => t.StartsWith("Wall time:", StringComparison.Ordinal));
        Assert.Contains("<h2 id=\"from-a-magic-cell\">From a magic cell</h2>", run.Html);
    }

    [Theory]
    [InlineData("#!fsharp\nlet x = 1", 1, "fsharp")]
    [InlineData("var a = 1;\n#!pwsh\nGet-Date", 2, "#!pwsh")]
    public async Task Other_kernels_are_an_error_naming_the_cell(string source, int line, string named)
    {
        using var nb = Create(Code("Console.WriteLine(\"ran\");"), Code(source));
        var run = await nb.RunAsync();
        Assert.Equal(2, run.Result.ExitCode);
        Assert.Contains($"cell 2 (line {line})", run.Err);
        Assert.Contains(named, run.Err);
        Assert.DoesNotContain("ran", run.Out);
    }

    [Fact]
    public async Task An_unknown_magic_is_the_kernels_error_on_its_line()
    {
        using var nb = Create(Code("var x = 1;\n#!nosuchmagic\nx"));
        var run = await nb.RunAsync();
        Assert.Equal(1, run.Result.ExitCode);
        Assert.Contains("cell 1 (line 2): error DNI101: Unknown magic command '#!nosuchmagic'", run.Err);
    }

    [Fact]
    public async Task Cancelling_stops_the_run_and_restores_the_process()
    {
        using var nb = Create(Code("Console.WriteLine(\"started\");\nawait Task.Delay(TimeSpan.FromSeconds(60), Microsoft.DotNet.Interactive.KernelInvocationContext.Current.CancellationToken);"), Code("Console.WriteLine(\"never\");"));
        var cwd = Environment.CurrentDirectory;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var o = new StringWriter();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await NotebookRunner.RunAsync(new RunOptions { NotebookPath = nb.Path, Out = o, Error = o }, cts.Token);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cell 1", result.ErrorMessage);
        Assert.DoesNotContain("never", o.ToString());
        Assert.Equal(cwd, Environment.CurrentDirectory);
    }

    [Fact]
    public async Task Progress_has_one_line_per_cell_and_the_output_paths()
    {
        using var nb = Create(Markdown("x"), Code("1"));
        var run = await nb.RunAsync();
        Assert.Matches(@"\[1/2\] markdown +\d+\.\d\d s", run.Out);
        Assert.Matches(@"\[2/2\] code +\d+\.\d\d s", run.Out);
        Assert.Contains(run.Result.NotebookOutputPath!, run.Out);
        Assert.Contains(run.Result.ReportPath!, run.Out);
        Assert.Equal(Path.Combine(nb.Directory, "out", "nb", "nb.ipynb"), run.Result.NotebookOutputPath);
    }
}
