using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Losses;

/// <summary>
/// GAN losses as pure functions of discriminator / critic outputs (logits). Every function takes
/// tensors of any shape (typically [B] or [B, 1]), averages over all elements and returns a scalar
/// tensor that the caller minimizes. Nothing here knows about networks or optimizers.
/// </summary>
/// <remarks>
/// The sigmoid-based losses are written with softplus so they stay finite for any logit:
/// −log σ(v) = softplus(−v) and −log(1 − σ(v)) = softplus(v). Computing σ first and then log
/// underflows to log 0 = −∞ at |v| ≈ 17 in float32.
/// </remarks>
public static class GanLosses
{
    // ---------------------------------------------------------------- vanilla GAN (Goodfellow et al. 2014)

    /// <summary>
    /// Discriminator loss of the original GAN, the binary cross-entropy with real = 1, fake = 0:
    /// −E[log D(x)] − E[log(1 − D(G(z)))] = E[softplus(−r)] + E[softplus(f)] with D = σ(logit).
    /// It is −V(D, G) of Goodfellow et al. (2014), eq. 1. Logits 0 (D = ½ everywhere) give 2·log 2.
    /// </summary>
    /// <param name="realLogits">D's logits on real samples, any shape (e.g. [B]).</param>
    /// <param name="fakeLogits">D's logits on generated samples, any shape (e.g. [B]).</param>
    /// <returns>Scalar tensor.</returns>
    public static Tensor DiscriminatorBce(Tensor realLogits, Tensor fakeLogits)
    {
        Check(realLogits, nameof(realLogits));
        Check(fakeLogits, nameof(fakeLogits));
        return nn.functional.softplus(-realLogits).mean() + nn.functional.softplus(fakeLogits).mean();
    }

    /// <summary>
    /// The "minimax" generator loss, i.e. the SATURATING one: E[log(1 − D(G(z)))] = −E[softplus(f)],
    /// minimized by G (Goodfellow et al. 2014, eq. 1). Its gradient w.r.t. the fake logit is −σ(f),
    /// which vanishes when D confidently rejects fakes (f → −∞): the generator stops learning early
    /// in training. Logit 0 gives log ½.
    /// </summary>
    /// <param name="fakeLogits">D's logits on generated samples, any shape.</param>
    /// <returns>Scalar tensor (≤ 0).</returns>
    public static Tensor GeneratorSaturating(Tensor fakeLogits)
    {
        Check(fakeLogits, nameof(fakeLogits));
        return -nn.functional.softplus(fakeLogits).mean();
    }

    /// <summary>Alias of <see cref="GeneratorSaturating"/>: "minimax" names the saturating loss.</summary>
    /// <param name="fakeLogits">D's logits on generated samples, any shape.</param>
    public static Tensor GeneratorMinimax(Tensor fakeLogits) => GeneratorSaturating(fakeLogits);

    /// <summary>
    /// The non-saturating generator loss −E[log D(G(z))] = E[softplus(−f)] (Goodfellow et al. 2014,
    /// §3). Same fixed point as the minimax game, but its gradient w.r.t. the fake logit is
    /// −(1 − σ(f)), close to −1 when D rejects fakes, so G gets a strong signal early on.
    /// Logit 0 gives log 2.
    /// </summary>
    /// <param name="fakeLogits">D's logits on generated samples, any shape.</param>
    /// <returns>Scalar tensor (≥ 0).</returns>
    public static Tensor GeneratorNonSaturating(Tensor fakeLogits)
    {
        Check(fakeLogits, nameof(fakeLogits));
        return nn.functional.softplus(-fakeLogits).mean();
    }

    // ---------------------------------------------------------------- Wasserstein (Arjovsky et al. 2017)

    /// <summary>
    /// WGAN critic loss E[D(G(z))] − E[D(x)]: the negative of the Kantorovich–Rubinstein estimate of
    /// W1 (Arjovsky et al. 2017, eq. 3). Only meaningful with a Lipschitz constraint (weight clipping
    /// or <see cref="Regularizers.GradientPenalty(nn.Module{Tensor, Tensor}, Tensor, Tensor, double, Generator?)"/>).
    /// </summary>
    /// <param name="realScores">Critic outputs on real samples, any shape.</param>
    /// <param name="fakeScores">Critic outputs on generated samples, any shape.</param>
    public static Tensor CriticWasserstein(Tensor realScores, Tensor fakeScores)
    {
        Check(realScores, nameof(realScores));
        Check(fakeScores, nameof(fakeScores));
        return fakeScores.mean() - realScores.mean();
    }

