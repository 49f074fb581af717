using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

public class ErrorReportingTests
{
    [Fact]
    public async Task Compile_error_names_cell_and_line_and_keeps_outputs_so_far()
    {
        using var nb = Create(
            Markdown("# title"),
            Code("Console.WriteLine(\"first\");"),
            Code("var a = 1;\nvar b = a + undefinedName;\nb"),
            Code("Console.WriteLine(\"never\");"));
        var run = await nb.RunAsync();
        Assert.Equal(1, run.Result.ExitCode);
        Assert.Contains("cell 3 (line 2): error CS0103", run.Err);
        Assert.EndsWith(".failed.ipynb", run.Result.NotebookOutputPath);
        Assert.EndsWith(".failed.html", run.Result.ReportPath);
        Assert.Equal("first\n", Run.Text(run.OutputsAt(1)[0]));
        var error = run.OutputsAt(2).Single()!;
        Assert.Equal("error", error["output_type"]!.GetValue<string>());
        Assert.Contains("undefinedName", error["evalue"]!.GetValue<string>());
        Assert.Empty(run.OutputsAt(3));
        Assert.Null(run.Executed["cells"]![3]!["execution_count"]);
        Assert.DoesNotContain("never", run.Out);
        Assert.Contains("FAILED", run.Html);
    }

    [Fact]
    public async Task Runtime_exception_names_cell_and_line_of_the_throw()
    {
        using var nb = Create(
            Code("int x = 1;"),
            Code("// comment\nx++;\n\nthrow new InvalidOperationException(\"boom\");"));
        var run = await nb.RunAsync();
        Assert.Equal(1, run.Result.ExitCode);
        Assert.Contains("cell 2 (line 4): InvalidOperationException: boom", run.Err);
        var error = run.OutputsAt(1).Single()!;
        Assert.Equal("System.InvalidOperationException", error["ename"]!.GetValue<string>());
        Assert.Equal("boom", error["evalue"]!.GetValue<string>());
    }

    [Fact]
    public async Task Runtime_line_is_the_failing_cells_own_line_after_await_and_calls()
    {
        using var nb = Create(
            Code("int F(int v)\n{\n    if (v > 2) throw new ArgumentException(\"too big\");\n    return v;\n}"),
            Code("await Task.Yield();\nvar ok = F(1);\nvar bad = F(5);"));
        var run = await nb.RunAsync();
        Assert.Contains("cell 2 (line 3): ArgumentException: too big", run.Err);
        var traceback = run.OutputsAt(1).Single()!["traceback"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        Assert.Contains(traceback, t => t.Contains("in cell 1, line 3"));
    }

    [Fact]
    public async Task Frames_in_a_loaded_script_name_the_script_and_the_line_is_the_cells()
    {
        using var nb = Create(Code("#load \"helper.csx\"\n\nvar c = Risky(7);"));
        File.WriteAllText(Path.Combine(nb.Directory, "helper.csx"), "// helper\nint Risky(int v)\n{\n    if (v > 1) throw new InvalidOperationException(\"from helper\");\n    return v;\n}\n");
        var run = await nb.RunAsync();
        Assert.Contains("cell 1 (line 3): InvalidOperationException: from helper", run.Err);
        var traceback = run.OutputsAt(0).Single()!["traceback"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        Assert.Contains(traceback, t => t.EndsWith("in helper.csx, line 4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Line_numbers_stay_right_after_magic_lines()
    {
        using var nb = Create(Code("#!csharp\n#!time\nvar s = 1;\ns.NoSuchMethod();"));
        var run = await nb.RunAsync();
        Assert.Contains("cell 1 (line 4): error CS1061", run.Err);
    }

    [Fact]
    public async Task Runtime_line_counts_the_cells_directive_lines()
    {
        using var nb = Create(Code("#!csharp\n#!time\nvar a = 1;\nthrow new InvalidOperationException(\"after magics\");"));
        var run = await nb.RunAsync();
        Assert.Contains("cell 1 (line 4): InvalidOperationException: after magics", run.Err);

        using var second = Create(Code("#!time\n\n// blank line and comment first\nthrow new InvalidOperationException(\"second\");"));
        var run2 = await second.RunAsync();
        Assert.Contains("cell 1 (line 4): InvalidOperationException: second", run2.Err);
    }

    [Fact]
    public async Task A_failed_run_restores_the_current_directory_and_the_environment()
    {
        var cwd = Environment.CurrentDirectory;
        var profile = Environment.GetEnvironmentVariable("GANKIT_PROFILE");
        using var nb = Create(Code("Console.WriteLine(Environment.CurrentDirectory);\nthrow new Exception(\"x\");"));
        var run = await nb.RunAsync();
        Assert.Equal(1, run.Result.ExitCode);
        Assert.Equal(nb.Directory, Run.Text(run.OutputsAt(0)[0]).Trim());
        Assert.Equal(cwd, Environment.CurrentDirectory);
        Assert.Equal(profile, Environment.GetEnvironmentVariable("GANKIT_PROFILE"));
    }

    [Fact]
    public async Task A_failed_run_never_overwrites_the_last_good_run()
    {
        using var nb = Create(Code("var n = 1;", "parameters"), Code("n == 1 ? \"good\" : throw new Exception(\"bad run\")"));
        var good = await nb.RunAsync();
        Assert.Equal(0, good.Result.ExitCode);
        var goodIpynb = File.ReadAllBytes(good.Result.NotebookOutputPath!);
        var goodHtml = File.ReadAllBytes(good.Result.ReportPath!);

        var bad = await nb.RunAsync("n=2");
        Assert.Equal(1, bad.Result.ExitCode);
        Assert.Equal(goodIpynb, File.ReadAllBytes(good.Result.NotebookOutputPath!));
        Assert.Equal(goodHtml, File.ReadAllBytes(good.Result.ReportPath!));
        Assert.True(File.Exists(Path.Combine(nb.OutDir, "nb.failed.ipynb")));
        Assert.Contains("bad run", File.ReadAllText(Path.Combine(nb.OutDir, "nb.failed.html")));
        // No temporary files are left behind.
        Assert.Equal(["nb.failed.html", "nb.failed.ipynb", "nb.html", "nb.ipynb"],
            Directory.GetFiles(nb.OutDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // A later good run replaces the good files and removes the stale failure.
        var again = await nb.RunAsync();
        Assert.Equal(0, again.Result.ExitCode);
        Assert.False(File.Exists(Path.Combine(nb.OutDir, "nb.failed.ipynb")));
    }
}
