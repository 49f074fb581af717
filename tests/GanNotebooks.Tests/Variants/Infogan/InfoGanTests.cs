using GanNotebooks.Nets;
using GanNotebooks.Variants.Conditional;
using GanNotebooks.Variants.Infogan;
using GanNotebooks.Training;
using GanNotebooks.Runtime;
using GanNotebooks.Tests.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Infogan;

public class InfoGanCodesTests
{
    [Fact]
    public void LayoutSamplingAndSplit()
    {
        using var scope = torch.NewDisposeScope();
        var codes = new InfoGanCodes(NoiseDim: 5, Categories: 4, Continuous: 2, ContinuousRange: 0.5);
        Assert.Equal(11, codes.LatentSize);
        Assert.Equal(8, codes.QOutputSize);
        var z = codes.Sampler(torch.CPU, new torch.Generator(1))(200);
        Assert.Equal(new long[] { 200, 11 }, z.shape);
        var (noise, cat, cont) = codes.Split(z);
        Assert.Equal(new long[] { 200, 5 }, noise.shape);
        Assert.Equal(200f, z[.., 7..].sum().item<float>());                  // one-hot last
        Assert.Equal(7, codes.UnlabelledSize);
        Assert.Equal(4, torch.unique(cat!).output.numel());
        Assert.True(cont.abs().max().item<float>() <= 0.5f);
        Assert.True(cont.abs().max().item<float>() > 0.4f);
        Assert.True(codes.Pack(noise, cat, cont).Same(z));
        var three = codes.WithCategory(z, 3);
        var (n3, c3, k3) = codes.Split(three);
        Assert.True(n3.Same(noise) && k3.Same(cont));
        Assert.Equal(200, c3!.eq(3).sum().item<long>());
        // the layout is a conditional generator's packed latent: labels read back the same way
        Assert.True(ConditionalLatent.Labels(z, 4).Same(cat!));
    }

    [Fact]
    public void TraversalsVaryOnlyTheirCode()
    {
        using var scope = torch.NewDisposeScope();
        var codes = new InfoGanCodes(3, 4, 2);
        var t = codes.CategoricalTraversal(columns: 5, torch.CPU, new torch.Generator(2));
        Assert.Equal(new long[] { 20, 9 }, t.shape);
        var (n, c, k) = codes.Split(t);
        Assert.Equal(new long[] { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3 }, c!.data<long>().ToArray());
        Assert.True(n[..5].Same(n[15..]));                 // same noise in every row
        Assert.Equal(0f, k.abs().max().item<float>());
        var s = codes.ContinuousTraversal(index: 1, rows: 2, steps: 5, range: 2, torch.CPU, new torch.Generator(3));
        var (n2, c2, k2) = codes.Split(s);
        Assert.Equal(new float[] { -2, -1, 0, 1, 2, -2, -1, 0, 1, 2 }, k2[.., 1].data<float>().ToArray());
        Assert.Equal(0f, k2[.., 0].abs().max().item<float>());
        Assert.True(n2[0].Same(n2[4]));
        Assert.Equal(new long[] { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 }, c2!.data<long>().ToArray());
    }

    [Fact]
    public void InvalidCodesThrow()
    {
        Assert.Throws<ArgumentException>(() => new InfoGanCodes(0).Validate());
        Assert.Throws<ArgumentException>(() => new InfoGanCodes(4, Categories: 1).Validate());
        Assert.Throws<ArgumentException>(() => new InfoGanCodes(4, Categories: 0, Continuous: 0).Validate());
        Assert.Throws<ArgumentException>(() => new InfoGan(InfoGanObjectiveTests.QHead(new InfoGanCodes(4)), new InfoGanCodes(4, ContinuousRange: 0)));
    }
}

public class InfoGanObjectiveTests
{
    /// <summary>A small D with the Q head these codes need.</summary>
    internal static InfoGanDiscriminator QHead(InfoGanCodes codes) =>
        new(new DcganOptions { ImageSize = 8, Channels = 1, ZDim = codes.LatentSize, Width = 2 }, codes.QOutputSize);

