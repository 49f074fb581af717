using GanNotebooks.Data.Toy;
using GanNotebooks.Core;
using GanNotebooks.Losses;
using GanNotebooks.Evaluation;
using GanNotebooks.Variants.Standard;
using GanNotebooks.Variants.Fgan;
using GanNotebooks.Runtime;
using GanNotebooks.Tests.Training;
using GanNotebooks.Theory;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Fgan;

/// <summary>
/// A ninth divergence defined outside the library, to show that adding one is one definition:
/// Amari's α-divergence for 0 &lt; α &lt; 1, f(u) = (u^α − 1 − α(u − 1)) / (α(α − 1)).
/// f′(u) = (u^(α−1) − 1)/(α − 1); f*(t) = ((1 + (α−1)t)^(α/(α−1)) − 1)/α on t &lt; 1/(1 − α);
/// g_f(v) = (1 − e^(−v))/(1 − α), so 1 + (α−1)g_f(v) = e^(−v) and f*(g_f(v)) = (e^(vα/(1−α)) − 1)/α.
/// α = ½ gives 2·(squared Hellinger), a cross-check.
/// </summary>
sealed class AlphaDivergence : FDivergence
{
    readonly double _a;
    public AlphaDivergence(double alpha)
    {
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "this test definition covers 0 < α < 1.");
        _a = alpha;
    }
    public override string Name => $"Alpha{_a}";
    public override double F(double u) => (Math.Pow(u, _a) - 1 - _a * (u - 1)) / (_a * (_a - 1));
    public override double FPrime(double u) => (Math.Pow(u, _a - 1) - 1) / (_a - 1);
    public override bool InConjugateDomain(double t) => t < 1 / (1 - _a);
    public override double Conjugate(double t) => InConjugateDomain(t) ? (Math.Pow(1 + (_a - 1) * t, _a / (_a - 1)) - 1) / _a : double.PositiveInfinity;
    public override (double Lower, double Upper) ConjugateDomainClosure => (double.NegativeInfinity, 1 / (1 - _a));
    public override double SlopeAtInfinity => 1 / (1 - _a);
    public override Tensor Activation(Tensor v) => (1.0 - torch.exp(-v)) / (1 - _a);
    public override Tensor ConjugateOfActivation(Tensor v) => (torch.exp(v * (_a / (1 - _a))) - 1.0) / _a;
}

public class FGanTests
{
    static readonly double[] X = Quadrature.Linspace(-15, 15, 6001);
    // Equal component stds keep every divergence of the table finite: Pearson χ² (∫ p²/q) needs q's tails
    // no lighter than p's, Neyman χ² (∫ q²/p) the reverse.
    static readonly double[] P = GaussianMixture1D.EqualWeights(new[] { -1.0, 1.5 }, 1.0).Density(X);
    static readonly double[] Q = GaussianMixture1D.Gaussian(0.3, 1.0).Density(X);

