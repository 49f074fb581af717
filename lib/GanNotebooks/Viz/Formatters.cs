using Microsoft.DotNet.Interactive.Formatting;

namespace GanNotebooks.Viz;

/// <summary>
/// Registers the kit's HTML formatters with .NET Interactive, so that returning an
/// <see cref="ImageGrid"/> (any <see cref="IPngImage"/>) or a <see cref="Table"/> from a Polyglot
/// Notebooks cell renders it. The headless runner handles IPngImage and Plotly charts itself;
/// Plotly.NET brings its own formatter for GenericChart.
/// </summary>
public static class Formatters
{
    static readonly object Gate = new();

    /// <summary>Whether <see cref="Register"/> has run in this process.</summary>
    public static bool IsRegistered { get; private set; }

    /// <summary>Registers the formatters (idempotent; call once from the first notebook cell).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (IsRegistered) return;
            Formatter.Register<IPngImage>((img, writer) => writer.Write(ImgTag(img)), HtmlFormatter.MimeType);
            Formatter.Register<ImageGrid>((img, writer) => writer.Write(ImgTag(img)), HtmlFormatter.MimeType);
            Formatter.Register<Table>((t, writer) => writer.Write(t.ToHtml()), HtmlFormatter.MimeType);
            Formatter.Register<Table>((t, writer) => writer.Write(t.ToString()), PlainTextFormatter.MimeType);
            IsRegistered = true;
        }
    }

    /// <summary>An &lt;img&gt; tag that embeds the PNG as base64 (no file needed), at its pixel size.</summary>
    public static string ImgTag(IPngImage image, string alt = "image")
    {
        ArgumentNullException.ThrowIfNull(image);
        return $"<img src=\"data:image/png;base64,{Convert.ToBase64String(image.PngBytes)}\" width=\"{image.Width}\" height=\"{image.Height}\" alt=\"{System.Net.WebUtility.HtmlEncode(alt)}\" style=\"image-rendering: pixelated\"/>";
    }
}
