using GanNotebooks.Core;
using GanNotebooks.Losses;
using GanNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>Summary of per-sample gradient norms ‖∇ₓD(x)‖ (WGAN-GP wants them all near 1).</summary>
/// <param name="Count">Number of samples.</param>
/// <param name="Mean">Mean norm.</param>
/// <param name="Std">Standard deviation of the norms (population).</param>
/// <param name="Median">Median norm.</param>
/// <param name="Min">Smallest norm.</param>
/// <param name="Max">Largest norm.</param>
/// <param name="FractionNearOne">Fraction of norms within ±<paramref name="Tolerance"/> of 1.</param>
/// <param name="Tolerance">The band used for <paramref name="FractionNearOne"/>.</param>
public readonly record struct GradientNormSummary(int Count, double Mean, double Std, double Median, double Min, double Max,
    double FractionNearOne, double Tolerance)
{
    /// <inheritdoc/>
    public override string ToString()
        => $"‖∇D‖: mean {Mean:G3} ± {Std:G3}, median {Median:G3}, range [{Min:G3}, {Max:G3}], {FractionNearOne:P0} within 1 ± {Tolerance:G2} (n={Count})";
}

/// <summary>Weights of one parameter tensor relative to the clipping bound c.</summary>
/// <param name="Name">Parameter name (state-dict key, e.g. "net.net.0.weight").</param>
/// <param name="Count">Number of entries.</param>
/// <param name="AtBoundary">Entries with |w| ≥ c·(1 − tolerance): pinned to ±c by the clipping.</param>
/// <param name="FractionAtBoundary">AtBoundary / Count.</param>
/// <param name="MaxAbs">max |w|.</param>
public readonly record struct LayerClipStats(string Name, long Count, long AtBoundary, double FractionAtBoundary, double MaxAbs);

/// <summary>
/// How much of a clipped critic sits on the clipping boundary. Arjovsky et al. (2017, §3) clip every
/// weight to [−c, c]; Gulrajani et al. (2017, §3, Fig. 1c) show that most weights end up at ±c, so the
/// critic is pushed towards very simple functions.
/// </summary>
/// <param name="Clip">The bound c.</param>
/// <param name="Count">All parameter entries examined.</param>
/// <param name="AtBoundary">Entries with |w| ≥ c·(1 − tolerance).</param>
/// <param name="FractionAtBoundary">AtBoundary / Count, in [0, 1].</param>
/// <param name="MaxAbs">Largest |w| (≤ c right after a clipped step).</param>
/// <param name="Layers">The same per parameter tensor.</param>
public sealed record WeightClipReport(double Clip, long Count, long AtBoundary, double FractionAtBoundary, double MaxAbs, IReadOnlyList<LayerClipStats> Layers)
{
    /// <inheritdoc/>
    public override string ToString() => $"clip {Clip:G3}: {FractionAtBoundary:P1} of {Count:N0} weights at ±c, max |w| {MaxAbs:G3}";
}

/// <summary>A critic's values and input gradients at a set of points (for surfaces and gradient fields).</summary>
/// <param name="Points">The points [n, d].</param>
/// <param name="Values">D(x) per point, length n.</param>
/// <param name="Gradients">∇ₓD(x) per point [n, d].</param>
public sealed record CriticField(double[,] Points, double[] Values, double[,] Gradients)
{
    /// <summary>‖∇ₓD(x)‖₂ per point, length n.</summary>
    public double[] GradientNorms
    {
        get
        {
            int n = Gradients.GetLength(0), d = Gradients.GetLength(1);
            var r = new double[n];
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < d; j++) s += Gradients[i, j] * Gradients[i, j];
                r[i] = Math.Sqrt(s);
            }
            return r;
        }
    }
}

/// <summary>
/// Diagnostics of WGAN critics: per-sample gradient norms at the WGAN-GP interpolates (Gulrajani et al.
/// 2017, Algorithm 1), the share of weights stuck at the clipping bound (ibid., Fig. 1c), per-layer
/// gradient norms of the critic loss (ibid., Fig. 1b: they explode or vanish under clipping), the
/// critic's value and gradient field on a grid, and its Kantorovich–Rubinstein estimate
/// E[D(x)] − E[D(x̃)] of W1 (Arjovsky et al. 2017, eq. 3). Nothing here changes the critic's weights,
/// gradients or mode.
/// </summary>
public static class CriticDiagnostics
{
    /// <summary>
    /// ‖∇_x̂ D(x̂)‖₂ per sample at x̂ = ε x + (1 − ε) x̃, ε ~ U[0, 1] per sample — the points where the
    /// WGAN-GP penalty acts. The norm is over all non-batch dimensions.
    /// </summary>
    /// <param name="critic">D: [B, ...] → [B] or [B, 1].</param>
    /// <param name="real">Real batch [B, ...].</param>
    /// <param name="fake">Generated batch, same shape.</param>
    /// <param name="generator">Optional torch generator for ε (reproducible diagnostics).</param>
    /// <returns>B norms.</returns>
    public static double[] InterpolateGradientNorms(nn.Module<Tensor, Tensor> critic, Tensor real, Tensor fake, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(critic);
        using var scope = torch.NewDisposeScope();
        var xHat = Regularizers.Interpolate(real, fake, generator);
        return Regularizers.InputGradientNorms(critic.call, xHat, createGraph: false).ToVector();
    }

