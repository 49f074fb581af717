using GanNotebooks.Core;

namespace GanNotebooks.Data.Toy;

/// <summary>
/// A mixture of 1D Gaussians p(x) = Σ_k w_k N(x; μ_k, σ_k²), the p_data / p_g of the minimax and
/// optimal-discriminator notebook (Goodfellow et al. 2014, Fig. 1). Weights are normalized to sum 1.
/// Samples have shape [n, 1]; densities are exact and in double precision.
/// </summary>
public sealed class GaussianMixture1D : ToyDistribution, IToyDensity
{
    readonly double[] _weights, _means, _stds, _cumulative;
    readonly string _name;

    /// <summary>Creates the mixture; all three arrays must have the same length, stds &gt; 0, weights &gt; 0.</summary>
    public GaussianMixture1D(IReadOnlyList<double> weights, IReadOnlyList<double> means, IReadOnlyList<double> stds, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(stds);
        if (weights.Count != means.Count || means.Count != stds.Count)
            throw new ArgumentException($"weights, means and stds must have the same length (got {weights.Count}, {means.Count}, {stds.Count}).");
        _cumulative = ToyRandom.NormalizedCumulative(weights, nameof(weights));
        double sum = weights.Sum();
        _weights = weights.Select(w => w / sum).ToArray();
        _means = means.ToArray();
        _stds = stds.ToArray();
        for (int k = 0; k < _stds.Length; k++)
        {
            if (!(_stds[k] > 0) || double.IsInfinity(_stds[k]))
                throw new ArgumentException($"Standard deviations must be finite and positive (component {k} has {_stds[k]}).", nameof(stds));
            if (!double.IsFinite(_means[k]))
                throw new ArgumentException($"Means must be finite (component {k} has {_means[k]}).", nameof(means));
        }
        _name = name ?? (Count == 1 ? $"N({_means[0]:G3}, {_stds[0]:G3}²)" : $"1D mixture of {Count} Gaussians");
    }

    /// <summary>A single Gaussian N(μ, σ²).</summary>
    public static GaussianMixture1D Gaussian(double mean, double std, string? name = null)
        => new(new[] { 1.0 }, new[] { mean }, new[] { std }, name);

    /// <summary>Equal-weight mixture of Gaussians with the given means and one shared std.</summary>
    public static GaussianMixture1D EqualWeights(IReadOnlyList<double> means, double std, string? name = null)
        => new(Enumerable.Repeat(1.0, means.Count).ToArray(), means, Enumerable.Repeat(std, means.Count).ToArray(), name);

    /// <inheritdoc/>
    public override int Dim => 1;
    /// <inheritdoc/>
    public override string Name => _name;
    /// <summary>Number of components.</summary>
    public int Count => _means.Length;
    /// <summary>Normalized weights w_k (sum 1).</summary>
    public IReadOnlyList<double> Weights => _weights;
    /// <summary>Component means μ_k.</summary>
    public IReadOnlyList<double> Means => _means;
    /// <summary>Component standard deviations σ_k.</summary>
    public IReadOnlyList<double> Stds => _stds;

    /// <summary>Mean of the mixture Σ w_k μ_k.</summary>
    public double Mean => _weights.Zip(_means, (w, m) => w * m).Sum();

    /// <inheritdoc/>
    protected override void SampleInto(Span<double> destination, int n, Random rng)
    {
        for (int i = 0; i < n; i++)
        {
            int k = ToyRandom.NextCategorical(rng, _cumulative);
            destination[i] = _means[k] + _stds[k] * ToyRandom.NextGaussian(rng);
        }
    }

    /// <summary>Exact density p(x).</summary>
    public double Density(double x)
    {
        double p = 0;
        for (int k = 0; k < _means.Length; k++)
        {
            double z = (x - _means[k]) / _stds[k];
            p += _weights[k] * Math.Exp(-0.5 * z * z) / (_stds[k] * Math.Sqrt(2 * Math.PI));
        }
        return p;
    }

    /// <summary>Exact log p(x) by log-sum-exp (finite even where p(x) underflows to 0).</summary>
    public double LogDensity(double x)
    {
        double max = double.NegativeInfinity;
        Span<double> terms = _means.Length <= 64 ? stackalloc double[_means.Length] : new double[_means.Length];
        for (int k = 0; k < _means.Length; k++)
        {
            double z = (x - _means[k]) / _stds[k];
            terms[k] = Math.Log(_weights[k]) - 0.5 * z * z - Math.Log(_stds[k]) - 0.5 * Math.Log(2 * Math.PI);
            if (terms[k] > max) max = terms[k];
        }
        double s = 0;
        foreach (var t in terms) s += Math.Exp(t - max);
        return max + Math.Log(s);
    }

    /// <summary>Exact cumulative distribution F(x) = Σ w_k Φ((x − μ_k)/σ_k).</summary>
    public double Cdf(double x)
    {
        double c = 0;
        for (int k = 0; k < _means.Length; k++) c += _weights[k] * SpecialFunctions.NormalCdf((x - _means[k]) / _stds[k]);
        return c;
    }

    /// <summary>p(x) at every grid point; result has the grid's length.</summary>
    public double[] Density(IReadOnlyList<double> grid) => grid.Select(Density).ToArray();

    /// <summary>log p(x) at every grid point.</summary>
    public double[] LogDensity(IReadOnlyList<double> grid) => grid.Select(LogDensity).ToArray();

    /// <summary>A box [μ_min − k σ_max, μ_max + k σ_max] that holds all but a negligible mass for k ≈ 8.</summary>
    public (double Min, double Max) Support(double stds = 8)
        => (_means.Min() - stds * _stds.Max(), _means.Max() + stds * _stds.Max());

    double IToyDensity.Density(ReadOnlySpan<double> point) => Density(Single(point));
    double IToyDensity.LogDensity(ReadOnlySpan<double> point) => LogDensity(Single(point));

    static double Single(ReadOnlySpan<double> point)
        => point.Length == 1 ? point[0] : throw new ArgumentException($"A 1D mixture takes points with 1 coordinate (got {point.Length}).", nameof(point));
}
