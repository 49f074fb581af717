using GanNotebooks.Core;
using GanNotebooks.Evaluation;
using GanNotebooks.Variants.Bigan;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Evaluation;

public class InferenceMetricsTests
{
    // G(z) = W z + c with W = [[2, 1], [1, 1]] (det 1), and its exact inverse E(x) = W⁻¹ (x − c), W⁻¹ = [[1, −1], [−1, 2]].
    static (nn.Module<Tensor, Tensor> G, nn.Module<Tensor, Tensor> E) LinearPair()
    {
        var g = nn.Linear(2, 2);
        var e = nn.Linear(2, 2);
        using var _ = torch.no_grad();
        var w = torch.tensor(new float[] { 2, 1, 1, 1 }).reshape(2, 2);
        var c = torch.tensor(new float[] { 0.5f, -1f });
        var wInv = torch.tensor(new float[] { 1, -1, -1, 2 }).reshape(2, 2);
        g.weight!.copy_(w);
        g.bias!.copy_(c);
        e.weight!.copy_(wInv);
        e.bias!.copy_(-wInv.matmul(c));
        return (g, e);
    }

    // Four well separated latent clusters at (±3, ±3) (std 0.1), label = cluster, mapped through G.
    static (Tensor Z, Tensor Labels) Clusters(int perClass, long seed)
    {
        var gen = new torch.Generator((ulong)seed);
        var centres = torch.tensor(new float[] { -3, -3, -3, 3, 3, -3, 3, 3 }).reshape(4, 2);
        var labels = torch.arange(4, dtype: ScalarType.Int64).repeat_interleave(perClass);
        var z = centres.index_select(0, labels) + 0.1 * torch.randn(4 * perClass, 2, generator: gen);
        return (z, labels);
    }

    [Fact]
    public void ExactInverseOfALinearGeneratorGivesZeroErrorAndPerfectNearestNeighbour()
    {
        using var s = torch.NewDisposeScope();
        var (g, e) = LinearPair();
        var ge = new BiGanGenerator(g, e);
        var (zTrain, yTrain) = Clusters(5, seed: 1);
        var (zTest, yTest) = Clusters(5, seed: 2);
        var xTrain = ge.GenerateEval(zTrain);
        var xTest = ge.GenerateEval(zTest);

        var rec = InferenceMetrics.Compare(xTest, ge.ReconstructEval(xTest), seed: 3, quantity: "‖x − G(E(x))‖");
        Assert.True(rec.Distance.Mean < 1e-5, $"reconstruction error {rec.Distance.Mean}");
        Assert.True(rec.RandomPairs.Mean > 1, "random pairs of separated clusters are far apart");
        Assert.True(rec.Ratio < 1e-5);
        Assert.Equal(2, rec.Dim);

        var inv = InferenceMetrics.Compare(zTest, ge.EncodeEval(ge.GenerateEval(zTest)), seed: 3);
        Assert.True(inv.Distance.Mean < 1e-5, $"latent inversion error {inv.Distance.Mean}");

        var acc = InferenceMetrics.NearestNeighbourAccuracy(ge.EncodeEval(xTrain), yTrain, ge.EncodeEval(xTest), yTest);
        Assert.Equal(1.0, acc);
    }

