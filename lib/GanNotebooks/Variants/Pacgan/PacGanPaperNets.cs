using GanNotebooks.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Pacgan;

/// <summary>
/// PacGAN's 2-D setting (Lin et al. 2018, §5.1 and Appendix; read from the official code, fjxmlzn/PacGAN,
/// synthetic_data_experiments/2DGrid_GAN&amp;PacGAN and 2DRing_GAN&amp;PacGAN, config.py and pacgan_task.py): the numbers
/// a notebook's paper profile uses.
/// </summary>
public static class PacGanPaperSetting
{
    /// <summary>Latent dimension: z ~ N(0, I₂) ("num_zdim": 2, "z_mode_std": 1.0).</summary>
    public const int ZDim = 2;
    /// <summary>G's hidden width ("gen_hidden_size": 400); four hidden layers.</summary>
    public const int GeneratorHidden = 400, GeneratorDepth = 4;
    /// <summary>D's hidden width ("disc_hidden_size": 200); three LinearMaxout layers of 5 pieces ("disc_maxout_pieces").</summary>
    public const int DiscriminatorHidden = 200, DiscriminatorDepth = 3, MaxoutPieces = 5;
    /// <summary>Weights N(0, 0.02²) ("weights_init_std"), biases 0.</summary>
    public const double InitStd = 0.02;
    /// <summary>Adam, both networks ("learning_rate", "beta1"; β₂ is Blocks' default 0.999).</summary>
    public const double LearningRate = 1e-4, Beta1 = 0.8, Beta2 = 0.999;
    /// <summary>Packs per minibatch ("batch_size": 100; a row of the data stream is one pack of m samples).</summary>
    public const int BatchPacks = 100;
    /// <summary>The training set ("num_sample": 100,000 packs) and its epochs ("num_epoch": 400).</summary>
    public const int TrainingPacks = 100_000, Epochs = 400;
    /// <summary>Iterations (D and G updates) of one paper run: 400 epochs × 100,000 / 100 = 400,000.</summary>
    public const int Iterations = Epochs * TrainingPacks / BatchPacks;
    /// <summary>
    /// The population statistics of G's BatchNorm move by 0.05 of the batch statistics per update
    /// (<c>m * 0.05 + p * 0.95</c> in pacgan_task.py): torch's momentum 0.05.
    /// </summary>
    public const double BatchNormMomentum = 0.05;
    /// <summary>Blocks' BatchNormalization epsilon (1e-4), with a learned scale and shift.</summary>
    public const double BatchNormEps = 1e-4;
}

/// <summary>
/// PacGAN's 2-D generator for K members at once (K = 1 is the single network): z [B, K, 2] → x [B, K, 2] with, per
/// member, four hidden layers of 400 without bias, each BatchNorm → ReLU, then a linear 2-d output with bias (the
/// official code's <c>MLP(dims=[2, 400, 400, 400, 400, 2], use_bias=False)</c> with the last layer's bias on).
/// Member k's BatchNorm normalizes its own batch only (features of all members side by side in one BatchNorm1d of
/// K·400 features), so nothing mixes members. Weights N(0, 0.02²) drawn from a generator seeded by member k's seed.
/// </summary>
public sealed class PacGanPaperGenerator : Module<Tensor, Tensor>
{
    // State-dict keys: w0..w3 [K, in, 400], bn0..bn3 (K·400 features), w_out [K, 400, 2], b_out [K, 1, 2].
    private readonly Parameter w0, w1, w2, w3, w_out, b_out;
    private readonly BatchNorm1d bn0, bn1, bn2, bn3;

    /// <summary>Members K.</summary>
    public int Members { get; }
    /// <summary>Latent dimension.</summary>
    public int ZDim { get; }
    /// <summary>Output dimension.</summary>
    public int XDim { get; }
    /// <summary>Hidden width.</summary>
    public int Hidden { get; }

