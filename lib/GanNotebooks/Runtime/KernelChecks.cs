using System.Globalization;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanNotebooks.Runtime;

/// <summary>The family a checked kernel belongs to: the library whose setting can fix it.</summary>
public enum KernelFamily
{
    /// <summary>Convolutions (oneDNN, or ATen's own path when oneDNN is off).</summary>
    Convolution,
    /// <summary>Matrix products and linear layers (MKL's BLAS).</summary>
    MatrixProduct,
    /// <summary>Element-wise and reduction kernels: activations, normalization, pooling, resampling, losses (ATen's vectorized CPU kernels).</summary>
    Elementwise,
    /// <summary>Symmetric eigendecomposition and SVD (MKL's LAPACK).</summary>
    Decomposition,
}

/// <summary>One kernel check: a float32 (or float64) kernel against float64 / a closed form on the same inputs.</summary>
/// <param name="Name">What was checked, e.g. "conv2d k4 s2 p1 3→8 ch 8 px, ∂input, 2 threads".</param>
/// <param name="Family">The kernel family.</param>
/// <param name="Error">The largest error relative to the reference's largest magnitude (∞ for NaN or a failure).</param>
/// <param name="Tolerance">What a correct kernel of that precision always meets.</param>
/// <param name="Message">Empty, or what went wrong (an exception's message).</param>
public sealed record KernelCheck(string Name, KernelFamily Family, double Error, double Tolerance, string Message = "")
{
    /// <summary>True when the kernel met its tolerance.</summary>
    public bool Passed => Message.Length == 0 && Error <= Tolerance;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: {(Passed ? "ok" : "WRONG")} (error {Error:G3}, tolerance {Tolerance:G1}{(Message.Length > 0 ? "; " + Message : "")})");
}

/// <summary>
/// The numerical self-test of the CPU kernels the course uses. Every check computes the same thing twice on the same
/// inputs — the float32 kernel under test and float64 (or a closed form) — and compares, relative to the reference's
/// largest magnitude: forward and every input's gradient of convolutions (1-D, 2-D, transposed; the notebooks' kernel
/// sizes, strides and small channel counts), linear layers and batched products, batch/instance norm in train and eval
/// mode, the activations, pooling and resampling, the losses' kernels, and <c>eigh</c>/<c>eigvalsh</c>/<c>svd</c> in
/// float32 and float64 on matrices with known spectra (rank-deficient and repeated eigenvalues included). Each runs at one
/// thread and at the thread count torch would use, for a few seeds (a wrong kernel on a mis-detected CPU can be wrong for
/// some inputs only). A correct float32 kernel's error is ~1e-6 here; the tolerance is 1e-3, a wrong one is off by O(1).
/// </summary>
public static class KernelChecks
{
    /// <summary>
    /// The version of the set of checks, part of the cache key of a verdict: a verdict cached by an older, smaller set is
    /// made again (v2 added the wider k3 / k1 convolutions that oneDNN capped at AVX and AVX2 computes wrong on AMD family 26).
    /// </summary>
    public const int SuiteVersion = 2;

    /// <summary>Tolerance of a float32 kernel relative to the reference's largest magnitude.</summary>
    public const double Float32Tolerance = 1e-3;
    /// <summary>Tolerance of a float64 decomposition relative to the largest eigen/singular value.</summary>
    public const double Float64Tolerance = 1e-9;

    /// <summary>Runs every check at 1 thread and at <paramref name="threads"/> (default: the CPU count, at most 8); restores torch's thread count.</summary>
    /// <param name="threads">The second thread count checked (default: the CPU count, at most 8).</param>
    /// <param name="seeds">How many input draws per shape.</param>
    /// <param name="families">Only these families (default: all).</param>
    public static IReadOnlyList<KernelCheck> RunAll(int? threads = null, int seeds = 2, IReadOnlyCollection<KernelFamily>? families = null)
    {
        bool Wanted(KernelFamily f) => families is null || families.Contains(f);
        NativeRuntime.EnsureLoadable();
        int saved = torch.get_num_threads();
        int many = threads ?? Math.Clamp(Environment.ProcessorCount, 1, 8);
        var results = new List<KernelCheck>();
        try
        {
            foreach (var t in many > 1 ? new[] { 1, many } : new[] { 1 })
            {
                torch.set_num_threads(t);
                for (int s = 0; s < seeds; s++)
                {
                    using var gen = new Generator((ulong)(1000 + 17 * s + t));
                    var c = new Checker(gen, $"{t} thread{(t == 1 ? "" : "s")}", results);
                    if (Wanted(KernelFamily.Convolution)) Convolutions(c);
                    if (Wanted(KernelFamily.MatrixProduct)) Products(c);
                    if (Wanted(KernelFamily.Elementwise)) Elementwise(c);
                    if (Wanted(KernelFamily.Decomposition)) Decompositions(c);
                }
            }
        }
        finally { torch.set_num_threads(saved); }
        return results;
    }

