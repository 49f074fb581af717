namespace GanNotebooks.Theory;

/// <summary>The f-divergences of the f-GAN paper (Nowozin, Cseke, Tomioka 2016, Tables 1–2).</summary>
public enum FDivergenceKind
{
    /// <summary>f(u) = ½|u − 1|; D_f is the total variation distance.</summary>
    TotalVariation,
    /// <summary>f(u) = u log u; D_f = KL(P‖Q).</summary>
    KullbackLeibler,
    /// <summary>f(u) = −log u; D_f = KL(Q‖P).</summary>
    ReverseKullbackLeibler,
    /// <summary>f(u) = (u − 1)².</summary>
    PearsonChiSquared,
    /// <summary>f(u) = (1 − u)²/u.</summary>
    NeymanChiSquared,
    /// <summary>f(u) = (√u − 1)² (no ½ factor).</summary>
    SquaredHellinger,
    /// <summary>f(u) = −(u+1) log((1+u)/2) + u log u; note D_f = 2·JSD with this f.</summary>
    JensenShannon,
    /// <summary>f(u) = u log u − (u+1) log(u+1); D_f = 2·JSD − log 4, the GAN objective.</summary>
    Gan,
}

/// <summary>
/// Generator functions f, their derivatives and Fenchel conjugates f*(t) = sup_u [u t − f(u)]
/// for each <see cref="FDivergenceKind"/> (f-GAN Table 2), in double precision.
/// </summary>
public static class FDivergenceFunctions
{
    /// <summary>All kinds, in table order.</summary>
    public static IReadOnlyList<FDivergenceKind> All { get; } = Enum.GetValues<FDivergenceKind>();

    /// <summary>f(u) for u ≥ 0, with the limit value at u = 0 (e.g. 0·log 0 = 0, −log 0 = +∞).</summary>
    public static double F(FDivergenceKind kind, double u)
    {
        if (u < 0 || double.IsNaN(u)) throw new ArgumentOutOfRangeException(nameof(u), u, "f is evaluated at density ratios u = p/q ≥ 0.");
        return kind switch
        {
            FDivergenceKind.TotalVariation => 0.5 * Math.Abs(u - 1),
            FDivergenceKind.KullbackLeibler => XLogX(u),
            FDivergenceKind.ReverseKullbackLeibler => u == 0 ? double.PositiveInfinity : -Math.Log(u),
            FDivergenceKind.PearsonChiSquared => (u - 1) * (u - 1),
            FDivergenceKind.NeymanChiSquared => u == 0 ? double.PositiveInfinity : (1 - u) * (1 / u - 1), // = (1 − u)²/u without overflowing (1 − u)² for huge u
            FDivergenceKind.SquaredHellinger => (Math.Sqrt(u) - 1) * (Math.Sqrt(u) - 1),
            // JS and GAN rewritten with log1p so that u log u − (u+1) log(…) does not become ∞ − ∞ = NaN for
            // huge ratios (u ≳ 1e306 where a density underflows): same function, no cancellation.
            FDivergenceKind.JensenShannon => u == 0 ? Math.Log(2) : u * (Math.Log(2) - Log1P(1 / u)) + Math.Log(2) - Log1P(u),
            FDivergenceKind.Gan => u == 0 ? 0 : -u * Log1P(1 / u) - Log1P(u),
            _ => throw Unknown(kind),
        };
    }

    /// <summary>
    /// lim_{u→∞} f(u)/u: the weight of P-mass where q = 0 in D_f(P‖Q) = ∫ q f(p/q) dx
    /// (a region with p &gt; 0, q = 0 contributes p·this; +∞ for KL and Pearson).
    /// </summary>
    public static double SlopeAtInfinity(FDivergenceKind kind) => kind switch
    {
        FDivergenceKind.TotalVariation => 0.5,
        FDivergenceKind.KullbackLeibler => double.PositiveInfinity,
        FDivergenceKind.ReverseKullbackLeibler => 0,
        FDivergenceKind.PearsonChiSquared => double.PositiveInfinity,
        FDivergenceKind.NeymanChiSquared => 1,
        FDivergenceKind.SquaredHellinger => 1,
        FDivergenceKind.JensenShannon => Math.Log(2),
        FDivergenceKind.Gan => 0,
        _ => throw Unknown(kind),
    };

