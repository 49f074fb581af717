using System.Runtime.InteropServices;
using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>The eigen-solver the Fréchet distance uses (asked for), or the one that answered (in a <see cref="FrechetResult"/>).</summary>
public enum FrechetSolver
{
    /// <summary>LAPACK first (torch.linalg.eigh in float64 on the CPU); if it throws or its answer fails the residual check, the managed solver.</summary>
    Auto,

    /// <summary>LAPACK only: torch.linalg.eigh / eigvalsh in float64 on the CPU.</summary>
    Lapack,

    /// <summary>
    /// The kit's own <see cref="SymmetricEigen"/> in doubles (Householder + QL), no LAPACK. Same answer to about 10⁻¹⁵
    /// relative; measured on two busy cores: 0.2 s at d = 128, 1–2 min at d = 2048 (LAPACK: about 30 s there).
    /// </summary>
    Managed,
}

/// <summary>A Fréchet distance and how it was obtained.</summary>
/// <param name="Distance">d² ≥ 0. With <paramref name="Ridge"/> &gt; 0 it is d² between N(μ1, Σ1 + εI) and N(μ2, Σ2 + εI).</param>
/// <param name="Dimension">d, the feature dimension.</param>
/// <param name="Ridge">ε added to the diagonal of both covariances (0: none was needed).</param>
/// <param name="Solver">The decomposition that answered: <see cref="FrechetSolver.Lapack"/> or <see cref="FrechetSolver.Managed"/>.</param>
/// <param name="ImaginaryPart">
/// Σ √(−λ) over the eigenvalues λ of Σ1 and of Σ1^½ Σ2 Σ1^½ that are negative beyond rounding: the imaginary part of
/// tr((Σ1Σ2)^½) that was dropped (0 for positive semi-definite covariances).
/// </param>
/// <param name="Note">What did not go to plan (LAPACK's error, the reason for the ridge), or null.</param>
public sealed record FrechetResult(double Distance, int Dimension, double Ridge, FrechetSolver Solver, double ImaginaryPart, string? Note)
{
    /// <summary>True when ε·I was added to both covariances.</summary>
    public bool RidgeAdded => Ridge > 0;

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"d² = {Distance:G6} (d = {Dimension}, {Solver}") + (Note is null ? ")" : $"; {Note})");
}

/// <summary>
/// Fréchet distance between Gaussians (Dowson &amp; Landau 1982), the core of FID (Heusel et al. 2017):
/// d² = ‖μ1 − μ2‖² + tr(Σ1 + Σ2 − 2 (Σ1^½ Σ2 Σ1^½)^½). The matrix square root is taken in the
/// symmetric form, whose trace equals tr((Σ1Σ2)^½) but needs only symmetric eigen-decompositions
/// (no complex parts, unlike scipy's sqrtm of the non-symmetric product). Double precision throughout.
/// Pure numeric core: features come from whatever network the caller uses.
/// <para>
/// Robustness, in order: (1) features or moments with NaN/∞ are rejected before any decomposition, naming the set;
/// (2) singular and rank-deficient covariances (fewer samples than dimensions) need no special care in the
/// symmetric form: eigenvalues within rounding of 0 (|λ| ≤ d·ε·max|λ|) count as 0; (3) when LAPACK throws ("failed
/// to converge … error code") or its decomposition fails a residual check, the managed
/// <see cref="SymmetricEigen"/> answers; (4) when the product's square root is not finite or has an imaginary part
/// beyond 10⁻³ per dimension (times the features' scale when above 1), ε = 10⁻⁶ is added to the diagonal of both
/// covariances and the solvers are tried again, as pytorch-fid's calculate_frechet_distance (from the TTUR code)
/// does for a singular product. Unlike the reference, which adds ε only inside the square root, the traces get it
/// too, so the result is exactly d² of the two regularized Gaussians (the reference's value is lower by 2dε).
/// <see cref="FrechetResult"/> says which solver answered, the ridge and why.
/// </para>
/// </summary>
public static class FrechetDistance
{
    /// <summary>ε of the ridge retry (pytorch-fid's and TTUR's eps).</summary>
    public const double RidgeEpsilon = 1e-6;

    const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Tolerance of the LAPACK residual checks, relative to the matrix norm (LAPACK itself reaches about d·ε).</summary>
    const double CheckTolerance = 1e-8;

