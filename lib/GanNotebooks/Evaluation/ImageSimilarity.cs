using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>
/// Full-reference image metrics for translation and super-resolution, where every output has a true image: mean
/// absolute error, PSNR, SSIM — and a no-reference sharpness (high-frequency energy). Images are [N, C, H, W] on
/// the kit's [−1, 1] scale (data range 2); every metric is computed per image and averaged over the N images.
/// </summary>
public static class ImageSimilarity
{
    /// <summary>The data range of the kit's images, max − min = 1 − (−1).</summary>
    public const double KitRange = 2.0;

    /// <summary>Mean absolute error per pixel, averaged over images: the pix2pix L1 term as a metric.</summary>
    public static double L1(Tensor output, Tensor truth)
    {
        Check(output, truth);
        using var scope = torch.NewDisposeScope();
        return (output.to_type(ScalarType.Float64) - truth.to_type(ScalarType.Float64)).abs().mean().item<double>();
    }

    /// <summary>PSNR of a mean squared error: 10·log10(range² / mse) dB (∞ for mse = 0).</summary>
    public static double PsnrFromMse(double mse, double dataRange = KitRange)
    {
        if (!(mse >= 0)) throw new ArgumentOutOfRangeException(nameof(mse), mse, "a mean squared error is ≥ 0.");
        if (!(dataRange > 0)) throw new ArgumentOutOfRangeException(nameof(dataRange), dataRange, "the data range must be > 0 (2 for images in [−1, 1], 1 for [0, 1]).");
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(dataRange * dataRange / mse);
    }

    /// <summary>
    /// Peak signal-to-noise ratio in dB, 10·log10(range² / MSE) per image, averaged over images (the convention of the
    /// super-resolution papers' tables). Identical images give +∞ for that image; pass distinct images.
    /// </summary>
    public static double Psnr(Tensor output, Tensor truth, double dataRange = KitRange)
    {
        Check(output, truth);
        using var scope = torch.NewDisposeScope();
        var d = output.to_type(ScalarType.Float64) - truth.to_type(ScalarType.Float64);
        var mse = (d * d).flatten(1).mean([1L]);
        return mse.data<double>().ToArray().Average(m => PsnrFromMse(m, dataRange));
    }

    /// <summary>
    /// Structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004, eq. 13) with their settings: an 11×11 Gaussian
    /// window of σ = 1.5, K1 = 0.01, K2 = 0.03, C1 = (K1·L)², C2 = (K2·L)², local statistics without the sample
    /// correction, the SSIM map over the valid window positions (no padding), its mean per image and channel, averaged.
    /// SSIM(x, x) = 1; it is ≤ 1 and can be negative.
    /// </summary>
    /// <param name="output">Images [N, C, H, W] with H, W ≥ <paramref name="window"/>.</param>
    /// <param name="truth">Reference images, same shape.</param>
    /// <param name="dataRange">L, max − min of the pixel scale (2 for the kit's [−1, 1]).</param>
    /// <param name="window">Odd side of the Gaussian window (11 in the paper; 7 for very small images).</param>
    /// <param name="sigma">Standard deviation of the window in pixels.</param>
    public static double Ssim(Tensor output, Tensor truth, double dataRange = KitRange, int window = 11, double sigma = 1.5)
    {
        Check(output, truth);
        if (!(dataRange > 0)) throw new ArgumentOutOfRangeException(nameof(dataRange), dataRange, "the data range must be > 0 (2 for images in [−1, 1]).");
        if (window < 1 || window % 2 == 0) throw new ArgumentOutOfRangeException(nameof(window), window, "the window side must be odd and ≥ 1 (11 in Wang et al. 2004).");
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "the window's σ must be > 0 (1.5 in Wang et al. 2004).");
        if (output.shape[2] < window || output.shape[3] < window)
            throw new ArgumentException($"images {Shapes.Of(output)} are smaller than the {window}×{window} window; pass a smaller odd window.", nameof(output));
        using var scope = torch.NewDisposeScope();
        var x = output.to_type(ScalarType.Float64).reshape(-1, 1, output.shape[2], output.shape[3]);
        var y = truth.to_type(ScalarType.Float64).reshape(-1, 1, truth.shape[2], truth.shape[3]);
        var w = GaussianWindow(window, sigma).to(x.device);
        Tensor Filter(Tensor t) => nn.functional.conv2d(t, w);
        var mx = Filter(x); var my = Filter(y);
        var sxx = Filter(x * x) - mx * mx;
        var syy = Filter(y * y) - my * my;
        var sxy = Filter(x * y) - mx * my;
        double c1 = Math.Pow(0.01 * dataRange, 2), c2 = Math.Pow(0.03 * dataRange, 2);
        var map = (2 * mx * my + c1) * (2 * sxy + c2) / ((mx * mx + my * my + c1) * (sxx + syy + c2));
        return map.mean().item<double>();
    }

    /// <summary>The normalized 2D Gaussian window [1, 1, k, k] (float64, sums to 1).</summary>
    public static Tensor GaussianWindow(int size, double sigma)
    {
        var g = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) { double d = i - (size - 1) / 2.0; g[i] = Math.Exp(-d * d / (2 * sigma * sigma)); sum += g[i]; }
        var k = new double[size * size];
        for (int i = 0; i < size; i++) for (int j = 0; j < size; j++) k[i * size + j] = g[i] * g[j] / (sum * sum);
        return torch.tensor(k, dtype: ScalarType.Float64).reshape(1, 1, size, size);
    }

    /// <summary>
    /// Sharpness as high-frequency energy: the mean over pixels of the squared response to the 4-neighbour Laplacian
    /// [[0, 1, 0], [1, −4, 1], [0, 1, 0]] (valid positions, no padding), averaged over images and channels. Blur
    /// removes high frequencies and lowers it; a constant image scores 0; a ±1 checkerboard scores 64. Compare an
    /// output's value with the true images' (a ratio near 1 = as sharp as the truth; noise can exceed it).
    /// </summary>
    public static double Sharpness(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[2] < 3 || images.shape[3] < 3)
            throw new ArgumentException($"expected images [N, C, H, W] with H, W ≥ 3; got {Shapes.Of(images)}.", nameof(images));
        using var scope = torch.NewDisposeScope();
        var x = images.to_type(ScalarType.Float64).reshape(-1, 1, images.shape[2], images.shape[3]);
        var k = torch.tensor(new double[] { 0, 1, 0, 1, -4, 1, 0, 1, 0 }, dtype: ScalarType.Float64, device: x.device).reshape(1, 1, 3, 3);
        var r = nn.functional.conv2d(x, k);
        return (r * r).mean().item<double>();
    }

    static void Check(Tensor output, Tensor truth)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(truth);
        if (output.dim() != 4) throw new ArgumentException($"expected images [N, C, H, W]; got {Shapes.Of(output)}.", nameof(output));
        if (!output.shape.SequenceEqual(truth.shape))
            throw new ArgumentException($"output {Shapes.Of(output)} and truth {Shapes.Of(truth)} must have the same shape (upsample or crop first).", nameof(truth));
    }
}
