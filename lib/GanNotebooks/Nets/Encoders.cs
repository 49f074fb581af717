using GanNotebooks.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Nets;

/// <summary>
/// MLP encoder E: x [B, ...] (flattened to [B, xDim]) → z [B, zDim], the inverse direction of a generator
/// (BiGAN, Donahue et al. 2017; ALI, Dumoulin et al. 2017). Defaults follow the official BiGAN MNIST model's
/// fully connected encoder: hidden layers of 1024 with LeakyReLU(0.2) and a linear output (the latent prior
/// decides the range; pass output: Activation.Tanh for a U[−1, 1] prior if you want hard bounds).
/// No normalization by default, so an encoding never depends on the rest of its batch.
/// </summary>
public sealed class MlpEncoder : Module<Tensor, Tensor>
{
    private readonly Mlp net;

    /// <summary>Flattened input size (784 for 28×28 grey images).</summary>
    public int XDim { get; }

    /// <summary>Latent size.</summary>
    public int ZDim { get; }

    /// <summary>Builds the encoder.</summary>
    /// <param name="xDim">Flattened input size (≥ 1), e.g. 784 = 1·28·28 or 2 for toy data.</param>
    /// <param name="zDim">Latent size (≥ 1), e.g. 50 (official BiGAN MNIST) or 2 for toy data.</param>
    /// <param name="hidden">Hidden width (default 1024).</param>
    /// <param name="depth">Number of hidden layers (default 2, ≥ 0).</param>
    /// <param name="activation">Hidden activation (default LeakyReLU(0.2)).</param>
    /// <param name="output">Output activation (default none).</param>
    /// <param name="norm">Hidden normalization (default none).</param>
    public MlpEncoder(int xDim, int zDim, int hidden = 1024, int depth = 2, Activation? activation = null, Activation? output = null, MlpNorm norm = MlpNorm.None)
        : base("MlpEncoder")
    {
        XDim = xDim; ZDim = zDim;
        net = new Mlp(MlpGenerator.Widths(xDim, zDim, hidden, depth), activation ?? Activation.LeakyReLU(0.2), output, norm, "net");
        RegisterComponents();
    }

    /// <summary>x [B, ...] with prod(...) = xDim (e.g. [B, 784] or [B, 1, 28, 28]) → z [B, zDim].</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() < 2 || x.numel() != x.shape[0] * (long)XDim)
            throw new ArgumentException($"MlpEncoder expects [B, ...] with {XDim} values per sample; got {Shapes.Of(x)}.", nameof(x));
        return net.call(x.dim() == 2 ? x : x.reshape(x.shape[0], XDim));
    }

    /// <summary>
    /// The penultimate layer: the last hidden layer's activations (after its norm and activation), x [B, ...] →
    /// [B, hidden] — the official BiGAN's "E−" features, which 1-NN and linear probes read besides E(x) itself.
    /// </summary>
    public Tensor Features(Tensor x)
    {
        if (x.dim() < 2 || x.numel() != x.shape[0] * (long)XDim)
            throw new ArgumentException($"MlpEncoder expects [B, ...] with {XDim} values per sample; got {Shapes.Of(x)}.", nameof(x));
        return net.Hidden(x.dim() == 2 ? x : x.reshape(x.shape[0], XDim));
    }
}

/// <summary>
/// Convolutional encoder for 28×28 images (MNIST, Fashion-MNIST): x [B, C, 28, 28] (or flat [B, C·784]) →
/// z [B, zDim]. Two stride-2 4×4 convolutions (28 → 14 → 7, DCGAN style, Radford et al. 2016: LeakyReLU 0.2,
/// BatchNorm optional and never on the input layer) and a linear map from the [2w, 7, 7] features to z.
/// </summary>
public sealed class ConvEncoder28 : Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Linear head;

    /// <summary>Image channels C.</summary>
    public int Channels { get; }

    /// <summary>Latent size.</summary>
    public int ZDim { get; }

    /// <summary>Builds the encoder.</summary>
    /// <param name="zDim">Latent size (≥ 1).</param>
    /// <param name="channels">Image channels (1 grey, 3 RGB).</param>
    /// <param name="width">Feature maps of the first convolution (default 64; the second has 2·width).</param>
    /// <param name="batchNorm">BatchNorm after the second convolution (default false, so encodings are per sample in train mode too).</param>
    public ConvEncoder28(int zDim, int channels = 1, int width = 64, bool batchNorm = false) : base("ConvEncoder28")
    {
        if (zDim < 1) throw new ArgumentOutOfRangeException(nameof(zDim), zDim, "the latent size must be ≥ 1 (50 for MNIST in BiGAN).");
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be ≥ 1 (1 for grey images).");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be ≥ 1 (64 is the default).");
        Channels = channels; ZDim = zDim;
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("0", Conv2d(channels, width, 4, stride: 2, padding: 1)),       // [B, w, 14, 14]
            ("1", LeakyReLU(0.2)),
            ("2", Conv2d(width, 2 * width, 4, stride: 2, padding: 1)),      // [B, 2w, 7, 7]
        };
        if (batchNorm) layers.Add(("3", BatchNorm2d(2 * width)));
        layers.Add(((batchNorm ? 4 : 3).ToString(), LeakyReLU(0.2)));
        features = Sequential(layers);
        head = Linear(2 * width * 7 * 7, zDim);
        RegisterComponents();
    }

    /// <summary>x [B, C, 28, 28] or [B, C·784] → z [B, zDim].</summary>
    public override Tensor forward(Tensor x)
    {
        long per = Channels * 28L * 28L;
        if (x.dim() < 2 || x.numel() != x.shape[0] * per || (x.dim() == 4 && (x.shape[2] != 28 || x.shape[3] != 28)))
            throw new ArgumentException($"ConvEncoder28 expects [B, {Channels}, 28, 28] or [B, {per}]; got {Shapes.Of(x)}. Pad or crop to 28×28 first.", nameof(x));
        var img = x.dim() == 4 ? x : x.reshape(x.shape[0], Channels, 28, 28);
        return head.call(features.call(img).flatten(1));
    }
}
