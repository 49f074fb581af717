using System.Runtime.InteropServices;
using SkiaSharp;
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
/// A grid of images rendered to PNG with SkiaSharp (the torchvision make_grid layout): a tensor
/// [N, C, H, W] with C = 1 (grey) or 3 (RGB) becomes rows of <c>nrow</c> tiles separated by padding.
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

        var rgba = new byte[width * height * 4];
        byte pad = (byte)Math.Round(padIntensity * 255);
        for (int i = 0; i < rgba.Length; i += 4) { rgba[i] = rgba[i + 1] = rgba[i + 2] = pad; rgba[i + 3] = 255; }

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
                        int off = (row * width + gx + x * s) * 4;
                        for (int dx = 0; dx < s; dx++, off += 4) { rgba[off] = r; rgba[off + 1] = g; rgba[off + 2] = b; }
                    }
                }
        }
        return new ImageGrid(EncodePng(rgba, width, height), width, height, rows, cols, s);
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

    static byte[] EncodePng(byte[] rgba, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var dst = bitmap.GetPixels();
        int rowBytes = bitmap.RowBytes;
        for (int y = 0; y < height; y++)
            Marshal.Copy(rgba, y * width * 4, dst + y * rowBytes, width * 4);
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the PNG (is the native libSkiaSharp loadable?).");
        return encoded.ToArray();
    }
}
