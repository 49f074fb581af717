using GanNotebooks.Core;
using TorchSharp;

namespace GanNotebooks.Tests.Core;

public class TensorArraysTests
{
    [Fact]
    public void TensorRoundTripKeepsValues()
    {
        var m = new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } };
        using var t = m.ToTensor(torch.CPU, torch.ScalarType.Float64);
        Assert.Equal(new long[] { 3, 2 }, t.shape);
        Assert.Equal(m, t.ToMatrix());
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, t.ToVector());
    }
}
