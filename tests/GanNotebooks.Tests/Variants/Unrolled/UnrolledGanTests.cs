using GanNotebooks.Data.Toy;
using GanNotebooks.Losses;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Ensembles;
using GanNotebooks.Variants.Unrolled;
using TorchSharp;
using static TorchSharp.torch;
using static GanNotebooks.Tests.Training.TrainerTestKit;

namespace GanNotebooks.Tests.Variants.Unrolled;

/// <summary>Unrolled GAN (Metz et al. 2017): G's loss through k look-ahead D steps.</summary>
public class UnrolledGanTests
{
    static (MlpGenerator G, MlpDiscriminator D) Nets(long seed = 1)
    {
        Seeding.Seed(seed);
        return (new MlpGenerator(2, 2, hidden: 8, depth: 1), new MlpDiscriminator(2, hidden: 8, depth: 1));
    }

    static Tensor[] GradOfG(MlpGenerator g, Tensor loss) => torch.autograd.grad(new[] { loss }, g.parameters().Select(p => (Tensor)p).ToArray(), retain_graph: true).ToArray();

    [Fact]
    public void One_look_ahead_step_is_a_gradient_step_on_copies()
    {
        using var s = torch.NewDisposeScope();
        var (g, d) = Nets();
        var real = torch.randn(8, 2);
        var fake = g.call(torch.randn(8, 2));
        var obj = new UnrolledGan(d, unrollSteps: 1, unrollLr: 0.5);
        var before = Weights(d);
        var w1 = obj.LookAhead(real, fake);
        // θ¹ = θ − η ∇θ BCE(D(real), D(fake)) (Metz et al. 2017, eq. 3)
        var ps = d.parameters().Select(p => (Tensor)p).ToArray();
        var grads = torch.autograd.grad(new[] { GanLosses.DiscriminatorBce(d.call(real), d.call(fake.detach())) }, ps);
        for (int i = 0; i < ps.Length; i++)
            Assert.True((w1[i] - (ps[i] - 0.5 * grads[i])).abs().max().item<float>() < 1e-6, $"weight {i}");
        Assert.True(Same(before, Weights(d)), "the look-ahead must not modify D's parameters");
    }

    [Fact]
    public void With_k_0_the_generator_loss_is_the_non_saturating_loss()
    {
        using var s = torch.NewDisposeScope();
        var (g, d) = Nets();
        var fake = g.call(torch.randn(8, 2));
        var w = new UnrolledGan(d, 0, 1.0).LookAhead(torch.randn(8, 2), fake);
        Assert.Equal(GanLosses.GeneratorNonSaturating(d.call(fake)).item<float>(), GanLosses.GeneratorNonSaturating(d.Forward(w, fake)).item<float>(), 6);
    }

    [Fact]
    public void The_unrolled_gradient_has_the_term_the_first_order_variant_drops()
    {
        using var s = torch.NewDisposeScope();
        var (g, d) = Nets(2);
        var real = torch.randn(8, 2);
        var z = torch.randn(8, 2);
        var fake = g.call(z);
        var second = new UnrolledGan(d, 3, 1.0, secondOrder: true);
        var first = new UnrolledGan(d, 3, 1.0, secondOrder: false);
        var w2 = second.LookAhead(real, fake);
        var w1 = first.LookAhead(real, fake);
        // the same look-ahead weights either way …
        for (int i = 0; i < w1.Count; i++) Assert.True((w1[i] - w2[i]).abs().max().item<float>() < 1e-5);
        // … but only the second-order gradient carries dθᵏ/dθ_G
        var g2 = GradOfG(g, GanLosses.GeneratorNonSaturating(d.Forward(w2, fake)));
        var g1 = GradOfG(g, GanLosses.GeneratorNonSaturating(d.Forward(w1, fake)));
        var constW = w1.Select(x => x.detach()).ToList();
        var gConst = GradOfG(g, GanLosses.GeneratorNonSaturating(d.Forward(constW, fake)));
        double diff12 = g1.Zip(g2, (a, b) => (a - b).abs().max().item<float>()).Max();
        double diff1c = g1.Zip(gConst, (a, b) => (a - b).abs().max().item<float>()).Max();
        Assert.True(diff1c < 1e-6, $"first-order gradient should treat θᵏ as a constant (differs by {diff1c})");
        Assert.True(diff12 > 1e-5, $"the second-order term should change G's gradient (max difference {diff12})");
    }

    [Fact]
    public void A_generator_step_leaves_Ds_real_weights_unchanged()
    {
        var (g, d) = Nets(3);
        var ring = GaussianMixture2D.Ring();
        var data = Seeding.Generator(4);
        using var t = new GanTrainer(g, d, new UnrolledGan(d, 5, 1.0), b => ring.Sample(b, data), Latent.Normal(2, torch.CPU),
            GanTrainerConfig.Toy with { BatchSize = 8, LogEvery = 1, Device = torch.CPU });
        t.TrainStep();
        var dBefore = Weights(d);
        var gBefore = Weights(g);
        var m = t.GeneratorStep();
        Assert.True(Same(dBefore, Weights(d)), "the unrolled G step changed D's weights");
        Assert.False(Same(gBefore, Weights(g)));
        Assert.True(double.IsFinite(m["Loss/G"]));
    }

