using GanNotebooks.Core;
using GanNotebooks.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Wavegan;

/// <summary>
/// Layout of WaveGAN's nets (Donahue, McAuley, Puckette 2019, Table 2): a dense layer to [16, 16·d] … here the
/// generator starts at 16 samples × <c>TopChannels</c> and every transposed convolution (kernel 25, stride 4)
/// multiplies the length by 4 and halves the channels; the discriminator mirrors it with strided convolutions
/// (kernel 25, stride 4), LeakyReLU(0.2), phase shuffle after every layer but the last, no BatchNorm (WGAN-GP).
/// </summary>
public sealed record WaveganOptions
{
    /// <summary>Samples per clip: 16·4^k (4096 with k = 4 — our CPU size; the paper's 16384 has k = 5).</summary>
    public int Length { get; init; } = 4096;
    /// <summary>Latent size (paper: 100).</summary>
    public int ZDim { get; init; } = 100;
    /// <summary>Model size d: the first map has 2^(k−1)·d channels, the last hidden one d (paper d = 64).</summary>
    public int ModelSize { get; init; } = 16;
    /// <summary>Kernel length (paper: 25).</summary>
    public int Kernel { get; init; } = 25;
    /// <summary>Phase shuffle radius n in D (paper: 2; 0 turns it off).</summary>
    public int PhaseShuffle { get; init; } = 2;
    /// <summary>LeakyReLU slope in D (paper: 0.2).</summary>
    public double LeakySlope { get; init; } = 0.2;

    /// <summary>The kit's CPU preset: 4096 samples (0.51 s at 8 kHz), d = 16.</summary>
    public static WaveganOptions Cpu4096 { get; } = new();

    /// <summary>Number of stride-4 layers k (Length = 16·4^k).</summary>
    public int Layers
    {
        get
        {
            int k = 0;
            for (long l = Length; l > 16 && l % 4 == 0; l /= 4) k++;
            return k;
        }
    }

    /// <summary>Channels at length 16: 2^(k−1)·d.</summary>
    public int TopChannels => ModelSize << (Layers - 1);

    /// <summary>Throws with the field, the value and the fix when the layout is impossible.</summary>
    public void Validate()
    {
        int k = Layers;
        if (Length < 64 || 16L << (2 * k) != Length)
            throw Bad(nameof(Length), Length, "a clip must have 16·4^k samples with k ≥ 2 (256, 1024, 4096, 16384, 65536): each layer changes the length by the stride 4.");
        if (ZDim < 1) throw Bad(nameof(ZDim), ZDim, "the latent size must be ≥ 1 (paper: 100).");
        if (ModelSize < 1 || (long)ModelSize << (k - 1) > 1 << 14) throw Bad(nameof(ModelSize), ModelSize, $"d must be ≥ 1 and 2^{k - 1}·d ≤ 16384 channels (paper d = 64; 8–16 on a CPU).");
        if (Kernel < 5 || Kernel % 2 == 0) throw Bad(nameof(Kernel), Kernel, "the kernel must be odd and ≥ 5 so that padding keeps the lengths exact (paper: 25).");
        if (PhaseShuffle < 0 || PhaseShuffle >= 16) throw Bad(nameof(PhaseShuffle), PhaseShuffle, "phase shuffle n must be 0 (off) or 1..15 samples (paper: 2); it must be shorter than D's shortest map.");
        if (!(LeakySlope >= 0 && LeakySlope < 1)) throw Bad(nameof(LeakySlope), LeakySlope, "the LeakyReLU slope must be in [0, 1) (paper: 0.2).");
    }

    static ArgumentException Bad(string name, object value, string why) => new($"Invalid WaveganOptions.{name} = {value}: {why}", name);

    /// <summary>
    /// WaveGAN's training recipe (paper §5 / Table 4): WGAN-GP with λ = 10 (<c>new WassersteinGpGan(10)</c>), 5 D steps
    /// per G step, Adam lr 1e-4, β = (0.5, 0.9) for both, batch 64 (pass a smaller one on a CPU).
    /// </summary>
    public static GanTrainerConfig TrainerConfig(int batchSize = 64) => new()
    {
        BatchSize = batchSize, DSteps = 5, LrG = 1e-4, LrD = 1e-4, BetasG = (0.5, 0.9), BetasD = (0.5, 0.9),
    };
}

