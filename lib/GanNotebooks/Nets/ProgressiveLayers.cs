using GanNotebooks.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Nets;

/// <summary>
/// A 2-D convolution with an equalized learning rate (Karras et al. 2018, §4.1): the weight is stored
/// as N(0, 1) and multiplied at run time by the He constant c = gain / sqrt(fan_in), fan_in =
/// in·k·k. The output has the same statistics as a He-initialized conv, but Adam's per-parameter step
/// (which is scale-free) now moves every layer at the same relative speed. Bias starts at 0.
/// Zero padding k / 2 keeps H and W ("same" for odd k).
/// </summary>
public sealed class EqualizedConv2d : Module<Tensor, Tensor>
{
    // Field names are the state-dict keys: "weight" [out, in, k, k] ~ N(0, 1), "bias" [out].
    private readonly Parameter weight;
    private readonly Parameter bias;

    /// <summary>Input channels.</summary>
    public int InChannels { get; }
    /// <summary>Output channels.</summary>
    public int OutChannels { get; }
    /// <summary>Kernel size k (square).</summary>
    public int KernelSize { get; }
    /// <summary>fan_in = InChannels · k · k.</summary>
    public int FanIn => InChannels * KernelSize * KernelSize;
    /// <summary>The gain (√2 for layers followed by a (leaky) ReLU, 1 for linear outputs such as toRGB).</summary>
    public double Gain { get; }
    /// <summary>The run-time weight scale c = gain / sqrt(fan_in) (= sqrt(2 / fan_in) with the default gain).</summary>
    public double Scale { get; }

    /// <summary>Builds the layer with weights drawn from N(0, 1) (torch's global generator) and zero bias.</summary>
    /// <param name="inChannels">Input channels (≥ 1).</param>
    /// <param name="outChannels">Output channels (≥ 1).</param>
    /// <param name="kernelSize">Odd kernel size k ≥ 1 (1 for toRGB/fromRGB, 3 otherwise).</param>
    /// <param name="gain">He gain; null → √2.</param>
    /// <param name="name">Module name.</param>
    public EqualizedConv2d(int inChannels, int outChannels, int kernelSize, double? gain = null, string name = "EqualizedConv2d") : base(name)
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "a convolution needs ≥ 1 input channel.");
        if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, "a convolution needs ≥ 1 output channel.");
        if (kernelSize < 1 || kernelSize % 2 == 0) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "use an odd kernel size (1 or 3) so that padding k/2 keeps the image size.");
        Gain = gain ?? Math.Sqrt(2);
        if (!(Gain > 0) || double.IsInfinity(Gain)) throw new ArgumentOutOfRangeException(nameof(gain), gain, "the gain must be a finite number > 0 (√2 before a leaky ReLU, 1 for a linear output).");
        InChannels = inChannels; OutChannels = outChannels; KernelSize = kernelSize;
        Scale = Gain / Math.Sqrt(FanIn);
        weight = Parameter(torch.randn(outChannels, inChannels, kernelSize, kernelSize));
        bias = Parameter(torch.zeros(outChannels));
        RegisterComponents();
    }

    /// <summary>x [B, in, H, W] → [B, out, H, W].</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != InChannels)
            throw new ArgumentException($"{GetName()} expects [B, {InChannels}, H, W]; got {Shapes.Of(x)}.", nameof(x));
        long p = KernelSize / 2;
        // Scaling the (small) weight rather than the activations: the same product, fewer flops.
        return functional.conv2d(x, weight * Scale, bias, padding: [p, p]);
    }
}

