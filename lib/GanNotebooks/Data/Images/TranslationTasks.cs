using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Data.Images;

/// <summary>The fixed, known map from domain A to domain B of an unpaired task (<see cref="TranslationTasks.Unpaired"/>).</summary>
public enum DomainTransform
{
    /// <summary>B = −A on the [−1, 1] scale: dark items on a white ground (its own inverse).</summary>
    Invert,
    /// <summary>B = −A turned upside down (flip of the rows): a non-local map a convolution cannot do pixel by pixel (its own inverse).</summary>
    InvertFlip,
}

/// <summary>An unpaired image-translation task: disjoint training sets of A and B, and held-out pairs for evaluation.</summary>
/// <param name="TrainA">Domain A training images [NA, 1, H, W] (labels of the A images in <paramref name="TrainALabels"/>).</param>
/// <param name="TrainALabels">Labels of <paramref name="TrainA"/> [NA] (training does not use them).</param>
/// <param name="TrainB">Domain B training images [NB, 1, H, W]: the transform of a disjoint set of images.</param>
/// <param name="TrainBLabels">Labels of the images <paramref name="TrainB"/> was made from [NB].</param>
/// <param name="TestA">Held-out A images [NT, 1, H, W], disjoint from both training sets.</param>
/// <param name="TestB">The true translations T(TestA) [NT, 1, H, W]: the pairs training never sees.</param>
/// <param name="TestLabels">Labels of the held-out images [NT].</param>
/// <param name="Transform">The transform T with B = T(A).</param>
public sealed record UnpairedTask(Tensor TrainA, Tensor TrainALabels, Tensor TrainB, Tensor TrainBLabels,
    Tensor TestA, Tensor TestB, Tensor TestLabels, DomainTransform Transform);

/// <summary>
/// Deterministic image-translation tasks made from shipped images, so that every output has a known right answer:
/// edges → image (pix2pix), an unpaired A/B split under a fixed transform (CycleGAN), low → high resolution (SRGAN).
/// Images are [N, 1, H, W] in [−1, 1].
/// </summary>
public static class TranslationTasks
{
    /// <summary>
    /// Sobel edge map (Sobel and Feldman 1968): the gradient magnitude √(g_x² + g_y²) of the image on the [0, 1] scale
    /// (3×3 Sobel kernels, zero padding: the background), clipped to [0, 1] and returned on the [−1, 1] scale (−1 = no
    /// edge, 1 = an edge of strength ≥ 1). The input of the pix2pix edges → items task: the outline is kept, the
    /// interior shading and texture are gone and must be filled in. Images [N, 1, H, W] → edges [N, 1, H, W].
    /// </summary>
    public static Tensor SobelEdges(Tensor images)
    {
        CheckImages(images);
        using var scope = torch.NewDisposeScope();
        var x = (images + 1) / 2;
        var kx = torch.tensor(new float[] { -1, 0, 1, -2, 0, 2, -1, 0, 1 }, device: images.device).reshape(1, 1, 3, 3).to_type(images.dtype);
        var ky = kx.transpose(2, 3);
        var gx = nn.functional.conv2d(x, kx, padding: [1, 1]);
        var gy = nn.functional.conv2d(x, ky, padding: [1, 1]);
        var magnitude = (gx * gx + gy * gy).sqrt().clamp(0, 1);
        return (magnitude * 2 - 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Downsampling by an integer factor by averaging each factor×factor block (area downsampling; Ledig et al. 2017
    /// used a bicubic kernel — averaging keeps the course's low-resolution inputs exactly reproducible).
    /// Images [N, C, H, W] with H, W divisible by <paramref name="factor"/> → [N, C, H/factor, W/factor].
    /// </summary>
    public static Tensor Downsample(Tensor images, int factor)
    {
        CheckImages(images, channels: false);
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), factor, "the downsampling factor must be ≥ 1 (2 or 4 for ×2 / ×4 super-resolution).");
        if (images.shape[2] % factor != 0 || images.shape[3] % factor != 0)
            throw new ArgumentException($"images {Shapes.Of(images)} cannot be split into {factor}×{factor} blocks; use a factor that divides the side (28: 2, 4, 7) or pad first.", nameof(images));
        return factor == 1 ? images.clone() : nn.functional.avg_pool2d(images, factor, factor);
    }

    /// <summary>
    /// Bicubic upsampling (Keys 1981 kernel, a = −0.75 as in PyTorch; align_corners false), clipped to [−1, 1]: the
    /// baseline every super-resolution paper compares with. Images [N, C, h, w] → [N, C, h·factor, w·factor].
    /// </summary>
    public static Tensor Bicubic(Tensor images, int factor)
    {
        CheckImages(images, channels: false);
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), factor, "the upsampling factor must be ≥ 1.");
        using var scope = torch.NewDisposeScope();
        var up = nn.functional.interpolate(images, size: [images.shape[2] * factor, images.shape[3] * factor], mode: InterpolationMode.Bicubic, align_corners: false);
        return up.clamp(-1, 1).MoveToOuterDisposeScope();
    }

    /// <summary>The fixed transform T of an unpaired task, applied to images [N, 1, H, W] in [−1, 1].</summary>
    public static Tensor Apply(DomainTransform transform, Tensor images)
    {
        CheckImages(images, channels: false);
        return transform switch
        {
            DomainTransform.Invert => -images,
            DomainTransform.InvertFlip => -images.flip(2),
            _ => throw new ArgumentOutOfRangeException(nameof(transform), transform, "unknown transform"),
        };
    }

    /// <summary>
    /// An unpaired task from a labelled image set: the first <paramref name="trainPerDomain"/> images are domain A, the
    /// next <paramref name="trainPerDomain"/> are made into domain B by <paramref name="transform"/>, and the next
    /// <paramref name="test"/> are held out with their true translations. The three sets are disjoint, so no training
    /// image of A has its own translation in B (Zhu et al. 2017: "unpaired"); evaluation uses the held-out pairs.
    /// </summary>
    public static UnpairedTask Unpaired(ImageDataset data, int trainPerDomain, int test, DomainTransform transform)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (trainPerDomain < 1 || test < 1)
            throw new ArgumentOutOfRangeException(nameof(trainPerDomain), $"need ≥ 1 training image per domain and ≥ 1 test image; got {trainPerDomain} and {test}.");
        if (2L * trainPerDomain + test > data.Count)
            throw new ArgumentException($"{data.Name} has {data.Count} images; 2 × {trainPerDomain} training + {test} test images do not fit. Use fewer.", nameof(trainPerDomain));
        int n = trainPerDomain;
        var testA = data.Images[(2 * n)..(2 * n + test)].clone();
        return new UnpairedTask(
            data.Images[..n].clone(), data.Labels[..n].clone(),
            Apply(transform, data.Images[n..(2 * n)]), data.Labels[n..(2 * n)].clone(),
            testA, Apply(transform, testA), data.Labels[(2 * n)..(2 * n + test)].clone(), transform);
    }

    static void CheckImages(Tensor images, bool channels = true)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || (channels && images.shape[1] != 1))
            throw new ArgumentException($"expected images [N, {(channels ? "1" : "C")}, H, W]; got {Shapes.Of(images)}. Add the channel dimension with unsqueeze(1).", nameof(images));
        if (!images.is_floating_point()) throw new ArgumentException($"images must be floating point in [−1, 1]; got {images.dtype}.", nameof(images));
    }
}

