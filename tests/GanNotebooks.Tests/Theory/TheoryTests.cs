
using GanNotebooks.Data.Toy;
using GanNotebooks.Core;
using GanNotebooks.Losses;
using GanNotebooks.Theory;

namespace GanNotebooks.Tests.Theory;

public class TheoryTests
{
    /// <summary>The quadrature grid of the closed-form tests (also used by the f-divergence table tests).</summary>
    internal static readonly double[] X = Quadrature.Linspace(-15, 15, 6001);
    /// <summary>N(m, s²) on <see cref="X"/>.</summary>
    internal static double[] Gauss(double m, double s) => GaussianMixture1D.Gaussian(m, s).Density(X);

    static double[] Normalize(double[] x, double[] p) { double m = Quadrature.Trapezoid(x, p); return p.Select(v => v / m).ToArray(); }

    [Fact]
    public void TrapezoidIsExactForLinearFunctions()
    {
        var x = Quadrature.Linspace(0, 2, 5);
        Assert.Equal(2.0 * 2 + 2, Quadrature.Trapezoid(x, x.Select(v => 2 * v + 1).ToArray()), 12);
        Assert.Equal(new[] { 0, 0.75, 2, 3.75, 6 }, Quadrature.CumulativeTrapezoid(x, x.Select(v => 2 * v + 1).ToArray()).Select(v => Math.Round(v, 12)));
        Assert.Throws<ArgumentException>(() => Quadrature.Trapezoid(new[] { 0.0, 0.0 }, new[] { 1.0, 1.0 }));
    }

    [Fact]
    public void OptimalDiscriminatorFollowsTheFormula()
    {
        Assert.Equal(0.75, OptimalDiscriminator.At(3, 1));
        Assert.Equal(0.5, OptimalDiscriminator.At(2, 2));
        Assert.Equal(1.0, OptimalDiscriminator.At(1, 0));
        Assert.Equal(0.0, OptimalDiscriminator.At(0, 1));
        Assert.Equal(OptimalDiscriminator.BothZeroValue, OptimalDiscriminator.At(0, 0)); // 0/0 convention, no NaN
        Assert.Equal(0.75, OptimalDiscriminator.FromLogDensities(Math.Log(3), 0), 12);
        Assert.Equal(0.5, OptimalDiscriminator.FromLogDensities(double.NegativeInfinity, double.NegativeInfinity));
        var mix = GaussianMixture1D.EqualWeights(new[] { -1.0, 1.0 }, 0.5);
        var g = GaussianMixture1D.Gaussian(0, 1);
        var d = OptimalDiscriminator.OnGrid(X, mix.Density, g.Density);
        Assert.All(d, v => Assert.InRange(v, 0, 1));
        int i = Array.FindIndex(X, v => v >= 1.0);
        Assert.Equal(mix.Density(X[i]) / (mix.Density(X[i]) + g.Density(X[i])), d[i], 14);
    }

    [Fact]
    public void JsdOfADistributionWithItselfIsZeroAndDisjointSupportsGiveLog2()
    {
        var p = Gauss(0, 1);
        Assert.Equal(0.0, Divergences.JensenShannon(X, p, p), 12);
        // two boxes on disjoint intervals
        var x = Quadrature.Linspace(0, 4, 4001);
        var a = Normalize(x, x.Select(v => v is >= 0.5 and <= 1.5 ? 1.0 : 0.0).ToArray());
        var b = Normalize(x, x.Select(v => v is >= 2.5 and <= 3.5 ? 1.0 : 0.0).ToArray());
        Assert.Equal(Math.Log(2), Divergences.JensenShannon(x, a, b), 12);
        Assert.Equal(1.0, Divergences.TotalVariation(x, a, b), 12);
        Assert.True(double.IsPositiveInfinity(Divergences.KullbackLeibler(x, a, b)));
        // far-apart narrow Gaussians: numerically disjoint
        Assert.Equal(Math.Log(2), Divergences.JensenShannon(X, Gauss(-8, 0.5), Gauss(8, 0.5)), 8);
    }

