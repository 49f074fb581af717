using GanNotebooks.Nets;
using GanNotebooks.Variants.Conditional;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Conditional;

public class ConditionalGanNetTests
{
    static readonly DcganOptions Tiny = DcganOptions.Gray28 with { Width = 4, ZDim = 8 };

    [Fact]
    public void ConditionalGeneratorReadsThePackedLatentAndItsOutputDependsOnTheLabel()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var g = new ConditionalGenerator(Tiny, classCount: 10, embeddingDim: 6);
        Assert.Equal(18, g.InputSize);
        g.eval();
        using var _ = torch.no_grad();
        var z = torch.randn(4, 8);
        var y = torch.tensor(new long[] { 0, 1, 2, 3 });
        var x = g.Generate(z, y);
        Assert.Equal(new long[] { 4, 1, 28, 28 }, x.shape);
        Assert.True(x.abs().max().item<float>() <= 1f);
        Assert.True(x.allclose(g.call(ConditionalLatent.Pack(z, y, 10))));
        // same z, another label → another image, as different as changing z (the untrained net's outputs are
        // tiny in eval mode, so compare the two effects rather than an absolute threshold)
        var x2 = g.Generate(z, torch.tensor(new long[] { 5, 6, 7, 8 }));
        var x3 = g.Generate(torch.randn(4, 8), y);
        for (int i = 0; i < 4; i++)
        {
            double byLabel = (x[i] - x2[i]).abs().max().item<float>(), byNoise = (x[i] - x3[i]).abs().max().item<float>();
            Assert.True(byLabel > 0.1 * byNoise, $"sample {i} ignores its label: change {byLabel:G3} vs {byNoise:G3} for a new z");
        }
        // the label embedding has the scale of z (N(0, 1) rows), not the DCGAN 0.02
        var emb = g.named_parameters().Single(p => p.name == "embed.weight").parameter;
        Assert.InRange(emb.std().item<float>(), 0.6, 1.4);
    }

    [Fact]
    public void ConditionalGeneratorRejectsAnUnpackedLatent()
    {
        using var scope = torch.NewDisposeScope();
        var g = new ConditionalGenerator(Tiny, 10);
        var ex = Assert.Throws<ArgumentException>(() => g.call(torch.randn(2, 8)));
        Assert.Contains("ConditionalLatent.Pack", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConditionalGenerator(Tiny, 1));
    }

    [Fact]
    public void ProjectionDiscriminatorScoresImageAndLabelTogether()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var d = new ProjectionDiscriminator(Tiny, 10);
        d.eval();
        using var _ = torch.no_grad();
        var x = torch.rand(3, 1, 28, 28) * 2 - 1;
        var a = d.Forward(x, torch.tensor(new long[] { 1, 1, 1 }));
        var b = d.Forward(x, torch.tensor(new long[] { 2, 2, 2 }));
        Assert.Equal(new long[] { 3 }, a.shape);
        Assert.True((a - b).abs().min().item<float>() > 0, "the logit must depend on the label");
        // eq. 3 of Miyato & Koyama: D(x, y) − D(x, y') = ⟨e_y − e_y', φ(x)⟩
        var e = d.named_parameters().Single(p => p.name == "embed.weight").parameter;
        var inner = d.named_modules().Single(m => m.name == "net").module as DcganDiscriminator;
        var phi = inner!.Features(x);
        var expected = ((e[1] - e[2]).unsqueeze(0) * phi).sum(1);
        Assert.True((a - b).allclose(expected, rtol: 1e-4, atol: 1e-6));
        var ex = Assert.Throws<InvalidOperationException>(() => d.call(x));
        Assert.Contains("Forward(images, labels)", ex.Message);
        Assert.Throws<ArgumentException>(() => d.Forward(x, torch.tensor(new long[] { 1, 2 })));
    }
}
