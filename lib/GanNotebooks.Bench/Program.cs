using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GanNotebooks.Nets;
using GanNotebooks.Variants.Standard;
using GanNotebooks.Variants.Wgan;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Bench;

/// <summary>
/// Figures for the trainer: `toy` compares steps/s of <see cref="GanTrainer"/> with a plain hand-written
/// TorchSharp loop and (when importable) PyTorch on the same toy GAN; `memory` runs a long training and
/// prints RSS and live-tensor counts. Prints figures only — no pass/fail on timings.
/// </summary>
public static class Program
{
    const int ZDim = 2, XDim = 2;

    public static int Main(string[] args)
    {
        // First: load the native libraries and apply this machine's checked kernel setting (KernelSettings) before
        // anything here touches torch (Toy sets torch's threads before it uses a kit type).
        NativeRuntime.EnsureLoadable();
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var cmd = args.Length > 0 ? args[0].ToLowerInvariant() : "";
        var opts = ParseOptions(args.Skip(1).ToArray());
        try
        {
            switch (cmd)
            {
                case "toy": Toy(opts); return 0;
                case "memory": return Memory(opts);
                case "dcgan": DcganBench.Run(opts); return 0;
                case "profile": return ProfileBench.Run(opts);
                case "threads": return ThreadsBench(opts);
                case "ensemble": return Ensemble(opts);
                case "notebooks": return NotebooksBench.Run(opts);
                case "kernels": KernelsBench.Run(opts); return 0;
                case KernelsBench.ChildCommand: return KernelsBench.Child(opts);
                case "all": return All(opts);
                default:
                    Console.Error.WriteLine("usage: gannb-bench all [--quick] [--no-python]      every figure of the speed table (toy GAN and DCGAN at 1 and 2 threads, PyTorch beside, ensembles, kernels)");
                    Console.Error.WriteLine("       gannb-bench toy [--steps 2000] [--batch 128] [--hidden 128] [--rounds 3] [--threads N] [--py-steps N] [--no-python]");
                    Console.Error.WriteLine("       gannb-bench dcgan [--size 28] [--width 32] [--z 64] [--batch 64] [--steps 30] [--rounds 3] [--threads N] [--no-bn] [--no-python]");
                    Console.Error.WriteLine("       gannb-bench profile [--steps 400] [--batch 256] [--hidden 128] [--rounds 3] [--threads 1]   where a toy GAN step's time goes");
                    Console.Error.WriteLine("       gannb-bench kernels [--quick] [--rounds 3] [--dcgan-steps 20] [--toy-steps 1000] [--all-settings] [--verbose]   the price of correct kernels: DCGAN and toy GAN at 1 thread under the kit's checked setting vs the fastest one even if wrong (and as shipped), each in a process of its own");
                    Console.Error.WriteLine("       gannb-bench threads                                 the auto thread calibration, measured now (and cached)");
                    Console.Error.WriteLine("       gannb-bench ensemble [...]                          K seeds as one model vs K sequential runs");
                    Console.Error.WriteLine("       gannb-bench notebooks [--profile full|smoke] [--only 05] [--out DIR]   each notebook's run time through the runner (long)");
                    Console.Error.WriteLine("       gannb-bench memory [--steps 5000] [--every 500] [--batch 128]");
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    // ------------------------------------------------------------------ toy

    /// <summary>What `toy` measured: steps/s (wall and per CPU-second) of the plain loop and of GanTrainer, and PyTorch's when importable.</summary>
    internal sealed record ToyFigures(int Threads, (double Wall, double Cpu) Plain, (double Wall, double Cpu) Ours, (double Wall, double Cpu) OursEvery, double? PyTorch, string? PyTorchLabel);

    internal static ToyFigures Toy(Dictionary<string, string> o)
    {
        int steps = Int(o, "steps", 2000), batch = Int(o, "batch", 128), hidden = Int(o, "hidden", 128);
        int rounds = Int(o, "rounds", 3), warmup = Int(o, "warmup", 50), threads = Int(o, "threads", 0);
        if (threads > 0) torch.set_num_threads(threads);
        var device = Devices.Current;
        Console.WriteLine($"toy GAN: 2D ring of 8 Gaussians, G/D = MLP 3x{hidden}, batch {batch}, Adam 2e-4, 1 D step + 1 G step, non-saturating loss");
        Console.WriteLine($"device {device} ({Devices.Reason}); torch threads {torch.get_num_threads()}; {steps} timed steps x {rounds} rounds (best round), {warmup} warm-up");

        // Our trainer with its default logging (every 10 steps) and with every step logged.
        using var ours = MakeTrainer(hidden, batch, device, logEvery: GanTrainerConfig.Default.LogEvery);
        using var oursEvery = MakeTrainer(hidden, batch, device, logEvery: 1);
        var plain = new PlainLoop(hidden, batch, device);

        ours.Train(warmup); oursEvery.Train(warmup); plain.Run(warmup);
        // Rounds alternate between the loops so that a busy machine hurts them alike; the best round
        // counts. Rates per CPU-second are printed too: they are steadier when other processes compete.
        var best = new (double Wall, double Cpu)[3];
        for (int r = 0; r < rounds; r++)
        {
            best[0] = Max(best[0], Rate(steps, () => plain.Run(steps)));
            best[1] = Max(best[1], Rate(steps, () => ours.Train(steps)));
            best[2] = Max(best[2], Rate(steps, () => oursEvery.Train(steps)));
        }
        var (rPlain, rOurs) = (best[0].Wall, best[1].Wall);
        Console.WriteLine();
        Console.WriteLine($"{"loop",-52} {"steps/s",10} {"vs plain",9} {"steps/cpu-s",12} {"vs plain",9}");
        string Row(string name, (double Wall, double Cpu) x) =>
            $"{name,-52} {x.Wall,10:F1} {x.Wall / best[0].Wall,9:F3} {x.Cpu,12:F1} {x.Cpu / best[0].Cpu,9:F3}";
        Console.WriteLine(Row("plain TorchSharp loop (losses read every step)", best[0]));
        Console.WriteLine(Row($"GanTrainer, default LogEvery={GanTrainerConfig.Default.LogEvery}", best[1]));
        Console.WriteLine(Row("GanTrainer, LogEvery=1 (all metrics every step)", best[2]));
        PairedFlatVsPerTensor(hidden, batch, device, o);

        var figures = new ToyFigures(torch.get_num_threads(), best[0], best[1], best[2], null, null);
        if (o.ContainsKey("no-python")) return figures;
        var py = FindPythonWithTorch();
        if (py is null)
        {
            Console.WriteLine($"{"PyTorch",-52} {"n/a",10}   (no python3 with torch; on Debian: apt-get install python3-torch)");
            return figures;
        }
        var script = Path.Combine(AppContext.BaseDirectory, "toy_gan.py");
        var pyThreads = threads > 0 ? threads : torch.get_num_threads();
        // PyTorch runs fewer steps per round (a rate is a rate): Debian's build can be much slower.
        int pySteps = Int(o, "py-steps", Math.Max(100, steps / 5));
        var (rc, output) = RunProcess(py, $"\"{script}\" --steps {pySteps} --batch {batch} --hidden {hidden} --rounds {rounds} --warmup {warmup} --threads {pyThreads}", 1800);
        var line = output.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (rc != 0 || line is null)
        {
            Console.WriteLine($"{"PyTorch",-52} {"failed",10}   ({py} exited {rc}: {output.Trim().Split('\n').LastOrDefault()})");
            return figures;
        }
        using var doc = JsonDocument.Parse(line);
        double rPy = doc.RootElement.GetProperty("steps_per_s").GetDouble();
        var ver = doc.RootElement.GetProperty("torch").GetString();
        var th = doc.RootElement.GetProperty("threads").GetInt32();
        var blas = doc.RootElement.TryGetProperty("blas", out var b) ? b.GetString() : "?";
        Console.WriteLine($"{$"PyTorch {ver} (CPU, {th} threads, BLAS {blas})",-52} {rPy,10:F1} {rPy / rPlain,9:F3}");
        Console.WriteLine($"GanTrainer / PyTorch: {rOurs / rPy:F3}");
        return figures with { PyTorch = rPy, PyTorchLabel = $"PyTorch {ver} ({blas})" };
    }

    static GanTrainer MakeTrainer(int hidden, int batch, Device device, int logEvery, bool flatAdam = true)
    {
        Seeding.Seed(0);
        var g = new MlpGenerator(ZDim, XDim, hidden);
        var d = new MlpDiscriminator(XDim, hidden);
        var cfg = GanTrainerConfig.Toy with { BatchSize = batch, LrG = 2e-4, LrD = 2e-4, LogEvery = logEvery, Device = device, FlatAdam = flatAdam };
        return new GanTrainer(g, d, new NonSaturatingGan(), b => Ring(b, device), Latent.Normal(ZDim, device), cfg);
    }

    /// <summary>8 Gaussians on the unit circle, std 0.01 (VEEGAN's ring): B → [B, 2].</summary>
    internal static Tensor Ring(int b, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var k = torch.randint(0, 8, new long[] { b }, device: device);
        var ang = k.to_type(ScalarType.Float32) * (2 * Math.PI / 8);
        var centres = torch.stack(new[] { torch.cos(ang), torch.sin(ang) }, 1);
        return (centres + 0.01 * torch.randn(b, 2, device: device)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// GanTrainer with FlatAdam against GanTrainer with TorchSharp's per-tensor Adam (the trainer before FlatAdam), in
    /// alternating chunks of the same process, each timed by the thread's CPU clock: the ratio of a pair is immune to
    /// the slow drift of a shared machine's load; the median of the pairs is printed.
    /// </summary>
    static void PairedFlatVsPerTensor(int hidden, int batch, Device device, Dictionary<string, string> o)
    {
        int pairs = Int(o, "pairs", 20), chunk = Int(o, "chunk", 50);
        if (pairs == 0) return;
        using var flat = MakeTrainer(hidden, batch, device, GanTrainerConfig.Default.LogEvery, flatAdam: true);
        using var perTensor = MakeTrainer(hidden, batch, device, GanTrainerConfig.Default.LogEvery, flatAdam: false);
        flat.Train(chunk); perTensor.Train(chunk);
        var ratios = new List<double>();
        double flatNs = 0, perNs = 0;
        for (int i = 0; i < pairs; i++)
        {
            long t0 = ProfileBench.ThreadCpu.Ns();
            perTensor.Train(chunk);
            long t1 = ProfileBench.ThreadCpu.Ns();
            flat.Train(chunk);
            long t2 = ProfileBench.ThreadCpu.Ns();
            ratios.Add((t1 - t0) / (double)(t2 - t1));
            perNs += t1 - t0; flatNs += t2 - t1;
        }
        ratios.Sort();
        double Q(double q) => ratios[(int)Math.Round(q * (ratios.Count - 1))];
        Console.WriteLine($"{"GanTrainer, TorchSharp's per-tensor Adam (before)",-52} {"",10} {"",9} {1e9 * pairs * chunk / perNs,12:F1}");
        Console.WriteLine($"{"GanTrainer, FlatAdam (now)",-52} {"",10} {"",9} {1e9 * pairs * chunk / flatNs,12:F1}");
        Console.WriteLine($"FlatAdam speed-up over per-tensor Adam, {pairs} alternating pairs of {chunk} steps (thread CPU time): median {Q(0.5):F3}×, quartiles {Q(0.25):F3}–{Q(0.75):F3}");
    }

    static (double Wall, double Cpu) Rate(int steps, Action run)
    {
        var t = CpuClock.Measure(run);
        return (steps / t.WallSeconds, steps / Math.Max(t.CpuSeconds, 1e-9));
    }

    static (double, double) Max((double Wall, double Cpu) a, (double Wall, double Cpu) b) => (Math.Max(a.Wall, b.Wall), Math.Max(a.Cpu, b.Cpu));

    /// <summary>What one would write by hand: same nets, same step, no trainer.</summary>
    sealed class PlainLoop
    {
        readonly nn.Module<Tensor, Tensor> _g, _d;
        readonly optim.Optimizer _optG, _optD;
        readonly int _batch;
        readonly Device _device;

        public PlainLoop(int hidden, int batch, Device device)
        {
            Seeding.Seed(0);
            _g = nn.Sequential(nn.Linear(ZDim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, XDim)).to(device);
            _d = nn.Sequential(nn.Linear(XDim, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                nn.Linear(hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1)).to(device);
            _optG = optim.Adam(_g.parameters(), 2e-4, 0.5, 0.999);
            _optD = optim.Adam(_d.parameters(), 2e-4, 0.5, 0.999);
            _batch = batch;
            _device = device;
        }

        public (double, double) Run(int steps)
        {
            double dl = 0, gl = 0;
            for (int i = 0; i < steps; i++)
            {
                using var scope = torch.NewDisposeScope();
                var real = Ring(_batch, _device);
                var z = torch.randn(_batch, ZDim, device: _device);
                Tensor fake;
                using (torch.no_grad()) fake = _g.call(z);
                _optD.zero_grad();
                var dLoss = nn.functional.softplus(-_d.call(real)).mean() + nn.functional.softplus(_d.call(fake)).mean();
                dLoss.backward();
                _optD.step();
                var z2 = torch.randn(_batch, ZDim, device: _device);
                _optG.zero_grad();
                var gLoss = nn.functional.softplus(-_d.call(_g.call(z2))).mean();
                gLoss.backward();
                _optG.step();
                dl = dLoss.item<float>();
                gl = gLoss.item<float>();
            }
            return (dl, gl);
        }
    }

    // ------------------------------------------------------------------ all

    /// <summary>
    /// Every figure of the speed table in one run: the toy GAN (MLP 3×128, batch 256) with GanTrainer, the plain loop
    /// and PyTorch at 1 and 2 threads; the DCGAN (28×28, width 32, batch 64) images/s and GFLOP/s at 1 and 2 threads
    /// with PyTorch beside; the ensemble figures; the kernels' price of correctness (<see cref="KernelsBench"/>); then the tables.
    /// </summary>
    static int All(Dictionary<string, string> o)
    {
        bool quick = o.ContainsKey("quick");
        var common = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (o.ContainsKey("no-python")) common["no-python"] = "true";
        var toy = new List<ToyFigures>();
        var dcgan = new List<DcganBench.DcganFigures>();
        int saved = torch.get_num_threads();
        foreach (int t in new[] { 1, 2 })
        {
            Console.WriteLine($"=== toy GAN, {t} thread(s)");
            toy.Add(Toy(new Dictionary<string, string>(common, StringComparer.OrdinalIgnoreCase)
            {
                ["batch"] = "256", ["hidden"] = "128", ["threads"] = $"{t}", ["steps"] = quick ? "300" : "1000", ["rounds"] = "3",
                ["py-steps"] = quick ? "100" : "200",
            }));
            Console.WriteLine();
        }
        foreach (int t in new[] { 1, 2 })
        {
            Console.WriteLine($"=== DCGAN, {t} thread(s)");
            dcgan.Add(DcganBench.Run(new Dictionary<string, string>(common, StringComparer.OrdinalIgnoreCase)
            {
                ["threads"] = $"{t}", ["steps"] = quick ? "10" : "30", ["rounds"] = "3",
            }));
            Console.WriteLine();
        }
        torch.set_num_threads(saved);
        Console.WriteLine("=== ensembles");
        int ensembleRc = Ensemble(o);
        Console.WriteLine();
        Console.WriteLine("=== kernels: the price of correctness (each setting in a process of its own, 1 thread)");
        var kernels = KernelsBench.Run(quick ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["quick"] = "true" } : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
        Console.WriteLine();

        Console.WriteLine($"=== the table (best round of each; wall-clock rates — on a shared machine compare the steps per CPU-second in the sections above)");
        Console.WriteLine();
        string Py(double? x, string fmt) => x is double v ? v.ToString(fmt, CultureInfo.InvariantCulture) : "n/a";
        Console.WriteLine("| workload | GanTrainer | plain TorchSharp loop | PyTorch |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var f in toy)
            Console.WriteLine($"| toy GAN, MLP 3×128, batch 256, {f.Threads} thread(s), steps/s | {f.Ours.Wall:F0} ({f.Ours.Cpu:F0} per CPU-s) | {f.Plain.Wall:F0} ({f.Plain.Cpu:F0} per CPU-s) | {Py(f.PyTorch, "F1")} |");
        foreach (var f in dcgan)
            Console.WriteLine($"| DCGAN 28×28 width 32, batch 64, {f.Threads} thread(s), images/s (GFLOP/s, % of peak) | {f.ImagesPerSecond:F0} ({f.Gflops:F1}, {f.PercentPeak:F0} %) | — | {Py(f.PyTorchImagesPerSecond, "F0")} |");
        if (dcgan.Count == 2)
            Console.WriteLine($"| DCGAN, 2 threads / 1 thread | {dcgan[1].ImagesPerSecond / dcgan[0].ImagesPerSecond:F2}× | — | — |");
        if (toy.Count == 2)
            Console.WriteLine($"| toy GAN, 2 threads / 1 thread | {toy[1].Ours.Wall / toy[0].Ours.Wall:F2}× | {toy[1].Plain.Wall / toy[0].Plain.Wall:F2}× | — |");
        Console.WriteLine();
        Console.WriteLine($"auto thread choice on this machine: {Threads.Cached()?.ToString() ?? "not measured yet (gannb-bench threads)"}");
        Console.WriteLine($"kernel setting on this machine: {KernelSettings.Current?.Summary() ?? "none"}");
        if (kernels.Count > 0)
        {
            Console.WriteLine();
            KernelsBench.PrintTable(kernels);
        }
        return ensembleRc == 2 ? 2 : 0;
    }

    // ------------------------------------------------------------------ threads

    static int ThreadsBench(Dictionary<string, string> o)
    {
        var c = Threads.Auto(recalibrate: true);
        Console.WriteLine($"machine: {c.Machine}");
        Console.WriteLine($"calibration (median of 6 interleaved rounds; wall time per step): MLP 3×128 batch 256 step, conv 1→32→64 28×28 batch 64 step");
        Console.WriteLine($"{"threads",8} {"MLP ms",8} {"conv ms",8} {"MLP ×",7} {"conv ×",7}");
        var one = c.Measured[0];
        foreach (var m in c.Measured)
            Console.WriteLine($"{m.Threads,8} {m.MlpMs,8:F2} {m.ConvMs,8:F2} {one.MlpMs / m.MlpMs,7:F2} {one.ConvMs / m.ConvMs,7:F2}");
        Console.WriteLine($"choice: {c.Count} thread(s); cached in {c.CacheFile ?? "(no cache folder)"}");
        return 0;
    }

    // ------------------------------------------------------------------ ensemble

    /// <summary>The ensemble figures: K seeds as one model vs K sequential runs (<see cref="EnsembleBench"/>).</summary>
    static int Ensemble(Dictionary<string, string> o) => EnsembleBench.Run(o);

    // ------------------------------------------------------------------ memory

    static int Memory(Dictionary<string, string> o)
    {
        int steps = Int(o, "steps", 5000), every = Int(o, "every", 500), batch = Int(o, "batch", 128), hidden = Int(o, "hidden", 128);
        var device = Devices.Current;
        Console.WriteLine($"memory: {steps} steps of the toy GAN (batch {batch}, MLP 3x{hidden}, EMA on), device {device}");
        Seeding.Seed(0);
        var g = new MlpGenerator(ZDim, XDim, hidden);
        var d = new MlpDiscriminator(XDim, hidden);
        var cfg = GanTrainerConfig.Toy with { BatchSize = batch, EmaDecay = 0.999, Device = device };
        using var t = new GanTrainer(g, d, new NonSaturatingGan(), b => Ring(b, device), Latent.Normal(ZDim, device), cfg);
        var stats = DisposeScopeManager.Statistics;
        long live0 = stats.ThreadTotalLiveCount;
        Console.WriteLine($"{"step",6} {"RSS MiB",9} {"live tensors",13} {"Δ live",7} {"GC heap MiB",12} {"Loss/D",8} {"Loss/G",8}");
        void Row(int step) => Console.WriteLine(
            $"{step,6} {RssMiB(),9:F1} {stats.ThreadTotalLiveCount,13} {stats.ThreadTotalLiveCount - live0,7} {GC.GetTotalMemory(false) / 1048576.0,12:F1} {t.History.Last("Loss/D"),8:F4} {t.History.Last("Loss/G"),8:F4}");
        Row(0);
        t.OnStepEnd(every, e => Row(e.Step));
        var sw = Stopwatch.StartNew();
        t.Train(steps);
        Console.WriteLine($"{steps / sw.Elapsed.TotalSeconds:F0} steps/s; created {stats.CreatedInScopeCount} tensors in scopes, disposed {stats.DisposedInScopeCount}");
        return 0;
    }

    static double RssMiB()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException) { }
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64 / 1048576.0;
    }

    // ------------------------------------------------------------------ helpers

    internal static string? FindPythonWithTorch()
    {
        foreach (var py in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                var (rc, _) = RunProcess(py, "-c \"import torch\"", 120);
                if (rc == 0) return py;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        return null;
    }

    internal static (int, string) RunProcess(string file, string arguments, int timeoutSeconds)
    {
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(timeoutSeconds * 1000)) { p.Kill(true); return (124, output); }
        return (p.ExitCode, output + err.Result);
    }

    static Dictionary<string, string> ParseOptions(string[] args)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{args[i]}'; options look like --steps 2000.");
            var key = args[i][2..];
            if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) d[key] = args[++i];
            else d[key] = "true";
        }
        return d;
    }

    internal static int Int(Dictionary<string, string> o, string key, int fallback)
    {
        if (!o.TryGetValue(key, out var s)) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < 0)
            throw new ArgumentException($"--{key} needs a non-negative integer, got '{s}'.");
        return v;
    }
}
