using GanNotebooks.Core;
using GanNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Training;

/// <summary>
/// The GAN recipe: networks "G" and "D", one optimizer each, and two phases. Each iteration runs n discriminator steps
/// (n = <see cref="GanTrainerConfig.DSteps"/> or the schedule) and then one generator step (Goodfellow et al. 2014,
/// Algorithm 1); the variant — minimax, non-saturating, WGAN, WGAN-GP, LSGAN, hinge, f-GAN, conditional, InfoGAN, BiGAN… —
/// is the <see cref="IGanObjective"/>. <see cref="Plan(Module{Tensor, Tensor}, Module{Tensor, Tensor}, IGanObjective, Func{int, Tensor}, Func{int, Tensor}, GanTrainerConfig?)"/>
/// returns what a <see cref="Trainer"/> runs; <see cref="GanTrainer"/> is that trainer with typed accessors.
/// Metrics: "Loss/D", "Loss/G", "D(x)", "D(G(z))", "Grad/D", "Grad/G", "DSteps".
/// </summary>
public sealed class GanRecipe
{
    readonly Func<int, (Tensor Images, Tensor? Labels)> _realSampler;
    readonly Func<int, Tensor> _latentSampler;
    // The context of the update in progress: made by a phase's loss, read by its AfterStep (same update, same scope).
    GanStepContext? _context;