    /// <summary>f′(u) for u &gt; 0 (TV: ½·sign(u − 1), with 0 at u = 1). T*(x) = f′(p(x)/q(x)) makes the variational bound tight.</summary>
    public static double FPrime(FDivergenceKind kind, double u)
    {
        if (!(u > 0)) throw new ArgumentOutOfRangeException(nameof(u), u, "f′ is evaluated at density ratios u > 0.");
        return kind switch
        {
            FDivergenceKind.TotalVariation => 0.5 * Math.Sign(u - 1),
            FDivergenceKind.KullbackLeibler => Math.Log(u) + 1,
            FDivergenceKind.ReverseKullbackLeibler => -1 / u,
            FDivergenceKind.PearsonChiSquared => 2 * (u - 1),
            FDivergenceKind.NeymanChiSquared => 1 - 1 / (u * u),
            FDivergenceKind.SquaredHellinger => 1 - 1 / Math.Sqrt(u),
            FDivergenceKind.JensenShannon => Math.Log(2 * u / (1 + u)),
            FDivergenceKind.Gan => Math.Log(u / (u + 1)),
            _ => throw Unknown(kind),
        };
    }

    /// <summary>f′(1), the real/fake decision threshold on T (f-GAN Table 2, last column).</summary>
    public static double Threshold(FDivergenceKind kind) => FPrime(kind, 1.0);

    /// <summary>Whether t lies in dom f* (f-GAN Table 2).</summary>
    public static bool InConjugateDomain(FDivergenceKind kind, double t) => kind switch
    {
        FDivergenceKind.TotalVariation => Math.Abs(t) <= 0.5,
        FDivergenceKind.KullbackLeibler or FDivergenceKind.PearsonChiSquared => double.IsFinite(t),
        FDivergenceKind.ReverseKullbackLeibler => t < 0,
        FDivergenceKind.NeymanChiSquared or FDivergenceKind.SquaredHellinger => t < 1,
        FDivergenceKind.JensenShannon => t < Math.Log(2),
        FDivergenceKind.Gan => t < 0,
        _ => throw Unknown(kind),
    };

    /// <summary>
    /// Fenchel conjugate f*(t) in closed form (f-GAN Table 2); +∞ outside dom f*. Pearson's t²/4 + t is
    /// the conjugate over u ∈ ℝ; restricted to u ≥ 0 it holds for t ≥ −2.
    /// </summary>
    public static double Conjugate(FDivergenceKind kind, double t)
    {
        if (!InConjugateDomain(kind, t)) return double.PositiveInfinity;
        return kind switch
        {
            FDivergenceKind.TotalVariation => t,
            FDivergenceKind.KullbackLeibler => Math.Exp(t - 1),
            FDivergenceKind.ReverseKullbackLeibler => -1 - Math.Log(-t),
            FDivergenceKind.PearsonChiSquared => t * t / 4 + t,
            FDivergenceKind.NeymanChiSquared => 2 - 2 * Math.Sqrt(1 - t),
            FDivergenceKind.SquaredHellinger => t / (1 - t),
            FDivergenceKind.JensenShannon => -Math.Log(2 - Math.Exp(t)),
            FDivergenceKind.Gan => -Math.Log(1 - Math.Exp(t)), // = softplus(v) when t = log σ(v)
            _ => throw Unknown(kind),
        };
    }

    /// <summary>
    /// sup_{0 ≤ u ≤ uMax} [u t − f(u)] by golden-section search (the objective is concave because f is
    /// convex). A numerical check of <see cref="Conjugate"/>; returns a large value when the sup is at
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

    internal static double XLogX(double u) => u == 0 ? 0 : u * Math.Log(u);

    // log(1 + x), accurate for tiny x (Goldberg 1991, Theorem 4); Math has no log1p.
    static double Log1P(double x)
    {
        double y = 1 + x;
        return y == 1 ? x : double.IsPositiveInfinity(y) ? Math.Log(x) : Math.Log(y) * (x / (y - 1));
    }
    static ArgumentOutOfRangeException Unknown(FDivergenceKind kind) => new(nameof(kind), kind, "Unknown f-divergence kind.");
}
