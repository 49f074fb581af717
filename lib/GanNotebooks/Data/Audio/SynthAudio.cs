using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Data.Audio;

/// <summary>The kinds of clip <see cref="SynthAudio"/> makes, in label order.</summary>
public enum SoundKind
{
    /// <summary>A low note: a sine at 110–220 Hz with two weak harmonics, attack–decay envelope.</summary>
    LowNote = 0,
    /// <summary>A high note: a sine at 440–880 Hz with two weak harmonics, attack–decay envelope.</summary>
    HighNote = 1,
    /// <summary>A rising chirp: frequency sweeps exponentially from 200–400 Hz to 1.6–3 kHz.</summary>
    Chirp = 2,
    /// <summary>A drum-like hit: a noise burst plus a falling 60–120 Hz thump, both decaying exponentially.</summary>
    Drum = 3,
}

/// <summary>
/// A labelled set of mono clips: <see cref="Clips"/> [N, 1, L] float32 in [−1, 1], <see cref="Labels"/> int64 [N]
/// (values of <see cref="SoundKind"/>), at <see cref="SampleRate"/> Hz. Tensors live on the CPU; the set owns them.
/// </summary>
public sealed class AudioSet : IDisposable
{
    internal AudioSet(Tensor clips, Tensor labels, int sampleRate)
    {
        Clips = clips; Labels = labels; SampleRate = sampleRate;
    }

    /// <summary>[N, 1, L] float32 waveforms in [−1, 1].</summary>
    public Tensor Clips { get; }
    /// <summary>[N] int64 class labels (<see cref="SoundKind"/>).</summary>
    public Tensor Labels { get; }
    /// <summary>Samples per second.</summary>
    public int SampleRate { get; }
    /// <summary>Number of clips.</summary>
    public int Count => (int)Clips.shape[0];
    /// <summary>Samples per clip.</summary>
    public int Length => (int)Clips.shape[2];
    /// <summary>Clip duration in seconds.</summary>
    public double Seconds => (double)Length / SampleRate;
    /// <summary>Class names in label order.</summary>
    public IReadOnlyList<string> ClassNames => SynthAudio.ClassNames;

    /// <summary>
    /// A sampler of random real batches B → [B, 1, L] (with replacement, torch's global generator: restored by a
    /// trainer checkpoint), on <paramref name="device"/> (default CPU).
    /// </summary>
    public Func<int, Tensor> BatchSampler(Device? device = null)
    {
        var dev = device ?? torch.CPU;
        var clips = Clips;
        return b =>
        {
            if (b < 1) throw new ArgumentOutOfRangeException(nameof(b), b, "a batch needs at least one clip.");
            using var idx = torch.randint(0, clips.shape[0], new long[] { b });
            return clips.index_select(0, idx).to(dev);
        };
    }

    /// <summary>The first <paramref name="perClass"/> clips of every class, grouped by class in label order: [K·perClass, 1, L].</summary>
    public (Tensor Clips, long[] Labels) Examples(int perClass)
    {
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "ask for at least one clip per class.");
        var labels = Labels.data<long>().ToArray();
        var picked = new List<long>();
        for (int k = 0; k < SynthAudio.ClassCount; k++)
            picked.AddRange(Enumerable.Range(0, labels.Length).Where(i => labels[i] == k).Take(perClass).Select(i => (long)i));
        using var idx = torch.tensor(picked.ToArray());
        return (Clips.index_select(0, idx), picked.Select(i => labels[i]).ToArray());
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"AudioSet: {Count} clips × {Length} samples ({Seconds:F3} s at {SampleRate} Hz), classes {string.Join(", ", ClassNames)}";

    /// <inheritdoc/>
    public void Dispose() { Clips.Dispose(); Labels.Dispose(); }
}

/// <summary>
/// A small audio data set made from a seed (no download): four kinds of sound (<see cref="SoundKind"/>) with random
/// pitch, onset, loudness and decay inside each class, so that every clip has a known class and a classifier trained
/// on real clips can judge generated ones (WaveGAN's inception-score protocol, Donahue et al. 2019, §6.1, on a
/// synthetic stand-in for SC09). The same seed gives the same clips on every machine (System.Random, doubles).
/// </summary>
public static class SynthAudio
{
    /// <summary>Class names in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["low note", "high note", "chirp", "drum"];

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 4;

