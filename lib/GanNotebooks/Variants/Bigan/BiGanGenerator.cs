using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Bigan;

/// <summary>
/// The "generator side" of BiGAN: the generator G (z → x) and the encoder E (x → z) in one module, so that
/// <see cref="Training.GanTrainer"/> optimizes both with its generator optimizer (Donahue et al. 2017, §3:
/// G and E play together against D). Calling it is calling G: z [B, ...] → x [B, ...], so sampling, EMA and
/// checkpoints work unchanged. State-dict keys are "generator.*" and "encoder.*".
/// </summary>
public sealed class BiGanGenerator : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> generator;
    private readonly Module<Tensor, Tensor> encoder;

    /// <summary>Wraps G and E (they stay usable on their own; their parameters are shared, not copied).</summary>
    /// <param name="generator">G: z [B, ...] → x [B, ...].</param>
    /// <param name="encoder">E: x [B, ...] → z [B, ...], the same latent shape G takes.</param>
    public BiGanGenerator(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> encoder) : base("BiGanGenerator")
    {
        this.generator = generator ?? throw new ArgumentNullException(nameof(generator));
        this.encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        if (ReferenceEquals(generator, encoder)) throw new ArgumentException("G and E must be two different modules.");
        RegisterComponents();
    }

    /// <summary>G: z → x.</summary>
    public Module<Tensor, Tensor> Generator => generator;

    /// <summary>E: x → z.</summary>
    public Module<Tensor, Tensor> Encoder => encoder;

    /// <summary>G(z): z [B, ...] → x [B, ...] (with graph in train mode; the trainer calls this).</summary>
    public override Tensor forward(Tensor z) => generator.call(z);

    /// <summary>E(x): x [B, ...] → z [B, ...] with graph (what the BiGAN objective calls in the G/E step).</summary>
    public Tensor Encode(Tensor x) => encoder.call(x);

    /// <summary>
    /// E(x) for evaluation: eval mode, no gradients, in chunks of <paramref name="batchSize"/>; x [N, ...] → z [N, ...]
    /// on E's device. The module's train/eval mode is restored afterwards.
    /// </summary>
    public Tensor EncodeEval(Tensor x, int batchSize = 512) => ApplyEval(encoder, x, batchSize);

    /// <summary>G(z) for evaluation (eval mode, no gradients, chunked): z [N, ...] → x [N, ...].</summary>
    public Tensor GenerateEval(Tensor z, int batchSize = 512) => ApplyEval(generator, z, batchSize);

    /// <summary>G(E(x)) for evaluation (eval mode, no gradients, chunked): x [N, ...] → x̂ [N, ...] (G's output shape).</summary>
    public Tensor ReconstructEval(Tensor x, int batchSize = 512)
    {
        using var scope = torch.NewDisposeScope();
        return GenerateEval(EncodeEval(x, batchSize), batchSize).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Runs any module in eval mode without gradients over x [N, ...] in chunks of <paramref name="batchSize"/>
    /// along dim 0, concatenating the outputs [N, ...]. Input is moved to the module's device. The module's
    /// train/eval mode is restored. Used for feature extraction (E(x)) and for random-encoder baselines.
    /// </summary>
    /// <param name="module">Any module with parameters (its first parameter's device is used).</param>
    /// <param name="x">[N, ...], N ≥ 1.</param>
    /// <param name="batchSize">Chunk size (≥ 1).</param>
    public static Tensor ApplyEval(Module<Tensor, Tensor> module, Tensor x, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(x);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the chunk size must be ≥ 1.");
        if (x.dim() < 1 || x.shape[0] < 1) throw new ArgumentException($"x must be a non-empty batch [N, ...]; got {Shapes.Of(x)}.", nameof(x));
        var device = module.parameters().FirstOrDefault()?.device ?? x.device;
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var parts = new List<Tensor>();
            long n = x.shape[0];
            for (long i = 0; i < n; i += batchSize)
            {
                var chunk = x.narrow(0, i, Math.Min(batchSize, n - i));
                parts.Add(module.call(chunk.to(device)));
            }
            return (parts.Count == 1 ? parts[0] : torch.cat(parts, 0)).MoveToOuterDisposeScope();
        }
        finally { module.train(wasTraining); }
    }
}
