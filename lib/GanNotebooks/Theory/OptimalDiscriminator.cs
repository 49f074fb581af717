namespace GanNotebooks.Theory;

/// <summary>
/// The optimal discriminator for a fixed generator, D*(x) = p_data(x) / (p_data(x) + p_g(x))
/// (Goodfellow et al. 2014, Proposition 1).
/// </summary>
public static class OptimalDiscriminator
{
    /// <summary>
    /// Value D* uses where both densities vanish (0/0). Off both supports the value of D does not
    /// enter V(G, D) at all, so any value is optimal; 0.5 ("cannot tell") is the convention here,
    /// which keeps plots and log D finite (no NaN).
    /// </summary>
    public const double BothZeroValue = 0.5;

    /// <summary>D*(x) from the two density values at one point (both ≥ 0).</summary>
    public static double At(double pData, double pG)
    {
        if (pData < 0 || pG < 0 || double.IsNaN(pData) || double.IsNaN(pG))
            throw new ArgumentException($"Densities must be non-negative numbers (got p_data={pData}, p_g={pG}).");
        double s = pData + pG;
        if (s == 0) return BothZeroValue;
        if (double.IsPositiveInfinity(pData)) return double.IsPositiveInfinity(pG) ? BothZeroValue : 1.0;
        if (double.IsPositiveInfinity(pG)) return 0.0;
        return pData / s;
    }

    /// <summary>D* from log densities: σ(log p_data − log p_g), stable where both densities underflow.</summary>
    public static double FromLogDensities(double logPData, double logPG)
    {
        if (double.IsNegativeInfinity(logPData) && double.IsNegativeInfinity(logPG)) return BothZeroValue;
        double a = logPData - logPG;
        return a >= 0 ? 1.0 / (1.0 + Math.Exp(-a)) : Math.Exp(a) / (1.0 + Math.Exp(a));
    }

    /// <summary>D* pointwise on a grid: result[i] = D*(p_data[i], p_g[i]).</summary>
    public static double[] OnGrid(IReadOnlyList<double> pData, IReadOnlyList<double> pG)
    {
        ArgumentNullException.ThrowIfNull(pData);
        ArgumentNullException.ThrowIfNull(pG);
        if (pData.Count != pG.Count) throw new ArgumentException($"p_data has {pData.Count} values but p_g has {pG.Count}; evaluate both on the same grid.");
        var d = new double[pData.Count];
        for (int i = 0; i < d.Length; i++) d[i] = At(pData[i], pG[i]);
        return d;
    }

    /// <summary>D* of two density functions evaluated on the grid <paramref name="x"/>.</summary>
    public static double[] OnGrid(IReadOnlyList<double> x, Func<double, double> pData, Func<double, double> pG)
        => x.Select(v => At(pData(v), pG(v))).ToArray();
}
