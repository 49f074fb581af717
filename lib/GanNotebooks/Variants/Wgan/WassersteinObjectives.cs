using GanNotebooks.Losses;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Wgan;

/// <summary>
/// WGAN (Arjovsky et al. 2017): critic loss E[D(G(z))] − E[D(x)], generator loss −E[D(G(z))]. Use with
/// <see cref="GanTrainerConfig.Wgan"/> (weight clipping 0.01, RMSprop 5e-5, 5 critic steps). Logs the
/// estimate "W" = E[D(x)] − E[D(G(z))] (an estimate of W1 up to the Lipschitz constant).
/// </summary>
public sealed class WassersteinGan : LogitGanObjective
{
    /// <inheritdoc/>
    public override string Name => "Wasserstein";
    /// <inheritdoc/>
    protected override Tensor Readout(Tensor outputs) => outputs.mean();
    /// <inheritdoc/>
    public override Tensor DiscriminatorLossFromLogits(Tensor realLogits, Tensor fakeLogits) => GanLosses.CriticWasserstein(realLogits, fakeLogits);
    /// <inheritdoc/>
    public override Tensor GeneratorLossFromLogits(Tensor fakeLogits) => GanLosses.GeneratorWasserstein(fakeLogits);
    /// <inheritdoc/>
    protected override Tensor? DiscriminatorRegularizer(GanStepContext ctx, Tensor realLogits, Tensor fakeLogits)
    {
        ctx.Log("W", () => realLogits.mean() - fakeLogits.mean());
        return null;
    }
}

/// <summary>
/// WGAN-GP (Gulrajani et al. 2017): the WGAN losses plus λ·E[(‖∇D(x̂)‖₂ − 1)²] at random interpolates,
/// optionally plus a drift term ε_drift·E[D(x)²] (Karras et al. 2018). Use with
/// <see cref="GanTrainerConfig.WganGp"/>; no BatchNorm in the critic. Logs "W" and "GP".
/// </summary>
public sealed class WassersteinGpGan : LogitGanObjective
{
    /// <summary>Builds the objective.</summary>
    /// <param name="lambda">Penalty weight λ (10 in the paper, ≥ 0).</param>
    /// <param name="drift">Drift weight (0.001 in progressive GAN; default 0).</param>
    public WassersteinGpGan(double lambda = 10.0, double drift = 0.0)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be a finite number ≥ 0 (10 in Gulrajani et al. 2017).");
        if (!(drift >= 0) || double.IsInfinity(drift)) throw new ArgumentOutOfRangeException(nameof(drift), drift, "the drift weight must be a finite number ≥ 0 (0.001 in Karras et al. 2018).");
        Lambda = lambda;
        DriftWeight = drift;
    }

    /// <summary>λ.</summary>
    public double Lambda { get; }

    /// <summary>Drift weight.</summary>
    public double DriftWeight { get; }

    /// <inheritdoc/>
    public override string Name => "WassersteinGP";
    /// <inheritdoc/>
    protected override Tensor Readout(Tensor outputs) => outputs.mean();
    /// <inheritdoc/>
    public override Tensor DiscriminatorLossFromLogits(Tensor realLogits, Tensor fakeLogits) => GanLosses.CriticWasserstein(realLogits, fakeLogits);
    /// <inheritdoc/>
    public override Tensor GeneratorLossFromLogits(Tensor fakeLogits) => GanLosses.GeneratorWasserstein(fakeLogits);

    /// <inheritdoc/>
    protected override Tensor? DiscriminatorRegularizer(GanStepContext ctx, Tensor realLogits, Tensor fakeLogits)
    {
        ctx.Log("W", () => realLogits.mean() - fakeLogits.mean());
        var gp = Regularizers.GradientPenalty(ctx.Discriminator, ctx.Real, ctx.Fake);
        ctx.Log("GP", () => gp);
        var reg = Lambda * gp;
        if (DriftWeight > 0) reg = reg + DriftWeight * GanLosses.Drift(realLogits);
        return reg;
    }
}
