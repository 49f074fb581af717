using GanNotebooks.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Nets;

public class ImageToImageTests
{
    [Fact]
    public void A_residual_block_keeps_the_shape_and_adds_its_input()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (norm, prelu) in new[] { (FeatureNorm.Instance, false), (FeatureNorm.Batch, true), (FeatureNorm.None, false) })
        {
            var block = new ResidualBlock(8, norm, prelu);
            var x = torch.randn(2, 8, 7, 7);
            Assert.Equal(x.shape, block.call(x).shape);
            foreach (var p in block.parameters()) using (torch.no_grad()) p.zero_();
            Assert.Equal(0f, (block.call(x) - x).abs().max().item<float>());   // F ≡ 0 → identity: the skip is there
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResidualBlock(0, FeatureNorm.Batch));
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 34)]
    [InlineData(3, 70)]   // the paper's 70×70 PatchGAN
    public void The_patch_discriminator_has_the_receptive_field_it_claims(int downsamplings, int field)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var d = new PatchDiscriminator(2, width: 4, downsamplings: downsamplings, norm: FeatureNorm.None);
        Assert.Equal(field, d.ReceptiveField);
        // Measured: the input pixels that one central logit depends on span at most `field` pixels per side.
        int size = 96;
        var x = torch.randn(1, 2, size, size).requires_grad_(true);
        var y = d.call(x);
        long h = y.shape[2], w = y.shape[3];
        y[0, 0, h / 2, w / 2].backward();
        var touched = x.grad!.abs().sum([0L, 1L]).gt(0);
        var rows = touched.any(1).nonzero().flatten(); var cols = touched.any(0).nonzero().flatten();
        long spanR = rows.max().item<long>() - rows.min().item<long>() + 1, spanC = cols.max().item<long>() - cols.min().item<long>() + 1;
        Assert.True(spanR <= field && spanC <= field && spanR >= field - 4, $"one logit sees {spanR}×{spanC} pixels; receptive field {field}");
    }

    [Fact]
    public void The_patch_discriminator_returns_a_map_and_checks_its_input()
    {
        using var scope = torch.NewDisposeScope();
        var d = new PatchDiscriminator(2, width: 8, downsamplings: 1);
        Assert.Equal(new long[] { 3, 1, 14, 14 }, d.call(torch.randn(3, 2, 32, 32)).shape);
        Assert.Contains("[N, 2, H, W]", Assert.Throws<ArgumentException>(() => d.call(torch.randn(3, 1, 32, 32))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PatchDiscriminator(2, downsamplings: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PatchDiscriminator(0));
    }
}
