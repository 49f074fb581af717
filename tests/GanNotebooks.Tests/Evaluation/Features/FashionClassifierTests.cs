using GanNotebooks.Data.Images;
using GanNotebooks.Evaluation.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Evaluation.Features;

public class FashionClassifierTests
{
    /// <summary>Measured: 0.8700 on the 2,000 held-out images with the shipped weights (data/README.md); 2 points of margin.</summary>
    const double HeldOutAccuracyFloor = 0.85;

    static ImageDataset Fashion(int? limit = null, int? padTo = null) =>
        ShippedDatasets.FashionMnistTest(limit: limit, padTo: padTo, device: torch.CPU);

    [Fact]
    public void ShippedWeightsLoadVerifiedWithTheArchitecturesParameterCount()
    {
        // Locate checks the SHA-256 against data/checksums.sha256 (throws otherwise).
        var path = ShippedDatasets.Locate(FashionClassifier.ShippedWeights);
        Assert.True(new FileInfo(path).Length < 2_000_000);
        using var model = FashionClassifier.LoadShipped(torch.CPU);
        Assert.False(model.training);
        // conv1 32·1·9+32, conv2 64·32·9+64, fc1 1600·128+128, fc2 128·10+10.
        Assert.Equal(320 + 18_496 + 204_928 + 1_290, model.parameters().Sum(p => p.numel()));
        Assert.Equal(new[] { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" },
            model.state_dict().Keys.ToArray());
    }

    [Fact]
    public void HeldOutAccuracyIsAboveTheMeasuredValueMinusAMargin()
    {
        using var data = Fashion();
        using var model = FashionClassifier.LoadShipped(torch.CPU);
        using var scope = torch.NewDisposeScope();
        var (images, labels) = FashionClassifierTraining.ValidationSet(data);
        Assert.Equal(2000, images.shape[0]);
        double accuracy = model.Accuracy(images, labels);
        Assert.True(accuracy > HeldOutAccuracyFloor, $"held-out accuracy {accuracy:F4} ≤ {HeldOutAccuracyFloor}");
        // The held-out set is balanced, and a good classifier's histogram of predictions is close to uniform.
        var histogram = model.ClassHistogram(images);
        Assert.Equal(10, histogram.Length);
        Assert.Equal(1.0, histogram.Sum(), 12);
        Assert.All(histogram, h => Assert.InRange(h, 0.05, 0.15));
    }

    [Fact]
    public void FeaturesAreFloatVectorsOf128OnTheCpu()
    {
        using var data = Fashion(limit: 6);
        using var model = FashionClassifier.LoadShipped(torch.CPU);
        using var features = model.Features(data.Images);
        Assert.Equal(new long[] { 6, FashionClassifier.FeatureDim }, features.shape);
        Assert.Equal(ScalarType.Float32, features.dtype);
        Assert.Equal(DeviceType.CPU, features.device.type);
        Assert.True(features.isfinite().all().item<bool>());
        // Pre-ReLU features take negative values too (a post-ReLU layer would have none).
        Assert.True(features.min().item<float>() < 0);
        using var empty = model.Features(data.Images[..0]);
        Assert.Equal(new long[] { 0, FashionClassifier.FeatureDim }, empty.shape);
    }

    [Fact]
    public void EvalModeMakesEachSamplesOutputIndependentOfItsBatch()
    {
        using var data = Fashion(limit: 8);
        using var model = FashionClassifier.LoadShipped(torch.CPU);
        model.train(); // dropout on: the helpers must switch to eval themselves and restore the mode after
        using var scope = torch.NewDisposeScope();
        var all = model.Logits(data.Images);
        var chunked = model.Logits(data.Images, batchSize: 3);
        var firstAlone = model.Logits(data.Images[..1]);
        var featuresAll = model.Features(data.Images);
        var featuresPart = model.Features(data.Images[5..8]);
        Assert.True(model.training);
        Assert.True(all.allclose(chunked, rtol: 1e-5, atol: 1e-5));
        Assert.True(all[..1].allclose(firstAlone, rtol: 1e-5, atol: 1e-5));
        Assert.True(featuresAll[5..8].allclose(featuresPart, rtol: 1e-5, atol: 1e-5));
        // Same call twice: identical (no dropout noise).
        Assert.True(all.Identical(model.Logits(data.Images)));
    }

    [Fact]
    public void PredictAgreesWithArgmaxAndAccuracyCountsMatches()
    {
        using var data = Fashion(limit: 8);
        using var model = FashionClassifier.LoadShipped(torch.CPU);
        using var scope = torch.NewDisposeScope();
        var predicted = model.Predict(data.Images);
        Assert.Equal(ScalarType.Int64, predicted.dtype);
        Assert.True(predicted.Identical(model.Logits(data.Images).argmax(1)));
        long correct = predicted.eq(data.Labels).sum().item<long>();
        Assert.Equal(correct / 8.0, model.Accuracy(data.Images, data.Labels), 12);
    }

    [Fact]
    public void PaddedThirtyTwoPixelImagesGiveTheSameFeaturesAsTheOriginals()
    {
        using var plain = Fashion(limit: 4);
        using var padded = Fashion(limit: 4, padTo: 32);
        using var model = FashionClassifier.LoadShipped(torch.CPU);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(32, padded.Height);
        // The 32×32 input is centre-cropped, the exact inverse of PadTo(32).
        Assert.True(model.Features(plain.Images).Identical(model.Features(padded.Images)));
        Assert.True(model.Predict(padded.Images).Identical(model.Predict(plain.Images)));
    }

    [Fact]
    public void WrongImageShapesAreRejectedWithAFix()
    {
        using var model = FashionClassifier.LoadShipped(torch.CPU);
        using var scope = torch.NewDisposeScope();
        var rgb = Assert.Throws<ArgumentException>(() => model.Features(torch.zeros(2, 3, 28, 28)));
        Assert.Contains("[2, 3, 28, 28]", rgb.Message);
        var noChannel = Assert.Throws<ArgumentException>(() => model.Features(torch.zeros(2, 28, 28)));
        Assert.Contains("unsqueeze(1)", noChannel.Message);
        var big = Assert.Throws<ArgumentException>(() => model.Features(torch.zeros(2, 1, 64, 64)));
        Assert.Contains("64×64", big.Message);
        Assert.Throws<ArgumentException>(() => model.Accuracy(torch.zeros(2, 1, 28, 28), torch.zeros(new long[] { 3 }, ScalarType.Int64)));
    }

    [Fact]
    public void ChangedWeightsFileIsAChecksumErrorNamingTheFile()
    {
        using var dir = new TempDir("gankit-features");
        var source = ShippedDatasets.Locate(FashionClassifier.ShippedWeights);
        File.Copy(Path.Combine(ShippedDatasets.ResolveDataDirectory(), ShippedDatasets.ChecksumFile), dir.File(ShippedDatasets.ChecksumFile));
        var bytes = File.ReadAllBytes(source);
        bytes[^1] ^= 0x01; // one flipped bit in the last weight
        File.WriteAllBytes(dir.File(FashionClassifier.ShippedWeights), bytes);
        var e = Assert.Throws<ChecksumMismatchException>(() => FashionClassifier.LoadShipped(torch.CPU, dir.Path));
        Assert.Contains(FashionClassifier.ShippedWeights, e.Message);
        Assert.Contains("9be6fa4c9031887aba0aa1dc006400389af2aa29c2366bfdec9dc8e6e73ae070", e.Message);
    }

    [Fact]
    public void AFileOfAnotherKindIsAClearError()
    {
        using var dir = new TempDir("gankit-features");
        File.WriteAllText(dir.File("not-weights.dat"), "hello");
        var e = Assert.Throws<InvalidDataException>(() => FashionClassifier.Load(dir.File("not-weights.dat"), torch.CPU));
        Assert.Contains("train-classifier", e.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => FashionClassifier.Load(dir.File("absent.dat"), torch.CPU));
        Assert.Contains("train-classifier", missing.Message);
    }

    [Fact]
    public void SaveAtomicallyRoundTripsAndLeavesNoTemporaryFile()
    {
        using var dir = new TempDir("gankit-features");
        using var data = Fashion(limit: 4);
        using var model = FashionClassifier.LoadShipped(torch.CPU);
        var sha = model.SaveAtomically(dir.File("copy.dat"));
        Assert.Equal(Checksums.Compute(dir.File("copy.dat")), sha);
        Assert.Equal(new[] { dir.File("copy.dat") }, dir.Entries());
        using var again = FashionClassifier.Load(dir.File("copy.dat"), torch.CPU);
        using var scope = torch.NewDisposeScope();
        Assert.True(model.Features(data.Images).Identical(again.Features(data.Images)));
        // Overwriting an existing file works the same way.
        Assert.Equal(sha, again.SaveAtomically(dir.File("copy.dat")));
    }
}
