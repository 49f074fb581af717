using GanNotebooks.Losses;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.LeastSquares;

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
