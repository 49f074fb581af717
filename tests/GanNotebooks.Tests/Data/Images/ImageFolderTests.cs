using GanNotebooks.Data.Images;
using SkiaSharp;
using TorchSharp;

namespace GanNotebooks.Tests.Data.Images;

public class ImageFolderTests
{
    /// <summary>Writes a width×height image filled by <paramref name="paint"/>(x, y) as PNG or JPEG.</summary>
    static void Write(string path, int width, int height, Func<int, int, SKColor> paint, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bmp = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bmp.SetPixel(x, y, paint(x, y));
        using var image = SKImage.FromBitmap(bmp);
        using var data = image.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
    }

    static float[] Values(torch.Tensor t) => t.data<float>().ToArray();

    [Fact]
    public void FlatFolderGivesOneClassResizedGrayscaleInRange()
    {
        using var dir = new TempDir();
        Write(dir.File("a_white.png"), 10, 10, (_, _) => SKColors.White);
        Write(dir.File("b_red.png"), 40, 20, (_, _) => new SKColor(255, 0, 0));
        Write(dir.File("c_black.png"), 7, 9, (_, _) => SKColors.Black);
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
        Write(dir.File("red.png"), 8, 8, (_, _) => new SKColor(255, 0, 0));
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
        Write(dir.File("dogs/1.png"), 5, 5, (_, _) => SKColors.White);
        Write(dir.File("cats/2.png"), 5, 5, (_, _) => SKColors.Black);
        Write(dir.File("cats/1.jpg"), 5, 5, (_, _) => SKColors.Gray, SKEncodedImageFormat.Jpeg);
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
        Write(dir.File("bands.png"), 60, 20, (x, _) => x is >= 20 and < 40 ? SKColors.White : SKColors.Black);
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
        Write(dir.File("a.png"), 4, 4, (_, _) => new SKColor(255, 255, 255, 0));
        Write(dir.File("b.png"), 4, 4, (_, _) => SKColors.White);
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
    public void UnreadableFileIsNamed()
    {
        using var dir = new TempDir();
        Write(dir.File("good.png"), 4, 4, (_, _) => SKColors.White);
        File.WriteAllText(dir.File("broken.png"), "this is text, not a PNG");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path, device: torch.CPU));
        Assert.Contains("broken.png", e.Message);
    }

    [Fact]
    public void MixedLayoutAndMissingFolderAreErrors()
    {
        using var dir = new TempDir();
        Write(dir.File("loose.png"), 4, 4, (_, _) => SKColors.White);
        Write(dir.File("cls/x.png"), 4, 4, (_, _) => SKColors.White);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path, device: torch.CPU));
        Assert.Contains("both images (loose.png", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load(dir.File("nope"), device: torch.CPU));
    }
}
