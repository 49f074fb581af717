using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Manifest;
using GanNotebooks.Runner.Report;
using GanNotebooks.Runner.Run;
using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Writeups;

/// <summary>One parameter of a sweep and its values.</summary>
public sealed record SweepAxis(string Name, IReadOnlyList<string> Values)
{
    /// <summary>A seed axis (its name contains "seed"): results are averaged over it.</summary>
    public bool IsSeed => Name.Contains("seed", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses "seed=1..10" (an integer range), "lr=1e-4,2e-4" (a list) or "steps=500" (one value).</summary>
    public static SweepAxis Parse(string spec)
    {
        var eq = spec.IndexOf('=');
        if (eq <= 0) throw new FormatException($"-p {spec}: expected NAME=VALUES, e.g. seed=1..10 or lr=1e-4,2e-4.");
        var name = spec[..eq].Trim();
        var text = spec[(eq + 1)..].Trim();
        var range = Regex.Match(text, @"^(-?\d+)\.\.(-?\d+)$");
        if (range.Success)
        {
            var a = long.Parse(range.Groups[1].Value, CultureInfo.InvariantCulture);
            var b = long.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture);
            if (b < a) throw new FormatException($"-p {spec}: the range {a}..{b} is empty; write the smaller number first.");
            if (b - a > 10_000) throw new FormatException($"-p {spec}: {b - a + 1} values is too many for one sweep.");
            return new SweepAxis(name, Enumerable.Range(0, (int)(b - a + 1)).Select(i => (a + i).ToString(CultureInfo.InvariantCulture)).ToList());
        }
        // A quoted string value stays one value even with commas in it.
        if (text.StartsWith('"') && text.EndsWith('"') && text.Length >= 2) return new SweepAxis(name, [text]);
        var values = text.Split(',').Select(v => v.Trim()).ToList();
        if (values.Count > 1 && values.Any(v => v.Length == 0)) throw new FormatException($"-p {spec}: an empty value in the list.");
        return new SweepAxis(name, values);
    }
}

/// <summary>
/// <c>gannb sweep</c> and <c>gannb collect</c>: a grid of parameter values, each an ordinary runner invocation in its own
/// folder (DIR/runs/NAME=VALUE,…/ with its executed notebook, report and manifest); then every run's claims and metrics
/// in one table, mean ± standard error over the seed axes per setting of the others (DIR/sweep.csv, DIR/sweep.html).
/// </summary>
public static class Sweep
{
    /// <summary>The plan written to DIR/sweep.json (what <c>collect</c> reads).</summary>
    public sealed record Plan(string Notebook, string Profile, List<SweepAxis> Axes, List<PlannedRun> Runs);
    /// <summary>One run of the grid.</summary>
    public sealed record PlannedRun(string Name, List<string> Overrides);

    /// <summary>The grid: one run per combination of values (the first axis varies slowest).</summary>
    public static List<PlannedRun> Grid(IReadOnlyList<SweepAxis> axes)
    {
        var runs = new List<List<(string, string)>> { new() };
        foreach (var axis in axes)
            runs = runs.SelectMany(r => axis.Values.Select(v => r.Append((axis.Name, v)).ToList())).ToList();
        return runs.Select(r => new PlannedRun(RunName(r), r.Select(p => $"{p.Item1}={p.Item2}").ToList())).ToList();
    }

    static string RunName(IEnumerable<(string Name, string Value)> setting)
    {
        var name = string.Join(",", setting.Select(p => $"{p.Name}={p.Value}"));
        name = Regex.Replace(name, @"[^A-Za-z0-9._=,+-]", "_");
        return name.Length == 0 ? "defaults" : name;
    }

    static readonly JsonSerializerOptions Json = new(RunClaims.Json) { WriteIndented = true };

