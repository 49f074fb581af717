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
/// The kit's one training loop: named networks, named optimizers over parameter groups, and a list of
/// <see cref="Phase"/>s run in order every iteration (StyleGAN2-ADA's training_loop phases; mimicry's Trainer). It knows
/// no GAN variant, metric or chart: a variant is a phase list (see <see cref="GanTrainer"/> for "n D steps, then G").
/// Every update runs in its own dispose scope, so memory stays flat; metrics go to <see cref="History"/> as
/// "Loss/{phase}", "Grad/{phase}" plus what the losses log.
/// <para>
/// One checkpoint envelope (<see cref="Save"/>/<see cref="Load"/>) holds the networks, the optimizers' state, the
/// EMAs, the history, the counters, every tracked <see cref="ICheckpointable"/> (data sampler position, schedules) and
/// torch's CPU random state, so a resumed run continues bit-identically on the CPU.
/// </para>
/// </summary>
public sealed class PhaseTrainer : IDisposable
{
    const string Magic = "GanNotebooks.Checkpoint";
    const int FormatVersion = 2;

    readonly List<(string Name, Module Module)> _networks;
    readonly Dictionary<string, OptimizerDef> _optimizerDefs = new();
    readonly Dictionary<string, optim.Optimizer> _optimizers = new();
    readonly Dictionary<string, long> _phaseSteps = new();
    readonly Dictionary<string, ExponentialMovingAverage> _emas = new();
    readonly List<ICheckpointable> _tracked = new();

