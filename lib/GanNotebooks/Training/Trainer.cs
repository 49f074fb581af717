using System.Globalization;
using GanNotebooks.Core;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Training;

/// <summary>
/// The kit's one training loop. A variant is a <see cref="TrainingPlan"/> made by its recipe (<see cref="GanRecipe"/>,
/// <c>Pix2PixRecipe</c>, <c>CycleGanRecipe</c>, <c>SrganRecipe</c>, <c>StyleGanRecipe</c>, <c>ProgressiveRecipe</c>): named
/// networks, named optimizers over parameter groups, and a list of <see cref="Phase"/>s run in order every iteration
/// (StyleGAN2-ADA's training_loop phases; mimicry's Trainer). The trainer knows no GAN variant, metric or chart, and
/// everything it does reaches every variant at once: <see cref="Train"/> (the only outer loop in the kit, with
/// cancellation), monitors (<see cref="Attach"/>) and step-end callbacks, the progress line, EMAs of networks' weights,
/// the training clock (wall and CPU seconds), <see cref="Apply"/> (a network over many inputs in eval mode) and one
/// checkpoint envelope (<see cref="Save"/>/<see cref="Load"/>) that holds the networks, the optimizers' state, the EMAs,
/// the history, the counters, the clock, every tracked <see cref="ICheckpointable"/> (data sampler position, schedules,
/// image pools) and torch's CPU random state, so a resumed run continues bit-identically on the CPU.
/// <para>
/// Every update runs in its own dispose scope, so memory stays flat; metrics go to <see cref="History"/> as
/// "Loss/{phase}", "Grad/{phase}" plus what the losses log. The typed trainers (<see cref="GanTrainer"/>,
/// <c>Pix2PixTrainer</c>, …) are this class built from their recipe's plan plus named accessors; they add no loop.
/// </para>
/// </summary>
public class Trainer : IDisposable
{
    const string Magic = "GanNotebooks.Checkpoint";
    const int FormatVersion = 3;

    readonly List<(string Name, Module Module)> _networks;
    readonly Dictionary<string, OptimizerDef> _optimizerDefs = new();
    readonly Dictionary<string, optim.Optimizer> _optimizers = new();
    readonly Dictionary<string, long> _phaseSteps = new();
    readonly Dictionary<string, ExponentialMovingAverage> _emas = new();
    readonly List<ICheckpointable> _tracked = new();
    readonly List<Action<StepEnd>> _callbacks = new();
    double _trainingSeconds, _trainingCpuSeconds;

