using GanNotebooks.Data.Images;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using GanNotebooks.Variants.Pix2pix;
using TorchSharp;
using static TorchSharp.torch;
using static GanNotebooks.Tests.Training.TrainerTestKit;

namespace GanNotebooks.Tests.Variants.Pix2pix;

public class Pix2PixTests
{
    [Fact]
    public void The_unet_maps_an_image_to_an_image_of_the_same_size()
    {
        using var scope = torch.NewDisposeScope();
        var g = new UNetGenerator(1, 1, width: 4, depth: 4);
        Assert.Equal(new long[] { 3, 1, 32, 32 }, g.call(torch.randn(3, 1, 32, 32)).shape);
        var g3 = new UNetGenerator(2, 3, width: 4, depth: 3);
        Assert.Equal(new long[] { 2, 3, 16, 16 }, g3.call(torch.randn(2, 2, 16, 16)).shape);
        Assert.Contains("PadTo(32)", Assert.Throws<ArgumentException>(() => g.call(torch.randn(1, 1, 28, 28))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new UNetGenerator(depth: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UNetGenerator(dropout: 1));
    }

    [Fact]
    public void Dropout_is_the_noise_source_in_training_mode_only()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        var g = new UNetGenerator(1, 1, width: 4, depth: 4);
        var x = torch.randn(4, 1, 32, 32);
        g.train();
        Assert.True((g.call(x) - g.call(x)).abs().max().item<float>() > 0, "two training-mode passes should differ (dropout)");
        g.eval();
        Assert.Equal(0f, (g.call(x) - g.call(x)).abs().max().item<float>());
        var quiet = new UNetGenerator(1, 1, width: 4, depth: 4, dropout: 0);
        quiet.eval();
        Assert.Equal(0f, (quiet.call(x) - quiet.call(x)).abs().max().item<float>());
    }

    [Fact]
    public void Known_values_of_the_losses()
    {
        using var scope = torch.NewDisposeScope();
        var zeros = torch.zeros(2, 1, 3, 3);
        var target = torch.zeros(2, 1, 4, 4); var output = target + 0.1f;
        Assert.Equal(Math.Log(2) + 100 * 0.1, Pix2Pix.GeneratorLoss(zeros, output, target, 100).item<float>(), 4);
        Assert.Equal(100 * 0.1, Pix2Pix.GeneratorLoss(null, output, target, 100).item<float>(), 4);     // L1 alone
        Assert.Equal(Math.Log(2), Pix2Pix.GeneratorLoss(zeros, output, target, 0).item<float>(), 5);     // cGAN alone
        // D: ½·[softplus(−r) + softplus(f)]; r = 2, f = −1: ½·(softplus(−2) + softplus(−1)).
        var r = torch.zeros(2, 1, 3, 3) + 2; var f = torch.zeros(2, 1, 3, 3) - 1;
        Assert.Equal(0.5 * (Softplus(-2) + Softplus(-1)), Pix2Pix.DiscriminatorLossFromLogits(r, f).item<float>(), 5);
        Assert.Equal(new long[] { 2, 2, 4, 4 }, Pix2Pix.Pair(target, output).shape);
        Assert.Throws<ArgumentException>(() => Pix2Pix.Pair(target, torch.zeros(2, 1, 5, 5)));
    }

    /// <summary>A discriminator that records what it is shown.</summary>
    sealed class SpyDiscriminator : nn.Module<Tensor, Tensor>
    {
        readonly TorchSharp.Modules.Conv2d conv;
        public readonly List<float[]> FirstChannelMeans = new();
        public readonly List<long> Channels = new();
        public SpyDiscriminator() : base(nameof(SpyDiscriminator)) { conv = nn.Conv2d(2, 1, 3); RegisterComponents(); }
        public override Tensor forward(Tensor x)
        {
            Channels.Add(x.shape[1]);
            FirstChannelMeans.Add(x[.., 0].mean([1L, 2L]).detach().data<float>().ToArray());
            return conv.call(x);
        }
    }

    static (Tensor X, Tensor Y) Pairs(int n)
    {
        // Condition i is the constant image −0.5 + i/100 (a fingerprint), its target the constant 0.9 − i/100.
        var ids = torch.arange(n).to_type(ScalarType.Float32) / 100;
        var x = (ids - 0.5f).reshape(n, 1, 1, 1).expand(n, 1, 8, 8).contiguous();
        var y = (0.9f - ids).reshape(n, 1, 1, 1).expand(n, 1, 8, 8).contiguous();
        return (x, y);
    }

    [Fact]
    public void The_discriminator_sees_the_condition_in_both_phases()
    {
        using var scope = torch.NewDisposeScope();
        Seeding.Seed(3);
        var (x, y) = Pairs(12);
        var conditions = Enumerable.Range(0, 12).Select(i => -0.5f + i / 100f).ToList();
        var d = new SpyDiscriminator();
        var g = new UNetGenerator(1, 1, width: 2, depth: 3);
        using var t = new Pix2PixTrainer(g, d, new AlignedBatches(1, "data", x, y), new Pix2PixConfig { BatchSize = 4, LogEvery = 1 }, torch.CPU);
        t.Train(2);
        Assert.Equal(2 * 3, d.Channels.Count);   // per iteration: D phase (real, fake) + G phase (fake)
        Assert.All(d.Channels, c => Assert.Equal(2, c));
        // Channel 0 of every pair D saw is one of the training conditions x (real pairs, fake pairs, G's pairs).
        Assert.All(d.FirstChannelMeans.SelectMany(v => v), m => Assert.Contains(conditions, c => Math.Abs(c - m) < 1e-5));
    }

    [Fact]
    public void One_step_of_each_ablation_trains_what_it_should()
    {
        using var scope = torch.NewDisposeScope();
        var (x, y) = Pairs(16);
        foreach (var config in new[] { Pix2PixConfig.L1Only, Pix2PixConfig.CganOnly, Pix2PixConfig.Paper })
        {
            Seeding.Seed(4);
            var g = new UNetGenerator(1, 1, width: 2, depth: 3);
            var d = new PatchDiscriminator(2, width: 2, downsamplings: 1);
            var g0 = Weights(g); var d0 = Weights(d);
            using var t = new Pix2PixTrainer(g, d, new AlignedBatches(1, "data", x, y), config with { BatchSize = 4, LogEvery = 1 }, torch.CPU);
            t.Train(1);
            Assert.False(Same(g0, Weights(g)), $"{config.Describe()}: G did not train");
            Assert.Equal(config.Adversarial, !Same(d0, Weights(d)));
            Assert.Equal(config.Adversarial, t.History.Contains("Loss/D"));
            Assert.True(t.History.Contains("L1"));
            Assert.Equal(new long[] { 16, 1, 8, 8 }, t.Translate(x, batchSize: 5).shape);
        }
    }

    [Fact]
    public void Invalid_configurations_throw_with_the_fix()
    {
        Assert.Contains("no loss", Assert.Throws<ArgumentException>(() => new Pix2PixConfig { Adversarial = false, Lambda = 0 }.Validate()).Message);
        Assert.Contains("λ", Assert.Throws<ArgumentException>(() => new Pix2PixConfig { Lambda = -1 }.Validate()).Message);
        Assert.Throws<ArgumentException>(() => new Pix2PixConfig { BatchSize = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new Pix2PixConfig { Lr = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new Pix2PixConfig { Betas = (1.0, 0.999) }.Validate());
        Assert.Equal("L1", Pix2PixConfig.L1Only.Describe());
        Assert.Equal("cGAN", Pix2PixConfig.CganOnly.Describe());
        Assert.Equal("L1 + cGAN", Pix2PixConfig.Paper.Describe());
    }
}
