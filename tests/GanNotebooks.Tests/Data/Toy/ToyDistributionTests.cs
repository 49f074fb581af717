using GanNotebooks.Data.Toy;
using GanNotebooks.Core;
using TorchSharp;

namespace GanNotebooks.Tests.Data.Toy;

public class ToyDistributionTests
{
    static IToyDistribution[] All() => new IToyDistribution[]
    {
        GaussianMixture1D.EqualWeights(new[] { -2.0, 2.0 }, 0.5),
        GaussianMixture2D.Ring(), GaussianMixture2D.Grid(), new Spirals(), new TwoMoons(), UniformSegment2D.ParallelLine(0.5),
    };

    [Fact]
    public void SameSeedGivesIdenticalSamplesAndOtherSeedsDiffer()
    {
        foreach (var dist in All())
        {
            using var a = dist.Sample(8, seed: 42, device: torch.CPU);
            using var b = dist.Sample(8, seed: 42, device: torch.CPU);
            using var c = dist.Sample(8, seed: 43, device: torch.CPU);
            Assert.Equal(new long[] { 8, dist.Dim }, a.shape);
            Assert.Equal(torch.ScalarType.Float32, a.dtype);
            Assert.True(a.eq(b).all().item<bool>(), dist.Name);
            Assert.False(a.eq(c).all().item<bool>(), dist.Name);
            Assert.Equal(dist.SampleArray(8, 42), dist.SampleArray(8, 42));
        }
    }

    [Fact]
    public void GeneratorDrivenSamplingIsReproducibleAndAdvances()
    {
        var ring = GaussianMixture2D.Ring();
        using var g1 = new torch.Generator(7);
        using var g2 = new torch.Generator(7);
        using var a1 = ring.Sample(8, g1, torch.CPU);
        using var a2 = ring.Sample(8, g1, torch.CPU);
        using var b1 = ring.Sample(8, g2, torch.CPU);
        using var b2 = ring.Sample(8, g2, torch.CPU);
        Assert.True(a1.eq(b1).all().item<bool>());
        Assert.True(a2.eq(b2).all().item<bool>());
        Assert.False(a1.eq(a2).all().item<bool>());
    }

    [Fact]
    public void RingHasEightDistinctCentresOnTheUnitCircle()
    {
        var ring = GaussianMixture2D.Ring();
        Assert.Equal(8, ring.ModeCount);
        Assert.Equal(0.01, ring.Std);
        foreach (var (x, y) in ring.Centres) Assert.Equal(1.0, Math.Sqrt(x * x + y * y), 12);
        var angles = ring.Centres.Select(c => Math.Round(Math.Atan2(c.Y, c.X) / (2 * Math.PI) * 8 + 8) % 8).ToHashSet();
        Assert.Equal(8, angles.Count); // angles 2πk/8, k = 0..7, no duplicate at 2π
        Assert.Equal((1.0, 0.0), ring.Centres[0]);
        Assert.Equal(0.0, ring.Centres[2].X, 12);
        Assert.Equal(1.0, ring.Centres[2].Y, 12);
    }

    [Fact]
    public void DuplicatedCentresAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GaussianMixture2D(new[] { (1.0, 0.0), (0.0, 1.0), (1.0, 0.0) }, 0.1));
        Assert.Contains("duplicated mode", ex.Message);
    }

    [Fact]
    public void GridHas25CentresAtEvenCoordinates()
    {
        var grid = GaussianMixture2D.Grid();
        Assert.Equal(25, grid.ModeCount);
        Assert.Equal(0.05, grid.Std);
        var coords = new[] { -4.0, -2, 0, 2, 4 };
        var expected = coords.SelectMany(x => coords.Select(y => (x, y))).ToHashSet();
        Assert.True(expected.SetEquals(grid.Centres));
    }

    [Fact]
    public void RingSamplesLieNearTheirModes()
    {
        var ring = GaussianMixture2D.Ring();
        var s = ring.SampleArray(500, 1);
        for (int i = 0; i < 500; i++)
        {
            double r = Math.Sqrt(s[i, 0] * s[i, 0] + s[i, 1] * s[i, 1]);
            Assert.InRange(r, 0.94, 1.06); // 6σ band around radius 1
        }
    }

    [Fact]
    public void OneDimensionalDensitiesIntegrateToOne()
    {
        var mix = new GaussianMixture1D(new[] { 0.2, 0.5, 0.3 }, new[] { -3.0, 0.0, 4.0 }, new[] { 0.5, 1.0, 0.25 });
        var x = Quadrature.Linspace(-10, 10, 4001);
        Assert.Equal(1.0, Quadrature.Trapezoid(x, mix.Density(x)), 8);
        Assert.Equal(0.2 * -3 + 0.3 * 4, mix.Mean, 12);
        // log-density agrees with log of the density, and stays finite where the density underflows
        Assert.Equal(Math.Log(mix.Density(1.3)), mix.LogDensity(1.3), 10);
        Assert.True(double.IsFinite(mix.LogDensity(200)));
        Assert.Equal(0.0, mix.Density(200));
    }

    [Fact]
    public void SampleMeanAndStdMatchTheGaussian()
    {
        var g = GaussianMixture1D.Gaussian(1.5, 0.5);
        var x = g.SampleArray(20000, 3).Column(0);
        double mean = x.Average(), std = Math.Sqrt(x.Select(v => (v - mean) * (v - mean)).Sum() / (x.Length - 1));
        Assert.Equal(1.5, mean, 1);
        Assert.InRange(std, 0.49, 0.51);
    }

    [Fact]
    public void TwoDimensionalDensitiesIntegrateToOne()
    {
        var ring = GaussianMixture2D.Ring(8, 1.0, 0.1); // wider std so a moderate grid resolves it
        var xs = Quadrature.Linspace(-1.8, 1.8, 361);
        var z = ring.DensityGrid(xs, xs);
        var inner = xs.Select((_, i) => Quadrature.Trapezoid(xs, xs.Select((_, j) => z[i, j]).ToArray())).ToArray();
        Assert.Equal(1.0, Quadrature.Trapezoid(xs, inner), 6);
        Assert.Equal(Math.Log(ring.Density(0.3, 0.9)), ring.LogDensity(0.3, 0.9), 10);
        Assert.True(double.IsFinite(GaussianMixture2D.Ring().LogDensity(0, 0)));
    }

    [Fact]
    public void ParallelLineSamplesHaveFixedXAndUniformY()
    {
        var p = UniformSegment2D.ParallelLine(0.7).SampleArray(4000, 5);
        for (int i = 0; i < 4000; i++) { Assert.Equal(0.7, p[i, 0]); Assert.InRange(p[i, 1], 0, 1); }
        Assert.Equal(0.5, p.Column(1).Average(), 1);
    }

    [Fact]
    public void InvalidConfigurationsThrowWithAReason()
    {
        Assert.Throws<ArgumentException>(() => new GaussianMixture1D(new[] { 1.0 }, new[] { 0.0, 1.0 }, new[] { 1.0 }));
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => GaussianMixture1D.Gaussian(0, 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMixture2D.Ring(std: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMixture2D.Ring().SampleArray(-1, 0));
    }
}