    /// <summary>d² between N(μ1, Σ1) and N(μ2, Σ2); means [d], covariances [d, d] symmetric PSD.</summary>
    public static double FromGaussians(IReadOnlyList<double> mean1, double[,] cov1, IReadOnlyList<double> mean2, double[,] cov2)
        => MeasureGaussians(mean1, cov1, mean2, cov2).Distance;

    /// <summary>
    /// d² between N(μ1, Σ1) and N(μ2, Σ2) with how it was computed (managed solver); means [d], covariances [d, d]
    /// symmetric positive semi-definite.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a mean or covariance holds NaN/∞.</exception>
    /// <exception cref="ArithmeticException">The covariances are not positive semi-definite even with the ridge.</exception>
    public static FrechetResult MeasureGaussians(IReadOnlyList<double> mean1, double[,] cov1, IReadOnlyList<double> mean2, double[,] cov2)
    {
        ArgumentNullException.ThrowIfNull(mean1); ArgumentNullException.ThrowIfNull(mean2);
        ArgumentNullException.ThrowIfNull(cov1); ArgumentNullException.ThrowIfNull(cov2);
        int d = mean1.Count;
        if (mean2.Count != d || cov1.GetLength(0) != d || cov1.GetLength(1) != d || cov2.GetLength(0) != d || cov2.GetLength(1) != d)
            throw new ArgumentException($"Shapes disagree: means [{mean1.Count}], [{mean2.Count}], covariances [{cov1.GetLength(0)}, {cov1.GetLength(1)}], [{cov2.GetLength(0)}, {cov2.GetLength(1)}]; all must share d.");
        RequireFiniteMoment(mean1, d, nameof(mean1));
        RequireFiniteMoment(mean2, d, nameof(mean2));
        RequireFiniteMoment(cov1.Cast<double>(), (long)d * d, nameof(cov1));
        RequireFiniteMoment(cov2.Cast<double>(), (long)d * d, nameof(cov2));
        double meanTerm = 0, tr1 = 0, tr2 = 0;
        for (int i = 0; i < d; i++)
        {
            double diff = mean1[i] - mean2[i];
            meanTerm += diff * diff;
            tr1 += cov1[i, i];
            tr2 += cov2[i, i];
        }
        return Solve(d, meanTerm, tr1, tr2, [(FrechetSolver.Managed, ManagedSpectra(cov1, cov2))]);
    }

    /// <summary>d² between Gaussians fitted to two feature sets [n1, d] and [n2, d] (unbiased covariance, n ≥ 2).</summary>
    public static double FromFeatures(double[,] features1, double[,] features2) => Measure(features1, features2).Distance;

    /// <summary>
    /// d² between Gaussians fitted to two feature sets [n1, d] and [n2, d] (unbiased covariance, n ≥ 2), with how it was
    /// computed (managed solver). <paramref name="name1"/> and <paramref name="name2"/> name the sets in error messages.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree, fewer than 2 rows, or a set holds NaN/∞ (the message names it).</exception>
    public static FrechetResult Measure(double[,] features1, double[,] features2, string name1 = "first set", string name2 = "second set")
    {
        ArgumentNullException.ThrowIfNull(features1); ArgumentNullException.ThrowIfNull(features2);
        if (features1.GetLength(1) != features2.GetLength(1))
            throw new ArgumentException($"Expected feature sets [n1, d] and [n2, d]; got [{features1.GetLength(0)}, {features1.GetLength(1)}] and [{features2.GetLength(0)}, {features2.GetLength(1)}].");
        RequireFinite(features1, name1);
        RequireFinite(features2, name2);
        var (m1, c1) = MeanAndCovariance(features1);
        var (m2, c2) = MeanAndCovariance(features2);
        return MeasureGaussians(m1, c1, m2, c2);
    }

    /// <summary>
    /// d² between Gaussians fitted to two feature tensors [n1, d] and [n2, d], computed in float64 on the CPU with
    /// LAPACK (torch.linalg.eigh) for large d such as 2048, falling back to the managed solver when LAPACK fails.
    /// </summary>
    public static double FromFeatures(Tensor features1, Tensor features2) => Measure(features1, features2).Distance;

