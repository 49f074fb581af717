using GanNotebooks.Nets;
using GanNotebooks.Losses;
using GanNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Nets;

public class SpectralNormTests
{
    [Fact]
    public void Power_iteration_converges_to_the_largest_singular_value()
    {
        // W = diag(3, 2, 1) rotated: singular values 3, 2, 1.
        using var scope = NewDisposeScope();
        var q = torch.linalg.qr(randn(new long[] { 3, 3 }, generator: new Generator(1), dtype: ScalarType.Float64)).Q;
        var w = q.mm(diag(tensor(new double[] { 3, 2, 1 }))).mm(q.t());
        var u = nn.functional.normalize(ones(3, dtype: ScalarType.Float64), dim: 0);
        var v = nn.functional.normalize(ones(3, dtype: ScalarType.Float64), dim: 0);
        var sigma = SpectralNorm.Sigma(w, u, v, iterations: 60).item<double>();
        Assert.Equal(3.0, sigma, 6);
        Assert.Equal(3.0, SpectralNorm.ExactSigma(w), 9);
        // u and v were updated to the top singular vectors: W v = σ u
        Assert.True((w.mv(v) - sigma * u).abs().max().item<double>() < 1e-5);
    }

    [Fact]
    public void Exact_sigma_names_non_finite_weights_and_survives_a_failing_svd()
    {
        using var scope = NewDisposeScope();
        // W = A diag(3, 2, 0.5) Bᵀ with A [3, 3] orthogonal and B [4, 3] orthonormal columns: σ = 3, 2, 0.5
        var a = torch.linalg.qr(randn(new long[] { 3, 3 }, generator: new Generator(2), dtype: ScalarType.Float64)).Q;
        var b = torch.linalg.qr(randn(new long[] { 4, 3 }, generator: new Generator(3), dtype: ScalarType.Float64)).Q;
        var w = a.mm(diag(tensor(new double[] { 3, 2, 0.5 }))).mm(b.t());
        Tensor Failing(Tensor m) => throw new System.Runtime.InteropServices.ExternalException("linalg.svd: The algorithm failed to converge (error code: 3).");
        Assert.Equal(3.0, SpectralNorm.ExactSigma(w, Failing), 12);
        Assert.Equal(3.0, SpectralNorm.ExactSigma(w.t(), Failing), 12);   // the other Gram matrix
        var bad = w.clone();
        bad[1, 2] = tensor(double.NaN);
        var e = Assert.Throws<ArgumentException>(() => SpectralNorm.ExactSigma(bad));
        Assert.Contains("1 non-finite", e.Message);
        Assert.Contains("[3, 4]", e.Message);
    }

    [Fact]
    public void A_trained_layer_divides_by_sigma_so_the_normalized_weight_has_spectral_norm_one()
    {
        Seeding.Seed(3);
        var conv = new SNConv2d(4, 6, 3, stride: 1, padding: 1);
        conv.train();
        using var x = randn(2, 4, 5, 5);
        for (int i = 0; i < 40; i++) using (var _ = conv.call(x)) { }   // 40 forwards = 40 power iterations
        double exact = SpectralNorm.ExactSigma(conv.weight);
        Assert.Equal(exact, conv.SigmaEstimate, 4);
        using var wsn = conv.NormalizedWeight();
        Assert.Equal(1.0, SpectralNorm.ExactSigma(wsn), 3);
        // the output is the plain convolution with W / σ
        using var y = conv.call(x);
        using var expected = nn.functional.conv2d(x, conv.weight / conv.SigmaEstimate, conv.bias, padding: new long[] { 1, 1 });
        Assert.True((y - expected).abs().max().item<float>() < 1e-4);
    }