    /// <summary>The runner command line for a child run: $GANNB if set, else this process's own (dotnet gannb.dll, or the gannb apphost).</summary>
    public static (string File, List<string> Args) RunnerCommand()
    {
        var env = Environment.GetEnvironmentVariable("GANNB");
        if (!string.IsNullOrWhiteSpace(env))
        {
            var parts = env.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (parts[0], parts.Skip(1).ToList());
        }
        var dll = typeof(Sweep).Assembly.Location;
        var host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "gannb" ? (host, []) : (DotNetHost(), [dll]);
    }

    static string DotNetHost()
    {
        var host = Environment.ProcessPath;
        if (host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet") return host;
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (root is not null && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return "dotnet";
    }

    static string NotebookName(Plan plan) => Path.GetFileNameWithoutExtension(plan.Notebook);

    /// <summary>Whether a run's folder holds a complete result (its executed notebook, with a manifest and no failure).</summary>
    public static bool IsComplete(string dir, Plan plan, PlannedRun run)
    {
        var ipynb = Path.Combine(dir, "runs", run.Name, NotebookName(plan) + ".ipynb");
        if (!File.Exists(ipynb)) return false;
        try { return RunManifest.FromFile(ipynb) is { Failure: null } m && m.Profile == plan.Profile; }
        catch (Exception e) when (e is JsonException or IOException) { return false; }
    }

    /// <summary>Runs (or emits) a sweep; returns the exit code.</summary>
    public static async Task<int> RunAsync(string notebook, Dictionary<string, List<string>> options, TextWriter stdout, TextWriter stderr)
    {
        var path = Path.GetFullPath(notebook);
        if (!File.Exists(path)) { stderr.WriteLine($"gannb sweep: {path}: file not found."); return NotebookRunner.ExitUsage; }
        if (!options.TryGetValue("--out", out var outs)) { stderr.WriteLine("gannb sweep: --out DIR is required (each run gets DIR/runs/NAME/)."); return NotebookRunner.ExitUsage; }
        var dir = Path.GetFullPath(outs[^1]);
        var axes = (options.GetValueOrDefault("--parameter") ?? []).Select(SweepAxis.Parse).ToList();
        var dup = axes.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) { stderr.WriteLine($"gannb sweep: -p {dup.Key} is given twice; give its values once, e.g. -p {dup.Key}=1,2,3."); return NotebookRunner.ExitUsage; }
        string profile;
        try
        {
            profile = (options.GetValueOrDefault("--profile")?[^1] is { } text ? Profiles.ParseOption(text)
                : Profiles.Parse(Environment.GetEnvironmentVariable(Profiles.EnvironmentVariable))).Name();
        }
        catch (ArgumentException e) { stderr.WriteLine($"gannb sweep: {e.Message}"); return NotebookRunner.ExitUsage; }
        var jobs = int.Parse(options.GetValueOrDefault("--jobs")?[^1] ?? "1", CultureInfo.InvariantCulture);
        if (jobs < 1) { stderr.WriteLine("gannb sweep: --jobs must be at least 1."); return NotebookRunner.ExitUsage; }
        var plan = new Plan(path, profile, axes, Grid(axes));
        Directory.CreateDirectory(Path.Combine(dir, "runs"));
        AtomicFile.WriteAllText(Path.Combine(dir, "sweep.json"), JsonSerializer.Serialize(plan, Json));
        var pending = plan.Runs.Where(r => !IsComplete(dir, plan, r)).ToList();
        stdout.WriteLine($"sweep: {plan.Runs.Count} run(s) of {Path.GetFileName(path)} ({profile} profile), {plan.Runs.Count - pending.Count} already complete, {pending.Count} to run");

        if (options.GetValueOrDefault("--emit")?[^1] is { } emit)
        {
            if (emit != "slurm") { stderr.WriteLine($"gannb sweep: --emit {emit}: the one scheduler supported is slurm."); return NotebookRunner.ExitUsage; }
            return EmitSlurm(dir, plan, pending, options, stdout, stderr);
        }

        var (file, prefix) = RunnerCommand();
        using var gate = new SemaphoreSlim(jobs);
        var done = 0;
        var tasks = pending.Select(async run =>
        {
            await gate.WaitAsync().ConfigureAwait(false);
            try
            {
                var runDir = Path.Combine(dir, "runs", run.Name);
                Directory.CreateDirectory(runDir);
                var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in prefix) psi.ArgumentList.Add(a);
                foreach (var a in RunArgs(plan, run, runDir)) psi.ArgumentList.Add(a);
                var watch = Stopwatch.StartNew();
                using var p = Process.Start(psi)!;
                var outText = p.StandardOutput.ReadToEndAsync();
                var errText = p.StandardError.ReadToEndAsync();
                await p.WaitForExitAsync().ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(runDir, "run.log"), await outText.ConfigureAwait(false) + await errText.ConfigureAwait(false)).ConfigureAwait(false);
                var n = Interlocked.Increment(ref done);
                var status = p.ExitCode == 0 ? "ok" : $"FAILED (exit {p.ExitCode}): {LastLine(await errText.ConfigureAwait(false))}";
                lock (stdout) stdout.WriteLine($"[{n}/{pending.Count}] {run.Name}: {status} ({watch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
            }
            finally { gate.Release(); }
        }).ToList();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return Collect(dir, stdout, stderr);
    }

