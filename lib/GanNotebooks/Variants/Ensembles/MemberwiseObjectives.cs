using GanNotebooks.Losses;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Ensembles;

/// <summary>
/// GAN losses per ensemble member. D's outputs are [B] for a single network or [B, K] for K members
/// (<c>EnsembleMlpDiscriminator</c>); each loss is a mean over the batch axis only, one value per member ([K], or a
/// scalar for a single network). The training loss is their SUM: d(Σ_k L_k)/dθ_k = dL_k/dθ_k, so every member gets the
/// gradient its single run would get, and a NaN in one member's loss does not reach another member's gradient.
/// </summary>
public static class MemberwiseGanLosses
{
    /// <summary>Per member: E_b[softplus(−r)] + E_b[softplus(f)] (the BCE of Goodfellow et al. 2014; <see cref="GanLosses.DiscriminatorBce"/> per member).</summary>
    public static Tensor DiscriminatorBce(Tensor realLogits, Tensor fakeLogits)
        => nn.functional.softplus(-realLogits).mean(new long[] { 0 }) + nn.functional.softplus(fakeLogits).mean(new long[] { 0 });

    /// <summary>Per member: the non-saturating generator loss E_b[softplus(−f)] = −E_b[log D(G(z))].</summary>
    public static Tensor GeneratorNonSaturating(Tensor fakeLogits) => nn.functional.softplus(-fakeLogits).mean(new long[] { 0 });

    /// <summary>Per member: the WGAN critic loss E_b[f] − E_b[r].</summary>
    public static Tensor CriticWasserstein(Tensor realScores, Tensor fakeScores) => fakeScores.mean(new long[] { 0 }) - realScores.mean(new long[] { 0 });

    /// <summary>Per member: the WGAN generator loss −E_b[f].</summary>
    public static Tensor GeneratorWasserstein(Tensor fakeScores) => -fakeScores.mean(new long[] { 0 });

    /// <summary>
    /// Per member: the WGAN-GP penalty E_b[(‖∇ₓD(x̂)‖₂ − 1)²] (Gulrajani et al. 2017, eq. 3) at x̂ = εx + (1 − ε)x̃,
    /// ε ~ U[0, 1] per sample and member; the norm is per sample over the LAST axis (the data axis of a toy sample
    /// [B, d] or [B, K, d]), never across members. Returns [K] (or a scalar for [B, d]).
    /// </summary>
    public static Tensor GradientPenalty(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(critic);
        if (!real.shape.SequenceEqual(fake.shape))
            throw new ArgumentException($"real {Core.Shapes.Of(real)} and fake {Core.Shapes.Of(fake)} must have the same shape.");
        var epsShape = real.shape.ToArray();
        epsShape[^1] = 1;
        Tensor xHat;
        using (torch.no_grad())
        {
            var eps = torch.rand(epsShape, dtype: real.dtype, device: real.device, generator: generator);
            xHat = (eps * real + (1 - eps) * fake.detach()).detach();
        }
        xHat.requires_grad_(true);
        var scores = critic(xHat);
        var grad = torch.autograd.grad(new[] { scores.sum() }, new[] { xHat }, retain_graph: true, create_graph: true)[0];
        var norms = (grad.square().sum(-1) + 1e-12).sqrt();
        return (norms - 1).square().mean(new long[] { 0 });
    }

    /// <summary>Logs each member's value of a per-member loss as "{name}[k]" (only on logging steps).</summary>
    public static void LogMembers(GanStepContext ctx, string name, Tensor perMember)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (!ctx.IsLogging || perMember.dim() == 0) return;
        var values = perMember.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        for (int k = 0; k < values.Length; k++) ctx.Log($"{name}[{k}]", values[k]);
    }
}

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
        MemberwiseGanLosses.LogMembers(ctx, "Loss/D", perMember);
        ctx.Log("D(x)", () => GanLosses.MeanProbability(r));
        ctx.Log("D(G(z))", () => GanLosses.MeanProbability(f));
        return perMember.sum();
    }

    /// <inheritdoc/>
    public Tensor GeneratorLoss(GanStepContext ctx)
    {
        var perMember = MemberwiseGanLosses.GeneratorNonSaturating(ctx.Discriminator.call(ctx.Fake));
        MemberwiseGanLosses.LogMembers(ctx, "Loss/G", perMember);
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
        MemberwiseGanLosses.LogMembers(ctx, "Loss/D", perMember);
        return perMember.sum();
    }

    /// <inheritdoc/>
    public Tensor GeneratorLoss(GanStepContext ctx)
    {
        var perMember = MemberwiseGanLosses.GeneratorWasserstein(ctx.Discriminator.call(ctx.Fake));
        MemberwiseGanLosses.LogMembers(ctx, "Loss/G", perMember);
        return perMember.sum();
    }
}
