using GanNotebooks.Data.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Features;

/// <summary>
/// Feature statistics for an FID-style image-quality score on Fashion-MNIST-like images: the mean vector μ and
/// covariance Σ of <see cref="FashionClassifier"/> features (Heusel et al. 2017, §5: FID compares the Gaussians
/// N(μ_r, Σ_r) and N(μ_g, Σ_g) fitted to real and generated features). The Fréchet distance between two such
/// Gaussians is computed by the kit's Metrics core from the statistics returned here.
/// <para>
/// The feature network is trained on the shipped Fashion-MNIST test split, so scores are course-internal: use them
/// to compare runs within the kit, not with published FID numbers (which use Inception-v3 on 299×299 RGB images).
/// </para>
/// </summary>
public sealed class ImageQuality : IDisposable
{
    readonly bool _ownsClassifier;
    (double[] Mean, double[,] Covariance)? _reference;

    /// <summary>Uses <paramref name="classifier"/> as the feature network.</summary>
    /// <param name="classifier">The feature network.</param>
    /// <param name="ownsClassifier">Whether <see cref="Dispose"/> disposes the classifier too.</param>
    public ImageQuality(FashionClassifier classifier, bool ownsClassifier = false)
    {
        Classifier = classifier ?? throw new ArgumentNullException(nameof(classifier));
        _ownsClassifier = ownsClassifier;
    }

    /// <summary>An instance on the shipped, checksum-verified classifier weights (see <see cref="FashionClassifier.LoadShipped"/>).</summary>
    /// <param name="device">null → <see cref="Runtime.Devices.Current"/>.</param>
    /// <param name="dataDirectory">The data/ folder; null → <see cref="Kit.DataDirectory"/>.</param>
    public static ImageQuality Shipped(Device? device = null, string? dataDirectory = null) =>
        new(FashionClassifier.LoadShipped(device, dataDirectory), ownsClassifier: true);

    /// <summary>The feature network.</summary>
    public FashionClassifier Classifier { get; }

    /// <summary>Features of images as a matrix: images [N, 1, 28|32, 28|32] in [−1, 1] → double[N, 128].</summary>
    public double[,] FeatureMatrix(Tensor images)
    {
        using var features = Classifier.Features(images);
        return ToMatrix(features);
    }

    /// <summary>
    /// Mean vector (double[128]) and unbiased covariance (double[128, 128], divisor N − 1, as numpy.cov and the FID
    /// reference code use) of the images' features. Images [N, 1, 28|32, 28|32] in [−1, 1], N ≥ 2.
    /// </summary>
    public (double[] Mean, double[,] Covariance) FeatureStatistics(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var features = Classifier.Features(images);
        return Statistics(features);
    }

    /// <summary>
    /// The reference statistics (typically of real images), computed once by <see cref="SetReference(Tensor)"/> and
    /// kept; null until then.
    /// </summary>
    public (double[] Mean, double[,] Covariance)? Reference => _reference;

    /// <summary>Computes and keeps the reference statistics of images [N, 1, 28|32, 28|32] (e.g. the real data set).</summary>
    public (double[] Mean, double[,] Covariance) SetReference(Tensor images) => (_reference = FeatureStatistics(images)).Value;

    /// <summary>Computes and keeps the reference statistics of a data set's images.</summary>
    public (double[] Mean, double[,] Covariance) SetReference(ImageDataset reference) => SetReference(reference.Images);

    /// <summary>
    /// Statistics of generated images [N, 1, 28|32, 28|32] together with the kept reference statistics, ready for
    /// a Fréchet distance.
    /// </summary>
    /// <exception cref="InvalidOperationException">No reference was set.</exception>
    public ((double[] Mean, double[,] Covariance) Generated, (double[] Mean, double[,] Covariance) Reference) Compare(Tensor generated)
    {
        var reference = _reference ?? throw new InvalidOperationException(
            "No reference statistics yet: call SetReference(realImages) first (e.g. with ShippedDatasets.FashionMnistTest().Images).");
        return (FeatureStatistics(generated), reference);
    }

    /// <summary>
    /// Mean (double[D]) and unbiased covariance (double[D, D], divisor N − 1) of a feature matrix [N, D], N ≥ 2,
    /// computed in float64.
    /// </summary>
    public static (double[] Mean, double[,] Covariance) Statistics(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2)
            throw new ArgumentException($"features must be [N, D]; got shape [{string.Join(", ", features.shape)}].", nameof(features));
        long n = features.shape[0];
        if (n < 2)
            throw new ArgumentException($"A covariance needs at least 2 feature vectors; got {n}. Pass more images (FID-style scores want thousands).", nameof(features));
        using var scope = torch.NewDisposeScope();
        var (mean, cov) = Metrics.FrechetDistance.MeanAndCovariance(features.detach().cpu().to_type(ScalarType.Float64));
        cov = (cov + cov.t()) / 2;                                 // exactly symmetric despite rounding
        return (mean.data<double>().ToArray(), ToMatrix(cov));
    }

    /// <summary>Copies a 2-D tensor to a double[rows, cols] array.</summary>
    public static double[,] ToMatrix(Tensor matrix) => Data.TensorArrays.ToMatrix(matrix);

    /// <summary>Disposes the classifier when this instance owns it.</summary>
    public void Dispose()
    {
        if (_ownsClassifier) Classifier.Dispose();
    }
}
