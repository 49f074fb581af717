using GanNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Training;

/// <summary>Latent samplers for <see cref="GanTrainer"/>: batch size B → z.</summary>
public static class Latent
{
    /// <summary>z ~ N(0, I): B → [B, zDim] (or [B, zDim, 1, 1] with <paramref name="asImage"/> for conv generators).</summary>
    /// <param name="zDim">Latent size (≥ 1).</param>
    /// <param name="device">Device (default <c>Devices.Current</c>).</param>
    /// <param name="generator">Optional torch generator (default torch's global one, seeded by <c>Seeding.Seed</c>).</param>
    /// <param name="asImage">Return [B, zDim, 1, 1] instead of [B, zDim].</param>
    public static Func<int, Tensor> Normal(int zDim, Device? device = null, Generator? generator = null, bool asImage = false)
    {
        if (zDim < 1) throw new ArgumentOutOfRangeException(nameof(zDim), zDim, "the latent size must be ≥ 1.");
        var dev = device ?? Devices.Current;
        Tensor Draw(Generator? g, int b) => torch.randn(asImage ? new long[] { b, zDim, 1, 1 } : new long[] { b, zDim }, device: dev, generator: g);
        // A private generator's state is saved with the trainer's checkpoint (the delegate's target is checkpointable).
        return generator is null ? b => Draw(null, b) : new LatentStream(generator, Draw).Sample;
    }

    /// <summary>z ~ U[low, high]^zDim: B → [B, zDim].</summary>
    /// <param name="zDim">Latent size (≥ 1).</param>
    /// <param name="low">Lower bound.</param>
    /// <param name="high">Upper bound (&gt; low).</param>
    /// <param name="device">Device (default <c>Devices.Current</c>).</param>
    /// <param name="generator">Optional torch generator.</param>
    public static Func<int, Tensor> Uniform(int zDim, double low = -1, double high = 1, Device? device = null, Generator? generator = null)
    {
        if (zDim < 1) throw new ArgumentOutOfRangeException(nameof(zDim), zDim, "the latent size must be ≥ 1.");
        if (!(high > low)) throw new ArgumentException($"Uniform latent needs high > low; got [{low}, {high}].");
        var dev = device ?? Devices.Current;
        Tensor Draw(Generator? g, int b) => torch.rand(new long[] { b, zDim }, device: dev, generator: g) * (high - low) + low;
        return generator is null ? b => Draw(null, b) : new LatentStream(generator, Draw).Sample;
    }
}
