using GanNotebooks.Data.Toy;
using GanNotebooks.Evaluation;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Ensembles;
using GanNotebooks.Variants.Standard;
using TorchSharp;
using static TorchSharp.torch;
using static GanNotebooks.Tests.Training.TrainerTestKit;

namespace GanNotebooks.Tests.Variants.Ensembles;

/// <summary>K seeds as one model: member k is the single run with seed s_k (issue 17, deliverable 1).</summary>
public class EnsembleGanTests
{
    static readonly long[] Seeds = { 3, 5, 8 };
    static MlpGenerator NewG() => new(2, 2, hidden: 16, depth: 2);
    static MlpDiscriminator NewD() => new(2, hidden: 16, depth: 2);
    static readonly GanTrainerConfig Cfg = GanTrainerConfig.Toy with { BatchSize = 32, LrG = 1e-3, LrD = 1e-3, LogEvery = 1, Device = torch.CPU };

    static GanTrainer Single(long seed, GaussianMixture2D ring)
    {
        Seeding.Seed(seed);
        var g = NewG();
        var d = NewD();
        var data = Seeding.Generator(seed + 1000);
        return new GanTrainer(g, d, new NonSaturatingGan(), b => ring.Sample(b, data), Latent.Normal(2, torch.CPU, Seeding.Generator(seed + 3000)), Cfg);
    }

    static GanTrainer Ensemble(GaussianMixture2D ring, Action<EnsembleMlpGenerator>? poison = null)
    {
        var (g, d) = EnsembleGan.FromSeeds(Seeds, NewG, NewD);
        poison?.Invoke(g);
        return new GanTrainer(g, d, new MemberwiseNonSaturatingGan(), EnsembleGan.RealSampler(ring, EnsembleGan.Offset(Seeds, 1000), torch.CPU),
            EnsembleGan.LatentSampler(2, EnsembleGan.Offset(Seeds, 3000), torch.CPU), Cfg);
    }

    [Fact]
    public void Member_initial_weights_equal_the_single_runs()
    {
        var (g, d) = EnsembleGan.FromSeeds(Seeds, NewG, NewD);
        for (int k = 0; k < Seeds.Length; k++)
        {
            Seeding.Seed(Seeds[k]);
            var gs = NewG();
            var ds = NewD();
            foreach (var (ens, single) in new (nn.Module, nn.Module)[] { (g, gs), (d, ds) })
            {
                var e = ens.parameters().ToList();
                var s = single.parameters().ToList();
                Assert.Equal(s.Count, e.Count);
                for (int i = 0; i < s.Count; i++)
                {
                    // Linear weight [out, in] ↔ ensemble [K, in, out]; bias [out] ↔ [K, 1, out]
                    var expected = s[i].dim() == 2 ? s[i].t() : s[i].unsqueeze(0);
                    Assert.Equal(Flat(expected.contiguous()), Flat(e[i][k].contiguous()));
                }
            }
        }
    }

    [Fact]
    public void Member_losses_match_the_single_runs_over_the_first_steps()
    {
        var ring = GaussianMixture2D.Ring();
        using var ens = Ensemble(ring);
        var singles = Seeds.Select(s => Single(s, ring)).ToList();
        for (int step = 0; step < 6; step++)
        {
            var m = ens.TrainStep();
            for (int k = 0; k < Seeds.Length; k++)
            {
                var ms = singles[k].TrainStep();
                foreach (var key in new[] { "Loss/D", "Loss/G" })
                    Assert.True(Math.Abs(m[$"{key}[{k}]"] - ms[key]) <= 1e-4 * (1 + Math.Abs(ms[key])),
                        $"step {step}, member {k} (seed {Seeds[k]}): {key} {m[$"{key}[{k}]"]} vs single run {ms[key]}");
            }
        }
        foreach (var s in singles) s.Dispose();
    }

    [Fact]
    public void A_NaN_in_one_member_leaves_the_others_unchanged()
    {
        var ring = GaussianMixture2D.Ring();
        using var clean = Ensemble(ring);
        using var poisoned = Ensemble(ring, g =>
        {
            using var _ = torch.no_grad();
            g.parameters().First()[1].fill_(float.NaN); // member 1's first layer
        });
        for (int i = 0; i < 5; i++) { clean.TrainStep(); poisoned.TrainStep(); }
        Assert.True(double.IsNaN(poisoned.History.Last("Loss/G[1]")));
        foreach (var (c, p) in clean.G.parameters().Concat(clean.D.parameters()).Zip(poisoned.G.parameters().Concat(poisoned.D.parameters())))
            foreach (var k in new[] { 0, 2 })
                Assert.Equal(Flat(c[k]), Flat(p[k]));
        // evaluated separately: the healthy members' mode coverage is the same number
        using var z = torch.randn(new long[] { 500, 3, 2 }, generator: Seeding.Generator(9));
        var rc = ModeCoverage.EvaluateMembers(clean.Sample(z), ring);
        var rp = ModeCoverage.EvaluateMembers(poisoned.Sample(z), ring);
        Assert.Equal(rc[0], rp[0] with { PerModeCounts = rc[0].PerModeCounts });
        Assert.Equal(rc[0].PerModeCounts, rp[0].PerModeCounts);
        Assert.Equal(0, rp[1].HighQualityCount);
    }

    [Fact]
    public void Samplers_draw_each_members_single_run_stream()
    {
        var ring = GaussianMixture2D.Ring();
        var real = EnsembleGan.RealSampler(ring, new long[] { 11, 12 }, torch.CPU);
        var latent = EnsembleGan.LatentSampler(2, new long[] { 21, 22 }, torch.CPU);
        var g11 = Seeding.Generator(11);
        var z22 = Latent.Normal(2, torch.CPU, Seeding.Generator(22));
        for (int i = 0; i < 2; i++)
        {
            var x = real(16);
            var z = latent(16);
            Assert.Equal(new long[] { 16, 2, 2 }, x.shape);
            Assert.Equal(Flat(ring.Sample(16, g11)), Flat(x.select(1, 0).contiguous()));
            Assert.Equal(Flat(z22(16)), Flat(z.select(1, 1).contiguous()));
        }
    }

    [Fact]
    public void Invalid_ensembles_throw()
    {
        var e = Assert.Throws<ArgumentException>(() => EnsembleGan.FromSeeds(new long[] { 1, 1 }, NewG, NewD));
        Assert.Contains("repeat", e.Message);
        Assert.Throws<ArgumentException>(() => EnsembleGan.FromSeeds(Array.Empty<long>(), NewG, NewD));
        // an activation the ensemble preset does not reproduce is caught on the probe batch
        e = Assert.Throws<ArgumentException>(() => EnsembleGan.FromSeeds(new long[] { 1 }, () => new MlpGenerator(2, 2, 16, 2, Activation.Tanh), NewD));
        Assert.Contains("differs from the single one", e.Message);
    }
}