    static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? "";

    /// <summary>The arguments of one run: <c>run NOTEBOOK --profile P --out RUNDIR -p a=1 …</c>.</summary>
    static List<string> RunArgs(Plan plan, PlannedRun run, string runDir)
    {
        var args = new List<string> { "run", plan.Notebook, "--profile", plan.Profile, "--out", runDir };
        foreach (var o in run.Overrides) { args.Add("-p"); args.Add(o); }
        return args;
    }

    static int EmitSlurm(string dir, Plan plan, List<PlannedRun> pending, Dictionary<string, List<string>> options, TextWriter stdout, TextWriter stderr)
    {
        string Opt(string key, string fallback) => options.GetValueOrDefault(key)?[^1] ?? fallback;
        if (pending.Count == 0) { stdout.WriteLine("sweep: every run is complete; nothing to submit. `gannb collect` merges them."); return Collect(dir, stdout, stderr); }
        var bad = pending.SelectMany(r => r.Overrides).FirstOrDefault(o => o.Any(char.IsWhiteSpace) || o.Contains('\''));
        if (bad is not null) { stderr.WriteLine($"gannb sweep --emit slurm: -p {bad}: values with spaces or quotes cannot go through the job script's argument list."); return NotebookRunner.ExitUsage; }
        var (file, prefix) = RunnerCommand();
        var runner = string.Join(" ", new[] { file }.Concat(prefix).Select(Quote));
        var tsv = new StringBuilder();
        foreach (var r in pending) tsv.Append(r.Name).Append('\t').AppendLine(string.Join(" ", r.Overrides.Select(o => "-p " + o)));
        AtomicFile.WriteAllText(Path.Combine(dir, "runs.tsv"), tsv.ToString());
        Directory.CreateDirectory(Path.Combine(dir, "slurm"));
        var cpus = Opt("--cpus", "1");
        var jobs = options.ContainsKey("--jobs") ? "%" + Opt("--jobs", "1") : "";
        var sb = new StringBuilder();
        sb.AppendLine("#!/bin/bash");
        sb.AppendLine($"# gannb sweep of {Path.GetFileName(plan.Notebook)}: {pending.Count} run(s), one array task each. Submit with: sbatch {Path.Combine(dir, "sweep.sbatch")}");
        sb.AppendLine($"# When the array is done: gannb collect {dir}");
        sb.AppendLine($"#SBATCH --job-name=gannb-{Regex.Replace(NotebookName(plan), "[^A-Za-z0-9_-]", "_")}");
        sb.AppendLine($"#SBATCH --array=1-{pending.Count}{jobs}");
        sb.AppendLine($"#SBATCH --cpus-per-task={cpus}");
        sb.AppendLine($"#SBATCH --mem={Opt("--mem", "4096")}");
        sb.AppendLine($"#SBATCH --time={Opt("--time", "01:00:00")}");
        sb.AppendLine($"#SBATCH --output={Path.Combine(dir, "slurm", "%A_%a.out")}");
        if (options.ContainsKey("--partition")) sb.AppendLine($"#SBATCH --partition={Opt("--partition", "")}");
        if (options.ContainsKey("--account")) sb.AppendLine($"#SBATCH --account={Opt("--account", "")}");
        sb.AppendLine("set -euo pipefail");
        sb.AppendLine($"line=$(sed -n \"${{SLURM_ARRAY_TASK_ID}}p\" {Quote(Path.Combine(dir, "runs.tsv"))})");
        sb.AppendLine("name=${line%%$'\\t'*}");
        sb.AppendLine("params=${line#*$'\\t'}");
        sb.AppendLine("# torch's threads: the CPUs Slurm gave this task (a notebook's own `threads` parameter still wins).");
        sb.AppendLine("export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1} OMP_WAIT_POLICY=PASSIVE");
        sb.AppendLine($"cd {Quote(Path.GetDirectoryName(plan.Notebook)!)}");
        sb.AppendLine("# shellcheck disable=SC2086 # params is a list of -p NAME=VALUE words");
        sb.AppendLine($"exec {runner} run {Quote(plan.Notebook)} --profile {plan.Profile} --out {Quote(Path.Combine(dir, "runs"))}/\"$name\" $params");
        var script = Path.Combine(dir, "sweep.sbatch");
        AtomicFile.WriteAllText(script, sb.ToString());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        stdout.WriteLine($"sweep: wrote {script} ({pending.Count} array task(s)) and {Path.Combine(dir, "runs.tsv")}");
        stdout.WriteLine($"  submit:  sbatch {script}");
        stdout.WriteLine($"  then:    gannb collect {dir}");
        return NotebookRunner.ExitOk;
    }

