using GanNotebooks.Core;
using GanNotebooks.Nets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Pix2pix;

/// <summary>
/// The pix2pix generator: a U-Net (Ronneberger et al. 2015) — an encoder of stride-2 4×4 convolutions and a decoder
/// of stride-2 4×4 transposed convolutions, with a skip connection that concatenates encoder layer i to the decoder
/// layer of the same side, so low-level structure (where the edges are) goes straight across the bottleneck
/// (Isola et al. 2017, §3.2.1, App. 6.1.1). Encoder C(w)-C(2w)-…-C(8w max) with LeakyReLU(0.2) and batch norm except
/// on the first and innermost layer; decoder with batch norm, ReLU and dropout 0.5 on the innermost (up to 3) layers —
/// the only noise source of pix2pix ("dropout, applied on several layers of our generator", §3.2; they keep it on at
/// test time, the course evaluates in eval mode, so outputs are deterministic); tanh output.
/// Input [N, inC, S, S] in [−1, 1] with S divisible by 2^depth (32 for depth 4 or 5) → [N, outC, S, S].
/// </summary>
public sealed class UNetGenerator : Module<Tensor, Tensor>
{
    private readonly ModuleList<Module<Tensor, Tensor>> down;
    private readonly ModuleList<Module<Tensor, Tensor>> up;
    private readonly Sequential outer;

    /// <summary>Builds the U-Net.</summary>
    /// <param name="inChannels">Channels of the condition (1 for an edge map).</param>
    /// <param name="outChannels">Channels of the output image.</param>
    /// <param name="width">Channels of the first encoder layer (paper: 64; CPU: 16).</param>
    /// <param name="depth">Stride-2 encoder layers (paper on 256×256: 8; 32×32: 4).</param>
    /// <param name="dropout">Dropout probability of the inner decoder layers (paper: 0.5; 0 turns the noise off).</param>
    public UNetGenerator(int inChannels = 1, int outChannels = 1, int width = 16, int depth = 4, double dropout = 0.5) : base(nameof(UNetGenerator))
    {
        if (inChannels < 1 || outChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), $"channels must be ≥ 1; got in {inChannels}, out {outChannels}.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "the first layer needs at least 1 channel (16 on a CPU, 64 in the paper).");
        if (depth is < 2 or > 8) throw new ArgumentOutOfRangeException(nameof(depth), depth, "use 2–8 stride-2 layers (4 for 32×32 images: 32 → 2).");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout must be in [0, 1) (paper: 0.5).");
        Depth = depth; InChannels = inChannels; OutChannels = outChannels;
        var c = Enumerable.Range(0, depth).Select(i => width * (1 << Math.Min(i, 3))).ToArray();
        down = new ModuleList<Module<Tensor, Tensor>>();
        for (int i = 0; i < depth; i++)
        {
            int cin = i == 0 ? inChannels : c[i - 1];
            bool norm = i > 0 && i < depth - 1;
            down.Add(Sequential(
                ("conv", Conv2d(cin, c[i], 4, stride: 2, padding: 1)),
                ("norm", norm ? BatchNorm2d(c[i]) : Identity()),
                ("act", LeakyReLU(0.2))));
        }
        up = new ModuleList<Module<Tensor, Tensor>>();
        for (int j = depth - 1; j >= 1; j--)
        {
            int cin = j == depth - 1 ? c[j] : 2 * c[j];
            bool drop = dropout > 0 && depth - 1 - j < 3;
            up.Add(Sequential(
                ("conv", ConvTranspose2d(cin, c[j - 1], 4, stride: 2, padding: 1)),
                ("norm", BatchNorm2d(c[j - 1])),
                ("drop", drop ? Dropout(dropout) : Identity()),
                ("act", ReLU())));
        }
        outer = Sequential(("conv", ConvTranspose2d(2 * c[0], outChannels, 4, stride: 2, padding: 1)), ("act", Tanh()));
        RegisterComponents();
    }

    /// <summary>Stride-2 layers; the side must be divisible by 2^Depth.</summary>
    public int Depth { get; }
    /// <summary>Channels of the condition.</summary>
    public int InChannels { get; }
    /// <summary>Channels of the output.</summary>
    public int OutChannels { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != InChannels || x.shape[2] % (1L << Depth) != 0 || x.shape[3] % (1L << Depth) != 0)
            throw new ArgumentException($"UNetGenerator expects [N, {InChannels}, S, S] with S divisible by 2^{Depth} = {1 << Depth}; got {Shapes.Of(x)}. Pad 28×28 images to 32 (ImageDataset.PadTo(32)).", nameof(x));
        using var scope = torch.NewDisposeScope();
        var skips = new List<Tensor>();
        var h = x;
        foreach (var d in down) { h = d.call(h); skips.Add(h); }
        for (int k = 0; k < up.Count; k++)
        {
            h = up[k].call(h);
            h = torch.cat([h, skips[Depth - 2 - k]], 1);   // skip from the encoder layer of the same side
        }
        return outer.call(h).MoveToOuterDisposeScope();
    }
}
