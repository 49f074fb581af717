using GanNotebooks.Runtime;
using GanNotebooks.Variants.Stylegan;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Stylegan;

public class StyleGanTests
{
    static readonly StyleGanOptions Tiny = new() { ZDim = 8, WDim = 8, MappingLayers = 2, Channels = [8, 8], DChannels = [8, 8] };

    static Tensor Real8(int b) => torch.rand(b, 1, 8, 8) * 2 - 1;

    [Fact]
    public void Shapes_of_the_nets_at_32_by_32()
    {
        using var scope = torch.NewDisposeScope();
        Seeding.Seed(1);
        var o = StyleGanOptions.Gray32;
        var g = new StyleGenerator(o);
        var d = new StyleDiscriminator(o);
        Assert.Equal(32, o.ImageSize);
        Assert.Equal(8, g.NumWs);
        Assert.Equal(new[] { 4, 8, 8, 16, 16, 32, 32 }, g.Synthesis.LayerSides);
        var z = torch.randn(3, o.ZDim);
        Assert.Equal(new long[] { 3, o.WDim }, g.Map(z).shape);
        var x = g.call(z);
        Assert.Equal(new long[] { 3, 1, 32, 32 }, x.shape);
        Assert.Equal(new long[] { 3, 1 }, d.call(x).shape);
        Assert.Contains("[3, 5]", Assert.Throws<ArgumentException>(() => g.Map(torch.randn(3, 5))).Message);
        Assert.Contains("one w per layer", Assert.Throws<ArgumentException>(() => g.Synthesize(torch.randn(3, 7, o.WDim))).Message);
    }

    [Fact]
    public void Modulated_convolution_equals_modulating_and_demodulating_the_weights()
    {
        using var scope = torch.NewDisposeScope();
        Seeding.Seed(2);
        var conv = new ModulatedConv2d(3, 4, 3, wDim: 5);
        var x = torch.randn(2, 3, 6, 6);
        var w = torch.randn(2, 5);
        var y = conv.call(x, w);
        // StyleGAN2 eqs. 1 and 3, per sample: w'_ijk = s_i·w_ijk, w''_ijk = w'_ijk / sqrt(Σ_ik w'_ijk² + ε).
        var p = conv.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        var weight = p["weight"] / Math.Sqrt(3 * 9);
        var s = torch.nn.functional.linear(w, p["affine.weight"] / Math.Sqrt(5), p["affine.bias"]);
        for (int b = 0; b < 2; b++)
        {
            var wm = weight * s[b].view(1, 3, 1, 1);
            var wd = wm / (wm.square().sum(new long[] { 1, 2, 3 }, keepdim: true) + 1e-8).sqrt();
            var expected = torch.nn.functional.conv2d(x.narrow(0, b, 1), wd, padding: [1, 1]);
            Assert.True(expected.allclose(y.narrow(0, b, 1), rtol: 1e-4, atol: 1e-5), $"sample {b}");
        }
        Assert.True(p["affine.bias"].eq(1).all().item<bool>(), "styles start at s = 1 (affine bias 1)");
    }

