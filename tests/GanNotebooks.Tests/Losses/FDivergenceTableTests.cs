using GanNotebooks.Core;
using GanNotebooks.Losses;
using GanNotebooks.Theory;
using GanNotebooks.Tests.Theory;

namespace GanNotebooks.Tests.Losses;

/// <summary>The f-divergence table (f-GAN Tables 1–2) in doubles: each <see cref="FDivergence"/> against quadrature, its closed-form conjugate and f′(1).</summary>
public class FDivergenceTableTests
{
    static readonly double[] X = TheoryTests.X;
    static double[] Gauss(double m, double s) => TheoryTests.Gauss(m, s);

    [Fact]
    public void FDivergencesMatchTheirNamedCounterparts()
    {
        var p = Gauss(0, 1); var q = Gauss(1, 1.5);
        double jsd = Divergences.JensenShannon(X, p, q);
        Assert.Equal(2 * jsd, FDivergence.JensenShannon.Divergence(X, p, q), 6);
        Assert.Equal(2 * jsd - Math.Log(4), FDivergence.Gan.Divergence(X, p, q), 6);
        Assert.Equal(Divergences.TotalVariation(X, p, q), FDivergence.TotalVariation.Divergence(X, p, q), 8);
        Assert.Equal(Divergences.SquaredHellinger(X, p, q), FDivergence.SquaredHellinger.Divergence(X, p, q), 6);
    }

    [Fact]
    public void ConjugatesMatchTheNumericSupremumAndThresholdsMatchTheTable()
    {
        var ts = new Dictionary<FDivergence, double[]>
        {
            [FDivergence.TotalVariation] = new[] { -0.4, 0.0, 0.3 },
            [FDivergence.KullbackLeibler] = new[] { -1.0, 0.0, 1.5 },
            [FDivergence.ReverseKullbackLeibler] = new[] { -3.0, -1.0, -0.2 },
            [FDivergence.PearsonChiSquared] = new[] { -1.5, 0.0, 2.0 },
            [FDivergence.NeymanChiSquared] = new[] { -2.0, 0.0, 0.7 },
            [FDivergence.SquaredHellinger] = new[] { -2.0, 0.0, 0.6 },
            [FDivergence.JensenShannon] = new[] { -2.0, 0.0, 0.5 },
            [FDivergence.Gan] = new[] { -3.0, -1.0, -0.1 },
        };
        foreach (var (kind, list) in ts)
            foreach (var t in list)
            {
                double numeric = FDivergence.NumericConjugate(kind.F, t);
                Assert.True(Math.Abs(kind.Conjugate(t) - numeric) < 1e-6, $"{kind} at t={t}: closed {kind.Conjugate(t)} vs numeric {numeric}");
            }
        var expected = new Dictionary<FDivergence, double>
        {
            [FDivergence.TotalVariation] = 0, [FDivergence.KullbackLeibler] = 1, [FDivergence.ReverseKullbackLeibler] = -1,
            [FDivergence.PearsonChiSquared] = 0, [FDivergence.NeymanChiSquared] = 0, [FDivergence.SquaredHellinger] = 0,
            [FDivergence.JensenShannon] = 0, [FDivergence.Gan] = -Math.Log(2),
        };
        foreach (var (kind, thr) in expected) Assert.Equal(thr, kind.Threshold, 12);
        foreach (var kind in FDivergence.All.Where(k => k != FDivergence.Gan)) Assert.Equal(0.0, kind.F(1.0), 12); // f(1) = 0
        Assert.Equal(-Math.Log(4), FDivergence.Gan.F(1.0), 12); // the GAN f is shifted: D_f = 2 JSD − log 4
        Assert.True(double.IsPositiveInfinity(FDivergence.Gan.Conjugate(0.1)));
    }

    [Fact]
    public void GanConjugateOfLogSigmoidIsSoftplus()
    {
        foreach (var v in new[] { -3.0, 0.0, 2.5 })
        {
            double t = -Math.Log(1 + Math.Exp(-v)); // log σ(v)
            Assert.Equal(Math.Log(1 + Math.Exp(v)), FDivergence.Gan.Conjugate(t), 10);
        }
    }

    [Fact]
    public void VariationalBoundIsTightAtTStar()
    {
        // E_P[T*] − E_Q[f*(T*)] with T* = f′(p/q) equals D_f (f-GAN Eq. 4–5), checked for KL
        var p = Gauss(0, 1); var q = Gauss(0.7, 1.3);
        var tStar = p.Select((pi, i) => FDivergence.KullbackLeibler.FPrime(pi / q[i])).ToArray();
        double bound = Quadrature.Trapezoid(X, i => p[i] * tStar[i] - q[i] * FDivergence.KullbackLeibler.Conjugate(tStar[i]));
        Assert.Equal(ClosedForms.KlGaussians(0, 1, 0.7, 1.3), bound, 6);
    }
}
