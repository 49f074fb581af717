namespace GanNotebooks.Core;

/// <summary>
/// Gaussian kernel density estimate of a 1D sample, p̂(x) = (1/(n h)) Σ_i φ((x − x_i)/h): how the
/// notebooks turn a generator's samples into a density p_g that can be compared with p_data by
/// quadrature (JSD, D* = p_data/(p_data + p̂_g)). The estimate is the true density convolved with
/// N(0, h²), so divergences computed from it have a floor above 0 even for perfect samples; compute that
/// floor from real samples (<c>JSD(p_data, Kde(real samples))</c>) and report it next to the number.
/// </summary>
public static class Kde
{
    /// <summary>
    /// Silverman's rule of thumb h = 0.9 · min(s, IQR/1.34) · n^(−1/5) (Silverman 1986, eq. 3.31),
    /// with s the sample standard deviation. Falls back to s (or 1) when the IQR is 0.
    /// </summary>
    /// <param name="samples">At least 2 finite values.</param>
    public static double SilvermanBandwidth(IReadOnlyList<double> samples)
    {
        Check(samples);
        int n = samples.Count;
        double mean = samples.Average();
        double sd = Math.Sqrt(samples.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        var sorted = samples.OrderBy(v => v).ToArray();
        double iqr = Quantile(sorted, 0.75) - Quantile(sorted, 0.25);
        double spread = iqr > 0 ? Math.Min(sd, iqr / 1.34) : sd;
        if (!(spread > 0)) spread = 1.0; // all samples equal: any positive bandwidth gives a valid density
        return 0.9 * spread * Math.Pow(n, -0.2);
    }

    /// <summary>
    /// p̂ at every grid point (result has the grid's length). <paramref name="bandwidth"/> defaults to
    /// <see cref="SilvermanBandwidth"/>. Cost O(n · grid) with a cut-off at 8 h (terms below e^−32 are skipped).
    /// </summary>
    /// <param name="samples">The sample x_1..x_n (e.g. <c>trainer.Sample(5000).ToVector()</c>); at least 2 finite values.</param>
    /// <param name="grid">Where to evaluate, any order.</param>
    /// <param name="bandwidth">Kernel std h &gt; 0, or null for Silverman's rule.</param>
    public static double[] Density(IReadOnlyList<double> samples, IReadOnlyList<double> grid, double? bandwidth = null)
    {
        Check(samples);
        ArgumentNullException.ThrowIfNull(grid);
        double h = bandwidth ?? SilvermanBandwidth(samples);
        if (!(h > 0) || double.IsInfinity(h)) throw new ArgumentOutOfRangeException(nameof(bandwidth), h, "The bandwidth must be a finite number > 0 (or null for Silverman's rule).");
        var sorted = samples.OrderBy(v => v).ToArray();
        double norm = 1.0 / (sorted.Length * h * Math.Sqrt(2 * Math.PI)), cut = 8 * h;
        var p = new double[grid.Count];
        for (int i = 0; i < grid.Count; i++)
        {
            double x = grid[i], acc = 0;
            // only samples within 8h contribute more than e^-32 relative to the peak
            int lo = LowerBound(sorted, x - cut);
            for (int j = lo; j < sorted.Length && sorted[j] <= x + cut; j++)
            {
                double u = (x - sorted[j]) / h;
                acc += Math.Exp(-0.5 * u * u);
            }
            p[i] = acc * norm;
        }
        return p;
    }

    static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int i = (int)Math.Floor(pos);
        if (i + 1 >= sorted.Length) return sorted[^1];
        return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
    }

    static void Check(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count < 2) throw new ArgumentException($"A kernel density estimate needs at least 2 samples (got {samples.Count}).", nameof(samples));
        for (int i = 0; i < samples.Count; i++)
            if (!double.IsFinite(samples[i]))
                throw new ArgumentException($"Sample {i} is {samples[i]}; a diverged generator gives NaN/∞ — check the training before estimating its density.", nameof(samples));
    }
}
