using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Losses;

/// <summary>
/// GAN losses per ensemble member. D's outputs are [B] for a single network or [B, K] for K members
/// (<c>EnsembleMlpDiscriminator</c>); each loss is a mean over the batch axis only, one value per member ([K], or a
/// scalar for a single network). The training loss is their SUM: d(Σ_k L_k)/dθ_k = dL_k/dθ_k, so every member gets the
/// gradient its single run would get, and a NaN in one member's loss does not reach another member's gradient. For a
/// single network ([B] or [B, 1] outputs) each equals its <see cref="GanLosses"/> counterpart (tested). PacGAN, unrolled GAN
/// and the ensembles' objectives use these; per-member values are logged with <c>GanStepContext.LogPerMember</c>.
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
            throw new ArgumentException($"real {Shapes.Of(real)} and fake {Shapes.Of(fake)} must have the same shape.");
        var epsShape = real.shape.ToArray();
        epsShape[^1] = 1;
        Tensor xHat;
        using (torch.no_grad())
        {
            var eps = torch.rand(epsShape, dtype: real.dtype, device: real.device, generator: generator);
            xHat = (eps * real + (1 - eps) * fake.detach()).detach();
        }
        // The same gradient as Regularizers' penalty; only the norm's axis differs (the data axis, never across members).
        var grad = Regularizers.InputGradients(critic, xHat, createGraph: true);
        var norms = (grad.square().sum(-1) + 1e-12).sqrt();
        return (norms - 1).square().mean(new long[] { 0 });
    }
}
