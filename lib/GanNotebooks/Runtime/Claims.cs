using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GanNotebooks.Runtime;

/// <summary>How a claim came out.</summary>
public enum ClaimVerdict
{
    /// <summary>Full or paper profile, the condition holds (✓).</summary>
    Holds,
    /// <summary>Full or paper profile, the condition does not hold (✗).</summary>
    Fails,
    /// <summary>Smoke profile: computed and shown, not judged (smoke-profile numbers mean nothing).</summary>
    NotJudged,
    /// <summary>A named metric: a measured value with no condition (<see cref="Claims.Metric"/>).</summary>
    Measured,
}

/// <summary>
/// One sentence a notebook's text relies on: what is asserted (<see cref="Statement"/>), the measured
/// <see cref="Value"/>, and the <see cref="Condition"/> it is judged by, e.g. "the trained D is within 0.05 of D*":
/// 0.021, "≤ 0.05", ✓. Made by <see cref="Claims"/>; shown by the kit's formatters (Viz) and read back by the runner
/// (its JSON, <see cref="ToJson"/>, travels inside the displayed HTML, see <see cref="Claims.JsonClass"/>).
/// </summary>
/// <param name="Id">Stable key (default: the statement) under which sweeps and the README results table collect it.</param>
/// <param name="Statement">What is asserted, in words.</param>
/// <param name="Value">The measured value.</param>
/// <param name="Condition">The condition in words/symbols ("≤ 0.05", "&lt; 342.1 (DCGAN)"); "" for a metric.</param>
/// <param name="ConditionMet">Whether the condition holds for <see cref="Value"/> (computed in every profile).</param>
/// <param name="Verdict">The judgement: ✓/✗ in the full profile, not judged in smoke, measured for a metric.</param>
/// <param name="Profile">The budget profile the value was measured in ("full" / "smoke" / "paper").</param>
/// <param name="Unit">Optional unit shown after the value.</param>
/// <param name="Paper">The paper's number this value stands beside (<see cref="Claims.VersusPaper"/>); null for other claims.</param>
public sealed record Claim(string Id, string Statement, double Value, string Condition, bool ConditionMet,
    ClaimVerdict Verdict, string Profile, string? Unit = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PaperNumber? Paper = null)
{
    /// <summary>"✓", "✗", "—, smoke" or "measured".</summary>
    public string Mark => Verdict switch
    {
        ClaimVerdict.Holds => "✓",
        ClaimVerdict.Fails => "✗",
        ClaimVerdict.NotJudged => "—, " + Profile,
        _ => "measured",
    };

    /// <summary>True for a claim (has a condition), false for a metric.</summary>
    [JsonIgnore] public bool IsClaim => Verdict != ClaimVerdict.Measured;

    /// <summary>The value with 4 significant digits (invariant culture) and its unit.</summary>
    [JsonIgnore] public string ValueText => Claims.Format(Value) + (string.IsNullOrEmpty(Unit) ? "" : " " + Unit);

    /// <summary>"the trained D is within 0.05 of D*: 0.021 (≤ 0.05) ✓".</summary>
    public override string ToString() => IsClaim
        ? $"{Statement}: {ValueText} ({Condition}) {Mark}"
        : $"{Statement}: {ValueText}" + (Paper is { } p ? $" (paper: {p})" : "");

    /// <summary>The claim as one JSON object (camelCase; the verdict as "holds"/"fails"/"notJudged"/"measured").</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Claims.JsonOptions);

    /// <summary>Reads a claim back from <see cref="ToJson"/>.</summary>
    public static Claim FromJson(string json) =>
        JsonSerializer.Deserialize<Claim>(json, Claims.JsonOptions) ?? throw new FormatException("The JSON holds no claim.");
}

