using GanNotebooks.Data.Toy;
using GanNotebooks.Core;
using GanNotebooks.Evaluation;
using TorchSharp;

namespace GanNotebooks.Tests.Evaluation;

public class FrechetDistanceTests
{
    [Fact]
    public void DiagonalCovariancesGiveTheClosedForm()
    {
        var mu1 = new[] { 0.0, 1.0, -2.0 }; var mu2 = new[] { 1.0, 1.0, 0.0 };
        var s1 = new[] { 1.0, 2.0, 0.5 }; var s2 = new[] { 3.0, 2.0, 1.5 }; // stds
        double expected = mu1.Zip(mu2, (a, b) => (a - b) * (a - b)).Sum() + s1.Zip(s2, (a, b) => (a - b) * (a - b)).Sum();
        Assert.Equal(expected, FrechetDistance.FromGaussians(mu1, Diag(s1), mu2, Diag(s2)), 10);
    }

    [Fact]
    public void RotatedCovarianceMatchesTheTwoByTwoClosedForm()
    {
        // Σ1 = I, Σ2 = R diag(4, 1/4) Rᵀ: tr(Σ1Σ2)^½ = 2 + ½ regardless of the rotation R
        double c = Math.Cos(0.7), s = Math.Sin(0.7);
        var r = new double[,] { { c, -s }, { s, c } };
        var s2 = new double[2, 2];
        var d = new[] { 4.0, 0.25 };
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 2; k++) s2[i, j] += r[i, k] * d[k] * r[j, k];
        double expected = 0 + 2 + 4.25 - 2 * 2.5;
        Assert.Equal(expected, FrechetDistance.FromGaussians(new[] { 0.0, 0 }, Diag(new[] { 1.0, 1 }), new[] { 0.0, 0 }, s2), 10);
    }

    [Fact]
    public void IdenticalFeatureSetsGiveZeroAndShiftsGiveTheSquaredShift()
    {
        var f = new GaussianMixture2D(new[] { (0.0, 0.0), (1.0, 2.0) }, 0.7).SampleArray(64, 4);
        Assert.Equal(0.0, FrechetDistance.FromFeatures(f, f), 9);
        var g = (double[,])f.Clone();
        for (int i = 0; i < 64; i++) { g[i, 0] += 3; g[i, 1] -= 1; }
        Assert.Equal(10.0, FrechetDistance.FromFeatures(f, g), 9);
    }

    [Fact]
    public void TorchPathAgreesWithTheManagedPath()
    {
        var rng = new Random(5);
        var a = new double[40, 5]; var b = new double[30, 5];
        for (int i = 0; i < 40; i++) for (int j = 0; j < 5; j++) a[i, j] = rng.NextDouble() + j * 0.1;
        for (int i = 0; i < 30; i++) for (int j = 0; j < 5; j++) b[i, j] = rng.NextDouble() * 2 - (i % 3) * 0.2;
        using var ta = a.ToTensor(torch.CPU, torch.ScalarType.Float64);
        using var tb = b.ToTensor(torch.CPU, torch.ScalarType.Float64);
        Assert.Equal(FrechetDistance.FromFeatures(a, b), FrechetDistance.FromFeatures(ta, tb), 9);
    }

    [Fact]
    public void CovarianceIsUnbiased()
    {
        var (m, c) = FrechetDistance.MeanAndCovariance(new double[,] { { 1, 2 }, { 3, 6 } });
        Assert.Equal(new[] { 2.0, 4.0 }, m);
        Assert.Equal(2.0, c[0, 0], 12); Assert.Equal(4.0, c[0, 1], 12); Assert.Equal(8.0, c[1, 1], 12);
    }

    [Fact]
    public void ShapeMismatchThrows()
        => Assert.Throws<ArgumentException>(() => FrechetDistance.FromGaussians(new[] { 0.0 }, Diag(new[] { 1.0, 1 }), new[] { 0.0 }, Diag(new[] { 1.0 })));

    static double[,] Diag(double[] stds)
    {
        var m = new double[stds.Length, stds.Length];
        for (int i = 0; i < stds.Length; i++) m[i, i] = stds[i] * stds[i];
        return m;
    }
}