    /// <summary>K generators, member k initialised from <paramref name="seeds"/>[k].</summary>
    public PacGanPaperGenerator(IReadOnlyList<long> seeds, int zDim = PacGanPaperSetting.ZDim, int xDim = 2, int hidden = PacGanPaperSetting.GeneratorHidden)
        : base("PacGanPaperGenerator")
    {
        PacGanPaperNets.CheckSeeds(seeds);
        if (zDim < 1 || xDim < 1 || hidden < 1)
            throw new ArgumentException($"PacGanPaperGenerator needs zDim, xDim and hidden ≥ 1; got zDim = {zDim}, xDim = {xDim}, hidden = {hidden}.");
        Members = seeds.Count; ZDim = zDim; XDim = xDim; Hidden = hidden;
        int k = Members;
        var gens = seeds.Select(s => new torch.Generator((ulong)s)).ToArray();
        w0 = PacGanPaperNets.Normal(gens, zDim, hidden);
        w1 = PacGanPaperNets.Normal(gens, hidden, hidden);
        w2 = PacGanPaperNets.Normal(gens, hidden, hidden);
        w3 = PacGanPaperNets.Normal(gens, hidden, hidden);
        w_out = PacGanPaperNets.Normal(gens, hidden, xDim);
        b_out = new Parameter(torch.zeros(k, 1, xDim));
        BatchNorm1d Bn() => BatchNorm1d(k * hidden, eps: PacGanPaperSetting.BatchNormEps, momentum: PacGanPaperSetting.BatchNormMomentum);
        bn0 = Bn(); bn1 = Bn(); bn2 = Bn(); bn3 = Bn();
        foreach (var g in gens) g.Dispose();
        RegisterComponents();
    }

    /// <summary>z [B, K, zDim] → x [B, K, xDim] (BatchNorm: batch statistics in train mode, population ones in eval mode).</summary>
    public override Tensor forward(Tensor z)
    {
        if (z.dim() != 3 || z.shape[1] != Members || z.shape[2] != ZDim)
            throw new ArgumentException($"PacGanPaperGenerator expects z [B, K={Members}, {ZDim}]; got {Shapes.Of(z)}.", nameof(z));
        long b = z.shape[0];
        var h = z.transpose(0, 1);                                   // [K, B, zDim]
        foreach (var (w, bn) in new[] { (w0, bn0), (w1, bn1), (w2, bn2), (w3, bn3) })
        {
            var a = h.bmm(w).transpose(0, 1).reshape(b, Members * Hidden);   // [B, K·H]: member k's features side by side
            h = functional.relu(bn.call(a)).reshape(b, Members, Hidden).transpose(0, 1);
        }
        return h.bmm(w_out).add(b_out).transpose(0, 1);             // [B, K, xDim]
    }
}

/// <summary>
/// PacGAN's 2-D discriminator for K members at once (K = 1 is the single network): packs [B, K, m·2] → logits [B, K];
/// per member three LinearMaxout layers of 200 units with 5 pieces (a linear map to 200·5, the max over each unit's 5
/// pieces, as Blocks' <c>LinearMaxout</c>), then a linear map to one logit; no BatchNorm. Weights N(0, 0.02²), biases 0.
/// </summary>
public sealed class PacGanPaperDiscriminator : Module<Tensor, Tensor>
{
    // State-dict keys: w0..w2 [K, in, 200·5], b0..b2 [K, 1, 200·5], w_out [K, 200, 1], b_out [K, 1, 1].
    private readonly Parameter w0, b0, w1, b1, w2, b2, w_out, b_out;

    /// <summary>Members K.</summary>
    public int Members { get; }
    /// <summary>Input features: m·2 for packs of m two-dimensional samples.</summary>
    public int InFeatures { get; }
    /// <summary>Units per maxout layer.</summary>
    public int Hidden { get; }
    /// <summary>Pieces per maxout unit.</summary>
    public int Pieces { get; }

