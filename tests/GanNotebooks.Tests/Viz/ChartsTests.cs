using GanNotebooks.Data.Toy;
using GanNotebooks.Core;
using GanNotebooks.Theory;
using GanNotebooks.Viz;
using Plotly.NET;

namespace GanNotebooks.Tests.Viz;

public class ChartsTests
{
    static string Json(GenericChart c) => GenericChart.toJson(c);

    static void AssertHasTitles(GenericChart chart, string title, params string[] axisTitles)
    {
        var json = Json(chart);
        Assert.Contains(title, json);
        foreach (var t in axisTitles) Assert.Contains($"\"text\":\"{t}\"", json);
    }

    [Fact]
    public void LossCurvesHaveTitlesAndSmoothedSeries()
    {
        var y = Enumerable.Range(0, 50).Select(i => Math.Sin(i) + 1.0).ToArray();
        var chart = Charts.LossCurves(new[] { Series.Of("Loss/D", y), Series.Of("Loss/G", y.Select(v => v * 2).ToArray()) }, "GAN losses", smoothing: 0.9);
        AssertHasTitles(chart, "GAN losses", "step", "loss (a.u.)");
        Assert.Contains("Loss/D (raw)", Json(chart));
        var dict = Charts.LossCurves(new Dictionary<string, IReadOnlyList<double>> { ["Loss/D"] = y });
        AssertHasTitles(dict, "Training losses", "step", "loss (a.u.)");
    }