    GanRecipe(Module<Tensor, Tensor> g, Module<Tensor, Tensor> d, IGanObjective objective, Func<int, (Tensor, Tensor?)> realSampler,
        bool labelled, Func<int, Tensor> latentSampler, GanTrainerConfig? config, bool criticOnly)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(latentSampler);
        if (ReferenceEquals(g, d)) throw new ArgumentException("generator and discriminator must be two different modules.");
        if (!g.parameters().Any()) throw new ArgumentException("the generator has no parameters to train.", nameof(g));
        if (!d.parameters().Any()) throw new ArgumentException("the discriminator has no parameters to train.", nameof(d));
        Config = config ?? GanTrainerConfig.Default;
        Config.Validate();
        G = g; D = d; Objective = objective; HasLabels = labelled; CriticOnly = criticOnly;
        _realSampler = realSampler;
        _latentSampler = latentSampler;
        Device = Config.Device ?? Devices.Current;
    }

    /// <summary>The generator.</summary>
    public Module<Tensor, Tensor> G { get; }
    /// <summary>The discriminator / critic.</summary>
    public Module<Tensor, Tensor> D { get; }
    /// <summary>The GAN variant.</summary>
    public IGanObjective Objective { get; }
    /// <summary>The validated configuration.</summary>
    public GanTrainerConfig Config { get; }
    /// <summary>True when real batches come with labels.</summary>
    public bool HasLabels { get; }
    /// <summary>True for <see cref="CriticOnlyPlan"/>: G is a fixed sampler and iterations run only D's phase.</summary>
    public bool CriticOnly { get; }
    /// <summary>Where G, D and the batches live.</summary>
    public Device Device { get; }

    /// <summary>The plan of a GAN.</summary>
    /// <param name="generator">G: z [B, ...] → x [B, ...].</param>
    /// <param name="discriminator">D: x [B, ...] → one logit / score per sample ([B] or [B, 1]).</param>
    /// <param name="objective">The GAN variant (e.g. <c>new NonSaturatingGan()</c>).</param>
    /// <param name="realSampler">B → a real batch [B, ...] (moved to the device if needed).</param>
    /// <param name="latentSampler">B → z [B, ...] (e.g. <see cref="Latent.Normal"/>).</param>
    /// <param name="config">Knobs (default <see cref="GanTrainerConfig.Default"/>); validated here.</param>
    public static TrainingPlan Plan(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> discriminator, IGanObjective objective,
        Func<int, Tensor> realSampler, Func<int, Tensor> latentSampler, GanTrainerConfig? config = null) =>
        new GanRecipe(generator, discriminator, objective, Unlabelled(realSampler), labelled: false, latentSampler, config, criticOnly: false)
            .ToPlan(realSampler, owned: null);

    /// <summary>
    /// The plan of a GAN whose real batches come with class labels (conditional GANs read them as
    /// <see cref="GanStepContext.RealLabels"/>), e.g. from <c>ImageDataset.LabelledBatchSampler(seed)</c>.
    /// </summary>
    public static TrainingPlan Plan(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> discriminator, IGanObjective objective,
        Func<int, (Tensor Images, Tensor Labels)> labelledRealSampler, Func<int, Tensor> latentSampler, GanTrainerConfig? config = null) =>
        new GanRecipe(generator, discriminator, objective, Labelled(labelledRealSampler), labelled: true, latentSampler, config, criticOnly: false)
            .ToPlan(labelledRealSampler, owned: null);

    /// <summary>
    /// The plan of the critic alone against FIXED real and fake distributions (the optimal-discriminator experiments): G is
    /// a pass-through that the trainer owns, <paramref name="sampleFake"/> plays the latent sampler, and every D step —
    /// penalty, clipping, the D-step schedule, the learning-rate schedule, the history — runs exactly as in a GAN.
    /// </summary>
    public static TrainingPlan CriticOnlyPlan(Module<Tensor, Tensor> critic, IGanObjective objective,
        Func<int, Tensor> sampleReal, Func<int, Tensor> sampleFake, GanTrainerConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(sampleFake);
        var passThrough = new PassThrough();
        try
        {
            return new GanRecipe(passThrough, critic, objective, Unlabelled(sampleReal), labelled: false, sampleFake, config, criticOnly: true)
                .ToPlan(sampleReal, owned: passThrough);
        }
        catch { passThrough.Dispose(); throw; }
    }

    /// <summary>G of <see cref="CriticOnlyPlan"/>: returns its input; one unused parameter so that optimizers can be built.</summary>
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

    TrainingPlan ToPlan(Delegate realSamplerSource, IDisposable? owned)
    {
        var tracked = new List<ICheckpointable>();
        // Samplers made by the kit (ImageDataset.BatchSampler, Latent.Normal with a generator) carry their own state.
        foreach (var source in new Delegate[] { realSamplerSource, _latentSampler })
            if (source.Target is ICheckpointable part && !tracked.Contains(part)) tracked.Add(part);
        return new TrainingPlan(
            [("G", G), ("D", D)],
            [OptimizerDef.For("G", Config.SettingsG, "G"), OptimizerDef.For("D", Config.SettingsD, "D")],
            CriticOnly ? [DiscriminatorPhase()] : [DiscriminatorPhase(), GeneratorPhase()])
        {
            Options = new TrainerOptions
            {
                Device = Device, LogEvery = Config.LogEvery, ProgressEvery = Config.ProgressEvery, LrSchedule = Config.LrSchedule, Label = Objective.Name,
                Ema = Config.EmaDecay is double decay ? new Dictionary<string, double> { ["G"] = decay } : new Dictionary<string, double>(),
            },
            Tracked = tracked,
            Samplers = new Dictionary<string, Func<int, Tensor>> { ["latent"] = SampleLatent },
            StatusKeys = ["Loss/D", "Loss/G", "D(x)", "D(G(z))"],
            Recipe = this,
            Owned = owned is null ? [] : [owned],
        };
    }

    /// <summary>D's update: a real batch, a fake batch from G without graph, the objective's D loss; WGAN's clip after the step.</summary>
    Phase DiscriminatorPhase() => new("D", "D", step =>
    {
        int b = Config.BatchSize;
        var real = SampleReal(b);
        var z = SampleLatent(b);
        Tensor fake;
        // The D step must not reach G: no graph through G at all (cheaper than building and detaching it).
        using (torch.no_grad()) fake = G.call(z).detach();
        var ctx = new GanStepContext(GanPhase.Discriminator, G, D, SampleReal, real, z, fake, step.Step, step.Repeat, b, step.IsLogging, Device, step.Trainer);
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
        var ctx = new GanStepContext(GanPhase.Generator, G, D, SampleReal, null, z, fake, step.Step, 0, b, step.IsLogging, Device, step.Trainer);
        _context = ctx;
        return CheckLoss(Objective.GeneratorLoss(ctx), "GeneratorLoss");
    })
    {
        Frozen = Config.FreezeDiscriminatorInGeneratorStep ? ["D"] : [],
        AfterStep = step =>
        {
            step.Trainer.Ema("G")?.Update();
            Objective.AfterGeneratorStep(_context!);
            _context!.MoveLogsTo(step);
            _context = null;
        },
    };

    int DStepsAt(int g)
    {
        int nD = Config.DStepsSchedule?.Invoke(g) ?? Config.DSteps;
        if (nD < 1) throw new InvalidOperationException($"DStepsSchedule returned {nD} for generator step {g}; it must return ≥ 1.");
        return nD;
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

    Tensor SampleLatent(int b)
    {
        var z = _latentSampler(b) ?? throw new InvalidOperationException("the latent sampler returned null; it must return z [B, ...].");
        if (z.dim() < 1 || z.shape[0] != b)
            throw new InvalidOperationException($"the latent sampler returned shape {Shapes.Of(z)} for batch size {b}; it must return [B, ...] with B = {b}.");
        return SameDevice(z) ? z : z.to(Device);
    }

    bool SameDevice(Tensor t) => t.device_type == Device.type && (t.device_type == DeviceType.CPU || t.device_index == Math.Max(0, Device.index));

    static Tensor CheckLoss(Tensor? loss, string what)
    {
        if (loss is null) throw new InvalidOperationException($"the objective's {what} returned null; it must return a scalar tensor.");
        if (loss.numel() != 1)
            throw new InvalidOperationException($"the objective's {what} returned shape {Shapes.Of(loss)}; it must return a scalar (call .mean()).");
        return loss;
    }
}

