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
/// Progressive growing of GANs (Karras et al. 2018) on top of the kit's one <see cref="GanTrainer"/>: before each
/// iteration it reads the <see cref="ProgressiveSchedule"/> at the number of real images shown so far, sets G's and
/// D's stage (level, α), and feeds D real images downsampled to the current resolution and faded the same way as
/// G's output. At each new resolution both Adam optimizers are reset. Defaults follow the paper: WGAN-GP (λ = 10)
/// with drift 0.001·E[D(x)²], Adam lr 1e-3, β = (0, 0.99), one D step per G step, generator EMA 0.999.
/// <para>
/// Checkpoints (<see cref="Save"/>/<see cref="Load"/>) hold everything needed to continue identically at any phase:
/// weights of all levels, optimizer state, EMA, history, torch's RNG, the data order and the image count.
/// </para>
/// </summary>
public sealed class ProgressiveTrainer : IDisposable, ICheckpointable
{
    readonly Tensor _data;
    readonly EpochSampler _sampler;
    readonly Dictionary<int, (long Images, double Seconds)> _throughput = new();
    readonly List<int> _throughputOrder = new();
    ProgressiveState _state;
    bool _stageApplied;
    double _trainingSeconds;

    /// <summary>The paper's optimizer settings for <see cref="GanTrainer"/>: Adam lr 1e-3, β = (0, 0.99), 1 D step, EMA 0.999, batch 16.</summary>
    public static GanTrainerConfig PaperConfig { get; } = new()
    {
        LrG = 1e-3, LrD = 1e-3, BetasG = (0.0, 0.99), BetasD = (0.0, 0.99), DSteps = 1, BatchSize = 16, EmaDecay = 0.999, ProgressEvery = 50,
    };

