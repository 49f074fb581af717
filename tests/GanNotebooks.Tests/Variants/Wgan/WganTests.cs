using GanNotebooks.Data.Toy;
using GanNotebooks.Core;
using GanNotebooks.Evaluation;
using GanNotebooks.Nets;
using GanNotebooks.Losses;
using GanNotebooks.Training;
using GanNotebooks.Variants.Wgan;
using GanNotebooks.Runtime;
using GanNotebooks.Theory;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Wgan;

/// <summary>D(x) = w·flatten(x) with ‖w‖ = norm, as a module (no bias).</summary>
sealed class LinearCritic : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear fc;

    public LinearCritic(long inputs, double norm, long seed) : base(nameof(LinearCritic))
    {
        fc = nn.Linear(inputs, 1, hasBias: false);
        using (torch.no_grad())
        {
            var w = torch.randn(new long[] { 1, inputs }, generator: new torch.Generator((ulong)seed));
            fc.weight!.copy_(w / w.norm() * norm);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => fc.call(x.reshape(x.shape[0], -1)).squeeze(1);
}

/// <summary>A critic that hides a BatchNorm two levels down, next to harmless layers.</summary>
sealed class NestedBatchNormCritic : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> body;
    private readonly nn.Module<Tensor, Tensor> head;

    public NestedBatchNormCritic() : base(nameof(NestedBatchNormCritic))
    {
        body = nn.Sequential(("fc", nn.Linear(2, 4)), ("inner", nn.Sequential(("bn", nn.BatchNorm1d(4)), ("act", nn.ReLU()))));
        head = nn.Linear(4, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => head.call(body.call(x)).squeeze(1);
}

public class WganTests
{
    static double V(Tensor t) => t.to_type(ScalarType.Float64).item<double>();

    static GanTrainer Make1D(IGanObjective objective, GanTrainerConfig config, long seed = 3, MlpNorm norm = MlpNorm.None, double realMean = 2.0)
    {
        Seeding.Seed(seed);
        var g = new MlpGenerator(2, 1, hidden: 8, depth: 1);
        var d = new MlpDiscriminator(1, hidden: 8, depth: 2, norm: norm);
        // Real N(realMean, 0.1²) far from G's initial outputs (near 0): separable data.
        return new GanTrainer(g, d, objective, b => torch.randn(b, 1) * 0.1 + realMean, Latent.Normal(2, torch.CPU),
            config with { BatchSize = 8, Device = torch.CPU });
    }

    // ---------------------------------------------------------------- gradient penalty through the objective

    public static TheoryData<int, long[]> Shapes()
    {
        var data = new TheoryData<int, long[]>();
        foreach (var b in new[] { 1, 4, 8 })
        {
            data.Add(b, new long[] { 1 });
            data.Add(b, new long[] { 2 });
            data.Add(b, new long[] { 3, 4, 4 });
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void UnitNormLinearModuleCriticHasZeroPenaltyThroughTheModuleOverload(int b, long[] sampleShape)
    {
        using var s = torch.NewDisposeScope();
        long d = sampleShape.Aggregate(1L, (x, y) => x * y);
        var critic = new LinearCritic(d, 1.0, 5);
        var shape = new[] { (long)b }.Concat(sampleShape).ToArray();
        Assert.Equal(0, V(Regularizers.GradientPenalty(critic, torch.randn(shape), torch.randn(shape))), 5);
        // a norm of 3 gives (3 − 1)² = 4 at every point, whatever the shape
        var steep = new LinearCritic(d, 3.0, 5);
        Assert.Equal(4, V(Regularizers.GradientPenalty(steep, torch.randn(shape), torch.randn(shape))), 3);
    }

    [Fact]
    public void WganGpObjectiveAddsLambdaTimesThePenalty()
    {
        // Linear critic with ‖w‖ = 2: GP = 1 exactly, so the D loss is E[D(x̃)] − E[D(x)] + λ·1.
        Seeding.Seed(1);
        var g = new MlpGenerator(2, 3, hidden: 4, depth: 1);
        var d = new LinearCritic(3, 2.0, 9);
        using var t = new GanTrainer(g, d, new WassersteinGpGan(lambda: 10), b => torch.randn(b, 3), Latent.Normal(2, torch.CPU),
            GanTrainerConfig.WganGp with { BatchSize = 8, DSteps = 1, Device = torch.CPU });
        var m = t.DiscriminatorStep();
        Assert.Equal(1.0, m["GP"], 4);
        Assert.Equal(-m["W"] + 10 * 1.0, m["Loss/D"], 3);
    }

    // ---------------------------------------------------------------- BatchNorm is rejected in a GP critic

    [Fact]
    public void BatchNormInAGradientPenaltyCriticIsRejectedWithAClearMessage()
    {
        using var s = torch.NewDisposeScope();
        var bn = new MlpDiscriminator(2, hidden: 4, depth: 2, norm: MlpNorm.BatchNorm);
        var ex = Assert.Throws<ArgumentException>(() => Regularizers.GradientPenalty(bn, torch.randn(4, 2), torch.randn(4, 2)));
        Assert.Contains("BatchNorm", ex.Message);
        Assert.Contains("per-sample penalty is invalid", ex.Message);
        Assert.Contains("LayerNorm", ex.Message);
        Assert.Contains("net.net.1", ex.Message); // where it is (state-dict path)

        // LayerNorm and no normalization are accepted
        foreach (var norm in new[] { MlpNorm.LayerNorm, MlpNorm.None })
        {
            var ok = new MlpDiscriminator(2, hidden: 4, depth: 2, norm: norm);
            Assert.Null(WganCriticCheck.FindBatchNorm(ok));
            Assert.True(double.IsFinite(V(Regularizers.GradientPenalty(ok, torch.randn(4, 2), torch.randn(4, 2)))));
        }

        // found however deep it is hidden, and a bare BatchNorm module too
        Assert.Equal(("body.inner.bn", "BatchNorm1d"), WganCriticCheck.FindBatchNorm(new NestedBatchNormCritic()));
        Assert.Equal("", WganCriticCheck.FindBatchNorm(nn.BatchNorm2d(3))!.Value.Path);
    }

    [Fact]
    public void TrainerWithWganGpAndABatchNormCriticFailsOnTheFirstCriticStep()
    {
        using var t = Make1D(new WassersteinGpGan(), GanTrainerConfig.WganGp with { DSteps = 1 }, norm: MlpNorm.BatchNorm);
        var ex = Assert.Throws<ArgumentException>(() => t.Train(1));
        Assert.Contains("must not contain BatchNorm", ex.Message);
        Assert.Equal(0, t.DiscriminatorSteps);
        // the clipped WGAN has no per-sample penalty: BatchNorm is allowed there
        using var clip = Make1D(new WassersteinGan(), GanTrainerConfig.Wgan with { DStepsSchedule = null, DSteps = 1 }, norm: MlpNorm.BatchNorm);
        clip.Train(1);
        Assert.Equal(1, clip.DiscriminatorSteps);
    }

    // ---------------------------------------------------------------- weight clipping

    [Fact]
    public void ClippingKeepsEveryWeightInRangeAfterAStep()
    {
        // Default init puts weights at up to 1/√fan_in ≫ 0.01, and a huge learning rate pushes them further.
        const double c = 0.01;
        using var t = Make1D(new WassersteinGan(), GanTrainerConfig.Wgan with { DStepsSchedule = null, DSteps = 1, LrD = 0.5 });
        Assert.True(CriticDiagnostics.ClipReport(t.D, c).MaxAbs > 10 * c, "initial weights should exceed the bound");
        for (int i = 0; i < 3; i++)
        {
            t.DiscriminatorStep();
            foreach (var (name, p) in t.D.named_parameters())
                Assert.True(p.abs().max().item<float>() <= (float)c, $"{name} has |w| = {p.abs().max().item<float>()} > {c} after a clipped step");
        }
        var report = CriticDiagnostics.ClipReport(t.D, c);
        Assert.True(report.MaxAbs <= c * (1 + 1e-6));
        Assert.True(report.FractionAtBoundary > 0.5, report.ToString()); // most weights are pinned at ±c
        // G is not clipped
        Assert.True(CriticDiagnostics.ClipReport(t.G, c).MaxAbs > c);
    }

    // ---------------------------------------------------------------- sign convention

    [Theory]
    [InlineData("clip")]
    [InlineData("gp")]
    public void CriticStepsIncreaseRealMinusFakeOnSeparableData(string variant)
    {
        using var t = variant == "clip"
            ? Make1D(new WassersteinGan(), GanTrainerConfig.Wgan with { DStepsSchedule = null, LrD = 1e-3 })
            : Make1D(new WassersteinGpGan(), GanTrainerConfig.WganGp with { LrD = 1e-3 });
        Seeding.Seed(11);
        var real = torch.randn(256, 1) * 0.1 + 2.0;
        Tensor fake;
        using (torch.no_grad()) fake = t.G.call(torch.randn(256, 2));
        // one step first, so that the clipped critic starts inside [−c, c] (clipping alone shrinks D)
        var m = t.DiscriminatorStep();
        double before = CriticDiagnostics.Estimate(t.D, real, fake);
        for (int i = 0; i < 30; i++) m = t.DiscriminatorStep();
        double after = CriticDiagnostics.Estimate(t.D, real, fake);
        Assert.True(after > before && after > 0, $"{variant}: E[D(real)] − E[D(fake)] went from {before:G4} to {after:G4}; the critic must maximize it");
        // the logged "W" is the same quantity on the step's batch, and the D loss is its negative (plus the penalty)
        Assert.Equal(m["D(x)"] - m["D(G(z))"], m["W"], 5);
        if (variant == "clip") Assert.Equal(-m["W"], m["Loss/D"], 5);
        else Assert.Equal(-m["W"] + 10 * m["GP"], m["Loss/D"], 4);
    }

    // ---------------------------------------------------------------- the official critic schedule

    [Fact]
    public void OfficialCriticScheduleIs100ForTheFirst25AndEvery500thGeneratorStepElse5()
    {
        var sched = GanTrainerConfig.WganCriticSchedule();
        var preset = GanTrainerConfig.Wgan.DStepsSchedule!;
        for (int g = 0; g <= 2600; g++)
        {
            int expected = g < 25 || g % 500 == 0 ? 100 : 5;
            Assert.Equal(expected, sched(g));
            Assert.Equal(expected, preset(g));
        }
        Assert.Equal(new[] { 100, 100, 5, 5, 100, 5 }, new[] { 0, 24, 25, 499, 500, 501 }.Select(sched));
        Assert.Equal(3, GanTrainerConfig.WganCriticSchedule(3)(26));
        Assert.Throws<ArgumentOutOfRangeException>(() => GanTrainerConfig.WganCriticSchedule(0));
        // the preset's other official defaults
        var w = GanTrainerConfig.Wgan;
        Assert.Equal((OptimizerKind.RMSprop, 5e-5, 5e-5, 0.01, 0.0), (w.Optimizer, w.LrD, w.LrG, w.WeightClip!.Value, w.Momentum));
        var gp = GanTrainerConfig.WganGp;
        Assert.Equal((OptimizerKind.Adam, 1e-4, 5, (0.0, 0.9)), (gp.Optimizer, gp.LrD, gp.DSteps, gp.BetasD));
        Assert.Null(gp.WeightClip);
        Assert.Equal(10, new WassersteinGpGan().Lambda);
    }

    // ---------------------------------------------------------------- W1 in 1D

    [Theory]
    [InlineData(0.0, 2.0, 1.0)]
    [InlineData(-1.0, 0.5, 0.5)]
    [InlineData(3.0, 2.25, 2.0)]
    public void Exact1DEstimatorMatchesTheShiftForEqualVarianceGaussians(double mu1, double mu2, double std)
    {
        var a = GaussianMixture1D.Gaussian(mu1, std).SampleArray(20000, 1).Column(0);
        var b = GaussianMixture1D.Gaussian(mu2, std).SampleArray(20000, 2).Column(0);
        double exact = ClosedForms.W1ShiftedGaussians(mu1, mu2);
        // sampling noise of the empirical W1 is about std·√(2/n) (the difference of the two sample means)
        double tol = 6 * std * Math.Sqrt(2.0 / a.Length);
        Assert.InRange(Wasserstein.Exact1D(a, b), exact - tol, exact + tol);
    }

    [Fact]
    public void GradientPenaltyCriticEstimatesW1OfShiftedGaussiansUpToTheSoftPenaltyOvershoot()
    {
        // P = N(μ, I), Q = N(0, I) in 2D with ‖μ‖ = d = 2: W1 = d, attained by the linear critic f(x) = u·x, u = μ/d.
        // With the soft penalty the best linear critic s·u·x minimizes −d·s + λ(s − 1)², so s = 1 + d/(2λ):
        // the WGAN-GP estimate is d·(1 + d/(2λ)) = 2.2 for λ = 10, slightly above W1.
        // (2D on purpose: in 1D a critic whose initial slope has the wrong sign is trapped, since flipping
        // the sign means passing through ‖∇D‖ = 0, a penalty barrier of λ.)
        Seeding.Seed(4);
        var critic = new MlpDiscriminator(2, hidden: 16, depth: 2);
        using var opt = torch.optim.Adam(critic.parameters(), 5e-3, 0.5, 0.9);
        var mu = torch.tensor(new float[] { 1.2f, -1.6f });
        for (int i = 0; i < 400; i++)
        {
            using var scope = torch.NewDisposeScope();
            var real = torch.randn(8, 2) + mu;
            var fake = torch.randn(8, 2);
            opt.zero_grad();
            var loss = GanLosses.CriticWasserstein(critic.call(real), critic.call(fake)) + 10 * Regularizers.GradientPenalty(critic, real, fake);
            loss.backward();
            opt.step();
        }
        double d = ClosedForms.W1ShiftedGaussians(0, 2);
        double estimate = CriticDiagnostics.Estimate(critic, torch.randn(4000, 2) + mu, torch.randn(4000, 2));
        Assert.InRange(estimate, d, d * (1 + d / 20) + 0.2);
        // the interpolates' gradient norms sit near the penalty's optimum s = 1.1
        var norms = CriticDiagnostics.InterpolateGradientNorms(critic, torch.randn(8, 2) + mu, torch.randn(8, 2));
        Assert.InRange(CriticDiagnostics.Summarize(norms).Median, 0.9, 1.3);
    }
}
