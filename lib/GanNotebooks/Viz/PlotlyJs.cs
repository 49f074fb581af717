using System.Text.RegularExpressions;
using Plotly.NET;

namespace GanNotebooks.Viz;

/// <summary>
/// plotly.js as shipped inside Plotly.NET (no network): taken once from the page that GenericChart.toEmbeddedHTML writes
/// with PlotlyJSReference.Full, then cached for the process.
/// </summary>
public static partial class PlotlyJs
{
    const string Open = "<script type=\"text/javascript\" charset=\"utf-8\">";
    static readonly Lazy<string> Source = new(Extract);

    [GeneratedRegex(@"plotly\.js v(?<v>[0-9][0-9.]*)")]
    private static partial Regex VersionPattern();

    /// <summary>The plotly.js source text (~3.6 MB).</summary>
    public static string Script => Source.Value;

    /// <summary>The plotly.js version named in the script's header, e.g. "3.0.1" ("unknown" if it names none).</summary>
    public static string Version => VersionPattern().Match(Script.Length > 2000 ? Script[..2000] : Script) is { Success: true } m ? m.Groups["v"].Value : "unknown";

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
