using System.Globalization;
using GanNotebooks.Core;
using GanNotebooks.Data.Images;
using GanNotebooks.Losses;
using GanNotebooks.Nets;
using GanNotebooks.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Srgan;

/// <summary>
/// SRResNet (Ledig et al. 2017, Fig. 4): a 9×9 convolution + PReLU, B residual blocks (<see cref="ResidualBlock"/> with
/// batch norm and PReLU), a 3×3 convolution + batch norm with a skip from before the blocks, log₂(scale) sub-pixel
/// upsampling blocks (3×3 convolution to 4× the channels, pixel shuffle ×2 — Shi et al. 2016 — and PReLU) and a 9×9
/// convolution to the image, tanh. Paper: 64 channels, 16 blocks, ×4. Input [N, C, h, w] → [N, C, h·scale, w·scale].
/// </summary>
public sealed class SrResNet : Module<Tensor, Tensor>
{
    private readonly Sequential head;
    private readonly Sequential blocks;
    private readonly Sequential trunk;
    private readonly Sequential upsample;
    private readonly Sequential tail;

    /// <summary>Builds the generator.</summary>
    /// <param name="scale">Upsampling factor: 2, 4 or 8.</param>
    /// <param name="channels">Image channels.</param>
    /// <param name="width">Feature channels (paper: 64).</param>
    /// <param name="residualBlocks">B (paper: 16).</param>
    public SrResNet(int scale = 4, int channels = 1, int width = 32, int residualBlocks = 4) : base(nameof(SrResNet))
    {
        if (scale is not (2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "the scale must be 2, 4 or 8 (one pixel-shuffle ×2 block per factor 2).");
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "images need at least 1 channel.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "the generator needs at least 1 feature channel (paper: 64).");
        if (residualBlocks < 0) throw new ArgumentOutOfRangeException(nameof(residualBlocks), residualBlocks, "the number of residual blocks cannot be negative (paper: 16).");
        Scale = scale; Channels = channels;
        head = Sequential(("conv", Conv2d(channels, width, 9, padding: 4)), ("act", PReLU(width)));
        blocks = Sequential(Enumerable.Range(0, residualBlocks).Select(i => ($"b{i}", (Module<Tensor, Tensor>)new ResidualBlock(width, FeatureNorm.Batch, prelu: true))).ToList());
        trunk = Sequential(("conv", Conv2d(width, width, 3, padding: 1)), ("norm", BatchNorm2d(width)));
        var ups = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0, s = scale; s > 1; s /= 2, i++)
        {
            ups.Add(($"conv{i}", Conv2d(width, 4 * width, 3, padding: 1)));
            ups.Add(($"shuffle{i}", PixelShuffle(2)));
            ups.Add(($"act{i}", PReLU(width)));
        }
        upsample = Sequential(ups);
        tail = Sequential(("conv", Conv2d(width, channels, 9, padding: 4)), ("act", Tanh()));
        RegisterComponents();
    }

