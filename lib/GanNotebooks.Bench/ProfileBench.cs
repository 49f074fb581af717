using System.Diagnostics;
using GanNotebooks.Losses;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Standard;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Bench;

/// <summary>
/// `profile`: where one toy-GAN iteration's time goes. The iteration of <see cref="GanTrainer"/> (MLP 3×hidden, batch B,
/// one D step + one G step, non-saturating loss, Adam) is written out by hand with a stopwatch around each part, then
/// compared with (a) the arithmetic floor — the same 24 matrix products (and the small ones) alone, back to back,
/// (b) the cost of one tiny native operation (dispatch + TorchSharp wrapper), and (c) the number of tensors one
/// GanTrainer iteration creates. Figures only.
/// </summary>
static class ProfileBench
{
    const int ZDim = 2, XDim = 2;

    public static int Run(Dictionary<string, string> o)
    {
        int steps = Program.Int(o, "steps", 400), batch = Program.Int(o, "batch", 256), hidden = Program.Int(o, "hidden", 128);
        int rounds = Program.Int(o, "rounds", 3), threads = Program.Int(o, "threads", 1);
        if (threads > 0) torch.set_num_threads(threads);
        var device = Devices.Current;
        Console.WriteLine($"profile: toy GAN iteration, MLP 3x{hidden}, batch {batch}, torch threads {torch.get_num_threads()}, {steps} iterations x {rounds} rounds (best round per part)");
        Console.WriteLine("times are CPU time of the calling thread (torch runs on it with one thread), so other processes on a shared machine inflate them less than wall time");

        foreach (var kind in new[] { "torch", "flat" })
        {
            var parts = Instrumented(hidden, batch, device, steps, rounds, flat: kind == "flat");
            double total = parts.Values.Sum();
            Console.WriteLine();
            Console.WriteLine($"hand-written iteration with {(kind == "flat" ? "the kit's FlatAdam (one update for all parameters of a network)" : "TorchSharp's Adam (one update per parameter tensor)")}: {total:F3} ms");
            Console.WriteLine($"  {"part",-40} {"ms",8} {"share",7}");
            foreach (var (name, ms) in parts) Console.WriteLine($"  {name,-40} {ms,8:F3} {100 * ms / total,6:F1}%");
        }

        // The arithmetic floor: the matrix products of one iteration alone (forward x W^T, input and weight gradients).
        double gemm = GemmFloor(hidden, batch, device, steps, rounds, out double gflop);
        Console.WriteLine();
        Console.WriteLine($"arithmetic floor: the iteration's matrix products alone: {gemm:F3} ms ({gflop * 1e3:F0} MFLOP, {gflop / (gemm / 1e3):F1} GFLOP/s)");

        double op = TinyOp(device);
        Console.WriteLine($"one tiny native op (in-place add_ of a double on a 1-element tensor: P/Invoke, Scalar, dispatch): {op * 1e3:F2} µs");

        // Tensors created per GanTrainer iteration (unlogged steps; LogEvery large).
        Seeding.Seed(0);
        var g = new MlpGenerator(ZDim, XDim, hidden);
        var d = new MlpDiscriminator(XDim, hidden);
        var cfg = GanTrainerConfig.Toy with { BatchSize = batch, LogEvery = 1_000_000, Device = device };
        using var t = new GanTrainer(g, d, new NonSaturatingGan(), b => Program.Ring(b, device), Latent.Normal(ZDim, device), cfg);
        t.Train(20);
        var stats = DisposeScopeManager.Statistics;
        long created0 = stats.CreatedInScopeCount + stats.CreatedOutsideScopeCount;
        const int n = 100;
        for (int i = 0; i < n; i++) t.TrainStep();
        long created = stats.CreatedInScopeCount + stats.CreatedOutsideScopeCount - created0;
        Console.WriteLine($"GanTrainer ({t.OptimizerG.GetType().Name}): {created / (double)n:F0} tensor handles created per unlogged iteration");
        long c0 = ThreadCpu.Ns();
        for (int i = 0; i < steps; i++) t.TrainStep();
        double perStep = (ThreadCpu.Ns() - c0) / 1e6 / steps;
        Console.WriteLine($"GanTrainer: {perStep:F3} CPU-ms per unlogged iteration ({1000 / perStep:F0} steps per CPU-second, one round)");
        return 0;
    }

