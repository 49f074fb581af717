using GanNotebooks.Core;

namespace GanNotebooks.Tests.Core;

public class HungarianTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    public void HungarianMatchesBruteForceOverAllPermutations(int n)
    {
        var rng = new Random(n);
        var cost = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) cost[i, j] = rng.NextDouble() * 10;
        double best = double.PositiveInfinity;
        foreach (var perm in Permutations(Enumerable.Range(0, n).ToArray(), 0))
            best = Math.Min(best, Enumerable.Range(0, n).Sum(i => cost[i, perm[i]]));
        var assignment = Hungarian.Solve(cost);
        Assert.Equal(n, assignment.Distinct().Count());
        Assert.Equal(best, Hungarian.Cost(cost, assignment), 10);

    }

    [Fact]
    public void HungarianHandlesRectangularCosts()
    {
        var cost = new double[,] { { 5, 1, 9 }, { 2, 8, 0.5 } };
        Assert.Equal(new[] { 1, 2 }, Hungarian.Solve(cost));
    }

    /// <summary>All permutations of a (Heap-style swaps), for brute-force checks.</summary>
    internal static IEnumerable<int[]> Permutations(int[] a, int k)
    {
        if (k == a.Length) { yield return (int[])a.Clone(); yield break; }
        for (int i = k; i < a.Length; i++)
        {
            (a[k], a[i]) = (a[i], a[k]);
            foreach (var p in Permutations(a, k + 1)) yield return p;
            (a[k], a[i]) = (a[i], a[k]);
        }
    }
}