/// <summary>
/// A <see cref="Trainer"/> built from <see cref="GanRecipe"/>'s plan, with the GAN's parts typed (<see cref="G"/>,
/// <see cref="D"/>, <see cref="Objective"/>, <see cref="Config"/>). It adds no loop: training, monitors, progress,
/// checkpoints, EMA and sampling are the Trainer's (<c>t.Sample(n)</c> is <see cref="TrainerSampling"/>).
/// </summary>
public sealed class GanTrainer : Trainer
{
    readonly GanRecipe _recipe;

    /// <summary>Creates the trainer (see <see cref="GanRecipe.Plan(Module{Tensor, Tensor}, Module{Tensor, Tensor}, IGanObjective, Func{int, Tensor}, Func{int, Tensor}, GanTrainerConfig?)"/>).</summary>
    public GanTrainer(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> discriminator, IGanObjective objective,
        Func<int, Tensor> realSampler, Func<int, Tensor> latentSampler, GanTrainerConfig? config = null)
        : this(GanRecipe.Plan(generator, discriminator, objective, realSampler, latentSampler, config)) { }

    /// <summary>Creates a trainer whose real batches come with class labels (conditional GANs).</summary>
    public GanTrainer(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> discriminator, IGanObjective objective,
        Func<int, (Tensor Images, Tensor Labels)> labelledRealSampler, Func<int, Tensor> latentSampler, GanTrainerConfig? config = null)
        : this(GanRecipe.Plan(generator, discriminator, objective, labelledRealSampler, latentSampler, config)) { }

    /// <summary>A trainer from a GAN plan (made by <see cref="GanRecipe"/>).</summary>
    public GanTrainer(TrainingPlan plan) : base(plan)
    {
        _recipe = plan.Recipe as GanRecipe ?? throw new ArgumentException("a GanTrainer runs a plan made by GanRecipe; use new Trainer(plan) for other plans.", nameof(plan));
    }

