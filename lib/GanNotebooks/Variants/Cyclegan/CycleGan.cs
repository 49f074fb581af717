using System.Globalization;
using GanNotebooks.Core;
using GanNotebooks.Data.Images;
using GanNotebooks.Losses;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Cyclegan;

/// <summary>
/// CycleGAN settings (Zhu et al. 2017, §4): λ = 10 on the cycle loss, identity loss 0.5·λ (the official code's
/// lambda_identity = 0.5; §5.2 uses it for painting ↔ photo), a history of 50 generated images, least-squares
/// adversarial losses, Adam 2e-4 with β₁ = 0.5.
/// </summary>
public sealed record CycleGanConfig
{
    /// <summary>λ, the weight of the cycle loss ‖F(G(a)) − a‖₁ + ‖G(F(b)) − b‖₁ (paper: 10; 0 = the "GAN alone" ablation).</summary>
    public double LambdaCycle { get; init; } = 10;
    /// <summary>Weight of the identity loss ‖G(b) − b‖₁ + ‖F(a) − a‖₁ as a fraction of λ (code: 0.5; 0 = off).</summary>
    public double IdentityWeight { get; init; } = 0.5;
    /// <summary>Generated images each discriminator's history holds (paper: 50; 0 = none).</summary>
    public int PoolSize { get; init; } = 50;
    /// <summary>Images per domain per update (paper: 1; the course: 8).</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Adam's learning rate (paper: 2e-4).</summary>
    public double Lr { get; init; } = 2e-4;
    /// <summary>Adam's (β₁, β₂) (paper: 0.5, 0.999).</summary>
    public (double Beta1, double Beta2) Betas { get; init; } = (0.5, 0.999);
    /// <summary>The generators' and discriminators' optimizer as the one <see cref="OptimizerSettings"/> description.</summary>
    public OptimizerSettings Optimizer => OptimizerSettings.Adam(Lr, Betas.Beta1, Betas.Beta2);
    /// <summary>Record metrics every this many iterations.</summary>
    public int LogEvery { get; init; } = 25;
    /// <summary>Report progress every this many iterations.</summary>
    public int ProgressEvery { get; init; } = 100;

    /// <summary>"cycle λ 10, identity 0.5, pool 50".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"cycle λ {LambdaCycle:G3}, identity {IdentityWeight:G3}, pool {PoolSize}");

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting and how to fix it.</summary>
    public void Validate()
    {
        if (!(LambdaCycle >= 0) || double.IsInfinity(LambdaCycle)) throw Bad(nameof(LambdaCycle), LambdaCycle, "λ must be a finite number ≥ 0 (paper: 10; 0 = GAN alone).");
        if (!(IdentityWeight >= 0) || double.IsInfinity(IdentityWeight)) throw Bad(nameof(IdentityWeight), IdentityWeight, "the identity weight must be a finite number ≥ 0 (code: 0.5; 0 = off).");
        if (PoolSize < 0) throw Bad(nameof(PoolSize), PoolSize, "the history size cannot be negative (paper: 50; 0 = no history).");
        if (BatchSize < 1) throw Bad(nameof(BatchSize), BatchSize, "the batch size must be ≥ 1 (paper: 1).");
        Optimizer.Validate(nameof(CycleGanConfig));
        if (LogEvery < 1 || ProgressEvery < 1) throw Bad(nameof(LogEvery), $"{LogEvery}/{ProgressEvery}", "LogEvery and ProgressEvery must be ≥ 1.");
    }

    static ArgumentException Bad(string name, object value, string why) => new($"Invalid CycleGanConfig.{name} = {value}: {why}", name);
}

