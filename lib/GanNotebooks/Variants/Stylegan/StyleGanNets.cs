using GanNotebooks.Core;
using GanNotebooks.Nets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Stylegan;

/// <summary>
/// A small StyleGAN (Karras, Laine, Aila 2019) with StyleGAN2's simplifications (Karras et al. 2020): mapping network
/// z → w, learned 4×4 constant, modulated + demodulated 3×3 convolutions (StyleGAN2 §2.2, in place of AdaIN), per-pixel
/// noise with a learned per-channel strength, style mixing, truncation around the running mean w̄, equalized learning
/// rates. Resolution 4·2^(n−1) for n = <see cref="Channels"/>.Length (32×32 with the default four entries).
/// </summary>
public sealed record StyleGanOptions
{
    /// <summary>Latent size of z (paper: 512).</summary>
    public int ZDim { get; init; } = 64;
    /// <summary>Size of w (paper: 512).</summary>
    public int WDim { get; init; } = 64;
    /// <summary>Fully connected layers of the mapping network (paper: 8).</summary>
    public int MappingLayers { get; init; } = 4;
    /// <summary>Learning-rate multiplier of the mapping network (paper: 0.01, App. C).</summary>
    public double MappingLrMultiplier { get; init; } = 0.01;
    /// <summary>G's channels at 4×4, 8×8, 16×16, 32×32 (one entry per resolution).</summary>
    public IReadOnlyList<int> Channels { get; init; } = [64, 64, 32, 16];
    /// <summary>D's channels at 32×32, 16×16, 8×8, 4×4 (same count as <see cref="Channels"/>).</summary>
    public IReadOnlyList<int> DChannels { get; init; } = [16, 32, 64, 64];
    /// <summary>Image channels (1 = grey).</summary>
    public int ImageChannels { get; init; } = 1;
    /// <summary>Probability of mixing two latents in a training batch (paper: 0.9, §3.1).</summary>
    public double StyleMixing { get; init; } = 0.9;
    /// <summary>Decay of the running mean w̄ that truncation pulls towards (official code: 0.995).</summary>
    public double WAverageDecay { get; init; } = 0.995;

    /// <summary>The kit's CPU preset for 32×32 grey images.</summary>
    public static StyleGanOptions Gray32 { get; } = new();

    /// <summary>Image side 4·2^(n−1).</summary>
    public int ImageSize => 4 << (Channels.Count - 1);

    /// <summary>Number of style inputs: one conv at 4×4, two per higher resolution, one toRGB: 2n.</summary>
    public int NumWs => 2 * Channels.Count;

    /// <summary>Throws with the field, the value and the fix.</summary>
    public void Validate()
    {
        if (ZDim < 1) throw Bad(nameof(ZDim), ZDim, "z needs ≥ 1 dimension (paper: 512; 64 on a CPU).");
        if (WDim < 1) throw Bad(nameof(WDim), WDim, "w needs ≥ 1 dimension (paper: 512; 64 on a CPU).");
        if (MappingLayers < 1) throw Bad(nameof(MappingLayers), MappingLayers, "the mapping network needs ≥ 1 layer (paper: 8).");
        if (!(MappingLrMultiplier > 0 && MappingLrMultiplier <= 1)) throw Bad(nameof(MappingLrMultiplier), MappingLrMultiplier, "the multiplier must lie in (0, 1] (paper: 0.01).");
        if (Channels is null || Channels.Count < 2 || Channels.Count > 8 || Channels.Any(c => c < 1))
            throw Bad(nameof(Channels), Channels is null ? "null" : string.Join(",", Channels), "give 2–8 positive channel counts, one per resolution from 4×4 up (e.g. 64, 64, 32, 16 for 32×32).");
        if (DChannels is null || DChannels.Count != Channels.Count || DChannels.Any(c => c < 1))
            throw Bad(nameof(DChannels), DChannels is null ? "null" : string.Join(",", DChannels), $"give {Channels.Count} positive channel counts, one per resolution from {ImageSize}×{ImageSize} down to 4×4.");
        if (ImageChannels is not (1 or 3)) throw Bad(nameof(ImageChannels), ImageChannels, "use 1 (grey) or 3 (RGB).");
        if (!(StyleMixing >= 0 && StyleMixing <= 1)) throw Bad(nameof(StyleMixing), StyleMixing, "a probability in [0, 1] (paper: 0.9).");
        if (!(WAverageDecay >= 0 && WAverageDecay < 1)) throw Bad(nameof(WAverageDecay), WAverageDecay, "a decay in [0, 1) (official code: 0.995).");
    }

