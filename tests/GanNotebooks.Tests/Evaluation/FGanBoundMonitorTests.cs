using GanNotebooks.Evaluation;
using GanNotebooks.Losses;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Fgan;
using TorchSharp;

namespace GanNotebooks.Tests.Evaluation;

public class FGanBoundMonitorTests
{
    [Fact]
    public void Reads_the_bound_every_k_steps_through_the_one_monitor_interface()
    {
        Seeding.Seed(21);
        var g = new MlpGenerator(2, 1, hidden: 8, depth: 2);
        var d = new MlpDiscriminator(1, hidden: 8, depth: 2);
        var f = FDivergence.KullbackLeibler;
        using var t = new GanTrainer(g, d, new FGan(f), b => torch.randn(b, 1) + 2, Latent.Normal(2, torch.CPU),
            new GanTrainerConfig { BatchSize = 8, Device = torch.CPU });
        using var monitor = new FGanBoundMonitor(f, torch.randn(64, 1) + 2, torch.randn(64, 2), every: 2);
        ITrainingMonitor asMonitor = monitor;
        t.Attach(asMonitor);
        t.Train(5);
        Assert.Equal([2, 4], monitor.Points.Select(p => p.Step));
        Assert.All(monitor.Points, p => Assert.True(double.IsFinite(p.Estimate.Bound)));
        // Reading the bound must not train D: a fresh reading right now equals one taken again.
        var again1 = monitor.Record(t).Estimate.Bound;
        var again2 = monitor.Record(t).Estimate.Bound;
        Assert.Equal(again1, again2);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FGanBoundMonitor(f, torch.zeros(1, 1), torch.zeros(1, 2), every: 0));
        g.Dispose(); d.Dispose();
    }
}
