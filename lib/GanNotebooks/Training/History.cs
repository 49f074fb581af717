using System.Globalization;
using System.Text;
using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Training;

/// <summary>One named metric over training: parallel lists of generator-step counts and values.</summary>
public sealed class MetricSeries
{
    internal MetricSeries(string name) { Name = name; }

    /// <summary>Metric key, e.g. "Loss/D".</summary>
    public string Name { get; }

    /// <summary>Generator steps completed when each value was recorded (1-based).</summary>
    public List<int> Steps { get; } = new();

    /// <summary>The recorded values.</summary>
    public List<double> Values { get; } = new();

    /// <summary>Number of points.</summary>
    public int Count => Values.Count;

    /// <summary>The latest value (NaN when empty).</summary>
    public double Last => Values.Count == 0 ? double.NaN : Values[^1];

    /// <summary>Mean of the last <paramref name="n"/> values (all when fewer; NaN when empty).</summary>
    public double MeanOfLast(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be ≥ 1.");
        if (Values.Count == 0) return double.NaN;
        int k = Math.Min(n, Values.Count);
        double s = 0;
        for (int i = Values.Count - k; i < Values.Count; i++) s += Values[i];
        return s / k;
    }
}

/// <summary>
/// Named metric series recorded by <see cref="GanTrainer"/>: "Loss/D", "Loss/G", "D(x)", "D(G(z))",
/// "Grad/D", "Grad/G" and whatever the objective logs. Keys keep their first-seen order.
/// </summary>
public sealed class History
{
    readonly Dictionary<string, MetricSeries> _series = new();
    readonly List<string> _order = new();

    /// <summary>Metric keys in first-recorded order.</summary>
    public IReadOnlyList<string> Keys => _order;

    /// <summary>Number of series.</summary>
    public int Count => _order.Count;

    /// <summary>True when a series with this key exists.</summary>
    public bool Contains(string key) => _series.ContainsKey(key);

    /// <summary>The series for <paramref name="key"/>; throws naming the available keys when absent.</summary>
    public MetricSeries this[string key] =>
        _series.TryGetValue(key, out var s) ? s
        : throw new KeyNotFoundException($"No metric '{key}' in the history. Recorded: {(Count == 0 ? "(none yet)" : string.Join(", ", _order))}.");

    /// <summary>Tries to get a series.</summary>
    public bool TryGet(string key, out MetricSeries series)
    {
        var ok = _series.TryGetValue(key, out var s);
        series = s!;
        return ok;
    }

    /// <summary>The latest value of a metric (NaN when it was never recorded).</summary>
    public double Last(string key) => _series.TryGetValue(key, out var s) ? s.Last : double.NaN;

    /// <summary>Appends one value.</summary>
    public void Add(int step, string key, double value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_series.TryGetValue(key, out var s))
        {
            s = new MetricSeries(key);
            _series[key] = s;
            _order.Add(key);
        }
        s.Steps.Add(step);
        s.Values.Add(value);
    }

    /// <summary>Appends all values of one step.</summary>
    public void Add(int step, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var (k, v) in metrics) Add(step, k, v);
    }

    /// <summary>Removes everything.</summary>
    public void Clear() { _series.Clear(); _order.Clear(); }

    /// <summary>Long-format CSV: <c>step,metric,value</c> (a metric name with a comma, quote or line break is quoted).</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder(Csv.Line(["step", "metric", "value"]));
        foreach (var k in _order)
        {
            var s = _series[k];
            for (int i = 0; i < s.Count; i++)
                sb.Append(Csv.Line([s.Steps[i].ToString(CultureInfo.InvariantCulture), k, s.Values[i].ToString("R", CultureInfo.InvariantCulture)]));
        }
        return sb.ToString();
    }

    internal void Write(BinaryWriter w)
    {
        w.Write(_order.Count);
        foreach (var k in _order)
        {
            var s = _series[k];
            w.Write(k);
            w.Write(s.Count);
            for (int i = 0; i < s.Count; i++) { w.Write(s.Steps[i]); w.Write(s.Values[i]); }
        }
    }

    internal void Read(BinaryReader r)
    {
        Clear();
        int n = r.ReadInt32();
        for (int j = 0; j < n; j++)
        {
            var k = r.ReadString();
            int c = r.ReadInt32();
            var s = new MetricSeries(k);
            for (int i = 0; i < c; i++) { s.Steps.Add(r.ReadInt32()); s.Values.Add(r.ReadDouble()); }
            _series[k] = s;
            _order.Add(k);
        }
    }
}
