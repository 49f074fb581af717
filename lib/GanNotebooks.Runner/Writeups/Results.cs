using System.Globalization;
using System.Text;
using GanNotebooks.Runner.Manifest;
using GanNotebooks.Runner.Run;
using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Writeups;

/// <summary>
/// <c>gannb results DIR...</c>: README's results table from the executed notebooks of full-profile runs — every claim
/// with its value, condition and verdict, the seeds, the CPU and wall seconds and the commit — written between
/// <see cref="Begin"/> and <see cref="End"/>, and the paper-profile runs' comparisons with the papers ("kit vs paper")
/// between <see cref="PaperBegin"/> and <see cref="PaperEnd"/>, so README carries no number that no run produced.
/// </summary>
public static class Results
{
    /// <summary>Start marker in README.</summary>
    public const string Begin = "<!-- results:begin (written by `gannb results`; do not edit by hand) -->";
    /// <summary>End marker in README.</summary>
    public const string End = "<!-- results:end -->";

    /// <summary>Start marker of the paper-profile section in README (written after <see cref="End"/> when missing).</summary>
    public const string PaperBegin = "<!-- paper-results:begin (written by `gannb results` from paper-profile runs; do not edit by hand) -->";
    /// <summary>End marker of the paper-profile section.</summary>
    public const string PaperEnd = "<!-- paper-results:end -->";

    /// <summary>One executed notebook found.</summary>
    public sealed record Found(string Path, RunManifest Manifest);

    /// <summary>The executed notebooks (with a manifest, full profile, no failure) in the folders, newest per notebook.</summary>
    public static List<Found> Find(IEnumerable<string> folders, TextWriter stderr) =>
        Newest(Scan(folders, stderr).Where(f => f.Manifest.Profile == "full"));

    /// <summary>The newest run of each notebook, in notebook order.</summary>
    static List<Found> Newest(IEnumerable<Found> found) =>
        found.GroupBy(f => f.Manifest.Notebook).Select(g => g.MaxBy(f => f.Manifest.Start)!).OrderBy(f => f.Manifest.Notebook, StringComparer.Ordinal).ToList();