    /// <summary>WGAN generator loss −E[D(G(z))] (Arjovsky et al. 2017, Algorithm 1).</summary>
    /// <param name="fakeScores">Critic outputs on generated samples, any shape.</param>
    public static Tensor GeneratorWasserstein(Tensor fakeScores)
    {
        Check(fakeScores, nameof(fakeScores));
        return -fakeScores.mean();
    }

    // ---------------------------------------------------------------- least squares (Mao et al. 2017)

    /// <summary>
    /// LSGAN discriminator loss ½E[(D(x) − b)²] + ½E[(D(G(z)) − a)²] (Mao et al. 2017, eq. 2) with the
    /// 0-1 coding a = 0 (fake), b = 1 (real) by default. D's raw output is used, no sigmoid.
    /// </summary>
    /// <param name="realOutputs">D outputs on real samples, any shape.</param>
    /// <param name="fakeOutputs">D outputs on generated samples, any shape.</param>
    /// <param name="fakeTarget">a: the target for fakes.</param>
    /// <param name="realTarget">b: the target for real samples.</param>
    public static Tensor DiscriminatorLeastSquares(Tensor realOutputs, Tensor fakeOutputs, double fakeTarget = 0.0, double realTarget = 1.0)
    {
        Check(realOutputs, nameof(realOutputs));
        Check(fakeOutputs, nameof(fakeOutputs));
        return 0.5 * (realOutputs - realTarget).square().mean() + 0.5 * (fakeOutputs - fakeTarget).square().mean();
    }

    /// <summary>LSGAN generator loss ½E[(D(G(z)) − c)²] with c = 1 by default (Mao et al. 2017, eq. 2).</summary>
    /// <param name="fakeOutputs">D outputs on generated samples, any shape.</param>
    /// <param name="target">c: the value G wants D to believe for fakes.</param>
    public static Tensor GeneratorLeastSquares(Tensor fakeOutputs, double target = 1.0)
    {
        Check(fakeOutputs, nameof(fakeOutputs));
        return 0.5 * (fakeOutputs - target).square().mean();
    }

    // ---------------------------------------------------------------- hinge (Lim & Ye 2017; Miyato et al. 2018)

    /// <summary>Hinge discriminator loss E[relu(1 − D(x))] + E[relu(1 + D(G(z)))] (Lim &amp; Ye 2017; Miyato et al. 2018, eq. 16).</summary>
    /// <param name="realOutputs">D outputs on real samples, any shape.</param>
    /// <param name="fakeOutputs">D outputs on generated samples, any shape.</param>
    public static Tensor DiscriminatorHinge(Tensor realOutputs, Tensor fakeOutputs)
    {
        Check(realOutputs, nameof(realOutputs));
        Check(fakeOutputs, nameof(fakeOutputs));
        return nn.functional.relu(1.0 - realOutputs).mean() + nn.functional.relu(1.0 + fakeOutputs).mean();
    }

    /// <summary>Hinge generator loss −E[D(G(z))] (same as the Wasserstein generator loss).</summary>
    /// <param name="fakeOutputs">D outputs on generated samples, any shape.</param>
    public static Tensor GeneratorHinge(Tensor fakeOutputs)
    {
        Check(fakeOutputs, nameof(fakeOutputs));
        return -fakeOutputs.mean();
    }

    // ---------------------------------------------------------------- small extras

    /// <summary>
    /// Drift penalty E[D(x)²] (Karras et al. 2018, §A.1, weight 0.001): keeps a WGAN-GP critic's
    /// outputs from drifting far from 0.
    /// </summary>
    /// <param name="realScores">Critic outputs on real samples, any shape.</param>
    public static Tensor Drift(Tensor realScores)
    {
        Check(realScores, nameof(realScores));
        return realScores.square().mean();
    }

    /// <summary>Mean of σ(logit): the average probability D assigns to "real". Shown as D(x) / D(G(z)).</summary>
    /// <param name="logits">Any shape.</param>
    public static Tensor MeanProbability(Tensor logits)
    {
        Check(logits, nameof(logits));
        return torch.sigmoid(logits).mean();
    }

    static void Check(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.numel() == 0)
            throw new ArgumentException($"{name} is empty (shape {Shapes.Of(t)}); a GAN loss needs at least one output per batch.", name);
        if (!t.is_floating_point())
            throw new ArgumentException($"{name} has dtype {t.dtype}; losses need floating-point logits (call .to(torch.float32)).", name);
    }
}
