using GanNotebooks.Nets;
using GanNotebooks.Variants.Progressive;
using GanNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Progressive;

public sealed class ProgressiveGanTests : IDisposable
{
    // Tiny tensors: one torch thread is faster than two (no fork/join per op), especially on a busy machine.
    readonly int _threads = torch.get_num_threads();
    public ProgressiveGanTests() => torch.set_num_threads(1);
    public void Dispose() => torch.set_num_threads(_threads);

    static readonly ProgressiveGanConfig Tiny = ProgressiveGanConfig.Tiny; // Z 8, channels 8, 8, 4, 2 at 4…32, RGB

    static float[] Flat(Tensor t) => t.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

    static void Close(Tensor expected, Tensor actual, double tol = 1e-6)
    {
        Assert.Equal(expected.shape, actual.shape);
        var e = Flat(expected); var a = Flat(actual);
        double worst = e.Zip(a, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst <= tol, $"max |difference| {worst:G4} > {tol:G4}");
    }

    static double MaxAbsDiff(Tensor a, Tensor b) => Flat(a).Zip(Flat(b), (x, y) => Math.Abs(x - y)).Max();

    static Parameter Param(nn.Module m, string name) =>
        m.named_parameters().First(p => p.name == name).parameter;

    [Fact]
    public void Config_channels_levels_and_resolutions()
    {
        Assert.Equal(4, Tiny.Levels);
        Assert.Equal(new[] { 8, 8, 4, 2 }, Enumerable.Range(0, 4).Select(Tiny.ChannelsAtLevel));
        Assert.Equal(new[] { 64, 64, 64, 32 }, Enumerable.Range(0, 4).Select(ProgressiveGanConfig.Small.ChannelsAtLevel));
        Assert.Equal(512, ProgressiveGanConfig.Paper().ChannelsAt(32));
        Assert.Equal(16, ProgressiveGanConfig.Paper().ChannelsAt(1024));
        Assert.Equal(3, ProgressiveGanConfig.LevelOf(32));
        Assert.Equal(64, ProgressiveGanConfig.ResolutionOf(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProgressiveGanConfig.LevelOf(24));
        var e = Assert.Throws<ArgumentException>(() => new ProgressiveGenerator(Tiny with { MaxResolution = 48 }));
        Assert.Contains("MaxResolution", e.Message);
    }

    [Fact]
    public void Output_shapes_at_every_resolution_and_alpha()
    {
        Seeding.Seed(1);
        using var g = new ProgressiveGenerator(Tiny);
        using var d = new ProgressiveDiscriminator(Tiny);
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(4, 8);
        foreach (int r in new[] { 4, 8, 16, 32 })
            foreach (double a in new[] { 0.0, 0.5, 1.0 })
            {
                g.SetStage(r, a);
                d.SetStage(r, a);
                var x = g.call(z);
                Assert.Equal(new long[] { 4, 3, r, r }, x.shape);
                Assert.Equal(new long[] { 4, 1 }, d.call(x).shape);
            }
        g.SetStage(16, 1);
        Assert.Equal(new long[] { 4, 3, 16, 16 }, g.call(z.reshape(4, 8, 1, 1)).shape); // [B, Z, 1, 1] latents too
    }

    [Fact]
    public void Generator_at_alpha_0_is_the_upsampled_previous_level_and_at_alpha_1_the_new_block()
    {
        Seeding.Seed(2);
        using var g = new ProgressiveGenerator(Tiny);
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(4, 8);
        foreach (int r in new[] { 8, 16, 32 })
        {
            int level = ProgressiveGanConfig.LevelOf(r);
            g.SetStage(r / 2, 1.0);
            var previous = ProgressiveResample.Upsample(g.call(z), 2);
            g.SetStage(r, 0.0);
            var at0 = g.call(z);
            Close(previous, at0, 0);                         // exactly the old network, upsampled
            g.SetStage(r, 1.0);
            var at1 = g.call(z);
            Assert.True(MaxAbsDiff(at0, at1) > 1e-3, "the new block must change the output");
            g.SetStage(r, 0.25);
            Close(at0 * 0.75 + at1 * 0.25, g.call(z), 1e-5); // linear blend in α

            // At α = 1 the old toRGB is out of the picture; at α = 0 it is all there is.
            var oldRgb = Param(g, $"toRgb.{level - 1}.weight");
            using (torch.no_grad()) oldRgb.add_(1.0);
            g.SetStage(r, 1.0);
            Close(at1, g.call(z), 0);
            g.SetStage(r, 0.0);
            Assert.True(MaxAbsDiff(at0, g.call(z)) > 1e-3);
            using (torch.no_grad()) oldRgb.sub_(1.0);
        }
    }

    [Fact]
    public void Discriminator_at_alpha_0_reads_the_downsampled_input_and_at_alpha_1_the_new_block()
    {
        Seeding.Seed(3);
        using var d = new ProgressiveDiscriminator(Tiny);
        using var scope = torch.NewDisposeScope();
        foreach (int r in new[] { 8, 16, 32 })
        {
            int level = ProgressiveGanConfig.LevelOf(r);
            var x = torch.rand(4, 3, r, r) * 2 - 1;
            d.SetStage(r / 2, 1.0);
            var previous = d.call(ProgressiveResample.Downsample(x, 2));
            d.SetStage(r, 0.0);
            var at0 = d.call(x);
            Close(previous, at0, 0);
            d.SetStage(r, 1.0);
            var at1 = d.call(x);
            Assert.True(MaxAbsDiff(at0, at1) > 1e-4, "the new block must change the score");

            var oldFromRgb = Param(d, $"fromRgb.{level - 1}.weight");
            using (torch.no_grad()) oldFromRgb.add_(1.0);
            Close(at1, d.call(x), 0);                        // α = 1: the old input path is unused
            d.SetStage(r, 0.0);
            Assert.True(MaxAbsDiff(at0, d.call(x)) > 1e-4);
            using (torch.no_grad()) oldFromRgb.sub_(1.0);
        }
    }

    [Fact]
    public void Discriminator_rejects_the_wrong_resolution_and_stage_outside_the_network()
    {
        using var d = new ProgressiveDiscriminator(Tiny);
        using var g = new ProgressiveGenerator(Tiny);
        d.SetStage(8, 1.0);
        using var x = torch.zeros(4, 3, 16, 16);
        var e = Assert.Throws<ArgumentException>(() => d.call(x));
        Assert.Contains("[B, 3, 8, 8]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => g.SetStage(64, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.SetStage(8, 1.5));
        Assert.Throws<ArgumentException>(() => g.call(torch.zeros(2, 5)));
    }

    [Fact]
    public void State_dict_is_the_same_at_every_stage()
    {
        using var g = new ProgressiveGenerator(Tiny);
        var keys0 = g.state_dict().Keys.ToArray();
        g.SetStage(32, 0.5);
        Assert.Equal(keys0, g.state_dict().Keys.ToArray());
        Assert.Contains("blocks.0.dense.weight", keys0);
        Assert.Contains("blocks.3.conv1.weight", keys0);
        Assert.Contains("toRgb.3.weight", keys0);
    }

    [Fact]
    public void Minibatch_stddev_matches_a_hand_computation()
    {
        // B = 8, group 4 → M = 2 groups; sample b is in group b mod 2 (official reshape [G, M, C, H, W]).
        const int B = 8, C = 2, H = 2, W = 3;
        var values = new float[B * C * H * W];
        var rng = new Random(5);
        for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 4 - 2);
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(values, [B, C, H, W]);
        using var layer = new MinibatchStdDev(4);
        var y = layer.call(x);
        Assert.Equal(new long[] { B, C + 1, H, W }, y.shape);
        Close(x, y.narrow(1, 0, C), 0); // the input channels are passed through
        double[] expected = new double[2];
        for (int m = 0; m < 2; m++)
        {
            double sum = 0;
            for (int c = 0; c < C; c++)
                for (int h = 0; h < H; h++)
                    for (int w = 0; w < W; w++)
                    {
                        var v = Enumerable.Range(0, 4).Select(gi => (double)values[(((gi * 2 + m) * C + c) * H + h) * W + w]).ToArray();
                        double mean = v.Average();
                        double variance = v.Select(t => (t - mean) * (t - mean)).Average();   // divisor G
                        sum += Math.Sqrt(variance + 1e-8);
                    }
            expected[m] = sum / (C * H * W);
        }
        var stat = Flat(y.narrow(1, C, 1));
        for (int b = 0; b < B; b++)
            for (int i = 0; i < H * W; i++)
                Assert.Equal(expected[b % 2], stat[b * H * W + i], 5);

        // Batch smaller than the group: one group of B.
        var small = layer.call(x.narrow(0, 0, 2));
        Assert.Equal(new long[] { 2, C + 1, H, W }, small.shape);
        Assert.Throws<ArgumentException>(() => layer.call(x.narrow(0, 0, 6)));
    }

    [Fact]
    public void Equalized_lr_scale_is_sqrt_2_over_fan_in_and_weights_are_standard_normal()
    {
        Seeding.Seed(4);
        using var conv = new EqualizedConv2d(64, 64, 3);
        Assert.Equal(64 * 9, conv.FanIn);
        Assert.Equal(Math.Sqrt(2.0 / (64 * 9)), conv.Scale, 12);
        var w = Flat(Param(conv, "weight"));
        Assert.Equal(64 * 64 * 9, w.Length);
        double mean = w.Average(v => (double)v);
        double std = Math.Sqrt(w.Average(v => ((double)v - mean) * ((double)v - mean)));
        Assert.InRange(mean, -0.03, 0.03);   // 36,864 draws: s.e. of the mean ≈ 0.005
        Assert.InRange(std, 0.97, 1.03);
        Assert.All(Flat(Param(conv, "bias")), b => Assert.Equal(0f, b));

        using var lin = new EqualizedLinear(50, 7);
        Assert.Equal(Math.Sqrt(2.0 / 50), lin.Scale, 12);
        using var rgb = new EqualizedConv2d(8, 3, 1, gain: 1.0);
        Assert.Equal(1.0 / Math.Sqrt(8), rgb.Scale, 12);

        // The forward pass is a plain conv with the scaled weight.
        using var scope = torch.NewDisposeScope();
        using var small = new EqualizedConv2d(3, 5, 3);
        var x = torch.randn(2, 3, 6, 6);
        var reference = nn.functional.conv2d(x, Param(small, "weight") * Math.Sqrt(2.0 / 27), Param(small, "bias"), padding: [1, 1]);
        Close(reference, small.call(x), 1e-6);
        var xl = torch.randn(3, 50);
        Close(nn.functional.linear(xl, Param(lin, "weight") * Math.Sqrt(2.0 / 50), Param(lin, "bias")), lin.call(xl), 1e-6);
    }

    [Fact]
    public void Pixel_norm_gives_unit_mean_square_per_pixel()
    {
        Seeding.Seed(6);
        using var scope = torch.NewDisposeScope();
        using var pn = new PixelNorm();
        var x = torch.randn(2, 5, 3, 3) * 7 + 1;
        var y = pn.call(x);
        var ms = Flat(y.square().mean([1]));
        Assert.Equal(2 * 3 * 3, ms.Length);
        Assert.All(ms, v => Assert.Equal(1.0, v, 5));
        // Direction per pixel is unchanged: y = x / rms_c(x).
        var rms = x.square().mean([1], keepdim: true).sqrt();
        Close(x / rms, y, 1e-5);
    }

    [Fact]
    public void Resampling_and_real_image_fade()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(16, dtype: ScalarType.Float32).reshape(1, 1, 4, 4);
        var down = ProgressiveResample.Downsample(x, 2);
        Assert.Equal(new float[] { 2.5f, 4.5f, 10.5f, 12.5f }, Flat(down));
        var up = ProgressiveResample.Upsample(down, 2);
        Assert.Equal(new float[] { 2.5f, 2.5f, 4.5f, 4.5f }, Flat(up).Take(4).ToArray());
        Close(up, ProgressiveResample.FadeReal(x, 0.0), 0);
        Close(x, ProgressiveResample.FadeReal(x, 1.0), 0);
        Close(up * 0.6 + x * 0.4, ProgressiveResample.FadeReal(x, 0.4), 1e-5);
        Assert.Equal(new long[] { 1, 1, 1, 1 }, ProgressiveResample.Resize(x, 1).shape);
        Assert.Equal(new long[] { 1, 1, 16, 16 }, ProgressiveResample.Resize(x, 16).shape);
        Assert.Throws<ArgumentException>(() => ProgressiveResample.Resize(x, 3));
    }
}
