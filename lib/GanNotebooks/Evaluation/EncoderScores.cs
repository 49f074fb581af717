using System.Globalization;
using GanNotebooks.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>
/// How much an encoder's features know about the class (BiGAN's feature evaluation, Donahue et al. 2017, §4.1; the
/// official code's NNC_e, NNC_e− and CLS): held-out 1-nearest-neighbour accuracy on the codes E(x) and on the
/// penultimate layer, and a linear probe on the codes.
/// </summary>
/// <param name="NearestNeighbour">1-NN accuracy on E(x) (test against train, Euclidean).</param>
/// <param name="NearestNeighbourPenultimate">1-NN accuracy on the last hidden layer (<see cref="MlpEncoder.Features"/>).</param>
/// <param name="LinearProbe">Test accuracy of <see cref="InferenceMetrics.LinearProbe"/> on E(x).</param>
public sealed record EncoderScores(double NearestNeighbour, double NearestNeighbourPenultimate, double LinearProbe)
{
    /// <summary>
    /// Scores an encoder in eval mode (mode restored afterwards), without gradients, in chunks of 512:
    /// x [N, xDim] with int64 labels [N]; train is the reference set, test is held out.
    /// </summary>
    public static EncoderScores Evaluate(MlpEncoder encoder, Tensor xTrain, Tensor yTrain, Tensor xTest, Tensor yTest, int probeIterations = 500)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        using var scope = torch.NewDisposeScope();
        var (cTrain, fTrain) = Encode(encoder, xTrain);
        var (cTest, fTest) = Encode(encoder, xTest);
        return new EncoderScores(
            InferenceMetrics.NearestNeighbourAccuracy(cTrain, yTrain, cTest, yTest),
            InferenceMetrics.NearestNeighbourAccuracy(fTrain, yTrain, fTest, yTest),
            InferenceMetrics.LinearProbe(cTrain, yTrain, cTest, yTest, probeIterations).TestAccuracy);
    }

    /// <summary>Codes E(x) [N, zDim] and penultimate features [N, hidden], eval mode, no gradients (mode restored).</summary>
    public static (Tensor Codes, Tensor Penultimate) Encode(MlpEncoder encoder, Tensor x, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() < 2 || x.shape[0] < 1) throw new ArgumentException($"x must be a non-empty batch [N, ...]; got {Core.Shapes.Of(x)}.", nameof(x));
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var device = encoder.parameters().First().device;
            var codes = new List<Tensor>();
            var feats = new List<Tensor>();
            for (long i = 0; i < x.shape[0]; i += batchSize)
            {
                var chunk = x.narrow(0, i, Math.Min(batchSize, x.shape[0] - i)).to(device);
                codes.Add(encoder.call(chunk));
                feats.Add(encoder.Features(chunk));
            }
            return (torch.cat(codes, 0).MoveToOuterDisposeScope(), torch.cat(feats, 0).MoveToOuterDisposeScope());
        }
        finally { encoder.train(wasTraining); }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"1-NN on E(x) {NearestNeighbour:P1}, on the penultimate layer {NearestNeighbourPenultimate:P1}, linear probe on E(x) {LinearProbe:P1}");
}
