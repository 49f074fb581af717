namespace GanNotebooks.Theory;

/// <summary>Divergences in the WGAN parallel-lines example for one θ (Arjovsky et al. 2017, Example 1).</summary>
/// <param name="Theta">Horizontal offset θ of P_θ = (θ, U[0,1]) from P_0 = (0, U[0,1]).</param>
/// <param name="JensenShannon">log 2 for θ ≠ 0, else 0.</param>
/// <param name="KullbackLeibler">+∞ for θ ≠ 0 (both directions), else 0.</param>
/// <param name="TotalVariation">1 for θ ≠ 0, else 0.</param>
/// <param name="Wasserstein1">|θ| — the only one of the four that is continuous in θ.</param>
public readonly record struct ParallelLinesDivergences(double Theta, double JensenShannon, double KullbackLeibler, double TotalVariation, double Wasserstein1);

/// <summary>Closed forms used as oracles by the notebooks and tests.</summary>
public static class ClosedForms
{
    /// <summary>KL(N(μ1, σ1²) ‖ N(μ2, σ2²)) = log(σ2/σ1) + (σ1² + (μ1 − μ2)²)/(2σ2²) − ½.</summary>
    public static double KlGaussians(double mean1, double std1, double mean2, double std2)
    {
        CheckStd(std1, nameof(std1)); CheckStd(std2, nameof(std2));
        double d = mean1 - mean2;
        return Math.Log(std2 / std1) + (std1 * std1 + d * d) / (2 * std2 * std2) - 0.5;
    }

    /// <summary>W1 between two 1D Gaussians with equal variance (one is a shift of the other): |μ1 − μ2|.</summary>
    public static double W1ShiftedGaussians(double mean1, double mean2) => Math.Abs(mean1 - mean2);

    /// <summary>W2 between two 1D Gaussians: √((μ1 − μ2)² + (σ1 − σ2)²).</summary>
    public static double W2Gaussians1D(double mean1, double std1, double mean2, double std2)
    {
        CheckStd(std1, nameof(std1)); CheckStd(std2, nameof(std2));
        return Math.Sqrt((mean1 - mean2) * (mean1 - mean2) + (std1 - std2) * (std1 - std2));
    }

    /// <summary>Squared Hellinger ∫(√p − √q)² between two 1D Gaussians: 2 − 2·√(2σ1σ2/(σ1²+σ2²))·exp(−(μ1−μ2)²/(4(σ1²+σ2²))).</summary>
    public static double SquaredHellingerGaussians(double mean1, double std1, double mean2, double std2)
    {
        CheckStd(std1, nameof(std1)); CheckStd(std2, nameof(std2));
        double s = std1 * std1 + std2 * std2, d = mean1 - mean2;
        return 2 - 2 * Math.Sqrt(2 * std1 * std2 / s) * Math.Exp(-d * d / (4 * s));
    }

    /// <summary>
    /// The parallel-lines example: P_0 = (0, U[0,1]), P_θ = (θ, U[0,1]) (Arjovsky et al. 2017, Example 1):
    /// JS = log 2, KL = +∞, TV = 1 for θ ≠ 0, W = |θ|; all zero at θ = 0.
    /// </summary>
    public static ParallelLinesDivergences ParallelLines(double theta)
    {
        if (!double.IsFinite(theta)) throw new ArgumentOutOfRangeException(nameof(theta), theta, "θ must be finite.");
        return theta == 0
            ? new ParallelLinesDivergences(0, 0, 0, 0, 0)
            : new ParallelLinesDivergences(theta, Math.Log(2), double.PositiveInfinity, 1, Math.Abs(theta));
    }

    static void CheckStd(double s, string name)
    {
        if (!(s > 0) || double.IsInfinity(s)) throw new ArgumentOutOfRangeException(name, s, "A standard deviation must be finite and positive.");
    }
}
