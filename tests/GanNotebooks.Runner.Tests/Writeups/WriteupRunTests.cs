using System.Text.Json.Nodes;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Manifest;
using GanNotebooks.Runner.Run;
using GanNotebooks.Runner.Writeups;

namespace GanNotebooks.Runner.Tests.Writeups;

/// <summary>
/// Runs that go through the real kernel and the kit: the manifest and the claims of an executed notebook, verify on two
/// training notebooks (a CPU re-run with the same seed and thread count is identical), a real sweep, an exported app.
/// </summary>
public class WriteupRunTests
{
    static string Root => NotebookExecutionTests.RepoRoot();
    static string Kit => Path.Combine(Root, "lib", "kit.csx").Replace('\\', '/');

    /// <summary>A tiny notebook with the kit, a parameters cell and claims (fast enough for the full profile).</summary>
    static TestNotebook ClaimsNotebook() => TestNotebook.Create(
        TestNotebook.Code($"#load \"{Kit}\""),
        TestNotebook.Code("Kit.Setup()"),
        TestNotebook.Code("var seed = 1;\nvar gap = 0.021;\nvar threads = 1;", "parameters"),
        TestNotebook.Code("torch.set_num_threads(threads);\nSeeding.Seed(seed);\nvar x = torch.rand(1000).mean().item<float>();\nClaims.AtMost(\"the trained D is within 0.05 of D*\", gap, 0.05);\nClaims.Between(\"a uniform sample's mean is near ½\", x, 0.45, 0.55);\nClaims.Metric(\"sample mean\", x);"),
        TestNotebook.Code("Claims.Table()"));

    [Fact]
    public async Task An_executed_notebook_carries_its_manifest_and_its_claims_and_the_report_counts_them()
    {
        using var nb = ClaimsNotebook();
        var run = await nb.RunAsync(["gap=0.3", "seed=4"], null, BudgetProfile.Full);
        Assert.True(run.Result.Succeeded, run.Err);
        var m = RunManifest.FromNotebook(run.Executed)!;
        Assert.NotNull(m);
        Assert.Equal("full", m.Profile);
        Assert.Equal(["gap=0.3", "seed=4"], m.Overrides);
        Assert.Equal("0.3", m.Parameters["gap"]);
        Assert.Equal("1", m.Parameters["threads"]);
        Assert.Equal(new Dictionary<string, string> { ["seed"] = "4" }, m.Seeds);
        Assert.Equal(1, m.Threads);
        Assert.Equal("cpu", m.Device);
        Assert.Equal("0.107.0", m.Environment["TorchSharp"]);
        // The kernel self-test's verdict as Kit.Setup() showed it, in the manifest and the report header.
        Assert.False(m.Environment["kernels checked"].StartsWith("WRONG", StringComparison.Ordinal), m.Environment["kernels checked"]);
        Assert.Contains(m.Rows(), r => r.Item == "Kernels" && r.Value == m.Environment["kernels checked"]);
        Assert.True(m.Packages.ContainsKey("TorchSharp"));
        Assert.NotEqual("?", m.KitVersion);
        Assert.Matches("^[0-9a-f]{40}$|^unknown$", m.GitCommit);
        Assert.Equal(["1", "2", "3", "3+", "4", "5"], m.Cells.Select(c => c.Cell));
        // The claims, read back from the outputs: one fails (0.3 > 0.05), one holds; the metric is not a claim.
        Assert.Equal("2 claims: 1 ✓, 1 ✗", m.ClaimsSummary);
        Assert.Equal(["the trained D is within 0.05 of D*", "a uniform sample's mean is near ½", "sample mean"], m.Claims.Select(c => c.Id));
        Assert.Equal("fails", m.Claims[0].Verdict);
        Assert.Equal(0.3, m.Claims[0].Value);
        Assert.Contains("Claims: 2 claims: 1 ✓, 1 ✗", run.Html);
        Assert.Contains("claims:   2 claims: 1 ✓, 1 ✗", run.Out);
    }

    [Fact]
    public async Task In_the_smoke_profile_claims_are_shown_and_not_judged()
    {
        using var nb = ClaimsNotebook();
        var run = await nb.RunAsync(["gap=0.3"], null, BudgetProfile.Smoke);
        Assert.True(run.Result.Succeeded, run.Err);
        var m = RunManifest.FromNotebook(run.Executed)!;
        Assert.Equal("2 claims, not judged (smoke profile)", m.ClaimsSummary);
        Assert.All(m.Claims.Where(c => c.IsClaim), c => Assert.Equal("—, smoke", c.Mark));
        Assert.Contains("—, smoke", run.Html);
    }

    /// <summary>Runs a course notebook in the smoke profile into a temp folder, then verify on it.</summary>
    static async Task<(int Rc, string Out)> RunThenVerify(string notebook, Func<string, string>? tamper = null)
    {
        var outDir = Path.Combine(Path.GetTempPath(), "gannb-tests", "verify-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var log = new StringWriter();
            var result = await NotebookRunner.RunAsync(new RunOptions { NotebookPath = Path.Combine(Root, "notebooks", notebook), OutputDirectory = outDir, Profile = BudgetProfile.Smoke, Out = log, Error = log });
            Assert.True(result.Succeeded, log.ToString());
            var executed = result.NotebookOutputPath!;
            if (tamper is not null) File.WriteAllText(executed, tamper(File.ReadAllText(executed)));
            var stdout = new StringWriter();
            var rc = await Cli.RunAsync(["verify", executed, "--out", Path.Combine(outDir, "rerun")], stdout, stdout);
            return (rc, stdout.ToString());
        }
        finally
        {
            try { Directory.Delete(outDir, recursive: true); } catch (IOException) { }
        }
    }

