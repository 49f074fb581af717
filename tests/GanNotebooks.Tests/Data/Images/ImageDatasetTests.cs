using GanNotebooks.Data.Images;
using TorchSharp;

namespace GanNotebooks.Tests.Data.Images;

public class ImageDatasetTests
{
    /// <summary>N images of 1×2×2 whose every pixel equals the image's index; label = index mod 3.</summary>
    static ImageDataset Indexed(int n)
    {
        var x = torch.arange(n, dtype: torch.float32).reshape(n, 1, 1, 1).expand(n, 1, 2, 2).contiguous();
        var y = torch.arange(n, dtype: torch.int64) % 3;
        return new ImageDataset(x, y, ["a", "b", "c"], "indexed");
    }

    static long[] Ids(torch.Tensor batch) => batch[.., 0, 0, 0].to_type(torch.ScalarType.Int64).data<long>().ToArray();

    [Fact]
    public void SamplerIsDeterministicForASeed()
    {
        using var ds = Indexed(10);
        var s1 = ds.BatchSampler(seed: 7);
        var s2 = ds.BatchSampler(seed: 7);
        var s3 = ds.BatchSampler(seed: 8);
        var a = Enumerable.Range(0, 4).SelectMany(_ => { using var b = s1(4); return Ids(b); }).ToArray();
        var b = Enumerable.Range(0, 4).SelectMany(_ => { using var t = s2(4); return Ids(t); }).ToArray();
        var c = Enumerable.Range(0, 4).SelectMany(_ => { using var t = s3(4); return Ids(t); }).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void SamplerDoesNotDependOnTorchGlobalSeed()
    {
        using var ds = Indexed(10);
        torch.manual_seed(1);
        using var a = ds.BatchSampler(3)(6);
        torch.manual_seed(2);
        using var b = ds.BatchSampler(3)(6);
        Assert.Equal(Ids(a), Ids(b));
    }

    [Fact]
    public void EachEpochVisitsEveryImageOnce()
    {
        using var ds = Indexed(8);
        var sample = ds.BatchSampler(seed: 1);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            using var b1 = sample(5);
            using var b2 = sample(3);
            Assert.Equal(new long[] { 5, 1, 2, 2 }, b1.shape);
            var seen = Ids(b1).Concat(Ids(b2)).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i).ToArray(), seen);
        }
    }

    [Fact]
    public void LabelledSamplerReturnsMatchingLabels()
    {
        using var ds = Indexed(9);
        var sample = ds.LabelledBatchSampler(seed: 5);
        var (x, y) = sample(6);
        using (x)
        using (y)
        {
            Assert.Equal(new long[] { 6 }, y.shape);
            Assert.Equal(Ids(x).Select(i => i % 3).ToArray(), y.data<long>().ToArray());
        }
        // Same seed → same first batch as the unlabelled sampler.
        using var again = ds.BatchSampler(seed: 5)(6);
        var (x2, y2) = ds.LabelledBatchSampler(seed: 5)(6);
        Assert.Equal(Ids(again), Ids(x2));
        x2.Dispose(); y2.Dispose();
    }

    [Fact]
    public void SamplerRejectsNonPositiveBatch()
    {
        using var ds = Indexed(4);
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.BatchSampler(0)(0));
    }

    [Fact]
    public void PadToFillsWithBackgroundForEachScale()
    {
        using var ds = new ImageDataset(torch.ones(2, 3, 4, 4), torch.zeros(2, dtype: torch.int64), ["x"]);
        using var p = ds.PadTo(8);
        Assert.Equal(new long[] { 2, 3, 8, 8 }, p.Images.shape);
        Assert.Equal(16 * 2 * 3 * 1f + (64 - 16) * 2 * 3 * -1f, p.Images.sum().item<float>());
        Assert.True(p.Images[.., .., 2..6, 2..6].eq(ds.Images).all().item<bool>());

        using var ds01 = new ImageDataset(torch.ones(1, 1, 2, 2), torch.zeros(1, dtype: torch.int64), ["x"], scale: PixelScale.ZeroToOne);
        using var p01 = ds01.PadTo(5, 4); // odd extra row goes to the bottom
        Assert.Equal(0f, p01.Images[0, 0, 0, 0].item<float>());
        Assert.Equal(1f, p01.Images[0, 0, 1, 1].item<float>());
        Assert.Equal(4f, p01.Images.sum().item<float>());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ds.PadTo(3));
        Assert.Contains("only grows", e.Message);
    }

    [Fact]
    public void TakeOfClassesExamplesAndCounts()
    {
        using var ds = Indexed(9);
        Assert.Equal(new long[] { 3, 3, 3 }, ds.ClassCounts());
        using var first = ds.Take(4);
        Assert.Equal(new long[] { 0, 1, 2, 3 }, Ids(first.Images));
        using var bs = ds.OfClasses(1);
        Assert.Equal(new long[] { 1, 4, 7 }, Ids(bs.Images));
        Assert.Equal(new long[] { 0, 3, 0 }, bs.ClassCounts());
        using var ex = ds.Examples(perClass: 2);
        Assert.Equal(new long[] { 0, 3, 1, 4, 2, 5 }, Ids(ex));
        Assert.StartsWith("indexed: 9 × [1, 2, 2] in [-1, 1] on cpu, 3 classes (a 3, b 3, c 3)", ds.ToString());
    }

    [Fact]
    public void ConstructorRejectsMismatchedShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageDataset(torch.zeros(3, 1, 2, 2), torch.zeros(2, dtype: torch.int64), ["x"]));
        Assert.Contains("one per image", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ImageDataset(torch.zeros(3, 2, 2), torch.zeros(3, dtype: torch.int64), ["x"]));
        Assert.Contains("[N, C, H, W]", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ImageDataset(torch.zeros(3, 1, 2, 2), torch.zeros(3, dtype: torch.int32), ["x"]));
        Assert.Contains("int64", e.Message);
    }

    [Fact]
    public void DatasetTensorsSurviveADisposeScope()
    {
        ImageDataset ds;
        using (torch.NewDisposeScope())
        {
            ds = Indexed(3);
        }
        using (ds)
        {
            Assert.False(ds.Images.IsInvalid);
            Assert.Equal(3f, ds.Images.sum().item<float>() / 4 );
        }
    }
}
