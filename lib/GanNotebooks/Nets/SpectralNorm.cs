using GanNotebooks.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace GanNotebooks.Nets;

/// <summary>
/// Spectral normalization (Miyato et al. 2018): a layer uses W / σ(W), σ = the largest singular value of W reshaped to
/// [out, in·k·k], so every layer is 1-Lipschitz and D as a whole is K-Lipschitz with a K fixed by the architecture.
/// σ is estimated by power iteration with persistent vectors u, v: one iteration per forward call in training mode
/// (the estimate improves as the weights drift slowly), none in eval mode (so evaluating D changes nothing).
/// </summary>
public static class SpectralNorm
{
    /// <summary>
    /// The power-iteration estimate uᵀ W v of σ(W) for W [out, in] and unit vectors u [out], v [in]. With
    /// <paramref name="iterations"/> &gt; 0, first runs that many iterations v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖ (without
    /// gradient) and writes the new vectors into <paramref name="u"/> and <paramref name="v"/>. The result carries the
    /// gradient with respect to W (u and v act as constants, as in the paper's Algorithm 1).
    /// </summary>
    public static Tensor Sigma(Tensor w, Tensor u, Tensor v, int iterations)
    {
        if (w.dim() != 2) throw new ArgumentException($"W must be a matrix [out, in]; got {Shapes.Of(w)}. Reshape conv weights to [out, in·kh·kw].", nameof(w));
        if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "the number of power iterations cannot be negative.");
        if (iterations > 0)
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var wd = w.detach();
            Tensor uu = u, vv = v;
            for (int i = 0; i < iterations; i++)
            {
                vv = F.normalize(wd.t().mv(uu), dim: 0, eps: 1e-12);
                uu = F.normalize(wd.mv(vv), dim: 0, eps: 1e-12);
            }
            u.copy_(uu);
            v.copy_(vv);
        }
        // Clones: D is called on the real and the fake batch before one backward, and the second call updates u, v in
        // place; the first call's graph must keep the values it used.
        return u.clone().dot(w.mv(v.clone()));
    }

    /// <summary>
    /// The exact largest singular value of a weight [out, ...] (conv weights reshaped to [out, in·kh·kw]), by LAPACK's
    /// SVD in float64. A weight with NaN/∞ throws an <see cref="ArgumentException"/> saying so; when the SVD itself
    /// fails ("failed to converge"), σ_max = √λ_max of the smaller Gram matrix W Wᵀ or Wᵀ W, by the kit's own
    /// <see cref="SymmetricEigen.Values"/> (exact up to rounding of relative size ε).
    /// </summary>
    public static double ExactSigma(Tensor weight) => ExactSigma(weight, static w => torch.linalg.svdvals(w));

    /// <summary><see cref="ExactSigma(Tensor)"/> with the LAPACK call replaceable (tests simulate a failure).</summary>
    internal static double ExactSigma(Tensor weight, Func<Tensor, Tensor> svdvals)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var w2 = weight.detach().reshape(weight.shape[0], -1).to_type(ScalarType.Float64);
        long bad = w2.isfinite().logical_not().sum().item<long>();
        if (bad > 0)
            throw new ArgumentException($"The weight {Shapes.Of(weight)} holds {bad} non-finite value(s) (NaN/∞), so it has no spectral norm. " +
                "Likely causes: a diverged training run (look at the losses), or libtorch kernels that compute wrong results on this CPU " +
                "(see the kernel check in Kit.Setup()'s environment report).", nameof(weight));
        try
        {
            return svdvals(w2)[0].item<double>();
        }
        catch (System.Runtime.InteropServices.ExternalException)
        {
            var cpu = w2.cpu();
            var gram = cpu.shape[0] <= cpu.shape[1] ? cpu.mm(cpu.t()) : cpu.t().mm(cpu);
            return Math.Sqrt(Math.Max(0, SymmetricEigen.Values(gram.ToMatrix())[^1]));
        }
    }

    /// <summary>Random unit vectors u [rows] and v [cols] (Gaussian, normalized): the start of a power iteration.</summary>
    public static (Tensor U, Tensor V) InitialVectors(long rows, long cols, Generator? generator = null)
    {
        using var _ = no_grad();
        var u = F.normalize(randn(new[] { rows }, generator: generator), dim: 0);
        var v = F.normalize(randn(new[] { cols }, generator: generator), dim: 0);
        return (u, v);
    }
}

