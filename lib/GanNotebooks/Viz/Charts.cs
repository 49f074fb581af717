using GanNotebooks.Data.Toy;
using GanNotebooks.Core;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using Plotly.NET.TraceObjects;
using FChart = Plotly.NET.Chart;
using PChart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;

namespace GanNotebooks.Viz;

/// <summary>A named curve: y against x (e.g. a loss against the training step).</summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>A series whose x values are 0, 1, 2, … (the index).</summary>
    public static Series Of(string name, IReadOnlyList<double> y)
        => new(name, Enumerable.Range(0, y.Count).Select(i => (double)i).ToArray(), y);

    /// <summary>A metric recorded by a trainer (<c>trainer.History["Loss/D"]</c>): x = step, y = value; named after the metric unless <paramref name="name"/> is given.</summary>
    public static Series Of(Training.MetricSeries metric, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return new(name ?? metric.Name, metric.Steps.Select(s => (double)s).ToArray(), metric.Values.ToArray());
    }
}

/// <summary>An axis-aligned box in the plane (plot extent and evaluation grid for 2D heatmaps).</summary>
public readonly record struct Box2D(double XMin, double XMax, double YMin, double YMax)
{
    /// <summary>The square [−h, h]².</summary>
    public static Box2D Square(double halfWidth) => new(-halfWidth, halfWidth, -halfWidth, halfWidth);

    /// <summary>The box around a mixture's centres with a margin.</summary>
    public static Box2D Around(GaussianMixture2D mixture, double margin = 0.5)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        var b = mixture.BoundingBox(margin);
        return new Box2D(b.XMin, b.XMax, b.YMin, b.YMax);
    }

    /// <summary>Evenly spaced x and y coordinates, <paramref name="resolution"/> of each.</summary>
    public (double[] Xs, double[] Ys) Axes(int resolution)
    {
        if (resolution < 2) throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "Need at least 2 points per axis.");
        if (!(XMax > XMin) || !(YMax > YMin)) throw new ArgumentException($"Empty box {this}.");
        return (Core.Quadrature.Linspace(XMin, XMax, resolution), Core.Quadrature.Linspace(YMin, YMax, resolution));
    }

    /// <summary>
    /// All grid points as a matrix [resolution², 2], y-major (point i·res + j is (xs[j], ys[i])), ready
    /// to be fed to a discriminator in one batch; reshape its output to [res, res] for a heatmap.
    /// </summary>
    public double[,] GridPoints(int resolution)
    {
        var (xs, ys) = Axes(resolution);
        var p = new double[resolution * resolution, 2];
        for (int i = 0; i < resolution; i++)
            for (int j = 0; j < resolution; j++) { p[i * resolution + j, 0] = xs[j]; p[i * resolution + j, 1] = ys[i]; }
        return p;
    }
}

/// <summary>
/// The kit's Plotly charts. Every chart has a title and every axis a title with units ("(a.u.)"
/// for arbitrary units). Arrays of points are [n, 2] double matrices (use <c>tensor.ToMatrix()</c>).
/// </summary>
public static class Charts
{
    static readonly string[] Palette = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
    const string RealColor = "#1f77b4", FakeColor = "#d62728", CentreColor = "#000000";

    // ---------------------------------------------------------------- curves vs step

    /// <summary>
    /// Loss curves: several named series against the step. <paramref name="smoothing"/> in [0, 1) is a
    /// TensorBoard-style debiased exponential moving average weight; when &gt; 0 the raw curves are
    /// drawn faintly behind the smoothed ones.
    /// </summary>
    public static GenericChart LossCurves(IEnumerable<Series> series, string title = "Training losses", double smoothing = 0,
        bool logY = false, string xTitle = "step", string yTitle = "loss (a.u.)")
        => Curves(series, title, smoothing, logY, xTitle, yTitle);

    /// <summary>Loss curves from name → values (x = index).</summary>
    public static GenericChart LossCurves(IReadOnlyDictionary<string, IReadOnlyList<double>> series, string title = "Training losses",
        double smoothing = 0, bool logY = false, string xTitle = "step", string yTitle = "loss (a.u.)")
    {
        ArgumentNullException.ThrowIfNull(series);
        return Curves(series.Select(kv => Series.Of(kv.Key, kv.Value)), title, smoothing, logY, xTitle, yTitle);
    }

