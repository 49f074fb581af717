using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Training;

/// <summary>Which optimizer the trainer builds for G and for D.</summary>
public enum OptimizerKind
{
    /// <summary>Adam with the configured betas (DCGAN, WGAN-GP, TTUR).</summary>
    Adam,
    /// <summary>RMSprop without momentum by default (the original WGAN, Arjovsky et al. 2017).</summary>
    RMSprop,
    /// <summary>Plain SGD (optionally with momentum) — for the training-dynamics experiments.</summary>
    SGD,
}

/// <summary>
/// Knobs of <see cref="GanTrainer"/>: a record with defaults plus named presets
/// (<see cref="Toy"/>, <see cref="Dcgan"/>, <see cref="Wgan"/>, <see cref="WganGp"/>, <see cref="Ttur"/>).
/// Change one knob with <c>with</c>: <c>GanTrainerConfig.Toy with { DSteps = 5 }</c>.
/// </summary>
public sealed record GanTrainerConfig
{
    /// <summary>Discriminator (critic) steps per generator step (≥ 1).</summary>
    public int DSteps { get; init; } = 1;

    /// <summary>
    /// Optional schedule: generator-step index (0-based) → D steps for that iteration, overriding
    /// <see cref="DSteps"/>. Example: <see cref="WganCriticSchedule"/>.
    /// </summary>
    public Func<int, int>? DStepsSchedule { get; init; }

    /// <summary>Samples per batch for both real and generated batches (≥ 1).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Optimizer kind for both networks.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Generator learning rate (&gt; 0).</summary>
    public double LrG { get; init; } = 2e-4;

    /// <summary>Discriminator learning rate (&gt; 0). A different value from <see cref="LrG"/> is TTUR (Heusel et al. 2017).</summary>
    public double LrD { get; init; } = 2e-4;

    /// <summary>
    /// Optional learning-rate schedule: generator-step index (0-based) → factor (finite, ≥ 0) applied to both
    /// <see cref="LrG"/> and <see cref="LrD"/> for that iteration. Null keeps the rates constant. Example:
    /// <see cref="LinearDecay"/>. The rate depends only on the step, so a resumed checkpoint continues the schedule.
    /// It is applied at the start of every iteration (<c>Train</c>, <c>TrainStep</c>); the single-step calls
    /// <c>DiscriminatorStep</c>/<c>GeneratorStep</c> use whatever rate the optimizers hold.
    /// </summary>
    public Func<int, double>? LrSchedule { get; init; }

    /// <summary>Adam betas of the generator, each in [0, 1). DCGAN: (0.5, 0.999).</summary>
    public (double Beta1, double Beta2) BetasG { get; init; } = (0.5, 0.999);

    /// <summary>Adam betas of the discriminator, each in [0, 1).</summary>
    public (double Beta1, double Beta2) BetasD { get; init; } = (0.5, 0.999);

    /// <summary>Momentum for SGD / RMSprop (≥ 0; WGAN uses none).</summary>
    public double Momentum { get; init; }

    /// <summary>RMSprop smoothing constant α in [0, 1).</summary>
    public double RmsAlpha { get; init; } = 0.99;

    /// <summary>Device for G, D and the batches (default <c>Devices.Current</c>).</summary>
    public Device? Device { get; init; }

    /// <summary>When set, every D parameter is clamped to [−c, c] after each D step (WGAN: 0.01).</summary>
    public double? WeightClip { get; init; }

    /// <summary>When set, an exponential moving average of G's weights with this decay is kept (Karras et al. 2018: 0.999).</summary>
    public double? EmaDecay { get; init; }

    /// <summary>
    /// Record metrics into the history every this many generator steps (and on the first step and the
    /// last step of each <see cref="Trainer.Train"/> call). Steps in between skip the metric kernels
    /// (gradient norms, D(x)…) and host syncs: 10 keeps the trainer at least as fast as a bare loop on tiny
    /// CPU models; use 1 to record every step (about 5–10 % slower there, negligible for larger nets).
    /// </summary>
    public int LogEvery { get; init; } = 10;

    /// <summary>Call the progress hook every this many generator steps (and at the end of <see cref="Trainer.Train"/>).</summary>
    public int ProgressEvery { get; init; } = 100;

    /// <summary>
    /// Adam on flat buffers (<see cref="GanNotebooks.Training.FlatAdam"/>: one update per network instead of one per parameter tensor), the
    /// default; false uses TorchSharp's per-tensor Adam — the same numbers, slower (kept for comparisons).
    /// </summary>
    public bool FlatAdam { get; init; } = true;

    /// <summary>
    /// L2 weight decay of both optimizers (added to every parameter's gradient, as torch's Adam does; 0 = none, the default).
    /// The official BiGAN MNIST model uses 2.5e-5. With a decay the optimizers are TorchSharp's own (FlatAdam has none).
    /// </summary>
    public double WeightDecay { get; init; }

    /// <summary>Turn off requires_grad of D's parameters during the G step: same result, less work (default true).</summary>
    public bool FreezeDiscriminatorInGeneratorStep { get; init; } = true;

    /// <summary>Defaults (DCGAN-like Adam 2e-4, β = (0.5, 0.999), batch 64, 1 D step).</summary>
    public static GanTrainerConfig Default { get; } = new();

    /// <summary>Toy 1D/2D data: batch 128, Adam 2e-4, β = (0.5, 0.999), 1 D step.</summary>
    public static GanTrainerConfig Toy { get; } = new() { BatchSize = 128 };

    /// <summary>DCGAN (Radford et al. 2016): batch 128, Adam 2e-4, β1 = 0.5.</summary>
    public static GanTrainerConfig Dcgan { get; } = new() { BatchSize = 128 };

