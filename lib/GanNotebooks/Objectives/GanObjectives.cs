using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Objectives;

/// <summary>
/// Base of the variants whose losses are functions of D's outputs on the real batch and the fake
/// batch (every variant in chapters 01–04, and f-GAN). A subclass supplies the two loss functions
/// (usually one-liners calling <see cref="GanLosses"/>); this class runs D, logs "D(x)" and
/// "D(G(z))", and adds <see cref="DiscriminatorRegularizer"/> when a subclass defines one.
/// </summary>
public abstract class LogitGanObjective : IGanObjective
{
    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>D's loss from its outputs on real [B…] and fake [B…] samples (a scalar).</summary>
    public abstract Tensor DiscriminatorLossFromLogits(Tensor realLogits, Tensor fakeLogits);

    /// <summary>G's loss from D's outputs on fake samples (a scalar).</summary>
    public abstract Tensor GeneratorLossFromLogits(Tensor fakeLogits);

    /// <summary>
    /// How a batch of D outputs is summarized as "D(x)" / "D(G(z))": the mean probability σ(logit)
    /// for sigmoid-based objectives (default), the mean raw score for critics.
    /// </summary>
    protected virtual Tensor Readout(Tensor outputs) => GanLosses.MeanProbability(outputs);

    /// <summary>
    /// An extra term added to D's loss, computed from D and the batches (e.g. λ·gradient penalty).
    /// Returns null for none. Log its value with ctx.Log.
    /// </summary>
    protected virtual Tensor? DiscriminatorRegularizer(GanStepContext ctx, Tensor realLogits, Tensor fakeLogits) => null;

    /// <inheritdoc/>
    public virtual Tensor DiscriminatorLoss(GanStepContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var r = ctx.Discriminator.call(ctx.Real);
        var f = ctx.Discriminator.call(ctx.Fake);
        var loss = DiscriminatorLossFromLogits(r, f);
        ctx.Log("D(x)", () => Readout(r));
        ctx.Log("D(G(z))", () => Readout(f));
        var reg = DiscriminatorRegularizer(ctx, r, f);
        return reg is null ? loss : loss + reg;
    }

