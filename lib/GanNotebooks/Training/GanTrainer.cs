using GanNotebooks.Core;
using GanNotebooks.Runtime;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Training;

/// <summary>What a step-end callback receives.</summary>
/// <param name="Trainer">The trainer (for sampling, saving, …).</param>
/// <param name="Step">Generator steps completed so far (1-based).</param>
/// <param name="Metrics">This step's metrics; empty on steps that were not logged (see <see cref="GanTrainerConfig.LogEvery"/>).</param>
public readonly record struct StepEnd(GanTrainer Trainer, int Step, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>True when this step recorded metrics.</summary>
    public bool IsLogged => Metrics.Count > 0;
}

/// <summary>Callback helpers.</summary>
public static class Callbacks
{
    /// <summary>Wraps <paramref name="action"/> so that it runs every <paramref name="k"/> generator steps.</summary>
    public static Action<StepEnd> Every(int k, Action<StepEnd> action)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "a callback interval must be ≥ 1 step.");
        ArgumentNullException.ThrowIfNull(action);
        return e => { if (e.Step % k == 0) action(e); };
    }
}

/// <summary>
/// The GAN definition on the kit's one loop (<see cref="PhaseTrainer"/>, <see cref="Loop"/>): networks "G" and "D", one
/// optimizer each, and two phases. Each iteration runs n discriminator steps (n = <see cref="GanTrainerConfig.DSteps"/>
/// or the schedule) and then one generator step (Goodfellow et al. 2014, Algorithm 1); the variant —
/// minimax, non-saturating, WGAN, WGAN-GP, LSGAN, hinge, f-GAN… — is the <see cref="IGanObjective"/>.
/// Metrics go to <see cref="History"/> under keys such as "Loss/D", "Loss/G", "D(x)", "D(G(z))",
/// "Grad/D", "Grad/G". Every update runs in its own dispose scope, so memory stays flat.
/// </summary>
public sealed class GanTrainer : IDisposable
{
    readonly Func<int, (Tensor Images, Tensor? Labels)> _realSampler;
    readonly Func<int, Tensor> _latentSampler;
    // Set by CriticOnly: G is the kit's pass-through (owned, disposed with the trainer) and iterations skip the G step.
    readonly bool _criticOnly;
    readonly List<Action<StepEnd>> _callbacks = new();

    /// <summary>Creates the trainer, moves G and D to the device and builds their optimizers.</summary>
    /// <param name="generator">G: z [B, ...] → x [B, ...].</param>
    /// <param name="discriminator">D: x [B, ...] → one logit / score per sample ([B] or [B, 1]).</param>
    /// <param name="objective">The GAN variant (e.g. <c>new NonSaturatingGan()</c>).</param>
    /// <param name="realSampler">B → a real batch [B, ...] (moved to the device if needed).</param>
    /// <param name="latentSampler">B → z [B, ...] (e.g. <see cref="Latent.Normal"/>).</param>
    /// <param name="config">Knobs (default <see cref="GanTrainerConfig.Default"/>); validated here.</param>
    public GanTrainer(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> discriminator, IGanObjective objective,
        Func<int, Tensor> realSampler, Func<int, Tensor> latentSampler, GanTrainerConfig? config = null)
        : this(generator, discriminator, objective, Unlabelled(realSampler), realSampler, labelled: false, latentSampler, config) { }

    /// <summary>
    /// Creates a trainer whose real batches come with class labels, for conditional GANs: the objective reads
    /// them as <see cref="GanStepContext.RealLabels"/>. Otherwise as the unlabelled constructor.
    /// </summary>
    /// <param name="generator">G: z [B, ...] → x [B, ...].</param>
    /// <param name="discriminator">D (the objective decides how it is called, e.g. with labels).</param>
    /// <param name="objective">The GAN variant (e.g. a conditional one).</param>
    /// <param name="labelledRealSampler">B → (images [B, ...], labels int64 [B]), e.g. <c>ImageDataset.LabelledBatchSampler(seed)</c>.</param>
    /// <param name="latentSampler">B → z [B, ...].</param>
    /// <param name="config">Knobs (default <see cref="GanTrainerConfig.Default"/>); validated here.</param>
    public GanTrainer(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> discriminator, IGanObjective objective,
        Func<int, (Tensor Images, Tensor Labels)> labelledRealSampler, Func<int, Tensor> latentSampler, GanTrainerConfig? config = null)
        : this(generator, discriminator, objective, Labelled(labelledRealSampler), labelledRealSampler, labelled: true, latentSampler, config) { }

