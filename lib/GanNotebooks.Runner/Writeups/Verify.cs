using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Manifest;
using GanNotebooks.Runner.Run;
using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Writeups;

/// <summary>One difference between a recorded and a re-run output.</summary>
public sealed record OutputDifference(string Where, string Expected, string Actual);

/// <summary>
/// Compares the outputs of two executed notebooks (the recorded one and its re-run), cell by cell, output by output.
/// <list type="bullet">
/// <item>Text (streams, text/plain, the text of HTML with its tags removed, tables cell by cell): every character outside
/// numbers must be equal; numbers must agree within <see cref="RelativeTolerance"/> (relative) or
/// <see cref="AbsoluteTolerance"/>.</item>
/// <item>Charts: the figure JSON each chart carries (data and layout): strings equal, numbers within the same tolerance.</item>
/// <item>Images (image/png, embedded &lt;img&gt;): byte-identical (compared by SHA-256).</item>
/// <item>Volatile values are not compared: numbers with a time or speed unit (12.3 s, 30 ms, 38 steps/s, images/s), table
/// columns and rows whose label is a time ("ms per step", "train time (s)"), the kernel's own paths (staging folders,
/// GUIDs). Each one skipped is counted and reported.</item>
/// </list>
/// Why a tolerance at all, when a CPU re-run with the same seed and thread count is bit-identical: the kit computes in
/// float32, whose resolution is 1.2e-7 relative; every number shown is a float32 result widened to double, so two
/// numbers closer than 1e-6 relative are the same float32 measurement, printed through a different path (a chart's JSON
/// with 17 digits vs a table's 4). A real change of the computation moves results far more than that (a training run
/// amplifies a single-ulp change to percent-level differences within a few hundred steps).
/// </summary>
public sealed partial class OutputComparer
{
    /// <summary>Relative tolerance for numbers (default 1e-6, see the class remarks).</summary>
    public double RelativeTolerance { get; init; } = 1e-6;
    /// <summary>Absolute tolerance for numbers near 0 (default 1e-9).</summary>
    public double AbsoluteTolerance { get; init; } = 1e-9;
    /// <summary>How many volatile values (timings, paths) were skipped.</summary>
    public int Skipped { get; private set; }
    /// <summary>How many outputs were compared.</summary>
    public int Compared { get; private set; }

    /// <summary>Compares two executed notebooks' outputs.</summary>
    public List<OutputDifference> Compare(JsonObject expected, JsonObject actual)
    {
        var diffs = new List<OutputDifference>();
        var e = Cells(expected); var a = Cells(actual);
        if (e.Count != a.Count) diffs.Add(new("notebook", $"{e.Count} code cells", $"{a.Count} code cells"));
        for (var i = 0; i < Math.Min(e.Count, a.Count); i++)
        {
            var (label, eo) = e[i];
            var (_, ao) = a[i];
            if (eo.Count != ao.Count)
            {
                diffs.Add(new(label, $"{eo.Count} outputs: {Kinds(eo)}", $"{ao.Count} outputs: {Kinds(ao)}"));
                continue;
            }
            for (var j = 0; j < eo.Count; j++)
            {
                Compared++;
                CompareOutput($"{label}, output {j + 1}", eo[j], ao[j], diffs);
            }
        }
        return diffs;
    }

    static string Kinds(List<JsonObject> outputs) => string.Join(", ", outputs.Select(o => (string?)o["output_type"] ?? "?"));

