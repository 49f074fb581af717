using GanNotebooks.Runtime;
using System.Net;
using System.Security.Cryptography;
using static TorchSharp.torch;

namespace GanNotebooks.Data.Images;

/// <summary>One file of a downloadable dataset: its name on the mirrors and the digests it may have.</summary>
/// <param name="FileName">Name on every mirror and in the cache folder, e.g. "train-images-idx3-ubyte.gz".</param>
/// <param name="AcceptedHashes">Any one of these must match (the official MD5, or a known identical repackaging).</param>
public sealed record RemoteFile(string FileName, IReadOnlyList<FileHash> AcceptedHashes);

/// <summary>Where a full dataset comes from: mirrors tried in order, its two IDX files, its class names.</summary>
/// <param name="Name">E.g. "Fashion-MNIST train".</param>
/// <param name="Mirrors">Base addresses ending in '/' (https://, http:// or file://), tried in order per file.</param>
/// <param name="Images">The IDX3 images file.</param>
/// <param name="Labels">The IDX1 labels file.</param>
/// <param name="ClassNames">Name of each label.</param>
/// <param name="ExpectedCount">Number of items the files must hold (checked after reading; 0 = not checked).</param>
public sealed record FullDatasetSpec(string Name, IReadOnlyList<Uri> Mirrors, RemoteFile Images, RemoteFile Labels,
    IReadOnlyList<string> ClassNames, int ExpectedCount = 0);

/// <summary>What <see cref="FullDatasets"/> returned: the dataset, whether it is the full one, and what happened.</summary>
/// <param name="Dataset">The full dataset, or the shipped subset when it could not be obtained.</param>
/// <param name="IsFull">True when <paramref name="Dataset"/> is the requested full dataset.</param>
/// <param name="Message">What was done (downloaded / found in cache / why the shipped subset is used instead).</param>
public sealed record DatasetLoadResult(ImageDataset Dataset, bool IsFull, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Message}\n{Dataset}";
}

/// <summary>
/// The full MNIST and Fashion-MNIST datasets for users with internet access: each file is downloaded once into a
/// cache folder, checked against its documented digest, and written atomically (temporary file in the same folder,
/// then a rename), so that an interrupted download never leaves a file that looks complete. When the files cannot be
/// obtained (no network, a mirror down, a wrong digest) the shipped subset in data/ is returned instead, with a message
/// that says so — nothing is thrown for network problems.
/// </summary>
public static class FullDatasets
{
    // Digests: the MD5s are those documented by the publishers — Fashion-MNIST's README (zalandoresearch/fashion-mnist,
    // table "Get the Data") — and by torchvision's MNIST / FashionMNIST dataset definitions
    // (torchvision/datasets/mnist.py, `resources`), which list the same values for the official .gz files.
    // The SHA-256s marked "Debian" are of Debian's package dataset-fashion-mnist 0.0~git20200523.55506a9-1, which
    // re-gzipped the same IDX data (its .gz bytes differ from the official ones, so the MD5s do not apply to them);
    // they were computed on this project's machines from that package. They let a Debian install serve as a mirror.
    const string FashionReadme = "Fashion-MNIST README / torchvision";
    const string TorchvisionMnist = "torchvision MNIST resources";
    const string DebianFashion = "Debian dataset-fashion-mnist 0.0~git20200523.55506a9-1";

    /// <summary>The Fashion-MNIST files' digests (file name → accepted hashes).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<FileHash>> FashionMnistHashes = new Dictionary<string, IReadOnlyList<FileHash>>
    {
        ["train-images-idx3-ubyte.gz"] = [FileHash.Md5("8d4fb7e6c68d591d4c3dfef9ec88bf0d", FashionReadme),
            FileHash.Sha256("b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7", DebianFashion)],
        ["train-labels-idx1-ubyte.gz"] = [FileHash.Md5("25c81989df183df01b3e8a0aad5dffbe", FashionReadme),
            FileHash.Sha256("0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056", DebianFashion)],
        ["t10k-images-idx3-ubyte.gz"] = [FileHash.Md5("bef4ecab320f06d8554ea6380940ec79", FashionReadme),
            FileHash.Sha256("cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa", DebianFashion)],
        ["t10k-labels-idx1-ubyte.gz"] = [FileHash.Md5("bb300cfdad3c16e7a12a480ee83cd310", FashionReadme),
            FileHash.Sha256("8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05", DebianFashion)],
    };

