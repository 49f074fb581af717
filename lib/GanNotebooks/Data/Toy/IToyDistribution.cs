using GanNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Data.Toy;

/// <summary>
/// A low-dimensional toy distribution for the theory and mode-collapse notebooks. Samples are drawn
/// in double precision from a managed <see cref="Random"/> so that the same seed gives the same
/// numbers on every device and platform; the tensor overloads only convert and move the result.
/// </summary>
public interface IToyDistribution
{
    /// <summary>Dimension of one sample (1 for line mixtures, 2 for the plane).</summary>
    int Dim { get; }

    /// <summary>A short human-readable name (used in chart titles and tables).</summary>
    string Name { get; }

    /// <summary>Draws <paramref name="n"/> samples from <paramref name="rng"/>; result shape [n, Dim].</summary>
    double[,] SampleArray(int n, Random rng);

    /// <summary>Draws <paramref name="n"/> samples with a fresh stream seeded by <paramref name="seed"/>; shape [n, Dim].</summary>
    double[,] SampleArray(int n, long seed);

    /// <summary>
    /// Samples as a tensor of shape [n, Dim] (float32 unless <paramref name="dtype"/> says otherwise) on
    /// <paramref name="device"/> (default <see cref="Devices.Current"/>). Same seed → identical samples.
    /// </summary>
    Tensor Sample(int n, long seed, Device? device = null, ScalarType dtype = ScalarType.Float32);

    /// <summary>
    /// Samples as a tensor [n, Dim] driven by a torch generator: one 31-bit integer is drawn from
    /// <paramref name="generator"/> to seed the managed stream, so successive calls differ and a
    /// generator re-created with the same seed reproduces the whole sequence.
    /// </summary>
    Tensor Sample(int n, torch.Generator generator, Device? device = null, ScalarType dtype = ScalarType.Float32);
}

/// <summary>A toy distribution with an exact density (1D mixtures, 2D Gaussian mixtures).</summary>
public interface IToyDensity : IToyDistribution
{
    /// <summary>Exact density p(x) at one point given as <see cref="IToyDistribution.Dim"/> coordinates.</summary>
    double Density(ReadOnlySpan<double> point);

    /// <summary>Exact log p(x) (computed with log-sum-exp, finite far in the tails where p underflows).</summary>
    double LogDensity(ReadOnlySpan<double> point);
}

/// <summary>
/// Shared implementation of the sampling overloads: subclasses implement only
/// <see cref="SampleInto"/> (fill a row-major [n, Dim] buffer from a managed random stream).
/// </summary>
public abstract class ToyDistribution : IToyDistribution
{
    /// <inheritdoc/>
    public abstract int Dim { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>Fills <paramref name="destination"/> (row-major [n, Dim]) with n samples drawn from <paramref name="rng"/>.</summary>
    protected abstract void SampleInto(Span<double> destination, int n, Random rng);

    /// <inheritdoc/>
    public double[,] SampleArray(int n, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var flat = SampleFlat(n, rng);
        var result = new double[n, Dim];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(double));
        return result;
    }

    /// <inheritdoc/>
    public double[,] SampleArray(int n, long seed) => SampleArray(n, ToyRandom.FromSeed(seed));

    /// <inheritdoc/>
    public Tensor Sample(int n, long seed, Device? device = null, ScalarType dtype = ScalarType.Float32)
        => ToTensor(SampleFlat(n, ToyRandom.FromSeed(seed)), n, device, dtype);

    /// <inheritdoc/>
    public Tensor Sample(int n, torch.Generator generator, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(generator);
        NativeRuntime.EnsureLoadable();
        long seed;
        using (var draw = torch.randint(0, int.MaxValue, new long[] { 1 }, dtype: ScalarType.Int64, generator: generator))
            seed = draw.item<long>();
        return Sample(n, seed, device, dtype);
    }

    double[] SampleFlat(int n, Random rng)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The number of samples must be zero or positive.");
        var flat = new double[n * Dim];
        SampleInto(flat, n, rng);
        return flat;
    }

    Tensor ToTensor(double[] flat, int n, Device? device, ScalarType dtype)
    {
        NativeRuntime.EnsureLoadable();
        var dev = device ?? Devices.Current;
        // Built on the CPU in float64 then converted, so the numbers do not depend on the device.
        using var cpu = torch.tensor(flat, new long[] { n, Dim }, dtype: ScalarType.Float64);
        return cpu.to(dtype, dev);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>Managed random helpers shared by the toy samplers (double precision, seed-stable).</summary>
public static class ToyRandom
{
    /// <summary>A <see cref="Random"/> seeded from a 64-bit seed (same folding as <see cref="Seeding.Seed"/>).</summary>
    public static Random FromSeed(long seed) => new(unchecked((int)(seed ^ (seed >> 32))));

    /// <summary>One standard normal draw (Box–Muller; the cosine branch only, so each call uses two uniforms).</summary>
    public static double NextGaussian(Random rng)
    {
        // 1 - U keeps the argument of the log in (0, 1], so log never sees 0.
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Index k drawn with probability <paramref name="cumulative"/>[k] − cumulative[k−1] (last entry 1).</summary>
    public static int NextCategorical(Random rng, double[] cumulative)
    {
        double u = rng.NextDouble();
        int k = Array.BinarySearch(cumulative, u);
        if (k < 0) k = ~k; else k++; // exact hit on a boundary belongs to the next bin
        return Math.Min(k, cumulative.Length - 1);
    }

    internal static double[] NormalizedCumulative(IReadOnlyList<double> weights, string paramName)
    {
        if (weights.Count == 0) throw new ArgumentException("At least one mixture weight is needed.", paramName);
        double sum = 0;
        foreach (var w in weights)
        {
            if (!(w > 0) || double.IsInfinity(w))
                throw new ArgumentException($"Mixture weights must be finite and positive (got {w}); drop zero-weight components instead.", paramName);
            sum += w;
        }
        var cum = new double[weights.Count];
        double acc = 0;
        for (int k = 0; k < cum.Length; k++) { acc += weights[k] / sum; cum[k] = acc; }
        cum[^1] = 1.0;
        return cum;
    }
}
