using GanNotebooks.Theory;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Losses;

/// <summary>
/// One f-divergence D_f(P‖Q) = ∫ q(x) f(p(x)/q(x)) dx as the f-GAN needs it (Nowozin, Cseke, Tomioka
/// 2016, Tables 1–2): the generator function f, its derivative, its Fenchel conjugate
/// f*(t) = sup_u [u t − f(u)] in double precision, and, on tensors, the output activation g_f that maps
/// a discriminator logit v ∈ ℝ into dom f* together with the composition f*(g_f(v)).
/// </summary>
/// <remarks>
/// <para>The variational bound (f-GAN eq. 4) is D_f(P‖Q) ≥ E_P[T(x)] − E_Q[f*(T(x))] for every
/// T: X → dom f*, with equality at T*(x) = f′(p(x)/q(x)). The discriminator outputs a logit v(x) and
/// T = g_f(v).</para>
/// <para>A new divergence is one subclass: implement the members below (see the α-divergence in the
/// tests). The eight divergences of the paper are the static properties (<see cref="All"/>), one sealed
/// class each that holds all of its formulas (f-GAN Tables 1–2): the kit's only definition of an f-divergence.</para>
/// <para>Why a fused <see cref="ConjugateOfActivation"/>: in float32, g_f(v) rounds to the boundary of
/// dom f* once it saturates (e.g. log 2 − softplus(−v) == log 2 for v ≳ 17), where f* is +∞. The
/// composition written directly in v (e.g. softplus(v) − log 2 for Jensen–Shannon) stays finite
/// wherever its exact value is representable, and the losses only ever use it.</para>
/// </remarks>
public abstract class FDivergence
{
    /// <summary>Short name used in objective names, tables and charts (e.g. "KL", "ReverseKL").</summary>
    public abstract string Name { get; }

    /// <summary>Long name (e.g. "Kullback–Leibler"); defaults to <see cref="Name"/>.</summary>
    public virtual string Title => Name;

    /// <summary>f(u) for a density ratio u ≥ 0, with its limit value at u = 0 (+∞ allowed).</summary>
    public abstract double F(double u);

    /// <summary>f′(u) for u &gt; 0. T*(x) = f′(p(x)/q(x)) makes the variational bound tight.</summary>
    public abstract double FPrime(double u);

    /// <summary>The Fenchel conjugate f*(t) = sup_{u ≥ 0} [u t − f(u)]; +∞ outside dom f*.</summary>
    public abstract double Conjugate(double t);

    /// <summary>Whether t lies in dom f* (where <see cref="Conjugate"/> is finite).</summary>
    public abstract bool InConjugateDomain(double t);

    /// <summary>
    /// The closure of dom f* as an interval (±∞ for unbounded sides). g_f maps ℝ into the interior; in
    /// floating point a saturated g_f(v) may round onto a finite end of this interval.
    /// </summary>
    public abstract (double Lower, double Upper) ConjugateDomainClosure { get; }

    /// <summary>lim_{u→∞} f(u)/u: how P-mass where q = 0 is weighted in D_f (+∞ for KL).</summary>
    public abstract double SlopeAtInfinity { get; }

    /// <summary>
    /// The output activation T = g_f(v): logits v of any shape → values of the same shape in dom f*
    /// (f-GAN Table 2). Finite for every finite v; never NaN.
    /// </summary>
    public abstract Tensor Activation(Tensor v);

    /// <summary>
    /// f*(g_f(v)) for logits v of any shape (same shape out), written directly in v so it stays finite
    /// where the exact value is representable (see the class remarks). Never NaN for finite v.
    /// </summary>
    public abstract Tensor ConjugateOfActivation(Tensor v);

    /// <summary>f′(1): T above this value means "more likely real than generated" (f-GAN Table 2, last column).</summary>
    public virtual double Threshold => FPrime(1.0);

    /// <summary>
    /// f(1). It is 0 for a divergence (so that D_f(P‖P) = 0); the "GAN" row of the paper keeps
    /// f(1) = −log 4 so that its bound is exactly the GAN value function.
    /// </summary>
    public double ValueAtOne => F(1.0) + 0.0; // + 0.0 turns −log 1 = −0 into 0 for display