    /// <summary>
    /// d² between Gaussians fitted to two feature tensors [n1, d] and [n2, d] (any dtype and device; n ≥ 2), with how it
    /// was computed. <paramref name="name1"/> and <paramref name="name2"/> name the sets in error messages (e.g.
    /// "generated images", "real images").
    /// </summary>
    /// <param name="features1">First feature set [n1, d].</param>
    /// <param name="features2">Second feature set [n2, d].</param>
    /// <param name="name1">What the first set is, for messages.</param>
    /// <param name="name2">What the second set is, for messages.</param>
    /// <param name="solver"><see cref="FrechetSolver.Auto"/> (LAPACK, then the managed solver), or one of them only.</param>
    /// <exception cref="ArgumentException">Shapes disagree, fewer than 2 rows, or a set holds NaN/∞ (the message names it).</exception>
    /// <exception cref="ArithmeticException">No solver answered, even with the ridge (the message lists why).</exception>
    public static FrechetResult Measure(Tensor features1, Tensor features2, string name1 = "first set", string name2 = "second set",
        FrechetSolver solver = FrechetSolver.Auto)
        => Measure(features1, features2, name1, name2, solver, static a => torch.linalg.eigh(a), static a => torch.linalg.eigvalsh(a));

    /// <summary><see cref="Measure(Tensor, Tensor, string, string, FrechetSolver)"/> with the LAPACK calls replaceable (tests simulate failures).</summary>
    internal static FrechetResult Measure(Tensor features1, Tensor features2, string name1, string name2, FrechetSolver solver,
        Func<Tensor, (Tensor Values, Tensor Vectors)> eigh, Func<Tensor, Tensor> eigvalsh)
    {
        ArgumentNullException.ThrowIfNull(features1); ArgumentNullException.ThrowIfNull(features2);
        if (features1.dim() != 2 || features2.dim() != 2 || features1.shape[1] != features2.shape[1])
            throw new ArgumentException($"Expected feature tensors [n1, d] and [n2, d]; got {Shapes.Of(features1)} and {Shapes.Of(features2)}.");
        if (features1.shape[0] < 2 || features2.shape[0] < 2)
            throw new ArgumentException($"Need at least 2 feature vectors per set to estimate a covariance; got {Shapes.Of(features1)} ({name1}) and {Shapes.Of(features2)} ({name2}).");
        RequireFinite(features1, name1);
        RequireFinite(features2, name2);
        using var scope = torch.NewDisposeScope();
        var x = features1.detach().to(ScalarType.Float64, torch.CPU);
        var y = features2.detach().to(ScalarType.Float64, torch.CPU);
        var (mu1, c1) = MeanAndCovariance(x);
        var (mu2, c2) = MeanAndCovariance(y);
        c1 = (c1 + c1.t()) / 2;
        c2 = (c2 + c2.t()) / 2;
        if (!c1.isfinite().all().item<bool>() || !c2.isfinite().all().item<bool>())
            throw new ArgumentException($"The covariance of the {(c1.isfinite().all().item<bool>() ? name2 : name1)} overflows (features too large for float64 products); rescale the features.");
        int d = (int)c1.shape[0];
        double meanTerm = (mu1 - mu2).square().sum().item<double>();
        double tr1 = c1.trace().item<double>(), tr2 = c2.trace().item<double>();
        var lapack = (FrechetSolver.Lapack, LapackSpectra(c1, c2, eigh, eigvalsh));
        var managed = (FrechetSolver.Managed, (Spectra)(ridge => ManagedSpectra(c1.ToMatrix(), c2.ToMatrix())(ridge)));   // copies only when asked
        return solver switch
        {
            FrechetSolver.Auto => Solve(d, meanTerm, tr1, tr2, [lapack, managed]),
            FrechetSolver.Lapack => Solve(d, meanTerm, tr1, tr2, [lapack]),
            FrechetSolver.Managed => Solve(d, meanTerm, tr1, tr2, [managed]),
            _ => throw new ArgumentOutOfRangeException(nameof(solver), solver, "Auto, Lapack or Managed."),
        };
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming <paramref name="name"/> when the features [n, d] hold NaN or ±∞:
    /// how many rows and values, and the likely causes. Called before any decomposition.
    /// </summary>
    public static void RequireFinite(Tensor features, string name)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var scope = torch.NewDisposeScope();
        var bad = features.detach().isfinite().logical_not();
        long values = bad.sum().item<long>();
        if (values == 0) return;
        long nan = features.detach().isnan().sum().item<long>();
        long rows = features.dim() >= 2 ? bad.flatten(1).any(1).sum().item<long>() : 1;
        long n = features.dim() >= 1 ? features.shape[0] : 1;
        throw NotFinite(name, rows, n, nan, values - nan, features.numel(), Shapes.Of(features));
    }