/// <summary>Common part of the spectrally normalized layers: the weight, its u and v, and the normalized weight.</summary>
public abstract class SpectralNormLayer : Module<Tensor, Tensor>
{
    /// <summary>The unnormalized weight W (the parameter the optimizer updates).</summary>
    public Parameter weight { get; protected set; } = null!;

    /// <summary>The bias (not normalized), or null.</summary>
    public Parameter? bias { get; protected set; }

    /// <summary>Left singular vector estimate [out] (a buffer: saved with the module, not trained).</summary>
    public Tensor u { get; protected set; } = null!;

    /// <summary>Right singular vector estimate [in·kh·kw] (a buffer).</summary>
    public Tensor v { get; protected set; } = null!;

    /// <summary>Power iterations per forward call in training mode (the paper uses 1).</summary>
    public int PowerIterations { get; set; } = 1;

    /// <summary>The current estimate uᵀWv of σ(W) — the value the last training-mode forward divided by (no iteration here).</summary>
    public double SigmaEstimate
    {
        get
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            return u.dot(weight.reshape(weight.shape[0], -1).mv(v)).item<float>();
        }
    }

    /// <summary>Creates the layer (parameters are set by the subclass).</summary>
    protected SpectralNormLayer(string name) : base(name) { }

    /// <summary>Registers weight, bias, u and v (call at the end of the subclass constructor).</summary>
    protected void Register(Tensor w, Tensor? b, Generator? generator)
    {
        long rows = w.shape[0], cols = w.numel() / rows;   // before Parameter takes over w's handle
        weight = new Parameter(w);
        bias = b is null ? null : new Parameter(b);
        (u, v) = SpectralNorm.InitialVectors(rows, cols, generator);
        register_parameter("weight", weight);
        if (bias is not null) register_parameter("bias", bias);
        register_buffer("u", u);
        register_buffer("v", v);
    }

    /// <summary>W / σ(W), with one power iteration first in training mode (none in eval mode).</summary>
    public Tensor NormalizedWeight()
    {
        var sigma = SpectralNorm.Sigma(weight.reshape(weight.shape[0], -1), u, v, training ? PowerIterations : 0);
        return weight / sigma;
    }
}

/// <summary>A linear layer with spectral normalization: x [B, in] → W_sn x + b [B, out].</summary>
public sealed class SNLinear : SpectralNormLayer
{
    /// <summary>Weight ~ N(0, 0.02²) (DCGAN's init; the scale does not matter after normalization), bias 0.</summary>
    public SNLinear(long inFeatures, long outFeatures, bool hasBias = true, Generator? initGenerator = null) : base(nameof(SNLinear))
    {
        if (inFeatures < 1 || outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"SNLinear needs in, out ≥ 1; got {inFeatures}, {outFeatures}.");
        Register(randn(new[] { outFeatures, inFeatures }, generator: initGenerator) * Dcgan.InitStd, hasBias ? zeros(outFeatures) : null, initGenerator);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => F.linear(x, NormalizedWeight(), bias);
}

/// <summary>A 2D convolution with spectral normalization of its weight [out, in, k, k] (reshaped to [out, in·k·k]).</summary>
public sealed class SNConv2d : SpectralNormLayer
{
    readonly long _stride, _padding;

    /// <summary>Square kernel <paramref name="kernel"/>, stride and zero padding as in Conv2d; weight ~ N(0, 0.02²), bias 0.</summary>
    public SNConv2d(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, bool hasBias = true, Generator? initGenerator = null)
        : base(nameof(SNConv2d))
    {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || stride < 1 || padding < 0)
            throw new ArgumentOutOfRangeException(nameof(kernel), $"SNConv2d needs channels, kernel and stride ≥ 1 and padding ≥ 0; got in {inChannels}, out {outChannels}, kernel {kernel}, stride {stride}, padding {padding}.");
        _stride = stride;
        _padding = padding;
        Register(randn(new[] { outChannels, inChannels, kernel, kernel }, generator: initGenerator) * Dcgan.InitStd, hasBias ? zeros(outChannels) : null, initGenerator);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) =>
        F.conv2d(x, NormalizedWeight(), bias, strides: new[] { _stride, _stride }, padding: new[] { _padding, _padding });
}
