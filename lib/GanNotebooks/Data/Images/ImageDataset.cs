using GanNotebooks.Core;
using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Data.Images;

/// <summary>
/// A labelled image dataset held as two tensors on one device: images [N, C, H, W] float32 (scaled as
/// <see cref="Scale"/> says) and labels [N] int64, plus the class names. The dataset owns its tensors
/// (they are detached from dispose scopes); dispose it to free them.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    /// <summary>
    /// Wraps existing tensors. Takes ownership: the tensors are detached from any dispose scope and freed by
    /// <see cref="Dispose"/>.
    /// </summary>
    /// <param name="images">float [N, C, H, W].</param>
    /// <param name="labels">int64 [N] with values in [0, classNames.Count).</param>
    /// <param name="classNames">Name of each label value.</param>
    /// <param name="name">Shown by <see cref="ToString"/>.</param>
    /// <param name="scale">How pixel values were scaled (decides the padding/background value).</param>
    public ImageDataset(Tensor images, Tensor labels, IReadOnlyList<string> classNames, string name = "images",
        PixelScale scale = PixelScale.MinusOneToOne)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (images.dim() != 4)
            throw new ArgumentException($"images must be [N, C, H, W]; got shape {Shapes.Of(images)}.", nameof(images));
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException(
                $"labels must be [N] with N = {images.shape[0]} (one per image); got shape {Shapes.Of(labels)}.", nameof(labels));
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"labels must be int64; got {labels.dtype}. Use labels.to_type(ScalarType.Int64).", nameof(labels));
        if (!images.is_floating_point())
            throw new ArgumentException($"images must be floating point (scaled pixels); got {images.dtype}.", nameof(images));
        if (images.device.type != labels.device.type || images.device.index != labels.device.index)
            throw new ArgumentException($"images are on {images.device} but labels on {labels.device}; put both on one device.", nameof(labels));
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        ClassNames = classNames.ToArray();
        Name = name;
        Scale = scale;
    }

    /// <summary>Images, float [N, C, H, W].</summary>
    public Tensor Images { get; }
    /// <summary>Labels, int64 [N].</summary>
    public Tensor Labels { get; }
    /// <summary>Class name of each label value (index = label).</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>A short name (e.g. "Fashion-MNIST test").</summary>
    public string Name { get; }
    /// <summary>How pixel values are scaled.</summary>
    public PixelScale Scale { get; }
    /// <summary>The value of an empty (black) pixel: −1 for [−1, 1], 0 for [0, 1]; used for padding.</summary>
    public float Background => Scale == PixelScale.MinusOneToOne ? -1f : 0f;

    /// <summary>N, the number of images.</summary>
    public int Count => (int)Images.shape[0];
    /// <summary>C, channels per image (1 gray, 3 RGB).</summary>
    public int Channels => (int)Images.shape[1];
    /// <summary>H, image height in pixels.</summary>
    public int Height => (int)Images.shape[2];
    /// <summary>W, image width in pixels.</summary>
    public int Width => (int)Images.shape[3];
    /// <summary>The shape of one image, [C, H, W].</summary>
    public long[] ImageShape => [Channels, Height, Width];
    /// <summary>The device holding the tensors.</summary>
    public Device Device => Images.device;

    /// <summary>How many images each class has (index = label).</summary>
    public long[] ClassCounts()
    {
        using var scope = torch.NewDisposeScope();
        var counts = torch.bincount(Labels.cpu(), minlength: ClassNames.Count);
        return counts.data<long>().ToArray();
    }

    /// <summary>A copy with the first <paramref name="n"/> images (or all when fewer).</summary>
    public ImageDataset Take(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be positive.");
        n = Math.Min(n, Count);
        using var scope = torch.NewDisposeScope();
        return new ImageDataset(Images[..n].clone(), Labels[..n].clone(), ClassNames, Name, Scale);
    }

    /// <summary>A copy holding only the images whose label is one of <paramref name="labels"/> (original labels kept).</summary>
    public ImageDataset OfClasses(params int[] labels)
    {
        if (labels.Length == 0) throw new ArgumentException("Give at least one label.", nameof(labels));
        foreach (var l in labels)
            if (l < 0 || l >= ClassNames.Count)
                throw new ArgumentOutOfRangeException(nameof(labels), l, $"Labels run from 0 to {ClassNames.Count - 1}.");
        using var scope = torch.NewDisposeScope();
        var wanted = torch.tensor(labels.Select(l => (long)l).ToArray(), device: Device);
        var mask = torch.isin(Labels, wanted);
        var idx = torch.nonzero(mask).squeeze(1);
        return new ImageDataset(Images.index_select(0, idx), Labels.index_select(0, idx), ClassNames,
            $"{Name} [{string.Join(",", labels.Select(l => ClassNames[l]))}]", Scale);
    }

    /// <summary>A copy on another device.</summary>
    public ImageDataset To(Device device)
    {
        using var scope = torch.NewDisposeScope();
        return new ImageDataset(Images.to(device), Labels.to(device), ClassNames, Name, Scale);
    }

    /// <summary>
    /// A copy padded to size×size with the background value (−1 in [−1, 1]), the image centred
    /// (28 → 32 adds 2 pixels on each side). Used to feed 28×28 MNIST-style images to a DCGAN whose
    /// stride-2 layers need a power-of-two size.
    /// </summary>
    /// <param name="size">Target height and width, at least the current ones.</param>
    public ImageDataset PadTo(int size) => PadTo(size, size);

    /// <summary>A copy padded to height×width with the background value, the image centred.</summary>
    public ImageDataset PadTo(int height, int width)
    {
        if (height < Height || width < Width)
            throw new ArgumentOutOfRangeException(nameof(height),
                $"Cannot pad {Height}×{Width} images to {height}×{width}: padding only grows images. Use a size ≥ {Math.Max(Height, Width)}.");
        int top = (height - Height) / 2, left = (width - Width) / 2;
        using var scope = torch.NewDisposeScope();
        // pad takes (left, right, top, bottom) for the last two dimensions.
        var padded = torch.nn.functional.pad(Images, [left, width - Width - left, top, height - Height - top],
            PaddingModes.Constant, Background);
        return new ImageDataset(padded, Labels.clone(), ClassNames, Name, Scale);
    }

    /// <summary>Images and labels at the given indices: ([B, C, H, W], [B]).</summary>
    public (Tensor Images, Tensor Labels) Batch(ReadOnlySpan<long> indices)
    {
        using var idx = torch.tensor(indices.ToArray(), device: Device);
        return (Images.index_select(0, idx), Labels.index_select(0, idx));
    }

    /// <summary>
    /// A seeded sampler: batch size B → images [B, C, H, W]. Each call takes the next B indices of a shuffled order
    /// of the whole dataset and reshuffles when it is used up (every image once per epoch, as a DataLoader with
    /// shuffle=True). The order depends only on the seed, not on torch's global generator. The returned tensor
    /// belongs to the caller's dispose scope.
    /// </summary>
    public Func<int, Tensor> BatchSampler(long seed) => new Batches(this, seed).Images;

    /// <summary>
    /// Like <see cref="BatchSampler"/> but also returns the labels: B → (images [B, C, H, W], labels [B] int64)
    /// (for conditional GANs and classifiers).
    /// </summary>
    public Func<int, (Tensor Images, Tensor Labels)> LabelledBatchSampler(long seed) => new Batches(this, seed).Labelled;

    /// <summary>
    /// The batches of one sampler: an <see cref="EpochSampler"/> over this dataset. The delegates handed out are this
    /// object's methods, so a trainer finds the sampler through <c>Delegate.Target</c> and checkpoints its position.
    /// </summary>
    sealed class Batches(ImageDataset data, long seed) : ICheckpointable
    {
        readonly EpochSampler _order = new(data.Count, seed);

        public Tensor Images(int batchSize)
        {
            using var idx = _order.NextTensor(batchSize, data.Device);
            return data.Images.index_select(0, idx);
        }

        public (Tensor Images, Tensor Labels) Labelled(int batchSize)
        {
            using var idx = _order.NextTensor(batchSize, data.Device);
            return (data.Images.index_select(0, idx), data.Labels.index_select(0, idx));
        }

        public string CheckpointKey => _order.CheckpointKey;
        public void WriteState(BinaryWriter writer) => _order.WriteState(writer);
        public void ReadState(BinaryReader reader) => _order.ReadState(reader);
    }

    /// <summary>
    /// The first <paramref name="perClass"/> images of each class in class order, as [K·perClass, C, H, W] — a
    /// fixed, reproducible set of real images to show next to generated ones.
    /// </summary>
    public Tensor Examples(int perClass = 8)
    {
        if (perClass <= 0) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "perClass must be positive.");
        var labels = LabelsArray();
        var chosen = new List<long>();
        for (int k = 0; k < ClassNames.Count; k++)
            chosen.AddRange(Enumerable.Range(0, labels.Length).Where(i => labels[i] == k).Take(perClass).Select(i => (long)i));
        return Batch(chosen.ToArray()).Images;
    }

    long[] LabelsArray()
    {
        using var cpu = Labels.cpu();
        return cpu.data<long>().ToArray();
    }

    /// <summary>E.g. "Fashion-MNIST test: 10000 × [1, 28, 28] in [−1, 1] on cpu, 10 classes (T-shirt/top 1000, …)".</summary>
    public override string ToString()
    {
        var counts = ClassCounts();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Name}: {Count} × [{Channels}, {Height}, {Width}] in ");
        sb.Append(Scale == PixelScale.MinusOneToOne ? "[-1, 1]" : "[0, 1]");
        sb.Append(CultureInfo.InvariantCulture, $" on {Device}, {ClassNames.Count} classes (");
        sb.Append(string.Join(", ", ClassNames.Select((c, i) => $"{c} {counts[i]}")));
        sb.Append(')');
        return sb.ToString();
    }

    /// <summary>Frees the image and label tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