    /// <summary>Every executed notebook with a manifest and no failure in the folders (any profile); smoke runs are skipped with a note.</summary>
    public static List<Found> Scan(IEnumerable<string> folders, TextWriter stderr)
    {
        var found = new List<Found>();
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder)) { stderr.WriteLine($"gannb results: {folder}: no such folder."); continue; }
            foreach (var file in Directory.EnumerateFiles(folder, "*.ipynb", SearchOption.AllDirectories).Where(f => !f.EndsWith(".failed.ipynb", StringComparison.Ordinal)))
            {
                RunManifest? m;
                try { m = RunManifest.FromFile(file); } catch (Exception e) when (e is System.Text.Json.JsonException or IOException) { continue; }
                if (m is null) continue;
                if (m.Profile is not ("full" or "paper")) { stderr.WriteLine($"gannb results: skipping {file}: {m.Profile} profile (only full- and paper-profile runs make README's numbers)."); continue; }
                if (m.Failure is not null) { stderr.WriteLine($"gannb results: skipping {file}: the run failed ({m.Failure})."); continue; }
                found.Add(new Found(file, m));
            }
        }
        return found;
    }

    /// <summary>
    /// The paper-profile runs of one notebook, merged: a sweep splits a paper protocol over tasks (e.g. one target per
    /// task), so every run of the notebook counts, and where two runs make the same claim id the newer run's stands.
    /// </summary>
    public sealed record PaperNotebook(string Notebook, IReadOnlyList<Found> Runs, IReadOnlyList<ClaimRecord> Claims);

    /// <summary>The paper-profile runs grouped per notebook, claims merged (newest per id, first-seen order).</summary>
    public static List<PaperNotebook> PaperRuns(IEnumerable<Found> found) =>
        found.Where(f => f.Manifest.Profile == "paper").GroupBy(f => f.Manifest.Notebook).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var runs = g.OrderBy(f => f.Manifest.Start).ToList();
                var claims = new List<ClaimRecord>();
                foreach (var c in runs.SelectMany(r => r.Manifest.Claims))
                {
                    var i = claims.FindIndex(x => x.Id == c.Id);
                    if (i >= 0) claims[i] = c; else claims.Add(c);
                }
                return new PaperNotebook(g.Key, runs, claims);
            }).ToList();

    /// <summary>
    /// README's paper section: per notebook, its paper-profile runs (seeds, CPU, dates, commits) and every comparison with
    /// a paper's number (<c>Claims.VersusPaper</c>) as "kit vs paper"; ✓/✗ only where the run used the paper's own
    /// setting. Says so when there is no paper-profile run.
    /// </summary>
    public static string PaperSection(IReadOnlyList<PaperNotebook> notebooks)
    {
        var inv = CultureInfo.InvariantCulture;
        static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", " ");
        var sb = new StringBuilder();
        sb.AppendLine("### The `paper` profile: the kit beside the papers' own numbers");
        sb.AppendLine();
        if (notebooks.Count == 0)
        {
            sb.AppendLine("No `paper`-profile run was among the folders given to `gannb results`: no row compares the kit with a paper yet. " +
                "A paper run is a sweep, e.g. `gannb sweep notebooks/13-mode-collapse.ipynb --profile paper … --out DIR` (the notebook's parameters cell says what `paper` changes).");
            return sb.ToString();
        }
        sb.AppendLine("Kit: mean ± standard error over the run's seeds; paper: as the paper prints it. ✓/✗ (agreement within 2 combined standard errors) only where the run used the paper's own setting; other rows show both numbers unjudged.");
        sb.AppendLine();
        sb.AppendLine("| notebook | compared | kit | paper | source | condition | |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var nb in notebooks)
        {
            var name = Path.GetFileNameWithoutExtension(nb.Notebook);
            var cpu = nb.Runs.Sum(r => r.Manifest.CpuSeconds);
            var commits = string.Join(", ", nb.Runs.Select(r => r.Manifest.GitCommit[..Math.Min(7, r.Manifest.GitCommit.Length)] + (r.Manifest.GitDirty == true ? "+dirty" : "")).Distinct());
            var overrides = string.Join("; ", nb.Runs.Select(r => r.Manifest.Overrides.Count == 0 ? "defaults" : string.Join(" ", r.Manifest.Overrides)));
            var vs = nb.Claims.Where(c => c.Paper is not null).ToList();
            var judged = vs.Where(c => c.Paper!.PapersSetting).ToList();
            var head = $"**{name}** ({nb.Runs.Count} run{(nb.Runs.Count == 1 ? "" : "s")}: {overrides}; {cpu.ToString("0", inv)} s CPU; {nb.Runs.Min(r => r.Manifest.Start):yyyy-MM-dd}–{nb.Runs.Max(r => r.Manifest.Start):yyyy-MM-dd}, commit {commits}) — " +
                $"{vs.Count} comparison{(vs.Count == 1 ? "" : "s")} with the paper: {judged.Count(c => c.Verdict == "holds")} ✓, {judged.Count(c => c.Verdict == "fails")} ✗" +
                (vs.Count > judged.Count ? $", {vs.Count - judged.Count} unjudged (not the paper's setting)" : "");
            if (vs.Count == 0) { sb.AppendLine($"| {Cell(head)} | (no comparison with a paper's number) | | | | | |"); continue; }
            foreach (var (c, i) in vs.Select((c, i) => (c, i)))
            {
                var p = c.Paper!;
                var kit = NumberFormat.Significant(c.Value) + (p.KitStdErr is { } se && !double.IsNaN(se) ? " ± " + NumberFormat.Significant(se) : "") + (string.IsNullOrEmpty(c.Unit) ? "" : " " + c.Unit);
                var mark = p.PapersSetting ? c.Mark : "not the paper's setting";
                sb.AppendLine($"| {(i == 0 ? Cell(head) : "")} | {Cell(c.Statement)} | {Cell(kit)} | {Cell(p + (string.IsNullOrEmpty(c.Unit) ? "" : " " + c.Unit))} | {Cell(p.Source)} | {Cell(c.Condition)} | {mark} |");
            }
        }
        return sb.ToString();
    }

    /// <summary>The markdown table.</summary>
    public static string Table(IReadOnlyList<Found> runs)
    {
        var inv = CultureInfo.InvariantCulture;
        static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", " ");
        var sb = new StringBuilder();
        sb.AppendLine("✓/✗: judged in each notebook's own setting — its networks, data and budget, the course's scale. A claim that restates a paper's finding is judged here at that scale, not in the paper's setting (that is the `paper` section's job, below).");
        sb.AppendLine();
        sb.AppendLine("| notebook | claim | value | condition | |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var r in runs)
        {
            var m = r.Manifest;
            var name = Path.GetFileNameWithoutExtension(m.Notebook);
            var seeds = m.Seeds.Count == 0 ? "" : string.Join(", ", m.Seeds.Select(kv => $"{kv.Key} {kv.Value.Trim('"')}")) + "; ";
            var head = $"**{name}** ({seeds}{m.Threads?.ToString(inv) ?? "?"} thread{(m.Threads == 1 ? "" : "s")}; {m.CpuSeconds.ToString("0", inv)} s CPU, {m.Seconds.ToString("0", inv)} s wall; {m.Start:yyyy-MM-dd}, commit {m.GitCommit[..Math.Min(7, m.GitCommit.Length)]}{(m.GitDirty == true ? "+dirty" : "")}) — {m.ClaimsSummary}";
            var claims = m.Claims.Where(c => c.IsClaim).ToList();
            if (claims.Count == 0) { sb.AppendLine($"| {Cell(head)} | (no claims) | | | |"); continue; }
            foreach (var (c, i) in claims.Select((c, i) => (c, i)))
                sb.AppendLine($"| {(i == 0 ? Cell(head) : "")} | {Cell(c.Statement)} | {Cell(c.ValueText)} | {Cell(c.Condition)} | {c.Mark} |");
        }
        return sb.ToString();
    }

    /// <summary>
    /// Writes the full-profile table into README between <see cref="Begin"/> and <see cref="End"/> (left as it is when the
    /// folders hold no full-profile run) and the paper section between <see cref="PaperBegin"/> and <see cref="PaperEnd"/>
    /// (added after <see cref="End"/> when README lacks those markers); prints them when there is no README.
    /// </summary>
    public static int Run(IReadOnlyList<string> folders, string? readme, TextWriter stdout, TextWriter stderr)
    {
        if (folders.FirstOrDefault(f => !Directory.Exists(f)) is { } missing) { stderr.WriteLine($"gannb results: {missing}: no such folder."); return NotebookRunner.ExitUsage; }
        var scanned = Scan(folders, stderr);
        var runs = Newest(scanned.Where(f => f.Manifest.Profile == "full"));
        var papers = PaperRuns(scanned);
        if (runs.Count == 0 && papers.Count == 0) stderr.WriteLine("gannb results: no executed full- or paper-profile notebooks with a manifest in the given folders.");
        var table = runs.Count == 0 ? null : Table(runs);
        var paper = PaperSection(papers);
        readme ??= ManifestBuilder.RepoRoot(Path.Combine(Environment.CurrentDirectory, "x")) is { } root ? Path.Combine(root, "README.md") : null;
        if (readme is null || !File.Exists(readme))
        {
            if (runs.Count == 0 && papers.Count == 0) return NotebookRunner.ExitUsage;
            stdout.Write(table ?? ""); stdout.WriteLine(); stdout.Write(paper); return NotebookRunner.ExitOk;
        }
        var text = File.ReadAllText(readme);
        var b = text.IndexOf(Begin, StringComparison.Ordinal);
        var e = text.IndexOf(End, StringComparison.Ordinal);
        if (b < 0 || e < b)
        {
            stderr.WriteLine($"gannb results: {readme} has no markers; add the two lines\n{Begin}\n{End}\nwhere the table goes. The table:");
            stdout.Write(table ?? "");
            stdout.WriteLine();
            stdout.Write(paper);
            return NotebookRunner.ExitUsage;
        }
        if (table is not null) text = text[..(b + Begin.Length)] + "\n" + table + text[e..];
        else stderr.WriteLine("gannb results: no full-profile run in the given folders; the full-profile table is left as it was.");
        var pb = text.IndexOf(PaperBegin, StringComparison.Ordinal);
        var pe = text.IndexOf(PaperEnd, StringComparison.Ordinal);
        if (pb < 0 || pe < pb)
        {
            var at = text.IndexOf(End, StringComparison.Ordinal) + End.Length;
            text = text[..at] + "\n\n" + PaperBegin + "\n" + PaperEnd + text[at..];
            pb = text.IndexOf(PaperBegin, StringComparison.Ordinal);
            pe = text.IndexOf(PaperEnd, StringComparison.Ordinal);
        }
        text = text[..(pb + PaperBegin.Length)] + "\n" + paper + text[pe..];
        AtomicFile.WriteAllText(readme, text);
        stdout.WriteLine($"results: {runs.Count} full-profile notebook(s), {runs.Sum(r => r.Manifest.Claims.Count(c => c.IsClaim))} claims; {papers.Count} paper-profile notebook(s), " +
            $"{papers.Sum(p => p.Claims.Count(c => c.Paper is not null))} comparisons with a paper; written to {readme}");
        foreach (var r in runs) stdout.WriteLine($"  {r.Manifest.Notebook}: {r.Manifest.ClaimsSummary} ({r.Path})");
        foreach (var p in papers) stdout.WriteLine($"  {p.Notebook} (paper): {p.Runs.Count} run(s) ({string.Join(", ", p.Runs.Select(r => r.Path))})");
        return NotebookRunner.ExitOk;
    }
}
