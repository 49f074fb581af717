using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Training;

/// <summary>Small pieces shared by trainers built on <see cref="PhaseTrainer"/> (pix2pix, CycleGAN, SRGAN): a progress-reporting loop and chunked eval-mode application.</summary>
public static class TrainLoop
{
    /// <summary>Trains <paramref name="steps"/> iterations, reporting "name: step s/N · key value · it/s" every <paramref name="every"/>.</summary>
    public static History Run(PhaseTrainer loop, int steps, int every, Action<string>? progress, string name, params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(loop);
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative.");
        var clock = Stopwatch.StartNew();
        int start = loop.Step, target = loop.Step + steps;
        var last = new Dictionary<string, double>();
        while (loop.Step < target)
        {
            var m = loop.Iterate(forceLog: loop.Step + 1 == target);
            foreach (var (k, v) in m) last[k] = v;
            if (progress is not null && (loop.Step % every == 0 || loop.Step == target))
            {
                var parts = keys.Concat(last.Keys.Where(k => k.StartsWith("Loss/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                    .Where(last.ContainsKey).Distinct().Select(k => string.Create(CultureInfo.InvariantCulture, $"{k} {last[k]:F4}"));
                double rate = (loop.Step - start) / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                progress(string.Create(CultureInfo.InvariantCulture, $"{name}: step {loop.Step}/{target} · {string.Join(" · ", parts)} · {rate:F1} it/s"));
            }
        }
        return loop.History;
    }

    /// <summary>Applies a network in eval mode without gradients, <paramref name="batchSize"/> rows at a time; result on the CPU; restores the mode.</summary>
    public static Tensor ApplyEval(Module<Tensor, Tensor> net, Tensor inputs, Device device, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(inputs);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be ≥ 1.");
        bool was = net.training;
        net.eval();
        try
        {
            using var noGrad = torch.no_grad();
            var parts = new List<Tensor>();
            try
            {
                for (long s = 0; s < inputs.shape[0]; s += batchSize)
                {
                    // one scope per chunk: only the chunk's CPU result outlives it, so memory does not grow with N on a GPU
                    using var chunk = torch.NewDisposeScope();
                    parts.Add(net.call(inputs.narrow(0, s, Math.Min(batchSize, inputs.shape[0] - s)).to(device)).cpu().MoveToOuterDisposeScope());
                }
                using var outer = torch.NewDisposeScope();
                return torch.cat(parts, 0).MoveToOuterDisposeScope();
            }
            finally { foreach (var t in parts) t.Dispose(); }
        }
        finally { net.train(was); }
    }
}
