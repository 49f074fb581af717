using GanNotebooks.Tests.Core;

using GanNotebooks.Data.Toy;
using GanNotebooks.Core;
using GanNotebooks.Evaluation;

namespace GanNotebooks.Tests.Evaluation;

public class WassersteinTests
{
    [Fact]
    public void Exact1DOfShiftedGaussiansIsTheShift()
    {
        var a = GaussianMixture1D.Gaussian(0, 1).SampleArray(4000, 1).Column(0);
        var b = GaussianMixture1D.Gaussian(2, 1).SampleArray(4000, 2).Column(0);
        Assert.InRange(Wasserstein.Exact1D(a, b), 1.9, 2.1);
        // exactly a shift of the same sample set → exactly the shift
        Assert.Equal(2.0, Wasserstein.Exact1D(a, a.Select(v => v + 2).ToArray()), 10);
    }

    [Fact]
    public void Exact1DHandlesUnequalSizes()
    {
        // {0, 1} vs {0.5}: ∫|F_a − F_b| = 0.5·0.5 + 0.5·0.5 = 0.5
        Assert.Equal(0.5, Wasserstein.Exact1D(new[] { 0.0, 1.0 }, new[] { 0.5 }), 12);
        Assert.Equal(4.0 / 3, Wasserstein.Exact1D(new[] { 0.0, 0.0, 3.0 }, new[] { 1.0, 1.0, 1.0 }), 12); // (1 + 1 + 2)/3
        Assert.Equal(4.0 / 3, Wasserstein.Exact1D(new[] { 0.0, 0.0, 3.0 }, new[] { 1.0, 1.0, 1.0, 1.0, 1.0, 1.0 }), 12); // same measure, other size
        Assert.Equal(Wasserstein.Exact1D(new[] { 0.0, 2.0, 5.0 }, new[] { 1.0, 1.5, 7.0 }), Wasserstein.Exact1D(new[] { 5.0, 0.0, 2.0 }, new[] { 7.0, 1.5, 1.0 }), 12);
    }

    [Fact]
    public void AssignmentW1EqualsSorted1DW1OnCollinearPoints()
    {
        var rng = new Random(3);
        var a = Enumerable.Range(0, 7).Select(_ => rng.NextDouble() * 4).ToArray();
        var b = Enumerable.Range(0, 7).Select(_ => rng.NextDouble() * 4 + 1).ToArray();
        // points on the line y = 2x + 1
        var pa = new double[7, 2]; var pb = new double[7, 2];
        for (int i = 0; i < 7; i++) { pa[i, 0] = a[i]; pa[i, 1] = 2 * a[i] + 1; pb[i, 0] = b[i]; pb[i, 1] = 2 * b[i] + 1; }
        Assert.Equal(Math.Sqrt(5) * Wasserstein.Exact1D(a, b), Wasserstein.ExactAssignment(pa, pb), 10);
    }

    [Fact]
    public void SinkhornApproachesTheExactValueAsEpsilonShrinks()
    {
        var a = GaussianMixture2D.Ring(8, 1, 0.05).SampleArray(24, 1);
        var b = GaussianMixture2D.Ring(4, 1, 0.05).SampleArray(24, 2);
        double exact = Wasserstein.ExactAssignment(a, b);
        var coarse = Wasserstein.Sinkhorn(a, b, epsilon: 0.5);
        var medium = Wasserstein.Sinkhorn(a, b, epsilon: 0.05);
        var fine = Wasserstein.Sinkhorn(a, b, epsilon: 0.005);
        Assert.True(fine.Converged, $"marginal error {fine.MarginalError}");
        double e1 = Math.Abs(coarse.TransportCost - exact), e2 = Math.Abs(medium.TransportCost - exact), e3 = Math.Abs(fine.TransportCost - exact);
        Assert.True(e1 > e2 && e2 > e3, $"errors {e1}, {e2}, {e3}");
        Assert.True(e3 < 0.01 * exact, $"fine error {e3} vs exact {exact}");
        Assert.True(fine.TransportCost >= exact - 1e-6); // any coupling costs at least the optimum
    }

    [Fact]
    public void SinkhornWorksForUnequalSizes()
    {
        var a = new double[,] { { 0, 0 }, { 0, 0 } };
        var b = new double[,] { { 3, 4 } };
        Assert.Equal(5.0, Wasserstein.Sinkhorn(a, b, 0.01).TransportCost, 8);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    public void ExactAssignmentMatchesBruteForceOverAllPermutations(int n)
    {
        var a = new GaussianMixture2D(new[] { (0.0, 0.0) }, 1).SampleArray(n, 10 + n);
        var b = new GaussianMixture2D(new[] { (1.0, 0.5) }, 1).SampleArray(n, 20 + n);
        var c = Wasserstein.CostMatrix(a, b);
        double bruteW = double.PositiveInfinity;
        foreach (var perm in HungarianTests.Permutations(Enumerable.Range(0, n).ToArray(), 0))
            bruteW = Math.Min(bruteW, Enumerable.Range(0, n).Sum(i => c[i, perm[i]]) / n);
        Assert.Equal(bruteW, Wasserstein.ExactAssignment(a, b), 10);
    }
}
