using GanNotebooks.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Nets;

/// <summary>
/// Shape and width of a DCGAN generator/discriminator pair (Radford, Metz, Chintala 2016, "Unsupervised
/// Representation Learning with Deep Convolutional GANs", §3 and Fig. 1). The image side must be
/// s0·2^k with a start size s0 in 3..7 and k ≥ 1: 32 = 4·2³ (three stride-2 layers), 28 = 7·2² (two),
/// 64 = 4·2⁴ (the paper's). Widths double at every stride-2 step away from the image: G's last hidden
/// layer and D's first layer have <see cref="Width"/> channels, the 4×4 (or 7×7) end has Width·2^(k−1).
/// Change one knob with <c>with</c>: <c>DcganOptions.Gray28 with { Width = 16 }</c>.
/// </summary>
public sealed record DcganOptions
{
    /// <summary>Image height = width in pixels (s0·2^k, s0 in 3..7, k ≥ 1; e.g. 28, 32, 64).</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>Image channels C: 1 (grey) or 3 (RGB).</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Latent size of z [B, ZDim] (the paper uses 100).</summary>
    public int ZDim { get; init; } = 100;

    /// <summary>
    /// Channels of G's last hidden layer and of D's first layer (ngf/ndf in the PyTorch example; the paper
    /// uses 128 at 64×64). Small values (16–32) keep a CPU step fast.
    /// </summary>
    public int Width { get; init; } = 64;

    /// <summary>
    /// BatchNorm in every layer except G's output and D's input (the paper's choice, §3). False drops it
    /// everywhere — the "without BatchNorm" ablation of notebook 05.
    /// </summary>
    public bool BatchNorm { get; init; } = true;

    /// <summary>
    /// Spectral normalization (Miyato et al. 2018) of every D layer (<see cref="SNConv2d"/>, <see cref="SNLinear"/>);
    /// D then has no BatchNorm, as in SN-GAN. G is unchanged.
    /// </summary>
    public bool SpectralNorm { get; init; }

    /// <summary>
    /// A SAGAN <see cref="SelfAttention2d"/> block (Zhang et al. 2019) after G's last hidden layer and after D's first
    /// layer (the feature maps at half the image side).
    /// </summary>
    public bool SelfAttention { get; init; }

    /// <summary>Negative slope of D's LeakyReLU (paper: 0.2).</summary>
    public double LeakySlope { get; init; } = 0.2;

    /// <summary>28×28 grey (MNIST, Fashion-MNIST without padding): z 64, width 32; 7×7 → 14×14 → 28×28.</summary>
    public static DcganOptions Gray28 { get; } = new() { ImageSize = 28, Channels = 1, ZDim = 64, Width = 32 };

    /// <summary>32×32 grey (padded MNIST-style images): z 100, width 32; 4×4 → 8×8 → 16×16 → 32×32.</summary>
    public static DcganOptions Gray32 { get; } = new() { ImageSize = 32, Channels = 1, ZDim = 100, Width = 32 };

    /// <summary>32×32 RGB (CIFAR-like images): z 100, width 64.</summary>
    public static DcganOptions Rgb32 { get; } = new() { ImageSize = 32, Channels = 3, ZDim = 100, Width = 64 };

    /// <summary>The paper's 64×64 RGB set-up (LSUN bedrooms): z 100, width 128 (heavy on a CPU).</summary>
    public static DcganOptions Paper64 { get; } = new() { ImageSize = 64, Channels = 3, ZDim = 100, Width = 128 };

    /// <summary>s0: the side of the first (G) / last (D) feature map (4 for 32 and 64, 7 for 28).</summary>
    public int StartSize => Layout().Start;

    /// <summary>k: number of stride-2 layers between s0 and the image side.</summary>
    public int Upsamplings => Layout().K;

    /// <summary>Channels of the s0×s0 feature map: Width·2^(k−1).</summary>
    public int TopWidth => Width << (Upsamplings - 1);

