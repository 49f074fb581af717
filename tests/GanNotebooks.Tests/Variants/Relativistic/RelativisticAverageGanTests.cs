using GanNotebooks.Tests.Training;
using static GanNotebooks.Tests.Training.TrainerTestKit;
using GanNotebooks.Variants.Relativistic;
using TorchSharp;

namespace GanNotebooks.Tests.Variants.Relativistic;

/// <summary>The worked example of lib/GanNotebooks/ARCHITECTURE.md: a variant is a folder with its objective and this test.</summary>
public class RelativisticAverageGanTests
{
    [Fact]
    public void Known_values_of_the_centred_cross_entropies()
    {
        using var scope = torch.NewDisposeScope();
        var r = torch.tensor(new float[] { 1, 3 });   // mean 2
        var f = torch.tensor(new float[] { 0, -2 });  // mean −1
        // D: real − mean(fake) = (2, 4), fake − mean(real) = (−2, −4)
        double d = (Softplus(-2) + Softplus(-4)) / 2 + (Softplus(-2) + Softplus(-4)) / 2;
        Assert.Equal(d, RelativisticAverageGan.DiscriminatorLossFromLogits(r, f).item<float>(), 5);
        // G: the same with real and fake swapped: fake − mean(real) = (−2, −4) must look real
        double g = (Softplus(2) + Softplus(4)) / 2 + (Softplus(2) + Softplus(4)) / 2;
        Assert.Equal(g, RelativisticAverageGan.GeneratorLossFromLogits(r, f).item<float>(), 5);
        var same = torch.zeros(4);
        Assert.Equal(2 * Math.Log(2), RelativisticAverageGan.DiscriminatorLossFromLogits(same, same).item<float>(), 5);
    }

    [Fact]
    public void One_step_through_the_one_trainer()
    {
        using var t = TrainerTestKit.Make(objective: new RelativisticAverageGan());
        var before = TrainerTestKit.Weights(t.G);
        var m = t.TrainStep();
        Assert.True(double.IsFinite(m["Loss/D"]) && double.IsFinite(m["Loss/G"]));
        Assert.InRange(m["D(x)"], 0, 1);
        Assert.False(TrainerTestKit.Same(before, TrainerTestKit.Weights(t.G)));
        Assert.Equal("RelativisticAverage", t.Objective.Name);
    }
}
