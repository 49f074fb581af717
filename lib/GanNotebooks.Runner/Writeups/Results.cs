using System.Globalization;
using System.Text;
using GanNotebooks.Runner.Manifest;
using GanNotebooks.Runner.Run;
using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Writeups;

/// <summary>
/// <c>gannb results DIR...</c>: README's results table from the executed notebooks of full-profile runs — every claim
/// with its value, condition and verdict, the seeds, the CPU and wall seconds and the commit — written between
/// <see cref="Begin"/> and <see cref="End"/>, so README carries no number that no run produced.
/// </summary>
public static class Results
{
    /// <summary>Start marker in README.</summary>
    public const string Begin = "<!-- results:begin (written by `gannb results`; do not edit by hand) -->";
    /// <summary>End marker in README.</summary>
    public const string End = "<!-- results:end -->";

    /// <summary>One executed notebook found.</summary>
    public sealed record Found(string Path, RunManifest Manifest);

    /// <summary>The executed notebooks (with a manifest, full profile, no failure) in the folders, newest per notebook.</summary>
    public static List<Found> Find(IEnumerable<string> folders, TextWriter stderr)
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
                if (m.Profile != "full") { stderr.WriteLine($"gannb results: skipping {file}: {m.Profile} profile (only full-profile runs make README's numbers)."); continue; }
                if (m.Failure is not null) { stderr.WriteLine($"gannb results: skipping {file}: the run failed ({m.Failure})."); continue; }
                found.Add(new Found(file, m));
            }
        }
        return found.GroupBy(f => f.Manifest.Notebook).Select(g => g.MaxBy(f => f.Manifest.Start)!).OrderBy(f => f.Manifest.Notebook, StringComparer.Ordinal).ToList();
    }

    /// <summary>The markdown table.</summary>
    public static string Table(IReadOnlyList<Found> runs)
    {
        var inv = CultureInfo.InvariantCulture;
        static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", " ");
        var sb = new StringBuilder();
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

    /// <summary>Writes the table into README (or prints it when there is no README or no markers).</summary>
    public static int Run(IReadOnlyList<string> folders, string? readme, TextWriter stdout, TextWriter stderr)
    {
        var runs = Find(folders, stderr);
        if (runs.Count == 0) { stderr.WriteLine("gannb results: no executed full-profile notebooks with a manifest in the given folders."); return NotebookRunner.ExitUsage; }
        var table = Table(runs);
        readme ??= ManifestBuilder.RepoRoot(Path.Combine(Environment.CurrentDirectory, "x")) is { } root ? Path.Combine(root, "README.md") : null;
        if (readme is null || !File.Exists(readme)) { stdout.Write(table); return NotebookRunner.ExitOk; }
        var text = File.ReadAllText(readme);
        var b = text.IndexOf(Begin, StringComparison.Ordinal);
        var e = text.IndexOf(End, StringComparison.Ordinal);
        if (b < 0 || e < b)
        {
            stderr.WriteLine($"gannb results: {readme} has no markers; add the two lines\n{Begin}\n{End}\nwhere the table goes. The table:");
            stdout.Write(table);
            return NotebookRunner.ExitUsage;
        }
        var updated = text[..(b + Begin.Length)] + "\n" + table + text[e..];
        AtomicFile.WriteAllText(readme, updated);
        stdout.WriteLine($"results: {runs.Count} notebook(s), {runs.Sum(r => r.Manifest.Claims.Count(c => c.IsClaim))} claims written to {readme}");
        foreach (var r in runs) stdout.WriteLine($"  {r.Manifest.Notebook}: {r.Manifest.ClaimsSummary} ({r.Path})");
        return NotebookRunner.ExitOk;
    }
}