    /// <summary>Flattened size of D's last feature map, TopWidth·s0² (the input of its linear head).</summary>
    public int FeatureSize => TopWidth * StartSize * StartSize;

    /// <summary>The shape of one image, [C, H, W].</summary>
    public long[] ImageShape => [Channels, ImageSize, ImageSize];

    (int Start, int K) Layout()
    {
        int s = ImageSize, k = 0;
        while (s > 7 && s % 2 == 0) { s /= 2; k++; }
        return (s, k);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad knob and how to fix it.</summary>
    public void Validate()
    {
        var (s0, k) = ImageSize > 0 ? Layout() : (0, 0);
        if (ImageSize < 6 || k < 1 || s0 < 3 || s0 > 7)
            throw Bad(nameof(ImageSize), ImageSize, "the image side must be s0·2^k with s0 in 3..7 and k ≥ 1 (e.g. 28, 32, 64); pad other sizes (ImageDataset.PadTo).");
        if (Channels is not (1 or 3)) throw Bad(nameof(Channels), Channels, "use 1 (grey) or 3 (RGB) channels.");
        if (ZDim < 1) throw Bad(nameof(ZDim), ZDim, "the latent size must be ≥ 1 (the paper uses 100).");
        if (Width < 1) throw Bad(nameof(Width), Width, "the base width must be ≥ 1 channel (16–64 on a CPU).");
        if ((long)Width << (k - 1) > 1 << 16) throw Bad(nameof(Width), Width, $"Width·2^{k - 1} channels is too large; use a smaller width.");
        if (SelfAttention && Width < 8) throw Bad(nameof(Width), Width, "self-attention needs a base width of at least 8 channels.");
        if (!(LeakySlope >= 0 && LeakySlope < 1)) throw Bad(nameof(LeakySlope), LeakySlope, "the LeakyReLU slope must be in [0, 1) (paper: 0.2).");
    }

    static ArgumentException Bad(string name, object value, string why) => new($"Invalid DcganOptions.{name} = {value}: {why}", name);
}

/// <summary>
/// DCGAN helpers: the paper's weight initialization and a parameter summary.
/// </summary>
public static class Dcgan
{
    /// <summary>Standard deviation of the N(0, σ²) initialization of conv/linear weights (Radford et al. 2016, §4).</summary>
    public const double InitStd = 0.02;

    /// <summary>
    /// The DCGAN initialization (Radford et al. 2016, §4, and the PyTorch example's weights_init): every
    /// Conv2d / ConvTranspose2d / Linear weight ~ N(0, 0.02²) and bias = 0; every BatchNorm γ ~ N(1, 0.02²),
    /// β = 0. Draws from <paramref name="generator"/> or torch's global generator (seeded by <c>Seeding.Seed</c>).
    /// </summary>
    /// <param name="module">The network (all its submodules are visited).</param>
    /// <param name="generator">Optional torch generator for reproducible weights.</param>
    public static void InitializeWeights(Module module, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var _ = torch.no_grad();
        foreach (var m in module.modules())
        {
            switch (m)
            {
                case Conv2d c: Normal(c.weight!, 0, InitStd); c.bias?.zero_(); break;
                case ConvTranspose2d c: Normal(c.weight!, 0, InitStd); c.bias?.zero_(); break;
                case Linear l: Normal(l.weight!, 0, InitStd); l.bias?.zero_(); break;
                case BatchNorm2d b: Normal(b.weight!, 1, InitStd); b.bias!.zero_(); break;
                case BatchNorm1d b: Normal(b.weight!, 1, InitStd); b.bias!.zero_(); break;
                case SpectralNormLayer l: Normal(l.weight, 0, InitStd); l.bias?.zero_(); break;
            }
        }

        void Normal(Tensor w, double mean, double std)
        {
            using var sample = torch.randn(w.shape, dtype: w.dtype, device: w.device, generator: generator);
            // Scalars held until the end: TorchSharp 0.107 passes an implicit Scalar's raw handle to native code, and its
            // finalizer may free it mid-call (seen once in the test suite: "Expected false to be true" from toFloat).
            using Scalar stdS = std, meanS = mean, one = 1;
            w.copy_(sample.mul_(stdS).add_(meanS, one));
        }
    }

