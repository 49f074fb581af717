using GanNotebooks.Data.Images;
using System.Net;
using System.Net.Sockets;
using TorchSharp;

namespace GanNotebooks.Tests.Data.Images;

/// <summary>
/// Download logic against local sources only: file:// folders, a loopback HttpListener, and the discard port
/// 127.0.0.1:9 (nothing listens there: connection refused). No test touches any other address.
/// </summary>
public class FullDatasetTests
{
    static readonly Uri Unreachable = new("http://127.0.0.1:9/");
    const int N = 6;

    /// <summary>A mirror folder with a tiny IDX pair, and a spec whose SHA-256s match it.</summary>
    static FullDatasetSpec LocalMirror(TempDir mirror, Uri? uri = null, string? wrongImagesHash = null)
    {
        var images = mirror.File("train-images-idx3-ubyte.gz");
        var labels = mirror.File("train-labels-idx1-ubyte.gz");
        Idx.WriteImages(images, Bytes.Pattern(N * 28 * 28), N, 28, 28);
        Idx.WriteLabels(labels, [0, 1, 2, 3, 4, 5]);
        return new FullDatasetSpec("Tiny train",
            [uri ?? new Uri(mirror.Path + "/")],
            new RemoteFile("train-images-idx3-ubyte.gz", [FileHash.Sha256(wrongImagesHash ?? Checksums.Compute(images))]),
            new RemoteFile("train-labels-idx1-ubyte.gz", [FileHash.Sha256(Checksums.Compute(labels))]),
            ShippedDatasets.DigitClasses, ExpectedCount: N);
    }

    static ImageDataset ShippedFallback() => ShippedDatasets.MnistDigits(limit: 8, device: torch.CPU);

    [Fact]
    public void UnreachableSourceFallsBackToShippedDataWithAMessage()
    {
        using var cache = new TempDir("gankit-cache");
        var log = new List<string>();
        var result = FullDatasets.FashionMnist(cache.Path, train: true, limit: 8, device: torch.CPU, log: log.Add,
            mirrors: [Unreachable]);
        using var ds = result.Dataset;
        Assert.False(result.IsFull);
        Assert.Equal(8, ds.Count);
        Assert.Equal("Fashion-MNIST test", ds.Name);
        Assert.Equal(new long[] { 9, 2, 1, 1, 6, 1, 4, 6 }, ds.Labels.data<long>().ToArray());
        Assert.Contains("Could not get Fashion-MNIST train", result.Message);
        Assert.Contains("http://127.0.0.1:9/train-images-idx3-ubyte.gz", result.Message);
        Assert.Contains("shipped Fashion-MNIST test", result.Message);
        Assert.Contains(result.Message, log);
        Assert.Empty(cache.Entries()); // nothing half-written
    }

    [Fact]
    public void MnistFallsBackToTheShippedDigits()
    {
        using var cache = new TempDir("gankit-cache");
        var result = FullDatasets.Mnist(cache.Path, train: false, limit: 10, padTo: 32, device: torch.CPU, log: _ => { },
            mirrors: [Unreachable]);
        using var ds = result.Dataset;
        Assert.False(result.IsFull);
        Assert.Equal(new long[] { 10, 1, 32, 32 }, ds.Images.shape);
        Assert.Contains("Could not get MNIST test", result.Message);
    }

    [Fact]
    public void OfficialSpecsCarryDocumentedDigestsAndHttpsMirrors()
    {
        var fashion = FullDatasets.FashionMnistSpec(train: true);
        Assert.Equal("train-images-idx3-ubyte.gz", fashion.Images.FileName);
        Assert.Contains(FileHash.Md5("8d4fb7e6c68d591d4c3dfef9ec88bf0d", "Fashion-MNIST README / torchvision"), fashion.Images.AcceptedHashes);
        Assert.Equal(60000, fashion.ExpectedCount);
        var mnist = FullDatasets.MnistSpec(train: false);
        Assert.Equal("9fb629c4189551a2d022fa330f9573f3", Assert.Single(mnist.Images.AcceptedHashes).Hex);
        Assert.Equal("ec29112dd5afa0611ce80d1b7f02629c", Assert.Single(mnist.Labels.AcceptedHashes).Hex);
        Assert.All(FullDatasets.MnistMirrors(), u => Assert.Equal("https", u.Scheme));
        Assert.All(FullDatasets.FashionMnistMirrors(), u => Assert.Contains(u.Scheme, new[] { "https", "file" }));
        // The shipped Fashion-MNIST test files are accepted as the full test split (same bytes as Debian's package).
        var shipped = ShippedDatasets.Locate(ShippedDatasets.FashionMnistTestImages);
        Assert.True(Checksums.MatchesAny(shipped, FullDatasets.FashionMnistSpec(train: false).Images.AcceptedHashes));
    }