    /// <summary>The MNIST files' digests (file name → accepted hashes).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<FileHash>> MnistHashes = new Dictionary<string, IReadOnlyList<FileHash>>
    {
        ["train-images-idx3-ubyte.gz"] = [FileHash.Md5("f68b3c2dcbeaaa9fbdd348bbdeb94873", TorchvisionMnist)],
        ["train-labels-idx1-ubyte.gz"] = [FileHash.Md5("d53e105ee54ea40749a09fcbcd1e9432", TorchvisionMnist)],
        ["t10k-images-idx3-ubyte.gz"] = [FileHash.Md5("9fb629c4189551a2d022fa330f9573f3", TorchvisionMnist)],
        ["t10k-labels-idx1-ubyte.gz"] = [FileHash.Md5("ec29112dd5afa0611ce80d1b7f02629c", TorchvisionMnist)],
    };

    /// <summary>
    /// Fashion-MNIST mirrors, in order: Debian's package folder when installed (apt-get install dataset-fashion-mnist),
    /// then the official repository over HTTPS (the files live in its data/fashion folder). The README's other official
    /// address, fashion-mnist.s3-website.eu-central-1.amazonaws.com, serves plain HTTP only and is not used.
    /// </summary>
    public static IReadOnlyList<Uri> FashionMnistMirrors()
    {
        var list = new List<Uri>();
        const string debian = "/usr/share/datasets/fashion-mnist/";
        if (Directory.Exists(debian)) list.Add(new Uri("file://" + debian));
        list.Add(new Uri("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"));
        return list;
    }

    /// <summary>
    /// MNIST mirrors, in order: the PyTorch project's copy that torchvision downloads from, then LeCun's official page
    /// (which has at times refused automated downloads). Both serve the same files (same MD5s).
    /// </summary>
    public static IReadOnlyList<Uri> MnistMirrors() =>
    [
        new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        new Uri("https://yann.lecun.com/exdb/mnist/"),
    ];

    /// <summary>The Fashion-MNIST spec: train (60,000) or test (10,000) split.</summary>
    public static FullDatasetSpec FashionMnistSpec(bool train = true) => Spec("Fashion-MNIST", FashionMnistMirrors(), FashionMnistHashes,
        ShippedDatasets.FashionMnistClasses, train);

    /// <summary>The MNIST spec: train (60,000) or test (10,000) split.</summary>
    public static FullDatasetSpec MnistSpec(bool train = true) => Spec("MNIST", MnistMirrors(), MnistHashes, ShippedDatasets.DigitClasses, train);

    static FullDatasetSpec WithMirrors(FullDatasetSpec spec, IReadOnlyList<Uri>? mirrors) =>
        mirrors is null ? spec : spec with { Mirrors = mirrors };

    static FullDatasetSpec Spec(string name, IReadOnlyList<Uri> mirrors, IReadOnlyDictionary<string, IReadOnlyList<FileHash>> hashes,
        IReadOnlyList<string> classes, bool train)
    {
        var prefix = train ? "train" : "t10k";
        var images = $"{prefix}-images-idx3-ubyte.gz";
        var labels = $"{prefix}-labels-idx1-ubyte.gz";
        return new FullDatasetSpec($"{name} {(train ? "train" : "test")}", mirrors,
            new RemoteFile(images, hashes[images]), new RemoteFile(labels, hashes[labels]), classes, train ? 60000 : 10000);
    }

