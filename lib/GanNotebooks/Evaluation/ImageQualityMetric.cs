using GanNotebooks.Core;
using GanNotebooks.Data.Images;
using GanNotebooks.Evaluation.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>
/// One evaluation of generated images by <see cref="ImageQualityMetric"/>.
/// </summary>
/// <param name="Count">N, generated images scored.</param>
/// <param name="FrechetDistance">Fréchet distance d² between the feature Gaussians of the generated images and the real reference half.</param>
/// <param name="Baseline">The same distance for N held-out real images (the other half): what a perfect generator would score at this N.</param>
/// <param name="Accuracy">Classifier accuracy on the generated images against their intended labels (conditional samples), or null.</param>
/// <param name="ClassHistogram">Fraction of generated images the classifier assigns to each class, or null without a classifier.</param>
/// <param name="DroppedClasses">Classes that receive less than half the share they get among held-out real images (mode dropping).</param>
/// <param name="HistogramKl">KL(generated histogram ‖ real held-out histogram) in nats (0 = same class balance).</param>
/// <param name="FrechetDetails">How <paramref name="FrechetDistance"/> was computed (solver, ridge, notes), or null.</param>
/// <param name="BaselineDetails">How <paramref name="Baseline"/> was computed, or null.</param>
public sealed record ImageQualityReport(int Count, double FrechetDistance, double Baseline, double? Accuracy, double[]? ClassHistogram,
    IReadOnlyList<int> DroppedClasses, double HistogramKl, FrechetResult? FrechetDetails = null, FrechetResult? BaselineDetails = null)
{
    /// <summary>FrechetDistance / Baseline (1 = as close as another real sample).</summary>
    public double RatioToBaseline => FrechetDistance / Baseline;

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"FD {FrechetDistance:G4} (real baseline {Baseline:G4}, ×{RatioToBaseline:F1}) on {Count} images") +
        (Accuracy is double a ? FormattableString.Invariant($"; accuracy {a:P1}") : "") +
        (ClassHistogram is null ? "" : FormattableString.Invariant($"; class KL {HistogramKl:F3}, dropped {DroppedClasses.Count}")) +
        (FrechetDetails?.Note is string fn ? $"; FD: {fn}" : "") +
        (BaselineDetails?.Note is string bn ? $"; baseline: {bn}" : "");
}

/// <summary>
/// An FID-style image-quality score (Heusel et al. 2017, §5): the Fréchet distance between Gaussians fitted to a
/// feature network's embeddings of generated and of real images (<see cref="FrechetDistance.FromFeatures(Tensor, Tensor)"/>),
/// plus what the same network says as a classifier: accuracy on conditional samples, and the class histogram of
/// unconditional samples (a generator that drops a mode leaves a class nearly empty).
/// <para>
/// The real set is split once, at random (seeded), into two disjoint halves: the reference half that every score is
/// measured against and a held-out half whose distance to the reference is the real-vs-real baseline. The Fréchet
/// distance is biased upwards at small N, so the baseline is always computed with the same N as the generated set
/// being scored. Scores from a course-internal feature network are comparable across runs of the kit, not with
/// published FIDs (Inception-v3).
/// </para>
/// </summary>
public sealed class ImageQualityMetric : IDisposable
{
    readonly Func<Tensor, Tensor> _features;
    readonly Func<Tensor, Tensor>? _predict;
    readonly IDisposable? _owned;
    Tensor? _reference, _heldOut, _heldOutPredicted;

    /// <summary>Builds the metric from a feature network and, optionally, its classifier head.</summary>
    /// <param name="features">images [N, C, H, W] → features [N, d] (any device; the result is copied to the CPU).</param>
    /// <param name="predict">images [N, C, H, W] → predicted labels int64 [N], or null (no accuracy / histogram).</param>
    /// <param name="classNames">Class names (their count K is the histogram's length); required with <paramref name="predict"/>.</param>
    /// <param name="owned">Disposed with this metric (e.g. the feature network).</param>
    public ImageQualityMetric(Func<Tensor, Tensor> features, Func<Tensor, Tensor>? predict = null, IReadOnlyList<string>? classNames = null, IDisposable? owned = null)
    {
        _features = features ?? throw new ArgumentNullException(nameof(features));
        _predict = predict;
        if (predict is not null && (classNames is null || classNames.Count < 2))
            throw new ArgumentException("a metric with a classifier needs its class names (at least 2).", nameof(classNames));
        ClassNames = classNames?.ToArray() ?? [];
        _owned = owned;
    }

