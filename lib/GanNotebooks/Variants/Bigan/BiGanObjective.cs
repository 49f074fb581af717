using GanNotebooks.Training;
using GanNotebooks.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Bigan;

/// <summary>
/// BiGAN / ALI (Donahue et al. 2017, eq. 3; Dumoulin et al. 2017, eq. 1) through the generic trainer:
/// V(D, E, G) = E_x[log D(x, E(x))] + E_z[log(1 − D(G(z), z))]. D learns to tell (x, E(x)) ("real") from
/// (G(z), z) ("fake"); G and E together try to make the two joint distributions equal, and at the optimum
/// E = G⁻¹ (Donahue et al. 2017, Theorem 2).
/// </summary>
/// <remarks>
/// <para>
/// Give the trainer a <see cref="BiGanGenerator"/> as its generator (so its optimizer updates G and E) and a
/// discriminator over packed pairs [B, XDim + ZDim] such as <see cref="BiGanDiscriminator"/>; pairs are built
/// with <see cref="BiGanDiscriminator.Pack"/>.
/// </para>
/// <para>
/// D step: E(x) is computed without a graph, G(z) is already detached by the trainer, so the step cannot
/// change G or E. G/E step: by default the non-saturating form, i.e. the D loss with the labels swapped
/// (the official BiGAN code): −E[log D(G(z), z)] − E[log(1 − D(x, E(x)))]. With
/// <c>nonSaturating: false</c> the minimax form −V (the negated D loss), whose gradient vanishes when D
/// is confident.
/// </para>
/// <para>Logs "D(x)" = mean D(x, E(x)) and "D(G(z))" = mean D(G(z), z) as probabilities (the trainer's usual keys).</para>
/// </remarks>
public sealed class BiGanObjective : IGanObjective
{
    readonly BiGanGenerator _generatorAndEncoder;

    /// <summary>Builds the objective for the trainer's generator.</summary>
    /// <param name="generatorAndEncoder">G and E together — the module the trainer trains as its generator (so E learns with G).
    /// The objective keeps it typed, so it never casts the trainer's networks.</param>
    /// <param name="nonSaturating">True (default): G/E minimize the label-swapped BCE; false: the minimax −V.</param>
    public BiGanObjective(BiGanGenerator generatorAndEncoder, bool nonSaturating = true)
    {
        _generatorAndEncoder = generatorAndEncoder ?? throw new ArgumentNullException(nameof(generatorAndEncoder));
        NonSaturating = nonSaturating;
    }

    /// <summary>True when G and E use the non-saturating (label-swapped) loss.</summary>
    public bool NonSaturating { get; }

    /// <inheritdoc/>
    public string Name => NonSaturating ? "BiGAN" : "BiGAN-minimax";

    /// <summary>
    /// D's loss from its logits on (x, E(x)) pairs [B] and (G(z), z) pairs [B]: the binary cross-entropy with
    /// real = 1, fake = 0, −V(D, E, G). Logits 0 give 2·log 2.
    /// </summary>
    public static Tensor DiscriminatorLossFromLogits(Tensor encoderPairLogits, Tensor generatorPairLogits)
        => GanLosses.DiscriminatorBce(encoderPairLogits, generatorPairLogits);

    /// <summary>
    /// G and E's loss from D's logits on (x, E(x)) and (G(z), z). Non-saturating: the BCE with swapped labels,
    /// E[softplus(r)] + E[softplus(−f)] (2·log 2 at logits 0). Minimax: −(E[softplus(−r)] + E[softplus(f)]).
    /// </summary>
    public static Tensor GeneratorLossFromLogits(Tensor encoderPairLogits, Tensor generatorPairLogits, bool nonSaturating = true)
        => nonSaturating
            ? GanLosses.DiscriminatorBce(generatorPairLogits, encoderPairLogits)
            : -GanLosses.DiscriminatorBce(encoderPairLogits, generatorPairLogits);

    /// <inheritdoc/>
    public Tensor DiscriminatorLoss(GanStepContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var ge = Require(ctx);
        var x = ctx.Real;
        Tensor ex;
        // D's step must not reach E (nor G, whose output the trainer already detached).
        using (torch.no_grad()) ex = ge.Encode(x).detach();
        var r = ctx.Discriminator.call(BiGanDiscriminator.Pack(x, ex));
        var f = ctx.Discriminator.call(BiGanDiscriminator.Pack(ctx.Fake, ctx.Z));
        ctx.Log("D(x)", () => GanLosses.MeanProbability(r));
        ctx.Log("D(G(z))", () => GanLosses.MeanProbability(f));
        return DiscriminatorLossFromLogits(r, f);
    }

    /// <inheritdoc/>
    public Tensor GeneratorLoss(GanStepContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var ge = Require(ctx);
        var x = ctx.Real;
        var r = ctx.Discriminator.call(BiGanDiscriminator.Pack(x, ge.Encode(x)));
        var f = ctx.Discriminator.call(BiGanDiscriminator.Pack(ctx.Fake, ctx.Z));
        return GeneratorLossFromLogits(r, f, NonSaturating);
    }

    BiGanGenerator Require(GanStepContext ctx) =>
        ReferenceEquals(ctx.Generator, _generatorAndEncoder) ? _generatorAndEncoder
        : throw new InvalidOperationException(
            $"BiGanObjective was built for another generator than the trainer's ({ctx.Generator.GetType().Name}); pass the trainer's BiGanGenerator to both: " +
            "new GanTrainer(ge, d, new BiGanObjective(ge), …).");

    /// <inheritdoc/>
    public override string ToString() => Name;
}
