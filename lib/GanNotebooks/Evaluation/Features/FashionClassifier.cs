using GanNotebooks.Core;
using GanNotebooks.Data.Images;
using GanNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Evaluation.Features;

/// <summary>
/// A small CNN classifier for 28×28 single-channel images in [−1, 1] (Fashion-MNIST), whose 128-dimensional
/// hidden layer is the feature space of the course's Fréchet score — the role Inception-v3's pool3 layer plays in
/// FID (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium", §5).
/// <para>
/// Architecture (no padding): conv1 1→32 3×3, ReLU, max-pool 2 (28→26→13); conv2 32→64 3×3, ReLU, max-pool 2
/// (13→11→5); flatten 64·5·5 = 1600; fc1 1600→128 (the <b>feature layer</b>, taken before its ReLU so that the
/// features are closer to Gaussian and have no dead zero coordinates); ReLU; dropout 0.3 (training only); fc2 128→10.
/// </para>
/// <para>
/// Inputs may be 28×28 or 32×32: a 32×32 image is centre-cropped to 28×28, the exact inverse of
/// <see cref="ImageDataset.PadTo(int)"/> (2 background pixels on each side), so padded DCGAN-size images give the
/// same features as the originals. The shipped weights (<see cref="LoadShipped"/>) were trained on the shipped
/// Fashion-MNIST test split (data/README.md): scores built on them are course-internal, not comparable with FID.
/// </para>
/// </summary>
public sealed class FashionClassifier : Module<Tensor, Tensor>
{
    /// <summary>The shipped weights, relative to data/ (listed in data/checksums.sha256).</summary>
    public const string ShippedWeights = "fashion-classifier.dat";
    /// <summary>Dimension of the feature layer.</summary>
    public const int FeatureDim = 128;
    /// <summary>Number of classes (Fashion-MNIST labels 0..9).</summary>
    public const int ClassCount = 10;
    /// <summary>Native input size; 32×32 inputs are centre-cropped to this.</summary>
    public const int InputSize = 28;

    // Fields are named as the state-dict keys ("conv1.weight", …) that the weights file stores.
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc1;
    private readonly Dropout dropout;
    private readonly Linear fc2;

    /// <summary>A freshly initialised classifier (PyTorch default init, drawn from torch's global generator).</summary>
    public FashionClassifier() : base(nameof(FashionClassifier))
    {
        conv1 = Conv2d(1, 32, 3);
        conv2 = Conv2d(32, 64, 3);
        fc1 = Linear(64 * 5 * 5, FeatureDim);
        dropout = Dropout(0.3);
        fc2 = Linear(FeatureDim, ClassCount);
        RegisterComponents();
    }

