using GanNotebooks.Runtime;
using System.Buffers.Binary;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Data.Images;

/// <summary>How pixel bytes 0..255 are mapped to floats.</summary>
public enum PixelScale
{
    /// <summary>x/127.5 − 1 ∈ [−1, 1]: matches a tanh generator output (DCGAN, Radford et al. 2016). Background 0 → −1.</summary>
    MinusOneToOne,
    /// <summary>x/255 ∈ [0, 1]: matches a sigmoid output. Background 0 → 0.</summary>
    ZeroToOne,
}

/// <summary>The parsed content of an IDX file (header checked; data are the raw bytes after the header).</summary>
/// <param name="Path">The file it came from.</param>
/// <param name="Magic">The 32-bit magic number, e.g. 0x00000803.</param>
/// <param name="Dimensions">Sizes of the dimensions, outermost first (e.g. [N, 28, 28]).</param>
/// <param name="Data">The unsigned bytes, row-major, length = product of <paramref name="Dimensions"/>.</param>
public sealed record IdxContent(string Path, int Magic, int[] Dimensions, byte[] Data)
{
    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Dimensions[0];
}

/// <summary>
/// Reader and writer for the IDX format of LeCun, Cortes and Burges' MNIST files (also used by Fashion-MNIST):
/// a big-endian header — two zero bytes, a data-type byte (0x08 = unsigned byte), a byte giving the number of
/// dimensions, then one 32-bit size per dimension — followed by the data. Image files are 0x00000803
/// ([N, rows, cols]) and label files 0x00000801 ([N]). Files may be gzipped (detected by the gzip magic 1f 8b,
/// not by the file name).
/// </summary>
public static class Idx
{
    /// <summary>Magic number of an IDX image file: ubyte data, 3 dimensions.</summary>
    public const int ImagesMagic = 0x00000803;
    /// <summary>Magic number of an IDX label file: ubyte data, 1 dimension.</summary>
    public const int LabelsMagic = 0x00000801;
    /// <summary>The only data type this reader accepts: unsigned byte.</summary>
    public const byte UByte = 0x08;

    /// <summary>
    /// Reads and checks an IDX file (gzipped or not). Checks the magic number against
    /// <paramref name="expectedMagic"/>, the data type, and that the length equals header + product of dimensions.
    /// </summary>
    /// <exception cref="InvalidDataException">The message names the file and what is wrong.</exception>
    public static IdxContent Read(string path, int expectedMagic)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        byte[] bytes = ReadMaybeGzipped(path, out bool gzipped);
        string what = gzipped ? "bytes after gunzip" : "bytes";
        string kind = Describe(expectedMagic);

