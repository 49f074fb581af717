using GanNotebooks.Nets;
using GanNotebooks.Training;
using GanNotebooks.Variants.LeastSquares;
using GanNotebooks.Variants.Sagan;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Sagan;

public class SaganRecipeTests
{
    static readonly DcganOptions Body = new() { ImageSize = 8, Channels = 1, ZDim = 4, Width = 8 };

    [Fact]
    public void Sagan_puts_spectral_norm_in_D_only_and_attention_in_both()
    {
        using var scope = NewDisposeScope();
        var (gOpts, dOpts) = SaganRecipe.SaganNets(Body);
        using var g = new DcganGenerator(gOpts);
        using var d = new DcganDiscriminator(dOpts);
        Assert.Single(g.modules().OfType<SelfAttention2d>());
        Assert.Single(d.modules().OfType<SelfAttention2d>());
        Assert.Empty(g.modules().OfType<SpectralNormLayer>());
        Assert.NotEmpty(d.modules().OfType<SpectralNormLayer>());
        Assert.Empty(d.modules().OfType<TorchSharp.Modules.BatchNorm2d>());   // SN-GAN's D has no BatchNorm
        var x = g.call(randn(2, Body.ZDim));
        Assert.Equal(new long[] { 2, 1, 8, 8 }, x.shape);
        Assert.Equal(2, d.call(x).numel());                      // one logit per image

        var (snG, snD) = SaganRecipe.SpectralNormNets(Body);
        Assert.Equal(Body, snG);
        Assert.True(snD.SpectralNorm && !snD.SelfAttention);
    }

    [Fact]
    public void Sagans_rates_and_loss()
    {
        var c = SaganRecipe.WithSaganRates(GanTrainerConfig.Dcgan with { BatchSize = 16 });
        Assert.Equal((1e-4, 4e-4), (c.LrG, c.LrD));
        Assert.Equal((0.0, 0.9), c.BetasG);
        Assert.Equal((0.0, 0.9), c.BetasD);
        Assert.Equal(16, c.BatchSize);
        Assert.Equal((GanTrainerConfig.Ttur.LrG, GanTrainerConfig.Ttur.LrD), (c.LrG, c.LrD));
        Assert.IsType<HingeGan>(SaganRecipe.Objective());
        Assert.Throws<ArgumentNullException>(() => SaganRecipe.SaganNets(null!));
        Assert.Throws<ArgumentNullException>(() => SaganRecipe.WithSaganRates(null!));
    }

    [Fact]
    public void One_step_of_the_recipe_through_the_one_trainer()
    {
        using var scope = NewDisposeScope();
        GanNotebooks.Runtime.Seeding.Seed(3);
        var (gOpts, dOpts) = SaganRecipe.SaganNets(Body);
        using var g = new DcganGenerator(gOpts);
        using var d = new DcganDiscriminator(dOpts);
        var config = SaganRecipe.WithSaganRates(GanTrainerConfig.Dcgan with { BatchSize = 4 });
        using var t = new GanTrainer(g, d, SaganRecipe.Objective(), b => rand(b, 1, 8, 8) * 2 - 1, b => randn(b, Body.ZDim), config);
        var before = g.parameters().Select(p => p.detach().clone()).ToList();
        var m = t.TrainStep();
        Assert.True(double.IsFinite(m["Loss/D"]) && double.IsFinite(m["Loss/G"]));
        Assert.Contains(g.parameters().Zip(before), p => !p.First.detach().data<float>().SequenceEqual(p.Second.data<float>()));
    }
}
