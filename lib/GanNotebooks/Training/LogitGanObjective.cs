using GanNotebooks.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Training;

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