    static string Quote(string s) => Regex.IsMatch(s, @"^[A-Za-z0-9_./=:+-]+$") ? s : "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>One run as collected.</summary>
    public sealed record CollectedRun(PlannedRun Run, string Status, string? Error, RunManifest? Manifest);

    /// <summary>One row of the sweep table: a claim or metric at one setting, over its seeds.</summary>
    /// <remarks><paramref name="Profile"/> is the profile the runs recorded in their manifests ("full", "paper", …; "mixed"
    /// if they differ); <paramref name="Paper"/> the paper's number a comparison stands beside ("" for other claims).</remarks>
    public sealed record Row(string Setting, string Id, bool IsClaim, string Condition, int N, double Mean, double StdErr, int Holds, int Fails, int NotJudged,
        string Profile = "", string Paper = "");

    /// <summary>Reads every run of the sweep in <paramref name="dir"/> and writes DIR/sweep.csv, DIR/runs.csv and DIR/sweep.html.</summary>
    public static int Collect(string dir, TextWriter stdout, TextWriter stderr)
    {
        dir = Path.GetFullPath(dir);
        var planFile = Path.Combine(dir, "sweep.json");
        if (!File.Exists(planFile)) { stderr.WriteLine($"gannb collect: {dir} holds no sweep.json (made by `gannb sweep … --out {dir}`)."); return NotebookRunner.ExitUsage; }
        var plan = JsonSerializer.Deserialize<Plan>(File.ReadAllText(planFile), Json)!;
        var runs = plan.Runs.Select(r => Read(dir, plan, r)).ToList();
        var rows = Table(plan, runs);
        var inv = CultureInfo.InvariantCulture;
        var settingAxes = plan.Axes.Where(a => !a.IsSeed).ToList();

        var csv = new StringBuilder();
        csv.Append(Csv.Line(["setting", "id", "kind", "condition", "n", "mean", "stderr", "holds", "fails", "not_judged", "profile", "paper"]));
        foreach (var r in rows)
            csv.Append(Csv.Line([r.Setting, r.Id, r.IsClaim ? "claim" : "metric", r.Condition, r.N.ToString(inv), r.Mean.ToString("R", inv), double.IsNaN(r.StdErr) ? "" : r.StdErr.ToString("R", inv), r.Holds.ToString(inv), r.Fails.ToString(inv), r.NotJudged.ToString(inv), r.Profile, r.Paper]));
        AtomicFile.WriteAllText(Path.Combine(dir, "sweep.csv"), csv.ToString());
        var runsCsv = new StringBuilder();
        runsCsv.Append(Csv.Line(new[] { "run" }.Concat(plan.Axes.Select(a => a.Name)).Concat(["status", "claims", "cpu_seconds", "error", "profile"])));
        foreach (var r in runs)
            runsCsv.Append(Csv.Line(new[] { r.Run.Name }.Concat(r.Run.Overrides.Select(o => o[(o.IndexOf('=') + 1)..])).Concat([r.Status, r.Manifest?.ClaimsSummary ?? "", r.Manifest?.CpuSeconds.ToString("0.0", inv) ?? "", r.Error ?? "", r.Manifest?.Profile ?? ""])));
        AtomicFile.WriteAllText(Path.Combine(dir, "runs.csv"), runsCsv.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "sweep.html"), Html(plan, runs, rows));

