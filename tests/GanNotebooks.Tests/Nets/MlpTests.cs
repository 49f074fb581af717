using GanNotebooks.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Nets;

public class MlpTests
{
    [Fact]
    public void ShapesOfMlpAndPresets()
    {
        using var s = torch.NewDisposeScope();
        var mlp = new Mlp(new[] { 2, 16, 16, 3 });
        Assert.Equal(new long[] { 5, 3 }, mlp.call(torch.randn(5, 2)).shape);
        var g = new MlpGenerator(zDim: 4, xDim: 2, hidden: 8);
        Assert.Equal(new long[] { 7, 2 }, g.call(torch.randn(7, 4)).shape);
        var d = new MlpDiscriminator(xDim: 2, hidden: 8);
        Assert.Equal(new long[] { 7 }, d.call(torch.randn(7, 2)).shape);
        // image-shaped input is flattened: [B, 1, 4, 4] with xDim 16
        var d2 = new MlpDiscriminator(xDim: 16, hidden: 8, depth: 1);
        Assert.Equal(new long[] { 3 }, d2.call(torch.randn(3, 1, 4, 4)).shape);
    }

    [Fact]
    public void DefaultsAreThreeHiddenLayersOf128()
    {
        var g = new MlpGenerator(2, 2);
        // (2·128 + 128) + 2·(128·128 + 128) + (128·2 + 2)
        Assert.Equal(384 + 2 * 16512 + 258, g.ParameterCount());
        var d = new MlpDiscriminator(2);
        Assert.Equal(384 + 2 * 16512 + 129, d.ParameterCount());
        var keys = d.state_dict().Keys.ToList();
        Assert.Contains("net.net.0.weight", keys);
        Assert.Contains(d.modules(), m => m.GetType().Name.Contains("LeakyReLU"));
        Assert.DoesNotContain(g.modules(), m => m.GetType().Name.Contains("BatchNorm"));
    }

    [Fact]
    public void OutputActivationBoundsTheOutput()
    {
        using var s = torch.NewDisposeScope();
        var g = new MlpGenerator(2, 3, hidden: 8, depth: 1, output: Activation.Tanh);
        var y = g.call(torch.randn(8, 2) * 100);
        Assert.True(y.abs().max().item<float>() <= 1f);
    }

    [Theory]
    [InlineData(MlpNorm.None)]
    [InlineData(MlpNorm.LayerNorm)]
    [InlineData(MlpNorm.BatchNorm)]
    public void InEvalModeASampleDoesNotDependOnItsBatch(MlpNorm norm)
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(3);
        var g = new MlpGenerator(4, 2, hidden: 8, depth: 2, norm: norm);
        // a few train-mode passes so BatchNorm's running statistics are not the identity
        for (int i = 0; i < 3; i++) g.call(torch.randn(8, 4));
        g.eval();
        using var ng = torch.no_grad();
        var z = torch.randn(8, 4);
        var batch = g.call(z);
        var alone = g.call(z[..1]);
        var other = g.call(torch.cat(new[] { z[..1], torch.randn(5, 4) * 10 }));
        Assert.True(torch.allclose(batch[..1], alone, atol: 1e-6));
        Assert.True(torch.allclose(other[..1], alone, atol: 1e-6));
    }

    [Fact]
    public void BatchNormInTrainModeCouplesTheBatch()
    {
        // the reason eval mode matters: in train mode BatchNorm mixes samples
        using var s = torch.NewDisposeScope();
        torch.manual_seed(4);
        var g = new MlpGenerator(4, 2, hidden: 8, depth: 2, norm: MlpNorm.BatchNorm);
        var z = torch.randn(4, 4);
        var a = g.call(z);
        var b = g.call(torch.cat(new[] { z[..1], torch.randn(3, 4) * 10 }));
        Assert.False(torch.allclose(a[..1], b[..1], atol: 1e-4));
    }

    [Fact]
    public void InvalidSizesAreClearErrors()
    {
        Assert.Contains("at least an input and an output", Assert.Throws<ArgumentException>(() => new Mlp(new[] { 3 })).Message);
        Assert.Contains("sizes[1] = 0", Assert.Throws<ArgumentException>(() => new Mlp(new[] { 3, 0, 1 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlpGenerator(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlpDiscriminator(2, depth: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Activation.LeakyReLU(1.5));
        using var s = torch.NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => new Mlp(new[] { 3, 1 }).call(torch.randn(2, 4)));
        Assert.Contains("expects input [B, 3]", ex.Message);
    }
}

public class NetUtilsTests
{
    [Fact]
    public void GradNormIsTheGlobalL2NormOfGradients()
    {
        using var s = torch.NewDisposeScope();
        var m = new Mlp(new[] { 1, 1 });
        Assert.Equal(0, m.GradNorm());
        // y = w·3 + b ⇒ ∂y/∂w = 3, ∂y/∂b = 1 ⇒ norm √10
        m.call(torch.full(1, 1, 3f)).sum().backward();
        Assert.Equal(Math.Sqrt(10), m.GradNorm(), 5);
    }

    [Fact]
    public void FreezeUnfreezeAndFrozenScope()
    {
        var m = new Mlp(new[] { 2, 3, 1 });
        long all = m.ParameterCount();
        m.Freeze();
        Assert.Equal(0, m.ParameterCount(trainableOnly: true));
        m.Unfreeze();
        Assert.Equal(all, m.ParameterCount(trainableOnly: true));
        using (m.Frozen()) Assert.All(m.parameters(), p => Assert.False(p.requires_grad));
        Assert.All(m.parameters(), p => Assert.True(p.requires_grad));
    }
}
