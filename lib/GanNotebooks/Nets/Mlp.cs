using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Nets;

/// <summary>Optional normalization between the hidden layers of an <see cref="Mlp"/>.</summary>
public enum MlpNorm
{
    /// <summary>None (default): every sample is processed independently in train and eval mode.</summary>
    None,
    /// <summary>LayerNorm: per-sample, safe with gradient penalties (Gulrajani et al. 2017, §4).</summary>
    LayerNorm,
    /// <summary>
    /// BatchNorm1d: couples the samples of a batch in train mode; in eval mode it uses running
    /// statistics, so a sample is independent of its batch. Do not use it in a gradient-penalty critic.
    /// </summary>
    BatchNorm,
}

/// <summary>
/// Multi-layer perceptron [B, sizes[0]] → [B, sizes[^1]]: Linear layers with an activation (and an
/// optional norm) between them, and an optional output activation after the last one.
/// </summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    // Named like its state-dict prefix: keys are "net.0.weight", "net.0.bias", ...
    private readonly Sequential net;

    /// <summary>Layer widths, input first, output last (at least two entries).</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>Builds the MLP.</summary>
    /// <param name="sizes">Widths [in, hidden…, out]; at least two, all ≥ 1.</param>
    /// <param name="hidden">Activation after each hidden Linear (default ReLU).</param>
    /// <param name="output">Activation after the last Linear (default none: raw outputs / logits).</param>
    /// <param name="norm">Normalization after each hidden Linear, before its activation (default none).</param>
    /// <param name="name">Module name.</param>
    public Mlp(IReadOnlyList<int> sizes, Activation? hidden = null, Activation? output = null, MlpNorm norm = MlpNorm.None, string name = "Mlp")
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Count < 2)
            throw new ArgumentException($"an MLP needs at least an input and an output size; got [{string.Join(", ", sizes)}]. Example: [2, 128, 128, 1].", nameof(sizes));
        for (int i = 0; i < sizes.Count; i++)
            if (sizes[i] < 1)
                throw new ArgumentException($"layer width sizes[{i}] = {sizes[i]}; every width must be ≥ 1.", nameof(sizes));
        Sizes = sizes.ToArray();
        hidden ??= Activation.ReLU;
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int k = 0;
        for (int i = 0; i + 1 < sizes.Count; i++)
        {
            layers.Add(((k++).ToString(), Linear(sizes[i], sizes[i + 1])));
            bool last = i + 2 == sizes.Count;
            if (!last)
            {
                switch (norm)
                {
                    case MlpNorm.LayerNorm: layers.Add(((k++).ToString(), LayerNorm(sizes[i + 1]))); break;
                    case MlpNorm.BatchNorm: layers.Add(((k++).ToString(), BatchNorm1d(sizes[i + 1]))); break;
                }
                layers.Add(((k++).ToString(), hidden.Create()));
            }
            else if (output is not null)
            {
                layers.Add(((k++).ToString(), output.Create()));
            }
        }
        net = Sequential(layers);
        RegisterComponents();
    }

    /// <summary>[B, sizes[0]] → [B, sizes[^1]].</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 2 || input.shape[1] != Sizes[0])
            throw new ArgumentException($"{GetName()} expects input [B, {Sizes[0]}]; got {Shapes.Of(input)}.", nameof(input));
        return net.call(input);
    }

    /// <summary>
    /// The last hidden layer's activations: everything but the final Linear (and its output activation),
    /// [B, sizes[0]] → [B, sizes[^2]] — e.g. an encoder's penultimate-layer features. With no hidden layer it is the input.
    /// </summary>
    public Tensor Hidden(Tensor input)
    {
        if (input.dim() != 2 || input.shape[1] != Sizes[0])
            throw new ArgumentException($"{GetName()} expects input [B, {Sizes[0]}]; got {Shapes.Of(input)}.", nameof(input));
        var layers = net.children().Cast<Module<Tensor, Tensor>>().ToList();
        int last = layers.FindLastIndex(m => m is Linear);
        var h = input;
        for (int i = 0; i < last; i++) h = layers[i].call(h);
        return h;
    }
}

