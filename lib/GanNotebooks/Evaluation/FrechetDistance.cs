using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>
/// Fréchet distance between Gaussians (Dowson &amp; Landau 1982), the core of FID (Heusel et al. 2017):
/// d² = ‖μ1 − μ2‖² + tr(Σ1 + Σ2 − 2 (Σ1^½ Σ2 Σ1^½)^½). The matrix square root is taken in the
/// symmetric form, whose trace equals tr((Σ1Σ2)^½) but needs only symmetric eigen-decompositions
/// (no complex parts, unlike scipy's sqrtm of the non-symmetric product). Double precision throughout.
/// Pure numeric core: features come from whatever network the caller uses.
/// </summary>
public static class FrechetDistance
{
    /// <summary>d² between N(μ1, Σ1) and N(μ2, Σ2); means [d], covariances [d, d] symmetric PSD.</summary>
    public static double FromGaussians(IReadOnlyList<double> mean1, double[,] cov1, IReadOnlyList<double> mean2, double[,] cov2)
    {
        ArgumentNullException.ThrowIfNull(mean1); ArgumentNullException.ThrowIfNull(mean2);
        ArgumentNullException.ThrowIfNull(cov1); ArgumentNullException.ThrowIfNull(cov2);
        int d = mean1.Count;
        if (mean2.Count != d || cov1.GetLength(0) != d || cov1.GetLength(1) != d || cov2.GetLength(0) != d || cov2.GetLength(1) != d)
            throw new ArgumentException($"Shapes disagree: means [{mean1.Count}], [{mean2.Count}], covariances [{cov1.GetLength(0)}, {cov1.GetLength(1)}], [{cov2.GetLength(0)}, {cov2.GetLength(1)}]; all must share d.");
        double meanTerm = 0;
        for (int i = 0; i < d; i++) { double diff = mean1[i] - mean2[i]; meanTerm += diff * diff; }
        var s1 = SymmetricEigen.SqrtPsd(cov1);
        // M = Σ1^½ Σ2 Σ1^½ is symmetric PSD; tr(M^½) = Σ √λ_k(M).
        var m = Multiply(Multiply(s1, cov2), s1);
        var (lambda, _) = SymmetricEigen.Decompose(m);
        double trSqrt = lambda.Sum(l => Math.Sqrt(Math.Max(l, 0)));
        double tr1 = 0, tr2 = 0;
        for (int i = 0; i < d; i++) { tr1 += cov1[i, i]; tr2 += cov2[i, i]; }
        return Math.Max(0, meanTerm + tr1 + tr2 - 2 * trSqrt);
    }

    /// <summary>d² between Gaussians fitted to two feature sets [n1, d] and [n2, d] (unbiased covariance, n ≥ 2).</summary>
    public static double FromFeatures(double[,] features1, double[,] features2)
    {
        var (m1, c1) = MeanAndCovariance(features1);
        var (m2, c2) = MeanAndCovariance(features2);
        return FromGaussians(m1, c1, m2, c2);
    }

    /// <summary>
    /// d² between Gaussians fitted to two feature tensors [n1, d] and [n2, d], computed with torch in
    /// float64 on the CPU (LAPACK eigh), for large d such as 2048 where the managed Jacobi path is slow.
    /// </summary>
    public static double FromFeatures(Tensor features1, Tensor features2)
    {
        ArgumentNullException.ThrowIfNull(features1); ArgumentNullException.ThrowIfNull(features2);
        if (features1.dim() != 2 || features2.dim() != 2 || features1.shape[1] != features2.shape[1])
            throw new ArgumentException($"Expected feature tensors [n1, d] and [n2, d]; got {Shapes.Of(features1)} and {Shapes.Of(features2)}.");
        if (features1.shape[0] < 2 || features2.shape[0] < 2) throw new ArgumentException("Need at least 2 feature vectors per set to estimate a covariance.");
        using var scope = torch.NewDisposeScope();
        var x = features1.detach().to(ScalarType.Float64, torch.CPU);
        var y = features2.detach().to(ScalarType.Float64, torch.CPU);
        var (mu1, c1) = MeanAndCovariance(x);
        var (mu2, c2) = MeanAndCovariance(y);
        var (l1, v1) = torch.linalg.eigh(c1);
        var s1 = v1.mm(torch.diag(l1.clamp_min(0).sqrt())).mm(v1.t());
        var m = s1.mm(c2).mm(s1);
        m = (m + m.t()) / 2;
        double trSqrt = torch.linalg.eigvalsh(m).clamp_min(0).sqrt().sum().item<double>();
        double meanTerm = (mu1 - mu2).square().sum().item<double>();
        double d2 = meanTerm + c1.trace().item<double>() + c2.trace().item<double>() - 2 * trSqrt;
        return Math.Max(0, d2);
    }

    /// <summary>
    /// Mean [d] and unbiased covariance [d, d] (divides by n − 1) of a feature tensor [n, d], as tensors of
    /// the input's dtype and device (callers convert to float64 first when they need the precision).
    /// </summary>
    public static (Tensor Mean, Tensor Covariance) MeanAndCovariance(Tensor features)
    {
        var mu = features.mean(new long[] { 0 });
        var centred = features - mu;
        return (mu, centred.t().mm(centred) / (features.shape[0] - 1));
    }

    /// <summary>Mean [d] and unbiased covariance [d, d] (divides by n − 1, as numpy.cov) of features [n, d].</summary>
    public static (double[] Mean, double[,] Covariance) MeanAndCovariance(double[,] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        int n = features.GetLength(0), d = features.GetLength(1);
        if (n < 2) throw new ArgumentException($"Need at least 2 feature vectors to estimate a covariance (got {n}).", nameof(features));
        var mean = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += features[i, j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        var cov = new double[d, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                double dj = features[i, j] - mean[j];
                for (int k = j; k < d; k++) cov[j, k] += dj * (features[i, k] - mean[k]);
            }
        for (int j = 0; j < d; j++)
            for (int k = j; k < d; k++) { cov[j, k] /= n - 1; cov[k, j] = cov[j, k]; }
        return (mean, cov);
    }

    static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        var r = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < k; p++)
            {
                double aip = a[i, p];
                if (aip == 0) continue;
                for (int j = 0; j < m; j++) r[i, j] += aip * b[p, j];
            }
        return r;
    }
}
