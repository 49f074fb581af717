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
    /// <summary>Record metrics every this many iterations.</summary>
    public int LogEvery { get; init; } = 25;
    /// <summary>Call <see cref="Pix2PixTrainer.Progress"/> every this many iterations.</summary>
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
        if (!(Lr > 0) || double.IsInfinity(Lr)) throw Bad(nameof(Lr), Lr, "the learning rate must be a finite number > 0 (paper: 2e-4).");
        if (!(Betas.Beta1 >= 0 && Betas.Beta1 < 1 && Betas.Beta2 >= 0 && Betas.Beta2 < 1)) throw Bad(nameof(Betas), Betas, "Adam's betas must be in [0, 1) (paper: 0.5, 0.999).");
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
/// pix2pix on the kit's phase trainer: networks "G" (a U-Net) and "D" (a PatchGAN on condition + image), phases "D"
/// then "G" (D frozen) — or only "G" for the L1-alone ablation. Each phase draws its own batch of pairs from
/// <see cref="AlignedBatches"/> (tracked in checkpoints).
/// </summary>
public sealed class Pix2PixTrainer : IDisposable
{
    readonly AlignedBatches _pairs;

    /// <summary>Builds the trainer.</summary>
    /// <param name="g">Generator x → y (e.g. <see cref="UNetGenerator"/>).</param>
    /// <param name="d">Conditional discriminator on (x, y) stacked (e.g. <see cref="PatchDiscriminator"/> with Cx + Cy inputs); ignored when not adversarial.</param>
    /// <param name="pairs">Batches of (condition, target) pairs: <c>new AlignedBatches(seed, "data", inputs, targets)</c>.</param>
    /// <param name="config">Settings; validated.</param>
    /// <param name="device">null → the current device.</param>
    public Pix2PixTrainer(Module<Tensor, Tensor> g, Module<Tensor, Tensor> d, AlignedBatches pairs, Pix2PixConfig? config = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(pairs);
        Config = config ?? new Pix2PixConfig();
        Config.Validate();
        G = g; D = d; _pairs = pairs;
        var phases = new List<Phase>();
        if (Config.Adversarial)
            phases.Add(new Phase("D", "D", s =>
            {
                var b = _pairs.Next(Config.BatchSize);
                var (x, y) = (b[0].to(s.Device), b[1].to(s.Device));
                Tensor fake;
                using (torch.no_grad()) fake = G.call(x);
                var real = D.call(Pix2Pix.Pair(x, y));
                var fakeLogits = D.call(Pix2Pix.Pair(x, fake));
                s.Log("D(x,y)", () => GanLosses.MeanProbability(real));
                s.Log("D(x,G(x))", () => GanLosses.MeanProbability(fakeLogits));
                return Pix2Pix.DiscriminatorLossFromLogits(real, fakeLogits);
            }));
        phases.Add(new Phase("G", "G", s =>
        {
            var b = _pairs.Next(Config.BatchSize);
            var (x, y) = (b[0].to(s.Device), b[1].to(s.Device));
            var output = G.call(x);
            var logits = Config.Adversarial ? D.call(Pix2Pix.Pair(x, output)) : null;
            s.Log("L1", () => (output - y).abs().mean());
            return Pix2Pix.GeneratorLoss(logits, output, y, Config.Lambda);
        }) { Frozen = Config.Adversarial ? ["D"] : [] });
        var optimizers = new List<OptimizerDef> { OptimizerDef.For("G", "G") with { Lr = Config.Lr, Betas = Config.Betas } };
        if (Config.Adversarial) optimizers.Add(OptimizerDef.For("D", "D") with { Lr = Config.Lr, Betas = Config.Betas });
        Loop = new PhaseTrainer([("G", g), ("D", d)], optimizers, phases,
            new PhaseTrainerOptions { Device = device, LogEvery = Config.LogEvery, Label = "pix2pix " + Config.Describe() });
        Loop.Track(pairs);
    }

    /// <summary>The phase trainer underneath (history, checkpoints, step counters).</summary>
    public PhaseTrainer Loop { get; }
    /// <summary>The generator.</summary>
    public Module<Tensor, Tensor> G { get; }
    /// <summary>The conditional discriminator.</summary>
    public Module<Tensor, Tensor> D { get; }
    /// <summary>The validated settings.</summary>
    public Pix2PixConfig Config { get; }
    /// <summary>Iterations done.</summary>
    public int Step => Loop.Step;
    /// <summary>Recorded metrics ("Loss/G", "Loss/D", "L1", "D(x,y)", "D(x,G(x))").</summary>
    public History History => Loop.History;
    /// <summary>Live progress: a one-line status every <see cref="Pix2PixConfig.ProgressEvery"/> iterations and at the end.</summary>
    public Action<string>? Progress { get; set; }

    /// <summary>Runs <paramref name="steps"/> iterations.</summary>
    public History Train(int steps) => TrainLoop.Run(Loop, steps, Config.ProgressEvery, Progress, "pix2pix " + Config.Describe(), "L1");

    /// <summary>G(x) in eval mode without gradients, in chunks: inputs [N, C, S, S] → outputs on the CPU.</summary>
    public Tensor Translate(Tensor inputs, int batchSize = 256) => TrainLoop.ApplyEval(G, inputs, Loop.Device, batchSize);

    /// <inheritdoc/>
    public void Dispose() => Loop.Dispose();
}
