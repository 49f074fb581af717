using GanNotebooks.Viz;
using Plotly.NET;

namespace GanNotebooks.Tests.Viz;

/// <summary>Charts.Scatter2D (added for notebook 07's latent-space pictures).</summary>
public class BiGanScatterTests
{
    [Fact]
    public void Scatter2DDrawsOneTracePerNonEmptyGroupWithTitles()
    {
        var a = new double[,] { { 0, 0 }, { 1, 1 } };
        var b = new double[,] { { -1, 2 } };
        var empty = new double[0, 2];
        var chart = Charts.Scatter2D([("z", a), ("E(G(z))", b), ("nothing", empty)], "Latent codes", "z₁ (a.u.)", "z₂ (a.u.)",
            centres: [(1.0, 0.0)]);
        var json = GenericChart.toJson(chart);
        Assert.Contains("Latent codes", json);
        Assert.Contains("\"text\":\"z₁ (a.u.)\"", json);
        Assert.Contains("\"text\":\"z₂ (a.u.)\"", json);
        Assert.Contains("\"name\":\"z\"", json);
        Assert.Contains("\"name\":\"E(G(z))\"", json);
        Assert.DoesNotContain("\"name\":\"nothing\"", json);
        Assert.Contains("mode centres", json);
    }

    [Fact]
    public void Scatter2DRejectsNoPointsAndWrongWidths()
    {
        Assert.Throws<ArgumentException>(() => Charts.Scatter2D([], "t", "x", "y"));
        Assert.Throws<ArgumentException>(() => Charts.Scatter2D([("e", new double[0, 2])], "t", "x", "y"));
        Assert.Throws<ArgumentException>(() => Charts.Scatter2D([("three", new double[,] { { 1, 2, 3 } })], "t", "x", "y"));
    }

    [Fact]
    public void Scatter2DByLabelGroupsPointsAndChecksLabels()
    {
        var pts = new double[,] { { 0, 0 }, { 1, 0 }, { 2, 0 } };
        var chart = Charts.Scatter2D(pts, [1, 0, 1], ["mode 0", "mode 1", "mode 2"], "By mode", "z₁ (a.u.)", "z₂ (a.u.)");
        var json = GenericChart.toJson(chart);
        Assert.Contains("\"name\":\"mode 0\"", json);
        Assert.Contains("\"name\":\"mode 1\"", json);
        Assert.DoesNotContain("\"name\":\"mode 2\"", json);   // no point has label 2
        Assert.Throws<ArgumentException>(() => Charts.Scatter2D(pts, [0, 1], ["a", "b"], "t", "x", "y"));
        Assert.Throws<ArgumentException>(() => Charts.Scatter2D(pts, [0, 1, 5], ["a", "b"], "t", "x", "y"));
    }
}
