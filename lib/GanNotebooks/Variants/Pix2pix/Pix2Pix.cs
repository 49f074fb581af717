using System.Diagnostics;
using System.Globalization;
using GanNotebooks.Core;
using GanNotebooks.Data.Images;
using GanNotebooks.Losses;
using GanNotebooks.Nets;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Pix2pix;

/// <summary>
/// pix2pix settings (Isola et al. 2017, §3–4): λ = 100 on the L1 term, Adam 2e-4 with β₁ = 0.5. The paper's ablation
/// (Table 1) is three presets: <see cref="L1Only"/>, <see cref="CganOnly"/> and the default L1 + cGAN.
/// </summary>
public sealed record Pix2PixConfig
{
    /// <summary>λ, the weight of ‖y − G(x)‖₁ (paper: 100; 0 = cGAN alone).</summary>
    public double Lambda { get; init; } = 100;
    /// <summary>Train against the conditional discriminator (false = L1 alone: no D, no adversarial term).</summary>
    public bool Adversarial { get; init; } = true;
    /// <summary>Images per update (paper: 1–10; the course: 32).</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Adam's learning rate for G and D (paper: 2e-4).</summary>
    public double Lr { get; init; } = 2e-4;
    /// <summary>Adam's (β₁, β₂) (paper: 0.5, 0.999).</summary>
    public (double Beta1, double Beta2) Betas { get; init; } = (0.5, 0.999);
    /// <summary>G's and D's optimizer as the one <see cref="OptimizerSettings"/> description (Adam at <see cref="Lr"/>, <see cref="Betas"/>).</summary>
    public OptimizerSettings Optimizer => OptimizerSettings.Adam(Lr, Betas.Beta1, Betas.Beta2);
    /// <summary>Record metrics every this many iterations.</summary>
    public int LogEvery { get; init; } = 25;
    /// <summary>Call <see cref="Trainer.Progress"/> every this many iterations.</summary>
    public int ProgressEvery { get; init; } = 100;

    /// <summary>The ablation's "L1": a U-Net trained on the L1 error alone (no discriminator).</summary>
    public static Pix2PixConfig L1Only { get; } = new() { Adversarial = false };
    /// <summary>The ablation's "cGAN": the conditional adversarial loss alone (λ = 0).</summary>
    public static Pix2PixConfig CganOnly { get; } = new() { Lambda = 0 };
    /// <summary>The paper's objective: cGAN + 100·L1.</summary>
    public static Pix2PixConfig Paper { get; } = new();

    /// <summary>"L1", "cGAN" or "L1 + cGAN" (λ shown when not 100).</summary>
    public string Describe() => !Adversarial ? "L1" : Lambda == 0 ? "cGAN" : Lambda == 100 ? "L1 + cGAN" : string.Create(CultureInfo.InvariantCulture, $"{Lambda:G3}·L1 + cGAN");

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting and how to fix it.</summary>
    public void Validate()
    {
        if (!(Lambda >= 0) || double.IsInfinity(Lambda)) throw Bad(nameof(Lambda), Lambda, "λ must be a finite number ≥ 0 (paper: 100; 0 = cGAN alone).");
        if (!Adversarial && Lambda == 0) throw Bad(nameof(Lambda), Lambda, "with Adversarial = false and λ = 0 the generator has no loss; use λ > 0 (L1 alone) or Adversarial = true.");
        if (BatchSize < 1) throw Bad(nameof(BatchSize), BatchSize, "the batch size must be ≥ 1.");
        Optimizer.Validate(nameof(Pix2PixConfig));
        if (LogEvery < 1 || ProgressEvery < 1) throw Bad(nameof(LogEvery), $"{LogEvery}/{ProgressEvery}", "LogEvery and ProgressEvery must be ≥ 1.");
    }

    static ArgumentException Bad(string name, object value, string why) => new($"Invalid Pix2PixConfig.{name} = {value}: {why}", name);
}

/// <summary>
/// The pix2pix objective (Isola et al. 2017, eqs. 1–4): G* = arg min_G max_D L_cGAN(G, D) + λ·L_L1(G) with
/// L_cGAN = E[log D(x, y)] + E[log(1 − D(x, G(x)))] — the discriminator sees the <b>condition</b> x stacked with the
/// real or generated image, so it can reject an output that is realistic but does not fit its input — and
/// L_L1 = E‖y − G(x)‖₁. G minimizes the non-saturating form; D's loss is halved ("we divide the objective by 2 while
/// optimizing D", §3.3). D is a <see cref="PatchDiscriminator"/>, so its logits are a map and every mean runs over
/// the patches too.
/// </summary>
public static class Pix2Pix
{
    /// <summary>D's input: condition x and image y stacked on the channel axis, [N, Cx + Cy, H, W].</summary>
    public static Tensor Pair(Tensor condition, Tensor image)
    {
        if (condition.dim() != 4 || image.dim() != 4 || condition.shape[0] != image.shape[0] || condition.shape[2] != image.shape[2] || condition.shape[3] != image.shape[3])
            throw new ArgumentException($"condition {Shapes.Of(condition)} and image {Shapes.Of(image)} must be [N, C, H, W] with the same N, H, W.", nameof(image));
        return torch.cat([condition, image], 1);
    }

    /// <summary>D's loss from its patch logits on real pairs (x, y) and generated pairs (x, G(x)): ½·[softplus(−r) + softplus(f)] (means).</summary>
    public static Tensor DiscriminatorLossFromLogits(Tensor realLogits, Tensor fakeLogits) => 0.5 * GanLosses.DiscriminatorBce(realLogits, fakeLogits);

