namespace GanNotebooks.Runtime.Shared;

/// <summary>Averaging a measurement over trials (seeds): the kit's <c>Statistics.MeanAndStdErr</c> and the runner's sweeps.</summary>
internal static class Averages
{
    /// <summary>
    /// The mean of the values and its standard error s/√n (s: the sample standard deviation, n − 1); the standard error
    /// is NaN for one value and for an infinite mean. Throws for no values.
    /// </summary>
    public static (double Mean, double StdErr, int Count) MeanAndStdErr(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.ToArray();
        if (v.Length == 0) throw new ArgumentException("Need at least one value to average.", nameof(values));
        double mean = v.Average();
        if (v.Length == 1 || double.IsInfinity(mean)) return (mean, double.NaN, v.Length);
        double ss = v.Sum(x => (x - mean) * (x - mean));
        return (mean, Math.Sqrt(ss / (v.Length - 1)) / Math.Sqrt(v.Length), v.Length);
    }
}