    /// <inheritdoc/>
    public virtual Tensor GeneratorLoss(GanStepContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var f = ctx.Discriminator.call(ctx.Fake);
        return GeneratorLossFromLogits(f);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>
/// An objective from two delegates — for experiments in a notebook cell and for plugging in new
/// losses (e.g. an f-divergence) without writing a class.
/// </summary>
public sealed class CustomGanObjective : LogitGanObjective
{
    readonly Func<Tensor, Tensor, Tensor> _d;
    readonly Func<Tensor, Tensor> _g;
    readonly bool _probabilities;

    /// <summary>Builds the objective.</summary>
    /// <param name="name">Name shown in progress lines and checkpoints.</param>
    /// <param name="discriminatorLoss">(real outputs, fake outputs) → scalar D loss.</param>
    /// <param name="generatorLoss">fake outputs → scalar G loss.</param>
    /// <param name="outputsAreLogits">True: "D(x)" is logged as mean σ(output); false: as the mean raw output.</param>
    public CustomGanObjective(string name, Func<Tensor, Tensor, Tensor> discriminatorLoss, Func<Tensor, Tensor> generatorLoss, bool outputsAreLogits = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _d = discriminatorLoss ?? throw new ArgumentNullException(nameof(discriminatorLoss));
        _g = generatorLoss ?? throw new ArgumentNullException(nameof(generatorLoss));
        _probabilities = outputsAreLogits;
    }

    /// <inheritdoc/>
    public override string Name { get; }
    /// <inheritdoc/>
    public override Tensor DiscriminatorLossFromLogits(Tensor realLogits, Tensor fakeLogits) => _d(realLogits, fakeLogits);
    /// <inheritdoc/>
    public override Tensor GeneratorLossFromLogits(Tensor fakeLogits) => _g(fakeLogits);
    /// <inheritdoc/>
    protected override Tensor Readout(Tensor outputs) => _probabilities ? base.Readout(outputs) : outputs.mean();
}

/// <summary>
/// The standard GAN with the non-saturating generator loss −E[log D(G(z))] (Goodfellow et al. 2014, §3):
/// D minimizes the binary cross-entropy, G maximizes log D(G(z)). The usual choice in practice.
/// </summary>
public sealed class NonSaturatingGan : LogitGanObjective
{
    /// <inheritdoc/>
    public override string Name => "NonSaturating";
    /// <inheritdoc/>
    public override Tensor DiscriminatorLossFromLogits(Tensor realLogits, Tensor fakeLogits) => GanLosses.DiscriminatorBce(realLogits, fakeLogits);
    /// <inheritdoc/>
    public override Tensor GeneratorLossFromLogits(Tensor fakeLogits) => GanLosses.GeneratorNonSaturating(fakeLogits);
}

/// <summary>
/// The original minimax GAN: G minimizes the SATURATING loss E[log(1 − D(G(z)))] (Goodfellow et al. 2014,
/// eq. 1). Its gradient vanishes when D rejects the fakes — chapter 01 shows it stalling.
/// </summary>
public sealed class MinimaxGan : LogitGanObjective
{
    /// <inheritdoc/>
    public override string Name => "Minimax";
    /// <inheritdoc/>
    public override Tensor DiscriminatorLossFromLogits(Tensor realLogits, Tensor fakeLogits) => GanLosses.DiscriminatorBce(realLogits, fakeLogits);
    /// <inheritdoc/>
    public override Tensor GeneratorLossFromLogits(Tensor fakeLogits) => GanLosses.GeneratorSaturating(fakeLogits);
}

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

/// <summary>LSGAN (Mao et al. 2017) with the 0-1 coding: a = 0, b = 1, c = 1 by default.</summary>
public sealed class LeastSquaresGan : LogitGanObjective
{
    /// <summary>Builds the objective.</summary>
    /// <param name="fakeTarget">a: D's target for fakes.</param>
    /// <param name="realTarget">b: D's target for real samples.</param>
    /// <param name="generatorTarget">c: the value G wants D to output for fakes.</param>
    public LeastSquaresGan(double fakeTarget = 0, double realTarget = 1, double generatorTarget = 1)
    {
        A = fakeTarget; B = realTarget; C = generatorTarget;
    }

    /// <summary>a, b, c of Mao et al. (2017), eq. 2.</summary>
    public double A { get; }
    /// <inheritdoc cref="A"/>
    public double B { get; }
    /// <inheritdoc cref="A"/>
    public double C { get; }

    /// <inheritdoc/>
    public override string Name => "LeastSquares";
    /// <inheritdoc/>
    protected override Tensor Readout(Tensor outputs) => outputs.mean();
    /// <inheritdoc/>
    public override Tensor DiscriminatorLossFromLogits(Tensor realLogits, Tensor fakeLogits) => GanLosses.DiscriminatorLeastSquares(realLogits, fakeLogits, A, B);
    /// <inheritdoc/>
    public override Tensor GeneratorLossFromLogits(Tensor fakeLogits) => GanLosses.GeneratorLeastSquares(fakeLogits, C);
}

/// <summary>Hinge GAN (Lim &amp; Ye 2017; Miyato et al. 2018): D: E[relu(1 − D(x))] + E[relu(1 + D(G(z)))]; G: −E[D(G(z))].</summary>
public sealed class HingeGan : LogitGanObjective
{
    /// <inheritdoc/>
    public override string Name => "Hinge";
    /// <inheritdoc/>
    protected override Tensor Readout(Tensor outputs) => outputs.mean();
    /// <inheritdoc/>
    public override Tensor DiscriminatorLossFromLogits(Tensor realLogits, Tensor fakeLogits) => GanLosses.DiscriminatorHinge(realLogits, fakeLogits);
    /// <inheritdoc/>
    public override Tensor GeneratorLossFromLogits(Tensor fakeLogits) => GanLosses.GeneratorHinge(fakeLogits);
}
