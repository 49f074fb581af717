using GanNotebooks.Core;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Losses;
using GanNotebooks.Variants.Standard;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Conditional;

/// <summary>
/// The packed latent of a conditional generator: [B, zDim + K] = [z, one-hot(y)]. Packing the label into z lets
/// the generic trainer, <c>GanTrainer.Sample</c> and fixed-noise grids treat a conditional G like any other; the
/// objective reads the sampled labels back with <see cref="Labels"/>.
/// </summary>
public static class ConditionalLatent
{
    /// <summary>B → [B, zDim + K]: z ~ N(0, I) and labels uniform on 0..K−1.</summary>
    /// <param name="zDim">Noise size (≥ 1).</param>
    /// <param name="classCount">K ≥ 2.</param>
    /// <param name="device">null → <see cref="Devices.Current"/>.</param>
    /// <param name="generator">Optional torch generator (default: torch's global one).</param>
    public static Func<int, Tensor> Sampler(int zDim, int classCount, Device? device = null, Generator? generator = null)
    {
        Check(zDim, classCount);
        var dev = device ?? Devices.Current;
        return b =>
        {
            using var scope = torch.NewDisposeScope();
            var z = torch.randn(new long[] { b, zDim }, device: dev, generator: generator);
            var y = torch.randint(0, classCount, new long[] { b }, device: dev, generator: generator);
            return Pack(z, y, classCount).MoveToOuterDisposeScope();
        };
    }

    /// <summary>z [B, zDim] and labels int64 [B] → [B, zDim + K].</summary>
    public static Tensor Pack(Tensor z, Tensor labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(z); ArgumentNullException.ThrowIfNull(labels);
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "need at least 2 classes.");
        if (z.dim() != 2) throw new ArgumentException($"z must be [B, zDim]; got {Shapes.Of(z)}.", nameof(z));
        if (labels.dim() != 1 || labels.shape[0] != z.shape[0])
            throw new ArgumentException($"labels must be [B] with B = {z.shape[0]}; got {Shapes.Of(labels)}.", nameof(labels));
        using var scope = torch.NewDisposeScope();
        var onehot = torch.nn.functional.one_hot(labels.to_type(ScalarType.Int64).to(z.device), classCount).to_type(z.dtype);
        return torch.cat([z, onehot], 1).MoveToOuterDisposeScope();
    }

    /// <summary>The labels of a packed latent [B, zDim + K] → int64 [B] (argmax of the last K columns).</summary>
    public static Tensor Labels(Tensor packed, int classCount)
    {
        CheckPacked(packed, classCount);
        using var tail = packed.narrow(1, packed.shape[1] - classCount, classCount);
        return tail.argmax(1);
    }

    /// <summary>The noise part of a packed latent [B, zDim + K] → [B, zDim] (a view).</summary>
    public static Tensor Noise(Tensor packed, int classCount)
    {
        CheckPacked(packed, classCount);
        return packed.narrow(1, 0, packed.shape[1] - classCount);
    }

    /// <summary>
    /// A class-by-column latent grid for showing conditional samples: [K·perClass, zDim + K], row-major with one row
    /// of <paramref name="perClass"/> samples per class (class k in rows k·perClass … (k+1)·perClass − 1). With
    /// <paramref name="sharedNoise"/> every class uses the same <paramref name="perClass"/> noise vectors, so a
    /// column shows one "style" across classes. Render with <c>ImageGrid.FromTensor(G(z), nrow: perClass)</c>.
    /// </summary>
    public static Tensor PerClass(int zDim, int classCount, int perClass, bool sharedNoise = true, Device? device = null, Generator? generator = null)
    {
        Check(zDim, classCount);
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "show at least one sample per class.");
        var dev = device ?? Devices.Current;
        using var scope = torch.NewDisposeScope();
        var z = sharedNoise
            ? torch.randn(new long[] { perClass, zDim }, device: dev, generator: generator).repeat(classCount, 1)
            : torch.randn(new long[] { classCount * perClass, zDim }, device: dev, generator: generator);
        var y = torch.arange(classCount, device: dev).repeat_interleave(perClass);
        return Pack(z, y, classCount).MoveToOuterDisposeScope();
    }

    static void Check(int zDim, int classCount)
    {
        if (zDim < 1) throw new ArgumentOutOfRangeException(nameof(zDim), zDim, "the noise size must be ≥ 1.");
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "need at least 2 classes.");
    }

    static void CheckPacked(Tensor packed, int classCount)
    {
        ArgumentNullException.ThrowIfNull(packed);
        if (packed.dim() != 2 || packed.shape[1] <= classCount)
            throw new ArgumentException($"expected a packed latent [B, zDim + {classCount}]; got {Shapes.Of(packed)}. Build it with ConditionalLatent.Pack.", nameof(packed));
    }
}