    /// <summary>
    /// WGAN (Arjovsky et al. 2017, official defaults): RMSprop lr 5e-5, no momentum, clipping 0.01,
    /// 5 critic steps (100 for the first 25 generator steps and every 500th), batch 64.
    /// </summary>
    public static GanTrainerConfig Wgan { get; } = new()
    {
        Optimizer = OptimizerKind.RMSprop, LrG = 5e-5, LrD = 5e-5, WeightClip = 0.01, DSteps = 5,
        DStepsSchedule = WganCriticSchedule(5), BatchSize = 64,
    };

    /// <summary>WGAN-GP (Gulrajani et al. 2017): Adam 1e-4, β = (0, 0.9), 5 critic steps, batch 64 (use λ = 10 in the objective).</summary>
    public static GanTrainerConfig WganGp { get; } = new()
    {
        LrG = 1e-4, LrD = 1e-4, BetasG = (0.0, 0.9), BetasD = (0.0, 0.9), DSteps = 5, BatchSize = 64,
    };

    /// <summary>Two time-scale update rule (Heusel et al. 2017) with the values SAGAN used (Zhang et al. 2019): G lr 1e-4,
    /// D lr 4e-4, β = (0, 0.9). Heusel et al. tuned their rates per experiment; these are SAGAN's (see Variants/Sagan).</summary>
    public static GanTrainerConfig Ttur { get; } = new()
    {
        LrG = 1e-4, LrD = 4e-4, BetasG = (0.0, 0.9), BetasD = (0.0, 0.9),
    };

    /// <summary>
    /// The official WGAN critic schedule: 100 critic steps for the first 25 generator steps and every
    /// 500th, otherwise <paramref name="nCritic"/> (Arjovsky et al. 2017, official code).
    /// </summary>
    public static Func<int, int> WganCriticSchedule(int nCritic = 5)
    {
        if (nCritic < 1) throw new ArgumentOutOfRangeException(nameof(nCritic), nCritic, "the number of critic steps must be ≥ 1.");
        return g => g < 25 || g % 500 == 0 ? 100 : nCritic;
    }

    /// <summary>
    /// Constant learning rate until generator step <paramref name="decayFrom"/>, then a linear fall to
    /// <paramref name="finalFactor"/> × the base rate at step <paramref name="totalSteps"/> (and after): the schedule
    /// of pix2pix/CycleGAN, which lets the noisy end of a GAN run settle.
    /// </summary>
    /// <param name="decayFrom">First step of the decay (0 ≤ decayFrom &lt; totalSteps).</param>
    /// <param name="totalSteps">Step at which the factor reaches <paramref name="finalFactor"/>.</param>
    /// <param name="finalFactor">Factor at the end, in [0, 1] (default 0).</param>
    public static Func<int, double> LinearDecay(int decayFrom, int totalSteps, double finalFactor = 0)
    {
        if (decayFrom < 0 || totalSteps <= decayFrom)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"the decay needs 0 ≤ decayFrom < totalSteps; got decayFrom = {decayFrom}, totalSteps = {totalSteps}.");
        if (!(finalFactor >= 0 && finalFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(finalFactor), finalFactor, "the final factor must be in [0, 1].");
        return g => g <= decayFrom ? 1.0
            : g >= totalSteps ? finalFactor
            : 1.0 - (1.0 - finalFactor) * (g - decayFrom) / (double)(totalSteps - decayFrom);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad knob and how to fix it.</summary>
    public void Validate()
    {
        if (DSteps < 1) throw Bad(nameof(DSteps), DSteps, "the number of discriminator steps per generator step must be ≥ 1 (1 for GAN, 5 for WGAN).");
        if (BatchSize < 1) throw Bad(nameof(BatchSize), BatchSize, "the batch size must be ≥ 1.");
        SettingsG.Validate(nameof(GanTrainerConfig), k => k switch { "Lr" => nameof(LrG), "Betas" => nameof(BetasG), "Kind" => nameof(Optimizer), _ => k });
        SettingsD.Validate(nameof(GanTrainerConfig), k => k switch { "Lr" => nameof(LrD), "Betas" => nameof(BetasD), "Kind" => nameof(Optimizer), _ => k });
        if (WeightClip is double c && !(c > 0 && !double.IsInfinity(c))) throw Bad(nameof(WeightClip), c, "the clipping bound must be a finite number > 0 (WGAN: 0.01), or null for no clipping.");
        if (EmaDecay is double d && !(d >= 0 && d < 1)) throw Bad(nameof(EmaDecay), d, "the EMA decay must be in [0, 1) (0.999 is usual), or null for no EMA.");
        if (LogEvery < 1) throw Bad(nameof(LogEvery), LogEvery, "log interval must be ≥ 1 step.");
        if (ProgressEvery < 1) throw Bad(nameof(ProgressEvery), ProgressEvery, "progress interval must be ≥ 1 step.");
    }

    /// <summary>G's optimizer as the one <see cref="OptimizerSettings"/> description (from <see cref="Optimizer"/>, <see cref="LrG"/>, <see cref="BetasG"/>…).</summary>
    public OptimizerSettings SettingsG => new() { Kind = Optimizer, Lr = LrG, Betas = BetasG, RmsAlpha = RmsAlpha, Momentum = Momentum, WeightDecay = WeightDecay, Flat = FlatAdam };

    /// <summary>D's optimizer as the one <see cref="OptimizerSettings"/> description.</summary>
    public OptimizerSettings SettingsD => new() { Kind = Optimizer, Lr = LrD, Betas = BetasD, RmsAlpha = RmsAlpha, Momentum = Momentum, WeightDecay = WeightDecay, Flat = FlatAdam };

    static ArgumentException Bad(string name, object value, string why) =>
        new($"Invalid GanTrainerConfig.{name} = {value}: {why}", name);
}
