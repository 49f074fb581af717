using TorchSharp;

namespace GanNotebooks.Runtime;

/// <summary>
/// Named random streams: every stream of a run is derived from the run's seed and a name — <c>Seeds.Stream(seed, "data")</c>,
/// <c>("latent")</c>, <c>("pool A")</c>, <c>("eval")</c>, <c>($"member {k}")</c> — instead of hand-picked offsets such as
/// <c>seed + 7</c>. Offsets collide across a sweep (run 1's <c>seed + 1</c> is run 2's <c>seed</c>, so two "independent"
/// runs share a stream); a hash of (seed, name) does not, and the name says what the stream is for. Streams made from a
/// torch generator and handed to the kit's samplers are saved in checkpoints (<see cref="Core.GeneratorState"/>).
/// </summary>
public static class Seeds
{
    /// <summary>
    /// The seed of stream <paramref name="name"/> of the run seeded <paramref name="seed"/>: SplitMix64 of the seed mixed with
    /// the name's 64-bit FNV-1a hash, in [0, 2⁶³). Deterministic across machines and .NET versions (no string.GetHashCode).
    /// </summary>
    public static long Derive(long seed, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ulong h = 14695981039346656037UL;                      // FNV-1a 64 over the UTF-8 bytes
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(name)) { h ^= b; h *= 1099511628211UL; }
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ h);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL); // SplitMix64's finalizer
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (long)(z >> 1);
    }

    /// <summary>A torch generator for stream <paramref name="name"/> of the run seeded <paramref name="seed"/>.</summary>
    public static torch.Generator Stream(long seed, string name) => Seeding.Generator(Derive(seed, name));

    /// <summary>Stream <paramref name="name"/> of the run seeded by the last <see cref="Seeding.Seed"/> call.</summary>
    public static torch.Generator Stream(string name) => Stream(RunSeed, name);

    /// <summary>The seed of stream <paramref name="name"/> of the run seeded by the last <see cref="Seeding.Seed"/> call (for samplers that take a seed).</summary>
    public static long Of(string name) => Derive(RunSeed, name);

    /// <summary>The run's seed: the last <see cref="Seeding.Seed"/> call's.</summary>
    public static long RunSeed => Seeding.LastSeed
        ?? throw new InvalidOperationException("no run seed yet: call Seeding.Seed(seed) first (Kit.Setup(seed) does), or pass the seed: Seeds.Stream(seed, name).");
}
