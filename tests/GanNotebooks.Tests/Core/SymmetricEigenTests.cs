using GanNotebooks.Core;

namespace GanNotebooks.Tests.Core;

public class SymmetricEigenTests
{
    [Fact]
    public void EigenDecompositionReconstructsTheMatrix()
    {
        var a = new double[,] { { 4, 1, 0.5 }, { 1, 3, 0.2 }, { 0.5, 0.2, 1 } };
        var (vals, vecs) = SymmetricEigen.Decompose(a);
        Assert.True(vals[0] <= vals[1] && vals[1] <= vals[2]);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(a[i, j], Enumerable.Range(0, 3).Sum(k => vecs[i, k] * vals[k] * vecs[j, k]), 12);
        var root = SymmetricEigen.SqrtPsd(a);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(a[i, j], Enumerable.Range(0, 3).Sum(k => root[i, k] * root[k, j]), 12);
    }
}