    /// <summary>
    /// G's loss: softplus(−D(x, G(x))) (non-saturating; absent when <paramref name="fakeLogits"/> is null) + λ·mean|y − G(x)|.
    /// </summary>
    public static Tensor GeneratorLoss(Tensor? fakeLogits, Tensor output, Tensor target, double lambda)
    {
        if (!output.shape.SequenceEqual(target.shape)) throw new ArgumentException($"output {Shapes.Of(output)} and target {Shapes.Of(target)} must have the same shape.", nameof(target));
        var l1 = (output - target).abs().mean();
        if (fakeLogits is null) return lambda * l1;
        var adversarial = GanLosses.GeneratorNonSaturating(fakeLogits);
        return lambda == 0 ? adversarial : adversarial + lambda * l1;
    }
}

/// <summary>
/// The pix2pix recipe: networks "G" (a U-Net) and "D" (a PatchGAN on condition + image), phases "D" then "G" (D frozen) —
/// or only "G" for the L1-alone ablation. Each phase draws its own batch of pairs from <see cref="AlignedBatches"/>
/// (tracked in checkpoints). Run it with <c>new Trainer(Pix2PixRecipe.Plan(…))</c> or <see cref="Pix2PixTrainer"/>.
/// </summary>
public static class Pix2PixRecipe
{
    /// <summary>The plan.</summary>
    /// <param name="g">Generator x → y (e.g. <see cref="UNetGenerator"/>).</param>
    /// <param name="d">Conditional discriminator on (x, y) stacked (e.g. <see cref="PatchDiscriminator"/> with Cx + Cy inputs); ignored when not adversarial.</param>
    /// <param name="pairs">Batches of (condition, target) pairs: <c>new AlignedBatches(seed, "data", inputs, targets)</c>.</param>
    /// <param name="config">Settings; validated.</param>
    /// <param name="device">null → the current device.</param>
    public static TrainingPlan Plan(Module<Tensor, Tensor> g, Module<Tensor, Tensor> d, AlignedBatches pairs, Pix2PixConfig? config = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(pairs);
        var cfg = config ?? new Pix2PixConfig();
        cfg.Validate();
        var phases = new List<Phase>();
        if (cfg.Adversarial)
            phases.Add(new Phase("D", "D", s =>
            {
                var b = pairs.Next(cfg.BatchSize);
                var (x, y) = (b[0].to(s.Device), b[1].to(s.Device));
                Tensor fake;
                using (torch.no_grad()) fake = g.call(x);
                var real = d.call(Pix2Pix.Pair(x, y));
                var fakeLogits = d.call(Pix2Pix.Pair(x, fake));
                s.Log("D(x,y)", () => GanLosses.MeanProbability(real));
                s.Log("D(x,G(x))", () => GanLosses.MeanProbability(fakeLogits));
                return Pix2Pix.DiscriminatorLossFromLogits(real, fakeLogits);
            }));
        phases.Add(new Phase("G", "G", s =>
        {
            var b = pairs.Next(cfg.BatchSize);
            var (x, y) = (b[0].to(s.Device), b[1].to(s.Device));
            var output = g.call(x);
            var logits = cfg.Adversarial ? d.call(Pix2Pix.Pair(x, output)) : null;
            s.Log("L1", () => (output - y).abs().mean());
            return Pix2Pix.GeneratorLoss(logits, output, y, cfg.Lambda);
        }) { Frozen = cfg.Adversarial ? ["D"] : [] });
        var optimizers = new List<OptimizerDef> { OptimizerDef.For("G", cfg.Optimizer, "G") };
        if (cfg.Adversarial) optimizers.Add(OptimizerDef.For("D", cfg.Optimizer, "D"));
        return new TrainingPlan([("G", g), ("D", d)], optimizers, phases)
        {
            Options = new TrainerOptions { Device = device, LogEvery = cfg.LogEvery, ProgressEvery = cfg.ProgressEvery, Label = "pix2pix " + cfg.Describe() },
            Tracked = [pairs],
            StatusKeys = ["L1"],
            Recipe = cfg,
        };
    }

    /// <summary>G(x) in eval mode without gradients, in chunks: inputs [N, C, S, S] → outputs on the CPU.</summary>
    public static Tensor Translate(this Trainer trainer, Tensor inputs, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        return trainer.Apply("G", inputs, useEma: true, batchSize);
    }
}

/// <summary>A <see cref="Trainer"/> running <see cref="Pix2PixRecipe"/>'s plan, with its parts typed. It adds no loop.</summary>
public sealed class Pix2PixTrainer : Trainer
{
    /// <summary>Builds the trainer (see <see cref="Pix2PixRecipe.Plan"/>).</summary>
    public Pix2PixTrainer(Module<Tensor, Tensor> g, Module<Tensor, Tensor> d, AlignedBatches pairs, Pix2PixConfig? config = null, Device? device = null)
        : base(Pix2PixRecipe.Plan(g, d, pairs, config, device))
    {
        G = g; D = d; Config = (Pix2PixConfig)Plan.Recipe!;
    }

    /// <summary>The generator.</summary>
    public Module<Tensor, Tensor> G { get; }
    /// <summary>The conditional discriminator.</summary>
    public Module<Tensor, Tensor> D { get; }
    /// <summary>The validated settings.</summary>
    public Pix2PixConfig Config { get; }
}
