using GanNotebooks.Data.Images;
using GanNotebooks.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Evaluation;

public class ImageQualityMetricTests
{
    /// <summary>
    /// A fixed feature network for the tests: a seeded random projection of the flattened 8×8 image to 6 features
    /// (tanh), and a "classifier" that buckets the mean brightness into 4 classes.
    /// </summary>
    static ImageQualityMetric Make()
    {
        var proj = torch.randn(new long[] { 64, 6 }, generator: new torch.Generator(42)).DetachFromDisposeScope();
        return new ImageQualityMetric(
            x => torch.tanh(x.flatten(1).mm(proj) / 8),
            x => ((x.mean(new long[] { 1, 2, 3 }) + 1) * 2).floor().clamp(0, 3).to_type(ScalarType.Int64),
            ["dark", "dim", "light", "bright"], owned: proj);
    }

    /// <summary>"Real" images: smooth blobs with a class-dependent brightness; [N, 1, 8, 8] in [−1, 1].</summary>
    static (Tensor Images, Tensor Labels) Real(int n, long seed)
    {
        var gen = new torch.Generator((ulong)seed);
        var labels = torch.arange(n) % 4;
        var level = labels.to_type(ScalarType.Float32) * 0.5f - 0.75f;   // bucket centres
        var blob = torch.randn(new long[] { n, 1, 2, 2 }, generator: gen) * 0.1;
        var up = nn.functional.interpolate(blob, new long[] { 8, 8 }, mode: InterpolationMode.Bilinear, align_corners: false);
        return ((up + level.view(n, 1, 1, 1)).clamp(-1, 1), labels);
    }

