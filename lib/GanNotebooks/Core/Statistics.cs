using System.Globalization;

namespace GanNotebooks.Core;

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
        var (mean, stdErr, count) = Runtime.Shared.Averages.MeanAndStdErr(values);
        return new MeanStdErr(mean, stdErr, count);
    }

    /// <summary>
    /// The values between the 1st and the 99th percentile, ends included, in ascending order: with s the sorted
    /// values and n their count, those v with s[⌊0.01·(n − 1)⌋] ≤ v ≤ s[⌈0.99·(n − 1)⌉]. StyleGAN's perceptual path
    /// length is summarized by their mean (Karras et al. 2019, §4.1: "we discard the 1 % tails").
    /// </summary>
    public static double[] TrimmedOnePercent(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("no values to average.", nameof(values));
        var s = values.OrderBy(v => v).ToArray();
        double lo = s[(int)Math.Floor(0.01 * (s.Length - 1))], hi = s[(int)Math.Ceiling(0.99 * (s.Length - 1))];
        return s.Where(v => v >= lo && v <= hi).ToArray();
    }

    /// <summary>Mean of the values between the 1st and 99th percentiles (<see cref="TrimmedOnePercent"/>; the paper's PPL summary).</summary>
    public static double TrimmedMean(IReadOnlyList<double> values) => TrimmedOnePercent(values).Average();

    /// <summary>
    /// Mean ± standard error (<see cref="MeanAndStdErr"/>) of the values between the 1st and 99th percentiles
    /// (<see cref="TrimmedOnePercent"/>); its mean is <see cref="TrimmedMean"/>, its count the values kept.
    /// </summary>
    public static MeanStdErr TrimmedMeanAndStdErr(IReadOnlyList<double> values) => MeanAndStdErr(TrimmedOnePercent(values));

    /// <summary>
    /// Pearson correlation of two equal-length series (e.g. the critic's estimate and the reference W1,
    /// or the estimate and a sample-quality score over training). NaN when either series is constant.
    /// </summary>
    public static double PearsonCorrelation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"the series have different lengths ({x.Count} and {y.Count}).");
        if (x.Count < 2) throw new ArgumentException("a correlation needs at least two points.");
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }
}

/// <summary>
/// Counts of values in equal-width bins over [Edges[0], Edges[^1]]. Values below or above the range
/// are counted in <see cref="Below"/> / <see cref="Above"/>, not in the bins; NaNs are dropped.
/// </summary>
/// <param name="Edges">Bin edges, length bins + 1, increasing.</param>
/// <param name="Counts">Values per bin, length bins (the last bin includes its right edge).</param>
/// <param name="Below">Values &lt; Edges[0].</param>
/// <param name="Above">Values &gt; Edges[^1].</param>
public sealed record Histogram(IReadOnlyList<double> Edges, IReadOnlyList<long> Counts, long Below, long Above)
{
    /// <summary>All finite values seen (in bins or outside the range).</summary>
    public long Total => Counts.Sum() + Below + Above;

    /// <summary>Bin centres, length bins.</summary>
    public double[] Centres => Enumerable.Range(0, Counts.Count).Select(i => 0.5 * (Edges[i] + Edges[i + 1])).ToArray();

    /// <summary>Fraction of all values in each bin (sums to 1 when nothing lies outside the range).</summary>
    public double[] Fractions => Counts.Select(c => Total == 0 ? 0.0 : (double)c / Total).ToArray();

    /// <summary>Probability density per bin: count / (Total · bin width); integrates to the in-range fraction.</summary>
    public double[] Density => Enumerable.Range(0, Counts.Count)
        .Select(i => Total == 0 ? 0.0 : Counts[i] / (Total * (Edges[i + 1] - Edges[i]))).ToArray();

    /// <summary>
    /// Bins <paramref name="values"/> into <paramref name="bins"/> equal bins over [min, max] (default: the
    /// range of the finite values; a constant sample gets a unit-wide range around its value).
    /// </summary>
    /// <param name="values">The values (NaN and ±∞ are dropped).</param>
    /// <param name="bins">Number of bins (≥ 1).</param>
    /// <param name="min">Left edge (default: smallest value).</param>
    /// <param name="max">Right edge (default: largest value); must be &gt; min.</param>
    public static Histogram Of(IEnumerable<double> values, int bins = 40, double? min = null, double? max = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "a histogram needs at least one bin.");
        var v = values.Where(double.IsFinite).ToArray();
        double lo = min ?? (v.Length > 0 ? v.Min() : 0), hi = max ?? (v.Length > 0 ? v.Max() : 1);
        if (!double.IsFinite(lo) || !double.IsFinite(hi)) throw new ArgumentException($"histogram range [{lo}, {hi}] must be finite.");
        if (min is null && max is null && hi == lo) { lo -= 0.5; hi += 0.5; }
        if (!(hi > lo)) throw new ArgumentException($"histogram range [{lo}, {hi}] is empty; max must be greater than min.");
        var edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) edges[i] = lo + (hi - lo) * i / bins;
        var counts = new long[bins];
        long below = 0, above = 0;
        foreach (var x in v)
        {
            if (x < lo) { below++; continue; }
            if (x > hi) { above++; continue; }
            counts[Math.Min(bins - 1, (int)((x - lo) / (hi - lo) * bins))]++;
        }
        return new Histogram(edges, counts, below, above);
    }
}
