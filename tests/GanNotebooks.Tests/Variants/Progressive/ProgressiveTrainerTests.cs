using GanNotebooks.Viz;
using GanNotebooks.Data.Images;
using GanNotebooks.Nets;
using GanNotebooks.Variants.Progressive;
using GanNotebooks.Training;
using GanNotebooks.Runtime;
using GanNotebooks.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Progressive;

public class ProgressiveScheduleTests
{
    // 4×4 stabilize [0, 200), 8×8 fade-in [200, 300), 8×8 stabilize [300, 500), 16×16 fade-in [500, 600), 16×16 stabilize [600, 800).
    static readonly ProgressiveSchedule S = new(4, 16, fadeInImages: 100, stabilizeImages: 200);

    [Theory]
    [InlineData(0, 4, 1.0, ProgressivePhaseKind.Stabilize)]
    [InlineData(199, 4, 1.0, ProgressivePhaseKind.Stabilize)]
    [InlineData(200, 8, 0.0, ProgressivePhaseKind.FadeIn)]
    [InlineData(250, 8, 0.5, ProgressivePhaseKind.FadeIn)]
    [InlineData(275, 8, 0.75, ProgressivePhaseKind.FadeIn)]
    [InlineData(300, 8, 1.0, ProgressivePhaseKind.Stabilize)]
    [InlineData(510, 16, 0.1, ProgressivePhaseKind.FadeIn)]
    [InlineData(799, 16, 1.0, ProgressivePhaseKind.Stabilize)]
    [InlineData(10_000, 16, 1.0, ProgressivePhaseKind.Stabilize)]
    public void Alpha_and_resolution_at_image_counts(long images, int resolution, double alpha, ProgressivePhaseKind kind)
    {
        var s = S.At(images);
        Assert.Equal(resolution, s.Resolution);
        Assert.Equal(alpha, s.Alpha, 12);
        Assert.Equal(kind, s.Kind);
        Assert.Equal(new ProgressiveStage(ProgressiveGanConfig.LevelOf(resolution), alpha), s.Stage);
    }

    [Fact]
    public void Phases_table_series_and_presets()
    {
        Assert.Equal(5, S.Phases.Count);
        Assert.Equal(800, S.TotalImages);
        Assert.Equal(300, S.ImagesUntilGrown(8));
        Assert.Equal(new[] { "4×4 stabilize", "8×8 fade-in", "8×8 stabilize", "16×16 fade-in", "16×16 stabilize" }, S.Phases.Select(p => p.Label));
        Assert.Equal(5, S.ToTable().Rows.Count);
        var a = S.AlphaSeries();
        Assert.Equal(new double[] { 0, 200, 200, 300, 300, 500, 500, 600, 600, 800 }, a.X);
        Assert.Equal(new double[] { 1, 1, 0, 1, 1, 1, 0, 1, 1, 1 }, a.Y);
        Assert.Equal(new double[] { 0, 0, 0, 1, 1, 1, 1, 2, 2, 2 }, S.GrowthSeries().Y);

        var paper = ProgressiveSchedule.Paper(1024);  // 9 stabilize + 8 fade-in phases of 800k
        Assert.Equal(17, paper.Phases.Count);
        Assert.Equal(17L * 800_000, paper.TotalImages);
        var fixedSchedule = ProgressiveSchedule.Fixed(32, 1000);
        Assert.Single(fixedSchedule.Phases);
        Assert.Equal(new ProgressiveStage(3, 1.0), fixedSchedule.At(0).Stage);

        var perRes = new ProgressiveSchedule(4, 8, r => r == 4 ? (0L, 10L) : (20L, 30L));
        Assert.Equal(0.5, perRes.AlphaAt(20), 12);
        Assert.Throws<ArgumentException>(() => new ProgressiveSchedule(16, 8, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressiveSchedule(4, 8, -1, 1));
    }

    [Fact]
    public void Growth_time_schedule_divides_the_time_by_the_measured_speeds()
    {
        var speeds = new[] { new ResolutionThroughput(4, 400, 1), new ResolutionThroughput(8, 200, 1), new ResolutionThroughput(16, 100, 1) };
        // n · (1/400 + 2/200 + 1/100) = 10 s → n = 444.4 → 448 (a multiple of 4).
        var s = ProgressiveSchedule.ForGrowthTime(10, speeds, multipleOf: 4);
        Assert.Equal(16, s.MaxResolution);
        Assert.All(s.Phases, p => Assert.Equal(448, p.Images));
        Assert.Equal(4 * 448, s.ImagesUntilGrown(16));
        Assert.Throws<ArgumentException>(() => ProgressiveSchedule.ForGrowthTime(10, speeds.Take(2).ToArray(), maxResolution: 16));
    }
}

public sealed class ProgressiveTrainerTests : IDisposable
{
    // Tiny tensors: one torch thread is faster than two (no fork/join per op) and keeps the tests quick on a busy machine.
    readonly int _threads = torch.get_num_threads();
    public ProgressiveTrainerTests() => torch.set_num_threads(1);
    public void Dispose() => torch.set_num_threads(_threads);

