using GanNotebooks.Nets;
using TorchSharp;
using static TorchSharp.torch;
using static GanNotebooks.Tests.Training.TrainerTestKit;

namespace GanNotebooks.Tests.Nets;

public class EnsembleTests
{
    [Fact]
    public void Ensemble_linear_is_K_independent_affine_maps()
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(3);
        var lin = new EnsembleLinear(members: 3, inFeatures: 4, outFeatures: 5);
        Assert.Equal(new long[] { 3, 4, 5 }, lin.Weight.shape);
        Assert.Equal(new long[] { 3, 1, 5 }, lin.Bias.shape);
        var x = torch.randn(3, 7, 4);
        var y = lin.call(x);
        Assert.Equal(new long[] { 3, 7, 5 }, y.shape);
        for (int k = 0; k < 3; k++)
        {
            var expected = x[k].matmul(lin.Weight[k]) + lin.Bias[k];
            Assert.True((y[k] - expected).abs().max().item<float>() < 1e-6, $"member {k}");
        }
        // a single nn.Linear copied into member 1 computes what the Linear computes
        var single = nn.Linear(4, 5);
        lin.CopyMember(1, single.weight!, single.bias);
        Assert.True((lin.call(x)[1] - single.call(x[1])).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void Wrong_shapes_throw_with_the_expected_shape()
    {
        using var s = torch.NewDisposeScope();
        var g = new EnsembleMlpGenerator(members: 2, zDim: 2, xDim: 2, hidden: 8, depth: 1);
        var e = Assert.Throws<ArgumentException>(() => g.call(torch.randn(5, 3, 2)));
        Assert.Contains("[B, K=2, 2]", e.Message);
        Assert.Equal(new long[] { 5, 2, 2 }, g.call(torch.randn(5, 2, 2)).shape);
        var d = new EnsembleMlpDiscriminator(members: 2, xDim: 2, hidden: 8, depth: 1);
        Assert.Equal(new long[] { 5, 2 }, d.call(torch.randn(5, 2, 2)).shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleLinear(0, 2, 2));
        var lin = new EnsembleLinear(2, 3, 4);
        Assert.Throws<ArgumentException>(() => lin.CopyMember(0, torch.zeros(3, 4), null)); // Linear weights are [out, in]
    }

    [Fact]
    public void Functional_forward_with_own_weights_equals_forward()
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(5);
        var d = new EnsembleMlpDiscriminator(members: 3, xDim: 2, hidden: 8, depth: 2);
        var x = torch.randn(6, 3, 2);
        Assert.Equal(Flat(d.call(x)), Flat(d.Forward(d.Weights, x)));
        var single = new MlpDiscriminator(2, hidden: 8, depth: 2);
        var xs = torch.randn(6, 2);
        Assert.Equal(Flat(single.call(xs)), Flat(single.Forward(single.Weights, xs)));
        // other weights give another function, and the parameters are not touched
        var before = Weights(single);
        var shifted = single.Weights.Select(w => w + 0.1).ToList();
        Assert.NotEqual(Flat(single.call(xs)), Flat(single.Forward(shifted, xs)));
        Assert.True(Same(before, Weights(single)));
        var normed = new Mlp(new[] { 2, 4, 1 }, norm: MlpNorm.LayerNorm);
        Assert.Throws<NotSupportedException>(() => normed.ForwardWith(normed.parameters().Select(p => (Tensor)p).ToList(), xs));
    }
}
