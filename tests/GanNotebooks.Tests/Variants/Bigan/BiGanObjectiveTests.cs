using GanNotebooks.Nets;
using GanNotebooks.Variants.Bigan;
using GanNotebooks.Training;
using GanNotebooks.Runtime;
using GanNotebooks.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Bigan;

public class BiGanObjectiveTests
{
    const double Log2 = 0.69314718055994531;

    static BiGanGenerator Other() => new(new MlpGenerator(2, 4, hidden: 8, depth: 1), new MlpEncoder(4, 2, hidden: 8, depth: 1));

    static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

    // x ~ N(0, I₄) as real data, z ~ N(0, I₂): a tiny BiGAN on CPU.
    static (GanTrainer Trainer, BiGanGenerator GE, BiGanDiscriminator D) Make(long seed = 1, bool nonSaturating = true, bool zeroLogits = false)
    {
        Seeding.Seed(seed);
        var g = new MlpGenerator(2, 4, hidden: 8, depth: 1);
        var e = new MlpEncoder(4, 2, hidden: 8, depth: 1);
        var ge = new BiGanGenerator(g, e);
        var d = BiGanDiscriminator.Mlp(4, 2, hidden: 8, depth: 1, jointDepth: 1);
        if (zeroLogits)
        {
            // The last Linear of the joint path: zero weight and bias make every logit exactly 0 (D = ½).
            using var _ = torch.no_grad();
            var last = d.named_parameters().Where(p => p.name.StartsWith("joint.", StringComparison.Ordinal)).TakeLast(2);
            foreach (var (_, p) in last) p.zero_();
        }
        var cfg = new GanTrainerConfig { BatchSize = 8, LrG = 1e-2, LrD = 1e-2, Device = torch.CPU };
        var t = new GanTrainer(ge, d, new BiGanObjective(ge, nonSaturating), b => torch.randn(b, 4), Latent.Normal(2, torch.CPU), cfg);
        return (t, ge, d);
    }

    [Fact]
    public void LossesFromLogitsMatchHandValues()
    {
        using var s = torch.NewDisposeScope();
        var r = torch.tensor(new float[] { 2f });
        var f = torch.tensor(new float[] { -1f });
        // D: −log σ(r) − log(1 − σ(f)) = softplus(−r) + softplus(f)
        Assert.Equal(Softplus(-2) + Softplus(-1), BiGanObjective.DiscriminatorLossFromLogits(r, f).item<float>(), 5);
        // G/E non-saturating (labels swapped): −log σ(f) − log(1 − σ(r)) = softplus(−f) + softplus(r)
        Assert.Equal(Softplus(1) + Softplus(2), BiGanObjective.GeneratorLossFromLogits(r, f).item<float>(), 5);
        // G/E minimax: −(D loss)
        Assert.Equal(-(Softplus(-2) + Softplus(-1)), BiGanObjective.GeneratorLossFromLogits(r, f, nonSaturating: false).item<float>(), 5);
    }

    [Fact]
    public void AtLogitZeroEveryLossIsTwoLogTwo()
    {
        var (t, _, _) = Make(zeroLogits: true);
        using (t)
        {
            var m = t.DiscriminatorStep();
            Assert.Equal(2 * Log2, m["Loss/D"], 5);
            Assert.Equal(0.5, m["D(x)"], 6);
            Assert.Equal(0.5, m["D(G(z))"], 6);
        }
        var (tg, _, _) = Make(zeroLogits: true);
        using (tg) Assert.Equal(2 * Log2, tg.GeneratorStep()["Loss/G"], 5);
        var (tm, _, _) = Make(nonSaturating: false, zeroLogits: true);
        using (tm) Assert.Equal(-2 * Log2, tm.GeneratorStep()["Loss/G"], 5);
    }

