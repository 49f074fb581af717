using GanNotebooks.Core;
using GanNotebooks.Data;
using GanNotebooks.Data.Images;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Wgan;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Progressive;

/// <summary>Measured training speed at one resolution.</summary>
/// <param name="Resolution">Resolution trained.</param>
/// <param name="Images">Real images shown to D at this resolution.</param>
/// <param name="Seconds">Wall-clock seconds spent in training steps at this resolution.</param>
public sealed record ResolutionThroughput(int Resolution, long Images, double Seconds)
{
    /// <summary>Images / Seconds (NaN before any step).</summary>
    public double ImagesPerSecond => Seconds > 0 ? Images / Seconds : double.NaN;
}

/// <summary>What a progressive step-end handler receives.</summary>
/// <param name="Trainer">The trainer.</param>
/// <param name="State">The schedule state the step was trained at.</param>
/// <param name="Metrics">The step's metrics (empty on steps that were not logged).</param>
public readonly record struct ProgressiveStepEnd(ProgressiveTrainer Trainer, ProgressiveState State, IReadOnlyDictionary<string, double> Metrics);

/// <summary>What a phase-change handler receives: the phase that just ended and the one about to start.</summary>
/// <param name="Trainer">The trainer (sample from it to see the end of <paramref name="Ended"/>).</param>
/// <param name="Ended">The phase that is over.</param>
/// <param name="Next">The phase whose first step comes next.</param>
public readonly record struct ProgressivePhaseChange(ProgressiveTrainer Trainer, ProgressivePhase Ended, ProgressivePhase Next);

/// <summary>
/// The progressive-growing recipe (Karras et al. 2018): the GAN recipe (<see cref="GanRecipe"/>; by default WGAN-GP, λ = 10,
/// with drift 0.001·E[D(x)²]) plus its schedule as a tracked checkpoint section and a hook before each iteration that
/// reads the <see cref="ProgressiveSchedule"/> at the number of real images shown so far, sets G's and D's stage (level,
/// α), resets both optimizers at a new resolution, and feeds D real images downsampled to the current resolution and
/// faded the same way as G's output. <see cref="ProgressiveTrainer"/> is the trainer with its parts typed.
/// </summary>
public sealed class ProgressiveRecipe : ICheckpointable, IDisposable
{
    readonly Tensor _data;
    readonly EpochSampler _sampler;
    readonly Dictionary<int, (long Images, double Seconds)> _throughput = new();
    readonly List<int> _throughputOrder = new();
    ProgressiveState _state;
    bool _stageApplied;
    long _imagesBefore;
    ProgressiveState _trained;

    ProgressiveRecipe(ProgressiveGenerator g, ProgressiveDiscriminator d, Tensor realImages, ProgressiveSchedule schedule, GanTrainerConfig cfg, long dataSeed)
    {
        if (g.Config.ImageChannels != d.Config.ImageChannels)
            throw new ArgumentException($"G makes {g.Config.ImageChannels}-channel images but D reads {d.Config.ImageChannels}; build both from one ProgressiveGanConfig.");
        int netMax = Math.Min(g.Config.MaxResolution, d.Config.MaxResolution);
        if (schedule.MaxResolution > netMax)
            throw new ArgumentException($"the schedule grows to {schedule.MaxResolution}×{schedule.MaxResolution} but the networks stop at {netMax}×{netMax}; raise ProgressiveGanConfig.MaxResolution or shorten the schedule.", nameof(schedule));
        if (realImages.dim() != 4 || realImages.shape[2] != realImages.shape[3])
            throw new ArgumentException($"real images must be square [N, C, S, S]; got {Shapes.Of(realImages)}.", nameof(realImages));
        if (realImages.shape[1] != g.Config.ImageChannels)
            throw new ArgumentException($"real images have {realImages.shape[1]} channels but the networks use {g.Config.ImageChannels}; set ProgressiveGanConfig.ImageChannels.", nameof(realImages));
        long s = realImages.shape[2];
        if (s < schedule.MaxResolution || s % schedule.MaxResolution != 0 || ((s / schedule.MaxResolution) & (s / schedule.MaxResolution - 1)) != 0)
            throw new ArgumentException($"real images are {s}×{s}; they must be the schedule's last resolution ({schedule.MaxResolution}) times a power of two (pad Fashion-MNIST with padTo: 32).", nameof(realImages));
        if (realImages.shape[0] < 1) throw new ArgumentException("the real image set is empty.", nameof(realImages));
        int group = g.Config.MinibatchGroupSize;
        if (cfg.BatchSize > group && cfg.BatchSize % group != 0)
            throw new ArgumentException($"batch size {cfg.BatchSize} is not a multiple of the minibatch-stddev group size {group}; use e.g. {cfg.BatchSize / group * group + group}.", "config");
        G = g; D = d; Schedule = schedule; BatchSize = cfg.BatchSize;
        var device = cfg.Device ?? Devices.Current;
        // A handle of our own on the same storage (no copy on the same device): the caller may dispose theirs.
        using (torch.NewDisposeScope()) _data = realImages.to(device).detach().DetachFromDisposeScope();
        _sampler = new EpochSampler((int)realImages.shape[0], dataSeed);
        _state = _trained = schedule.At(0);
        G.SetStage(_state.Stage);
        D.SetStage(_state.Stage);
    }

