using GanNotebooks.Data.Toy;
using GanNotebooks.Training;
using GanNotebooks.Variants.Ensembles;
using GanNotebooks.Variants.Pacgan;
using TorchSharp;
using static TorchSharp.torch;
using static GanNotebooks.Tests.Training.TrainerTestKit;

namespace GanNotebooks.Tests.Variants.Pacgan;

/// <summary>PacGAN's 2-D networks (Lin et al. 2018; fjxmlzn/PacGAN synthetic_data_experiments): shapes, sizes, members, maxout.</summary>
public class PacGanPaperNetsTests
{
    [Fact]
    public void The_setting_is_the_official_codes()
    {
        Assert.Equal(400_000, PacGanPaperSetting.Iterations);      // 400 epochs of 100,000 packs at 100 per batch
        Assert.Equal(1e-4, PacGanPaperSetting.LearningRate);
        Assert.Equal(0.8, PacGanPaperSetting.Beta1);
        // G: 2·400 + 3·400² + 400·2 + 2 (output bias) + 4 BatchNorms × (scale, shift) of 400 = 484,802
        // D (pack m): (2m·1000 + 1000) + 2 × (200·1000 + 1000) + 200 + 1
        Assert.Equal((484_802L, 405_201L), PacGanPaperNets.ParameterCounts(1));
        Assert.Equal((484_802L, 411_201L), PacGanPaperNets.ParameterCounts(4));
    }

    [Fact]
    public void Shapes_and_bad_input_say_what_is_expected()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new PacGanPaperGenerator([1, 2, 3]);
        using var d = new PacGanPaperDiscriminator([1, 2, 3], pack: 2);
        Assert.Equal(new long[] { 10, 3, 2 }, g.call(torch.randn(10, 3, 2)).shape);
        Assert.Equal(new long[] { 5, 3 }, d.call(torch.randn(5, 3, 4)).shape);
        Assert.Contains("[B, K=3, 2]", Assert.Throws<ArgumentException>(() => g.call(torch.randn(10, 2))).Message);
        Assert.Contains("[B, K=3, 4]", Assert.Throws<ArgumentException>(() => d.call(torch.randn(5, 3, 2))).Message);
        Assert.Throws<ArgumentException>(() => new PacGanPaperGenerator([1, 1]));
        Assert.Throws<ArgumentException>(() => new PacGanPaperGenerator([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PacGanPaperDiscriminator([1], pack: 0));
    }

    [Fact]
    public void Member_k_is_the_single_network_of_its_seed_and_nothing_mixes_members()
    {
        using var scope = torch.NewDisposeScope();
        using var g3 = new PacGanPaperGenerator([7, 8, 9]);
        using var g1 = new PacGanPaperGenerator([8]);
        using var d3 = new PacGanPaperDiscriminator([7, 8, 9], pack: 3);
        using var d1 = new PacGanPaperDiscriminator([8], pack: 3);
        torch.manual_seed(3);
        var z = torch.randn(16, 3, 2);
        var x = torch.randn(16, 3, 6);
        // train mode: member 1's BatchNorm sees member 1's batch only
        var y3 = g3.call(z);
        var y1 = g1.call(z[.., 1..2]);
        Assert.True((y3[.., 1..2] - y1).abs().max().item<float>() < 1e-5f);
        Assert.True((d3.call(x)[.., 1..2] - d1.call(x[.., 1..2])).abs().max().item<float>() < 1e-5f);
        // changing member 0's input leaves member 2's output unchanged
        var z2 = z.clone(); z2[.., 0] = z2[.., 0] * 100;
        Assert.Equal(Flat(y3[.., 2]), Flat(g3.call(z2)[.., 2]));
        // weights N(0, 0.02²): the sample std of a 400×400 slice is 0.02 within 1 %
        var w = g1.parameters().Select(p => (Tensor)p).First(p => p.shape.SequenceEqual(new long[] { 1, 400, 400 }));
        Assert.Equal(0.02, w.std().item<float>(), 0.0002);
    }

    [Fact]
    public void Maxout_takes_the_largest_of_each_units_pieces()
    {
        using var scope = torch.NewDisposeScope();
        using var d = new PacGanPaperDiscriminator([1], pack: 1, xDim: 1, hidden: 1, pieces: 3);
        var ps = d.parameters().Select(p => (Tensor)p).ToList();   // w0 [1,1,3], b0, w1 [1,1,3], b1, w2, b2, w_out [1,1,1], b_out
        using (torch.no_grad())
        {
            ps[0].copy_(torch.tensor(new float[] { 1, -2, 0.5f }).reshape(1, 1, 3)); ps[1].zero_();
            ps[2].copy_(torch.tensor(new float[] { 1, 0, 0 }).reshape(1, 1, 3)); ps[3].zero_();
            ps[4].copy_(torch.tensor(new float[] { 1, 0, 0 }).reshape(1, 1, 3)); ps[5].zero_();
            ps[6].fill_(3); ps[7].fill_(1);
        }
        // x = 2: pieces (2, −4, 1) → 2; x = −1: pieces (−1, 2, −0.5) → 2; the next layers pass max(h, 0, 0) on; logit 3h + 1
        var logits = d.call(torch.tensor(new float[] { 2, -1 }).reshape(2, 1, 1));
        Assert.Equal(new float[] { 7, 7 }, Flat(logits));
    }

    [Fact]
    public void One_paper_step_trains_through_GanTrainer_with_packs_and_eval_uses_population_statistics()
    {
        using var scope = torch.NewDisposeScope();
        long[] seeds = [1, 2];
        var g = new PacGanPaperGenerator(seeds);
        var d = new PacGanPaperDiscriminator(seeds, pack: 2);
        var cfg = GanTrainerConfig.Toy with
        {
            BatchSize = 2 * 10, LrG = PacGanPaperSetting.LearningRate, LrD = PacGanPaperSetting.LearningRate,
            BetasG = (PacGanPaperSetting.Beta1, PacGanPaperSetting.Beta2), BetasD = (PacGanPaperSetting.Beta1, PacGanPaperSetting.Beta2), LogEvery = 1, Device = torch.CPU,
        };
        using var t = new GanTrainer(g, d, new PacGan(2), EnsembleGan.RealSampler(GaussianMixture2D.Grid(), seeds, torch.CPU),
            EnsembleGan.LatentSampler(2, EnsembleGan.Offset(seeds, 10), torch.CPU), cfg);
        var before = Weights(g);
        var m = t.TrainStep();
        Assert.True(double.IsFinite(m["Loss/D[0]"]) && double.IsFinite(m["Loss/G[1]"]));
        Assert.False(Same(before, Weights(g)));
        // eval: a sample does not depend on the rest of its batch
        var z = torch.randn(8, 2, 2);
        var all = t.Sample(z);
        var one = t.Sample(z[..1]);
        Assert.True((all[..1] - one).abs().max().item<float>() < 1e-5f);
    }
}