    static IEnumerable<FDivergence> AllPlusNinth() => FDivergence.All.Append(new AlphaDivergence(0.5)).Append(new AlphaDivergence(0.3));

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var f in AllPlusNinth()) d.Add(f.Name);
        return d;
    }

    static FDivergence ByName(string name) => AllPlusNinth().Single(f => f.Name == name);

    static double[] Eval(Func<Tensor, Tensor> g, double[] v, ScalarType dtype = ScalarType.Float64)
    {
        using var s = torch.NewDisposeScope();
        return g(torch.tensor(v, dtype: ScalarType.Float64).to_type(dtype)).to_type(ScalarType.Float64).data<double>().ToArray();
    }

    static double V(Tensor t) => t.to_type(ScalarType.Float64).item<double>();

    [Fact]
    public void TheTableHasEightRowsInPaperOrderWithTheirThresholds()
    {
        Assert.Equal(new[] { "TV", "KL", "ReverseKL", "Pearson", "Neyman", "Hellinger", "JS", "GAN" }, FDivergence.All.Select(f => f.Name));
        // f′(1), f-GAN Table 2 last column.
        var expected = new[] { 0, 1, -1, 0, 0, 0, 0, -Math.Log(2) };
        for (int i = 0; i < 8; i++) Assert.Equal(expected[i], FDivergence.All[i].Threshold, 12);
        Assert.Same(FDivergence.ReverseKullbackLeibler, FDivergence.Parse("reversekl"));
        Assert.Same(FDivergence.SquaredHellinger, FDivergence.Parse("Squared Hellinger"));
        var e = Assert.Throws<ArgumentException>(() => FDivergence.Parse("Wasserstein"));
        Assert.Contains("KL", e.Message);
    }

    [Fact]
    public void FOfOneIsZeroExceptTheGanRowWhichKeepsThePapersMinusLog4()
    {
        foreach (var f in AllPlusNinth())
        {
            // The paper's GAN row: f(u) = u log u − (u+1) log(u+1), so f(1) = −log 4 and D_f(P‖P) = −log 4,
            // which makes its bound exactly the GAN value function. Every other row is a divergence.
            double expected = f == FDivergence.Gan ? -Math.Log(4) : 0.0;
            Assert.Equal(expected, f.ValueAtOne, 12);
            Assert.Equal(expected, f.Divergence(X, P, P), 9);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ConjugateIsTheNumericalSupremumAtPointsReachedByTheActivation(string name)
    {
        var f = ByName(name);
        // Pearson's t²/4 + t is the conjugate over u ≥ 0 only for t ≥ −2 (REFERENCES.md): stay there.
        var logits = f == FDivergence.PearsonChiSquared ? new[] { -2.0, -1, 0, 0.5, 2 } : new[] { -2.0, -1, 0, 0.5, 2, 3 };
        var t = Eval(f.Activation, logits);
        var fused = Eval(f.ConjugateOfActivation, logits);
        for (int i = 0; i < logits.Length; i++)
        {
            Assert.True(f.InConjugateDomain(t[i]), $"{name}: g_f({logits[i]}) = {t[i]} is outside dom f*");
            double numeric = FDivergence.NumericConjugate(f.F, t[i]);
            Assert.True(Math.Abs(f.Conjugate(t[i]) - numeric) < 1e-6 * (1 + Math.Abs(numeric)),
                $"{name}: f*({t[i]}) = {f.Conjugate(t[i])} but sup_u [u t − f(u)] = {numeric}");
            // the fused tensor form f*(g_f(v)) used by the losses is the same function
            Assert.True(Math.Abs(fused[i] - f.Conjugate(t[i])) < 1e-9 * (1 + Math.Abs(numeric)),
                $"{name}: f*(g_f({logits[i]})) fused = {fused[i]}, closed form = {f.Conjugate(t[i])}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ActivationIsMonotoneAndItsThresholdIsReachedAtSomeLogit(string name)
    {
        var f = ByName(name);
        var v = Quadrature.Linspace(-8, 8, 161);
        var t = Eval(f.Activation, v);
        for (int i = 1; i < t.Length; i++) Assert.True(t[i] > t[i - 1], $"{name}: g_f is not increasing at v = {v[i]}");
        Assert.InRange(f.Threshold, t[0], t[^1]);
    }

    [Fact]
    public void ActivationStaysInTheDomainForExtremeLogitsWithoutNanOrInf()
    {
        var logits = new[] { -1e4, -1e3, -100, -30, -10, -1, 0, 1, 10, 30, 100, 1e3, 1e4 };
        foreach (var f in FDivergence.All)
        {
            var t = Eval(f.Activation, logits, ScalarType.Float32);
            var c = Eval(f.ConjugateOfActivation, logits, ScalarType.Float32);
            var (lo, hi) = f.ConjugateDomainClosure;
            for (int i = 0; i < logits.Length; i++)
            {
                Assert.True(double.IsFinite(t[i]), $"{f.Name}: g_f({logits[i]}) = {t[i]}");
                // the closure as float32 represents it (float32 log 2 is 1.9e-9 above log 2)
                Assert.InRange(t[i], (double)(float)lo, (double)(float)hi);
                // Strictly inside while the distance to the boundary is representable in float32; beyond, the
                // saturated value may round onto the boundary (e.g. log 2 − softplus(−30) == log 2).
                if (Math.Abs(logits[i]) <= 10) Assert.True(f.InConjugateDomain(t[i]), $"{f.Name}: g_f({logits[i]}) = {t[i]} not in dom f*");
                Assert.False(double.IsNaN(c[i]), $"{f.Name}: f*(g_f({logits[i]})) is NaN");
                // f*(g_f(v)) is finite except where its exact value overflows float32: e^(v−1) (KL), e^v − 1 (Hellinger).
                bool overflows = logits[i] >= 100 && (f == FDivergence.KullbackLeibler || f == FDivergence.SquaredHellinger);
                Assert.True(overflows ? double.IsPositiveInfinity(c[i]) : double.IsFinite(c[i]), $"{f.Name}: f*(g_f({logits[i]})) = {c[i]}");
            }
            // gradients through both maps are never NaN (the unused branch of the linear exp tail is clamped)
            using var s = torch.NewDisposeScope();
            var finite = logits.Where((_, i) => double.IsFinite(c[i])).ToArray();
            var v = torch.tensor(finite, dtype: ScalarType.Float32).requires_grad_(true);
            (f.Activation(v).sum() + f.ConjugateOfActivation(v).sum()).backward();
            Assert.False(v.grad!.isnan().any().item<bool>(), $"{f.Name}: NaN gradient at an extreme logit");
        }
    }

    [Fact]
    public void TheGanRowIsTheVanillaGanLoss()
    {
        using var s = torch.NewDisposeScope();
        Seeding.Seed(3);
        var r = torch.randn(8) * 3;
        var f = torch.randn(8) * 3;
        var gan = FDivergence.Gan;
        // T = log σ(v), f*(T) = softplus(v): −bound = E[softplus(−r)] + E[softplus(f)] — the BCE, no constant.
        Assert.Equal(V(GanLosses.DiscriminatorBce(r, f)), V(FGanLosses.DiscriminatorLoss(gan, r, f)), 5);
        Assert.Equal(V(GanLosses.GeneratorNonSaturating(f)), V(FGanLosses.GeneratorLoss(gan, f)), 5);
        Assert.Equal(V(GanLosses.GeneratorSaturating(f)), V(FGanLosses.GeneratorLoss(gan, f, FGanGeneratorLoss.Saturating)), 5);
        Assert.Equal(V(torch.sigmoid(f).log().mean()), V(gan.Activation(f).mean()), 5);
        // The JS row differs from the GAN row only by the constant log 4 (D_JS = 2·JSD = D_GAN + log 4).
        Assert.Equal(V(GanLosses.DiscriminatorBce(r, f)) - Math.Log(4), V(FGanLosses.DiscriminatorLoss(FDivergence.JensenShannon, r, f)), 5);
        // and the objective plugged into the trainer is the same as NonSaturatingGan
        var obj = new FGan(gan);
        Assert.Equal(V(new NonSaturatingGan().DiscriminatorLossFromLogits(r, f)), V(obj.DiscriminatorLossFromLogits(r, f)), 5);
        Assert.Equal(V(new NonSaturatingGan().GeneratorLossFromLogits(f)), V(obj.GeneratorLossFromLogits(f)), 5);
    }

    [Fact]
    public void QuadratureDivergencesMatchClosedForms()
    {
        var p = GaussianMixture1D.Gaussian(0, 1).Density(X);
        var q = GaussianMixture1D.Gaussian(1, 1.5).Density(X);
        Assert.Equal(ClosedForms.KlGaussians(0, 1, 1, 1.5), FDivergence.KullbackLeibler.Divergence(X, p, q), 6);
        Assert.Equal(ClosedForms.KlGaussians(1, 1.5, 0, 1), FDivergence.ReverseKullbackLeibler.Divergence(X, p, q), 6);
        Assert.Equal(ClosedForms.SquaredHellingerGaussians(0, 1, 1, 1.5), FDivergence.SquaredHellinger.Divergence(X, p, q), 6);
        double jsd = Divergences.JensenShannon(X, p, q);
        Assert.Equal(2 * jsd, FDivergence.JensenShannon.Divergence(X, p, q), 6);
        Assert.Equal(2 * jsd - Math.Log(4), FDivergence.Gan.Divergence(X, p, q), 6);
        Assert.Equal(Divergences.TotalVariation(X, p, q), FDivergence.TotalVariation.Divergence(X, p, q), 6);
        // the α = ½ divergence defined in this file is 2·(squared Hellinger)
        Assert.Equal(2 * FDivergence.SquaredHellinger.Divergence(X, P, Q), new AlphaDivergence(0.5).Divergence(X, P, Q), 6);
    }

    [Fact]
    public void QuadratureSurvivesDensityRatiosThatOverflow()
    {
        // u log u − (u+1) log(…) used to be ∞ − ∞ = NaN at u ≈ 1e306; and p/q = ∞ where q underflows next to p.
        Assert.Equal(1e306 * Math.Log(2), FDivergence.JensenShannon.F(1e306), 1e-9 * 1e306);
        Assert.Equal(-1 - Math.Log(1e306 + 1), FDivergence.Gan.F(1e306), 1e-9);
        Assert.Equal(1e200, FDivergence.NeymanChiSquared.F(1e200), 1e-9 * 1e200);   // (1 − u)² alone would overflow
        var x = Quadrature.Linspace(-12, 12, 1201);
        var p = GaussianMixture1D.EqualWeights(new[] { -2.0, 2.0 }, 0.5).Density(x);
        // a narrow Gaussian next to P's support: nearly disjoint, so each bounded divergence is near its maximum
        var bounds = new Dictionary<FDivergence, (double Lo, double Hi)>
        {
            [FDivergence.TotalVariation] = (0.99, 1), [FDivergence.SquaredHellinger] = (1.98, 2),
            [FDivergence.JensenShannon] = (2 * Math.Log(2) - 0.02, 2 * Math.Log(2)), [FDivergence.Gan] = (-0.02, 0),
        };
        foreach (var f in FDivergence.All)
        {
            double d = FGanGaussianFit.DivergenceTo(f, x, p, -4.5, 0.1);
            Assert.False(double.IsNaN(d), $"{f.Name}: NaN");
            if (bounds.TryGetValue(f, out var b)) Assert.InRange(d, b.Lo, b.Hi);
            else Assert.True(d > 10, $"{f.Name}: {d} should be large for nearly disjoint supports");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void BoundIsTightAtTheOptimalCriticAndLowerForAnyOther(string name)
    {
        var f = ByName(name);
        double d = f.Divergence(X, P, Q);
        var tStar = f.OptimalCritic(P, Q);
        Assert.Equal(d, FGanBound.ByQuadrature(f, X, P, Q, tStar), 6);
        // Perturbed critics (kept inside dom f*): shifted down, scaled, wiggled. Fenchel–Young makes each
        // pointwise term ≤ q f(p/q), so every bound is below D_f, strictly unless T = T* a.e.
        var perturbations = new Func<double, double, double>[]
        {
            (x, t) => t - 0.2,
            (x, t) => f == FDivergence.TotalVariation ? 0.6 * t : t - 0.3 * (1 + Math.Sin(3 * x)),
            (x, t) => f.InConjugateDomain(t + 0.3 * Math.Sin(x)) ? t + 0.3 * Math.Sin(x) : t - 0.3 * Math.Abs(Math.Sin(x)),
            (x, t) => 0,   // the constant critic T = 0
        };
        foreach (var perturb in perturbations)
        {
            var t = X.Select((x, i) => perturb(x, tStar[i])).ToArray();
            double b = FGanBound.ByQuadrature(f, X, P, Q, t);
            Assert.True(b < d - 1e-4, $"{name}: bound {b} with a non-optimal critic is not below D_f = {d}");
        }
    }

    [Fact]
    public void MonteCarloEstimateAveragesTheCriticAndTheConjugate()
    {
        using var s = torch.NewDisposeScope();
        // Linear critic V(x) = 1.5 − x: with g_f = identity this is KL's T* = 1 + log(p/q) for P = N(0,1), Q = N(1,1).
        var critic = nn.Linear(1, 1);
        using (torch.no_grad()) { critic.weight!.fill_(-1.0); critic.bias!.fill_(1.5); }
        var real = torch.tensor(new float[] { 0, 1, -1, 2 }).reshape(4, 1);
        var fake = torch.tensor(new float[] { 1, 0.5f }).reshape(2, 1);
        var est = FGanBound.Estimate(FDivergence.KullbackLeibler, critic, real, fake, chunk: 3);
        double[] tr = { 1.5, 0.5, 2.5, -0.5 };
        double[] cf = { Math.Exp(-0.5), Math.Exp(0) };
        Assert.Equal(tr.Average(), est.MeanCriticReal, 5);
        Assert.Equal(cf.Average(), est.MeanConjugateFake, 5);
        Assert.Equal(tr.Average() - cf.Average(), est.Bound, 5);
        static double Var(double[] a) { double m = a.Average(); return a.Sum(x => (x - m) * (x - m)) / (a.Length - 1); }
        Assert.Equal(Math.Sqrt(Var(tr) / 4 + Var(cf) / 2), est.StdErr, 5);
        Assert.Equal((4, 2), (est.RealCount, est.FakeCount));
        // the same critic on a grid: T(x) = 1.5 − x
        Assert.Equal(new[] { 1.5, 0.5 }, FGanBound.CriticOnGrid(FDivergence.KullbackLeibler, critic, new[] { 0.0, 1.0 }).Select(v => Math.Round(v, 5)));
    }

    [Fact]
    public void FittingALinearCriticRecoversTheOptimalKlCritic()
    {
        // P = N(0,1), Q = N(1,1): T*(x) = f′(p/q) = 1 + log p/q = 1.5 − x, representable by a linear critic.
        Seeding.Seed(5);
        using var critic = nn.Linear(1, 1);
        var gen = new torch.Generator(11);
        var trace = FGanBound.FitCritic(FDivergence.KullbackLeibler, critic,
            b => torch.randn(new long[] { b, 1 }, generator: gen),
            b => torch.randn(new long[] { b, 1 }, generator: gen) + 1.0,
            new CriticFitOptions { Steps = 600, BatchSize = 8, Lr = 0.02, LogEvery = 100, Device = torch.CPU });
        Assert.Equal(new[] { 1, 100, 200, 300, 400, 500, 600 }, trace.Steps);
        Assert.Equal(-1.0, V(critic.weight!), 0.3);
        Assert.Equal(1.5, V(critic.bias!), 0.3);
        Assert.Throws<ArgumentException>(() => FGanBound.FitCritic(FDivergence.KullbackLeibler, critic, b => torch.zeros(b, 1), b => torch.zeros(b, 1), new CriticFitOptions { BatchSize = 0 }));
    }

    [Fact]
    public void BestGaussianFitsAreMomentMatchingForKlAndOneModeForReverseKl()
    {
        var x = Quadrature.Linspace(-12, 12, 1201);
        var p = GaussianMixture1D.EqualWeights(new[] { -2.0, 2.0 }, 0.5).Density(x);
        var kl = FGanGaussianFit.Best(FDivergence.KullbackLeibler, x, p, (-4, 4), (0.1, 5), coarse: 17);
        // argmin_Q KL(P‖Q) over Gaussians matches the mean (0) and variance (0.5² + 2²) of P.
        Assert.Equal(0, kl.Mean, 3);
        Assert.Equal(Math.Sqrt(0.25 + 4), kl.Std, 3);
        var rkl = FGanGaussianFit.Best(FDivergence.ReverseKullbackLeibler, x, p, (-4, 4), (0.1, 5), coarse: 17);
        Assert.Equal(2, Math.Abs(rkl.Mean), 1);
        Assert.Equal(0.5, rkl.Std, 1);
        Assert.True(rkl.Divergence < FGanGaussianFit.DivergenceTo(FDivergence.ReverseKullbackLeibler, x, p, 0, kl.Std));
    }

    [Fact]
    public void DiscriminatorStepLeavesTheGeneratorUnchanged()
    {
        using var t = TrainerTestKit.Make(seed: 4, objective: new FGan(FDivergence.ReverseKullbackLeibler));
        var g0 = TrainerTestKit.Weights(t.G);
        var d0 = TrainerTestKit.Weights(t.D);
        var m = t.DiscriminatorStep();
        Assert.True(TrainerTestKit.Same(g0, TrainerTestKit.Weights(t.G)), "an f-GAN D step changed G's weights");
        Assert.False(TrainerTestKit.Same(d0, TrainerTestKit.Weights(t.D)), "an f-GAN D step did not train D");
        Assert.Equal(-m["Loss/D"], m["Bound"], 5);
        var d1 = TrainerTestKit.Weights(t.D);
        t.GeneratorStep();
        Assert.True(TrainerTestKit.Same(d1, TrainerTestKit.Weights(t.D)), "an f-GAN G step changed D's weights");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryDivergenceTrainsInTheGenericTrainerWithBothGeneratorLosses(string name)
    {
        foreach (var kind in new[] { FGanGeneratorLoss.NonSaturating, FGanGeneratorLoss.Saturating })
        {
            var obj = new FGan(ByName(name), kind);
            using var t = TrainerTestKit.Make(seed: 6, objective: obj);
            var h = t.Train(2);
            foreach (var k in new[] { "Loss/D", "Loss/G", "D(x)", "D(G(z))", "Bound" })
                Assert.True(double.IsFinite(h.Last(k)), $"{obj.Name}: {k} = {h.Last(k)}");
        }
        Assert.Equal("fGAN-KL", new FGan(FDivergence.KullbackLeibler).Name);
        Assert.Equal("fGAN-KL-saturating", new FGan(FDivergence.KullbackLeibler, FGanGeneratorLoss.Saturating).Name);
    }

    [Fact]
    public void BadInputsThrowWithAHelpfulMessage()
    {
        using var s = torch.NewDisposeScope();
        Assert.Throws<ArgumentNullException>(() => new FGan(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FGan(FDivergence.KullbackLeibler, (FGanGeneratorLoss)7));
        var e = Assert.Throws<ArgumentException>(() => FGanLosses.Bound(FDivergence.KullbackLeibler, torch.zeros(0), torch.zeros(2)));
        Assert.Contains("empty", e.Message);
        Assert.Throws<ArgumentException>(() => FGanLosses.Bound(FDivergence.KullbackLeibler, torch.zeros(2, ScalarType.Int64), torch.zeros(2)));
        Assert.Throws<ArgumentException>(() => FGanBound.ByQuadrature(FDivergence.KullbackLeibler, X, P, Q, new double[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => FDivergence.KullbackLeibler.OptimalCritic(-1, 1));
    }
}
