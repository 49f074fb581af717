using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Objectives;

/// <summary>Which generator loss an <see cref="FGan"/> uses.</summary>
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
            throw new ArgumentException($"{name} is empty (shape [{string.Join(", ", t.shape)}]); the f-GAN bound needs at least one logit per batch.", name);
        if (!t.is_floating_point())
            throw new ArgumentException($"{name} has dtype {t.dtype}; the f-GAN losses need floating-point logits (call .to(torch.float32)).", name);
    }
}

/// <summary>
/// f-GAN (Nowozin, Cseke, Tomioka 2016): the GAN objective for any f-divergence. D outputs a logit v,
/// T = g_f(v); D maximizes E_P[T] − E_Q[f*(T)] (a lower bound on D_f(P‖Q)); G minimizes −E_Q[T] (default,
/// the paper's practical choice) or the bound itself (<see cref="FGanGeneratorLoss.Saturating"/>). Runs in
/// the generic <see cref="GanTrainer"/>.
/// </summary>
/// <remarks>
/// Logged metrics: "D(x)" and "D(G(z))" are the mean critic values T = g_f(v) on real and generated
/// samples (compare them with <see cref="FDivergence.Threshold"/> = f′(1)), and "Bound" is the batch
/// estimate of the variational lower bound (= −Loss/D). With <see cref="FDivergence.Gan"/> and the default
/// generator loss this is the standard non-saturating GAN (<see cref="NonSaturatingGan"/>) exactly.
/// </remarks>
public sealed class FGan : LogitGanObjective
{
    /// <summary>Builds the objective.</summary>
    /// <param name="divergence">Which f (e.g. <see cref="FDivergence.ReverseKullbackLeibler"/>).</param>
    /// <param name="generatorLoss">Generator loss (default <see cref="FGanGeneratorLoss.NonSaturating"/>).</param>
    public FGan(FDivergence divergence, FGanGeneratorLoss generatorLoss = FGanGeneratorLoss.NonSaturating)
    {
        Divergence = divergence ?? throw new ArgumentNullException(nameof(divergence), "pass an f-divergence, e.g. FDivergence.KullbackLeibler.");
        if (!Enum.IsDefined(generatorLoss)) throw new ArgumentOutOfRangeException(nameof(generatorLoss), generatorLoss, "use FGanGeneratorLoss.NonSaturating or Saturating.");
        GeneratorLossKind = generatorLoss;
    }

    /// <summary>The f-divergence.</summary>
    public FDivergence Divergence { get; }

    /// <summary>The generator loss in use.</summary>
    public FGanGeneratorLoss GeneratorLossKind { get; }

    /// <summary>"fGAN-&lt;divergence&gt;", with "-saturating" for the saturating generator loss (stored in checkpoints).</summary>
    public override string Name => $"fGAN-{Divergence.Name}" + (GeneratorLossKind == FGanGeneratorLoss.Saturating ? "-saturating" : "");

    /// <inheritdoc/>
    public override Tensor DiscriminatorLossFromLogits(Tensor realLogits, Tensor fakeLogits) => FGanLosses.DiscriminatorLoss(Divergence, realLogits, fakeLogits);

    /// <inheritdoc/>
    public override Tensor GeneratorLossFromLogits(Tensor fakeLogits) => FGanLosses.GeneratorLoss(Divergence, fakeLogits, GeneratorLossKind);

    /// <summary>Mean critic value T = g_f(v) (not a probability; real/fake threshold f′(1)).</summary>
    protected override Tensor Readout(Tensor outputs) => Divergence.Activation(outputs).mean();

    /// <inheritdoc/>
    protected override Tensor? DiscriminatorRegularizer(GanStepContext ctx, Tensor realLogits, Tensor fakeLogits)
    {
        ctx.Log("Bound", () => FGanLosses.Bound(Divergence, realLogits, fakeLogits));
        return null;
    }
}
