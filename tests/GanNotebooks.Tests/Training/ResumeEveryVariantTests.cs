using GanNotebooks.Data.Images;
using GanNotebooks.Data.Toy;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Ensembles;
using GanNotebooks.Variants.Pix2pix;
using GanNotebooks.Variants.Srgan;
using GanNotebooks.Variants.Standard;
using GanNotebooks.Variants.Stylegan;
using GanNotebooks.Variants.Wavegan;
using GanNotebooks.Variants.Wgan;
using TorchSharp;
using static TorchSharp.torch;
using static GanNotebooks.Tests.Training.TrainerTestKit;

namespace GanNotebooks.Tests.Training;

/// <summary>
/// Every variant trains through the one <see cref="Trainer"/>, so every variant resumes bit-identically: train N + M steps in
/// one go, or N, save, build everything afresh (other weights, another global RNG state), load, and M more — the weights,
/// the EMA and the logged losses are the same to the last bit on the CPU. (GAN, CycleGAN with its image pools and progressive
/// growing across a growth have their own resume tests next to them.)
/// </summary>
public class ResumeEveryVariantTests
{
    static void AssertResumes(Func<Trainer> make, int first = 2, int second = 3)
    {
        var path = Path.Combine(Path.GetTempPath(), $"gannb-resume-{Guid.NewGuid():N}.ckpt");
        try
        {
            using var scope = torch.NewDisposeScope();
            torch.manual_seed(7);
            using var full = make();
            full.Train(first);
            full.Save(path);
            full.Train(second);

            torch.manual_seed(12345);                  // a different state: Load must restore torch's RNG too
            using var resumed = make();
            Assert.False(Same(All(full), All(resumed)), "the fresh trainer should start from other weights (else the test proves nothing)");
            resumed.Load(path);
            resumed.Train(second);

            Assert.Equal(full.Step, resumed.Step);
            Assert.True(Same(All(full), All(resumed)), $"{full.Options.Label}: weights differ after resuming");
            foreach (var (name, _) in full.Networks)
                if (full.Ema(name) is { } ema)
                    using (ema.Apply()) using (resumed.Ema(name)!.Apply())
                        Assert.True(Same(Weights(full.Network(name)), Weights(resumed.Network(name))), $"{full.Options.Label}: the EMA of {name} differs after resuming");
            foreach (var key in full.Phases.Select(p => "Loss/" + p.Name))
                Assert.Equal(full.History[key].Values, resumed.History[key].Values);
        }
        finally { if (File.Exists(path)) File.Delete(path); }
    }

    static List<float[]> All(Trainer t) => t.Networks.SelectMany(n => Weights(n.Module)).ToList();

    [Fact]
    public void Pix2pix_resumes_bit_identically()
    {
        var x = torch.rand(12, 1, 8, 8) * 2 - 1;
        var y = -x;
        AssertResumes(() => new Trainer(Pix2PixRecipe.Plan(new UNetGenerator(1, 1, width: 2, depth: 3), new PatchDiscriminator(2, width: 2, downsamplings: 1),
            new AlignedBatches(1, "data", x, y), new Pix2PixConfig { BatchSize = 4, LogEvery = 1 }, torch.CPU)));
    }

    [Fact]
    public void Srgan_resumes_bit_identically()
    {
        var hr = torch.rand(12, 1, 16, 16) * 2 - 1;
        AssertResumes(() => new SrganTrainer(new SrResNet(2, 1, width: 4, residualBlocks: 1), new SrganDiscriminator(16, width: 4, pairs: 1, dense: 8),
            new AlignedBatches(1, "data", hr), f => nn.functional.avg_pool2d(f, 2), new SrganConfig { Scale = 2, BatchSize = 4, LogEvery = 1 }, torch.CPU));
    }

    [Fact]
    public void Stylegan_with_lazy_r1_and_an_ema_resumes_bit_identically()
    {
        var opts = new StyleGanOptions { ZDim = 8, WDim = 8, MappingLayers = 2, Channels = [8, 8], DChannels = [8, 8] };
        AssertResumes(() => new StyleGanTrainer(new StyleGenerator(opts), new StyleDiscriminator(opts), b => torch.rand(b, 1, 8, 8) * 2 - 1,
            new StyleGanTrainingOptions { BatchSize = 4, R1Every = 2, EmaDecay = 0.9, LogEvery = 1, Device = torch.CPU }), first: 3, second: 3);
    }