    [Fact]
    public void ASetAgainstItselfScoresZeroAndNoiseScoresFarAboveTheRealBaseline()
    {
        using var scope = torch.NewDisposeScope();
        using var m = Make();
        var (real, _) = Real(400, 1);
        Assert.Equal(0, m.Distance(real, real), 6);
        m.SetReal(real, seed: 3);
        Assert.Equal(200, m.ReferenceCount);
        Assert.Equal(200, m.HeldOutCount);
        double baseline = m.Baseline();
        double other = m.Score(Real(200, 2).Images);               // fresh real images
        var noise = torch.rand(new long[] { 200, 1, 8, 8 }, generator: new torch.Generator(4)) * 2 - 1;
        double bad = m.Score(noise);
        Assert.True(baseline > 0 && baseline < 0.05, $"baseline {baseline}");
        Assert.InRange(other, 0.2 * baseline, 5 * baseline);
        Assert.True(bad > 20 * baseline, $"noise {bad} vs baseline {baseline}");
        // the baseline uses N held-out images; fewer images → larger bias
        Assert.True(m.Baseline(20) > baseline);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Baseline(201));
    }

    [Fact]
    public void AccuracyHistogramAndDroppedClasses()
    {
        using var scope = torch.NewDisposeScope();
        using var m = Make();
        var (real, labels) = Real(400, 5);
        m.SetReal(real, seed: 1);
        Assert.Equal(1.0, m.Accuracy(real, labels), 6);
        Assert.All(m.RealClassHistogram(), h => Assert.InRange(h, 0.2, 0.3));
        // "generated" set that drops class 3: 100 images of each of classes 0..2, all labelled 0
        var (gen, genLabels) = Real(300, 6);
        gen = gen[(genLabels != 3)];
        var intended = torch.zeros(gen.shape[0], dtype: ScalarType.Int64);
        var r = m.Evaluate(gen, intended);
        Assert.Equal(gen.shape[0], r.Count);
        Assert.Equal(1.0 / 3, r.Accuracy!.Value, 2);
        Assert.Equal(0.0, r.ClassHistogram![3]);
        Assert.Equal(new[] { 3 }, r.DroppedClasses);
        Assert.Equal(Math.Log(4.0 / 3), r.HistogramKl, 1);          // uniform over 3 of 4 classes
        Assert.Equal(1.0, r.ClassHistogram.Sum(), 9);
        var perClass = m.AccuracyPerClass(gen, intended);
        Assert.Equal(1.0 / 3, perClass[0], 6);                    // a third of the images asked to be class 0 are
        Assert.True(double.IsNaN(perClass[1]));                    // no image was asked to be class 1
        Assert.Equal(new[] { 1.0, 1.0, 1.0 }, m.AccuracyPerClass(gen, genLabels[(genLabels != 3)]).Take(3));
        Assert.Contains("dropped 1", r.ToString());
    }

    [Fact]
    public void ShippedFashionMnistYardstickScoresRealNearZeroAndNoiseFarAway()
    {
        using var scope = torch.NewDisposeScope();
        using var m = ImageQualityMetric.FashionMnist(torch.CPU);
        using var data = ShippedDatasets.FashionMnistTest(limit: 400, device: torch.CPU);
        Assert.Equal(10, m.ClassNames.Count);
        Assert.Equal(0, m.Distance(data.Images, data.Images), 6);
        m.SetReal(data.Images, seed: 1);
        double baseline = m.Baseline();
        var noise = torch.rand(new long[] { 200, 1, 28, 28 }, generator: new torch.Generator(9)) * 2 - 1;
        Assert.True(m.Score(noise) > 10 * baseline, $"noise {m.Score(noise)} vs real baseline {baseline}");
        Assert.True(m.Accuracy(data.Images, data.Labels) > 0.8);
        // 32×32 padded images are centre-cropped by the classifier: same score as the 28×28 originals
        using var padded = data.PadTo(32);
        Assert.Equal(m.Score(data.Images[..200]), m.Score(padded.Images[..200]), 3);
    }

    [Fact]
    public void NonFiniteFeaturesAreNamedGeneratedOrRealAndTheReportSaysHowTheDistanceWasComputed()
    {
        using var scope = torch.NewDisposeScope();
        using var m = Make();
        var (real, _) = Real(200, 7);
        var broken = real.clone();
        broken[5] = torch.tensor(float.NaN);          // a diverged network's images: NaN pixels → NaN features
        broken[9, 0, 3, 3] = torch.tensor(float.NaN);              // one pixel is enough (∞ pixels can give finite tanh features)
        var e = Assert.Throws<ArgumentException>(() => m.SetReal(broken));
        Assert.Contains("real images", e.Message);
        Assert.True(e.Message.Contains("2 of 200 rows"), e.Message);
        m.SetReal(real, seed: 2);
        var (gen, _) = Real(60, 8);
        gen[0] = torch.tensor(float.NaN);
        e = Assert.Throws<ArgumentException>(() => m.Score(gen));
        Assert.Contains("generated images", e.Message);
        Assert.Contains("1 of 60 rows", e.Message);
        Assert.DoesNotContain("error code", e.Message);
        // finite images: the report carries how both distances were computed
        var r = m.Evaluate(Real(60, 9).Images);
        Assert.NotNull(r.FrechetDetails);
        Assert.Equal(r.FrechetDistance, r.FrechetDetails!.Distance);
        Assert.Equal(r.Baseline, r.BaselineDetails!.Distance);
        Assert.Equal(6, r.FrechetDetails.Dimension);
        Assert.False(r.FrechetDetails.RidgeAdded);
        Assert.Equal(m.Score(Real(60, 9).Images), m.Measure(Real(60, 9).Images).Distance);
    }

    [Fact]
    public void ScoringBeforeSetRealOrWithoutAClassifierThrowsWithAFix()
    {
        using var scope = torch.NewDisposeScope();
        using var m = Make();
        Assert.Contains("SetReal", Assert.Throws<InvalidOperationException>(() => m.Score(torch.zeros(4, 1, 8, 8))).Message);
        using var plain = new ImageQualityMetric(x => x.flatten(1));
        Assert.False(plain.HasClassifier);
        Assert.Throws<InvalidOperationException>(() => plain.ClassHistogram(torch.zeros(4, 1, 8, 8)));
        Assert.Throws<ArgumentException>(() => new ImageQualityMetric(x => x, x => x));
    }
}

