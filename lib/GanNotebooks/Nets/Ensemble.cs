using GanNotebooks.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Nets;

/// <summary>
/// A network whose forward pass can run with weights other than its own parameters: the weights are a list in
/// the order of <see cref="Module.parameters"/>. An unrolled GAN (Metz et al. 2017) evaluates the discriminator at
/// look-ahead weights θ_D − η∇L_D that depend on the generator, without touching the real ones.
/// </summary>
public interface IFunctionalNet
{
    /// <summary>The network's own parameters, in the order <see cref="Forward"/> expects them.</summary>
    IReadOnlyList<Tensor> Weights { get; }

    /// <summary>The forward pass with <paramref name="weights"/> (same shapes as <see cref="Weights"/>) in place of the parameters.</summary>
    Tensor Forward(IReadOnlyList<Tensor> weights, Tensor input);
}

/// <summary>
/// K independent linear layers as one batched matrix product: input [K, B, in] → [K, B, out] with
/// y_k = x_k W_k + b_k (batched matrix products, torch.bmm). Member k's weight W_k = weight[k] is [in, out] — the transpose of
/// <c>nn.Linear</c>'s [out, in] — so that <see cref="CopyMember"/> of a single <c>Linear</c> gives member k exactly
/// that layer's function. No operation mixes members: a NaN in member k stays in member k.
/// </summary>
public sealed class EnsembleLinear : Module<Tensor, Tensor>
{
    // State-dict keys "weight" [K, in, out] and "bias" [K, 1, out].
    private readonly Parameter weight;
    private readonly Parameter bias;

    /// <summary>Members K.</summary>
    public int Members { get; }
    /// <summary>Input features.</summary>
    public int InFeatures { get; }
    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>K linear layers in → out, each initialised like <c>nn.Linear</c> (U(−1/√in, 1/√in)) from torch's global generator.</summary>
    public EnsembleLinear(int members, int inFeatures, int outFeatures, string name = "EnsembleLinear") : base(name)
    {
        if (members < 1) throw new ArgumentOutOfRangeException(nameof(members), members, "an ensemble needs at least one member (K ≥ 1).");
        if (inFeatures < 1 || outFeatures < 1)
            throw new ArgumentException($"EnsembleLinear needs in ≥ 1 and out ≥ 1 features; got in = {inFeatures}, out = {outFeatures}.");
        Members = members; InFeatures = inFeatures; OutFeatures = outFeatures;
        double bound = 1.0 / Math.Sqrt(inFeatures);
        weight = new Parameter(torch.empty(members, inFeatures, outFeatures).uniform_(-bound, bound));
        bias = new Parameter(torch.empty(members, 1, outFeatures).uniform_(-bound, bound));
        RegisterComponents();
    }

    /// <summary>The weights [K, in, out].</summary>
    public Parameter Weight => weight;
    /// <summary>The biases [K, 1, out].</summary>
    public Parameter Bias => bias;

    /// <summary>[K, B, in] → [K, B, out].</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 3 || input.shape[0] != Members || input.shape[2] != InFeatures)
            throw new ArgumentException($"{GetName()} expects input [K={Members}, B, {InFeatures}]; got {Shapes.Of(input)}.", nameof(input));
        return Affine(input, weight, bias);
    }

    /// <summary>
    /// x W + b for x [K, B, in], W [K, in, out], b [K, 1, out]. Written as bmm + add: TorchSharp 0.107's
    /// <c>torch.baddbmm(input, batch1, batch2)</c> hands its arguments to libtorch in another order (it computes
    /// batch2 + input·batch1), and the fused kernel is no faster at these sizes (measured: 0.87 vs 0.88 ms for K = 10, B = 256, 128 → 128).
    /// </summary>
    internal static Tensor Affine(Tensor x, Tensor w, Tensor b) => x.bmm(w).add(b);

    /// <summary>Copies a single <c>nn.Linear</c> (weight [out, in], bias [out]) into member <paramref name="member"/>.</summary>
    public void CopyMember(int member, Tensor linearWeight, Tensor? linearBias)
    {
        if (member < 0 || member >= Members) throw new ArgumentOutOfRangeException(nameof(member), member, $"member index must be in [0, {Members}).");
        if (linearWeight.dim() != 2 || linearWeight.shape[0] != OutFeatures || linearWeight.shape[1] != InFeatures)
            throw new ArgumentException($"member {member}: expected a Linear weight [{OutFeatures}, {InFeatures}], got {Shapes.Of(linearWeight)}.", nameof(linearWeight));
        using var _ = torch.no_grad();
        weight[member].copy_(linearWeight.t());
        if (linearBias is null) bias[member].zero_();
        else bias[member].copy_(linearBias.reshape(1, OutFeatures));
    }
}