        if (bytes.Length < 4)
            throw new InvalidDataException($"IDX file '{path}' is truncated: expected at least a 4-byte header, got {bytes.Length} {what}.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
        {
            string hint = (magic, expectedMagic) switch
            {
                (LabelsMagic, ImagesMagic) => " This is a label file; pass the images file (…-images-idx3-ubyte) here.",
                (ImagesMagic, LabelsMagic) => " This is an image file; pass the labels file (…-labels-idx1-ubyte) here.",
                _ when (magic & unchecked((int)0xFFFF0000)) != 0 => " The first two bytes must be zero: this is not an IDX file (or a corrupted one).",
                _ when ((magic >> 8) & 0xFF) != UByte => $" Data type 0x{(magic >> 8) & 0xFF:X2} is not supported; only 0x08 (unsigned byte) is.",
                _ => "",
            };
            throw new InvalidDataException(
                $"IDX file '{path}' has the wrong magic number: found 0x{magic:X8}, expected 0x{expectedMagic:X8} ({kind}).{hint}");
        }
        int rank = expectedMagic & 0xFF;
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new InvalidDataException(
                $"IDX file '{path}' is truncated: expected a {headerLength}-byte header, got {bytes.Length} {what}.");
        var dims = new int[rank];
        long items = 1;
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (dims[d] < 0 || (d > 0 && dims[d] == 0))
                throw new InvalidDataException($"IDX file '{path}' has an invalid dimension {d}: {dims[d]}.");
            items *= dims[d];
        }
        long expected = headerLength + items;
        string shape = string.Join("×", dims);
        if (bytes.Length < expected)
            throw new InvalidDataException(
                $"IDX file '{path}' is truncated: expected {expected} bytes (header {headerLength} + {shape}), got {bytes.Length} {what}. " +
                "Copy or download the file again.");
        if (bytes.Length > expected)
            throw new InvalidDataException(
                $"IDX file '{path}' is longer than its header says: expected {expected} bytes (header {headerLength} + {shape}), " +
                $"got {bytes.Length} {what}.");
        return new IdxContent(path, magic, dims, bytes[headerLength..]);
    }

    /// <summary>
    /// Reads an IDX image file as a float tensor of shape [N, 1, rows, cols] on <paramref name="device"/>
    /// (default <see cref="Devices.Current"/>), scaled by <paramref name="scale"/>.
    /// </summary>
    /// <param name="path">IDX3 ubyte file, gzipped or not.</param>
    /// <param name="scale">[−1, 1] (default) or [0, 1].</param>
    /// <param name="limit">Keep only the first <c>limit</c> images (null: all).</param>
    /// <param name="device">Where the tensor lives; null → <see cref="Devices.Current"/>.</param>
    /// <returns>float32 [N, 1, rows, cols], detached from any dispose scope (the caller owns it).</returns>
    public static Tensor ReadImages(string path, PixelScale scale = PixelScale.MinusOneToOne, int? limit = null, Device? device = null)
    {
        var idx = Read(path, ImagesMagic);
        int n = Limit(idx.Count, limit);
        return BytesToImages(idx.Data, n, 1, idx.Dimensions[1], idx.Dimensions[2], scale, device);
    }

    /// <summary>Reads an IDX label file as an int64 tensor of shape [N] on <paramref name="device"/>.</summary>
    /// <param name="path">IDX1 ubyte file, gzipped or not.</param>
    /// <param name="limit">Keep only the first <c>limit</c> labels (null: all).</param>
    /// <param name="device">Where the tensor lives; null → <see cref="Devices.Current"/>.</param>
    /// <returns>int64 [N], detached from any dispose scope.</returns>
    public static Tensor ReadLabels(string path, int? limit = null, Device? device = null)
    {
        var idx = Read(path, LabelsMagic);
        int n = Limit(idx.Count, limit);
        return BytesToLabels(idx.Data, n, device);
    }

    /// <summary>
    /// Reads an images file and its labels file into an <see cref="ImageDataset"/>; checks that both hold the
    /// same number of items and that every label has a class name.
    /// </summary>
    /// <param name="imagesPath">IDX3 image file.</param>
    /// <param name="labelsPath">IDX1 label file.</param>
    /// <param name="classNames">Name of each label value (index = label); null → "0", "1", … up to the largest label.</param>
    /// <param name="name">Dataset name shown by <see cref="ImageDataset.ToString"/>.</param>
    /// <param name="scale">Pixel scaling.</param>
    /// <param name="limit">First N items only.</param>
    /// <param name="padTo">Pad images to padTo×padTo with the background value (e.g. 32 for a DCGAN with 4 stride-2 layers).</param>
    /// <param name="device">null → <see cref="Devices.Current"/>.</param>
    /// <returns>Images [N, 1, H, W] float32 and labels [N] int64.</returns>
    public static ImageDataset Load(string imagesPath, string labelsPath, IReadOnlyList<string>? classNames = null, string? name = null,
        PixelScale scale = PixelScale.MinusOneToOne, int? limit = null, int? padTo = null, Device? device = null)
    {
        var images = Read(imagesPath, ImagesMagic);
        var labels = Read(labelsPath, LabelsMagic);
        if (images.Count != labels.Count)
            throw new InvalidDataException(
                $"Image/label count mismatch: '{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labels.Count} labels. " +
                "Use the labels file that belongs to these images (same split: train-… with train-…, t10k-… with t10k-…).");
        int n = Limit(images.Count, limit);
        int maxLabel = n == 0 ? -1 : labels.Data.AsSpan(0, n).ToArray().Max();
        if (classNames is null)
            classNames = Enumerable.Range(0, maxLabel + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        else if (maxLabel >= classNames.Count)
            throw new InvalidDataException(
                $"'{labelsPath}' contains label {maxLabel} but only {classNames.Count} class names were given.");

        var x = BytesToImages(images.Data, n, 1, images.Dimensions[1], images.Dimensions[2], scale, device);
        var y = BytesToLabels(labels.Data, n, device);
        var ds = new ImageDataset(x, y, classNames, name ?? Path.GetFileName(imagesPath), scale);
        if (padTo is null) return ds;
        using (ds) return ds.PadTo(padTo.Value);
    }

    /// <summary>Writes an IDX3 ubyte image file ([count, height, width]); gzipped when <paramref name="gzip"/>.</summary>
    /// <param name="path">Destination (overwritten).</param>
    /// <param name="pixels">count·height·width bytes, row-major.</param>
    /// <param name="count">Number of images N.</param>
    /// <param name="height">Rows per image.</param>
    /// <param name="width">Columns per image.</param>
    /// <param name="gzip">Gzip the file (as the official MNIST files are).</param>
    public static void WriteImages(string path, ReadOnlySpan<byte> pixels, int count, int height, int width, bool gzip = true)
    {
        if ((long)count * height * width != pixels.Length)
            throw new ArgumentException($"pixels has {pixels.Length} bytes, expected count·height·width = {(long)count * height * width}.", nameof(pixels));
        Write(path, ImagesMagic, [count, height, width], pixels, gzip);
    }

    /// <summary>Writes an IDX1 ubyte label file ([count]); gzipped when <paramref name="gzip"/>.</summary>
    public static void WriteLabels(string path, ReadOnlySpan<byte> labels, bool gzip = true) =>
        Write(path, LabelsMagic, [labels.Length], labels, gzip);

    /// <summary>Writes any IDX ubyte file: magic, dimensions, data.</summary>
    public static void Write(string path, int magic, int[] dimensions, ReadOnlySpan<byte> data, bool gzip = true)
    {
        var header = new byte[4 + 4 * dimensions.Length];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (int d = 0; d < dimensions.Length; d++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * d), dimensions[d]);
        using var file = File.Create(path);
        using Stream target = gzip ? new GZipStream(file, CompressionLevel.Optimal) : file;
        target.Write(header);
        target.Write(data);
    }

    /// <summary>Reads a whole file, gunzipping it when it starts with the gzip magic bytes 1f 8b.</summary>
    internal static byte[] ReadMaybeGzipped(string path, out bool gzipped)
    {
        var raw = File.ReadAllBytes(path);
        gzipped = raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b;
        if (!gzipped) return raw;
        try
        {
            using var input = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream(raw.Length * 4);
            input.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX file '{path}' starts like a gzip file but is not a valid one ({e.Message}). Copy or download it again.", e);
        }
    }

    static string Describe(int magic) => magic switch
    {
        ImagesMagic => "an IDX3 unsigned-byte image file",
        LabelsMagic => "an IDX1 unsigned-byte label file",
        _ => "IDX",
    };

    static int Limit(int count, int? limit)
    {
        if (limit is null) return count;
        if (limit.Value <= 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be positive (or null for all items).");
        return Math.Min(count, limit.Value);
    }

    /// <summary>bytes [n·c·h·w] → float32 [n, c, h, w] on the device, scaled; detached from dispose scopes.</summary>
    internal static Tensor BytesToImages(byte[] data, int n, int c, int h, int w, PixelScale scale, Device? device)
    {
        NativeRuntime.EnsureLoadable();
        var dev = device ?? Devices.Current;
        using var scope = torch.NewDisposeScope();
        long length = (long)n * c * h * w;
        var slice = length == data.Length ? data : data[..(int)length];
        // Move the uint8 tensor first (4× less to copy to a GPU), then convert there.
        var u8 = torch.tensor(slice, new long[] { n, c, h, w }, dtype: ScalarType.Byte).to(dev);
        var x = u8.to_type(ScalarType.Float32);
        x = scale == PixelScale.MinusOneToOne ? x.div_(127.5).sub_(1.0) : x.div_(255.0);
        return x.DetachFromDisposeScope();
    }

    /// <summary>bytes [n] → int64 [n] on the device; detached from dispose scopes.</summary>
    internal static Tensor BytesToLabels(byte[] data, int n, Device? device)
    {
        NativeRuntime.EnsureLoadable();
        var dev = device ?? Devices.Current;
        using var scope = torch.NewDisposeScope();
        var slice = n == data.Length ? data : data[..n];
        var y = torch.tensor(slice, new long[] { n }, dtype: ScalarType.Byte).to_type(ScalarType.Int64).to(dev);
        return y.DetachFromDisposeScope();
    }
}
