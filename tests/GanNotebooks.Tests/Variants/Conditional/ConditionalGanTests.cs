using GanNotebooks.Nets;
using GanNotebooks.Variants.Conditional;
using GanNotebooks.Training;
using GanNotebooks.Runtime;
using GanNotebooks.Tests.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Conditional;

public class ConditionalLatentTests
{
    [Fact]
    public void PackAndLabelsRoundTrip()
    {
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(4, 3);
        var y = torch.tensor(new long[] { 2, 0, 9, 4 });
        var packed = ConditionalLatent.Pack(z, y, 10);
        Assert.Equal(new long[] { 4, 13 }, packed.shape);
        Assert.Equal(new long[] { 2, 0, 9, 4 }, ConditionalLatent.Labels(packed, 10).data<long>().ToArray());
        Assert.True(ConditionalLatent.Noise(packed, 10).Same(z));
        Assert.Equal(4f, packed[.., 3..].sum().item<float>());   // exactly one 1 per row
    }

    [Fact]
    public void SamplerDrawsEveryClassAndPerClassGroupsRows()
    {
        using var scope = torch.NewDisposeScope();
        var sample = ConditionalLatent.Sampler(3, 4, torch.CPU, new torch.Generator(1))(400);
        Assert.Equal(new long[] { 400, 7 }, sample.shape);
        var counts = torch.bincount(ConditionalLatent.Labels(sample, 4), minlength: 4).data<long>().ToArray();
        Assert.All(counts, c => Assert.InRange(c, 60, 140));
        var grid = ConditionalLatent.PerClass(3, 4, perClass: 5, device: torch.CPU, generator: new torch.Generator(2));
        Assert.Equal(new long[] { 20, 7 }, grid.shape);
        Assert.Equal(new long[] { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3 }, ConditionalLatent.Labels(grid, 4).data<long>().ToArray());
        // shared noise: column j has the same z in every class row
        var noise = ConditionalLatent.Noise(grid, 4);
        Assert.True(noise[..5].Same(noise[15..]));
    }
}

public class ConditionalGanObjectiveTests
{
    /// <summary>A stub conditional D whose logit is the label itself (plus 0·x so a graph exists).</summary>
    sealed class LabelLogitD : nn.Module<Tensor, Tensor>, IConditionalDiscriminator
    {
        private readonly TorchSharp.Modules.Parameter w;
        public LabelLogitD() : base("stub") { w = new TorchSharp.Modules.Parameter(torch.zeros(1)); RegisterComponents(); }
        public int ClassCount => 10;
        public Tensor Forward(Tensor images, Tensor labels) => labels.to_type(ScalarType.Float32) + w * images.flatten(1).sum(1);
        public override Tensor forward(Tensor input) => throw new InvalidOperationException();
    }

    [Fact]
    public void RealLabelsAndSampledLabelsReachTheDiscriminator()
    {
        using var scope = torch.NewDisposeScope();
        var d = new LabelLogitD();
        var g = new ConditionalGenerator(DcganOptions.Gray28 with { Width = 2, ZDim = 2 }, 10);
        var real = torch.zeros(2, 1, 28, 28);
        var realLabels = torch.tensor(new long[] { 1, 3 });
        var z = ConditionalLatent.Pack(torch.zeros(2, 2), torch.tensor(new long[] { 0, 2 }), 10);
        var ctx = new GanStepContext(GanPhase.Discriminator, g, d, _ => throw new InvalidOperationException(), (real, realLabels),
            z, torch.zeros(2, 1, 28, 28), 0, 0, 2, false, torch.CPU);
        var objective = new ConditionalGan(d);
        // BCE: mean softplus(−label_real) + mean softplus(label_fake)
        double expected = (Softplus(-1) + Softplus(-3)) / 2 + (Softplus(0) + Softplus(2)) / 2;
        Assert.Equal(expected, objective.DiscriminatorLoss(ctx).item<float>(), 5);
        var gctx = new GanStepContext(GanPhase.Generator, g, d, _ => throw new InvalidOperationException(), null,
            z, torch.zeros(2, 1, 28, 28), 0, 0, 2, false, torch.CPU);
        Assert.Equal((Softplus(-0) + Softplus(-2)) / 2, objective.GeneratorLoss(gctx).item<float>(), 5);
        Assert.Equal("Conditional(NonSaturating)", objective.Name);
    }

