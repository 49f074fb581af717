using GanNotebooks.Data.Audio;
using GanNotebooks.Evaluation.Audio;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Wavegan;
using GanNotebooks.Variants.Wgan;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Wavegan;

public class WaveganTests
{
    static readonly WaveganOptions Tiny = new() { Length = 1024, ZDim = 8, ModelSize = 4 };

    [Fact]
    public void Phase_shuffle_keeps_the_length_and_moves_each_example_by_at_most_n()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        // A ramp per example and channel: the shift of every output position is readable from its value.
        var x = (torch.arange(64, dtype: ScalarType.Float32).view(1, 1, 64) + 1000 * torch.arange(2, dtype: ScalarType.Float32).view(1, 2, 1)).expand(40, 2, 64).contiguous();
        var seen = new HashSet<long>();
        for (int rep = 0; rep < 5; rep++)
        {
            var y = PhaseShuffle.Shift(x, 2);
            Assert.Equal(x.shape, y.shape);
            // Interior positions (no reflection) read x[t − k]: the shift k = x − y is one integer per example, |k| ≤ 2, shared by channels.
            var d = (x - y).narrow(2, 4, 56);
            for (int b = 0; b < 40; b++)
            {
                var db = d[b];
                long k = (long)db[0, 0].item<float>();
                Assert.InRange(k, -2, 2);
                Assert.True(db.eq(k).all().item<bool>(), $"example {b}: all channels and positions shift by one k");
                seen.Add(k);
            }
        }
        Assert.Equal(5, seen.Count);   // every shift in −2..2 occurs over 200 draws
    }

    [Fact]
    public void Phase_shuffle_fills_the_gap_by_reflection_and_is_off_in_eval_mode()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(8, dtype: ScalarType.Float32).view(1, 1, 8);
        var right = PhaseShuffle.Shift(x, 2, torch.tensor(new long[] { 2 }));
        Assert.Equal(new float[] { 2, 1, 0, 1, 2, 3, 4, 5 }, right.data<float>().ToArray());
        var left = PhaseShuffle.Shift(x, 2, torch.tensor(new long[] { -1 }));
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 7, 6 }, left.data<float>().ToArray());
        var layer = new PhaseShuffle(2);
        layer.eval();
        Assert.True(layer.call(x).eq(x).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PhaseShuffle(-1));
    }

    [Fact]
    public void Shapes_of_the_nets()
    {
        using var scope = torch.NewDisposeScope();
        Seeding.Seed(1);
        var g = new WaveganGenerator(Tiny);
        var d = new WaveganDiscriminator(Tiny);
        Assert.Equal(3, Tiny.Layers);
        Assert.Equal(16, Tiny.TopChannels);
        var x = g.call(torch.randn(5, 8));
        Assert.Equal(new long[] { 5, 1, 1024 }, x.shape);
        Assert.True(x.abs().max().item<float>() <= 1);
        Assert.Equal(new long[] { 5, 1 }, d.call(x).shape);
        var paper = new WaveganOptions { Length = 16384, ModelSize = 64 };
        Assert.Equal(5, paper.Layers);
        Assert.Equal(1024, paper.TopChannels);    // the paper's dense layer to [16, 16d] with d = 64
        Assert.Contains("[5, 8]", Assert.Throws<ArgumentException>(() => d.call(torch.randn(5, 8))).Message);
    }

    [Fact]
    public void Invalid_configurations_throw_with_the_fix()
    {
        Assert.Contains("16·4^k", Assert.Throws<ArgumentException>(() => new WaveganGenerator(Tiny with { Length = 1000 })).Message);
        Assert.Contains("odd", Assert.Throws<ArgumentException>(() => new WaveganDiscriminator(Tiny with { Kernel = 24 })).Message);
        Assert.Contains("phase shuffle", Assert.Throws<ArgumentException>(() => new WaveganDiscriminator(Tiny with { PhaseShuffle = 16 })).Message);
        Assert.Contains("latent", Assert.Throws<ArgumentException>(() => new WaveganGenerator(Tiny with { ZDim = 0 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SynthAudio.Generate(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SynthAudio.Generate(2, sampleRate: 1000));
    }

    [Fact]
    public void One_wgan_gp_step_with_the_paper_recipe()
    {
        Seeding.Seed(2);
        using var data = SynthAudio.Generate(4, length: 1024, seed: 1);
        var g = new WaveganGenerator(Tiny);
        var d = new WaveganDiscriminator(Tiny);
        var cfg = WaveganOptions.TrainerConfig(batchSize: 4) with { Device = torch.CPU, LogEvery = 1 };
        Assert.Equal(5, cfg.DSteps);
        using var t = new GanTrainer(g, d, new WassersteinGpGan(10), data.BatchSampler(), Latent.Normal(Tiny.ZDim, torch.CPU), cfg);
        var before = g.parameters().Select(p => p.detach().clone()).ToList();
        var m = t.TrainStep();
        Assert.True(double.IsFinite(m["Loss/D"]) && double.IsFinite(m["Loss/G"]) && double.IsFinite(m["GP"]));
        Assert.Equal(5, t.DiscriminatorSteps);
        Assert.Contains(g.parameters().Zip(before), p => !p.First.eq(p.Second).all().item<bool>());
    }
}
