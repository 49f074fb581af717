using GanNotebooks.Viz;
using Microsoft.DotNet.Interactive.Formatting;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;

namespace GanNotebooks.Tests.Viz;

public class ImageGridTests
{
    /// <summary>Decodes the grid's PNG (ImageSharp 2.1.13) into RGB pixels.</summary>
    static Image<Rgb24> Decode(ImageGrid grid) => Image.Load<Rgb24>(grid.PngBytes);

    static Rgb24 Grey(byte v) => new(v, v, v);

    [Fact]
    public void MinusOneIsBlackAndPlusOneIsWhite()
    {
        // two 2×2 grey images: first all −1, second all +1; no padding, no scaling
        using var t = torch.cat(new[] { torch.full(1, 1, 2, 2, -1f), torch.full(1, 1, 2, 2, 1f) }, 0);
        var grid = ImageGrid.FromTensor(t, PixelRange.MinusOneToOne, nrow: 2, padding: 0, scale: 1);
        Assert.Equal((4, 2), (grid.Width, grid.Height));
        using var bmp = Decode(grid);
        Assert.Equal((4, 2), (bmp.Width, bmp.Height));
        Assert.Equal(new Rgb24(0, 0, 0), bmp[0, 0]);
        Assert.Equal(new Rgb24(0, 0, 0), bmp[1, 1]);
        Assert.Equal(new Rgb24(255, 255, 255), bmp[2, 0]);
        Assert.Equal(new Rgb24(255, 255, 255), bmp[3, 1]);
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
        using var bmp = Decode(grid);
        Assert.Equal((grid.Width, grid.Height), (bmp.Width, bmp.Height));
        Assert.Equal(new Rgb24(128, 128, 128), bmp[0, 0]);     // padding grey
        Assert.Equal(new Rgb24(128, 128, 128), bmp[3, 3]);     // 0 in [−1, 1] is mid grey too
        Assert.Equal(new Rgb24(128, 128, 128), bmp[grid.Width - 10, grid.Height - 10]); // empty 6th slot stays padding
    }

    [Fact]
    public void RgbChannelsAndZeroToOneRange()
    {
        using var t = torch.zeros(1, 3, 1, 1);
        t[0, 0, 0, 0] = torch.tensor(1f);  // red
        t[0, 2, 0, 0] = torch.tensor(0.5f); // half blue
        var grid = ImageGrid.FromTensor(t, PixelRange.ZeroToOne, padding: 1, scale: 3, padIntensity: 0);
        Assert.Equal((5, 5), (grid.Width, grid.Height));
        using var bmp = Decode(grid);
        Assert.Equal(new Rgb24(255, 0, 128), bmp[2, 2]);
        Assert.Equal(new Rgb24(0, 0, 0), bmp[0, 0]);
    }

    [Theory]
    [InlineData(1, PixelRange.MinusOneToOne)]
    [InlineData(3, PixelRange.MinusOneToOne)]
    [InlineData(1, PixelRange.ZeroToOne)]
    [InlineData(3, PixelRange.ZeroToOne)]
    public void EveryDecodedPixelMatchesTheTensor(int channels, PixelRange range)
    {
        // 5 tiles of 3×4, 2 per row (3 rows, the last slot empty), scale 2, padding 1, padding grey 0.25 → 64.
        const int n = 5, h = 3, w = 4, nrow = 2, padding = 1, scale = 2;
        var values = new float[n * channels * h * w];
        for (int i = 0; i < values.Length; i++) values[i] = -1.3f + 2.6f * ((i * 37) % 101) / 100f; // spans below, inside and above both ranges
        values[1] = float.NaN; values[2] = -1f; values[3] = 0f; values[4] = 1f; values[5] = 0.5f; values[6] = float.PositiveInfinity;
        using var t = torch.tensor(values, new long[] { n, channels, h, w });
        var grid = ImageGrid.FromTensor(t, range, nrow, padding, scale, padIntensity: 0.25);

        int tileW = w * scale, tileH = h * scale;
        Assert.Equal((2 * (tileW + padding) + padding, 3 * (tileH + padding) + padding), (grid.Width, grid.Height));
        var info = Image.Identify(grid.PngBytes);
        Assert.Equal(channels == 1 ? PngColorType.Grayscale : PngColorType.Rgb, info.Metadata.GetPngMetadata().ColorType);
        Assert.Equal(8, info.PixelType.BitsPerPixel / (channels == 1 ? 1 : 3));

        static byte Expected(float v, PixelRange range)
        {
            if (float.IsNaN(v)) return 0;
            double u = range == PixelRange.MinusOneToOne ? (v + 1.0) / 2.0 : v;
            return (byte)Math.Round(Math.Clamp(u, 0.0, 1.0) * 255.0);
        }
        // Fixed points of the mapping, independent of the formula above.
        Assert.Equal(0, Expected(float.NaN, range));
        Assert.Equal(0, Expected(-1f, range));
        Assert.Equal(range == PixelRange.MinusOneToOne ? 128 : 0, Expected(0f, range));
        Assert.Equal(255, Expected(1f, range));
        Assert.Equal(range == PixelRange.MinusOneToOne ? 191 : 128, Expected(0.5f, range));

        using var img = Decode(grid);
        int checkedTilePixels = 0;
        for (int y = 0; y < grid.Height; y++)
            for (int x = 0; x < grid.Width; x++)
            {
                var expected = Grey(64);
                int gx = x - padding, gy = y - padding;
                if (gx >= 0 && gy >= 0)
                {
                    int col = gx / (tileW + padding), row = gy / (tileH + padding);
                    int lx = gx % (tileW + padding), ly = gy % (tileH + padding);
                    int k = row * nrow + col;
                    if (lx < tileW && ly < tileH && k < n)
                    {
                        int sx = lx / scale, sy = ly / scale;
                        byte V(int c) => Expected(values[((k * channels + c) * h + sy) * w + sx], range);
                        expected = channels == 1 ? Grey(V(0)) : new Rgb24(V(0), V(1), V(2));
                        checkedTilePixels++;
                    }
                }
                Assert.True(expected.Equals(img[x, y]), $"pixel ({x}, {y}): expected {expected}, decoded {img[x, y]}");
            }
        Assert.Equal(n * tileW * tileH, checkedTilePixels);
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