    [Theory]
    [InlineData(0.0, 1.0, 1.0, 1.0)]
    [InlineData(0.0, 1.0, 0.5, 1.5)]
    [InlineData(-2.0, 0.5, 2.0, 2.0)]
    public void KlByQuadratureMatchesTheGaussianClosedFormInBothDirections(double m1, double s1, double m2, double s2)
    {
        var p = Gauss(m1, s1); var q = Gauss(m2, s2);
        Assert.Equal(ClosedForms.KlGaussians(m1, s1, m2, s2), Divergences.KullbackLeibler(X, p, q), 6);
        Assert.Equal(ClosedForms.KlGaussians(m2, s2, m1, s1), Divergences.KullbackLeibler(X, q, p), 6);
        Assert.Equal(ClosedForms.KlGaussians(m2, s2, m1, s1), Divergences.ReverseKullbackLeibler(X, p, q), 6);
        Assert.Equal(ClosedForms.KlGaussians(m1, s1, m2, s2), FDivergence.KullbackLeibler.Divergence(X, p, q), 6);
        Assert.Equal(ClosedForms.KlGaussians(m2, s2, m1, s1), FDivergence.ReverseKullbackLeibler.Divergence(X, p, q), 6);
        Assert.Equal(ClosedForms.SquaredHellingerGaussians(m1, s1, m2, s2), Divergences.SquaredHellinger(X, p, q), 6);
    }

    [Theory]
    [InlineData(0.0, 1.0, 0.0, 1.0)]
    [InlineData(0.0, 1.0, 1.0, 1.0)]
    [InlineData(-1.0, 0.3, 2.0, 1.2)]
    [InlineData(0.0, 0.2, 6.0, 0.2)]
    public void ValueAtTheOptimalDiscriminatorIsMinusLog4PlusTwoJsd(double m1, double s1, double m2, double s2)
    {
        var pData = Gauss(m1, s1); var pG = Gauss(m2, s2);
        double v = ValueFunction.AtOptimalDiscriminator(X, pData, pG);
        double jsd = Divergences.JensenShannon(X, pData, pG);
        Assert.Equal(-Math.Log(4) + 2 * jsd, v, 6);
        Assert.InRange(jsd, 0, Math.Log(2) + 1e-9);
        // D* is the best response: a different D gives a smaller V
        var half = Enumerable.Repeat(0.5, X.Length).ToArray();
        Assert.True(ValueFunction.Value(X, pData, pG, half) <= v + 1e-9);
        Assert.Equal(-Math.Log(4), ValueFunction.Value(X, pData, pG, half), 5);
    }

    [Fact]
    public void ValueAtOptimumOfAMixturePair()
    {
        var pData = GaussianMixture1D.EqualWeights(new[] { -2.0, 2.0 }, 0.5).Density(X);
        var pG = GaussianMixture1D.Gaussian(0, 2).Density(X);
        Assert.Equal(-Math.Log(4) + 2 * Divergences.JensenShannon(X, pData, pG), ValueFunction.AtOptimalDiscriminator(X, pData, pG), 6);
    }

    [Fact]
    public void WassersteinOfShiftedGaussiansIsTheShift()
    {
        Assert.Equal(ClosedForms.W1ShiftedGaussians(-1, 1.5), Divergences.Wasserstein1(X, Gauss(-1, 0.8), Gauss(1.5, 0.8)), 5);
        Assert.Equal(2.5, ClosedForms.W1ShiftedGaussians(-1, 1.5));
    }

    [Fact]
    public void ParallelLinesClosedForms()
    {
        var d = ClosedForms.ParallelLines(0.3);
        Assert.Equal(Math.Log(2), d.JensenShannon);
        Assert.True(double.IsPositiveInfinity(d.KullbackLeibler));
        Assert.Equal(1.0, d.TotalVariation);
        Assert.Equal(0.3, d.Wasserstein1);
        Assert.Equal(0.3, ClosedForms.ParallelLines(-0.3).Wasserstein1);
        Assert.Equal(new ParallelLinesDivergences(0, 0, 0, 0, 0), ClosedForms.ParallelLines(0));
    }

    [Fact]
    public void BadInputsThrowWithAReason()
    {
        Assert.Contains("same grid", Assert.Throws<ArgumentException>(() => Divergences.KullbackLeibler(X, Gauss(0, 1), new double[3])).Message);
        Assert.Contains("logits", Assert.Throws<ArgumentException>(() => ValueFunction.Value(new[] { 0.0, 1 }, new[] { 1.0, 1 }, new[] { 1.0, 1 }, new[] { 2.0, 0.5 })).Message);
        Assert.Throws<ArgumentException>(() => OptimalDiscriminator.At(-1, 1));
    }
}