    /// <summary>
    /// A trainer for the critic alone against fixed real and fake distributions (see <see cref="GanRecipe.CriticOnlyPlan"/>):
    /// <see cref="Trainer.Train"/> runs only the D steps of each iteration; <see cref="GeneratorStep"/> is an error.
    /// </summary>
    public static GanTrainer CriticOnly(Module<Tensor, Tensor> critic, IGanObjective objective,
        Func<int, Tensor> sampleReal, Func<int, Tensor> sampleFake, GanTrainerConfig? config = null) =>
        new(GanRecipe.CriticOnlyPlan(critic, objective, sampleReal, sampleFake, config));

    /// <summary>The generator.</summary>
    public Module<Tensor, Tensor> G => _recipe.G;
    /// <summary>The discriminator / critic.</summary>
    public Module<Tensor, Tensor> D => _recipe.D;
    /// <summary>The GAN variant.</summary>
    public IGanObjective Objective => _recipe.Objective;
    /// <summary>True when real batches come with labels (built with a labelled sampler).</summary>
    public bool HasLabels => _recipe.HasLabels;
    /// <summary>The validated configuration.</summary>
    public GanTrainerConfig Config => _recipe.Config;
    /// <summary>G's optimizer (replaced by <see cref="Trainer.ResetOptimizers"/>).</summary>
    public optim.Optimizer OptimizerG => Optimizer("G");
    /// <summary>D's optimizer (replaced by <see cref="Trainer.ResetOptimizers"/>).</summary>
    public optim.Optimizer OptimizerD => Optimizer("D");
    /// <summary>Total discriminator steps completed.</summary>
    public long DiscriminatorSteps => PhaseSteps("D");
    /// <summary>The generator's current learning rate (after the last <see cref="GanTrainerConfig.LrSchedule"/> update).</summary>
    public double LearningRateG => LearningRate("G");
    /// <summary>The discriminator's current learning rate.</summary>
    public double LearningRateD => LearningRate("D");

    /// <summary>One discriminator update on a fresh batch (does not count as a generator step). Returns its metrics.</summary>
    public IReadOnlyDictionary<string, double> DiscriminatorStep() => RunOnce("D");

    /// <summary>One generator update on a fresh latent batch (does not advance <see cref="Trainer.Step"/>). Returns its metrics.</summary>
    public IReadOnlyDictionary<string, double> GeneratorStep()
    {
        if (_recipe.CriticOnly) throw new InvalidOperationException("this trainer was made by GanTrainer.CriticOnly: its generator is a fixed sampler and has nothing to train.");
        return RunOnce("G");
    }
}

/// <summary>
/// Sampling a trained generator, for every plan with a network "G" and a sampler "latent" (GAN, StyleGAN, progressive,
/// WaveGAN…): G in eval mode, without gradients, with its EMA weights when it has them.
/// </summary>
public static class TrainerSampling
{
    /// <summary>Generated samples z [N, ...] → x [N, ...] (on the CPU; EMA weights when <paramref name="useEma"/> and an EMA exists).</summary>
    public static Tensor Sample(this Trainer trainer, Tensor z, bool useEma = true)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(z);
        return trainer.Apply("G", z, useEma, batchSize: (int)Math.Max(1, z.dim() > 0 ? z.shape[0] : 1));
    }

    /// <summary><paramref name="n"/> samples from the plan's latent sampler (see <see cref="Sample(Trainer, Tensor, bool)"/>).</summary>
    public static Tensor Sample(this Trainer trainer, int n, bool useEma = true)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        using var scope = torch.NewDisposeScope();
        return trainer.Sample(trainer.LatentBatch(n), useEma).MoveToOuterDisposeScope();
    }

    /// <summary>A batch of <paramref name="n"/> latents from the plan's latent sampler, on the trainer's device (the caller owns it).</summary>
    public static Tensor LatentBatch(this Trainer trainer, int n)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "ask for at least one latent.");
        return trainer.Sampler("latent")(n);
    }
}
