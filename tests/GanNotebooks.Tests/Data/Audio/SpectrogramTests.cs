using GanNotebooks.Data.Audio;
using GanNotebooks.Evaluation.Audio;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Data.Audio;

/// <summary>
/// The kit's one STFT (<see cref="Spectrogram.Magnitude"/>) against closed forms: the frame count, where a pure sine's
/// energy goes under a periodic Hann window, and Parseval's relation for windowed frames. Both of its users
/// (the spectrogram pictures and WaveGAN's average power spectrum) are checked to be made from it.
/// </summary>
public class SpectrogramTests
{
    const int N = 256;

    /// <summary>A sin(2π·k·n/N + φ) for n = 0…length−1, as float64 [1, 1, length].</summary>
    static Tensor Sine(double amplitude, double bin, double phase, int length) =>
        (amplitude * torch.sin(2 * Math.PI * bin / N * torch.arange(length, dtype: ScalarType.Float64) + phase)).view(1, 1, length);

    [Fact]
    public void Frame_count_is_one_plus_the_whole_hops_after_the_first_frame()
    {
        Assert.Equal(29, Spectrogram.FrameCount(2048, 256, 64));       // 1 + 1792/64
        Assert.Equal(8, Spectrogram.FrameCount(1000, 256, 100));       // 1 + ⌊744/100⌋: the last 44 samples start no frame
        Assert.Equal(1, Spectrogram.FrameCount(256, 256, 1));
        Assert.Equal(0, Spectrogram.FrameCount(255, 256, 64));
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 3, 8, N / 2 + 1 }, Spectrogram.Magnitude(torch.zeros(3, 1000), N, 100).shape);
        Assert.Equal(new long[] { 2, 29, N / 2 + 1 }, Spectrogram.LogMagnitude(torch.zeros(2, 1, 2048), N, 64).shape);
    }

    [Fact]
    public void A_sine_at_a_bin_centre_puts_two_thirds_of_its_energy_in_that_bin_and_a_sixth_in_each_neighbour()
    {
        using var scope = torch.NewDisposeScope();
        // Periodic Hann w = ½ − ¼e^{2πin/N} − ¼e^{−2πin/N}: a sine of amplitude A at bin k (0 < k < N/2) gives |X_k| = A·N/4,
        // |X_{k±1}| = A·N/8 and 0 elsewhere, in every frame whatever its phase. Energies: (1/16) / (1/16 + 2/64) = 2/3 in bin k.
        const double a = 0.7;
        const int k = 32;
        var mag = Spectrogram.Magnitude(Sine(a, k, 0.3, N + 4 * 64), N, 64);    // [1, 5, 129]
        Assert.Equal(5, mag.shape[1]);
        var expected = torch.zeros(N / 2 + 1, dtype: ScalarType.Float64);
        expected[k] = a * N / 4;
        expected[k - 1] = expected[k + 1] = a * N / 8;
        for (int t = 0; t < 5; t++)
            Assert.True(mag[0, t].allclose(expected, rtol: 0, atol: 1e-9), $"frame {t}: {string.Join(", ", mag[0, t].narrow(0, k - 2, 5).data<double>().ToArray())}");
        var energy = mag[0, 0].square();
        Assert.Equal(2.0 / 3, (energy[k] / energy.sum()).item<double>(), 12);
        Assert.Equal(1.0 / 6, (energy[k + 1] / energy.sum()).item<double>(), 12);
        Assert.Equal(1000.0, Spectrogram.BinFrequencies(N, 8000)[k]);             // bin k is k·rate/N Hz
    }

    [Fact]
    public void Parseval_holds_for_every_hann_windowed_frame()
    {
        using var scope = torch.NewDisposeScope();
        // Σ_k c_k |X_k|² = N·Σ_n (w[n]·x[n])² with c = 1 at k = 0 and N/2, 2 between (rfft keeps half the spectrum),
        // and w[n] = sin²(πn/N) (periodic Hann), both sides computed independently of the library's window.
        var random = new Random(11);
        const int length = 700, hop = 96;
        var x = Enumerable.Range(0, length).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var mag = Spectrogram.Magnitude(torch.tensor(x).view(1, length), N, hop);
        var c = Enumerable.Range(0, N / 2 + 1).Select(j => j == 0 || j == N / 2 ? 1.0 : 2.0).ToArray();
        long frames = Spectrogram.FrameCount(length, N, hop);
        Assert.Equal(frames, mag.shape[1]);
        for (int t = 0; t < frames; t++)
        {
            double time = 0;
            for (int n = 0; n < N; n++) { double w = Math.Pow(Math.Sin(Math.PI * n / N), 2); time += Math.Pow(w * x[t * hop + n], 2); }
            var m = mag[0, t].data<double>().ToArray();
            double freq = m.Select((v, j) => c[j] * v * v).Sum();
            Assert.Equal(N * time, freq, 1e-9 * N * time);
        }
    }

    [Fact]
    public void The_spectrogram_pictures_and_the_average_power_spectrum_are_made_from_the_one_stft()
    {
        using var scope = torch.NewDisposeScope();
        var clips = torch.randn(new long[] { 3, 1, 1024 }, generator: new torch.Generator(5));
        var mag = Spectrogram.Magnitude(clips, 128, 32);
        Assert.True(Spectrogram.LogMagnitude(clips, 128, 32).eq(20 * (mag + 1e-5).log10()).all().item<bool>());
        var power = Spectrogram.Magnitude(clips, N, 128).square().mean(new long[] { 0, 1 });
        Assert.True(AudioMetrics.AverageLogSpectrum(clips).eq(10 * (power + 1e-10).log10()).all().item<bool>());
    }

    [Fact]
    public void Invalid_frames_hops_and_clips_throw_with_the_rule()
    {
        using var scope = torch.NewDisposeScope();
        var clips = torch.zeros(1, 512);
        Assert.Contains("power of two", Assert.Throws<ArgumentOutOfRangeException>(() => Spectrogram.Magnitude(clips, 100, 10)).Message);
        Assert.Contains("1..frame", Assert.Throws<ArgumentOutOfRangeException>(() => Spectrogram.Magnitude(clips, 64, 0)).Message);
        Assert.Contains("1..frame", Assert.Throws<ArgumentOutOfRangeException>(() => Spectrogram.FrameCount(512, 64, 65)).Message);
        Assert.Contains("shorter than one frame", Assert.Throws<ArgumentException>(() => Spectrogram.Magnitude(torch.zeros(1, 100), 128, 32)).Message);
        Assert.Contains("[N, 1, L] or [N, L]", Assert.Throws<ArgumentException>(() => Spectrogram.Magnitude(torch.zeros(1, 2, 512))).Message);
    }
}