    /// <summary>Concatenation of all conv / linear weights of a module (no biases, no BatchNorm), flattened — for checking the init statistics.</summary>
    public static Tensor ConvAndLinearWeights(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var ws = new List<Tensor>();
        foreach (var m in module.modules())
            switch (m)
            {
                case Conv2d c: ws.Add(c.weight!.detach().flatten()); break;
                case ConvTranspose2d c: ws.Add(c.weight!.detach().flatten()); break;
                case Linear l: ws.Add(l.weight!.detach().flatten()); break;
            }
        if (ws.Count == 0) throw new ArgumentException($"{module.GetName()} has no conv or linear layers.", nameof(module));
        return torch.cat(ws, 0);
    }

}

/// <summary>
/// DCGAN generator (Radford et al. 2016, Fig. 1): z [B, ZDim] (or [B, ZDim, 1, 1]) → images [B, C, H, W] in
/// (−1, 1). A transposed convolution "projects and reshapes" z to s0×s0×TopWidth; each following
/// 4×4 stride-2 transposed convolution doubles the side and halves the channels; BatchNorm + ReLU after every
/// layer but the last, which ends in tanh (no BatchNorm on G's output, §3). Initialized with
/// <see cref="Dcgan.InitializeWeights"/>. In eval mode BatchNorm uses its running statistics, so a sample does not
/// depend on the rest of its batch.
/// </summary>
public sealed class DcganGenerator : Module<Tensor, Tensor>
{
    // State-dict keys "main.0.weight", … as in the PyTorch DCGAN example's netG.
    private readonly Sequential main;

    /// <summary>The shape options this network was built with.</summary>
    public DcganOptions Options { get; }

    /// <summary>Latent size.</summary>
    public int ZDim => Options.ZDim;

    /// <summary>Builds G and applies the DCGAN initialization (from torch's global generator unless one is given).</summary>
    /// <param name="options">Shape and widths (validated); e.g. <see cref="DcganOptions.Gray28"/>.</param>
    /// <param name="initGenerator">Optional torch generator for the initial weights.</param>
    public DcganGenerator(DcganOptions options, Generator? initGenerator = null) : base(nameof(DcganGenerator))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        int k = options.Upsamplings, s0 = options.StartSize;
        bool bn = options.BatchNorm;
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int i = 0;
        void Add(Module<Tensor, Tensor> m) => layers.Add(((i++).ToString(), m));
        // z as a 1×1 map, transposed conv with an s0×s0 kernel = the paper's "project and reshape" linear layer.
        int ch = options.TopWidth;
        Add(ConvTranspose2d(options.ZDim, ch, s0, stride: 1, padding: 0, bias: !bn));
        if (bn) Add(BatchNorm2d(ch));
        Add(ReLU());
        for (int j = 1; j < k; j++)
        {
            Add(ConvTranspose2d(ch, ch / 2, 4, stride: 2, padding: 1, bias: !bn)); // side ×2
            ch /= 2;
            if (bn) Add(BatchNorm2d(ch));
            Add(ReLU());
        }
        if (options.SelfAttention) Add(new SelfAttention2d(ch, initGenerator));
        Add(ConvTranspose2d(ch, options.Channels, 4, stride: 2, padding: 1, bias: true));
        Add(Tanh());
        main = Sequential(layers);
        RegisterComponents();
        Dcgan.InitializeWeights(this, initGenerator);
    }

    /// <summary>z [B, ZDim] or [B, ZDim, 1, 1] → images [B, C, H, W] in (−1, 1).</summary>
    public override Tensor forward(Tensor z)
    {
        bool flat = z.dim() == 2 && z.shape[1] == ZDim;
        bool map = z.dim() == 4 && z.shape[1] == ZDim && z.shape[2] == 1 && z.shape[3] == 1;
        if (!flat && !map)
            throw new ArgumentException($"DcganGenerator expects z [B, {ZDim}] or [B, {ZDim}, 1, 1]; got {Shapes.Of(z)}. Sample it with Latent.Normal({ZDim}).", nameof(z));
        return main.call(flat ? z.view(z.shape[0], ZDim, 1, 1) : z);
    }
}