    /// <summary>K discriminators of packs of <paramref name="pack"/> samples of <paramref name="xDim"/>, member k initialised from <paramref name="seeds"/>[k].</summary>
    public PacGanPaperDiscriminator(IReadOnlyList<long> seeds, int pack = 1, int xDim = 2, int hidden = PacGanPaperSetting.DiscriminatorHidden,
        int pieces = PacGanPaperSetting.MaxoutPieces) : base("PacGanPaperDiscriminator")
    {
        PacGanPaperNets.CheckSeeds(seeds);
        if (pack < 1) throw new ArgumentOutOfRangeException(nameof(pack), pack, "the pack size m must be ≥ 1.");
        if (xDim < 1 || hidden < 1 || pieces < 1)
            throw new ArgumentException($"PacGanPaperDiscriminator needs xDim, hidden and pieces ≥ 1; got xDim = {xDim}, hidden = {hidden}, pieces = {pieces}.");
        Members = seeds.Count; InFeatures = pack * xDim; Hidden = hidden; Pieces = pieces;
        var gens = seeds.Select(s => new torch.Generator((ulong)s)).ToArray();
        w0 = PacGanPaperNets.Normal(gens, InFeatures, hidden * pieces); b0 = new Parameter(torch.zeros(Members, 1, hidden * pieces));
        w1 = PacGanPaperNets.Normal(gens, hidden, hidden * pieces); b1 = new Parameter(torch.zeros(Members, 1, hidden * pieces));
        w2 = PacGanPaperNets.Normal(gens, hidden, hidden * pieces); b2 = new Parameter(torch.zeros(Members, 1, hidden * pieces));
        w_out = PacGanPaperNets.Normal(gens, hidden, 1); b_out = new Parameter(torch.zeros(Members, 1, 1));
        foreach (var g in gens) g.Dispose();
        RegisterComponents();
    }

    /// <summary>Packs [B, K, InFeatures] → logits [B, K].</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 3 || x.shape[1] != Members || x.shape[2] != InFeatures)
            throw new ArgumentException($"PacGanPaperDiscriminator expects packs [B, K={Members}, {InFeatures}]; got {Shapes.Of(x)}.", nameof(x));
        long b = x.shape[0];
        var h = x.transpose(0, 1);                                   // [K, B, in]
        foreach (var (w, bias) in new[] { (w0, b0), (w1, b1), (w2, b2) })
            h = h.bmm(w).add(bias).view(Members, b, Hidden, Pieces).amax(new long[] { -1 });   // maxout: max over each unit's pieces
        return h.bmm(w_out).add(b_out).squeeze(-1).transpose(0, 1);    // [B, K]
    }
}

/// <summary>Shared checks and the initialisation of the paper nets.</summary>
public static class PacGanPaperNets
{
    internal static void CheckSeeds(IReadOnlyList<long> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count < 1) throw new ArgumentException("Give one seed per member (K ≥ 1).", nameof(seeds));
        if (seeds.Distinct().Count() != seeds.Count) throw new ArgumentException($"The members' seeds must be distinct; got [{string.Join(", ", seeds)}].", nameof(seeds));
    }

    /// <summary>A weight [K, in, out] with member k's slice drawn N(0, 0.02²) from generator k (the paper's IsotropicGaussian(0.02)).</summary>
    internal static Parameter Normal(torch.Generator[] gens, int inFeatures, int outFeatures)
    {
        using var _ = torch.no_grad();
        var w = torch.stack(gens.Select(g => torch.randn(new long[] { inFeatures, outFeatures }, generator: g) * PacGanPaperSetting.InitStd).ToArray());
        return new Parameter(w);
    }

    /// <summary>Parameters of one member of a generator and a discriminator (K = 1): the counts the official code prints.</summary>
    public static (long Generator, long Discriminator) ParameterCounts(int pack)
    {
        using var g = new PacGanPaperGenerator([1]);
        using var d = new PacGanPaperDiscriminator([1], pack);
        // G's BatchNorm running statistics are buffers, not parameters; its scale and shift are.
        return (g.parameters().Sum(p => p.numel()), d.parameters().Sum(p => p.numel()));
    }
}
