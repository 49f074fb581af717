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
    /// <summary>Training device (default: the kit's current device).</summary>
    public Device? Device { get; init; }

    /// <summary>Throws with the field, the value and the fix.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw Bad(nameof(BatchSize), BatchSize, "a minibatch needs ≥ 1 image (paper: 32).");
        if (!(Lr > 0) || double.IsInfinity(Lr)) throw Bad(nameof(Lr), Lr, "the learning rate must be a finite number > 0 (StyleGAN2: 0.002).");
        if (!(Betas.Beta1 >= 0 && Betas.Beta1 < 1 && Betas.Beta2 >= 0 && Betas.Beta2 < 1)) throw Bad(nameof(Betas), Betas, "Adam's β must lie in [0, 1) (StyleGAN2: (0, 0.99)).");
        if (!(R1Gamma >= 0) || double.IsInfinity(R1Gamma)) throw Bad(nameof(R1Gamma), R1Gamma, "γ must be a finite number ≥ 0 (0 turns R1 off).");
        if (R1Every < 1) throw Bad(nameof(R1Every), R1Every, "the lazy interval must be ≥ 1 minibatch (StyleGAN2: 16; 1 = R1 every step).");
        if (EmaDecay is double e && !(e >= 0 && e < 1)) throw Bad(nameof(EmaDecay), e, "the EMA decay must lie in [0, 1) (e.g. 0.999), or null for none.");
        if (LogEvery < 1) throw Bad(nameof(LogEvery), LogEvery, "log every ≥ 1 iteration.");
    }

    static ArgumentException Bad(string name, object value, string why) => new($"Invalid StyleGanTrainingOptions.{name} = {value}: {why}", name);
}

/// <summary>
/// A StyleGAN on the kit's one loop (<see cref="PhaseTrainer"/>): networks "G" (a <see cref="StyleGenerator"/>) and "D";
/// optimizer "G" over two parameter groups — "mapping.*" at the mapping multiplier, "synthesis.*" at 1 — and "D";
/// phases "D" (logistic loss), "G" (non-saturating loss, D frozen, style mixing inside G's training forward, EMA after
/// the step) and "R1" every k iterations with weight γ/2·k. Nothing in <c>Training/</c> is specific to it.
/// </summary>
public sealed class StyleGanTrainer : IDisposable
{
    readonly Func<int, Tensor> _real;

    /// <summary>Builds the trainer and its optimizers.</summary>
    /// <param name="g">The generator (its parameters named "mapping.*" and "synthesis.*").</param>
    /// <param name="d">The discriminator.</param>
    /// <param name="realSampler">B → real images [B, C, S, S] in [−1, 1] (e.g. <c>ImageDataset.BatchSampler(seed)</c> of a set padded to 32).</param>
    /// <param name="options">The recipe (validated).</param>
    public StyleGanTrainer(StyleGenerator g, StyleDiscriminator d, Func<int, Tensor> realSampler, StyleGanTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(realSampler);
        Options = options ?? new StyleGanTrainingOptions();
        Options.Validate();
        if (g.Options.ImageSize != d.Options.ImageSize || g.Options.ImageChannels != d.Options.ImageChannels)
            throw new ArgumentException($"G makes {g.Options.ImageChannels}×{g.Options.ImageSize}² images but D judges {d.Options.ImageChannels}×{d.Options.ImageSize}²; build both from one StyleGanOptions.");
        G = g; D = d; _real = realSampler;
        var o = Options;
        var gOpt = new OptimizerDef("G",
        [
            new ParameterGroup("G", g.Options.MappingLrMultiplier, StyleGenerator.IsMappingParameter),
            new ParameterGroup("G", 1.0, n => !StyleGenerator.IsMappingParameter(n)),
        ]) { Lr = o.Lr, Betas = o.Betas };
        var dOpt = OptimizerDef.For("D", "D") with { Lr = o.Lr, Betas = o.Betas };
        var phases = new List<Phase>
        {
            new("D", "D", step =>
            {
                var real = Real(step.Device);
                Tensor fake;
                using (torch.no_grad()) fake = G.call(Latent(step.Device)).detach();
                var realLogits = D.call(real);
                var fakeLogits = D.call(fake);
                step.Log("D(x)", () => torch.sigmoid(realLogits).mean());
                step.Log("D(G(z))", () => torch.sigmoid(fakeLogits).mean());
                return GanLosses.DiscriminatorBce(realLogits, fakeLogits);
            }),
            new("G", "G", step => GanLosses.GeneratorNonSaturating(D.call(G.call(Latent(step.Device)))))
            {
                Frozen = ["D"],
                AfterStep = _ => Loop!.Ema("G")?.Update(),
            },
        };
        if (o.R1Gamma > 0)
            phases.Add(new Phase("R1", "D", step =>
            {
                var r1 = Regularizers.R1(D, Real(step.Device));
                step.Log("R1 penalty", () => r1);
                // Lazy regularization: every k minibatches, weighted by k so that its average strength is unchanged.
                return r1 * (o.R1Gamma / 2 * o.R1Every);
            }) { Every = o.R1Every });
        Loop = new PhaseTrainer([("G", g), ("D", d)], [gOpt, dOpt], phases, new PhaseTrainerOptions
        {
            Device = o.Device, LogEvery = o.LogEvery, Label = "StyleGAN2-NS-R1",
            Ema = o.EmaDecay is double e ? new Dictionary<string, double> { ["G"] = e } : new Dictionary<string, double>(),
        });
        Loop.TrackTargetOf(realSampler);
    }

