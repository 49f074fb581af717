using GanNotebooks.Data.Images;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using GanNotebooks.Variants.Cyclegan;
using TorchSharp;
using static TorchSharp.torch;
using static GanNotebooks.Tests.Training.TrainerTestKit;

namespace GanNotebooks.Tests.Variants.Cyclegan;

public class CycleGanTests
{
    [Fact]
    public void The_resnet_generator_keeps_the_image_size()
    {
        using var scope = torch.NewDisposeScope();
        var g = new ResnetGenerator(1, width: 4, blocks: 2);
        Assert.Equal(new long[] { 2, 1, 28, 28 }, g.call(torch.randn(2, 1, 28, 28)).shape);
        Assert.Contains("divisible by 4", Assert.Throws<ArgumentException>(() => g.call(torch.randn(2, 1, 30, 30))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResnetGenerator(blocks: -1));
    }

    [Fact]
    public void The_cycle_loss_counts_both_directions()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.zeros(2, 1, 4, 4); var b = torch.ones(2, 1, 4, 4);
        Assert.Equal(0f, CycleGan.CycleLoss(a, a, b, b).item<float>());
        Assert.Equal(0.5f, CycleGan.CycleLoss(a, a, b, b + 0.5f).item<float>(), 6);   // only the backward cycle B → A → B misses
        Assert.Equal(0.25f, CycleGan.CycleLoss(a, a - 0.25f, b, b).item<float>(), 6); // only the forward cycle misses
        Assert.Equal(0.75f, CycleGan.CycleLoss(a, a - 0.25f, b, b + 0.5f).item<float>(), 6);
        Assert.Equal(0.3f, CycleGan.IdentityLoss(a, a + 0.1f, b, b - 0.2f).item<float>(), 6);
        // Least squares (Zhu et al. §4): G's term (D − 1)², D's ½[(D(real) − 1)² + D(fake)²].
        Assert.Equal(0.25f, CycleGan.GeneratorAdversarial(torch.zeros(3) + 0.5f).item<float>(), 6);
        Assert.Equal(0.5f * (0.04f + 0.09f), CycleGan.DiscriminatorLoss(torch.zeros(3) + 0.8f, torch.zeros(3) + 0.3f).item<float>(), 6);
    }

    static (Tensor A, Tensor B) Domains(int n, int side = 8)
    {
        torch.manual_seed(11);
        var a = torch.rand(n, 1, side, side) * 2 - 1;
        var b = torch.rand(n, 1, side, side) * 2 - 1;
        return (a, b);
    }

    static CycleGanTrainer Make(Tensor a, Tensor b, long seed, CycleGanConfig? config = null)
    {
        Seeding.Seed(seed);
        var gAB = new ResnetGenerator(1, width: 2, blocks: 1);
        var gBA = new ResnetGenerator(1, width: 2, blocks: 1);
        var dA = new PatchDiscriminator(1, width: 2, downsamplings: 1, norm: FeatureNorm.Instance);
        var dB = new PatchDiscriminator(1, width: 2, downsamplings: 1, norm: FeatureNorm.Instance);
        return new CycleGanTrainer(gAB, gBA, dA, dB, new AlignedBatches(1, "data A", a), new AlignedBatches(2, "data B", b),
            (config ?? new CycleGanConfig()) with { BatchSize = 4, LogEvery = 1, PoolSize = 6 }, poolSeed: 3, device: torch.CPU);
    }

    [Fact]
    public void The_logged_cycle_loss_is_the_sum_of_both_cycles_of_the_batch()
    {
        using var scope = torch.NewDisposeScope();
        // One image per domain, so the batch is known: A = a repeated, B = b repeated.
        var (a1, b1) = Domains(1);
        var a = a1.expand(4, 1, 8, 8).contiguous(); var b = b1.expand(4, 1, 8, 8).contiguous();
        using var t = Make(a, b, seed: 2, new CycleGanConfig { IdentityWeight = 0 });
        double forward, backward;
        using (torch.no_grad())
        {
            foreach (var (_, m) in t.Networks) m.train();
            forward = (t.GBA.call(t.GAB.call(a)) - a).abs().mean().item<float>();
            backward = (t.GAB.call(t.GBA.call(b)) - b).abs().mean().item<float>();
        }
        t.Train(1);
        Assert.True(forward > 1e-3 && backward > 1e-3);
        Assert.Equal(forward + backward, t.History["Cycle"].Values[0], 4);
    }

    [Fact]
    public void One_iteration_trains_all_four_networks_and_fills_the_pools()
    {
        using var scope = torch.NewDisposeScope();
        var (a, b) = Domains(10);
        using var t = Make(a, b, seed: 3);
        var before = t.Networks.Select(n => Weights(n.Module)).ToList();
        t.Train(1);
        for (int i = 0; i < 4; i++) Assert.False(Same(before[i], Weights(t.Networks[i].Module)), $"{t.Networks[i].Name} did not train");
        Assert.Equal(4, t.PoolA.Count);
        foreach (var k in new[] { "Loss/G", "Loss/D", "Loss/D_A", "Loss/D_B", "Cycle", "Identity", "Adversarial/G" }) Assert.True(t.History.Contains(k), k);
        Assert.Equal(a.shape, t.AToB(a).shape);
        Assert.Equal(b.shape, t.BToA(b).shape);
    }

