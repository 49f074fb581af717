using GanNotebooks.Losses;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Fgan;

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
/// generator loss this is the standard non-saturating GAN (<see cref="Standard.NonSaturatingGan"/>) exactly.
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
