using GanNotebooks.Runner.Execution;
using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

public class CliTests
{
    static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await GanNotebooks.Runner.Cli.RunAsync(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>What the kit's Kit.OutputDirectory does: the folder named by GANKIT_OUT, created.</summary>
    const string OutDir = "var dir = System.IO.Directory.CreateDirectory(Environment.GetEnvironmentVariable(\"GANKIT_OUT\")!).FullName;\n";

    [Fact]
    public async Task Help_prints_usage()
    {
        var (code, stdout, _) = await Cli("--help");
        Assert.Equal(0, code);
        Assert.Contains("gannb run NOTEBOOK.ipynb [-p Name=Value ...] [--out DIR] [--profile full|smoke|paper]", stdout);
    }

    [Theory]
    [InlineData(new string[0], "no command")]
    [InlineData(new[] { "execute", "a.ipynb" }, "unknown command")]
    [InlineData(new[] { "run" }, "no notebook")]
    [InlineData(new[] { "run", "a.ipynb", "--bogus" }, "unknown option")]
    [InlineData(new[] { "run", "a.ipynb", "-p", "steps" }, "Name=Value")]
    [InlineData(new[] { "run", "a.ipynb", "--profile", "huge" }, "'full', 'smoke', 'paper'")]
    [InlineData(new[] { "run", "a.ipynb", "--out" }, "needs a value")]
    public async Task Bad_command_lines_exit_2(string[] args, string message)
    {
        var (code, _, err) = await Cli(args);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public async Task Run_with_out_profile_and_parameters()
    {
        using var nb = Create(Code("int steps = 10;", "parameters"), Code("$\"{Environment.GetEnvironmentVariable(\"GANKIT_PROFILE\")} {steps}\""));
        var outDir = Path.Combine(nb.Directory, "custom-out");
        var (code, stdout, err) = await Cli("run", nb.Path, "-p", "steps=7", "--out", outDir, "--profile=smoke");
        Assert.True(code == 0, err);
        var executed = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "nb.ipynb")))!;
        Assert.Equal("smoke 7", Run.Plain(executed["cells"]![2]!["outputs"]![0]));
        Assert.True(File.Exists(Path.Combine(outDir, "nb.html")));
        Assert.Contains("[2/2] code", stdout);
    }

    [Fact]
    public async Task Profile_full_is_applied()
    {
        using var nb = Create(Code("Environment.GetEnvironmentVariable(\"GANKIT_PROFILE\")"));
        var (code, _, err) = await Cli("run", nb.Path, "--profile", "full");
        Assert.True(code == 0, err);
        var executed = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(nb.OutDir, "nb.ipynb")))!;
        Assert.Equal("full", Run.Plain(executed["cells"]![0]!["outputs"]![0]));
    }

    [Fact]
    public async Task Profile_paper_is_applied_and_a_bad_profile_names_the_three()
    {
        using var nb = Create(Code("Environment.GetEnvironmentVariable(\"GANKIT_PROFILE\")"));
        var (code, _, err) = await Cli("run", nb.Path, "--profile", "Paper");
        Assert.True(code == 0, err);
        var executed = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(nb.OutDir, "nb.ipynb")))!;
        Assert.Equal("paper", Run.Plain(executed["cells"]![0]!["outputs"]![0]));
        Assert.Equal("paper", executed["metadata"]!["gannb"]!["manifest"]!["profile"]!.GetValue<string>());
        var (bad, _, badErr) = await Cli("run", nb.Path, "--profile", "fast");
        Assert.Equal(2, bad);
        Assert.Contains("'full', 'smoke', 'paper'", badErr);
    }

    [Theory]
    [InlineData("paper", BudgetProfile.Paper)]
    [InlineData("SMOKE", BudgetProfile.Smoke)]
    [InlineData(null, BudgetProfile.Full)]
    public void Profiles_parse_the_three_names_and_write_them_back(string? text, BudgetProfile expected)
    {
        Assert.Equal(expected, Profiles.Parse(text));
        Assert.Equal(expected, Profiles.Parse(expected.Name()));
        Assert.Equal("full|smoke|paper", Profiles.Choices);
        Assert.Throws<ArgumentException>(() => Profiles.ParseOption(" "));
    }

    [Fact]
    public async Task Files_a_notebook_writes_to_GANKIT_OUT_land_in_the_out_folder()
    {
        using var nb = Create(Code(OutDir + "System.IO.File.WriteAllText(System.IO.Path.Combine(dir, \"frame.txt\"), \"x\");"));
        var outDir = Path.Combine(nb.Directory, "elsewhere");
        var before = Environment.GetEnvironmentVariable(Profiles.OutputEnvironmentVariable);
        var cwd = Environment.CurrentDirectory;
        var (code, _, err) = await Cli("run", nb.Path, "--out", outDir);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(outDir, "frame.txt")), "the notebook's own file should sit beside nb.ipynb in --out");
        Assert.False(Directory.Exists(nb.OutDir), "nothing should be written to the default out folder when --out is given");
        Assert.Equal(before, Environment.GetEnvironmentVariable(Profiles.OutputEnvironmentVariable));
        Assert.Equal(cwd, Environment.CurrentDirectory);
    }

    [Fact]
    public async Task A_failed_run_keeps_the_previous_runs_files_and_puts_its_own_aside()
    {
        const string write = OutDir + "System.IO.File.WriteAllText(System.IO.Path.Combine(dir, \"frame.txt\"), \"run \" + run);";
        using var nb = Create(Code("var run = \"good\";", "parameters"), Code(write), Code("if (run == \"bad\") throw new Exception(\"boom\");"));
        var (code, _, err) = await Cli("run", nb.Path);
        Assert.True(code == 0, err);
        var frame = Path.Combine(nb.OutDir, "frame.txt");
        Assert.Equal("run good", File.ReadAllText(frame));

        var (failedCode, _, _) = await Cli("run", nb.Path, "-p", "run=bad");
        Assert.Equal(1, failedCode);
        Assert.Equal("run good", File.ReadAllText(frame));
        Assert.Equal("run bad", File.ReadAllText(Path.Combine(nb.OutDir, "nb.failed-files", "frame.txt")));
        Assert.Empty(Directory.EnumerateDirectories(nb.OutDir, ".gannb-staging-*"));

        // the next good run replaces the files and clears the failed run's
        var (again, _, err2) = await Cli("run", nb.Path, "-p", "run=again");
        Assert.True(again == 0, err2);
        Assert.Equal("run again", File.ReadAllText(frame));
        Assert.False(Directory.Exists(Path.Combine(nb.OutDir, "nb.failed-files")));
    }
}
