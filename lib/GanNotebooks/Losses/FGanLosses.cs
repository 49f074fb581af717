using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Losses;

/// <summary>Which generator loss an f-GAN (<c>Variants.Fgan.FGan</c>) uses.</summary>
public enum FGanGeneratorLoss
{
    /// <summary>
    /// The paper's practical alternative (f-GAN §3.2, used in its experiments): G maximizes
    /// E_Q[g_f(V(G(z)))], i.e. minimizes −E_Q[T]. For the GAN row this is −E[log D(G(z))], Goodfellow's
    /// non-saturating loss. Same fixed point P = Q as <see cref="Saturating"/>, different gradient weighting
    /// away from it: strong gradients where D rejects the samples, but the generator no longer follows D_f —
    /// with JS, GAN or Hellinger and a Gaussian generator on a bimodal target it seeks one mode where D_f's
    /// minimizer covers both (notebook 03; Shannon et al. 2020). The default.
    /// </summary>
    NonSaturating,

    /// <summary>
    /// The saddle-point objective itself (f-GAN eq. 6): G minimizes the bound, i.e. −E_Q[f*(g_f(V(G(z))))]
    /// (E_P[T] does not depend on G). With the optimal T its gradient is the gradient of D_f(P‖Q_θ)
    /// (envelope theorem), so the generator follows the chosen divergence exactly. For the GAN row this is
    /// E[log(1 − D(G(z)))], the saturating "minimax" loss. It can stall where that gradient vanishes (e.g. at a
    /// symmetric saddle of reverse KL between two modes, or when D rejects every sample for the GAN row).
    /// </summary>
    Saturating,
}

/// <summary>
/// The f-GAN losses (variational divergence minimization, Nowozin et al. 2016, eq. 6) as pure functions of
/// discriminator logits for a given <see cref="FDivergence"/>. Inputs of any shape (typically [B]); outputs
/// are scalars the caller minimizes.
/// </summary>
public static class FGanLosses
{
    /// <summary>
    /// The variational lower bound on D_f(P‖Q) from a batch: E_P[g_f(v)] − E_Q[f*(g_f(v))] (f-GAN eq. 4/6),
    /// with v the logits on real (P) and generated (Q) samples. Scalar; keeps the graph.
    /// </summary>
    /// <param name="divergence">Which f.</param>
    /// <param name="realLogits">V(x) on samples of P, any shape (e.g. [B]).</param>
    /// <param name="fakeLogits">V(x̃) on samples of Q, any shape (e.g. [B]).</param>
    public static Tensor Bound(FDivergence divergence, Tensor realLogits, Tensor fakeLogits)
    {
        ArgumentNullException.ThrowIfNull(divergence);
        Check(realLogits, nameof(realLogits));
        Check(fakeLogits, nameof(fakeLogits));
        return divergence.Activation(realLogits).mean() - divergence.ConjugateOfActivation(fakeLogits).mean();
    }

    /// <summary>
    /// D's loss: the negative bound, −E_P[g_f(v)] + E_Q[f*(g_f(v))] (D maximizes the bound). For the GAN row this
    /// equals <see cref="GanLosses.DiscriminatorBce"/> exactly; for JS it is that minus log 4.
    /// </summary>
    public static Tensor DiscriminatorLoss(FDivergence divergence, Tensor realLogits, Tensor fakeLogits)
        => -Bound(divergence, realLogits, fakeLogits);

    /// <summary>
    /// G's loss from D's logits on generated samples [B…]: −E_Q[g_f(v)] (<see cref="FGanGeneratorLoss.NonSaturating"/>)
    /// or −E_Q[f*(g_f(v))] (<see cref="FGanGeneratorLoss.Saturating"/>).
    /// </summary>
    public static Tensor GeneratorLoss(FDivergence divergence, Tensor fakeLogits, FGanGeneratorLoss kind = FGanGeneratorLoss.NonSaturating)
    {
        ArgumentNullException.ThrowIfNull(divergence);
        Check(fakeLogits, nameof(fakeLogits));
        return kind switch
        {
            FGanGeneratorLoss.NonSaturating => -divergence.Activation(fakeLogits).mean(),
            FGanGeneratorLoss.Saturating => -divergence.ConjugateOfActivation(fakeLogits).mean(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "use FGanGeneratorLoss.NonSaturating or Saturating."),
        };
    }

    internal static void Check(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.numel() == 0)
            throw new ArgumentException($"{name} is empty (shape {Shapes.Of(t)}); the f-GAN bound needs at least one logit per batch.", name);
        if (!t.is_floating_point())
            throw new ArgumentException($"{name} has dtype {t.dtype}; the f-GAN losses need floating-point logits (call .to(torch.float32)).", name);
    }
}