    /// <summary>Gradient norms (e.g. ‖∇_θ L_G‖ for the saturating and non-saturating losses) against the step; log y by default.</summary>
    public static GenericChart GradientNorms(IEnumerable<Series> series, string title = "Gradient norms", bool logY = true,
        double smoothing = 0, string xTitle = "step", string yTitle = "gradient L2 norm (a.u.)")
        => Curves(series, title, smoothing, logY, xTitle, yTitle);

    /// <summary>Any family of named curves y(x) with explicit axis titles (e.g. divergence against θ).</summary>
    public static GenericChart Curves(IEnumerable<Series> series, string title, double smoothing, bool logY, string xTitle, string yTitle)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (!(smoothing >= 0 && smoothing < 1)) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "smoothing is an EMA weight in [0, 1).");
        var list = series.ToList();
        if (list.Count == 0) throw new ArgumentException("Give at least one series.", nameof(series));
        var charts = new List<GenericChart>();
        for (int k = 0; k < list.Count; k++)
        {
            var s = list[k];
            if (s.X.Count != s.Y.Count) throw new ArgumentException($"Series '{s.Name}' has {s.X.Count} x values but {s.Y.Count} y values.");
            var color = Color.fromString(Palette[k % Palette.Length]);
            if (smoothing > 0)
            {
                charts.Add(PChart.Line<double, double, string>(s.X, s.Y, Name: s.Name + " (raw)", ShowLegend: false, Opacity: 0.25, LineColor: color));
                charts.Add(PChart.Line<double, double, string>(s.X, Ema(s.Y, smoothing), Name: s.Name, LineColor: color));
            }
            else charts.Add(PChart.Line<double, double, string>(s.X, s.Y, Name: s.Name, LineColor: color));
        }
        return Finish(PChart.Combine(charts), title, xTitle, yTitle, logY: logY);
    }

    /// <summary>Debiased exponential moving average (TensorBoard's smoothing): s_t = (α s_{t−1} + (1−α) y_t) / (1 − α^t).</summary>
    public static double[] Ema(IReadOnlyList<double> y, double alpha)
    {
        ArgumentNullException.ThrowIfNull(y);
        var r = new double[y.Count];
        double s = 0, w = 0;
        for (int i = 0; i < y.Count; i++)
        {
            if (!double.IsFinite(y[i])) { r[i] = y[i]; continue; }
            s = alpha * s + (1 - alpha) * y[i];
            w = alpha * w + (1 - alpha);
            r[i] = s / w;
        }
        return r;
    }

    // ---------------------------------------------------------------- 1D densities and discriminators

    /// <summary>
    /// The picture of Goodfellow et al. 2014, Fig. 1: p_data, p_g, the current D(x) and the optimal
    /// D*(x) on a 1D grid <paramref name="x"/>, with an optional histogram (probability density) of
    /// generated samples. Any curve may be null. Densities and D share one y axis.
    /// </summary>
    public static GenericChart Density1D(IReadOnlyList<double> x, IReadOnlyList<double>? pData = null, IReadOnlyList<double>? pG = null,
        IReadOnlyList<double>? d = null, IReadOnlyList<double>? dStar = null, IReadOnlyList<double>? generatedSamples = null,
        string title = "Densities and discriminator", string xTitle = "x (a.u.)", string yTitle = "density / D(x) (probability)", int bins = 60)
    {
        ArgumentNullException.ThrowIfNull(x);
        var charts = new List<GenericChart>();
        if (generatedSamples is not null && generatedSamples.Count > 0)
            charts.Add(PChart.Histogram<double, double, string>(X: generatedSamples.ToArray(), Name: "generated samples", Opacity: 0.35,
                HistNorm: StyleParam.HistNorm.ProbabilityDensity, NBinsX: bins, MarkerColor: Color.fromString(FakeColor)));
        void Add(IReadOnlyList<double>? y, string name, string color, StyleParam.DrawingStyle dash)
        {
            if (y is null) return;
            if (y.Count != x.Count) throw new ArgumentException($"'{name}' has {y.Count} values but the grid has {x.Count} points.");
            charts.Add(PChart.Line<double, double, string>(x, y, Name: name, LineColor: Color.fromString(color), LineDash: dash, LineWidth: 2.5));
        }
        Add(pData, "p_data", RealColor, StyleParam.DrawingStyle.Solid);
        Add(pG, "p_g", FakeColor, StyleParam.DrawingStyle.Solid);
        Add(d, "D(x)", "#2ca02c", StyleParam.DrawingStyle.Solid);
        Add(dStar, "D*(x)", "#2ca02c", StyleParam.DrawingStyle.Dash);
        if (charts.Count == 0) throw new ArgumentException("Nothing to draw: pass at least one of pData, pG, d, dStar, generatedSamples.");
        return Finish(PChart.Combine(charts), title, xTitle, yTitle);
    }

    /// <summary>A generator mapping z → x = G(z) for 1D latent and data (lines from z to G(z) in Goodfellow's Fig. 1 are this curve).</summary>
    public static GenericChart GeneratorMap1D(IReadOnlyList<double> z, IReadOnlyList<double> x, string title = "Generator mapping x = G(z)",
        string zTitle = "z (a.u.)", string xTitle = "x = G(z) (a.u.)")
    {
        ArgumentNullException.ThrowIfNull(z); ArgumentNullException.ThrowIfNull(x);
        if (z.Count != x.Count) throw new ArgumentException($"z has {z.Count} values but x has {x.Count}.");
        return Finish(PChart.Line<double, double, string>(z, x, Name: "G(z)", LineColor: Color.fromString(FakeColor)), title, zTitle, xTitle);
    }

    // ---------------------------------------------------------------- 2D

    /// <summary>
    /// Heatmap of a function over a box (e.g. the discriminator's output) with real and generated
    /// samples overlaid. <paramref name="f"/> receives all grid points at once as [res², 2] (see
    /// <see cref="Box2D.GridPoints"/>) and returns one value per point.
    /// </summary>
    public static GenericChart Heatmap2D(Box2D box, Func<double[,], IReadOnlyList<double>> f, int resolution = 100,
        double[,]? real = null, double[,]? generated = null, string title = "Discriminator output", string colorTitle = "D(x) (probability)",
        string xTitle = "x₁ (a.u.)", string yTitle = "x₂ (a.u.)")
    {
        ArgumentNullException.ThrowIfNull(f);
        var (xs, ys) = box.Axes(resolution);
        var values = f(box.GridPoints(resolution));
        if (values.Count != resolution * resolution)
            throw new ArgumentException($"The function returned {values.Count} values for {resolution * resolution} grid points; return one value per point.");
        var z = new double[resolution, resolution];
        for (int i = 0; i < resolution; i++) for (int j = 0; j < resolution; j++) z[i, j] = values[i * resolution + j];
        return Heatmap2D(xs, ys, z, real, generated, title, colorTitle, xTitle, yTitle);
    }

    /// <summary>
    /// The segments of a direction-arrow plot: from each point (row of <paramref name="points"/> [n, 2]) a segment of
    /// length <paramref name="length"/> along v/‖v‖ (row of <paramref name="vectors"/> [n, 2]); NaN separates segments.
    /// Points with ‖v‖ = 0 or a non-finite v are skipped. Every third entry (index 3k + 1) is an arrow's head.
    /// </summary>
    public static (double[] X, double[] Y) ArrowSegments(double[,] points, double[,] vectors, double length)
    {
        ArgumentNullException.ThrowIfNull(points); ArgumentNullException.ThrowIfNull(vectors);
        if (points.GetLength(1) != 2 || vectors.GetLength(1) != 2 || points.GetLength(0) != vectors.GetLength(0))
            throw new ArgumentException($"points and vectors must both be [n, 2] with the same n; got [{points.GetLength(0)}, {points.GetLength(1)}] and [{vectors.GetLength(0)}, {vectors.GetLength(1)}].");
        if (!(length > 0) || double.IsInfinity(length)) throw new ArgumentOutOfRangeException(nameof(length), length, "the arrow length must be a finite number > 0 (in the units of the axes).");
        var x = new List<double>(); var y = new List<double>();
        for (int i = 0; i < points.GetLength(0); i++)
        {
            double vx = vectors[i, 0], vy = vectors[i, 1], n = Math.Sqrt(vx * vx + vy * vy);
            if (!(n > 0) || double.IsInfinity(n)) continue;
            x.AddRange(new[] { points[i, 0], points[i, 0] + length * vx / n, double.NaN });
            y.AddRange(new[] { points[i, 1], points[i, 1] + length * vy / n, double.NaN });
        }
        return (x.ToArray(), y.ToArray());
    }

    /// <summary>
    /// Direction arrows of a 2D vector field (e.g. a critic's gradient ∇f from <c>CriticDiagnostics.Field</c>) as a
    /// layer to combine with a heatmap: <c>Plotly.NET.CSharp.Chart.Combine(new[] { heat, Charts.Arrows2D(…) })</c>.
    /// Lengths are normalized (see <see cref="ArrowSegments"/>): the picture shows direction, the heatmap the size.
    /// </summary>
    public static GenericChart Arrows2D(double[,] points, double[,] vectors, double length, string name = "direction", string color = "#ffffff")
    {
        var (x, y) = ArrowSegments(points, vectors, length);
        var c = Color.fromString(color);
        var lines = PChart.Line<double, double, string>(x, y, Name: name, LineColor: c, LineWidth: 1.2);
        var head = new Marker();
        head.SetProperty("size", 4);
        head.SetProperty("color", color);
        var heads = PChart.Point<double, double, string>(x.Where((_, i) => i % 3 == 1), y.Where((_, i) => i % 3 == 1),
            Name: name + " (head)", Marker: head, ShowLegend: false);
        return PChart.Combine(new[] { lines, heads });
    }

    /// <summary>Heatmap of precomputed values z[i, j] at (xs[j], ys[i]) with optional real/generated scatter.</summary>
    public static GenericChart Heatmap2D(IReadOnlyList<double> xs, IReadOnlyList<double> ys, double[,] z, double[,]? real = null, double[,]? generated = null,
        string title = "Discriminator output", string colorTitle = "D(x) (probability)", string xTitle = "x₁ (a.u.)", string yTitle = "x₂ (a.u.)")
    {
        ArgumentNullException.ThrowIfNull(xs); ArgumentNullException.ThrowIfNull(ys); ArgumentNullException.ThrowIfNull(z);
        if (z.GetLength(0) != ys.Count || z.GetLength(1) != xs.Count)
            throw new ArgumentException($"z must be [ys.Count, xs.Count] = [{ys.Count}, {xs.Count}] (rows follow y); got [{z.GetLength(0)}, {z.GetLength(1)}].");
        var rows = Enumerable.Range(0, ys.Count).Select(i => Enumerable.Range(0, xs.Count).Select(j => z[i, j]).ToArray()).ToArray();
        var colorBar = new ColorBar();
        colorBar.SetProperty("title", TitleOf(colorTitle));
        var charts = new List<GenericChart>
        {
            PChart.Heatmap<double, double, double, string>(rows, X: xs.ToArray(), Y: ys.ToArray(), Name: colorTitle,
                ColorScale: StyleParam.Colorscale.Viridis, ColorBar: colorBar),
        };
        if (real is not null) charts.Add(Points(real, "real", RealColor, 4, "#ffffff"));
        if (generated is not null) charts.Add(Points(generated, "generated", FakeColor, 4, "#ffffff"));
        return Finish(PChart.Combine(charts), title, xTitle, yTitle, size: (700, 640))
            .WithLegendStyle(Orientation: StyleParam.Orientation.Horizontal, X: 0.0, Y: -0.18);
    }

    /// <summary>
    /// Generated samples [n, 2] with the mode centres of the target (e.g. <c>mixture.Centres</c>) and
    /// optionally real samples, the picture of VEEGAN/PacGAN's ring and grid figures.
    /// </summary>
    public static GenericChart Samples2D(double[,] generated, IReadOnlyList<(double X, double Y)>? centres = null, double[,]? real = null,
        string title = "Generated samples and modes", Box2D? box = null, string xTitle = "x₁ (a.u.)", string yTitle = "x₂ (a.u.)")
    {
        ArgumentNullException.ThrowIfNull(generated);
        var charts = new List<GenericChart>();
        if (real is not null) charts.Add(Points(real, "real", RealColor, 4, null, 0.5));
        charts.Add(Points(generated, "generated", FakeColor, 4, null, 0.6));
        if (centres is not null && centres.Count > 0) charts.Add(Centres(centres));
        return Finish(PChart.Combine(charts), title, xTitle, yTitle, box, size: (650, 600));
    }

    /// <summary>
    /// Named groups of 2D points [n, 2], one colour each (the palette in order), e.g. latent codes grouped by the
    /// mode their image lands on, or z next to E(G(z)). Empty groups are skipped; optional mode centres on top.
    /// </summary>
    public static GenericChart Scatter2D(IReadOnlyList<(string Name, double[,] Points)> groups, string title, string xTitle, string yTitle,
        Box2D? box = null, IReadOnlyList<(double X, double Y)>? centres = null, int markerSize = 4, double opacity = 0.7)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count == 0) throw new ArgumentException("Give at least one group of points.", nameof(groups));
        var charts = new List<GenericChart>();
        for (int k = 0; k < groups.Count; k++)
            if (groups[k].Points.GetLength(0) > 0)
                charts.Add(Points(groups[k].Points, groups[k].Name, Palette[k % Palette.Length], markerSize, null, opacity));
        if (centres is not null && centres.Count > 0) charts.Add(Centres(centres));
        if (charts.Count == 0) throw new ArgumentException("Every group is empty; nothing to draw.", nameof(groups));
        return Finish(PChart.Combine(charts), title, xTitle, yTitle, box, size: (650, 600));
    }

    /// <summary>
    /// Points [n, 2] coloured by an integer label per point (0 ≤ label &lt; names.Count), one legend entry per
    /// label named by <paramref name="names"/> — e.g. latent codes coloured by the mode their image lands on.
    /// </summary>
    public static GenericChart Scatter2D(double[,] points, IReadOnlyList<int> labels, IReadOnlyList<string> names, string title, string xTitle,
        string yTitle, Box2D? box = null, IReadOnlyList<(double X, double Y)>? centres = null, int markerSize = 4, double opacity = 0.7)
    {
        ArgumentNullException.ThrowIfNull(points); ArgumentNullException.ThrowIfNull(labels); ArgumentNullException.ThrowIfNull(names);
        if (points.GetLength(1) != 2) throw new ArgumentException($"Points must be [n, 2]; got [{points.GetLength(0)}, {points.GetLength(1)}].", nameof(points));
        if (labels.Count != points.GetLength(0)) throw new ArgumentException($"{labels.Count} labels for {points.GetLength(0)} points; give one label per point.", nameof(labels));
        if (labels.Any(l => l < 0 || l >= names.Count)) throw new ArgumentException($"Labels must lie in [0, {names.Count}) (one name per label).", nameof(labels));
        var groups = new List<(string, double[,])>();
        for (int k = 0; k < names.Count; k++)
        {
            var idx = Enumerable.Range(0, labels.Count).Where(i => labels[i] == k).ToArray();
            var g = new double[idx.Length, 2];
            for (int j = 0; j < idx.Length; j++) { g[j, 0] = points[idx[j], 0]; g[j, 1] = points[idx[j], 1]; }
            groups.Add((names[k], g));
        }
        return Scatter2D(groups, title, xTitle, yTitle, box, centres, markerSize, opacity);
    }

    /// <summary>
    /// Generator manifold: a grid of latent lines mapped through <paramref name="generator"/> (which
    /// takes z [m, latentDim] and returns x [m, 2]). With latentDim 2, <paramref name="lines"/> lines of
    /// constant z₁ and as many of constant z₂ over [−range, range]; with latentDim 1, one curve. Shows
    /// how G folds the latent space onto the data (and where it stretches across gaps between modes).
    /// </summary>
    public static GenericChart GeneratorManifold(Func<double[,], double[,]> generator, int latentDim = 2, double latentRange = 3.0, int lines = 11,
        int pointsPerLine = 80, double[,]? real = null, IReadOnlyList<(double X, double Y)>? centres = null,
        string title = "Generator manifold G(z)", Box2D? box = null, string xTitle = "x₁ (a.u.)", string yTitle = "x₂ (a.u.)")
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (latentDim is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "The manifold plot draws 1D or 2D latent spaces; project higher-dimensional z first.");
        if (lines < 2 || pointsPerLine < 2) throw new ArgumentException("Need at least 2 lines and 2 points per line.");
        if (!(latentRange > 0)) throw new ArgumentOutOfRangeException(nameof(latentRange), latentRange, "latentRange must be positive.");
        var t = Core.Quadrature.Linspace(-latentRange, latentRange, pointsPerLine);
        var levels = Core.Quadrature.Linspace(-latentRange, latentRange, lines);
        var zLines = new List<(string Name, double[,] Z, string Color)>();
        if (latentDim == 1)
        {
            var z = new double[pointsPerLine, 1];
            for (int i = 0; i < pointsPerLine; i++) z[i, 0] = t[i];
            zLines.Add(("G(z)", z, FakeColor));
        }
        else
        {
            foreach (var (fixedAxis, color) in new[] { (0, FakeColor), (1, "#ff7f0e") })
                foreach (var level in levels)
                {
                    var z = new double[pointsPerLine, 2];
                    for (int i = 0; i < pointsPerLine; i++) { z[i, fixedAxis] = level; z[i, 1 - fixedAxis] = t[i]; }
                    zLines.Add(($"z{fixedAxis + 1} = {level:G3}", z, color));
                }
        }
        var charts = new List<GenericChart>();
        if (real is not null) charts.Add(Points(real, "real", RealColor, 3, null, 0.4));
        var legendShown = new HashSet<string>();
        foreach (var (name, z, color) in zLines)
        {
            var x = generator(z);
            if (x.GetLength(0) != z.GetLength(0) || x.GetLength(1) != 2)
                throw new ArgumentException($"The generator returned [{x.GetLength(0)}, {x.GetLength(1)}] for {z.GetLength(0)} latent points; expected [{z.GetLength(0)}, 2].");
            string family = latentDim == 1 ? name : name.StartsWith("z1", StringComparison.Ordinal) ? "G(z), z₁ fixed" : "G(z), z₂ fixed";
            charts.Add(PChart.Line<double, double, string>(x.Column(0), x.Column(1), Name: family,
                ShowLegend: legendShown.Add(family), LineColor: Color.fromString(color), LineWidth: 1.2, Opacity: 0.8));
        }
        if (centres is not null && centres.Count > 0) charts.Add(Centres(centres));
        return Finish(PChart.Combine(charts), title, xTitle, yTitle, box, size: (650, 600));
    }

    /// <summary>
    /// Snapshots over training: a grid of small scatter frames (e.g. samples at steps 0, 1k, 2k, …),
    /// each titled with its label, all on the same box.
    /// </summary>
    public static GenericChart Snapshots(IReadOnlyList<(string Label, double[,] Samples)> frames, IReadOnlyList<(double X, double Y)>? centres = null,
        int columns = 4, Box2D? box = null, string title = "Samples during training", string xTitle = "x₁ (a.u.)", string yTitle = "x₂ (a.u.)")
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0) throw new ArgumentException("Give at least one frame.", nameof(frames));
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns must be at least 1.");
        int cols = Math.Min(columns, frames.Count), rows = (frames.Count + cols - 1) / cols;
        var cells = new List<GenericChart>();
        for (int k = 0; k < frames.Count; k++)
        {
            var parts = new List<GenericChart> { Points(frames[k].Samples, "generated", FakeColor, 3, null, 0.6, showLegend: k == 0) };
            if (centres is not null && centres.Count > 0) parts.Add(Centres(centres, showLegend: k == 0));
            cells.Add(Axes(PChart.Combine(parts), xTitle, yTitle, box, logY: false));
        }
        var grid = PChart.Grid(cells, rows, cols, SubPlotTitles: frames.Select(f => f.Label).ToArray(), XGap: 0.3, YGap: 0.35);
        grid = FChart.withTitle(title, FSharpOption<Font>.None).Invoke(grid);
        return grid.WithSize(Width: 260 * cols + 80, Height: 260 * rows + 80);
    }

    // ---------------------------------------------------------------- bars

    /// <summary>A bar chart of labelled values with optional error bars (e.g. modes captured ± s.e. per method).</summary>
    public static GenericChart Bar(IReadOnlyList<string> labels, IReadOnlyList<double> values, IReadOnlyList<double>? errors = null,
        string title = "Results", string xTitle = "run", string yTitle = "value (a.u.)")
    {
        ArgumentNullException.ThrowIfNull(labels); ArgumentNullException.ThrowIfNull(values);
        if (labels.Count != values.Count) throw new ArgumentException($"{labels.Count} labels for {values.Count} values.");
        var chart = PChart.Column<double, string, string>(values.ToArray(), Keys: labels.ToArray(), Name: yTitle, MarkerColor: Color.fromString(RealColor));
        if (errors is not null)
        {
            if (errors.Count != values.Count) throw new ArgumentException($"{errors.Count} errors for {values.Count} values.");
            var err = new Error();
            err.SetProperty("type", "data");
            err.SetProperty("array", errors.ToArray());
            err.SetProperty("visible", true);
            chart = FChart.withYError(err).Invoke(chart);
        }
        return Finish(chart, title, xTitle, yTitle);
    }

    /// <summary>A table as a Plotly table chart (for reports that want a figure; <see cref="Table"/> itself renders as HTML/text).</summary>
    public static GenericChart TableChart(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var header = new TableCells();
        header.SetProperty("values", table.Columns.Select(c => new[] { c }).ToArray());
        var cells = new TableCells();
        cells.SetProperty("values", table.Columns.Select((_, j) => table.Rows.Select(r => Table.FormatCell(r[j])).ToArray()).ToArray());
        var chart = PChart.Table(header, cells);
        return FChart.withTitle(table.Title ?? "Results", FSharpOption<Font>.None).Invoke(chart);
    }

    // ---------------------------------------------------------------- helpers

    static GenericChart Points(double[,] pts, string name, string color, int size, string? outline, double opacity = 0.8, bool showLegend = true)
    {
        if (pts.GetLength(1) != 2) throw new ArgumentException($"Points must be [n, 2]; got [{pts.GetLength(0)}, {pts.GetLength(1)}] for '{name}'.");
        var marker = new Marker();
        marker.SetProperty("size", size);
        marker.SetProperty("color", color);
        if (outline is not null)
        {
            var line = new Line();
            line.SetProperty("color", outline);
            line.SetProperty("width", 0.5);
            marker.SetProperty("line", line);
        }
        return PChart.Point<double, double, string>(pts.Column(0), pts.Column(1), Name: name, Opacity: opacity, Marker: marker, ShowLegend: showLegend);
    }

    static GenericChart Centres(IReadOnlyList<(double X, double Y)> centres, bool showLegend = true)
    {
        var marker = new Marker();
        // open circles, so samples sitting exactly on a mode stay visible
        marker.SetProperty("size", 11);
        marker.SetProperty("color", CentreColor);
        marker.SetProperty("symbol", "circle-open");
        var line = new Line();
        line.SetProperty("width", 1.5);
        marker.SetProperty("line", line);
        return PChart.Point<double, double, string>(centres.Select(c => c.X).ToArray(), centres.Select(c => c.Y).ToArray(),
            Name: "mode centres", Marker: marker, ShowLegend: showLegend);
    }

    static GenericChart Axes(GenericChart chart, string xTitle, string yTitle, Box2D? box, bool logY)
    {
        chart = box is { } b
            ? chart.WithXAxisStyle<double, double, string>(TitleText: xTitle, MinMax: Tuple.Create(b.XMin, b.XMax))
                   .WithYAxisStyle<double, double, string>(TitleText: yTitle, MinMax: Tuple.Create(b.YMin, b.YMax), AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)
            : chart.WithXAxisStyle<double, double, string>(TitleText: xTitle)
                   .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        return chart;
    }

    static GenericChart Finish(GenericChart chart, string title, string xTitle, string yTitle, Box2D? box = null, bool logY = false, (int W, int H)? size = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(xTitle);
        ArgumentException.ThrowIfNullOrWhiteSpace(yTitle);
        chart = Axes(chart, xTitle, yTitle, box, logY);
        chart = FChart.withTitle(title, FSharpOption<Font>.None).Invoke(chart);
        return size is { } s ? chart.WithSize(Width: s.W, Height: s.H) : chart.WithSize(Width: 800, Height: 450);
    }

    static Title TitleOf(string text)
    {
        var t = new Title();
        t.SetProperty("text", text);
        return t;
    }
}
