using GanNotebooks.Core;
using GanNotebooks.Losses;

namespace GanNotebooks.Variants.Fgan;

/// <summary>A Gaussian N(Mean, Std²) and the divergence D_f(P‖N(Mean, Std²)) it reaches.</summary>
/// <param name="Mean">μ.</param>
/// <param name="Std">σ (&gt; 0).</param>
/// <param name="Divergence">D_f(P‖Q) by quadrature at (μ, σ).</param>
public sealed record GaussianFit(double Mean, double Std, double Divergence)
{
    /// <inheritdoc/>
    public override string ToString() => $"N({Mean:G4}, {Std:G4}²), D_f = {Divergence:G4}";
}

/// <summary>
/// The reference answer of f-GAN §4 (Table 3): the single Gaussian Q = N(μ, σ²) that minimizes D_f(P‖Q) for
/// a 1D target density P, found directly by quadrature (no adversarial training) — what a Gaussian generator
/// trained with that f should approach. KL(P‖Q) gives moment matching (mode covering); reverse KL locks onto
/// one mode (mode seeking).
/// </summary>
public static class FGanGaussianFit
{
    /// <summary>D_f(P‖N(μ, σ²)) by quadrature, P given on the grid <paramref name="x"/>.</summary>
    public static double DivergenceTo(FDivergence divergence, IReadOnlyList<double> x, IReadOnlyList<double> p, double mean, double std)
    {
        ArgumentNullException.ThrowIfNull(divergence);
        ArgumentNullException.ThrowIfNull(x);
        if (!(std > 0) || double.IsInfinity(std)) throw new ArgumentOutOfRangeException(nameof(std), std, "σ must be a finite number > 0.");
        var q = new double[x.Count];
        double c = 1.0 / (std * Math.Sqrt(2 * Math.PI));
        for (int i = 0; i < q.Length; i++) { double z = (x[i] - mean) / std; q[i] = c * Math.Exp(-0.5 * z * z); }
        return divergence.Divergence(x, p, q);
    }

    /// <summary>
    /// argmin over μ ∈ <paramref name="meanRange"/>, σ ∈ <paramref name="stdRange"/> of D_f(P‖N(μ, σ²)): a
    /// coarse grid search (μ linear, σ log-spaced, <paramref name="coarse"/>² points; the best grid point wins,
    /// the first one on ties, so of two symmetric optima the one with smaller μ) refined by Nelder–Mead on (μ, log σ).
    /// </summary>
    /// <param name="divergence">Which f.</param>
    /// <param name="x">Quadrature grid covering P and the candidate Gaussians.</param>
    /// <param name="p">Target density on the grid.</param>
    /// <param name="meanRange">Search interval for μ.</param>
    /// <param name="stdRange">Search interval for σ (both ends &gt; 0).</param>
    /// <param name="coarse">Points per axis of the coarse search (≥ 3).</param>
    public static GaussianFit Best(FDivergence divergence, IReadOnlyList<double> x, IReadOnlyList<double> p,
        (double Min, double Max) meanRange, (double Min, double Max) stdRange, int coarse = 25)
    {
        ArgumentNullException.ThrowIfNull(divergence);
        if (!(meanRange.Max > meanRange.Min)) throw new ArgumentException($"meanRange must have Min < Max (got {meanRange}).", nameof(meanRange));
        if (!(stdRange.Min > 0 && stdRange.Max > stdRange.Min)) throw new ArgumentException($"stdRange must satisfy 0 < Min < Max (got {stdRange}).", nameof(stdRange));
        if (coarse < 3) throw new ArgumentOutOfRangeException(nameof(coarse), coarse, "use at least 3 points per axis.");
        double Obj(double m, double logS)
        {
            double d = DivergenceTo(divergence, x, p, m, Math.Exp(logS));
            return double.IsNaN(d) ? double.PositiveInfinity : d;
        }
        var ms = Quadrature.Linspace(meanRange.Min, meanRange.Max, coarse);
        var ls = Quadrature.Linspace(Math.Log(stdRange.Min), Math.Log(stdRange.Max), coarse);
        double best = double.PositiveInfinity, bm = ms[0], bl = ls[0];
        foreach (var m in ms)
            foreach (var l in ls)
            {
                double v = Obj(m, l);
                if (v < best) { best = v; bm = m; bl = l; }
            }
        // Nelder–Mead on (μ, log σ), started from the best grid point with a simplex of one grid cell.
        double hm = ms[1] - ms[0], hl = ls[1] - ls[0];
        var pts = new[] { (bm, bl), (bm + hm, bl), (bm, bl + hl) };
        var vals = pts.Select(t => Obj(t.Item1, t.Item2)).ToArray();
        for (int iter = 0; iter < 400; iter++)
        {
            var order = Enumerable.Range(0, 3).OrderBy(i => vals[i]).ToArray();
            pts = order.Select(i => pts[i]).ToArray();
            vals = order.Select(i => vals[i]).ToArray();
            if (Math.Abs(vals[2] - vals[0]) < 1e-13 * (1 + Math.Abs(vals[0])) &&
                Math.Abs(pts[2].Item1 - pts[0].Item1) + Math.Abs(pts[2].Item2 - pts[0].Item2) < 1e-9) break;
            var c = ((pts[0].Item1 + pts[1].Item1) / 2, (pts[0].Item2 + pts[1].Item2) / 2);
            (double, double) At(double a) => (c.Item1 + a * (pts[2].Item1 - c.Item1), c.Item2 + a * (pts[2].Item2 - c.Item2));
            var r = At(-1); double fr = Obj(r.Item1, r.Item2);
            if (fr < vals[0])
            {
                var e = At(-2); double fe = Obj(e.Item1, e.Item2);
                if (fe < fr) { pts[2] = e; vals[2] = fe; } else { pts[2] = r; vals[2] = fr; }
            }
            else if (fr < vals[1]) { pts[2] = r; vals[2] = fr; }
            else
            {
                var k = fr < vals[2] ? At(-0.5) : At(0.5); double fk = Obj(k.Item1, k.Item2);
                if (fk < Math.Min(fr, vals[2])) { pts[2] = k; vals[2] = fk; }
                else
                {
                    for (int i = 1; i < 3; i++)
                    {
                        pts[i] = ((pts[0].Item1 + pts[i].Item1) / 2, (pts[0].Item2 + pts[i].Item2) / 2);
                        vals[i] = Obj(pts[i].Item1, pts[i].Item2);
                    }
                }
            }
        }
        int b = Array.IndexOf(vals, vals.Min());
        return new GaussianFit(pts[b].Item1, Math.Exp(pts[b].Item2), vals[b]);
    }
}