    static readonly ProgressiveGanConfig Cfg = ProgressiveGanConfig.Tiny with { MaxResolution = 16 };

    // Batch 4: 4×4 stabilize [0, 8), 8×8 fade-in [8, 16), 8×8 stabilize [16, 24), 16×16 fade-in [24, 32), 16×16 stabilize [32, 40): two steps per phase.
    static ProgressiveSchedule Schedule() => new(4, 16, fadeInImages: 8, stabilizeImages: 8);

    static GanTrainerConfig TrainerConfig() => ProgressiveTrainer.PaperConfig with { BatchSize = 4, Device = torch.CPU, LogEvery = 1 };

    static ImageDataset Data() => ProceduralShapes.Generate(12, seed: 3, new ProceduralShapesOptions(Size: 16), torch.CPU);

    static ProgressiveTrainer Make(ImageDataset data, long netSeed)
    {
        Seeding.Seed(netSeed);
        return new ProgressiveTrainer(new ProgressiveGenerator(Cfg), new ProgressiveDiscriminator(Cfg), data, Schedule(), TrainerConfig(), dataSeed: 9);
    }

    static float[] Flat(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();

    [Fact]
    public void Grows_on_schedule_resets_adam_and_fades_real_images()
    {
        using var data = Data();
        using var pt = Make(data, 1);
        var grown = new List<(long Images, int Resolution)>();
        var phases = new List<string>();
        pt.Grew += s => grown.Add((s.Images, s.Resolution));
        pt.PhaseChanged += e => phases.Add($"{e.Ended.Label} → {e.Next.Label}");
        var trained = new List<ProgressiveStage>();
        pt.ScheduleStepEnded += e => trained.Add(e.State.Stage);

        pt.Train(2);
        Assert.Equal(8, pt.ImagesSeen);
        var adamBefore = pt.Optimizer("D");
        pt.Train(1);                                   // first step at 8×8, α = 0
        Assert.NotSame(adamBefore, pt.Optimizer("D"));  // fresh Adam at the new resolution
        var adamAt8 = pt.Optimizer("D");
        pt.Train(2);                                   // α = 0.5, then 8×8 stabilize: no reset
        Assert.Same(adamAt8, pt.Optimizer("D"));
        pt.TrainToEnd();
        Assert.Equal(40, pt.ImagesSeen);

        Assert.Equal(new[] { (8L, 8), (24L, 16) }, grown);
        Assert.Equal(4, phases.Count);
        Assert.Equal("4×4 stabilize → 8×8 fade-in", phases[0]);
        Assert.Equal(new[] { 0, 0, 1, 1, 1, 1, 2, 2, 2, 2 }, trained.Select(s => s.Level));
        Assert.Equal(new[] { 1.0, 1.0, 0.0, 0.5, 1.0, 1.0, 0.0, 0.5, 1.0, 1.0 }, trained.Select(s => s.Alpha));
        Assert.Equal(new[] { 4, 8, 16 }, pt.Throughput.Select(t => t.Resolution));
        Assert.Equal(new long[] { 8, 16, 16 }, pt.Throughput.Select(t => t.Images));
        Assert.True(pt.History.Contains("GP") && pt.History.Contains("Alpha"));
        Assert.All(pt.History["Loss/D"].Values, v => Assert.True(double.IsFinite(v)));

        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 3, 3, 16, 16 }, pt.Sample(3).shape);
        Assert.Equal(new long[] { 3, 3, 32, 32 }, pt.Sample(3, size: 32).shape);
        Assert.Equal(new long[] { 2, 3, 8, 8 }, pt.Sample(torch.randn(2, Cfg.LatentDim), stage: ProgressiveStage.At(8)).shape);

