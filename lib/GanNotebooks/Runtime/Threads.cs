using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Runtime;

/// <summary>How many CPU threads torch uses, and why: what <see cref="Threads.Use(string, ThreadWorkload)"/> chose.</summary>
/// <param name="Count">torch's intra-op thread count now.</param>
/// <param name="How">"explicit", "torch default", "auto (measured now)" or "auto (cached)".</param>
/// <param name="Measured">For auto: thread count → milliseconds of the calibration workload (MLP step, conv step).</param>
/// <param name="Machine">The cache key: CPU model, logical CPUs, libtorch version and build.</param>
/// <param name="CacheFile">Where the auto choice is cached, if anywhere.</param>
/// <param name="MeasuredAt">When the calibration ran (UTC), for auto.</param>
public sealed record ThreadChoice(int Count, string How, IReadOnlyList<ThreadTiming> Measured, string Machine, string? CacheFile, DateTime? MeasuredAt)
{
    /// <summary>One line for reports and run records, e.g. "2 (auto (cached): 1 → 5.1 + 9.8 ms, 2 → 3.0 + 5.6 ms)".</summary>
    public override string ToString()
    {
        if (Measured.Count == 0) return string.Create(CultureInfo.InvariantCulture, $"{Count} ({How})");
        var rows = string.Join(", ", Measured.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Threads} → {m.MlpMs:F1} + {m.ConvMs:F1} ms")));
        return string.Create(CultureInfo.InvariantCulture, $"{Count} ({How}: MLP step + conv step, {rows}{(MeasuredAt is DateTime t ? $"; measured {t:yyyy-MM-dd HH:mm} UTC" : "")})");
    }
}

/// <summary>Which part of the calibration an auto choice optimizes: the kit's toy MLP GANs, its convolutional image GANs, or both.</summary>
public enum ThreadWorkload
{
    /// <summary>Both: the sum of the MLP and the conv step times, each relative to one thread (a notebook that trains both).</summary>
    Mixed,
    /// <summary>The MLP step (toy 2D GANs: chapters 01–04 and 07's toy part).</summary>
    Mlp,
    /// <summary>The conv step (image GANs: DCGAN, progressive growing, the stabilizers).</summary>
    Conv,
}

/// <summary>Milliseconds per step of the calibration workload at one thread count (median of its rounds).</summary>
public sealed record ThreadTiming(int Threads, double MlpMs, double ConvMs);

/// <summary>
/// torch's CPU thread count, chosen by measurement. A notebook's parameter cell says <c>var threads = "auto";</c>
/// and the next cell <c>Threads.Use(threads);</c>: "auto" times a short workload like the kit's (a training step of
/// an MLP 3×128 at batch 256 and of a small strided-conv network at batch 64, forward and backward) at 1, 2, … up to
/// the logical CPUs (at most 8), keeps the fastest — a count above 1 only when it beats one thread by at least 5 %,
/// since more threads on a shared machine also slow the others down and results on the CPU are reproducible per thread
/// count — and caches that choice per machine (CPU model, logical CPUs, libtorch version and build) in the user's
/// cache folder, so later notebooks take it without measuring. A number ("2") is used as given; "0" keeps torch's
/// default (one thread per CPU). The choice is shown by <see cref="EnvironmentReport"/> and returned for the run's record.
/// </summary>
public static class Threads
{
    /// <summary>Environment variable: a folder for the kit's cache instead of the user's cache folder.</summary>
    public const string CacheEnvironmentVariable = Shared.KitEnvironment.CacheVariable;

    const double Margin = 0.05;
    static readonly object Gate = new();

    /// <summary>The last choice made by <see cref="Use(string, ThreadWorkload)"/> in this process, or null.</summary>
    public static ThreadChoice? Current { get; private set; }

