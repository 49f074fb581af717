using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Training;

/// <summary>Which update the trainer is running.</summary>
public enum GanPhase
{
    /// <summary>A discriminator / critic step (fake samples are detached).</summary>
    Discriminator,
    /// <summary>A generator step (fake samples carry G's graph).</summary>
    Generator,
}

/// <summary>
/// A GAN variant: how its discriminator and generator losses are computed from a step's tensors.
/// The trainer stays the same for every variant (minimax, non-saturating, f-GAN, WGAN, WGAN-GP, LSGAN,
/// hinge…); a variant only supplies these two losses and, if it needs one, an after-step hook.
/// </summary>
public interface IGanObjective
{
    /// <summary>Short name shown in progress lines and stored in checkpoints.</summary>
    string Name { get; }

    /// <summary>
    /// The scalar loss the discriminator minimizes, from <see cref="GanStepContext.Real"/> and the
    /// detached <see cref="GanStepContext.Fake"/>. Report extra numbers with <see cref="GanStepContext.Log(string, Func{Tensor})"/>.
    /// </summary>
    Tensor DiscriminatorLoss(GanStepContext ctx);

    /// <summary>The scalar loss the generator minimizes, from <see cref="GanStepContext.Fake"/> (with graph).</summary>
    Tensor GeneratorLoss(GanStepContext ctx);

    /// <summary>Called after each D optimizer step (and after weight clipping), e.g. for a custom constraint.</summary>
    void AfterDiscriminatorStep(GanStepContext ctx) { }

    /// <summary>Called after each G optimizer step.</summary>
    void AfterGeneratorStep(GanStepContext ctx) { }
}

/// <summary>
/// What an objective sees during one update. The tensors belong to the step's dispose scope:
/// do not keep them after the call.
/// </summary>
public sealed class GanStepContext
{
    readonly Func<int, (Tensor Images, Tensor? Labels)> _sampleReal;
    (Tensor Images, Tensor? Labels)? _real;
    readonly PendingMetrics _metrics;

    internal GanStepContext(GanPhase phase, Module<Tensor, Tensor> g, Module<Tensor, Tensor> d, Func<int, (Tensor Images, Tensor? Labels)> sampleReal,
        (Tensor Images, Tensor? Labels)? real, Tensor z, Tensor fake, int step, int dStep, int batchSize, bool isLogging, Device device, Trainer? trainer = null)
    {
        _trainer = trainer; Phase = phase; Generator = g; Discriminator = d; _sampleReal = sampleReal; _real = real; Z = z; Fake = fake;
        Step = step; DStep = dStep; BatchSize = batchSize; Device = device; _metrics = new PendingMetrics(isLogging);
    }

    readonly Trainer? _trainer;

    /// <summary>The trainer running this update (its optimizers, counters, networks).</summary>
    public Trainer Trainer => _trainer ?? throw new InvalidOperationException("this context was made outside a trainer (a unit test's hand-made step); it has no trainer or optimizers.");

    /// <summary>
    /// The trainer's optimizer <paramref name="name"/> ("G" or "D") as it is now — e.g. D's Adam state for an unrolled GAN's
    /// look-ahead (<c>UnrolledGan</c>). Read it, do not step it.
    /// </summary>
    public optim.Optimizer Optimizer(string name) => Trainer.Optimizer(name);

    /// <summary>Discriminator or generator update.</summary>
    public GanPhase Phase { get; }

    /// <summary>G: z [B, ...] → x [B, ...].</summary>
    public Module<Tensor, Tensor> Generator { get; }

    /// <summary>D: x [B, ...] → logits / scores (one per sample).</summary>
    public Module<Tensor, Tensor> Discriminator { get; }

    /// <summary>
    /// A real batch [B, ...] on <see cref="Device"/>. Always drawn for a D step; in a G step it is
    /// drawn on first access only (most generator losses do not need it).
    /// </summary>
    public Tensor Real => (_real ??= _sampleReal(BatchSize)).Images;

    /// <summary>
    /// The labels of <see cref="Real"/>, int64 [B] on <see cref="Device"/> (for conditional GANs), or null when the
    /// trainer was built with an unlabelled real sampler. Drawn together with <see cref="Real"/>.
    /// </summary>
    public Tensor? RealLabels => (_real ??= _sampleReal(BatchSize)).Labels;

    /// <summary>
    /// The latent batch [B, zDim…] used for <see cref="Fake"/>. Sampled codes that G is conditioned on (class
    /// one-hots of a conditional GAN, InfoGAN's codes) are packed into it by the latent sampler.
    /// </summary>
    public Tensor Z { get; }

    /// <summary>G(Z): detached in a D step (so D's loss cannot reach G), with graph in a G step.</summary>
    public Tensor Fake { get; }

    /// <summary>Index (0-based) of the generator step this update belongs to.</summary>
    public int Step { get; }

    /// <summary>Index (0-based) of the D step within its iteration (0 in a G step).</summary>
    public int DStep { get; }

    /// <summary>B.</summary>
    public int BatchSize { get; }

    /// <summary>True when the trainer records metrics for this update; <see cref="Log(string, Func{Tensor})"/> is a no-op otherwise.</summary>
    public bool IsLogging => _metrics.IsLogging;

    /// <summary>The training device.</summary>
    public Device Device { get; }

    /// <summary>Records a named scalar for the history (e.g. "D(x)"). The function runs only on logging steps.</summary>
    /// <param name="name">Metric key, e.g. "D(x)", "GP", "W".</param>
    /// <param name="value">Computes a scalar (0-d or one-element) tensor.</param>
    public void Log(string name, Func<Tensor> value) => _metrics.Add(name, value);

    /// <summary>Records a named number for the history (only on logging steps).</summary>
    public void Log(string name, double value) => _metrics.Add(name, value);

    /// <summary>Records each member's value of a per-member loss [K] as "{name}[k]" (only on logging steps; nothing for a scalar).</summary>
    public void LogPerMember(string name, Tensor perMember)
    {
        ArgumentNullException.ThrowIfNull(perMember);
        if (!IsLogging || perMember.dim() == 0) return;
        var values = perMember.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        for (int k = 0; k < values.Length; k++) _metrics.Add($"{name}[{k}]", values[k]);
    }

    /// <summary>Hands what the objective logged to the trainer's update (recorded after "Loss/…" and "Grad/…").</summary>
    internal void MoveLogsTo(PhaseStep step) => _metrics.MoveTo(step.Metrics);
}
