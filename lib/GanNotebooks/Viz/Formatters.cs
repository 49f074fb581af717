using System.Text;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace GanNotebooks.Viz;

/// <summary>
/// Registers the kit's formatters with .NET Interactive (the kernel's own Formatting assembly: the kit ships no copy of
/// it), so that a cell that returns or <c>display()</c>s a chart, an image or a table renders in JupyterLab, Notebook 7,
/// VS Code and the headless runner alike:
/// <list type="bullet">
/// <item>Plotly.NET charts (<see cref="GenericChart"/>) as text/html, registered the way Plotly.NET.Interactive registers
/// them, but offline: plotly.js (shipped inside Plotly.NET) is inlined once per kernel session — in the first chart, or
/// in <c>Kit.Setup()</c>'s report if that comes first — instead of being fetched from a CDN through require.js. Every
/// chart carries its figure as JSON (a <c>script type="application/json"</c> element) for tools that re-render it.</item>
/// <item>PNG pictures (<see cref="IPngImage"/>, <see cref="ImageGrid"/>) as text/html (an embedded &lt;img&gt;) and image/png.</item>
/// <item><see cref="Table"/> as an HTML table and as text.</item>
/// <item>Claims (<see cref="GanNotebooks.Runtime.Claim"/>, <see cref="GanNotebooks.Runtime.ClaimsTable"/>) as HTML carrying their JSON (<see cref="ClaimViews"/>) and as text.</item>
/// <item><see cref="AudioGallery"/> as HTML (audio players with WAV data URIs and spectrograms).</item>
/// </list>
/// </summary>
public static class Formatters
{
    static readonly object Gate = new();
    static bool _plotlyJsEmitted;

    /// <summary>The class of the element holding a chart's figure JSON ({data, layout, config}).</summary>
    public const string FigureClass = "gankit-plotly-figure";

    /// <summary>The attribute that marks the inlined plotly.js script (a report that ships its own copy may drop it).</summary>
    public const string PlotlyJsAttribute = "data-gankit-plotlyjs";

    /// <summary>Whether <see cref="Register"/> has run in this process.</summary>
    public static bool IsRegistered { get; private set; }

