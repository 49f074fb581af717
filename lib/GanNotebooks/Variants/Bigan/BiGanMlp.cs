using GanNotebooks.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Bigan;

/// <summary>
/// The official BiGAN's permutation-invariant MNIST recipe (Donahue et al. 2017; jeffdonahue/bigan, <c>train_mnist.sh</c>:
/// <c>mnist_mlp</c> encoder and joint discriminator, <c>deconvnet_mnist_mlp</c> generator, z ~ U[−1, 1]^50) as fully
/// connected presets for flattened images in [−1, 1]:
/// <list type="bullet">
/// <item>G: z → Linear → BatchNorm → ReLU, twice, → Linear → tanh (the official sigmoid on [0, 1] pixels, rescaled).</item>
/// <item>E: x → Linear → BatchNorm → LeakyReLU(0.2), twice, → Linear → tanh: codes in (−1, 1), the prior's support
/// (the official code maps E's output through a sigmoid rescaled to [−1, 1], i.e. tanh(·/2)).</item>
/// <item>D: <see cref="BiGanDiscriminator.MlpPaper"/> (z enters the second layer linearly, BatchNorm on the sum).</item>
/// <item>All weights N(0, 0.02²), biases 0 (<see cref="Dcgan.InitializeWeights"/>), as in the official (DCGAN-based) code.</item>
/// </list>
/// Why these and not plain MLPs (short MNIST runs at z = 50, issue 18; notebook 07 §3 shows plain against recipe): without the bound an unbounded E overshoots the prior's
/// range and D separates the pairs by the code's size alone; with the bound but without BatchNorm, E is pushed to the
/// corners of the cube (every code ±1) and D wins outright; without BatchNorm in D, D's view of a batch-wide mismatch
/// between E's codes and the prior lets it win, and E drifts away from the useful random features it started with.
/// The official code also normalizes E's first layer only (a minor difference: here both hidden layers, like G).
/// </summary>
public static class BiGanMlp
{
    /// <summary>G: z [B, zDim] → x [B, xDim] in (−1, 1): two hidden layers of <paramref name="hidden"/> with BatchNorm and ReLU, tanh output.</summary>
    public static MlpGenerator Generator(int zDim, int xDim = 784, int hidden = 1024)
    {
        var g = new MlpGenerator(zDim, xDim, hidden: hidden, depth: 2, activation: Activation.ReLU, output: Activation.Tanh, norm: MlpNorm.BatchNorm);
        Dcgan.InitializeWeights(g);
        return g;
    }

    /// <summary>E: x [B, xDim] → z [B, zDim] in (−1, 1): two hidden layers of <paramref name="hidden"/> with BatchNorm and LeakyReLU(0.2), tanh output.
    /// Also the untrained-encoder baseline: the same call with another seed.</summary>
    public static MlpEncoder Encoder(int xDim, int zDim, int hidden = 1024)
    {
        var e = new MlpEncoder(xDim, zDim, hidden: hidden, depth: 2, activation: Activation.LeakyReLU(0.2), output: Activation.Tanh, norm: MlpNorm.BatchNorm);
        Dcgan.InitializeWeights(e);
        return e;
    }

    /// <summary>D: <see cref="BiGanDiscriminator.MlpPaper"/> with N(0, 0.02²) weights.</summary>
    public static BiGanDiscriminator Discriminator(int xDim, int zDim, int hidden = 1024, double dropout = 0.0)
    {
        var d = BiGanDiscriminator.MlpPaper(xDim, zDim, hidden, batchNorm: true, dropout: dropout);
        Dcgan.InitializeWeights(d);
        return d;
    }

    /// <summary>G and E (as the trainer's generator) and D, built in that order from torch's global generator (seed first).</summary>
    /// <param name="zDim">Latent size (official 50; pair it with <c>Latent.Uniform(zDim)</c>).</param>
    /// <param name="xDim">Flattened data size (784 for 28×28).</param>
    /// <param name="hidden">Width of every hidden layer (official 1024; 256 trains ~10× faster on a CPU).</param>
    /// <param name="dropout">Dropout before D's logit (official 0).</param>
    public static (BiGanGenerator GeneratorAndEncoder, BiGanDiscriminator Discriminator) Build(int zDim, int xDim = 784, int hidden = 1024, double dropout = 0.0)
    {
        if (zDim < 1) throw new ArgumentOutOfRangeException(nameof(zDim), zDim, "the latent size must be ≥ 1 (50 in the official MNIST model).");
        if (xDim < 1) throw new ArgumentOutOfRangeException(nameof(xDim), xDim, "the flattened data size must be ≥ 1 (784 for 28×28 images).");
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "the hidden width must be ≥ 1 (official 1024).");
        var ge = new BiGanGenerator(Generator(zDim, xDim, hidden), Encoder(xDim, zDim, hidden));
        return (ge, Discriminator(xDim, zDim, hidden, dropout));
    }
}
