namespace GanNotebooks.Core;

/// <summary>Special functions missing from <see cref="Math"/> (double precision).</summary>
public static class SpecialFunctions
{
    /// <summary>
    /// Complementary error function erfc(x), relative error below 1.2e-7 everywhere
    /// (Chebyshev-fitted exponential form, Press et al., Numerical Recipes §6.2).
    /// </summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double ans = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
            t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
            t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2.0 - ans;
    }

    /// <summary>Error function erf(x) = 1 − erfc(x).</summary>
    public static double Erf(double x) => 1.0 - Erfc(x);

    /// <summary>Standard normal CDF Φ(z) = ½ erfc(−z/√2).</summary>
    public static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2.0));
}
