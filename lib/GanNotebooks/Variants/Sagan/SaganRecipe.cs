using GanNotebooks.Nets;
using GanNotebooks.Training;
using GanNotebooks.Variants.LeastSquares;

namespace GanNotebooks.Variants.Sagan;

/// <summary>
/// SN-GAN (Miyato et al. 2018) and SAGAN (Zhang et al. 2019) as recipes on the DCGAN body: the network presets
/// (spectral normalization in D, self-attention at half the image side in G and D — the layers themselves are building
/// blocks in Nets), the hinge loss both papers train with, and SAGAN's two learning rates. A recipe changes nothing
/// else: the same trainer, data and evaluation as any DCGAN run, which is what makes notebook 08's comparison fair.
/// </summary>
public static class SaganRecipe
{
    /// <summary>SAGAN's learning rates (§5 of Zhang et al.): D 4·10⁻⁴, G 10⁻⁴, Adam β = (0, 0.9) — the two time-scale
    /// update rule of Heusel et al. (2017) with SAGAN's values.</summary>
    public static (double LrG, double LrD, (double, double) Betas) LearningRates => (1e-4, 4e-4, (0.0, 0.9));

    /// <summary>SN-GAN's networks: G is the DCGAN body; D is the body with every layer spectrally normalized (and so no
    /// BatchNorm). <paramref name="body"/> is the DCGAN configuration both start from.</summary>
    public static (DcganOptions G, DcganOptions D) SpectralNormNets(DcganOptions body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return (body, body with { SpectralNorm = true });
    }

    /// <summary>SAGAN's networks: SN-GAN's, with a self-attention block in G and in D.</summary>
    public static (DcganOptions G, DcganOptions D) SaganNets(DcganOptions body)
    {
        var (g, d) = SpectralNormNets(body);
        return (g with { SelfAttention = true }, d with { SelfAttention = true });
    }

    /// <summary>The loss of both papers: hinge for D, −E[D(G(z))] for G.</summary>
    public static IGanObjective Objective() => new HingeGan();

    /// <summary><paramref name="config"/> with SAGAN's learning rates and betas (everything else kept).</summary>
    public static GanTrainerConfig WithSaganRates(GanTrainerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var (lrG, lrD, betas) = LearningRates;
        return config with { LrG = lrG, LrD = lrD, BetasG = betas, BetasD = betas };
    }
}