    [Fact]
    public void Eval_mode_does_not_update_the_power_iteration_vectors_and_training_mode_does()
    {
        Seeding.Seed(4);
        var lin = new SNLinear(5, 3);
        using var x = randn(7, 5);
        lin.eval();
        var u0 = lin.u.clone();
        var v0 = lin.v.clone();
        using (var _ = lin.call(x)) { }
        Assert.True(Same(lin.u, u0) && Same(lin.v, v0), "an eval-mode forward changed u or v");
        lin.train();
        using (var _ = lin.call(x)) { }
        Assert.False(Same(lin.u, u0), "a training-mode forward did not run the power iteration");
    }

    internal static bool Same(Tensor a, Tensor b) => a.data<float>().ToArray().SequenceEqual(b.data<float>().ToArray());

    [Fact]
    public void Two_forwards_before_one_backward_work_and_the_gradient_reaches_the_weight()
    {
        // A GAN D step calls D on the real and on the fake batch, then backpropagates once.
        Seeding.Seed(5);
        var d = new DcganDiscriminator(DcganOptions.Gray28 with { Width = 8, SpectralNorm = true });
        Assert.Empty(d.modules().OfType<BatchNorm2d>());
        Assert.Equal(3, d.modules().OfType<SpectralNormLayer>().Count());   // two convs and the head
        using var real = randn(4, 1, 28, 28);
        using var fake = randn(4, 1, 28, 28);
        var loss = GanLosses.DiscriminatorBce(d.call(real), d.call(fake));
        loss.backward();
        foreach (var l in d.modules().OfType<SpectralNormLayer>())
            Assert.True(l.weight.grad is not null && l.weight.grad.abs().sum().item<float>() > 0);
    }
}

public class SelfAttentionTests
{
    [Fact]
    public void With_gamma_zero_the_block_is_the_identity_and_attention_rows_sum_to_one()
    {
        Seeding.Seed(6);
        var sa = new SelfAttention2d(16);
        using var x = randn(2, 16, 5, 4);
        using var y = sa.call(x);
        Assert.Equal(x.shape, y.shape);
        Assert.True(SpectralNormTests.Same(y.contiguous(), x), "γ = 0 must give back the input exactly");
        using var beta = sa.Attention(x);
        Assert.Equal(new long[] { 2, 20, 20 }, beta.shape);
        Assert.True((beta.sum(-1) - 1).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void With_gamma_nonzero_every_output_position_sees_every_input_position()
    {
        Seeding.Seed(7);
        var sa = new SelfAttention2d(8);
        using (no_grad()) sa.gamma.fill_(1.0);
        using var x = randn(1, 8, 6, 6);
        using var changed = x.clone();
        using (no_grad()) changed[0, .., 5, 5].add_(3.0);   // change only the bottom-right position
        using var y0 = sa.call(x);
        using var y1 = sa.call(changed);
        // the top-left output changes although a 1×1 or 3×3 convolution could not see that far
        Assert.True((y0[0, .., 0, 0] - y1[0, .., 0, 0]).abs().max().item<float>() > 1e-6);
        Assert.Throws<ArgumentException>(() => sa.call(randn(1, 4, 6, 6)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SelfAttention2d(4));
    }

    [Fact]
    public void Dcgan_presets_with_self_attention_and_spectral_norm_keep_their_shapes()
    {
        Seeding.Seed(8);
        var opts = DcganOptions.Gray28 with { Width = 8, SelfAttention = true, SpectralNorm = true };
        var g = new DcganGenerator(opts);
        var d = new DcganDiscriminator(opts);
        Assert.Single(g.modules().OfType<SelfAttention2d>());
        Assert.Single(d.modules().OfType<SelfAttention2d>());
        using var z = randn(3, opts.ZDim);
        using var x = g.call(z);
        Assert.Equal(new long[] { 3, 1, 28, 28 }, x.shape);
        using var logits = d.call(x);
        Assert.Equal(new long[] { 3 }, logits.shape);
        Assert.Contains("at least 8", Assert.Throws<ArgumentException>(() => (DcganOptions.Gray28 with { Width = 4, SelfAttention = true }).Validate()).Message);
    }
}
