using GanNotebooks.Data.Images;
using GanNotebooks.Runtime;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation.Features;

/// <summary>Settings for training <see cref="FashionClassifier"/>; the defaults produced the shipped weights.</summary>
/// <param name="Epochs">Passes over the training part.</param>
/// <param name="BatchSize">Images per Adam step.</param>
/// <param name="LearningRate">Adam learning rate (β = 0.9, 0.999).</param>
/// <param name="Seed">Seeds the initial weights, dropout and the shuffling order.</param>
/// <param name="ValidationPerClass">Held-out images per class: the last ones of each class in file order (see <see cref="FashionClassifierTraining.Split"/>).</param>
public sealed record FashionClassifierTrainingOptions(
    int Epochs = 12,
    int BatchSize = 64,
    double LearningRate = 1e-3,
    long Seed = 1,
    int ValidationPerClass = 200)
{
    /// <summary>Throws with the offending value unless every setting is usable.</summary>
    public void Validate()
    {
        if (Epochs <= 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be positive.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be positive.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive.");
        if (ValidationPerClass < 0) throw new ArgumentOutOfRangeException(nameof(ValidationPerClass), ValidationPerClass, "ValidationPerClass cannot be negative.");
    }
}

/// <summary>What one training epoch did.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's batches (training mode, with dropout).</param>
/// <param name="ValidationAccuracy">Accuracy on the held-out images after the epoch (NaN when none are held out).</param>
/// <param name="Seconds">Wall-clock time of the epoch.</param>
public sealed record ClassifierEpoch(int Epoch, double TrainLoss, double ValidationAccuracy, double Seconds);

/// <summary>
/// Reproducible training of <see cref="FashionClassifier"/> on a labelled Fashion-MNIST data set (the shipped test
/// split for the shipped weights): Adam on cross-entropy, a fixed stratified hold-out, seeded initialisation,
/// dropout and shuffling. On the CPU the same options give the same weights bit for bit (checked for the shipped file).
/// </summary>
public static class FashionClassifierTraining
{
    /// <summary>
    /// The fixed train/validation split: for each class, its last <paramref name="validationPerClass"/> images in
    /// file order are held out; all others train. Both index lists are in increasing order.
    /// </summary>
    /// <param name="labels">Label of each image, values 0..classCount−1.</param>
    /// <param name="validationPerClass">Images per class to hold out.</param>
    /// <param name="classCount">Number of classes.</param>
    public static (long[] Train, long[] Validation) Split(IReadOnlyList<long> labels, int validationPerClass, int classCount = FashionClassifier.ClassCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var held = new bool[labels.Count];
        for (int k = 0; k < classCount; k++)
        {
            int taken = 0;
            for (int i = labels.Count - 1; i >= 0 && taken < validationPerClass; i--)
                if (labels[i] == k) { held[i] = true; taken++; }
            if (taken < validationPerClass)
                throw new ArgumentException(
                    $"Class {k} has only {taken} images; cannot hold out {validationPerClass} of it. Use a smaller ValidationPerClass.", nameof(labels));
        }
        var train = new List<long>();
        var validation = new List<long>();
        for (int i = 0; i < labels.Count; i++) (held[i] ? validation : train).Add(i);
        return (train.ToArray(), validation.ToArray());
    }

    /// <summary>The held-out part of <paramref name="data"/> under <see cref="Split"/>: images and labels on the data set's device.</summary>
    public static (Tensor Images, Tensor Labels) ValidationSet(ImageDataset data, int validationPerClass = 200)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (_, validation) = Split(LabelsOf(data), validationPerClass, data.ClassNames.Count);
        return data.Batch(validation);
    }

    /// <summary>
    /// Trains a new classifier on <paramref name="data"/> (images [N, 1, 28|32, 28|32] in [−1, 1], 10 classes).
    /// Seeds torch with <see cref="FashionClassifierTrainingOptions.Seed"/> first (so it changes the global generator).
    /// </summary>
    /// <param name="data">Labelled images.</param>
    /// <param name="options">null → defaults (those of the shipped weights).</param>
    /// <param name="device">null → <see cref="Devices.Current"/>. Bit-for-bit reproducibility is promised on the CPU only.</param>
    /// <param name="onEpoch">Called after each epoch (e.g. to print progress).</param>
    /// <returns>The trained classifier in eval mode and the per-epoch history.</returns>
    public static (FashionClassifier Model, IReadOnlyList<ClassifierEpoch> History) Train(ImageDataset data,
        FashionClassifierTrainingOptions? options = null, Device? device = null, Action<ClassifierEpoch>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new FashionClassifierTrainingOptions();
        options.Validate();
        if (data.ClassNames.Count != FashionClassifier.ClassCount)
            throw new ArgumentException($"The classifier has {FashionClassifier.ClassCount} outputs; the data set has {data.ClassNames.Count} classes.", nameof(data));
        device ??= Devices.Current;

        var (trainIdx, validIdx) = Split(LabelsOf(data), options.ValidationPerClass, data.ClassNames.Count);
        if (trainIdx.Length == 0) throw new ArgumentException("No images are left for training after the hold-out.", nameof(data));

        Seeding.Seed(options.Seed);
        var model = new FashionClassifier();
        model.to(device);
        var history = new List<ClassifierEpoch>();
        Tensor? trainImages = null, trainLabels = null, validImages = null, validLabels = null;
        try
        {
            // Long-lived tensors: created outside any step scope and disposed at the end.
            (trainImages, trainLabels) = Gather(data, trainIdx, device);
            if (validIdx.Length > 0) (validImages, validLabels) = Gather(data, validIdx, device);

            using var optimizer = torch.optim.Adam(model.parameters(), options.LearningRate);
            var order = Enumerable.Range(0, trainIdx.Length).Select(i => (long)i).ToArray();
            var rng = new Random(unchecked((int)(options.Seed ^ (options.Seed >> 32))));
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                model.train();
                rng.Shuffle(order);
                double lossSum = 0;
                int batches = 0;
                for (int start = 0; start < order.Length; start += options.BatchSize)
                {
                    using var scope = torch.NewDisposeScope();
                    var idx = torch.tensor(order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray(), device: device);
                    var logits = model.call(trainImages.index_select(0, idx));
                    var loss = nn.functional.cross_entropy(logits, trainLabels.index_select(0, idx));
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    lossSum += loss.item<float>();
                    batches++;
                }
                double accuracy = validImages is null ? double.NaN : model.Accuracy(validImages, validLabels!);
                var report = new ClassifierEpoch(epoch, lossSum / batches, accuracy, clock.Elapsed.TotalSeconds);
                history.Add(report);
                onEpoch?.Invoke(report);
            }
            model.eval();
            return (model, history);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            trainImages?.Dispose(); trainLabels?.Dispose(); validImages?.Dispose(); validLabels?.Dispose();
        }
    }

    static (Tensor Images, Tensor Labels) Gather(ImageDataset data, long[] indices, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var (images, labels) = data.Batch(indices);
        return (images.to(device).DetachFromDisposeScope(), labels.to(device).DetachFromDisposeScope());
    }

    static long[] LabelsOf(ImageDataset data)
    {
        using var cpu = data.Labels.cpu();
        return cpu.data<long>().ToArray();
    }
}
