using GanNotebooks.Core;

namespace GanNotebooks.Theory;

/// <summary>
/// Divergences between two 1D densities given on a common grid, by trapezoid quadrature in double
/// precision (natural logarithms, so JSD ≤ log 2). Conventions: 0·log(0/q) = 0; p &gt; 0 where q = 0
/// makes KL(p‖q) = +∞. The grid should cover both supports: mass outside it is ignored.
/// </summary>
public static class Divergences
{
    /// <summary>KL(p‖q) = ∫ p log(p/q) dx; +∞ when p has mass where q = 0. For KL(q‖p) swap the arguments.</summary>
    public static double KullbackLeibler(IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        Check(x, p, q);
        return Quadrature.Trapezoid(x, i => KlTerm(p[i], q[i]));
    }

    /// <summary>Reverse KL, KL(q‖p) = ∫ q log(q/p) dx (the mode-seeking direction when q is the model).</summary>
    public static double ReverseKullbackLeibler(IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q)
        => KullbackLeibler(x, q, p);

    /// <summary>
    /// Jensen–Shannon divergence JSD(p‖q) = ½ KL(p‖m) + ½ KL(q‖m), m = (p + q)/2; in [0, log 2],
    /// log 2 exactly when the supports are disjoint (Goodfellow et al. 2014, Theorem 1).
    /// </summary>
    public static double JensenShannon(IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        Check(x, p, q);
        return Quadrature.Trapezoid(x, i =>
        {
            double m = 0.5 * (p[i] + q[i]);
            return 0.5 * KlTerm(p[i], m) + 0.5 * KlTerm(q[i], m);
        });
    }

    /// <summary>Total variation distance ½ ∫ |p − q| dx, in [0, 1].</summary>
    public static double TotalVariation(IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        Check(x, p, q);
        return Quadrature.Trapezoid(x, i => 0.5 * Math.Abs(p[i] - q[i]));
    }

    /// <summary>Squared Hellinger distance ∫ (√p − √q)² dx (the f-GAN convention, without a ½), in [0, 2].</summary>
    public static double SquaredHellinger(IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        Check(x, p, q);
        return Quadrature.Trapezoid(x, i => { double d = Math.Sqrt(p[i]) - Math.Sqrt(q[i]); return d * d; });
    }

    /// <summary>
    /// D_f(P‖Q) = ∫ q f(p/q) dx for any convex f with f(1) = 0. <paramref name="slopeAtInfinity"/> is
    /// lim_{u→∞} f(u)/u, used where q = 0 &lt; p; <paramref name="f"/>(0) must be its limit value. The divergences of the
    /// f-GAN table call this with their own f (Losses.FDivergence.Divergence): Theory stays in doubles and knows no table.
    /// </summary>
    public static double FDivergence(IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q, Func<double, double> f, double slopeAtInfinity)
    {
        ArgumentNullException.ThrowIfNull(f);
        Check(x, p, q);
        return Quadrature.Trapezoid(x, i =>
        {
            if (q[i] > 0)
            {
                double u = p[i] / q[i];
                // q so small next to p that p/q overflows: the integrand is its q → 0 limit, as where q = 0.
                if (double.IsPositiveInfinity(u)) return p[i] * slopeAtInfinity;
                double v = q[i] * f(u);
                if (double.IsNaN(v)) throw new ArgumentException($"f({u}) returned NaN; define f at 0 by its limit (e.g. 0·log 0 = 0).", nameof(f));
                return v;
            }
            return p[i] > 0 ? p[i] * slopeAtInfinity : 0.0;
        });
    }

    /// <summary>
    /// Wasserstein-1 distance in 1D, W1 = ∫ |F_P(x) − F_Q(x)| dx with the CDFs integrated from the
    /// densities on the grid (exact for 1D, no optimisation needed).
    /// </summary>
    public static double Wasserstein1(IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        Check(x, p, q);
        var fp = Quadrature.CumulativeTrapezoid(x, p);
        var fq = Quadrature.CumulativeTrapezoid(x, q);
        return Quadrature.Trapezoid(x, i => Math.Abs(fp[i] - fq[i]));
    }