    /// <summary>Builds the trainer from a recipe's plan: moves the networks to the device, builds the optimizers and EMAs, tracks the plan's sections.</summary>
    public Trainer(TrainingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Plan = plan;
        Options = plan.Options;
        if (Options.LogEvery < 1) throw new ArgumentException($"LogEvery must be ≥ 1 (got {Options.LogEvery}).", nameof(plan));
        if (Options.ProgressEvery < 1) throw new ArgumentException($"ProgressEvery must be ≥ 1 (got {Options.ProgressEvery}).", nameof(plan));
        Device = Options.Device ?? Devices.Current;
        _networks = plan.Networks.ToList();
        if (_networks.Count == 0) throw new ArgumentException("a plan needs at least one network.", nameof(plan));
        foreach (var (name, module) in _networks)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name, "network name");
            ArgumentNullException.ThrowIfNull(module, name);
            if (_networks.Count(n => n.Name == name) > 1) throw new ArgumentException($"network name '{name}' is used twice.", nameof(plan));
            module.to(Device);
        }
        foreach (var def in plan.Optimizers)
        {
            if (!_optimizerDefs.TryAdd(def.Name, def)) throw new ArgumentException($"optimizer name '{def.Name}' is used twice.", nameof(plan));
            if (def.Groups.Count == 0) throw new ArgumentException($"optimizer '{def.Name}' has no parameter groups.", nameof(plan));
            def.Settings.Validate($"OptimizerDef(\"{def.Name}\").Settings");
            foreach (var g in def.Groups)
            {
                Network(g.Network); // throws for an unknown name
                if (!(g.LrMultiplier > 0) || double.IsInfinity(g.LrMultiplier))
                    throw new ArgumentException($"optimizer '{def.Name}': learning-rate multiplier {g.LrMultiplier} of '{g.Network}' must be a finite number > 0.", nameof(plan));
            }
        }
        Phases = plan.Phases.ToList();
        if (Phases.Count == 0) throw new ArgumentException("a trainer needs at least one phase.", nameof(plan));
        foreach (var p in Phases)
        {
            if (!_optimizerDefs.ContainsKey(p.Optimizer)) throw new ArgumentException($"phase '{p.Name}' uses optimizer '{p.Optimizer}', which is not defined.", nameof(plan));
            if (p.Every < 1) throw new ArgumentException($"phase '{p.Name}': Every must be ≥ 1 (got {p.Every}).", nameof(plan));
            foreach (var f in p.Frozen) Network(f);
            if (!_phaseSteps.TryAdd(p.Name, 0)) throw new ArgumentException($"phase name '{p.Name}' is used twice; names key the metrics and counters.", nameof(plan));
        }
        foreach (var def in _optimizerDefs.Values) _optimizers[def.Name] = Build(def);
        foreach (var (net, decay) in Options.Ema) _emas[net] = new ExponentialMovingAverage(Network(net), decay);
        foreach (var part in plan.Tracked) Track(part);
        if (plan.AfterIteration is { } after) _callbacks.Add(after);
    }

    /// <summary>Builds a trainer from its parts (a plan without a recipe).</summary>
    /// <param name="networks">Named networks, e.g. ("G", g), ("D", d). Names are unique; the caller owns the modules.</param>
    /// <param name="optimizers">Optimizers over parameter groups of those networks.</param>
    /// <param name="phases">The updates of one iteration, in order.</param>
    /// <param name="options">Trainer-wide knobs.</param>
    public Trainer(IEnumerable<(string Name, Module Module)> networks, IEnumerable<OptimizerDef> optimizers, IEnumerable<Phase> phases,
        TrainerOptions? options = null)
        : this(new TrainingPlan(
            (networks ?? throw new ArgumentNullException(nameof(networks))).ToList(),
            (optimizers ?? throw new ArgumentNullException(nameof(optimizers))).ToList(),
            (phases ?? throw new ArgumentNullException(nameof(phases))).ToList())
        { Options = options ?? new TrainerOptions() })
    {
    }

    /// <summary>The plan this trainer runs (its recipe's typed state is <see cref="TrainingPlan.Recipe"/>).</summary>
    public TrainingPlan Plan { get; }

    /// <summary>The validated options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Where the networks and batches live.</summary>
    public Device Device { get; }

    /// <summary>The phases of one iteration, in order.</summary>
    public IReadOnlyList<Phase> Phases { get; }

    /// <summary>The networks, in registration order.</summary>
    public IReadOnlyList<(string Name, Module Module)> Networks => _networks;

    /// <summary>Iterations completed.</summary>
    public int Step { get; private set; }

    /// <summary>Recorded metrics.</summary>
    public History History { get; } = new();

    /// <summary>Runs after every iteration (after the callbacks and monitors), with its 1-based index and metrics.</summary>
    public event Action<StepEnd>? StepEnded;

    /// <summary>Wall-clock seconds spent in training iterations (not in callbacks or monitors); carried by checkpoints.</summary>
    public double TrainingSeconds => _trainingSeconds;

    /// <summary>CPU seconds (all threads of the process) spent in training iterations; carried by checkpoints.</summary>
    public double TrainingCpuSeconds => _trainingCpuSeconds;

    /// <summary>Wall-clock seconds of the last iteration.</summary>
    public double LastIterationSeconds { get; private set; }

    /// <summary>
    /// Live progress: called with one status line every <see cref="TrainerOptions.ProgressEvery"/> iterations and at the
    /// end of <see cref="Train"/> (e.g. <c>t.Progress = line => display.Update(line)</c>).
    /// </summary>
    public Action<string>? Progress { get; set; }

    /// <summary>Adds a step-end callback (run after every iteration, in the order added); returns this trainer.</summary>
    public Trainer OnStepEnd(Action<StepEnd> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _callbacks.Add(callback);
        return this;
    }

    /// <summary>Adds a callback that runs every <paramref name="every"/> iterations; returns this trainer.</summary>
    public Trainer OnStepEnd(int every, Action<StepEnd> callback) => OnStepEnd(Callbacks.Every(every, callback));

    /// <summary>Attaches a monitor (mode coverage, image quality, an f-GAN bound…): it sees every step end, in attach order. Returns this trainer.</summary>
    public Trainer Attach(ITrainingMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        return OnStepEnd(monitor.OnStepEnd);
    }

    /// <summary>A named sampler of the plan (e.g. "latent": B → z [B, …]).</summary>
    public Func<int, Tensor> Sampler(string name) =>
        Plan.Samplers.TryGetValue(name, out var s) ? s : throw new ArgumentException($"the plan '{Options.Label}' has no sampler named '{name}' (it has: {(Plan.Samplers.Count == 0 ? "none" : string.Join(", ", Plan.Samplers.Keys))}).", nameof(name));

    /// <summary>A registered network by name.</summary>
    public Module Network(string name) =>
        _networks.FirstOrDefault(n => n.Name == name).Module ?? throw new ArgumentException($"no network named '{name}'; registered: {string.Join(", ", _networks.Select(n => n.Name))}.", nameof(name));

    /// <summary>An optimizer by name (replaced by <see cref="ResetOptimizers"/>).</summary>
    public optim.Optimizer Optimizer(string name) =>
        _optimizers.TryGetValue(name, out var o) ? o : throw new ArgumentException($"no optimizer named '{name}'.", nameof(name));

    /// <summary>The EMA of a network's weights, or null when none was configured.</summary>
    public ExponentialMovingAverage? Ema(string network) => _emas.GetValueOrDefault(network);

    /// <summary>Updates run so far by a phase (all repeats, all iterations).</summary>
    public long PhaseSteps(string phase) => _phaseSteps.TryGetValue(phase, out var n) ? n : throw new ArgumentException($"no phase named '{phase}'.", nameof(phase));

    /// <summary>Current learning rate of an optimizer's first group.</summary>
    public double LearningRate(string optimizer) => Optimizer(optimizer).ParamGroups.First().LearningRate;

    /// <summary>Adds state that checkpoints must carry (a data sampler's position, a schedule's clock); keys are unique.</summary>
    public void Track(ICheckpointable part)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (_tracked.Contains(part)) return;
        if (_tracked.Any(t => t.CheckpointKey == part.CheckpointKey))
            throw new ArgumentException($"checkpoint section '{part.CheckpointKey}' is already tracked.", nameof(part));
        _tracked.Add(part);
    }

    /// <summary>Tracks the object behind a sampler delegate when it is checkpointable (e.g. <c>ImageDataset.BatchSampler</c>).</summary>
    public void TrackTargetOf(Delegate? sampler)
    {
        if (sampler?.Target is ICheckpointable part) Track(part);
    }

    /// <summary>
    /// Replaces every optimizer with a fresh one of the same definition: no moment estimates, step counts at 0.
    /// Progressive growing resets Adam at each new resolution (Karras et al. 2018, official code reset_opt_for_new_lod).
    /// </summary>
    public void ResetOptimizers()
    {
        foreach (var name in _optimizers.Keys.ToList())
        {
            _optimizers[name].Dispose();
            _optimizers[name] = Build(_optimizerDefs[name]);
        }
    }

    /// <summary>Runs <paramref name="steps"/> more iterations (stops cleanly between iterations when cancelled).</summary>
    public History Train(int steps, CancellationToken cancellation = default)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative.");
        int target = Step + steps;
        return Run(() => Step < target, target, cancellation);
    }

    /// <summary>
    /// Runs iterations while <paramref name="keepGoing"/> says so (checked before each; e.g. progressive growing's image
    /// count or a time budget). The same loop as <see cref="Train"/>.
    /// </summary>
    public History TrainWhile(Func<bool> keepGoing, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(keepGoing);
        return Run(keepGoing, null, cancellation);
    }

    // The kit's one outer training loop.
    History Run(Func<bool> keepGoing, int? target, CancellationToken cancellation)
    {
        int start = Step;
        double seconds0 = _trainingSeconds;
        bool any = false;
        while (!cancellation.IsCancellationRequested && keepGoing())
        {
            TrainStep(forceLog: target is int t && Step + 1 == t);
            any = true;
            if (Progress is not null && Step % Options.ProgressEvery == 0 && !(target is int t2 && Step == t2))
                Progress(StatusLine(target, (Step - start) / Math.Max(1e-9, _trainingSeconds - seconds0)));
        }
        if (any) Progress?.Invoke(StatusLine(target, (Step - start) / Math.Max(1e-9, _trainingSeconds - seconds0)));
        return History;
    }

    /// <summary>
    /// One iteration: the plan's <see cref="TrainingPlan.BeforeIteration"/> hook, every phase due at this step in order,
    /// then the step-end callbacks and monitors. Returns its metrics (empty when not logged).
    /// </summary>
    /// <param name="forceLog">Record metrics even if this is not a <see cref="TrainerOptions.LogEvery"/> step.</param>
    public IReadOnlyDictionary<string, double> TrainStep(bool forceLog = false)
    {
        Plan.BeforeIteration?.Invoke(this);
        var clock = CpuClock.StartNew();
        var metrics = Iterate(forceLog);
        LastIterationSeconds = clock.WallSeconds;
        _trainingSeconds += LastIterationSeconds;
        _trainingCpuSeconds += clock.CpuSeconds;
        var e = new StepEnd(this, Step, metrics);
        foreach (var cb in _callbacks) cb(e);
        StepEnded?.Invoke(e);
        return metrics;
    }

    /// <summary>
    /// A one-line status, the same for every variant: "label: step s/N · key value · … · it/s" with the plan's
    /// <see cref="TrainingPlan.StatusKeys"/> and the phases' losses.
    /// </summary>
    public string StatusLine(int? target = null, double? iterationsPerSecond = null)
    {
        var parts = new List<string>();
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"step {Step}{(target is int t ? $"/{t}" : "")}"));
        var keys = Plan.StatusKeys.Concat(Phases.Select(p => "Loss/" + p.Name)).Distinct();
        foreach (var k in keys)
            if (History.Contains(k)) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{k} {History.Last(k):G4}"));
        if (Plan.Status?.Invoke(this) is { Length: > 0 } extra) parts.Add(extra);
        if (iterationsPerSecond is double r) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{r:F1} it/s"));
        var label = Options.Label.Length > 0 ? Options.Label + ": " : "";
        return label + string.Join(" · ", parts);
    }

    /// <summary>
    /// Applies a registered network in eval mode without gradients, <paramref name="batchSize"/> rows at a time (EMA weights
    /// when <paramref name="useEma"/> and the network has an EMA); the result is on the CPU, the network's mode is
    /// restored. The one way to run a trained network over many inputs (samples, translations, upscaling).
    /// </summary>
    public Tensor Apply(string network, Tensor inputs, bool useEma = true, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var net = Network(network) as Module<Tensor, Tensor> ?? throw new ArgumentException($"network '{network}' is not a Module<Tensor, Tensor>; call it yourself.", nameof(network));
        using (useEma ? Ema(network)?.Apply() : null)
            return ApplyEval(net, inputs, Device, batchSize);
    }

    /// <summary>Applies <paramref name="net"/> in eval mode without gradients, <paramref name="batchSize"/> rows at a time; result on the CPU; restores the mode.</summary>
    public static Tensor ApplyEval(Module<Tensor, Tensor> net, Tensor inputs, Device device, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(inputs);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be ≥ 1.");
        if (inputs.dim() < 1 || inputs.shape[0] < 1) throw new ArgumentException($"inputs must be [N, …] with N ≥ 1; got {Shapes.Of(inputs)}.", nameof(inputs));
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
                if (parts.Count == 1) { var only = parts[0]; parts.Clear(); return only; }
                using var outer = torch.NewDisposeScope();
                return torch.cat(parts, 0).MoveToOuterDisposeScope();
            }
            finally { foreach (var t in parts) t.Dispose(); }
        }
        finally { net.train(was); }
    }

    /// <summary>One iteration's phases (no hook, no callbacks): every phase due at this step, in order. Returns its metrics.</summary>
    IReadOnlyDictionary<string, double> Iterate(bool forceLog)
    {
        int g = Step;
        bool log = forceLog || g == 0 || (g + 1) % Options.LogEvery == 0;
        var metrics = log ? new Dictionary<string, double>() : null;
        if (Options.LrSchedule is { } schedule)
        {
            double f = schedule(g);
            if (!(f >= 0) || double.IsInfinity(f))
                throw new InvalidOperationException($"LrSchedule returned {f} for generator step {g}; it must return a finite factor ≥ 0.");
            foreach (var (name, o) in _optimizers) SetLearningRate(o, _optimizerDefs[name], f);
            if (metrics is not null) metrics["LR factor"] = f;
        }
        foreach (var (_, m) in _networks) m.train();
        var repeats = new List<(string Key, int N)>();
        foreach (var phase in Phases)
        {
            if (g % phase.Every != 0) continue;
            int n = phase.Repeats?.Invoke(g) ?? 1;
            if (n < 1) throw new InvalidOperationException($"phase '{phase.Name}' asked for {n} repeats at step {g}; it must be ≥ 1.");
            for (int i = 0; i < n; i++) Run(phase, g, i, log && i == n - 1 ? metrics : null);
            if (phase.RepeatsKey is { } key) repeats.Add((key, n));
        }
        Step++;
        if (metrics is null) return NoMetrics;
        foreach (var (key, n) in repeats) metrics[key] = n;
        History.Add(Step, metrics);
        return metrics;
    }

    /// <summary>One update of <paramref name="phase"/> outside the iteration count (returns its metrics; no callbacks).</summary>
    public IReadOnlyDictionary<string, double> RunOnce(string phase)
    {
        var p = Phases.FirstOrDefault(x => x.Name == phase) ?? throw new ArgumentException($"no phase named '{phase}'.", nameof(phase));
        var m = new Dictionary<string, double>();
        foreach (var (_, net) in _networks) net.train();
        Run(p, Step, 0, m);
        return m;
    }

    static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    void Run(Phase phase, int g, int i, Dictionary<string, double>? metrics)
    {
        using var scope = torch.NewDisposeScope();
        var frozen = phase.Frozen.Select(n => Network(n).Frozen()).ToList();
        try
        {
            var step = new PhaseStep(this, phase, g, i, metrics is not null);
            var optimizer = _optimizers[phase.Optimizer];
            optimizer.zero_grad();
            var loss = phase.Loss(step);
            if (loss is null) throw new InvalidOperationException($"the loss of phase '{phase.Name}' returned null; it must return a scalar tensor.");
            if (loss.numel() != 1)
                throw new InvalidOperationException($"the loss of phase '{phase.Name}' returned shape {Shapes.Of(loss)}; it must return a scalar (call .mean()).");
            loss.backward();
            Tensor? gradNorm = metrics is not null ? NetUtils.GradNormTensor(Parameters(_optimizerDefs[phase.Optimizer])) : null;
            optimizer.step();
            phase.AfterStep?.Invoke(step);
            _phaseSteps[phase.Name]++;
            if (metrics is not null)
            {
                metrics[$"Loss/{phase.Name}"] = ToDouble(loss);
                metrics[$"Grad/{phase.Name}"] = ToDouble(gradNorm!);
                step.Metrics.FlushInto(metrics);
            }
        }
        finally
        {
            for (int k = frozen.Count - 1; k >= 0; k--) frozen[k].Dispose();
        }
    }

    /// <summary>A one-element tensor's value (no extra kernel for the usual float32 case).</summary>
    internal static double ToDouble(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => t.item<float>(),
        ScalarType.Float64 => t.item<double>(),
        _ => t.to_type(ScalarType.Float64).item<double>(),
    };

    IEnumerable<Parameter> Parameters(OptimizerDef def) => def.Groups.SelectMany(GroupParameters);

    IEnumerable<Parameter> GroupParameters(ParameterGroup g) =>
        g.Where is null ? Network(g.Network).parameters() : Network(g.Network).named_parameters().Where(p => g.Where(p.name)).Select(p => p.parameter);

    optim.Optimizer Build(OptimizerDef def) => def.Settings.Build(def.Groups.Select(g => (GroupParameters(g), g.LrMultiplier)).ToList(),
        single: def.Groups.Count == 1 && def.Groups[0].LrMultiplier == 1.0 && def.Groups[0].Where is null, def.Name);

    static void SetLearningRate(optim.Optimizer o, OptimizerDef def, double factor)
    {
        int k = 0;
        foreach (var group in o.ParamGroups)
        {
            double mult = def.Groups.Count == o.ParamGroups.Count() ? def.Groups[k].LrMultiplier : 1.0;
            group.LearningRate = def.Settings.Lr * mult * factor;
            k++;
        }
    }

    // ------------------------------------------------------------------------------------------ checkpoint envelope

    /// <summary>Writes the checkpoint atomically (temporary file, then moved): a crash never leaves half a checkpoint.</summary>
    public void Save(string path) => AtomicFile.WriteBinary(path, Write);

    /// <summary>Restores a checkpoint written by <see cref="Save"/> into this trainer (same networks, optimizers, EMAs, tracked parts).</summary>
    public void Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream);
        Read(r, path);
    }

    /// <summary>Writes the checkpoint body to a stream.</summary>
    public void Write(BinaryWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(Options.Label);
        w.Write(Step);
        w.Write(_trainingSeconds);
        w.Write(_trainingCpuSeconds);
        w.Write(_phaseSteps.Count);
        foreach (var (name, n) in _phaseSteps) { w.Write(name); w.Write(n); }
        w.Write(_networks.Count);
        foreach (var (name, m) in _networks) { w.Write(name); m.save(w); }
        w.Write(_optimizers.Count);
        foreach (var (name, o) in _optimizers) { w.Write(name); Helper(o).save_state_dict(w); }
        w.Write(_emas.Count);
        foreach (var (name, e) in _emas) { w.Write(name); e.Write(w); }
        History.Write(w);
        w.Write(_tracked.Count);
        foreach (var part in _tracked)
        {
            // Length-prefixed, so a reader can name the section that does not fit instead of misreading the rest.
            using var ms = new MemoryStream();
            using (var sw = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) part.WriteState(sw);
            w.Write(part.CheckpointKey);
            w.Write((int)ms.Length);
            w.Write(ms.GetBuffer(), 0, (int)ms.Length);
        }
        using (var rng = torch.random.get_rng_state()) rng.Save(w);
    }

    /// <summary>Reads a checkpoint body written by <see cref="Write"/>; <paramref name="path"/> names the file in errors.</summary>
    public void Read(BinaryReader r, string path)
    {
        ArgumentNullException.ThrowIfNull(r);
        string magic;
        try { magic = r.ReadString(); }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        { throw new InvalidDataException($"'{path}' is not a GanNotebooks checkpoint (unreadable header).", e); }
        if (magic != Magic) throw new InvalidDataException($"'{path}' is not a GanNotebooks checkpoint (header '{(magic.Length > 40 ? magic[..40] + "…" : magic)}').");
        int version = r.ReadInt32();
        if (version != FormatVersion) throw new InvalidDataException($"checkpoint format {version} is not supported (this build reads {FormatVersion}).");
        var label = r.ReadString();
        if (label != Options.Label)
            throw new InvalidDataException($"checkpoint was trained with objective '{label}', this trainer uses '{Options.Label}'.");
        int step = r.ReadInt32();
        double seconds = r.ReadDouble(), cpuSeconds = r.ReadDouble();
        var counts = new Dictionary<string, long>();
        for (int i = 0, n = r.ReadInt32(); i < n; i++) counts[r.ReadString()] = r.ReadInt64();
        ExpectNames("networks", r.ReadInt32(), _networks.Select(x => x.Name).ToList(), r, name => Network(name).load(r));
        ExpectNames("optimizers", r.ReadInt32(), _optimizers.Keys.ToList(), r, name => Helper(_optimizers[name]).load_state_dict(r));
        int emaCount = r.ReadInt32();
        if (emaCount != _emas.Count)
            throw new InvalidDataException($"checkpoint has {emaCount} weight average(s) (EMA) but this trainer has {_emas.Count}; use the same EmaDecay setting.");
        ExpectNames("EMAs", emaCount, _emas.Keys.ToList(), r, name => _emas[name].Read(r));
        History.Read(r);
        int sections = r.ReadInt32();
        var seen = new HashSet<string>();
        for (int i = 0; i < sections; i++)
        {
            var key = r.ReadString();
            var bytes = r.ReadBytes(r.ReadInt32());
            var part = _tracked.FirstOrDefault(t => t.CheckpointKey == key)
                ?? throw new InvalidDataException($"checkpoint has a '{key}' section that this trainer does not track (tracked: {string.Join(", ", _tracked.Select(t => t.CheckpointKey))}).");
            using var br = new BinaryReader(new MemoryStream(bytes));
            part.ReadState(br);
            seen.Add(key);
        }
        var missing = _tracked.Where(t => !seen.Contains(t.CheckpointKey)).Select(t => t.CheckpointKey).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"checkpoint has no section for {string.Join(", ", missing)}.");
        using (var rng = torch.random.get_rng_state())
        {
            rng.Load(r);
            torch.random.set_rng_state(rng);
        }
        Step = step;
        _trainingSeconds = seconds;
        _trainingCpuSeconds = cpuSeconds;
        foreach (var k in _phaseSteps.Keys.ToList()) _phaseSteps[k] = counts.GetValueOrDefault(k);
    }

    static void ExpectNames(string what, int count, List<string> mine, BinaryReader r, Action<string> read)
    {
        if (count != mine.Count) throw new InvalidDataException($"checkpoint has {count} {what}, this trainer has {mine.Count} ({string.Join(", ", mine)}).");
        for (int i = 0; i < count; i++)
        {
            var name = r.ReadString();
            if (!mine.Contains(name)) throw new InvalidDataException($"checkpoint has {what} '{name}', this trainer has {string.Join(", ", mine)}.");
            read(name);
        }
    }

    static OptimizerHelper Helper(optim.Optimizer o) =>
        o as OptimizerHelper ?? throw new NotSupportedException($"optimizer {o.GetType().Name} cannot save its state.");

    /// <summary>Disposes the optimizers, EMAs and what the plan says the trainer owns (not the caller's networks).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the optimizers, EMAs and <see cref="TrainingPlan.Owned"/>; a typed trainer adds what it holds.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing || _disposed) return;
        _disposed = true;
        foreach (var o in _optimizers.Values) o.Dispose();
        foreach (var e in _emas.Values) e.Dispose();
        foreach (var d in Plan.Owned) d.Dispose();
    }

    bool _disposed;

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Trainer{(Options.Label.Length > 0 ? " " + Options.Label : "")}: {string.Join(", ", _networks.Select(n => n.Name))}; phases {string.Join(" → ", Phases.Select(p => p.Name + (p.Every > 1 ? $" (every {p.Every})" : "")))}; step {Step}");
}
