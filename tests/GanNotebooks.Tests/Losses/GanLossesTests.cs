using GanNotebooks.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Losses;

public class GanLossesTests
{
    static Tensor Const(double v, int n = 4) => torch.full(new long[] { n }, v, dtype: torch.float32);
    static double V(Tensor t) => t.to_type(ScalarType.Float64).item<double>();
    static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    [Fact]
    public void ZeroLogitsGiveTheTextbookValues()
    {
        using var s = torch.NewDisposeScope();
        var zero = Const(0);
        // D = 1/2 everywhere: BCE = 2·log 2, saturating = log(1/2), non-saturating = log 2.
        Assert.Equal(2 * Math.Log(2), V(GanLosses.DiscriminatorBce(zero, zero)), 6);
        Assert.Equal(Math.Log(0.5), V(GanLosses.GeneratorSaturating(zero)), 6);
        Assert.Equal(Math.Log(0.5), V(GanLosses.GeneratorMinimax(zero)), 6);
        Assert.Equal(Math.Log(2), V(GanLosses.GeneratorNonSaturating(zero)), 6);
    }

    [Fact]
    public void NonZeroLogitsMatchHandComputedCrossEntropy()
    {
        using var s = torch.NewDisposeScope();
        // −log σ(2) − log(1 − σ(−1)) = softplus(−2) + softplus(−1)
        Assert.Equal(Softplus(-2) + Softplus(-1), V(GanLosses.DiscriminatorBce(Const(2), Const(-1))), 5);
        // mixed batch: mean over elements
        var fake = torch.tensor(new float[] { -1, 3 });
        Assert.Equal(-(Softplus(-1) + Softplus(3)) / 2, V(GanLosses.GeneratorSaturating(fake)), 5);
        Assert.Equal((Softplus(1) + Softplus(-3)) / 2, V(GanLosses.GeneratorNonSaturating(fake)), 5);
        Assert.Equal(0.5 * (1 / (1 + Math.Exp(1)) + 1 / (1 + Math.Exp(-3))), V(GanLosses.MeanProbability(fake)), 5);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(-50)]
    public void ExtremeLogitsStayFinite(double v)
    {
        using var s = torch.NewDisposeScope();
        var x = Const(v);
        foreach (var t in new[] { GanLosses.DiscriminatorBce(x, x), GanLosses.DiscriminatorBce(x, -x),
                                   GanLosses.GeneratorSaturating(x), GanLosses.GeneratorNonSaturating(x) })
            Assert.True(double.IsFinite(V(t)), $"loss at logit {v} is {V(t)}");
        // −log σ(−50) ≈ 50, log(1 − σ(50)) ≈ −50: exact in the softplus form.
        if (v < 0) Assert.Equal(50, V(GanLosses.GeneratorNonSaturating(x)), 3);
        else Assert.Equal(-50, V(GanLosses.GeneratorSaturating(x)), 3);
        // gradients are finite too
        var p = Const(v).requires_grad_(true);
        GanLosses.DiscriminatorBce(p, p).backward();
        Assert.True(p.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void NonSaturatingGradientDominatesWhereDRejectsFakes()
    {
        using var s = torch.NewDisposeScope();
        // D(G(z)) = σ(−6) ≈ 0.0025: the saturating loss has gradient −σ(f), the non-saturating −(1 − σ(f)).
        var f1 = torch.tensor(new float[] { -6 }).requires_grad_(true);
        GanLosses.GeneratorSaturating(f1).backward();
        var f2 = torch.tensor(new float[] { -6 }).requires_grad_(true);
        GanLosses.GeneratorNonSaturating(f2).backward();
        double sig = 1 / (1 + Math.Exp(6));
        double gSat = V(f1.grad!), gNs = V(f2.grad!);
        Assert.Equal(-sig, gSat, 5);
        Assert.Equal(-(1 - sig), gNs, 5);
        Assert.True(Math.Abs(gNs) > 100 * Math.Abs(gSat));
    }

    [Fact]
    public void WassersteinHingeAndLeastSquaresOnConstants()
    {
        using var s = torch.NewDisposeScope();
        Assert.Equal(-3, V(GanLosses.CriticWasserstein(Const(2), Const(-1))), 6);
        Assert.Equal(1, V(GanLosses.GeneratorWasserstein(Const(-1))), 6);
        Assert.Equal(1.3, V(GanLosses.DiscriminatorHinge(Const(0.5), Const(-0.2))), 6);
        Assert.Equal(0, V(GanLosses.DiscriminatorHinge(Const(2), Const(-3))), 6);
        Assert.Equal(0.2, V(GanLosses.GeneratorHinge(Const(-0.2))), 6);
        Assert.Equal(0.5 * 0.25 + 0.5 * 0.0625, V(GanLosses.DiscriminatorLeastSquares(Const(0.5), Const(0.25))), 6);
        Assert.Equal(0.5 * 0.75 * 0.75, V(GanLosses.GeneratorLeastSquares(Const(0.25))), 6);
        // −1/1 coding (Mao et al. 2017, a = −1, b = 1)
        Assert.Equal(0.5 * 1 + 0.5 * 1, V(GanLosses.DiscriminatorLeastSquares(Const(0), Const(0), -1, 1)), 6);
        Assert.Equal(4, V(GanLosses.Drift(Const(2))), 6);
    }

    [Fact]
    public void EmptyOrIntegerLogitsAreRejected()
    {
        using var s = torch.NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => GanLosses.GeneratorNonSaturating(torch.zeros(0)));
        Assert.Contains("empty", ex.Message);
        var ex2 = Assert.Throws<ArgumentException>(() => GanLosses.DiscriminatorBce(torch.zeros(3, dtype: torch.int64), torch.zeros(3)));
        Assert.Contains("floating-point", ex2.Message);
    }
}