    /// <summary>(label, outputs) per code cell, numbered as in the notebook (the injected-parameters cell is "cell N+").</summary>
    static List<(string, List<JsonObject>)> Cells(JsonObject notebook)
    {
        var result = new List<(string, List<JsonObject>)>();
        var n = 0;
        foreach (var c in (notebook["cells"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var injected = c["metadata"]?["tags"] is JsonArray tags && tags.Any(t => (string?)t == "injected-parameters");
            if (!injected) n++;
            if ((string?)c["cell_type"] != "code") continue;
            result.Add((injected ? $"cell {n}+" : $"cell {n}", (c["outputs"] as JsonArray ?? []).OfType<JsonObject>().ToList()));
        }
        return result;
    }

    static string Text(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray a => string.Concat(a.Select(x => (string?)x ?? "")),
        null => "",
        _ => node.ToJsonString(),
    };

    void CompareOutput(string where, JsonObject e, JsonObject a, List<OutputDifference> diffs)
    {
        var et = (string?)e["output_type"]; var at = (string?)a["output_type"];
        if (et != at) { diffs.Add(new(where, et ?? "?", at ?? "?")); return; }
        if (et == "stream")
        {
            CompareText(where, Text(e["text"]), Text(a["text"]), diffs);
            return;
        }
        if (et == "error")
        {
            CompareText(where + " (error)", (string?)e["evalue"] ?? "", (string?)a["evalue"] ?? "", diffs);
            return;
        }
        var ed = e["data"] as JsonObject ?? new(); var ad = a["data"] as JsonObject ?? new();
        var em = string.Join(", ", ed.Select(kv => kv.Key).Order()); var am = string.Join(", ", ad.Select(kv => kv.Key).Order());
        if (em != am) { diffs.Add(new(where + " (MIME types)", em, am)); return; }
        foreach (var (mime, value) in ed)
        {
            var ev = Text(value); var av = Text(ad[mime]);
            switch (mime)
            {
                case "text/plain":
                    CompareText($"{where} ({mime})", ev, av, diffs);
                    break;
                case "text/html":
                    CompareHtml($"{where} ({mime})", ev, av, diffs);
                    break;
                case "application/json" or "application/vnd.plotly.v1+json":
                    CompareJson($"{where} ({mime})", JsonNode.Parse(ev), JsonNode.Parse(av), diffs);
                    break;
                default:
                    if (Hash(ev) != Hash(av)) diffs.Add(new($"{where} ({mime})", $"{ev.Length} chars, sha256 {Hash(ev)[..12]}", $"{av.Length} chars, sha256 {Hash(av)[..12]}"));
                    break;
            }
        }
    }

    static string Hash(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    [GeneratedRegex("<script type=\"application/json\" class=\"gankit-plotly-figure\"[^>]*>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex FigureScript();
    [GeneratedRegex("<img [^>]*src=\"data:image/png;base64,([^\"]+)\"", RegexOptions.Singleline)]
    private static partial Regex EmbeddedPng();
    [GeneratedRegex("<(script|style)[^>]*>.*?</\\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOrStyle();
    [GeneratedRegex("<table[^>]*>.*?</table>", RegexOptions.Singleline)]
    private static partial Regex HtmlTable();
    [GeneratedRegex("<tr[^>]*>(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex HtmlRow();
    [GeneratedRegex("<t[hd][^>]*>(.*?)</t[hd]>", RegexOptions.Singleline)]
    private static partial Regex HtmlCell();
    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    void CompareHtml(string where, string e, string a, List<OutputDifference> diffs)
    {
        // Charts: their figures' JSON.
        var ef = FigureScript().Matches(e).Select(m => m.Groups[1].Value).ToList();
        var af = FigureScript().Matches(a).Select(m => m.Groups[1].Value).ToList();
        if (ef.Count != af.Count) diffs.Add(new(where, $"{ef.Count} charts", $"{af.Count} charts"));
        for (var k = 0; k < Math.Min(ef.Count, af.Count); k++)
            CompareJson($"{where}, chart {k + 1}", JsonNode.Parse(ef[k].Replace("<\\/", "</")), JsonNode.Parse(af[k].Replace("<\\/", "</")), diffs);
        // Images: byte-identical.
        var ei = EmbeddedPng().Matches(e).Select(m => Hash(m.Groups[1].Value)).ToList();
        var ai = EmbeddedPng().Matches(a).Select(m => Hash(m.Groups[1].Value)).ToList();
        if (!ei.SequenceEqual(ai)) diffs.Add(new($"{where} (images)", $"{ei.Count} images, sha256 {string.Join(" ", ei.Select(h => h[..8]))}", $"{ai.Count} images, sha256 {string.Join(" ", ai.Select(h => h[..8]))}"));
        // Text, tables cell by cell (time columns and rows masked).
        CompareText(where, VisibleText(e), VisibleText(a), diffs);
    }

    /// <summary>The text of an HTML output: scripts and styles removed, each table row as "a | b | c" with timing cells masked.</summary>
    string VisibleText(string html)
    {
        html = ScriptOrStyle().Replace(html, "");
        html = HtmlTable().Replace(html, m => "\n" + TableText(m.Value) + "\n");
        return WebUtility.HtmlDecode(Tag().Replace(html, " "));
    }

    string TableText(string table)
    {
        var rows = HtmlRow().Matches(table).Select(r => HtmlCell().Matches(r.Groups[1].Value).Select(c => WebUtility.HtmlDecode(Tag().Replace(c.Groups[1].Value, "")).Trim()).ToList()).ToList();
        if (rows.Count == 0) return "";
        var header = rows[0];
        var timeColumns = header.Select((h, i) => (h, i)).Where(x => IsTimeLabel(x.h)).Select(x => x.i).ToHashSet();
        var sb = new StringBuilder();
        foreach (var (row, r) in rows.Select((row, r) => (row, r)))
        {
            var timeRow = row.Count > 0 && IsTimeLabel(row[0]) && r > 0;
            sb.AppendLine(string.Join(" | ", row.Select((c, i) =>
            {
                if (r > 0 && (timeColumns.Contains(i) || (timeRow && i > 0))) { Skipped++; return "⟨time⟩"; }
                return c;
            })));
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"(\(s\)|\(ms\)|\bms\b|\bseconds?\b|\btime\b|/s\b|per second|wall|\bCPU\b.*\bs\b)", RegexOptions.IgnoreCase)]
    private static partial Regex TimeLabel();
    static bool IsTimeLabel(string label) => TimeLabel().IsMatch(label);

    // A number (with sign, decimals, exponent, thousands separators) — and, right after it, an optional time/speed unit.
    [GeneratedRegex(@"[-−+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?:\s?(?:ms|µs|s|min|h|steps/s|images/s|img/s|it/s|samples/s)\b(?:\s(?:wall|CPU))?)?")]
    private static partial Regex NumberToken();
    [GeneratedRegex(@"\.gannb-staging-[0-9a-f]+|[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?")]
    private static partial Regex VolatileToken();

    void CompareText(string where, string e, string a, List<OutputDifference> diffs)
    {
        e = Mask(e); a = Mask(a);
        var et = Tokens(e); var at = Tokens(a);
        if (et.Count != at.Count || !et.Zip(at).All(p => Same(p.First, p.Second)))
        {
            // Report the first differing line.
            var el = e.Split('\n'); var al = a.Split('\n');
            for (var i = 0; i < Math.Max(el.Length, al.Length); i++)
            {
                var x = i < el.Length ? el[i] : "(no line)"; var y = i < al.Length ? al[i] : "(no line)";
                var xt = Tokens(x); var yt = Tokens(y);
                if (xt.Count == yt.Count && xt.Zip(yt).All(p => Same(p.First, p.Second))) continue;
                diffs.Add(new($"{where}, line {i + 1}", Short(x), Short(y)));
                return;
            }
            diffs.Add(new(where, Short(e), Short(a)));
        }
    }

    string Mask(string s)
    {
        s = VolatileToken().Replace(s, _ => { Skipped++; return "⟨volatile⟩"; });
        return s.Replace("\r\n", "\n");
    }

    static string Short(string s) => s.Length > 300 ? s[..299] + "…" : s;

    /// <summary>The text as alternating text and number tokens (whitespace runs collapsed; numbers with a time unit masked).</summary>
    List<object> Tokens(string s)
    {
        var list = new List<object>();
        var at = 0;
        foreach (Match m in NumberToken().Matches(s))
        {
            // A digit inside a word (a name like "conv2", "c₁", "x3") is text, not a number.
            if (m.Index > 0 && (char.IsLetter(s[m.Index - 1]) || s[m.Index - 1] == '_')) continue;
            list.Add(Norm(s[at..m.Index]));
            var token = m.Value;
            var unit = Regex.Match(token, @"\s?(ms|µs|s|min|h|steps/s|images/s|img/s|it/s|samples/s)\b(\s(wall|CPU))?$");
            if (unit.Success && !token.EndsWith("e", StringComparison.Ordinal)) list.Add("⟨time⟩");
            else if (double.TryParse(token.Replace("−", "-").Replace(",", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) list.Add(v);
            else list.Add(token);
            at = m.Index + m.Length;
        }
        list.Add(Norm(s[at..]));
        return list.Where(t => t is not string str || str.Length > 0).ToList();

        static string Norm(string t) => Regex.Replace(t, @"\s+", " ").Trim();
    }

    bool Same(object x, object y) => (x, y) switch
    {
        (double a, double b) => Close(a, b),
        (string a, string b) => a == b,
        _ => false,
    };

    bool Close(double a, double b) =>
        a.Equals(b) || Math.Abs(a - b) <= AbsoluteTolerance || Math.Abs(a - b) <= RelativeTolerance * Math.Max(Math.Abs(a), Math.Abs(b));

    void CompareJson(string where, JsonNode? e, JsonNode? a, List<OutputDifference> diffs, string path = "")
    {
        if (diffs.Count > 200) return;
        switch (e, a)
        {
            case (JsonObject eo, JsonObject ao):
                foreach (var key in eo.Select(kv => kv.Key).Union(ao.Select(kv => kv.Key)))
                {
                    if (!eo.ContainsKey(key) || !ao.ContainsKey(key)) { diffs.Add(new($"{where} {path}.{key}", eo.ContainsKey(key) ? "present" : "absent", ao.ContainsKey(key) ? "present" : "absent")); continue; }
                    CompareJson(where, eo[key], ao[key], diffs, $"{path}.{key}");
                }
                return;
            case (JsonArray ea, JsonArray aa):
                if (ea.Count != aa.Count) { diffs.Add(new($"{where} {path}", $"{ea.Count} items", $"{aa.Count} items")); return; }
                for (var i = 0; i < ea.Count; i++) CompareJson(where, ea[i], aa[i], diffs, $"{path}[{i}]");
                return;
            case (JsonValue ev, JsonValue av):
                if (ev.TryGetValue<double>(out var x) && av.TryGetValue<double>(out var y))
                {
                    if (!Close(x, y)) diffs.Add(new($"{where} {path}", x.ToString("R", CultureInfo.InvariantCulture), y.ToString("R", CultureInfo.InvariantCulture)));
                    return;
                }
                var es = ev.ToJsonString(); var @as = av.ToJsonString();
                if (es != @as) CompareText($"{where} {path}", es, @as, diffs);
                return;
            case (null, null):
                return;
            default:
                diffs.Add(new($"{where} {path}", e?.ToJsonString() ?? "null", a?.ToJsonString() ?? "null"));
                return;
        }
    }
}

/// <summary><c>gannb verify EXECUTED.ipynb</c>: re-runs a notebook with its manifest's parameters and compares every output.</summary>
public static class Verifier
{
    /// <summary>Re-runs and compares; returns the exit code (0 identical, 1 different or the re-run failed, 2 unusable input).</summary>
    public static async Task<int> RunAsync(string executed, string? outDir, double rtol, double atol, TextWriter stdout, TextWriter stderr)
    {
        var path = Path.GetFullPath(executed);
        if (!File.Exists(path)) { stderr.WriteLine($"gannb verify: {path}: file not found."); return NotebookRunner.ExitUsage; }
        JsonObject recorded;
        try { recorded = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new FormatException("not a JSON object"); }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException) { stderr.WriteLine($"gannb verify: {path}: not a notebook ({e.Message})."); return NotebookRunner.ExitUsage; }
        var manifest = RunManifest.FromNotebook(recorded);
        if (manifest is null)
        {
            stderr.WriteLine($"gannb verify: {path} has no manifest (metadata.gannb.manifest): verify needs a notebook executed by `gannb run`.");
            return NotebookRunner.ExitUsage;
        }
        var (root, sourceDir) = SourceFolder(path, manifest);
        var outputDir = Path.GetFullPath(outDir ?? Path.Combine(Path.GetDirectoryName(path)!, "verify"));
        stdout.WriteLine($"verify: re-running {Path.GetFileName(path)} ({manifest.Profile} profile, {(manifest.Overrides.Count == 0 ? "notebook defaults" : string.Join(" ", manifest.Overrides.Select(o => "-p " + o)))}) in {sourceDir}");
        if (root is not null)
        {
            var head = ManifestBuilder.GitHead(root);
            if (head != "unknown" && head != manifest.GitCommit) stdout.WriteLine($"verify: note: recorded at commit {manifest.GitCommit[..Math.Min(12, manifest.GitCommit.Length)]}, this checkout is at {head[..Math.Min(12, head.Length)]}");
        }
        var result = await ReRunAsync(path, manifest, sourceDir, outputDir, stderr).ConfigureAwait(false);
        if (result.NotebookOutputPath is null || !File.Exists(result.NotebookOutputPath))
        {
            stderr.WriteLine($"gannb verify: the re-run did not produce a notebook ({result.ErrorMessage}).");
            return NotebookRunner.ExitCellFailed;
        }
        return Compare(recorded, manifest, result, rtol, atol, stdout);
    }

    /// <summary>The checkout (found from here, the notebook or gannb) and the folder the kernel starts in: the source notebook's (relative #load paths).</summary>
    static (string? Root, string SourceDir) SourceFolder(string path, RunManifest manifest)
    {
        var root = ManifestBuilder.RepoRoot(Path.Combine(Environment.CurrentDirectory, "x")) ?? ManifestBuilder.RepoRoot(path) ?? ManifestBuilder.RepoRoot(Path.Combine(AppContext.BaseDirectory, "x"));
        var sourceDir = Path.IsPathRooted(manifest.Notebook) && Directory.Exists(Path.GetDirectoryName(manifest.Notebook))
            ? Path.GetDirectoryName(manifest.Notebook)!
            : root is not null && !Path.IsPathRooted(manifest.Notebook) ? Path.GetDirectoryName(Path.Combine(root, manifest.Notebook))! : Path.GetDirectoryName(path)!;
        return (root, sourceDir);
    }

    /// <summary>
    /// Re-runs a copy of the executed notebook itself — its cells are exactly what ran (with the injected-parameters cell,
    /// which the same -p values replace by an identical one) — with the recorded profile, -p values and variables that
    /// change results (thread counts, device), which are restored afterwards.
    /// </summary>
    static async Task<RunResult> ReRunAsync(string path, RunManifest manifest, string sourceDir, string outputDir, TextWriter stderr)
    {
        var saved = new Dictionary<string, string?>();
        foreach (var (k, v) in manifest.Variables.Where(kv => kv.Key != "GANKIT_PROFILE"))
        {
            saved[k] = Environment.GetEnvironmentVariable(k);
            Environment.SetEnvironmentVariable(k, v);
        }
        try
        {
            var copy = Path.Combine(Path.GetTempPath(), $"gannb-verify-{Guid.NewGuid():N}", Path.GetFileName(path));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(path, copy);
            var result = await NotebookRunner.RunAsync(new RunOptions
            {
                NotebookPath = copy,
                Parameters = manifest.Overrides,
                OutputDirectory = outputDir,
                Profile = Profiles.Parse(manifest.Profile),
                WorkingDirectory = sourceDir,
                Out = TextWriter.Null,
                Error = stderr,
            }).ConfigureAwait(false);
            Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
            return result;
        }
        finally
        {
            foreach (var (k, v) in saved) Environment.SetEnvironmentVariable(k, v);
        }
    }

    /// <summary>Compares the recorded outputs with the re-run's, prints every difference; exit 0 identical, 1 different.</summary>
    static int Compare(JsonObject recorded, RunManifest manifest, RunResult result, double rtol, double atol, TextWriter stdout)
    {
        var rerun = (JsonObject)JsonNode.Parse(File.ReadAllText(result.NotebookOutputPath!))!;
        var comparer = new OutputComparer { RelativeTolerance = rtol, AbsoluteTolerance = atol };
        var diffs = comparer.Compare(recorded, rerun);
        if (!result.Succeeded) diffs.Insert(0, new("re-run", "all cells ran", result.ErrorMessage ?? "failed"));
        var threads = RunManifest.FromNotebook(rerun)?.Threads;
        if (threads != manifest.Threads) stdout.WriteLine($"verify: note: the recorded run used {manifest.Threads?.ToString(CultureInfo.InvariantCulture) ?? "?"} torch threads, the re-run {threads?.ToString(CultureInfo.InvariantCulture) ?? "?"}: results may differ for that reason alone.");
        foreach (var d in diffs)
        {
            stdout.WriteLine($"DIFFERENT  {d.Where}");
            stdout.WriteLine($"  recorded: {d.Expected}");
            stdout.WriteLine($"  re-run:   {d.Actual}");
        }
        stdout.WriteLine($"verify: {(diffs.Count == 0 ? "IDENTICAL" : $"{diffs.Count} difference(s)")} — {comparer.Compared} outputs compared (numbers within {NumberFormat.Significant(rtol)} relative, {NumberFormat.Significant(atol)} absolute; {comparer.Skipped} timing/path values not compared); re-run: {result.NotebookOutputPath}");
        return diffs.Count == 0 ? NotebookRunner.ExitOk : NotebookRunner.ExitCellFailed;
    }
}
