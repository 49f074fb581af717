using GanNotebooks.Nets;
using GanNotebooks.Variants.Bigan;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Bigan;

public class BiGanNetsTests
{
    [Fact]
    public void PackPutsFlattenedXThenZ()
    {
        using var s = torch.NewDisposeScope();
        var x = torch.arange(8, dtype: ScalarType.Float32).reshape(2, 1, 2, 2);   // [[0..3], [4..7]]
        var z = torch.tensor(new float[] { 10, 11, 12, 13, 14, 15 }).reshape(2, 3);
        var p = BiGanDiscriminator.Pack(x, z);
        Assert.Equal(new long[] { 2, 7 }, p.shape);
        Assert.Equal(new float[] { 0, 1, 2, 3, 10, 11, 12, 4, 5, 6, 7, 13, 14, 15 }, p.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => BiGanDiscriminator.Pack(x, torch.zeros(3, 3)));
    }

    [Fact]
    public void MlpJointDiscriminatorGivesOneLogitPerPair()
    {
        using var s = torch.NewDisposeScope();
        var d = BiGanDiscriminator.Mlp(xDim: 16, zDim: 3, hidden: 8, depth: 2, jointDepth: 1);
        Assert.Equal(16, d.XDim);
        Assert.Equal(3, d.ZDim);
        Assert.Equal(new long[] { 5 }, d.call(torch.randn(5, 19)).shape);
        Assert.Equal(new long[] { 5 }, d.Score(torch.randn(5, 1, 4, 4), torch.randn(5, 3)).shape);
        // x-path 16→8→8, z-path 3→8→8, joint 16→8→1
        Assert.Equal((136 + 72) + (32 + 72) + (136 + 9), d.ParameterCount());
        var keys = d.state_dict().Keys.ToList();
        Assert.Contains("xpath.0.weight", keys);
        Assert.Contains("zpath.0.weight", keys);
        Assert.Contains("joint.2.weight", keys);
    }

    [Fact]
    public void JointDiscriminatorDependsOnBothParts()
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(4);
        var d = BiGanDiscriminator.Mlp(xDim: 4, zDim: 2, hidden: 8);
        using var ng = torch.no_grad();
        var x = torch.randn(3, 4);
        var z = torch.randn(3, 2);
        var baseLogit = d.Score(x, z);
        Assert.False(torch.allclose(baseLogit, d.Score(x + 1, z)));
        Assert.False(torch.allclose(baseLogit, d.Score(x, z + 1)));
    }

    [Fact]
    public void Conv28JointDiscriminatorTakesImagesAndCodes()
    {
        using var s = torch.NewDisposeScope();
        var d = BiGanDiscriminator.Conv28(zDim: 4, channels: 1, width: 2, hidden: 8, dropout: 0.2);
        Assert.Equal(new long[] { 1, 28, 28 }, d.XShape);
        Assert.Equal(new long[] { 3 }, d.Score(torch.randn(3, 1, 28, 28), torch.randn(3, 4)).shape);
        Assert.Equal(new long[] { 3 }, d.call(torch.randn(3, 784 + 4)).shape);
        Assert.Contains(d.modules(), m => m.GetType().Name.Contains("Dropout"));
    }

    [Fact]
    public void WrongPackedWidthAndBadKnobsThrowWithTheFix()
    {
        using var s = torch.NewDisposeScope();
        var d = BiGanDiscriminator.Mlp(xDim: 4, zDim: 2, hidden: 8);
        var ex = Assert.Throws<ArgumentException>(() => d.call(torch.randn(3, 5)));
        Assert.Contains("Pack", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BiGanDiscriminator.Mlp(4, 2, dropout: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BiGanDiscriminator.Mlp(4, 2, depth: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BiGanDiscriminator.Mlp(0, 2));
    }

    [Fact]
    public void BiGanGeneratorIsGForwardAndHoldsBothParameterSets()
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(5);
        var g = new MlpGenerator(2, 4, hidden: 8, depth: 1);
        var e = new MlpEncoder(4, 2, hidden: 8, depth: 1);
        var ge = new BiGanGenerator(g, e);
        var z = torch.randn(3, 2);
        Assert.True(torch.allclose(ge.call(z), g.call(z)));
        Assert.Equal(g.ParameterCount() + e.ParameterCount(), ge.ParameterCount());
        var keys = ge.state_dict().Keys.ToList();
        Assert.Contains(keys, k => k.StartsWith("generator.", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.StartsWith("encoder.", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new BiGanGenerator(g, g));
    }

    [Fact]
    public void EvalHelpersChunkWithoutGradientAndRestoreTheMode()
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(6);
        var g = new MlpGenerator(2, 4, hidden: 8, depth: 1);
        var e = new MlpEncoder(4, 2, hidden: 8, depth: 1);
        var ge = new BiGanGenerator(g, e);
        ge.train();
        var x = torch.randn(7, 4);
        var z = ge.EncodeEval(x, batchSize: 3);                   // chunks of 3, 3, 1
        Assert.Equal(new long[] { 7, 2 }, z.shape);
        Assert.False(z.requires_grad);
        Assert.True(e.training);
        using (torch.no_grad())
        {
            Assert.True(torch.allclose(z, e.call(x), 1e-6, 1e-6));
            Assert.True(torch.allclose(ge.ReconstructEval(x, 2), g.call(e.call(x)), 1e-6, 1e-6));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => BiGanGenerator.ApplyEval(e, x, 0));
    }
}
