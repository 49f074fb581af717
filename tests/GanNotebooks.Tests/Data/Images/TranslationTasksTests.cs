using GanNotebooks.Data.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Data.Images;

public class TranslationTasksTests
{
    [Fact]
    public void Sobel_edges_are_zero_on_flat_regions_and_mark_a_step()
    {
        using var scope = torch.NewDisposeScope();
        // Left half background (−1), right half ink (+1): on [0, 1] a step of height 1 between columns 3 and 4.
        var img = torch.zeros(1, 1, 8, 8) - 1;
        img[.., .., .., 4..] = torch.tensor(1f);
        var e = TranslationTasks.SobelEdges(img);
        Assert.Equal(new long[] { 1, 1, 8, 8 }, e.shape);
        Assert.Equal(-1f, e[0, 0, 4, 1].item<float>());            // flat background: no edge
        Assert.Equal(1f, e[0, 0, 4, 3].item<float>());             // g_x = 1 + 2 + 1 = 4 ≥ 1: a full edge
        Assert.Equal(1f, e[0, 0, 4, 4].item<float>());
        Assert.Equal(-1f, e[0, 0, 4, 6].item<float>());            // inside the ink: flat again, no edge
    }

    [Fact]
    public void Sobel_gradient_of_a_gentle_ramp_is_its_known_magnitude()
    {
        using var scope = torch.NewDisposeScope();
        // On [0, 1] the image rises by 0.01 per column: g_x = (1 + 2 + 1)·2·0.01 = 0.08 in the interior; scaled to [−1, 1]: 2·0.08 − 1.
        var cols = torch.arange(10).to_type(ScalarType.Float32) * 0.01f;
        var img01 = cols.expand(10, 10).reshape(1, 1, 10, 10);
        var e = TranslationTasks.SobelEdges(img01 * 2 - 1);
        Assert.Equal(2 * 0.08 - 1, e[0, 0, 5, 5].item<float>(), 4);
    }

    [Fact]
    public void Downsampling_averages_blocks_and_bicubic_keeps_constants()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(16).to_type(ScalarType.Float32).reshape(1, 1, 4, 4);
        var d = TranslationTasks.Downsample(x, 2);
        Assert.Equal(new float[] { 2.5f, 4.5f, 10.5f, 12.5f }, d.flatten().data<float>().ToArray());
        var c = torch.zeros(2, 1, 7, 7) + 0.3f;
        var up = TranslationTasks.Bicubic(c, 4);
        Assert.Equal(new long[] { 2, 1, 28, 28 }, up.shape);
        Assert.True((up - 0.3f).abs().max().item<float>() < 1e-5);
        Assert.Contains("cannot be split", Assert.Throws<ArgumentException>(() => TranslationTasks.Downsample(torch.zeros(1, 1, 28, 28), 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TranslationTasks.Downsample(x, 0));
    }

    [Fact]
    public void The_fixed_transforms_are_their_own_inverses()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var x = torch.rand(3, 1, 6, 6) * 2 - 1;
        foreach (var t in Enum.GetValues<DomainTransform>())
            Assert.Equal(0f, (TranslationTasks.Apply(t, TranslationTasks.Apply(t, x)) - x).abs().max().item<float>());
        var flipped = TranslationTasks.Apply(DomainTransform.InvertFlip, x);
        Assert.Equal(-x[0, 0, 0, 2].item<float>(), flipped[0, 0, 5, 2].item<float>());
    }

    [Fact]
    public void An_unpaired_task_has_disjoint_sets_and_keeps_the_true_pairs_for_evaluation()
    {
        using var scope = torch.NewDisposeScope();
        var images = torch.arange(20).to_type(ScalarType.Float32).reshape(20, 1, 1, 1).expand(20, 1, 4, 4).contiguous() / 20;
        var labels = torch.arange(20) % 10;
        using var data = new ImageDataset(images, labels, ShippedDatasets.DigitClasses, "ids", PixelScale.MinusOneToOne);
        var task = TranslationTasks.Unpaired(data, trainPerDomain: 6, test: 5, DomainTransform.Invert);
        float Id(Tensor img) => img[0, 0, 0].item<float>();
        var a = Enumerable.Range(0, 6).Select(i => Id(task.TrainA[i])).ToHashSet();
        var bSources = Enumerable.Range(0, 6).Select(i => -Id(task.TrainB[i])).ToHashSet();
        var test = Enumerable.Range(0, 5).Select(i => Id(task.TestA[i])).ToHashSet();
        Assert.Empty(a.Intersect(bSources));
        Assert.Empty(a.Intersect(test));
        Assert.Empty(bSources.Intersect(test));
        Assert.Equal(0f, (task.TestB + task.TestA).abs().max().item<float>());
        Assert.Equal(labels[12..17].data<long>().ToArray(), task.TestLabels.data<long>().ToArray());
        Assert.Contains("do not fit", Assert.Throws<ArgumentException>(() => TranslationTasks.Unpaired(data, 8, 5, DomainTransform.Invert)).Message);
    }

    [Fact]
    public void Aligned_batches_return_matching_rows_and_throw_on_misaligned_tensors()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(10).to_type(ScalarType.Float32);
        var y = x * 10;
        var batches = new AlignedBatches(3, "pairs", x, y);
        for (int k = 0; k < 4; k++)
        {
            var b = batches.Next(4);
            Assert.Equal(b[0].mul(10).data<float>().ToArray(), b[1].data<float>().ToArray());
        }
        Assert.Contains("same first dimension", Assert.Throws<ArgumentException>(() => new AlignedBatches(0, "p", x, torch.zeros(9))).Message);
    }
}
