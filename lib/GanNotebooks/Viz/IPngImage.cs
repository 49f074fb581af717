namespace GanNotebooks.Viz;

/// <summary>
/// Anything that renders as a PNG picture (image grids, frames). The headless runner writes such a
/// cell result as an image/png output; in Polyglot Notebooks the kit's HTML formatter shows it.
/// </summary>
public interface IPngImage
{
    /// <summary>The encoded PNG file.</summary>
    byte[] PngBytes { get; }
    /// <summary>Width in pixels.</summary>
    int Width { get; }
    /// <summary>Height in pixels.</summary>
    int Height { get; }
}
