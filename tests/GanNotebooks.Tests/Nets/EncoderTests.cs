using GanNotebooks.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Nets;

public class EncoderTests
{
    [Fact]
    public void MlpEncoderMapsFlatOrImageInputToZ()
    {
        using var s = torch.NewDisposeScope();
        var e = new MlpEncoder(xDim: 16, zDim: 3, hidden: 8, depth: 2);
        Assert.Equal(new long[] { 4, 3 }, e.call(torch.randn(4, 16)).shape);
        Assert.Equal(new long[] { 4, 3 }, e.call(torch.randn(4, 1, 4, 4)).shape);
        // (16·8 + 8) + (8·8 + 8) + (8·3 + 3)
        Assert.Equal(136 + 72 + 27, e.ParameterCount());
        Assert.Contains(e.modules(), m => m.GetType().Name.Contains("LeakyReLU"));
    }

    [Fact]
    public void MlpEncoderRejectsAWrongInputSize()
    {
        using var s = torch.NewDisposeScope();
        var e = new MlpEncoder(xDim: 16, zDim: 3, hidden: 8);
        var ex = Assert.Throws<ArgumentException>(() => e.call(torch.randn(4, 15)));
        Assert.Contains("16 values per sample", ex.Message);
    }

    [Fact]
    public void ConvEncoder28MapsImagesAndFlatVectorsToTheSameCodes()
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(1);
        var e = new ConvEncoder28(zDim: 5, channels: 1, width: 4);
        var x = torch.randn(3, 1, 28, 28);
        var z = e.call(x);
        Assert.Equal(new long[] { 3, 5 }, z.shape);
        var zFlat = e.call(x.reshape(3, 784));
        Assert.True(torch.allclose(z, zFlat));
    }

    [Fact]
    public void ConvEncoder28RejectsOtherImageSizes()
    {
        using var s = torch.NewDisposeScope();
        var e = new ConvEncoder28(zDim: 5, width: 2);
        var ex = Assert.Throws<ArgumentException>(() => e.call(torch.randn(2, 1, 32, 32)));
        Assert.Contains("28, 28", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvEncoder28(zDim: 0));
    }

    [Fact]
    public void ConvEncoder28WithBatchNormIsBatchIndependentInEvalMode()
    {
        using var s = torch.NewDisposeScope();
        torch.manual_seed(2);
        var e = new ConvEncoder28(zDim: 3, width: 2, batchNorm: true);
        for (int i = 0; i < 3; i++) e.call(torch.randn(4, 1, 28, 28));
        e.eval();
        using var ng = torch.no_grad();
        var x = torch.randn(4, 1, 28, 28);
        var all = e.call(x);
        var first = e.call(x[..1]);
        Assert.True(torch.allclose(all[..1], first, 1e-5, 1e-5));
    }
}