    [Fact]
    public void Wavegan_with_phase_shuffle_resumes_bit_identically()
    {
        var o = new WaveganOptions { Length = 1024, ZDim = 8, ModelSize = 4 };
        AssertResumes(() => new GanTrainer(new WaveganGenerator(o), new WaveganDiscriminator(o), new WassersteinGpGan(10),
            b => torch.randn(b, 1, 1024) * 0.1, Latent.Uniform(8, device: torch.CPU), WaveganOptions.TrainerConfig(batchSize: 4) with { Device = torch.CPU, LogEvery = 1 }));
    }

    [Fact]
    public void An_ensemble_of_seeds_resumes_bit_identically()
    {
        var ring = GaussianMixture2D.Ring(8, 2.0, 0.02);
        long[] seeds = [3, 5];
        AssertResumes(() =>
        {
            var (g, d) = EnsembleGan.FromSeeds(seeds, () => new MlpGenerator(2, 2, hidden: 8, depth: 2), () => new MlpDiscriminator(2, hidden: 8, depth: 2));
            return new Trainer(GanRecipe.Plan(g, d, new MemberwiseNonSaturatingGan(), EnsembleGan.RealSampler(ring, EnsembleGan.Offset(seeds, 1000), torch.CPU),
                EnsembleGan.LatentSampler(2, EnsembleGan.Offset(seeds, 3000), torch.CPU), GanTrainerConfig.Toy with { BatchSize = 16, LogEvery = 1, EmaDecay = 0.5, Device = torch.CPU }));
        });
    }

    [Fact]
    public void A_plan_runs_in_the_one_loop_with_monitors_progress_and_its_clock()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var t = new Trainer(GanRecipe.Plan(new MlpGenerator(2, 2, hidden: 8, depth: 2), new MlpDiscriminator(2, hidden: 8, depth: 2), new NonSaturatingGan(),
            b => torch.randn(b, 2), Latent.Normal(2, torch.CPU), GanTrainerConfig.Toy with { BatchSize = 8, LogEvery = 2, ProgressEvery = 2, Device = torch.CPU }));
        var seen = new List<int>();
        var lines = new List<string>();
        var monitor = new CountingMonitor();
        t.Attach(monitor).OnStepEnd(2, e => seen.Add(e.Step));
        t.Progress = lines.Add;
        t.Train(5);
        Assert.Equal(new[] { 2, 4 }, seen);
        Assert.Equal(5, monitor.Calls);
        Assert.Equal(3, lines.Count);                       // steps 2, 4 and the end (5)
        Assert.StartsWith("NonSaturating: step 5/5 · Loss/D", lines[^1]);
        Assert.True(t.TrainingSeconds > 0 && t.TrainingCpuSeconds > 0);
        Assert.Equal(new long[] { 7, 2 }, t.Sample(7).shape);  // the sampling verb of every plan with "G" and "latent"
        using var cts = new CancellationTokenSource();
        t.OnStepEnd(e => { if (e.Step == 7) cts.Cancel(); });
        t.Train(10, cts.Token);
        Assert.Equal(7, t.Step);                            // stopped cleanly between iterations
    }

    sealed class CountingMonitor : ITrainingMonitor
    {
        public int Calls;
        public void OnStepEnd(StepEnd step) => Calls++;
    }

    [Fact]
    public void Bad_optimizer_settings_are_refused_once_with_the_knob_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => new OptimizerSettings { Lr = -1 }.Validate("OptimizerDef(\"G\").Settings"));
        Assert.Contains("OptimizerDef(\"G\").Settings.Lr = -1", ex.Message);
        Assert.Contains("Betas", Assert.Throws<ArgumentException>(() => OptimizerSettings.Adam(1e-3, 1.0).Validate("x")).Message);
        Assert.Contains("WeightDecay", Assert.Throws<ArgumentException>(() => new OptimizerSettings { WeightDecay = double.NaN }.Validate("x")).Message);
        Assert.Contains("Pix2PixConfig.Lr", Assert.Throws<ArgumentException>(() => new Pix2PixConfig { Lr = 0 }.Validate()).Message);
        Assert.Equal((1e-4, (0.0, 0.9)), (OptimizerSettings.WganGp.Lr, OptimizerSettings.WganGp.Betas));
        Assert.Equal(OptimizerKind.RMSprop, OptimizerSettings.Wgan.Kind);
        Assert.Equal(4e-4, OptimizerSettings.Ttur.D.Lr);
    }
}