/// <summary>
/// K independent MLPs of one architecture run as batched matrix products: [K, B, sizes[0]] → [K, B, sizes[^1]]
/// (<see cref="EnsembleLinear"/> layers with an activation between them, no normalization). Trains K seeds of one
/// configuration in one loop: the per-step cost of a small MLP on a CPU is mostly per-operation overhead, which K
/// members share.
/// </summary>
public sealed class EnsembleMlp : Module<Tensor, Tensor>, IFunctionalNet
{
    // Keys "net.0.weight", "net.0.bias", ... as in Mlp.
    private readonly Sequential net;
    private readonly List<Module<Tensor, Tensor>> _layers = new();

    /// <summary>Members K.</summary>
    public int Members { get; }
    /// <summary>Layer widths, input first.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>Builds K MLPs [in, hidden…, out].</summary>
    public EnsembleMlp(int members, IReadOnlyList<int> sizes, Activation? hidden = null, Activation? output = null, string name = "EnsembleMlp") : base(name)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (members < 1) throw new ArgumentOutOfRangeException(nameof(members), members, "an ensemble needs at least one member (K ≥ 1).");
        if (sizes.Count < 2)
            throw new ArgumentException($"an MLP needs at least an input and an output size; got [{string.Join(", ", sizes)}]. Example: [2, 128, 128, 1].", nameof(sizes));
        Members = members;
        Sizes = sizes.ToArray();
        hidden ??= Activation.ReLU;
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int k = 0;
        for (int i = 0; i + 1 < sizes.Count; i++)
        {
            layers.Add(((k++).ToString(), new EnsembleLinear(members, sizes[i], sizes[i + 1])));
            if (i + 2 < sizes.Count) layers.Add(((k++).ToString(), hidden.Create()));
            else if (output is not null) layers.Add(((k++).ToString(), output.Create()));
        }
        _layers.AddRange(layers.Select(l => l.Item2));
        net = Sequential(layers);
        RegisterComponents();
    }

    /// <summary>[K, B, sizes[0]] → [K, B, sizes[^1]].</summary>
    public override Tensor forward(Tensor input) => Forward(null, input);

    /// <inheritdoc/>
    public IReadOnlyList<Tensor> Weights => parameters().Select(p => (Tensor)p).ToList();

    /// <inheritdoc/>
    public Tensor Forward(IReadOnlyList<Tensor>? weights, Tensor input)
    {
        if (input.dim() != 3 || input.shape[0] != Members || input.shape[2] != Sizes[0])
            throw new ArgumentException($"{GetName()} expects input [K={Members}, B, {Sizes[0]}]; got {Shapes.Of(input)}.", nameof(input));
        if (weights is not null && weights.Count != 2 * (Sizes.Count - 1))
            throw new ArgumentException($"{GetName()} has {2 * (Sizes.Count - 1)} weight tensors (weight and bias per layer); got {weights.Count}.", nameof(weights));
        var x = input;
        int w = 0;
        foreach (var layer in _layers)
        {
            if (layer is EnsembleLinear lin)
            {
                x = weights is null ? lin.call(x) : EnsembleLinear.Affine(x, weights[w], weights[w + 1]);
                w += 2;
            }
            else x = layer.call(x);
        }
        return x;
    }

    /// <summary>Copies the Linear layers of a single <see cref="Mlp"/> of the same sizes (no norm) into member <paramref name="member"/>.</summary>
    public void CopyMember(int member, Mlp single)
    {
        ArgumentNullException.ThrowIfNull(single);
        if (!single.Sizes.SequenceEqual(Sizes))
            throw new ArgumentException($"member {member}: the single MLP has sizes [{string.Join(", ", single.Sizes)}], the ensemble [{string.Join(", ", Sizes)}].", nameof(single));
        var linears = single.modules().OfType<Linear>().ToList();
        if (single.modules().Any(m => m is TorchSharp.Modules.LayerNorm or TorchSharp.Modules.BatchNorm1d))
            throw new ArgumentException("an ensemble MLP has no normalization layers; copy a single MLP built with norm: MlpNorm.None.", nameof(single));
        var mine = _layers.OfType<EnsembleLinear>().ToList();
        for (int i = 0; i < mine.Count; i++) mine[i].CopyMember(member, linears[i].weight!, linears[i].bias);
    }
}

