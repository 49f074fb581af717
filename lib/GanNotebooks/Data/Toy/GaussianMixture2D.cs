namespace GanNotebooks.Data.Toy;

/// <summary>
/// A mixture of isotropic 2D Gaussians with one shared std: the ring of 8 and the grid of 25 used
/// to measure mode collapse (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018). Mode centres
/// and the std are exposed because the mode-coverage metric needs them. Samples have shape [n, 2].
/// </summary>
public sealed class GaussianMixture2D : ToyDistribution, IToyDensity
{
    readonly (double X, double Y)[] _centres;
    readonly double[] _weights, _cumulative;
    readonly string _name;

    /// <summary>
    /// Creates a mixture with modes at <paramref name="centres"/>, shared <paramref name="std"/> per
    /// coordinate, and weights (default: equal). Throws when two centres coincide (a duplicated mode
    /// would silently make the "number of modes" wrong — the linspace-over-[0, 2π] bug).
    /// </summary>
    public GaussianMixture2D(IReadOnlyList<(double X, double Y)> centres, double std, IReadOnlyList<double>? weights = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(centres);
        if (centres.Count == 0) throw new ArgumentException("A mixture needs at least one mode centre.", nameof(centres));
        if (!(std > 0) || double.IsInfinity(std)) throw new ArgumentOutOfRangeException(nameof(std), std, "The std must be finite and positive.");
        weights ??= Enumerable.Repeat(1.0, centres.Count).ToArray();
        if (weights.Count != centres.Count)
            throw new ArgumentException($"Got {weights.Count} weights for {centres.Count} centres; give one weight per centre or none.", nameof(weights));
        _centres = centres.ToArray();
        for (int i = 0; i < _centres.Length; i++)
        {
            if (!double.IsFinite(_centres[i].X) || !double.IsFinite(_centres[i].Y))
                throw new ArgumentException($"Centre {i} is not finite: {_centres[i]}.", nameof(centres));
            for (int j = 0; j < i; j++)
                if (Math.Abs(_centres[i].X - _centres[j].X) < 1e-12 && Math.Abs(_centres[i].Y - _centres[j].Y) < 1e-12)
                    throw new ArgumentException($"Centres {j} and {i} coincide at {_centres[i]}: a duplicated mode. " +
                        "For k evenly spaced angles use 2πk/K for k = 0..K−1, not a linspace that includes 2π.", nameof(centres));
        }
        _cumulative = ToyRandom.NormalizedCumulative(weights, nameof(weights));
        double sum = weights.Sum();
        _weights = weights.Select(w => w / sum).ToArray();
        Std = std;
        _name = name ?? $"2D mixture of {_centres.Length} Gaussians";
    }

    /// <summary>
    /// <paramref name="modes"/> Gaussians evenly on a circle: centres (r cos 2πk/K, r sin 2πk/K), k = 0..K−1
    /// (defaults: 8 modes, radius 1, std 0.01 as in VEEGAN/PacGAN).
    /// </summary>
    public static GaussianMixture2D Ring(int modes = 8, double radius = 1.0, double std = 0.01)
    {
        if (modes < 1) throw new ArgumentOutOfRangeException(nameof(modes), modes, "A ring needs at least one mode.");
        if (!(radius > 0)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "The radius must be positive.");
        var c = new (double, double)[modes];
        for (int k = 0; k < modes; k++)
        {
            double a = 2 * Math.PI * k / modes; // not linspace(0, 2π, K): that repeats the mode at angle 0
            c[k] = (radius * Math.Cos(a), radius * Math.Sin(a));
        }
        return new GaussianMixture2D(c, std, null, $"ring of {modes} Gaussians (r={radius:G3}, σ={std:G3})");
    }

    /// <summary>The WGAN-GP code's ring: radius 2 and std 0.02, both divided by 1.414 (Gulrajani et al. 2017, toy code).</summary>
    public static GaussianMixture2D RingWganGp() => Ring(8, 2.0 / 1.414, 0.02 / 1.414);

