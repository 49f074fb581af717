namespace GanNotebooks.Data.Toy;

/// <summary>
/// Interleaved spiral arms in the plane (sampler only, no density). Arm k at parameter t ~ U[0,1] is
/// r = radius·t, angle = 2π·turns·t + 2πk/arms, plus isotropic Gaussian noise. Samples [n, 2].
/// </summary>
public sealed class Spirals : ToyDistribution
{
    /// <summary>Creates the spirals (defaults: 2 arms, 1.5 turns, radius 1, noise std 0.02).</summary>
    public Spirals(int arms = 2, double turns = 1.5, double radius = 1.0, double noise = 0.02)
    {
        if (arms < 1) throw new ArgumentOutOfRangeException(nameof(arms), arms, "Need at least one arm.");
        if (!(turns > 0)) throw new ArgumentOutOfRangeException(nameof(turns), turns, "turns must be positive.");
        if (!(radius > 0)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "radius must be positive.");
        if (!(noise >= 0)) throw new ArgumentOutOfRangeException(nameof(noise), noise, "noise must be zero or positive.");
        (Arms, Turns, Radius, Noise) = (arms, turns, radius, noise);
    }
    /// <summary>Number of arms.</summary>
    public int Arms { get; }
    /// <summary>Turns of each arm.</summary>
    public double Turns { get; }
    /// <summary>Outer radius.</summary>
    public double Radius { get; }
    /// <summary>Std of the added Gaussian noise.</summary>
    public double Noise { get; }
    /// <inheritdoc/>
    public override int Dim => 2;
    /// <inheritdoc/>
    public override string Name => $"{Arms} spirals";

    /// <inheritdoc/>
    protected override void SampleInto(Span<double> destination, int n, Random rng)
    {
        for (int i = 0; i < n; i++)
        {
            int k = rng.Next(Arms);
            double t = rng.NextDouble();
            double a = 2 * Math.PI * Turns * t + 2 * Math.PI * k / Arms;
            destination[2 * i] = Radius * t * Math.Cos(a) + Noise * ToyRandom.NextGaussian(rng);
            destination[2 * i + 1] = Radius * t * Math.Sin(a) + Noise * ToyRandom.NextGaussian(rng);
        }
    }
}

/// <summary>
/// Two interleaving half circles (sampler only, the scikit-learn make_moons layout): upper moon
/// (cos t, sin t), lower moon (1 − cos t, ½ − sin t), t ~ U[0, π], each with probability ½, plus
/// isotropic Gaussian noise. Samples [n, 2].
/// </summary>
public sealed class TwoMoons : ToyDistribution
{
    /// <summary>Creates the moons with noise std <paramref name="noise"/> (default 0.05).</summary>
    public TwoMoons(double noise = 0.05)
    {
        if (!(noise >= 0)) throw new ArgumentOutOfRangeException(nameof(noise), noise, "noise must be zero or positive.");
        Noise = noise;
    }
    /// <summary>Std of the added Gaussian noise.</summary>
    public double Noise { get; }
    /// <inheritdoc/>
    public override int Dim => 2;
    /// <inheritdoc/>
    public override string Name => "two moons";

    /// <inheritdoc/>
    protected override void SampleInto(Span<double> destination, int n, Random rng)
    {
        for (int i = 0; i < n; i++)
        {
            bool upper = rng.NextDouble() < 0.5;
            double t = Math.PI * rng.NextDouble();
            double x = upper ? Math.Cos(t) : 1 - Math.Cos(t);
            double y = upper ? Math.Sin(t) : 0.5 - Math.Sin(t);
            destination[2 * i] = x + Noise * ToyRandom.NextGaussian(rng);
            destination[2 * i + 1] = y + Noise * ToyRandom.NextGaussian(rng);
        }
    }
}

/// <summary>
/// The uniform distribution on a straight segment from A to B in the plane (no density: it is
/// singular w.r.t. Lebesgue measure, which is the point of the WGAN example). Samples [n, 2].
/// </summary>
public sealed class UniformSegment2D : ToyDistribution
{
    /// <summary>Segment from (x0, y0) to (x1, y1).</summary>
    public UniformSegment2D(double x0, double y0, double x1, double y1, string? name = null)
    {
        if (!double.IsFinite(x0) || !double.IsFinite(y0) || !double.IsFinite(x1) || !double.IsFinite(y1))
            throw new ArgumentException("Segment end points must be finite.");
        (Start, End) = ((x0, y0), (x1, y1));
        _name = name ?? $"U[({x0:G3},{y0:G3})–({x1:G3},{y1:G3})]";
    }
    readonly string _name;

    /// <summary>
    /// P_θ = (θ, U[0,1]) from the WGAN paper's parallel-lines example (Arjovsky et al. 2017, Example 1);
    /// P_0 is <c>ParallelLine(0)</c>. W(P_0, P_θ) = |θ|, JS = log 2 for θ ≠ 0, KL = ∞, TV = 1.
    /// </summary>
    public static UniformSegment2D ParallelLine(double theta) => new(theta, 0, theta, 1, $"P_θ (θ={theta:G3})");

    /// <summary>Segment start point A.</summary>
    public (double X, double Y) Start { get; }
    /// <summary>Segment end point B.</summary>
    public (double X, double Y) End { get; }
    /// <inheritdoc/>
    public override int Dim => 2;
    /// <inheritdoc/>
    public override string Name => _name;

    /// <inheritdoc/>
    protected override void SampleInto(Span<double> destination, int n, Random rng)
    {
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            destination[2 * i] = Start.X + u * (End.X - Start.X);
            destination[2 * i + 1] = Start.Y + u * (End.Y - Start.Y);
        }
    }
}