    /// <summary>
    /// A trainer for the critic alone against FIXED real and fake distributions (the optimal-discriminator
    /// experiments: train D for P vs Q, then read D, its bound or its gradients). The generator is a
    /// pass-through: <paramref name="sampleFake"/> plays the latent sampler and G returns its samples unchanged, so
    /// every D step — with the objective's penalty, <see cref="GanTrainerConfig.WeightClip"/>, the D-step
    /// schedule, the learning-rate schedule and the history — runs exactly as in a GAN. <see cref="Train"/> and
    /// <see cref="TrainStep"/> run only the D steps of each iteration; <see cref="GeneratorStep"/> is an error.
    /// </summary>
    /// <param name="critic">The discriminator / critic to train.</param>
    /// <param name="objective">Its loss (e.g. <c>new MinimaxGan()</c>, <c>new WassersteinGpGan(10)</c>).</param>
    /// <param name="sampleReal">B → samples of P [B, ...].</param>
    /// <param name="sampleFake">B → samples of Q [B, ...] (the fixed "generator").</param>
    /// <param name="config">Optimizer knobs (only the D settings matter).</param>
    public static GanTrainer CriticOnly(Module<Tensor, Tensor> critic, IGanObjective objective,
        Func<int, Tensor> sampleReal, Func<int, Tensor> sampleFake, GanTrainerConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(sampleFake);
        var passThrough = new PassThrough();
        try { return new GanTrainer(passThrough, critic, objective, Unlabelled(sampleReal), sampleReal, labelled: false, sampleFake, config, criticOnly: true); }
        catch { passThrough.Dispose(); throw; }
    }

    /// <summary>G of <see cref="CriticOnly"/>: returns its input; one unused parameter so that optimizers can be built.</summary>
    sealed class PassThrough : Module<Tensor, Tensor>
    {
        readonly Parameter _unused;
        public PassThrough() : base(nameof(PassThrough))
        {
            _unused = new Parameter(torch.zeros(1));
            register_parameter("unused", _unused);
        }
        public override Tensor forward(Tensor x) => x.alias();
    }

    static Func<int, (Tensor, Tensor?)> Unlabelled(Func<int, Tensor> realSampler)
    {
        ArgumentNullException.ThrowIfNull(realSampler);
        return b => (realSampler(b), null);
    }

    static Func<int, (Tensor, Tensor?)> Labelled(Func<int, (Tensor Images, Tensor Labels)> labelledRealSampler)
    {
        ArgumentNullException.ThrowIfNull(labelledRealSampler, nameof(labelledRealSampler));
        return b => labelledRealSampler(b);
    }

    GanTrainer(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> discriminator, IGanObjective objective,
        Func<int, (Tensor, Tensor?)> realSampler, Delegate realSamplerSource, bool labelled, Func<int, Tensor> latentSampler, GanTrainerConfig? config,
        bool criticOnly = false)
    {
        _criticOnly = criticOnly;
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(discriminator);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(latentSampler);
        HasLabels = labelled;
        if (ReferenceEquals(generator, discriminator)) throw new ArgumentException("generator and discriminator must be two different modules.");
        Config = config ?? GanTrainerConfig.Default;
        Config.Validate();
        if (Config.Seed is long seed) Seeding.Seed(seed);
        Device = Config.Device ?? Devices.Current;
        G = generator;
        D = discriminator;
        if (!G.parameters().Any()) throw new ArgumentException("the generator has no parameters to train.", nameof(generator));
        if (!D.parameters().Any()) throw new ArgumentException("the discriminator has no parameters to train.", nameof(discriminator));
        Objective = objective;
        _realSampler = realSampler;
        _latentSampler = latentSampler;
        // The variant-agnostic loop: networks "G" and "D", one optimizer each, and two phases — n D updates, then
        // one G update (Goodfellow et al. 2014, Algorithm 1). Everything variant-specific is in the objective.
        Loop = new PhaseTrainer(
            [("G", G), ("D", D)],
            [Optimizer("G", Config.LrG, Config.BetasG), Optimizer("D", Config.LrD, Config.BetasD)],
            _criticOnly ? [DiscriminatorPhase()] : [DiscriminatorPhase(), GeneratorPhase()],
            new PhaseTrainerOptions
            {
                Device = Device, LogEvery = Config.LogEvery, LrSchedule = Config.LrSchedule, Label = objective.Name,
                Ema = Config.EmaDecay is double d ? new Dictionary<string, double> { ["G"] = d } : new Dictionary<string, double>(),
            });
        Loop.TrackTargetOf(realSamplerSource);
        Loop.TrackTargetOf(latentSampler);
    }

