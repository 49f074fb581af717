using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Manifest;
using GanNotebooks.Runner.Output;
using Markdig;
using Markdig.Extensions.Mathematics;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace GanNotebooks.Runner.Report;

/// <summary>What the report header says about the run.</summary>
/// <param name="Name">Notebook name (file name without extension).</param>
/// <param name="NotebookPath">Full path of the input notebook.</param>
/// <param name="Date">When the run ended.</param>
/// <param name="Profile">Budget profile.</param>
/// <param name="Parameters">The -p overrides as given.</param>
/// <param name="Elapsed">Total wall time.</param>
/// <param name="Failure">The error line of a failed run, or null.</param>
public sealed record ReportInfo(string Name, string NotebookPath, DateTimeOffset Date, BudgetProfile Profile,
    IReadOnlyList<string> Parameters, TimeSpan Elapsed, string? Failure)
{
    /// <summary>The run's manifest (claims count, versions, seeds, data files), shown at the top of the header.</summary>
    public RunManifest? Manifest { get; init; }
}

/// <summary>
/// A self-contained HTML report of a run: header (name, date, profile, parameters, timings), markdown
/// rendered with Markdig (LaTeX typeset by the embedded KaTeX, else kept as readable text), code with its outputs, plotly.js inlined once,
/// images as data: URIs, CSS inline. Nothing is fetched from the network when it is opened.
/// </summary>
public static partial class ReportWriter
{
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables().UseGridTables().UseEmphasisExtras().UseListExtras().UseTaskLists()
        .UseFootnotes().UseAutoLinks().UseAutoIdentifiers().UseMathematics()
        .Build();