    /// <summary>Registers the formatters (idempotent; <c>Kit.Setup()</c> and the notebooks' first cell call it).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (IsRegistered) return;
            Formatter.Register<GenericChart>((chart, writer) => writer.Write(ChartHtml(chart)), HtmlFormatter.MimeType);
            Formatter.Register<GenericChart>((chart, writer) => writer.Write($"<Plotly chart: {GenericChart.countTrace(chart)} trace(s)>"), PlainTextFormatter.MimeType);
            Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatter.MimeType);
            foreach (var type in new[] { typeof(IPngImage), typeof(ImageGrid) })
            {
                Formatter.Register(type, (value, writer) => writer.Write(ImgTag((IPngImage)value)), HtmlFormatter.MimeType);
                Formatter.Register(type, (value, writer) => writer.Write(Convert.ToBase64String(((IPngImage)value).PngBytes)), PngMimeType);
                Formatter.SetPreferredMimeTypesFor(type, HtmlFormatter.MimeType, PngMimeType);
            }
            Formatter.Register<Table>((t, writer) => writer.Write(t.ToHtml()), HtmlFormatter.MimeType);
            Formatter.Register<Table>((t, writer) => writer.Write(t.ToString()), PlainTextFormatter.MimeType);
            Formatter.Register<GanNotebooks.Runtime.Claim>((c, writer) => writer.Write(c.ToHtml()), HtmlFormatter.MimeType);
            Formatter.Register<GanNotebooks.Runtime.Claim>((c, writer) => writer.Write(c.ToString()), PlainTextFormatter.MimeType);
            Formatter.Register<GanNotebooks.Runtime.ClaimsTable>((t, writer) => writer.Write(t.ToHtml()), HtmlFormatter.MimeType);
            Formatter.Register<GanNotebooks.Runtime.ClaimsTable>((t, writer) => writer.Write(t.ToString()), PlainTextFormatter.MimeType);
            Formatter.SetPreferredMimeTypesFor(typeof(GanNotebooks.Runtime.Claim), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
            Formatter.SetPreferredMimeTypesFor(typeof(GanNotebooks.Runtime.ClaimsTable), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
            Formatter.Register<AnimatedChart>((c, writer) => writer.Write(ChartHtml(c)), HtmlFormatter.MimeType);
            Formatter.Register<AnimatedChart>((c, writer) => writer.Write(c.ToString()), PlainTextFormatter.MimeType);
            Formatter.SetPreferredMimeTypesFor(typeof(AnimatedChart), HtmlFormatter.MimeType);
            Formatter.Register<AudioGallery>((a, writer) => writer.Write(a.ToHtml()), HtmlFormatter.MimeType);
            Formatter.Register<AudioGallery>((a, writer) => writer.Write(a.ToString()), PlainTextFormatter.MimeType);
            Formatter.SetPreferredMimeTypesFor(typeof(AudioGallery), HtmlFormatter.MimeType);
            IsRegistered = true;
        }
    }

    /// <summary>The PNG MIME type.</summary>
    public const string PngMimeType = "image/png";

    /// <summary>An &lt;img&gt; tag that embeds the PNG as base64 (no file needed), at its pixel size.</summary>
    public static string ImgTag(IPngImage image, string alt = "image")
    {
        ArgumentNullException.ThrowIfNull(image);
        return $"<img src=\"data:image/png;base64,{Convert.ToBase64String(image.PngBytes)}\" width=\"{image.Width}\" height=\"{image.Height}\" alt=\"{System.Net.WebUtility.HtmlEncode(alt)}\" style=\"image-rendering: pixelated\"/>";
    }

    /// <summary>
    /// A chart as HTML: a div, its figure as JSON, and a script that draws it with plotly.js — preceded by plotly.js
    /// itself when this is the first time this session needs it (see <see cref="PlotlyJsOnce"/>).
    /// </summary>
    public static string ChartHtml(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return PlotlyJsOnce() + ChartHtml(GenericChart.toJson(chart));
    }

    /// <summary>An animated chart (frames, a slider and a play button) as HTML, preceded by plotly.js the first time.</summary>
    public static string ChartHtml(AnimatedChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return PlotlyJsOnce() + ChartHtml(chart.FigureJson);
    }

    /// <summary>The chart HTML for a figure JSON ({data, layout, config, frames?}), without plotly.js.</summary>
    public static string ChartHtml(string figureJson)
    {
        var id = "gankit-plot-" + Guid.NewGuid().ToString("N");
        // The JSON sits in a non-executed script element: "</" would end it early.
        var safe = figureJson.Replace("</", "<\\/", StringComparison.Ordinal);
        return $$"""
            <div id="{{id}}" class="gankit-plotly"></div>
            <script type="application/json" class="{{FigureClass}}" data-for="{{id}}">{{safe}}</script>
            <script type="text/javascript">
            (function () {
              var el = document.getElementById("{{id}}");
              var fig = JSON.parse(el.nextElementSibling.textContent);
              if (window.Plotly) { window.Plotly.newPlot(el, fig); }
              else { el.textContent = "(this chart needs plotly.js, which the kit puts into the first chart or the Kit.Setup() report of a session: run the notebook from the top)"; }
            })();
            </script>
            """;
    }

    /// <summary>
    /// plotly.js as an inline script the first time it is asked for in this process (a kernel session), else "". The
    /// script is wrapped so that it always defines <c>window.Plotly</c>, also on pages with require.js (classic
    /// Notebook, Polyglot Notebooks), where plotly.js would otherwise register itself as an AMD module instead.
    /// </summary>
    public static string PlotlyJsOnce()
    {
        lock (Gate)
        {
            if (_plotlyJsEmitted) return "";
            _plotlyJsEmitted = true;
        }
        return InlineScript(PlotlyJs.Script, PlotlyJs.Version);
    }

    /// <summary>
    /// A UMD library (plotly.js) as an inline script that always sets its global: <c>define</c>, <c>module</c> and
    /// <c>exports</c> are shadowed by undefined parameters, so the library takes its browser-global branch.
    /// </summary>
    internal static string InlineScript(string script, string version) =>
        new StringBuilder(script.Length + 200)
            .Append("<script type=\"text/javascript\" ").Append(PlotlyJsAttribute).Append("=\"").Append(System.Net.WebUtility.HtmlEncode(version)).Append("\">")
            .Append("(function (define, module, exports) {\n").Append(script.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase))
            .Append("\n}).call(window);</script>\n")
            .ToString();
}
