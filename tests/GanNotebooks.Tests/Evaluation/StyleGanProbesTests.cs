using GanNotebooks.Evaluation;
using GanNotebooks.Runtime;
using GanNotebooks.Variants.Stylegan;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Evaluation;

/// <summary>StyleGAN's measurements (path length, noise std, slerp), now with the other metrics in Evaluation.</summary>
public class StyleGanProbesTests
{
    static readonly StyleGanOptions Tiny = new() { ZDim = 8, WDim = 8, MappingLayers = 2, Channels = [8, 8], DChannels = [8, 8] };

    [Fact]
    public void Slerp_stays_on_the_unit_sphere_and_halves_the_angle()
    {
        using var scope = torch.NewDisposeScope();
        // Orthogonal rows: Ω = π/2, so t = ½ gives sin(π/4)/sin(π/2)·(â + b̂) = (â + b̂)/√2. Inputs need not be unit vectors.
        var a = torch.tensor(new float[,] { { 3, 0 }, { 0, 2 } });
        var b = torch.tensor(new float[,] { { 0, 5 }, { -1, 0 } });
        var mid = StyleGanProbes.Slerp(a, b, torch.full(2, 0.5f));
        double r = Math.Sqrt(0.5);
        Assert.True(mid.allclose(torch.tensor(new float[,] { { (float)r, (float)r }, { (float)-r, (float)r } }), atol: 1e-6));
        Assert.True(StyleGanProbes.Slerp(a, b, torch.zeros(2)).allclose(a / a.norm(1, keepdim: true), atol: 1e-6));
        Assert.True(StyleGanProbes.Slerp(a, b, torch.ones(2)).allclose(b / b.norm(1, keepdim: true), atol: 1e-6));
        var norms = StyleGanProbes.Slerp(a, b, torch.tensor(new float[] { 0.2f, 0.9f })).norm(1);
        Assert.True(norms.allclose(torch.ones(2), atol: 1e-6));
    }

    [Fact]
    public void Noise_std_is_zero_while_the_noise_has_no_strength_and_positive_after()
    {
        using var scope = torch.NewDisposeScope();
        Seeding.Seed(3);
        var g = new StyleGenerator(Tiny);
        g.eval();
        var ws = g.Broadcast(g.Map(torch.randn(2, Tiny.ZDim)));
        // StyleGAN initialises every noise strength B at 0: the image does not depend on the noise draw at all.
        var off = StyleGanProbes.NoiseStd(g, ws, 3, Seeding.Generator(1));
        Assert.Equal(new long[] { 2, 1, 8, 8 }, off.shape);
        Assert.Equal(0.0, off.abs().max().item<float>());
        using (torch.no_grad()) foreach (var layer in g.Synthesis.Layers) layer.NoiseStrength.fill_(0.1);
        Assert.True(StyleGanProbes.NoiseStd(g, ws, 3, Seeding.Generator(1)).mean().item<float>() > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => StyleGanProbes.NoiseStd(g, ws, 1));
    }

    [Fact]
    public void Path_lengths_are_one_per_pair_repeatable_and_zero_for_constant_features()
    {
        using var scope = torch.NewDisposeScope();
        Seeding.Seed(4);
        var g = new StyleGenerator(Tiny);
        g.eval();
        Tensor Pixels(Tensor x) => x.flatten(1);
        var z = StyleGanProbes.PathLengths(g, Pixels, 5, inW: false, epsilon: 1e-2, Seeding.Generator(9), batch: 2);
        Assert.Equal(5, z.Length);
        Assert.All(z, v => Assert.True(double.IsFinite(v) && v > 0));
        Assert.Equal(z, StyleGanProbes.PathLengths(g, Pixels, 5, inW: false, epsilon: 1e-2, Seeding.Generator(9), batch: 2));   // same seed, same pairs
        Assert.NotEqual(z, StyleGanProbes.PathLengths(g, Pixels, 5, inW: true, epsilon: 1e-2, Seeding.Generator(9), batch: 2));
        Assert.All(StyleGanProbes.PathLengths(g, x => torch.ones(x.shape[0], 3), 3, inW: true, epsilon: 1e-2, Seeding.Generator(9)), v => Assert.Equal(0.0, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => StyleGanProbes.PathLengths(g, Pixels, 0, inW: false, epsilon: 1e-4, Seeding.Generator(9)));
        Assert.Throws<ArgumentOutOfRangeException>(() => StyleGanProbes.PathLengths(g, Pixels, 2, inW: false, epsilon: 0.5, Seeding.Generator(9)));
    }
}
