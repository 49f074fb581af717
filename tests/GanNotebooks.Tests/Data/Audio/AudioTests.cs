using GanNotebooks.Data.Audio;
using GanNotebooks.Evaluation.Audio;
using GanNotebooks.Viz;
using Microsoft.DotNet.Interactive.Formatting;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Data.Audio;

public class AudioTests
{
    [Fact]
    public void Wav_header_has_the_known_bytes()
    {
        var wav = Wav.Encode(new float[] { 0, 1, -1, 0.5f }, 8000);
        Assert.Equal(44 + 8, wav.Length);
        var expected = new byte[]
        {
            (byte)'R', (byte)'I', (byte)'F', (byte)'F', 44, 0, 0, 0, (byte)'W', (byte)'A', (byte)'V', (byte)'E',
            (byte)'f', (byte)'m', (byte)'t', (byte)' ', 16, 0, 0, 0, 1, 0, 1, 0,
            0x40, 0x1F, 0, 0,            // 8000 Hz
            0x80, 0x3E, 0, 0,            // 16000 bytes/s
            2, 0, 16, 0,
            (byte)'d', (byte)'a', (byte)'t', (byte)'a', 8, 0, 0, 0,
            0, 0, 0xFF, 0x7F, 0x01, 0x80, 0x00, 0x40,   // 0, 32767, −32767, 16384 (round(0.5·32767))
        };
        Assert.Equal(expected, wav);
        var (back, rate) = Wav.Decode(wav);
        Assert.Equal(8000, rate);
        Assert.Equal(0.5, back[3], 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => Wav.Encode(new float[1], 0));
        Assert.Equal(new byte[] { 0xFF, 0x7F }, Wav.Encode(new float[] { 7f }, 8000)[44..]);   // clipped, not wrapped
    }

    [Fact]
    public void The_synthetic_set_is_deterministic_balanced_and_in_range()
    {
        using var a = SynthAudio.Generate(3, length: 1024, seed: 5);
        using var b = SynthAudio.Generate(3, length: 1024, seed: 5);
        using var c = SynthAudio.Generate(3, length: 1024, seed: 6);
        Assert.Equal(new long[] { 12, 1, 1024 }, a.Clips.shape);
        Assert.True(a.Clips.eq(b.Clips).all().item<bool>());
        Assert.False(a.Clips.eq(c.Clips).all().item<bool>());
        Assert.Equal(new long[] { 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3 }, a.Labels.data<long>().ToArray());
        var peak = a.Clips.abs().amax(new long[] { 1, 2 });
        Assert.True(peak.ge(0.5).all().item<bool>() && peak.le(0.9).all().item<bool>());
    }

    [Fact]
    public void A_pure_tone_peaks_at_its_bin_and_the_spectral_distance_is_zero_for_the_same_set()
    {
        using var scope = torch.NewDisposeScope();
        // 1000 Hz at 8000 Hz: bin 1000·256/8000 = 32 of a 256-sample frame.
        var t = torch.arange(2048, dtype: ScalarType.Float32) / 8000;
        var tone = torch.sin(2 * Math.PI * 1000 * t).view(1, 1, 2048);
        var spec = Spectrogram.LogMagnitude(tone, 256, 64);
        Assert.Equal(new long[] { 1, 29, 129 }, spec.shape);
        Assert.Equal(32L, spec[0, 5].argmax().item<long>());
        Assert.Equal(1000.0, Spectrogram.BinFrequencies(256, 8000)[32]);
        Assert.Equal(0.0, AudioMetrics.SpectralDistance(tone, tone), 6);
        Assert.True(AudioMetrics.SpectralDistance(tone, torch.sin(2 * Math.PI * 2000 * t).view(1, 1, 2048)) > 10);
    }

    [Fact]
    public void Inception_score_known_values()
    {
        using var scope = torch.NewDisposeScope();
        // Confident and balanced over 4 classes: exp(log 4) = 4. All clips alike: 1. Undecided: 1.
        Assert.Equal(4.0, AudioMetrics.InceptionScore(torch.eye(4, dtype: ScalarType.Float64)), 6);
        Assert.Equal(1.0, AudioMetrics.InceptionScore(torch.tensor(new double[,] { { 1, 0 }, { 1, 0 } })), 6);
        Assert.Equal(1.0, AudioMetrics.InceptionScore(torch.full(3, 4, 0.25, dtype: ScalarType.Float64)), 6);
        Assert.Throws<ArgumentException>(() => AudioMetrics.InceptionScore(torch.ones(4)));
    }

    [Fact]
    public void The_gallery_embeds_a_playable_wav_and_a_spectrogram()
    {
        using var scope = torch.NewDisposeScope();
        using var set = SynthAudio.Generate(1, length: 1024, seed: 2);
        var gallery = AudioGallery.Of(set.Clips, set.SampleRate, set.ClassNames);
        Assert.Equal(4, gallery.Count);
        var html = gallery.ToHtml();
        Assert.Equal(4, html.Split("<audio controls").Length - 1);
        Assert.Contains("src=\"data:audio/wav;base64,UklGR", html);          // "RIFF" in base64
        Assert.Contains("data:image/png;base64,", html);
        Assert.Contains("chirp", html);
        var (samples, rate) = Wav.Decode(gallery.WavBytes(2));
        Assert.Equal(8000, rate);
        Assert.Equal(1024, samples.Length);
        Assert.Throws<ArgumentException>(() => AudioGallery.Of(set.Clips, 8000, ["one"]));
    }

    [Fact]
    public void The_gallery_is_formatted_as_html_only_so_the_report_keeps_the_audio_element()
    {
        Formatters.Register();
        using var scope = torch.NewDisposeScope();
        using var set = SynthAudio.Generate(1, length: 1024, seed: 3);
        var gallery = AudioGallery.Of(set.Clips.narrow(0, 0, 1), set.SampleRate, ["one"]);
        // The runner's report prefers image/png over text/html: a PNG here would replace the player with a picture.
        Assert.Equal([HtmlFormatter.MimeType], Formatter.GetPreferredMimeTypesFor(typeof(AudioGallery)));
        Assert.Contains("<audio controls", gallery.ToDisplayString(HtmlFormatter.MimeType));
    }
}
