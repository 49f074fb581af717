using GanNotebooks.Data.Images;
using GanNotebooks.Losses;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Standard;
using TorchSharp;
using static TorchSharp.torch;
using static GanNotebooks.Tests.Training.TrainerTestKit;

namespace GanNotebooks.Tests.Training;

/// <summary>
/// The one trainer: variants that change the update are phase lists, not trainer edits. Each test below is such a
/// definition (lazy R1, parameter groups with their own learning rate, two generators and two discriminators, an
/// unrolled generator step), plus the one checkpoint envelope: a resumed run equals the uninterrupted one bit for bit.
/// </summary>
public class TrainerTests
{
    static Tensor Real2D(int b) => torch.randn(b, 2) * 0.3 + 1.0;

    static nn.Module<Tensor, Tensor> Net(long inputs, long outputs) =>
        nn.Sequential(nn.Linear(inputs, 8), nn.LeakyReLU(0.2), nn.Linear(8, outputs));

    /// <summary>Non-saturating D loss on logits of real and fake (Goodfellow et al. 2014).</summary>
    static Tensor DLoss(nn.Module<Tensor, Tensor> d, Tensor real, Tensor fake) => GanLosses.DiscriminatorBce(d.call(real), d.call(fake));

    [Fact]
    public void A_gan_trainer_is_n_discriminator_updates_then_one_generator_update()
    {
        using var t = Make(config: new GanTrainerConfig { BatchSize = 8, LogEvery = 1, DSteps = 3 });
        Assert.Equal(["D", "G"], t.Phases.Select(p => p.Name));
        t.Train(4);
        Assert.Equal(12, t.PhaseSteps("D"));
        Assert.Equal(4, t.PhaseSteps("G"));
        Assert.Equal(12, t.DiscriminatorSteps);
        Assert.Equal(3, t.History["DSteps"].Last);
    }

    [Fact]
    public void Invalid_definitions_are_refused_with_the_name_at_fault()
    {
        var g = Net(2, 2);
        var opt = OptimizerDef.For("G", "G");
        Tensor Loss(PhaseStep s) => g.call(torch.randn(2, 2)).mean();
        Assert.Contains("used twice", Assert.Throws<ArgumentException>(() => new Trainer([("G", g)], [opt], [new Phase("G", "G", Loss), new Phase("G", "G", Loss)])).Message);
        Assert.Contains("optimizer 'H'", Assert.Throws<ArgumentException>(() => new Trainer([("G", g)], [opt], [new Phase("G", "H", Loss)])).Message);
        Assert.Contains("no network named 'X'", Assert.Throws<ArgumentException>(() => new Trainer([("G", g)], [OptimizerDef.For("G", "X")], [new Phase("G", "G", Loss)])).Message);
        Assert.Contains("Every must be ≥ 1", Assert.Throws<ArgumentException>(() => new Trainer([("G", g)], [opt], [new Phase("G", "G", Loss) { Every = 0 }])).Message);
        using var t = new Trainer([("G", g)], [opt], [new Phase("G", "G", s => torch.zeros(2, requires_grad: true)) ]);
        Assert.Contains("must return a scalar", Assert.Throws<InvalidOperationException>(() => t.Train(1)).Message);
        g.Dispose();
    }

    [Fact]
    public void A_lazy_regularizer_is_a_third_phase_every_k_iterations()
    {
        Seeding.Seed(3);
        var g = Net(2, 2); var d = Net(2, 1);
        const int k = 4; const double gamma = 1.0;
        var phases = new[]
        {
            new Phase("D", "D", s => { Tensor fake; using (torch.no_grad()) fake = g.call(torch.randn(8, 2)); return DLoss(d, Real2D(8), fake); }),
            new Phase("G", "G", s => GanLosses.GeneratorNonSaturating(d.call(g.call(torch.randn(8, 2))))) { Frozen = ["D"] },
            // StyleGAN2 §3.1 (lazy regularization): R1 every k minibatches with its weight scaled by k.
            new Phase("R1", "D", s => Regularizers.R1(d, Real2D(8)) * (gamma / 2 * k)) { Every = k },
        };
        using var t = new Trainer([("G", g), ("D", d)], [OptimizerDef.For("G", "G"), OptimizerDef.For("D", "D")], phases,
            new TrainerOptions { Device = torch.CPU, LogEvery = 1 });
        t.Train(10);
        Assert.Equal(10, t.PhaseSteps("D"));
        Assert.Equal(3, t.PhaseSteps("R1")); // iterations 0, 4, 8
        Assert.Equal([1, 5, 9], t.History["Loss/R1"].Steps);
        g.Dispose(); d.Dispose();
    }

