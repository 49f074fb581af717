using GanNotebooks.Viz;
using Microsoft.DotNet.Interactive.Formatting;
using SkiaSharp;
using TorchSharp;

namespace GanNotebooks.Tests.Viz;

public class ImageGridTests
{
    [Fact]
    public void MinusOneIsBlackAndPlusOneIsWhite()
    {
        // two 2×2 grey images: first all −1, second all +1; no padding, no scaling
        using var t = torch.cat(new[] { torch.full(1, 1, 2, 2, -1f), torch.full(1, 1, 2, 2, 1f) }, 0);
        var grid = ImageGrid.FromTensor(t, PixelRange.MinusOneToOne, nrow: 2, padding: 0, scale: 1);
        Assert.Equal((4, 2), (grid.Width, grid.Height));
        using var bmp = SKBitmap.Decode(grid.PngBytes);
        Assert.Equal((4, 2), (bmp.Width, bmp.Height));
        Assert.Equal(new SKColor(0, 0, 0), bmp.GetPixel(0, 0));
        Assert.Equal(new SKColor(0, 0, 0), bmp.GetPixel(1, 1));
        Assert.Equal(new SKColor(255, 255, 255), bmp.GetPixel(2, 0));
        Assert.Equal(new SKColor(255, 255, 255), bmp.GetPixel(3, 1));
    }

    [Fact]
    public void LayoutPaddingAndScaleGiveTheExpectedSize()
    {
        // 5 images 28×28 (MNIST), 3 per row → 2 rows; auto scale 2 → 56 px tiles; padding 2
        using var t = torch.zeros(5, 1, 28, 28);
        var grid = ImageGrid.FromTensor(t, nrow: 3, padding: 2);
        Assert.Equal(2, grid.Scale);
        Assert.Equal((3, 2), (grid.Columns, grid.Rows));
        Assert.Equal(3 * (56 + 2) + 2, grid.Width);
        Assert.Equal(2 * (56 + 2) + 2, grid.Height);
        using var bmp = SKBitmap.Decode(grid.PngBytes);
        Assert.Equal((grid.Width, grid.Height), (bmp.Width, bmp.Height));
        Assert.Equal(new SKColor(128, 128, 128), bmp.GetPixel(0, 0));     // padding grey
        Assert.Equal(new SKColor(128, 128, 128), bmp.GetPixel(3, 3));     // 0 in [−1, 1] is mid grey too
        Assert.Equal(new SKColor(128, 128, 128), bmp.GetPixel(grid.Width - 10, grid.Height - 10)); // empty 6th slot stays padding
    }

    [Fact]
    public void RgbChannelsAndZeroToOneRange()
    {
        using var t = torch.zeros(1, 3, 1, 1);
        t[0, 0, 0, 0] = torch.tensor(1f);  // red
        t[0, 2, 0, 0] = torch.tensor(0.5f); // half blue
        var grid = ImageGrid.FromTensor(t, PixelRange.ZeroToOne, padding: 1, scale: 3, padIntensity: 0);
        Assert.Equal((5, 5), (grid.Width, grid.Height));
        using var bmp = SKBitmap.Decode(grid.PngBytes);
        Assert.Equal(new SKColor(255, 0, 128), bmp.GetPixel(2, 2));
        Assert.Equal(new SKColor(0, 0, 0), bmp.GetPixel(0, 0));
    }

    [Fact]
    public void SaveWritesTheFileAtomicallyAndFormatterEmbedsIt()
    {
        using var t = torch.ones(2, 1, 4, 4);
        var grid = ImageGrid.FromTensor(t);
        var dir = Directory.CreateTempSubdirectory("gankit-grid");
        try
        {
            var path = Path.Combine(dir.FullName, "sub", "grid.png");
            grid.Save(path);
            grid.Save(path); // overwrite works
            Assert.Equal(grid.PngBytes, File.ReadAllBytes(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left behind
        }
        finally { dir.Delete(true); }

        Formatters.Register();
        var html = grid.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("<img src=\"data:image/png;base64,", html);
        var table = new Table("a").AddRow(1.0);
        Assert.Contains("<table", table.ToDisplayString(HtmlFormatter.MimeType));
    }

    [Fact]
    public void BadShapesThrowWithAFix()
    {
        using var flat = torch.zeros(4, 784);
        Assert.Contains("view(-1, 1, 28, 28)", Assert.Throws<ArgumentException>(() => ImageGrid.FromTensor(flat)).Message);
        using var twoCh = torch.zeros(1, 2, 4, 4);
        Assert.Throws<ArgumentException>(() => ImageGrid.FromTensor(twoCh));
    }
}