        var ok = runs.Count(r => r.Status == "ok");
        stdout.WriteLine($"collect: {ok}/{runs.Count} run(s) complete{(ok < runs.Count ? $", {runs.Count - ok} not ({string.Join(", ", runs.Where(r => r.Status != "ok").Select(r => $"{r.Run.Name}: {r.Status}"))})" : "")}");
        foreach (var r in rows.Where(r => r.IsClaim))
            stdout.WriteLine($"  {(r.Setting.Length == 0 ? "" : $"[{r.Setting}] ")}{r.Id}: {Fmt(r.Mean)}{(double.IsNaN(r.StdErr) ? "" : $" ± {Fmt(r.StdErr)}")} (n = {r.N}; {r.Condition}: {r.Holds} ✓, {r.Fails} ✗{(r.NotJudged > 0 ? $", {r.NotJudged} not judged" : "")})");
        stdout.WriteLine($"  table: {Path.Combine(dir, "sweep.csv")}");
        stdout.WriteLine($"  report: {Path.Combine(dir, "sweep.html")}");
        return ok == runs.Count ? NotebookRunner.ExitOk : NotebookRunner.ExitCellFailed;
    }

    static string Fmt(double v) => NumberFormat.Significant(v);

    static CollectedRun Read(string dir, Plan plan, PlannedRun run)
    {
        var runDir = Path.Combine(dir, "runs", run.Name);
        var name = NotebookName(plan);
        foreach (var (file, failed) in new[] { (name + ".ipynb", false), (name + ".failed.ipynb", true) })
        {
            var p = Path.Combine(runDir, file);
            if (!File.Exists(p)) continue;
            RunManifest? m = null;
            try { m = RunManifest.FromFile(p); } catch (Exception e) when (e is JsonException or IOException) { }
            if (m is null) continue;
            if (!failed && m.Failure is null) return new CollectedRun(run, "ok", null, m);
            return new CollectedRun(run, "failed", m.Failure ?? "failed", m);
        }
        var log = Path.Combine(runDir, "run.log");
        if (File.Exists(log)) return new CollectedRun(run, "failed", LastLine(File.ReadAllText(log)), null);
        // A Slurm task's log, if the sweep went through Slurm.
        var slurmLog = Directory.Exists(Path.Combine(dir, "slurm")) ? Directory.EnumerateFiles(Path.Combine(dir, "slurm"), "*.out").FirstOrDefault(f => File.ReadAllText(f).Contains(run.Name, StringComparison.Ordinal)) : null;
        return new CollectedRun(run, "not run", slurmLog is null ? "no result in " + runDir : LastLine(File.ReadAllText(slurmLog)), null);
    }

    /// <summary>Claims and metrics per setting (the values of the non-seed axes), over the seeds.</summary>
    public static List<Row> Table(Plan plan, IReadOnlyList<CollectedRun> runs)
    {
        var seedAxes = plan.Axes.Where(a => a.IsSeed).Select(a => a.Name).ToHashSet();
        string Setting(PlannedRun r) => string.Join(", ", r.Overrides.Where(o => !seedAxes.Contains(o[..o.IndexOf('=')])));
        var rows = new List<Row>();
        foreach (var group in runs.Where(r => r.Status == "ok" && r.Manifest is not null).GroupBy(r => Setting(r.Run)))
        {
            var ids = group.SelectMany(r => r.Manifest!.Claims).Select(c => c.Id).Distinct().ToList();
            foreach (var id in ids)
            {
                var cs = group.Select(r => r.Manifest!.Claims.FirstOrDefault(c => c.Id == id)).Where(c => c is not null).Select(c => c!).ToList();
                var (mean, se, n) = Averages.MeanAndStdErr(cs.Select(c => c.Value));
                var profiles = group.Select(r => r.Manifest!.Profile).Distinct().ToList();
                rows.Add(new Row(group.Key, id, cs[0].IsClaim, cs[0].Condition, n, mean, se,
                    cs.Count(c => c.Verdict == "holds"), cs.Count(c => c.Verdict == "fails"), cs.Count(c => c.Verdict == "notJudged"),
                    profiles.Count == 1 ? profiles[0] : "mixed", cs[0].Paper?.ToString() ?? ""));
            }
        }
        return rows;
    }

    static string Html(Plan plan, IReadOnlyList<CollectedRun> runs, IReadOnlyList<Row> rows)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sweep of ")
            .Append(E(Path.GetFileName(plan.Notebook))).Append("</title><style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:24px auto;padding:0 24px}")
            .Append("table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}.failed{color:#cf222e}.chart{width:100%;height:360px}</style>")
            .Append("<script>").Append(PlotlyJs.Script).Append("</script></head><body>\n");
        sb.Append("<h1>Sweep of ").Append(E(Path.GetFileName(plan.Notebook))).Append("</h1>\n<p>")
          .Append(E($"{runs.Count} run(s), {plan.Profile} profile; axes: {string.Join("; ", plan.Axes.Select(a => $"{a.Name} = {string.Join(", ", a.Values)}"))}. "))
          .Append("Mean ± standard error over the seed axes (parameters whose name contains “seed”) for each setting of the others; ✓/✗ count the runs whose claim held / failed (full and paper profiles).</p>\n");
        sb.Append("<h2>Claims and metrics</h2>\n<table><thead><tr><th>setting</th><th>claim or metric</th><th>mean ± s.e.</th><th>n</th><th>condition</th><th>✓</th><th>✗</th></tr></thead><tbody>\n");
        // Claims first, in the notebook's order, then metrics; settings in the grid's order under each.
        var order = rows.Select(r => r.Id).Distinct().Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        foreach (var r in rows.OrderBy(r => r.IsClaim ? 0 : 1).ThenBy(r => order[r.Id]))
            sb.Append("<tr><td>").Append(E(r.Setting.Length == 0 ? "(all)" : r.Setting)).Append("</td><td>").Append(E(r.Id)).Append("</td><td class=\"num\">")
              .Append(E(Fmt(r.Mean) + (double.IsNaN(r.StdErr) ? "" : " ± " + Fmt(r.StdErr)))).Append("</td><td class=\"num\">").Append(r.N.ToString(inv))
              .Append("</td><td>").Append(E(r.Condition)).Append("</td><td class=\"num\">").Append(r.IsClaim ? r.Holds.ToString(inv) : "")
              .Append("</td><td class=\"num\">").Append(r.IsClaim ? r.Fails.ToString(inv) : "").Append("</td></tr>\n");
        sb.Append("</tbody></table>\n");
        // One chart per claim/metric: mean ± s.e. per setting, and every run's value as a point.
        sb.Append("<h2>Charts</h2>\n");
        var seedAxes = plan.Axes.Where(a => a.IsSeed).Select(a => a.Name).ToHashSet();
        string Setting(PlannedRun r) => string.Join(", ", r.Overrides.Where(o => !seedAxes.Contains(o[..o.IndexOf('=')])));
        var k = 0;
        foreach (var id in rows.Select(r => r.Id).Distinct())
        {
            var rs = rows.Where(r => r.Id == id).ToList();
            var xs = rs.Select(r => r.Setting.Length == 0 ? "(all)" : r.Setting).ToList();
            var points = runs.Where(r => r.Manifest is not null && r.Status == "ok").SelectMany(r => r.Manifest!.Claims.Where(c => c.Id == id).Select(c => (X: Setting(r.Run) is { Length: > 0 } s ? s : "(all)", c.Value))).ToList();
            var fig = new JsonObject
            {
                ["data"] = new JsonArray(
                    new JsonObject { ["type"] = "bar", ["name"] = "mean ± s.e.", ["x"] = new JsonArray(xs.Select(x => (JsonNode)x).ToArray()), ["y"] = new JsonArray(rs.Select(r => (JsonNode)r.Mean).ToArray()),
                        ["error_y"] = new JsonObject { ["type"] = "data", ["array"] = new JsonArray(rs.Select(r => (JsonNode)(double.IsNaN(r.StdErr) ? 0 : r.StdErr)).ToArray()), ["visible"] = true }, ["opacity"] = 0.6 },
                    new JsonObject { ["type"] = "scatter", ["mode"] = "markers", ["name"] = "runs", ["x"] = new JsonArray(points.Select(p => (JsonNode)p.X).ToArray()), ["y"] = new JsonArray(points.Select(p => (JsonNode)p.Value).ToArray()) }),
                ["layout"] = new JsonObject { ["title"] = new JsonObject { ["text"] = id.Length > 110 ? id[..109] + "…" : id }, ["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "setting" }, ["type"] = "category" },
                    ["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "value (the claim's or metric's unit)" } }, ["margin"] = new JsonObject { ["t"] = 50 } },
            };
            sb.Append("<div id=\"c").Append(k).Append("\" class=\"chart\"></div><script>(function(){var f=").Append(fig.ToJsonString().Replace("</", "<\\/")).Append(";Plotly.newPlot('c").Append(k).Append("',f.data,f.layout);})();</script>\n");
            k++;
        }
        sb.Append("<h2>Runs</h2>\n<table><thead><tr><th>run</th><th>status</th><th>claims</th><th>CPU s</th><th>error</th></tr></thead><tbody>\n");
        foreach (var r in runs)
            sb.Append("<tr class=\"").Append(r.Status == "ok" ? "" : "failed").Append("\"><td><a href=\"runs/").Append(E(r.Run.Name)).Append("/\">").Append(E(r.Run.Name)).Append("</a></td><td>").Append(E(r.Status))
              .Append("</td><td>").Append(E(r.Manifest?.ClaimsSummary ?? "")).Append("</td><td class=\"num\">").Append(r.Manifest?.CpuSeconds.ToString("0.0", inv) ?? "")
              .Append("</td><td>").Append(E(r.Error ?? "")).Append("</td></tr>\n");
        sb.Append("</tbody></table>\n</body></html>\n");
        return sb.ToString();
    }
}
