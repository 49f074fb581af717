using GanNotebooks.Core;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>
/// A distance between matched pairs next to the same distance between random pairs, e.g. the reconstruction
/// error ‖x − G(E(x))‖ against ‖x − x′‖ for random pairs of data points (the BiGAN evaluation, Donahue et al.
/// 2017, §4). Distances are per-sample Euclidean (L2) norms over all Dim coordinates, in the units of the
/// data (pixels of the [−1, 1] scale for images), averaged over samples (± standard error over samples).
/// </summary>
/// <param name="Quantity">What was measured, e.g. "‖x − G(E(x))‖".</param>
/// <param name="Distance">Mean per-sample L2 distance between each original and its approximation.</param>
/// <param name="RandomPairs">Mean L2 distance between originals paired at random (each with a different one).</param>
/// <param name="Dim">Coordinates per sample (784 for 28×28 images).</param>
public sealed record DistanceComparison(string Quantity, MeanStdErr Distance, MeanStdErr RandomPairs, int Dim)
{
    /// <summary>Distance / random-pair distance: 0 is perfect, about 1 means no better than a random other sample.</summary>
    public double Ratio => Distance.Mean / RandomPairs.Mean;

    /// <summary>Mean distance divided by √Dim: the root-mean-square error per coordinate of a typical sample.</summary>
    public double PerCoordinate => Distance.Mean / Math.Sqrt(Dim);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Quantity} = {Distance:G3} vs random pairs {RandomPairs:G3} (ratio {Ratio:F3}, L2 over {Dim} coordinates, n = {Distance.Count})");
}

/// <summary>Result of a linear probe (multinomial logistic regression on frozen features).</summary>
/// <param name="TrainAccuracy">Accuracy on the training features, in [0, 1].</param>
/// <param name="TestAccuracy">Accuracy on the held-out features, in [0, 1].</param>
/// <param name="FinalLoss">Training cross-entropy (nats, without the weight penalty) after the last iteration.</param>
/// <param name="Iterations">Full-batch optimizer steps taken.</param>
/// <param name="Classes">K, the number of classes (max label + 1).</param>
/// <param name="FeatureDim">d, the feature size.</param>
public sealed record LinearProbeResult(double TrainAccuracy, double TestAccuracy, double FinalLoss, int Iterations, int Classes, int FeatureDim)
{
    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"linear probe: test {TestAccuracy:P1}, train {TrainAccuracy:P1} (loss {FinalLoss:G3} nats, {Iterations} iterations, d = {FeatureDim}, K = {Classes})");
}

/// <summary>
/// How well an inference network works (BiGAN / ALI, Donahue et al. 2017, §4; Dumoulin et al. 2017, §4):
/// reconstruction error ‖x − G(E(x))‖ and latent inversion ‖z − E(G(z))‖ against random-pair baselines,
/// and the quality of E(x) as features — 1-nearest-neighbour and linear-probe accuracy on labelled data.
/// Every function takes tensors (any device); extract features first, e.g. with
/// <c>BiGanGenerator.EncodeEval</c> or <c>BiGanGenerator.ApplyEval</c>.
/// </summary>
public static class InferenceMetrics
{
    /// <summary>Per-sample Euclidean distances ‖a_i − b_i‖₂ over all non-batch coordinates: a, b [N, ...] → [N] (float64).</summary>
    public static Tensor PerSampleDistance(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.dim() < 1 || b.dim() < 1 || a.shape[0] != b.shape[0] || a.numel() != b.numel())
            throw new ArgumentException(
                $"a and b must hold the same number of samples and values per sample; got {Shapes.Of(a)} and {Shapes.Of(b)}. " +
                "Reshape the reconstruction like the originals (e.g. x̂.reshape(x.shape)).");
        using var scope = torch.NewDisposeScope();
        long n = a.shape[0];
        var d = a.detach().reshape(n, -1).to(ScalarType.Float64) - b.detach().to(a.device).reshape(n, -1).to(ScalarType.Float64);
        return d.square().sum(1).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>Mean ± standard error (over samples) of ‖a_i − b_i‖₂: a, b [N, ...].</summary>
    public static MeanStdErr MeanDistance(Tensor a, Tensor b)
    {
        using var d = PerSampleDistance(a, b);
        using var cpu = d.cpu();
        return Statistics.MeanAndStdErr(cpu.data<double>().ToArray());
    }

