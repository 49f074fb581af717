using GanNotebooks.Viz;
using GanNotebooks.Evaluation;
using GanNotebooks.Nets;
using GanNotebooks.Training;
using GanNotebooks.Variants.Standard;
using GanNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Viz;

public class ImageQualityMonitorTests
{
    [Fact]
    public void RecordsFramesAndScoresOfFixedLatentsAtTheAskedSteps()
    {
        var dir = Directory.CreateTempSubdirectory("gannb-frames");
        try
        {
            Seeding.Seed(7);
            var o = new DcganOptions { ImageSize = 8, Channels = 1, ZDim = 4, Width = 2 };
            using var proj = torch.randn(new long[] { 64, 3 }, generator: new torch.Generator(1)).DetachFromDisposeScope();
            using var metric = new ImageQualityMetric(x => x.flatten(1).mm(proj));
            using (var s = torch.NewDisposeScope()) metric.SetReal(torch.rand(80, 1, 8, 8) * 2 - 1);
            var cfg = new GanTrainerConfig { BatchSize = 4, Device = torch.CPU };
            using var t = new GanTrainer(new DcganGenerator(o), new DcganDiscriminator(o), new NonSaturatingGan(),
                b => torch.rand(b, 1, 8, 8) * 2 - 1, Latent.Normal(4, torch.CPU), cfg);
            using var zs = torch.NewDisposeScope();
            using var mon = new ImageQualityMonitor(torch.randn(6, 4), metric, torch.randn(30, 4), frameDirectory: dir.FullName, nrow: 3);
            int shown = 0;
            mon.Attach(t, frameEvery: 2, measureEvery: 3, show: _ => shown++);
            var stats = DisposeScopeManager.Statistics;
            t.Train(6);
            Assert.Equal(new[] { 0, 2, 4, 6 }, mon.Frames.Select(f => f.Step));
            Assert.Equal(4, shown);
            Assert.Equal(new[] { 0, 3, 6 }, mon.Curve.Select(p => p.Step));
            Assert.All(mon.Curve, p => Assert.True(p.FrechetDistance > 0 && p.Baseline == mon.Baseline));
            Assert.Equal(2, mon.LastFrame!.Rows);
            Assert.True(File.Exists(Path.Combine(dir.FullName, "step-000004.png")));
            // the same fixed latents give the same frame when the weights do not change
            var again = mon.Frame(t);
            Assert.Equal(mon.Frames[^2].Grid.PngBytes, again.PngBytes);
            var (timeline, timelineSteps) = mon.Timeline(maxRows: 3);
            Assert.Equal(new[] { 0, 4, 6 }, timelineSteps);      // first, middle and last of the frames 0, 2, 4, 6, 6
            Assert.Equal(3, timeline.Rows);
            Assert.Equal(3, timeline.Columns);
            long before = stats.ThreadTotalLiveCount;
            int framesBefore = mon.Frames.Count;
            t.Train(6);
            // each frame keeps exactly one small tensor (its first row, for Timeline); nothing else may stay alive
            long kept = mon.Frames.Count - framesBefore;
            Assert.Equal(3, kept);
            Assert.True(stats.ThreadTotalLiveCount - before - kept <= 2, "monitoring must not leak tensors");
        }
        finally { dir.Delete(recursive: true); }
    }
}
