namespace GanNotebooks.Core;

/// <summary>
/// Eigen-decomposition of a real symmetric matrix by the cyclic Jacobi method (Golub &amp; Van Loan,
/// Matrix Computations §8.5): slow (O(d³) per sweep) but very accurate and dependency-free; meant
/// for the small matrices of the numeric cores (d up to a few hundred).
/// </summary>
public static class SymmetricEigen
{
    /// <summary>
    /// Eigenvalues (ascending) and eigenvectors (columns of Vectors, orthonormal) of the symmetric
    /// matrix <paramref name="matrix"/> [d, d]. The input is symmetrized as (A + Aᵀ)/2 and not modified.
    /// </summary>
    public static (double[] Values, double[,] Vectors) Decompose(double[,] matrix, int maxSweeps = 100)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n) throw new ArgumentException($"Expected a square matrix (got {n}×{matrix.GetLength(1)}).", nameof(matrix));
        var a = new double[n, n];
        var v = new double[n, n];
        double norm2 = 0;
        for (int i = 0; i < n; i++)
        {
            v[i, i] = 1;
            for (int j = 0; j < n; j++)
            {
                a[i, j] = 0.5 * (matrix[i, j] + matrix[j, i]);
                if (!double.IsFinite(a[i, j])) throw new ArgumentException($"Matrix entry [{i}, {j}] is not finite.", nameof(matrix));
                norm2 += a[i, j] * a[i, j];
            }
        }
        for (int sweep = 0; sweep < maxSweeps; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p, q] * a[p, q];
            if (off <= 1e-32 * norm2 || off == 0) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p, q];
                    if (apq == 0) continue;
                    // Rotation angle that zeroes a[p, q]: t = tan φ is the smaller root of t² + 2θt − 1 = 0.
                    double theta = (a[q, q] - a[p, p]) / (2 * apq);
                    double t = (theta >= 0 ? 1.0 : -1.0) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var order = Enumerable.Range(0, n).OrderBy(i => a[i, i]).ToArray();
        var values = order.Select(i => a[i, i]).ToArray();
        var vectors = new double[n, n];
        for (int col = 0; col < n; col++)
            for (int k = 0; k < n; k++) vectors[k, col] = v[k, order[col]];
        return (values, vectors);
    }

    /// <summary>
    /// Principal square root of a symmetric positive semi-definite matrix, V diag(√max(λ, 0)) Vᵀ
    /// (small negative eigenvalues from rounding are clamped to 0).
    /// </summary>
    public static double[,] SqrtPsd(double[,] matrix)
    {
        var (values, vec) = Decompose(matrix);
        int n = values.Length;
        var r = new double[n, n];
        for (int k = 0; k < n; k++)
        {
            double s = Math.Sqrt(Math.Max(values[k], 0));
            if (s == 0) continue;
            for (int i = 0; i < n; i++)
            {
                double vik = vec[i, k] * s;
                for (int j = 0; j < n; j++) r[i, j] += vik * vec[j, k];
            }
        }
        return r;
    }
}