    [Fact]
    public void DiscriminatorStepLeavesGAndEUnchanged()
    {
        var (t, ge, d) = Make(seed: 2);
        using var _ = t;
        var g0 = TrainerTestKit.Weights(ge.Generator);
        var e0 = TrainerTestKit.Weights(ge.Encoder);
        var d0 = TrainerTestKit.Weights(d);
        var m = t.DiscriminatorStep();
        Assert.True(TrainerTestKit.Same(g0, TrainerTestKit.Weights(ge.Generator)), "the D step changed G");
        Assert.True(TrainerTestKit.Same(e0, TrainerTestKit.Weights(ge.Encoder)), "the D step changed E");
        Assert.False(TrainerTestKit.Same(d0, TrainerTestKit.Weights(d)), "the D step did not change D");
        Assert.True(m["Grad/D"] > 0);
        // no gradient reached G or E at all
        Assert.All(ge.parameters(), p => Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0f));
    }

    [Fact]
    public void GeneratorStepTrainsBothGAndEAndLeavesDUnchanged()
    {
        var (t, ge, d) = Make(seed: 3);
        using var _ = t;
        var g0 = TrainerTestKit.Weights(ge.Generator);
        var e0 = TrainerTestKit.Weights(ge.Encoder);
        var d0 = TrainerTestKit.Weights(d);
        t.GeneratorStep();
        Assert.True(TrainerTestKit.Same(d0, TrainerTestKit.Weights(d)), "the G/E step changed D");
        Assert.False(TrainerTestKit.Same(g0, TrainerTestKit.Weights(ge.Generator)), "the G/E step did not change G");
        Assert.False(TrainerTestKit.Same(e0, TrainerTestKit.Weights(ge.Encoder)), "the G/E step did not change E");
        // every parameter of G and E received a gradient
        Assert.All(ge.parameters(), p => Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0f));
    }

    [Fact]
    public void AFewIterationsRunWithFiniteLossesAndTheUsualKeys()
    {
        var (t, _, _) = Make(seed: 4);
        using var _ = t;
        var h = t.Train(5);
        foreach (var key in new[] { "Loss/D", "Loss/G", "D(x)", "D(G(z))", "Grad/G" })
            Assert.True(double.IsFinite(h.Last(key)), key);
        Assert.Equal("BiGAN", t.Objective.Name);
        Assert.Equal("BiGAN-minimax", new BiGanObjective(Other(), false).Name);
    }

    // A known joint discriminator: logit(x, z) = v·x + w·z + c, linear in both parts, with no parameters to train.
    sealed class KnownJointD : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter v, w;
        readonly float _c;
        public KnownJointD(float[] v, float[] w, float c) : base("KnownJointD")
        {
            this.v = new TorchSharp.Modules.Parameter(torch.tensor(v)); this.w = new TorchSharp.Modules.Parameter(torch.tensor(w)); _c = c;
            RegisterComponents();
        }
        public override Tensor forward(Tensor packed) =>
            packed.narrow(1, 0, v.shape[0]).matmul(v) + packed.narrow(1, v.shape[0], w.shape[0]).matmul(w) + _c;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EncoderAndGeneratorGetTheGradientTheObjectiveSays(bool nonSaturating)
    {
        // On logit(x, z) = v·x + w·z + c, E's loss term is mean softplus(r) (non-saturating) or −mean softplus(−r)
        // (minimax) with r = v·x + w·E(x) + c, so ∂L/∂E(x_i) = σ(±r_i)·w / B and E's output bias gets w · mean σ(±r):
        // positive along w — a descent step moves E(x) against w, making D call (x, E(x)) less "real" (E wants its
        // pairs called fake). G's term gives G's output bias −v · mean σ(∓f): G moves along v, towards "real".
        using var s = torch.NewDisposeScope();
        Seeding.Seed(7);
        var g = new MlpGenerator(2, 3, hidden: 4, depth: 0);   // one Linear: z [B, 2] → x [B, 3]
        var e = new MlpEncoder(3, 2, hidden: 4, depth: 0);     // one Linear: x [B, 3] → z [B, 2]
        var ge = new BiGanGenerator(g, e);
        float[] v = [0.5f, -1f, 0.25f], w = [1.5f, -2f];
        const float c = 0.3f;
        var d = new KnownJointD(v, w, c);
        var x = torch.randn(6, 3) * 2;
        var z = torch.rand(6, 2) * 2 - 1;
        Tensor r, f;
        using (torch.no_grad())
        {
            r = d.call(BiGanDiscriminator.Pack(x, e.call(x)));
            f = d.call(BiGanDiscriminator.Pack(g.call(z), z));
        }
        var cfg = new GanTrainerConfig { BatchSize = 6, Optimizer = OptimizerKind.SGD, LrG = 1e-3, LrD = 1e-3, Device = torch.CPU };
        using var t = new GanTrainer(ge, d, new BiGanObjective(ge, nonSaturating), _ => x, _ => z, cfg);
        t.GeneratorStep();
        double rScale = (nonSaturating ? torch.sigmoid(r) : torch.sigmoid(-r)).mean().item<float>();
        double fScale = (nonSaturating ? torch.sigmoid(-f) : torch.sigmoid(f)).mean().item<float>();
        var eBias = e.named_parameters().Single(p => p.name.EndsWith("bias", StringComparison.Ordinal)).parameter.grad!;
        var gBias = g.named_parameters().Single(p => p.name.EndsWith("bias", StringComparison.Ordinal)).parameter.grad!;
        for (int j = 0; j < 2; j++) Assert.Equal(w[j] * rScale, eBias[j].item<float>(), 5);
        for (int j = 0; j < 3; j++) Assert.Equal(-v[j] * fScale, gBias[j].item<float>(), 5);
    }

    [Fact]
    public void APlainGeneratorIsRejectedWithTheFix()
    {
        Seeding.Seed(5);
        var g = new MlpGenerator(2, 4, hidden: 8, depth: 1);
        var d = BiGanDiscriminator.Mlp(4, 2, hidden: 8);
        using var t = new GanTrainer(g, d, new BiGanObjective(Other()), b => torch.randn(b, 4), Latent.Normal(2, torch.CPU),
            new GanTrainerConfig { BatchSize = 4, Device = torch.CPU });
        var ex = Assert.Throws<InvalidOperationException>(() => t.DiscriminatorStep());
        Assert.Contains("BiGanGenerator", ex.Message);
    }
}