/// <summary>
/// The CycleGAN objective (Zhu et al. 2017, eqs. 1–3 and §4): two maps G: A → B and F: B → A, discriminators D_B
/// (on B) and D_A (on A), L = L_GAN(G, D_B) + L_GAN(F, D_A) + λ·L_cyc(G, F) with the cycle loss in <b>both</b>
/// directions, L_cyc = E_a‖F(G(a)) − a‖₁ + E_b‖G(F(b)) − b‖₁. The adversarial terms are least squares (§4: G
/// minimizes E[(D(G(a)) − 1)²], D minimizes E[(D(b) − 1)²] + E[D(G(a))²], halved for D as in the code).
/// </summary>
public static class CycleGan
{
    /// <summary>The generators' least-squares term for one direction: mean (D(fake) − 1)².</summary>
    public static Tensor GeneratorAdversarial(Tensor fakeOutputs) => (fakeOutputs - 1).square().mean();

    /// <summary>One discriminator's least-squares loss: ½·[mean (D(real) − 1)² + mean D(fake)²].</summary>
    public static Tensor DiscriminatorLoss(Tensor realOutputs, Tensor fakeOutputs) => GanLosses.DiscriminatorLeastSquares(realOutputs, fakeOutputs);

    /// <summary>L_cyc = mean|F(G(a)) − a| + mean|G(F(b)) − b|: the forward (A → B → A) and backward (B → A → B) cycles.</summary>
    public static Tensor CycleLoss(Tensor a, Tensor reconstructedA, Tensor b, Tensor reconstructedB)
    {
        if (!a.shape.SequenceEqual(reconstructedA.shape) || !b.shape.SequenceEqual(reconstructedB.shape))
            throw new ArgumentException($"each image and its reconstruction must have the same shape; got {Shapes.Of(a)} vs {Shapes.Of(reconstructedA)}, {Shapes.Of(b)} vs {Shapes.Of(reconstructedB)}.");
        return (reconstructedA - a).abs().mean() + (reconstructedB - b).abs().mean();
    }

    /// <summary>Identity loss (Taigman et al. 2017; CycleGAN §5.2): mean|G(b) − b| + mean|F(a) − a|.</summary>
    public static Tensor IdentityLoss(Tensor a, Tensor fOfA, Tensor b, Tensor gOfB) => (gOfB - b).abs().mean() + (fOfA - a).abs().mean();
}

/// <summary>
/// The CycleGAN recipe — the kit's first two-generator, two-discriminator variant: networks "G_AB", "G_BA",
/// "D_A", "D_B"; optimizer "G" over both generators and "D" over both discriminators; phases "G" (adversarial + λ·cycle
/// + identity, both Ds frozen) then "D" (each D on real images and on its <see cref="ImagePool"/>'s mix of the fakes
/// the G phase just made and older ones). Training draws A and B from separate samplers: it never sees a pair. The pools
/// are checkpoint sections. Run it with <c>new Trainer(CycleGanRecipe.Plan(…))</c> or <see cref="CycleGanTrainer"/>.
/// </summary>
public sealed class CycleGanRecipe : IDisposable
{
    readonly AlignedBatches _a, _b;
    Tensor? _realA, _realB, _fakeA, _fakeB;

    /// <summary>The plan.</summary>
    /// <param name="gAB">G: A → B.</param>
    /// <param name="gBA">F: B → A.</param>
    /// <param name="dA">D_A, scores images of A (its output may be a patch map).</param>
    /// <param name="dB">D_B, scores images of B.</param>
    /// <param name="a">Batches of domain A (<c>new AlignedBatches(seed, "data A", trainA)</c>).</param>
    /// <param name="b">Batches of domain B, from a different set of images (checkpoint key different from A's).</param>
    /// <param name="config">Settings; validated.</param>
    /// <param name="poolSeed">Seed of the two pools' random draws.</param>
    /// <param name="device">null → the current device.</param>
    public static TrainingPlan Plan(Module<Tensor, Tensor> gAB, Module<Tensor, Tensor> gBA, Module<Tensor, Tensor> dA, Module<Tensor, Tensor> dB,
        AlignedBatches a, AlignedBatches b, CycleGanConfig? config = null, long poolSeed = 0, Device? device = null)
    {
        var recipe = new CycleGanRecipe(gAB, gBA, dA, dB, a, b, config, poolSeed);
        var phases = new[]
        {
            new Phase("G", "G", recipe.GeneratorStep) { Frozen = ["D_A", "D_B"] },
            new Phase("D", "D", recipe.DiscriminatorStep),
        };
        var cfg = recipe.Config;
        return new TrainingPlan([("G_AB", gAB), ("G_BA", gBA), ("D_A", dA), ("D_B", dB)],
            [OptimizerDef.For("G", cfg.Optimizer, "G_AB", "G_BA"), OptimizerDef.For("D", cfg.Optimizer, "D_A", "D_B")], phases)
        {
            Options = new TrainerOptions { Device = device, LogEvery = cfg.LogEvery, ProgressEvery = cfg.ProgressEvery, Label = "CycleGAN " + cfg.Describe() },
            Tracked = [a, b, recipe.PoolA, recipe.PoolB],
            StatusKeys = ["Cycle"],
            Recipe = recipe,
            Owned = [recipe],
        };
    }