/// <summary>
/// A number a paper reports, as the paper prints it: mean ± standard error (<paramref name="StdErr"/> null when the paper
/// gives none), where it is printed (<paramref name="Source"/>, e.g. "Lin et al. 2018, Table 1"), the kit's value's own
/// standard error (<paramref name="KitStdErr"/>, over the seeds; null for one run) and whether the run used the paper's
/// own setting (<paramref name="PapersSetting"/>: only then is the comparison judged ✓/✗).
/// </summary>
public sealed record PaperNumber(double Mean, double? StdErr, string Source, double? KitStdErr, bool PapersSetting)
{
    /// <summary>"23.8 ± 0.7" (4 significant digits, as claims print numbers).</summary>
    public override string ToString() => Claims.Format(Mean) + (StdErr is { } s ? " ± " + Claims.Format(s) : "");
}

/// <summary>The claims made so far in this process, in order (a notebook's table at its end).</summary>
public sealed record ClaimsTable(IReadOnlyList<Claim> Claims)
{
    /// <summary>Number of claims (metrics not counted).</summary>
    public int Count => Claims.Count(c => c.IsClaim);
    /// <summary>Claims that hold (full profile).</summary>
    public int Holding => Claims.Count(c => c.Verdict == ClaimVerdict.Holds);
    /// <summary>Claims that fail (full profile).</summary>
    public int Failing => Claims.Count(c => c.Verdict == ClaimVerdict.Fails);
    /// <summary>Claims not judged (smoke profile).</summary>
    public int NotJudged => Claims.Count(c => c.Verdict == ClaimVerdict.NotJudged);

    /// <summary>"3 claims: 3 ✓, 0 ✗" or "3 claims, not judged (smoke profile)".</summary>
    public string Summary => GanNotebooks.Runtime.Claims.Summarize(Claims);

    /// <summary>Aligned text: mark | claim | value | condition, then the summary.</summary>
    public override string ToString()
    {
        var rows = Claims.Select(c => new[] { c.Mark, c.Statement, c.ValueText, c.Condition }).ToList();
        string[] head = ["", "claim", "value", "condition"];
        var w = head.Select((h, j) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[j].Length))).ToArray();
        var sb = new System.Text.StringBuilder();
        sb.AppendLine(string.Join(" | ", head.Select((h, j) => h.PadRight(w[j]))).TrimEnd());
        sb.AppendLine(string.Join("-+-", w.Select(x => new string('-', x))));
        foreach (var r in rows) sb.AppendLine(string.Join(" | ", r.Select((v, j) => v.PadRight(w[j]))).TrimEnd());
        sb.Append(Summary);
        return sb.ToString();
    }

    /// <summary>The claims as a JSON array.</summary>
    public string ToJson() => GanNotebooks.Runtime.Claims.ToJson(Claims);
}

/// <summary>
/// The sentences a notebook's text relies on, measured by the run: each call records a <see cref="Claim"/>, shows it
/// inline (through <see cref="Show"/>, which the notebooks' first cell points at the kernel's <c>display</c>) and returns
/// it. In the full profile a claim is judged ✓/✗; in the smoke profile it is computed and shown but not judged. A
/// notebook ends with <c>Claims.Table()</c>. Making a claim again with the same id (re-running a cell) replaces it.
/// <code>
/// Claims.AtMost("the trained D is within 0.05 of D*", maxGap, 0.05);
/// Claims.Below("SN-GAN's Fréchet distance is below DCGAN's", fidSn, fidDcgan, "DCGAN");
/// Claims.Metric("Fréchet distance, DCGAN", fidDcgan);
/// Claims.Table()   // last cell: ✓/✗, value, condition
/// </code>
/// </summary>
public static class Claims
{
    static readonly object Gate = new();
    static readonly List<Claim> Made = new();

    /// <summary>
    /// The class of the &lt;script type="application/json"&gt; element the kit's HTML for a claim or a claims table
    /// carries (a JSON array of claims): the runner reads claims back from an executed notebook through it.
    /// </summary>
    public const string JsonClass = "gankit-claims";