    static string Enc(string s) => WebUtility.HtmlEncode(s);
    static string Secs(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    /// <summary>Renders the report page.</summary>
    public static string Render(ReportInfo info, IReadOnlyList<CellRun> cells, string notebookDirectory)
    {
        var hasCharts = cells.SelectMany(c => c.Outputs).OfType<DataOutput>().Any(d => d.Data.ContainsKey(RunOutputs.PlotlyMime));
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .Append("<meta name=\"generator\" content=\"gannb\">\n")
          .Append("<title>").Append(Enc(info.Name)).Append(info.Failure is null ? "" : " (FAILED)").Append(" — gannb report</title>\n")
          .Append("<style>\n").Append(Css).Append("</style>\n");
        if (hasCharts)
        {
            // plotly.js once for the whole page; each chart below is only a div and a newPlot call.
            sb.Append("<script type=\"text/javascript\" id=\"plotly-js\">").Append(PlotlyJs.Script).Append("</script>\n");
        }
        sb.Append("</head>\n<body>\n");
        Header(sb, info, cells);
        sb.Append("<main>\n");
        var chartNo = 0;
        var hasMath = false;
        foreach (var cell in cells) Cell(sb, cell, notebookDirectory, ref chartNo, ref hasMath);
        sb.Append("</main>\n<footer>Written by gannb, the GanNotebooks headless runner. ")
          .Append(Enc(info.NotebookPath)).Append("</footer>\n");
        // Typeset the markdown's LaTeX (KaTeX, embedded at build time) only where there is some.
        if (hasMath && Katex.Html is { } katex) sb.Append(katex);
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    static void Header(StringBuilder sb, ReportInfo info, IReadOnlyList<CellRun> cells)
    {
        sb.Append("<header>\n<h1>").Append(Enc(info.Name)).Append("</h1>\n");
        if (info.Failure is null) sb.Append("<p class=\"status ok\">All cells ran.</p>\n");
        else sb.Append("<p class=\"status failed\">FAILED — ").Append(Enc(info.Failure)).Append("</p>\n");
        if (info.Manifest is { } manifest)
        {
            var cls = manifest.Claims.Any(c => c.Verdict == "fails") ? "failed" : manifest.Claims.Any(c => c.Verdict == "holds") ? "ok" : "neutral";
            sb.Append("<p class=\"status claims ").Append(cls).Append("\">Claims: ").Append(Enc(manifest.ClaimsSummary)).Append("</p>\n");
            if (manifest.Claims.Count > 0) sb.Append("<details class=\"claims\"><summary>Claims of this run</summary>").Append(RunClaims.TableHtml(manifest.Claims)).Append("</details>\n");
            sb.Append(manifest.ToHtml());
        }
        var parameters = info.Parameters.Count == 0 ? "(notebook defaults)" : string.Join(", ", info.Parameters);
        sb.Append("<dl class=\"runinfo\">\n")
          .Append("<dt>Notebook</dt><dd>").Append(Enc(info.NotebookPath)).Append("</dd>\n")
          .Append("<dt>Date</dt><dd>").Append(Enc(info.Date.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture))).Append("</dd>\n")
          .Append("<dt>Profile</dt><dd>").Append(info.Profile.Name()).Append("</dd>\n")
          .Append("<dt>Parameters</dt><dd><code>").Append(Enc(parameters)).Append("</code></dd>\n")
          .Append("<dt>Total time</dt><dd>").Append(Secs(info.Elapsed)).Append("</dd>\n")
          .Append("<dt>Host</dt><dd>").Append(Enc($".NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}")).Append("</dd>\n")
          .Append("</dl>\n");
        sb.Append("<details class=\"timing\"><summary>Cell timing</summary>\n<table>\n<thead><tr><th>Cell</th><th>Kind</th><th>Time</th><th>Status</th></tr></thead>\n<tbody>\n");
        foreach (var c in cells.Where(c => c.Kind == CellKind.Code))
        {
            var status = c.Skipped ? "not run" : c.Error is not null ? "failed" : "ok";
            sb.Append("<tr class=\"").Append(status.Replace(' ', '-')).Append("\"><td><a href=\"#").Append(Anchor(c)).Append("\">")
              .Append(Enc(c.Injected ? c.Number + "+" : c.Number.ToString(CultureInfo.InvariantCulture))).Append("</a></td><td>")
              .Append(c.Injected ? "parameters (injected)" : "code").Append("</td><td class=\"num\">")
              .Append(c.Skipped ? "" : Secs(c.Elapsed)).Append("</td><td>").Append(status).Append("</td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n</details>\n</header>\n");
    }

    static string Anchor(CellRun c) => c.Injected ? $"cell-{c.Number}-injected" : $"cell-{c.Number}";

    static void Cell(StringBuilder sb, CellRun cell, string notebookDirectory, ref int chartNo, ref bool hasMath)
    {
        switch (cell.Kind)
        {
            case CellKind.Markdown:
                var markdown = Markdown(cell.Text, cell.Attachments, notebookDirectory);
                hasMath |= markdown.Contains("class=\"math", StringComparison.Ordinal);
                sb.Append("<section class=\"cell markdown\" id=\"").Append(Anchor(cell)).Append("\">\n");
                // A manually graded answer (markdown solution cell) is folded like an exercise's code: the reader answers first.
                if (cell.SolutionOf is { } question)
                    sb.Append("<details class=\"solution\"><summary>Model answer of question '").Append(Enc(question)).Append("' (show)</summary>\n")
                      .Append(markdown).Append("</details>\n");
                else sb.Append(markdown);
                sb.Append("</section>\n");
                return;
            case CellKind.Raw:
                sb.Append("<section class=\"cell raw\" id=\"").Append(Anchor(cell)).Append("\"><pre>")
                  .Append(Enc(cell.Source)).Append("</pre></section>\n");
                return;
        }
        var css = cell.Skipped ? " skipped" : cell.Error is not null ? " failed" : "";
        var prompt = cell.ExecutionCount is { } n ? $"In [{n}]" : "In [ ]";
        var label = cell.Injected ? "injected parameters" : $"cell {cell.Number}";
        sb.Append("<section class=\"cell code").Append(css).Append("\" id=\"").Append(Anchor(cell)).Append("\">\n")
          .Append("<div class=\"cellhead\"><span class=\"prompt\">").Append(prompt).Append("</span> <span class=\"label\">").Append(label)
          .Append("</span><span class=\"time\">").Append(cell.Skipped ? "not run" : Secs(cell.Elapsed)).Append("</span></div>\n");
        // An exercise's answer (nbgrader solution cell) is folded: a reader of the solved notebook's report tries first.
        if (cell.SolutionOf is { } exercise)
            sb.Append("<details class=\"solution\"><summary>Answer of exercise '").Append(Enc(exercise)).Append("' (show)</summary>\n");
        sb.Append("<pre class=\"source\"><code>").Append(Enc(cell.Source.TrimEnd())).Append("</code></pre>\n");
        if (cell.SolutionOf is not null) sb.Append("</details>\n");
        if (cell.Outputs.Count > 0)
        {
            sb.Append("<div class=\"outputs\">\n");
            foreach (var o in cell.Outputs) OutputHtml(sb, o, ref chartNo);
            sb.Append("</div>\n");
        }
        sb.Append("</section>\n");
    }

    static void OutputHtml(StringBuilder sb, CellOutput output, ref int chartNo)
    {
        switch (output)
        {
            case StreamOutput s:
                sb.Append("<pre class=\"stream ").Append(Enc(s.Name)).Append("\">").Append(Enc(s.Text)).Append("</pre>\n");
                break;
            case ErrorOutput e:
                sb.Append("<pre class=\"error\">").Append(Enc(string.Join("\n", e.Traceback))).Append("</pre>\n");
                break;
            case DataOutput d:
                var data = d.Data;
                sb.Append("<div class=\"output").Append(d.IsResult ? " result" : "").Append("\">");
                if (data["image/png"] is JsonValue png)
                {
                    sb.Append("<img alt=\"").Append(Enc(data["text/plain"]?.GetValue<string>() ?? "image")).Append("\" src=\"data:image/png;base64,")
                      .Append(png.GetValue<string>()).Append("\">");
                }
                else if (data[RunOutputs.PlotlyMime] is JsonObject fig)
                {
                    var id = $"plotly-chart-{++chartNo}";
                    sb.Append("<div id=\"").Append(id).Append("\" class=\"plotly-chart\"></div>\n<script type=\"text/javascript\">Plotly.newPlot(\"")
                      .Append(id).Append("\", ").Append(ScriptJson(fig["data"] ?? new JsonArray())).Append(", ")
                      .Append(ScriptJson(fig["layout"] ?? new JsonObject())).Append(", ")
                      .Append(ScriptJson(fig["config"] ?? new JsonObject())).Append(")");
                    if (fig["frames"] is JsonArray frames) sb.Append(".then(function (gd) { return Plotly.addFrames(gd, ").Append(ScriptJson(frames)).Append("); })");
                    sb.Append(";</script>");
                }
                else if (data["text/html"] is JsonValue html)
                {
                    sb.Append("<div class=\"html\">").Append(Offline(html.GetValue<string>())).Append("</div>");
                }
                else
                {
                    sb.Append("<pre>").Append(Enc(data["text/plain"]?.GetValue<string>() ?? "")).Append("</pre>");
                }
                sb.Append("</div>\n");
                break;
        }
    }

    /// <summary>JSON safe inside a script element (no "&lt;/script" or "&lt;!--" can appear in it).</summary>
    static string ScriptJson(JsonNode node) =>
        node.ToJsonString().Replace("</", "<\\/", StringComparison.Ordinal).Replace("<!--", "<\\!--", StringComparison.Ordinal);

    /// <summary>Markdown to HTML: LaTeX math kept as written ($…$), images from attachments or local
    /// files inlined as data: URIs, remote images turned into links so nothing loads from the network.</summary>
    internal static string Markdown(string markdown, JsonObject? attachments, string notebookDirectory)
    {
        var document = Markdig.Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>().Where(l => l.IsImage && l.Url is not null).ToList())
        {
            var url = link.Url!;
            if (url.StartsWith("attachment:", StringComparison.OrdinalIgnoreCase))
            {
                var bundle = attachments?[url["attachment:".Length..]] as JsonObject;
                var first = bundle?.FirstOrDefault(kv => kv.Key.StartsWith("image/", StringComparison.Ordinal));
                if (first?.Value is JsonValue v) link.Url = $"data:{first.Value.Key};base64,{v.GetValue<string>().Replace("\n", "")}";
            }
            else if (IsRemote(url)) link.IsImage = false;
            else if (!url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
            {
                var file = Path.GetFullPath(Path.Combine(notebookDirectory, Uri.UnescapeDataString(url.Split('?', '#')[0])));
                var mime = Path.GetExtension(file).ToLowerInvariant() switch
                {
                    ".png" => "image/png", ".jpg" or ".jpeg" => "image/jpeg", ".gif" => "image/gif", ".svg" => "image/svg+xml", ".webp" => "image/webp",
                    _ => null,
                };
                if (mime is not null && File.Exists(file)) link.Url = $"data:{mime};base64,{Convert.ToBase64String(File.ReadAllBytes(file))}";
            }
        }
        var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.ObjectRenderers.RemoveAll(r => r is HtmlMathInlineRenderer or HtmlMathBlockRenderer);
        renderer.ObjectRenderers.Add(new TextMathInline());
        renderer.ObjectRenderers.Add(new TextMathBlock());
        renderer.Render(document);
        writer.Flush();
        return Offline(writer.ToString());
    }

    static bool IsRemote(string url) =>
        url.StartsWith("http:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("//", StringComparison.Ordinal);

    sealed class TextMathInline : HtmlObjectRenderer<MathInline>
    {
        protected override void Write(HtmlRenderer renderer, MathInline obj)
        {
            var delim = new string(obj.Delimiter, obj.DelimiterCount);
            renderer.Write(obj.DelimiterCount == 2 ? "<span class=\"math display\">" : "<span class=\"math\">").WriteEscape(delim).WriteEscape(ref obj.Content).WriteEscape(delim).Write("</span>");
        }
    }

    sealed class TextMathBlock : HtmlObjectRenderer<MathBlock>
    {
        protected override void Write(HtmlRenderer renderer, MathBlock obj)
        {
            renderer.EnsureLine();
            renderer.Write("<div class=\"math\">$$\n");
            renderer.WriteLeafRawLines(obj, true, true);
            renderer.Write("$$</div>");
            renderer.EnsureLine();
        }
    }

    [GeneratedRegex("""<(?<tag>script|link|img|iframe|frame|source|video|audio|embed|object|track|input|image|use)\b(?<attrs>[^>]*)>""", RegexOptions.IgnoreCase)]
    private static partial Regex LoadingTag();

    [GeneratedRegex("""\b(?<attr>src|href|srcset|data|poster|xlink:href|background)(?<eq>\s*=\s*["']?\s*)(?=(?:https?:)?//)""", RegexOptions.IgnoreCase)]
    private static partial Regex RemoteAttribute();

    [GeneratedRegex("""@import[^;]*;?""", RegexOptions.IgnoreCase)]
    private static partial Regex CssImport();

    [GeneratedRegex("""url\(\s*["']?\s*(?:https?:)?//[^)]*\)""", RegexOptions.IgnoreCase)]
    private static partial Regex CssRemoteUrl();

    /// <summary>
    /// Neutralizes anything in an HTML fragment that would load from the network: remote src/href of
    /// scripts, stylesheets, images, frames, media; CSS @import and url(http…). Links (&lt;a href&gt;) stay.
    /// </summary>
    public static string Offline(string html)
    {
        html = LoadingTag().Replace(html, m => RemoteAttribute().Replace(m.Value, a => "data-gannb-blocked-" + a.Groups["attr"].Value + a.Groups["eq"].Value));
        html = CssImport().Replace(html, "/* (import removed: the report loads nothing from the network) */");
        return CssRemoteUrl().Replace(html, "none");
    }

    const string Css = """
        :root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff; --code:#f6f8fa; --ok:#1a7f37; --bad:#cf222e; --accent:#0969da; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
        header { padding-top: 24px; border-bottom: 1px solid var(--line); padding-bottom: 12px; }
        h1 { margin: 0 0 8px; font-size: 1.8em; }
        .status { display: inline-block; padding: 4px 10px; border-radius: 6px; font-weight: 600; margin: 4px 0 10px; }
        .status.ok { background: #dafbe1; color: var(--ok); }
        .status.failed { background: #ffebe9; color: var(--bad); }
        .status.neutral { background: #eaeef2; color: #57606a; }
        table.claims td, table.claims th { padding: 2px 8px; text-align: left; }
        table.claims tr.holds td:first-child { color: var(--ok); font-weight: 700; }
        table.claims tr.fails td:first-child { color: var(--bad); font-weight: 700; }
        dl.runinfo { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
        dl.runinfo dt { color: var(--muted); }
        dl.runinfo dd { margin: 0; overflow-wrap: anywhere; }
        details.timing summary { cursor: pointer; color: var(--accent); }
        details.solution > summary { cursor: pointer; color: var(--accent); margin: 4px 0; }
        details.timing table { border-collapse: collapse; margin: 8px 0; font-size: 0.9em; }
        details.timing td, details.timing th { border: 1px solid var(--line); padding: 2px 10px; text-align: left; }
        details.timing td.num { text-align: right; font-variant-numeric: tabular-nums; }
        tr.failed td { color: var(--bad); } tr.not-run td { color: var(--muted); }
        .cell { margin: 18px 0; }
        .cell.markdown h1, .cell.markdown h2, .cell.markdown h3 { margin-top: 1.2em; }
        .cell.markdown table { border-collapse: collapse; } .cell.markdown td, .cell.markdown th { border: 1px solid var(--line); padding: 3px 8px; }
        .cell.markdown img { max-width: 100%; }
        .math { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", Georgia, serif; font-style: italic; color: #3b3b6d; white-space: pre-wrap; }
        div.math, span.math.display { display: block; text-align: center; margin: 0.6em 0; }
        .math.typeset { font-family: inherit; font-style: normal; color: inherit; white-space: normal; }
        .math.typeset .katex { font-size: 1.08em; }
        div.math.typeset, span.math.display.typeset { overflow-x: auto; overflow-y: hidden; }
        .cellhead { display: flex; gap: 10px; align-items: baseline; font-size: 0.8em; color: var(--muted); }
        .cellhead .prompt { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--accent); }
        .cellhead .time { margin-left: auto; font-variant-numeric: tabular-nums; }
        pre { margin: 4px 0; padding: 8px 12px; overflow-x: auto; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
        pre.source { background: var(--code); border: 1px solid var(--line); border-left: 3px solid var(--accent); border-radius: 4px; }
        .cell.failed pre.source { border-left-color: var(--bad); }
        .cell.skipped { opacity: 0.55; }
        .outputs { border-left: 3px solid var(--line); padding-left: 8px; margin-top: 4px; }
        pre.stream { background: transparent; padding: 2px 4px; }
        pre.stream.stderr { color: #9a6700; }
        pre.error { background: #ffebe9; color: var(--bad); border-radius: 4px; }
        .output img { max-width: 100%; image-rendering: pixelated; }
        .output .html { overflow-x: auto; }
        .plotly-chart { max-width: 100%; }
        footer { color: var(--muted); font-size: 0.8em; padding: 24px; border-top: 1px solid var(--line); margin-top: 32px; }

        """;
}
