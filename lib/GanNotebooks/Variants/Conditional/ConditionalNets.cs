using GanNotebooks.Core;
using GanNotebooks.Nets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Conditional;

/// <summary>
/// A discriminator that scores an image together with its class label (conditional GAN). The trainer only
/// moves and optimizes it; a conditional objective calls <see cref="Forward"/>.
/// </summary>
public interface IConditionalDiscriminator
{
    /// <summary>K, the number of classes (labels are 0..K−1).</summary>
    int ClassCount { get; }

    /// <summary>images [B, C, H, W] and labels int64 [B] → logits [B].</summary>
    Tensor Forward(Tensor images, Tensor labels);
}

/// <summary>
/// Conditional DCGAN generator (Mirza &amp; Osindero 2014, "Conditional Generative Adversarial Nets": y is fed to G
/// together with z). The input is the packed latent [B, ZDim + K] = [z, one-hot(y)] that
/// <c>ConditionalLatent</c> builds, so the generic trainer can drive it like any G. The one-hot goes through
/// a bias-free linear layer <c>embed</c> — exactly an embedding table E[y] of size K × EmbeddingDim, but it also
/// accepts soft labels (class interpolation) — and [z, E y] feeds a <see cref="DcganGenerator"/>.
/// </summary>
public sealed class ConditionalGenerator : Module<Tensor, Tensor>
{
    private readonly Linear embed;
    private readonly DcganGenerator net;

    /// <summary>Noise size (without the label part).</summary>
    public int ZDim { get; }

    /// <summary>K, the number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Size of the label embedding concatenated to z.</summary>
    public int EmbeddingDim { get; }

    /// <summary>Width of the packed input: ZDim + K.</summary>
    public int InputSize => ZDim + ClassCount;

