using GanNotebooks.Nets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Variants.Infogan;

/// <summary>
/// A discriminator with InfoGAN's auxiliary head Q sharing its body. The trainer only moves and optimizes it
/// (Q's weights are part of D's, so D's optimizer trains Q); the InfoGAN objective calls <see cref="ForwardWithQ"/>.
/// </summary>
public interface IInfoGanDiscriminator
{
    /// <summary>Width of Q's output (the code layout decides its meaning, e.g. K logits then means and log-variances).</summary>
    int QOutputSize { get; }

    /// <summary>One pass through the shared body: images [B, C, H, W] → (D logits [B], Q outputs [B, QOutputSize]).</summary>
    /// <param name="images">Images [B, C, H, W].</param>
    /// <param name="detachBodyForQ">Q reads the body's features without passing gradients back into the body (only Q's own layers learn from Q's loss).</param>
    (Tensor Logits, Tensor Q) ForwardWithQ(Tensor images, bool detachBodyForQ = false);
}

/// <summary>
/// InfoGAN discriminator (Chen et al. 2016, "InfoGAN: Interpretable Representation Learning by Information
/// Maximizing GANs", §5 and Appendix C): a <see cref="DcganDiscriminator"/> whose flattened body features
/// [B, F] feed both D's linear head and Q — Linear(F, QHidden) → BatchNorm → LeakyReLU(0.2) → Linear(QHidden,
/// QOutputSize) — so that Q "shares all convolutional layers with D" and adds almost no cost.
/// <c>forward</c> gives D's logits only.
/// </summary>
public sealed class InfoGanDiscriminator : Module<Tensor, Tensor>, IInfoGanDiscriminator
{
    private readonly DcganDiscriminator net;
    private readonly Sequential q;

    /// <inheritdoc/>
    public int QOutputSize { get; }

    /// <summary>The DCGAN shape.</summary>
    public DcganOptions Options => net.Options;

    /// <summary>Builds D and Q with the DCGAN initialization.</summary>
    /// <param name="options">DCGAN shape (validated).</param>
    /// <param name="qOutputSize">Q's output width (InfoGanCodes.QOutputSize).</param>
    /// <param name="qHidden">Q's hidden width (paper: 128).</param>
    /// <param name="initGenerator">Optional torch generator for the initial weights.</param>
    public InfoGanDiscriminator(DcganOptions options, int qOutputSize, int qHidden = 128, Generator? initGenerator = null)
        : base(nameof(InfoGanDiscriminator))
    {
        ArgumentNullException.ThrowIfNull(options);
        if (qOutputSize < 1) throw new ArgumentOutOfRangeException(nameof(qOutputSize), qOutputSize, "Q needs at least one output (use InfoGanCodes.QOutputSize).");
        if (qHidden < 1) throw new ArgumentOutOfRangeException(nameof(qHidden), qHidden, "Q's hidden width must be ≥ 1 (the paper uses 128).");
        QOutputSize = qOutputSize;
        net = new DcganDiscriminator(options, initGenerator);
        var layers = new List<(string, Module<Tensor, Tensor>)> { ("0", Linear(options.FeatureSize, qHidden, hasBias: !options.BatchNorm)) };
        if (options.BatchNorm) layers.Add(("1", BatchNorm1d(qHidden)));
        layers.Add((layers.Count.ToString(), LeakyReLU(options.LeakySlope)));
        layers.Add((layers.Count.ToString(), Linear(qHidden, qOutputSize)));
        q = Sequential(layers);
        RegisterComponents();
        Dcgan.InitializeWeights(q, initGenerator);
    }

    /// <inheritdoc/>
    public (Tensor Logits, Tensor Q) ForwardWithQ(Tensor images, bool detachBodyForQ = false)
    {
        var phi = net.Features(images);   // [B, F], shared
        return (net.Head(phi), q.call(detachBodyForQ ? phi.detach() : phi));
    }

    /// <summary>Q alone: images [B, C, H, W] → [B, QOutputSize].</summary>
    public Tensor Q(Tensor images) => q.call(net.Features(images));

    /// <summary>images [B, C, H, W] → D's logits [B].</summary>
    public override Tensor forward(Tensor images) => net.call(images);
}