    /// <summary>
    /// A <paramref name="perSide"/>×<paramref name="perSide"/> grid centred at the origin with the given
    /// spacing (defaults: 25 modes at {−4, −2, 0, 2, 4}², std 0.05 as in VEEGAN/PacGAN).
    /// </summary>
    public static GaussianMixture2D Grid(int perSide = 5, double spacing = 2.0, double std = 0.05)
    {
        if (perSide < 1) throw new ArgumentOutOfRangeException(nameof(perSide), perSide, "A grid needs at least one mode per side.");
        if (!(spacing > 0)) throw new ArgumentOutOfRangeException(nameof(spacing), spacing, "The spacing must be positive.");
        var c = new List<(double, double)>();
        double offset = (perSide - 1) / 2.0;
        for (int i = 0; i < perSide; i++)
            for (int j = 0; j < perSide; j++)
                c.Add(((i - offset) * spacing, (j - offset) * spacing));
        return new GaussianMixture2D(c, std, null, $"grid of {perSide * perSide} Gaussians (spacing {spacing:G3}, σ={std:G3})");
    }

    /// <inheritdoc/>
    public override int Dim => 2;
    /// <inheritdoc/>
    public override string Name => _name;
    /// <summary>Mode centres (the metric's "modes").</summary>
    public IReadOnlyList<(double X, double Y)> Centres => _centres;
    /// <summary>Mode centres as an array of shape [modes, 2].</summary>
    public double[,] CentresArray
    {
        get
        {
            var a = new double[_centres.Length, 2];
            for (int k = 0; k < _centres.Length; k++) { a[k, 0] = _centres[k].X; a[k, 1] = _centres[k].Y; }
            return a;
        }
    }
    /// <summary>Number of modes.</summary>
    public int ModeCount => _centres.Length;
    /// <summary>Shared per-coordinate standard deviation of every mode.</summary>
    public double Std { get; }
    /// <summary>Normalized weights (sum 1).</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>Axis-aligned box that holds the centres with a margin of <paramref name="margin"/> (for plots).</summary>
    public (double XMin, double XMax, double YMin, double YMax) BoundingBox(double margin = 0.5)
        => (_centres.Min(c => c.X) - margin, _centres.Max(c => c.X) + margin, _centres.Min(c => c.Y) - margin, _centres.Max(c => c.Y) + margin);

    /// <inheritdoc/>
    protected override void SampleInto(Span<double> destination, int n, Random rng)
    {
        for (int i = 0; i < n; i++)
        {
            int k = ToyRandom.NextCategorical(rng, _cumulative);
            destination[2 * i] = _centres[k].X + Std * ToyRandom.NextGaussian(rng);
            destination[2 * i + 1] = _centres[k].Y + Std * ToyRandom.NextGaussian(rng);
        }
    }

    /// <summary>Exact density p(x, y) = Σ w_k exp(−‖(x,y) − c_k‖²/(2σ²)) / (2πσ²).</summary>
    public double Density(double x, double y)
    {
        double s2 = Std * Std, p = 0;
        for (int k = 0; k < _centres.Length; k++)
        {
            double dx = x - _centres[k].X, dy = y - _centres[k].Y;
            p += _weights[k] * Math.Exp(-(dx * dx + dy * dy) / (2 * s2));
        }
        return p / (2 * Math.PI * s2);
    }

    /// <summary>Exact log p(x, y) by log-sum-exp (finite where p underflows: with σ = 0.01 that is almost everywhere).</summary>
    public double LogDensity(double x, double y)
    {
        double s2 = Std * Std, max = double.NegativeInfinity;
        var terms = new double[_centres.Length];
        for (int k = 0; k < _centres.Length; k++)
        {
            double dx = x - _centres[k].X, dy = y - _centres[k].Y;
            terms[k] = Math.Log(_weights[k]) - (dx * dx + dy * dy) / (2 * s2);
            if (terms[k] > max) max = terms[k];
        }
        double s = 0;
        foreach (var t in terms) s += Math.Exp(t - max);
        return max + Math.Log(s) - Math.Log(2 * Math.PI * s2);
    }

    /// <summary>Density on a grid: result[i, j] = p(xs[j], ys[i]) (rows follow y, as a heatmap expects).</summary>
    public double[,] DensityGrid(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        var z = new double[ys.Count, xs.Count];
        for (int i = 0; i < ys.Count; i++)
            for (int j = 0; j < xs.Count; j++)
                z[i, j] = Density(xs[j], ys[i]);
        return z;
    }

    double IToyDensity.Density(ReadOnlySpan<double> point) => point.Length == 2 ? Density(point[0], point[1]) : throw WrongDim(point.Length);
    double IToyDensity.LogDensity(ReadOnlySpan<double> point) => point.Length == 2 ? LogDensity(point[0], point[1]) : throw WrongDim(point.Length);
    static ArgumentException WrongDim(int d) => new($"A 2D mixture takes points with 2 coordinates (got {d}).", "point");
}