/// <summary>
/// Phase shuffle (Donahue et al. 2019, §3.3): shifts each sample's feature map by k ∈ {−n, …, n} samples (uniform, one
/// k per example, shared by its channels) and fills the gap by reflection, so D cannot rely on the exact phase of
/// periodic artefacts that transposed convolutions leave. Length is unchanged. Active only in training mode; draws
/// from torch's global generator (a checkpoint restores it).
/// </summary>
public sealed class PhaseShuffle : Module<Tensor, Tensor>
{
    /// <summary>Builds the layer.</summary>
    /// <param name="n">Largest shift in samples (0 = identity).</param>
    public PhaseShuffle(int n) : base(nameof(PhaseShuffle))
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "the phase shuffle radius n must be ≥ 0 samples (paper: 2).");
        N = n;
    }

    /// <summary>Largest shift n.</summary>
    public int N { get; }

    /// <summary>x [B, C, L] → [B, C, L], each example shifted by its own k (training mode only).</summary>
    public override Tensor forward(Tensor x) => N == 0 || !training ? x.alias() : Shift(x, N);

    /// <summary>Shifts each example of [B, C, L] by a random k ∈ [−n, n] (reflection padding); returns the shifted maps.</summary>
    public static Tensor Shift(Tensor x, int n, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 3) throw new ArgumentException($"phase shuffle takes feature maps [B, C, L]; got {Shapes.Of(x)}.", nameof(x));
        if (n == 0) return x.alias();
        using var k = torch.randint(-n, n + 1, new long[] { x.shape[0] }, dtype: ScalarType.Int64, device: x.device, generator: generator);
        return Shift(x, n, k);
    }

    /// <summary>Shifts example b of [B, C, L] by the given k[b] (one per example, |k| ≤ n), reflection padding.</summary>
    public static Tensor Shift(Tensor x, int n, long[] k)
    {
        ArgumentNullException.ThrowIfNull(k);
        if (k.Length != x.shape[0]) throw new ArgumentException($"one shift per example: {k.Length} shifts for a batch of {x.shape[0]}.", nameof(k));
        if (k.Any(v => Math.Abs(v) > n)) throw new ArgumentOutOfRangeException(nameof(k), $"every shift must lie in [−{n}, {n}]; got {string.Join(", ", k)}.");
        using var kt = torch.tensor(k);
        return Shift(x, n, kt);
    }

    /// <summary>Shifts example b of [B, C, L] by k[b] samples to the right (negative: left), |k| ≤ n, reflection padding.</summary>
    public static Tensor Shift(Tensor x, int n, Tensor k)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(k);
        long b = x.shape[0], c = x.shape[1], l = x.shape[2];
        if (n >= l) throw new ArgumentException($"a shift of up to {n} samples needs maps longer than {n}; got length {l}.", nameof(n));
        using var scope = torch.NewDisposeScope();
        var padded = torch.nn.functional.pad(x, new long[] { n, n }, PaddingModes.Reflect);    // [B, C, L + 2n]
        // Output position t of example b reads padded position t + n − k[b]: a shift by k to the right.
        var start = (n - k.to(x.device)).view(b, 1, 1);
        var idx = (torch.arange(l, dtype: ScalarType.Int64, device: x.device).view(1, 1, l) + start).expand(b, c, l);
        return padded.gather(2, idx).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// WaveGAN's generator: z [B, ZDim] → dense → [B, 2^(k−1)·d, 16] → ReLU → k × (ConvTranspose1d(kernel 25, stride 4),
/// ReLU), the last with tanh and one channel: [B, 1, Length] in [−1, 1]. No BatchNorm (paper, Table 2).
/// State-dict keys: "dense.*", "up.{i}.*".
/// </summary>
public sealed class WaveganGenerator : Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly ModuleList<ConvTranspose1d> up;

    /// <summary>The layout.</summary>
    public WaveganOptions Options { get; }

    /// <summary>Builds G with PyTorch's default initialisation.</summary>
    public WaveganGenerator(WaveganOptions options) : base(nameof(WaveganGenerator))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        int ch = options.TopChannels, pad = (options.Kernel - 3) / 2;
        dense = Linear(options.ZDim, 16L * ch);
        up = new ModuleList<ConvTranspose1d>();
        for (int i = 0; i < options.Layers; i++)
        {
            int next = i == options.Layers - 1 ? 1 : ch / 2;
            // Length 4·L: (L − 1)·4 − 2·pad + kernel + output_padding = 4L with pad = (kernel − 3)/2 and output_padding 1 (11 and 1 for kernel 25).
            up.Add(ConvTranspose1d(ch, next, options.Kernel, stride: 4, padding: pad, output_padding: 1));
            ch = next;
        }
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor z)
    {
        if (z.dim() != 2 || z.shape[1] != Options.ZDim)
            throw new ArgumentException($"WaveGAN's generator takes z [B, {Options.ZDim}]; got {Shapes.Of(z)}.", nameof(z));
        using var scope = torch.NewDisposeScope();
        var x = functional.relu(dense.call(z).view(z.shape[0], Options.TopChannels, 16));
        for (int i = 0; i < up.Count; i++)
        {
            x = up[i].call(x);
            x = i == up.Count - 1 ? torch.tanh(x) : functional.relu(x);
        }
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// WaveGAN's discriminator (critic): x [B, 1, Length] → k × (Conv1d(kernel 25, stride 4), LeakyReLU(0.2), phase
/// shuffle n — not after the last) → flatten → linear → [B, 1] scores. No BatchNorm (WGAN-GP's per-sample penalty).
/// State-dict keys: "down.{i}.*", "head.*".
/// </summary>
public sealed class WaveganDiscriminator : Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv1d> down;
    private readonly Linear head;
    private readonly PhaseShuffle shuffle;

    /// <summary>The layout.</summary>
    public WaveganOptions Options { get; }

    /// <summary>Builds D with PyTorch's default initialisation.</summary>
    public WaveganDiscriminator(WaveganOptions options) : base(nameof(WaveganDiscriminator))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        down = new ModuleList<Conv1d>();
        int cin = 1, cout = options.ModelSize;
        for (int i = 0; i < options.Layers; i++)
        {
            // Length L/4: (L + 2·pad − kernel)/4 + 1 = L/4 with pad = 11 for kernel 25.
            down.Add(Conv1d(cin, cout, options.Kernel, stride: 4, padding: (options.Kernel - 3) / 2));
            cin = cout;
            cout *= 2;
        }
        head = Linear(16L * cin, 1);
        shuffle = new PhaseShuffle(options.PhaseShuffle);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 3 || x.shape[1] != 1 || x.shape[2] != Options.Length)
            throw new ArgumentException($"WaveGAN's discriminator takes clips [B, 1, {Options.Length}]; got {Shapes.Of(x)}.", nameof(x));
        using var scope = torch.NewDisposeScope();
        var h = x;
        for (int i = 0; i < down.Count; i++)
        {
            h = functional.leaky_relu(down[i].call(h), Options.LeakySlope);
            if (i < down.Count - 1) h = shuffle.call(h);
        }
        return head.call(h.flatten(1)).MoveToOuterDisposeScope();
    }
}