/// <summary>
/// K toy MLP generators in the layout the trainer batches: z [B, K, zDim] → x [B, K, xDim] (member k reads
/// z[:, k] and writes x[:, k]). Same architecture as <see cref="MlpGenerator"/> (defaults 3 × 128, ReLU, linear output).
/// </summary>
public sealed class EnsembleMlpGenerator : Module<Tensor, Tensor>, IFunctionalNet
{
    private readonly EnsembleMlp net;

    /// <summary>Members K.</summary>
    public int Members => net.Members;
    /// <summary>Latent size.</summary>
    public int ZDim { get; }
    /// <summary>Output size.</summary>
    public int XDim { get; }

    /// <summary>Builds K generators.</summary>
    public EnsembleMlpGenerator(int members, int zDim, int xDim, int hidden = 128, int depth = 3, Activation? activation = null, Activation? output = null)
        : base("EnsembleMlpGenerator")
    {
        ZDim = zDim; XDim = xDim;
        net = new EnsembleMlp(members, MlpGenerator.Widths(zDim, xDim, hidden, depth), activation ?? Activation.ReLU, output, "net");
        RegisterComponents();
    }

    /// <summary>z [B, K, zDim] → x [B, K, xDim].</summary>
    public override Tensor forward(Tensor z) => Forward(null, z);

    /// <inheritdoc/>
    public IReadOnlyList<Tensor> Weights => net.Weights;

    /// <inheritdoc/>
    public Tensor Forward(IReadOnlyList<Tensor>? weights, Tensor z)
    {
        if (z.dim() != 3 || z.shape[1] != Members || z.shape[2] != ZDim)
            throw new ArgumentException($"EnsembleMlpGenerator expects z [B, K={Members}, {ZDim}]; got {Shapes.Of(z)}.", nameof(z));
        return net.Forward(weights, z.transpose(0, 1)).transpose(0, 1);
    }

    /// <summary>Copies a single generator (same sizes) into member <paramref name="member"/>.</summary>
    public void CopyMember(int member, MlpGenerator single)
    {
        ArgumentNullException.ThrowIfNull(single);
        net.CopyMember(member, single.modules().OfType<Mlp>().Single());
    }
}

/// <summary>
/// K toy MLP discriminators: x [B, K, xDim] → logits [B, K] (member k judges x[:, k] only). Same architecture as
/// <see cref="MlpDiscriminator"/> (defaults 3 × 128, LeakyReLU 0.2, no normalization).
/// </summary>
public sealed class EnsembleMlpDiscriminator : Module<Tensor, Tensor>, IFunctionalNet
{
    private readonly EnsembleMlp net;

    /// <summary>Members K.</summary>
    public int Members => net.Members;
    /// <summary>Input size per sample.</summary>
    public int XDim { get; }

    /// <summary>Builds K discriminators.</summary>
    public EnsembleMlpDiscriminator(int members, int xDim, int hidden = 128, int depth = 3, Activation? activation = null)
        : base("EnsembleMlpDiscriminator")
    {
        XDim = xDim;
        net = new EnsembleMlp(members, MlpGenerator.Widths(xDim, 1, hidden, depth), activation ?? Activation.LeakyReLU(0.2), null, "net");
        RegisterComponents();
    }

    /// <summary>x [B, K, xDim] → logits [B, K].</summary>
    public override Tensor forward(Tensor x) => Forward(null, x);

    /// <inheritdoc/>
    public IReadOnlyList<Tensor> Weights => net.Weights;

    /// <inheritdoc/>
    public Tensor Forward(IReadOnlyList<Tensor>? weights, Tensor x)
    {
        if (x.dim() != 3 || x.shape[1] != Members || x.shape[2] != XDim)
            throw new ArgumentException($"EnsembleMlpDiscriminator expects x [B, K={Members}, {XDim}]; got {Shapes.Of(x)}.", nameof(x));
        return net.Forward(weights, x.transpose(0, 1)).squeeze(2).transpose(0, 1);
    }

    /// <summary>Copies a single discriminator (same sizes) into member <paramref name="member"/>.</summary>
    public void CopyMember(int member, MlpDiscriminator single)
    {
        ArgumentNullException.ThrowIfNull(single);
        net.CopyMember(member, single.modules().OfType<Mlp>().Single());
    }
}

/// <summary>Per-member views of ensemble tensors laid out [B, K, ...].</summary>
public static class EnsembleTensors
{
    /// <summary>Member <paramref name="member"/>'s slice x[:, member] of a [B, K, ...] tensor (a view).</summary>
    public static Tensor Member(Tensor x, int member)
    {
        if (x.dim() < 2 || member < 0 || member >= x.shape[1])
            throw new ArgumentException($"expected [B, K, ...] with member < K; got {Shapes.Of(x)} and member {member}.");
        return x.select(1, member);
    }
}
