using GanNotebooks.Losses;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Relativistic;

/// <summary>
/// The relativistic average GAN (RaGAN; Jolicoeur-Martineau 2019, §4.2, eqs. 11–12): D no longer says "this is real" but
/// "this real sample is more realistic than the average fake" (and vice versa), so in G's step the real batch's logits
/// move too — G gets a gradient from making fakes look more real <i>and</i> reals look less real, which the paper finds
/// more stable than the standard GAN. With C the critic's raw output (logits [B] or [B, 1]):
/// <code>
/// L_D = −E_x[log σ(C(x) − E_z C(G(z)))] − E_z[log(1 − σ(C(G(z)) − E_x C(x)))]
/// L_G = −E_z[log σ(C(G(z)) − E_x C(x))] − E_x[log(1 − σ(C(x) − E_z C(G(z))))]
/// </code>
/// Both are the binary cross-entropy of <see cref="GanLosses.DiscriminatorBce"/> on the centred logits, with the roles of
/// real and fake swapped for G. Works with any D of the kit (no nets of its own); logs "D(x)" and "D(G(z))" as the mean
/// σ of the centred logits.
/// </summary>
public sealed class RelativisticAverageGan : IGanObjective
{
    /// <inheritdoc/>
    public string Name => "RelativisticAverage";

    /// <summary>D's loss from its logits on real [B…] and fake [B…] samples (a scalar); 2·log 2 when every logit is equal.</summary>
    public static Tensor DiscriminatorLossFromLogits(Tensor realLogits, Tensor fakeLogits)
        => GanLosses.DiscriminatorBce(realLogits - fakeLogits.mean(), fakeLogits - realLogits.mean());

    /// <summary>G's loss from D's logits on real and fake samples (a scalar): D's loss with real and fake swapped.</summary>
    public static Tensor GeneratorLossFromLogits(Tensor realLogits, Tensor fakeLogits)
        => GanLosses.DiscriminatorBce(fakeLogits - realLogits.mean(), realLogits - fakeLogits.mean());

    /// <inheritdoc/>
    public Tensor DiscriminatorLoss(GanStepContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var r = ctx.Discriminator.call(ctx.Real);
        var f = ctx.Discriminator.call(ctx.Fake);
        ctx.Log("D(x)", () => GanLosses.MeanProbability(r - f.mean()));
        ctx.Log("D(G(z))", () => GanLosses.MeanProbability(f - r.mean()));
        return DiscriminatorLossFromLogits(r, f);
    }

    /// <inheritdoc/>
    public Tensor GeneratorLoss(GanStepContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        // The real batch is drawn here (a G step draws it on first access): RaGAN's G loss needs it.
        var r = ctx.Discriminator.call(ctx.Real);
        var f = ctx.Discriminator.call(ctx.Fake);
        return GeneratorLossFromLogits(r, f);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
