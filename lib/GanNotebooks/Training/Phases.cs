using GanNotebooks.Core;
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
/// A named optimizer over parameter groups (configuration record; the trainer builds the torch optimizer from
/// <see cref="Settings"/> and rebuilds it on <see cref="Trainer.ResetOptimizers"/>).
/// </summary>
/// <param name="Name">Key used by <see cref="Phase.Optimizer"/> and in checkpoints (e.g. "G", "D").</param>
/// <param name="Groups">What it trains.</param>
public sealed record OptimizerDef(string Name, IReadOnlyList<ParameterGroup> Groups)
{
    /// <summary>Kind, learning rate, betas…: the one optimizer description, validated when the trainer is built.</summary>
    public OptimizerSettings Settings { get; init; } = OptimizerSettings.Default;

    /// <summary>An optimizer over whole networks (each its own group at multiplier 1).</summary>
    public static OptimizerDef For(string name, params string[] networks) => new(name, networks.Select(n => new ParameterGroup(n)).ToArray());

    /// <summary>An optimizer with <paramref name="settings"/> over whole networks.</summary>
    public static OptimizerDef For(string name, OptimizerSettings settings, params string[] networks) => For(name, networks) with { Settings = settings };
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

    internal PhaseStep(Trainer trainer, Phase phase, int step, int repeat, bool isLogging)
    {
        Trainer = trainer; Phase = phase; Step = step; Repeat = repeat; Metrics = new PendingMetrics(isLogging);
    }

    /// <summary>The trainer (networks, device, step counters).</summary>
    public Trainer Trainer { get; }
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
            metrics[name] = t is null ? x : Trainer.ToDouble(t);
        _items.Clear();
    }
}

/// <summary>Trainer-wide knobs of a <see cref="Trainer"/>.</summary>
public sealed record TrainerOptions
{
    /// <summary>Training device (default: the kit's current device).</summary>
    public Device? Device { get; init; }
    /// <summary>Record metrics every this many iterations (and on the first and the last of a <see cref="Trainer.Train"/> call).</summary>
    public int LogEvery { get; init; } = 50;
    /// <summary>Call <see cref="Trainer.Progress"/> every this many iterations (and at the end of a Train call).</summary>
    public int ProgressEvery { get; init; } = 100;
    /// <summary>Iteration → factor on every group's learning rate (logged as "LR factor"); null keeps them fixed.</summary>
    public Func<int, double>? LrSchedule { get; init; }
    /// <summary>Exponential moving averages of networks' weights: network name → decay.</summary>
    public IReadOnlyDictionary<string, double> Ema { get; init; } = new Dictionary<string, double>();
    /// <summary>Written into checkpoints and checked on load, and the progress line's prefix (e.g. the objective's name).</summary>
    public string Label { get; init; } = "";
}

/// <summary>
/// What a recipe returns and a <see cref="Trainer"/> runs: the named networks, the optimizers over their parameter groups,
/// the phases of one iteration, and what else the variant needs — checkpoint sections, named samplers (e.g. "latent"), a
/// hook before each iteration (progressive growing sets its stage there), the keys of the progress line. The caller
/// owns the networks; <see cref="Owned"/> lists what the trainer disposes with itself.
/// </summary>
/// <param name="Networks">Named networks, e.g. ("G", g), ("D", d).</param>
/// <param name="Optimizers">Optimizers over parameter groups of those networks.</param>
/// <param name="Phases">The updates of one iteration, in order.</param>
public sealed record TrainingPlan(
    IReadOnlyList<(string Name, Module Module)> Networks,
    IReadOnlyList<OptimizerDef> Optimizers,
    IReadOnlyList<Phase> Phases)
{
    /// <summary>Trainer-wide knobs.</summary>
    public TrainerOptions Options { get; init; } = new();
    /// <summary>State that checkpoints carry besides networks and optimizers (data order, schedules, image pools).</summary>
    public IReadOnlyList<ICheckpointable> Tracked { get; init; } = [];
    /// <summary>Named samplers (B → tensor [B, …]), e.g. "latent" for <c>t.Sample(n)</c>.</summary>
    public IReadOnlyDictionary<string, Func<int, Tensor>> Samplers { get; init; } = new Dictionary<string, Func<int, Tensor>>();
    /// <summary>Runs before every iteration (progressive growing: set the stage, grow, reset the optimizers).</summary>
    public Action<Trainer>? BeforeIteration { get; init; }
    /// <summary>Runs after every iteration, before the callbacks and monitors attached later.</summary>
    public Action<StepEnd>? AfterIteration { get; init; }
    /// <summary>Metric keys the progress line shows first (the phases' losses follow).</summary>
    public IReadOnlyList<string> StatusKeys { get; init; } = [];
    /// <summary>Extra text for the progress line (e.g. the resolution and images shown).</summary>
    public Func<Trainer, string>? Status { get; init; }
    /// <summary>The recipe's own typed state (its networks with their types, its settings), for its accessors and verbs.</summary>
    public object? Recipe { get; init; }
    /// <summary>What the trainer disposes with itself (e.g. a pass-through generator it made); not the caller's networks.</summary>
    public IReadOnlyList<IDisposable> Owned { get; init; } = [];
}

/// <summary>What a step-end callback or monitor receives.</summary>
/// <param name="Trainer">The trainer (for sampling, saving, reading networks…).</param>
/// <param name="Step">Iterations completed so far (1-based).</param>
/// <param name="Metrics">This iteration's metrics; empty on iterations that were not logged.</param>
public readonly record struct StepEnd(Trainer Trainer, int Step, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>True when this step recorded metrics.</summary>
    public bool IsLogged => Metrics.Count > 0;
}

/// <summary>Callback helpers.</summary>
public static class Callbacks
{
    /// <summary>Wraps <paramref name="action"/> so that it runs every <paramref name="k"/> iterations.</summary>
    public static Action<StepEnd> Every(int k, Action<StepEnd> action)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "a callback interval must be ≥ 1 step.");
        ArgumentNullException.ThrowIfNull(action);
        return e => { if (e.Step % k == 0) action(e); };
    }
}
