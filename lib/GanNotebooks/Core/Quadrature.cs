
namespace GanNotebooks.Core;

/// <summary>
/// Numerical integration on 1D grids (composite trapezoid rule), in double precision. Every
/// quadrature-based divergence of Theory (<c>Divergences</c>) goes through here.
/// </summary>
public static class Quadrature
{
    /// <summary><paramref name="count"/> evenly spaced points from <paramref name="start"/> to <paramref name="stop"/> inclusive (count ≥ 2).</summary>
    public static double[] Linspace(double start, double stop, int count)
    {
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, "A grid needs at least 2 points.");
        if (!double.IsFinite(start) || !double.IsFinite(stop) || !(stop > start))
            throw new ArgumentException($"Need finite start < stop (got {start}, {stop}).");
        var x = new double[count];
        double h = (stop - start) / (count - 1);
        for (int i = 0; i < count; i++) x[i] = start + i * h;
        x[^1] = stop;
        return x;
    }

    /// <summary>∫ y dx by the composite trapezoid rule on the strictly increasing grid <paramref name="x"/>.</summary>
    public static double Trapezoid(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        CheckGrid(x, y.Count, nameof(y));
        double s = 0;
        for (int i = 1; i < x.Count; i++) s += 0.5 * (x[i] - x[i - 1]) * (y[i] + y[i - 1]);
        return s;
    }

    /// <summary>∫ f(x_i) dx where the integrand is given per grid index (avoids allocating the integrand array).</summary>
    public static double Trapezoid(IReadOnlyList<double> x, Func<int, double> integrandAt)
    {
        CheckGrid(x, x.Count, "x");
        double s = 0, prev = integrandAt(0);
        for (int i = 1; i < x.Count; i++)
        {
            double cur = integrandAt(i);
            s += 0.5 * (x[i] - x[i - 1]) * (cur + prev);
            prev = cur;
        }
        return s;
    }

    /// <summary>Running integral F_i = ∫_{x_0}^{x_i} y dx (trapezoid), F_0 = 0; same length as the grid.</summary>
    public static double[] CumulativeTrapezoid(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        CheckGrid(x, y.Count, nameof(y));
        var f = new double[x.Count];
        for (int i = 1; i < x.Count; i++) f[i] = f[i - 1] + 0.5 * (x[i] - x[i - 1]) * (y[i] + y[i - 1]);
        return f;
    }

    internal static void CheckGrid(IReadOnlyList<double> x, int valuesCount, string valuesName)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count < 2) throw new ArgumentException($"The grid needs at least 2 points (got {x.Count}).", nameof(x));
        if (valuesCount != x.Count)
            throw new ArgumentException($"'{valuesName}' has {valuesCount} values but the grid has {x.Count} points; evaluate it on the same grid.", valuesName);
        for (int i = 1; i < x.Count; i++)
            if (!(x[i] > x[i - 1])) throw new ArgumentException($"The grid must be strictly increasing (x[{i - 1}] = {x[i - 1]}, x[{i}] = {x[i]}).", nameof(x));
    }
}
