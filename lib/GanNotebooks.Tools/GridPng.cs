using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>A preview grid of images as PNG bytes (for looking at data sets; the notebooks use the kit's Viz grids).</summary>
static class GridPng
{
    /// <summary>Images [N, C, H, W] in [−1, 1] with C = 1 or 3 → PNG of a grid with <paramref name="columns"/> columns, 1-pixel gaps.</summary>
    public static byte[] Encode(Tensor images, int columns, int scale = 1)
    {
        using var scope = torch.NewDisposeScope();
        int n = (int)images.shape[0], c = (int)images.shape[1], h = (int)images.shape[2], w = (int)images.shape[3];
        if (c is not (1 or 3)) throw new ArgumentException($"Images need 1 or 3 channels; got {c}.", nameof(images));
        var bytes = ((images.detach().cpu().clamp(-1, 1) + 1) * 127.5).round().to_type(ScalarType.Byte).contiguous().data<byte>().ToArray();
        int rows = (n + columns - 1) / columns, gap = 1;
        int width = columns * (w * scale + gap) + gap, height = rows * (h * scale + gap) + gap;
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor(255, 255, 255));
        for (int i = 0; i < n; i++)
        {
            int ox = gap + (i % columns) * (w * scale + gap), oy = gap + (i / columns) * (h * scale + gap);
            for (int y = 0; y < h * scale; y++)
                for (int x = 0; x < w * scale; x++)
                {
                    int p = (y / scale) * w + x / scale, plane = h * w, baseIndex = i * c * plane;
                    byte r = bytes[baseIndex + p];
                    byte g = c == 3 ? bytes[baseIndex + plane + p] : r;
                    byte b = c == 3 ? bytes[baseIndex + 2 * plane + p] : r;
                    bitmap.SetPixel(ox + x, oy + y, new SKColor(r, g, b));
                }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
