using System.Diagnostics;
using System.Globalization;
using GanNotebooks.Data.Toy;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Ensembles;
using GanNotebooks.Variants.Standard;
using TorchSharp;

namespace GanNotebooks.Bench;

/// <summary>
/// `ensemble`: seeds·steps per second of K seeds of the toy GAN (notebook 02's steady ring configuration: MLP 3×128,
/// batch 256, Adam 1e-3 (0.5, 0.999), non-saturating loss) trained as one ensemble model, against the same K runs one
/// after the other with <see cref="GanTrainer"/>. Wall and process CPU seconds are both printed; with one torch
/// thread on a shared machine the CPU figure is the uncontended estimate. Prints figures only.
/// </summary>
public static class EnsembleBench
{
    public static int Run(Dictionary<string, string> o)
    {
        int steps = Program.Int(o, "steps", 300), batch = Program.Int(o, "batch", 256), hidden = Program.Int(o, "hidden", 128), warmup = Program.Int(o, "warmup", 20);
        int threads = Program.Int(o, "threads", 1), rounds = Program.Int(o, "rounds", 2);
        var ks = (o.TryGetValue("k", out var kList) ? kList : "1,2,5,10,20").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) && k >= 1 ? k
                : throw new ArgumentException($"--k takes member counts ≥ 1 separated by commas, e.g. --k 1,10 (got '{s}')."))
            .ToArray();
        if (threads > 0) torch.set_num_threads(threads);
        var ring = GaussianMixture2D.Ring();
        var cfg = GanTrainerConfig.Toy with { BatchSize = batch, LrG = 1e-3, LrD = 1e-3 };
        Console.WriteLine($"ensemble toy GAN: ring of 8, G/D = MLP 3x{hidden}, batch {batch}, Adam 1e-3 (0.5, 0.999), non-saturating, 1 D + 1 G step");
        Console.WriteLine($"device {Devices.Current}; torch threads {torch.get_num_threads()}; {steps} timed steps per run after {warmup} warm-up, best of {rounds} rounds");

        // Sequential: one single run per seed, each a fresh GanTrainer (as a notebook's loop over seeds).
        var single = Best(rounds, () => Measure(() =>
        {
            for (long s = 1; s <= 10; s++)
            {
                using var t = SingleRun(s, ring, cfg, hidden);
                t.Train(warmup);
                Accumulate(CpuClock.Measure(() => t.Train(steps)));
            }
        }));
        double seqPerCpu = 10.0 * steps / single.Cpu, seqPerWall = 10.0 * steps / single.Wall;
        Console.WriteLine();
        Console.WriteLine($"{"training",-40} {"seeds·steps/s",14} {"per CPU-s",12} {"speed-up (CPU)",15}");
        Console.WriteLine($"{"10 single runs, one after the other",-40} {seqPerWall,14:F1} {seqPerCpu,12:F1} {1.0,15:F2}");
        foreach (var k in ks)
        {
            var r = Best(rounds, () => Measure(() =>
            {
                using var t = EnsembleRun(k, ring, cfg, hidden);
                t.Train(warmup);
                Accumulate(CpuClock.Measure(() => t.Train(steps)));
            }));
            double perCpu = (double)k * steps / r.Cpu, perWall = (double)k * steps / r.Wall;
            Console.WriteLine($"{$"ensemble K = {k} (one model)",-40} {perWall,14:F1} {perCpu,12:F1} {perCpu / seqPerCpu,15:F2}");
        }
        return 0;
    }

    static GanTrainer SingleRun(long seed, GaussianMixture2D ring, GanTrainerConfig cfg, int hidden)
    {
        Seeding.Seed(seed);
        var g = new MlpGenerator(2, 2, hidden);
        var d = new MlpDiscriminator(2, hidden);
        var data = Seeding.Generator(seed + 1000);
        return new GanTrainer(g, d, new NonSaturatingGan(), b => ring.Sample(b, data), Latent.Normal(2, generator: Seeding.Generator(seed + 3000)), cfg);
    }

    static GanTrainer EnsembleRun(int k, GaussianMixture2D ring, GanTrainerConfig cfg, int hidden)
    {
        var seeds = Enumerable.Range(1, k).Select(i => (long)i).ToArray();
        var (g, d) = EnsembleGan.FromSeeds(seeds, () => new MlpGenerator(2, 2, hidden), () => new MlpDiscriminator(2, hidden));
        return new GanTrainer(g, d, new MemberwiseNonSaturatingGan(), EnsembleGan.RealSampler(ring, EnsembleGan.Offset(seeds, 1000)),
            EnsembleGan.LatentSampler(2, EnsembleGan.Offset(seeds, 3000)), cfg);
    }

    static double _cpu, _wall;
    static void Accumulate<T>(CpuTiming<T> time) { _cpu += time.CpuSeconds; _wall += time.WallSeconds; }
    static (double Cpu, double Wall) Measure(Action a) { _cpu = 0; _wall = 0; a(); return (_cpu, _wall); }
    static (double Cpu, double Wall) Best(int rounds, Func<(double Cpu, double Wall)> f)
    {
        var best = (Cpu: double.MaxValue, Wall: double.MaxValue);
        for (int i = 0; i < Math.Max(1, rounds); i++)
        {
            var r = f();
            best = (Math.Min(best.Cpu, r.Cpu), Math.Min(best.Wall, r.Wall));
        }
        return best;
    }
}
