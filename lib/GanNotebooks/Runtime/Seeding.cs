using TorchSharp;

namespace GanNotebooks.Runtime;

/// <summary>
/// One call seeds every random source the kit uses: torch's global generator (CPU and CUDA) and the
/// kit's own <see cref="Random"/> used by data samplers and metrics. Same seed → identical numbers on CPU.
/// </summary>
public static class Seeding
{
    static Random _rng = new(0);
    static readonly object Gate = new();

    /// <summary>The seed given to the last <see cref="Seed"/> call (null before any call).</summary>
    public static long? LastSeed { get; private set; }

    /// <summary>Seeds torch and the kit's random source.</summary>
    public static void Seed(long seed)
    {
        NativeRuntime.EnsureLoadable();
        torch.manual_seed(seed);
        if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
        lock (Gate) _rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        LastSeed = seed;
    }

    /// <summary>The kit's shared managed random source (seeded by <see cref="Seed"/>).</summary>
    public static Random Rng { get { lock (Gate) return _rng; } }

    /// <summary>A torch generator for a local, reproducible stream that does not disturb the global one.</summary>
    public static torch.Generator Generator(long seed) => new torch.Generator((ulong)seed);
}