/// <summary>
/// Conditional GAN objective (Mirza &amp; Osindero 2014; with a projection discriminator, Miyato &amp; Koyama 2018):
/// D scores (real image, its label) against (G(z, y), y) with y the label packed into the latent; G is trained to
/// make D accept its samples as images of the asked class. The losses come from any
/// <see cref="LogitGanObjective"/> (default: <see cref="NonSaturatingGan"/>; a hinge or least-squares one works
/// the same way). Needs a trainer built with a labelled real sampler, a G that reads the packed latent
/// (<see cref="ConditionalGenerator"/>) and an <see cref="IConditionalDiscriminator"/>. Logs "D(x)" and "D(G(z))".
/// </summary>
public sealed class ConditionalGan : IGanObjective
{
    readonly LogitGanObjective _losses;
    readonly IConditionalDiscriminator _discriminator;

    /// <summary>Builds the objective for the trainer's discriminator.</summary>
    /// <param name="discriminator">The discriminator that takes labels (e.g. <see cref="ProjectionDiscriminator"/>) — the module the
    /// trainer trains as D. The objective keeps it typed, so it never casts the trainer's networks. K is its class count (≥ 2).</param>
    /// <param name="losses">The adversarial losses (default non-saturating).</param>
    public ConditionalGan(IConditionalDiscriminator discriminator, LogitGanObjective? losses = null)
    {
        _discriminator = discriminator ?? throw new ArgumentNullException(nameof(discriminator));
        if (discriminator.ClassCount < 2) throw new ArgumentOutOfRangeException(nameof(discriminator), discriminator.ClassCount, "a conditional GAN needs at least 2 classes.");
        ClassCount = discriminator.ClassCount;
        _losses = losses ?? new NonSaturatingGan();
    }

    /// <summary>K.</summary>
    public int ClassCount { get; }

    /// <inheritdoc/>
    public string Name => $"Conditional({_losses.Name})";

    /// <inheritdoc/>
    public Tensor DiscriminatorLoss(GanStepContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var d = Discriminator(ctx);
        var realLabels = ctx.RealLabels ?? throw new InvalidOperationException(
            "ConditionalGan needs the labels of the real images, but the trainer was built with an unlabelled sampler. " +
            "Pass a labelled one: new GanTrainer(G, D, objective, data.LabelledBatchSampler(seed), ConditionalLatent.Sampler(zDim, K), config).");
        var r = d.Forward(ctx.Real, realLabels);
        var f = d.Forward(ctx.Fake, ConditionalLatent.Labels(ctx.Z, ClassCount));
        ctx.Log("D(x)", () => GanLosses.MeanProbability(r));
        ctx.Log("D(G(z))", () => GanLosses.MeanProbability(f));
        return _losses.DiscriminatorLossFromLogits(r, f);
    }

    /// <inheritdoc/>
    public Tensor GeneratorLoss(GanStepContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var f = Discriminator(ctx).Forward(ctx.Fake, ConditionalLatent.Labels(ctx.Z, ClassCount));
        return _losses.GeneratorLossFromLogits(f);
    }

    IConditionalDiscriminator Discriminator(GanStepContext ctx)
    {
        if (!ReferenceEquals(ctx.Discriminator, _discriminator))
            throw new InvalidOperationException(
                $"ConditionalGan was built for another discriminator than the trainer's ({ctx.Discriminator.GetType().Name}); pass the trainer's D to both: new GanTrainer(g, d, new ConditionalGan(d), …).");
        var d = _discriminator;
        if (ctx.Z.dim() != 2 || ctx.Z.shape[1] <= ClassCount)
            throw new InvalidOperationException($"ConditionalGan reads the labels from the packed latent [B, zDim + {ClassCount}]; the latent batch is {Shapes.Of(ctx.Z)}. Use ConditionalLatent.Sampler.");
        return d;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