    CycleGanRecipe(Module<Tensor, Tensor> gAB, Module<Tensor, Tensor> gBA, Module<Tensor, Tensor> dA, Module<Tensor, Tensor> dB,
        AlignedBatches a, AlignedBatches b, CycleGanConfig? config, long poolSeed)
    {
        ArgumentNullException.ThrowIfNull(gAB); ArgumentNullException.ThrowIfNull(gBA);
        ArgumentNullException.ThrowIfNull(dA); ArgumentNullException.ThrowIfNull(dB);
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b);
        if (ReferenceEquals(gAB, gBA) || ReferenceEquals(dA, dB)) throw new ArgumentException("CycleGAN needs two distinct generators and two distinct discriminators.");
        if (ReferenceEquals(a, b)) throw new ArgumentException("domains A and B need separate samplers (and, for an unpaired task, separate images).", nameof(b));
        Config = config ?? new CycleGanConfig();
        Config.Validate();
        GAB = gAB; GBA = gBA; DA = dA; DB = dB; _a = a; _b = b;
        PoolA = new ImagePool(Config.PoolSize, poolSeed, "pool A");
        PoolB = new ImagePool(Config.PoolSize, poolSeed + 1, "pool B");
    }

    Tensor GeneratorStep(PhaseStep s)
    {
        var a = _a.Next(Config.BatchSize)[0].to(s.Device);
        var b = _b.Next(Config.BatchSize)[0].to(s.Device);
        var fakeB = GAB.call(a);
        var fakeA = GBA.call(b);
        var adversarial = CycleGan.GeneratorAdversarial(DB.call(fakeB)) + CycleGan.GeneratorAdversarial(DA.call(fakeA));
        var loss = adversarial;
        if (Config.LambdaCycle > 0)
        {
            var cycle = CycleGan.CycleLoss(a, GBA.call(fakeB), b, GAB.call(fakeA));
            s.Log("Cycle", () => cycle);
            loss = loss + Config.LambdaCycle * cycle;
            if (Config.IdentityWeight > 0)
            {
                var identity = CycleGan.IdentityLoss(a, GBA.call(a), b, GAB.call(b));
                s.Log("Identity", () => identity);
                loss = loss + Config.LambdaCycle * Config.IdentityWeight * identity;
            }
        }
        s.Log("Adversarial/G", () => adversarial);
        // Hand this update's images to the D phase (outside the update's dispose scope; disposed there).
        Stash(ref _realA, a); Stash(ref _realB, b); Stash(ref _fakeA, fakeA); Stash(ref _fakeB, fakeB);
        return loss;
    }

    Tensor DiscriminatorStep(PhaseStep s)
    {
        if (_realA is null || _realB is null || _fakeA is null || _fakeB is null)
            throw new InvalidOperationException("CycleGAN's D phase runs after its G phase, which makes the fakes; run whole iterations (Train), not the D phase alone.");
        var pooledA = PoolA.Query(_fakeA).to(s.Device);
        var pooledB = PoolB.Query(_fakeB).to(s.Device);
        var lossA = CycleGan.DiscriminatorLoss(DA.call(_realA), DA.call(pooledA));
        var lossB = CycleGan.DiscriminatorLoss(DB.call(_realB), DB.call(pooledB));
        s.Log("Loss/D_A", () => lossA);
        s.Log("Loss/D_B", () => lossB);
        DisposeStash();
        return lossA + lossB;
    }

    static void Stash(ref Tensor? slot, Tensor t)
    {
        slot?.Dispose();
        slot = t.detach().clone();
        slot.DetachFromDisposeScope();
    }

    void DisposeStash()
    {
        foreach (var t in new[] { _realA, _realB, _fakeA, _fakeB }) t?.Dispose();
        _realA = _realB = _fakeA = _fakeB = null;
    }

    /// <summary>G: A → B.</summary>
    public Module<Tensor, Tensor> GAB { get; }
    /// <summary>F: B → A.</summary>
    public Module<Tensor, Tensor> GBA { get; }
    /// <summary>D_A.</summary>
    public Module<Tensor, Tensor> DA { get; }
    /// <summary>D_B.</summary>
    public Module<Tensor, Tensor> DB { get; }
    /// <summary>History of fakes of A that D_A learns from.</summary>
    public ImagePool PoolA { get; }
    /// <summary>History of fakes of B that D_B learns from.</summary>
    public ImagePool PoolB { get; }
    /// <summary>The validated settings.</summary>
    public CycleGanConfig Config { get; }

    /// <summary>G(a) in eval mode, chunked, on the CPU (any trainer of this recipe).</summary>
    public static Tensor AToB(Trainer trainer, Tensor a, int batchSize = 256) => trainer.Apply("G_AB", a, useEma: true, batchSize);
    /// <summary>F(b) in eval mode, chunked, on the CPU.</summary>
    public static Tensor BToA(Trainer trainer, Tensor b, int batchSize = 256) => trainer.Apply("G_BA", b, useEma: true, batchSize);

    /// <summary>Disposes the pools and the images handed from the G phase to the D phase.</summary>
    public void Dispose()
    {
        DisposeStash();
        PoolA.Dispose(); PoolB.Dispose();
    }
}