/// <summary>
/// Seeded batches of aligned tensors (pairs for pix2pix, or one tensor alone): each call takes the next B indices of a
/// shuffled order (<see cref="EpochSampler"/>) and returns the rows of every tensor at those indices. Its position is
/// checkpoint state (a trainer tracks it).
/// </summary>
public sealed class AlignedBatches : ICheckpointable
{
    readonly Tensor[] _tensors;
    readonly EpochSampler _order;

    /// <summary>Batches over tensors with the same first dimension.</summary>
    /// <param name="seed">Seed of the order (System.Random, independent of torch's generator).</param>
    /// <param name="checkpointKey">Section name in a checkpoint (unique per trainer).</param>
    /// <param name="tensors">The aligned tensors, e.g. (inputs, targets); kept by reference, not copied.</param>
    public AlignedBatches(long seed, string checkpointKey, params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("give at least one tensor to draw batches from.", nameof(tensors));
        long n = tensors[0].shape[0];
        foreach (var t in tensors)
            if (t.dim() == 0 || t.shape[0] != n)
                throw new ArgumentException($"aligned tensors need the same first dimension; got {string.Join(" and ", tensors.Select(Shapes.Of))}.", nameof(tensors));
        if (n < 1) throw new ArgumentException("the tensors hold no rows.", nameof(tensors));
        _tensors = tensors;
        _order = new EpochSampler((int)n, seed, checkpointKey);
    }

    /// <summary>Rows per tensor.</summary>
    public int Count => _order.Count;

    /// <summary>The next <paramref name="batchSize"/> rows of every tensor, in the order the tensors were given.</summary>
    public Tensor[] Next(int batchSize)
    {
        using var idx = _order.NextTensor(batchSize, _tensors[0].device);
        return _tensors.Select(t => t.index_select(0, idx)).ToArray();
    }

    /// <inheritdoc/>
    public string CheckpointKey => _order.CheckpointKey;
    /// <inheritdoc/>
    public void WriteState(BinaryWriter writer) => _order.WriteState(writer);
    /// <inheritdoc/>
    public void ReadState(BinaryReader reader) => _order.ReadState(reader);
}
