using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GanNotebooks.Viz;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace GanNotebooks.Runner.Output;

/// <summary>
/// Turns a cell value into a Jupyter MIME bundle (the "data" of display_data / execute_result):
/// PNG images, Plotly charts (native plotly JSON for VS Code / Jupyter plus HTML), HTML, plain text.
/// </summary>
public static partial class OutputFormatter
{
    /// <summary>MIME type Jupyter front-ends render natively with plotly.js.</summary>
    public const string PlotlyMime = "application/vnd.plotly.v1+json";

    const int MaxPlainTextChars = 200_000;

    /// <summary>The MIME bundle for a value (never empty: at least text/plain).</summary>
    public static JsonObject Format(object? value)
    {
        var data = new JsonObject();
        switch (value)
        {
            case null:
                data["text/plain"] = "<null>";
                break;
            case IPngImage png:
                data["image/png"] = Convert.ToBase64String(png.PngBytes);
                data["text/plain"] = $"<image {png.Width}x{png.Height}>";
                break;
            case GenericChart chart:
                // Plotly.NET's serializer is slow (~0.2 s a chart), so the chart is serialized once and the
                // HTML is built from that JSON rather than with GenericChart.toChartHTML (a second pass).
                var json = GenericChart.toJson(chart);
                data[PlotlyMime] = JsonNode.Parse(json);
                data["text/html"] = PlotlyHtml(json);
                data["text/plain"] = ChartSummary(chart);
                break;
            case IHtmlContent html:
                var writer = new StringWriter();
                html.WriteTo(writer, HtmlEncoder.Default);
                data["text/html"] = writer.ToString();
                data["text/plain"] = HtmlToText(writer.ToString());
                break;
            case string s:
                data["text/plain"] = s;
                break;
            default:
                if (HasRegisteredFormatter(value.GetType(), "text/html"))
                    data["text/html"] = Safe(() => Formatter.ToDisplayString(value, "text/html"));
                data["text/plain"] = PlainText(value);
                break;
        }
        return data;
    }

    /// <summary>The one-line text of a chart.</summary>
    static string ChartSummary(GenericChart chart) => $"<Plotly chart: {GenericChart.countTrace(chart)} trace(s)>";

    /// <summary>
    /// A chart's div and script for front-ends that show text/html (plotly.js must be on the page; the
    /// report includes it once). Front-ends that know the plotly MIME type render that output instead.
    /// </summary>
    public static string PlotlyHtml(string figureJson)
    {
        var id = "plotly-" + Guid.NewGuid().ToString("N");
        var safe = figureJson.Replace("</", "<\\/", StringComparison.Ordinal).Replace("<!--", "<\\!--", StringComparison.Ordinal);
        return $$"""
            <div id="{{id}}" class="plotly-chart"></div>
            <script type="text/javascript">
            (function () {
              var fig = {{safe}};
              var el = document.getElementById("{{id}}");
              if (typeof Plotly !== "undefined") { Plotly.newPlot(el, fig.data, fig.layout, fig.config); }
              else { el.textContent = "(plotly.js is not loaded on this page: open the chart's application/vnd.plotly.v1+json output or the gannb HTML report)"; }
            })();
            </script>
            """;
    }

    /// <summary>
    /// A cheap one-line description of a value for live progress lines (no chart serialization, no
    /// PNG encoding): display updates inside training loops must not slow them down.
    /// </summary>
    public static string QuickSummary(object? value, int max = 160) => value switch
    {
        null => "<null>",
        GenericChart chart => ChartSummary(chart),
        IPngImage png => $"<image {png.Width}x{png.Height}>",
        IHtmlContent => "<html>",
        _ => OneLine(PlainText(value), max),
    };

    static string OneLine(string text, int max)
    {
        var line = string.Join(" | ", text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
        return line.Length > max ? line[..(max - 1)] + "…" : line;
    }

    /// <summary>Plain text for a value: numbers in invariant culture, tensors via TorchSharp, others via Formatter.</summary>
    public static string PlainText(object value)
    {
        var text = value switch
        {
            string s => s,
            bool b => b ? "True" : "False",
            IFormattable f when value.GetType().IsPrimitive || value is decimal || value.GetType().IsEnum => f.ToString(null, CultureInfo.InvariantCulture),
            TorchSharp.torch.Tensor t when !HasRegisteredFormatter(value.GetType(), "text/plain") => Safe(() => t.ToString(TorchSharp.TensorStringStyle.Numpy)),
            _ => Safe(() => Formatter.ToDisplayString(value, "text/plain")),
        };
        return text.Length > MaxPlainTextChars ? text[..MaxPlainTextChars] + "\n…(truncated)" : text;

        string Safe(Func<string> f)
        {
            try { return f(); }
            catch (Exception e) { return $"{value.GetType().Name}: {value} (formatting failed: {e.Message})"; }
        }
    }

    static string Safe(Func<string> f)
    {
        try { return f(); }
        catch (Exception e) { return $"<pre>formatting failed: {WebUtility.HtmlEncode(e.Message)}</pre>"; }
    }

    /// <summary>True when a formatter for that MIME type was registered for the type (not Formatter's defaults).</summary>
    public static bool HasRegisteredFormatter(Type type, string mimeType) =>
        Formatter.RegisteredFormatters(false).Any(f => f.MimeType == mimeType && f.Type.IsAssignableFrom(type));

    [GeneratedRegex("<(script|style)[^>]*>.*?</\\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    static string HtmlToText(string html)
    {
        var text = WebUtility.HtmlDecode(Tag().Replace(ScriptOrStyle().Replace(html, ""), "")).Trim();
        return text.Length == 0 ? "<html>" : text;
    }
}
