using GanNotebooks.Nets;
using GanNotebooks.Training;
using GanNotebooks.Variants.Standard;
using GanNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Training;

/// <summary>Tiny 1D GAN setups for the trainer tests (CPU, batch ≤ 8).</summary>
static class TrainerTestKit
{
    /// <summary>Target N(3, 0.5²): B → [B, 1].</summary>
    public static Tensor RealBatch(int b) => torch.randn(b, 1) * 0.5 + 3.0;

    public static GanTrainer Make(long seed = 1, IGanObjective? objective = null, GanTrainerConfig? config = null, int hidden = 8, int zDim = 2)
    {
        Seeding.Seed(seed);
        var g = new MlpGenerator(zDim, 1, hidden: hidden, depth: 2);
        var d = new MlpDiscriminator(1, hidden: hidden, depth: 2);
        var cfg = (config ?? new GanTrainerConfig { BatchSize = 8, LrG = 1e-3, LrD = 1e-3, LogEvery = 1 }) with { Device = torch.CPU };
        return new GanTrainer(g, d, objective ?? new NonSaturatingGan(), RealBatch, Latent.Normal(zDim, torch.CPU), cfg);
    }

    /// <summary>
    /// Trains <paramref name="warm"/> steps (first calls allocate), then <paramref name="steps"/> more, and asserts that
    /// the live tensors grew by at most 2 over the second run. Returns the live count after it.
    /// </summary>
    public static long AssertLiveTensorsStayFlat(GanTrainer t, int warm, int steps, string what)
    {
        var stats = DisposeScopeManager.Statistics;
        t.Train(warm);
        long before = stats.ThreadTotalLiveCount;
        t.Train(steps);
        long after = stats.ThreadTotalLiveCount;
        Assert.True(after - before <= 2, $"live tensors grew from {before} to {after} over {steps} {what}");
        return after;
    }

    public static float[] Flat(Tensor t) => t.detach().cpu().to_type(ScalarType.Float32).data<float>().ToArray();

    public static List<float[]> Weights(nn.Module m) => m.parameters().Select(p => Flat(p)).ToList();

    public static bool Same(List<float[]> a, List<float[]> b) => a.Count == b.Count && a.Zip(b).All(p => p.First.SequenceEqual(p.Second));

    /// <summary>log(1 + eˣ), the building block of the logistic GAN losses' known values.</summary>
    public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    /// <summary>One D and G update of a tiny 1D GAN with <paramref name="objective"/>: finite losses. Returns the step's metrics.</summary>
    public static IReadOnlyDictionary<string, double> AssertOneStepRuns(IGanObjective objective)
    {
        using var t = Make(objective: objective);
        var m = t.TrainStep();
        Assert.True(double.IsFinite(m["Loss/D"]) && double.IsFinite(m["Loss/G"]), objective.Name);
        return m;
    }
}