    /// <summary>∫ p dx on the grid: a check that a density is normalized and the grid covers its support.</summary>
    public static double Mass(IReadOnlyList<double> x, IReadOnlyList<double> p) => Quadrature.Trapezoid(x, p);

    static double KlTerm(double p, double q)
    {
        if (p == 0) return 0;           // 0·log(0/q) = 0
        if (q == 0) return double.PositiveInfinity;
        return p * Math.Log(p / q);
    }

    static void Check(IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        Quadrature.CheckGrid(x, p.Count, nameof(p));
        Quadrature.CheckGrid(x, q.Count, nameof(q));
        for (int i = 0; i < p.Count; i++)
            if (!(p[i] >= 0) || !(q[i] >= 0))
                throw new ArgumentException($"Densities must be non-negative numbers (at index {i}: p={p[i]}, q={q[i]}).");
    }
}

/// <summary>
/// The GAN value function V(G, D) = E_data[log D(x)] + E_{p_g}[log(1 − D(x))] (Goodfellow et al.
/// 2014, Eq. 1) by quadrature over a 1D grid, computed from this definition — not from JSD — so that
/// V(G, D*) = −log 4 + 2·JSD(p_data‖p_g) (Theorem 1) is something a test can check.
/// </summary>
public static class ValueFunction
{
    /// <summary>
    /// V(G, D) = ∫ [p_data log D + p_g log(1 − D)] dx with discriminator values <paramref name="d"/> on the
    /// grid. Convention 0·log 0 = 0 (a term whose density is 0 contributes 0 whatever D is).
    /// </summary>
    public static double Value(IReadOnlyList<double> x, IReadOnlyList<double> pData, IReadOnlyList<double> pG, IReadOnlyList<double> d)
    {
        ArgumentNullException.ThrowIfNull(pData);
        ArgumentNullException.ThrowIfNull(pG);
        ArgumentNullException.ThrowIfNull(d);
        Quadrature.CheckGrid(x, pData.Count, nameof(pData));
        Quadrature.CheckGrid(x, pG.Count, nameof(pG));
        Quadrature.CheckGrid(x, d.Count, nameof(d));
        return Quadrature.Trapezoid(x, i =>
        {
            if (!(d[i] >= 0 && d[i] <= 1)) throw new ArgumentException($"D(x) must lie in [0, 1] (at index {i}: {d[i]}). Pass probabilities, not logits.", nameof(d));
            double a = pData[i] == 0 ? 0 : pData[i] * Math.Log(d[i]);
            double b = pG[i] == 0 ? 0 : pG[i] * Math.Log(1 - d[i]);
            return a + b;
        });
    }

    /// <summary>
    /// V(G, D*) with D* = p_data/(p_data + p_g): the same integral as <see cref="Value"/>, with log D* and
    /// log(1 − D*) evaluated as log p_data − log(p_data + p_g) and log p_g − log(p_data + p_g), because where
    /// one density is ~1e-300 times the other, D* rounds to exactly 1 (or 0) and log(1 − D*) would be −∞.
    /// </summary>
    public static double AtOptimalDiscriminator(IReadOnlyList<double> x, IReadOnlyList<double> pData, IReadOnlyList<double> pG)
    {
        ArgumentNullException.ThrowIfNull(pData);
        ArgumentNullException.ThrowIfNull(pG);
        Quadrature.CheckGrid(x, pData.Count, nameof(pData));
        Quadrature.CheckGrid(x, pG.Count, nameof(pG));
        return Quadrature.Trapezoid(x, i =>
        {
            double p = pData[i], q = pG[i];
            if (!(p >= 0) || !(q >= 0)) throw new ArgumentException($"Densities must be non-negative numbers (at index {i}: p_data={p}, p_g={q}).");
            double logSum = Math.Log(p + q);
            double a = p == 0 ? 0 : p * (Math.Log(p) - logSum); // p_data · log D*
            double b = q == 0 ? 0 : q * (Math.Log(q) - logSum); // p_g · log(1 − D*)
            return a + b;
        });
    }

    /// <summary>The global minimum of C(G) = max_D V(G, D): −log 4, reached iff p_g = p_data.</summary>
    public static double GlobalMinimum => -Math.Log(4);
}