        // Real images during a fade-in: the same blend as G's output.
        var one = data.Images.narrow(0, 0, 1);
        using var single = new ProgressiveTrainer(new ProgressiveGenerator(Cfg), new ProgressiveDiscriminator(Cfg), one, Schedule(), TrainerConfig() with { BatchSize = 1 });
        var state = Schedule().At(12);                      // 8×8, α = 0.5
        var expected = ProgressiveResample.FadeReal(ProgressiveResample.Downsample(one, 2), 0.5);
        Assert.Equal(Flat(expected), Flat(single.RealBatch(1, state)));
    }

    [Fact]
    public void Checkpoint_in_a_fade_in_restores_the_stage_and_continues_identically_across_a_growth_step()
    {
        using var data = Data();
        var path = Path.Combine(Path.GetTempPath(), $"progan-{Guid.NewGuid():N}.ckpt");
        using var zGen = new torch.Generator(7);
        using var z = torch.randn(new long[] { 4, Cfg.LatentDim }, generator: zGen);
        try
        {
            using var a = Make(data, 1);
            a.Train(5);                                    // 20 images: 8×8 stabilize next
            a.Train(1);                                    // 24: next step fades in 16×16
            a.Train(1);                                    // 28: saved in the 16×16 fade-in, next α = 0.5
            Assert.Equal(new ProgressiveStage(2, 0.5), a.State.Stage);
            Assert.Equal(new ProgressiveStage(2, 0.0), a.G.Stage);  // the stage of the last step
            a.Save(path);
            using var atSave = a.Sample(z);
            using var atSaveRaw = a.Sample(z, useEma: false);
            a.Train(3);                                    // α 0.5 → stabilize
            using var aEnd = a.Sample(z);
            var aWeights = a.G.parameters().Select(Flat).Concat(a.D.parameters().Select(Flat)).ToList();

            using var b = Make(data, 99);                       // fresh, differently initialized nets
            b.Load(path);
            Assert.Equal(28, b.ImagesSeen);
            Assert.Equal(new ProgressiveStage(2, 0.5), b.State.Stage);
            Assert.Equal(new ProgressiveStage(2, 0.0), b.G.Stage);
            Assert.Equal(new ProgressiveStage(2, 0.0), b.D.Stage);
            Assert.Equal(Flat(atSave), Flat(b.Sample(z)));       // EMA weights restored
            Assert.Equal(Flat(atSaveRaw), Flat(b.Sample(z, useEma: false)));
            var adam = b.Optimizer("G");
            b.Train(3);
            Assert.Same(adam, b.Optimizer("G"));            // no reset: the resolution did not change
            Assert.Equal(Flat(aEnd), Flat(b.Sample(z)));
            var bWeights = b.G.parameters().Select(Flat).Concat(b.D.parameters().Select(Flat)).ToList();
            Assert.Equal(aWeights.Count, bWeights.Count);
            for (int i = 0; i < aWeights.Count; i++) Assert.Equal(aWeights[i], bWeights[i]);
            Assert.Equal(a.History["Loss/D"].Values, b.History["Loss/D"].Values);

            // A different schedule is refused with a message that says what to do.
            Seeding.Seed(5);
            using var c = new ProgressiveTrainer(new ProgressiveGenerator(Cfg), new ProgressiveDiscriminator(Cfg), data,
                new ProgressiveSchedule(4, 16, 4, 4), TrainerConfig(), dataSeed: 9);
            var e = Assert.Throws<InvalidDataException>(() => c.Load(path));
            Assert.Contains("same ProgressiveSchedule", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Checkpoint_saved_just_before_a_growth_step_grows_after_load()
    {
        using var data = Data();
        var path = Path.Combine(Path.GetTempPath(), $"progan-{Guid.NewGuid():N}.ckpt");
        try
        {
            using var a = Make(data, 2);
            a.Train(2);                                    // 8 images: last 4×4 step done
            a.Save(path);
            a.Train(2);                                    // torch's RNG is global: finish run A before B restores it
            var aG = a.G.parameters().Select(Flat).SelectMany(v => v).ToArray();
            var aD = a.D.parameters().Select(Flat).SelectMany(v => v).ToArray();
            using var b = Make(data, 3);
            b.Load(path);
            Assert.Equal(ProgressiveStage.At(8, 0.0), b.State.Stage);
            Assert.Equal(ProgressiveStage.At(4), b.G.Stage);
            int grew = 0;
            b.Grew += _ => grew++;
            var adam = b.Optimizer("D");
            b.Train(2);
            // The growth due right after the save happens after the load too, with its Adam reset.
            Assert.Equal(1, grew);
            Assert.NotSame(adam, b.Optimizer("D"));
            Assert.Equal(aG, b.G.parameters().Select(Flat).SelectMany(v => v).ToArray());
            Assert.Equal(aD, b.D.parameters().Select(Flat).SelectMany(v => v).ToArray());
            Assert.Equal(ProgressiveStage.At(8, 1.0), b.State.Stage);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Fixed_schedule_baseline_trains_the_full_network_and_TrainFor_evaluates_at_start_and_end()
    {
        using var data = Data();
        Seeding.Seed(4);
        using var pt = new ProgressiveTrainer(new ProgressiveGenerator(Cfg), new ProgressiveDiscriminator(Cfg), data,
            ProgressiveSchedule.Fixed(16, 1000), TrainerConfig());
        var evaluations = new List<double>();
        pt.TrainFor(0.05, 10, t => evaluations.Add(t.TrainingSeconds));
        Assert.True(evaluations.Count >= 2);
        Assert.Equal(0, evaluations[0]);
        Assert.True(evaluations[^1] >= 0.05);
        Assert.Equal(16, pt.G.Resolution);
        Assert.Single(pt.Throughput);
    }

    [Fact]
    public void Throughput_is_measured_at_every_resolution_without_touching_the_seeded_stream()
    {
        using var data = Data();
        Seeding.Seed(8);
        using var expected = torch.randn(3);
        Seeding.Seed(8);
        var speeds = ProgressiveTrainer.MeasureThroughput(Cfg, data, TrainerConfig(), steps: 1, warmupSteps: 0);
        Assert.Equal(new[] { 4, 8, 16 }, speeds.Select(t => t.Resolution));
        Assert.All(speeds, t => { Assert.Equal(4, t.Images); Assert.True(t.ImagesPerSecond > 0); });
        using var after = torch.randn(3);
        Assert.Equal(Flat(expected), Flat(after));
    }

    [Fact]
    public void Rejects_mismatched_data_and_batch_sizes()
    {
        using var data = Data();
        using var g = new ProgressiveGenerator(Cfg);
        using var d = new ProgressiveDiscriminator(Cfg);
        var e1 = Assert.Throws<ArgumentException>(() => new ProgressiveTrainer(g, d, data, Schedule(), TrainerConfig() with { BatchSize = 6 }));
        Assert.Contains("multiple of the minibatch-stddev group size", e1.Message);
        using var grey = torch.zeros(4, 1, 16, 16);
        Assert.Throws<ArgumentException>(() => new ProgressiveTrainer(g, d, grey, Schedule(), TrainerConfig()));
        using var big = new ProgressiveGenerator(Cfg with { MaxResolution = 32 });
        using var bigD = new ProgressiveDiscriminator(Cfg with { MaxResolution = 32 });
        var e2 = Assert.Throws<ArgumentException>(() => new ProgressiveTrainer(big, bigD, data, new ProgressiveSchedule(4, 32, 8, 8), TrainerConfig()));
        Assert.Contains("16×16", e2.Message);
    }

    [Fact]
    public void GanTrainer_ResetOptimizers_replaces_both_optimizers_and_keeps_weights()
    {
        using var t = TrainerTestKit.Make(seed: 3);
        t.Train(2);
        var before = TrainerTestKit.Weights(t.G);
        var (og, od) = (t.Optimizer("G"), t.Optimizer("D"));
        t.ResetOptimizers();
        Assert.NotSame(og, t.Optimizer("G"));
        Assert.NotSame(od, t.Optimizer("D"));
        Assert.True(TrainerTestKit.Same(before, TrainerTestKit.Weights(t.G)));
        // Fresh Adam: the first step moves every weight by about lr (bias-corrected m / sqrt(v) = ±1).
        var m = t.TrainStep();
        Assert.True(double.IsFinite(m["Loss/G"]));
        var after = TrainerTestKit.Weights(t.G);
        double maxMove = before.Zip(after, (p, q) => p.Zip(q, (x, y) => Math.Abs(x - y)).Max()).Max();
        Assert.InRange(maxMove, 0.5e-3, 1.01e-3);
    }
}
