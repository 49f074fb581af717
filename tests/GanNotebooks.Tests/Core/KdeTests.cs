using GanNotebooks.Theory;
using GanNotebooks.Core;
using GanNotebooks.Data.Toy;

namespace GanNotebooks.Tests.Core;

public class KdeTests
{
    [Fact]
    public void TwoEqualSamplesGiveTheKernelItself()
    {
        // p̂(x) = φ((x − 1)/h)/h when every sample sits at 1
        var p = Kde.Density(new[] { 1.0, 1.0 }, new[] { 1.0, 1.5, 3.0 }, bandwidth: 0.5);
        double Phi(double u) => Math.Exp(-0.5 * u * u) / Math.Sqrt(2 * Math.PI);
        Assert.Equal(Phi(0) / 0.5, p[0], 12);
        Assert.Equal(Phi(1) / 0.5, p[1], 12);
        Assert.Equal(Phi(4) / 0.5, p[2], 12);
    }

    [Fact]
    public void EstimateIntegratesToOneAndIsCloseToTheTrueDensity()
    {
        var n = GaussianMixture1D.Gaussian(0, 1);
        var s = n.SampleArray(4000, seed: 3).Column(0);
        var grid = Quadrature.Linspace(-8, 8, 801);
        var p = Kde.Density(s, grid);
        Assert.Equal(1.0, Quadrature.Trapezoid(grid, p), 3);
        // the estimate is N(0, 1 + h²) up to sampling noise: small JSD to the truth
        Assert.True(Divergences.JensenShannon(grid, n.Density(grid), p) < 0.005);
    }

    [Fact]
    public void SilvermanBandwidthMatchesTheFormula()
    {
        // 0..4: sd = sqrt(2.5), IQR = 2 (quartiles 1 and 3), min(sd, IQR/1.34) = 2/1.34
        var s = new[] { 0.0, 1, 2, 3, 4 };
        Assert.Equal(0.9 * (2 / 1.34) * Math.Pow(5, -0.2), Kde.SilvermanBandwidth(s), 12);
    }

    [Fact]
    public void BadInputThrowsWithAReason()
    {
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => Kde.Density(new[] { 1.0 }, new[] { 0.0 })).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => Kde.Density(new[] { 1.0, double.NaN }, new[] { 0.0 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Kde.Density(new[] { 1.0, 2.0 }, new[] { 0.0 }, bandwidth: 0));
    }
}
