using GanNotebooks.Nets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Nets;

/// <summary>Exact tensor equality (same shape, same values) for the DCGAN-family tests.</summary>
static class DcganTensorAssert
{
    public static bool Same(this Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}

public class DcganTests
{
    public static TheoryData<string, int, int, int, int> Presets() => new()
    {
        // preset, tiny width, C, side, start side s0
        { "Gray28", 4, 1, 28, 7 },
        { "Gray32", 4, 1, 32, 4 },
        { "Rgb32", 4, 3, 32, 4 },
        { "Paper64", 2, 3, 64, 4 },
    };

    static DcganOptions Preset(string name) => name switch
    {
        "Gray28" => DcganOptions.Gray28,
        "Gray32" => DcganOptions.Gray32,
        "Rgb32" => DcganOptions.Rgb32,
        _ => DcganOptions.Paper64,
    };

    [Theory]
    [MemberData(nameof(Presets))]
    public void EveryPresetMapsZToImagesInMinusOneOneAndImagesToOneLogit(string preset, int width, int channels, int side, int s0)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var o = Preset(preset) with { Width = width };
        Assert.Equal(s0, o.StartSize);
        var g = new DcganGenerator(o);
        var d = new DcganDiscriminator(o);
        var z = torch.randn(3, o.ZDim) * 3;
        var x = g.call(z);
        Assert.Equal(new long[] { 3, channels, side, side }, x.shape);
        Assert.True(x.abs().max().item<float>() <= 1f, "tanh output must lie in [−1, 1]");
        // [B, z, 1, 1] (the PyTorch example's latent shape) gives the same images in eval mode
        g.eval();
        Assert.True(g.call(z).allclose(g.call(z.view(3, o.ZDim, 1, 1))));
        var logits = d.call(x);
        Assert.Equal(new long[] { 3 }, logits.shape);
        Assert.Equal(new long[] { 3, o.FeatureSize }, d.Features(x).shape);
    }

    [Fact]
    public void WidthsDoubleAwayFromTheImage()
    {
        var o = DcganOptions.Gray32 with { Width = 8 };
        Assert.Equal(3, o.Upsamplings);
        Assert.Equal(32, o.TopWidth);                  // 8·2²
        Assert.Equal(32 * 4 * 4, o.FeatureSize);
        var g = new DcganGenerator(o);
        var convs = g.modules().OfType<ConvTranspose2d>().ToList();
        Assert.Equal(new long[] { 100, 32, 4, 4 }, convs[0].weight!.shape);   // project and reshape to 4×4×32
        Assert.Equal(new long[] { 32, 16, 4, 4 }, convs[1].weight!.shape);
        Assert.Equal(new long[] { 8, 1, 4, 4 }, convs[^1].weight!.shape);
        var d = new DcganDiscriminator(o);
        var dconvs = d.modules().OfType<Conv2d>().ToList();
        Assert.Equal(new long[] { 8, 1, 4, 4 }, dconvs[0].weight!.shape);
        Assert.Equal(new long[] { 32, 16, 4, 4 }, dconvs[^1].weight!.shape);
    }

    [Fact]
    public void BatchNormEverywhereExceptGeneratorOutputAndDiscriminatorInput()
    {
        var o = DcganOptions.Gray32 with { Width = 4 };
        var g = new DcganGenerator(o);
        var gLayers = g.modules().Where(m => m is ConvTranspose2d or BatchNorm2d or ReLU or Tanh).ToList();
        // ConvT, BN, ReLU ×3, then ConvT, Tanh (no BN on the output)
        Assert.IsType<Tanh>(gLayers[^1]);
        Assert.IsType<ConvTranspose2d>(gLayers[^2]);
        Assert.Equal(3, gLayers.OfType<BatchNorm2d>().Count());
        Assert.Equal(3, gLayers.OfType<ReLU>().Count());
        var d = new DcganDiscriminator(o);
        var dLayers = d.modules().Where(m => m is Conv2d or BatchNorm2d or LeakyReLU).ToList();
        Assert.IsType<Conv2d>(dLayers[0]);
        Assert.IsType<LeakyReLU>(dLayers[1]);           // no BN after the input conv
        Assert.Equal(2, dLayers.OfType<BatchNorm2d>().Count());
        Assert.Equal(3, dLayers.OfType<LeakyReLU>().Count());
        // the ablation switch removes every BatchNorm
        var plain = o with { BatchNorm = false };
        Assert.Empty(new DcganGenerator(plain).modules().OfType<BatchNorm2d>());
        Assert.Empty(new DcganDiscriminator(plain).modules().OfType<BatchNorm2d>());
    }

