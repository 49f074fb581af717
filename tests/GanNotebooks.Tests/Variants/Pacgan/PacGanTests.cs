using GanNotebooks.Nets;
using GanNotebooks.Losses;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Ensembles;
using GanNotebooks.Variants.Pacgan;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static GanNotebooks.Tests.Training.TrainerTestKit;

namespace GanNotebooks.Tests.Variants.Pacgan;

/// <summary>PacGAN (Lin et al. 2018): D judges packs of m samples from one source.</summary>
public class PacGanTests
{
    [Fact]
    public void Pack_concatenates_consecutive_samples_of_one_member()
    {
        using var s = torch.NewDisposeScope();
        // x[b, k] = (b, 10k): pack j of member k must hold samples jm … jm+m−1 of member k
        var x = torch.zeros(6, 2, 2);
        for (int b = 0; b < 6; b++) for (int k = 0; k < 2; k++) { x[b, k, 0] = b; x[b, k, 1] = 10 * k; }
        var p = PacGan.Pack(x, 3);
        Assert.Equal(new long[] { 2, 2, 6 }, p.shape);
        Assert.Equal(new float[] { 3, 10, 4, 10, 5, 10 }, Flat(p[1, 1]));
        var single = PacGan.Pack(torch.arange(8, dtype: ScalarType.Float32).reshape(4, 2), 2);
        Assert.Equal(new float[] { 0, 1, 2, 3 }, Flat(single[0]));
        var e = Assert.Throws<ArgumentException>(() => PacGan.Pack(torch.zeros(5, 2), 2));
        Assert.Contains("multiple of m", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PacGan(0));
    }

    /// <summary>A discriminator that records what it is shown.</summary>
    sealed class Spy : nn.Module<Tensor, Tensor>
    {
        readonly Parameter w = new(torch.ones(1));
        public readonly List<float[]> Seen = new();
        public Spy() : base("Spy") { RegisterComponents(); }
        public override Tensor forward(Tensor x)
        {
            var flat = x.detach().reshape(-1, x.shape[^1]);
            for (int i = 0; i < flat.shape[0]; i++) Seen.Add(Flat(flat[i]));
            return x.mean(new long[] { -1 }) * w;
        }
    }

    [Fact]
    public void Every_pack_D_sees_comes_from_one_source()
    {
        Seeding.Seed(1);
        var g = new MlpGenerator(2, 2, hidden: 8, depth: 1); // outputs near 0
        var spy = new Spy();
        // real samples sit at 100 + U(0, 1): a pack holding both sources would mix values above and below 50
        using var t = new GanTrainer(g, spy, new PacGan(3), b => torch.rand(b, 2) + 100, Latent.Normal(2, torch.CPU),
            GanTrainerConfig.Toy with { BatchSize = 12, LogEvery = 1, Device = torch.CPU });
        t.TrainStep();
        Assert.Equal(4 + 4 + 4, spy.Seen.Count); // D step: 4 real + 4 fake packs; G step: 4 fake packs
        Assert.All(spy.Seen, pack =>
        {
            Assert.Equal(6, pack.Length);
            Assert.True(pack.All(v => v > 50) || pack.All(v => v < 50), $"a pack mixes real and fake: [{string.Join(", ", pack)}]");
        });
        Assert.Equal(4, spy.Seen.Count(p => p[0] > 50));
    }

    [Fact]
    public void Pack_size_one_is_the_standard_gan_and_ensembles_train()
    {
        using var s = torch.NewDisposeScope();
        var r = torch.randn(8);
        var f = torch.randn(8);
        Assert.Equal(GanLosses.DiscriminatorBce(r, f).item<float>(), MemberwiseGanLosses.DiscriminatorBce(r, f).item<float>(), 6);
        var seeds = new long[] { 1, 2 };
        var (g, d) = EnsembleGan.FromSeeds(seeds, () => new MlpGenerator(2, 2, 8, 1), () => new MlpDiscriminator(4, 8, 1));
        using var t = new GanTrainer(g, d, new PacGan(2), EnsembleGan.RealSampler(GanNotebooks.Data.Toy.GaussianMixture2D.Ring(), seeds, torch.CPU),
            EnsembleGan.LatentSampler(2, EnsembleGan.Offset(seeds, 10), torch.CPU), GanTrainerConfig.Toy with { BatchSize = 8, LogEvery = 1, Device = torch.CPU });
        var m = t.TrainStep();
        Assert.True(double.IsFinite(m["Loss/D[0]"]) && double.IsFinite(m["Loss/G[1]"]));
        Assert.Equal("PacGAN2", t.Objective.Name);
    }
}