    /// <summary>Builds G; the inner DCGAN gets latent size ZDim + EmbeddingDim.</summary>
    /// <param name="options">DCGAN shape; its <see cref="DcganOptions.ZDim"/> is the noise size.</param>
    /// <param name="classCount">K ≥ 2.</param>
    /// <param name="embeddingDim">Label embedding size (≥ 1; default 16).</param>
    /// <param name="initGenerator">Optional torch generator for the initial weights.</param>
    public ConditionalGenerator(DcganOptions options, int classCount, int embeddingDim = 16, Generator? initGenerator = null)
        : base(nameof(ConditionalGenerator))
    {
        ArgumentNullException.ThrowIfNull(options);
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "a conditional generator needs at least 2 classes.");
        if (embeddingDim < 1) throw new ArgumentOutOfRangeException(nameof(embeddingDim), embeddingDim, "the label embedding size must be ≥ 1 (16 is plenty for 10 classes).");
        options.Validate();
        ZDim = options.ZDim;
        ClassCount = classCount;
        EmbeddingDim = embeddingDim;
        embed = Linear(classCount, embeddingDim, hasBias: false);
        net = new DcganGenerator(options with { ZDim = options.ZDim + embeddingDim }, initGenerator);
        RegisterComponents();
        // Embedding rows ~ N(0, 1) (nn.Embedding's default): the label code has the same scale as z ~ N(0, I),
        // which the DCGAN init's 0.02 would shrink into noise.
        using (torch.no_grad())
        using (var w = torch.randn(embed.weight!.shape, generator: initGenerator))
            embed.weight!.copy_(w);
    }

    /// <summary>Packed latent [B, ZDim + K] = [z, one-hot(y)] → images [B, C, H, W] in (−1, 1).</summary>
    public override Tensor forward(Tensor packed)
    {
        if (packed.dim() != 2 || packed.shape[1] != InputSize)
            throw new ArgumentException(
                $"ConditionalGenerator expects the packed latent [B, {InputSize}] = [z ({ZDim}), one-hot label ({ClassCount})]; got {Shapes.Of(packed)}. " +
                "Build it with ConditionalLatent.Pack(z, labels, classCount) or sample it with ConditionalLatent.Sampler.", nameof(packed));
        using var scope = torch.NewDisposeScope();
        var z = packed.narrow(1, 0, ZDim);
        var y = packed.narrow(1, ZDim, ClassCount);
        return net.call(torch.cat([z, embed.call(y)], 1)).MoveToOuterDisposeScope();
    }

    /// <summary>z [B, ZDim] and labels int64 [B] → images [B, C, H, W].</summary>
    public Tensor Generate(Tensor z, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(z); ArgumentNullException.ThrowIfNull(labels);
        using var scope = torch.NewDisposeScope();
        if (z.dim() != 2 || z.shape[1] != ZDim)
            throw new ArgumentException($"z must be [B, {ZDim}]; got {Shapes.Of(z)}.", nameof(z));
        if (labels.dim() != 1 || labels.shape[0] != z.shape[0])
            throw new ArgumentException($"labels must be [B] with B = {z.shape[0]}; got {Shapes.Of(labels)}.", nameof(labels));
        var onehot = functional.one_hot(labels.to_type(ScalarType.Int64), ClassCount).to_type(z.dtype);
        return forward(torch.cat([z, onehot], 1)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Projection discriminator (Miyato &amp; Koyama 2018, "cGANs with Projection Discriminator", eq. 3):
/// D(x, y) = ψ(φ(x)) + ⟨e_y, φ(x)⟩, with φ the <see cref="DcganDiscriminator"/> body (flattened features [B, F]),
/// ψ its linear head and e_y a learned class embedding [K, F]. The inner product makes D ask "is this a real
/// image of class y" rather than only "is it real". Calling the one-argument <c>forward</c> throws: the labels
/// are required (the <c>ConditionalGan</c> objective supplies them).
/// </summary>
public sealed class ProjectionDiscriminator : Module<Tensor, Tensor>, IConditionalDiscriminator
{
    private readonly DcganDiscriminator net;
    private readonly Embedding embed;

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <summary>The DCGAN shape.</summary>
    public DcganOptions Options => net.Options;

    /// <summary>Builds D (DCGAN body and head plus a K × F class embedding, N(0, 0.02²) like the head).</summary>
    /// <param name="options">DCGAN shape (validated).</param>
    /// <param name="classCount">K ≥ 2.</param>
    /// <param name="initGenerator">Optional torch generator for the initial weights.</param>
    public ProjectionDiscriminator(DcganOptions options, int classCount, Generator? initGenerator = null) : base(nameof(ProjectionDiscriminator))
    {
        ArgumentNullException.ThrowIfNull(options);
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "a conditional discriminator needs at least 2 classes.");
        ClassCount = classCount;
        net = new DcganDiscriminator(options, initGenerator);
        embed = Embedding(classCount, options.FeatureSize);
        RegisterComponents();
        using (torch.no_grad())
        using (var w = torch.randn(embed.weight!.shape, generator: initGenerator))
            embed.weight!.copy_(w.mul_(Dcgan.InitStd));
    }

    /// <summary>images [B, C, H, W], labels int64 [B] in 0..K−1 → logits [B].</summary>
    public Tensor Forward(Tensor images, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(images); ArgumentNullException.ThrowIfNull(labels);
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0] || labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"labels must be int64 [B] with B = {images.shape[0]}; got {labels.dtype} {Shapes.Of(labels)}.", nameof(labels));
        using var scope = torch.NewDisposeScope();
        var phi = net.Features(images);                            // [B, F]
        var projection = (embed.call(labels) * phi).sum(1);        // ⟨e_y, φ(x)⟩, [B]
        return (net.Head(phi) + projection).MoveToOuterDisposeScope();
    }

    /// <summary>Not available: a projection discriminator needs labels. Throws <see cref="InvalidOperationException"/>.</summary>
    public override Tensor forward(Tensor images) =>
        throw new InvalidOperationException(
            "ProjectionDiscriminator needs the class labels: call Forward(images, labels), or train it with the ConditionalGan objective " +
            "and a labelled real sampler (new GanTrainer(G, D, new ConditionalGan(D), data.LabelledBatchSampler(seed), ConditionalLatent.Sampler(zDim, K), config)).");
}