    /// <summary>The plan.</summary>
    /// <param name="generator">The progressive G (its stage is set by the plan's hook).</param>
    /// <param name="discriminator">The progressive D (same <see cref="ProgressiveGanConfig.ImageChannels"/> as G).</param>
    /// <param name="realImages">Real images [N, C, S, S] in [−1, 1] at S ≥ the schedule's last resolution (a power-of-two multiple of it); copied to the device.</param>
    /// <param name="schedule">Phases in images.</param>
    /// <param name="config">GAN knobs (default <see cref="PaperConfig"/>); the batch size must be a multiple of the minibatch-stddev group size.</param>
    /// <param name="objective">The loss (default WGAN-GP, λ = 10, drift 0.001).</param>
    /// <param name="dataSeed">Seed of the order in which real images are drawn (epoch-wise shuffles).</param>
    public static TrainingPlan Plan(ProgressiveGenerator generator, ProgressiveDiscriminator discriminator, Tensor realImages, ProgressiveSchedule schedule,
        GanTrainerConfig? config = null, IGanObjective? objective = null, long dataSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(discriminator);
        ArgumentNullException.ThrowIfNull(realImages);
        ArgumentNullException.ThrowIfNull(schedule);
        var cfg = config ?? PaperConfig;
        cfg.Validate();
        var recipe = new ProgressiveRecipe(generator, discriminator, realImages, schedule, cfg, dataSeed);
        try
        {
            var gan = GanRecipe.Plan(generator, discriminator, objective ?? new WassersteinGpGan(lambda: 10, drift: 0.001), recipe.SampleReal,
                Latent.Normal(generator.LatentDim, cfg.Device ?? Devices.Current), cfg);
            return gan with
            {
                Tracked = [.. gan.Tracked, recipe],
                BeforeIteration = recipe.BeforeIteration,
                AfterIteration = recipe.AfterIteration,
                StatusKeys = ["Loss/D", "Loss/G", "W"],
                Status = recipe.Status,
                Recipe = recipe,
                Owned = [.. gan.Owned, recipe],
            };
        }
        catch { recipe.Dispose(); throw; }
    }

    /// <summary>The paper's optimizer settings for the GAN recipe: Adam lr 1e-3, β = (0, 0.99), 1 D step, EMA 0.999, batch 16.</summary>
    public static GanTrainerConfig PaperConfig { get; } = new()
    {
        LrG = 1e-3, LrD = 1e-3, BetasG = (0.0, 0.99), BetasD = (0.0, 0.99), DSteps = 1, BatchSize = 16, EmaDecay = 0.999, ProgressEvery = 50,
    };

    /// <summary>The generator.</summary>
    public ProgressiveGenerator G { get; }
    /// <summary>The discriminator.</summary>
    public ProgressiveDiscriminator D { get; }
    /// <summary>The schedule.</summary>
    public ProgressiveSchedule Schedule { get; }
    /// <summary>Real images per D step.</summary>
    public int BatchSize { get; }
    /// <summary>Real images shown to D by <paramref name="t"/> so far (D steps × batch size): the schedule's clock.</summary>
    public long ImagesSeen(Trainer t) => t.PhaseSteps("D") * BatchSize;

