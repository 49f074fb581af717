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
/// `dcgan`: images/s of one DCGAN training iteration (one D step + one G step, non-saturating loss, Adam) at
/// batch 64 on the CPU — <see cref="GanTrainer"/> with <see cref="DcganGenerator"/>/<see cref="DcganDiscriminator"/>
/// vs the same model written in PyTorch (dcgan_bench.py, when python3 can import torch) — and the achieved
/// GFLOP/s against an estimate of this CPU's fp32 peak. Prints figures only.
/// </summary>
static class DcganBench
{
    /// <summary>What `dcgan` measured: GanTrainer's images/s, GFLOP/s and % of the peak of the CPUs its threads can use; PyTorch's images/s when importable; GanTrainer's images per process CPU-second (steadier on a shared machine).</summary>
    internal sealed record DcganFigures(int Threads, double ImagesPerSecond, double Gflops, double PercentPeak, double? PyTorchImagesPerSecond, double ImagesPerCpuSecond = double.NaN);

    public static DcganFigures Run(Dictionary<string, string> o)
    {
        int size = Program.Int(o, "size", 28), width = Program.Int(o, "width", 32), batch = Program.Int(o, "batch", 64), zDim = Program.Int(o, "z", 64);
        int steps = Program.Int(o, "steps", 30), rounds = Program.Int(o, "rounds", 3), warmup = Program.Int(o, "warmup", 5), threads = Program.Int(o, "threads", 0);
        bool bn = !o.ContainsKey("no-bn");
        if (threads > 0) torch.set_num_threads(threads);
        var opts = new DcganOptions { ImageSize = size, Channels = 1, ZDim = zDim, Width = width, BatchNorm = bn };
        opts.Validate();
        var device = Devices.Current;
        double gMacs = GeneratorMacs(opts), dMacs = DiscriminatorMacs(opts);
        // One iteration, per image: D step = G forward (no grad) + D forward on real and fake + D backward
        // (weight and input gradients ≈ 2× forward) on both; G step = G forward + D forward + D backward to the
        // input only (D frozen, ≈ 1× forward) + G backward (≈ 2× forward). Σ = 4·G + 8·D MACs, 2 FLOPs per MAC.
        double flopsPerImage = 2 * (4 * gMacs + 8 * dMacs);
        Console.WriteLine($"DCGAN {size}x{size}x1, width {width}, z {zDim}, BatchNorm {(bn ? "on" : "off")}, batch {batch}; one D step + one G step, non-saturating loss, Adam 2e-4 (0.5, 0.999)");
        Console.WriteLine($"forward MACs per image: G {gMacs / 1e6:F2} M, D {dMacs / 1e6:F2} M; training FLOPs per image and iteration ≈ {flopsPerImage / 1e6:F1} M (2·(4G + 8D))");
        Console.WriteLine($"device {device} ({Devices.Reason}); torch threads {torch.get_num_threads()}; {steps} timed iterations × {rounds} rounds (best), {warmup} warm-up");

        Seeding.Seed(0);
        var g = new DcganGenerator(opts);
        var d = new DcganDiscriminator(opts);
        var cfg = GanTrainerConfig.Dcgan with { BatchSize = batch, LogEvery = 1000, Device = device };
        using var real = (torch.rand(new long[] { 1024, 1, size, size }, device: device) * 2 - 1).DetachFromDisposeScope();
        var rng = new Random(0);
        Tensor Real(int b)
        {
            using var idx = torch.randint(0, 1024, new long[] { b }, device: device);
            return real.index_select(0, idx);
        }
        using var trainer = new GanTrainer(g, d, new NonSaturatingGan(), Real, Latent.Normal(zDim, device), cfg);
        trainer.Train(warmup);
        double best = 0, bestCpu = 0;
        for (int r = 0; r < rounds; r++)
        {
            var t = CpuClock.Measure(() => trainer.Train(steps));
            best = Math.Max(best, steps / t.WallSeconds);
            bestCpu = Math.Max(bestCpu, steps / Math.Max(t.CpuSeconds, 1e-9));
        }
        double oursImages = best * batch;
        var (machinePeak, peakHow) = PeakGflops();
        // The peak the run can reach: only the CPUs its threads can use.
        int usedCpus = Math.Min(torch.get_num_threads(), Environment.ProcessorCount);
        double peak = machinePeak * usedCpus / Environment.ProcessorCount;
        Console.WriteLine();
        Console.WriteLine($"{"implementation",-46} {"ms/iter",8} {"images/s",9} {"GFLOP/s",8} {"% peak",7}");
        void Row(string name, double itersPerSecond)
        {
            double gflops = itersPerSecond * batch * flopsPerImage / 1e9;
            Console.WriteLine($"{name,-46} {1000 / itersPerSecond,8:F1} {itersPerSecond * batch,9:F0} {gflops,8:F1} {(peak > 0 ? 100 * gflops / peak : double.NaN),7:F1}");
        }
        Row("GanTrainer + DcganGenerator/Discriminator", best);

        double? pyRate = null;
        if (!o.ContainsKey("no-python"))
        {
            var py = Program.FindPythonWithTorch();
            if (py is null) Console.WriteLine($"{"PyTorch",-46} {"n/a",8}   (no python3 with torch; on Debian: apt-get install python3-torch)");
            else
            {
                var script = Path.Combine(AppContext.BaseDirectory, "dcgan_bench.py");
                var pyThreads = threads > 0 ? threads : torch.get_num_threads();
                var (rc, output) = Program.RunProcess(py,
                    $"\"{script}\" --size {size} --width {width} --z {zDim} --batch {batch} --steps {steps} --rounds {rounds} --warmup {warmup} --threads {pyThreads}{(bn ? "" : " --no-bn")}", 3600);
                var line = output.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
                if (rc != 0 || line is null)
                    Console.WriteLine($"{"PyTorch",-46} {"failed",8}   ({py} exited {rc}: {output.Trim().Split('\n').LastOrDefault()})");
                else
                {
                    using var doc = JsonDocument.Parse(line);
                    pyRate = doc.RootElement.GetProperty("iters_per_s").GetDouble();
                    var ver = doc.RootElement.GetProperty("torch").GetString();
                    var th = doc.RootElement.GetProperty("threads").GetInt32();
                    Row($"PyTorch {ver} ({th} threads)", pyRate.Value);
                }
            }
        }
        Console.WriteLine();
        if (pyRate is double p) Console.WriteLine($"ours / PyTorch: {best / p:F2}× images/s");
        Console.WriteLine($"peak estimate: {(machinePeak > 0 ? $"{machinePeak:F0} GFLOP/s for the machine, {peak:F0} GFLOP/s for the {usedCpus} CPU(s) that {usedCpus} thread(s) can use (the % peak column)" : "unknown")} — {peakHow}");
        Console.WriteLine($"ours: {oursImages:F0} images/s ({bestCpu * batch:F0} per process CPU-second)");
        double oursGflops = best * batch * flopsPerImage / 1e9;
        return new DcganFigures(torch.get_num_threads(), oursImages, oursGflops, peak > 0 ? 100 * oursGflops / peak : double.NaN, pyRate * batch, bestCpu * batch);
    }