    /// <summary>
    /// The course's yardstick for Fashion-MNIST-like images [N, 1, 28|32, 28|32] in [−1, 1]: the shipped, checksum-verified
    /// <see cref="FashionClassifier"/> (its 128-d feature layer for the Fréchet distance, its predictions for accuracy and
    /// histograms). The metric owns and disposes the classifier.
    /// </summary>
    /// <param name="device">null → <see cref="Runtime.Devices.Current"/>.</param>
    /// <param name="dataDirectory">The data/ folder; null → <see cref="Kit.DataDirectory"/>.</param>
    public static ImageQualityMetric FashionMnist(Device? device = null, string? dataDirectory = null)
    {
        var classifier = FashionClassifier.LoadShipped(device, dataDirectory);
        return new ImageQualityMetric(x => classifier.Features(x), x => classifier.Predict(x), ShippedDatasets.FashionMnistClasses, owned: classifier);
    }

    /// <summary>A metric on a given classifier (not disposed by the metric), e.g. one trained with FashionClassifierTraining.</summary>
    public static ImageQualityMetric FromClassifier(FashionClassifier classifier, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        return new ImageQualityMetric(x => classifier.Features(x), x => classifier.Predict(x), classNames ?? ShippedDatasets.FashionMnistClasses);
    }

    /// <summary>Class names of the classifier (empty without one).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>True when a classifier is attached (accuracy and histograms available).</summary>
    public bool HasClassifier => _predict is not null;

    /// <summary>Images in the reference half (0 before <see cref="SetReal"/>).</summary>
    public int ReferenceCount => _reference is null ? 0 : (int)_reference.shape[0];

    /// <summary>Images in the held-out half (0 before <see cref="SetReal"/>).</summary>
    public int HeldOutCount => _heldOut is null ? 0 : (int)_heldOut.shape[0];

    /// <summary>
    /// Embeds the real images and splits them at random (seeded) into the reference half (⌈N/2⌉) and the
    /// held-out half (⌊N/2⌋). Call once before scoring. Images [N, C, H, W], N ≥ 4.
    /// </summary>
    public void SetReal(Tensor realImages, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(realImages);
        long n = realImages.shape[0];
        if (realImages.dim() != 4 || n < 4)
            throw new ArgumentException($"real images must be [N, C, H, W] with N ≥ 4 (thousands for a stable score); got {Shapes.Of(realImages)}.", nameof(realImages));
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var perm = Enumerable.Range(0, (int)n).Select(i => (long)i).ToArray();
        rng.Shuffle(perm);
        long half = (n + 1) / 2;
        using var scope = torch.NewDisposeScope();
        var feats = Features(realImages);
        FrechetDistance.RequireFinite(feats, RealName);   // a broken feature network shows here, not at the first score
        var idx = torch.tensor(perm);
        _reference?.Dispose(); _heldOut?.Dispose(); _heldOutPredicted?.Dispose();
        _reference = feats.index_select(0, idx[..(int)half]).DetachFromDisposeScope();
        _heldOut = feats.index_select(0, idx[(int)half..]).DetachFromDisposeScope();
        _heldOutPredicted = _predict is null ? null
            : Predicted(realImages.index_select(0, idx[(int)half..].to(realImages.device))).DetachFromDisposeScope();
    }

    /// <summary>
    /// The real-vs-real baseline: d² between the first <paramref name="n"/> held-out real images (all when null) and
    /// the reference half. Use the N of the generated set you compare it with.
    /// </summary>
    public double Baseline(int? n = null) => MeasureBaseline(n).Distance;

    /// <summary><see cref="Baseline"/> with how the distance was computed (solver, ridge, notes).</summary>
    public FrechetResult MeasureBaseline(int? n = null)
    {
        var held = _heldOut ?? throw NoReal();
        int k = n ?? HeldOutCount;
        if (k < 2 || k > HeldOutCount)
            throw new ArgumentOutOfRangeException(nameof(n), k, $"the baseline needs 2 ≤ n ≤ {HeldOutCount} (the held-out half); score at most that many generated images.");
        using var part = held.narrow(0, 0, k);
        return FrechetDistance.Measure(part, _reference!, "real images (held-out half)", RealName + " (reference half)");
    }

    /// <summary>d² between the generated images [N, C, H, W] (N ≥ 2) and the reference half.</summary>
    public double Score(Tensor generated) => Measure(generated).Distance;

    /// <summary>
    /// <see cref="Score"/> with how the distance was computed (solver, ridge, notes). Generated images whose features
    /// hold NaN/∞ throw an <see cref="ArgumentException"/> that names them.
    /// </summary>
    public FrechetResult Measure(Tensor generated)
    {
        var reference = _reference ?? throw NoReal();
        using var f = Features(generated);
        return FrechetDistance.Measure(f, reference, "generated images", RealName + " (reference half)");
    }

    /// <summary>d² between two image sets [N1, C, H, W] and [N2, C, H, W] (no reference needed).</summary>
    public double Distance(Tensor imagesA, Tensor imagesB)
    {
        using var a = Features(imagesA);
        using var b = Features(imagesB);
        return FrechetDistance.Measure(a, b, "first image set", "second image set").Distance;
    }

    const string RealName = "real images";

