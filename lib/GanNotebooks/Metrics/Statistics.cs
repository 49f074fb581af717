using System.Globalization;

namespace GanNotebooks.Metrics;

/// <summary>A mean over trials with its standard error s/√n (s: sample std with n − 1); StdErr is NaN for one trial.</summary>
public readonly record struct MeanStdErr(double Mean, double StdErr, int Count)
{
    /// <summary>"mean ± s.e." with the given numeric format (default 3 significant digits).</summary>
    public string ToString(string format) => double.IsNaN(StdErr)
        ? $"{Mean.ToString(format, CultureInfo.InvariantCulture)} (1 trial)"
        : $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {StdErr.ToString(format, CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    public override string ToString() => ToString("G3");
}

/// <summary>Small statistics helpers for averaging metrics over trials.</summary>
public static class Statistics
{
    /// <summary>Mean and standard error of the values (at least one value).</summary>
    public static MeanStdErr MeanAndStdErr(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.ToArray();
        if (v.Length == 0) throw new ArgumentException("Need at least one value to average.", nameof(values));
        double mean = v.Average();
        if (v.Length == 1) return new MeanStdErr(mean, double.NaN, 1);
        if (double.IsInfinity(mean)) return new MeanStdErr(mean, double.NaN, v.Length);
        double ss = v.Sum(x => (x - mean) * (x - mean));
        return new MeanStdErr(mean, Math.Sqrt(ss / (v.Length - 1)) / Math.Sqrt(v.Length), v.Length);
    }
}