/// <summary>A <see cref="Trainer"/> running <see cref="CycleGanRecipe"/>'s plan, with its parts typed. It adds no loop.</summary>
public sealed class CycleGanTrainer : Trainer
{
    readonly CycleGanRecipe _recipe;

    /// <summary>Builds the trainer (see <see cref="CycleGanRecipe.Plan"/>).</summary>
    public CycleGanTrainer(Module<Tensor, Tensor> gAB, Module<Tensor, Tensor> gBA, Module<Tensor, Tensor> dA, Module<Tensor, Tensor> dB,
        AlignedBatches a, AlignedBatches b, CycleGanConfig? config = null, long poolSeed = 0, Device? device = null)
        : base(CycleGanRecipe.Plan(gAB, gBA, dA, dB, a, b, config, poolSeed, device))
    {
        _recipe = (CycleGanRecipe)Plan.Recipe!;
    }

    /// <summary>G: A → B.</summary>
    public Module<Tensor, Tensor> GAB => _recipe.GAB;
    /// <summary>F: B → A.</summary>
    public Module<Tensor, Tensor> GBA => _recipe.GBA;
    /// <summary>D_A.</summary>
    public Module<Tensor, Tensor> DA => _recipe.DA;
    /// <summary>D_B.</summary>
    public Module<Tensor, Tensor> DB => _recipe.DB;
    /// <summary>History of fakes of A that D_A learns from.</summary>
    public ImagePool PoolA => _recipe.PoolA;
    /// <summary>History of fakes of B that D_B learns from.</summary>
    public ImagePool PoolB => _recipe.PoolB;
    /// <summary>The validated settings.</summary>
    public CycleGanConfig Config => _recipe.Config;

    /// <summary>G(a) in eval mode, chunked, on the CPU.</summary>
    public Tensor AToB(Tensor a, int batchSize = 256) => CycleGanRecipe.AToB(this, a, batchSize);
    /// <summary>F(b) in eval mode, chunked, on the CPU.</summary>
    public Tensor BToA(Tensor b, int batchSize = 256) => CycleGanRecipe.BToA(this, b, batchSize);
}