    /// <summary>
    /// Generates <paramref name="perClass"/> clips of each class, interleaved (labels 0, 1, 2, 3, 0, 1, …).
    /// </summary>
    /// <param name="perClass">Clips per class (≥ 1).</param>
    /// <param name="length">Samples per clip (≥ 256; WaveGAN nets need a power-of-4 multiple of 16, e.g. 4096 or 16384).</param>
    /// <param name="sampleRate">Samples per second (4000–48000; the kit uses 8000).</param>
    /// <param name="seed">Seed of the clip parameters and noise.</param>
    public static AudioSet Generate(int perClass, int length = 4096, int sampleRate = 8000, int seed = 0)
    {
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "perClass must be ≥ 1 clip.");
        if (length < 256) throw new ArgumentOutOfRangeException(nameof(length), length, "a clip needs at least 256 samples (use 4096 or 16384 for WaveGAN).");
        if (sampleRate < 4000 || sampleRate > 48000)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "the sample rate must be 4000–48000 Hz (the highest class frequency is 3 kHz; 8000 Hz keeps it below Nyquist).");
        int n = perClass * ClassCount;
        var data = new float[n * length];
        var labels = new long[n];
        var rng = new Random(seed);
        var clip = new double[length];
        for (int i = 0; i < n; i++)
        {
            var kind = (SoundKind)(i % ClassCount);
            labels[i] = (long)kind;
            Render(kind, clip, sampleRate, rng);
            Array.Copy(clip.Select(v => (float)v).ToArray(), 0, data, (long)i * length, length);
        }
        return new AudioSet(torch.tensor(data, new long[] { n, 1, length }), torch.tensor(labels), sampleRate);
    }

    /// <summary>Writes one clip of <paramref name="kind"/> into <paramref name="clip"/> (peak in [0.5, 0.9]).</summary>
    public static void Render(SoundKind kind, double[] clip, int sampleRate, Random rng)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(rng);
        int length = clip.Length;
        Array.Clear(clip);
        double U(double a, double b) => a + (b - a) * rng.NextDouble();
        // Onset in the first fifth, so that the sound fills most of a clip and the position varies (what phase shuffle is about).
        int onset = (int)U(0, 0.2 * length);
        double peak = U(0.5, 0.9);
        double dt = 1.0 / sampleRate;
        switch (kind)
        {
            case SoundKind.LowNote:
            case SoundKind.HighNote:
            {
                // Pitches on an equal-tempered scale: A2..A3 (110–220 Hz) or A4..A5 (440–880 Hz).
                double f0 = (kind == SoundKind.LowNote ? 110.0 : 440.0) * Math.Pow(2, rng.Next(0, 13) / 12.0);
                double tau = U(0.08, 0.25), attack = 0.01, phase = U(0, 2 * Math.PI);
                for (int t = onset; t < length; t++)
                {
                    double s = (t - onset) * dt;
                    double env = Math.Min(1, s / attack) * Math.Exp(-s / tau);
                    clip[t] = env * (Math.Sin(2 * Math.PI * f0 * s + phase) + 0.3 * Math.Sin(4 * Math.PI * f0 * s) + 0.1 * Math.Sin(6 * Math.PI * f0 * s)) / 1.4;
                }
                break;
            }
            case SoundKind.Chirp:
            {
                double f1 = U(200, 400), f2 = U(1600, 3000), dur = (length - onset) * dt, phase = 0;
                for (int t = onset; t < length; t++)
                {
                    double s = (t - onset) * dt, u = s / dur;
                    double f = f1 * Math.Pow(f2 / f1, u);
                    phase += 2 * Math.PI * f * dt;
                    // Raised-cosine fade in and out: no click at the ends.
                    double env = Math.Sin(Math.PI * Math.Min(1, u)) ;
                    clip[t] = env * Math.Sin(phase);
                }
                break;
            }
            case SoundKind.Drum:
            {
                double tauNoise = U(0.02, 0.06), tauThump = U(0.06, 0.15), f0 = U(60, 120), mix = U(0.3, 0.7), phase = 0;
                for (int t = onset; t < length; t++)
                {
                    double s = (t - onset) * dt;
                    double f = f0 * (1 + Math.Exp(-s / 0.02));     // pitch falls to f0 within ~20 ms
                    phase += 2 * Math.PI * f * dt;
                    double noise = 2 * rng.NextDouble() - 1;
                    clip[t] = mix * noise * Math.Exp(-s / tauNoise) + (1 - mix) * Math.Sin(phase) * Math.Exp(-s / tauThump);
                }
                break;
            }
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown sound kind.");
        }
        double max = clip.Max(Math.Abs);
        if (max > 0) for (int t = 0; t < length; t++) clip[t] *= peak / max;
    }
}
