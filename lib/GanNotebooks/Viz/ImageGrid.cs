using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Viz;

/// <summary>Value range of image tensors given to <see cref="ImageGrid"/>.</summary>
public enum PixelRange
{
    /// <summary>[−1, 1], the range of a tanh generator output (DCGAN): −1 → black, +1 → white.</summary>
    MinusOneToOne,
    /// <summary>[0, 1]: 0 → black, 1 → white.</summary>
    ZeroToOne,
}

/// <summary>
/// A grid of images rendered to PNG with SixLabors.ImageSharp 2.1.13 (fully managed; the torchvision make_grid
/// layout): a tensor [N, C, H, W] with C = 1 (grey) or 3 (RGB) becomes rows of <c>nrow</c> tiles separated by
/// padding. Grey tensors give an 8-bit greyscale PNG, RGB tensors an 8-bit RGB PNG (opaque, no alpha).
/// Values outside the stated range are clamped; NaN pixels are drawn black. Renders inline through
/// <see cref="IPngImage"/> (headless runner) or <see cref="Formatters.Register"/> (Polyglot Notebooks).
/// </summary>
public sealed class ImageGrid : IPngImage
{
    ImageGrid(byte[] png, int width, int height, int rows, int columns, int scale)
        => (PngBytes, Width, Height, Rows, Columns, Scale) = (png, width, height, rows, columns, scale);

    /// <inheritdoc/>
    public byte[] PngBytes { get; }
    /// <inheritdoc/>
    public int Width { get; }
    /// <inheritdoc/>
    public int Height { get; }
    /// <summary>Number of tile rows.</summary>
    public int Rows { get; }
    /// <summary>Tiles per row.</summary>
    public int Columns { get; }
    /// <summary>Nearest-neighbour scale factor applied to every tile.</summary>
    public int Scale { get; }

    /// <summary>
    /// Renders <paramref name="images"/> [N, C, H, W] (or one image [C, H, W]; any device and float
    /// dtype) as a grid with <paramref name="nrow"/> images per row (torchvision convention),
    /// <paramref name="padding"/> pixels between and around tiles (in output pixels), and tiles scaled
    /// up by <paramref name="scale"/> (0 = automatic: small images such as 28×28 are enlarged to about
    /// 56 px). <paramref name="padIntensity"/> is the grey level of the padding in [0, 1].
    /// </summary>
    public static ImageGrid FromTensor(Tensor images, PixelRange range = PixelRange.MinusOneToOne, int nrow = 8, int padding = 2, int scale = 0, double padIntensity = 0.5)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (nrow < 1) throw new ArgumentOutOfRangeException(nameof(nrow), nrow, "nrow (images per row) must be at least 1.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be zero or positive.");
        if (scale < 0 || scale > 64) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be 0 (automatic) or 1..64.");
        if (!(padIntensity >= 0 && padIntensity <= 1)) throw new ArgumentOutOfRangeException(nameof(padIntensity), padIntensity, "padIntensity must lie in [0, 1].");
        var shape = images.shape;
        if (shape.Length == 3) shape = new long[] { 1, shape[0], shape[1], shape[2] };
        if (shape.Length != 4)
            throw new ArgumentException($"Expected images of shape [N, C, H, W] or [C, H, W]; got [{string.Join(", ", images.shape)}]. For flat MNIST vectors use view(-1, 1, 28, 28).", nameof(images));
        long n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        if (c != 1 && c != 3) throw new ArgumentException($"Expected 1 (grey) or 3 (RGB) channels; got C = {c} in shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (n < 1 || h < 1 || w < 1) throw new ArgumentException($"Nothing to draw in a tensor of shape [{string.Join(", ", images.shape)}].", nameof(images));

        float[] data;
        using (var cpu = images.detach().to(ScalarType.Float32, torch.CPU).contiguous())
            data = cpu.data<float>().ToArray();

        int s = scale > 0 ? scale : AutoScale((int)Math.Max(h, w));
        int cols = (int)Math.Min(nrow, n), rows = (int)((n + nrow - 1) / nrow);
        int tileW = (int)w * s, tileH = (int)h * s;
        long widthL = (long)cols * (tileW + padding) + padding, heightL = (long)rows * (tileH + padding) + padding;
        if (widthL * heightL > 100_000_000) throw new ArgumentException($"The grid would be {widthL}×{heightL} pixels; show fewer images or use a smaller scale.");
        int width = (int)widthL, height = (int)heightL;

        // One byte per pixel for grey tensors (written as a greyscale PNG), three (R, G, B) for colour ones.
        int ch = c == 1 ? 1 : 3;
        var pixels = new byte[(long)width * height * ch];
        byte pad = (byte)Math.Round(padIntensity * 255);
        Array.Fill(pixels, pad);

        long plane = h * w;
        for (int k = 0; k < n; k++)
        {
            int gx = padding + (k % nrow) * (tileW + padding);
            int gy = padding + (k / nrow) * (tileH + padding);
            long baseIdx = k * c * plane;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    long p = baseIdx + y * w + x;
                    byte r = ToByte(data[p], range);
                    byte g = c == 3 ? ToByte(data[p + plane], range) : r;
                    byte b = c == 3 ? ToByte(data[p + 2 * plane], range) : r;
                    for (int dy = 0; dy < s; dy++)
                    {
                        int row = gy + y * s + dy;
                        long off = ((long)row * width + gx + x * s) * ch;
                        for (int dx = 0; dx < s; dx++, off += ch)
                        {
                            pixels[off] = r;
                            if (ch == 3) { pixels[off + 1] = g; pixels[off + 2] = b; }
                        }
                    }
                }
        }
        return new ImageGrid(EncodePng(pixels, width, height, grey: ch == 1), width, height, rows, cols, s);
    }

    /// <summary>Writes the PNG atomically: to a temporary file in the same folder, then renamed over <paramref name="path"/>.</summary>
    public void Save(string path) => GanNotebooks.Runtime.AtomicFile.WriteAllBytes(path, PngBytes);

    /// <summary>The PNG as a data URI (data:image/png;base64,…) for an &lt;img&gt; tag.</summary>
    public string ToDataUri() => "data:image/png;base64," + Convert.ToBase64String(PngBytes);

    /// <inheritdoc/>
    public override string ToString() => $"ImageGrid {Width}×{Height} px ({Rows}×{Columns} tiles, scale {Scale})";

    static int AutoScale(int size) => Math.Clamp((int)Math.Ceiling(56.0 / size), 1, 8);

    static byte ToByte(float v, PixelRange range)
    {
        if (float.IsNaN(v)) return 0;
        double u = range == PixelRange.MinusOneToOne ? (v + 1.0) / 2.0 : v;
        return (byte)Math.Round(Math.Clamp(u, 0.0, 1.0) * 255.0);
    }

    /// <summary>Lossless 8-bit PNG of the pixel buffer: L8 (one byte per pixel) or Rgb24 (three).</summary>
    static byte[] EncodePng(byte[] pixels, int width, int height, bool grey)
    {
        var encoder = new PngEncoder
        {
            ColorType = grey ? PngColorType.Grayscale : PngColorType.Rgb,
            BitDepth = PngBitDepth.Bit8,
        };
        using var stream = new MemoryStream();
        if (grey)
        {
            using var image = Image.LoadPixelData<L8>(pixels, width, height);
            image.SaveAsPng(stream, encoder);
        }
        else
        {
            using var image = Image.LoadPixelData<Rgb24>(pixels, width, height);
            image.SaveAsPng(stream, encoder);
        }
        return stream.ToArray();
    }
}
