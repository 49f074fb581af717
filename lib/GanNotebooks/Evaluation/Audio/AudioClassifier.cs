using GanNotebooks.Core;
using GanNotebooks.Data.Audio;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Evaluation.Audio;

/// <summary>
/// A small 1-D CNN that tells the classes of <see cref="SynthAudio"/> apart: the measuring instrument of WaveGAN's
/// "inception score" protocol (Donahue et al. 2019, §6.1: a classifier trained on the real clips judges generated ones).
/// Input [B, 1, L] with L a multiple of 256; four Conv1d(kernel 9, stride 4) + ReLU blocks (16, 32, 64, 64 channels), a
/// global average and max over time (64 + 64 features), a linear head to the class logits.
/// State-dict keys "conv.{i}.*", "head.*".
/// </summary>
public sealed class AudioClassifier : Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv1d> conv;
    private readonly Linear head;

    /// <summary>Number of features <see cref="Features"/> returns.</summary>
    public const int FeatureDim = 128;

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Builds an untrained classifier (initialised from torch's global generator).</summary>
    public AudioClassifier(int classCount = SynthAudio.ClassCount) : base(nameof(AudioClassifier))
    {
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "a classifier needs at least 2 classes.");
        ClassCount = classCount;
        conv = new ModuleList<Conv1d>();
        int cin = 1;
        foreach (var cout in new[] { 16, 32, 64, 64 })
        {
            conv.Add(Conv1d(cin, cout, 9, stride: 4, padding: 4));
            cin = cout;
        }
        head = Linear(FeatureDim, classCount);
        RegisterComponents();
    }

    /// <summary>Pooled features [B, 128] of clips [B, 1, L].</summary>
    public Tensor Embed(Tensor clips)
    {
        if (clips.dim() != 3 || clips.shape[1] != 1 || clips.shape[2] < 256)
            throw new ArgumentException($"the audio classifier takes clips [B, 1, L] with L ≥ 256; got {Shapes.Of(clips)}.", nameof(clips));
        using var scope = torch.NewDisposeScope();
        var h = clips;
        foreach (var c in conv) h = functional.relu(c.call(h));
        return torch.cat(new[] { h.mean(new long[] { 2 }), h.amax(new long[] { 2 }) }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Class logits [B, K].</summary>
    public override Tensor forward(Tensor clips)
    {
        using var scope = torch.NewDisposeScope();
        return head.call(Embed(clips)).MoveToOuterDisposeScope();
    }

    /// <summary>Class probabilities [N, K] of many clips, in eval mode and chunks, without graph.</summary>
    public Tensor Probabilities(Tensor clips, int batchSize = 256)
    {
        using var _ = torch.no_grad();
        bool was = training;
        eval();
        try
        {
            var parts = new List<Tensor>();
            for (long i = 0; i < clips.shape[0]; i += batchSize)
                parts.Add(functional.softmax(forward(clips.narrow(0, i, Math.Min(batchSize, clips.shape[0] - i))), 1));
            return torch.cat(parts, 0);
        }
        finally { train(was); }
    }

    /// <summary>Fraction of clips whose most probable class is the label.</summary>
    public double Accuracy(Tensor clips, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        var p = Probabilities(clips);
        return p.argmax(1).eq(labels.to(p.device)).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>
    /// Trains on labelled clips with Adam (lr 1e-3), random circular shifts (so position does not decide the class) and
    /// a fixed number of epochs; deterministic for a seed and thread count. Returns the training loss per epoch.
    /// </summary>
    public IReadOnlyList<double> Fit(Tensor clips, Tensor labels, int epochs = 8, int batchSize = 64, int seed = 0)
    {
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "train for at least one epoch.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch needs at least one clip.");
        if (clips.shape[0] != labels.shape[0]) throw new ArgumentException($"{clips.shape[0]} clips but {labels.shape[0]} labels.", nameof(labels));
        var order = new Random(seed);
        using var opt = optim.Adam(parameters(), 1e-3);
        var losses = new List<double>();
        train();
        int n = (int)clips.shape[0];
        for (int e = 0; e < epochs; e++)
        {
            var perm = Enumerable.Range(0, n).OrderBy(_ => order.Next()).ToArray();
            double sum = 0; int batches = 0;
            for (int i = 0; i < n; i += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var idx = torch.tensor(perm.Skip(i).Take(batchSize).Select(v => (long)v).ToArray());
                var x = clips.index_select(0, idx);
                // A random circular shift of up to a quarter clip per batch: onsets vary in the real clips too.
                x = x.roll(order.Next(-(int)x.shape[2] / 4, (int)x.shape[2] / 4 + 1), 2);
                var loss = functional.cross_entropy(forward(x), labels.index_select(0, idx));
                opt.zero_grad();
                loss.backward();
                opt.step();
                sum += loss.item<float>();
                batches++;
            }
            losses.Add(sum / batches);
        }
        eval();
        return losses;
    }
}

/// <summary>Scores of generated clips against a trained <see cref="AudioClassifier"/> and the real clips.</summary>
/// <param name="Count">Clips scored.</param>
/// <param name="InceptionScore">exp E_x KL(p(y|x) ‖ p(y)) ∈ [1, K] (Salimans et al. 2016 with the audio classifier).</param>
/// <param name="ClassHistogram">Share of clips per predicted class.</param>
/// <param name="MeanConfidence">Mean of max_y p(y|x): how clearly clips belong to one class.</param>
/// <param name="SpectralDistance">RMS difference in dB between the average power spectra (in dB) of real and generated clips.</param>
public sealed record AudioQualityReport(int Count, double InceptionScore, double[] ClassHistogram, double MeanConfidence, double SpectralDistance);

/// <summary>
/// WaveGAN's evaluation (Donahue et al. 2019, §6): the inception score with a classifier trained on real clips, the
/// predicted class distribution, and a spectral statistic — the distance between the average power spectra (in dB) of
/// real and generated clips (RMS over frequency bins).
/// </summary>
public static class AudioMetrics
{
    /// <summary>exp(E_x KL(p(y|x) ‖ p(y))) of class probabilities [N, K]: 1 = all clips alike or undecided, K = confident and balanced.</summary>
    public static double InceptionScore(Tensor probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.dim() != 2 || probabilities.shape[0] < 1)
            throw new ArgumentException($"probabilities must be [N, K] with N ≥ 1; got {Shapes.Of(probabilities)}.", nameof(probabilities));
        using var scope = torch.NewDisposeScope();
        var p = probabilities.to_type(ScalarType.Float64).clamp_min(1e-12);
        var py = p.mean(new long[] { 0 }, keepdim: true);
        var kl = (p * (p.log() - py.log())).sum(1).mean();
        return Math.Exp(kl.item<double>());
    }

    /// <summary>The inception score of probabilities given as a managed array [N, K].</summary>
    public static double InceptionScore(double[,] probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        using var t = torch.tensor(probabilities);
        return InceptionScore(t);
    }

    /// <summary>
    /// The average power spectrum in dB, 10·log10(mean |STFT|² + 1e-10), over clips and Hann frames: [frame/2 + 1].
    /// |STFT| is the kit's one STFT, <see cref="Spectrogram.Magnitude"/> (frame a power of two ≥ 8, hop 1..frame).
    /// Averaging power before the log keeps silent frames (log of ~0) from dominating the statistic.
    /// </summary>
    public static Tensor AverageLogSpectrum(Tensor clips, int frame = 256, int hop = 128)
    {
        ArgumentNullException.ThrowIfNull(clips);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var power = Spectrogram.Magnitude(clips, frame, hop).square().mean(new long[] { 0, 1 });
        return (10 * (power + 1e-10).log10()).MoveToOuterDisposeScope();
    }

    /// <summary>RMS over frequency bins of the difference (dB) of the average power spectra of two clip sets.</summary>
    public static double SpectralDistance(Tensor clipsA, Tensor clipsB, int frame = 256, int hop = 128)
    {
        using var scope = torch.NewDisposeScope();
        var d = AverageLogSpectrum(clipsA, frame, hop) - AverageLogSpectrum(clipsB, frame, hop);
        return d.square().mean().sqrt().item<float>();
    }

    /// <summary>Every score of <see cref="AudioQualityReport"/> for generated clips [N, 1, L] against real clips.</summary>
    public static AudioQualityReport Evaluate(AudioClassifier classifier, Tensor generated, Tensor real)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        using var scope = torch.NewDisposeScope();
        var p = classifier.Probabilities(generated);
        var hist = torch.bincount(p.argmax(1), minlength: classifier.ClassCount).to_type(ScalarType.Float64) / p.shape[0];
        return new AudioQualityReport((int)generated.shape[0], InceptionScore(p), hist.data<double>().ToArray(),
            p.amax(new long[] { 1 }).mean().item<float>(), SpectralDistance(real, generated));
    }
}
