using GanNotebooks.Data.Images;
using GanNotebooks.Runtime;
using TorchSharp;

namespace GanNotebooks.Tests.Data.Images;

public class ShippedDatasetTests
{
    [Fact]
    public void FashionMnistTestSplitHasTenThousandBalancedImages()
    {
        using var ds = ShippedDatasets.FashionMnistTest(device: torch.CPU);
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, ds.Images.shape);
        Assert.Equal(new long[] { 10000 }, ds.Labels.shape);
        Assert.Equal(torch.ScalarType.Int64, ds.Labels.dtype);
        Assert.Equal(-1f, ds.Images.min().item<float>());
        Assert.Equal(1f, ds.Images.max().item<float>());
        Assert.All(ds.ClassCounts(), c => Assert.Equal(1000, c));
        Assert.Equal(10, ds.ClassNames.Count);
        Assert.Equal("T-shirt/top", ds.ClassNames[0]);
        Assert.Equal("Ankle boot", ds.ClassNames[9]);
        // The test split's first labels (ankle boot, pullover, trouser, trouser, shirt, …), as in the official file.
        Assert.Equal(new long[] { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 }, ds.Labels[..10].data<long>().ToArray());
    }

    [Fact]
    public void FashionMnistMeanPixelMatchesTheFile()
    {
        // Mean of all 7,840,000 bytes / 255 of t10k-images, computed from the file with Python's gzip module.
        using var ds = ShippedDatasets.FashionMnistTest(PixelScale.ZeroToOne, device: torch.CPU);
        Assert.Equal(0.2868493, ds.Images.to_type(torch.ScalarType.Float64).mean().item<double>(), 6);
        Assert.Equal(0f, ds.Images.min().item<float>());
        Assert.Equal(1f, ds.Images.max().item<float>());
    }

    [Fact]
    public void MnistDigitsHaveTheirPerDigitCountsAndRoundRobinOrder()
    {
        using var ds = ShippedDatasets.MnistDigits(device: torch.CPU);
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, ds.Images.shape);
        Assert.Equal(new long[] { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 }, ds.ClassCounts());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), ds.Labels[..10].data<long>().ToArray());
        // Round-robin order: the first 8,630 images hold exactly 863 of each digit (863 = count of the rarest digit, 5).
        using (var balanced = ds.Take(8630)) Assert.All(balanced.ClassCounts(), c => Assert.Equal(863, c));
        Assert.Equal(-1f, ds.Images.min().item<float>());
        Assert.Equal(1f, ds.Images.max().item<float>());
        // Mean ink of the 10,000 digits in [0, 1] is 0.131126 (computed from the IDX file).
        Assert.Equal(0.131126, ((ds.Images.to_type(torch.ScalarType.Float64).mean() + 1) / 2).item<double>(), 5);
    }

    [Fact]
    public void LimitAndPaddingGiveCentredThirtyTwoPixelImages()
    {
        using var plain = ShippedDatasets.MnistDigits(limit: 6, device: torch.CPU);
        using var padded = ShippedDatasets.MnistDigits(limit: 6, padTo: 32, device: torch.CPU);
        Assert.Equal(new long[] { 6, 1, 32, 32 }, padded.Images.shape);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5 }, padded.Labels.data<long>().ToArray());
        // Border of 2 pixels is background −1; the centre is the original image.
        Assert.Equal(-1f, padded.Images[.., .., ..2, ..].max().item<float>());
        Assert.Equal(-1f, padded.Images[.., .., .., 30..].max().item<float>());
        Assert.True(padded.Images[.., .., 2..30, 2..30].eq(plain.Images).all().item<bool>());
    }

    [Fact]
    public void DefaultDeviceIsDevicesCurrent()
    {
        using var ds = ShippedDatasets.FashionMnistTest(limit: 4);
        Assert.Equal(Devices.Current.type, ds.Device.type);
        Assert.Equal(Devices.Current.type, ds.Labels.device.type);
    }

    [Fact]
    public void ChecksumListCoversTheShippedFilesAndAllVerify()
    {
        var dir = ShippedDatasets.ResolveDataDirectory();
        var list = Checksums.ReadSha256List(Path.Combine(dir, ShippedDatasets.ChecksumFile));
        Assert.Contains(ShippedDatasets.FashionMnistTestImages, list.Keys);
        Assert.Contains(ShippedDatasets.MnistDigitsLabels, list.Keys);
        Assert.Equal("cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa", list[ShippedDatasets.FashionMnistTestImages]);
        Assert.All(ShippedDatasets.VerifyAll(), line => Assert.StartsWith("OK ", line));
    }

    [Fact]
    public void ChangedShippedFileIsAChecksumError()
    {
        using var tmp = new TempDir("gankit-data");
        var real = ShippedDatasets.ResolveDataDirectory();
        Directory.CreateDirectory(Path.Combine(tmp.Path, "mnist"));
        File.Copy(Path.Combine(real, ShippedDatasets.ChecksumFile), tmp.File(ShippedDatasets.ChecksumFile));
        var labels = File.ReadAllBytes(Path.Combine(real, ShippedDatasets.MnistDigitsLabels));
        labels[^1] ^= 0x01;
        File.WriteAllBytes(tmp.File(ShippedDatasets.MnistDigitsLabels), labels);

        var e = Assert.Throws<ChecksumMismatchException>(() => ShippedDatasets.Locate(ShippedDatasets.MnistDigitsLabels, tmp.Path));
        Assert.Contains("digits-labels-idx1-ubyte.gz", e.Message);
        Assert.Contains("expected Sha256 0fe708880939233309d2a8dc2e207080403e86fe58ca74aae59309b580944abd", e.Message);
        Assert.Contains("git checkout", e.Message);
        Assert.NotEqual("0fe708880939233309d2a8dc2e207080403e86fe58ca74aae59309b580944abd", e.ActualSha256);

        // The whole-folder check reports it too, and a missing file is named.
        var report = ShippedDatasets.VerifyAll(tmp.Path);
        Assert.Contains(report, l => l.StartsWith("FAILED mnist/digits-labels", StringComparison.Ordinal));
        Assert.Contains(report, l => l.StartsWith("FAILED fashion-mnist/t10k-images", StringComparison.Ordinal) && l.Contains("missing"));
    }

    [Fact]
    public void FileNotInTheListIsRejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => ShippedDatasets.Locate("mnist/other.gz"));
        Assert.Contains("'mnist/other.gz' is not listed", e.Message);
    }

    [Fact]
    public void MissingDataFolderSaysHowToFixIt()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => ShippedDatasets.ResolveDataDirectory("/nonexistent/gankit/data"));
        Assert.Contains(Kit.DataEnvironmentVariable, e.Message);
    }
}
