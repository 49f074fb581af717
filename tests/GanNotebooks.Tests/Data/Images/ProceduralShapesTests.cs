using GanNotebooks.Data.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Data.Images;

public class ProceduralShapesTests
{
    static readonly ProceduralShapesOptions Small = new(Size: 32);

    [Fact]
    public void ImagesAreThreeChannelsInMinusOneToOneWithShapeLabels()
    {
        using var data = ProceduralShapes.Generate(8, seed: 1, Small, torch.CPU);
        Assert.Equal(new long[] { 8, 3, 32, 32 }, data.Images.shape);
        Assert.Equal(ScalarType.Float32, data.Images.dtype);
        Assert.Equal(new long[] { 8 }, data.Labels.shape);
        Assert.Equal(new[] { "circle", "square", "triangle" }, data.ClassNames);
        Assert.True(data.Images.min().item<float>() >= -1f);
        Assert.True(data.Images.max().item<float>() <= 1f);
        var labels = data.Labels.data<long>().ToArray();
        Assert.All(labels, l => Assert.InRange(l, 0, 2));
        // Labels are the kinds of each scene's largest shape.
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)ProceduralShapes.Scene(1, i, Small).Label), labels);
        using var big = ProceduralShapes.Generate(2, seed: 1, new ProceduralShapesOptions(Size: 64), torch.CPU);
        Assert.Equal(new long[] { 2, 3, 64, 64 }, big.Images.shape);
    }

    [Fact]
    public void SameSeedGivesIdenticalPixelsAndPrefixesAgree()
    {
        using var a = ProceduralShapes.Generate(6, seed: 42, Small, torch.CPU);
        using var b = ProceduralShapes.Generate(6, seed: 42, Small, torch.CPU);
        using var prefix = ProceduralShapes.Generate(3, seed: 42, Small, torch.CPU);
        using var other = ProceduralShapes.Generate(6, seed: 43, Small, torch.CPU);
        Assert.True(a.Images.eq(b.Images).all().item<bool>());
        Assert.True(a.Labels.eq(b.Labels).all().item<bool>());
        Assert.True(a.Images[..3].eq(prefix.Images).all().item<bool>());
        Assert.False(a.Images.eq(other.Images).all().item<bool>());
    }

    [Fact]
    public void ClassesAreRoughlyBalancedAndShapeCountsStayInRange()
    {
        // 3,000 scenes (no rendering): each class's count is Binomial(3000, 1/3), sd ≈ 26; allow ±100 (≈ 4 sd).
        var scenes = Enumerable.Range(0, 3000).Select(i => ProceduralShapes.Scene(7, i, Small)).ToArray();
        var counts = Enumerable.Range(0, 3).Select(k => scenes.Count(s => (int)s.Label == k)).ToArray();
        Assert.All(counts, c => Assert.InRange(c, 900, 1100));
        Assert.All(scenes, s => Assert.InRange(s.Shapes.Count, 1, 3));
        Assert.Equal(new[] { 1, 2, 3 }, scenes.Select(s => s.Shapes.Count).Distinct().Order());
        // The largest shape is drawn last (on top), at least 1/0.7 times the radius of the others.
        Assert.All(scenes, s => Assert.All(s.Shapes.SkipLast(1), o => Assert.True(o.Radius <= 0.7 * s.Shapes[^1].Radius + 1e-12)));
    }

    [Fact]
    public void ACirclesCentrePixelHasTheCirclesColour()
    {
        using var data = ProceduralShapes.Generate(8, seed: 3, Small, torch.CPU);
        int checkedCircles = 0;
        for (int i = 0; i < 8; i++)
        {
            var top = ProceduralShapes.Scene(3, i, Small).Shapes[^1];
            if (top.Kind != ShapeKind.Circle) continue;
            int row = (int)top.CenterY, col = (int)top.CenterX;
            var pixel = data.Images[i, .., row, col].data<float>().ToArray();
            Assert.Equal(new[] { 2 * top.Color.R - 1, 2 * top.Color.G - 1, 2 * top.Color.B - 1 }, pixel);
            checkedCircles++;
        }
        Assert.True(checkedCircles > 0, "seed 3 should give at least one circle on top among 8 images");
    }

    [Theory]
    [InlineData(ShapeKind.Circle)]
    [InlineData(ShapeKind.Square)]
    [InlineData(ShapeKind.Triangle)]
    public void EachKindCoversItsAreaOfPiRSquared(ShapeKind kind)
    {
        // White shape of area-radius 9 on black: the antialiased coverage sums to π·81 ≈ 254.5 pixels.
        var black = new Rgb(0, 0, 0);
        var scene = new ShapeScene(black, black, 0, [new ShapeSpec(kind, 32.3, 31.6, 9, 0.4, new Rgb(1, 1, 1))]);
        var pixels = new float[3 * 64 * 64];
        ProceduralShapes.Render(scene, 64, antialias: true, pixels);
        double covered = pixels.Take(64 * 64).Sum(v => (v + 1) / 2.0);
        Assert.Equal(Math.PI * 81, covered, Math.PI * 81 * 0.01);
        // All three channels are the same for a white shape.
        Assert.Equal(pixels.Take(64 * 64), pixels.Skip(64 * 64).Take(64 * 64));
    }

    [Fact]
    public void BadSettingsThrowNamingTheSetting()
    {
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ProceduralShapes.Generate(0, 1, Small, torch.CPU)).ParamName);
        Assert.Equal("Size", Assert.Throws<ArgumentOutOfRangeException>(() => ProceduralShapes.Generate(1, 1, new ProceduralShapesOptions(Size: 4), torch.CPU)).ParamName);
        Assert.Equal("MaxShapes", Assert.Throws<ArgumentOutOfRangeException>(() => ProceduralShapes.Scene(1, 0, new ProceduralShapesOptions(MinShapes: 3, MaxShapes: 2))).ParamName);
        Assert.Throws<ArgumentException>(() => ProceduralShapes.Render(ProceduralShapes.Scene(1, 0), 32, true, new float[10]));
    }
}