    OptimizerDef Optimizer(string network, double lr, (double Beta1, double Beta2) betas) =>
        OptimizerDef.For(network, network) with { Kind = Config.Optimizer, Lr = lr, Betas = betas, RmsAlpha = Config.RmsAlpha, Momentum = Config.Momentum, Flat = Config.FlatAdam };

    /// <summary>D's update: a real batch, a fake batch from G without graph, the objective's D loss; WGAN's clip after the step.</summary>
    Phase DiscriminatorPhase() => new("D", "D", step =>
    {
        int b = Config.BatchSize;
        var real = SampleReal(b);
        var z = SampleLatent(b);
        Tensor fake;
        // The D step must not reach G: no graph through G at all (cheaper than building and detaching it).
        using (torch.no_grad()) fake = G.call(z).detach();
        var ctx = new GanStepContext(GanPhase.Discriminator, G, D, SampleReal, real, z, fake, step.Step, step.Repeat, b, step.IsLogging, Device);
        _context = ctx;
        return CheckLoss(Objective.DiscriminatorLoss(ctx), "DiscriminatorLoss");
    })
    {
        Repeats = DStepsAt,
        RepeatsKey = "DSteps",
        AfterStep = step =>
        {
            if (Config.WeightClip is double c)
            {
                // WGAN's Lipschitz constraint (Arjovsky et al. 2017, Algorithm 1, line 7).
                using var _ = torch.no_grad();
                foreach (var p in D.parameters()) p.clamp_(-c, c);
            }
            Objective.AfterDiscriminatorStep(_context!);
            _context!.MoveLogsTo(step);
            _context = null;
        },
    };

    /// <summary>G's update: a fresh latent batch, G(z) with graph, the objective's G loss (D frozen if configured); EMA after the step.</summary>
    Phase GeneratorPhase() => new("G", "G", step =>
    {
        int b = Config.BatchSize;
        var z = SampleLatent(b);
        var fake = G.call(z);
        var ctx = new GanStepContext(GanPhase.Generator, G, D, SampleReal, null, z, fake, step.Step, 0, b, step.IsLogging, Device);
        _context = ctx;
        return CheckLoss(Objective.GeneratorLoss(ctx), "GeneratorLoss");
    })
    {
        Frozen = Config.FreezeDiscriminatorInGeneratorStep ? ["D"] : [],
        AfterStep = step =>
        {
            Loop.Ema("G")?.Update();
            Objective.AfterGeneratorStep(_context!);
            _context!.MoveLogsTo(step);
            _context = null;
        },
    };

    // The context of the update in progress: made by a phase's loss, read by its AfterStep (same update, same scope).
    GanStepContext? _context;

    int DStepsAt(int g)
    {
        int nD = Config.DStepsSchedule?.Invoke(g) ?? Config.DSteps;
        if (nD < 1) throw new InvalidOperationException($"DStepsSchedule returned {nD} for generator step {g}; it must return ≥ 1.");
        return nD;
    }

    /// <summary>The phase loop underneath (networks "G" and "D", phases "D" and "G"): its counters, optimizers, and <see cref="PhaseTrainer.Track"/> for extra checkpoint state.</summary>
    public PhaseTrainer Loop { get; }

    /// <summary>The generator.</summary>
    public Module<Tensor, Tensor> G { get; }

    /// <summary>The discriminator / critic.</summary>
    public Module<Tensor, Tensor> D { get; }

    /// <summary>The GAN variant.</summary>
    public IGanObjective Objective { get; }

    /// <summary>True when real batches come with labels (built with a labelled sampler).</summary>
    public bool HasLabels { get; }

    /// <summary>The validated configuration.</summary>
    public GanTrainerConfig Config { get; }

    /// <summary>Where G, D and the batches live.</summary>
    public Device Device { get; }

    /// <summary>G's optimizer (replaced by <see cref="ResetOptimizers"/>).</summary>
    public optim.Optimizer OptimizerG => Loop.Optimizer("G");

    /// <summary>D's optimizer (replaced by <see cref="ResetOptimizers"/>).</summary>
    public optim.Optimizer OptimizerD => Loop.Optimizer("D");

    /// <summary>
    /// Replaces both optimizers with fresh ones of the same kind and settings: no moment estimates, step
    /// counts at 0. Progressive growing resets Adam's state at each new resolution (Karras et al. 2018,
    /// official code: reset_opt_for_new_lod), because the old moments belong to a different network.
    /// Weights, EMA, history and step counts are kept.
    /// </summary>
    public void ResetOptimizers() => Loop.ResetOptimizers();