    /// <summary>As <see cref="RequireFinite(Tensor, string)"/> for features [n, d] in doubles.</summary>
    public static void RequireFinite(double[,] features, string name)
    {
        ArgumentNullException.ThrowIfNull(features);
        int n = features.GetLength(0), d = features.GetLength(1);
        long rows = 0, nan = 0, inf = 0;
        for (int i = 0; i < n; i++)
        {
            bool rowBad = false;
            for (int j = 0; j < d; j++)
            {
                double v = features[i, j];
                if (double.IsNaN(v)) { nan++; rowBad = true; }
                else if (double.IsInfinity(v)) { inf++; rowBad = true; }
            }
            if (rowBad) rows++;
        }
        if (rows > 0) throw NotFinite(name, rows, n, nan, inf, (long)n * d, $"[{n}, {d}]");
    }

    static ArgumentException NotFinite(string name, long rows, long n, long nan, long inf, long total, string shape) => new(
        $"Fréchet distance: the features of the {name} are not finite: {rows} of {n} rows hold {nan} NaN and {inf} ±∞ " +
        $"of {total} values (features {shape}). Their Gaussian is undefined, so nothing was decomposed. Likely causes: a " +
        "diverged network (NaN/∞ in the generator's or the feature network's weights or outputs; look at the losses " +
        "before this point), or libtorch kernels that compute wrong results on this CPU (see the kernel check in " +
        "Kit.Setup()'s environment report).");

    static void RequireFiniteMoment(IEnumerable<double> values, long count, string name)
    {
        long bad = values.LongCount(v => !double.IsFinite(v));
        if (bad > 0)
            throw new ArgumentException($"Fréchet distance: {name} holds {bad} non-finite value(s) (NaN/∞) of {count}; the Gaussian is undefined. Compute the moments from finite features.", name);
    }

    /// <summary>The eigenvalues of Σ1 + εI and of M = Σ1^½ (Σ2 + εI) Σ1^½ (with Σ1 + εI's root) for a ridge ε.</summary>
    delegate (double[] Sigma1, double[] Product) Spectra(double ridge);

    /// <summary>
    /// The shared logic of every path: for ridge 0, then <see cref="RidgeEpsilon"/>, ask each solver in turn; a solver
    /// that throws is noted and the next is asked; an answer whose tr((Σ1Σ2)^½) is not finite or has an imaginary part
    /// beyond <see cref="ImaginaryTolerance"/> moves on to the ridge (the matrices, not the solver, are the problem).
    /// </summary>
    static FrechetResult Solve(int d, double meanTerm, double tr1, double tr2, IReadOnlyList<(FrechetSolver Solver, Spectra Run)> solvers)
    {
        var notes = new List<string>();
        double tolerance = ImaginaryTolerance(d, tr1, tr2);
        foreach (double ridge in new[] { 0.0, RidgeEpsilon })
        {
            string at = ridge > 0 ? FormattableString.Invariant($" with ε = {ridge:G2}") : "";
            foreach (var (solver, run) in solvers)
            {
                (double[] Sigma1, double[] Product) spectra;
                try { spectra = run(ridge); }
                catch (Exception e) when (e is ExternalException or ArithmeticException)
                {
                    notes.Add($"{solver}{at} failed: {FirstLine(e.Message)}");
                    continue;
                }
                var (trSqrt, imaginary) = TraceSqrt(spectra.Sigma1, spectra.Product);
                if (double.IsFinite(trSqrt) && imaginary <= tolerance)
                {
                    double d2 = meanTerm + tr1 + tr2 + 2 * d * ridge - 2 * trSqrt;
                    if (!double.IsFinite(d2)) throw new ArithmeticException($"Fréchet distance: d² is not finite ({d2}) although every part was; the covariances' traces are {tr1:G3} and {tr2:G3}.");
                    if (ridge > 0)
                        notes.Add(FormattableString.Invariant($"{ridge:G2}·I added to both covariances (as pytorch-fid does for a singular product); d² is that of the regularized Gaussians"));
                    return new FrechetResult(Math.Max(0, d2), d, ridge, solver, imaginary, notes.Count == 0 ? null : string.Join("; ", notes));
                }
                notes.Add(double.IsFinite(trSqrt)
                    ? FormattableString.Invariant($"{solver}{at}: tr((Σ1Σ2)^½) has an imaginary part of {imaginary:G3} (tolerance {tolerance:G3}): a covariance is not positive semi-definite")
                    : $"{solver}{at}: tr((Σ1Σ2)^½) is not finite");
                break;
            }
        }
        throw new ArithmeticException(
            $"Fréchet distance (d = {d}): no solver gave an answer, also with {RidgeEpsilon:G2}·I added to both covariances. " +
            string.Join("; ", notes) + ". Covariances estimated from finite features are positive semi-definite, so this " +
            "points at covariances not computed from features, or at linear algebra that is broken on this machine (see the " +
            "kernel check in Kit.Setup()'s environment report).");
    }