    [Fact]
    public void ArrowSegmentsHaveTheGivenLengthAlongTheFieldAndSkipZeroVectors()
    {
        var points = new double[,] { { 0, 0 }, { 1, 1 }, { 2, 0 } };
        var vectors = new double[,] { { 3, 4 }, { 0, 0 }, { 0, -0.001 } };
        var (x, y) = Charts.ArrowSegments(points, vectors, 0.5);
        // (0,0) → (0,0) + 0.5·(0.6, 0.8); the zero vector is skipped; (2,0) → (2, −0.5)
        Assert.Equal(new[] { 0, 0.3, double.NaN, 2, 2, double.NaN }, x.Select(v => Math.Round(v, 12)));
        Assert.Equal(new[] { 0, 0.4, double.NaN, 0, -0.5, double.NaN }, y.Select(v => Math.Round(v, 12)));
        Assert.Throws<ArgumentException>(() => Charts.ArrowSegments(points, new double[2, 2], 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Charts.ArrowSegments(points, vectors, 0));
        var json = Json(Charts.Arrows2D(points, vectors, 0.5, "direction of ∇f"));
        Assert.Contains("direction of ∇f", json);
    }

    [Fact]
    public void A_recorded_metric_becomes_a_series_of_steps_and_values()
    {
        var history = new GanNotebooks.Training.History();
        history.Add(10, new Dictionary<string, double> { ["Loss/D"] = 1.5 });
        history.Add(20, new Dictionary<string, double> { ["Loss/D"] = 1.25 });
        var s = Series.Of(history["Loss/D"]);
        Assert.Equal("Loss/D", s.Name);
        Assert.Equal(new[] { 10.0, 20.0 }, s.X);
        Assert.Equal(new[] { 1.5, 1.25 }, s.Y);
        Assert.Equal("D loss", Series.Of(history["Loss/D"], "D loss").Name);
    }

    [Fact]
    public void EmaIsDebiased()
    {
        var s = Charts.Ema(new[] { 5.0, 5, 5 }, 0.9);
        Assert.All(s, v => Assert.Equal(5.0, v, 12));
    }

    [Fact]
    public void GradientNormsUseALogAxis()
    {
        var chart = Charts.GradientNorms(new[] { Series.Of("saturating", new[] { 1e-3, 1e-4 }), Series.Of("non-saturating", new[] { 1.0, 0.5 }) });
        AssertHasTitles(chart, "Gradient norms", "step", "gradient L2 norm (a.u.)");
        Assert.Contains("\"type\":\"log\"", Json(chart));
    }

    [Fact]
    public void Density1DHasAllCurvesAndTitles()
    {
        var x = Quadrature.Linspace(-4, 4, 50);
        var p = GaussianMixture1D.Gaussian(0, 1).Density(x);
        var q = GaussianMixture1D.Gaussian(1, 1).Density(x);
        var chart = Charts.Density1D(x, p, q, d: Enumerable.Repeat(0.5, 50).ToArray(), dStar: OptimalDiscriminator.OnGrid(p, q), generatedSamples: new[] { 0.1, 0.5, 1.2 });
        AssertHasTitles(chart, "Densities and discriminator", "x (a.u.)", "density / D(x) (probability)");
        var json = Json(chart);
        foreach (var name in new[] { "p_data", "p_g", "D(x)", "D*(x)", "generated samples" }) Assert.Contains(name, json);
        AssertHasTitles(Charts.GeneratorMap1D(x, x), "Generator mapping x = G(z)", "z (a.u.)", "x = G(z) (a.u.)");
    }

    [Fact]
    public void HeatmapEvaluatesTheFunctionOnTheGridWithOverlays()
    {
        var ring = GaussianMixture2D.Ring();
        var box = Box2D.Around(ring);
        var chart = Charts.Heatmap2D(box, pts => Enumerable.Range(0, pts.GetLength(0)).Select(i => pts[i, 0] > 0 ? 1.0 : 0.0).ToArray(), resolution: 10,
            real: ring.SampleArray(8, 1), generated: new double[,] { { 0, 0 } });
        AssertHasTitles(chart, "Discriminator output", "x₁ (a.u.)", "x₂ (a.u.)", "D(x) (probability)");
        Assert.Contains("heatmap", Json(chart));
        Assert.Throws<ArgumentException>(() => Charts.Heatmap2D(box, _ => new double[3], resolution: 10));
        var pts = box.GridPoints(3);
        Assert.Equal(box.XMin, pts[0, 0]); Assert.Equal(box.YMin, pts[0, 1]);
        Assert.Equal(box.XMax, pts[2, 0]); Assert.Equal(box.YMin, pts[2, 1]); // x varies fastest
    }

    [Fact]
    public void ScatterManifoldSnapshotsAndBarHaveTitles()
    {
        var ring = GaussianMixture2D.Ring();
        var s = ring.SampleArray(8, 2);
        AssertHasTitles(Charts.Samples2D(s, ring.Centres, real: s, box: Box2D.Square(1.5)), "Generated samples and modes", "x₁ (a.u.)", "x₂ (a.u.)");
        var manifold = Charts.GeneratorManifold(z => z, latentDim: 2, lines: 3, pointsPerLine: 4, centres: ring.Centres);
        AssertHasTitles(manifold, "Generator manifold G(z)", "x₁ (a.u.)", "x₂ (a.u.)");
        AssertHasTitles(Charts.GeneratorManifold(z => new double[,] { { z[0, 0], 0 }, { z[1, 0], 1 } }, latentDim: 1, pointsPerLine: 2), "Generator manifold G(z)", "x₁ (a.u.)");
        var snaps = Charts.Snapshots(new[] { ("step 0", s), ("step 100", s), ("step 200", s) }, ring.Centres, columns: 2, box: Box2D.Square(1.5));
        var json = Json(snaps);
        Assert.Contains("Samples during training", json);
        Assert.Contains("step 100", json);
        Assert.Contains("xaxis3", json);
        Assert.Contains("\"text\":\"x₁ (a.u.)\"", json);
        AssertHasTitles(Charts.Bar(new[] { "GAN", "PacGAN" }, new[] { 5.0, 8.0 }, new[] { 0.3, 0.0 }, "Modes captured", "method", "modes (count)"), "Modes captured", "method", "modes (count)");
        Assert.Contains("\"array\":[0.3,0.0]", Json(Charts.Bar(new[] { "a", "b" }, new[] { 1.0, 2.0 }, new[] { 0.3, 0.0 })));
    }

    [Fact]
    public void TableRendersTextHtmlAndChart()
    {
        var t = new Table("run", "modes", "KL") { Title = "Runs" }.AddRow("GAN", 3, 1.23456).AddRow("Pac<2>", 8, double.PositiveInfinity);
        Assert.Equal("Runs\nrun    | modes | KL\n-------+-------+------\nGAN    | 3     | 1.235\nPac<2> | 8     | ∞", t.ToString().Replace("\r", ""));
        Assert.Contains("<td>Pac&lt;2&gt;</td>", t.ToHtml());
        Assert.Contains("<caption>Runs</caption>", t.ToHtml());
        Assert.Throws<ArgumentException>(() => t.AddRow("x"));
        var fromRecords = Table.From(new[] { new Row("a", 1.5), new Row("b", 2) });
        Assert.Equal(new[] { "Name", "Value" }, fromRecords.Columns);
        Assert.Equal(2, fromRecords.Rows.Count);
        Assert.Contains("1.235", Json(Charts.TableChart(t)));
    }

    record Row(string Name, double Value);

    [Fact]
    public void MissingTitlesAreRejected()
        => Assert.ThrowsAny<ArgumentException>(() => Charts.LossCurves(new[] { Series.Of("a", new[] { 1.0 }) }, yTitle: " "));
}
