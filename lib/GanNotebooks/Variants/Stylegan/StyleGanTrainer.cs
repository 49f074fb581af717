using GanNotebooks.Core;
using GanNotebooks.Losses;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Stylegan;

/// <summary>
/// StyleGAN2's training recipe, CPU-sized: non-saturating logistic loss, lazy R1 on real images every
/// <see cref="R1Every"/> minibatches with weight γ/2 · k (StyleGAN2 §3.1), Adam lr 0.002 with β = (0, 0.99), the
/// mapping network at <see cref="StyleGanOptions.MappingLrMultiplier"/> × lr, an EMA of G's weights for sampling.
/// </summary>
public sealed record StyleGanTrainingOptions
{
    /// <summary>Images per minibatch (paper: 32).</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Adam learning rate of both nets (StyleGAN2: 0.002).</summary>
    public double Lr { get; init; } = 0.002;
    /// <summary>Adam β (StyleGAN2: (0, 0.99)).</summary>
    public (double Beta1, double Beta2) Betas { get; init; } = (0.0, 0.99);
    /// <summary>R1 weight γ (StyleGAN2 uses 0.01–10 depending on the data; small images want small γ).</summary>
    public double R1Gamma { get; init; } = 0.1;
    /// <summary>Lazy regularization interval k (StyleGAN2: 16).</summary>
    public int R1Every { get; init; } = 16;
    /// <summary>Decay of the EMA of G's weights (null: none).</summary>
    public double? EmaDecay { get; init; } = 0.999;
    /// <summary>Record metrics every this many iterations.</summary>
    public int LogEvery { get; init; } = 10;
    /// <summary>Call <see cref="Trainer.Progress"/> every this many iterations (and at the end of a Train call).</summary>
    public int ProgressEvery { get; init; } = 50;
    /// <summary>Training device (default: the kit's current device).</summary>
    public Device? Device { get; init; }

    /// <summary>Throws with the field, the value and the fix.</summary>
    /// <summary>G's and D's optimizer as the one <see cref="OptimizerSettings"/> description (G's mapping network at its multiplier).</summary>
    public OptimizerSettings Optimizer => OptimizerSettings.Adam(Lr, Betas.Beta1, Betas.Beta2);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting and how to fix it.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw Bad(nameof(BatchSize), BatchSize, "a minibatch needs ≥ 1 image (paper: 32).");
        Optimizer.Validate(nameof(StyleGanTrainingOptions));
        if (!(R1Gamma >= 0) || double.IsInfinity(R1Gamma)) throw Bad(nameof(R1Gamma), R1Gamma, "γ must be a finite number ≥ 0 (0 turns R1 off).");
        if (R1Every < 1) throw Bad(nameof(R1Every), R1Every, "the lazy interval must be ≥ 1 minibatch (StyleGAN2: 16; 1 = R1 every step).");
        if (EmaDecay is double e && !(e >= 0 && e < 1)) throw Bad(nameof(EmaDecay), e, "the EMA decay must lie in [0, 1) (e.g. 0.999), or null for none.");
        if (LogEvery < 1) throw Bad(nameof(LogEvery), LogEvery, "log every ≥ 1 iteration.");
        if (ProgressEvery < 1) throw Bad(nameof(ProgressEvery), ProgressEvery, "report progress every ≥ 1 iteration.");
    }

    static ArgumentException Bad(string name, object value, string why) => new($"Invalid StyleGanTrainingOptions.{name} = {value}: {why}", name);
}

