using GanNotebooks.Data.Images;
using GanNotebooks.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Features;

public class ImageQualityTests
{
    [Fact]
    public void StatisticsOfASmallMatrixMatchTheHandComputedMeanAndUnbiasedCovariance()
    {
        // x = [[1, 2], [3, 4], [5, 9]]: mean (3, 5); centred columns (−2, 0, 2) and (−3, −1, 4);
        // with divisor N − 1 = 2: var₁ = 8/2 = 4, var₂ = 26/2 = 13, cov₁₂ = (6 + 0 + 8)/2 = 7.
        using var x = torch.tensor(new double[] { 1, 2, 3, 4, 5, 9 }, [3, 2]);
        var (mean, cov) = ImageQuality.Statistics(x);
        Assert.Equal(new[] { 3.0, 5.0 }, mean);
        Assert.Equal(new double[,] { { 4, 7 }, { 7, 13 } }, cov);
    }

    [Fact]
    public void FeatureStatisticsOfASetEqualThoseOfTheSameSetAgain()
    {
        using var data = ShippedDatasets.FashionMnistTest(limit: 8, device: torch.CPU);
        using var quality = ImageQuality.Shipped(torch.CPU);
        var a = quality.FeatureStatistics(data.Images);
        var b = quality.FeatureStatistics(data.Images.clone());
        Assert.Equal(FashionClassifier.FeatureDim, a.Mean.Length);
        Assert.Equal(new[] { 128, 128 }, new[] { a.Covariance.GetLength(0), a.Covariance.GetLength(1) });
        Assert.Equal(a.Mean, b.Mean);
        Assert.Equal(a.Covariance, b.Covariance);
        // Symmetric, with a non-negative diagonal.
        for (int i = 0; i < 128; i++)
        {
            Assert.True(a.Covariance[i, i] >= 0);
            for (int j = 0; j < i; j++) Assert.Equal(a.Covariance[i, j], a.Covariance[j, i]);
        }
        // A Fréchet distance of a set to itself is 0: its mean term is exactly zero here (same means).
        Assert.Equal(0.0, a.Mean.Zip(b.Mean, (p, q) => (p - q) * (p - q)).Sum());
    }

    [Fact]
    public void StatisticsAgreeWithTheFeatureMatrix()
    {
        using var data = ShippedDatasets.FashionMnistTest(limit: 5, device: torch.CPU);
        using var quality = ImageQuality.Shipped(torch.CPU);
        var matrix = quality.FeatureMatrix(data.Images);
        Assert.Equal(5, matrix.GetLength(0));
        Assert.Equal(128, matrix.GetLength(1));
        var (mean, cov) = quality.FeatureStatistics(data.Images);
        for (int d = 0; d < 128; d += 31)
        {
            double m = Enumerable.Range(0, 5).Average(i => matrix[i, d]);
            Assert.Equal(m, mean[d], 9);
            double v = Enumerable.Range(0, 5).Sum(i => (matrix[i, d] - m) * (matrix[i, d] - m)) / 4;
            Assert.Equal(v, cov[d, d], 9);
        }
    }

    [Fact]
    public void CompareReturnsGeneratedAndKeptReferenceStatistics()
    {
        using var real = ShippedDatasets.FashionMnistTest(limit: 8, device: torch.CPU);
        using var quality = ImageQuality.Shipped(torch.CPU);
        using var noise = torch.rand(new long[] { 6, 1, 32, 32 }, generator: new torch.Generator(3)) * 2 - 1;
        var missing = Assert.Throws<InvalidOperationException>(() => quality.Compare(noise));
        Assert.Contains("SetReference", missing.Message);
        var reference = quality.SetReference(real);
        var (generated, kept) = quality.Compare(noise);
        Assert.Same(reference.Mean, kept.Mean);
        Assert.NotEqual(kept.Mean, generated.Mean);
        Assert.Equal(128, generated.Mean.Length);
    }

    [Fact]
    public void TooFewImagesOrAWrongMatrixAreRejected()
    {
        using var one = torch.zeros(1, 4);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => ImageQuality.Statistics(one)).Message);
        using var flat = torch.zeros(4);
        Assert.Contains("[N, D]", Assert.Throws<ArgumentException>(() => ImageQuality.Statistics(flat)).Message);
    }
}