    /// <summary>‖∇ₓD(x)‖₂ per sample at given points [B, ...] (e.g. on real or on generated samples).</summary>
    /// <param name="critic">D: [B, ...] → [B] or [B, 1].</param>
    /// <param name="points">[B, ...].</param>
    /// <returns>B norms.</returns>
    public static double[] GradientNorms(nn.Module<Tensor, Tensor> critic, Tensor points)
    {
        ArgumentNullException.ThrowIfNull(critic);
        using var scope = torch.NewDisposeScope();
        return Regularizers.InputGradientNorms(critic.call, points, createGraph: false).ToVector();
    }

    /// <summary>Mean, spread and the fraction of norms within 1 ± <paramref name="tolerance"/>.</summary>
    /// <param name="norms">Per-sample gradient norms (non-empty).</param>
    /// <param name="tolerance">Half-width of the band around 1 (default 0.1).</param>
    public static GradientNormSummary Summarize(IReadOnlyList<double> norms, double tolerance = 0.1)
    {
        ArgumentNullException.ThrowIfNull(norms);
        if (norms.Count == 0) throw new ArgumentException("no gradient norms to summarize; pass at least one.", nameof(norms));
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "the tolerance must be > 0 (e.g. 0.1).");
        var s = norms.ToArray();
        Array.Sort(s);
        double mean = s.Average();
        double std = Math.Sqrt(s.Sum(v => (v - mean) * (v - mean)) / s.Length);
        double median = s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
        double near = s.Count(v => Math.Abs(v - 1) <= tolerance) / (double)s.Length;
        return new GradientNormSummary(s.Length, mean, std, median, s[0], s[^1], near, tolerance);
    }

    /// <summary>All parameter entries of <paramref name="critic"/> as one flat array (for a weight histogram).</summary>
    /// <param name="critic">Any module.</param>
    /// <param name="weightsOnly">True: only tensors with ≥ 2 dimensions (weight matrices / kernels, no biases or norm scales).</param>
    public static double[] Weights(nn.Module critic, bool weightsOnly = false)
    {
        ArgumentNullException.ThrowIfNull(critic);
        var all = new List<double>();
        foreach (var (_, p) in critic.named_parameters())
            if (!weightsOnly || p.dim() >= 2) all.AddRange(p.ToVector());
        return all.ToArray();
    }

    /// <summary>
    /// Fraction of the critic's parameters at the clipping boundary ±c (all parameters, as WGAN clips
    /// all of them). An entry counts when |w| ≥ c·(1 − <paramref name="relativeTolerance"/>).
    /// </summary>
    /// <param name="critic">The clipped critic.</param>
    /// <param name="clip">The bound c (&gt; 0; WGAN: 0.01).</param>
    /// <param name="relativeTolerance">Relative slack for "at the bound" (default 1e-3, above float32 rounding of c).</param>
    public static WeightClipReport ClipReport(nn.Module critic, double clip, double relativeTolerance = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(critic);
        if (!(clip > 0) || double.IsInfinity(clip)) throw new ArgumentOutOfRangeException(nameof(clip), clip, "the clipping bound must be a finite number > 0 (WGAN: 0.01).");
        if (!(relativeTolerance >= 0 && relativeTolerance < 1)) throw new ArgumentOutOfRangeException(nameof(relativeTolerance), relativeTolerance, "the tolerance is relative, in [0, 1).");
        double threshold = clip * (1 - relativeTolerance);
        var layers = new List<LayerClipStats>();
        foreach (var (name, p) in critic.named_parameters())
        {
            var w = p.ToVector();
            long at = w.LongCount(v => Math.Abs(v) >= threshold);
            double maxAbs = w.Length == 0 ? 0 : w.Max(Math.Abs);
            layers.Add(new LayerClipStats(name, w.Length, at, w.Length == 0 ? 0 : (double)at / w.Length, maxAbs));
        }
        if (layers.Count == 0) throw new ArgumentException("the critic has no parameters.", nameof(critic));
        long count = layers.Sum(l => l.Count), atBoundary = layers.Sum(l => l.AtBoundary);
        return new WeightClipReport(clip, count, atBoundary, count == 0 ? 0 : (double)atBoundary / count, layers.Max(l => l.MaxAbs), layers);
    }

    /// <summary>
    /// ‖∂L/∂W‖₂ of the WGAN critic loss L = E[D(x̃)] − E[D(x)] for each weight tensor (≥ 2 dims), input
    /// layer first — the quantity of Gulrajani et al. (2017), Fig. 1b. Computed with autograd.grad, so
    /// the parameters' .grad fields are left untouched.
    /// </summary>
    /// <param name="critic">The critic.</param>
    /// <param name="real">Real batch [B, ...].</param>
    /// <param name="fake">Generated batch [B', ...].</param>
    /// <returns>(parameter name, gradient norm) per weight tensor.</returns>
    public static IReadOnlyList<(string Name, double Norm)> LayerGradientNorms(nn.Module<Tensor, Tensor> critic, Tensor real, Tensor fake)
    {
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(fake);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.enable_grad();
        var weights = critic.named_parameters().Where(np => np.parameter.dim() >= 2 && np.parameter.requires_grad).ToList();
        if (weights.Count == 0) throw new ArgumentException("the critic has no trainable weight matrices (parameters with ≥ 2 dims).", nameof(critic));
        var loss = GanLosses.CriticWasserstein(critic.call(real.detach()), critic.call(fake.detach()));
        var grads = torch.autograd.grad(new[] { loss }, weights.Select(w => (Tensor)w.parameter).ToArray(), allow_unused: true);
        var result = new List<(string, double)>();
        for (int i = 0; i < weights.Count; i++)
            result.Add((weights[i].name, grads[i] is null ? 0.0 : grads[i].norm().to_type(ScalarType.Float64).item<double>()));
        return result;
    }

    /// <summary>
    /// D(x) and ∇ₓD(x) at the given points [n, d] (e.g. a grid from <c>Box2D.GridPoints</c>), evaluated in
    /// chunks on the critic's device. Use the values for a surface heatmap and the gradients for a
    /// gradient field. The critic's mode (train/eval) is not changed.
    /// </summary>
    /// <param name="critic">D: [B, d] → [B] or [B, 1].</param>
    /// <param name="points">[n, d].</param>
    /// <param name="chunk">Points per forward pass (≥ 1).</param>
    public static CriticField Field(nn.Module<Tensor, Tensor> critic, double[,] points, int chunk = 4096)
    {
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(points);
        if (chunk < 1) throw new ArgumentOutOfRangeException(nameof(chunk), chunk, "chunk must be ≥ 1.");
        int n = points.GetLength(0), d = points.GetLength(1);
        if (n == 0 || d == 0) throw new ArgumentException($"points must be a non-empty [n, d] matrix; got [{n}, {d}].", nameof(points));
        var device = DeviceOf(critic);
        var values = new double[n];
        var grads = new double[n, d];
        for (int start = 0; start < n; start += chunk)
        {
            int m = Math.Min(chunk, n - start);
            var part = new double[m, d];
            Buffer.BlockCopy(points, start * d * sizeof(double), part, 0, m * d * sizeof(double));
            using var scope = torch.NewDisposeScope();
            using var _ = torch.enable_grad();
            var x = part.ToTensor(device).requires_grad_(true);
            var scores = critic.call(x);
            if (scores.numel() != m)
                throw new ArgumentException($"the critic returned shape {Shapes.Of(scores)} for {m} points; it must return one score per point.");
            var g = torch.autograd.grad(new[] { scores.sum() }, new[] { x })[0];
            var v = scores.reshape(-1).ToVector();
            Array.Copy(v, 0, values, start, m);
            var gm = g.ToMatrix();
            Buffer.BlockCopy(gm, 0, grads, start * d * sizeof(double), m * d * sizeof(double));
        }
        return new CriticField((double[,])points.Clone(), values, grads);
    }

    /// <summary>
    /// The critic's Kantorovich–Rubinstein estimate E[D(x)] − E[D(x̃)] (no gradients). It equals W1(P, Q)
    /// when D is the optimal 1-Lipschitz critic and K·W1 for an optimal K-Lipschitz one (Arjovsky et al.
    /// 2017, eq. 2–3), so with weight clipping it is W1 up to an unknown scale.
    /// </summary>
    /// <param name="critic">D: [B, ...] → [B] or [B, 1].</param>
    /// <param name="real">Samples of P [n, ...].</param>
    /// <param name="fake">Samples of Q [m, ...].</param>
    public static double Estimate(nn.Module<Tensor, Tensor> critic, Tensor real, Tensor fake)
    {
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(fake);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var r = critic.call(real).mean();
        var f = critic.call(fake).mean();
        return (r - f).to_type(ScalarType.Float64).item<double>();
    }

    static Device DeviceOf(nn.Module module)
    {
        foreach (var p in module.parameters()) return p.device;
        return Devices.Current;
    }
}