/// <summary>
/// DCGAN discriminator (Radford et al. 2016): images [B, C, H, W] → one logit per sample [B]. Each 4×4 stride-2
/// convolution halves the side and doubles the channels (no pooling, §3), LeakyReLU(0.2) everywhere, BatchNorm
/// on every layer except the input one; a linear head on the flattened s0×s0 map gives the logit (equivalent
/// to the PyTorch example's final s0×s0 convolution). <see cref="Features"/> exposes the body, so that an InfoGAN
/// Q head or a projection term can share it.
/// </summary>
public sealed class DcganDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential body;
    private readonly Module<Tensor, Tensor> head;

    /// <summary>The shape options this network was built with.</summary>
    public DcganOptions Options { get; }

    /// <summary>Size F of <see cref="Features"/> (TopWidth·s0²).</summary>
    public int FeatureSize => Options.FeatureSize;

    /// <summary>Builds D and applies the DCGAN initialization.</summary>
    /// <param name="options">Shape and widths (validated).</param>
    /// <param name="initGenerator">Optional torch generator for the initial weights.</param>
    public DcganDiscriminator(DcganOptions options, Generator? initGenerator = null) : base(nameof(DcganDiscriminator))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        bool sn = options.SpectralNorm;
        bool bn = options.BatchNorm && !sn;
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int i = 0;
        void Add(Module<Tensor, Tensor> m) => layers.Add(((i++).ToString(), m));
        Module<Tensor, Tensor> Conv(int cin, int cout, bool bias) =>
            sn ? new SNConv2d(cin, cout, 4, stride: 2, padding: 1, hasBias: bias, initGenerator: initGenerator)
               : Conv2d(cin, cout, 4, stride: 2, padding: 1, bias: bias);
        int ch = options.Width;
        // No BatchNorm on D's input layer (§3: applying it to all layers caused oscillation and instability).
        Add(Conv(options.Channels, ch, bias: true));
        Add(LeakyReLU(options.LeakySlope));
        if (options.SelfAttention) Add(new SelfAttention2d(ch, initGenerator));
        for (int j = 1; j < options.Upsamplings; j++)
        {
            Add(Conv(ch, ch * 2, bias: !bn)); // side ÷2
            ch *= 2;
            if (bn) Add(BatchNorm2d(ch));
            Add(LeakyReLU(options.LeakySlope));
        }
        body = Sequential(layers);
        head = sn ? new SNLinear(options.FeatureSize, 1, initGenerator: initGenerator) : Linear(options.FeatureSize, 1);
        RegisterComponents();
        Dcgan.InitializeWeights(this, initGenerator);
    }

    /// <summary>The shared body: images [B, C, H, W] → flattened features [B, F] (after the last LeakyReLU).</summary>
    public Tensor Features(Tensor images)
    {
        var o = Options;
        if (images.dim() != 4 || images.shape[1] != o.Channels || images.shape[2] != o.ImageSize || images.shape[3] != o.ImageSize)
            throw new ArgumentException(
                $"{GetName()} expects images [B, {o.Channels}, {o.ImageSize}, {o.ImageSize}]; got {Shapes.Of(images)}." +
                (images.dim() == 4 && images.shape[2] == 28 && o.ImageSize == 32 ? " Pad 28×28 images with ImageDataset.PadTo(32) or use DcganOptions.Gray28." : ""),
                nameof(images));
        return body.call(images).flatten(1);
    }

    /// <summary>The linear head on features [B, F] → logits [B].</summary>
    public Tensor Head(Tensor features) => head.call(features).squeeze(1);

    /// <summary>images [B, C, H, W] → logits [B].</summary>
    public override Tensor forward(Tensor images) => Head(Features(images));
}
