using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Training;

/// <summary>
/// Some of a network's parameters, trained by one optimizer at <see cref="LrMultiplier"/> × the optimizer's learning
/// rate: a whole network (the default) or the parameters whose state-dict names pass <see cref="Where"/> — e.g.
/// StyleGAN's mapping network at 0.01 × lr (Karras et al. 2019, §C) as its own group of G.
/// </summary>
/// <param name="Network">Name of a network registered with the trainer.</param>
/// <param name="LrMultiplier">Factor on the optimizer's learning rate (&gt; 0).</param>
/// <param name="Where">Parameter-name filter (state-dict names such as "mapping.0.weight"); null takes every parameter.</param>
public sealed record ParameterGroup(string Network, double LrMultiplier = 1.0, Func<string, bool>? Where = null);

/// <summary>
/// A named optimizer over parameter groups (configuration record; the trainer builds the torch optimizer and rebuilds
/// it on <see cref="PhaseTrainer.ResetOptimizers"/>).
/// </summary>
/// <param name="Name">Key used by <see cref="Phase.Optimizer"/> and in checkpoints (e.g. "G", "D").</param>
/// <param name="Groups">What it trains.</param>
public sealed record OptimizerDef(string Name, IReadOnlyList<ParameterGroup> Groups)
{
    /// <summary>Adam (default), RMSprop or SGD.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Adam;
    /// <summary>Base learning rate (times each group's multiplier and the trainer's schedule factor).</summary>
    public double Lr { get; init; } = 2e-4;
    /// <summary>Adam's (β1, β2).</summary>
    public (double Beta1, double Beta2) Betas { get; init; } = (0.5, 0.999);
    /// <summary>RMSprop's smoothing constant.</summary>
    public double RmsAlpha { get; init; } = 0.99;
    /// <summary>Momentum for RMSprop and SGD.</summary>
    public double Momentum { get; init; }
    /// <summary>
    /// Adam only: true (default) builds <see cref="FlatAdam"/>, one update per parameter group on flat buffers; false
    /// builds TorchSharp's Adam, one update per parameter tensor — the same numbers, more kernels (for comparisons).
    /// </summary>
    public bool Flat { get; init; } = true;

    /// <summary>An optimizer over whole networks (each its own group at multiplier 1).</summary>
    public static OptimizerDef For(string name, params string[] networks) => new(name, networks.Select(n => new ParameterGroup(n)).ToArray());
}

/// <summary>
/// One update of a training iteration (StyleGAN2-ADA's "phases"): which loss, which optimizer, how often. A GAN is a
/// list of phases — "D ×n, then G" is two; lazy R1 is a third phase every k iterations; CycleGAN's two generators and
/// two discriminators are two or four; an unrolled GAN's G phase computes k look-ahead D steps inside its loss.
/// </summary>
/// <param name="Name">Metric suffix ("Loss/{Name}", "Grad/{Name}") and step-counter key.</param>
/// <param name="Optimizer">Name of the <see cref="OptimizerDef"/> that steps after the loss's backward pass.</param>
/// <param name="Loss">The scalar loss of one update; it samples what it needs (it runs inside the update's dispose scope).</param>
public sealed record Phase(string Name, string Optimizer, Func<PhaseStep, Tensor> Loss)
{
    /// <summary>Run on iterations whose index is a multiple of this (lazy regularization: every k-th iteration).</summary>
    public int Every { get; init; } = 1;
    /// <summary>Updates per iteration at iteration i (n critic steps); null = 1.</summary>
    public Func<int, int>? Repeats { get; init; }
    /// <summary>When set, the iteration's metrics record the repeat count under this key (e.g. "DSteps").</summary>
    public string? RepeatsKey { get; init; }
    /// <summary>Networks whose parameters do not require gradients during this phase (e.g. D in a G step).</summary>
    public IReadOnlyList<string> Frozen { get; init; } = [];
    /// <summary>After the optimizer step, inside the same scope (weight clipping, EMA, an objective's hook).</summary>
    public Action<PhaseStep>? AfterStep { get; init; }
}

