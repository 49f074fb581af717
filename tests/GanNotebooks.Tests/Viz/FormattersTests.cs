using System.Text.Json;
using GanNotebooks.Viz;
using Microsoft.DotNet.Interactive.Formatting;

namespace GanNotebooks.Tests.Viz;

/// <summary>What a notebook front-end receives for the kit's charts, images and tables (the kernel's formatters).</summary>
public class FormattersTests
{
    static Plotly.NET.GenericChart SmallChart() =>
        Charts.Density1D(new double[] { -1, 0, 1 }, pData: new double[] { 0.2, 0.4, 0.2 }, title: "a </script> title");

    [Fact]
    public void A_chart_is_html_that_draws_its_own_figure_json_without_the_network()
    {
        Formatters.Register();
        var html = SmallChart().ToDisplayString(HtmlFormatter.MimeType);
        var chartOnly = Formatters.ChartHtml(Plotly.NET.GenericChart.toJson(SmallChart()));
        // The figure travels as JSON inside the HTML; "</" is escaped so the title cannot end the element early.
        var start = chartOnly.IndexOf($"class=\"{Formatters.FigureClass}\"", StringComparison.Ordinal);
        Assert.True(start > 0, chartOnly);
        var json = chartOnly[(chartOnly.IndexOf('>', start) + 1)..chartOnly.IndexOf("</script>", start, StringComparison.Ordinal)];
        using var figure = JsonDocument.Parse(json.Replace("<\\/", "</"));
        Assert.Equal("a </script> title", figure.RootElement.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
        Assert.Contains("Plotly.newPlot", html);
        Assert.DoesNotContain("cdn.plot.ly/plotly", html);
        Assert.DoesNotContain("require.js", html);
        Assert.Contains(HtmlFormatter.MimeType, Formatter.GetPreferredMimeTypesFor(typeof(Plotly.NET.GenericChart)));
    }

    [Fact]
    public void Plotly_js_is_inlined_at_most_once_per_session_and_always_sets_the_global()
    {
        Formatters.Register();
        var first = string.Concat(Enumerable.Range(0, 3).Select(_ => Formatters.PlotlyJsOnce()));
        // Whichever output asked first (a chart or Kit.Setup's report, maybe in another test) carried it; never again.
        Assert.Equal("", Formatters.PlotlyJsOnce());
        Assert.True(first.Length == 0 || first.Split(Formatters.PlotlyJsAttribute).Length == 2);

        var wrapped = Formatters.InlineScript("!function(t){'object'==typeof exports?module.exports=t():'function'==typeof define&&define.amd?define([],t):window.Lib=t()}(function(){return '</script>'})", "1.2");
        Assert.StartsWith($"<script type=\"text/javascript\" {Formatters.PlotlyJsAttribute}=\"1.2\">(function (define, module, exports) {{", wrapped);
        Assert.EndsWith("}).call(window);</script>\n", wrapped);
        Assert.Equal(2, wrapped.Split("</script>").Length);   // only the closing tag: the library's own "</script>" is escaped
        Assert.True(PlotlyJs.Script.Length > 1_000_000, "plotly.js comes from inside Plotly.NET");
        Assert.Matches(@"^\d+\.\d+\.\d+$", PlotlyJs.Version);
    }

    [Fact]
    public void Images_are_html_and_png()
    {
        Formatters.Register();
        using var pixels = TorchSharp.torch.zeros(2, 1, 4, 4);
        var grid = ImageGrid.FromTensor(pixels, PixelRange.ZeroToOne, nrow: 2);
        var mimeTypes = Formatter.GetPreferredMimeTypesFor(typeof(ImageGrid));
        Assert.Contains(HtmlFormatter.MimeType, mimeTypes);
        Assert.Contains(Formatters.PngMimeType, mimeTypes);
        Assert.Equal(grid.PngBytes, Convert.FromBase64String(grid.ToDisplayString(Formatters.PngMimeType)));
        Assert.Contains("data:image/png;base64,", grid.ToDisplayString(HtmlFormatter.MimeType));
    }
}