    /// <summary>One check of <paramref name="f"/>'s forward and input gradients, float32 against float64 (for tests of the checker itself).</summary>
    internal static IReadOnlyList<KernelCheck> CheckOne(string name, long[][] shapes, Func<Tensor[], Tensor> f, ulong seed = 1)
    {
        var results = new List<KernelCheck>();
        using var gen = new Generator(seed);
        new Checker(gen, "this thread count", results).Grad(name, KernelFamily.Elementwise, shapes, f);
        return results;
    }

    // ----------------------------------------------------------------------------------------- the shapes checked

    static void Convolutions(Checker c)
    {
        // DCGAN / PatchGAN / progressive: k4 s2 p1 (down and up) over small channel counts and sizes.
        foreach (var (cin, cout) in new[] { (1, 8), (3, 16), (8, 1), (16, 3), (2, 4), (16, 16) })
            foreach (var px in new[] { 4, 8, 16 })
            {
                c.Grad($"conv2d k4 s2 p1 {cin}→{cout} ch {px} px", KernelFamily.Convolution,
                    [[8, cin, px, px], [cout, cin, 4, 4], [cout]], v => F.conv2d(v[0], v[1], v[2], [2, 2], [1, 1]));
                c.Grad($"conv_transpose2d k4 s2 p1 {cin}→{cout} ch {px / 2} px", KernelFamily.Convolution,
                    [[8, cin, px / 2, px / 2], [cin, cout, 4, 4], [cout]], v => F.conv_transpose2d(v[0], v[1], v[2], [2, 2], [1, 1]));
            }
        // ResNet / U-Net / StyleGAN blocks: k3 s1 p1, k1, k7 p3 (CycleGAN's first layer), grouped (StyleGAN2's modulated conv).
        foreach (var (cin, cout, px) in new[] { (3, 8, 8), (8, 8, 16), (16, 4, 8), (1, 16, 28) })
        {
            c.Grad($"conv2d k3 s1 p1 {cin}→{cout} ch {px} px", KernelFamily.Convolution,
                [[4, cin, px, px], [cout, cin, 3, 3], [cout]], v => F.conv2d(v[0], v[1], v[2], [1, 1], [1, 1]));
            c.Grad($"conv2d k1 {cin}→{cout} ch {px} px", KernelFamily.Convolution,
                [[4, cin, px, px], [cout, cin, 1, 1], [cout]], v => F.conv2d(v[0], v[1], v[2]));
        }
        // Wider k3 / k1 layers as progressive growing, StyleGAN and the U-Net use them (32–64 channels; the minibatch-stddev
        // channel makes 33); oneDNN capped at AVX computed these wrong on an AMD family-26 CPU while the narrow ones passed.
        foreach (var (cin, cout, px) in new[] { (32, 32, 4), (33, 32, 4), (32, 32, 8), (64, 32, 16), (32, 64, 8), (64, 64, 4) })
            c.Grad($"conv2d k3 s1 p1 {cin}→{cout} ch {px} px", KernelFamily.Convolution,
                [[4, cin, px, px], [cout, cin, 3, 3], [cout]], v => F.conv2d(v[0], v[1], v[2], [1, 1], [1, 1]));
        foreach (var (cin, cout, px) in new[] { (1, 32, 32), (32, 1, 32), (3, 64, 16), (64, 3, 16) })
            c.Grad($"conv2d k1 {cin}→{cout} ch {px} px", KernelFamily.Convolution,
                [[4, cin, px, px], [cout, cin, 1, 1], [cout]], v => F.conv2d(v[0], v[1], v[2]));
        c.Grad("conv2d k7 p3 3→8 ch 16 px", KernelFamily.Convolution,
            [[2, 3, 16, 16], [8, 3, 7, 7], [8]], v => F.conv2d(v[0], v[1], v[2], [1, 1], [3, 3]));
        c.Grad("conv2d k3 p1 grouped 4×(4→4) ch 8 px", KernelFamily.Convolution,
            [[1, 16, 8, 8], [16, 4, 3, 3]], v => F.conv2d(v[0], v[1], null, [1, 1], [1, 1], groups: 4));
        // WaveGAN: 1-D k25 s4 p11 and its transpose.
        foreach (var (cin, cout) in new[] { (1, 8), (8, 16), (16, 1) })
        {
            c.Grad($"conv1d k25 s4 p11 {cin}→{cout} ch 256 samples", KernelFamily.Convolution,
                [[4, cin, 256], [cout, cin, 25], [cout]], v => F.conv1d(v[0], v[1], v[2], 4, 11));
            c.Grad($"conv_transpose1d k25 s4 p11 op1 {cin}→{cout} ch 64 samples", KernelFamily.Convolution,
                [[4, cin, 64], [cin, cout, 25], [cout]], v => F.conv_transpose1d(v[0], v[1], v[2], 4, 11, 1));
        }
    }