    Tensor Real(Device device) => _real(Options.BatchSize).to(device);

    Tensor Latent(Device device) => torch.randn(new long[] { Options.BatchSize, G.Options.ZDim }, device: device);

    /// <summary>The validated recipe.</summary>
    public StyleGanTrainingOptions Options { get; }

    /// <summary>The loop underneath (optimizers, counters, history, checkpoints).</summary>
    public PhaseTrainer Loop { get; }

    /// <summary>The generator.</summary>
    public StyleGenerator G { get; }

    /// <summary>The discriminator.</summary>
    public StyleDiscriminator D { get; }

    /// <summary>Iterations done.</summary>
    public int Step => Loop.Step;

    /// <summary>Recorded metrics ("Loss/D", "Loss/G", "Loss/R1", "D(x)", "D(G(z))", "R1 penalty", "Grad/…").</summary>
    public History History => Loop.History;

    /// <summary>Called with a one-line status at every callback point of <see cref="Train"/> and at its end.</summary>
    public Action<string>? Progress { get; set; }

    /// <summary>Trains <paramref name="steps"/> more iterations; <paramref name="callback"/> runs every <paramref name="every"/> of them.</summary>
    public History Train(int steps, int every = 50, Action<StyleGanTrainer>? callback = null)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative.");
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "the callback interval must be ≥ 1 step.");
        int target = Step + steps;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int start = Step;
        while (Step < target)
        {
            var m = Loop.Iterate(forceLog: Step + 1 == target);
            if (Step % every == 0 || Step == target)
            {
                callback?.Invoke(this);
                Progress?.Invoke($"step {Step}/{target} | Loss/D {History.Last("Loss/D"):F3} | Loss/G {History.Last("Loss/G"):F3} | D(x) {History.Last("D(x)"):F2} | D(G(z)) {History.Last("D(G(z))"):F2} | {(Step - start) / Math.Max(1e-9, clock.Elapsed.TotalSeconds):F1} steps/s");
            }
        }
        return History;
    }

    /// <summary>
    /// Runs <paramref name="body"/> with G's EMA weights in place (eval mode), or G itself when there is no EMA; G's
    /// weights and mode are restored afterwards.
    /// </summary>
    public T WithSamplingWeights<T>(Func<StyleGenerator, T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        bool was = G.training;
        using var swap = Loop.Ema("G")?.Apply();
        G.eval();
        try { using var _ = torch.no_grad(); return body(G); }
        finally { G.train(was); }
    }

    /// <inheritdoc/>
    public void Dispose() => Loop.Dispose();
}