    /// <summary>Measured images per second at each resolution trained so far, in the order first trained.</summary>
    public IReadOnlyList<ResolutionThroughput> Throughput =>
        _throughputOrder.Select(r => new ResolutionThroughput(r, _throughput[r].Images, _throughput[r].Seconds)).ToList();

    /// <summary>Raised after every step.</summary>
    internal Action<ProgressiveStepEnd>? StepEnded;
    /// <summary>Raised when the schedule moves to a new phase, before its first step.</summary>
    internal Action<ProgressivePhaseChange>? PhaseChanged;
    /// <summary>Raised when the resolution grows, after the stage was set and the optimizers were reset.</summary>
    internal Action<ProgressiveState>? Grew;

    // Before each iteration: the schedule at the images shown so far sets the stage (growing and resetting Adam at a new resolution).
    void BeforeIteration(Trainer t)
    {
        _imagesBefore = ImagesSeen(t);
        var next = Schedule.At(_imagesBefore);
        if (_stageApplied && next.Phase.Index != _state.Phase.Index && t is ProgressiveTrainer pt)
            PhaseChanged?.Invoke(new ProgressivePhaseChange(pt, _state.Phase, next.Phase));
        bool grew = _stageApplied && next.Resolution != _state.Resolution;
        G.SetStage(next.Stage);
        D.SetStage(next.Stage);
        // Karras et al. 2018 (official code, reset_opt_for_new_lod): Adam's moments belong to the old network.
        if (grew) t.ResetOptimizers();
        _state = next;
        _trained = next;
        _stageApplied = true;
        if (grew) Grew?.Invoke(next);
    }

    void AfterIteration(StepEnd e)
    {
        var t = e.Trainer;
        AddThroughput(_trained.Resolution, ImagesSeen(t) - _imagesBefore, t.LastIterationSeconds);
        if (e.Metrics.Count > 0)
        {
            t.History.Add(t.Step, "Resolution", _trained.Resolution);
            t.History.Add(t.Step, "Alpha", _trained.Alpha);
            t.History.Add(t.Step, "Images", _imagesBefore);
        }
        if (t is ProgressiveTrainer pt) StepEnded?.Invoke(new ProgressiveStepEnd(pt, _trained, e.Metrics));
    }

    string Status(Trainer t) => string.Create(CultureInfo.InvariantCulture,
        $"{Schedule.At(ImagesSeen(t))} · images {ImagesSeen(t):N0}/{Schedule.TotalImages:N0} · {(t.TrainingSeconds > 0 ? ImagesSeen(t) / t.TrainingSeconds : 0):F0} img/s");

    Tensor SampleReal(int b)
    {
        var idx = _sampler.Next(b);
        using var t = torch.tensor(idx, device: _data.device);
        return Prepare(_data.index_select(0, t), _state);
    }

    internal static Tensor Prepare(Tensor full, ProgressiveState state)
    {
        var x = ProgressiveResample.Resize(full, state.Resolution);
        return state.Alpha < 1 ? ProgressiveResample.FadeReal(x, state.Alpha) : x;
    }