    [Fact]
    public void InitializationFollowsThePaper()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        var o = DcganOptions.Gray32 with { Width = 16 };
        foreach (nn.Module m in new nn.Module[] { new DcganGenerator(o), new DcganDiscriminator(o) })
        {
            var w = Dcgan.ConvAndLinearWeights(m);
            Assert.True(w.numel() > 20_000);
            Assert.InRange(w.std().item<float>(), 0.019, 0.021);    // N(0, 0.02²)
            Assert.InRange(w.mean().item<float>(), -0.001, 0.001);
            var gammas = torch.cat(m.modules().OfType<BatchNorm2d>().Select(b => b.weight!.detach()).ToList(), 0);
            Assert.InRange(gammas.mean().item<float>(), 0.99, 1.01);    // γ ~ N(1, 0.02²)
            Assert.InRange(gammas.std().item<float>(), 0.01, 0.03);
            foreach (var b in m.modules().OfType<BatchNorm2d>()) Assert.Equal(0f, b.bias!.abs().max().item<float>());
            foreach (var c in m.modules().OfType<Conv2d>().Where(c => c.bias is not null)) Assert.Equal(0f, c.bias!.abs().max().item<float>());
        }
    }

    [Fact]
    public void SameInitGeneratorGivesSameWeights()
    {
        using var scope = torch.NewDisposeScope();
        var o = DcganOptions.Gray28 with { Width = 4 };
        var a = new DcganGenerator(o, new torch.Generator(7));
        var b = new DcganGenerator(o, new torch.Generator(7));
        Assert.True(Dcgan.ConvAndLinearWeights(a).Same(Dcgan.ConvAndLinearWeights(b)));
    }

    [Fact]
    public void InEvalModeASampleDoesNotDependOnTheRestOfItsBatch()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var o = DcganOptions.Gray28 with { Width = 4, ZDim = 8 };
        var g = new DcganGenerator(o);
        // train-mode passes move BatchNorm's running statistics away from (0, 1)
        for (int i = 0; i < 3; i++) g.call(torch.randn(8, 8) * 2 + 1);
        var z = torch.randn(8, 8);
        var otherBatch = torch.cat([z[..1], torch.randn(7, 8) * 5], 0);
        var trainA = g.call(z)[0];
        var trainB = g.call(otherBatch)[0];
        Assert.False(trainA.allclose(trainB, rtol: 1e-4, atol: 1e-5), "in train mode BatchNorm couples the batch (sanity check)");
        g.eval();
        using var _ = torch.no_grad();
        var alone = g.call(z[..1])[0];
        Assert.True(alone.allclose(g.call(z)[0], rtol: 1e-4, atol: 1e-6));
        Assert.True(alone.allclose(g.call(otherBatch)[0], rtol: 1e-4, atol: 1e-6));
    }

    [Theory]
    [InlineData("ImageSize", 30)]
    [InlineData("ImageSize", 4)]
    [InlineData("Channels", 2)]
    [InlineData("ZDim", 0)]
    [InlineData("Width", 0)]
    public void InvalidOptionsThrowNamingTheKnob(string knob, int value)
    {
        var o = knob switch
        {
            "ImageSize" => DcganOptions.Gray32 with { ImageSize = value },
            "Channels" => DcganOptions.Gray32 with { Channels = value },
            "ZDim" => DcganOptions.Gray32 with { ZDim = value },
            _ => DcganOptions.Gray32 with { Width = value },
        };
        var ex = Assert.Throws<ArgumentException>(() => new DcganGenerator(o));
        Assert.Contains($"DcganOptions.{knob}", ex.Message);
    }

    [Fact]
    public void WrongInputShapesThrowWithAFix()
    {
        using var scope = torch.NewDisposeScope();
        var o = DcganOptions.Gray32 with { Width = 4 };
        var g = new DcganGenerator(o);
        var ex = Assert.Throws<ArgumentException>(() => g.call(torch.randn(2, 7)));
        Assert.Contains("[B, 100]", ex.Message);
        var d = new DcganDiscriminator(o);
        var ex2 = Assert.Throws<ArgumentException>(() => d.call(torch.randn(2, 1, 28, 28)));
        Assert.Contains("PadTo(32)", ex2.Message);
    }
}

public class LatentInterpolationTests
{
    [Fact]
    public void SlerpHitsBothEndsAndKeepsTheNormWhereLerpShrinksIt()
    {
        using var scope = torch.NewDisposeScope();
        var z0 = torch.tensor(new float[] { 3, 0, 0, 0 }).view(1, 4);
        var z1 = torch.tensor(new float[] { 0, 3, 0, 0 }).view(1, 4);
        Assert.True(LatentInterpolation.Slerp(z0, z1, 0).allclose(z0, atol: 1e-6));
        Assert.True(LatentInterpolation.Slerp(z0, z1, 1).allclose(z1, atol: 1e-5));
        // orthogonal ends of norm 3: the slerp midpoint has norm 3, the lerp midpoint 3/√2
        Assert.Equal(3.0, LatentInterpolation.Slerp(z0, z1, 0.5).norm().item<float>(), 4);
        Assert.Equal(3.0 / Math.Sqrt(2), LatentInterpolation.Lerp(z0, z1, 0.5).norm().item<float>(), 4);
        // parallel ends fall back to lerp instead of dividing by sin 0
        var mid = LatentInterpolation.Slerp(z0, z0 * 2, 0.5);
        Assert.True(mid.allclose(z0 * 1.5, atol: 1e-5));
    }

    [Fact]
    public void PathIsRowMajorOnePathPerPair()
    {
        using var scope = torch.NewDisposeScope();
        var z0 = torch.randn(2, 5);
        var z1 = torch.randn(2, 5);
        var path = LatentInterpolation.Path(z0, z1, 4);
        Assert.Equal(new long[] { 8, 5 }, path.shape);
        Assert.True(path[0].allclose(z0[0], atol: 1e-5));
        Assert.True(path[3].allclose(z1[0], atol: 1e-5));
        Assert.True(path[4].allclose(z0[1], atol: 1e-5));
        Assert.True(path[7].allclose(z1[1], atol: 1e-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatentInterpolation.Path(z0, z1, 1));
        Assert.Throws<ArgumentException>(() => LatentInterpolation.Path(z0, torch.randn(3, 5), 4));
    }
}