    /// <summary>Called with each new claim or metric (the notebooks set it to the kernel's display; null: not shown).</summary>
    public static Action<object>? Show { get; set; }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A general claim: <paramref name="holds"/> is whether <paramref name="condition"/> holds for <paramref name="value"/>.</summary>
    public static Claim That(string statement, double value, bool holds, string condition, string? id = null, string? unit = null)
    {
        if (string.IsNullOrWhiteSpace(statement)) throw new ArgumentException("A claim needs a statement: say in words what is asserted, e.g. \"the trained D is within 0.05 of D*\".", nameof(statement));
        if (string.IsNullOrWhiteSpace(condition)) throw new ArgumentException($"The claim \"{statement}\" needs a condition (e.g. \"≤ 0.05\"); for a value without one use Claims.Metric.", nameof(condition));
        holds &= !double.IsNaN(value);
        var profile = Budget.Name(Budget.Profile);
        var verdict = Budget.IsSmoke ? ClaimVerdict.NotJudged : holds ? ClaimVerdict.Holds : ClaimVerdict.Fails;
        return Add(new Claim(id ?? statement, statement, value, condition, holds, verdict, profile, unit));
    }

    /// <summary>The value is at most <paramref name="bound"/> ("≤ bound").</summary>
    public static Claim AtMost(string statement, double value, double bound, string? id = null, string? unit = null) =>
        That(statement, value, value <= bound, "≤ " + Format(bound), id, unit);

    /// <summary>The value is at least <paramref name="bound"/> ("≥ bound").</summary>
    public static Claim AtLeast(string statement, double value, double bound, string? id = null, string? unit = null) =>
        That(statement, value, value >= bound, "≥ " + Format(bound), id, unit);

    /// <summary>The value lies in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static Claim Between(string statement, double value, double low, double high, string? id = null, string? unit = null)
    {
        if (!(low <= high)) throw new ArgumentException($"Claims.Between(\"{statement}\"): low ({Format(low)}) must not exceed high ({Format(high)}).", nameof(low));
        return That(statement, value, value >= low && value <= high, $"in [{Format(low)}, {Format(high)}]", id, unit);
    }

    /// <summary>The value is within <paramref name="tolerance"/> of <paramref name="target"/> (|value − target| ≤ tolerance).</summary>
    public static Claim Near(string statement, double value, double target, double tolerance, string? id = null, string? unit = null)
    {
        if (!(tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, $"Claims.Near(\"{statement}\"): the tolerance must be ≥ 0.");
        return That(statement, value, Math.Abs(value - target) <= tolerance, $"within {Format(tolerance)} of {Format(target)}", id, unit);
    }

    /// <summary>The value is below another measured value (<paramref name="otherName"/>, e.g. "DCGAN").</summary>
    public static Claim Below(string statement, double value, double other, string otherName, string? id = null, string? unit = null) =>
        That(statement, value, value < other, $"< {Format(other)} ({otherName})", id, unit);

    /// <summary>The value is above another measured value (<paramref name="otherName"/>).</summary>
    public static Claim Above(string statement, double value, double other, string otherName, string? id = null, string? unit = null) =>
        That(statement, value, value > other, $"> {Format(other)} ({otherName})", id, unit);

    /// <summary>
    /// A mean over seeds is above another by more than two standard errors of the difference: mean − other &gt;
    /// 2·√(s.e.² + s.e.ₒₜₕₑᵣ²) (independent seeds). The value recorded is <paramref name="mean"/>; the condition names
    /// the other mean and the margin. Use it to compare methods; <see cref="Above"/> compares means alone.
    /// </summary>
    public static Claim ClearlyAbove(string statement, double mean, double stdErr, double otherMean, double otherStdErr, string otherName, string? id = null, string? unit = null)
    {
        double margin = TwoStdErrOfDifference(statement, stdErr, otherStdErr);
        return That(statement, mean, mean - otherMean > margin, $"> {Format(otherMean)} ({otherName}) by more than 2 s.e. of the difference ({MarginText(margin)})", id, unit);
    }

    /// <summary>A mean over seeds is below another by more than two standard errors of the difference (see <see cref="ClearlyAbove"/>).</summary>
    public static Claim ClearlyBelow(string statement, double mean, double stdErr, double otherMean, double otherStdErr, string otherName, string? id = null, string? unit = null)
    {
        double margin = TwoStdErrOfDifference(statement, stdErr, otherStdErr);
        return That(statement, mean, otherMean - mean > margin, $"< {Format(otherMean)} ({otherName}) by more than 2 s.e. of the difference ({MarginText(margin)})", id, unit);
    }

    /// <summary>2·√(a² + b²); NaN when a standard error is NaN (a mean over one seed has none: the claim then fails, saying why).</summary>
    static double TwoStdErrOfDifference(string statement, double a, double b)
    {
        if (a < 0 || b < 0 || double.IsInfinity(a) || double.IsInfinity(b))
            throw new ArgumentException($"Claims.ClearlyAbove/ClearlyBelow(\"{statement}\"): a standard error must be finite and ≥ 0 (got {Format(a)} and {Format(b)}).");
        return 2 * Math.Sqrt(a * a + b * b);
    }

    static string MarginText(double margin) =>
        double.IsNaN(margin) ? "no standard error: a mean over one seed cannot be judged; run ≥ 2 seeds" : Format(margin);

    /// <summary>A named metric: a value the text or a sweep reports, with no condition (not counted as a claim).</summary>
    public static Claim Metric(string name, double value, string? unit = null, string? id = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A metric needs a name, e.g. \"Fréchet distance, DCGAN\".", nameof(name));
        return Add(new Claim(id ?? name, name, value, "", true, ClaimVerdict.Measured, Budget.Name(Budget.Profile), unit));
    }

