using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Nets;

/// <summary>Feature normalization inside the image-to-image blocks.</summary>
public enum FeatureNorm
{
    /// <summary>No normalization.</summary>
    None,
    /// <summary>Batch normalization (pix2pix, SRResNet).</summary>
    Batch,
    /// <summary>Instance normalization without affine parameters (CycleGAN; Ulyanov et al. 2016).</summary>
    Instance,
}

/// <summary>Small helpers shared by the image-to-image blocks.</summary>
public static class ImageToImageLayers
{
    /// <summary>A normalization layer over <paramref name="channels"/>, or an identity for <see cref="FeatureNorm.None"/>.</summary>
    public static Module<Tensor, Tensor> Norm(FeatureNorm norm, long channels) => norm switch
    {
        FeatureNorm.Batch => BatchNorm2d(channels),
        FeatureNorm.Instance => InstanceNorm2d(channels),
        FeatureNorm.None => Identity(),
        _ => throw new ArgumentOutOfRangeException(nameof(norm), norm, "unknown normalization"),
    };
}

/// <summary>
/// A residual block x + F(x) with F = conv3×3 → norm → activation → conv3×3 → norm, channels kept, side kept
/// (He et al. 2016). CycleGAN's ResNet generator uses it with instance norm and ReLU (Zhu et al. 2017, §7.2; Johnson
/// et al. 2016); SRResNet with batch norm and PReLU (Ledig et al. 2017, Fig. 4). Input and output [N, C, H, W].
/// </summary>
public sealed class ResidualBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Module<Tensor, Tensor> norm1;
    private readonly Module<Tensor, Tensor> act;
    private readonly Conv2d conv2;
    private readonly Module<Tensor, Tensor> norm2;

    /// <summary>A block over <paramref name="channels"/> channels.</summary>
    /// <param name="channels">Channels in = out (≥ 1).</param>
    /// <param name="norm">Normalization after each convolution.</param>
    /// <param name="prelu">PReLU (SRResNet) instead of ReLU (CycleGAN).</param>
    public ResidualBlock(int channels, FeatureNorm norm, bool prelu = false) : base(nameof(ResidualBlock))
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "a residual block needs at least 1 channel.");
        conv1 = Conv2d(channels, channels, 3, padding: 1);
        norm1 = ImageToImageLayers.Norm(norm, channels);
        act = prelu ? PReLU(channels) : ReLU();
        conv2 = Conv2d(channels, channels, 3, padding: 1);
        norm2 = ImageToImageLayers.Norm(norm, channels);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = norm2.call(conv2.call(act.call(norm1.call(conv1.call(x)))));
        return (x + h).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// PatchGAN discriminator (Isola et al. 2017, §3.2.2 and App. 6.1.2): a fully convolutional net that scores every
/// overlapping patch of its input real or fake and returns a map of logits — high-frequency structure is judged
/// locally, low frequencies are left to the L1 / cycle term. Layout "C(w)-C(2w)-…" with 4×4 convolutions and
/// LeakyReLU(0.2), no norm on the first layer, <c>Downsamplings</c> stride-2 layers, one stride-1 layer, then a
/// stride-1 4×4 convolution to 1 channel. The paper's 70×70 PatchGAN on 256×256 has 3 downsamplings at width 64
/// (<see cref="ReceptiveField"/> 70); 1 downsampling sees 16×16 patches, 2 see 34×34.
/// Input [N, C, H, W] (pix2pix: C = condition + image channels); output logits [N, 1, H', W'].
/// </summary>
public sealed class PatchDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential body;

    /// <summary>Builds the discriminator.</summary>
    /// <param name="inChannels">Input channels (pix2pix: input and output stacked, 2 for grey images).</param>
    /// <param name="width">Channels of the first layer (paper: 64).</param>
    /// <param name="downsamplings">Stride-2 layers (paper's 70×70: 3).</param>
    /// <param name="norm">Normalization of the inner layers (pix2pix: batch; CycleGAN: instance).</param>
    public PatchDiscriminator(int inChannels, int width = 16, int downsamplings = 2, FeatureNorm norm = FeatureNorm.Batch) : base(nameof(PatchDiscriminator))
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "the discriminator needs at least 1 input channel.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "the first layer needs at least 1 channel (16 on a CPU, 64 in the paper).");
        if (downsamplings is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(downsamplings), downsamplings, "use 1–5 stride-2 layers (2 for 32×32 images, 3 for the paper's 70×70 patches).");
        InChannels = inChannels; Downsamplings = downsamplings;
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int c = width;
        layers.Add(("conv0", Conv2d(inChannels, c, 4, stride: 2, padding: 1)));
        layers.Add(("act0", LeakyReLU(0.2)));
        for (int i = 1; i < downsamplings; i++)
        {
            layers.Add(($"conv{i}", Conv2d(c, c * 2, 4, stride: 2, padding: 1)));
            layers.Add(($"norm{i}", ImageToImageLayers.Norm(norm, c * 2)));
            layers.Add(($"act{i}", LeakyReLU(0.2)));
            c *= 2;
        }
        layers.Add(($"conv{downsamplings}", Conv2d(c, c * 2, 4, stride: 1, padding: 1)));
        layers.Add(($"norm{downsamplings}", ImageToImageLayers.Norm(norm, c * 2)));
        layers.Add(($"act{downsamplings}", LeakyReLU(0.2)));
        layers.Add(("out", Conv2d(c * 2, 1, 4, stride: 1, padding: 1)));
        body = Sequential(layers);
        RegisterComponents();
    }

    /// <summary>Input channels the discriminator expects.</summary>
    public int InChannels { get; }

    /// <summary>Stride-2 layers.</summary>
    public int Downsamplings { get; }

    /// <summary>
    /// Side of the input square that one output logit sees: r = 1 + Σ (k − 1)·Π(earlier strides), with k = 4 for
    /// every layer (the paper's 70 for 3 downsamplings).
    /// </summary>
    public int ReceptiveField
    {
        get
        {
            int r = 1, jump = 1;
            for (int i = 0; i < Downsamplings; i++) { r += 3 * jump; jump *= 2; }
            return r + 3 * jump + 3 * jump;
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != InChannels)
            throw new ArgumentException($"PatchDiscriminator expects [N, {InChannels}, H, W]; got {Core.Shapes.Of(x)}.", nameof(x));
        return body.call(x);
    }
}