/// <summary>
/// The StyleGAN recipe: networks "G" (a <see cref="StyleGenerator"/>) and "D";
/// optimizer "G" over two parameter groups — "mapping.*" at the mapping multiplier, "synthesis.*" at 1 — and "D";
/// phases "D" (logistic loss), "G" (non-saturating loss, D frozen, style mixing inside G's training forward, EMA after
/// the step) and "R1" every k iterations with weight γ/2·k. Nothing in <c>Training/</c> is specific to it.
/// </summary>
public static class StyleGanRecipe
{
    /// <summary>The plan.</summary>
    /// <param name="g">The generator (its parameters named "mapping.*" and "synthesis.*").</param>
    /// <param name="d">The discriminator.</param>
    /// <param name="realSampler">B → real images [B, C, S, S] in [−1, 1] (e.g. <c>ImageDataset.BatchSampler(seed)</c> of a set padded to 32).</param>
    /// <param name="options">The recipe's settings (validated).</param>
    public static TrainingPlan Plan(StyleGenerator g, StyleDiscriminator d, Func<int, Tensor> realSampler, StyleGanTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(realSampler);
        var o = options ?? new StyleGanTrainingOptions();
        o.Validate();
        if (g.Options.ImageSize != d.Options.ImageSize || g.Options.ImageChannels != d.Options.ImageChannels)
            throw new ArgumentException($"G makes {g.Options.ImageChannels}×{g.Options.ImageSize}² images but D judges {d.Options.ImageChannels}×{d.Options.ImageSize}²; build both from one StyleGanOptions.");
        Tensor Real(Device device) => realSampler(o.BatchSize).to(device);
        Tensor Latent(int n, Device device) => torch.randn(new long[] { n, g.Options.ZDim }, device: device);
        var gOpt = new OptimizerDef("G",
        [
            new ParameterGroup("G", g.Options.MappingLrMultiplier, StyleGenerator.IsMappingParameter),
            new ParameterGroup("G", 1.0, n => !StyleGenerator.IsMappingParameter(n)),
        ]) { Settings = o.Optimizer };
        var dOpt = OptimizerDef.For("D", o.Optimizer, "D");
        var phases = new List<Phase>
        {
            new("D", "D", step =>
            {
                var real = Real(step.Device);
                Tensor fake;
                using (torch.no_grad()) fake = g.call(Latent(o.BatchSize, step.Device)).detach();
                var realLogits = d.call(real);
                var fakeLogits = d.call(fake);
                step.Log("D(x)", () => torch.sigmoid(realLogits).mean());
                step.Log("D(G(z))", () => torch.sigmoid(fakeLogits).mean());
                return GanLosses.DiscriminatorBce(realLogits, fakeLogits);
            }),
            new("G", "G", step => GanLosses.GeneratorNonSaturating(d.call(g.call(Latent(o.BatchSize, step.Device)))))
            {
                Frozen = ["D"],
                AfterStep = step => step.Trainer.Ema("G")?.Update(),
            },
        };
        if (o.R1Gamma > 0)
            phases.Add(new Phase("R1", "D", step =>
            {
                var r1 = Regularizers.R1(d, Real(step.Device));
                step.Log("R1 penalty", () => r1);
                // Lazy regularization: every k minibatches, weighted by k so that its average strength is unchanged.
                return r1 * (o.R1Gamma / 2 * o.R1Every);
            }) { Every = o.R1Every });
        var device = o.Device ?? Devices.Current;
        return new TrainingPlan([("G", g), ("D", d)], [gOpt, dOpt], phases)
        {
            Options = new TrainerOptions
            {
                Device = o.Device, LogEvery = o.LogEvery, ProgressEvery = o.ProgressEvery, Label = "StyleGAN2-NS-R1",
                Ema = o.EmaDecay is double e ? new Dictionary<string, double> { ["G"] = e } : new Dictionary<string, double>(),
            },
            Tracked = realSampler.Target is ICheckpointable part ? [part] : [],
            Samplers = new Dictionary<string, Func<int, Tensor>> { ["latent"] = n => Latent(n, device) },
            StatusKeys = ["Loss/D", "Loss/G", "D(x)", "D(G(z))"],
            Recipe = o,
        };
    }

    /// <summary>
    /// Runs <paramref name="body"/> with G's EMA weights in place (eval mode), or G itself when there is no EMA; G's
    /// weights and mode are restored afterwards.
    /// </summary>
    public static T WithSamplingWeights<T>(this Trainer trainer, Func<StyleGenerator, T> body)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(body);
        var g = trainer.Network("G") as StyleGenerator ?? throw new ArgumentException("this trainer's G is not a StyleGenerator.", nameof(trainer));
        bool was = g.training;
        using var swap = trainer.Ema("G")?.Apply();
        g.eval();
        try { using var _ = torch.no_grad(); return body(g); }
        finally { g.train(was); }
    }
}

/// <summary>A <see cref="Trainer"/> running <see cref="StyleGanRecipe"/>'s plan, with its parts typed. It adds no loop.</summary>
public sealed class StyleGanTrainer : Trainer
{
    /// <summary>Builds the trainer and its optimizers (see <see cref="StyleGanRecipe.Plan"/>).</summary>
    public StyleGanTrainer(StyleGenerator g, StyleDiscriminator d, Func<int, Tensor> realSampler, StyleGanTrainingOptions? options = null)
        : base(StyleGanRecipe.Plan(g, d, realSampler, options))
    {
        G = g; D = d; Settings = (StyleGanTrainingOptions)Plan.Recipe!;
    }

    /// <summary>The validated recipe settings.</summary>
    public StyleGanTrainingOptions Settings { get; }

    /// <summary>The generator.</summary>
    public StyleGenerator G { get; }

    /// <summary>The discriminator.</summary>
    public StyleDiscriminator D { get; }
}
