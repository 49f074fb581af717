using GanNotebooks.Runtime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
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
/// Loads the user's own images (PNG, JPEG, also BMP/GIF/WebP) from a folder with SixLabors.ImageSharp 2.1.13
/// (fully managed) into an <see cref="ImageDataset"/>. Either the folder holds the images directly (one class named after the folder), or
/// it holds one subfolder per class (class names = subfolder names, sorted ordinally; label = index), as
/// torchvision's ImageFolder. Files are read in ordinal name order, so the result is reproducible.
/// The format is recognised from the file's content, not its extension; a GIF gives its first frame; EXIF
/// orientation is not applied. Each file must be at most <see cref="MaxFileBytes"/> long and at most
/// <see cref="MaxPixels"/> pixels (checked from the header before the image is decoded).
/// </summary>
public static class ImageFolder
{
    /// <summary>File extensions treated as images (case-insensitive); other files are ignored.</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <summary>Largest image file accepted, in bytes (128 MiB).</summary>
    public const long MaxFileBytes = 128L * 1024 * 1024;

    /// <summary>Largest image accepted, in pixels (width × height ≤ 8192 × 8192, 256 MiB once decoded).</summary>
    public const long MaxPixels = 8192L * 8192;

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
    /// <exception cref="InvalidDataException">No images found, or a file is damaged, not in a supported format, or
    /// larger than <see cref="MaxFileBytes"/> / <see cref="MaxPixels"/> (the message names the file and the fix).</exception>
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
        long length = new FileInfo(path).Length;
        if (length == 0)
            throw new InvalidDataException($"Image file '{path}' is empty (0 bytes). Copy it again, or remove it from the folder.");
        if (length > MaxFileBytes)
            throw new InvalidDataException(
                $"Image file '{path}' is {length / (1024.0 * 1024.0):F1} MiB, more than the {MaxFileBytes / (1024 * 1024)} MiB the kit reads. " +
                "Save a smaller copy (downscale it or export it as JPEG), or remove it from the folder.");
        byte[] bytes = File.ReadAllBytes(path);

        // The header first: the format and the dimensions, before anything large is allocated.
        IImageInfo? info;
        try { info = Image.Identify(Configuration.Default, bytes, out _); }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException) { throw Damaged(path, e); }
        if (info is null) throw Unsupported(path);
        if ((long)info.Width * info.Height > MaxPixels)
            throw new InvalidDataException(
                $"Image file '{path}' is {info.Width}×{info.Height} pixels, more than the {MaxPixels / 1_000_000.0:F1} megapixels " +
                $"(e.g. 8192×8192) the kit decodes. Save a smaller copy (the dataset uses {size}×{size} anyway), or remove it from the folder.");

        Image<Rgba32> image;
        try { image = Image.Load<Rgba32>(Configuration.Default, bytes); }
        catch (UnknownImageFormatException) { throw Unsupported(path); }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidMemoryOperationException) { throw Damaged(path, e); }

        using (image)
        {
            image.Mutate(ctx =>
            {
                if (resize == ResizeMode.CenterCrop && image.Width != image.Height)
                {
                    int side = Math.Min(image.Width, image.Height);
                    ctx.Crop(new Rectangle((image.Width - side) / 2, (image.Height - side) / 2, side, side));
                }
                // Bilinear (triangle) filter whose footprint grows with the shrink factor: averages over the
                // source pixels when shrinking a lot (no aliasing from photos). Alpha premultiplied while filtering.
                ctx.Resize(new ResizeOptions
                {
                    Size = new SixLabors.ImageSharp.Size(size, size),
                    Mode = SixLabors.ImageSharp.Processing.ResizeMode.Stretch,
                    Sampler = KnownResamplers.Triangle,
                    PremultiplyAlpha = true,
                });
            });

            int plane = size * size;
            float a = scale == PixelScale.MinusOneToOne ? 2f / 255f : 1f / 255f;
            float b = scale == PixelScale.MinusOneToOne ? -1f : 0f;
            var rgba = new Rgba32[plane];
            image.CopyPixelDataTo(rgba);
            for (int p = 0; p < plane; p++)
            {
                // Composited over black: transparent areas become black.
                var px = rgba[p];
                float alpha = px.A / 255f;
                float r = px.R * alpha, g = px.G * alpha, bl = px.B * alpha;
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

    static InvalidDataException Unsupported(string path) => new(
        $"Image file '{path}' is not in an image format the kit reads (PNG, JPEG, BMP, GIF or WebP, recognised from the content, " +
        "whatever the extension says). Convert it to PNG or JPEG, or remove it from the folder.");

    static InvalidDataException Damaged(string path, Exception e) => new(
        $"Image file '{path}' is damaged or truncated and cannot be decoded ({e.Message}). " +
        "Re-export or download it again, or remove it from the folder.", e);
}
