using GanNotebooks.Evaluation;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Bigan;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Bigan;

public class BiGanMlpTests
{
    [Fact]
    public void PaperDiscriminatorAddsTheTwoPathsThenNormalizes()
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(3);
        var d = BiGanDiscriminator.MlpPaper(xDim: 6, zDim: 3, hidden: 4);
        // x-path 6→4→4, z-path 3→4, BatchNorm(4), logit 4→1
        Assert.Equal((28 + 20) + 16 + 8 + 5, d.ParameterCount());
        Assert.Contains(d.modules(), m => m is TorchSharp.Modules.BatchNorm1d);
        Assert.DoesNotContain(BiGanDiscriminator.MlpPaper(6, 3, 4, batchNorm: false).modules(), m => m is TorchSharp.Modules.BatchNorm1d);
        Assert.Contains(BiGanDiscriminator.MlpPaper(6, 3, 4, dropout: 0.3).modules(), m => m is TorchSharp.Modules.Dropout);
        Assert.Equal(new long[] { 5 }, d.Score(torch.randn(5, 6), torch.randn(5, 3)).shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => BiGanDiscriminator.MlpPaper(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => BiGanDiscriminator.MlpPaper(6, 3, dropout: 1.0));
    }

    [Fact]
    public void InTrainModeABatchWideShiftOfTheCodesIsInvisibleToThePaperDiscriminator()
    {
        // z enters linearly and BatchNorm follows the sum, so in train mode (each kind of pair is its own batch) adding
        // the same offset to every code of a batch changes nothing: D cannot tell E's pairs from G's by a batch-wide
        // mismatch of the codes (e.g. E's codes being near 0 at the start while the prior's fill [−1, 1]). In eval mode
        // (running statistics) it does see the shift.
        using var s = torch.NewDisposeScope();
        torch.manual_seed(4);
        var d = BiGanMlp.Discriminator(xDim: 6, zDim: 3, hidden: 8);
        var x = torch.randn(16, 6);
        var z = torch.rand(16, 3) * 2 - 1;
        var shift = torch.tensor(new float[] { 0.7f, -0.4f, 0.3f });
        using var _ = torch.no_grad();
        d.train();
        Assert.True(torch.allclose(d.Score(x, z), d.Score(x, z + shift), 1e-4, 1e-4));
        d.eval();
        Assert.False(torch.allclose(d.Score(x, z), d.Score(x, z + shift), 1e-4, 1e-4));
    }

    [Fact]
    public void PaperEncoderCodesStayInThePriorsSupportAndFeaturesAreThePenultimateLayer()
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(5);
        var e = BiGanMlp.Encoder(xDim: 10, zDim: 3, hidden: 8);
        e.eval();
        using var _ = torch.no_grad();
        var x = torch.randn(7, 10) * 100;                       // far outside the data range
        var z = e.call(x);
        Assert.Equal(new long[] { 7, 3 }, z.shape);
        Assert.True(z.abs().max().item<float>() <= 1f, "E's codes must lie in [−1, 1], the support of U[−1, 1]");
        var f = e.Features(x);
        Assert.Equal(new long[] { 7, 8 }, f.shape);
        // the penultimate features are what the last Linear and tanh turn into the code
        var last = e.modules().OfType<TorchSharp.Modules.Linear>().Last();
        Assert.True(torch.allclose(torch.tanh(last.call(f)), z, 1e-5, 1e-5));
        Assert.Throws<ArgumentException>(() => e.Features(torch.randn(2, 9)));
        // DCGAN init: weights N(0, 0.02²)
        var std = Dcgan.ConvAndLinearWeights(e).std().item<float>();
        Assert.InRange(std, 0.015, 0.025);
    }

    [Fact]
    public void MlpHiddenIsTheInputWithoutHiddenLayers()
    {
        using var s = torch.NewDisposeScope();
        var m = new Mlp([4, 2]);
        var x = torch.randn(3, 4);
        Assert.True(torch.allclose(m.Hidden(x), x, 0, 0));
        Assert.Equal(new long[] { 3, 5 }, new Mlp([4, 5, 2], norm: MlpNorm.LayerNorm).Hidden(x).shape);
    }

    [Fact]
    public void BuildRejectsBadSizesWithTheFix()
    {
        Assert.Contains("50", Assert.Throws<ArgumentOutOfRangeException>(() => BiGanMlp.Build(0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BiGanMlp.Build(2, xDim: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BiGanMlp.Build(2, hidden: 0));
    }

    [Fact]
    public void TrainedEncoderInvertsTheGeneratorOnAToyProblemBetterThanChance()
    {
        // 2-D data (a bent band inside (−1, 1)²), z ~ U[−1, 1]²; after 1,500 steps E(G(z)) must be much closer to z, and
        // G(E(x)) to x, than a random pairing is (ratio 1 = no inversion; measured 0.75 / 0.67 for this seed, 0.33–0.75 over four).
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            using var s = torch.NewDisposeScope();
            Seeding.Seed(1);
            var (ge, d) = BiGanMlp.Build(zDim: 2, xDim: 2, hidden: 64);
            var gen = new torch.Generator(1);
            Tensor Data(int n)
            {
                var u = torch.rand(n, 2, generator: gen) * 2 - 1;
                return torch.stack([u[.., 0] * 0.9, u[.., 1] * 0.6 + 0.3 * u[.., 0].square() - 0.15], 1);
            }
            using var t = new GanTrainer(ge, d, new BiGanObjective(ge), Data, Latent.Uniform(2, device: torch.CPU),
                new GanTrainerConfig { BatchSize = 64, LrG = 1e-3, LrD = 1e-3, LogEvery = 1000, Device = torch.CPU });
            t.Train(1500);
            var z = torch.rand(1000, 2) * 2 - 1;
            var zRound = InferenceMetrics.Compare(z, ge.EncodeEval(ge.GenerateEval(z)), 1);
            var x = Data(1000);
            var xRound = InferenceMetrics.Compare(x, ge.ReconstructEval(x), 1);
            Assert.True(zRound.Ratio < 0.85, $"‖z − E(G(z))‖ / random pairs = {zRound.Ratio:F2}: E does not invert G");
            Assert.True(xRound.Ratio < 0.85, $"‖x − G(E(x))‖ / random pairs = {xRound.Ratio:F2}: G(E(x)) is no closer to x than another point");
        }
        finally { torch.set_num_threads(threads); }
    }
}
