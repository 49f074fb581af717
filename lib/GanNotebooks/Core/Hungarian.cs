namespace GanNotebooks.Core;

/// <summary>
/// Minimum-cost assignment by the Hungarian algorithm with row/column potentials (Kuhn 1955;
/// Munkres 1957; the O(n²m) shortest-augmenting-path form). Double precision, no allocations per step.
/// </summary>
public static class Hungarian
{
    /// <summary>
    /// Solves min Σ_i cost[i, assignment[i]] over injective assignments of the n rows to the m ≥ n
    /// columns. Returns assignment[i] = column of row i. O(n²·m).
    /// </summary>
    public static int[] Solve(double[,] cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        int n = cost.GetLength(0), m = cost.GetLength(1);
        if (n == 0) return Array.Empty<int>();
        if (m < n) throw new ArgumentException($"Need at least as many columns as rows (got {n}×{m}); transpose the cost matrix.", nameof(cost));
        foreach (var c in cost)
            if (!double.IsFinite(c)) throw new ArgumentException("Costs must be finite.", nameof(cost));

        // 1-based arrays: index 0 is a virtual column that holds the row being inserted.
        var u = new double[n + 1];
        var v = new double[m + 1];
        var p = new int[m + 1];     // p[j] = row matched to column j (0 = free)
        var way = new int[m + 1];   // previous column on the shortest augmenting path
        var minv = new double[m + 1];
        var used = new bool[m + 1];
        for (int i = 1; i <= n; i++)
        {
            p[0] = i;
            int j0 = 0;
            Array.Fill(minv, double.PositiveInfinity);
            Array.Fill(used, false);
            do
            {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= m; j++)
                {
                    if (used[j]) continue;
                    double cur = cost[i0 - 1, j - 1] - u[i0] - v[j];
                    if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
                    if (minv[j] < delta) { delta = minv[j]; j1 = j; }
                }
                for (int j = 0; j <= m; j++)
                {
                    if (used[j]) { u[p[j]] += delta; v[j] -= delta; }
                    else minv[j] -= delta;
                }
                j0 = j1;
            } while (p[j0] != 0);
            do { int j1 = way[j0]; p[j0] = p[j1]; j0 = j1; } while (j0 != 0);
        }
        var assignment = new int[n];
        for (int j = 1; j <= m; j++) if (p[j] != 0) assignment[p[j] - 1] = j - 1;
        return assignment;
    }

    /// <summary>Total cost Σ_i cost[i, assignment[i]].</summary>
    public static double Cost(double[,] cost, IReadOnlyList<int> assignment)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(assignment);
        double s = 0;
        for (int i = 0; i < assignment.Count; i++) s += cost[i, assignment[i]];
        return s;
    }
}