    /// <summary>Creates the trainer.</summary>
    /// <param name="generator">The progressive G (its stage is set by this trainer).</param>
    /// <param name="discriminator">The progressive D (same <see cref="ProgressiveGanConfig.ImageChannels"/> as G).</param>
    /// <param name="realImages">Real images [N, C, S, S] in [−1, 1] at S ≥ the schedule's last resolution (a power-of-two multiple of it); copied to the device.</param>
    /// <param name="schedule">Phases in images.</param>
    /// <param name="config">Trainer knobs (default <see cref="PaperConfig"/>); the batch size must be a multiple of the minibatch-stddev group size.</param>
    /// <param name="objective">The loss (default WGAN-GP, λ = 10, drift 0.001).</param>
    /// <param name="dataSeed">Seed of the order in which real images are drawn (epoch-wise shuffles).</param>
    public ProgressiveTrainer(ProgressiveGenerator generator, ProgressiveDiscriminator discriminator, Tensor realImages, ProgressiveSchedule schedule,
        GanTrainerConfig? config = null, IGanObjective? objective = null, long dataSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(discriminator);
        ArgumentNullException.ThrowIfNull(realImages);
        ArgumentNullException.ThrowIfNull(schedule);
        var cfg = config ?? PaperConfig;
        if (generator.Config.ImageChannels != discriminator.Config.ImageChannels)
            throw new ArgumentException($"G makes {generator.Config.ImageChannels}-channel images but D reads {discriminator.Config.ImageChannels}; build both from one ProgressiveGanConfig.");
        int netMax = Math.Min(generator.Config.MaxResolution, discriminator.Config.MaxResolution);
        if (schedule.MaxResolution > netMax)
            throw new ArgumentException($"the schedule grows to {schedule.MaxResolution}×{schedule.MaxResolution} but the networks stop at {netMax}×{netMax}; raise ProgressiveGanConfig.MaxResolution or shorten the schedule.", nameof(schedule));
        if (realImages.dim() != 4 || realImages.shape[2] != realImages.shape[3])
            throw new ArgumentException($"real images must be square [N, C, S, S]; got {Shapes.Of(realImages)}.", nameof(realImages));
        if (realImages.shape[1] != generator.Config.ImageChannels)
            throw new ArgumentException($"real images have {realImages.shape[1]} channels but the networks use {generator.Config.ImageChannels}; set ProgressiveGanConfig.ImageChannels.", nameof(realImages));
        long s = realImages.shape[2];
        if (s < schedule.MaxResolution || s % schedule.MaxResolution != 0 || ((s / schedule.MaxResolution) & (s / schedule.MaxResolution - 1)) != 0)
            throw new ArgumentException($"real images are {s}×{s}; they must be the schedule's last resolution ({schedule.MaxResolution}) times a power of two (pad Fashion-MNIST with padTo: 32).", nameof(realImages));
        if (realImages.shape[0] < 1) throw new ArgumentException("the real image set is empty.", nameof(realImages));
        int group = generator.Config.MinibatchGroupSize;
        if (cfg.BatchSize > group && cfg.BatchSize % group != 0)
            throw new ArgumentException($"batch size {cfg.BatchSize} is not a multiple of the minibatch-stddev group size {group}; use e.g. {cfg.BatchSize / group * group + group}.", nameof(config));
        Schedule = schedule;
        G = generator;
        D = discriminator;
        var device = cfg.Device ?? Runtime.Devices.Current;
        // A handle of our own on the same storage (no copy on the same device): the caller may dispose theirs.
        using (torch.NewDisposeScope()) _data = realImages.to(device).detach().DetachFromDisposeScope();
        _sampler = new EpochSampler((int)realImages.shape[0], dataSeed);
        _state = schedule.At(0);
        G.SetStage(_state.Stage);
        D.SetStage(_state.Stage);
        Trainer = new GanTrainer(G, D, objective ?? new WassersteinGpGan(lambda: 10, drift: 0.001), SampleReal,
            Latent.Normal(generator.LatentDim, device), cfg);
        // The schedule's clock, the data order and the stage live in the trainer's one checkpoint envelope.
        Trainer.Loop.Track(this);
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
        var cfg = (trainerConfig ?? PaperConfig) with { Seed = null };
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
                pt.TrainSteps(warmupSteps);
                long images0 = pt.ImagesSeen;
                double seconds0 = pt.TrainingSeconds;
                pt.TrainSteps(steps);
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

    /// <summary>The underlying trainer (history, EMA, optimizers, plain-step access).</summary>
    public GanTrainer Trainer { get; }

    /// <summary>The generator.</summary>
    public ProgressiveGenerator G { get; }

    /// <summary>The discriminator.</summary>
    public ProgressiveDiscriminator D { get; }

    /// <summary>The schedule.</summary>
    public ProgressiveSchedule Schedule { get; }

    /// <summary>Recorded metrics ("Loss/D", "W", "GP", …, plus "Resolution" and "Alpha").</summary>
    public History History => Trainer.History;

    /// <summary>Real images shown to D so far (D steps × batch size): the schedule's clock.</summary>
    public long ImagesSeen => Trainer.DiscriminatorSteps * Trainer.Config.BatchSize;

    /// <summary>The schedule state the next step will train at.</summary>
    public ProgressiveState State => Schedule.At(ImagesSeen);

    /// <summary>Current resolution.</summary>
    public int Resolution => State.Resolution;

    /// <summary>Seconds spent in training steps (evaluation callbacks excluded).</summary>
    public double TrainingSeconds => _trainingSeconds;

    /// <summary>Measured images per second at each resolution trained so far, in the order first trained.</summary>
    public IReadOnlyList<ResolutionThroughput> Throughput =>
        _throughputOrder.Select(r => new ResolutionThroughput(r, _throughput[r].Images, _throughput[r].Seconds)).ToList();

    /// <summary>Live progress line (e.g. <c>pt.Progress = s => h.Update(s)</c>), every <see cref="GanTrainerConfig.ProgressEvery"/> steps and at the end of a Train call.</summary>
    public Action<string>? Progress { get; set; }

    /// <summary>Raised after every step.</summary>
    public event Action<ProgressiveStepEnd>? StepEnded;

    /// <summary>Raised when the schedule moves to a new phase, before the first step of that phase (sample here to capture the end of a phase).</summary>
    public event Action<ProgressivePhaseChange>? PhaseChanged;

    /// <summary>Raised when the resolution grows, after the stage was set and the optimizers were reset (argument: the new state).</summary>
    public event Action<ProgressiveState>? Grew;

    /// <summary>
    /// One iteration at the schedule's current state: sets the stage (growing and resetting Adam when the
    /// resolution changes), runs the GAN step, advances the image count. Returns the step's metrics.
    /// </summary>
    public IReadOnlyDictionary<string, double> TrainStep(bool forceLog = false)
    {
        var next = Schedule.At(ImagesSeen);
        ApplyState(next);
        long before = ImagesSeen;
        var step = CpuClock.Measure(() => Trainer.TrainStep(forceLog));   // wall seconds: the schedule's time budget
        var metrics = step.Result;
        _trainingSeconds += step.WallSeconds;
        AddThroughput(next.Resolution, ImagesSeen - before, step.WallSeconds);
        if (metrics.Count > 0)
        {
            History.Add(Trainer.Step, "Resolution", next.Resolution);
            History.Add(Trainer.Step, "Alpha", next.Alpha);
            History.Add(Trainer.Step, "Images", before);
        }
        StepEnded?.Invoke(new ProgressiveStepEnd(this, next, metrics));
        return metrics;
    }

    /// <summary>Trains until <paramref name="images"/> more real images have been shown to D.</summary>
    public History Train(long images, CancellationToken cancellation = default)
    {
        if (images < 0) throw new ArgumentOutOfRangeException(nameof(images), images, "the number of images cannot be negative.");
        long target = ImagesSeen + images;
        return Run(() => ImagesSeen < target, cancellation);
    }

    /// <summary>Trains to the end of the schedule (<see cref="ProgressiveSchedule.TotalImages"/>).</summary>
    public History TrainToEnd(CancellationToken cancellation = default) => Train(Math.Max(0, Schedule.TotalImages - ImagesSeen), cancellation);

    /// <summary>Runs <paramref name="steps"/> iterations.</summary>
    public History TrainSteps(int steps, CancellationToken cancellation = default)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative.");
        int target = Trainer.Step + steps;
        return Run(() => Trainer.Step < target, cancellation);
    }