    static Dictionary<string, double> Instrumented(int hidden, int batch, Device device, int steps, int rounds, bool flat)
    {
        Seeding.Seed(0);
        var g = new MlpGenerator(ZDim, XDim, hidden).to(device);
        var d = new MlpDiscriminator(XDim, hidden).to(device);
        optim.Optimizer optG = flat ? new FlatAdam(g.parameters(), 2e-4, 0.5, 0.999) : optim.Adam(g.parameters(), 2e-4, 0.5, 0.999);
        optim.Optimizer optD = flat ? new FlatAdam(d.parameters(), 2e-4, 0.5, 0.999) : optim.Adam(d.parameters(), 2e-4, 0.5, 0.999);
        var names = new[]
        {
            "sample real batch + z", "G forward (no grad)", "D zero_grad", "D forward on real and fake + loss", "D backward", "D Adam step",
            "freeze D, sample z", "G zero_grad", "G forward + D forward + loss", "G backward", "G Adam step", "unfreeze D, scope dispose",
        };
        var best = names.ToDictionary(x => x, _ => double.MaxValue);
        var acc = new long[names.Length];
        long last = 0;
        void Start() => last = ThreadCpu.Ns();
        void Lap(int i) { long now = ThreadCpu.Ns(); acc[i] += now - last; last = now; }
        for (int r = 0; r <= rounds; r++)
        {
            Array.Clear(acc);
            for (int s = 0; s < steps; s++)
            {
                Start();
                var scope = torch.NewDisposeScope();
                var real = Program.Ring(batch, device);
                var z = torch.randn(batch, ZDim, device: device);
                Lap(0);
                Tensor fake;
                using (torch.no_grad()) fake = g.call(z);
                Lap(1);
                optD.zero_grad();
                Lap(2);
                var dLoss = GanLosses.DiscriminatorBce(d.call(real), d.call(fake));
                Lap(3);
                dLoss.backward();
                Lap(4);
                optD.step();
                Lap(5);
                var frozen = d.Frozen();
                var z2 = torch.randn(batch, ZDim, device: device);
                Lap(6);
                optG.zero_grad();
                Lap(7);
                var gLoss = GanLosses.GeneratorNonSaturating(d.call(g.call(z2)));
                Lap(8);
                gLoss.backward();
                Lap(9);
                optG.step();
                Lap(10);
                frozen.Dispose();
                scope.Dispose();
                Lap(11);
            }
            if (r == 0) continue; // warm-up round
            for (int i = 0; i < names.Length; i++)
                best[names[i]] = Math.Min(best[names[i]], acc[i] / 1e6 / steps);
        }
        optG.Dispose(); optD.Dispose(); g.Dispose(); d.Dispose();
        return best;
    }

    static double GemmFloor(int h, int b, Device device, int steps, int rounds, out double gflop)
    {
        // (m, k, n) of every product: forward [B,in]x[in,out]; backward input grad [B,out]x[out,in]; weight grad [out,B]x[B,in].
        var shapes = new List<(int M, int K, int N)>();
        int[] gw = { ZDim, h, h, h, XDim }, dw = { XDim, h, h, h, 1 };
        void Fwd(int[] w) { for (int i = 0; i + 1 < w.Length; i++) shapes.Add((b, w[i], w[i + 1])); }
        void InGrad(int[] w, bool first) { for (int i = first ? 0 : 1; i + 1 < w.Length; i++) shapes.Add((b, w[i + 1], w[i])); }
        void WGrad(int[] w) { for (int i = 0; i + 1 < w.Length; i++) shapes.Add((w[i + 1], b, w[i])); }
        // D step: G forward; D forward real, fake; D backward (weight + input grads below layer 0) on both.
        Fwd(gw); Fwd(dw); Fwd(dw); WGrad(dw); WGrad(dw); InGrad(dw, false); InGrad(dw, false);
        // G step: G forward, D forward, D backward to its input (frozen: no weight grads), G backward.
        Fwd(gw); Fwd(dw); InGrad(dw, true); WGrad(gw); InGrad(gw, false);
        gflop = shapes.Sum(s => 2.0 * s.M * s.K * s.N) / 1e9;
        var a = shapes.Select(s => torch.randn(s.M, s.K, device: device)).ToArray();
        var w2 = shapes.Select(s => torch.randn(s.K, s.N, device: device)).ToArray();
        double best = double.MaxValue;
        for (int r = 0; r <= rounds; r++)
        {
            long t0 = ThreadCpu.Ns();
            for (int s = 0; s < steps; s++)
                for (int i = 0; i < shapes.Count; i++)
                    torch.mm(a[i], w2[i]).Dispose();
            if (r > 0) best = Math.Min(best, (ThreadCpu.Ns() - t0) / 1e6 / steps);
        }
        foreach (var t in a.Concat(w2)) t.Dispose();
        return best;
    }

    /// <summary>CPU time of the calling thread in ns (Linux CLOCK_THREAD_CPUTIME_ID; elsewhere the wall clock).</summary>
    internal static class ThreadCpu
    {
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        struct Timespec { public long Sec, Nsec; }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
        static extern int ClockGettime(int clock, out Timespec ts);

        static readonly bool Works = OperatingSystem.IsLinux() && Probe();

        static bool Probe()
        {
            try { return ClockGettime(3, out _) == 0; }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
        }

        public static long Ns()
        {
            if (Works && ClockGettime(3, out var ts) == 0) return ts.Sec * 1_000_000_000 + ts.Nsec;
            return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
        }
    }

    static double TinyOp(Device device)
    {
        using var x = torch.zeros(1, device: device);
        const int n = 200_000;
        for (int i = 0; i < 1000; i++) x.add_(1);
        long t0 = ThreadCpu.Ns();
        for (int i = 0; i < n; i++) x.add_(1);
        return (ThreadCpu.Ns() - t0) / 1e6 / n;
    }
}
