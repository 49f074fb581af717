using static GanNotebooks.Tests.Training.TrainerTestKit;
using GanNotebooks.Variants.Standard;
using TorchSharp;

namespace GanNotebooks.Tests.Variants.Standard;

/// <summary>The standard GAN's two generator losses (Goodfellow et al. 2014): known values and one step each.</summary>
public class StandardObjectivesTests
{
    [Fact]
    public void Known_values_on_logits()
    {
        using var scope = torch.NewDisposeScope();
        var r = torch.tensor(new float[] { 2, 0 });
        var f = torch.tensor(new float[] { -1, 1 });
        double d = (Softplus(-2) + Softplus(0)) / 2 + (Softplus(-1) + Softplus(1)) / 2;
        Assert.Equal(d, new NonSaturatingGan().DiscriminatorLossFromLogits(r, f).item<float>(), 5);
        Assert.Equal(d, new MinimaxGan().DiscriminatorLossFromLogits(r, f).item<float>(), 5);
        // non-saturating: −E[log σ(f)] = E[softplus(−f)]; minimax: E[log(1 − σ(f))] = −E[softplus(f)]
        Assert.Equal((Softplus(1) + Softplus(-1)) / 2, new NonSaturatingGan().GeneratorLossFromLogits(f).item<float>(), 5);
        Assert.Equal(-(Softplus(-1) + Softplus(1)) / 2, new MinimaxGan().GeneratorLossFromLogits(f).item<float>(), 5);
    }

    [Fact]
    public void One_step_each_through_the_one_trainer()
    {
        Assert.InRange(AssertOneStepRuns(new NonSaturatingGan())["D(x)"], 0, 1);
        Assert.InRange(AssertOneStepRuns(new MinimaxGan())["D(x)"], 0, 1);
    }
}
