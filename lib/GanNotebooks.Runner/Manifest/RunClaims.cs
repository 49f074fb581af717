using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Output;
using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Manifest;

/// <summary>
/// A claim as the kit's <c>GanNotebooks.Runtime.Claim</c> writes it (the runner does not reference the library: the
/// contract is the JSON inside the HTML of a displayed claim or claims table, in a
/// <c>&lt;script type="application/json" class="gankit-claims"&gt;</c> element).
/// </summary>
public sealed record ClaimRecord(string Id, string Statement, double Value, string Condition, bool ConditionMet,
    string Verdict, string Profile, string? Unit = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PaperRecord? Paper = null)
{
    /// <summary>A claim (has a condition), not a metric.</summary>
    [JsonIgnore] public bool IsClaim => Verdict != "measured";
    /// <summary>"✓", "✗", "—, smoke", or "" for a metric.</summary>
    [JsonIgnore] public string Mark => Verdict switch { "holds" => "✓", "fails" => "✗", "notJudged" => "—, " + Profile, _ => "" };
    /// <summary>The value as the kit prints it (4 significant digits).</summary>
    [JsonIgnore] public string ValueText => NumberFormat.Significant(Value) + (string.IsNullOrEmpty(Unit) ? "" : " " + Unit);
}

/// <summary>
/// The paper's number a claim stands beside (the kit's <c>PaperNumber</c>, made by <c>Claims.VersusPaper</c>): mean ± s.e.
/// as the paper prints it, where, the kit's own s.e. over seeds, and whether the run used the paper's own setting (only
/// then is the comparison judged).
/// </summary>
public sealed record PaperRecord(double Mean, double? StdErr, string Source, double? KitStdErr, bool PapersSetting)
{
    /// <summary>"23.8 ± 0.7".</summary>
    public override string ToString() => NumberFormat.Significant(Mean) + (StdErr is { } s ? " ± " + NumberFormat.Significant(s) : "");
}

/// <summary>Reads the claims of an executed notebook (or of a run's outputs) back.</summary>
public static partial class RunClaims
{
    /// <summary>The class of the script element that carries claims (the kit's <c>Claims.JsonClass</c>).</summary>
    public const string JsonClass = "gankit-claims";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    [GeneratedRegex("<script type=\"application/json\" class=\"" + JsonClass + "\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ClaimScript();

    /// <summary>Claims in an HTML string, in order.</summary>
    public static IEnumerable<ClaimRecord> FromHtml(string html)
    {
        foreach (Match m in ClaimScript().Matches(html))
        {
            ClaimRecord[]? list = null;
            try { list = JsonSerializer.Deserialize<ClaimRecord[]>(m.Groups[1].Value.Replace("<\\/", "</", StringComparison.Ordinal), Json); }
            catch (JsonException) { }
            foreach (var c in list ?? []) yield return c;
        }
    }

    /// <summary>
    /// The run's claims: every claim shown (inline or in a table), one per id, the last value of an id winning, in the
    /// order of first appearance.
    /// </summary>
    public static IReadOnlyList<ClaimRecord> Collect(IEnumerable<string> htmlOutputs)
    {
        var order = new List<string>();
        var byId = new Dictionary<string, ClaimRecord>(StringComparer.Ordinal);
        foreach (var c in htmlOutputs.SelectMany(FromHtml))
        {
            if (!byId.ContainsKey(c.Id)) order.Add(c.Id);
            byId[c.Id] = c;
        }
        return order.Select(id => byId[id]).ToList();
    }

    /// <summary>The claims of a run's cells.</summary>
    public static IReadOnlyList<ClaimRecord> FromRuns(IEnumerable<CellRun> cells) =>
        Collect(cells.SelectMany(c => c.Outputs).OfType<DataOutput>().Select(d => Html(d.Data)).Where(h => h is not null)!);

    /// <summary>The claims of an executed notebook file (its outputs' text/html).</summary>
    public static IReadOnlyList<ClaimRecord> FromNotebook(JsonObject notebook) =>
        Collect((notebook["cells"] as JsonArray ?? []).OfType<JsonObject>()
            .SelectMany(c => (c["outputs"] as JsonArray ?? []).OfType<JsonObject>())
            .Select(o => o["data"] is JsonObject d ? Html(d) : null).Where(h => h is not null)!);

    static string? Html(JsonObject data) => data["text/html"] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray a => string.Concat(a.Select(x => x?.GetValue<string>() ?? "")),
        _ => null,
    };

    /// <summary>"5 claims: 5 ✓, 0 ✗", "5 claims, not judged (smoke profile)" or "no claims" (as the kit says it).</summary>
    public static string Summarize(IEnumerable<ClaimRecord> claims)
    {
        var list = claims.Where(c => c.IsClaim).ToList();
        if (list.Count == 0) return "no claims";
        var n = list.Count == 1 ? "1 claim" : $"{list.Count} claims";
        var notJudged = list.Count(c => c.Verdict == "notJudged");
        if (notJudged == list.Count) return $"{n}, not judged ({list[0].Profile} profile)";
        var s = $"{n}: {list.Count(c => c.Verdict == "holds")} ✓, {list.Count(c => c.Verdict == "fails")} ✗";
        return notJudged > 0 ? s + $", {notJudged} not judged" : s;
    }

    /// <summary>The claims table as HTML (report header, sweeps).</summary>
    public static string TableHtml(IReadOnlyList<ClaimRecord> claims)
    {
        var sb = new System.Text.StringBuilder("<table class=\"claims\"><thead><tr><th></th><th>claim</th><th>value</th><th>condition</th></tr></thead><tbody>");
        foreach (var c in claims)
            sb.Append("<tr class=\"").Append(c.Verdict).Append("\"><td>").Append(WebUtility.HtmlEncode(c.Mark)).Append("</td><td>")
              .Append(WebUtility.HtmlEncode(c.Statement)).Append("</td><td class=\"num\">").Append(WebUtility.HtmlEncode(c.ValueText))
              .Append("</td><td>").Append(WebUtility.HtmlEncode(c.Condition)).Append("</td></tr>");
        return sb.Append("</tbody></table>").ToString();
    }
}
