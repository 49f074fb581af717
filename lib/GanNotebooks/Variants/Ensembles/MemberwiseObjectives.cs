using GanNotebooks.Losses;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Ensembles;

/// <summary>
/// The non-saturating GAN (Goodfellow et al. 2014, §3) for single networks and ensembles alike: the loss is the sum
/// over members of each member's mean loss (<see cref="MemberwiseGanLosses"/>); per-member losses are logged as
/// "Loss/D[k]", "Loss/G[k]". For a single network it equals <c>NonSaturatingGan</c>.
/// </summary>
public sealed class MemberwiseNonSaturatingGan : IGanObjective
{
    /// <inheritdoc/>
    public string Name => "NonSaturating (per member)";

    /// <inheritdoc/>
    public Tensor DiscriminatorLoss(GanStepContext ctx)
    {
        var r = ctx.Discriminator.call(ctx.Real);
        var f = ctx.Discriminator.call(ctx.Fake);
        var perMember = MemberwiseGanLosses.DiscriminatorBce(r, f);
        ctx.LogPerMember("Loss/D", perMember);
        ctx.Log("D(x)", () => GanLosses.MeanProbability(r));
        ctx.Log("D(G(z))", () => GanLosses.MeanProbability(f));
        return perMember.sum();
    }

    /// <inheritdoc/>
    public Tensor GeneratorLoss(GanStepContext ctx)
    {
        var perMember = MemberwiseGanLosses.GeneratorNonSaturating(ctx.Discriminator.call(ctx.Fake));
        ctx.LogPerMember("Loss/G", perMember);
        return perMember.sum();
    }
}

/// <summary>
/// WGAN-GP (Gulrajani et al. 2017) for single networks and ensembles: per member, critic loss E[f] − E[r] + λ·GP
/// with the penalty's norm per sample and member (<see cref="MemberwiseGanLosses.GradientPenalty"/>), summed over members.
/// </summary>
public sealed class MemberwiseWassersteinGpGan : IGanObjective
{
    /// <summary>Builds the objective.</summary>
    /// <param name="lambda">Penalty weight λ (10 in the paper, ≥ 0).</param>
    public MemberwiseWassersteinGpGan(double lambda = 10)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be a finite number ≥ 0 (10 in Gulrajani et al. 2017).");
        Lambda = lambda;
    }

    /// <summary>Penalty weight λ.</summary>
    public double Lambda { get; }

    /// <inheritdoc/>
    public string Name => $"WGAN-GP (per member, λ={Lambda:G3})";

    /// <inheritdoc/>
    public Tensor DiscriminatorLoss(GanStepContext ctx)
    {
        var r = ctx.Discriminator.call(ctx.Real);
        var f = ctx.Discriminator.call(ctx.Fake);
        var perMember = MemberwiseGanLosses.CriticWasserstein(r, f);
        if (Lambda > 0) perMember = perMember + Lambda * MemberwiseGanLosses.GradientPenalty(ctx.Discriminator.call, ctx.Real, ctx.Fake);
        ctx.LogPerMember("Loss/D", perMember);
        return perMember.sum();
    }

    /// <inheritdoc/>
    public Tensor GeneratorLoss(GanStepContext ctx)
    {
        var perMember = MemberwiseGanLosses.GeneratorWasserstein(ctx.Discriminator.call(ctx.Fake));
        ctx.LogPerMember("Loss/G", perMember);
        return perMember.sum();
    }
}