    /// <summary>
    /// The kit's value beside a paper's number (mean ± s.e.): the claim "the value agrees with the paper's" holds when
    /// |value − paper| ≤ 2·√(s.e.² + s.e.ₚₐₚₑᵣ²) (the two standard errors combined; a missing one counts as 0). It is
    /// judged ✓/✗ only where the run used the paper's own setting (<paramref name="papersSetting"/>, outside the smoke
    /// profile); otherwise it is recorded as a metric carrying the paper's number (no ✓/✗), so that no ✗ stands for a
    /// setting the paper never ran.
    /// </summary>
    /// <param name="statement">What is compared, e.g. "grid: modes captured, PacGAN2".</param>
    /// <param name="value">The kit's value (mean over seeds).</param>
    /// <param name="valueStdErr">Its standard error over seeds (null for one run).</param>
    /// <param name="paperMean">The paper's mean.</param>
    /// <param name="paperStdErr">The paper's standard error (null when it gives none).</param>
    /// <param name="source">Where the paper prints it ("Lin et al. 2018, Table 1").</param>
    /// <param name="papersSetting">True when this run used the paper's architecture, optimizer, batch, data and length (a shorter run is not the paper's setting).</param>
    /// <param name="id">Stable key (default: the statement).</param>
    /// <param name="unit">Optional unit.</param>
    public static Claim VersusPaper(string statement, double value, double? valueStdErr, double paperMean, double? paperStdErr, string source,
        bool papersSetting, string? id = null, string? unit = null)
    {
        if (string.IsNullOrWhiteSpace(statement)) throw new ArgumentException("A comparison with a paper needs a statement, e.g. \"grid: modes captured, PacGAN2\".", nameof(statement));
        if (string.IsNullOrWhiteSpace(source)) throw new ArgumentException($"Claims.VersusPaper(\"{statement}\"): say where the paper prints its number (e.g. \"Lin et al. 2018, Table 1\").", nameof(source));
        if (!double.IsFinite(paperMean)) throw new ArgumentOutOfRangeException(nameof(paperMean), paperMean, $"Claims.VersusPaper(\"{statement}\"): the paper's number must be finite.");
        if (paperStdErr is { } ps && !(ps >= 0)) throw new ArgumentOutOfRangeException(nameof(paperStdErr), ps, $"Claims.VersusPaper(\"{statement}\"): a standard error must be ≥ 0.");
        if (valueStdErr is { } vs && !(vs >= 0 || double.IsNaN(vs))) throw new ArgumentOutOfRangeException(nameof(valueStdErr), vs, $"Claims.VersusPaper(\"{statement}\"): a standard error must be ≥ 0.");
        var paper = new PaperNumber(paperMean, paperStdErr, source, valueStdErr, papersSetting);
        var profile = Budget.Name(Budget.Profile);
        if (!papersSetting)
            return Add(new Claim(id ?? statement, statement, value, "", true, ClaimVerdict.Measured, profile, unit, paper));
        double tolerance = PaperTolerance(valueStdErr, paperStdErr);
        bool holds = Math.Abs(value - paperMean) <= tolerance && !double.IsNaN(value);
        var condition = $"within 2 s.e. ({Format(tolerance)}) of the paper's {paper}";
        var verdict = Budget.IsSmoke ? ClaimVerdict.NotJudged : holds ? ClaimVerdict.Holds : ClaimVerdict.Fails;
        return Add(new Claim(id ?? statement, statement, value, condition, holds, verdict, profile, unit, paper));
    }

