using GanNotebooks.Nets;
using GanNotebooks.Variants.Infogan;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Variants.Infogan;

public class InfoGanNetTests
{
    [Fact]
    public void QSharesTheBodyAndHasItsOwnHead()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        var o = DcganOptions.Gray32 with { Width = 4 };
        var d = new InfoGanDiscriminator(o, qOutputSize: 14, qHidden: 16);
        Assert.Equal(14, d.QOutputSize);
        d.eval();
        using var _ = torch.no_grad();
        var x = torch.rand(5, 1, 32, 32) * 2 - 1;
        var (logits, q) = d.ForwardWithQ(x);
        Assert.Equal(new long[] { 5 }, logits.shape);
        Assert.Equal(new long[] { 5, 14 }, q.shape);
        Assert.True(logits.allclose(d.call(x)));
        Assert.True(q.allclose(d.Q(x)));
        // one body: D's conv parameters appear once, Q adds only two linear layers (+ BatchNorm1d)
        var plain = new DcganDiscriminator(o);
        long extra = d.parameters().Sum(p => p.numel()) - plain.parameters().Sum(p => p.numel());
        Assert.Equal(o.FeatureSize * 16 + 16 + 16 + 16 * 14 + 14, extra);   // Linear(F,16, no bias) + BN(16) + Linear(16,14)
        Assert.Single(d.modules().OfType<BatchNorm1d>());
    }

    [Fact]
    public void DetachingTheBodyForQKeepsQsGradientOutOfTheSharedLayersButNotOutOfTheImages()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        var o = DcganOptions.Gray28 with { Width = 2 };
        var d = new InfoGanDiscriminator(o, qOutputSize: 3, qHidden: 4);
        var bodyParams = d.named_parameters().Where(p => p.name.StartsWith("net.body")).Select(p => p.parameter).ToList();
        var qParams = d.named_parameters().Where(p => p.name.StartsWith("q.")).Select(p => p.parameter).ToList();
        Assert.NotEmpty(bodyParams);
        foreach (var detach in new[] { false, true })
        {
            d.zero_grad();
            var x = (torch.rand(4, 1, 28, 28) * 2 - 1).requires_grad_();
            var (_, q) = d.ForwardWithQ(x, detachBodyForQ: detach);
            q.square().sum().backward();
            Assert.All(qParams, p => Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0));
            bool bodyLearns = bodyParams.Any(p => p.grad is not null && p.grad.abs().sum().item<float>() > 0);
            Assert.Equal(!detach, bodyLearns);
            // without detaching, the gradient reaches the images (the G step's path to G)
            Assert.Equal(!detach, x.grad is not null && x.grad.abs().sum().item<float>() > 0);
        }
    }
}
