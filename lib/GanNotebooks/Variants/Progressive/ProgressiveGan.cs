using GanNotebooks.Core;
using GanNotebooks.Nets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Progressive;

/// <summary>
/// Sizes of a progressive GAN (Karras et al. 2018): latent size, image channels, the largest
/// resolution, and the channel count at each resolution, channels(r) = min(ChannelMax, ChannelBase / r)
/// (the official fmap_base / fmap_max rule). Resolutions are 4, 8, 16, …, <see cref="MaxResolution"/>;
/// level ℓ is resolution 4·2^ℓ. Presets: <see cref="Small"/> (CPU, 32×32), <see cref="Tiny"/> (tests),
/// <see cref="Paper"/>.
/// </summary>
public sealed record ProgressiveGanConfig
{
    /// <summary>Latent size Z (512 in the paper).</summary>
    public int LatentDim { get; init; } = 64;
    /// <summary>Image channels: 1 (Fashion-MNIST) or 3 (RGB).</summary>
    public int ImageChannels { get; init; } = 3;
    /// <summary>The largest resolution, a power of two ≥ 4 (32 for the course data).</summary>
    public int MaxResolution { get; init; } = 32;
    /// <summary>channels(r) = min(ChannelMax, ChannelBase / r); the paper: 16384 (its fmap_base 8192 counts stages from 2×2).</summary>
    public int ChannelBase { get; init; } = 1024;
    /// <summary>Upper bound on channels (512 in the paper).</summary>
    public int ChannelMax { get; init; } = 64;
    /// <summary>Minibatch-stddev group size (4 in the paper); batch sizes must be multiples of it.</summary>
    public int MinibatchGroupSize { get; init; } = 4;
    /// <summary>Leaky ReLU slope (0.2 in the paper).</summary>
    public double LeakySlope { get; init; } = 0.2;

    /// <summary>CPU course preset for 32×32: Z = 64, channels 64, 64, 64, 32 at 4, 8, 16, 32.</summary>
    public static ProgressiveGanConfig Small { get; } = new();

    /// <summary>A very small net for unit tests: Z = 8, channels 8, 8, 4, 2 at 4, 8, 16, 32.</summary>
    public static ProgressiveGanConfig Tiny { get; } = new() { LatentDim = 8, ChannelBase = 64, ChannelMax = 8 };

    /// <summary>The paper's sizes (Z = 512, channels min(512, 16384 / r)) up to <paramref name="maxResolution"/> (1024 for CelebA-HQ).</summary>
    public static ProgressiveGanConfig Paper(int maxResolution = 1024, int imageChannels = 3) =>
        new() { LatentDim = 512, ChannelBase = 16384, ChannelMax = 512, MaxResolution = maxResolution, ImageChannels = imageChannels };

    /// <summary>Number of levels: log2(MaxResolution) − 1 (4 for 32×32: 4, 8, 16, 32).</summary>
    public int Levels => LevelOf(MaxResolution) + 1;

    /// <summary>The highest level index, Levels − 1.</summary>
    public int MaxLevel => Levels - 1;

    /// <summary>Channels at a resolution (≥ 1).</summary>
    public int ChannelsAt(int resolution)
    {
        LevelOf(resolution);
        return Math.Max(1, Math.Min(ChannelMax, ChannelBase / resolution));
    }

    /// <summary>Channels at a level.</summary>
    public int ChannelsAtLevel(int level) => ChannelsAt(ResolutionOf(level));

