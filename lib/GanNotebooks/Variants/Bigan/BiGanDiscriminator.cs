using GanNotebooks.Core;
using GanNotebooks.Nets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Bigan;

/// <summary>
/// The joint discriminator of BiGAN / ALI (Donahue et al. 2017, §3; Dumoulin et al. 2017, §2): it scores
/// (x, z) pairs — (x, E(x)) are "real", (G(z), z) are "fake". The x-path and the z-path embed each part,
/// their features are concatenated, and a joint MLP gives one logit per pair.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Training.GanTrainer"/> takes a discriminator with one tensor input, so a pair travels as one
/// packed tensor [B, XDim + ZDim]: x flattened, then z (<see cref="Pack"/>). Any module over packed pairs
/// (e.g. an <see cref="MlpDiscriminator"/> of width XDim + ZDim, "early fusion") can stand in for this class.
/// </para>
/// <para>Dropout in the paths (default 0) makes D's output stochastic in train mode; eval mode switches it off.</para>
/// </remarks>
public sealed class BiGanDiscriminator : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> xpath;
    private readonly Module<Tensor, Tensor> zpath;
    private readonly Module<Tensor, Tensor> joint;
    private readonly long[] _xShape;

    /// <summary>Builds a joint discriminator from its three parts.</summary>
    /// <param name="xShape">Shape of one x as the x-path wants it, e.g. [784] or [1, 28, 28].</param>
    /// <param name="zDim">Latent size.</param>
    /// <param name="xPath">x [B, ...xShape] → features [B, Fx].</param>
    /// <param name="zPath">z [B, zDim] → features [B, Fz].</param>
    /// <param name="jointPath">[B, Fx + Fz] → logits [B, 1] or [B].</param>
    public BiGanDiscriminator(long[] xShape, int zDim, Module<Tensor, Tensor> xPath, Module<Tensor, Tensor> zPath, Module<Tensor, Tensor> jointPath)
        : base("BiGanDiscriminator")
    {
        ArgumentNullException.ThrowIfNull(xShape);
        if (xShape.Length == 0 || xShape.Any(s => s < 1))
            throw new ArgumentException($"xShape must list the positive sizes of one sample, e.g. [784] or [1, 28, 28]; got [{string.Join(", ", xShape)}].", nameof(xShape));
        if (zDim < 1) throw new ArgumentOutOfRangeException(nameof(zDim), zDim, "the latent size must be ≥ 1.");
        _xShape = xShape.ToArray();
        XDim = checked((int)xShape.Aggregate(1L, (a, b) => a * b));
        ZDim = zDim;
        xpath = xPath ?? throw new ArgumentNullException(nameof(xPath));
        zpath = zPath ?? throw new ArgumentNullException(nameof(zPath));
        joint = jointPath ?? throw new ArgumentNullException(nameof(jointPath));
        RegisterComponents();
    }

    /// <summary>Flattened size of one x.</summary>
    public int XDim { get; }

    /// <summary>Latent size.</summary>
    public int ZDim { get; }

    /// <summary>Shape of one x as the x-path receives it.</summary>
    public IReadOnlyList<long> XShape => _xShape;

    /// <summary>
    /// Fully connected preset (official BiGAN MNIST style): x-path and z-path are <paramref name="depth"/> layers of
    /// <paramref name="hidden"/> units with LeakyReLU(0.2), the joint path <paramref name="jointDepth"/> such layers
    /// and a linear logit.
    /// </summary>
    /// <param name="xDim">Flattened x size (784 for 28×28; 2 for toy data).</param>
    /// <param name="zDim">Latent size.</param>
    /// <param name="hidden">Width of every hidden layer (default 1024).</param>
    /// <param name="depth">Layers in each of the x- and z-paths (≥ 1, default 1).</param>
    /// <param name="jointDepth">Hidden layers of the joint path (≥ 0, default 1).</param>
    /// <param name="dropout">Dropout probability after each hidden layer, in [0, 1) (default 0).</param>
    public static BiGanDiscriminator Mlp(int xDim, int zDim, int hidden = 1024, int depth = 1, int jointDepth = 1, double dropout = 0.0)
    {
        if (xDim < 1) throw new ArgumentOutOfRangeException(nameof(xDim), xDim, "the flattened x size must be ≥ 1.");
        CheckCommon(zDim, hidden, depth, jointDepth, dropout);
        return new BiGanDiscriminator([xDim], zDim, Stack(xDim, hidden, depth, dropout), Stack(zDim, hidden, depth, dropout),
            Head(2 * hidden, hidden, jointDepth, dropout));
    }

    /// <summary>
    /// The official BiGAN's permutation-invariant MNIST discriminator (jeffdonahue/bigan, <c>mnist_mlp</c> with the code
    /// as a conditioning input): the x-path is Linear → LeakyReLU(0.2) → Linear to <paramref name="hidden"/>, the z-path
    /// one Linear to <paramref name="hidden"/>; the joint path adds the two, then BatchNorm (optional), LeakyReLU(0.2),
    /// dropout (optional) and a linear logit. So z enters late and linearly, and D cannot read much from the code
    /// alone. BatchNorm in train mode normalizes the (x, E(x)) batch and the (G(z), z) batch separately (the trainer
    /// passes them as two calls): D then cannot separate the two kinds of pair by a batch-wide shift or scale of its
    /// features — e.g. E's codes being smaller than the prior's — and has to judge each pair's x–z relation
    /// (see notebook 07 for what this does to the game's balance). Eval mode uses running statistics.
    /// </summary>
    /// <param name="xDim">Flattened x size (784 for 28×28).</param>
    /// <param name="zDim">Latent size (50 in the official MNIST model).</param>
    /// <param name="hidden">Width of both paths and the joint layer (official 1024).</param>
    /// <param name="batchNorm">BatchNorm1d after the sum (default true, as in the official code).</param>
    /// <param name="dropout">Dropout before the logit, in [0, 1) (default 0, as in the official MNIST run).</param>
    public static BiGanDiscriminator MlpPaper(int xDim, int zDim, int hidden = 1024, bool batchNorm = true, double dropout = 0.0)
    {
        if (xDim < 1) throw new ArgumentOutOfRangeException(nameof(xDim), xDim, "the flattened x size must be ≥ 1.");
        CheckCommon(zDim, hidden, 1, 1, dropout);
        var x = Sequential(("0", Linear(xDim, hidden)), ("1", LeakyReLU(0.2)), ("2", Linear(hidden, hidden)));   // [B, h], pre-activation
        var z = Sequential(("0", Linear(zDim, hidden)));                                                           // [B, h], pre-activation
        var joint = new List<(string, Module<Tensor, Tensor>)> { ("0", new SumOfHalves(hidden)) };                 // [B, 2h] → [B, h]
        if (batchNorm) joint.Add((joint.Count.ToString(), BatchNorm1d(hidden)));
        joint.Add((joint.Count.ToString(), LeakyReLU(0.2)));
        if (dropout > 0) joint.Add((joint.Count.ToString(), Dropout(dropout)));
        joint.Add((joint.Count.ToString(), Linear(hidden, 1)));
        return new BiGanDiscriminator([xDim], zDim, x, z, Sequential(joint));
    }

    /// <summary>
    /// Preset for 28×28 images: a convolutional x-path (4×4 stride-2 convolutions 28 → 14 → 7 with LeakyReLU 0.2,
    /// then a linear layer to <paramref name="hidden"/>), an MLP z-path and an MLP joint path.
    /// </summary>
    /// <param name="zDim">Latent size.</param>
    /// <param name="channels">Image channels.</param>
    /// <param name="width">Feature maps of the first convolution (the second has 2·width).</param>
    /// <param name="hidden">Width of the path outputs and joint hidden layers (default 512).</param>
    /// <param name="jointDepth">Hidden layers of the joint path (≥ 0, default 1).</param>
    /// <param name="dropout">Dropout after each hidden layer, in [0, 1).</param>
    public static BiGanDiscriminator Conv28(int zDim, int channels = 1, int width = 64, int hidden = 512, int jointDepth = 1, double dropout = 0.0)
    {
        CheckCommon(zDim, hidden, 1, jointDepth, dropout);
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be ≥ 1.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be ≥ 1.");
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("0", Conv2d(channels, width, 4, stride: 2, padding: 1)),     // [B, w, 14, 14]
            ("1", LeakyReLU(0.2)),
            ("2", Conv2d(width, 2 * width, 4, stride: 2, padding: 1)),    // [B, 2w, 7, 7]
            ("3", LeakyReLU(0.2)),
            ("4", Flatten()),                                            // [B, 2w·49]
            ("5", Linear(2 * width * 49, hidden)),
            ("6", LeakyReLU(0.2)),
        };
        if (dropout > 0) layers.Add(("7", Dropout(dropout)));
        var x = Sequential(layers);
        return new BiGanDiscriminator([channels, 28, 28], zDim, x, Stack(zDim, hidden, 1, dropout), Head(2 * hidden, hidden, jointDepth, dropout));
    }

    /// <summary>
    /// Packs a batch of pairs into the one tensor the trainer passes around: x [B, ...] flattened, then z [B, ...]
    /// flattened, giving [B, prod(x dims) + prod(z dims)].
    /// </summary>
    /// <param name="x">Data [B, ...].</param>
    /// <param name="z">Latent codes [B, ...] (same B, same device and dtype).</param>
    public static Tensor Pack(Tensor x, Tensor z)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(z);
        if (x.dim() < 1 || z.dim() < 1 || x.shape[0] != z.shape[0])
            throw new ArgumentException($"x and z must be batches with the same B; got x {Shapes.Of(x)} and z {Shapes.Of(z)}.");
        return torch.cat([x.reshape(x.shape[0], -1), z.reshape(z.shape[0], -1)], 1);
    }

    /// <summary>The logit of each pair: x [B, ...] (XDim values per sample), z [B, ZDim] → [B].</summary>
    public Tensor Score(Tensor x, Tensor z) => forward(Pack(x, z));

    /// <summary>Packed pairs [B, XDim + ZDim] (see <see cref="Pack"/>) → logits [B].</summary>
    public override Tensor forward(Tensor packed)
    {
        if (packed.dim() != 2 || packed.shape[1] != XDim + ZDim)
            throw new ArgumentException(
                $"BiGanDiscriminator expects packed pairs [B, {XDim} + {ZDim}] (x flattened, then z: BiGanDiscriminator.Pack(x, z)); got {Shapes.Of(packed)}.",
                nameof(packed));
        long b = packed.shape[0];
        var x = packed.narrow(1, 0, XDim).reshape([b, .. _xShape]);
        var z = packed.narrow(1, XDim, ZDim);
        var h = torch.cat([xpath.call(x), zpath.call(z)], 1);
        var logits = joint.call(h);
        return logits.dim() == 2 ? logits.squeeze(1) : logits;
    }

    static void CheckCommon(int zDim, int hidden, int depth, int jointDepth, double dropout)
    {
        if (zDim < 1) throw new ArgumentOutOfRangeException(nameof(zDim), zDim, "the latent size must be ≥ 1.");
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "hidden width must be ≥ 1.");
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "each path needs at least one layer (depth ≥ 1).");
        if (jointDepth < 0) throw new ArgumentOutOfRangeException(nameof(jointDepth), jointDepth, "jointDepth must be ≥ 0.");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout is a probability in [0, 1).");
    }

    // Linear → LeakyReLU(0.2) → Dropout, depth times: [B, inDim] → [B, hidden].
    static List<(string, Module<Tensor, Tensor>)> Layers(int inDim, int hidden, int depth, double dropout)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i < depth; i++)
        {
            layers.Add((layers.Count.ToString(), Linear(i == 0 ? inDim : hidden, hidden)));
            layers.Add((layers.Count.ToString(), LeakyReLU(0.2)));
            if (dropout > 0) layers.Add((layers.Count.ToString(), Dropout(dropout)));
        }
        return layers;
    }

    static Sequential Stack(int inDim, int hidden, int depth, double dropout) => Sequential(Layers(inDim, hidden, depth, dropout));

    // jointDepth hidden layers, then a linear logit: [B, inDim] → [B, 1].
    static Sequential Head(int inDim, int hidden, int jointDepth, double dropout)
    {
        var layers = Layers(inDim, hidden, jointDepth, dropout);
        layers.Add((layers.Count.ToString(), Linear(jointDepth > 0 ? hidden : inDim, 1)));
        return Sequential(layers);
    }
}

/// <summary>[B, 2h] → [B, h]: the sum of the two halves (the x-path's and the z-path's pre-activations in <see cref="BiGanDiscriminator.MlpPaper"/>).</summary>
internal sealed class SumOfHalves : Module<Tensor, Tensor>
{
    readonly long _half;

    public SumOfHalves(long half) : base("SumOfHalves") { _half = half; RegisterComponents(); }

    public override Tensor forward(Tensor t)
    {
        if (t.dim() != 2 || t.shape[1] != 2 * _half)
            throw new ArgumentException($"SumOfHalves expects [B, {2 * _half}]; got {Shapes.Of(t)}.", nameof(t));
        return t.narrow(1, 0, _half) + t.narrow(1, _half, _half);
    }
}