    static void Products(Checker c)
    {
        foreach (var (b, i, o) in new[] { (256, 2, 128), (64, 128, 128), (32, 784, 64), (7, 50, 1) })
            c.Grad($"linear {i}→{o} batch {b}", KernelFamily.MatrixProduct, [[b, i], [o, i], [o]], v => F.linear(v[0], v[1], v[2]));
        c.Grad("bmm [10, 32, 64]·[10, 64, 16] (ensemble members)", KernelFamily.MatrixProduct, [[10, 32, 64], [10, 64, 16]], v => v[0].bmm(v[1]));
        c.Grad("matmul [128, 2]·[2, 512]", KernelFamily.MatrixProduct, [[128, 2], [2, 512]], v => v[0].matmul(v[1]));
    }

    static void Elementwise(Checker c)
    {
        long[] x4 = [8, 6, 8, 8];
        c.Grad("batch_norm train (2-D)", KernelFamily.Elementwise, [x4, [6], [6]], v => F.batch_norm(v[0], null, null, v[1], v[2], training: true));
        c.Grad("batch_norm train (1-D)", KernelFamily.Elementwise, [[64, 128], [128], [128]], v => F.batch_norm(v[0], null, null, v[1], v[2], training: true));
        c.Grad("batch_norm eval", KernelFamily.Elementwise, [x4, [6], [6]],
            v => F.batch_norm(v[0], torch.linspace(-0.5, 0.5, 6, v[0].dtype), torch.linspace(0.5, 1.5, 6, v[0].dtype), v[1], v[2], training: false));
        c.Grad("instance_norm", KernelFamily.Elementwise, [x4, [6], [6]], v => F.instance_norm(v[0], weight: v[1], bias: v[2]));
        c.Grad("layer_norm", KernelFamily.Elementwise, [[16, 64], [64], [64]], v => F.layer_norm(v[0], [64], v[1], v[2]));
        c.Grad("relu", KernelFamily.Elementwise, [[1000]], v => F.relu(v[0]));
        c.Grad("leaky_relu 0.2", KernelFamily.Elementwise, [[1000]], v => F.leaky_relu(v[0], 0.2));
        c.Grad("tanh", KernelFamily.Elementwise, [[1000]], v => v[0].tanh());
        c.Grad("sigmoid", KernelFamily.Elementwise, [[1000]], v => v[0].sigmoid());
        c.Grad("softplus", KernelFamily.Elementwise, [[1000]], v => F.softplus(v[0]));
        c.Grad("elu", KernelFamily.Elementwise, [[1000]], v => F.elu(v[0], 1.0, false));
        c.Grad("gelu", KernelFamily.Elementwise, [[1000]], v => F.gelu(v[0]));
        c.Grad("logsigmoid", KernelFamily.Elementwise, [[1000]], v => F.logsigmoid(v[0] * 5));
        c.Grad("log_softmax", KernelFamily.Elementwise, [[32, 10]], v => F.log_softmax(v[0] * 5, 1));
        c.Grad("exp, log, sqrt", KernelFamily.Elementwise, [[1000]], v => v[0].exp() + (v[0].square() + 1).log() + (v[0].square() + 0.1).sqrt());
        c.Grad("binary_cross_entropy_with_logits", KernelFamily.Elementwise, [[256, 1], [256, 1]],
            v => F.binary_cross_entropy_with_logits(v[0] * 4, v[1].sigmoid()));
        c.Grad("mse + l1", KernelFamily.Elementwise, [[64, 32], [64, 32]], v => F.mse_loss(v[0], v[1]) + F.l1_loss(v[0], v[1]));
        c.Grad("sum, mean, var, norm over a dim", KernelFamily.Elementwise, [[64, 100]],
            v => v[0].sum(1) + v[0].mean([1]) + v[0].var(1) + v[0].norm(1, true));
        c.Grad("avg_pool2d k2", KernelFamily.Elementwise, [x4], v => F.avg_pool2d(v[0], 2));
        c.Grad("max_pool2d k2", KernelFamily.Elementwise, [x4], v => F.max_pool2d(v[0], 2));
        c.Grad("adaptive_avg_pool2d 1", KernelFamily.Elementwise, [x4], v => F.adaptive_avg_pool2d(v[0], [1, 1]));
        c.Grad("upsample nearest ×2", KernelFamily.Elementwise, [x4], v => F.interpolate(v[0], scale_factor: [2, 2], mode: InterpolationMode.Nearest));
        c.Grad("upsample bilinear ×2", KernelFamily.Elementwise, [x4], v => F.interpolate(v[0], scale_factor: [2, 2], mode: InterpolationMode.Bilinear, align_corners: false));
        c.Grad("upsample bicubic ×4", KernelFamily.Elementwise, [[2, 3, 8, 8]], v => F.interpolate(v[0], scale_factor: [4, 4], mode: InterpolationMode.Bicubic, align_corners: false));
        c.Grad("pixel_shuffle 2", KernelFamily.Elementwise, [[2, 12, 4, 4]], v => F.pixel_shuffle(v[0], 2));
    }

