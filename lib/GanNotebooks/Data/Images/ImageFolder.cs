using GanNotebooks.Runtime;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Data.Images;

/// <summary>Colour handling when loading images.</summary>
public enum ColorMode
{
    /// <summary>One channel, luma Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's "L" mode).</summary>
    Grayscale,
    /// <summary>Three channels R, G, B.</summary>
    Rgb,
}

/// <summary>How an image is brought to the square target size.</summary>
public enum ResizeMode
{
    /// <summary>Cut the largest centred square, then scale it (keeps proportions; torchvision's Resize + CenterCrop).</summary>
    CenterCrop,
    /// <summary>Scale the whole image to the square (distorts non-square images).</summary>
    Stretch,
}

/// <summary>
/// Loads the user's own images (PNG, JPEG, also BMP/GIF/WebP) from a folder with SkiaSharp into an
/// <see cref="ImageDataset"/>. Either the folder holds the images directly (one class named after the folder), or
/// it holds one subfolder per class (class names = subfolder names, sorted ordinally; label = index), as
/// torchvision's ImageFolder. Files are read in ordinal name order, so the result is reproducible.
/// </summary>
public static class ImageFolder
{
    /// <summary>File extensions treated as images (case-insensitive); other files are ignored.</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <summary>Loads every image under <paramref name="folder"/>, resized to size×size.</summary>
    /// <param name="folder">The folder (images directly, or one subfolder per class).</param>
    /// <param name="size">Target height and width in pixels (e.g. 32 or 64).</param>
    /// <param name="color">Grayscale (C = 1) or RGB (C = 3). Transparent pixels are composited over black.</param>
    /// <param name="resize">Centre-crop to a square first (default) or stretch.</param>
    /// <param name="scale">[−1, 1] (default) or [0, 1].</param>
    /// <param name="limit">At most this many images (taken in file order).</param>
    /// <param name="device">null → <see cref="Devices.Current"/>.</param>
    /// <returns>Images [N, C, size, size] float32, labels [N] int64.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No images found, or a file cannot be decoded (the message names it).</exception>
    public static ImageDataset Load(string folder, int size = 32, ColorMode color = ColorMode.Grayscale,
        ResizeMode resize = ResizeMode.CenterCrop, PixelScale scale = PixelScale.MinusOneToOne, int? limit = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (size <= 0 || size > 4096) throw new ArgumentOutOfRangeException(nameof(size), size, "size must be between 1 and 4096 pixels.");
        if (limit is <= 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be positive (or null for all images).");
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Image folder '{folder}' does not exist.");

        var (files, classNames) = List(folder);
        if (limit is int l && files.Count > l) files = files.Take(l).ToList();

        int channels = color == ColorMode.Grayscale ? 1 : 3;
        int plane = size * size;
        var pixels = new float[(long)files.Count * channels * plane];
        var labels = new long[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            labels[i] = files[i].Label;
            Decode(files[i].Path, size, color, resize, scale, pixels.AsSpan(i * channels * plane, channels * plane));
        }

        NativeRuntime.EnsureLoadable();
        var dev = device ?? Devices.Current;
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(pixels, new long[] { files.Count, channels, size, size }).to(dev);
        var y = torch.tensor(labels).to(dev);
        return new ImageDataset(x, y, classNames, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), scale);
    }

    /// <summary>The image files with their labels, and the class names.</summary>
    static (List<(string Path, int Label)> Files, string[] ClassNames) List(string folder)
    {
        static IEnumerable<string> ImagesIn(string dir) => Directory.EnumerateFiles(dir)
            .Where(f => Extensions.Contains(Path.GetExtension(f)) && !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal);

        var direct = ImagesIn(folder).ToList();
        var classDirs = Directory.EnumerateDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('.') && ImagesIn(d).Any())
            .Order(StringComparer.Ordinal).ToList();

        if (direct.Count > 0 && classDirs.Count > 0)
            throw new InvalidDataException(
                $"Image folder '{folder}' holds both images ({Path.GetFileName(direct[0])}, …) and class subfolders " +
                $"({string.Join(", ", classDirs.Select(Path.GetFileName))}). Put all images in class subfolders, or all directly in the folder.");
        if (direct.Count > 0)
            return (direct.Select(f => (f, 0)).ToList(), [Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)))]);
        if (classDirs.Count > 0)
        {
            var files = classDirs.SelectMany((d, k) => ImagesIn(d).Select(f => (f, k))).ToList();
            return (files, classDirs.Select(d => Path.GetFileName(d)!).ToArray());
        }
        throw new InvalidDataException(
            $"Image folder '{folder}' contains no images: looked for {string.Join("/", Extensions)} files in it and in its " +
            "immediate subfolders (one subfolder per class).");
    }

    /// <summary>Decodes one file into [C, size, size] floats (channel planes), scaled.</summary>
    static void Decode(string path, int size, ColorMode color, ResizeMode resize, PixelScale scale, Span<float> target)
    {
        using var codec = SKCodec.Create(path)
            ?? throw new InvalidDataException($"Cannot read image file '{path}': not a PNG/JPEG/BMP/GIF/WebP image or damaged.");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var full = new SKBitmap(info);
        var result = codec.GetPixels(info, full.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new InvalidDataException($"Cannot decode image file '{path}': {result}.");
        if (result == SKCodecResult.IncompleteInput)
            throw new InvalidDataException($"Image file '{path}' is truncated (incomplete image data). Replace or remove it.");

        SKBitmap source = full;
        using var cropped = new SKBitmap();
        if (resize == ResizeMode.CenterCrop && info.Width != info.Height)
        {
            int side = Math.Min(info.Width, info.Height);
            var rect = SKRectI.Create((info.Width - side) / 2, (info.Height - side) / 2, side, side);
            if (!full.ExtractSubset(cropped, rect))
                throw new InvalidDataException($"Cannot crop image file '{path}' ({info.Width}×{info.Height}).");
            source = cropped;
        }
        // Linear filtering with mipmaps averages over the footprint when shrinking a lot (no aliasing from photos).
        using var small = source.Resize(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul),
            new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
            ?? throw new InvalidDataException($"Cannot resize image file '{path}' to {size}×{size}.");

        ReadOnlySpan<byte> rgba = small.GetPixelSpan();
        int plane = size * size;
        int rowBytes = small.RowBytes;
        float a = scale == PixelScale.MinusOneToOne ? 2f / 255f : 1f / 255f;
        float b = scale == PixelScale.MinusOneToOne ? -1f : 0f;
        for (int yy = 0; yy < size; yy++)
        for (int xx = 0; xx < size; xx++)
        {
            int o = yy * rowBytes + 4 * xx;
            // Premultiplied RGBA: transparent areas are already composited over black.
            float r = rgba[o], g = rgba[o + 1], bl = rgba[o + 2];
            int p = yy * size + xx;
            if (color == ColorMode.Grayscale)
                target[p] = (0.299f * r + 0.587f * g + 0.114f * bl) * a + b;
            else
            {
                target[p] = r * a + b;
                target[plane + p] = g * a + b;
                target[2 * plane + p] = bl * a + b;
            }
        }
    }
}
