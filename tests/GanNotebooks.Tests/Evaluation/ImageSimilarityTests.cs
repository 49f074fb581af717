using GanNotebooks.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Evaluation;

public class ImageSimilarityTests
{
    [Fact]
    public void Psnr_of_a_known_mean_squared_error()
    {
        // range 2 (the kit's [−1, 1]) and MSE 0.04: 10·log10(4 / 0.04) = 20 dB; range 1 and MSE 0.01: 20 dB; MSE 1e-4 at range 1: 40 dB.
        Assert.Equal(20.0, ImageSimilarity.PsnrFromMse(0.04), 10);
        Assert.Equal(20.0, ImageSimilarity.PsnrFromMse(0.01, dataRange: 1), 10);
        Assert.Equal(40.0, ImageSimilarity.PsnrFromMse(1e-4, dataRange: 1), 10);
        Assert.Equal(double.PositiveInfinity, ImageSimilarity.PsnrFromMse(0));
        using var scope = torch.NewDisposeScope();
        var truth = torch.zeros(3, 1, 4, 4);
        var output = truth + 0.2f;                       // MSE 0.04 in every image
        Assert.Equal(20.0, ImageSimilarity.Psnr(output, truth), 4);
        // Per image, then averaged: MSEs 0.04 and 0.0004 give 20 dB and 40 dB, mean 30 (not the PSNR of the pooled MSE).
        var two = torch.cat([torch.zeros(1, 1, 2, 2) + 0.2f, torch.zeros(1, 1, 2, 2) + 0.02f], 0);
        Assert.Equal(30.0, ImageSimilarity.Psnr(two, torch.zeros(2, 1, 2, 2)), 3);
    }

    [Fact]
    public void Ssim_of_an_image_with_itself_is_one_and_drops_with_noise()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var x = torch.rand(4, 1, 28, 28) * 2 - 1;
        Assert.Equal(1.0, ImageSimilarity.Ssim(x, x), 6);
        var noisy = (x + 0.3 * torch.randn(4, 1, 28, 28)).clamp(-1, 1);
        var noisier = (x + 0.8 * torch.randn(4, 1, 28, 28)).clamp(-1, 1);
        double s1 = ImageSimilarity.Ssim(noisy, x), s2 = ImageSimilarity.Ssim(noisier, x);
        Assert.True(s1 < 0.99 && s2 < s1, $"SSIM should fall with noise: {s1} then {s2}");
        Assert.Equal(s1, ImageSimilarity.Ssim(x, noisy), 6);   // symmetric
    }

    [Fact]
    public void Ssim_of_two_constant_images_is_the_luminance_term()
    {
        // Constant images: σ = 0 everywhere, so SSIM = (2μxμy + C1)/(μx² + μy² + C1) · C2/C2.
        using var scope = torch.NewDisposeScope();
        double mx = 0.5, my = -0.25, c1 = Math.Pow(0.01 * 2, 2);
        double expected = (2 * mx * my + c1) / (mx * mx + my * my + c1);
        var x = torch.zeros(2, 1, 16, 16) + mx; var y = torch.zeros(2, 1, 16, 16) + my;
        Assert.Equal(expected, ImageSimilarity.Ssim(x, y), 6);
    }

    [Fact]
    public void Ssim_matches_a_hand_computed_three_by_three_case()
    {
        // One window position: a 3×3 image with a (numerically) flat 3×3 window (σ = 10⁶ → weights 1/9 to 1e-12).
        double[] xs = [0, 0.25, 0.5, -0.5, 1, 0.75, -1, 0, 0.5];
        double[] ys = [0.1, 0.2, 0.4, -0.6, 0.9, 0.9, -0.8, 0.1, 0.3];
        double mx = xs.Average(), my = ys.Average();
        double vx = xs.Average(v => v * v) - mx * mx, vy = ys.Average(v => v * v) - my * my;
        double cxy = xs.Zip(ys, (a, b) => a * b).Average() - mx * my;
        double c1 = Math.Pow(0.01 * 2, 2), c2 = Math.Pow(0.03 * 2, 2);
        double expected = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(xs).reshape(1, 1, 3, 3).to_type(ScalarType.Float32);
        var y = torch.tensor(ys).reshape(1, 1, 3, 3).to_type(ScalarType.Float32);
        Assert.Equal(expected, ImageSimilarity.Ssim(x, y, window: 3, sigma: 1e6), 5);
    }

    [Fact]
    public void The_gaussian_window_sums_to_one_and_peaks_in_the_middle()
    {
        using var w = ImageSimilarity.GaussianWindow(11, 1.5);
        Assert.Equal(1.0, w.sum().item<double>(), 12);
        Assert.Equal(w.max().item<double>(), w[0, 0, 5, 5].item<double>(), 15);
    }

    [Fact]
    public void Sharpness_is_the_energy_of_the_laplacian()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(0.0, ImageSimilarity.Sharpness(torch.zeros(2, 1, 8, 8) + 0.3), 12);
        // ±1 checkerboard: every response is −4c − 4c = −8c, squared 64.
        var i = torch.arange(8).reshape(8, 1); var j = torch.arange(8).reshape(1, 8);
        var board = (((i + j) % 2) * 2 - 1).to_type(ScalarType.Float32).reshape(1, 1, 8, 8);
        Assert.Equal(64.0, ImageSimilarity.Sharpness(board), 10);
        // A linear ramp has zero Laplacian; blurring a sharp image lowers the energy.
        var ramp = (j.to_type(ScalarType.Float32) / 7).expand(8, 8).reshape(1, 1, 8, 8);
        Assert.Equal(0.0, ImageSimilarity.Sharpness(ramp), 10);
        torch.manual_seed(5);
        var noise = torch.rand(2, 1, 16, 16) * 2 - 1;
        var blurred = nn.functional.avg_pool2d(noise, 3, 1, 1);
        Assert.True(ImageSimilarity.Sharpness(blurred) < 0.2 * ImageSimilarity.Sharpness(noise));
    }

    [Fact]
    public void L1_is_the_mean_absolute_error()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 0, 1, -1, 0.5f }).reshape(1, 1, 2, 2);
        Assert.Equal((0 + 1 + 1 + 0.5) / 4, ImageSimilarity.L1(a, torch.zeros(1, 1, 2, 2)), 6);
    }

    [Fact]
    public void Invalid_inputs_throw_with_the_fix()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.zeros(2, 1, 8, 8);
        Assert.Contains("same shape", Assert.Throws<ArgumentException>(() => ImageSimilarity.Psnr(a, torch.zeros(2, 1, 4, 4))).Message);
        Assert.Contains("smaller than the 11×11 window", Assert.Throws<ArgumentException>(() => ImageSimilarity.Ssim(a, a)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageSimilarity.Ssim(a, a, window: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageSimilarity.PsnrFromMse(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageSimilarity.PsnrFromMse(1, dataRange: 0));
        Assert.Throws<ArgumentException>(() => ImageSimilarity.Sharpness(torch.zeros(8, 8)));
    }
}