    /// <summary>Logits: images [N, 1, 28, 28] or [N, 1, 32, 32] in [−1, 1] → [N, 10].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var h = functional.relu(Embed(images));
        return fc2.call(dropout.call(h)).MoveToOuterDisposeScope();
    }

    /// <summary>The feature layer (fc1 before its ReLU): images [N, 1, H, W] → [N, 128]. Follows the module's mode.</summary>
    internal Tensor Embed(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var x = CropToInput(images);
        x = functional.max_pool2d(functional.relu(conv1.call(x)), 2);  // [N, 32, 13, 13]
        x = functional.max_pool2d(functional.relu(conv2.call(x)), 2);  // [N, 64, 5, 5]
        return fc1.call(x.flatten(1)).MoveToOuterDisposeScope();       // [N, 128]
    }

    /// <summary>
    /// The second convolution's feature maps after their ReLU, before the second max-pool: images [N, 1, 28|32, 28|32]
    /// in [−1, 1] → [N, 64, 11, 11], <b>with</b> gradients (the caller freezes the classifier and picks its mode). SRGAN's
    /// content loss compares such maps instead of pixels — VGG φ_{i,j} in Ledig et al. 2017, eq. 5, "the feature map
    /// obtained by the j-th convolution (after activation) before the i-th max-pooling layer"; here φ_{2,1} of the
    /// course's classifier stands in for VGG.
    /// </summary>
    public Tensor FeatureMap(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var x = CropToInput(images);
        x = functional.max_pool2d(functional.relu(conv1.call(x)), 2);   // [N, 32, 13, 13]
        return functional.relu(conv2.call(x)).MoveToOuterDisposeScope(); // [N, 64, 11, 11]
    }

    /// <summary>Checks the shape and centre-crops 32×32 to 28×28 (undoing PadTo(32)).</summary>
    static Tensor CropToInput(Tensor images)
    {
        Validate(images);
        if (images.shape[2] == InputSize) return images.alias();
        return images[.., .., 2..30, 2..30];
    }

    /// <summary>Throws with a fix unless images are float [N, 1, 28, 28] or [N, 1, 32, 32].</summary>
    static void Validate(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 1)
            throw new ArgumentException(
                $"Expected single-channel images [N, 1, 28, 28] or [N, 1, 32, 32]; got shape {Shapes.Of(images)}. " +
                "Add the channel dimension with images.unsqueeze(1) if it is missing.", nameof(images));
        if (!images.is_floating_point())
            throw new ArgumentException($"Images must be floating point in [−1, 1]; got {images.dtype}.", nameof(images));
        long h = images.shape[2], w = images.shape[3];
        if ((h == InputSize && w == InputSize) || (h == 32 && w == 32)) return;
        throw new ArgumentException(
            $"The Fashion-MNIST classifier takes 28×28 images or 32×32 images padded with PadTo(32); got {h}×{w}. " +
            "Resize or crop the images to 28×28 first.", nameof(images));
    }

    /// <summary>
    /// Loads the shipped weights from the kit's data/ folder after checking their SHA-256 against
    /// data/checksums.sha256 (as <see cref="ShippedDatasets.Locate"/> does for datasets). The model is in eval mode.
    /// </summary>
    /// <param name="device">null → <see cref="Devices.Current"/>.</param>
    /// <param name="dataDirectory">The data/ folder; null → <see cref="Kit.DataDirectory"/>.</param>
    /// <exception cref="ChecksumMismatchException">The weights file differs from the recorded one.</exception>
    public static FashionClassifier LoadShipped(Device? device = null, string? dataDirectory = null) =>
        Load(ShippedDatasets.Locate(ShippedWeights, dataDirectory), device);

    /// <summary>Loads weights written by <see cref="SaveAtomically"/> (TorchSharp format, no checksum check). Eval mode.</summary>
    /// <param name="path">The weights file.</param>
    /// <param name="device">null → <see cref="Devices.Current"/>.</param>
    public static FashionClassifier Load(string path, Device? device = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Classifier weights '{path}' do not exist. Train them with `gankit-tools train-classifier --out {path}`.", path);
        var model = new FashionClassifier();
        try
        {
            model.load(path, strict: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            model.Dispose();
            throw new InvalidDataException(
                $"'{path}' is not a weights file of this FashionClassifier architecture ({e.Message}). " +
                "Retrain it with `gankit-tools train-classifier`.", e);
        }
        model.to(device ?? Devices.Current);
        model.eval();
        return model;
    }

    /// <summary>
    /// Writes the weights to <paramref name="path"/> atomically (a temporary file in the same folder, then a move), so
    /// that an interrupted run never leaves a half-written file. Returns the file's SHA-256 (lowercase hex).
    /// </summary>
    public string SaveAtomically(string path) =>
        Checksums.Compute(GanNotebooks.Runtime.AtomicFile.WriteVia(path, temp => save(temp)));

    /// <summary>The device holding the weights.</summary>
    public Device Device => conv1.weight!.device;

    /// <summary>
    /// Feature vectors: images [N, 1, 28, 28] or [N, 1, 32, 32] in [−1, 1] (any device) → float32 [N, 128] on the CPU.
    /// Runs in eval mode without gradients, <paramref name="batchSize"/> images at a time, each chunk in its own dispose
    /// scope; so a sample's features do not depend on the rest of its batch. The result belongs to the caller's scope.
    /// </summary>
    public Tensor Features(Tensor images, int batchSize = 500) => Chunked(images, batchSize, Embed, FeatureDim);

    /// <summary>Logits in eval mode: images [N, 1, 28|32, 28|32] → float32 [N, 10] on the CPU.</summary>
    public Tensor Logits(Tensor images, int batchSize = 500) => Chunked(images, batchSize, forward, ClassCount);

    /// <summary>Predicted labels: images [N, 1, 28|32, 28|32] → int64 [N] on the CPU (argmax of the logits).</summary>
    public Tensor Predict(Tensor images, int batchSize = 500)
    {
        using var logits = Logits(images, batchSize);
        return logits.argmax(1);
    }

    /// <summary>Fraction of <paramref name="images"/> [N, 1, 28|32, 28|32] whose predicted label equals <paramref name="labels"/> [N].</summary>
    public double Accuracy(Tensor images, Tensor labels, int batchSize = 500)
    {
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels must be [N] with N = {images.shape[0]}; got {Shapes.Of(labels)}.", nameof(labels));
        using var scope = torch.NewDisposeScope();
        var predicted = Predict(images, batchSize);
        return predicted.eq(labels.cpu().to_type(ScalarType.Int64)).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>
    /// Fraction of <paramref name="images"/> [N, 1, 28|32, 28|32] predicted as each class, double[10] summing to 1 —
    /// a quick mode-collapse check for a generator (a uniform histogram is what the balanced data set would give).
    /// </summary>
    public double[] ClassHistogram(Tensor images, int batchSize = 500)
    {
        using var scope = torch.NewDisposeScope();
        var predicted = Predict(images, batchSize);
        var counts = torch.bincount(predicted, minlength: ClassCount).to_type(ScalarType.Float64);
        return (counts / Math.Max(1, predicted.shape[0])).data<double>().ToArray();
    }

    Tensor Chunked(Tensor images, int batchSize, Func<Tensor, Tensor> f, int width)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be positive.");
        Validate(images);
        bool wasTraining = training;
        eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            long n = images.shape[0];
            var parts = new List<Tensor>();
            for (long start = 0; start < n; start += batchSize)
            {
                using var chunkScope = torch.NewDisposeScope();
                var chunk = images.narrow(0, start, Math.Min(batchSize, n - start)).to(Device).to_type(ScalarType.Float32);
                parts.Add(f(chunk).cpu().MoveToOuterDisposeScope());
            }
            var result = parts.Count == 0
                ? torch.empty(0, width)
                : torch.cat(parts, 0);
            return result.MoveToOuterDisposeScope();
        }
        finally
        {
            train(wasTraining);
        }
    }
}