    /// <summary>Upsampling factor.</summary>
    public int Scale { get; }
    /// <summary>Image channels.</summary>
    public int Channels { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor lowRes)
    {
        if (lowRes.dim() != 4 || lowRes.shape[1] != Channels)
            throw new ArgumentException($"SrResNet expects low-resolution images [N, {Channels}, h, w]; got {Shapes.Of(lowRes)}.", nameof(lowRes));
        using var scope = torch.NewDisposeScope();
        var h = head.call(lowRes);
        var r = trunk.call(blocks.call(h)) + h;   // the long skip over the residual blocks
        return tail.call(upsample.call(r)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// SRGAN's discriminator (Ledig et al. 2017, Fig. 4), CPU-sized: pairs of 3×3 convolutions (stride 1, then 2) with
/// LeakyReLU(0.2) and batch norm (not on the first), doubling the channels per pair, then a dense layer, LeakyReLU
/// and one logit. Paper: 8 convolutions 64 → 512, dense 1024, on 96×96 crops. Input [N, C, S, S] → logits [N].
/// </summary>
public sealed class SrganDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Sequential head;

    /// <summary>Builds the discriminator for <paramref name="size"/>×<paramref name="size"/> images.</summary>
    /// <param name="size">Image side (divisible by 2^<paramref name="pairs"/>).</param>
    /// <param name="channels">Image channels.</param>
    /// <param name="width">Channels of the first pair (paper: 64).</param>
    /// <param name="pairs">Convolution pairs (paper: 4); each halves the side.</param>
    /// <param name="dense">Width of the dense layer (paper: 1024).</param>
    public SrganDiscriminator(int size = 28, int channels = 1, int width = 16, int pairs = 2, int dense = 128) : base(nameof(SrganDiscriminator))
    {
        if (pairs < 1 || size < 1 || size % (1 << pairs) != 0) throw new ArgumentOutOfRangeException(nameof(size), size, $"the side must be divisible by 2^pairs = {1 << Math.Max(pairs, 0)} (28 with 2 pairs).");
        if (width < 1 || dense < 1 || channels < 1) throw new ArgumentOutOfRangeException(nameof(width), "width, dense and channels must be ≥ 1.");
        Size = size; Channels = channels;
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int cin = channels, c = width;
        for (int p = 0; p < pairs; p++)
        {
            layers.Add(($"conv{p}a", Conv2d(cin, c, 3, padding: 1)));
            if (p > 0) layers.Add(($"norm{p}a", BatchNorm2d(c)));
            layers.Add(($"act{p}a", LeakyReLU(0.2)));
            layers.Add(($"conv{p}b", Conv2d(c, c, 3, stride: 2, padding: 1)));
            layers.Add(($"norm{p}b", BatchNorm2d(c)));
            layers.Add(($"act{p}b", LeakyReLU(0.2)));
            cin = c; c *= 2;
        }
        features = Sequential(layers);
        long side = size >> pairs;
        head = Sequential(("flatten", Flatten()), ("fc", Linear(cin * side * side, dense)), ("act", LeakyReLU(0.2)), ("out", Linear(dense, 1)));
        RegisterComponents();
    }

    /// <summary>Image side.</summary>
    public int Size { get; }
    /// <summary>Image channels.</summary>
    public int Channels { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != Channels || images.shape[2] != Size || images.shape[3] != Size)
            throw new ArgumentException($"SrganDiscriminator expects [N, {Channels}, {Size}, {Size}]; got {Shapes.Of(images)}.", nameof(images));
        using var scope = torch.NewDisposeScope();
        return head.call(features.call(images)).squeeze(1).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// SRGAN settings (Ledig et al. 2017, §2.2 and §3.2). <see cref="AdversarialWeight"/> = 10⁻³ on the adversarial term;
/// the content loss is the MSE between feature maps of a fixed network (VGG in the paper, the course's classifier
/// here) times <see cref="ContentWeight"/>, plus an optional pixel MSE. <see cref="SrResNetMse"/> is the paper's
/// SRResNet-MSE baseline: pixel MSE only, no discriminator.
/// </summary>
public sealed record SrganConfig
{
    /// <summary>Upsampling factor (2, 4 or 8).</summary>
    public int Scale { get; init; } = 4;
    /// <summary>Train against a discriminator (false = SRResNet, no D).</summary>
    public bool Adversarial { get; init; } = true;
    /// <summary>Weight of the adversarial term −log D(G(I_LR)) (paper: 10⁻³).</summary>
    public double AdversarialWeight { get; init; } = 1e-3;
    /// <summary>Weight of the feature-space MSE (the content loss; 0 = none).</summary>
    public double ContentWeight { get; init; } = 1.0;
    /// <summary>Weight of the pixel MSE (SRResNet-MSE: 1).</summary>
    public double PixelWeight { get; init; }
    /// <summary>Images per update (paper: 16).</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>Adam's learning rate (paper: 10⁻⁴).</summary>
    public double Lr { get; init; } = 1e-4;
    /// <summary>Adam's (β₁, β₂) (paper: 0.9, 0.999).</summary>
    public (double Beta1, double Beta2) Betas { get; init; } = (0.9, 0.999);
    /// <summary>G's and D's optimizer as the one <see cref="OptimizerSettings"/> description.</summary>
    public OptimizerSettings Optimizer => OptimizerSettings.Adam(Lr, Betas.Beta1, Betas.Beta2);
    /// <summary>Record metrics every this many iterations.</summary>
    public int LogEvery { get; init; } = 25;
    /// <summary>Report progress every this many iterations.</summary>
    public int ProgressEvery { get; init; } = 100;

    /// <summary>The SRResNet-MSE baseline: pixel MSE, no discriminator, no feature loss.</summary>
    public static SrganConfig SrResNetMse { get; } = new() { Adversarial = false, ContentWeight = 0, PixelWeight = 1 };

    /// <summary>"SRResNet-MSE" or "SRGAN (content 1, adversarial 0.001)".</summary>
    public string Describe() => !Adversarial && ContentWeight == 0 ? "SRResNet-MSE"
        : string.Create(CultureInfo.InvariantCulture, $"{(Adversarial ? "SRGAN" : "SRResNet")} (content {ContentWeight:G3}, pixel {PixelWeight:G3}{(Adversarial ? $", adversarial {AdversarialWeight:G3}" : "")})");

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting and how to fix it.</summary>
    public void Validate()
    {
        if (Scale is not (2 or 4 or 8)) throw Bad(nameof(Scale), Scale, "the scale must be 2, 4 or 8.");
        foreach (var (name, w) in new[] { (nameof(AdversarialWeight), AdversarialWeight), (nameof(ContentWeight), ContentWeight), (nameof(PixelWeight), PixelWeight) })
            if (!(w >= 0) || double.IsInfinity(w)) throw Bad(name, w, "loss weights must be finite numbers ≥ 0.");
        if (ContentWeight == 0 && PixelWeight == 0 && !(Adversarial && AdversarialWeight > 0))
            throw Bad(nameof(ContentWeight), ContentWeight, "every loss weight is 0: the generator has nothing to minimize; set ContentWeight, PixelWeight or the adversarial weight > 0.");
        if (BatchSize < 1) throw Bad(nameof(BatchSize), BatchSize, "the batch size must be ≥ 1 (paper: 16).");
        Optimizer.Validate(nameof(SrganConfig));
        if (LogEvery < 1 || ProgressEvery < 1) throw Bad(nameof(LogEvery), $"{LogEvery}/{ProgressEvery}", "LogEvery and ProgressEvery must be ≥ 1.");
    }

    static ArgumentException Bad(string name, object value, string why) => new($"Invalid SrganConfig.{name} = {value}: {why}", name);
}

/// <summary>
/// The SRGAN perceptual loss (Ledig et al. 2017, eqs. 3–7): l^SR = l_content + 10⁻³·l_Gen with l_Gen = −log D(G(I_LR))
/// (non-saturating) and the content loss the MSE between feature maps φ of the super-resolved and the true image. The
/// feature function is a constructor argument — a fixed, pre-trained network (VGG19 in the paper; in the course the
/// shipped classifier's <c>FeatureMap</c>, passed in by the notebook), never trained here.
/// </summary>
public static class SrganLosses
{
    /// <summary>Feature-space MSE: mean (φ(sr) − φ(hr))² over every feature.</summary>
    public static Tensor Content(Func<Tensor, Tensor> features, Tensor superResolved, Tensor highRes)
    {
        ArgumentNullException.ThrowIfNull(features);
        Tensor target;
        using (torch.no_grad()) target = features(highRes).detach();   // detach: φ may return its input itself
        return (features(superResolved) - target).square().mean();
    }

    /// <summary>Pixel MSE: mean (sr − hr)².</summary>
    public static Tensor Pixel(Tensor superResolved, Tensor highRes)
    {
        if (!superResolved.shape.SequenceEqual(highRes.shape)) throw new ArgumentException($"super-resolved {Shapes.Of(superResolved)} and true {Shapes.Of(highRes)} images must have the same shape.", nameof(highRes));
        return (superResolved - highRes).square().mean();
    }
}

/// <summary>
/// The SRGAN / SRResNet recipe: networks "G" (<see cref="SrResNet"/>) and "D"; phases "D" then "G" (D frozen), or only "G"
/// without a discriminator. Each phase draws true high-resolution images and makes their inputs by
/// <see cref="TranslationTasks.Downsample"/>. Run it with <c>new Trainer(SrganRecipe.Plan(…))</c> or <see cref="SrganTrainer"/>.
/// </summary>
public static class SrganRecipe
{
    /// <summary>The plan.</summary>
    /// <param name="g">Generator low → high resolution.</param>
    /// <param name="d">Discriminator on high-resolution images (ignored when not adversarial; pass any module).</param>
    /// <param name="highRes">Batches of true high-resolution images (<c>new AlignedBatches(seed, "data", images)</c>).</param>
    /// <param name="features">φ for the content loss (a fixed network's feature map, differentiable); required when ContentWeight &gt; 0.</param>
    /// <param name="config">Settings; validated.</param>
    /// <param name="device">null → the current device.</param>
    public static TrainingPlan Plan(Module<Tensor, Tensor> g, Module<Tensor, Tensor> d, AlignedBatches highRes, Func<Tensor, Tensor>? features, SrganConfig? config = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(g); ArgumentNullException.ThrowIfNull(d); ArgumentNullException.ThrowIfNull(highRes);
        var cfg = config ?? new SrganConfig();
        cfg.Validate();
        if (cfg.ContentWeight > 0 && features is null)
            throw new ArgumentException("ContentWeight > 0 needs a feature function φ (e.g. classifier.FeatureMap); pass it, or set ContentWeight = 0 and PixelWeight > 0.", nameof(features));
        if (g is SrResNet net && net.Scale != cfg.Scale) throw new ArgumentException($"the generator upsamples ×{net.Scale} but the config says ×{cfg.Scale}.", nameof(config));
        (Tensor LowRes, Tensor HighRes) Batch(Device device)
        {
            var hr = highRes.Next(cfg.BatchSize)[0].to(device);
            return (TranslationTasks.Downsample(hr, cfg.Scale), hr);
        }
        var phases = new List<Phase>();
        if (cfg.Adversarial)
            phases.Add(new Phase("D", "D", s =>
            {
                var (lr, hr) = Batch(s.Device);
                Tensor sr;
                using (torch.no_grad()) sr = g.call(lr);
                var real = d.call(hr); var fake = d.call(sr);
                s.Log("D(x)", () => GanLosses.MeanProbability(real));
                s.Log("D(G(z))", () => GanLosses.MeanProbability(fake));
                return GanLosses.DiscriminatorBce(real, fake);
            }));
        phases.Add(new Phase("G", "G", s =>
        {
            var (lr, hr) = Batch(s.Device);
            var sr = g.call(lr);
            var loss = torch.zeros([], device: s.Device);
            if (cfg.ContentWeight > 0)
            {
                var content = SrganLosses.Content(features!, sr, hr);
                s.Log("Content", () => content);
                loss = loss + cfg.ContentWeight * content;
            }
            var pixel = SrganLosses.Pixel(sr, hr);
            s.Log("MSE", () => pixel);
            if (cfg.PixelWeight > 0) loss = loss + cfg.PixelWeight * pixel;
            if (cfg.Adversarial && cfg.AdversarialWeight > 0)
            {
                var adversarial = GanLosses.GeneratorNonSaturating(d.call(sr));
                s.Log("Adversarial/G", () => adversarial);
                loss = loss + cfg.AdversarialWeight * adversarial;
            }
            return loss;
        }) { Frozen = cfg.Adversarial ? ["D"] : [] });
        var optimizers = new List<OptimizerDef> { OptimizerDef.For("G", cfg.Optimizer, "G") };
        if (cfg.Adversarial) optimizers.Add(OptimizerDef.For("D", cfg.Optimizer, "D"));
        return new TrainingPlan([("G", g), ("D", d)], optimizers, phases)
        {
            Options = new TrainerOptions { Device = device, LogEvery = cfg.LogEvery, ProgressEvery = cfg.ProgressEvery, Label = cfg.Describe() },
            Tracked = [highRes],
            StatusKeys = ["MSE", "Content"],
            Recipe = cfg,
        };
    }

    /// <summary>G(low-res) in eval mode, chunked, on the CPU.</summary>
    public static Tensor Upscale(this Trainer trainer, Tensor lowRes, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        return trainer.Apply("G", lowRes, useEma: true, batchSize);
    }
}

/// <summary>A <see cref="Trainer"/> running <see cref="SrganRecipe"/>'s plan, with its parts typed. It adds no loop.</summary>
public sealed class SrganTrainer : Trainer
{
    /// <summary>Builds the trainer (see <see cref="SrganRecipe.Plan"/>).</summary>
    public SrganTrainer(Module<Tensor, Tensor> g, Module<Tensor, Tensor> d, AlignedBatches highRes, Func<Tensor, Tensor>? features, SrganConfig? config = null, Device? device = null)
        : base(SrganRecipe.Plan(g, d, highRes, features, config, device))
    {
        G = g; D = d; Config = (SrganConfig)Plan.Recipe!;
    }

    /// <summary>The generator.</summary>
    public Module<Tensor, Tensor> G { get; }
    /// <summary>The discriminator.</summary>
    public Module<Tensor, Tensor> D { get; }
    /// <summary>The validated settings.</summary>
    public SrganConfig Config { get; }
}