    [Fact]
    public void Truncation_psi_one_is_identity_and_psi_zero_gives_the_mean_w()
    {
        using var scope = torch.NewDisposeScope();
        Seeding.Seed(3);
        var g = new StyleGenerator(Tiny);
        Assert.True(g.WAverage.eq(0).all().item<bool>());
        g.train();
        for (int i = 0; i < 5; i++) g.Map(torch.randn(16, Tiny.ZDim));          // training mode moves w̄
        Assert.False(g.WAverage.eq(0).all().item<bool>());
        g.eval();
        var before = g.WAverage.clone();
        var w = g.Map(torch.randn(6, Tiny.ZDim));
        Assert.True(g.WAverage.eq(before).all().item<bool>(), "eval mode must not move w̄");
        Assert.True(g.Truncate(w, 1.0).allclose(w));
        Assert.True(g.Truncate(w, 0.0).allclose(g.WAverage.expand(6, -1)));
        Assert.True(g.Truncate(w, 0.5).allclose((w + g.WAverage) / 2, atol: 1e-6));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.Truncate(w, double.NaN));
    }

    [Fact]
    public void Style_mixing_takes_coarse_layers_from_the_first_latent_and_fine_from_the_second()
    {
        using var scope = torch.NewDisposeScope();
        var ws1 = torch.zeros(2, 8, 3);
        var ws2 = torch.ones(2, 8, 3);
        for (int c = 0; c <= 8; c++)
        {
            var mixed = StyleGenerator.MixStyles(ws1, ws2, c);
            var perLayer = mixed.mean(new long[] { 0, 2 }).data<float>().ToArray();
            Assert.Equal(Enumerable.Range(0, 8).Select(i => i < c ? 0f : 1f).ToArray(), perLayer);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => StyleGenerator.MixStyles(ws1, ws2, 9));
        Assert.Throws<ArgumentException>(() => StyleGenerator.MixStyles(ws1, torch.ones(2, 7, 3), 2));
        // Through the network: with fixed noise, changing only the fine styles leaves the 4×4 layer's input untouched,
        // and the coarse-only image equals the image of the first latent when crossover = NumWs.
        Seeding.Seed(4);
        var g = new StyleGenerator(Tiny);
        g.eval();
        var noise = g.Synthesis.MakeNoise(2);
        var a = g.Broadcast(g.Map(torch.randn(2, Tiny.ZDim)));
        var b = g.Broadcast(g.Map(torch.randn(2, Tiny.ZDim)));
        Assert.True(g.Synthesize(StyleGenerator.MixStyles(a, b, g.NumWs), noise).allclose(g.Synthesize(a, noise)));
        Assert.False(g.Synthesize(StyleGenerator.MixStyles(a, b, 1), noise).allclose(g.Synthesize(a, noise)));
    }

    [Fact]
    public void Noise_inputs_start_switched_off_and_change_only_details_once_they_have_strength()
    {
        using var scope = torch.NewDisposeScope();
        Seeding.Seed(5);
        var g = new StyleGenerator(Tiny);
        g.eval();
        var ws = g.Broadcast(g.Map(torch.randn(1, Tiny.ZDim)));
        // Strength 0 at initialisation (StyleGAN): two noise draws give the same image.
        Assert.True(g.Synthesize(ws).allclose(g.Synthesize(ws)));
        using (torch.no_grad()) foreach (var layer in g.Synthesis.Layers) layer.NoiseStrength.fill_(0.1);
        var x1 = g.Synthesize(ws);
        var x2 = g.Synthesize(ws);
        Assert.False(x1.allclose(x2));
        var fixedNoise = g.Synthesis.MakeNoise(1);
        Assert.True(g.Synthesize(ws, fixedNoise).allclose(g.Synthesize(ws, fixedNoise)));
    }

    [Fact]
    public void The_mapping_network_trains_at_its_multiplier_and_one_step_runs_every_phase()
    {
        Seeding.Seed(6);
        var g = new StyleGenerator(Tiny);
        var d = new StyleDiscriminator(Tiny);
        using var t = new StyleGanTrainer(g, d, Real8, new StyleGanTrainingOptions { BatchSize = 4, R1Every = 2, LogEvery = 1, Device = torch.CPU });
        var groups = t.Optimizer("G").ParamGroups.ToList();
        Assert.Equal(2, groups.Count);
        Assert.Equal(0.002 * 0.01, groups[0].LearningRate, 12);
        Assert.Equal(0.002, groups[1].LearningRate, 12);
        int mappingCount = g.named_parameters().Count(p => StyleGenerator.IsMappingParameter(p.name));
        Assert.Equal(2 * Tiny.MappingLayers, mappingCount);
        var mapBefore = g.named_parameters().Where(p => StyleGenerator.IsMappingParameter(p.name)).Select(p => p.parameter.detach().clone()).ToList();
        var synBefore = g.named_parameters().Where(p => !StyleGenerator.IsMappingParameter(p.name)).Select(p => p.parameter.detach().clone()).ToList();
        var m = t.TrainStep();
        Assert.True(double.IsFinite(m["Loss/D"]) && double.IsFinite(m["Loss/G"]) && double.IsFinite(m["Loss/R1"]));
        t.Train(2);
        Assert.Equal(2, t.PhaseSteps("R1"));        // iterations 0 and 2
        Assert.Equal(3, t.PhaseSteps("G"));
        // Adam's first steps move every weight by about lr: the mapping network by ~0.01 × what synthesis moves.
        double Moved(IEnumerable<Tensor> before, IEnumerable<Tensor> after) => before.Zip(after).Max(p => (p.First - p.Second).abs().max().item<float>());
        var mapMove = Moved(mapBefore, g.named_parameters().Where(p => StyleGenerator.IsMappingParameter(p.name)).Select(p => p.parameter.detach()));
        var synMove = Moved(synBefore, g.named_parameters().Where(p => !StyleGenerator.IsMappingParameter(p.name)).Select(p => p.parameter.detach()));
        Assert.True(mapMove > 1e-7 && mapMove < 3 * 0.002 * 0.01 * 1.5, $"mapping moved {mapMove}, synthesis {synMove}");
        Assert.True(synMove > 10 * mapMove, $"synthesis moved {synMove}, mapping {mapMove}");
        using var samples = t.WithSamplingWeights(gg => gg.call(torch.randn(2, Tiny.ZDim)));
        Assert.Equal(new long[] { 2, 1, 8, 8 }, samples.shape);
        Assert.True(g.training, "sampling restores training mode");
    }

    [Fact]
    public void Invalid_configurations_throw_with_the_fix()
    {
        Assert.Contains("one per resolution", Assert.Throws<ArgumentException>(() => new StyleGenerator(Tiny with { Channels = [8] })).Message);
        Assert.Contains("DChannels", Assert.Throws<ArgumentException>(() => new StyleDiscriminator(Tiny with { DChannels = [8, 8, 8] })).Message);
        Assert.Contains("0.01", Assert.Throws<ArgumentException>(() => new StyleGenerator(Tiny with { MappingLrMultiplier = 0 })).Message);
        Assert.Contains("0.9", Assert.Throws<ArgumentException>(() => new StyleGenerator(Tiny with { StyleMixing = 1.5 })).Message);
        Seeding.Seed(7);
        var g = new StyleGenerator(Tiny);
        var d = new StyleDiscriminator(Tiny);
        Assert.Contains("16", Assert.Throws<ArgumentException>(() => new StyleGanTrainer(g, d, Real8, new StyleGanTrainingOptions { R1Every = 0 })).Message);
        Assert.Contains("StyleGanOptions", Assert.Throws<ArgumentException>(() => new StyleGanTrainer(g, new StyleDiscriminator(Tiny with { Channels = [8, 8, 8], DChannels = [8, 8, 8] }), Real8)).Message);
    }
}
