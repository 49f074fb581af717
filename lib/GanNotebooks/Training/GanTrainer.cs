using GanNotebooks.Nets;
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
/// The one GAN trainer. Each iteration runs n discriminator steps (n = <see cref="GanTrainerConfig.DSteps"/>
/// or the schedule) and then one generator step (Goodfellow et al. 2014, Algorithm 1); the variant —
/// minimax, non-saturating, WGAN, WGAN-GP, LSGAN, hinge, f-GAN… — is the <see cref="IGanObjective"/>.
/// Metrics go to <see cref="History"/> under keys such as "Loss/D", "Loss/G", "D(x)", "D(G(z))",
/// "Grad/D", "Grad/G". Every update runs in its own dispose scope, so memory stays flat.
/// </summary>
public sealed class GanTrainer : IDisposable
{
    const string Magic = "GanNotebooks.Checkpoint";
    const int FormatVersion = 1;

    readonly Func<int, (Tensor Images, Tensor? Labels)> _realSampler;
    readonly Func<int, Tensor> _latentSampler;
    // Set by CriticOnly: G is the kit's pass-through (owned, disposed with the trainer) and iterations skip the G step.
    bool _criticOnly;
    readonly List<Action<StepEnd>> _callbacks = new();
    static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    /// <summary>Creates the trainer, moves G and D to the device and builds their optimizers.</summary>
    /// <param name="generator">G: z [B, ...] → x [B, ...].</param>
    /// <param name="discriminator">D: x [B, ...] → one logit / score per sample ([B] or [B, 1]).</param>
    /// <param name="objective">The GAN variant (e.g. <c>new NonSaturatingGan()</c>).</param>
    /// <param name="realSampler">B → a real batch [B, ...] (moved to the device if needed).</param>
    /// <param name="latentSampler">B → z [B, ...] (e.g. <see cref="Latent.Normal"/>).</param>
    /// <param name="config">Knobs (default <see cref="GanTrainerConfig.Default"/>); validated here.</param>
    public GanTrainer(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> discriminator, IGanObjective objective,
        Func<int, Tensor> realSampler, Func<int, Tensor> latentSampler, GanTrainerConfig? config = null)
        : this(generator, discriminator, objective, Unlabelled(realSampler), labelled: false, latentSampler, config) { }

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
        : this(generator, discriminator, objective, Labelled(labelledRealSampler), labelled: true, latentSampler, config) { }

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
        try { return new GanTrainer(passThrough, critic, objective, sampleReal, sampleFake, config) { _criticOnly = true }; }
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
        Func<int, (Tensor, Tensor?)> realSampler, bool labelled, Func<int, Tensor> latentSampler, GanTrainerConfig? config)
    {
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
        G.to(Device);
        D.to(Device);
        if (!G.parameters().Any()) throw new ArgumentException("the generator has no parameters to train.", nameof(generator));
        if (!D.parameters().Any()) throw new ArgumentException("the discriminator has no parameters to train.", nameof(discriminator));
        Objective = objective;
        _realSampler = realSampler;
        _latentSampler = latentSampler;
        OptimizerG = MakeOptimizer(G, Config.LrG, Config.BetasG);
        OptimizerD = MakeOptimizer(D, Config.LrD, Config.BetasD);
        if (Config.EmaDecay is double d) Ema = new ExponentialMovingAverage(G, d);
    }

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
    public optim.Optimizer OptimizerG { get; private set; }

    /// <summary>D's optimizer (replaced by <see cref="ResetOptimizers"/>).</summary>
    public optim.Optimizer OptimizerD { get; private set; }

    /// <summary>
    /// Replaces both optimizers with fresh ones of the same kind and settings: no moment estimates, step
    /// counts at 0. Progressive growing resets Adam's state at each new resolution (Karras et al. 2018,
    /// official code: reset_opt_for_new_lod), because the old moments belong to a different network.
    /// Weights, EMA, history and step counts are kept.
    /// </summary>
    public void ResetOptimizers()
    {
        OptimizerG.Dispose();
        OptimizerD.Dispose();
        OptimizerG = MakeOptimizer(G, Config.LrG, Config.BetasG);
        OptimizerD = MakeOptimizer(D, Config.LrD, Config.BetasD);
    }

    /// <summary>EMA of G's weights (when <see cref="GanTrainerConfig.EmaDecay"/> is set).</summary>
    public ExponentialMovingAverage? Ema { get; }

    /// <summary>Generator steps completed.</summary>
    public int Step { get; private set; }

    /// <summary>Total discriminator steps completed.</summary>
    public long DiscriminatorSteps { get; private set; }

    /// <summary>Recorded metrics.</summary>
    public History History { get; } = new();

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
        int g = Step;
        bool log = forceLog || g == 0 || (g + 1) % Config.LogEvery == 0;
        int nD = Config.DStepsSchedule?.Invoke(g) ?? Config.DSteps;
        if (nD < 1) throw new InvalidOperationException($"DStepsSchedule returned {nD} for generator step {g}; it must return ≥ 1.");
        var metrics = log ? new Dictionary<string, double>() : null;
        if (Config.LrSchedule is { } schedule)
        {
            double f = schedule(g);
            if (!(f >= 0) || double.IsInfinity(f))
                throw new InvalidOperationException($"LrSchedule returned {f} for generator step {g}; it must return a finite factor ≥ 0.");
            SetLearningRate(OptimizerG, Config.LrG * f);
            SetLearningRate(OptimizerD, Config.LrD * f);
            if (metrics is not null) metrics["LR factor"] = f;
        }
        G.train();
        D.train();
        for (int i = 0; i < nD; i++)
            DiscriminatorUpdate(g, i, log && i == nD - 1 ? metrics : null);
        if (!_criticOnly) GeneratorUpdate(g, metrics);
        Step++;
        IReadOnlyDictionary<string, double> result = metrics ?? NoMetrics;
        if (metrics is not null)
        {
            metrics["DSteps"] = nD;
            History.Add(Step, metrics);
        }
        var e = new StepEnd(this, Step, result);
        foreach (var cb in _callbacks) cb(e);
        StepEnded?.Invoke(e);
        return result;
    }

    /// <summary>One discriminator update on a fresh batch (does not count as a generator step). Returns its metrics.</summary>
    public IReadOnlyDictionary<string, double> DiscriminatorStep()
    {
        var m = new Dictionary<string, double>();
        G.train(); D.train();
        DiscriminatorUpdate(Step, 0, m);
        return m;
    }

    /// <summary>One generator update on a fresh latent batch (does not advance <see cref="Step"/>). Returns its metrics.</summary>
    public IReadOnlyDictionary<string, double> GeneratorStep()
    {
        if (_criticOnly) throw new InvalidOperationException("this trainer was made by GanTrainer.CriticOnly: its generator is a fixed sampler and has nothing to train.");
        var m = new Dictionary<string, double>();
        G.train(); D.train();
        GeneratorUpdate(Step, m);
        return m;
    }

    void DiscriminatorUpdate(int g, int i, Dictionary<string, double>? metrics)
    {
        using var scope = torch.NewDisposeScope();
        int b = Config.BatchSize;
        var real = SampleReal(b);
        var z = SampleLatent(b);
        Tensor fake;
        // The D step must not reach G: no graph through G at all (cheaper than building and detaching it).
        using (torch.no_grad()) fake = G.call(z).detach();
        var ctx = new GanStepContext(GanPhase.Discriminator, G, D, SampleReal, real, z, fake, g, i, b, metrics is not null, Device);
        OptimizerD.zero_grad();
        var loss = CheckLoss(Objective.DiscriminatorLoss(ctx), "DiscriminatorLoss");
        loss.backward();
        Tensor? gradNorm = metrics is not null ? D.GradNormTensor() : null;
        OptimizerD.step();
        if (Config.WeightClip is double c)
        {
            // WGAN's Lipschitz constraint (Arjovsky et al. 2017, Algorithm 1, line 7).
            using var _ = torch.no_grad();
            foreach (var p in D.parameters()) p.clamp_(-c, c);
        }
        Objective.AfterDiscriminatorStep(ctx);
        DiscriminatorSteps++;
        if (metrics is not null)
        {
            metrics["Loss/D"] = ToDouble(loss);
            metrics["Grad/D"] = ToDouble(gradNorm!);
            ctx.FlushInto(metrics);
        }
    }

    void GeneratorUpdate(int g, Dictionary<string, double>? metrics)
    {
        using var scope = torch.NewDisposeScope();
        int b = Config.BatchSize;
        var z = SampleLatent(b);
        IDisposable? frozen = Config.FreezeDiscriminatorInGeneratorStep ? D.Frozen() : null;
        try
        {
            var fake = G.call(z);
            var ctx = new GanStepContext(GanPhase.Generator, G, D, SampleReal, null, z, fake, g, 0, b, metrics is not null, Device);
            OptimizerG.zero_grad();
            var loss = CheckLoss(Objective.GeneratorLoss(ctx), "GeneratorLoss");
            loss.backward();
            Tensor? gradNorm = metrics is not null ? G.GradNormTensor() : null;
            OptimizerG.step();
            Ema?.Update();
            Objective.AfterGeneratorStep(ctx);
            if (metrics is not null)
            {
                metrics["Loss/G"] = ToDouble(loss);
                metrics["Grad/G"] = ToDouble(gradNorm!);
                ctx.FlushInto(metrics);
            }
        }
        finally { frozen?.Dispose(); }
    }

    (Tensor Images, Tensor? Labels) SampleReal(int b)
    {
        var (x, y) = _realSampler(b);
        if (x is null) throw new InvalidOperationException("the real-batch sampler returned null; it must return a tensor [B, ...].");
        if (x.dim() < 1 || x.shape[0] != b)
            throw new InvalidOperationException($"the real-batch sampler returned shape [{string.Join(", ", x.shape)}] for batch size {b}; it must return [B, ...] with B = {b}.");
        if (HasLabels)
        {
            if (y is null) throw new InvalidOperationException("the labelled real-batch sampler returned null labels; it must return (images [B, ...], labels int64 [B]).");
            if (y.dim() != 1 || y.shape[0] != b || y.dtype != ScalarType.Int64)
                throw new InvalidOperationException($"the labelled real-batch sampler returned labels {y.dtype} [{string.Join(", ", y.shape)}] for batch size {b}; they must be int64 [B] with B = {b}.");
            if (!SameDevice(y)) y = y.to(Device);
        }
        return (SameDevice(x) ? x : x.to(Device), y);
    }

    Tensor SampleLatent(int b)
    {
        var z = _latentSampler(b) ?? throw new InvalidOperationException("the latent sampler returned null; it must return z [B, ...].");
        if (z.dim() < 1 || z.shape[0] != b)
            throw new InvalidOperationException($"the latent sampler returned shape [{string.Join(", ", z.shape)}] for batch size {b}; it must return [B, ...] with B = {b}.");
        return SameDevice(z) ? z : z.to(Device);
    }

    bool SameDevice(Tensor t) => t.device_type == Device.type && (t.device_type == DeviceType.CPU || t.device_index == Math.Max(0, Device.index));

    /// <summary>A one-element tensor's value (no extra kernel for the usual float32 case).</summary>
    internal static double ToDouble(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => t.item<float>(),
        ScalarType.Float64 => t.item<double>(),
        _ => t.to_type(ScalarType.Float64).item<double>(),
    };

    static Tensor CheckLoss(Tensor? loss, string what)
    {
        if (loss is null) throw new InvalidOperationException($"the objective's {what} returned null; it must return a scalar tensor.");
        if (loss.numel() != 1)
            throw new InvalidOperationException($"the objective's {what} returned shape [{string.Join(", ", loss.shape)}]; it must return a scalar (call .mean()).");
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
    /// Writes G, D, both optimizers' state, the EMA, the step counts, the history and torch's CPU RNG state
    /// to <paramref name="path"/>. Written to a temporary file first and then moved, so a crash never
    /// leaves a half-written checkpoint.
    /// </summary>
    public void Save(string path) => AtomicFile.WriteBinary(path, WriteCheckpoint);

    /// <summary>
    /// Restores a checkpoint written by <see cref="Save"/> into this trainer (same architectures,
    /// optimizer kind and EMA setting). Afterwards the generator gives identical outputs and training
    /// continues where it stopped.
    /// </summary>
    public void Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream);
        ReadCheckpoint(r, path);
    }

    /// <summary>Writes the checkpoint body (the format of <see cref="Save"/>) to a stream (used by wrappers that add their own state).</summary>
    internal void WriteCheckpoint(BinaryWriter w)
    {
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(Objective.Name);
        w.Write(Step);
        w.Write(DiscriminatorSteps);
        G.save(w);
        D.save(w);
        Helper(OptimizerG).save_state_dict(w);
        Helper(OptimizerD).save_state_dict(w);
        w.Write(Ema is not null);
        Ema?.Write(w);
        History.Write(w);
        using (var rng = torch.random.get_rng_state()) rng.Save(w);
    }

    /// <summary>Reads a checkpoint body written by <see cref="WriteCheckpoint"/>; <paramref name="path"/> names the file in errors.</summary>
    internal void ReadCheckpoint(BinaryReader r, string path)
    {
        string magic;
        try { magic = r.ReadString(); }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        { throw new InvalidDataException($"'{path}' is not a GanNotebooks checkpoint (unreadable header).", e); }
        if (magic != Magic) throw new InvalidDataException($"'{path}' is not a GanNotebooks checkpoint (header '{Truncate(magic)}').");
        int version = r.ReadInt32();
        if (version != FormatVersion) throw new InvalidDataException($"checkpoint format {version} is not supported (this build reads {FormatVersion}).");
        var objectiveName = r.ReadString();
        if (objectiveName != Objective.Name)
            throw new InvalidDataException($"checkpoint was trained with objective '{objectiveName}', this trainer uses '{Objective.Name}'.");
        int step = r.ReadInt32();
        long dSteps = r.ReadInt64();
        G.load(r);
        D.load(r);
        Helper(OptimizerG).load_state_dict(r);
        Helper(OptimizerD).load_state_dict(r);
        bool hasEma = r.ReadBoolean();
        if (hasEma != (Ema is not null))
            throw new InvalidDataException($"checkpoint {(hasEma ? "has" : "has no")} generator EMA but this trainer's EmaDecay is {(Ema is null ? "null" : Ema.Decay.ToString(CultureInfo.InvariantCulture))}; use the same setting.");
        Ema?.Read(r);
        History.Read(r);
        using (var rng = torch.random.get_rng_state())
        {
            rng.Load(r);
            torch.random.set_rng_state(rng);
        }
        Step = step;
        DiscriminatorSteps = dSteps;
    }

    static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;

    static OptimizerHelper Helper(optim.Optimizer o) =>
        o as OptimizerHelper ?? throw new NotSupportedException($"optimizer {o.GetType().Name} cannot save its state.");

    static void SetLearningRate(optim.Optimizer o, double lr)
    {
        foreach (var group in o.ParamGroups) group.LearningRate = lr;
    }

    /// <summary>The generator's current learning rate (after the last <see cref="GanTrainerConfig.LrSchedule"/> update).</summary>
    public double LearningRateG => OptimizerG.ParamGroups.First().LearningRate;

    /// <summary>The discriminator's current learning rate.</summary>
    public double LearningRateD => OptimizerD.ParamGroups.First().LearningRate;

    optim.Optimizer MakeOptimizer(Module m, double lr, (double Beta1, double Beta2) betas) => Config.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(m.parameters(), lr, betas.Beta1, betas.Beta2),
        OptimizerKind.RMSprop => optim.RMSProp(m.parameters(), lr, alpha: Config.RmsAlpha, momentum: Config.Momentum),
        OptimizerKind.SGD => optim.SGD(m.parameters(), lr, momentum: Config.Momentum),
        _ => throw new ArgumentOutOfRangeException(nameof(Config.Optimizer), Config.Optimizer, "unknown optimizer kind"),
    };

    /// <summary>Disposes the optimizers and the EMA (not G and D, which the caller owns).</summary>
    public void Dispose()
    {
        OptimizerG.Dispose();
        OptimizerD.Dispose();
        Ema?.Dispose();
        if (_criticOnly) G.Dispose();
    }
}