    /// <summary>EMA of G's weights (when <see cref="GanTrainerConfig.EmaDecay"/> is set).</summary>
    public ExponentialMovingAverage? Ema => Loop.Ema("G");

    /// <summary>Generator steps completed.</summary>
    public int Step => Loop.Step;

    /// <summary>Total discriminator steps completed.</summary>
    public long DiscriminatorSteps => Loop.PhaseSteps("D");

    /// <summary>Recorded metrics.</summary>
    public History History => Loop.History;

    /// <summary>
    /// Live progress: called with a one-line status every <see cref="GanTrainerConfig.ProgressEvery"/>
    /// steps and at the end of <see cref="Train"/> (e.g. <c>trainer.Progress = line => display.Update(line)</c>).
    /// </summary>
    public Action<string>? Progress { get; set; }

    /// <summary>Runs after every generator step.</summary>
    public event Action<StepEnd>? StepEnded;

    /// <summary>Adds a step-end callback; returns this trainer for chaining.</summary>
    public GanTrainer OnStepEnd(Action<StepEnd> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _callbacks.Add(callback);
        return this;
    }

    /// <summary>Attaches a monitor (mode coverage, image quality, f-GAN bound…): it sees every step end, in attach order. Returns this trainer.</summary>
    public GanTrainer Attach(ITrainingMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        return OnStepEnd(monitor.OnStepEnd);
    }

    /// <summary>Adds a callback that runs every <paramref name="every"/> generator steps.</summary>
    public GanTrainer OnStepEnd(int every, Action<StepEnd> callback) => OnStepEnd(Callbacks.Every(every, callback));

