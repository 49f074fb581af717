using GanNotebooks.Core;

namespace GanNotebooks.Evaluation;

/// <summary>Result of an entropic optimal-transport solve.</summary>
/// <param name="TransportCost">⟨P, C⟩ for the entropic plan P: an estimate of W1 that tends to the exact value as ε → 0.</param>
/// <param name="Iterations">Sinkhorn iterations run.</param>
/// <param name="Converged">Whether the marginal error fell below the tolerance.</param>
/// <param name="MarginalError">Σ_i |Σ_j P_ij − a_i| at exit.</param>
public readonly record struct SinkhornResult(double TransportCost, int Iterations, bool Converged, double MarginalError);

/// <summary>
/// Reference estimators of the Wasserstein-1 distance between empirical distributions (uniform
/// weights on the samples), for checking WGAN critics (Arjovsky et al. 2017, Eq. 1–2): exact in 1D
/// by sorting, exact in any dimension by the assignment problem, and entropic (Sinkhorn).
/// Ground cost: Euclidean distance.
/// </summary>
public static class Wasserstein
{
    /// <summary>Largest sample count <see cref="ExactAssignment"/> accepts (O(n³); intended for n ≤ 200).</summary>
    public const int MaxAssignmentSize = 1000;

    /// <summary>
    /// Exact W1 between two 1D sample sets, W1 = ∫ |F_a(t) − F_b(t)| dt with the empirical CDFs. For
    /// equal sizes this is mean |a_(i) − b_(i)| over the sorted samples. Sizes may differ.
    /// </summary>
    public static double Exact1D(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0 || b.Count == 0) throw new ArgumentException("Both sample sets must be non-empty.");
        var sa = a.ToArray(); var sb = b.ToArray();
        if (sa.Concat(sb).Any(v => !double.IsFinite(v))) throw new ArgumentException("Samples must be finite (a NaN often means the generator diverged).");
        Array.Sort(sa); Array.Sort(sb);
        if (sa.Length == sb.Length)
        {
            double s = 0;
            for (int i = 0; i < sa.Length; i++) s += Math.Abs(sa[i] - sb[i]);
            return s / sa.Length;
        }
        // Sweep the merged sorted points, integrating |F_a − F_b| between consecutive breakpoints.
        int ia = 0, ib = 0;
        double total = 0, prev = Math.Min(sa[0], sb[0]);
        while (ia < sa.Length || ib < sb.Length)
        {
            double next = ib >= sb.Length || (ia < sa.Length && sa[ia] <= sb[ib]) ? sa[ia] : sb[ib];
            total += Math.Abs((double)ia / sa.Length - (double)ib / sb.Length) * (next - prev);
            while (ia < sa.Length && sa[ia] == next) ia++;
            while (ib < sb.Length && sb[ib] == next) ib++;
            prev = next;
        }
        return total;
    }

    /// <summary>
    /// Exact W1 between two equal-size sample sets [n, d] via the optimal assignment (Hungarian
    /// algorithm, O(n³)); for uniform weights and equal sizes an optimal plan is a permutation
    /// (Birkhoff–von Neumann), so W1 = min_σ (1/n) Σ ‖a_i − b_σ(i)‖.
    /// </summary>
    public static double ExactAssignment(double[,] a, double[,] b)
    {
        var c = CostMatrix(a, b);
        int n = c.GetLength(0);
        if (n != c.GetLength(1)) throw new ArgumentException($"ExactAssignment needs equal sample counts (got {n} and {c.GetLength(1)}); use Sinkhorn for unequal sizes.");
        if (n > MaxAssignmentSize) throw new ArgumentException($"{n} samples is too many for the O(n³) assignment (max {MaxAssignmentSize}); subsample to ≤ 200 or use Sinkhorn.");
        return Hungarian.Cost(c, Hungarian.Solve(c)) / n;
    }

    /// <summary>
    /// Entropic W1 between sample sets [n, d] and [m, d] with uniform weights: log-domain Sinkhorn
    /// iterations on the potentials (stable for small ε; Peyré &amp; Cuturi 2019, §4.4). Returns ⟨P_ε, C⟩,
    /// which approaches the exact W1 as <paramref name="epsilon"/> (in units of distance) shrinks.
    /// </summary>
    public static SinkhornResult Sinkhorn(double[,] a, double[,] b, double epsilon = 0.01, int maxIterations = 20000, double tolerance = 1e-6)
    {
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive.");
        if (maxIterations < 1) throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "Need at least one iteration.");
        var c = CostMatrix(a, b);
        int n = c.GetLength(0), m = c.GetLength(1);
        double logA = -Math.Log(n), logB = -Math.Log(m);
        var f = new double[n];
        var g = new double[m];
        var buf = new double[Math.Max(n, m)];
        double cMax = 0;
        foreach (var v in c) cMax = Math.Max(cMax, v);
        // ε-scaling (Schmitzer 2019): solve for a large ε first and halve it, warm-starting the
        // potentials; the last stage at the requested ε then needs far fewer iterations.
        double eps = Math.Max(epsilon, cMax);
        int it = 0;
        double err = double.PositiveInfinity;
        while (true)
        {
            bool last = eps <= epsilon;
            int stageLimit = last ? maxIterations - it : Math.Min(500, maxIterations - it);
            double stageTol = last ? tolerance : Math.Max(tolerance, 1e-6);
            for (int k = 0; k < stageLimit; k++)
            {
                it++;
                // f_i = ε log a_i − ε LSE_j((g_j − C_ij)/ε): rows then match a exactly.
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < m; j++) buf[j] = (g[j] - c[i, j]) / eps;
                    f[i] = eps * (logA - LogSumExp(buf, m));
                }
                // g_j = ε log b_j − ε LSE_i((f_i − C_ij)/ε): columns then match b exactly.
                for (int j = 0; j < m; j++)
                {
                    for (int i = 0; i < n; i++) buf[i] = (f[i] - c[i, j]) / eps;
                    g[j] = eps * (logB - LogSumExp(buf, n));
                }
                if (k % 10 == 9 && RowError(c, f, g, eps, logA) < stageTol) break;
            }
            if (last || it >= maxIterations) break;
            eps = Math.Max(epsilon, eps / 2);
        }
        err = RowError(c, f, g, epsilon, logA);
        double cost = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                cost += Math.Exp((f[i] + g[j] - c[i, j]) / epsilon) * c[i, j];
        return new SinkhornResult(cost, it, err < tolerance, err);
    }

    /// <summary>Pairwise Euclidean distances C[i, j] = ‖a_i − b_j‖ between [n, d] and [m, d].</summary>
    public static double[,] CostMatrix(double[,] a, double[,] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int n = a.GetLength(0), m = b.GetLength(0), d = a.GetLength(1);
        if (b.GetLength(1) != d) throw new ArgumentException($"Sample sets must have the same dimension (got {d} and {b.GetLength(1)}).");
        if (n == 0 || m == 0) throw new ArgumentException("Both sample sets must be non-empty.");
        var c = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int k = 0; k < d; k++) { double diff = a[i, k] - b[j, k]; s += diff * diff; }
                c[i, j] = Math.Sqrt(s);
                if (double.IsNaN(c[i, j])) throw new ArgumentException($"Sample {i} or {j} contains NaN (did the generator diverge?).");
            }
        return c;
    }

    static double RowError(double[,] c, double[] f, double[] g, double eps, double logA)
    {
        double err = 0, a = Math.Exp(logA);
        for (int i = 0; i < f.Length; i++)
        {
            double row = 0;
            for (int j = 0; j < g.Length; j++) row += Math.Exp((f[i] + g[j] - c[i, j]) / eps);
            err += Math.Abs(row - a);
        }
        return err;
    }

    static double LogSumExp(double[] x, int count)
    {
        double max = double.NegativeInfinity;
        for (int i = 0; i < count; i++) if (x[i] > max) max = x[i];
        if (double.IsNegativeInfinity(max)) return max;
        double s = 0;
        for (int i = 0; i < count; i++) s += Math.Exp(x[i] - max);
        return max + Math.Log(s);
    }
}