    [Fact]
    public void InformationLossKnownValues()
    {
        using var scope = torch.NewDisposeScope();
        var codes = new InfoGanCodes(NoiseDim: 1, Categories: 2, Continuous: 1);
        // z rows: noise 0, category 0 / 1, continuous 0.5 / −0.5
        var z = codes.Pack(torch.zeros(2, 1), torch.tensor(new long[] { 0, 1 }), torch.tensor(new float[] { 0.5f, -0.5f }).view(2, 1));
        // Q: equal logits (CE = log 2), mean 0, log-variance 0
        var q = torch.zeros(2, 4);
        var nll = new InfoGan(QHead(codes), codes, lambdaCategorical: 1, lambdaContinuous: 1);
        // CE log 2 + Gaussian NLL ½ log 2π + ½·0.25
        Assert.Equal(Math.Log(2) + 0.5 * Math.Log(2 * Math.PI) + 0.125, nll.InformationLoss(q, z).item<float>(), 5);
        var mse = new InfoGan(QHead(codes), codes, lambdaCategorical: 2, lambdaContinuous: 0.5, continuousLoss: InfoGanContinuousLoss.Mse);
        Assert.Equal(2 * Math.Log(2) + 0.5 * 0.25, mse.InformationLoss(q, z).item<float>(), 5);
        // a confident, correct Q: CE → 0, and a learned variance below 1 lowers the NLL below the unit-variance one
        var good = torch.tensor(new float[] { 20, -20, 0.5f, -2, -20, 20, -0.5f, -2 }).view(2, 4);
        Assert.True(nll.InformationLoss(good, z).item<float>() < 0.5 * Math.Log(2 * Math.PI) - 0.9);
        Assert.Throws<ArgumentException>(() => nll.InformationLoss(torch.zeros(2, 3), z));
    }

    static GanTrainer MakeTrainer(long seed, InfoGanCodes codes)
    {
        Seeding.Seed(seed);
        var o = new DcganOptions { ImageSize = 8, Channels = 1, ZDim = codes.LatentSize, Width = 4 };
        var g = new DcganGenerator(o);
        var d = new InfoGanDiscriminator(o, codes.QOutputSize, qHidden: 16);
        // real data: bright squares at random places
        var cfg = new GanTrainerConfig { BatchSize = 8, Device = torch.CPU, LrG = 1e-3, LrD = 1e-3, LogEvery = 1 };
        return new GanTrainer(g, d, new InfoGan(d, codes), b => torch.rand(b, 1, 8, 8) * 2 - 1, codes.Sampler(torch.CPU), cfg);
    }

    [Fact]
    public void MutualInformationTermDecreasesOnATinyRun()
    {
        var codes = new InfoGanCodes(NoiseDim: 4, Categories: 4, Continuous: 1);
        using var t = MakeTrainer(11, codes);
        t.Train(40);
        var info = t.History["Info/Cat"].Values;
        Assert.Equal(40, info.Count);                       // one value per step (the G step's, logged after the D step's)
        double first = info.Take(10).Average(), last = info.TakeLast(10).Average();
        Assert.InRange(first, 0.9 * Math.Log(4), 1.2 * Math.Log(4));   // starts near the entropy log 4 of the code
        Assert.True(last < 0.85 * first, $"categorical information loss went from {first:F3} to {last:F3}");
        Assert.True(t.History["MI bound"].MeanOfLast(10) > 0.15);
        Assert.True(t.History.Contains("Info/Cont"));
        Assert.True(t.History.Contains("Q accuracy"));
    }

    [Fact]
    public void MemoryStaysFlatOverSteps()
    {
        using var t = MakeTrainer(12, new InfoGanCodes(4, 3, 2));
        GanNotebooks.Tests.Training.TrainerTestKit.AssertLiveTensorsStayFlat(t, warm: 3, steps: 20, "InfoGAN steps");
    }

    [Fact]
    public void NeedsADiscriminatorWithAMatchingQHead()
    {
        var codes = new InfoGanCodes(4, 3, 1);
        Seeding.Seed(13);
        var o = new DcganOptions { ImageSize = 8, Channels = 1, ZDim = codes.LatentSize, Width = 2 };
        var cfg = new GanTrainerConfig { BatchSize = 4, Device = torch.CPU };
        // The objective holds its D typed: a trainer that trains another module is refused with the fix.
        using (var t = new GanTrainer(new DcganGenerator(o), new DcganDiscriminator(o), new InfoGan(QHead(codes), codes), b => torch.zeros(b, 1, 8, 8), codes.Sampler(torch.CPU), cfg))
            Assert.Contains("new InfoGan(d, codes)", Assert.Throws<InvalidOperationException>(() => t.Train(1)).Message);
        Assert.Contains("QOutputSize", Assert.Throws<ArgumentException>(() => new InfoGan(new InfoGanDiscriminator(o, 7), codes)).Message);
    }
}
