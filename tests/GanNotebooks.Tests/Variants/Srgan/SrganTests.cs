using GanNotebooks.Data.Images;
using GanNotebooks.Evaluation.Features;
using GanNotebooks.Runtime;
using GanNotebooks.Variants.Srgan;
using TorchSharp;
using static TorchSharp.torch;
using static GanNotebooks.Tests.Training.TrainerTestKit;

namespace GanNotebooks.Tests.Variants.Srgan;

public class SrganTests
{
    [Theory]
    [InlineData(2, 14)]
    [InlineData(4, 7)]
    public void SrResNet_upsamples_by_its_scale(int scale, int side)
    {
        using var scope = torch.NewDisposeScope();
        var g = new SrResNet(scale, channels: 1, width: 4, residualBlocks: 2);
        Assert.Equal(new long[] { 3, 1, 28, 28 }, g.call(torch.randn(3, 1, side, side)).shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SrResNet(3));
        var d = new SrganDiscriminator(28, width: 4, pairs: 2, dense: 8);
        Assert.Equal(new long[] { 3 }, d.call(torch.randn(3, 1, 28, 28)).shape);
        Assert.Contains("[N, 1, 28, 28]", Assert.Throws<ArgumentException>(() => d.call(torch.randn(3, 1, 14, 14))).Message);
    }

    [Fact]
    public void The_content_loss_compares_features_and_trains_only_the_output()
    {
        using var scope = torch.NewDisposeScope();
        var hr = torch.zeros(2, 1, 4, 4); var sr = (hr + 0.5f).requires_grad_(true);
        Func<Tensor, Tensor> identity = t => t;
        Assert.Equal(0.25f, SrganLosses.Content(identity, sr, hr).item<float>(), 6);     // φ = identity: pixel MSE
        Assert.Equal(0.25f, SrganLosses.Pixel(sr, hr).item<float>(), 6);
        Func<Tensor, Tensor> blocks = t => nn.functional.avg_pool2d(t, 2);             // φ = 2×2 means: a checkerboard is invisible
        var board = (((torch.arange(4).reshape(4, 1) + torch.arange(4).reshape(1, 4)) % 2) * 2 - 1).to_type(ScalarType.Float32).reshape(1, 1, 4, 4);
        Assert.Equal(0f, SrganLosses.Content(blocks, board, torch.zeros(1, 1, 4, 4)).item<float>(), 6);
        var hrg = torch.zeros(2, 1, 4, 4).requires_grad_(true);
        SrganLosses.Content(identity, sr, hrg).backward();
        Assert.NotNull(sr.grad);
        Assert.True(hrg.grad is null || hrg.grad.abs().max().item<float>() == 0, "the true image's features are a constant target");
    }

    [Fact]
    public void The_classifier_feature_map_is_differentiable()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var c = new FashionClassifier();
        var x = torch.randn(2, 1, 28, 28).requires_grad_(true);
        var f = c.FeatureMap(x);
        Assert.Equal(new long[] { 2, 64, 11, 11 }, f.shape);
        f.sum().backward();
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void One_step_of_srresnet_and_of_srgan()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        var hr = torch.rand(12, 1, 28, 28) * 2 - 1;
        foreach (var config in new[] { SrganConfig.SrResNetMse, new SrganConfig() })
        {
            Seeding.Seed(5);
            var g = new SrResNet(4, 1, width: 4, residualBlocks: 1);
            var d = new SrganDiscriminator(28, width: 4, pairs: 2, dense: 8);
            var g0 = Weights(g); var d0 = Weights(d);
            using var t = new SrganTrainer(g, d, new AlignedBatches(1, "data", hr), x => nn.functional.avg_pool2d(x, 2), config with { BatchSize = 4, LogEvery = 1 }, torch.CPU);
            t.Train(1);
            Assert.False(Same(g0, Weights(g)));
            Assert.Equal(config.Adversarial, !Same(d0, Weights(d)));
            Assert.Equal(config.ContentWeight > 0, t.History.Contains("Content"));
            Assert.True(t.History.Contains("MSE"));
            Assert.Equal(new long[] { 12, 1, 28, 28 }, t.Upscale(TranslationTasks.Downsample(hr, 4)).shape);
        }
    }

    [Fact]
    public void Invalid_configurations_throw_with_the_fix()
    {
        Assert.Throws<ArgumentException>(() => new SrganConfig { Scale = 3 }.Validate());
        Assert.Contains("nothing to minimize", Assert.Throws<ArgumentException>(() => new SrganConfig { Adversarial = false, ContentWeight = 0, PixelWeight = 0 }.Validate()).Message);
        Assert.Throws<ArgumentException>(() => new SrganConfig { AdversarialWeight = -1 }.Validate());
        Assert.Throws<ArgumentException>(() => new SrganConfig { Lr = 0 }.Validate());
        using var scope = torch.NewDisposeScope();
        var hr = torch.zeros(4, 1, 28, 28);
        Assert.Contains("feature function", Assert.Throws<ArgumentException>(() =>
            new SrganTrainer(new SrResNet(4, 1, 4, 1), new SrganDiscriminator(28, 1, 4, 2, 8), new AlignedBatches(0, "data", hr), null, new SrganConfig())).Message);
        Assert.Contains("×2", Assert.Throws<ArgumentException>(() =>
            new SrganTrainer(new SrResNet(2, 1, 4, 1), new SrganDiscriminator(28, 1, 4, 2, 8), new AlignedBatches(0, "data", hr), null, SrganConfig.SrResNetMse)).Message);
        Assert.Equal("SRResNet-MSE", SrganConfig.SrResNetMse.Describe());
    }
}