    /// <summary>
    /// A seeded random cyclic permutation π of 0..n−1 (Sattolo's algorithm), so π(i) ≠ i for every i: sample i is
    /// paired with π(i), never with itself. n = 2 always gives the swap [1, 0].
    /// </summary>
    /// <param name="n">Number of samples (≥ 2).</param>
    /// <param name="seed">Seed of the System.Random that draws π.</param>
    public static long[] RandomPairing(int n, long seed)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n), n, "random pairs need at least 2 samples.");
        var p = new long[n];
        for (int i = 0; i < n; i++) p[i] = i;
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        // Sattolo: swap i with a j strictly below i; the result is a single n-cycle (no fixed point).
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    /// <summary>
    /// The random-pair baseline: mean ± s.e. of ‖x_i − x_π(i)‖₂ with π = <see cref="RandomPairing"/>(N, seed).
    /// What a "reconstruction" would score if it returned some other random sample. x [N, ...], N ≥ 2.
    /// </summary>
    public static MeanStdErr RandomPairDistance(Tensor x, long seed)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() < 1) throw new ArgumentException("x must be a batch [N, ...].", nameof(x));
        var perm = RandomPairing((int)x.shape[0], seed);
        using var scope = torch.NewDisposeScope();
        var other = x.index_select(0, torch.tensor(perm, device: x.device));
        return MeanDistance(x, other);
    }

    /// <summary>
    /// Distance of approximations to their originals against the random-pair baseline of the originals:
    /// e.g. <c>Compare(x, G(E(x)), seed, "‖x − G(E(x))‖")</c> or <c>Compare(z, E(G(z)), seed, "‖z − E(G(z))‖")</c>.
    /// </summary>
    /// <param name="original">[N, ...], N ≥ 2.</param>
    /// <param name="approximation">[N, ...] with the same number of values per sample.</param>
    /// <param name="seed">Seed of the random pairing.</param>
    /// <param name="quantity">Label shown in the result.</param>
    public static DistanceComparison Compare(Tensor original, Tensor approximation, long seed, string quantity = "‖x − x̂‖")
    {
        ArgumentNullException.ThrowIfNull(original);
        var dist = MeanDistance(original, approximation);
        var baseline = RandomPairDistance(original, seed);
        return new DistanceComparison(quantity, dist, baseline, (int)(original.numel() / Math.Max(1, original.shape[0])));
    }

    /// <summary>
    /// Indices of the k nearest reference rows (Euclidean) for each query: queries [M, d], reference [N, d] → [M, k] int64,
    /// nearest first. With <paramref name="excludeSelf"/> (queries are the reference itself, M = N) a row is not its own neighbour.
    /// </summary>
    public static Tensor NearestIndices(Tensor queries, Tensor reference, int k = 1, bool excludeSelf = false, int chunk = 1024)
    {
        CheckFeatures(queries, nameof(queries));
        CheckFeatures(reference, nameof(reference));
        if (queries.shape[1] != reference.shape[1])
            throw new ArgumentException($"queries have {queries.shape[1]} features but the reference has {reference.shape[1]}; both must be [*, d].");
        if (k < 1 || k > reference.shape[0] - (excludeSelf ? 1 : 0))
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and the number of reference rows{(excludeSelf ? " − 1" : "")} ({reference.shape[0]}).");
        if (excludeSelf && queries.shape[0] != reference.shape[0])
            throw new ArgumentException("excludeSelf needs the queries to be the reference rows themselves (same M = N).", nameof(excludeSelf));
        if (chunk < 1) throw new ArgumentOutOfRangeException(nameof(chunk), chunk, "chunk must be ≥ 1.");
        using var scope = torch.NewDisposeScope();
        // float32 inputs stay float32 (ranking is what matters and the matmul is 2–4× faster); others go to float64.
        var dtype = reference.dtype == ScalarType.Float32 && queries.dtype == ScalarType.Float32 ? ScalarType.Float32 : ScalarType.Float64;
        var r = reference.detach().to(dtype);
        var q = queries.detach().to(dtype).to(r.device);
        var rNorm = r.square().sum(1);                                      // [N]
        var parts = new List<Tensor>();
        long m = q.shape[0];
        for (long i = 0; i < m; i += chunk)
        {
            long len = Math.Min(chunk, m - i);
            var qi = q.narrow(0, i, len);
            // ‖q − r‖² = ‖q‖² + ‖r‖² − 2 q·r, [len, N]
            var d2 = qi.square().sum(1, keepdim: true) + rNorm.unsqueeze(0) - 2 * qi.matmul(r.t());
            if (excludeSelf)
            {
                var rows = torch.arange(len, device: r.device);
                d2.index_put_(double.PositiveInfinity, rows, rows + i);
            }
            parts.Add(d2.topk(k, dim: 1, largest: false, sorted: true).indexes);
        }
        return torch.cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// 1-nearest-neighbour classification accuracy (Euclidean) of features: each test row gets the label of its
    /// nearest training row. Features [N, d] / [M, d], labels int64 [N] / [M]. Returns the fraction correct in [0, 1].
    /// </summary>
    public static double NearestNeighbourAccuracy(Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, Tensor testLabels, int chunk = 1024)
    {
        CheckLabels(trainFeatures, trainLabels, "train");
        CheckLabels(testFeatures, testLabels, "test");
        using var scope = torch.NewDisposeScope();
        var nn = NearestIndices(testFeatures, trainFeatures, 1, chunk: chunk).squeeze(1);
        var predicted = trainLabels.to(nn.device).index_select(0, nn);
        return predicted.eq(testLabels.to(nn.device)).to(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>
    /// Linear probe: multinomial logistic regression softmax(W·f + b) trained on frozen features, scored on held-out ones.
    /// Features are standardized with the training mean and std; W and b start at zero and are fitted by full-batch Adam
    /// on the cross-entropy + <paramref name="weightDecay"/>·‖W‖², so the result is deterministic (no seed needed).
    /// </summary>
    /// <param name="trainFeatures">[N, d] float.</param>
    /// <param name="trainLabels">[N] int64 in [0, K).</param>
    /// <param name="testFeatures">[M, d] float.</param>
    /// <param name="testLabels">[M] int64.</param>
    /// <param name="iterations">Full-batch Adam steps (≥ 1, default 500).</param>
    /// <param name="learningRate">Adam learning rate (default 0.05).</param>
    /// <param name="weightDecay">L2 weight on W (≥ 0, default 1e-4).</param>
    public static LinearProbeResult LinearProbe(Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, Tensor testLabels,
        int iterations = 500, double learningRate = 0.05, double weightDecay = 1e-4)
    {
        CheckLabels(trainFeatures, trainLabels, "train");
        CheckLabels(testFeatures, testLabels, "test");
        if (trainFeatures.shape[1] != testFeatures.shape[1])
            throw new ArgumentException($"train features have {trainFeatures.shape[1]} dimensions but test features {testFeatures.shape[1]}; extract both with the same encoder.");
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "the probe needs at least one iteration (500 is the default).");
        if (!(learningRate > 0) || double.IsInfinity(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "the learning rate must be a finite number > 0.");
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "the weight decay must be a finite number ≥ 0.");
        using var scope = torch.NewDisposeScope();
        var dev = trainFeatures.device;
        var xTrain = trainFeatures.detach().to(ScalarType.Float32);
        var xTest = testFeatures.detach().to(ScalarType.Float32).to(dev);
        var yTrain = trainLabels.to(dev);
        var yTest = testLabels.to(dev);
        int k = (int)Math.Max(yTrain.max().item<long>(), yTest.max().item<long>()) + 1;
        int d = (int)xTrain.shape[1];
        // Standardize with training statistics so the step size means the same for every encoder (trained or random).
        var mean = xTrain.mean([0L], keepdim: true);
        var std = xTrain.std(0, keepdim: true) + 1e-6;
        xTrain = (xTrain - mean) / std;
        xTest = (xTest - mean) / std;
        var w = new TorchSharp.Modules.Parameter(torch.zeros(d, k, device: dev));
        var b = new TorchSharp.Modules.Parameter(torch.zeros(k, device: dev));
        using var opt = torch.optim.Adam([w, b], learningRate);
        double loss = double.NaN;
        for (int it = 0; it < iterations; it++)
        {
            using var step = torch.NewDisposeScope();
            opt.zero_grad();
            var ce = nn.functional.cross_entropy(xTrain.matmul(w) + b, yTrain);
            var total = weightDecay > 0 ? ce + weightDecay * w.square().sum() : ce;
            total.backward();
            opt.step();
            if (it == iterations - 1) loss = ce.item<float>();
        }
        using var _ = torch.no_grad();
        double Acc(Tensor x, Tensor y) => (x.matmul(w) + b).argmax(1).eq(y).to(ScalarType.Float64).mean().item<double>();
        return new LinearProbeResult(Acc(xTrain, yTrain), Acc(xTest, yTest), loss, iterations, k, d);
    }

    /// <summary>
    /// Index of the nearest centre for each point: points [n, d] (tensor, any device), centres [K, d] → int[n]
    /// (e.g. which mode of a Gaussian mixture each generated sample G(z) lands on, to colour the latent space).
    /// </summary>
    public static int[] NearestCentre(Tensor points, double[,] centres)
    {
        ArgumentNullException.ThrowIfNull(centres);
        CheckFeatures(points, nameof(points));
        if (centres.GetLength(0) < 1 || centres.GetLength(1) != points.shape[1])
            throw new ArgumentException($"centres must be [K ≥ 1, {points.shape[1]}]; got [{centres.GetLength(0)}, {centres.GetLength(1)}].", nameof(centres));
        using var scope = torch.NewDisposeScope();
        var flat = new double[centres.Length];
        Buffer.BlockCopy(centres, 0, flat, 0, flat.Length * sizeof(double));
        var c = torch.tensor(flat, [centres.GetLength(0), centres.GetLength(1)], ScalarType.Float64, points.device).to(points.dtype);
        var idx = NearestIndices(points, c, 1).squeeze(1).cpu();
        return idx.data<long>().ToArray().Select(v => (int)v).ToArray();
    }

    static void CheckFeatures(Tensor f, string name)
    {
        ArgumentNullException.ThrowIfNull(f, name);
        if (f.dim() != 2 || f.shape[0] < 1 || f.shape[1] < 1)
            throw new ArgumentException($"{name} must be a non-empty feature matrix [n, d]; got {Shapes.Of(f)}. Flatten with reshape(n, -1).", name);
        if (!f.is_floating_point())
            throw new ArgumentException($"{name} has dtype {f.dtype}; features must be floating point.", name);
    }

    static void CheckLabels(Tensor features, Tensor labels, string which)
    {
        CheckFeatures(features, which + "Features");
        ArgumentNullException.ThrowIfNull(labels, which + "Labels");
        if (labels.dim() != 1 || labels.shape[0] != features.shape[0])
            throw new ArgumentException($"{which} labels must be [n] with n = {features.shape[0]} (one per feature row); got {Shapes.Of(labels)}.", which + "Labels");
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"{which} labels must be int64; got {labels.dtype}. Use labels.to_type(ScalarType.Int64).", which + "Labels");
        if (labels.min().item<long>() < 0)
            throw new ArgumentException($"{which} labels must be ≥ 0 (class indices).", which + "Labels");
    }
}