    /// <summary>The level of a resolution: 4 → 0, 8 → 1, … (throws unless it is a power of two ≥ 4).</summary>
    public static int LevelOf(int resolution)
    {
        if (resolution < 4 || (resolution & (resolution - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "progressive resolutions are powers of two ≥ 4 (4, 8, 16, 32, …).");
        return System.Numerics.BitOperations.Log2((uint)resolution) - 2;
    }

    /// <summary>The resolution of a level: 4·2^level.</summary>
    public static int ResolutionOf(int level)
    {
        if (level < 0 || level > 28) throw new ArgumentOutOfRangeException(nameof(level), level, "a level is ≥ 0 (level 0 is 4×4).");
        return 4 << level;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad knob and how to fix it.</summary>
    public void Validate()
    {
        if (LatentDim < 1) throw Bad(nameof(LatentDim), LatentDim, "the latent size must be ≥ 1 (64 for the course, 512 in the paper).");
        if (ImageChannels < 1) throw Bad(nameof(ImageChannels), ImageChannels, "use 1 for grey images or 3 for RGB.");
        if (MaxResolution < 4 || (MaxResolution & (MaxResolution - 1)) != 0) throw Bad(nameof(MaxResolution), MaxResolution, "the largest resolution must be a power of two ≥ 4 (e.g. 32).");
        if (ChannelBase < 1) throw Bad(nameof(ChannelBase), ChannelBase, "must be ≥ 1 (channels(r) = min(ChannelMax, ChannelBase / r)).");
        if (ChannelMax < 1) throw Bad(nameof(ChannelMax), ChannelMax, "must be ≥ 1.");
        if (MinibatchGroupSize < 1) throw Bad(nameof(MinibatchGroupSize), MinibatchGroupSize, "the minibatch-stddev group size must be ≥ 1 (4 in the paper).");
        if (!(LeakySlope >= 0 && LeakySlope < 1)) throw Bad(nameof(LeakySlope), LeakySlope, "the leaky ReLU slope must be in [0, 1) (0.2 in the paper).");
    }

    static ArgumentException Bad(string name, object value, string why) => new($"Invalid ProgressiveGanConfig.{name} = {value}: {why}", name);
}

/// <summary>
/// The generator's or discriminator's current stage: which level is the output / input resolution,
/// and the fade-in weight α of its newest block (1 = fully grown).
/// </summary>
/// <param name="Level">0 for 4×4, 1 for 8×8, …</param>
/// <param name="Alpha">α in [0, 1]; ignored at level 0.</param>
public readonly record struct ProgressiveStage(int Level, double Alpha)
{
    /// <summary>4·2^Level.</summary>
    public int Resolution => ProgressiveGanConfig.ResolutionOf(Level);

    /// <summary>The stage at a resolution (4, 8, 16, …) with fade-in weight α.</summary>
    public static ProgressiveStage At(int resolution, double alpha = 1.0) => new(ProgressiveGanConfig.LevelOf(resolution), alpha);

    /// <inheritdoc/>
    public override string ToString() => Alpha >= 1 || Level == 0 ? $"{Resolution}×{Resolution}" : $"{Resolution}×{Resolution} (α = {Alpha:F3})";
}

/// <summary>
/// Progressive GAN generator (Karras et al. 2018, Table 2): z [B, Z] → images [B, C, r, r] at the current
/// <see cref="Stage"/>'s resolution r. It holds every block up to <see cref="ProgressiveGanConfig.MaxResolution"/>
/// from the start (as the official implementation does with its "lod" input) and runs only those up to the
/// current level, so early stages are cheap and the state dict never changes shape: a checkpoint taken at any
/// stage loads into a freshly built generator.
/// <para>
/// Blocks: level 0 = pixel-norm(z) → dense to 4×4×C₀ → conv 3×3; level ℓ ≥ 1 = upsample ×2 → conv 3×3 → conv 3×3.
/// Every conv is followed by leaky ReLU(0.2) and pixel norm; every layer has an equalized learning rate. Each
/// level has a toRGB (1×1 conv, linear output). During a fade-in of level ℓ with weight α the output is
/// (1 − α)·upsample(toRGB_{ℓ−1}(h_{ℓ−1})) + α·toRGB_ℓ(block_ℓ(h_{ℓ−1})).
/// </para>
/// </summary>
public sealed class ProgressiveGenerator : Module<Tensor, Tensor>
{
    // State-dict keys: "blocks.0.dense.weight", "blocks.1.conv0.weight", …, "toRgb.2.weight", …
    private readonly ModuleList<Module<Tensor, Tensor>> blocks;
    private readonly ModuleList<EqualizedConv2d> toRgb;
    private readonly PixelNorm pixelNorm;
    ProgressiveStage _stage;

    /// <summary>The sizes.</summary>
    public ProgressiveGanConfig Config { get; }

    /// <summary>Latent size Z.</summary>
    public int LatentDim => Config.LatentDim;

    /// <summary>Builds all blocks (weights N(0, 1), scaled at run time) and starts at 4×4.</summary>
    /// <param name="config">Sizes (default <see cref="ProgressiveGanConfig.Small"/>); validated here.</param>
    public ProgressiveGenerator(ProgressiveGanConfig? config = null) : base(nameof(ProgressiveGenerator))
    {
        Config = config ?? ProgressiveGanConfig.Small;
        Config.Validate();
        double slope = Config.LeakySlope;
        var list = new List<Module<Tensor, Tensor>>();
        var rgb = new List<EqualizedConv2d>();
        for (int level = 0; level < Config.Levels; level++)
        {
            int c = Config.ChannelsAtLevel(level);
            list.Add(level == 0
                ? new GeneratorFirstBlock(Config.LatentDim, c, slope)
                : new GeneratorUpBlock(Config.ChannelsAtLevel(level - 1), c, slope));
            // toRGB has gain 1: its output is the image itself, not the input of a ReLU (official code).
            rgb.Add(new EqualizedConv2d(c, Config.ImageChannels, 1, gain: 1.0, name: "toRgb"));
        }
        blocks = new ModuleList<Module<Tensor, Tensor>>(list.ToArray());
        toRgb = new ModuleList<EqualizedConv2d>(rgb.ToArray());
        pixelNorm = new PixelNorm();
        _stage = new ProgressiveStage(0, 1.0);
        RegisterComponents();
    }

    /// <summary>The current level and fade-in weight (set by the trainer via <see cref="SetStage(ProgressiveStage)"/>).</summary>
    public ProgressiveStage Stage => _stage;

    /// <summary>The output resolution r of the current stage.</summary>
    public int Resolution => _stage.Resolution;

    /// <summary>Sets level and α; throws when the level exceeds the built network or α is outside [0, 1].</summary>
    public void SetStage(ProgressiveStage stage) => _stage = CheckStage(stage, Config);

    /// <summary>Sets the stage by resolution (4, 8, …) and α.</summary>
    public void SetStage(int resolution, double alpha = 1.0) => SetStage(ProgressiveStage.At(resolution, alpha));

    /// <summary>z [B, Z] (or [B, Z, 1, 1]) → images [B, C, r, r], r = <see cref="Resolution"/>, roughly in [−1, 1] once trained (linear output).</summary>
    public override Tensor forward(Tensor z)
    {
        var x = z.dim() == 4 && z.shape[2] == 1 && z.shape[3] == 1 ? z.flatten(1) : z;
        if (x.dim() != 2 || x.shape[1] != Config.LatentDim)
            throw new ArgumentException($"ProgressiveGenerator expects z [B, {Config.LatentDim}] (or [B, {Config.LatentDim}, 1, 1]); got {Shapes.Of(z)}.", nameof(z));
        int level = _stage.Level;
        // Normalizing the latent to the unit hypersphere (official normalize_latents) keeps z's scale out of the picture.
        var h = blocks[0].call(pixelNorm.call(x));
        for (int l = 1; l < level; l++) h = blocks[l].call(h);
        if (level == 0) return toRgb[0].call(h);
        var grown = toRgb[level].call(blocks[level].call(h));
        double a = _stage.Alpha;
        if (a >= 1) return grown;
        // Fade-in (Karras et al. 2018, Fig. 2b): blend with the previous level's image, upsampled.
        var old = ProgressiveResample.Upsample(toRgb[level - 1].call(h), 2);
        return old + (grown - old) * a;
    }

    internal static ProgressiveStage CheckStage(ProgressiveStage stage, ProgressiveGanConfig config)
    {
        if (stage.Level < 0 || stage.Level > config.MaxLevel)
            throw new ArgumentOutOfRangeException(nameof(stage), stage.Level,
                $"level {stage.Level} does not exist: this network has levels 0…{config.MaxLevel} (4×4 … {config.MaxResolution}×{config.MaxResolution}). Build it with a larger MaxResolution to grow further.");
        if (!(stage.Alpha >= 0 && stage.Alpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(stage), stage.Alpha, "the fade-in weight α must be in [0, 1].");
        return stage;
    }
}

/// <summary>Level-0 block of G: z [B, Z] → dense → [B, C, 4, 4] → lrelu → pixel norm → conv 3×3 → lrelu → pixel norm.</summary>
internal sealed class GeneratorFirstBlock : Module<Tensor, Tensor>
{
    private readonly EqualizedLinear dense;
    private readonly EqualizedConv2d conv;
    private readonly PixelNorm norm;
    private readonly int _channels;
    private readonly double _slope;

    public GeneratorFirstBlock(int latentDim, int channels, double slope) : base("block0")
    {
        _channels = channels;
        _slope = slope;
        // Gain √2/4 as in the official code: the dense layer is a 4×4 "transposed conv" from a 1×1 input.
        dense = new EqualizedLinear(latentDim, channels * 16, gain: Math.Sqrt(2) / 4, name: "dense");
        conv = new EqualizedConv2d(channels, channels, 3, name: "conv");
        norm = new PixelNorm();
        RegisterComponents();
    }

    public override Tensor forward(Tensor z)
    {
        var h = dense.call(z).reshape(z.shape[0], _channels, 4, 4);
        h = norm.call(functional.leaky_relu(h, _slope));
        return norm.call(functional.leaky_relu(conv.call(h), _slope));
    }
}

/// <summary>Level-ℓ block of G: [B, C_{ℓ−1}, r/2, r/2] → upsample → conv → lrelu → PN → conv → lrelu → PN → [B, C_ℓ, r, r].</summary>
internal sealed class GeneratorUpBlock : Module<Tensor, Tensor>
{
    private readonly EqualizedConv2d conv0;
    private readonly EqualizedConv2d conv1;
    private readonly PixelNorm norm;
    private readonly double _slope;

    public GeneratorUpBlock(int inChannels, int outChannels, double slope) : base("up")
    {
        _slope = slope;
        conv0 = new EqualizedConv2d(inChannels, outChannels, 3, name: "conv0");
        conv1 = new EqualizedConv2d(outChannels, outChannels, 3, name: "conv1");
        norm = new PixelNorm();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = ProgressiveResample.Upsample(x, 2);
        h = norm.call(functional.leaky_relu(conv0.call(h), _slope));
        return norm.call(functional.leaky_relu(conv1.call(h), _slope));
    }
}

/// <summary>
/// Progressive GAN discriminator / critic (Karras et al. 2018, Table 2): images [B, C, r, r] at the current
/// <see cref="Stage"/>'s resolution → one score per sample [B, 1] (no sigmoid: a WGAN-GP critic). Like the
/// generator it holds every block from the start and runs only those from the current level down.
/// <para>
/// fromRGB_ℓ = 1×1 conv + lrelu; block ℓ ≥ 1 = conv 3×3 → conv 3×3 → average-pool ×2; block 0 = minibatch
/// stddev → conv 3×3 → dense → dense(1). During a fade-in of level ℓ the features entering block ℓ−1 are
/// (1 − α)·fromRGB_{ℓ−1}(downsample(x)) + α·block_ℓ(fromRGB_ℓ(x)). No normalization layers, so it is safe with
/// a gradient penalty (only the minibatch-stddev feature couples the samples of a group).
/// </para>
/// </summary>
public sealed class ProgressiveDiscriminator : Module<Tensor, Tensor>
{
    private readonly ModuleList<Module<Tensor, Tensor>> blocks;
    private readonly ModuleList<EqualizedConv2d> fromRgb;
    private readonly double _slope;
    ProgressiveStage _stage;

    /// <summary>The sizes.</summary>
    public ProgressiveGanConfig Config { get; }

    /// <summary>Builds all blocks and starts at 4×4.</summary>
    /// <param name="config">Sizes (default <see cref="ProgressiveGanConfig.Small"/>); validated here.</param>
    public ProgressiveDiscriminator(ProgressiveGanConfig? config = null) : base(nameof(ProgressiveDiscriminator))
    {
        Config = config ?? ProgressiveGanConfig.Small;
        Config.Validate();
        _slope = Config.LeakySlope;
        var list = new List<Module<Tensor, Tensor>>();
        var rgb = new List<EqualizedConv2d>();
        for (int level = 0; level < Config.Levels; level++)
        {
            int c = Config.ChannelsAtLevel(level);
            list.Add(level == 0
                ? new DiscriminatorFinalBlock(c, Config.MinibatchGroupSize, _slope)
                : new DiscriminatorDownBlock(c, Config.ChannelsAtLevel(level - 1), _slope));
            rgb.Add(new EqualizedConv2d(Config.ImageChannels, c, 1, name: "fromRgb"));
        }
        blocks = new ModuleList<Module<Tensor, Tensor>>(list.ToArray());
        fromRgb = new ModuleList<EqualizedConv2d>(rgb.ToArray());
        _stage = new ProgressiveStage(0, 1.0);
        RegisterComponents();
    }

    /// <summary>The current level and fade-in weight.</summary>
    public ProgressiveStage Stage => _stage;

    /// <summary>The input resolution r of the current stage.</summary>
    public int Resolution => _stage.Resolution;

    /// <summary>Sets level and α.</summary>
    public void SetStage(ProgressiveStage stage) => _stage = ProgressiveGenerator.CheckStage(stage, Config);

    /// <summary>Sets the stage by resolution (4, 8, …) and α.</summary>
    public void SetStage(int resolution, double alpha = 1.0) => SetStage(ProgressiveStage.At(resolution, alpha));

    /// <summary>x [B, C, r, r] (r = <see cref="Resolution"/>; B a multiple of the minibatch group size when B &gt; it) → scores [B, 1].</summary>
    public override Tensor forward(Tensor x)
    {
        int level = _stage.Level, r = _stage.Resolution;
        if (x.dim() != 4 || x.shape[1] != Config.ImageChannels || x.shape[2] != r || x.shape[3] != r)
            throw new ArgumentException(
                $"ProgressiveDiscriminator at stage {_stage} expects images [B, {Config.ImageChannels}, {r}, {r}]; got {Shapes.Of(x)}. " +
                "Resize the batch to the current resolution (ProgressiveResample.Resize) or set the stage with SetStage.", nameof(x));
        var h = functional.leaky_relu(fromRgb[level].call(x), _slope);
        if (level > 0)
        {
            h = blocks[level].call(h);
            double a = _stage.Alpha;
            if (a < 1)
            {
                // Fade-in (Karras et al. 2018, Fig. 2b): blend with the old input path on the half-resolution image.
                var old = functional.leaky_relu(fromRgb[level - 1].call(ProgressiveResample.Downsample(x, 2)), _slope);
                h = old + (h - old) * a;
            }
            for (int l = level - 1; l >= 1; l--) h = blocks[l].call(h);
        }
        return blocks[0].call(h);
    }
}

/// <summary>Level-ℓ block of D: [B, C_ℓ, r, r] → conv → lrelu → conv → lrelu → avg-pool → [B, C_{ℓ−1}, r/2, r/2].</summary>
internal sealed class DiscriminatorDownBlock : Module<Tensor, Tensor>
{
    private readonly EqualizedConv2d conv0;
    private readonly EqualizedConv2d conv1;
    private readonly double _slope;

    public DiscriminatorDownBlock(int inChannels, int outChannels, double slope) : base("down")
    {
        _slope = slope;
        conv0 = new EqualizedConv2d(inChannels, inChannels, 3, name: "conv0");
        conv1 = new EqualizedConv2d(inChannels, outChannels, 3, name: "conv1");
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = functional.leaky_relu(conv0.call(x), _slope);
        h = functional.leaky_relu(conv1.call(h), _slope);
        return ProgressiveResample.Downsample(h, 2);
    }
}

/// <summary>Level-0 block of D: [B, C, 4, 4] → minibatch stddev → conv 3×3 → lrelu → dense → lrelu → dense → [B, 1].</summary>
internal sealed class DiscriminatorFinalBlock : Module<Tensor, Tensor>
{
    private readonly MinibatchStdDev mbstd;
    private readonly EqualizedConv2d conv;
    private readonly EqualizedLinear dense0;
    private readonly EqualizedLinear dense1;
    private readonly double _slope;

    public DiscriminatorFinalBlock(int channels, int groupSize, double slope) : base("block0")
    {
        _slope = slope;
        mbstd = new MinibatchStdDev(groupSize);
        conv = new EqualizedConv2d(channels + 1, channels, 3, name: "conv");
        dense0 = new EqualizedLinear(channels * 16, channels, name: "dense0");
        // The score is linear (gain 1), as in the official code.
        dense1 = new EqualizedLinear(channels, 1, gain: 1.0, name: "dense1");
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = functional.leaky_relu(conv.call(mbstd.call(x)), _slope);
        h = functional.leaky_relu(dense0.call(h.flatten(1)), _slope);
        return dense1.call(h);
    }
}
