using System.Text.Json.Nodes;
using GanNotebooks.Runner.Manifest;
using GanNotebooks.Runner.Writeups;

namespace GanNotebooks.Runner.Tests.Writeups;

/// <summary>Sweep grids, collection (mean ± s.e. over seeds per setting), the Slurm script and README's results table, on synthetic runs.</summary>
public class SweepTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "gannb-tests", "sweep-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Axes_parse_ranges_lists_and_single_values_and_say_what_is_wrong()
    {
        Assert.Equal(["1", "2", "3"], SweepAxis.Parse("seed=1..3").Values);
        Assert.Equal(["1e-4", "2e-4"], SweepAxis.Parse("lr=1e-4,2e-4").Values);
        Assert.Equal(["500"], SweepAxis.Parse("steps=500").Values);
        Assert.True(SweepAxis.Parse("seed=1..3").IsSeed);
        Assert.False(SweepAxis.Parse("lr=1").IsSeed);
        Assert.Contains("empty", Assert.Throws<FormatException>(() => SweepAxis.Parse("seed=5..1")).Message);
        Assert.Contains("NAME=VALUES", Assert.Throws<FormatException>(() => SweepAxis.Parse("seed")).Message);
    }

    [Fact]
    public void The_grid_is_every_combination_with_one_folder_name_each()
    {
        var grid = Sweep.Grid([SweepAxis.Parse("lr=1e-4,2e-4"), SweepAxis.Parse("seed=1..3")]);
        Assert.Equal(6, grid.Count);
        Assert.Equal("lr=1e-4,seed=1", grid[0].Name);
        Assert.Equal(["lr=2e-4", "seed=3"], grid[^1].Overrides);
        Assert.Equal(6, grid.Select(g => g.Name).Distinct().Count());
    }

    /// <summary>A finished run's folder as `gannb run` leaves it: the executed notebook with its manifest.</summary>
    void FakeRun(Sweep.Plan plan, Sweep.PlannedRun run, double value, string verdict, string? failure = null)
    {
        var dir = Path.Combine(_dir, "runs", run.Name);
        Directory.CreateDirectory(dir);
        var manifest = new RunManifest
        {
            Notebook = "notebooks/nb.ipynb", Profile = plan.Profile, Overrides = run.Overrides, Failure = failure,
            Claims = [new ClaimRecord("modes", "modes captured", value, "≥ 8", verdict == "holds", verdict, plan.Profile), new ClaimRecord("hq", "high quality", value * 10, "", true, "measured", plan.Profile)],
        };
        var nb = new JsonObject { ["cells"] = new JsonArray(), ["metadata"] = new JsonObject { ["gannb"] = new JsonObject { ["manifest"] = manifest.ToJsonNode() } }, ["nbformat"] = 4, ["nbformat_minor"] = 5 };
        File.WriteAllText(Path.Combine(dir, failure is null ? "nb.ipynb" : "nb.failed.ipynb"), nb.ToJsonString());
    }

    Sweep.Plan WritePlan(params string[] axes)
    {
        var ax = axes.Select(SweepAxis.Parse).ToList();
        var plan = new Sweep.Plan(Path.Combine(_dir, "nb.ipynb"), "full", ax, Sweep.Grid(ax));
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "sweep.json"), System.Text.Json.JsonSerializer.Serialize(plan, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
        return plan;
    }

    [Fact]
    public void Collect_gives_mean_and_standard_error_over_seeds_per_setting_and_lists_failed_runs()
    {
        var plan = WritePlan("lr=1,2", "seed=1..3");
        double[] values = [8, 7, 6, 8, 8, 8];
        for (var i = 0; i < 5; i++) FakeRun(plan, plan.Runs[i], values[i], values[i] >= 8 ? "holds" : "fails");
        FakeRun(plan, plan.Runs[5], 0, "fails", failure: "cell 7 (line 2): boom");
        var stdout = new StringWriter();
        var rc = Sweep.Collect(_dir, stdout, new StringWriter());
        Assert.Equal(1, rc);                                              // one run failed
        Assert.Contains("lr=2,seed=3: failed", stdout.ToString());
        var csv = File.ReadAllLines(Path.Combine(_dir, "sweep.csv"));
        var lr1 = csv.Single(l => l.StartsWith("lr=1,modes,", StringComparison.Ordinal)).Split(',');
        Assert.Equal("3", lr1[4]);                                        // n
        Assert.Equal(7.0, double.Parse(lr1[5], System.Globalization.CultureInfo.InvariantCulture), 12);   // mean of 8, 7, 6
        Assert.Equal(1 / Math.Sqrt(3), double.Parse(lr1[6], System.Globalization.CultureInfo.InvariantCulture), 12);   // sd 1 / √3
        Assert.Equal(["1", "2"], lr1[7..9]);                              // 1 ✓, 2 ✗
        var lr2 = csv.Single(l => l.StartsWith("lr=2,modes,", StringComparison.Ordinal)).Split(',');
        Assert.Equal("2", lr2[4]);
        Assert.Contains("lr=2,hq,metric", string.Join("\n", csv));
        var html = File.ReadAllText(Path.Combine(_dir, "sweep.html"));
        Assert.Contains("cell 7 (line 2): boom", html);
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("boom", File.ReadAllText(Path.Combine(_dir, "runs.csv")));
    }

    [Fact]
    public async Task Emit_slurm_writes_an_array_of_the_runs_not_yet_complete()
    {
        var nb = Path.Combine(_dir, "nb.ipynb");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(nb, "{}");
        var plan = new Sweep.Plan(nb, "smoke", [SweepAxis.Parse("seed=1..4")], Sweep.Grid([SweepAxis.Parse("seed=1..4")]));
        FakeRun(plan, plan.Runs[0], 8, "holds");                          // seed=1 is complete already
        var stdout = new StringWriter();
        var rc = await Sweep.RunAsync(nb, new Dictionary<string, List<string>>
        {
            ["--parameter"] = ["seed=1..4"], ["--out"] = [_dir], ["--profile"] = ["smoke"], ["--emit"] = ["slurm"], ["--cpus"] = ["2"], ["--time"] = ["00:10:00"], ["--partition"] = ["debug"],
        }, stdout, new StringWriter());
        Assert.Equal(0, rc);
        var script = File.ReadAllText(Path.Combine(_dir, "sweep.sbatch"));
        Assert.Contains("#SBATCH --array=1-3", script);
        Assert.Contains("#SBATCH --cpus-per-task=2", script);
        Assert.Contains("#SBATCH --time=00:10:00", script);
        Assert.Contains("#SBATCH --partition=debug", script);
        Assert.Contains("--profile smoke", script);
        Assert.Equal(["seed=2\t-p seed=2", "seed=3\t-p seed=3", "seed=4\t-p seed=4"], File.ReadAllLines(Path.Combine(_dir, "runs.tsv")));
    }

    /// <summary>A paper-profile run of the notebook with comparisons to a paper (as <c>Claims.VersusPaper</c> writes them).</summary>
    void FakePaperRun(string name, DateTimeOffset start, params ClaimRecord[] claims)
    {
        var dir = Path.Combine(_dir, "runs", name);
        Directory.CreateDirectory(dir);
        var manifest = new RunManifest { Notebook = "notebooks/13-nb.ipynb", Profile = "paper", Overrides = ["paperTargets=" + name], Start = start, GitCommit = "abcdef123", CpuSeconds = 100, Claims = [.. claims] };
        var nb = new JsonObject { ["cells"] = new JsonArray(), ["metadata"] = new JsonObject { ["gannb"] = new JsonObject { ["manifest"] = manifest.ToJsonNode() } }, ["nbformat"] = 4, ["nbformat_minor"] = 5 };
        File.WriteAllText(Path.Combine(dir, "13-nb.ipynb"), nb.ToJsonString());
    }

    static ClaimRecord Versus(string id, double value, double se, double paper, double paperSe, bool setting, string verdict) =>
        new(id, id, value, setting ? "within 2 s.e. of the paper's" : "", verdict == "holds", verdict, "paper", null, new PaperRecord(paper, paperSe, "Lin et al. 2018, Table 1", se, setting));

    [Fact]
    public void Results_puts_paper_runs_in_their_own_section_kit_beside_paper_and_never_a_cross_outside_the_papers_setting()
    {
        var plan = WritePlan("seed=1");
        FakeRun(plan, plan.Runs[0], 8, "holds");                          // a full-profile run of another notebook
        var t0 = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        FakePaperRun("grid", t0, Versus("grid: modes captured, PacGAN2", 23, 0.3, 23.8, 0.7, true, "holds"), Versus("grid: modes captured, GAN (3×128)", 13.6, 1, 17.3, 0.8, false, "measured"));
        FakePaperRun("ring", t0.AddHours(1), Versus("ring: modes captured, PacGAN2", 5.0, 0.2, 7.9, 0.1, true, "fails"),
            new ClaimRecord("ring: a course claim", "ring: a course claim", 1, "≥ 2", false, "fails", "paper"));
        var readme = Path.Combine(_dir, "README.md");
        File.WriteAllText(readme, $"# Kit\n{Results.Begin}\nold table\n{Results.End}\nafter\n");
        var stdout = new StringWriter();
        Assert.Equal(0, Results.Run([Path.Combine(_dir, "runs")], readme, stdout, new StringWriter()));
        var text = File.ReadAllText(readme);
        var full = text[text.IndexOf(Results.Begin, StringComparison.Ordinal)..text.IndexOf(Results.End, StringComparison.Ordinal)];
        Assert.Contains("| modes captured | 8 | ≥ 8 | ✓ |", full);
        Assert.DoesNotContain("PacGAN2", full);                           // paper runs stay out of the full-profile table
        Assert.Contains("judged in each notebook's own setting", full);   // the full table says its ✗ are the course's scale, not a paper's setting
        var paper = text[text.IndexOf(Results.PaperBegin, StringComparison.Ordinal)..text.IndexOf(Results.PaperEnd, StringComparison.Ordinal)];
        Assert.Contains("2 runs: paperTargets=grid; paperTargets=ring", paper);   // both tasks of the sweep, merged
        Assert.Contains("| grid: modes captured, PacGAN2 | 23 ± 0.3 | 23.8 ± 0.7 | Lin et al. 2018, Table 1 | within 2 s.e. of the paper's | ✓ |", paper);
        Assert.Contains("| ring: modes captured, PacGAN2 | 5 ± 0.2 | 7.9 ± 0.1 |", paper);
        Assert.Contains("| grid: modes captured, GAN (3×128) | 13.6 ± 1 | 17.3 ± 0.8 | Lin et al. 2018, Table 1 |  | not the paper's setting |", paper);
        Assert.Contains("3 comparisons with the paper: 1 ✓, 1 ✗, 1 unjudged (not the paper's setting)", paper);
        Assert.DoesNotContain("a course claim", paper);                   // only comparisons with a paper's number
        Assert.Contains("after", text);
        // run again without paper runs: the section says so (generated, not typed)
        Directory.Delete(Path.Combine(_dir, "runs", "grid"), true);
        Directory.Delete(Path.Combine(_dir, "runs", "ring"), true);
        Assert.Equal(0, Results.Run([Path.Combine(_dir, "runs")], readme, new StringWriter(), new StringWriter()));
        text = File.ReadAllText(readme);
        Assert.Contains("No `paper`-profile run was among the folders", text);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "paper-results:begin"));
    }

    [Fact]
    public void A_paper_sweep_records_its_profile_and_does_not_count_a_full_run_as_its_own()
    {
        var plan = WritePlan("seed=1..2");
        FakeRun(plan, plan.Runs[0], 8, "holds");                          // full-profile runs in the folder
        var paperPlan = plan with { Profile = "paper" };
        Assert.True(Sweep.IsComplete(_dir, plan, plan.Runs[0]));
        Assert.False(Sweep.IsComplete(_dir, paperPlan, paperPlan.Runs[0]));
        FakeRun(paperPlan, paperPlan.Runs[0], 8, "holds");
        FakeRun(paperPlan, paperPlan.Runs[1], 6, "fails");
        File.WriteAllText(Path.Combine(_dir, "sweep.json"), System.Text.Json.JsonSerializer.Serialize(paperPlan, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
        Assert.Equal(0, Sweep.Collect(_dir, new StringWriter(), new StringWriter()));
        var csv = File.ReadAllLines(Path.Combine(_dir, "sweep.csv"));
        Assert.EndsWith(",profile,paper", csv[0]);
        Assert.EndsWith(",paper,", csv.Single(l => l.StartsWith(",modes,", StringComparison.Ordinal)));
        Assert.All(File.ReadAllLines(Path.Combine(_dir, "runs.csv")).Skip(1), l => Assert.EndsWith(",paper", l));
    }

    [Fact]
    public void Results_writes_every_claim_of_the_newest_full_run_between_the_markers()
    {
        var plan = WritePlan("seed=1");
        FakeRun(plan, plan.Runs[0], 8, "holds");
        var readme = Path.Combine(_dir, "README.md");
        File.WriteAllText(readme, $"# Kit\n\nbefore\n{Results.Begin}\nold table\n{Results.End}\nafter\n");
        var rc = Results.Run([Path.Combine(_dir, "runs")], readme, new StringWriter(), new StringWriter());
        Assert.Equal(0, rc);
        var text = File.ReadAllText(readme);
        Assert.DoesNotContain("old table", text);
        Assert.Contains("| modes captured | 8 | ≥ 8 | ✓ |", text);
        Assert.DoesNotContain("high quality", text);                     // metrics stay in the reports
        Assert.Contains("before", text);
        Assert.Contains("after", text);
        File.WriteAllText(readme, "no markers");
        Assert.Equal(2, Results.Run([Path.Combine(_dir, "runs")], readme, new StringWriter(), new StringWriter()));
    }
}