/// <summary>
/// A fully connected layer with an equalized learning rate (Karras et al. 2018, §4.1): weight [out, in]
/// stored as N(0, 1), multiplied at run time by gain / sqrt(in). Bias starts at 0.
/// </summary>
public sealed class EqualizedLinear : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    /// <summary>Input features (= fan_in).</summary>
    public int InFeatures { get; }
    /// <summary>Output features.</summary>
    public int OutFeatures { get; }
    /// <summary>The He gain.</summary>
    public double Gain { get; }
    /// <summary>The run-time weight scale gain / sqrt(InFeatures).</summary>
    public double Scale { get; }

    /// <summary>Builds the layer with N(0, 1) weights and zero bias.</summary>
    /// <param name="inFeatures">Input features (≥ 1).</param>
    /// <param name="outFeatures">Output features (≥ 1).</param>
    /// <param name="gain">He gain; null → √2 (use 1 for a linear output, √2/4 for G's first layer as in the official code).</param>
    /// <param name="name">Module name.</param>
    public EqualizedLinear(int inFeatures, int outFeatures, double? gain = null, string name = "EqualizedLinear") : base(name)
    {
        if (inFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "a linear layer needs ≥ 1 input feature.");
        if (outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "a linear layer needs ≥ 1 output feature.");
        Gain = gain ?? Math.Sqrt(2);
        if (!(Gain > 0) || double.IsInfinity(Gain)) throw new ArgumentOutOfRangeException(nameof(gain), gain, "the gain must be a finite number > 0.");
        InFeatures = inFeatures; OutFeatures = outFeatures;
        Scale = Gain / Math.Sqrt(inFeatures);
        weight = Parameter(torch.randn(outFeatures, inFeatures));
        bias = Parameter(torch.zeros(outFeatures));
        RegisterComponents();
    }

    /// <summary>x [B, in] → [B, out].</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 2 || x.shape[1] != InFeatures)
            throw new ArgumentException($"{GetName()} expects [B, {InFeatures}]; got {Shapes.Of(x)}.", nameof(x));
        return functional.linear(x, weight * Scale, bias);
    }
}

/// <summary>
/// Pixelwise feature-vector normalization (Karras et al. 2018, §4.2, eq. 2):
/// b = a / sqrt(mean_c a² + ε) at every pixel, ε = 1e-8. Used in G after each conv instead of
/// BatchNorm; it has no parameters and does not couple the samples of a batch.
/// </summary>
public sealed class PixelNorm : Module<Tensor, Tensor>
{
    /// <summary>ε inside the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Builds the layer.</summary>
    /// <param name="epsilon">ε (default 1e-8, as in the paper).</param>
    public PixelNorm(double epsilon = 1e-8) : base(nameof(PixelNorm))
    {
        if (!(epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be ≥ 0.");
        Epsilon = epsilon;
        RegisterComponents();
    }

    /// <summary>x [B, C, ...] → same shape, each [B, :, h, w] vector with mean square ≈ 1 over C.</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() < 2) throw new ArgumentException($"PixelNorm expects [B, C, ...]; got {Shapes.Of(x)}.", nameof(x));
        return x * torch.rsqrt(x.square().mean([1], keepdim: true) + Epsilon);
    }
}

/// <summary>
/// Minibatch standard deviation (Karras et al. 2018, §3): appended before D's last block so that D
/// can see the variation within a batch and penalize a generator that collapses. The batch is split
/// into groups of <see cref="GroupSize"/> (min(G, B)); for each group the standard deviation over the
/// group of every feature and pixel is taken, sqrt(Var + 1e-8) (population variance, divisor G),
/// averaged over C, H, W to one number, and appended as one constant feature map to each member.
/// Group membership follows the official code's reshape [G, B/G, …]: sample b belongs to group b mod (B/G).
/// </summary>
public sealed class MinibatchStdDev : Module<Tensor, Tensor>
{
    /// <summary>Group size G (4 in the paper).</summary>
    public int GroupSize { get; }

    /// <summary>Builds the layer.</summary>
    /// <param name="groupSize">G ≥ 1 (4 in the paper); the batch size must be a multiple of min(G, B).</param>
    public MinibatchStdDev(int groupSize = 4) : base(nameof(MinibatchStdDev))
    {
        if (groupSize < 1) throw new ArgumentOutOfRangeException(nameof(groupSize), groupSize, "the group size must be ≥ 1 (4 in Karras et al. 2018).");
        GroupSize = groupSize;
        RegisterComponents();
    }