    [Fact]
    public void RandomPairBaselineMatchesAHandComputation()
    {
        using var s = torch.NewDisposeScope();
        // Two points: the only pairing is the swap, ‖(0,0) − (3,4)‖ = 5.
        var two = torch.tensor(new float[] { 0, 0, 3, 4 }).reshape(2, 2);
        Assert.Equal(5.0, InferenceMetrics.RandomPairDistance(two, seed: 9).Mean, 6);
        // Three points on a line: every cyclic pairing uses the three distances 5, 5, 10 once → mean 20/3,
        // s.e. = sd{5, 5, 10}/√3 = √(25/3)/√3 = 5/3.
        var three = torch.tensor(new float[] { 0, 0, 3, 4, 6, 8 }).reshape(3, 2);
        for (long seed = 0; seed < 4; seed++)
        {
            var m = InferenceMetrics.RandomPairDistance(three, seed);
            Assert.Equal(20.0 / 3.0, m.Mean, 6);
            Assert.Equal(5.0 / 3.0, m.StdErr, 6);
            Assert.Equal(3, m.Count);
        }
        // Compare: matched distances 1 and 0 → 0.5; baseline 5 → ratio 0.1.
        var approx = torch.tensor(new float[] { 0, 1, 3, 4 }).reshape(2, 2);
        var c = InferenceMetrics.Compare(two, approx, seed: 1);
        Assert.Equal(0.5, c.Distance.Mean, 6);
        Assert.Equal(0.1, c.Ratio, 6);
        Assert.Equal(0.5 / Math.Sqrt(2), c.PerCoordinate, 6);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(5, 1)]
    [InlineData(50, 7)]
    public void RandomPairingIsAPermutationWithoutFixedPoints(int n, long seed)
    {
        var p = InferenceMetrics.RandomPairing(n, seed);
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), p.OrderBy(v => v));
        Assert.All(Enumerable.Range(0, n), i => Assert.NotEqual(i, p[i]));
        Assert.Equal(p, InferenceMetrics.RandomPairing(n, seed));
        Assert.Throws<ArgumentOutOfRangeException>(() => InferenceMetrics.RandomPairing(1, seed));
    }

    [Fact]
    public void PerSampleDistanceIsTheL2NormOverAllCoordinates()
    {
        using var s = torch.NewDisposeScope();
        var a = torch.zeros(2, 1, 2, 2);
        var b = torch.ones(2, 4);                 // same values per sample, other shape: ‖1‖ over 4 coordinates = 2
        Assert.Equal(new double[] { 2, 2 }, InferenceMetrics.PerSampleDistance(a, b).data<double>().ToArray());
        Assert.Throws<ArgumentException>(() => InferenceMetrics.PerSampleDistance(a, torch.ones(2, 3)));
    }

    [Fact]
    public void LinearProbeSeparatesLinearlySeparableFeaturesPerfectly()
    {
        using var s = torch.NewDisposeScope();
        var (train, yTrain) = Clusters(10, seed: 4);
        var (test, yTest) = Clusters(10, seed: 5);
        var r = InferenceMetrics.LinearProbe(train, yTrain, test, yTest, iterations: 100);
        Assert.Equal(1.0, r.TrainAccuracy);
        Assert.Equal(1.0, r.TestAccuracy);
        Assert.Equal(4, r.Classes);
        Assert.Equal(2, r.FeatureDim);
        Assert.True(r.FinalLoss < 0.2, $"cross-entropy {r.FinalLoss}");
        // deterministic: zero start, full batch
        var a = InferenceMetrics.LinearProbe(train, yTrain, test, yTest, iterations: 10);
        Assert.Equal(a.FinalLoss, InferenceMetrics.LinearProbe(train, yTrain, test, yTest, iterations: 10).FinalLoss);
    }

    [Fact]
    public void LinearProbeIsAtChanceOnFeaturesThatCarryNoLabel()
    {
        using var s = torch.NewDisposeScope();
        // Labels alternate 0, 1 along a feature that is the same for every sample: nothing to learn.
        var f = torch.ones(8, 1);
        var y = torch.tensor(new long[] { 0, 1, 0, 1, 0, 1, 0, 1 });
        var r = InferenceMetrics.LinearProbe(f, y, f, y, iterations: 50);
        Assert.Equal(0.5, r.TestAccuracy);
        Assert.Equal(Math.Log(2), r.FinalLoss, 4);
    }

    [Fact]
    public void NearestIndicesAndNearestCentre()
    {
        using var s = torch.NewDisposeScope();
        var pts = torch.tensor(new float[] { 0, 0, 1, 0, 5, 0, 5.5f, 0 }).reshape(4, 2);
        var nn1 = InferenceMetrics.NearestIndices(pts, pts, k: 1, excludeSelf: true);
        Assert.Equal(new long[] { 1, 0, 3, 2 }, nn1.squeeze(1).data<long>().ToArray());
        var nn2 = InferenceMetrics.NearestIndices(pts[..1], pts, k: 3);
        Assert.Equal(new long[] { 0, 1, 2 }, nn2.data<long>().ToArray());

        var centres = new double[,] { { 1, 0 }, { 0, 1 }, { -1, 0 }, { 0, -1 } };
        var q = new double[,] { { 0.9, 0.05 }, { -0.1, 1.2 }, { -2, 0 }, { 0.1, -0.8 } }.ToTensor(torch.CPU);
        Assert.Equal(new[] { 0, 1, 2, 3 }, InferenceMetrics.NearestCentre(q, centres));
    }

    [Fact]
    public void BadLabelsAndShapesThrowWithTheFix()
    {
        using var s = torch.NewDisposeScope();
        var f = torch.randn(4, 2);
        var ex = Assert.Throws<ArgumentException>(() => InferenceMetrics.NearestNeighbourAccuracy(f, torch.zeros(4), f, torch.zeros(4, ScalarType.Int64)));
        Assert.Contains("int64", ex.Message);
        Assert.Throws<ArgumentException>(() => InferenceMetrics.NearestNeighbourAccuracy(f, torch.zeros(3, ScalarType.Int64), f, torch.zeros(4, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => InferenceMetrics.LinearProbe(f, torch.zeros(4, ScalarType.Int64), torch.randn(4, 3), torch.zeros(4, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => InferenceMetrics.NearestIndices(torch.randn(4, 1, 2), f));
    }
}