    [Fact]
    public void FileMirrorIsCopiedVerifiedAndThenServedFromCache()
    {
        using var mirror = new TempDir("gankit-mirror");
        using var cache = new TempDir("gankit-cache");
        var spec = LocalMirror(mirror);
        var result = FullDatasets.Load(spec, cache.Path, ShippedFallback, device: torch.CPU, log: _ => { });
        using (result.Dataset)
        {
            Assert.True(result.IsFull, result.Message);
            Assert.Equal(new long[] { N, 1, 28, 28 }, result.Dataset.Images.shape);
            Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5 }, result.Dataset.Labels.data<long>().ToArray());
        }
        Assert.Equal(new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz" },
            cache.Entries().Select(Path.GetFileName).Order().ToArray());

        // Second time the mirror is unreachable, the verified cache is used.
        var offline = FullDatasets.Load(spec with { Mirrors = [Unreachable] }, cache.Path, ShippedFallback, device: torch.CPU, log: _ => { });
        using (offline.Dataset) Assert.True(offline.IsFull, offline.Message);
    }

    [Fact]
    public void WrongDigestFallsBackAndWritesNothing()
    {
        using var mirror = new TempDir("gankit-mirror");
        using var cache = new TempDir("gankit-cache");
        var spec = LocalMirror(mirror, wrongImagesHash: new string('0', 64));
        var result = FullDatasets.Load(spec, cache.Path, ShippedFallback, device: torch.CPU, log: _ => { });
        using (result.Dataset)
        {
            Assert.False(result.IsFull);
            Assert.Equal(8, result.Dataset.Count);
        }
        Assert.Contains("Checksum mismatch", result.Message);
        Assert.Contains("train-images-idx3-ubyte.gz", result.Message);
        Assert.Empty(cache.Entries());
    }

    [Fact]
    public void DamagedCachedFileIsFetchedAgain()
    {
        using var mirror = new TempDir("gankit-mirror");
        using var cache = new TempDir("gankit-cache");
        var spec = LocalMirror(mirror);
        File.WriteAllText(cache.File("train-images-idx3-ubyte.gz"), "half a file");
        var log = new List<string>();
        var result = FullDatasets.Load(spec, cache.Path, ShippedFallback, device: torch.CPU, log: log.Add);
        using (result.Dataset) Assert.True(result.IsFull, result.Message);
        Assert.Contains(log, l => l.Contains("does not match its known digest"));
        Assert.Equal(File.ReadAllBytes(mirror.File("train-images-idx3-ubyte.gz")), File.ReadAllBytes(cache.File("train-images-idx3-ubyte.gz")));
    }

    [Fact]
    public void LoopbackHttpDownloadSucceedsAndIsVerified()
    {
        var payload = Bytes.Pattern(5000);
        using var server = new LoopbackServer(payload, truncate: false);
        using var dir = new TempDir("gankit-cache");
        var dest = dir.File("file.gz");
        FullDatasets.Download(server.Uri, dest, [FileHash.Md5(Md5Hex(payload))]);
        Assert.Equal(payload, File.ReadAllBytes(dest));
        Assert.Single(dir.Entries());
    }

    [Fact]
    public void InterruptedDownloadLeavesNoPartialFileAndKeepsTheOldOne()
    {
        var payload = Bytes.Pattern(200_000);
        using var server = new LoopbackServer(payload, truncate: true);
        using var dir = new TempDir("gankit-cache");
        var dest = dir.File("file.gz");
        File.WriteAllText(dest, "previous content");
        var e = Record.Exception(() => FullDatasets.Download(server.Uri, dest, [FileHash.Sha256(Checksums.Compute(dest))]));
        Assert.True(e is IOException or HttpRequestException, e?.ToString() ?? "no exception");
        Assert.Equal("previous content", File.ReadAllText(dest));
        Assert.Single(dir.Entries()); // no *.partial left behind
    }

    [Fact]
    public void UnreachableDownloadThrowsAndWritesNothing()
    {
        using var dir = new TempDir("gankit-cache");
        Assert.Throws<HttpRequestException>(() =>
            FullDatasets.Download(new Uri(Unreachable, "x.gz"), dir.File("x.gz"), [FileHash.Sha256(new string('0', 64))]));
        Assert.Empty(dir.Entries());
    }

    static string Md5Hex(byte[] data) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data));

    /// <summary>Serves one payload on 127.0.0.1 at a free port; with truncate it announces the full length, sends half, and aborts.</summary>
    sealed class LoopbackServer : IDisposable
    {
        readonly HttpListener _listener = new();
        readonly Task _loop;

        public LoopbackServer(byte[] payload, bool truncate)
        {
            int port = FreePort();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            Uri = new Uri($"http://127.0.0.1:{port}/file.gz");
            _loop = Task.Run(async () =>
            {
                try
                {
                    var ctx = await _listener.GetContextAsync();
                    ctx.Response.ContentLength64 = payload.Length;
                    if (truncate)
                    {
                        await ctx.Response.OutputStream.WriteAsync(payload.AsMemory(0, payload.Length / 2));
                        await ctx.Response.OutputStream.FlushAsync();
                        ctx.Response.Abort();
                    }
                    else
                    {
                        await ctx.Response.OutputStream.WriteAsync(payload);
                        ctx.Response.Close();
                    }
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException) { }
            });
        }

        public Uri Uri { get; }

        static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        }
    }
}