    /// <summary>A batch of real images as D sees them at <paramref name="state"/>: [n, C, r, r]. The caller owns it.</summary>
    internal Tensor RealBatch(int n, ProgressiveState state, long seed)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "ask for at least one image.");
        using var scope = torch.NewDisposeScope();
        var idx = new EpochSampler((int)_data.shape[0], seed).Next(n);
        using var t = torch.tensor(idx, device: _data.device);
        return Prepare(_data.index_select(0, t), state).MoveToOuterDisposeScope();
    }

    void AddThroughput(int resolution, long images, double seconds)
    {
        if (!_throughput.TryGetValue(resolution, out var v)) { v = (0, 0); _throughputOrder.Add(resolution); }
        _throughput[resolution] = (v.Images + images, v.Seconds + seconds);
    }

    /// <inheritdoc/>
    string ICheckpointable.CheckpointKey => "progressive";

    /// <inheritdoc/>
    void ICheckpointable.WriteState(BinaryWriter w)
    {
        Schedule.Write(w);
        w.Write(_data.shape[0]);
        _sampler.WriteState(w);
        // The stage of the last trained step: on load the next step compares against it, so a growth
        // (and its optimizer reset) that was due right after the save still happens.
        w.Write(_stageApplied);
        w.Write(_state.Images);
        w.Write(_throughputOrder.Count);
        foreach (var r in _throughputOrder) { w.Write(r); w.Write(_throughput[r].Images); w.Write(_throughput[r].Seconds); }
    }

    /// <inheritdoc/>
    void ICheckpointable.ReadState(BinaryReader r)
    {
        if (!Schedule.SameAs(r, out var saved))
            throw new InvalidDataException($"the checkpoint was trained with another schedule ({saved}); build the trainer with the same ProgressiveSchedule ({Schedule}).");
        long n = r.ReadInt64();
        if (n != _data.shape[0]) throw new InvalidDataException($"the checkpoint was trained on {n} real images, this trainer has {_data.shape[0]}; use the same data set.");
        _sampler.ReadState(r);
        _stageApplied = r.ReadBoolean();
        long lastImages = r.ReadInt64();
        int k = r.ReadInt32();
        _throughput.Clear(); _throughputOrder.Clear();
        for (int i = 0; i < k; i++)
        {
            int res = r.ReadInt32(); long img = r.ReadInt64(); double sec = r.ReadDouble();
            _throughput[res] = (img, sec); _throughputOrder.Add(res);
        }
        // Resume at the saved stage (that of the last trained step): the next step then grows, and resets the
        // optimizers, exactly when the uninterrupted run would.
        _state = _trained = Schedule.At(lastImages);
        G.SetStage(_state.Stage);
        D.SetStage(_state.Stage);
    }

    /// <summary>Disposes this recipe's handle on the data (G and D belong to the caller).</summary>
    public void Dispose() => _data.Dispose();
}

/// <summary>
/// A <see cref="Trainer"/> running <see cref="ProgressiveRecipe"/>'s plan, with its parts typed and the schedule's ways to
/// train (<see cref="TrainImages"/>, <see cref="TrainToEnd"/>, <see cref="TrainFor"/> — all on the Trainer's one loop).
/// Checkpoints (<see cref="Trainer.Save"/>/<see cref="Trainer.Load"/>) hold everything needed to continue identically at any
/// phase: weights of all levels, optimizer state, EMA, history, torch's RNG, the data order and the image count.
/// </summary>
public sealed class ProgressiveTrainer : Trainer
{
    readonly ProgressiveRecipe _recipe;

    /// <summary>The paper's optimizer settings (<see cref="ProgressiveRecipe.PaperConfig"/>).</summary>
    public static GanTrainerConfig PaperConfig => ProgressiveRecipe.PaperConfig;

    /// <summary>Creates the trainer (see <see cref="ProgressiveRecipe.Plan"/>).</summary>
    public ProgressiveTrainer(ProgressiveGenerator generator, ProgressiveDiscriminator discriminator, Tensor realImages, ProgressiveSchedule schedule,
        GanTrainerConfig? config = null, IGanObjective? objective = null, long dataSeed = 0)
        : base(ProgressiveRecipe.Plan(generator, discriminator, realImages, schedule, config, objective, dataSeed))
    {
        _recipe = (ProgressiveRecipe)Plan.Recipe!;
    }

    /// <summary>Same, from a data set (its images, e.g. <c>ShippedDatasets.FashionMnistTest(padTo: 32)</c> or <c>ProceduralShapes.Generate(…)</c>).</summary>
    public ProgressiveTrainer(ProgressiveGenerator generator, ProgressiveDiscriminator discriminator, ImageDataset data, ProgressiveSchedule schedule,
        GanTrainerConfig? config = null, IGanObjective? objective = null, long dataSeed = 0)
        : this(generator, discriminator, (data ?? throw new ArgumentNullException(nameof(data))).Images, schedule, config, objective, dataSeed)
    {
    }

