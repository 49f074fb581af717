using static GanNotebooks.Tests.Training.TrainerTestKit;
using GanNotebooks.Variants.LeastSquares;
using TorchSharp;

namespace GanNotebooks.Tests.Variants.LeastSquares;

/// <summary>LSGAN (Mao et al. 2017) and the hinge GAN (Lim &amp; Ye 2017): known values and one step each.</summary>
public class LeastSquaresObjectivesTests
{
    [Fact]
    public void Known_values_on_outputs()
    {
        using var scope = torch.NewDisposeScope();
        var r = torch.tensor(new float[] { 1, 0 });
        var f = torch.tensor(new float[] { 0, 2 });
        // LSGAN 0-1 coding: ½E[(D(x) − 1)²] + ½E[D(G(z))²] and ½E[(D(G(z)) − 1)²]
        var ls = new LeastSquaresGan();
        Assert.Equal(0.5 * (0 + 1) / 2 + 0.5 * (0 + 4) / 2, ls.DiscriminatorLossFromLogits(r, f).item<float>(), 5);
        Assert.Equal(0.5 * (1 + 1) / 2, ls.GeneratorLossFromLogits(f).item<float>(), 5);
        // hinge: E[relu(1 − D(x))] + E[relu(1 + D(G(z)))] and −E[D(G(z))]
        var hinge = new HingeGan();
        Assert.Equal((0 + 1) / 2.0 + (1 + 3) / 2.0, hinge.DiscriminatorLossFromLogits(r, f).item<float>(), 5);
        Assert.Equal(-1.0, hinge.GeneratorLossFromLogits(f).item<float>(), 5);
    }

    [Fact]
    public void One_step_each_through_the_one_trainer()
    {
        AssertOneStepRuns(new LeastSquaresGan());
        AssertOneStepRuns(new HingeGan());
    }
}