    /// <summary>
    /// Full Fashion-MNIST (train: 60,000 images, 6,000 per class; test: 10,000). Falls back to the shipped test split
    /// (10,000 images) when the files cannot be obtained; the result says which one you got and why.
    /// </summary>
    /// <param name="cacheDir">Folder for the downloaded .gz files (created if needed; reused next time).</param>
    /// <param name="train">Train split (default) or test split.</param>
    /// <param name="scale">Pixel scaling.</param>
    /// <param name="limit">First N images only.</param>
    /// <param name="padTo">Pad to padTo×padTo with the background.</param>
    /// <param name="device">null → <see cref="Devices.Current"/>.</param>
    /// <param name="log">Receives progress and fallback messages; null → Console.WriteLine.</param>
    /// <param name="timeout">Per-file download limit (default 10 minutes).</param>
    /// <param name="mirrors">Base addresses to use instead of the default ones (e.g. a local copy: file:///data/fashion/).</param>
    /// <returns>Images [N, 1, 28, 28] (or padTo²), labels [N], and what happened.</returns>
    public static DatasetLoadResult FashionMnist(string cacheDir, bool train = true, PixelScale scale = PixelScale.MinusOneToOne,
        int? limit = null, int? padTo = null, Device? device = null, Action<string>? log = null, TimeSpan? timeout = null,
        IReadOnlyList<Uri>? mirrors = null) =>
        Load(WithMirrors(FashionMnistSpec(train), mirrors), cacheDir,
            () => ShippedDatasets.FashionMnistTest(scale, limit, padTo, device), scale, limit, padTo, device, log, timeout);

    /// <summary>
    /// Full MNIST (train: 60,000 digits; test: 10,000). Falls back to the shipped 10,000 digits when the files cannot be
    /// obtained; the result says which one you got and why.
    /// </summary>
    /// <inheritdoc cref="FashionMnist" path="/param"/>
    /// <returns>Images [N, 1, 28, 28] (or padTo²), labels [N], and what happened.</returns>
    public static DatasetLoadResult Mnist(string cacheDir, bool train = true, PixelScale scale = PixelScale.MinusOneToOne,
        int? limit = null, int? padTo = null, Device? device = null, Action<string>? log = null, TimeSpan? timeout = null,
        IReadOnlyList<Uri>? mirrors = null) =>
        Load(WithMirrors(MnistSpec(train), mirrors), cacheDir,
            () => ShippedDatasets.MnistDigits(scale, limit, padTo, device), scale, limit, padTo, device, log, timeout);