    /// <summary>
    /// The imaginary part of tr((Σ1Σ2)^½) tolerated as rounding: 10⁻³ per dimension, pytorch-fid's atol on each diagonal
    /// entry of sqrtm's imaginary part, times the features' typical standard deviation √(max(tr Σ1, tr Σ2)/d) when that
    /// exceeds 1 (the reference's absolute tolerance would reject any features on a large scale).
    /// </summary>
    static double ImaginaryTolerance(int d, double tr1, double tr2)
        => 1e-3 * d * Math.Max(1, Math.Sqrt(Math.Max(Math.Max(tr1, tr2), 0) / Math.Max(d, 1)));

    /// <summary>
    /// tr((Σ1Σ2)^½) = Σ √λ over the product's spectrum, and the imaginary part dropped: Σ √(−λ) over eigenvalues of Σ1
    /// and of the product that are negative beyond rounding. NaN when a spectrum holds NaN/∞.
    /// </summary>
    static (double TraceSqrt, double Imaginary) TraceSqrt(double[] sigma1, double[] product)
    {
        if (!sigma1.All(double.IsFinite) || !product.All(double.IsFinite)) return (double.NaN, double.NaN);
        double trace = 0, imaginary = 0;
        double floor1 = RoundingFloor(sigma1), floorM = RoundingFloor(product);
        foreach (double l in sigma1) if (l < -floor1) imaginary += Math.Sqrt(-l);
        foreach (double l in product)
        {
            if (l > floorM) trace += Math.Sqrt(l);
            else if (l < -floorM) imaginary += Math.Sqrt(-l);
        }
        return (trace, imaginary);
    }

    /// <summary>
    /// |λ| ≤ d·ε·max|λ| is zero to within rounding (the backward error of a symmetric eigen-solver): such eigenvalues
    /// count as 0, which makes rank-deficient covariances exact instead of adding √(rounding) per null direction.
    /// </summary>
    static double RoundingFloor(double[] spectrum)
    {
        double max = 0;
        foreach (double l in spectrum) max = Math.Max(max, Math.Abs(l));
        return spectrum.Length * MachineEpsilon * max;
    }

    /// <summary>√λ for λ above the rounding floor, 0 otherwise: the root of Σ1's spectrum used to build Σ1^½.</summary>
    static double[] Roots(double[] sigma1)
    {
        double floor = RoundingFloor(sigma1);
        return sigma1.Select(l => l > floor ? Math.Sqrt(l) : 0).ToArray();
    }