    [Fact]
    public void A_parameter_group_trains_at_its_own_learning_rate_multiplier()
    {
        Seeding.Seed(4);
        // StyleGAN's mapping network at 0.01 × the synthesis network's learning rate (Karras et al. 2019, App. C).
        var g = nn.Sequential(("mapping", nn.Linear(2, 2)), ("synthesis", nn.Linear(2, 2)));
        var d = Net(2, 1);
        var gOpt = new OptimizerDef("G", [new ParameterGroup("G", 0.01, n => n.StartsWith("mapping.")), new ParameterGroup("G", 1.0, n => n.StartsWith("synthesis."))]) { Settings = OptimizerSettings.Adam(1e-3) };
        var before = Weights(g);
        using var t = new Trainer([("G", g), ("D", d)], [gOpt, OptimizerDef.For("D", "D")],
            [new Phase("G", "G", s => GanLosses.GeneratorNonSaturating(d.call(g.call(torch.randn(8, 2)))))],
            new TrainerOptions { Device = torch.CPU, LrSchedule = _ => 0.5 });
        t.Train(2);
        Assert.Equal([0.5e-5, 0.5e-3], t.Optimizer("G").ParamGroups.Select(p => Math.Round(p.LearningRate, 12)));
        var after = Weights(g);
        Assert.All(Enumerable.Range(0, before.Count), i => Assert.False(before[i].SequenceEqual(after[i]), $"parameter {i} did not move"));
        Assert.Throws<ArgumentException>(() => new Trainer([("G", g)], [new OptimizerDef("G", [new ParameterGroup("G", 0)])], [new Phase("G", "G", _ => torch.zeros(1))]));
        g.Dispose(); d.Dispose();
    }

    /// <summary>CycleGAN (Zhu et al. 2017) shape: two generators and two discriminators, cycle-consistency λ = 10.</summary>
    static Trainer Cycle(out nn.Module<Tensor, Tensor>[] nets, long seed)
    {
        Seeding.Seed(seed);
        var gAB = Net(2, 2); var gBA = Net(2, 2); var dA = Net(2, 1); var dB = Net(2, 1);
        nets = [gAB, gBA, dA, dB];
        static Tensor A(int b) => torch.randn(b, 2) * 0.2 - 1.0;
        static Tensor B(int b) => torch.randn(b, 2) * 0.2 + 1.0;
        var phases = new[]
        {
            new Phase("G", "G", s =>
            {
                var a = A(8); var b = B(8);
                var fakeB = gAB.call(a); var fakeA = gBA.call(b);
                var adversarial = GanLosses.GeneratorNonSaturating(dB.call(fakeB)) + GanLosses.GeneratorNonSaturating(dA.call(fakeA));
                var cycle = (gBA.call(fakeB) - a).abs().mean() + (gAB.call(fakeA) - b).abs().mean();
                s.Log("Cycle", () => cycle);
                return adversarial + 10.0 * cycle;
            }) { Frozen = ["D_A", "D_B"] },
            new Phase("D", "D", s =>
            {
                Tensor fakeA, fakeB;
                using (torch.no_grad()) { fakeB = gAB.call(A(8)); fakeA = gBA.call(B(8)); }
                return DLoss(dA, A(8), fakeA) + DLoss(dB, B(8), fakeB);
            }),
        };
        return new Trainer([("G_AB", gAB), ("G_BA", gBA), ("D_A", dA), ("D_B", dB)],
            [OptimizerDef.For("G", "G_AB", "G_BA"), OptimizerDef.For("D", "D_A", "D_B")], phases,
            new TrainerOptions { Device = torch.CPU, LogEvery = 1, Ema = new Dictionary<string, double> { ["G_AB"] = 0.9 }, Label = "cycle" });
    }