    static void Decompositions(Checker c)
    {
        foreach (var n in new[] { 4, 32, 128 })
            foreach (var rank in new[] { n, n / 2, 1 })
            {
                c.Spectrum($"eigh {n}×{n} rank {rank}", n, rank, symmetric: true);
                c.Spectrum($"svd {n}×{n} rank {rank}", n, rank, symmetric: false);
            }
    }

    // ----------------------------------------------------------------------------------------- the comparisons

    sealed class Checker(Generator gen, string threads, List<KernelCheck> results)
    {
        /// <summary>Forward and every input's gradient of <paramref name="f"/> in float32 against float64 on the same inputs.</summary>
        public void Grad(string name, KernelFamily family, long[][] shapes, Func<Tensor[], Tensor> f)
        {
            using var scope = torch.NewDisposeScope();
            try
            {
                // Inputs drawn in float32, so that both precisions see exactly the same values.
                var x32 = shapes.Select(s => torch.randn(s, float32, generator: gen)).ToArray();
                var x64 = x32.Select(t => t.to(float64)).ToArray();
                var (y32, g32) = Evaluate(f, x32);
                var (y64, g64) = Evaluate(f, x64);
                Add($"{name}, forward", family, y32, y64);
                for (int i = 0; i < g32.Length; i++)
                    Add($"{name}, ∂{(i == 0 ? "input" : i == 1 && shapes.Length > 1 ? "weight" : $"input {i}")}", family, g32[i], g64[i]);
            }
            catch (Exception e) when (e is ExternalException or ArgumentException or InvalidOperationException)
            {
                results.Add(new KernelCheck($"{name}, {threads}", family, double.PositiveInfinity, Float32Tolerance, FirstLine(e.Message)));
            }
        }

        (Tensor Y, Tensor[] Grads) Evaluate(Func<Tensor[], Tensor> f, Tensor[] inputs)
        {
            var leaves = inputs.Select(t => t.detach().requires_grad_()).ToArray();
            var y = f(leaves);
            // A fixed upstream gradient (the same values in both precisions): ∂⟨y, u⟩/∂x.
            using var ug = new Generator(7);
            var u = torch.randn(y.shape, float32, generator: ug).to(y.dtype);
            var grads = torch.autograd.grad([(y * u).sum()], leaves, allow_unused: true);
            return (y.detach(), grads.Select((g, i) => g is null || g.IsInvalid ? torch.zeros_like(leaves[i]) : g).ToArray());
        }