    [Fact]
    public void Without_the_cycle_loss_nothing_but_the_adversarial_terms_train_the_generators()
    {
        using var scope = torch.NewDisposeScope();
        var (a, b) = Domains(8);
        using var t = Make(a, b, seed: 4, new CycleGanConfig { LambdaCycle = 0 });
        t.Train(1);
        Assert.False(t.History.Contains("Cycle"));
        Assert.Equal(t.History["Adversarial/G"].Values[0], t.History["Loss/G"].Values[0], 6);
    }

    [Fact]
    public void A_resumed_run_continues_bit_identically_with_the_pools_in_the_checkpoint()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gannb-cyclegan-{Guid.NewGuid():N}.ckpt");
        try
        {
            using var scope = torch.NewDisposeScope();
            var (a, b) = Domains(10);
            using var full = Make(a, b, seed: 5);
            full.Train(3);            // pools (capacity 6) are full after 2 iterations: old fakes are in play
            full.Save(path);
            full.Train(3);
            using var resumed = Make(a, b, seed: 77);
            resumed.Load(path);
            resumed.Train(3);
            for (int i = 0; i < 4; i++) Assert.True(Same(Weights(full.Networks[i].Module), Weights(resumed.Networks[i].Module)), $"network {i} differs after resuming");
            Assert.Equal(full.History["Loss/D"].Values, resumed.History["Loss/D"].Values);
            Assert.Equal(full.PoolA.OldReturned, resumed.PoolA.OldReturned);
        }
        finally { if (File.Exists(path)) File.Delete(path); }
    }

    [Fact]
    public void Invalid_configurations_throw_with_the_fix()
    {
        Assert.Contains("λ", Assert.Throws<ArgumentException>(() => new CycleGanConfig { LambdaCycle = -1 }.Validate()).Message);
        Assert.Throws<ArgumentException>(() => new CycleGanConfig { IdentityWeight = double.NaN }.Validate());
        Assert.Contains("history", Assert.Throws<ArgumentException>(() => new CycleGanConfig { PoolSize = -1 }.Validate()).Message);
        Assert.Throws<ArgumentException>(() => new CycleGanConfig { BatchSize = 0 }.Validate());
        using var scope = torch.NewDisposeScope();
        var (a, b) = Domains(4);
        var g = new ResnetGenerator(1, 2, 1); var d = new PatchDiscriminator(1, 2, 1);
        var sa = new AlignedBatches(0, "data A", a);
        Assert.Contains("two distinct generators", Assert.Throws<ArgumentException>(() => new CycleGanTrainer(g, g, d, new PatchDiscriminator(1, 2, 1), sa, new AlignedBatches(0, "data B", b))).Message);
        Assert.Contains("separate samplers", Assert.Throws<ArgumentException>(() => new CycleGanTrainer(g, new ResnetGenerator(1, 2, 1), d, new PatchDiscriminator(1, 2, 1), sa, sa)).Message);
    }
}

public class ImagePoolTests
{
    static Tensor Ids(int from, int n) => torch.arange(from, from + n).to_type(ScalarType.Float32).reshape(n, 1, 1, 1);

    [Fact]
    public void Until_full_it_returns_and_stores_every_new_image()
    {
        using var scope = torch.NewDisposeScope();
        using var pool = new ImagePool(50, seed: 1);
        for (int k = 0; k < 5; k++)
        {
            var batch = Ids(10 * k, 10);
            Assert.Equal(batch.data<float>().ToArray(), pool.Query(batch).data<float>().ToArray());
        }
        Assert.Equal(50, pool.Count);
        Assert.Equal(0, pool.OldReturned);
    }

    [Fact]
    public void Once_full_it_returns_old_and_new_fakes_half_and_half_and_keeps_fifty()
    {
        using var scope = torch.NewDisposeScope();
        using var pool = new ImagePool(50, seed: 2);
        pool.Query(Ids(0, 50));
        var seen = Enumerable.Range(0, 50).Select(i => (float)i).ToHashSet();
        long old = 0, total = 0;
        int next = 50;
        for (int k = 0; k < 2000; k++)
        {
            var batch = Ids(next, 10);
            var got = pool.Query(batch).flatten().data<float>().ToArray();
            for (int i = 0; i < 10; i++)
            {
                float fresh = next + i;
                if (got[i] != fresh)
                {
                    Assert.Contains(got[i], seen);          // an old fake: one that went in earlier (possibly earlier in this batch, as in the paper's code)
                    old++;
                }
                seen.Add(fresh);
                total++;
            }
            next += 10;
            Assert.Equal(50, pool.Count);
        }
        double fraction = old / (double)total;   // paper: ½; s.e. √(¼/20000) ≈ 0.0035
        Assert.InRange(fraction, 0.48, 0.52);
        Assert.Equal(old, pool.OldReturned);
    }

    [Fact]
    public void Size_zero_passes_images_through_and_the_result_is_detached()
    {
        using var scope = torch.NewDisposeScope();
        using var off = new ImagePool(0);
        var x = torch.randn(4, 1, 2, 2).requires_grad_(true);
        var y = off.Query(x);
        Assert.Equal(x.data<float>().ToArray(), y.data<float>().ToArray());
        Assert.False(y.requires_grad);
        Assert.Equal(0, off.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImagePool(-1));
    }
}
