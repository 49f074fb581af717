using GanNotebooks.Data.Images;
using System.Buffers.Binary;
using System.IO.Compression;
using TorchSharp;

namespace GanNotebooks.Tests.Data.Images;

public class IdxTests
{
    const int N = 5, H = 3, W = 4;

    static (string Images, string Labels) WriteSmall(TempDir dir, bool gzip, int labelCount = N)
    {
        var images = dir.File(gzip ? "img.gz" : "img.idx");
        var labels = dir.File(gzip ? "lab.gz" : "lab.idx");
        Idx.WriteImages(images, Bytes.Pattern(N * H * W), N, H, W, gzip);
        Idx.WriteLabels(labels, Enumerable.Range(0, labelCount).Select(i => (byte)(i % 3)).ToArray(), gzip);
        return (images, labels);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RoundTripReturnsScaledImagesAndInt64Labels(bool gzip)
    {
        using var dir = new TempDir();
        var (img, lab) = WriteSmall(dir, gzip);
        var raw = Bytes.Pattern(N * H * W);

        using var x = Idx.ReadImages(img, device: torch.CPU);
        Assert.Equal(new long[] { N, 1, H, W }, x.shape);
        Assert.Equal(torch.ScalarType.Float32, x.dtype);
        var values = x.data<float>().ToArray();
        for (int i = 0; i < raw.Length; i++) Assert.Equal(raw[i] / 127.5f - 1f, values[i], 1e-6f);

        using var x01 = Idx.ReadImages(img, PixelScale.ZeroToOne, device: torch.CPU);
        var v01 = x01.data<float>().ToArray();
        for (int i = 0; i < raw.Length; i++) Assert.Equal(raw[i] / 255f, v01[i], 1e-6f);

        using var y = Idx.ReadLabels(lab, device: torch.CPU);
        Assert.Equal(torch.ScalarType.Int64, y.dtype);
        Assert.Equal(new long[] { 0, 1, 2, 0, 1 }, y.data<long>().ToArray());

        var content = Idx.Read(img, Idx.ImagesMagic);
        Assert.Equal(new[] { N, H, W }, content.Dimensions);
        Assert.Equal(raw, content.Data);
    }

    [Fact]
    public void GzipIsDetectedByMagicBytesNotByName()
    {
        using var dir = new TempDir();
        var gzNamedPlain = dir.File("plain.gz");
        var plainNamedGz = dir.File("packed.idx");
        Idx.WriteImages(gzNamedPlain, Bytes.Pattern(N * H * W), N, H, W, gzip: false);
        Idx.WriteImages(plainNamedGz, Bytes.Pattern(N * H * W), N, H, W, gzip: true);
        Assert.Equal(0x1f, File.ReadAllBytes(plainNamedGz)[0]);
        Assert.Equal(Idx.Read(gzNamedPlain, Idx.ImagesMagic).Data, Idx.Read(plainNamedGz, Idx.ImagesMagic).Data);
    }

    [Fact]
    public void LimitKeepsTheFirstItems()
    {
        using var dir = new TempDir();
        var (img, lab) = WriteSmall(dir, gzip: true);
        using var ds = Idx.Load(img, lab, ["a", "b", "c"], limit: 2, device: torch.CPU);
        Assert.Equal(2, ds.Count);
        Assert.Equal(new long[] { 0, 1 }, ds.Labels.data<long>().ToArray());
        Assert.Equal(3 / 127.5f - 1f, ds.Images[0, 0, 0, 0].item<float>(), 1e-6f); // first pattern byte is 3
    }

    [Fact]
    public void TruncatedFileNamesFileAndBothLengths()
    {
        using var dir = new TempDir();
        var path = dir.File("short.idx");
        Idx.WriteImages(path, Bytes.Pattern(N * H * W), N, H, W, gzip: false);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(16 + N * H * W, bytes.Length); // 76
        File.WriteAllBytes(path, bytes[..^10]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path, device: torch.CPU));
        Assert.Contains("short.idx", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("expected 76 bytes", e.Message);
        Assert.Contains("got 66 bytes", e.Message);
    }

    [Fact]
    public void TruncatedGzipIsReportedWithTheFileName()
    {
        using var dir = new TempDir();
        var path = dir.File("cut.gz");
        Idx.WriteImages(path, Bytes.Pattern(N * H * W), N, H, W, gzip: true);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path, Idx.ImagesMagic));
        Assert.Contains("cut.gz", e.Message);
        Assert.True(e.Message.Contains("truncated") || e.Message.Contains("not a valid"), e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsReported()
    {
        using var dir = new TempDir();
        var path = dir.File("header.idx");
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path, Idx.ImagesMagic));
        Assert.Contains("truncated: expected a 16-byte header, got 6 bytes", e.Message);
    }

    [Fact]
    public void LabelsFileGivenAsImagesReportsBothMagics()
    {
        using var dir = new TempDir();
        var (_, lab) = WriteSmall(dir, gzip: true);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(lab, device: torch.CPU));
        Assert.Contains("lab.gz", e.Message);
        Assert.Contains("found 0x00000801, expected 0x00000803", e.Message);
        Assert.Contains("label file", e.Message);
    }

    [Fact]
    public void NonIdxFileIsRejected()
    {
        using var dir = new TempDir();
        var path = dir.File("photo.idx");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path, Idx.LabelsMagic));
        Assert.Contains("found 0x89504E47, expected 0x00000801", e.Message);
        Assert.Contains("not an IDX file", e.Message);
    }

    [Fact]
    public void NonByteDataTypeIsRejected()
    {
        using var dir = new TempDir();
        var path = dir.File("float.idx");
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, 0x00000D01); // float32, 1 dim
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 1);
        File.WriteAllBytes(path, [.. header, 0, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path, Idx.LabelsMagic));
        Assert.Contains("Data type 0x0D is not supported", e.Message);
    }

    [Fact]
    public void TrailingBytesAreRejected()
    {
        using var dir = new TempDir();
        var path = dir.File("long.idx");
        Idx.WriteLabels(path, [1, 2, 3], gzip: false);
        File.AppendAllText(path, "xx");
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path, Idx.LabelsMagic));
        Assert.Contains("expected 11 bytes", e.Message);
        Assert.Contains("got 13 bytes", e.Message);
    }

    [Fact]
    public void ImageLabelCountMismatchNamesBothFilesAndCounts()
    {
        using var dir = new TempDir();
        var (img, lab) = WriteSmall(dir, gzip: true, labelCount: 4);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Load(img, lab, device: torch.CPU));
        Assert.Contains("count mismatch", e.Message);
        Assert.Contains("img.gz' holds 5 images", e.Message);
        Assert.Contains("lab.gz' holds 4 labels", e.Message);
    }

    [Fact]
    public void LabelWithoutClassNameIsRejected()
    {
        using var dir = new TempDir();
        var (img, lab) = WriteSmall(dir, gzip: true);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Load(img, lab, ["only", "two"], device: torch.CPU));
        Assert.Contains("label 2 but only 2 class names", e.Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Idx.Read("/nonexistent/x-idx3-ubyte.gz", Idx.ImagesMagic));
        Assert.Contains("/nonexistent/x-idx3-ubyte.gz", e.Message);
    }

    [Fact]
    public void WrittenGzipIsStandardGzip()
    {
        using var dir = new TempDir();
        var path = dir.File("std.gz");
        Idx.WriteLabels(path, [7, 8, 9]);
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        Assert.Equal(new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9 }, ms.ToArray());
    }
}
