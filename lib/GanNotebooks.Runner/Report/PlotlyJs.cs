using Plotly.NET;

namespace GanNotebooks.Runner.Report;

/// <summary>
/// plotly.js as shipped inside Plotly.NET (no network): taken once from the page that
/// GenericChart.toEmbeddedHTML writes with PlotlyJSReference.Full, then cached.
/// </summary>
public static class PlotlyJs
{
    const string Open = "<script type=\"text/javascript\" charset=\"utf-8\">";
    static readonly Lazy<string> Source = new(Extract);

    /// <summary>The plotly.js source text (~3.6 MB).</summary>
    public static string Script => Source.Value;

    static string Extract()
    {
        var chart = Plotly.NET.CSharp.Chart.Point<double, double, string>(new double[] { 0 }, new double[] { 0 });
        var options = DisplayOptions.setPlotlyReference(PlotlyJSReference.Full).Invoke(GenericChart.getDisplayOptions(chart));
        var page = GenericChart.toEmbeddedHTML(GenericChart.setDisplayOptions(options, chart));
        var start = page.IndexOf(Open, StringComparison.Ordinal);
        var end = start < 0 ? -1 : page.IndexOf("</script>", start + Open.Length, StringComparison.Ordinal);
        if (start < 0 || end < 0 || !page.AsSpan(start, Math.Min(400, end - start)).Contains("plotly.js", StringComparison.Ordinal))
            throw new InvalidOperationException("Could not find the inlined plotly.js in Plotly.NET's embedded HTML; the Plotly.NET version may have changed its page layout.");
        return page[(start + Open.Length)..end];
    }
}