    /// <summary>2·√(a² + b²) for two standard errors (a missing or NaN one counts as 0): the tolerance of <see cref="VersusPaper"/>.</summary>
    public static double PaperTolerance(double? valueStdErr, double? paperStdErr)
    {
        static double Sq(double? s) => s is { } v && !double.IsNaN(v) ? v * v : 0;
        return 2 * Math.Sqrt(Sq(valueStdErr) + Sq(paperStdErr));
    }

    /// <summary>Every claim and metric made so far in this process, in order.</summary>
    public static IReadOnlyList<Claim> All
    {
        get { lock (Gate) return Made.ToArray(); }
    }

    /// <summary>The claims table (✓/✗, value, condition) a notebook shows at its end.</summary>
    public static ClaimsTable Table() => new(All);

    /// <summary>Forgets every claim (tests; a program that runs several write-ups).</summary>
    public static void Clear()
    {
        lock (Gate) Made.Clear();
    }

    static Claim Add(Claim claim)
    {
        lock (Gate)
        {
            var i = Made.FindIndex(c => c.Id == claim.Id);
            if (i >= 0) Made[i] = claim; else Made.Add(claim);
        }
        Show?.Invoke(claim);
        return claim;
    }

    /// <summary>A number as claims show it: 4 significant digits, invariant culture, ∞ for infinities.</summary>
    public static string Format(double v) => Shared.NumberFormat.Significant(v);

    /// <summary>A JSON array of claims.</summary>
    public static string ToJson(IEnumerable<Claim> claims) => JsonSerializer.Serialize(claims.ToArray(), JsonOptions);

    /// <summary>Claims from a JSON array (<see cref="ToJson(IEnumerable{Claim})"/>).</summary>
    public static IReadOnlyList<Claim> FromJson(string json) =>
        JsonSerializer.Deserialize<Claim[]>(json, JsonOptions) ?? [];

    /// <summary>"3 claims: 3 ✓, 0 ✗", "3 claims, not judged (smoke profile)", "no claims".</summary>
    public static string Summarize(IEnumerable<Claim> claims)
    {
        var list = claims.Where(c => c.IsClaim).ToList();
        if (list.Count == 0) return "no claims";
        var n = list.Count == 1 ? "1 claim" : $"{list.Count} claims";
        var notJudged = list.Count(c => c.Verdict == ClaimVerdict.NotJudged);
        if (notJudged == list.Count) return $"{n}, not judged ({list[0].Profile} profile)";
        var s = $"{n}: {list.Count(c => c.Verdict == ClaimVerdict.Holds)} ✓, {list.Count(c => c.Verdict == ClaimVerdict.Fails)} ✗";
        return notJudged > 0 ? s + $", {notJudged} not judged" : s;
    }
}
