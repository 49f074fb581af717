using GanNotebooks.Data.Toy;
using GanNotebooks.Evaluation;
using GanNotebooks.Nets;
using GanNotebooks.Losses;
using GanNotebooks.Training;
using GanNotebooks.Variants.Standard;
using GanNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Evaluation;

public class ProbesTests
{
    /// <summary>D(x) = w·x + b with known weights: a logit we can compute by hand.</summary>
    static TorchSharp.Modules.Linear LinearD(int d, float w, float b)
    {
        var lin = nn.Linear(d, 1);
        using (torch.no_grad()) { lin.weight!.fill_(w); lin.bias!.fill_(b); }
        return lin;
    }

    [Fact]
    public void ProbabilitiesAreSigmoidOfTheLogitsOnTheGrid()
    {
        var d = LinearD(1, 2f, -1f);
        var p = Probes.Probabilities(d, new[] { 0.0, 0.5, 2.0 }, torch.CPU);
        Assert.Equal(1 / (1 + Math.Exp(1)), p[0], 6);
        Assert.Equal(0.5, p[1], 6);
        Assert.Equal(1 / (1 + Math.Exp(-3)), p[2], 6);
        var logits = Probes.Logits(LinearD(2, 1f, 0f), new double[,] { { 1, 2 }, { -1, 0.5 } }, torch.CPU);
        Assert.Equal(new[] { 3.0, -0.5 }, logits.Select(v => Math.Round(v, 6)));
    }

    [Fact]
    public void ProbesRestoreTrainingModeAndLeaveNoGradients()
    {
        Seeding.Seed(1);
        var g = new MlpGenerator(2, 2, hidden: 4, depth: 1, norm: MlpNorm.BatchNorm);
        var d = new MlpDiscriminator(2, hidden: 4, depth: 1);
        g.train(); d.train();
        var x = Probes.Generate(g, new double[,] { { 0.1, 0.2 }, { 0.3, -1 } }, torch.CPU);
        Assert.Equal(2, x.GetLength(0));
        Assert.Equal(2, x.GetLength(1));
        Assert.True(g.training);
        var z = torch.randn(8, 2);
        var norm = Probes.GeneratorGradientNorm(g, d, z, GanLosses.GeneratorNonSaturating);
        Assert.True(norm > 0);
        Assert.True(d.training && g.training);
        Assert.All(d.parameters(), p => Assert.True(p.grad is null || p.grad.abs().max().item<float>() == 0));
        Assert.All(d.parameters(), p => Assert.True(p.requires_grad));
        Assert.All(g.parameters(), p => Assert.True(p.grad is null || p.grad.abs().max().item<float>() == 0));
    }

    [Fact]
    public void SaturatingGradientIsSigmoidTimesNonSaturatingForAConstantLogit()
    {
        // G(z) = w·z + b with z = 0, D(x) = x: every fake logit equals b. d/db of the saturating loss
        // −softplus(b) is −σ(b); of the non-saturating softplus(−b) it is −(1 − σ(b)).
        var g = nn.Linear(1, 1);
        using (torch.no_grad()) { g.weight!.fill_(0f); g.bias!.fill_(-3f); }
        var d = LinearD(1, 1f, 0f);
        var z = torch.zeros(8, 1); // z = 0: the weight of G gets no gradient, only its bias
        double sat = Probes.GeneratorGradientNorm(g, d, z, GanLosses.GeneratorSaturating);
        double ns = Probes.GeneratorGradientNorm(g, d, z, GanLosses.GeneratorNonSaturating);
        double s = 1 / (1 + Math.Exp(3));
        Assert.Equal(s, sat, 5);
        Assert.Equal(1 - s, ns, 5);
    }
}

public class ModeCoverageTrackerTests
{
    [Fact]
    public void RecordsEveryKStepsWithSnapshotsAndAFixedLatentBatch()
    {
        Seeding.Seed(2);
        var ring = GaussianMixture2D.Ring();
        var g = new MlpGenerator(2, 2, hidden: 8, depth: 1);
        var d = new MlpDiscriminator(2, hidden: 8, depth: 1);
        using var t = new GanTrainer(g, d, new NonSaturatingGan(), b => ring.Sample(b, Seeding.Generator(1), torch.CPU), Latent.Normal(2, torch.CPU),
            new GanTrainerConfig { BatchSize = 8, Device = torch.CPU });
        using var tracker = new ModeCoverageTracker(ring, every: 2, snapshotEvery: 4, sampleCount: 50).Attach(t);
        var first = tracker.Record(t);
        var again = tracker.Record(t);
        Assert.Equal(first.PerModeCounts, again.PerModeCounts); // same G, same fixed z → same result
        t.Train(8);
        Assert.Equal(new[] { 0, 0, 2, 4, 6, 8 }, tracker.Points.Select(p => p.Step));
        Assert.Equal(new[] { "step 4", "step 8" }, tracker.Snapshots.Select(s => s.Label));
        Assert.Equal(50, tracker.Snapshots[0].Samples.GetLength(0));
        Assert.All(tracker.Points, p => Assert.Equal(50, p.Result.SampleCount));
        Assert.All(tracker.Points, p => Assert.Equal(50, p.NearestModeCounts.Sum()));   // every sample has a nearest mode
        Assert.All(tracker.Points, p => Assert.True(p.NearestModeCounts.Zip(p.Result.PerModeCounts).All(c => c.First >= c.Second)));
        var (steps, modes, hq, _) = tracker.Curves();
        Assert.Equal(6, steps.Length);
        Assert.All(hq, v => Assert.InRange(v, 0, 100));
        Assert.All(modes, v => Assert.InRange(v, 0, 8));
    }

    [Fact]
    public void InvalidIntervalsThrow()
    {
        var ring = GaussianMixture2D.Ring();
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModeCoverageTracker(ring, every: 0));
        Assert.Contains("multiple", Assert.Throws<ArgumentOutOfRangeException>(() => new ModeCoverageTracker(ring, every: 3, snapshotEvery: 4)).Message);
    }
}