    /// <summary>x [B, C, H, W] → [B, C + 1, H, W] (the last channel is the group's statistic).</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4) throw new ArgumentException($"MinibatchStdDev expects [B, C, H, W]; got {Shapes.Of(x)}.", nameof(x));
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        long g = Math.Min(GroupSize, b);
        if (b % g != 0)
            throw new ArgumentException($"MinibatchStdDev with group size {GroupSize} needs a batch size that is a multiple of {g}; got B = {b}. Use a batch size divisible by {GroupSize}.", nameof(x));
        long m = b / g;
        var y = x.reshape(g, m, c, h, w);                    // [G, M, C, H, W]
        y = y - y.mean([0], keepdim: true);                  // centre within each group
        y = (y.square().mean([0]) + 1e-8).sqrt();            // [M, C, H, W] std over the group
        y = y.mean([1, 2, 3], keepdim: true);                // [M, 1, 1, 1]
        y = y.repeat(g, 1, h, w);                            // [B, 1, H, W]: sample b gets group b mod M
        return torch.cat([x, y.to_type(x.dtype)], 1);
    }
}

/// <summary>Resampling used by progressive growing: nearest-neighbour upsampling and average-pool downsampling by powers of two.</summary>
public static class ProgressiveResample
{
    /// <summary>Nearest-neighbour upsampling by an integer factor: [B, C, H, W] → [B, C, f·H, f·W] (G's "upscale2d").</summary>
    public static Tensor Upsample(Tensor x, int factor = 2)
    {
        Check(x, factor);
        if (factor == 1) return x.alias();
        return x.repeat_interleave(factor, 2).repeat_interleave(factor, 3);
    }

    /// <summary>Average pooling by an integer factor: [B, C, H, W] → [B, C, H/f, W/f] (D's "downscale2d"; H and W must be multiples of f).</summary>
    public static Tensor Downsample(Tensor x, int factor = 2)
    {
        Check(x, factor);
        if (factor == 1) return x.alias();
        if (x.shape[2] % factor != 0 || x.shape[3] % factor != 0)
            throw new ArgumentException($"cannot downsample {Shapes.Of(x)} by {factor}: H and W must be multiples of it.", nameof(x));
        return functional.avg_pool2d(x, [factor, factor]);
    }

    /// <summary>
    /// Square images [B, C, S, S] → [B, C, size, size] by average pooling (size &lt; S) or nearest upsampling
    /// (size &gt; S); S / size or size / S must be an integer.
    /// </summary>
    public static Tensor Resize(Tensor x, int size)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4 || x.shape[2] != x.shape[3])
            throw new ArgumentException($"Resize expects square images [B, C, S, S]; got {Shapes.Of(x)}.", nameof(x));
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "the target size must be ≥ 1.");
        long s = x.shape[2];
        if (size == s) return x.alias();
        if (size < s)
        {
            if (s % size != 0) throw new ArgumentException($"cannot resize {s}×{s} to {size}×{size}: {s} is not a multiple of {size}.", nameof(size));
            return Downsample(x, (int)(s / size));
        }
        if (size % s != 0) throw new ArgumentException($"cannot resize {s}×{s} to {size}×{size}: {size} is not a multiple of {s}.", nameof(size));
        return Upsample(x, (int)(size / s));
    }

    /// <summary>
    /// The real images of a fade-in (Karras et al. 2018, §A.1 / official process_reals): the same blend
    /// as G's output, lerp(upsample(downsample(x)), x, α), so that D sees real images at the effective
    /// resolution of the fakes. α = 1 returns x; α = 0 returns the half-resolution image shown at full size.
    /// </summary>
    /// <param name="x">Real images [B, C, S, S] at the current resolution S (even).</param>
    /// <param name="alpha">α in [0, 1].</param>
    public static Tensor FadeReal(Tensor x, double alpha)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be in [0, 1].");
        if (alpha >= 1) return x.alias();
        var coarse = Upsample(Downsample(x, 2), 2);
        return coarse + (x - coarse) * alpha;
    }

    static void Check(Tensor x, int factor)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4) throw new ArgumentException($"expected images [B, C, H, W]; got {Shapes.Of(x)}.", nameof(x));
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), factor, "the factor must be ≥ 1.");
    }
}
