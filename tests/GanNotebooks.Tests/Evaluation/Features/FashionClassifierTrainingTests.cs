using GanNotebooks.Data.Images;
using GanNotebooks.Evaluation.Features;
using TorchSharp;

namespace GanNotebooks.Tests.Evaluation.Features;

public class FashionClassifierTrainingTests
{
    [Fact]
    public void SplitHoldsOutTheLastImagesOfEachClass()
    {
        long[] labels = [0, 1, 0, 1, 0, 1, 1];
        var (train, validation) = FashionClassifierTraining.Split(labels, validationPerClass: 2, classCount: 2);
        Assert.Equal(new long[] { 2, 4, 5, 6 }, validation);
        Assert.Equal(new long[] { 0, 1, 3 }, train);
        var e = Assert.Throws<ArgumentException>(() => FashionClassifierTraining.Split(labels, 4, 2));
        Assert.Contains("Class 0 has only 3", e.Message);
    }

    [Fact]
    public void ShippedSplitHolds200PerClassDisjointFromTraining()
    {
        using var data = ShippedDatasets.FashionMnistTest(device: torch.CPU);
        var labels = data.Labels.data<long>().ToArray();
        var (train, validation) = FashionClassifierTraining.Split(labels, 200);
        Assert.Equal(8000, train.Length);
        Assert.Equal(2000, validation.Length);
        Assert.Empty(train.Intersect(validation));
        Assert.All(Enumerable.Range(0, 10), k => Assert.Equal(200, validation.Count(i => labels[i] == k)));
        // File order: every held-out image of a class comes after all of its training images.
        Assert.All(Enumerable.Range(0, 10), k =>
            Assert.True(train.Where(i => labels[i] == k).Max() < validation.Where(i => labels[i] == k).Min()));
    }

    [Fact]
    public void SameSeedGivesIdenticalWeightsOnTheCpu()
    {
        using var data = ShippedDatasets.FashionMnistTest(limit: 40, device: torch.CPU);
        var options = new FashionClassifierTrainingOptions(Epochs: 1, BatchSize: 8, ValidationPerClass: 1, Seed: 5);
        var epochs = new List<ClassifierEpoch>();
        var (a, historyA) = FashionClassifierTraining.Train(data, options, torch.CPU, epochs.Add);
        var (b, _) = FashionClassifierTraining.Train(data, options, torch.CPU);
        var (c, _) = FashionClassifierTraining.Train(data, options with { Seed = 6 }, torch.CPU);
        using (a) using (b) using (c)
        {
            Assert.False(a.training);
            Assert.Single(historyA);
            Assert.Equal(historyA, epochs);
            Assert.True(double.IsFinite(historyA[0].TrainLoss) && historyA[0].TrainLoss > 0);
            Assert.InRange(historyA[0].ValidationAccuracy, 0, 1);
            var pa = a.parameters().ToArray();
            var pb = b.parameters().ToArray();
            var pc = c.parameters().ToArray();
            Assert.All(Enumerable.Range(0, pa.Length), i => Assert.True(pa[i].Identical(pb[i])));
            Assert.False(pa[0].Identical(pc[0]));
        }
    }

    [Fact]
    public void InvalidOptionsThrowNamingTheSetting()
    {
        using var data = ShippedDatasets.FashionMnistTest(limit: 20, device: torch.CPU);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            FashionClassifierTraining.Train(data, new FashionClassifierTrainingOptions(Epochs: 0), torch.CPU));
        Assert.Equal("Epochs", e.ParamName);
        using var digits = ShippedDatasets.MnistDigits(limit: 20, device: torch.CPU);
        using var three = new ImageDataset(digits.Images.clone(), (digits.Labels % 3).clone(), ["a", "b", "c"]);
        Assert.Throws<ArgumentException>(() => FashionClassifierTraining.Train(three, new FashionClassifierTrainingOptions(Epochs: 1), torch.CPU));
    }
}
