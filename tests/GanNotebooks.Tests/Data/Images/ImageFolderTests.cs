using GanNotebooks.Data.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;

namespace GanNotebooks.Tests.Data.Images;

public class ImageFolderTests
{
    enum Format { Png, Jpeg }

    static readonly Rgba32 White = new(255, 255, 255), Black = new(0, 0, 0), Gray = new(128, 128, 128);

    /// <summary>Writes a width×height image filled by <paramref name="paint"/>(x, y) as PNG (RGBA) or JPEG (quality 95, 4:4:4).</summary>
    static void Write(string path, int width, int height, Func<int, int, Rgba32> paint, Format format = Format.Png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = paint(x, y);
        if (format == Format.Png)
            image.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit8 });
        else
            image.SaveAsJpeg(path, new JpegEncoder { Quality = 95, ColorType = JpegColorType.YCbCrRatio444 });
    }

    static float[] Values(torch.Tensor t) => t.data<float>().ToArray();

    [Fact]
    public void FlatFolderGivesOneClassResizedGrayscaleInRange()
    {
        using var dir = new TempDir();
        Write(dir.File("a_white.png"), 10, 10, (_, _) => White);
        Write(dir.File("b_red.png"), 40, 20, (_, _) => new Rgba32(255, 0, 0));
        Write(dir.File("c_black.png"), 7, 9, (_, _) => Black);
        File.WriteAllText(dir.File("notes.txt"), "not an image");

        using var ds = ImageFolder.Load(dir.Path, size: 16, device: torch.CPU);
        Assert.Equal(new long[] { 3, 1, 16, 16 }, ds.Images.shape);
        Assert.Equal(new[] { Path.GetFileName(dir.Path) }, ds.ClassNames);
        Assert.Equal(new long[] { 0, 0, 0 }, ds.Labels.data<long>().ToArray());
        Assert.All(Values(ds.Images[0]), v => Assert.Equal(1f, v, 1e-5f));
        // Red → luma 0.299 → 2·0.299 − 1 (BT.601 weights).
        Assert.All(Values(ds.Images[1]), v => Assert.Equal(2 * 0.299f - 1, v, 1e-4f));
        Assert.All(Values(ds.Images[2]), v => Assert.Equal(-1f, v, 1e-6f));
        Assert.True(ds.Images.min().item<float>() >= -1f && ds.Images.max().item<float>() <= 1f);
    }

    [Fact]
    public void RgbGivesThreeChannelsAndZeroToOneScaleWorks()
    {
        using var dir = new TempDir();
        Write(dir.File("red.png"), 8, 8, (_, _) => new Rgba32(255, 0, 0));
        using var ds = ImageFolder.Load(dir.Path, size: 4, color: ColorMode.Rgb, device: torch.CPU);
        Assert.Equal(new long[] { 1, 3, 4, 4 }, ds.Images.shape);
        Assert.All(Values(ds.Images[0, 0]), v => Assert.Equal(1f, v, 1e-6f));
        Assert.All(Values(ds.Images[0, 1]), v => Assert.Equal(-1f, v, 1e-6f));
        Assert.All(Values(ds.Images[0, 2]), v => Assert.Equal(-1f, v, 1e-6f));

        using var ds01 = ImageFolder.Load(dir.Path, size: 4, color: ColorMode.Rgb, scale: PixelScale.ZeroToOne, device: torch.CPU);
        Assert.Equal(PixelScale.ZeroToOne, ds01.Scale);
        Assert.Equal(new[] { 1f, 0f, 0f }, Values(ds01.Images[0, .., 0, 0]));
    }

    [Fact]
    public void SubfoldersAreClassesInOrdinalOrder()
    {
        using var dir = new TempDir();
        Write(dir.File("dogs/1.png"), 5, 5, (_, _) => White);
        Write(dir.File("cats/2.png"), 5, 5, (_, _) => Black);
        Write(dir.File("cats/1.jpg"), 5, 5, (_, _) => Gray, Format.Jpeg);
        Directory.CreateDirectory(dir.File("empty"));

        using var ds = ImageFolder.Load(dir.Path, size: 8, device: torch.CPU);
        Assert.Equal(new[] { "cats", "dogs" }, ds.ClassNames);
        Assert.Equal(new long[] { 0, 0, 1 }, ds.Labels.data<long>().ToArray());
        Assert.Equal(new long[] { 2, 1 }, ds.ClassCounts());
        // cats/1.jpg (gray 128 → 2·128/255 − 1 ≈ 0.004; JPEG may shift it by a level or two) comes before cats/2.png.
        Assert.Equal(0.004f, ds.Images[0].mean().item<float>(), 0.03f);
        Assert.Equal(-1f, ds.Images[1].mean().item<float>(), 1e-6f);
        Assert.Equal(1f, ds.Images[2].mean().item<float>(), 1e-5f);
    }

    [Fact]
    public void CenterCropKeepsTheMiddleStretchKeepsAll()
    {
        using var dir = new TempDir();
        // 60×20: black | white | black thirds. The centred 20×20 square is all white.
        Write(dir.File("bands.png"), 60, 20, (x, _) => x is >= 20 and < 40 ? White : Black);
        using var crop = ImageFolder.Load(dir.Path, size: 10, device: torch.CPU);
        Assert.All(Values(crop.Images), v => Assert.Equal(1f, v, 1e-5f));
        using var stretch = ImageFolder.Load(dir.Path, size: 12, resize: ResizeMode.Stretch, device: torch.CPU);
        Assert.Equal(-1f, stretch.Images[0, 0, 6, 0].item<float>(), 1e-5f);
        Assert.Equal(1f, stretch.Images[0, 0, 6, 6].item<float>(), 1e-5f);
    }

    [Fact]
    public void TransparentPixelsBecomeBlackAndLimitApplies()
    {
        using var dir = new TempDir();
        Write(dir.File("a.png"), 4, 4, (_, _) => new Rgba32(255, 255, 255, 0));
        Write(dir.File("b.png"), 4, 4, (_, _) => White);
        using var ds = ImageFolder.Load(dir.Path, size: 4, limit: 1, device: torch.CPU);
        Assert.Equal(1, ds.Count);
        Assert.All(Values(ds.Images), v => Assert.Equal(-1f, v, 1e-6f));
    }

    [Fact]
    public void EmptyFolderIsAClearError()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("readme.txt"), "no images here");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path, device: torch.CPU));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("contains no images", e.Message);
    }

    [Fact]
    public void PngAndJpegRoundTripPixelForPixel()
    {
        using var dir = new TempDir();
        // 16×16, four 8×8 quadrants (8-pixel JPEG blocks, no chroma subsampling) of distinct colours; loaded at 16 (no resampling).
        Rgba32[] quadrant = [new(200, 30, 60), new(20, 180, 90), new(40, 70, 220), new(250, 240, 10)];
        Rgba32 Paint(int x, int y) => quadrant[(y / 8) * 2 + x / 8];
        Write(dir.File("png/q.png"), 16, 16, Paint);
        Write(dir.File("jpeg/q.jpg"), 16, 16, Paint, Format.Jpeg);

        using var png = ImageFolder.Load(dir.File("png"), size: 16, color: ColorMode.Rgb, scale: PixelScale.ZeroToOne, device: torch.CPU);
        using var jpeg = ImageFolder.Load(dir.File("jpeg"), size: 16, color: ColorMode.Rgb, scale: PixelScale.ZeroToOne, device: torch.CPU);
        var p = Values(png.Images);
        var j = Values(jpeg.Images);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                {
                    var q = Paint(x, y);
                    float expected = (c == 0 ? q.R : c == 1 ? q.G : q.B) / 255f;
                    int i = (c * 16 + y) * 16 + x;
                    Assert.Equal(expected, p[i], 1e-6f); // PNG is lossless
                    Assert.True(Math.Abs(expected - j[i]) <= 6 / 255f, $"JPEG channel {c} at ({x}, {y}): {j[i] * 255} vs {expected * 255}");
                }

        // Grey: BT.601 luma of the PNG's pixels, exactly.
        using var grey = ImageFolder.Load(dir.File("png"), size: 16, scale: PixelScale.ZeroToOne, device: torch.CPU);
        var gv = Values(grey.Images);
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++)
            {
                var q = Paint(x, y);
                Assert.Equal((0.299f * q.R + 0.587f * q.G + 0.114f * q.B) / 255f, gv[y * 16 + x], 1e-5f);
            }
    }

    [Fact]
    public void UnsupportedFormatIsNamedWithTheFix()
    {
        using var dir = new TempDir();
        Write(dir.File("good.png"), 4, 4, (_, _) => White);
        File.WriteAllText(dir.File("broken.png"), "this is text, not a PNG");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path, device: torch.CPU));
        Assert.Contains(dir.File("broken.png"), e.Message);
        Assert.Contains("not in an image format the kit reads", e.Message);
        Assert.Contains("Convert it to PNG or JPEG, or remove it", e.Message);
    }

    [Fact]
    public void CorruptFileIsNamedWithTheFix()
    {
        using var dir = new TempDir();
        // A real PNG header whose compressed pixel data is garbage (the chunk CRCs made right, so only the data is wrong).
        var bytes = PngChunks(64, 64, idat: Enumerable.Range(0, 200).Select(i => (byte)(i * 73 + 11)).ToArray());
        File.WriteAllBytes(dir.File("corrupt.png"), bytes);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path, device: torch.CPU));
        Assert.Contains(dir.File("corrupt.png"), e.Message);
        Assert.Contains("damaged or truncated", e.Message);
        Assert.Contains("remove it from the folder", e.Message);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public void EmptyFileIsNamed()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("zero.jpg"), []);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path, device: torch.CPU));
        Assert.Contains(dir.File("zero.jpg"), e.Message);
        Assert.Contains("is empty (0 bytes)", e.Message);
    }

    [Fact]
    public void TruncatedFileIsNamed()
    {
        using var dir = new TempDir();
        Write(dir.File("whole.png"), 64, 64, (x, y) => new Rgba32((byte)(x * 4), (byte)(y * 4), (byte)(x ^ y)));
        var whole = File.ReadAllBytes(dir.File("whole.png"));
        File.Delete(dir.File("whole.png"));
        File.WriteAllBytes(dir.File("cut.png"), whole[..(whole.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path, device: torch.CPU));
        Assert.Contains(dir.File("cut.png"), e.Message);
    }

    [Fact]
    public void OverLimitImageIsRefusedFromItsHeaderBeforeDecoding()
    {
        using var dir = new TempDir();
        // A 100-byte file claiming 10000×10000 pixels (a "decompression bomb" header): refused without decoding.
        File.WriteAllBytes(dir.File("huge.png"), PngChunks(10_000, 10_000, idat: [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path, device: torch.CPU));
        Assert.Contains(dir.File("huge.png"), e.Message);
        Assert.Contains("10000×10000 pixels", e.Message);
        Assert.Contains("Save a smaller copy", e.Message);
        Assert.True(10_000L * 10_000 > ImageFolder.MaxPixels);
    }

    [Fact]
    public void OverLimitFileIsRefusedBeforeReading()
    {
        using var dir = new TempDir();
        using (var f = File.Create(dir.File("big.jpg"))) f.SetLength(ImageFolder.MaxFileBytes + 1); // sparse: no disk used
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path, device: torch.CPU));
        Assert.Contains(dir.File("big.jpg"), e.Message);
        Assert.Contains("MiB", e.Message);
        Assert.Contains("Save a smaller copy", e.Message);
    }

    /// <summary>A PNG file: signature, IHDR (8-bit RGB), one IDAT with <paramref name="idat"/>, IEND; CRCs correct.</summary>
    static byte[] PngChunks(int width, int height, byte[] idat)
    {
        var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        void Chunk(string type, byte[] data)
        {
            Span<byte> len = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
            ms.Write(len);
            var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            ms.Write(typed);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(len, Crc32(typed));
            ms.Write(len);
        }
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2; // bit depth 8, colour type RGB; compression, filter, interlace 0
        Chunk("IHDR", ihdr);
        Chunk("IDAT", idat);
        Chunk("IEND", []);
        return ms.ToArray();
    }

    static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void MixedLayoutAndMissingFolderAreErrors()
    {
        using var dir = new TempDir();
        Write(dir.File("loose.png"), 4, 4, (_, _) => White);
        Write(dir.File("cls/x.png"), 4, 4, (_, _) => White);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path, device: torch.CPU));
        Assert.Contains("both images (loose.png", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load(dir.File("nope"), device: torch.CPU));
    }
}