    /// <summary>
    /// Trains for a wall-clock budget of training time. <paramref name="evaluate"/> (if given) runs at the start,
    /// every <paramref name="evaluateEverySeconds"/> of training time, and at the end; its own time is not counted,
    /// so two runs compared this way get the same training time.
    /// </summary>
    /// <param name="seconds">Training seconds to add (&gt; 0).</param>
    /// <param name="evaluateEverySeconds">Interval between evaluations in training seconds (&gt; 0).</param>
    /// <param name="evaluate">Called with this trainer; read <see cref="TrainingSeconds"/> inside it.</param>
    /// <param name="cancellation">Stops cleanly between steps.</param>
    public History TrainFor(double seconds, double evaluateEverySeconds = double.PositiveInfinity, Action<ProgressiveTrainer>? evaluate = null,
        CancellationToken cancellation = default)
    {
        if (!(seconds > 0) || double.IsInfinity(seconds)) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "the time budget must be a finite number of seconds > 0.");
        if (!(evaluateEverySeconds > 0)) throw new ArgumentOutOfRangeException(nameof(evaluateEverySeconds), evaluateEverySeconds, "the evaluation interval must be > 0 seconds.");
        double end = _trainingSeconds + seconds;
        double nextEval = _trainingSeconds;
        var h = Run(() =>
        {
            if (evaluate is not null && _trainingSeconds >= nextEval)
            {
                evaluate(this);
                while (nextEval <= _trainingSeconds) nextEval += evaluateEverySeconds;
            }
            return _trainingSeconds < end;
        }, cancellation);
        evaluate?.Invoke(this);
        return h;
    }

    History Run(Func<bool> keepGoing, CancellationToken cancellation)
    {
        int start = Trainer.Step;
        double t0 = _trainingSeconds;
        while (!cancellation.IsCancellationRequested && keepGoing())
        {
            TrainStep();
            if (Progress is not null && Trainer.Step % Trainer.Config.ProgressEvery == 0)
                Progress(StatusLine((Trainer.Step - start) / Math.Max(1e-9, _trainingSeconds - t0)));
        }
        Progress?.Invoke(StatusLine((Trainer.Step - start) / Math.Max(1e-9, _trainingSeconds - t0)));
        return History;
    }

    /// <summary>A one-line status: state, images, losses, speed.</summary>
    public string StatusLine(double? stepsPerSecond = null)
    {
        var s = State;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{s} | images {ImagesSeen:N0}/{Schedule.TotalImages:N0} | step {Trainer.Step}");
        foreach (var k in new[] { "Loss/D", "Loss/G", "W" })
            if (History.Contains(k)) line += string.Create(CultureInfo.InvariantCulture, $" | {k} {History.Last(k):G4}");
        if (stepsPerSecond is double sps)
            line += string.Create(CultureInfo.InvariantCulture, $" | {sps * Trainer.Config.BatchSize:F0} img/s");
        return line;
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
            var x = Trainer.Sample(z, useEma);
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
        var z = Trainer.LatentBatch(n);
        return Sample(z, useEma, size).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A batch of real images as D sees them at the current (or given) state: downsampled to the resolution and,
    /// during a fade-in, blended as lerp(upsample(downsample(x)), x, α). [n, C, r, r]; for pictures. The caller owns it.
    /// </summary>
    public Tensor RealBatch(int n, ProgressiveState? state = null, long seed = 0)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "ask for at least one image.");
        using var scope = torch.NewDisposeScope();
        var idx = new EpochSampler((int)_data.shape[0], seed).Next(n);
        using var t = torch.tensor(idx, device: _data.device);
        return Prepare(_data.index_select(0, t), state ?? State).MoveToOuterDisposeScope();
    }

    void ApplyState(ProgressiveState next)
    {
        if (_stageApplied && next.Phase.Index != _state.Phase.Index)
            PhaseChanged?.Invoke(new ProgressivePhaseChange(this, _state.Phase, next.Phase));
        bool grew = _stageApplied && next.Resolution != _state.Resolution;
        G.SetStage(next.Stage);
        D.SetStage(next.Stage);
        if (grew)
        {
            // Karras et al. 2018 (official code, reset_opt_for_new_lod): Adam's moments belong to the old network.
            Trainer.ResetOptimizers();
        }
        _state = next;
        _stageApplied = true;
        if (grew) Grew?.Invoke(next);
    }

    Tensor SampleReal(int b)
    {
        var idx = _sampler.Next(b);
        using var t = torch.tensor(idx, device: _data.device);
        return Prepare(_data.index_select(0, t), _state);
    }

    static Tensor Prepare(Tensor full, ProgressiveState state)
    {
        var x = ProgressiveResample.Resize(full, state.Resolution);
        return state.Alpha < 1 ? ProgressiveResample.FadeReal(x, state.Alpha) : x;
    }

    void AddThroughput(int resolution, long images, double seconds)
    {
        if (!_throughput.TryGetValue(resolution, out var v)) { v = (0, 0); _throughputOrder.Add(resolution); }
        _throughput[resolution] = (v.Images + images, v.Seconds + seconds);
    }

    /// <summary>
    /// Writes a checkpoint: the GAN trainer's one envelope (G and D with all levels, optimizers, EMA, history, RNG) with this
    /// trainer's section — the schedule (checked on load), the data order position, training time, throughput and
    /// the stage of the last trained step. Atomic: written to a temporary file and moved.
    /// </summary>
    public void Save(string path) => Trainer.Save(path);

    /// <summary>
    /// Restores a checkpoint written by <see cref="Save"/> into this trainer (freshly built networks with the same
    /// config, same schedule, same data set and trainer settings). Training then continues exactly where it stopped:
    /// G and D are at the stage of the last saved step, and the next step moves on (fading, growing and resetting
    /// the optimizers) as the uninterrupted run would.
    /// </summary>
    public void Load(string path)
    {
        _loaded = null;
        Trainer.Load(path);
        var (applied, lastImages) = _loaded ?? throw new InvalidDataException($"'{path}' has no progressive section; a plain GanTrainer checkpoint loads with GanTrainer.Load.");
        // Resume at the saved stage (that of the last trained step): the next step then grows, and resets the
        // optimizers, exactly when the uninterrupted run would.
        _state = Schedule.At(applied ? lastImages : ImagesSeen);
        G.SetStage(_state.Stage);
        D.SetStage(_state.Stage);
        _stageApplied = applied;
    }

    (bool Applied, long LastImages)? _loaded;

    /// <inheritdoc/>
    string ICheckpointable.CheckpointKey => "progressive";

    /// <inheritdoc/>
    void ICheckpointable.WriteState(BinaryWriter w)
    {
        Schedule.Write(w);
        w.Write(_data.shape[0]);
        _sampler.WriteState(w);
        w.Write(_trainingSeconds);
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
        _trainingSeconds = r.ReadDouble();
        bool applied = r.ReadBoolean();
        long lastImages = r.ReadInt64();
        int k = r.ReadInt32();
        _throughput.Clear(); _throughputOrder.Clear();
        for (int i = 0; i < k; i++)
        {
            int res = r.ReadInt32(); long img = r.ReadInt64(); double sec = r.ReadDouble();
            _throughput[res] = (img, sec); _throughputOrder.Add(res);
        }
        _loaded = (applied, lastImages);
    }

    /// <summary>Disposes the GAN trainer (optimizers, EMA) and this trainer's handle on the data; G and D belong to the caller.</summary>
    public void Dispose()
    {
        Trainer.Dispose();
        _data.Dispose();
    }
}