    /// <summary>
    /// Measures training speed (real images shown to D per second) at each resolution from
    /// <paramref name="startResolution"/> to <paramref name="config"/>'s maximum: for each, fresh networks at that
    /// resolution (α = 1) run <paramref name="warmupSteps"/> untimed and <paramref name="steps"/> timed iterations of the
    /// same GAN step as training. Torch's global RNG state is restored afterwards, so a seeded notebook is unaffected.
    /// </summary>
    /// <param name="config">Network sizes.</param>
    /// <param name="realImages">Real images [N, C, S, S] (as for the constructor).</param>
    /// <param name="trainerConfig">Trainer knobs (default <see cref="PaperConfig"/>).</param>
    /// <param name="steps">Timed iterations per resolution (≥ 1).</param>
    /// <param name="warmupSteps">Untimed iterations first (≥ 0).</param>
    /// <param name="startResolution">Smallest resolution to measure.</param>
    /// <param name="objective">The loss (default WGAN-GP with drift).</param>
    public static IReadOnlyList<ResolutionThroughput> MeasureThroughput(ProgressiveGanConfig config, Tensor realImages, GanTrainerConfig? trainerConfig = null,
        int steps = 5, int warmupSteps = 2, int startResolution = 4, IGanObjective? objective = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(realImages);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "time at least one step.");
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "warm-up steps cannot be negative.");
        var cfg = (trainerConfig ?? PaperConfig);
        var result = new List<ResolutionThroughput>();
        using var rng = torch.random.get_rng_state();
        try
        {
            for (int l = ProgressiveGanConfig.LevelOf(startResolution); l <= config.MaxLevel; l++)
            {
                int r = ProgressiveGanConfig.ResolutionOf(l);
                using var g = new ProgressiveGenerator(config);
                using var d = new ProgressiveDiscriminator(config);
                using var pt = new ProgressiveTrainer(g, d, realImages, ProgressiveSchedule.Fixed(r, long.MaxValue / 4), cfg, objective);
                pt.Train(warmupSteps);
                long images0 = pt.ImagesSeen;
                double seconds0 = pt.TrainingSeconds;
                pt.Train(steps);
                result.Add(new ResolutionThroughput(r, pt.ImagesSeen - images0, pt.TrainingSeconds - seconds0));
            }
        }
        finally { torch.random.set_rng_state(rng); }
        return result;
    }

    /// <inheritdoc cref="MeasureThroughput(ProgressiveGanConfig, Tensor, GanTrainerConfig?, int, int, int, IGanObjective?)"/>
    public static IReadOnlyList<ResolutionThroughput> MeasureThroughput(ProgressiveGanConfig config, ImageDataset data, GanTrainerConfig? trainerConfig = null,
        int steps = 5, int warmupSteps = 2, int startResolution = 4, IGanObjective? objective = null) =>
        MeasureThroughput(config, (data ?? throw new ArgumentNullException(nameof(data))).Images, trainerConfig, steps, warmupSteps, startResolution, objective);

    /// <summary>The generator.</summary>
    public ProgressiveGenerator G => _recipe.G;
    /// <summary>The discriminator.</summary>
    public ProgressiveDiscriminator D => _recipe.D;
    /// <summary>The schedule.</summary>
    public ProgressiveSchedule Schedule => _recipe.Schedule;
    /// <summary>Real images shown to D so far (D steps × batch size): the schedule's clock.</summary>
    public long ImagesSeen => _recipe.ImagesSeen(this);
    /// <summary>The schedule state the next step will train at.</summary>
    public ProgressiveState State => Schedule.At(ImagesSeen);
    /// <summary>Current resolution.</summary>
    public int Resolution => State.Resolution;
    /// <summary>Measured images per second at each resolution trained so far, in the order first trained.</summary>
    public IReadOnlyList<ResolutionThroughput> Throughput => _recipe.Throughput;

    /// <summary>Raised after every step with the schedule state it trained at (the Trainer's <see cref="Trainer.StepEnded"/> runs too).</summary>
    public event Action<ProgressiveStepEnd>? ScheduleStepEnded
    {
        add => _recipe.StepEnded += value;
        remove => _recipe.StepEnded -= value;
    }

    /// <summary>Raised when the schedule moves to a new phase, before the first step of that phase (sample here to capture the end of a phase).</summary>
    public event Action<ProgressivePhaseChange>? PhaseChanged
    {
        add => _recipe.PhaseChanged += value;
        remove => _recipe.PhaseChanged -= value;
    }

    /// <summary>Raised when the resolution grows, after the stage was set and the optimizers were reset (argument: the new state).</summary>
    public event Action<ProgressiveState>? Grew
    {
        add => _recipe.Grew += value;
        remove => _recipe.Grew -= value;
    }

    /// <summary>Trains until <paramref name="images"/> more real images have been shown to D.</summary>
    public History TrainImages(long images, CancellationToken cancellation = default)
    {
        if (images < 0) throw new ArgumentOutOfRangeException(nameof(images), images, "the number of images cannot be negative.");
        long target = ImagesSeen + images;
        return TrainWhile(() => ImagesSeen < target, cancellation);
    }

    /// <summary>Trains to the end of the schedule (<see cref="ProgressiveSchedule.TotalImages"/>).</summary>
    public History TrainToEnd(CancellationToken cancellation = default) => TrainImages(Math.Max(0, Schedule.TotalImages - ImagesSeen), cancellation);

    /// <summary>
    /// Trains for a wall-clock budget of training time (<see cref="Trainer.TrainingSeconds"/>). <paramref name="evaluate"/> (if
    /// given) runs at the start, every <paramref name="evaluateEverySeconds"/> of training time, and at the end; its own time
    /// is not counted, so two runs compared this way get the same training time.
    /// </summary>
    public History TrainFor(double seconds, double evaluateEverySeconds = double.PositiveInfinity, Action<ProgressiveTrainer>? evaluate = null,
        CancellationToken cancellation = default)
    {
        if (!(seconds > 0) || double.IsInfinity(seconds)) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "the time budget must be a finite number of seconds > 0.");
        if (!(evaluateEverySeconds > 0)) throw new ArgumentOutOfRangeException(nameof(evaluateEverySeconds), evaluateEverySeconds, "the evaluation interval must be > 0 seconds.");
        double end = TrainingSeconds + seconds;
        double nextEval = TrainingSeconds;
        var h = TrainWhile(() =>
        {
            if (evaluate is not null && TrainingSeconds >= nextEval)
            {
                evaluate(this);
                while (nextEval <= TrainingSeconds) nextEval += evaluateEverySeconds;
            }
            return TrainingSeconds < end;
        }, cancellation);
        evaluate?.Invoke(this);
        return h;
    }

    /// <summary>
    /// Generated images in eval mode without gradients at G's current stage — the stage of the latest step (inside a
    /// <see cref="PhaseChanged"/> handler: the last stage of the phase that ended) — or at <paramref name="stage"/>,
    /// optionally resized to <paramref name="size"/>×<paramref name="size"/> (nearest neighbour up, average down).
    /// z [N, Z] → [N, C, r, r]. Uses the EMA weights by default. The caller owns the result.
    /// </summary>
    public Tensor Sample(Tensor z, bool useEma = true, int? size = null, ProgressiveStage? stage = null)
    {
        ArgumentNullException.ThrowIfNull(z);
        var saved = G.Stage;
        using var scope = torch.NewDisposeScope();
        try
        {
            if (stage is ProgressiveStage st) G.SetStage(st);
            var x = TrainerSampling.Sample(this, z, useEma);
            if (size is int sz) x = ProgressiveResample.Resize(x, sz);
            return x.MoveToOuterDisposeScope();
        }
        finally { G.SetStage(saved); }
    }

    /// <summary>Generates <paramref name="n"/> samples from fresh latents (see <see cref="Sample(Tensor, bool, int?, ProgressiveStage?)"/>).</summary>
    public Tensor Sample(int n, bool useEma = true, int? size = null)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "ask for at least one sample.");
        using var scope = torch.NewDisposeScope();
        // The trainer's latent sampler (what G is trained on), not a second definition of z here.
        var z = this.LatentBatch(n);
        return Sample(z, useEma, size).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A batch of real images as D sees them at the current (or given) state: downsampled to the resolution and,
    /// during a fade-in, blended as lerp(upsample(downsample(x)), x, α). [n, C, r, r]; for pictures. The caller owns it.
    /// </summary>
    public Tensor RealBatch(int n, ProgressiveState? state = null, long seed = 0) => _recipe.RealBatch(n, state ?? State, seed);

}
