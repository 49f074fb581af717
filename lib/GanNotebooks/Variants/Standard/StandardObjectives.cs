using GanNotebooks.Losses;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Standard;

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
