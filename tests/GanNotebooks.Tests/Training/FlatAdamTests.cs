using GanNotebooks.Runtime;
using GanNotebooks.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Training;

public sealed class FlatAdamTests
{
    static nn.Module<Tensor, Tensor> Net(long seed)
    {
        Seeding.Seed(seed);
        // Odd sizes on purpose: tensors of 1, 3, 5·3·3·3 … elements, not multiples of the vector width.
        return nn.Sequential(
            nn.Conv2d(3, 5, 3, padding: 1), nn.LeakyReLU(0.2),
            nn.Conv2d(5, 7, 3, stride: 2, padding: 1), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(7 * 4 * 4, 3), nn.ReLU(), nn.Linear(3, 1));
    }

    static Tensor Loss(nn.Module<Tensor, Tensor> net, int step)
    {
        using var g = new torch.Generator((ulong)(100 + step));
        var x = torch.randn(new long[] { 4, 3, 8, 8 }, generator: g);
        return net.call(x).square().mean();
    }

    static float[][] Weights(nn.Module<Tensor, Tensor> net) => net.parameters().Select(p => TrainerTestKit.Flat(p)).ToArray();

    static void Train(nn.Module<Tensor, Tensor> net, optim.Optimizer opt, int steps)
    {
        for (int s = 0; s < steps; s++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            Loss(net, s).backward();
            opt.step();
        }
    }

    [Theory]
    [InlineData(1e-3, 0.9, 0.999, 1e-8, 0.0)]
    [InlineData(2e-4, 0.5, 0.999, 1e-8, 0.0)]
    [InlineData(1e-3, 0.0, 0.9, 1e-6, 0.0)]
    [InlineData(1e-2, 0.8, 0.99, 1e-3, 0.05)]
    public void Same_parameters_as_TorchSharps_Adam_to_float_rounding(double lr, double b1, double b2, double eps, double wd)
    {
        using var a = Net(3);
        using var b = Net(3);
        using var ref_ = optim.Adam(a.parameters(), lr, b1, b2, eps, wd);
        using var flat = new FlatAdam(b.parameters(), lr, b1, b2, eps, wd);
        Assert.True(flat.IsFlat(0));
        Train(a, ref_, 25);
        Train(b, flat, 25);
        var wa = Weights(a);
        var wb = Weights(b);
        for (int i = 0; i < wa.Length; i++)
            for (int j = 0; j < wa[i].Length; j++)
                Assert.True(wa[i][j] == wb[i][j], $"tensor {i}[{j}]: {wa[i][j]} vs {wb[i][j]}");
    }

    [Fact]
    public void The_first_step_moves_every_weight_by_lr_times_the_sign_of_its_gradient()
    {
        // Kingma & Ba (2015), Alg. 1 at t = 1: m̂ = g, v̂ = g², so Δθ = −lr·g / (|g| + ε) ≈ −lr·sign(g).
        using var p = new Parameter(torch.tensor(new float[] { 1f, -2f, 0.5f, 3f }));
        using var opt = new FlatAdam([p], lr: 0.01, beta1: 0.5, beta2: 0.999, eps: 1e-8);
        var c = new[] { 0.3f, -4f, 2f, 0f };
        opt.zero_grad();
        using (var loss = (p * torch.tensor(c)).sum()) loss.backward();  // g = c
        opt.step();
        var after = TrainerTestKit.Flat(p);
        var before = new[] { 1f, -2f, 0.5f, 3f };
        for (int i = 0; i < 4; i++)
            Assert.Equal(before[i] - 0.01 * c[i] / (Math.Abs(c[i]) + 1e-8), after[i], 6);
    }

    [Fact]
    public void A_parameter_without_gradient_is_skipped_as_torch_skips_it()
    {
        Seeding.Seed(1);
        using var used = new Parameter(torch.randn(3, 5));
        using var unused = new Parameter(torch.randn(7));
        using var usedRef = new Parameter(used.detach().clone());
        using var unusedRef = new Parameter(unused.detach().clone());
        using var flat = new FlatAdam([used, unused], lr: 0.1, weight_decay: 0.01);
        using var reference = optim.Adam([usedRef, unusedRef], lr: 0.1, weight_decay: 0.01);
        for (int s = 0; s < 5; s++)
            foreach (var (opt, p) in new (optim.Optimizer, Parameter)[] { (flat, used), (reference, usedRef) })
            {
                opt.zero_grad();
                using (var loss = p.square().sum()) loss.backward();
                opt.step();
            }
        Assert.Equal(TrainerTestKit.Flat(usedRef), TrainerTestKit.Flat(used));
        Assert.Equal(TrainerTestKit.Flat(unusedRef), TrainerTestKit.Flat(unused)); // untouched by weight decay too
        Assert.Null(unused.grad);
    }

    [Fact]
    public void Gradients_set_to_null_or_replaced_between_steps_are_taken_back()
    {
        using var a = Net(5);
        using var b = Net(5);
        using var reference = optim.Adam(a.parameters(), 1e-2);
        using var flat = new FlatAdam(b.parameters(), 1e-2);
        for (int s = 0; s < 6; s++)
        {
            foreach (var (net, opt) in new (nn.Module<Tensor, Tensor>, optim.Optimizer)[] { (a, reference), (b, flat) })
            {
                using var scope = torch.NewDisposeScope();
                if (s % 2 == 1) net.zero_grad(); // set_to_none: autograd makes new gradient tensors
                opt.zero_grad();
                Loss(net, s).backward();
                opt.step();
            }
        }
        var wa = Weights(a);
        var wb = Weights(b);
        for (int i = 0; i < wa.Length; i++) Assert.Equal(wa[i], wb[i]);
    }

    [Fact]
    public void Saved_state_restores_into_a_fresh_optimizer_and_training_continues_bit_identically()
    {
        using var a = Net(9);
        using var optA = new FlatAdam(a.parameters(), 1e-2, 0.5, 0.99);
        Train(a, optA, 4);
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) { a.save(w); optA.save_state_dict(w); }
        for (int s = 4; s < 8; s++)
        {
            using var scope = torch.NewDisposeScope();
            optA.zero_grad(); Loss(a, s).backward(); optA.step();
        }

        using var b = Net(123);                                    // other initial weights, no optimizer history
        using var optB = new FlatAdam(b.parameters(), 1e-2, 0.5, 0.99);
        ms.Position = 0;
        using (var r = new BinaryReader(ms)) { b.load(r); optB.load_state_dict(r); }
        for (int s = 4; s < 8; s++)
        {
            using var scope = torch.NewDisposeScope();
            optB.zero_grad(); Loss(b, s).backward(); optB.step();
        }
        Assert.True(optB.IsFlat(0));
        var wa = Weights(a);
        var wb = Weights(b);
        for (int i = 0; i < wa.Length; i++) Assert.Equal(wa[i], wb[i]);
    }
}