    /// <summary>Applies a thread setting: "auto", "0" (torch's default) or a count ≥ 1 ("2"). Returns what was chosen and why.</summary>
    /// <param name="setting">"auto", "0" or a count.</param>
    /// <param name="workload">For "auto": what the notebook trains (MLP toy GANs, conv image GANs, or both).</param>
    public static ThreadChoice Use(string setting, ThreadWorkload workload = ThreadWorkload.Mixed)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var s = setting.Trim();
        if (s.Equals("auto", StringComparison.OrdinalIgnoreCase)) return Apply(Auto(workload: workload));
        if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return Use(n);
        throw new ArgumentException($"threads = \"{setting}\" is not a setting: use \"auto\" (measure once per machine and cache), a count such as \"1\" or \"2\", or \"0\" for torch's default.", nameof(setting));
    }

    /// <summary>Applies an explicit thread count (≥ 1); 0 keeps torch's default. Returns the choice.</summary>
    public static ThreadChoice Use(int threads)
    {
        if (threads < 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, "a thread count must be ≥ 1, or 0 for torch's default.");
        NativeRuntime.EnsureLoadable();
        if (threads == 0) return Apply(new ThreadChoice(torch.get_num_threads(), "torch default", [], MachineKey(), null, null));
        torch.set_num_threads(threads);
        return Apply(new ThreadChoice(threads, "explicit", [], MachineKey(), null, null));
    }

    static ThreadChoice Apply(ThreadChoice c)
    {
        if (c.How.StartsWith("auto", StringComparison.Ordinal)) torch.set_num_threads(c.Count);
        Current = c with { Count = torch.get_num_threads() };
        return Current;
    }

    /// <summary>
    /// The auto choice for this machine: the cached one if there is one (and <paramref name="recalibrate"/> is false),
    /// else a fresh measurement (about 2–4 s), which is cached. Does not change torch's thread count.
    /// </summary>
    public static ThreadChoice Auto(bool recalibrate = false, ThreadWorkload workload = ThreadWorkload.Mixed) =>
        Auto(CacheFile(), recalibrate, MaxCandidates(), workload);

    /// <summary>The cached auto choice for this machine, or null (nothing is measured).</summary>
    public static ThreadChoice? Cached(ThreadWorkload workload = ThreadWorkload.Mixed)
    {
        var file = CacheFile();
        return file is null ? null : ReadCache(file, MachineKey(), workload);
    }

    internal static ThreadChoice Auto(string? cacheFile, bool recalibrate, int maxThreads, ThreadWorkload workload = ThreadWorkload.Mixed)
    {
        NativeRuntime.EnsureLoadable();
        lock (Gate)
        {
            var key = MachineKey();
            if (!recalibrate && cacheFile is not null && ReadCache(cacheFile, key, workload) is { } cached) return cached;
            var timings = Calibrate(maxThreads);
            var choice = new ThreadChoice(Choose(timings, workload), Label("measured now", workload), timings, key, cacheFile, DateTime.UtcNow);
            if (cacheFile is not null) WriteCache(cacheFile, choice);
            return choice;
        }
    }

    static string Label(string how, ThreadWorkload w) => w == ThreadWorkload.Mixed ? $"auto ({how})" : $"auto for {w} ({how})";

    static int MaxCandidates() => Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>
    /// The fewest threads whose summed relative time (MLP and conv, each against one thread) is within
    /// 5 % of the best — more threads only for a clear gain.
    /// </summary>
    internal static int Choose(IReadOnlyList<ThreadTiming> timings, ThreadWorkload workload = ThreadWorkload.Mixed)
    {
        if (timings.Count == 0) throw new ArgumentException("no timings to choose from.", nameof(timings));
        var one = timings[0];
        double Score(ThreadTiming t) => workload switch
        {
            ThreadWorkload.Mlp => t.MlpMs / one.MlpMs,
            ThreadWorkload.Conv => t.ConvMs / one.ConvMs,
            _ => t.MlpMs / one.MlpMs + t.ConvMs / one.ConvMs,
        };
        double best = timings.Min(Score);
        return timings.First(t => Score(t) <= best * (1 + Margin)).Threads;
    }

    /// <summary>
    /// Times the calibration workload at 1 … <paramref name="maxThreads"/> threads (restores the thread count). The
    /// thread counts take turns, six rounds of a block of steps each (20 MLP steps, 3 conv steps), and each count's
    /// median block is kept: on a machine that other processes share, every count sees the same load, and the load is
    /// part of what is measured (a count that gets more of a busy machine's time is faster for this user).
    /// </summary>
    internal static List<ThreadTiming> Calibrate(int maxThreads)
    {
        int saved = torch.get_num_threads();
        int n = Math.Max(1, maxThreads);
        var mlp = new List<double>[n];
        var conv = new List<double>[n];
        try
        {
            using var _ = torch.NewDisposeScope();
            using var gen = new torch.Generator(12345);
            var w = new Workload(gen);
            for (int t = 1; t <= n; t++)
            {
                torch.set_num_threads(t);
                w.Mlp(); w.Conv(); // warm up this thread count (thread pool, allocator, kernels)
                mlp[t - 1] = new(); conv[t - 1] = new();
            }
            for (int round = 0; round < 6; round++)
                for (int t = 1; t <= n; t++)
                {
                    torch.set_num_threads(t);
                    mlp[t - 1].Add(BlockMs(w.Mlp, 20));
                    conv[t - 1].Add(BlockMs(w.Conv, 3));
                }
        }
        finally { torch.set_num_threads(saved); }
        return Enumerable.Range(1, n).Select(t => new ThreadTiming(t, Median(mlp[t - 1]), Median(conv[t - 1]))).ToList();
    }

    static double BlockMs(Action step, int steps)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) step();
        return sw.Elapsed.TotalMilliseconds / steps;
    }

    static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    /// <summary>Forward and backward of an MLP 3×128 at batch 256 and of two strided 4×4 convolutions (1 → 32 → 64 channels, 28×28) at batch 64.</summary>
    sealed class Workload
    {
        readonly Tensor _x, _w1, _w2, _w3, _img, _k1, _k2;

        public Workload(torch.Generator gen)
        {
            Tensor P(params long[] shape) => (torch.randn(shape, generator: gen) * 0.05).requires_grad_();
            _x = torch.randn(new long[] { 256, 128 }, generator: gen);
            _w1 = P(128, 128); _w2 = P(128, 128); _w3 = P(128, 128);
            _img = torch.randn(new long[] { 64, 1, 28, 28 }, generator: gen);
            _k1 = P(32, 1, 4, 4); _k2 = P(64, 32, 4, 4);
        }

        public void Mlp()
        {
            using var scope = torch.NewDisposeScope();
            var h = torch.nn.functional.relu(_x.matmul(_w1));
            h = torch.nn.functional.relu(h.matmul(_w2));
            h.matmul(_w3).square().mean().backward();
            foreach (var p in new[] { _w1, _w2, _w3 }) p.grad = null;
        }

        public void Conv()
        {
            using var scope = torch.NewDisposeScope();
            var h = torch.nn.functional.leaky_relu(torch.nn.functional.conv2d(_img, _k1, null, [2, 2], [1, 1]), 0.2);
            h = torch.nn.functional.leaky_relu(torch.nn.functional.conv2d(h, _k2, null, [2, 2], [1, 1]), 0.2);
            h.square().mean().backward();
            foreach (var p in new[] { _k1, _k2 }) p.grad = null;
        }
    }

    // ------------------------------------------------------------------ cache

    /// <summary>The machine as the cache knows it: CPU model, logical CPUs, libtorch version and build, OS architecture.</summary>
    public static string MachineKey() =>
        $"{CpuInfo.Model()} | {Environment.ProcessorCount} logical CPUs | libtorch {torch.__version__} ({BuildInfo.TorchBackend}) | {RuntimeInformation.OSArchitecture}";

    /// <summary>threads.json in GANKIT_CACHE, else in the user's cache folder (XDG_CACHE_HOME or ~/.cache; LocalAppData on Windows) under gannotebooks/.</summary>
    public static string? CacheFile() => Shared.KitEnvironment.CacheFolder() is { } dir ? Path.Combine(dir, "threads.json") : null;

    sealed record CacheEntry(int Threads, DateTime MeasuredAt, List<ThreadTiming> Measured);

    static Dictionary<string, CacheEntry> ReadAll(string file)
    {
        try
        {
            if (!File.Exists(file)) return new();
            return JsonSerializer.Deserialize<Dictionary<string, CacheEntry>>(File.ReadAllText(file)) ?? new();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or NotSupportedException)
        {
            return new(); // an unreadable cache is measured again and rewritten
        }
    }

    static ThreadChoice? ReadCache(string file, string key, ThreadWorkload workload) =>
        ReadAll(file).TryGetValue(key, out var e) && e.Measured is { Count: > 0 } && e.Measured[0].Threads == 1
            ? new ThreadChoice(Choose(e.Measured, workload), Label("cached", workload), e.Measured, key, file, e.MeasuredAt)
            : null;

    static void WriteCache(string file, ThreadChoice c)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var all = ReadAll(file);
            all[c.Machine] = new CacheEntry(c.Count, c.MeasuredAt ?? DateTime.UtcNow, c.Measured.ToList());
            var json = JsonSerializer.Serialize(all, new JsonSerializerOptions { WriteIndented = true });
            AtomicFile.WriteAllText(file, json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only home still gets the measured choice, just not cached.
        }
    }
}