/// <summary>
/// What a phase's loss sees for one update. Tensors made here belong to the update's dispose scope: do not keep them.
/// </summary>
public sealed class PhaseStep
{
    internal readonly PendingMetrics Metrics;

    internal PhaseStep(PhaseTrainer trainer, Phase phase, int step, int repeat, bool isLogging)
    {
        Trainer = trainer; Phase = phase; Step = step; Repeat = repeat; Metrics = new PendingMetrics(isLogging);
    }

    /// <summary>The trainer (networks, device, step counters).</summary>
    public PhaseTrainer Trainer { get; }
    /// <summary>The phase being run.</summary>
    public Phase Phase { get; }
    /// <summary>Index (0-based) of the iteration.</summary>
    public int Step { get; }
    /// <summary>Index (0-based) of the repeat within the iteration (n critic steps).</summary>
    public int Repeat { get; }
    /// <summary>True when this update's metrics are recorded.</summary>
    public bool IsLogging => Metrics.IsLogging;
    /// <summary>The training device.</summary>
    public Device Device => Trainer.Device;
    /// <summary>Whatever the loss wants to hand to <see cref="Phase.AfterStep"/> (e.g. its batches).</summary>
    public object? State { get; set; }

    /// <summary>Records a named scalar (only on logging updates; the function runs only then).</summary>
    public void Log(string name, Func<Tensor> value) => Metrics.Add(name, value);

    /// <summary>Records a named number (only on logging updates).</summary>
    public void Log(string name, double value) => Metrics.Add(name, value);
}

/// <summary>
/// The named scalars one update records (e.g. "D(x)", "GP"): collected only on logging updates, read into the
/// iteration's metrics after the update's "Loss/…" and "Grad/…". Shared by <see cref="PhaseStep"/> and
/// <see cref="GanStepContext"/>, so both log the same way.
/// </summary>
internal sealed class PendingMetrics(bool isLogging)
{
    readonly List<(string Name, Tensor? Value, double Number)> _items = new();

    public bool IsLogging { get; } = isLogging;

    /// <summary>A scalar tensor, computed without graph and only when logging.</summary>
    public void Add(string name, Func<Tensor> value)
    {
        if (!IsLogging) return;
        using var _ = torch.no_grad();
        _items.Add((name, value().detach(), double.NaN));
    }

    /// <summary>A number, only when logging.</summary>
    public void Add(string name, double value)
    {
        if (IsLogging) _items.Add((name, null, value));
    }

    /// <summary>Appends these entries to <paramref name="other"/> (in order) and clears them.</summary>
    public void MoveTo(PendingMetrics other)
    {
        other._items.AddRange(_items);
        _items.Clear();
    }

    /// <summary>Writes the entries into <paramref name="metrics"/> and clears them.</summary>
    public void FlushInto(IDictionary<string, double> metrics)
    {
        foreach (var (name, t, x) in _items)
            metrics[name] = t is null ? x : PhaseTrainer.ToDouble(t);
        _items.Clear();
    }
}

/// <summary>Trainer-wide knobs of a <see cref="PhaseTrainer"/>.</summary>
public sealed record PhaseTrainerOptions
{
    /// <summary>Training device (default: the kit's current device).</summary>
    public Device? Device { get; init; }
    /// <summary>Record metrics every this many iterations (and on the first).</summary>
    public int LogEvery { get; init; } = 50;
    /// <summary>Iteration → factor on every group's learning rate (logged as "LR factor"); null keeps them fixed.</summary>
    public Func<int, double>? LrSchedule { get; init; }
    /// <summary>Exponential moving averages of networks' weights: network name → decay.</summary>
    public IReadOnlyDictionary<string, double> Ema { get; init; } = new Dictionary<string, double>();
    /// <summary>Written into checkpoints and checked on load (e.g. the objective's name).</summary>
    public string Label { get; init; } = "";
}