    [Fact]
    public void Two_generators_and_two_discriminators_train_and_resume_bit_identically()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gannb-cycle-{Guid.NewGuid():N}.ckpt");
        try
        {
            using var full = Cycle(out var a, seed: 5);
            var start = a.Select(Weights).ToList();
            full.Train(3);
            Assert.All(Enumerable.Range(0, 4), i => Assert.False(Same(start[i], Weights(a[i])), $"network {i} did not train"));
            full.Save(path);
            full.Train(3);

            using var resumed = Cycle(out var b, seed: 99); // other initial weights and RNG: the checkpoint replaces them
            resumed.Load(path);
            Assert.Equal(3, resumed.Step);
            resumed.Train(3);
            for (int i = 0; i < 4; i++) Assert.True(Same(Weights(a[i]), Weights(b[i])), $"network {i} differs after resuming");
            Assert.Equal(full.History["Cycle"].Values, resumed.History["Cycle"].Values);
            foreach (var m in a.Concat(b)) m.Dispose();
        }
        finally { if (File.Exists(path)) File.Delete(path); }
    }

    [Fact]
    public void An_unrolled_generator_step_takes_its_gradient_through_k_look_ahead_discriminator_steps()
    {
        // Unrolled GAN (Metz et al. 2017, eq. 6–7): G's loss is D's loss after k SGD steps of D, differentiated through
        // those steps. D is linear here, D(x) = x·w + b, so its look-ahead is written as a function of (w, b).
        double[] GeneratorGrad(int k)
        {
            Seeding.Seed(6);
            var g = nn.Linear(2, 2);
            var w = nn.Parameter(torch.randn(2, 1) * 0.5); var bias = nn.Parameter(torch.zeros(1));
            var d = new DLinear(w, bias);
            var dBefore = Weights(d);
            float[]? grad = null;
            var unrolled = new Phase("G", "G", s =>
            {
                var z = torch.randn(8, 2); var real = Real2D(8);
                Tensor wk = w, bk = bias;
                for (int i = 0; i < k; i++)
                {
                    var fakeI = g.call(z);
                    var lossD = GanLosses.DiscriminatorBce(real.matmul(wk) + bk, fakeI.matmul(wk) + bk);
                    var grads = torch.autograd.grad([lossD], [wk, bk], create_graph: true, retain_graph: true);
                    wk = wk - 0.5 * grads[0];
                    bk = bk - 0.5 * grads[1];
                }
                return GanLosses.GeneratorNonSaturating(g.call(z).matmul(wk) + bk);
            })
            { AfterStep = s => grad = Flat(torch.cat(g.parameters().Select(p => p.grad!.flatten()).ToArray())) };
            using var t = new Trainer([("G", g), ("D", d)], [OptimizerDef.For("G", "G")], [unrolled], new TrainerOptions { Device = torch.CPU });
            t.Train(1);
            Assert.True(Same(dBefore, Weights(d)), "the look-ahead must not change D's real weights");
            g.Dispose(); d.Dispose();
            return grad!.Select(x => (double)x).ToArray();
        }
        var plain = GeneratorGrad(0);
        var unrolledGrad = GeneratorGrad(3);
        Assert.Equal(plain.Length, unrolledGrad.Length);
        Assert.True(plain.Zip(unrolledGrad).Any(p => Math.Abs(p.First - p.Second) > 1e-6), "unrolling did not change G's gradient");
    }

    sealed class DLinear : nn.Module<Tensor, Tensor>
    {
        readonly TorchSharp.Modules.Parameter weight, bias;
        public DLinear(TorchSharp.Modules.Parameter w, TorchSharp.Modules.Parameter b) : base(nameof(DLinear)) { weight = w; bias = b; RegisterComponents(); }
        public override Tensor forward(Tensor x) => x.matmul(weight) + bias;
    }

    /// <summary>A tiny image GAN on a shipped-style dataset whose sampler position lives in the checkpoint.</summary>
    static GanTrainer ImageGan(ImageDataset data, long seed, torch.Generator? latentGenerator = null)
    {
        Seeding.Seed(seed);
        var g = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 4), nn.Unflatten(1, [1, 2, 2]));
        var d = nn.Sequential(nn.Flatten(), nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1));
        return new GanTrainer(g, d, new NonSaturatingGan(), data.BatchSampler(seed: 7), Latent.Normal(2, torch.CPU, latentGenerator),
            new GanTrainerConfig { BatchSize = 6, LogEvery = 1, EmaDecay = 0.9, Device = torch.CPU });
    }

    [Fact]
    public void A_plain_trainer_resumed_from_a_checkpoint_equals_the_uninterrupted_run()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gannb-plain-{Guid.NewGuid():N}.ckpt");
        using var data = new ImageDataset(torch.rand(10, 1, 2, 2) * 2 - 1, torch.zeros(10, dtype: ScalarType.Int64), ["x"], "tiny");
        try
        {
            using var full = ImageGan(data, seed: 1);
            full.Train(4); // 24 images: the save falls in the third epoch of 10
            full.Save(path);
            full.Train(5);

            using var resumed = ImageGan(data, seed: 2);
            resumed.Train(1); // moves its own sampler and RNG: the load must put both back
            resumed.Load(path);
            resumed.Train(5);
            Assert.True(Same(Weights(full.G), Weights(resumed.G)), "G differs after resuming");
            Assert.True(Same(Weights(full.D), Weights(resumed.D)), "D differs after resuming");
            using var z = torch.randn(4, 2);
            Assert.Equal(Flat(full.Sample(z)), Flat(resumed.Sample(z)));
            Assert.Equal(full.History["Loss/D"].Values, resumed.History["Loss/D"].Values);
        }
        finally { if (File.Exists(path)) File.Delete(path); }
    }

    [Fact]
    public void Latents_from_a_private_generator_resume_where_they_stopped()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gannb-latent-{Guid.NewGuid():N}.ckpt");
        using var data = new ImageDataset(torch.rand(10, 1, 2, 2) * 2 - 1, torch.zeros(10, dtype: ScalarType.Int64), ["x"], "tiny");
        try
        {
            using var full = ImageGan(data, seed: 1, Seeding.Generator(9));
            full.Train(3);
            full.Save(path);
            full.Train(3);
            using var resumed = ImageGan(data, seed: 2, Seeding.Generator(10)); // another latent stream: the load replaces it
            resumed.Load(path);
            resumed.Train(3);
            Assert.True(Same(Weights(full.G), Weights(resumed.G)), "G differs after resuming");
            Assert.Equal(full.History["Loss/G"].Values, resumed.History["Loss/G"].Values);
        }
        finally { if (File.Exists(path)) File.Delete(path); }
    }

    [Fact]
    public void A_checkpoint_whose_sections_do_not_match_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gannb-sections-{Guid.NewGuid():N}.ckpt");
        using var data = new ImageDataset(torch.rand(10, 1, 2, 2), torch.zeros(10, dtype: ScalarType.Int64), ["x"], "tiny");
        try
        {
            using (var t = ImageGan(data, 1)) { t.Train(1); t.Save(path); }
            Seeding.Seed(1);
            var g = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 4), nn.Unflatten(1, [1, 2, 2]));
            var d = nn.Sequential(nn.Flatten(), nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1));
            // Same networks but a plain delegate as sampler: nothing tracks the data position the checkpoint holds.
            using var untracked = new GanTrainer(g, d, new NonSaturatingGan(), b => data.Images[..b], Latent.Normal(2, torch.CPU),
                new GanTrainerConfig { BatchSize = 6, LogEvery = 1, EmaDecay = 0.9, Device = torch.CPU });
            Assert.Contains("'data' section", Assert.Throws<InvalidDataException>(() => untracked.Load(path)).Message);
        }
        finally { if (File.Exists(path)) File.Delete(path); }
    }
}