    /// <summary>
    /// Gets both files of <paramref name="spec"/> into <paramref name="cacheDir"/> (a cached file with a good digest is
    /// reused; otherwise each mirror is tried in order) and loads them. On any failure to obtain or read them, logs
    /// why and returns <paramref name="fallback"/>() with <see cref="DatasetLoadResult.IsFull"/> = false.
    /// </summary>
    public static DatasetLoadResult Load(FullDatasetSpec spec, string cacheDir, Func<ImageDataset> fallback,
        PixelScale scale = PixelScale.MinusOneToOne, int? limit = null, int? padTo = null, Device? device = null,
        Action<string>? log = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(cacheDir);
        ArgumentNullException.ThrowIfNull(fallback);
        log ??= Console.WriteLine;
        var problems = new List<string>();
        try
        {
            Directory.CreateDirectory(cacheDir);
            string? images = Fetch(spec, spec.Images, cacheDir, problems, log, timeout);
            string? labels = images is null ? null : Fetch(spec, spec.Labels, cacheDir, problems, log, timeout);
            if (images is not null && labels is not null)
            {
                var ds = Idx.Load(images, labels, spec.ClassNames, spec.Name, scale, limit, padTo, device);
                if (spec.ExpectedCount > 0 && limit is null && ds.Count != spec.ExpectedCount)
                {
                    int n = ds.Count;
                    ds.Dispose();
                    throw new InvalidDataException($"{spec.Name} should hold {spec.ExpectedCount} items but the files in '{cacheDir}' hold {n}.");
                }
                var ok = $"{spec.Name}: {ds.Count} images from {cacheDir}.";
                log(ok);
                return new DatasetLoadResult(ds, true, ok);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            problems.Add(e.Message);
        }
        var data = fallback();
        var message = $"Could not get {spec.Name} ({string.Join(" ", problems)}) Using the shipped {data.Name} " +
                      $"({data.Count} images) instead.";
        log(message);
        return new DatasetLoadResult(data, false, message);
    }

    /// <summary>The cached file's path, downloading it if needed; null (with the reasons added to problems) when no mirror worked.</summary>
    static string? Fetch(FullDatasetSpec spec, RemoteFile file, string cacheDir, List<string> problems, Action<string> log, TimeSpan? timeout)
    {
        var target = Path.Combine(cacheDir, file.FileName);
        if (File.Exists(target))
        {
            if (Checksums.MatchesAny(target, file.AcceptedHashes)) return target;
            log($"{target} does not match its known digest; downloading it again.");
        }
        if (spec.Mirrors.Count == 0) { problems.Add($"{file.FileName}: no mirrors configured."); return null; }
        foreach (var mirror in spec.Mirrors)
        {
            var source = new Uri(mirror, file.FileName);
            try
            {
                log($"Fetching {source} …");
                Download(source, target, file.AcceptedHashes, timeout);
                return target;
            }
            catch (Exception e) when (IsRecoverable(e))
            {
                problems.Add($"{source}: {Describe(e)}.");
            }
        }
        return null;
    }

    static bool IsRecoverable(Exception e) =>
        e is HttpRequestException or IOException or InvalidDataException or UnauthorizedAccessException
            or TaskCanceledException or OperationCanceledException or NotSupportedException;

    static string Describe(Exception e) => e switch
    {
        TaskCanceledException or OperationCanceledException => "timed out",
        HttpRequestException { StatusCode: { } code } h => $"HTTP {(int)code} {code} ({h.Message})",
        HttpRequestException { InnerException: { } inner } when !e.Message.Contains(inner.Message, StringComparison.Ordinal)
            => $"{e.Message} ({inner.Message})",
        _ => e.Message,
    };

    static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(20),
        AutomaticDecompression = DecompressionMethods.None, // the .gz files are the payload; keep their bytes
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// Copies <paramref name="source"/> (https://, http:// or file://) to <paramref name="destination"/> atomically: the
    /// bytes go to a temporary file in the destination's folder, the digest is checked, and only then is the temporary
    /// file renamed over the destination. On any failure the temporary file is deleted and the destination is left as
    /// it was; the exception is rethrown.
    /// </summary>
    /// <param name="source">Where to read from.</param>
    /// <param name="destination">The final path.</param>
    /// <param name="accepted">Digests the content may have (any one).</param>
    /// <param name="timeout">Limit for the whole transfer (default 10 minutes).</param>
    /// <exception cref="ChecksumMismatchException">The content does not match any accepted digest.</exception>
    /// <exception cref="HttpRequestException">Network or HTTP failure.</exception>
    public static void Download(Uri source, string destination, IReadOnlyList<FileHash> accepted, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (accepted.Count == 0) throw new ArgumentException("At least one digest is needed to accept a download.", nameof(accepted));
        var folder = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        Directory.CreateDirectory(folder);
        // Same folder as the destination so that the final File.Move is a rename on one file system (atomic).
        var temp = Path.Combine(folder, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.partial");
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(10));
        try
        {
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                if (source.IsFile)
                {
                    using var input = File.OpenRead(source.LocalPath);
                    input.CopyTo(output);
                }
                else if (source.Scheme is "https" or "http")
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, source);
                    using var response = Http.Send(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
                    response.EnsureSuccessStatusCode();
                    using var input = response.Content.ReadAsStream(cts.Token);
                    input.CopyTo(output);
                    // A server that closes early without an error is caught here (and by the digest below).
                    if (response.Content.Headers.ContentLength is long expected && output.Length != expected)
                        throw new IOException($"incomplete transfer: got {output.Length} of {expected} bytes");
                }
                else
                {
                    throw new NotSupportedException($"Unsupported address scheme '{source.Scheme}' (use https, http or file).");
                }
                output.Flush(flushToDisk: true);
            }
            if (!Checksums.MatchesAny(temp, accepted))
                throw new ChecksumMismatchException(source.ToString(), accepted, Checksums.Compute(temp),
                    $"The download was discarded and '{destination}' was not written.");
            File.Move(temp, destination, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                try { File.Delete(temp); } catch (IOException) { /* best effort; the name marks it as partial */ }
            }
        }
    }
}
