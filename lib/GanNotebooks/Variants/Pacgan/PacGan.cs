using GanNotebooks.Core;
using GanNotebooks.Losses;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Pacgan;

/// <summary>
/// PacGAN (Lin, Khetan, Fanti, Oh 2018): the discriminator judges packs of m samples, all real or all generated,
/// concatenated into one input of m·d features; nothing else changes (§3, "the one-line change"). A collapsed
/// generator's pack of m near-identical samples is easy to tell from a real pack, so D penalizes collapse. D is a
/// network on m·d inputs (e.g. <c>new MlpDiscriminator(2 * m)</c>), and a batch of B samples makes B/m packs:
/// set the trainer's batch size to m × (packs per batch). Works for single networks ([B, d]) and ensembles
/// ([B, K, d], packs within each member); losses are per member and summed.
/// </summary>
public sealed class PacGan : IGanObjective
{
    /// <summary>Builds the objective.</summary>
    /// <param name="packSize">m ≥ 1 (PacGAN2–4 use m = 2, 3, 4; m = 1 is the standard GAN).</param>
    public PacGan(int packSize)
    {
        if (packSize < 1) throw new ArgumentOutOfRangeException(nameof(packSize), packSize, "the pack size m must be ≥ 1 (PacGAN uses 2, 3 or 4).");
        PackSize = packSize;
    }

    /// <summary>Samples per pack m.</summary>
    public int PackSize { get; }

    /// <inheritdoc/>
    public string Name => $"PacGAN{PackSize}";

    /// <summary>
    /// Packs consecutive samples: [B, d] → [B/m, m·d], or per member [B, K, d] → [B/m, K, m·d] (pack j of member k holds
    /// samples jm … jm+m−1 of member k, in order). Real and fake batches are packed separately, so a pack never mixes sources.
    /// </summary>
    public static Tensor Pack(Tensor x, int m)
    {
        if (m < 1) throw new ArgumentOutOfRangeException(nameof(m), m, "the pack size m must be ≥ 1.");
        if (x.dim() != 2 && x.dim() != 3)
            throw new ArgumentException($"PacGAN packs toy samples [B, d] or ensemble samples [B, K, d]; got {Shapes.Of(x)}.", nameof(x));
        long b = x.shape[0];
        if (b % m != 0)
            throw new ArgumentException($"a batch of {b} samples does not split into packs of {m}; use a batch size that is a multiple of m (packs × m).", nameof(x));
        if (x.dim() == 2) return x.reshape(b / m, m * x.shape[1]);
        long k = x.shape[1], d = x.shape[2];
        return x.reshape(b / m, m, k, d).permute(0, 2, 1, 3).reshape(b / m, k, m * d);
    }

    /// <inheritdoc/>
    public Tensor DiscriminatorLoss(GanStepContext ctx)
    {
        var r = ctx.Discriminator.call(Pack(ctx.Real, PackSize));
        var f = ctx.Discriminator.call(Pack(ctx.Fake, PackSize));
        var perMember = MemberwiseGanLosses.DiscriminatorBce(r, f);
        ctx.LogPerMember("Loss/D", perMember);
        ctx.Log("D(x)", () => GanLosses.MeanProbability(r));
        ctx.Log("D(G(z))", () => GanLosses.MeanProbability(f));
        return perMember.sum();
    }

    /// <inheritdoc/>
    public Tensor GeneratorLoss(GanStepContext ctx)
    {
        var perMember = MemberwiseGanLosses.GeneratorNonSaturating(ctx.Discriminator.call(Pack(ctx.Fake, PackSize)));
        ctx.LogPerMember("Loss/G", perMember);
        return perMember.sum();
    }
}
