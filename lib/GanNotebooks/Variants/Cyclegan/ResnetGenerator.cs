using GanNotebooks.Core;
using GanNotebooks.Nets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Cyclegan;

/// <summary>
/// CycleGAN's generator (Zhu et al. 2017, App. 7.2, after Johnson et al. 2016): c7s1-w, d2w, d4w, R4w × n, u2w, uw,
/// c7s1-C — a 7×7 convolution, two stride-2 3×3 convolutions, n residual blocks (<see cref="ResidualBlock"/>), two
/// stride-½ (transposed) convolutions and a 7×7 convolution with tanh; instance norm and ReLU throughout. The paper
/// uses w = 64 and 6 blocks for 128×128 images, 9 for 256×256; the course uses w = 8–16 and 2–3 blocks on 28×28.
/// Input [N, C, H, W] with H, W divisible by 4 → [N, C, H, W].
/// </summary>
public sealed class ResnetGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential body;

    /// <summary>Builds the generator.</summary>
    /// <param name="channels">Image channels in and out.</param>
    /// <param name="width">w, the first layer's channels (paper: 64).</param>
    /// <param name="blocks">Residual blocks at 4w channels and a quarter of the side (paper: 6 or 9).</param>
    public ResnetGenerator(int channels = 1, int width = 16, int blocks = 3) : base(nameof(ResnetGenerator))
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "images need at least 1 channel.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "the first layer needs at least 1 channel (paper: 64; CPU: 8–16).");
        if (blocks < 0) throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "the number of residual blocks cannot be negative (paper: 6 or 9).");
        Channels = channels;
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("c7", Conv2d(channels, width, 7, padding: 3)), ("n7", InstanceNorm2d(width)), ("a7", ReLU()),
            ("d1", Conv2d(width, 2 * width, 3, stride: 2, padding: 1)), ("dn1", InstanceNorm2d(2 * width)), ("da1", ReLU()),
            ("d2", Conv2d(2 * width, 4 * width, 3, stride: 2, padding: 1)), ("dn2", InstanceNorm2d(4 * width)), ("da2", ReLU()),
        };
        for (int i = 0; i < blocks; i++) layers.Add(($"r{i}", new ResidualBlock(4 * width, FeatureNorm.Instance)));
        layers.AddRange(new (string, Module<Tensor, Tensor>)[]
        {
            ("u1", ConvTranspose2d(4 * width, 2 * width, 3, stride: 2, padding: 1, output_padding: 1)), ("un1", InstanceNorm2d(2 * width)), ("ua1", ReLU()),
            ("u2", ConvTranspose2d(2 * width, width, 3, stride: 2, padding: 1, output_padding: 1)), ("un2", InstanceNorm2d(width)), ("ua2", ReLU()),
            ("out", Conv2d(width, channels, 7, padding: 3)), ("tanh", Tanh()),
        });
        body = Sequential(layers);
        RegisterComponents();
    }

    /// <summary>Image channels.</summary>
    public int Channels { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != Channels || x.shape[2] % 4 != 0 || x.shape[3] % 4 != 0)
            throw new ArgumentException($"ResnetGenerator expects [N, {Channels}, H, W] with H, W divisible by 4 (28 or 32); got {Shapes.Of(x)}.", nameof(x));
        return body.call(x);
    }
}
