using GanNotebooks.Nets;
using GanNotebooks.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Losses;

public class RegularizersTests
{
    static double V(Tensor t) => t.to_type(ScalarType.Float64).item<double>();

    /// <summary>D(x) = w·flatten(x), with ‖w‖ = norm.</summary>
    static (Func<Tensor, Tensor> critic, Tensor w) Linear(long[] sampleShape, double norm, long seed)
    {
        long d = sampleShape.Aggregate(1L, (a, b) => a * b);
        var w = torch.randn(new long[] { d }, generator: new torch.Generator((ulong)seed));
        w = (w / w.norm() * norm).detach().requires_grad_(true);
        return (x => x.reshape(x.shape[0], -1).matmul(w), w);
    }

    public static TheoryData<int, long[]> Shapes()
    {
        var data = new TheoryData<int, long[]>();
        foreach (var b in new[] { 1, 3, 8 })
        {
            data.Add(b, new long[] { 2 });
            data.Add(b, new long[] { 1, 4, 4 });
            data.Add(b, new long[] { 3, 8, 8 });
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void UnitNormLinearCriticHasZeroPenaltyAtAnyBatchAndShape(int b, long[] sampleShape)
    {
        using var s = torch.NewDisposeScope();
        var (critic, _) = Linear(sampleShape, 1.0, 7);
        var shape = new[] { (long)b }.Concat(sampleShape).ToArray();
        var real = torch.randn(shape);
        var fake = torch.randn(shape);
        Assert.Equal(0, V(Regularizers.GradientPenalty(critic, real, fake)), 5);
    }

    [Theory]
    [InlineData(2.0, 1.0)]
    [InlineData(0.5, 0.25)]
    [InlineData(3.0, 4.0)]
    public void LinearCriticPenaltyIsSquaredNormGap(double norm, double expected)
    {
        using var s = torch.NewDisposeScope();
        foreach (var sampleShape in new[] { new long[] { 2 }, new long[] { 1, 4, 4 }, new long[] { 3, 8, 8 } })
        {
            var (critic, _) = Linear(sampleShape, norm, 3);
            var shape = new long[] { 5 }.Concat(sampleShape).ToArray();
            Assert.Equal(expected, V(Regularizers.GradientPenalty(critic, torch.randn(shape), torch.randn(shape))), 4);
        }
    }

    [Fact]
    public void PenaltyTrainsTheCritic()
    {
        using var s = torch.NewDisposeScope();
        // GP = (‖w‖ − 1)² ⇒ ∂GP/∂w = 2(‖w‖ − 1)·w/‖w‖: the graph reaches w (create_graph).
        var (critic, w) = Linear(new long[] { 3, 2, 2 }, 2.0, 11);
        var x = torch.randn(4, 3, 2, 2);
        Regularizers.GradientPenalty(critic, x, torch.randn(4, 3, 2, 2)).backward();
        var expected = (2 * (2.0 - 1) * w / 2.0).detach();
        Assert.True(torch.allclose(w.grad!, expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void NormsArePerSampleOverAllNonBatchDims()
    {
        using var s = torch.NewDisposeScope();
        // D(x) = ½ Σ x² per sample ⇒ ∇D(x_b) = x_b, whose norm is taken over C·H·W.
        var x = torch.randn(4, 3, 5, 5);
        var norms = Regularizers.InputGradientNorms(p => 0.5 * p.square().sum(new long[] { 1, 2, 3 }), x);
        var expected = x.reshape(4, -1).norm(1);
        Assert.Equal(new long[] { 4 }, norms.shape);
        Assert.True(torch.allclose(norms, expected, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void InterpolationDrawsOneEpsilonPerSample()
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(5);
        var real = torch.ones(6, 3, 4, 4);
        var fake = torch.zeros(6, 3, 4, 4);
        var xHat = Regularizers.Interpolate(real, fake);
        var flat = xHat.reshape(6, -1);
        var eps = flat[.., 0];
        // within a sample every entry is that sample's ε; across samples they differ; ε ∈ [0, 1]
        Assert.True(torch.allclose(flat, eps.unsqueeze(1).expand(6, 48)));
        Assert.True(eps.min().item<float>() >= 0 && eps.max().item<float>() <= 1);
        Assert.True(eps.unique().output.numel() > 1);
        Assert.False(xHat.requires_grad);
    }

    [Fact]
    public void PenaltyThroughAModuleCriticIsFiniteAndReachesItsParameters()
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(1);
        var d = new MlpDiscriminator(16, hidden: 8, depth: 2);
        var gp = Regularizers.GradientPenalty(d, torch.randn(4, 1, 4, 4), torch.randn(4, 1, 4, 4));
        Assert.True(double.IsFinite(V(gp)));
        gp.backward();
        Assert.True(d.GradNorm() > 0);
    }

    [Fact]
    public void R1OfALinearCriticIsItsSquaredNorm()
    {
        using var s = torch.NewDisposeScope();
        var (critic, _) = Linear(new long[] { 2, 3 }, 1.5, 2);
        Assert.Equal(2.25, V(Regularizers.R1(critic, torch.randn(3, 2, 3))), 4);
    }

    [Fact]
    public void MismatchedShapesAndBadCriticsAreClearErrors()
    {
        using var s = torch.NewDisposeScope();
        var (critic, _) = Linear(new long[] { 2 }, 1, 1);
        var ex = Assert.Throws<ArgumentException>(() => Regularizers.GradientPenalty(critic, torch.randn(4, 2), torch.randn(3, 2)));
        Assert.Contains("same shape", ex.Message);
        var ex2 = Assert.Throws<ArgumentException>(() => Regularizers.GradientPenaltyAt(x => x.sum(), torch.randn(4, 2)));
        Assert.Contains("one score per sample", ex2.Message);
    }
}