    [Fact]
    public void Ensemble_member_gets_the_single_networks_unrolled_gradient()
    {
        using var s = torch.NewDisposeScope();
        var seeds = new long[] { 4, 6 };
        var (ge, de) = EnsembleGan.FromSeeds(seeds, () => new MlpGenerator(2, 2, 8, 1), () => new MlpDiscriminator(2, 8, 1));
        var real = torch.randn(8, 2, 2);
        var z = torch.randn(8, 2, 2);
        var fakeE = ge.call(z);
        var ens = new UnrolledGan(de, 2, 0.7);
        var lossE = MemberwiseGanLosses.GeneratorNonSaturating(de.Forward(ens.LookAhead(real, fakeE), fakeE)).sum();
        var gradE = torch.autograd.grad(new[] { lossE }, ge.parameters().Select(p => (Tensor)p).ToArray());
        for (int k = 0; k < 2; k++)
        {
            var (g, d) = Nets(seeds[k]); // built as FromSeeds builds member k
            var fake = g.call(z.select(1, k));
            var single = new UnrolledGan(d, 2, 0.7);
            var loss = GanLosses.GeneratorNonSaturating(d.Forward(single.LookAhead(real.select(1, k), fake), fake));
            var grad = GradOfG(g, loss);
            for (int i = 0; i < grad.Length; i++)
            {
                var expected = grad[i].dim() == 2 ? grad[i].t() : grad[i].unsqueeze(0);
                Assert.True((gradE[i][k] - expected).abs().max().item<float>() < 1e-5, $"member {k}, parameter {i}");
            }
        }
    }

    [Fact]
    public void The_Adam_look_ahead_continues_Ds_optimizer_without_changing_it()
    {
        var (g, d) = Nets(5);
        var obj = new UnrolledGan(d, 1, 1.0, continueAdam: true);   // D's own learning rate (Toy: 2e-4), read from the step context
        var trainer = new GanTrainer(g, d, obj, b => torch.randn(b, 2), Latent.Normal(2, torch.CPU),
            GanTrainerConfig.Toy with { BatchSize = 8, LogEvery = 1, Device = torch.CPU });
        trainer.DiscriminatorStep(); trainer.DiscriminatorStep();   // Adam has moments and step count 2
        var states = ((TorchSharp.Modules.Adam)trainer.OptimizerD).state_dict().State.OfType<TorchSharp.Modules.Adam.State>().ToList();
        var m0 = states.Select(st => Flat(st.exp_avg!)).ToList();
        var v0 = states.Select(st => Flat(st.exp_avg_sq!)).ToList();
        using var scope = torch.NewDisposeScope();
        var real = torch.randn(8, 2);
        var fake = g.call(torch.randn(8, 2));
        var w1 = obj.LookAhead(real, fake, trainer.OptimizerD);
        var ps = d.parameters().Select(p => (Tensor)p).ToArray();
        var grads = torch.autograd.grad(new[] { GanLosses.DiscriminatorBce(d.call(real), d.call(fake.detach())) }, ps);
        for (int i = 0; i < ps.Length; i++)
        {
            // Adam step 3 from the optimizer's moments: β = (0.5, 0.999), ε = 1e-8
            var m = 0.5 * states[i].exp_avg! + 0.5 * grads[i];
            var v = 0.999 * states[i].exp_avg_sq! + 0.001 * grads[i].square();
            var step = 2e-4 * (m / (1 - Math.Pow(0.5, 3))) / ((v / (1 - Math.Pow(0.999, 3))).sqrt() + 1e-8);
            Assert.True((w1[i] - (ps[i] - step)).abs().max().item<float>() < 1e-6, $"weight {i}");
        }
        Assert.Equal(m0, ((TorchSharp.Modules.Adam)trainer.OptimizerD).state_dict().State.OfType<TorchSharp.Modules.Adam.State>().Select(st => Flat(st.exp_avg!)).ToList());
        Assert.Equal(v0, ((TorchSharp.Modules.Adam)trainer.OptimizerD).state_dict().State.OfType<TorchSharp.Modules.Adam.State>().Select(st => Flat(st.exp_avg_sq!)).ToList());
        trainer.GeneratorStep();   // in a trainer, G's loss reads D's optimizer through the step context (no closure)
        trainer.Dispose();
    }

    [Fact]
    public void An_optimizer_of_another_network_is_an_error_not_zeros()
    {
        var (_, d) = Nets(5);
        using var other = new MlpDiscriminator(2, hidden: 4, depth: 3);
        using var opt = new FlatAdam(other.parameters(), 1e-3, 0.5, 0.999);
        using var scope = torch.NewDisposeScope();
        var loss = other.call(torch.randn(4, 2)).mean();
        loss.backward();
        opt.step();                                         // the optimizer now holds state for other's tensors
        var w = d.parameters().Select(p => (Tensor)p.detach()).ToList();
        var ex = Assert.Throws<InvalidOperationException>(() => LookAheadAdam.Continuing(opt, w));
        Assert.Contains("does not belong to this discriminator", ex.Message);
    }

    [Fact]
    public void Invalid_configurations_throw()
    {
        var (_, d) = Nets();
        Assert.Throws<ArgumentOutOfRangeException>(() => new UnrolledGan(d, -1, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UnrolledGan(d, 5, 0));
        var (g2, d2) = Nets(2);
        using var t = new GanTrainer(g2, d2, new UnrolledGan(d, 1, 1.0), b => torch.randn(b, 2), Latent.Normal(2, torch.CPU),
            GanTrainerConfig.Toy with { BatchSize = 4, Device = torch.CPU });
        var e = Assert.Throws<InvalidOperationException>(() => t.TrainStep());
        Assert.Contains("same object", e.Message);
        Assert.Equal("Unrolled(k=5, η=0.5)", new UnrolledGan(d, 5, 0.5).Name);
    }
}