    static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    static GanTrainer MakeTrainer(long seed, bool labelled = true, nn.Module<Tensor, Tensor>? d = null)
    {
        Seeding.Seed(seed);
        var o = DcganOptions.Gray28 with { Width = 2, ZDim = 4 };
        var g = new ConditionalGenerator(o, 3, embeddingDim: 2);
        var pd = new ProjectionDiscriminator(o, 3);
        d ??= pd;
        var images = torch.rand(16, 1, 28, 28) * 2 - 1;
        var labels = torch.arange(16) % 3;
        int pos = 0;
        (Tensor, Tensor) Labelled(int b)
        {
            var idx = (torch.arange(b) + pos) % 16; pos += b;
            return (images.index_select(0, idx), labels.index_select(0, idx));
        }
        var cfg = new GanTrainerConfig { BatchSize = 4, Device = torch.CPU };
        var latent = ConditionalLatent.Sampler(4, 3, torch.CPU);
        return labelled
            ? new GanTrainer(g, d, new ConditionalGan(pd), Labelled, latent, cfg)
            : new GanTrainer(g, d, new ConditionalGan(pd), b => Labelled(b).Item1, latent, cfg);
    }

    [Fact]
    public void TrainsThroughTheGenericTrainerWithALabelledSampler()
    {
        using var t = MakeTrainer(1);
        Assert.True(t.HasLabels);
        var before = Dcgan.ConvAndLinearWeights(t.G).clone();
        t.Train(3);
        Assert.Equal(3, t.Step);
        Assert.True(t.History.Contains("D(x)"));
        Assert.True(double.IsFinite(t.History.Last("Loss/D")));
        Assert.False(before.Same(Dcgan.ConvAndLinearWeights(t.G)));
        // samples of the packed fixed latent grid
        using var scope = torch.NewDisposeScope();
        var x = t.Sample(ConditionalLatent.PerClass(4, 3, 2, device: torch.CPU));
        Assert.Equal(new long[] { 6, 1, 28, 28 }, x.shape);
    }

    [Fact]
    public void MissingLabelsOrAnUnconditionalDiscriminatorThrowWithAFix()
    {
        using (var t = MakeTrainer(2, labelled: false))
        {
            Assert.False(t.HasLabels);
            var ex = Assert.Throws<InvalidOperationException>(() => t.Train(1));
            Assert.Contains("LabelledBatchSampler", ex.Message);
        }
        using (var t = MakeTrainer(3, d: new DcganDiscriminator(DcganOptions.Gray28 with { Width = 2 })))
        {
            var ex = Assert.Throws<InvalidOperationException>(() => t.Train(1));
            Assert.Contains("another discriminator than the trainer's (DcganDiscriminator)", ex.Message);
        }
    }

    [Fact]
    public void LabelledSamplerMustReturnInt64LabelsOfTheBatchSize()
    {
        Seeding.Seed(4);
        var o = DcganOptions.Gray28 with { Width = 2, ZDim = 4 };
        var cfg = new GanTrainerConfig { BatchSize = 4, Device = torch.CPU };
        var pd = new ProjectionDiscriminator(o, 3);
        using var t = new GanTrainer(new ConditionalGenerator(o, 3), pd, new ConditionalGan(pd),
            b => (torch.zeros(b, 1, 28, 28), torch.zeros(b, dtype: ScalarType.Int32)), ConditionalLatent.Sampler(4, 3, torch.CPU), cfg);
        var ex = Assert.Throws<InvalidOperationException>(() => t.Train(1));
        Assert.Contains("int64 [B]", ex.Message);
    }

    [Fact]
    public void MemoryStaysFlatOverSteps()
    {
        using var t = MakeTrainer(5);
        GanNotebooks.Tests.Training.TrainerTestKit.AssertLiveTensorsStayFlat(t, warm: 3, steps: 20, "conditional steps");
    }
}