    /// <summary>Forward multiply-accumulates per image of G (transposed convs; BatchNorm and activations ignored).</summary>
    internal static double GeneratorMacs(DcganOptions o)
    {
        int s = o.StartSize, ch = o.TopWidth;
        double macs = (double)o.ZDim * ch * s * s; // 1×1 → s0×s0 transposed conv
        for (int j = 1; j < o.Upsamplings; j++) { s *= 2; macs += (double)ch * (ch / 2) * 16 * s * s / 4; ch /= 2; }
        s *= 2;
        macs += (double)ch * o.Channels * 16 * s * s / 4;
        // A stride-2 transposed 4×4 conv touches each output pixel with 4×4/4 = 4 input taps per input channel.
        return macs;
    }

    /// <summary>Forward multiply-accumulates per image of D (convs and the linear head).</summary>
    internal static double DiscriminatorMacs(DcganOptions o)
    {
        int s = o.ImageSize, ch = o.Channels, w = o.Width;
        double macs = 0;
        for (int j = 0; j < o.Upsamplings; j++) { s /= 2; macs += (double)ch * w * 16 * s * s; ch = w; w *= 2; }
        return macs + o.FeatureSize;
    }

    /// <summary>
    /// fp32 peak = cores × FLOPs/cycle × GHz. FLOPs/cycle from the widest vector unit in /proc/cpuinfo's flags
    /// (AVX-512: 2 FMA units × 16 lanes × 2 = 64; AVX2+FMA: 2 × 8 × 2 = 32; else 8), GHz from "cpu MHz" (the
    /// nominal/current clock the VM reports; turbo can exceed it). An estimate, not a measurement.
    /// </summary>
    static (double Gflops, string How) PeakGflops()
    {
        try
        {
            var lines = File.ReadAllLines("/proc/cpuinfo");
            string? Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
            var flags = (Field("flags") ?? "").Split(' ');
            double mhz = double.Parse(Field("cpu MHz") ?? "0", CultureInfo.InvariantCulture);
            var model = Field("model name") ?? "?";
            int cores = Environment.ProcessorCount;
            int perCycle = flags.Contains("avx512f") ? 64 : flags.Contains("avx2") && flags.Contains("fma") ? 32 : 8;
            string unit = perCycle == 64 ? "AVX-512, 2 FMA units × 16 fp32 lanes × 2" : perCycle == 32 ? "AVX2, 2 FMA units × 8 lanes × 2" : "SSE, 8";
            double peak = cores * perCycle * mhz / 1000;
            return (peak, $"{cores} logical CPUs × {perCycle} FLOP/cycle ({unit}) × {mhz / 1000:F2} GHz (cpu MHz in /proc/cpuinfo; {model}). " +
                "The 2 vCPUs may be hyperthreads of one core (then the real peak is half) and are shared with other jobs.");
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return (0, $"could not read /proc/cpuinfo ({e.Message})");
        }
    }

}
