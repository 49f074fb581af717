using System.Runtime.InteropServices;
using GanNotebooks.Data.Toy;
using GanNotebooks.Core;
using GanNotebooks.Evaluation;
using GanNotebooks.Tests.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Evaluation;

public class FrechetDistanceTests
{
    [Fact]
    public void DiagonalCovariancesGiveTheClosedForm()
    {
        var mu1 = new[] { 0.0, 1.0, -2.0 }; var mu2 = new[] { 1.0, 1.0, 0.0 };
        var s1 = new[] { 1.0, 2.0, 0.5 }; var s2 = new[] { 3.0, 2.0, 1.5 }; // stds
        double expected = mu1.Zip(mu2, (a, b) => (a - b) * (a - b)).Sum() + s1.Zip(s2, (a, b) => (a - b) * (a - b)).Sum();
        Assert.Equal(expected, FrechetDistance.FromGaussians(mu1, Diag(s1), mu2, Diag(s2)), 10);
    }

    [Fact]
    public void RotatedCovarianceMatchesTheTwoByTwoClosedForm()
    {
        // Σ1 = I, Σ2 = R diag(4, 1/4) Rᵀ: tr(Σ1Σ2)^½ = 2 + ½ regardless of the rotation R
        double c = Math.Cos(0.7), s = Math.Sin(0.7);
        var r = new double[,] { { c, -s }, { s, c } };
        var s2 = new double[2, 2];
        var d = new[] { 4.0, 0.25 };
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 2; k++) s2[i, j] += r[i, k] * d[k] * r[j, k];
        double expected = 0 + 2 + 4.25 - 2 * 2.5;
        Assert.Equal(expected, FrechetDistance.FromGaussians(new[] { 0.0, 0 }, Diag(new[] { 1.0, 1 }), new[] { 0.0, 0 }, s2), 10);
    }

    [Fact]
    public void CommutingCovariancesGiveTheClosedForm()
    {
        // Σ1 = Q D1 Qᵀ, Σ2 = Q D2 Qᵀ (same eigenvectors, not diagonal): d² = ‖Δμ‖² + Σ (√d1 − √d2)², one variance 0
        var q = TestMatrices.RandomOrthogonal(6, seed: 11);
        var d1 = new[] { 4.0, 1.0, 0.09, 2.25, 0.0, 1.0 };
        var d2 = new[] { 1.0, 1.0, 0.25, 0.16, 0.49, 9.0 };
        var mu1 = new[] { 1.0, 0, 0, 2, 0, 0 }; var mu2 = new[] { 0.0, 0, 0, 0, 0, 1 };
        double expected = 1 + 4 + 1 + d1.Zip(d2, (a, b) => Math.Pow(Math.Sqrt(a) - Math.Sqrt(b), 2)).Sum();
        var r = FrechetDistance.MeasureGaussians(mu1, TestMatrices.Conjugate(q, d1), mu2, TestMatrices.Conjugate(q, d2));
        Assert.Equal(expected, r.Distance, 10);
        Assert.Equal(FrechetSolver.Managed, r.Solver);
        Assert.False(r.RidgeAdded);
        Assert.Null(r.Note);
    }

    [Fact]
    public void IdenticalFeatureSetsGiveZeroAndShiftsGiveTheSquaredShift()
    {
        var f = new GaussianMixture2D(new[] { (0.0, 0.0), (1.0, 2.0) }, 0.7).SampleArray(64, 4);
        Assert.Equal(0.0, FrechetDistance.FromFeatures(f, f), 9);
        var g = (double[,])f.Clone();
        for (int i = 0; i < 64; i++) { g[i, 0] += 3; g[i, 1] -= 1; }
        Assert.Equal(10.0, FrechetDistance.FromFeatures(f, g), 9);
    }

    [Theory]
    [InlineData(FrechetSolver.Auto)]
    [InlineData(FrechetSolver.Lapack)]
    [InlineData(FrechetSolver.Managed)]
    public void DiagonalGaussiansFromFeaturesMatchTheClosedFormOnEverySolver(FrechetSolver solver)
    {
        // Rows μ ± s_j e_j (2d rows): mean μ, covariance diag(2 s_j² / (2d − 1)) exactly.
        const int d = 12;
        var (x, v1) = PlusMinus(d, Enumerable.Range(0, d).Select(j => 0.3 + 0.1 * j).ToArray(), shift: 0.0);
        var (y, v2) = PlusMinus(d, Enumerable.Range(0, d).Select(j => 1.5 - 0.1 * j).ToArray(), shift: 0.5);
        double expected = d * 0.25 + ClosedForm(v1, v2);
        using var scope = NewDisposeScope();
        var r = FrechetDistance.Measure(x.ToTensor(CPU, ScalarType.Float64), y.ToTensor(CPU, ScalarType.Float64), solver: solver);
        Assert.Equal(expected, r.Distance, 10);
        Assert.Equal(d, r.Dimension);
        Assert.False(r.RidgeAdded);
        if (solver != FrechetSolver.Auto) Assert.Equal(solver, r.Solver);
        Assert.Equal(expected, FrechetDistance.Measure(x, y).Distance, 10);
        // float32 features (as the feature networks give them) are promoted to float64 first
        Assert.Equal(expected, FrechetDistance.Measure(x.ToTensor(CPU), y.ToTensor(CPU), solver: solver).Distance, 5);
    }

    [Theory]
    [InlineData(FrechetSolver.Lapack)]
    [InlineData(FrechetSolver.Managed)]
    public void FewerSamplesThanDimensionsStillGiveTheClosedForm(FrechetSolver solver)
    {
        // 20 samples in 40 dimensions (rank 10 each), supports overlapping in 5 dimensions, both clouds rotated by the
        // same Q: covariances are rank-deficient, not diagonal, and commute, so d² = ‖Δμ‖² + Σ_j (√v1_j − √v2_j)².
        const int d = 40;
        var s1 = new double[d]; var s2 = new double[d];
        for (int j = 0; j < 10; j++) { s1[j] = 0.5 + 0.1 * j; s2[j + 5] = 1.2 - 0.05 * j; }
        var (x, v1) = PlusMinus(d, s1, 0.0, onlyNonzero: true);
        var (y, v2) = PlusMinus(d, s2, 0.1, onlyNonzero: true);
        double expected = d * 0.01 + ClosedForm(v1, v2);
        var q = TestMatrices.RandomOrthogonal(d, seed: 5);
        using var scope = NewDisposeScope();
        var tx = TestMatrices.Rotate(x, q).ToTensor(CPU, ScalarType.Float64);
        var ty = TestMatrices.Rotate(y, q).ToTensor(CPU, ScalarType.Float64);
        Assert.Equal(20, tx.shape[0]);
        var r = FrechetDistance.Measure(tx, ty, solver: solver);
        Assert.Equal(expected, r.Distance, 9);
        Assert.Equal(solver, r.Solver);
        Assert.False(r.RidgeAdded);
        Assert.True(r.ImaginaryPart < 1e-6, $"imaginary part {r.ImaginaryPart}");
        // a set against itself: 0, also rank-deficient
        Assert.Equal(0.0, FrechetDistance.Measure(tx, tx, solver: solver).Distance, 9);
    }

    [Fact]
    public void TorchPathAgreesWithTheManagedPath()
    {
        var rng = new Random(5);
        var a = new double[40, 5]; var b = new double[30, 5];
        for (int i = 0; i < 40; i++) for (int j = 0; j < 5; j++) a[i, j] = rng.NextDouble() + j * 0.1;
        for (int i = 0; i < 30; i++) for (int j = 0; j < 5; j++) b[i, j] = rng.NextDouble() * 2 - (i % 3) * 0.2;
        using var ta = a.ToTensor(torch.CPU, torch.ScalarType.Float64);
        using var tb = b.ToTensor(torch.CPU, torch.ScalarType.Float64);
        Assert.Equal(FrechetDistance.FromFeatures(a, b), FrechetDistance.FromFeatures(ta, tb), 9);
        Assert.Equal(FrechetDistance.FromFeatures(ta, tb), FrechetDistance.Measure(ta, tb, solver: FrechetSolver.Managed).Distance, 10);
    }

    [Fact]
    public void WhenLapackThrowsTheManagedSolverAnswersAndTheResultSaysSo()
    {
        const int d = 12;
        var (x, v1) = PlusMinus(d, Enumerable.Range(0, d).Select(j => 0.3 + 0.1 * j).ToArray(), 0.0);
        var (y, v2) = PlusMinus(d, Enumerable.Range(0, d).Select(j => 1.5 - 0.1 * j).ToArray(), 0.5);
        double expected = d * 0.25 + ClosedForm(v1, v2);
        using var scope = NewDisposeScope();
        var tx = x.ToTensor(CPU, ScalarType.Float64); var ty = y.ToTensor(CPU, ScalarType.Float64);
        var r = FrechetDistance.Measure(tx, ty, "generated images", "real images", FrechetSolver.Auto, FailingEigh, m => torch.linalg.eigvalsh(m));
        Assert.Equal(expected, r.Distance, 10);
        Assert.Equal(FrechetSolver.Managed, r.Solver);
        Assert.False(r.RidgeAdded);
        Assert.Contains("error code: 126", r.Note);
        Assert.Contains("Managed", r.ToString());
        // LAPACK answering garbage without an error is caught by the residual check
        var garbage = FrechetDistance.Measure(tx, ty, "a", "b", FrechetSolver.Auto, m => { var (l, v) = torch.linalg.eigh(m); return (l + 1, v); }, m => torch.linalg.eigvalsh(m));
        Assert.Equal(expected, garbage.Distance, 10);
        Assert.Equal(FrechetSolver.Managed, garbage.Solver);
        Assert.Contains("fails the check", garbage.Note);
        // LAPACK only and it always fails: an exception that says why, not LAPACK's bare error code
        var e = Assert.Throws<ArithmeticException>(() => FrechetDistance.Measure(tx, ty, "a", "b", FrechetSolver.Lapack, FailingEigh, m => torch.linalg.eigvalsh(m)));
        Assert.Contains("error code: 126", e.Message);
        Assert.Contains("1E-06·I", e.Message);
    }

    [Fact]
    public void WhenTheUnregularizedProductFailsTheRidgeIsAddedAndReported()
    {
        // The solver fails on the plain covariances and answers on Σ + εI: d² is then that of the regularized
        // Gaussians, Σ_j (√(v1_j + ε) − √(v2_j + ε))² + ‖Δμ‖² (ε also in the traces), and the result says so.
        const int d = 12;
        var (x, v1) = PlusMinus(d, Enumerable.Range(0, d).Select(j => j < 6 ? 0.0 : 0.1 * j).ToArray(), 0.0);
        var (y, v2) = PlusMinus(d, Enumerable.Range(0, d).Select(j => 0.05 * j).ToArray(), 0.5);
        double eps = FrechetDistance.RidgeEpsilon;
        double expected = d * 0.25 + ClosedForm(v1.Select(v => v + eps).ToArray(), v2.Select(v => v + eps).ToArray());
        int calls = 0;
        Tensor FailsFirst(Tensor m) => calls++ == 0 ? torch.full_like(torch.linalg.eigvalsh(m), double.NaN) : torch.linalg.eigvalsh(m);
        using var scope = NewDisposeScope();
        var r = FrechetDistance.Measure(x.ToTensor(CPU, ScalarType.Float64), y.ToTensor(CPU, ScalarType.Float64), "a", "b",
            FrechetSolver.Lapack, static m => torch.linalg.eigh(m), FailsFirst);
        Assert.True(r.RidgeAdded);
        Assert.Equal(1e-6, r.Ridge);
        Assert.Equal(FrechetSolver.Lapack, r.Solver);
        Assert.Equal(expected, r.Distance, 10);
        Assert.Contains("added to both covariances", r.Note);
        Assert.NotEqual(expected, d * 0.25 + ClosedForm(v1, v2), 6);   // the ridge is visible in the value
    }

    [Fact]
    public void CovariancesThatAreNotPositiveSemiDefiniteStopWithAMessage()
    {
        var e = Assert.Throws<ArithmeticException>(() =>
            FrechetDistance.FromGaussians(new[] { 0.0, 0 }, Diag(new[] { 1.0, 1 }), new[] { 0.0, 0 }, new double[,] { { 1, 0 }, { 0, -1 } }));
        Assert.Contains("not positive semi-definite", e.Message);
        Assert.Contains("imaginary part", e.Message);
    }

    [Fact]
    public void NonFiniteFeaturesStopBeforeAnyDecompositionAndNameTheSet()
    {
        using var scope = NewDisposeScope();
        var good = torch.randn(30, 5, generator: new Generator(1), dtype: ScalarType.Float64);
        var bad = good.clone();
        bad[3, 1] = tensor(double.NaN);
        bad[7, 0] = tensor(double.NaN);
        bad[7, 2] = tensor(double.PositiveInfinity);
        (Tensor, Tensor) NeverCalled(Tensor m) => throw new Xunit.Sdk.XunitException("a decomposition ran on non-finite features");
        var e = Assert.Throws<ArgumentException>(() => FrechetDistance.Measure(bad, good, "generated images", "real images", FrechetSolver.Auto, NeverCalled, NeverCalled2));
        Assert.Contains("generated images", e.Message);
        Assert.Contains("2 of 30 rows", e.Message);
        Assert.Contains("2 NaN and 1 ±∞", e.Message);
        Assert.Contains("diverged", e.Message);
        Assert.Contains("Kit.Setup()", e.Message);
        Assert.DoesNotContain("error code", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => FrechetDistance.Measure(good, bad, "generated images", "real images", FrechetSolver.Auto, NeverCalled, NeverCalled2));
        Assert.Contains("real images", e2.Message);
        Assert.DoesNotContain("generated images", e2.Message);
        // the managed entry points check the same way
        Assert.Contains("second set", Assert.Throws<ArgumentException>(() => FrechetDistance.FromFeatures(good.ToMatrix(), bad.ToMatrix())).Message);
        var mean = new[] { 0.0, double.NaN };
        Assert.Contains("mean2", Assert.Throws<ArgumentException>(() => FrechetDistance.FromGaussians(new[] { 0.0, 0 }, Diag(new[] { 1.0, 1 }), mean, Diag(new[] { 1.0, 1 }))).Message);
    }

    static Tensor NeverCalled2(Tensor m) => throw new Xunit.Sdk.XunitException("a decomposition ran on non-finite features");

    [Fact]
    public void CovarianceIsUnbiased()
    {
        var (m, c) = FrechetDistance.MeanAndCovariance(new double[,] { { 1, 2 }, { 3, 6 } });
        Assert.Equal(new[] { 2.0, 4.0 }, m);
        Assert.Equal(2.0, c[0, 0], 12); Assert.Equal(4.0, c[0, 1], 12); Assert.Equal(8.0, c[1, 1], 12);
    }

    [Fact]
    public void ShapeMismatchThrows()
        => Assert.Throws<ArgumentException>(() => FrechetDistance.FromGaussians(new[] { 0.0 }, Diag(new[] { 1.0, 1 }), new[] { 0.0 }, Diag(new[] { 1.0 })));

    static (Tensor, Tensor) FailingEigh(Tensor m) => throw new ExternalException(
        "linalg.eigh: The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated eigenvalues (error code: 126).\nException raised from _linalg_check_errors");

    /// <summary>
    /// Features with an exactly known mean (shift in every coordinate) and diagonal covariance: the rows ±s_j e_j
    /// (for every j, or only where s_j ≠ 0), n rows in all, give variances v_j = 2 s_j² / (n − 1).
    /// </summary>
    static (double[,] Features, double[] Variances) PlusMinus(int d, double[] s, double shift, bool onlyNonzero = false)
    {
        var dims = Enumerable.Range(0, d).Where(j => !onlyNonzero || s[j] != 0).ToArray();
        int n = 2 * dims.Length;
        var x = new double[n, d];
        for (int r = 0; r < n; r++) for (int j = 0; j < d; j++) x[r, j] = shift;
        for (int k = 0; k < dims.Length; k++) { x[2 * k, dims[k]] += s[dims[k]]; x[2 * k + 1, dims[k]] -= s[dims[k]]; }
        return (x, s.Select(v => 2 * v * v / (n - 1)).ToArray());
    }

    /// <summary>tr(Σ1 + Σ2 − 2(Σ1Σ2)^½) for commuting covariances with eigenvalues v1, v2 (paired): Σ (√v1 − √v2)².</summary>
    static double ClosedForm(double[] v1, double[] v2) => v1.Zip(v2, (a, b) => Math.Pow(Math.Sqrt(a) - Math.Sqrt(b), 2)).Sum();

    static double[,] Diag(double[] stds)
    {
        var m = new double[stds.Length, stds.Length];
        for (int i = 0; i < stds.Length; i++) m[i, i] = stds[i] * stds[i];
        return m;
    }
}