    /// <summary>Builds the trainer: moves the networks to the device and builds the optimizers.</summary>
    /// <param name="networks">Named networks, e.g. ("G", g), ("D", d). Names are unique; the caller owns the modules.</param>
    /// <param name="optimizers">Optimizers over parameter groups of those networks.</param>
    /// <param name="phases">The updates of one iteration, in order.</param>
    /// <param name="options">Trainer-wide knobs.</param>
    public PhaseTrainer(IEnumerable<(string Name, Module Module)> networks, IEnumerable<OptimizerDef> optimizers, IEnumerable<Phase> phases,
        PhaseTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(optimizers);
        ArgumentNullException.ThrowIfNull(phases);
        Options = options ?? new PhaseTrainerOptions();
        if (Options.LogEvery < 1) throw new ArgumentException($"LogEvery must be ≥ 1 (got {Options.LogEvery}).", nameof(options));
        Device = Options.Device ?? Devices.Current;
        _networks = networks.ToList();
        foreach (var (name, module) in _networks)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name, "network name");
            ArgumentNullException.ThrowIfNull(module, name);
            if (_networks.Count(n => n.Name == name) > 1) throw new ArgumentException($"network name '{name}' is used twice.", nameof(networks));
            module.to(Device);
        }
        foreach (var def in optimizers)
        {
            if (!_optimizerDefs.TryAdd(def.Name, def)) throw new ArgumentException($"optimizer name '{def.Name}' is used twice.", nameof(optimizers));
            if (def.Groups.Count == 0) throw new ArgumentException($"optimizer '{def.Name}' has no parameter groups.", nameof(optimizers));
            foreach (var g in def.Groups)
            {
                Network(g.Network); // throws for an unknown name
                if (!(g.LrMultiplier > 0) || double.IsInfinity(g.LrMultiplier))
                    throw new ArgumentException($"optimizer '{def.Name}': learning-rate multiplier {g.LrMultiplier} of '{g.Network}' must be a finite number > 0.", nameof(optimizers));
            }
        }
        Phases = phases.ToList();
        if (Phases.Count == 0) throw new ArgumentException("a trainer needs at least one phase.", nameof(phases));
        foreach (var p in Phases)
        {
            if (!_optimizerDefs.ContainsKey(p.Optimizer)) throw new ArgumentException($"phase '{p.Name}' uses optimizer '{p.Optimizer}', which is not defined.", nameof(phases));
            if (p.Every < 1) throw new ArgumentException($"phase '{p.Name}': Every must be ≥ 1 (got {p.Every}).", nameof(phases));
            foreach (var f in p.Frozen) Network(f);
            if (!_phaseSteps.TryAdd(p.Name, 0)) throw new ArgumentException($"phase name '{p.Name}' is used twice; names key the metrics and counters.", nameof(phases));
        }
        foreach (var def in _optimizerDefs.Values) _optimizers[def.Name] = Build(def);
        foreach (var (net, decay) in Options.Ema) _emas[net] = new ExponentialMovingAverage(Network(net), decay);
    }

    /// <summary>The validated options.</summary>
    public PhaseTrainerOptions Options { get; }

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

    /// <summary>Runs after every iteration with its 1-based index and metrics (empty when not logged).</summary>
    public event Action<int, IReadOnlyDictionary<string, double>>? IterationEnded;

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

    /// <summary>Runs <paramref name="steps"/> more iterations.</summary>
    public History Train(int steps, CancellationToken cancellation = default)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative.");
        int target = Step + steps;
        while (Step < target && !cancellation.IsCancellationRequested) Iterate(forceLog: Step + 1 == target);
        return History;
    }

    /// <summary>One iteration: every phase due at this step, in order. Returns its metrics (empty when not logged).</summary>
    public IReadOnlyDictionary<string, double> Iterate(bool forceLog = false)
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
        IReadOnlyDictionary<string, double> result = metrics ?? NoMetrics;
        if (metrics is not null)
        {
            foreach (var (key, n) in repeats) metrics[key] = n;
            History.Add(Step, metrics);
        }
        IterationEnded?.Invoke(Step, result);
        return result;
    }

    /// <summary>One update of <paramref name="phase"/> outside the iteration count (returns its metrics).</summary>
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

    optim.Optimizer Build(OptimizerDef def)
    {
        // One group at multiplier 1: the plain constructor (what the kit always used, so the numbers stay the same).
        if (def.Groups.Count == 1 && def.Groups[0].LrMultiplier == 1.0 && def.Groups[0].Where is null)
        {
            var ps = GroupParameters(def.Groups[0]);
            return def.Kind switch
            {
                OptimizerKind.Adam => def.Flat ? new FlatAdam(ps, def.Lr, def.Betas.Beta1, def.Betas.Beta2) : optim.Adam(ps, def.Lr, def.Betas.Beta1, def.Betas.Beta2),
                OptimizerKind.RMSprop => optim.RMSProp(ps, def.Lr, alpha: def.RmsAlpha, momentum: def.Momentum),
                OptimizerKind.SGD => optim.SGD(ps, def.Lr, momentum: def.Momentum),
                _ => throw new ArgumentOutOfRangeException(nameof(def), def.Kind, "unknown optimizer kind"),
            };
        }
        foreach (var g in def.Groups)
            if (!GroupParameters(g).Any()) throw new ArgumentException($"optimizer '{def.Name}': the group of '{g.Network}' selects no parameters.");
        return def.Kind switch
        {
            OptimizerKind.Adam => def.Flat
                ? new FlatAdam(def.Groups.Select(g => new Adam.ParamGroup(GroupParameters(g), lr: def.Lr * g.LrMultiplier, beta1: def.Betas.Beta1, beta2: def.Betas.Beta2)), def.Lr, def.Betas.Beta1, def.Betas.Beta2)
                : optim.Adam(def.Groups.Select(g => new Adam.ParamGroup(GroupParameters(g), lr: def.Lr * g.LrMultiplier, beta1: def.Betas.Beta1, beta2: def.Betas.Beta2)), def.Lr, def.Betas.Beta1, def.Betas.Beta2),
            OptimizerKind.RMSprop => optim.RMSProp(def.Groups.Select(g => new RMSProp.ParamGroup(GroupParameters(g), lr: def.Lr * g.LrMultiplier, alpha: def.RmsAlpha, momentum: def.Momentum)), def.Lr, alpha: def.RmsAlpha, momentum: def.Momentum),
            OptimizerKind.SGD => optim.SGD(def.Groups.Select(g => new SGD.ParamGroup(GroupParameters(g), lr: def.Lr * g.LrMultiplier, momentum: def.Momentum)), def.Lr, momentum: def.Momentum),
            _ => throw new ArgumentOutOfRangeException(nameof(def), def.Kind, "unknown optimizer kind"),
        };
    }

    static void SetLearningRate(optim.Optimizer o, OptimizerDef def, double factor)
    {
        int k = 0;
        foreach (var group in o.ParamGroups)
        {
            double mult = def.Groups.Count == o.ParamGroups.Count() ? def.Groups[k].LrMultiplier : 1.0;
            group.LearningRate = def.Lr * mult * factor;
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

    /// <summary>Disposes the optimizers and EMAs (not the networks, which the caller owns).</summary>
    public void Dispose()
    {
        foreach (var o in _optimizers.Values) o.Dispose();
        foreach (var e in _emas.Values) e.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"PhaseTrainer: {string.Join(", ", _networks.Select(n => n.Name))}; phases {string.Join(" → ", Phases.Select(p => p.Name + (p.Every > 1 ? $" (every {p.Every})" : "")))}; step {Step}");
}