    /// <summary>
    /// LAPACK path on float64 CPU covariances [d, d]: Σ1 = V Λ Vᵀ by eigh, U = V Λ^½ (so Σ1^½ = U Vᵀ), and the
    /// eigenvalues of M = Uᵀ Σ2 U (similar to Σ1^½ Σ2 Σ1^½) by eigvalsh. Both answers are checked (‖VΛVᵀ − Σ1‖,
    /// Σλ = tr M and Σλ² = ‖M‖²_F, to <see cref="CheckTolerance"/>): a failed check throws like a LAPACK failure.
    /// </summary>
    static Spectra LapackSpectra(Tensor c1, Tensor c2, Func<Tensor, (Tensor, Tensor)> eigh, Func<Tensor, Tensor> eigvalsh) => ridge =>
    {
        using var scope = torch.NewDisposeScope();
        long d = c1.shape[0];
        var a = ridge > 0 ? c1 + ridge * torch.eye(d, dtype: ScalarType.Float64) : c1;
        var b = ridge > 0 ? c2 + ridge * torch.eye(d, dtype: ScalarType.Float64) : c2;
        var (l1, v1) = eigh(a);
        var values = l1.data<double>().ToArray();
        double normA = a.square().sum().sqrt().item<double>();
        double residual = v1.mm(torch.diag(l1)).mm(v1.t()).sub(a).square().sum().sqrt().item<double>();
        if (!(residual <= CheckTolerance * normA))
            throw new ArithmeticException(FormattableString.Invariant($"LAPACK's eigh answer fails the check: ‖VΛVᵀ − Σ1‖ = {residual:G3} for ‖Σ1‖ = {normA:G3}"));
        var u = v1 * torch.tensor(Roots(values), dtype: ScalarType.Float64);   // scales column k by √λ_k
        var m = u.t().mm(b).mm(u);
        m = (m + m.t()) / 2;
        var product = eigvalsh(m).data<double>().ToArray();
        double traceM = m.trace().item<double>(), frob2 = m.square().sum().item<double>();
        double sum = product.Sum(), sum2 = product.Sum(l => l * l);
        if (!(Math.Abs(sum - traceM) <= CheckTolerance * Math.Sqrt(d * frob2) && Math.Abs(sum2 - frob2) <= CheckTolerance * frob2))
            throw new ArithmeticException(FormattableString.Invariant($"LAPACK's eigvalsh answer fails the check: Σλ = {sum:G6} vs tr M = {traceM:G6}, Σλ² = {sum2:G6} vs ‖M‖²_F = {frob2:G6}"));
        return (values, product);
    };

    /// <summary>
    /// Managed path on covariances [d, d] in doubles: the same formula as <see cref="LapackSpectra"/> with
    /// <see cref="SymmetricEigen.Decompose"/> for Σ1 and <see cref="SymmetricEigen.Values"/> for M = Uᵀ Σ2 U.
    /// </summary>
    static Spectra ManagedSpectra(double[,] c1, double[,] c2) => ridge =>
    {
        int d = c1.GetLength(0);
        var a = (double[,])c1.Clone();
        var b = (double[,])c2.Clone();
        for (int i = 0; i < d; i++) { a[i, i] += ridge; b[i, i] += ridge; }
        var (values, vectors) = SymmetricEigen.Decompose(a);
        var roots = Roots(values);
        // Uᵀ row by row (row k = √λ_k v_k), then R = Uᵀ Σ2 and M = R U, skipping the zero rows of a rank-deficient Σ1.
        var ut = new double[d * d];
        for (int k = 0; k < d; k++)
            if (roots[k] != 0)
                for (int i = 0; i < d; i++) ut[k * d + i] = roots[k] * vectors[i, k];
        var bFlat = new double[d * d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) bFlat[i * d + j] = 0.5 * (b[i, j] + b[j, i]);
        var r = new double[d * d];
        for (int k = 0; k < d; k++)
        {
            if (roots[k] == 0) continue;
            var rk = r.AsSpan(k * d, d);
            for (int i = 0; i < d; i++) VectorKernels.Axpy(ut[k * d + i], bFlat.AsSpan(i * d, d), rk);
        }
        var m = new double[d, d];
        for (int k = 0; k < d; k++)
        {
            if (roots[k] == 0) continue;
            var rk = r.AsSpan(k * d, d);
            for (int l = k; l < d; l++)
            {
                if (roots[l] == 0) continue;
                double s = VectorKernels.Dot(rk, ut.AsSpan(l * d, d));
                m[k, l] = s;
                m[l, k] = s;
            }
        }
        return (values, SymmetricEigen.Values(m));
    };

    static string FirstLine(string message)
    {
        int cut = message.IndexOf('\n');
        return (cut < 0 ? message : message[..cut]).Trim();
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
}