    static ArgumentException Bad(string name, object value, string why) => new($"Invalid StyleGanOptions.{name} = {value}: {why}", name);
}

/// <summary>
/// StyleGAN2's modulated convolution (Karras et al. 2020, §2.2, eqs. 1–3), computed as "scale the input, convolve,
/// scale the output": the style s = A(w) scales input channel i, and demodulation divides output channel j by
/// σ_j = sqrt(Σ_{i,k} (s_i·w_ijk)² + ε), which equals modulating and demodulating the weights themselves.
/// Weights N(0, 1) with the equalized-lr scale 1/sqrt(fan-in); the affine A starts with bias 1 (s ≈ 1).
/// </summary>
public sealed class ModulatedConv2d : Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly EqualizedLinear affine;

    /// <summary>Builds the layer.</summary>
    public ModulatedConv2d(int inChannels, int outChannels, int kernel, int wDim, bool demodulate = true, bool upsample = false) : base(nameof(ModulatedConv2d))
    {
        if (kernel < 1 || kernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "use an odd kernel (1 or 3).");
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Demodulate = demodulate; Upsample = upsample;
        weight = Parameter(torch.randn(outChannels, inChannels, kernel, kernel));
        affine = new EqualizedLinear(wDim, inChannels, gain: 1.0, name: "affine");
        RegisterComponents();
        using (torch.no_grad())
            foreach (var (name, p) in affine.named_parameters()) if (name == "bias") p.fill_(1.0);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }
    /// <summary>Output channels.</summary>
    public int OutChannels { get; }
    /// <summary>Kernel side.</summary>
    public int Kernel { get; }
    /// <summary>Whether outputs are demodulated (false for toRGB).</summary>
    public bool Demodulate { get; }
    /// <summary>Whether the input is upsampled ×2 (nearest) first.</summary>
    public bool Upsample { get; }

    /// <summary>x [B, in, H, W], w [B, wDim] → [B, out, H, W] (2H × 2W when upsampling).</summary>
    public override Tensor forward(Tensor x, Tensor w)
    {
        using var scope = torch.NewDisposeScope();
        var s = affine.call(w);                                                   // [B, in]
        var wt = weight * (1.0 / Math.Sqrt(InChannels * Kernel * Kernel));
        var h = x * s.unsqueeze(2).unsqueeze(3);
        if (Upsample) h = functional.interpolate(h, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        var y = functional.conv2d(h, wt, padding: [Kernel / 2, Kernel / 2]);
        if (Demodulate)
        {
            var w2 = wt.square().sum(new long[] { 2, 3 });                        // [out, in]
            var d = (s.square().matmul(w2.t()) + 1e-8).rsqrt();                   // [B, out]
            y = y * d.unsqueeze(2).unsqueeze(3);
        }
        return y.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// One style layer: modulated 3×3 conv, + noise·strength (per-pixel noise [B, 1, H, W], learned per-channel strength,
/// starts at 0), + bias, LeakyReLU(0.2)·√2. State-dict keys "conv.*", "noise_strength", "bias".
/// </summary>
public sealed class StyleLayer : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly ModulatedConv2d conv;
    private readonly Parameter noise_strength;
    private readonly Parameter bias;

    /// <summary>Builds the layer.</summary>
    public StyleLayer(int inChannels, int outChannels, int wDim, bool upsample) : base(nameof(StyleLayer))
    {
        conv = new ModulatedConv2d(inChannels, outChannels, 3, wDim, demodulate: true, upsample: upsample);
        noise_strength = Parameter(torch.zeros(outChannels));
        bias = Parameter(torch.zeros(outChannels));
        RegisterComponents();
    }

    /// <summary>The learned per-channel noise strengths [out].</summary>
    public Tensor NoiseStrength => noise_strength;

    /// <summary>x [B, in, H, W], w [B, wDim], noise [B, 1, H', W'] (H' the output side) → [B, out, H', W'].</summary>
    public override Tensor forward(Tensor x, Tensor w, Tensor noise)
    {
        using var scope = torch.NewDisposeScope();
        var y = conv.call(x, w);
        if (!noise.shape.Skip(2).SequenceEqual(y.shape.Skip(2)))
            throw new ArgumentException($"noise {Shapes.Of(noise)} must match the layer's output size {Shapes.Of(y)} ([B, 1, H, W]).", nameof(noise));
        y = y + noise * noise_strength.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1);
        return (functional.leaky_relu(y, 0.2) * Math.Sqrt(2)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The synthesis network: learned constant [C0, 4, 4] → one style layer at 4×4 → per higher resolution an upsampling
/// style layer and a plain one → a modulated 1×1 toRGB (no demodulation, linear). Takes one w per layer:
/// ws [B, NumWs, WDim] (index 0 the coarsest). State-dict keys "const", "layers.{i}.*", "torgb.*", "rgb_bias".
/// </summary>
public sealed class StyleSynthesis : Module
{
    private readonly Parameter @const;
    private readonly ModuleList<StyleLayer> layers;
    private readonly ModulatedConv2d torgb;
    private readonly Parameter rgb_bias;
    readonly List<int> _sides = new();

    /// <summary>Builds the synthesis network.</summary>
    public StyleSynthesis(StyleGanOptions o) : base(nameof(StyleSynthesis))
    {
        ArgumentNullException.ThrowIfNull(o);
        Options = o;
        @const = Parameter(torch.randn(1, o.Channels[0], 4, 4));
        layers = new ModuleList<StyleLayer>();
        layers.Add(new StyleLayer(o.Channels[0], o.Channels[0], o.WDim, upsample: false));
        _sides.Add(4);
        for (int r = 1; r < o.Channels.Count; r++)
        {
            layers.Add(new StyleLayer(o.Channels[r - 1], o.Channels[r], o.WDim, upsample: true));
            layers.Add(new StyleLayer(o.Channels[r], o.Channels[r], o.WDim, upsample: false));
            _sides.Add(4 << r); _sides.Add(4 << r);
        }
        torgb = new ModulatedConv2d(o.Channels[^1], o.ImageChannels, 1, o.WDim, demodulate: false);
        rgb_bias = Parameter(torch.zeros(o.ImageChannels));
        RegisterComponents();
    }

    /// <summary>The layout.</summary>
    public StyleGanOptions Options { get; }

    /// <summary>Output side of every style layer (4, 8, 8, 16, 16, …): where each noise input lives.</summary>
    public IReadOnlyList<int> LayerSides => _sides;

    /// <summary>The style layers, coarse to fine.</summary>
    public IReadOnlyList<StyleLayer> Layers => layers.ToList();

    /// <summary>Fresh per-pixel noise for every layer: [B, 1, side, side] each (from <paramref name="generator"/> or torch's global one).</summary>
    public Tensor[] MakeNoise(long batch, Device? device = null, Generator? generator = null) =>
        _sides.Select(s => torch.randn(new long[] { batch, 1, s, s }, device: device ?? @const.device, generator: generator)).ToArray();

    /// <summary>ws [B, NumWs, WDim] (+ optional noise per layer, else fresh) → images [B, C, S, S].</summary>
    public Tensor Synthesize(Tensor ws, IReadOnlyList<Tensor>? noise = null)
    {
        ArgumentNullException.ThrowIfNull(ws);
        var o = Options;
        if (ws.dim() != 3 || ws.shape[1] != o.NumWs || ws.shape[2] != o.WDim)
            throw new ArgumentException($"the synthesis network takes ws [B, {o.NumWs}, {o.WDim}] (one w per layer); got {Shapes.Of(ws)}.", nameof(ws));
        if (noise is not null && noise.Count != layers.Count)
            throw new ArgumentException($"give one noise tensor per style layer ({layers.Count}); got {noise.Count}.", nameof(noise));
        using var scope = torch.NewDisposeScope();
        long b = ws.shape[0];
        var x = @const.expand(b, -1, -1, -1);
        for (int i = 0; i < layers.Count; i++)
        {
            var n = noise?[i] ?? torch.randn(new long[] { b, 1, _sides[i], _sides[i] }, device: ws.device);
            x = layers[i].call(x, ws.select(1, i), n);
        }
        var img = torgb.call(x, ws.select(1, o.NumWs - 1)) + rgb_bias.view(1, -1, 1, 1);
        return img.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// StyleGAN's generator: z [B, ZDim] → mapping (normalize z, then <see cref="StyleGanOptions.MappingLayers"/> equalized
/// FC + LeakyReLU(0.2)) → w [B, WDim] → one w per layer → synthesis → images [B, C, S, S] (linear output, about [−1, 1]).
/// In training mode <see cref="Module{T, TResult}.forward"/> keeps the running mean w̄ and applies style mixing
/// regularization with probability <see cref="StyleGanOptions.StyleMixing"/>; in eval mode it is a plain function of z
/// (and fresh noise). State-dict keys "mapping.*" (0.01 × lr), "synthesis.*", buffer "w_avg".
/// </summary>
public sealed class StyleGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential mapping;
    private readonly StyleSynthesis synthesis;
    private readonly Tensor w_avg;

    /// <summary>Builds G (weights from torch's global generator).</summary>
    public StyleGenerator(StyleGanOptions options) : base(nameof(StyleGenerator))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i < options.MappingLayers; i++)
        {
            layers.Add(($"{2 * i}", new EqualizedLinear(i == 0 ? options.ZDim : options.WDim, options.WDim, name: "fc")));
            layers.Add(($"{2 * i + 1}", LeakyReLU(0.2)));
        }
        mapping = Sequential(layers);
        synthesis = new StyleSynthesis(options);
        w_avg = torch.zeros(options.WDim);
        RegisterComponents();
    }

    /// <summary>The layout.</summary>
    public StyleGanOptions Options { get; }

    /// <summary>The synthesis network (noise inputs, layer sides).</summary>
    public StyleSynthesis Synthesis => synthesis;

    /// <summary>Number of per-layer styles.</summary>
    public int NumWs => Options.NumWs;

    /// <summary>The running mean w̄ [WDim] (updated by <see cref="Map"/> in training mode).</summary>
    public Tensor WAverage => w_avg;

    /// <summary>Parameter-name filter of the mapping network (for its own learning rate).</summary>
    public static bool IsMappingParameter(string name) => name.StartsWith("mapping.", StringComparison.Ordinal);

    /// <summary>z [B, ZDim] → w [B, WDim]; in training mode also moves w̄ towards the batch mean.</summary>
    public Tensor Map(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (z.dim() != 2 || z.shape[1] != Options.ZDim)
            throw new ArgumentException($"the mapping network takes z [B, {Options.ZDim}]; got {Shapes.Of(z)}.", nameof(z));
        using var scope = torch.NewDisposeScope();
        // Normalize z to the sphere of radius √ZDim (StyleGAN's normalize_2nd_moment).
        var x = z * (z.square().mean(new long[] { 1 }, keepdim: true) + 1e-8).rsqrt();
        var w = mapping.call(x);
        if (training)
            using (torch.no_grad())
                w_avg.copy_(w.detach().mean(new long[] { 0 }).lerp(w_avg, Options.WAverageDecay));
        return w.MoveToOuterDisposeScope();
    }

    /// <summary>w [B, WDim] → ws [B, NumWs, WDim] (the same w for every layer).</summary>
    public Tensor Broadcast(Tensor w) => w.unsqueeze(1).expand(-1, NumWs, -1);

    /// <summary>
    /// The truncation trick (StyleGAN §B / eq. in §2): w' = w̄ + ψ (w − w̄). ψ = 1 is the identity, ψ = 0 gives w̄ for
    /// every latent; works on w [B, WDim] or ws [B, NumWs, WDim].
    /// </summary>
    public Tensor Truncate(Tensor w, double psi)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (!double.IsFinite(psi)) throw new ArgumentOutOfRangeException(nameof(psi), psi, "ψ must be a finite number (1 = no truncation, 0 = the mean w̄; 0.5–0.7 is usual).");
        return w_avg.to(w.device) + psi * (w - w_avg.to(w.device));
    }

    /// <summary>
    /// Style mixing: layers 0 … crossover−1 (coarse) take their style from <paramref name="ws1"/>, layers crossover …
    /// NumWs−1 (fine) from <paramref name="ws2"/> (Karras et al. 2019, §3.1). Both [B, NumWs, WDim].
    /// </summary>
    public static Tensor MixStyles(Tensor ws1, Tensor ws2, int crossover)
    {
        ArgumentNullException.ThrowIfNull(ws1);
        ArgumentNullException.ThrowIfNull(ws2);
        if (ws1.dim() != 3 || !ws1.shape.SequenceEqual(ws2.shape))
            throw new ArgumentException($"both style stacks must be [B, NumWs, WDim] of one shape; got {Shapes.Of(ws1)} and {Shapes.Of(ws2)}.");
        long n = ws1.shape[1];
        if (crossover < 0 || crossover > n)
            throw new ArgumentOutOfRangeException(nameof(crossover), crossover, $"the crossover must lie in 0..{n} (0 = all from the second latent, {n} = all from the first).");
        using var scope = torch.NewDisposeScope();
        var mask = (torch.arange(n, device: ws1.device) < crossover).view(1, n, 1);
        return torch.where(mask, ws1, ws2).MoveToOuterDisposeScope();
    }

    /// <summary>Images of given styles ws [B, NumWs, WDim] with optional fixed noise.</summary>
    public Tensor Synthesize(Tensor ws, IReadOnlyList<Tensor>? noise = null) => synthesis.Synthesize(ws, noise);

    /// <summary>
    /// z [B, ZDim] → images. Training mode: with probability StyleMixing a second latent is mapped and the batch
    /// switches to it at a crossover drawn uniformly from 1..NumWs−1 (one per batch, as the official code does).
    /// </summary>
    public override Tensor forward(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        var ws = Broadcast(Map(z));
        if (training && Options.StyleMixing > 0 && torch.rand(1).item<float>() < Options.StyleMixing)
        {
            int crossover = (int)torch.randint(1, NumWs, new long[] { 1 }).item<long>();
            var ws2 = Broadcast(Map(torch.randn(z.shape, device: z.device)));
            ws = MixStyles(ws, ws2, crossover);
        }
        return synthesis.Synthesize(ws).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// StyleGAN2's discriminator, small: fromRGB 1×1 → per resolution two 3×3 convs (LeakyReLU 0.2) and a 2× average-pool
/// down to 4×4 → 3×3 conv → FC → FC → one logit [B, 1]. Equalized learning rates, no normalization (R1 is per sample).
/// </summary>
public sealed class StyleDiscriminator : Module<Tensor, Tensor>
{
    private readonly EqualizedConv2d fromrgb;
    private readonly ModuleList<EqualizedConv2d> convs;
    private readonly EqualizedLinear fc;
    private readonly EqualizedLinear @out;

    /// <summary>Builds D.</summary>
    public StyleDiscriminator(StyleGanOptions options) : base(nameof(StyleDiscriminator))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        var c = options.DChannels;
        fromrgb = new EqualizedConv2d(options.ImageChannels, c[0], 1);
        convs = new ModuleList<EqualizedConv2d>();
        for (int r = 0; r < c.Count - 1; r++)
        {
            convs.Add(new EqualizedConv2d(c[r], c[r], 3));
            convs.Add(new EqualizedConv2d(c[r], c[r + 1], 3));
        }
        convs.Add(new EqualizedConv2d(c[^1], c[^1], 3));
        fc = new EqualizedLinear(c[^1] * 16, c[^1]);
        @out = new EqualizedLinear(c[^1], 1, gain: 1.0);
        RegisterComponents();
    }

    /// <summary>The layout.</summary>
    public StyleGanOptions Options { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        int s = Options.ImageSize;
        if (x.dim() != 4 || x.shape[1] != Options.ImageChannels || x.shape[2] != s || x.shape[3] != s)
            throw new ArgumentException($"the discriminator takes images [B, {Options.ImageChannels}, {s}, {s}]; got {Shapes.Of(x)}.", nameof(x));
        using var scope = torch.NewDisposeScope();
        var h = functional.leaky_relu(fromrgb.call(x), 0.2);
        int k = 0;
        for (int r = 0; r < Options.DChannels.Count - 1; r++)
        {
            h = functional.leaky_relu(convs[k++].call(h), 0.2);
            h = functional.leaky_relu(convs[k++].call(h), 0.2);
            h = functional.avg_pool2d(h, 2);
        }
        h = functional.leaky_relu(convs[k].call(h), 0.2);
        h = functional.leaky_relu(fc.call(h.flatten(1)), 0.2);
        return @out.call(h).MoveToOuterDisposeScope();
    }
}