        void Add(string name, KernelFamily family, Tensor got, Tensor want) =>
            results.Add(new KernelCheck($"{name}, {threads}", family, RelativeError(got, want), Float32Tolerance));

        /// <summary>
        /// A matrix with a known spectrum — Q·diag(λ)·Qᵀ (or U·diag(σ)·Vᵀ) with Q, U, V products of Householder reflections —
        /// decomposed in float64 and float32: eigenvalues/singular values against the known ones, and the reconstruction.
        /// </summary>
        public void Spectrum(string name, int n, int rank, bool symmetric)
        {
            using var scope = torch.NewDisposeScope();
            // λ: 1 … rank on a log scale with a repeated pair, zeros beyond the rank.
            var lambda = torch.zeros([n], float64);
            for (int i = 0; i < rank; i++) lambda[i] = Math.Pow(10, -2.0 * i / Math.Max(1, rank - 1)) * (i == 1 ? 1 : 1 + 1e-3 * i);
            if (rank > 2) lambda[2] = lambda[1];
            var q = Orthogonal(n);
            var a = symmetric ? q.matmul(torch.diag(lambda)).matmul(q.T) : q.matmul(torch.diag(lambda)).matmul(Orthogonal(n).T);
            a = symmetric ? (a + a.T) / 2 : a;
            var known = lambda.sort(descending: true).Values;
            foreach (var dtype in new[] { float64, float32 })
            {
                var tol = dtype == float64 ? Float64Tolerance : Float32Tolerance;
                var label = $"{name} {(dtype == float64 ? "float64" : "float32")}, {threads}";
                try
                {
                    var m = a.to(dtype);
                    Tensor values, rebuilt;
                    if (symmetric)
                    {
                        var (w, v) = torch.linalg.eigh(m);
                        values = w.to(float64).sort(descending: true).Values;
                        rebuilt = v.matmul(torch.diag(w)).matmul(v.T);
                        var only = torch.linalg.eigvalsh(m).to(float64).sort(descending: true).Values;
                        results.Add(new KernelCheck(label.Replace("eigh", "eigvalsh"), KernelFamily.Decomposition, RelativeError(only, known), tol));
                    }
                    else
                    {
                        var (u, s, vh) = torch.linalg.svd(m, fullMatrices: false);
                        values = s.to(float64);
                        rebuilt = u.matmul(torch.diag(s)).matmul(vh);
                    }
                    var err = Math.Max(RelativeError(values, known), RelativeError(rebuilt, m));
                    results.Add(new KernelCheck(label, KernelFamily.Decomposition, err, tol));
                }
                catch (Exception e) when (e is ExternalException or ArgumentException or InvalidOperationException)
                {
                    results.Add(new KernelCheck(label, KernelFamily.Decomposition, double.PositiveInfinity, tol, FirstLine(e.Message)));
                }
            }
        }

        /// <summary>A random n×n orthogonal matrix in float64: the product of three Householder reflections I − 2vvᵀ/(vᵀv).</summary>
        Tensor Orthogonal(int n)
        {
            var q = torch.eye(n, dtype: float64);
            for (int k = 0; k < 3; k++)
            {
                var v = torch.randn([n, 1], float32, generator: gen).to(float64);
                q = q.matmul(torch.eye(n, dtype: float64) - 2 * v.matmul(v.T) / v.square().sum());
            }
            return q;
        }
    }

    /// <summary>max |got − want| / max |want| (∞ when either holds NaN/∞ or the shapes differ).</summary>
    public static double RelativeError(Tensor got, Tensor want)
    {
        using var scope = torch.NewDisposeScope();
        if (!got.shape.SequenceEqual(want.shape)) return double.PositiveInfinity;
        var g = got.to(float64);
        var w = want.to(float64);
        if (!g.isfinite().all().item<bool>() || !w.isfinite().all().item<bool>()) return double.PositiveInfinity;
        var scale = Math.Max(w.abs().max().item<double>(), 1e-30);
        return (g - w).abs().max().item<double>() / scale;
    }

    static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();
}