    /// <summary>Fraction of images [N, C, H, W] the classifier labels as <paramref name="labels"/> [N] (conditional samples: chance is 1/K).</summary>
    public double Accuracy(Tensor images, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels must be [N] with N = {images.shape[0]}; got {Shapes.Of(labels)}.", nameof(labels));
        using var scope = torch.NewDisposeScope();
        var p = Predicted(images);
        return p.eq(labels.cpu().to_type(ScalarType.Int64)).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>Per-class accuracy (double[K]; NaN for a class with no image) of images [N, C, H, W] with intended labels [N].</summary>
    public double[] AccuracyPerClass(Tensor images, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        var p = Predicted(images);
        var y = labels.cpu().to_type(ScalarType.Int64);
        var hits = p.eq(y).to_type(ScalarType.Float64);
        int k = ClassNames.Count;
        var correct = torch.zeros(k, dtype: ScalarType.Float64).index_add(0, y, hits, 1);
        var total = torch.bincount(y, minlength: k).to_type(ScalarType.Float64);
        return (correct / total).data<double>().ToArray();
    }

    /// <summary>Fraction of images [N, C, H, W] the classifier assigns to each class (double[K], sums to 1).</summary>
    public double[] ClassHistogram(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        return Histogram(Predicted(images));
    }

    /// <summary>The class histogram the classifier gives the held-out real half (what a generator should match).</summary>
    public double[] RealClassHistogram()
    {
        if (_predict is null) throw NoClassifier();
        return Histogram(_heldOutPredicted ?? throw NoReal());
    }

    /// <summary>
    /// Scores generated images [N, C, H, W] (N ≤ held-out count): Fréchet distance, the baseline at the same N, and
    /// with a classifier the class histogram (mode dropping) and, when <paramref name="labels"/> [N] are given (conditional
    /// samples), the accuracy.
    /// </summary>
    public ImageQualityReport Evaluate(Tensor generated, Tensor? labels = null)
    {
        ArgumentNullException.ThrowIfNull(generated);
        int n = (int)generated.shape[0];
        var fd = Measure(generated);
        var baseline = MeasureBaseline(Math.Min(n, HeldOutCount));
        if (_predict is null) return new ImageQualityReport(n, fd.Distance, baseline.Distance, null, null, [], double.NaN, fd, baseline);
        using var scope = torch.NewDisposeScope();
        var predicted = Predicted(generated);
        var hist = Histogram(predicted);
        var real = RealClassHistogram();
        var dropped = Enumerable.Range(0, hist.Length).Where(k => hist[k] < 0.5 * real[k]).ToArray();
        double kl = 0;
        for (int k = 0; k < hist.Length; k++)
            if (hist[k] > 0) kl += hist[k] * Math.Log(hist[k] / Math.Max(real[k], 1e-12));
        double? acc = labels is null ? null : predicted.eq(labels.cpu().to_type(ScalarType.Int64)).to_type(ScalarType.Float64).mean().item<double>();
        return new ImageQualityReport(n, fd.Distance, baseline.Distance, acc, hist, dropped, kl, fd, baseline);
    }

    Tensor Features(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = torch.NewDisposeScope();
        Tensor f;
        using (torch.no_grad()) f = _features(images);
        if (f is null || f.dim() != 2 || f.shape[0] != images.shape[0])
            throw new InvalidOperationException($"the feature function must return [N, d] with N = {images.shape[0]}; got {(f is null ? "null" : Shapes.Of(f))}.");
        return f.detach().to(ScalarType.Float32, torch.CPU).MoveToOuterDisposeScope();
    }

    Tensor Predicted(Tensor images)
    {
        if (_predict is null) throw NoClassifier();
        using var scope = torch.NewDisposeScope();
        Tensor p;
        using (torch.no_grad()) p = _predict(images);
        if (p is null || p.dim() != 1 || p.shape[0] != images.shape[0])
            throw new InvalidOperationException($"the classifier must return labels [N] with N = {images.shape[0]}.");
        return p.cpu().to_type(ScalarType.Int64).MoveToOuterDisposeScope();
    }

    double[] Histogram(Tensor predicted)
    {
        using var scope = torch.NewDisposeScope();
        var counts = torch.bincount(predicted, minlength: ClassNames.Count).to_type(ScalarType.Float64);
        return (counts / Math.Max(1, predicted.shape[0])).data<double>().ToArray();
    }

    static InvalidOperationException NoReal() => new("No real images yet: call SetReal(realImages, seed) first (e.g. with the whole Fashion-MNIST test split).");
    static InvalidOperationException NoClassifier() => new("This metric has no classifier: build it with a predict function and class names.");

    /// <summary>Frees the kept features (and the owned feature network).</summary>
    public void Dispose()
    {
        _reference?.Dispose(); _heldOut?.Dispose(); _heldOutPredicted?.Dispose();
        _reference = _heldOut = _heldOutPredicted = null;
        _owned?.Dispose();
    }
}