    /// <summary>Trains for <paramref name="steps"/> more generator steps.</summary>
    /// <param name="steps">Generator steps to run (≥ 0).</param>
    /// <param name="cancellation">Stops cleanly between steps.</param>
    /// <returns>The history.</returns>
    public History Train(int steps, CancellationToken cancellation = default)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative.");
        int target = Step + steps;
        var clock = Stopwatch.StartNew();
        int startStep = Step;
        while (Step < target && !cancellation.IsCancellationRequested)
        {
            bool last = Step + 1 == target;
            TrainStep(forceLog: last);
            if (Progress is not null && (Step % Config.ProgressEvery == 0 || last))
                Progress(StatusLine(target, (Step - startStep) / Math.Max(1e-9, clock.Elapsed.TotalSeconds)));
        }
        return History;
    }

    /// <summary>One iteration: n D steps, then one G step. Returns this step's metrics (empty when not logged).</summary>
    /// <param name="forceLog">Record metrics even if this is not a <see cref="GanTrainerConfig.LogEvery"/> step.</param>
    public IReadOnlyDictionary<string, double> TrainStep(bool forceLog = false)
    {
        var result = Loop.Iterate(forceLog);
        var e = new StepEnd(this, Step, result);
        foreach (var cb in _callbacks) cb(e);
        StepEnded?.Invoke(e);
        return result;
    }

    /// <summary>One discriminator update on a fresh batch (does not count as a generator step). Returns its metrics.</summary>
    public IReadOnlyDictionary<string, double> DiscriminatorStep() => Loop.RunOnce("D");

    /// <summary>One generator update on a fresh latent batch (does not advance <see cref="Step"/>). Returns its metrics.</summary>
    public IReadOnlyDictionary<string, double> GeneratorStep()
    {
        if (_criticOnly) throw new InvalidOperationException("this trainer was made by GanTrainer.CriticOnly: its generator is a fixed sampler and has nothing to train.");
        return Loop.RunOnce("G");
    }

    (Tensor Images, Tensor? Labels) SampleReal(int b)
    {
        var (x, y) = _realSampler(b);
        if (x is null) throw new InvalidOperationException("the real-batch sampler returned null; it must return a tensor [B, ...].");
        if (x.dim() < 1 || x.shape[0] != b)
            throw new InvalidOperationException($"the real-batch sampler returned shape {Shapes.Of(x)} for batch size {b}; it must return [B, ...] with B = {b}.");
        if (HasLabels)
        {
            if (y is null) throw new InvalidOperationException("the labelled real-batch sampler returned null labels; it must return (images [B, ...], labels int64 [B]).");
            if (y.dim() != 1 || y.shape[0] != b || y.dtype != ScalarType.Int64)
                throw new InvalidOperationException($"the labelled real-batch sampler returned labels {y.dtype} {Shapes.Of(y)} for batch size {b}; they must be int64 [B] with B = {b}.");
            if (!SameDevice(y)) y = y.to(Device);
        }
        return (SameDevice(x) ? x : x.to(Device), y);
    }

    /// <summary>A batch of <paramref name="n"/> latents from the trainer's latent sampler, on <see cref="Device"/> (the caller owns it).</summary>
    public Tensor LatentBatch(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "ask for at least one latent.");
        return SampleLatent(n);
    }

    Tensor SampleLatent(int b)
    {
        var z = _latentSampler(b) ?? throw new InvalidOperationException("the latent sampler returned null; it must return z [B, ...].");
        if (z.dim() < 1 || z.shape[0] != b)
            throw new InvalidOperationException($"the latent sampler returned shape {Shapes.Of(z)} for batch size {b}; it must return [B, ...] with B = {b}.");
        return SameDevice(z) ? z : z.to(Device);
    }

    bool SameDevice(Tensor t) => t.device_type == Device.type && (t.device_type == DeviceType.CPU || t.device_index == Math.Max(0, Device.index));

    /// <summary>A one-element tensor's value (no extra kernel for the usual float32 case).</summary>
    internal static double ToDouble(Tensor t) => PhaseTrainer.ToDouble(t);

    static Tensor CheckLoss(Tensor? loss, string what)
    {
        if (loss is null) throw new InvalidOperationException($"the objective's {what} returned null; it must return a scalar tensor.");
        if (loss.numel() != 1)
            throw new InvalidOperationException($"the objective's {what} returned shape {Shapes.Of(loss)}; it must return a scalar (call .mean()).");
        return loss;
    }

    /// <summary>
    /// Generated samples in eval mode without gradients: z [N, ...] → x [N, ...]. With
    /// <paramref name="useEma"/> and an EMA configured, the averaged weights are used. The result is
    /// not in any dispose scope of the trainer: dispose it (or create it inside your own scope).
    /// </summary>
    public Tensor Sample(Tensor z, bool useEma = true)
    {
        ArgumentNullException.ThrowIfNull(z);
        bool wasTraining = G.training;
        G.eval();
        try
        {
            using var _ = torch.no_grad();
            var zd = SameDevice(z) ? z : z.to(Device);
            using (useEma && Ema is not null ? Ema.Apply() : null)
                return G.call(zd);
        }
        finally { G.train(wasTraining); }
    }

    /// <summary>Generates <paramref name="n"/> samples from the latent sampler (see <see cref="Sample(Tensor, bool)"/>).</summary>
    public Tensor Sample(int n, bool useEma = true)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "ask for at least one sample.");
        using var scope = torch.NewDisposeScope();
        var z = _latentSampler(n);
        return Sample(z, useEma).MoveToOuterDisposeScope();
    }

    /// <summary>A one-line status: step, losses, D(x), D(G(z)), speed.</summary>
    public string StatusLine(int? target = null, double? stepsPerSecond = null)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"step {Step}");
        if (target is int t) sb.Append(CultureInfo.InvariantCulture, $"/{t}");
        foreach (var k in new[] { "Loss/D", "Loss/G", "D(x)", "D(G(z))" })
            if (History.Contains(k)) sb.Append(CultureInfo.InvariantCulture, $" | {k} {History.Last(k):G4}");
        if (stepsPerSecond is double s) sb.Append(CultureInfo.InvariantCulture, $" | {s:F0} steps/s");
        return sb.ToString();
    }

    /// <summary>
    /// Writes the checkpoint (<see cref="PhaseTrainer.Save"/>'s one envelope): G, D, both optimizers' state, the EMA, the step
    /// counts, the history, the position of a checkpointable data sampler (e.g. <c>ImageDataset.BatchSampler</c>) and
    /// torch's CPU RNG state. Written to a temporary file first and then moved, so a crash never leaves a half-written checkpoint.
    /// </summary>
    public void Save(string path) => Loop.Save(path);

    /// <summary>
    /// Restores a checkpoint written by <see cref="Save"/> into this trainer (same architectures, optimizer kind, EMA
    /// setting and sampler). Training then continues exactly as the uninterrupted run would.
    /// </summary>
    public void Load(string path) => Loop.Load(path);

    /// <summary>The generator's current learning rate (after the last <see cref="GanTrainerConfig.LrSchedule"/> update).</summary>
    public double LearningRateG => Loop.LearningRate("G");

    /// <summary>The discriminator's current learning rate.</summary>
    public double LearningRateD => Loop.LearningRate("D");

    /// <summary>Disposes the optimizers and the EMA (not G and D, which the caller owns).</summary>
    public void Dispose()
    {
        Loop.Dispose();
        if (_criticOnly) G.Dispose();
    }
}
