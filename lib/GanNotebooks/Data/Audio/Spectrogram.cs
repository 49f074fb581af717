using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Data.Audio;

/// <summary>
/// The kit's one short-time Fourier transform of clips: frames of <c>frame</c> samples every <c>hop</c> samples (no
/// padding), each multiplied by a periodic Hann window w[n] = sin²(πn/frame), then |rfft|. The spectrogram pictures
/// (<see cref="LogMagnitude"/>, shown by Viz) and the spectral statistics of Evaluation (WaveGAN's average power spectrum)
/// are both made from <see cref="Magnitude"/>.
/// </summary>
public static class Spectrogram
{
    /// <summary>Frames of <paramref name="frame"/> samples every <paramref name="hop"/> samples in a clip of <paramref name="length"/> samples: 1 + ⌊(length − frame)/hop⌋ (0 when shorter than a frame).</summary>
    public static long FrameCount(long length, int frame, int hop)
    {
        Check(frame, hop);
        return length < frame ? 0 : 1 + (length - frame) / hop;
    }

    /// <summary>
    /// |STFT| of clips [N, 1, L] or [N, L]: [N, frames, frame/2 + 1] (frames = <see cref="FrameCount"/>), in the clips'
    /// dtype and device. Bin k is k·sampleRate/frame Hz (<see cref="BinFrequencies"/>). A sine of amplitude A at the
    /// centre of bin k (0 &lt; k &lt; frame/2) has magnitude A·frame/4 there (the window's sum is frame/2); by Parseval,
    /// Σ_k c_k·|X_k|² = frame·Σ_n (w[n]·x[n])² with c_0 = c_{frame/2} = 1 and 2 for the other bins.
    /// </summary>
    /// <param name="clips">The waveforms.</param>
    /// <param name="frame">Window length in samples, a power of two ≥ 8.</param>
    /// <param name="hop">Samples between frame starts, 1..frame.</param>
    public static Tensor Magnitude(Tensor clips, int frame = 256, int hop = 64)
    {
        ArgumentNullException.ThrowIfNull(clips);
        Check(frame, hop);
        using var scope = torch.NewDisposeScope();
        var x = clips.dim() switch
        {
            3 when clips.shape[1] == 1 => clips.squeeze(1),
            2 => clips.alias(),
            _ => throw new ArgumentException($"clips must be [N, 1, L] or [N, L]; got {GanNotebooks.Core.Shapes.Of(clips)}.", nameof(clips)),
        };
        if (x.shape[1] < frame) throw new ArgumentException($"clips of {x.shape[1]} samples are shorter than one frame ({frame}).", nameof(clips));
        var window = torch.hann_window(frame, periodic: true, dtype: x.dtype, device: x.device);
        var frames = x.unfold(1, frame, hop) * window;                 // [N, T, frame]
        return torch.fft.rfft(frames, dim: -1).abs().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Log-magnitude spectrogram 20·log10(|STFT| + 1e-5) of clips [N, 1, L] or [N, L]: [N, frames, frame/2 + 1],
    /// frames = 1 + (L − frame)/hop. Bin k is k·sampleRate/frame Hz. |STFT| is <see cref="Magnitude"/>.
    /// </summary>
    public static Tensor LogMagnitude(Tensor clips, int frame = 256, int hop = 64)
    {
        using var scope = torch.NewDisposeScope();
        var mag = Magnitude(clips, frame, hop);
        return (20 * (mag + 1e-5).log10()).MoveToOuterDisposeScope();
    }

    /// <summary>Centre frequency in Hz of every bin of <see cref="Magnitude"/> and <see cref="LogMagnitude"/>.</summary>
    public static double[] BinFrequencies(int frame, int sampleRate) =>
        Enumerable.Range(0, frame / 2 + 1).Select(k => (double)k * sampleRate / frame).ToArray();

    static void Check(int frame, int hop)
    {
        if (frame < 8 || (frame & (frame - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(frame), frame, "the frame must be a power of two ≥ 8.");
        if (hop < 1 || hop > frame) throw new ArgumentOutOfRangeException(nameof(hop), hop, "the hop must be 1..frame samples.");
    }
}