    /// <summary>D_f(P‖Q) = ∫ q f(p/q) dx by trapezoid quadrature of densities given on the grid <paramref name="x"/>.</summary>
    public virtual double Divergence(IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q)
        => Divergences.FDivergence(x, p, q, F, SlopeAtInfinity);

    /// <summary>
    /// The optimal critic T*(x) = f′(p(x)/q(x)) pointwise. Ratios are clamped to [1e-300, 1e300] so a
    /// zero density gives the limit value instead of NaN (such points get zero weight in the bound).
    /// </summary>
    public double OptimalCritic(double p, double q)
    {
        if (!(p >= 0) || !(q >= 0)) throw new ArgumentOutOfRangeException(nameof(p), $"densities must be non-negative numbers (got p={p}, q={q}).");
        double u = q == 0 ? (p == 0 ? 1.0 : 1e300) : Math.Clamp(p / q, 1e-300, 1e300);
        return FPrime(u);
    }

    /// <summary>T*(x_i) = f′(p_i/q_i) for densities given on a grid (same length).</summary>
    public double[] OptimalCritic(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        if (p.Count != q.Count) throw new ArgumentException($"p has {p.Count} values but q has {q.Count}; evaluate both on the same grid.");
        var t = new double[p.Count];
        for (int i = 0; i < t.Length; i++) t[i] = OptimalCritic(p[i], q[i]);
        return t;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>The argument of f: a density ratio u = p/q ≥ 0 (throws otherwise); f is given its limit value at u = 0.</summary>
    protected static double Ratio(double u) =>
        u < 0 || double.IsNaN(u) ? throw new ArgumentOutOfRangeException(nameof(u), u, "f is evaluated at density ratios u = p/q ≥ 0.") : u;

    /// <summary>The argument of f′: a density ratio u &gt; 0 (throws otherwise).</summary>
    protected static double PositiveRatio(double u) =>
        !(u > 0) ? throw new ArgumentOutOfRangeException(nameof(u), u, "f′ is evaluated at density ratios u > 0.") : u;

    /// <summary>
    /// sup_{0 ≤ u ≤ uMax} [u t − f(u)] by golden-section search (the objective is concave because f is
    /// convex). A numerical check of <see cref="Conjugate"/> (and of a new divergence's closed form); returns a large value when the sup is at
    /// u → ∞ (t outside dom f*).
    /// </summary>
    public static double NumericConjugate(Func<double, double> f, double t, double uMax = 1e4, int iterations = 200)
    {
        ArgumentNullException.ThrowIfNull(f);
        double Obj(double u) => u * t - f(u);
        // Bracket on a log-spaced scan first (the maximiser can sit anywhere in [0, uMax]), then refine.
        const int scan = 400;
        double bestU = 0, best = Obj(0);
        var us = new double[scan + 1];
        us[0] = 0;
        for (int i = 1; i <= scan; i++) us[i] = uMax * Math.Pow(10, -12.0 * (scan - i) / scan);
        int bestI = 0;
        for (int i = 1; i <= scan; i++)
        {
            double v = Obj(us[i]);
            if (v > best || double.IsNaN(best)) { best = v; bestU = us[i]; bestI = i; }
        }
        double lo = us[Math.Max(0, bestI - 1)], hi = us[Math.Min(scan, bestI + 1)];
        double g = (Math.Sqrt(5) - 1) / 2;
        double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
        double fa = Obj(a), fb = Obj(b);
        for (int k = 0; k < iterations && hi - lo > 1e-15 * Math.Max(1, hi); k++)
        {
            if (fa > fb) { hi = b; b = a; fb = fa; a = hi - g * (hi - lo); fa = Obj(a); }
            else { lo = a; a = b; fa = fb; b = lo + g * (hi - lo); fb = Obj(b); }
        }
        return Math.Max(best, Math.Max(fa, fb));
    }

    /// <summary>u log u with the limit 0 at u = 0.</summary>
    protected internal static double XLogX(double u) => u == 0 ? 0 : u * Math.Log(u);

    /// <summary>log(1 + x), accurate for tiny x.</summary>
    // log(1 + x), accurate for tiny x (Goldberg 1991, Theorem 4); Math has no log1p.
    protected static double Log1P(double x)
    {
        double y = 1 + x;
        return y == 1 ? x : double.IsPositiveInfinity(y) ? Math.Log(x) : Math.Log(y) * (x / (y - 1));
    }
    // ---------------------------------------------------------------- stable pieces shared by the activations

    /// <summary>
    /// Where <see cref="ExpLinear"/> switches from exp to its tangent line. exp(20) ≈ 4.9e8: a critic value
    /// that large corresponds to a density ratio of ~1e-9 (reverse KL), far beyond what training reaches.
    /// </summary>
    public const double ExpTailStart = 20.0;

    /// <summary>
    /// exp(x) for x ≤ a, continued by its tangent line exp(a)(1 + x − a) beyond (a = <see cref="ExpTailStart"/>).
    /// Same value and slope as exp where training lives, finite for every finite x (−exp(1e4) would be −∞).
    /// The exp argument is clamped so the unused branch cannot produce inf·0 = NaN in the backward pass.
    /// </summary>
    protected static Tensor ExpLinear(Tensor x)
    {
        var inner = x.clamp(max: ExpTailStart).exp();
        var tail = Math.Exp(ExpTailStart) * (1.0 + (x - ExpTailStart).clamp(min: 0.0));
        return torch.where(x <= ExpTailStart, inner, tail);
    }

    /// <summary>log <see cref="ExpLinear"/>(x): x for x ≤ a, a + log(1 + x − a) beyond; finite for every finite x.</summary>
    protected static Tensor LogExpLinear(Tensor x)
        => torch.where(x <= ExpTailStart, x, ExpTailStart + torch.log1p((x - ExpTailStart).clamp(min: 0.0)));

    // ------------------------------------------------------------------ the eight divergences of the paper

    /// <summary>Total variation: f(u) = ½|u − 1|, g_f(v) = ½ tanh v.</summary>
    public static FDivergence TotalVariation { get; } = new TotalVariationDivergence();
    /// <summary>Kullback–Leibler KL(P‖Q): f(u) = u log u, g_f(v) = v.</summary>
    public static FDivergence KullbackLeibler { get; } = new KullbackLeiblerDivergence();
    /// <summary>Reverse KL, KL(Q‖P): f(u) = −log u, g_f(v) = −exp(−v).</summary>
    public static FDivergence ReverseKullbackLeibler { get; } = new ReverseKullbackLeiblerDivergence();
    /// <summary>Pearson χ²: f(u) = (u − 1)², g_f(v) = v.</summary>
    public static FDivergence PearsonChiSquared { get; } = new PearsonChiSquaredDivergence();
    /// <summary>Neyman χ²: f(u) = (1 − u)²/u, g_f(v) = 1 − exp(−v).</summary>
    public static FDivergence NeymanChiSquared { get; } = new NeymanChiSquaredDivergence();
    /// <summary>Squared Hellinger: f(u) = (√u − 1)², g_f(v) = 1 − exp(−v).</summary>
    public static FDivergence SquaredHellinger { get; } = new SquaredHellingerDivergence();
    /// <summary>Jensen–Shannon (2·JSD with the paper's f): g_f(v) = log 2 − log(1 + exp(−v)).</summary>
    public static FDivergence JensenShannon { get; } = new JensenShannonDivergence();
    /// <summary>The GAN row: f(u) = u log u − (u + 1) log(u + 1), g_f(v) = −log(1 + exp(−v)) = log σ(v); D_f = 2·JSD − log 4.</summary>
    public static FDivergence Gan { get; } = new GanDivergence();

    /// <summary>The eight divergences in the order of f-GAN Table 2.</summary>
    public static IReadOnlyList<FDivergence> All { get; } = new[]
    {
        TotalVariation, KullbackLeibler, ReverseKullbackLeibler, PearsonChiSquared,
        NeymanChiSquared, SquaredHellinger, JensenShannon, Gan,
    };

    /// <summary>Looks a divergence up by <see cref="Name"/> or <see cref="Title"/> (case-insensitive), e.g. "KL", "ReverseKL", "Hellinger".</summary>
    public static FDivergence Parse(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase) || string.Equals(d.Title, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown f-divergence '{name}'; use one of {string.Join(", ", All.Select(d => d.Name))}.", nameof(name));
    }
}

/// <summary>Total variation: g_f(v) = ½ tanh v ∈ (−½, ½), f*(t) = t.</summary>
public sealed class TotalVariationDivergence : FDivergence
{
    /// <inheritdoc/>
    public override double F(double u) => 0.5 * Math.Abs(Ratio(u) - 1);
    /// <inheritdoc/>
    public override double FPrime(double u) => 0.5 * Math.Sign(PositiveRatio(u) - 1);
    /// <inheritdoc/>
    public override bool InConjugateDomain(double t) => Math.Abs(t) <= 0.5;
    /// <inheritdoc/>
    public override double Conjugate(double t) => InConjugateDomain(t) ? t : double.PositiveInfinity;
    /// <inheritdoc/>
    public override double SlopeAtInfinity => 0.5;
    /// <inheritdoc/>
    public override string Name => "TV";
    /// <inheritdoc/>
    public override string Title => "Total variation";
    /// <inheritdoc/>
    public override (double Lower, double Upper) ConjugateDomainClosure => (-0.5, 0.5);
    /// <inheritdoc/>
    public override Tensor Activation(Tensor v) => 0.5 * torch.tanh(v);
    /// <inheritdoc/>
    public override Tensor ConjugateOfActivation(Tensor v) => 0.5 * torch.tanh(v);
}

/// <summary>KL(P‖Q): g_f(v) = v, f*(g_f(v)) = exp(v − 1) (overflows to +∞ only where the exact value does, v ≳ 89).</summary>
public sealed class KullbackLeiblerDivergence : FDivergence
{
    /// <inheritdoc/>
    public override double F(double u) => XLogX(Ratio(u));
    /// <inheritdoc/>
    public override double FPrime(double u) => Math.Log(PositiveRatio(u)) + 1;
    /// <inheritdoc/>
    public override bool InConjugateDomain(double t) => double.IsFinite(t);
    /// <inheritdoc/>
    public override double Conjugate(double t) => InConjugateDomain(t) ? Math.Exp(t - 1) : double.PositiveInfinity;
    /// <inheritdoc/>
    public override double SlopeAtInfinity => double.PositiveInfinity;
    /// <inheritdoc/>
    public override string Name => "KL";
    /// <inheritdoc/>
    public override string Title => "Kullback–Leibler";
    /// <inheritdoc/>
    public override (double Lower, double Upper) ConjugateDomainClosure => (double.NegativeInfinity, double.PositiveInfinity);
    /// <inheritdoc/>
    public override Tensor Activation(Tensor v) => v.alias();
    /// <inheritdoc/>
    public override Tensor ConjugateOfActivation(Tensor v) => torch.exp(v - 1.0);
}

/// <summary>
/// Reverse KL, KL(Q‖P): g_f(v) = −exp(−v) &lt; 0, f*(g_f(v)) = −1 − log(−g_f(v)) = v − 1. For v &lt; −20 the
/// exp is continued linearly (<see cref="FDivergence.ExpLinear"/>) so g_f stays finite.
/// </summary>
public sealed class ReverseKullbackLeiblerDivergence : FDivergence
{
    /// <inheritdoc/>
    public override double F(double u) => Ratio(u) == 0 ? double.PositiveInfinity : -Math.Log(u);
    /// <inheritdoc/>
    public override double FPrime(double u) => -1 / PositiveRatio(u);
    /// <inheritdoc/>
    public override bool InConjugateDomain(double t) => t < 0;
    /// <inheritdoc/>
    public override double Conjugate(double t) => InConjugateDomain(t) ? -1 - Math.Log(-t) : double.PositiveInfinity;
    /// <inheritdoc/>
    public override double SlopeAtInfinity => 0;
    /// <inheritdoc/>
    public override string Name => "ReverseKL";
    /// <inheritdoc/>
    public override string Title => "Reverse Kullback–Leibler";
    /// <inheritdoc/>
    public override (double Lower, double Upper) ConjugateDomainClosure => (double.NegativeInfinity, 0.0);
    /// <inheritdoc/>
    public override Tensor Activation(Tensor v) => -ExpLinear(-v);
    /// <inheritdoc/>
    public override Tensor ConjugateOfActivation(Tensor v) => -1.0 - LogExpLinear(-v);
}

/// <summary>Pearson χ²: g_f(v) = v, f*(g_f(v)) = v²/4 + v.</summary>
public sealed class PearsonChiSquaredDivergence : FDivergence
{
    /// <inheritdoc/>
    public override double F(double u) => (Ratio(u) - 1) * (u - 1);
    /// <inheritdoc/>
    public override double FPrime(double u) => 2 * (PositiveRatio(u) - 1);
    /// <inheritdoc/>
    public override bool InConjugateDomain(double t) => double.IsFinite(t);
    /// <inheritdoc/>
    public override double Conjugate(double t) => InConjugateDomain(t) ? t * t / 4 + t : double.PositiveInfinity;
    /// <inheritdoc/>
    public override double SlopeAtInfinity => double.PositiveInfinity;
    /// <inheritdoc/>
    public override string Name => "Pearson";
    /// <inheritdoc/>
    public override string Title => "Pearson χ²";
    /// <inheritdoc/>
    public override (double Lower, double Upper) ConjugateDomainClosure => (double.NegativeInfinity, double.PositiveInfinity);
    /// <inheritdoc/>
    public override Tensor Activation(Tensor v) => v.alias();
    /// <inheritdoc/>
    public override Tensor ConjugateOfActivation(Tensor v) => 0.25 * v.square() + v;
}

/// <summary>Neyman χ²: g_f(v) = 1 − exp(−v) &lt; 1, f*(g_f(v)) = 2 − 2√(1 − g_f(v)) = 2 − 2 exp(−v/2).</summary>
public sealed class NeymanChiSquaredDivergence : FDivergence
{
    /// <inheritdoc/>
    public override double F(double u) => Ratio(u) == 0 ? double.PositiveInfinity : (1 - u) * (1 / u - 1);
    /// <inheritdoc/>
    public override double FPrime(double u) => 1 - 1 / (PositiveRatio(u) * u);
    /// <inheritdoc/>
    public override bool InConjugateDomain(double t) => t < 1;
    /// <inheritdoc/>
    public override double Conjugate(double t) => InConjugateDomain(t) ? 2 - 2 * Math.Sqrt(1 - t) : double.PositiveInfinity;
    /// <inheritdoc/>
    public override double SlopeAtInfinity => 1;
    /// <inheritdoc/>
    public override string Name => "Neyman";
    /// <inheritdoc/>
    public override string Title => "Neyman χ²";
    /// <inheritdoc/>
    public override (double Lower, double Upper) ConjugateDomainClosure => (double.NegativeInfinity, 1.0);
    /// <inheritdoc/>
    public override Tensor Activation(Tensor v) => 1.0 - ExpLinear(-v);
    /// <inheritdoc/>
    public override Tensor ConjugateOfActivation(Tensor v) => 2.0 - 2.0 * torch.exp(0.5 * LogExpLinear(-v));
}

/// <summary>Squared Hellinger: g_f(v) = 1 − exp(−v) &lt; 1, f*(g_f(v)) = g/(1 − g) = exp(v) − 1.</summary>
public sealed class SquaredHellingerDivergence : FDivergence
{
    /// <inheritdoc/>
    public override double F(double u) => (Math.Sqrt(Ratio(u)) - 1) * (Math.Sqrt(u) - 1);
    /// <inheritdoc/>
    public override double FPrime(double u) => 1 - 1 / Math.Sqrt(PositiveRatio(u));
    /// <inheritdoc/>
    public override bool InConjugateDomain(double t) => t < 1;
    /// <inheritdoc/>
    public override double Conjugate(double t) => InConjugateDomain(t) ? t / (1 - t) : double.PositiveInfinity;
    /// <inheritdoc/>
    public override double SlopeAtInfinity => 1;
    /// <inheritdoc/>
    public override string Name => "Hellinger";
    /// <inheritdoc/>
    public override string Title => "Squared Hellinger";
    /// <inheritdoc/>
    public override (double Lower, double Upper) ConjugateDomainClosure => (double.NegativeInfinity, 1.0);
    /// <inheritdoc/>
    public override Tensor Activation(Tensor v) => 1.0 - ExpLinear(-v);
    /// <inheritdoc/>
    public override Tensor ConjugateOfActivation(Tensor v) => torch.exp(-LogExpLinear(-v)) - 1.0;
}

/// <summary>
/// Jensen–Shannon with the paper's f (D_f = 2·JSD): g_f(v) = log 2 − softplus(−v) &lt; log 2,
/// f*(g_f(v)) = −log(2 − exp(g_f(v))) = softplus(v) − log 2.
/// </summary>
public sealed class JensenShannonDivergence : FDivergence
{
    /// <inheritdoc/>
    public override double F(double u) => Ratio(u) == 0 ? Math.Log(2) : u * (Math.Log(2) - Log1P(1 / u)) + Math.Log(2) - Log1P(u);
    /// <inheritdoc/>
    public override double FPrime(double u) => Math.Log(2 * PositiveRatio(u) / (1 + u));
    /// <inheritdoc/>
    public override bool InConjugateDomain(double t) => t < Math.Log(2);
    /// <inheritdoc/>
    public override double Conjugate(double t) => InConjugateDomain(t) ? -Math.Log(2 - Math.Exp(t)) : double.PositiveInfinity;
    /// <inheritdoc/>
    public override double SlopeAtInfinity => Math.Log(2);
    /// <inheritdoc/>
    public override string Name => "JS";
    /// <inheritdoc/>
    public override string Title => "Jensen–Shannon";
    /// <inheritdoc/>
    public override (double Lower, double Upper) ConjugateDomainClosure => (double.NegativeInfinity, Math.Log(2));
    /// <inheritdoc/>
    public override Tensor Activation(Tensor v) => Math.Log(2) - nn.functional.softplus(-v);
    /// <inheritdoc/>
    public override Tensor ConjugateOfActivation(Tensor v) => nn.functional.softplus(v) - Math.Log(2);
}

/// <summary>
/// The GAN row: g_f(v) = −softplus(−v) = log σ(v) = log D(x), f*(g_f(v)) = −log(1 − σ(v)) = softplus(v).
/// Then E_P[g_f] − E_Q[f*(g_f)] = E_P[log D] + E_Q[log(1 − D)], the GAN value function (Goodfellow et al.
/// 2014, eq. 1), and its maximum is D_f = 2·JSD − log 4 because this f has f(1) = −log 4 (paper's convention).
/// </summary>
public sealed class GanDivergence : FDivergence
{
    /// <inheritdoc/>
    public override double F(double u) => Ratio(u) == 0 ? 0 : -u * Log1P(1 / u) - Log1P(u);
    /// <inheritdoc/>
    public override double FPrime(double u) => Math.Log(PositiveRatio(u) / (u + 1));
    /// <inheritdoc/>
    public override bool InConjugateDomain(double t) => t < 0;
    /// <inheritdoc/>
    public override double Conjugate(double t) => InConjugateDomain(t) ? -Math.Log(1 - Math.Exp(t)) : double.PositiveInfinity;
    /// <inheritdoc/>
    public override double SlopeAtInfinity => 0;
    /// <inheritdoc/>
    public override string Name => "GAN";
    /// <inheritdoc/>
    public override string Title => "GAN (2·JSD − log 4)";
    /// <inheritdoc/>
    public override (double Lower, double Upper) ConjugateDomainClosure => (double.NegativeInfinity, 0.0);
    /// <inheritdoc/>
    public override Tensor Activation(Tensor v) => -nn.functional.softplus(-v);
    /// <inheritdoc/>
    public override Tensor ConjugateOfActivation(Tensor v) => nn.functional.softplus(v);
}
