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
        Assert.Equal(vals, SymmetricEigen.Values(a), new Tolerance(1e-13));
    }

    [Fact]
    public void SecondDifferenceMatrixHasItsKnownSpectrum()
    {
        // tridiag(−1, 2, −1) of size n: λ_k = 2 − 2 cos(kπ/(n+1)), v_k(i) ∝ sin(ikπ/(n+1)), k = 1..n (ascending)
        const int n = 60;
        var a = new double[n, n];
        for (int i = 0; i < n; i++) { a[i, i] = 2; if (i > 0) a[i, i - 1] = a[i - 1, i] = -1; }
        var expected = Enumerable.Range(1, n).Select(k => 2 - 2 * Math.Cos(k * Math.PI / (n + 1))).ToArray();
        Assert.Equal(expected, SymmetricEigen.Values(a), new Tolerance(1e-13));
        var (vals, vecs) = SymmetricEigen.Decompose(a);
        Assert.Equal(expected, vals, new Tolerance(1e-13));
        AssertOrthonormal(vecs);
        for (int k = 0; k < n; k += 7)   // the eigenvector up to sign: |⟨v_k, sin(i(k+1)π/(n+1))⟩| = its norm
        {
            var s = Enumerable.Range(1, n).Select(i => Math.Sin(i * (k + 1) * Math.PI / (n + 1))).ToArray();
            double norm = Math.Sqrt(s.Sum(x => x * x));
            Assert.Equal(1.0, Math.Abs(Enumerable.Range(0, n).Sum(i => vecs[i, k] * s[i])) / norm, 12);
        }
    }

    [Fact]
    public void RankDeficientMatricesWithRepeatedEigenvaluesConverge()
    {
        // Q diag(λ) Qᵀ with rank 6 of 150 (a cluster of 144 zeros, as the covariance of 7 samples in 150 dimensions)
        // and a repeated eigenvalue: the clustered null space used to defeat a convergence test relative to the diagonal.
        const int d = 150;
        var lambda = new double[d];
        double[] nonzero = { 5, 5, 3, 1, 1e-3, 0.25 };
        Array.Copy(nonzero, lambda, nonzero.Length);
        var a = TestMatrices.Conjugate(TestMatrices.RandomOrthogonal(d, seed: 7), lambda);
        var expected = lambda.OrderBy(x => x).ToArray();
        Assert.Equal(expected, SymmetricEigen.Values(a), new Tolerance(1e-12));
        var (vals, vecs) = SymmetricEigen.Decompose(a);
        Assert.Equal(expected, vals, new Tolerance(1e-12));
        AssertOrthonormal(vecs);
        for (int i = 0; i < d; i += 13)
            for (int j = 0; j < d; j += 11)
                Assert.Equal(a[i, j], Enumerable.Range(0, d).Sum(k => vecs[i, k] * vals[k] * vecs[j, k]), 12);
        // the zero matrix and the identity (every eigenvalue repeated)
        Assert.All(SymmetricEigen.Values(new double[5, 5]), l => Assert.Equal(0.0, l));
        Assert.All(SymmetricEigen.Values(TestMatrices.Conjugate(TestMatrices.RandomOrthogonal(9, 3), Enumerable.Repeat(2.0, 9).ToArray())), l => Assert.Equal(2.0, l, 13));
    }

    [Fact]
    public void SmallSizesWork()
    {
        Assert.Empty(SymmetricEigen.Values(new double[0, 0]));
        Assert.Equal(new[] { -3.0 }, SymmetricEigen.Values(new double[,] { { -3 } }));
        var (v2, q2) = SymmetricEigen.Decompose(new double[,] { { 2, 1 }, { 1, 2 } });
        Assert.Equal(new[] { 1.0, 3.0 }, v2, new Tolerance(1e-14));
        Assert.Equal(1 / Math.Sqrt(2), Math.Abs(q2[0, 1]), 14);
    }

    [Fact]
    public void NonFiniteOrNonSquareInputThrowsAndAnUnconvergedIterationIsAnError()
    {
        var bad = new double[,] { { 1, 0 }, { 0, double.NaN } };
        Assert.Contains("[1, 1]", Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose(bad)).Message);
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Values(new double[,] { { 1, double.PositiveInfinity }, { 0, 1 } }));
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Values(new double[2, 3]));
        // one QL step per eigenvalue is not enough for this matrix: an exception, never an unconverged answer
        var a = new double[30, 30];
        for (int i = 0; i < 30; i++) { a[i, i] = 2; if (i > 0) a[i, i - 1] = a[i - 1, i] = -1; }
        Assert.Contains("did not converge", Assert.Throws<ArithmeticException>(() => SymmetricEigen.Values(a, maxIterations: 1)).Message);
    }

    static void AssertOrthonormal(double[,] v)
    {
        int n = v.GetLength(0);
        for (int a = 0; a < n; a += 5)
            for (int b = 0; b < n; b += 3)
                Assert.Equal(a == b ? 1.0 : 0.0, Enumerable.Range(0, n).Sum(i => v[i, a] * v[i, b]), 12);
    }
}

/// <summary>Test matrices with a known spectrum.</summary>
internal static class TestMatrices
{
    /// <summary>A random orthogonal matrix [d, d]: Gram–Schmidt (twice, for orthogonality to rounding) on seeded Gaussians.</summary>
    public static double[,] RandomOrthogonal(int d, int seed)
    {
        var rng = new Random(seed);
        var q = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                q[i, j] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        for (int c = 0; c < d; c++)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int p = 0; p < c; p++)
                {
                    double dot = 0;
                    for (int i = 0; i < d; i++) dot += q[i, c] * q[i, p];
                    for (int i = 0; i < d; i++) q[i, c] -= dot * q[i, p];
                }
            double norm = 0;
            for (int i = 0; i < d; i++) norm += q[i, c] * q[i, c];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < d; i++) q[i, c] /= norm;
        }
        return q;
    }

    /// <summary>Q diag(λ) Qᵀ [d, d].</summary>
    public static double[,] Conjugate(double[,] q, double[] lambda)
    {
        int d = lambda.Length;
        var a = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int k = 0; k < d; k++) s += q[i, k] * lambda[k] * q[j, k];
                a[i, j] = s;
            }
        return a;
    }

    /// <summary>Rows of <paramref name="x"/> [n, d] times Qᵀ: the same point cloud, rotated.</summary>
    public static double[,] Rotate(double[,] x, double[,] q)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var r = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int k = 0; k < d; k++) s += q[j, k] * x[i, k];
                r[i, j] = s;
            }
        return r;
    }
}

/// <summary>Element-wise absolute tolerance for Assert.Equal on double sequences.</summary>
internal sealed class Tolerance(double tol) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= tol;
    public int GetHashCode(double obj) => 0;
}