    [Theory]
    [InlineData("01-minimax-optimal-discriminator.ipynb")]
    [InlineData("02-training-dynamics.ipynb")]
    public async Task Verify_finds_a_CPU_rerun_of_a_training_notebook_with_the_same_seed_and_threads_identical(string notebook)
    {
        var (rc, output) = await RunThenVerify(notebook);
        Assert.True(rc == 0, output);
        Assert.Contains("IDENTICAL", output);
        Assert.DoesNotContain("DIFFERENT", output);
    }

    [Fact]
    public async Task Verify_reports_a_changed_number_and_exits_1()
    {
        // The recorded notebook says the identity holds to a different error than the re-run will measure.
        var (rc, output) = await RunThenVerify("01-minimax-optimal-discriminator.ipynb", text =>
        {
            var nb = JsonNode.Parse(text)!.AsObject();
            foreach (var o in nb["cells"]!.AsArray().SelectMany(c => c!["outputs"] as JsonArray ?? []).OfType<JsonObject>())
                if (o["data"]?["text/plain"] is JsonArray lines && string.Concat(lines.Select(l => (string?)l)).Contains("the JSD of disjoint uniforms", StringComparison.Ordinal))
                {
                    var s = string.Concat(lines.Select(l => (string?)l)).Replace("0.6931", "0.6932");
                    o["data"]!["text/plain"] = s;
                    return nb.ToJsonString();
                }
            throw new InvalidOperationException("no claim output found to change");
        });
        Assert.Equal(1, rc);
        Assert.Contains("DIFFERENT", output);
        Assert.Contains("0.6932", output);
    }

    [Fact]
    public async Task Verify_without_a_manifest_says_what_it_needs()
    {
        using var nb = TestNotebook.Create(TestNotebook.Code("1 + 1"));
        var stdout = new StringWriter();
        Assert.Equal(2, await Cli.RunAsync(["verify", nb.Path], stdout, stdout));
        Assert.Contains("has no manifest", stdout.ToString());
    }

    [Fact]
    public async Task A_sweep_runs_each_setting_as_an_ordinary_run_collects_them_and_skips_complete_runs_when_rerun()
    {
        using var nb = ClaimsNotebook();
        var dir = Path.Combine(nb.Directory, "sweep");
        var stdout = new StringWriter();
        var rc = await Cli.RunAsync(["sweep", nb.Path, "-p", "seed=1..2", "-p", "gap=0.01,0.3", "--jobs", "2", "--profile", "full", "--out", dir], stdout, stdout);
        Assert.True(rc == 0, stdout.ToString());
        Assert.Equal(4, Directory.GetDirectories(Path.Combine(dir, "runs")).Length);
        Assert.NotNull(RunManifest.FromFile(Path.Combine(dir, "runs", "seed=2,gap=0.3", "nb.ipynb")));
        var csv = File.ReadAllLines(Path.Combine(dir, "sweep.csv"));
        // gap=0.01 holds in both seeds, gap=0.3 fails in both; the sample mean varies with the seed.
        Assert.Contains(csv, l => l.StartsWith("gap=0.01,the trained D is within 0.05 of D*,claim,≤ 0.05,2,0.01,0,2,0,0", StringComparison.Ordinal));
        Assert.Contains(csv, l => l.StartsWith("gap=0.3,the trained D is within 0.05 of D*,claim,≤ 0.05,2,0.3,0,0,2,0", StringComparison.Ordinal));
        var again = new StringWriter();
        Assert.Equal(0, await Cli.RunAsync(["sweep", nb.Path, "-p", "seed=1..2", "-p", "gap=0.01,0.3", "--profile", "full", "--out", dir], again, again));
        Assert.Contains("4 already complete, 0 to run", again.ToString());
    }

    [Fact]
    public async Task An_exported_notebook_runs_as_a_file_based_app_and_prints_the_same_claims_as_the_notebook()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gannb-tests", "export-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var notebook = Path.Combine(Root, "notebooks", "01-minimax-optimal-discriminator.ipynb");
            var log = new StringWriter();
            var result = await NotebookRunner.RunAsync(new RunOptions { NotebookPath = notebook, OutputDirectory = Path.Combine(dir, "nb"), Profile = BudgetProfile.Smoke, Out = log, Error = log, Parameters = ["seed=2"] });
            Assert.True(result.Succeeded, log.ToString());
            var claims = result.Manifest!.Claims;
            Assert.NotEmpty(claims);

            var app = Path.Combine(dir, "nb01.cs");
            var stdout = new StringWriter();
            Assert.Equal(0, await Cli.RunAsync(["export", notebook, "--to", "app", app], stdout, stdout));
            var text = File.ReadAllText(app);
            Assert.Contains("#:project ", text);
            Assert.Contains("__Param(\"seed\", 1)", text);
            Assert.Contains("// ## 1 · The optimal discriminator", text);

            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
            foreach (var a in new[] { "run", app, "--", "--profile", "smoke", "--seed", "2", "--out", Path.Combine(dir, "app-out") }) psi.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(psi)!;
            var outTask = p.StandardOutput.ReadToEndAsync();
            var errTask = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            var appOut = await outTask;
            Assert.True(p.ExitCode == 0, appOut + await errTask);
            foreach (var c in claims)
                Assert.Contains($"claim: {c.Statement}: {c.ValueText}", appOut);
            Assert.Contains(RunClaims.Summarize(claims), appOut);
            Assert.Contains("gankit-plotly-figure", File.ReadAllText(Path.Combine(dir, "app-out", "displays.html")));
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
