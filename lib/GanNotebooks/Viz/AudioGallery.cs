using System.Text;
using GanNotebooks.Core;
using GanNotebooks.Data.Audio;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Viz;

/// <summary>
/// Clips a person can hear and see: each as an HTML &lt;audio controls&gt; element whose source is a 16-bit PCM WAV
/// data URI (<see cref="Wav"/>), under it its spectrogram as a PNG (time → right, frequency ↑, dB grey levels over an
/// 80 dB range). Nothing is fetched: it plays in JupyterLab, Notebook 7, VS Code and in the runner's offline HTML
/// report. Registered as text/html by <see cref="Formatters.Register"/>.
/// </summary>
public sealed class AudioGallery
{
    readonly List<(string Caption, byte[] Wav, ImageGrid Spectrogram)> _items = new();

    AudioGallery(int sampleRate, int columns) { SampleRate = sampleRate; Columns = columns; }

    /// <summary>Samples per second of every clip.</summary>
    public int SampleRate { get; }

    /// <summary>Clips per row.</summary>
    public int Columns { get; }

    /// <summary>Number of clips.</summary>
    public int Count => _items.Count;

    /// <summary>The WAV file of clip <paramref name="i"/>.</summary>
    public byte[] WavBytes(int i) => _items[i].Wav;

    /// <summary>The spectrogram picture of clip <paramref name="i"/>.</summary>
    public ImageGrid SpectrogramImage(int i) => _items[i].Spectrogram;

    /// <summary>
    /// A gallery of clips [N, 1, L] (or [N, L]) in [−1, 1] with optional captions (default "clip i").
    /// </summary>
    /// <param name="clips">Waveforms (any device; values outside [−1, 1] are clipped in the WAV).</param>
    /// <param name="sampleRate">Samples per second.</param>
    /// <param name="captions">One caption per clip, or null.</param>
    /// <param name="columns">Clips per row (≥ 1).</param>
    /// <param name="frame">Spectrogram frame (power of two; hop = frame/8).</param>
    public static AudioGallery Of(Tensor clips, int sampleRate, IReadOnlyList<string>? captions = null, int columns = 4, int frame = 256)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "a gallery needs at least one column.");
        var x = clips.dim() == 3 && clips.shape[1] == 1 ? clips.squeeze(1) : clips.dim() == 2 ? clips.alias()
            : throw new ArgumentException($"clips must be [N, 1, L] or [N, L]; got {Shapes.Of(clips)}.", nameof(clips));
        int n = (int)x.shape[0];
        if (captions is not null && captions.Count != n) throw new ArgumentException($"{captions.Count} captions for {n} clips.", nameof(captions));
        var g = new AudioGallery(sampleRate, columns);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var cpu = x.detach().cpu().to_type(ScalarType.Float32);
        var spec = Spectrogram.LogMagnitude(cpu, frame, frame / 8);        // [N, T, F]
        for (int i = 0; i < n; i++)
        {
            var wav = Wav.Encode(cpu[i], sampleRate);
            // [T, F] → [F, T] with low frequencies at the bottom; top 80 dB of this clip mapped to [0, 1].
            var s = spec[i].t().flip(0);
            var top = s.max();
            var img = ((s - top + 80) / 80).clamp(0, 1).unsqueeze(0).unsqueeze(0);
            var grid = ImageGrid.FromTensor(img, PixelRange.ZeroToOne, nrow: 1, padding: 0, scale: 2);
            g._items.Add((captions?[i] ?? $"clip {i}", wav, grid));
        }
        return g;
    }

    /// <summary>The gallery as an HTML fragment: a flex row of cards (caption, audio player, spectrogram).</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"gankit-audio\" style=\"display:flex;flex-wrap:wrap;gap:8px;max-width:")
          .Append(Columns * 300).Append("px\">");
        foreach (var (caption, wav, spec) in _items)
        {
            sb.Append("<figure style=\"margin:0;width:280px\"><figcaption style=\"font:12px sans-serif\">")
              .Append(System.Net.WebUtility.HtmlEncode(caption)).Append("</figcaption>")
              .Append("<audio controls preload=\"auto\" style=\"width:280px\" src=\"data:audio/wav;base64,")
              .Append(Convert.ToBase64String(wav)).Append("\"></audio><br/>")
              .Append("<img alt=\"spectrogram of ").Append(System.Net.WebUtility.HtmlEncode(caption)).Append("\" src=\"")
              .Append(spec.ToDataUri()).Append("\" width=\"").Append(spec.Width).Append("\" height=\"").Append(spec.Height)
              .Append("\" style=\"image-rendering:pixelated\"/></figure>");
        }
        sb.Append("</div>");
        return sb.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => $"AudioGallery: {Count} clip(s) at {SampleRate} Hz";
}