/// <summary>
/// MLP generator preset for toy data: z [B, zDim] → x [B, xDim]. Defaults: 3 hidden layers of 128,
/// ReLU, linear output (toy targets are unbounded), no BatchNorm (so eval-mode samples are
/// independent of their batch).
/// </summary>
public sealed class MlpGenerator : Module<Tensor, Tensor>
{
    private readonly Mlp net;

    /// <summary>Latent dimension.</summary>
    public int ZDim { get; }

    /// <summary>Data dimension.</summary>
    public int XDim { get; }

    /// <summary>Builds the generator.</summary>
    /// <param name="zDim">Latent size (≥ 1).</param>
    /// <param name="xDim">Output size (≥ 1).</param>
    /// <param name="hidden">Hidden width (default 128).</param>
    /// <param name="depth">Number of hidden layers (default 3, ≥ 0).</param>
    /// <param name="activation">Hidden activation (default ReLU).</param>
    /// <param name="output">Output activation (default none).</param>
    /// <param name="norm">Hidden normalization (default none).</param>
    public MlpGenerator(int zDim, int xDim, int hidden = 128, int depth = 3, Activation? activation = null, Activation? output = null, MlpNorm norm = MlpNorm.None)
        : base("MlpGenerator")
    {
        ZDim = zDim; XDim = xDim;
        net = new Mlp(Widths(zDim, xDim, hidden, depth), activation ?? Activation.ReLU, output, norm, "net");
        RegisterComponents();
    }

    /// <summary>z [B, zDim] → x [B, xDim].</summary>
    public override Tensor forward(Tensor z) => net.call(z);

    internal static int[] Widths(int inDim, int outDim, int hidden, int depth)
    {
        if (inDim < 1) throw new ArgumentOutOfRangeException(nameof(inDim), inDim, "input dimension must be ≥ 1.");
        if (outDim < 1) throw new ArgumentOutOfRangeException(nameof(outDim), outDim, "output dimension must be ≥ 1.");
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "hidden width must be ≥ 1 (128 is the toy default).");
        if (depth < 0) throw new ArgumentOutOfRangeException(nameof(depth), depth, "depth (hidden layers) must be ≥ 0.");
        var w = new int[depth + 2];
        w[0] = inDim;
        for (int i = 1; i <= depth; i++) w[i] = hidden;
        w[^1] = outDim;
        return w;
    }
}

/// <summary>
/// MLP discriminator / critic preset for toy data: x [B, ...] (flattened to [B, xDim]) → one raw
/// logit per sample [B]. Defaults: 3 hidden layers of 128, LeakyReLU(0.2), no normalization (so it
/// can be used with a gradient penalty).
/// </summary>
public sealed class MlpDiscriminator : Module<Tensor, Tensor>
{
    private readonly Mlp net;

    /// <summary>Flattened input size.</summary>
    public int XDim { get; }

    /// <summary>Builds the discriminator.</summary>
    /// <param name="xDim">Flattened input size (≥ 1).</param>
    /// <param name="hidden">Hidden width (default 128).</param>
    /// <param name="depth">Number of hidden layers (default 3).</param>
    /// <param name="activation">Hidden activation (default LeakyReLU(0.2)).</param>
    /// <param name="norm">Hidden normalization (default none; never BatchNorm with a gradient penalty).</param>
    public MlpDiscriminator(int xDim, int hidden = 128, int depth = 3, Activation? activation = null, MlpNorm norm = MlpNorm.None)
        : base("MlpDiscriminator")
    {
        XDim = xDim;
        net = new Mlp(MlpGenerator.Widths(xDim, 1, hidden, depth), activation ?? Activation.LeakyReLU(0.2), null, norm, "net");
        RegisterComponents();
    }

    /// <summary>x [B, ...] with prod(...) = xDim → logits [B].</summary>
    public override Tensor forward(Tensor x)
    {
        var flat = x.dim() == 2 ? x : x.reshape(x.shape[0], -1);
        return net.call(flat).squeeze(1);
    }
}
