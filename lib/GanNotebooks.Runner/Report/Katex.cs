using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace GanNotebooks.Runner.Report;

/// <summary>
/// KaTeX (MIT licence, https://katex.org), embedded in gannb by the build (see GanNotebooks.Runner.csproj), for
/// typesetting the LaTeX of markdown cells in the reports without any network: the stylesheet with its woff2 fonts
/// as data: URIs, the script, and a few lines that render every <c>.math</c> element the markdown renderer wrote.
/// </summary>
public static partial class Katex
{
    static readonly Lazy<string?> Block = new(Build);

    /// <summary>False when the runner was built with -p:GanKitKatex=false (no KaTeX wanted).</summary>
    public static bool Requested => !string.Equals(Metadata("KatexRequested"), "false", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the build embedded KaTeX (it needs the npm registry once).</summary>
    public static bool Available => Read("katex/katex.min.js") is not null;

    /// <summary>
    /// The HTML to put at the end of a report's body: KaTeX's CSS and script and the call that typesets each
    /// <c>.math</c> element; null when KaTeX was not embedded (the LaTeX then stays as styled text).
    /// </summary>
    public static string? Html => Block.Value;

    static string? Build()
    {
        var js = Read("katex/katex.min.js");
        var css = Read("katex/katex.min.css");
        if (js is null || css is null) return null;
        // Each @font-face lists woff2, woff and ttf files; keep only woff2, inlined.
        css = FontSource().Replace(css, m =>
        {
            var font = ReadBytes($"katex/fonts/{m.Groups["name"].Value}.woff2");
            return font is null ? m.Value : $"src:url(data:font/woff2;base64,{Convert.ToBase64String(font)}) format(\"woff2\")";
        });
        var sb = new StringBuilder();
        sb.Append("<style id=\"katex-css\">/* KaTeX ").Append(Version()).Append(", MIT licence, https://katex.org */\n").Append(css).Append("</style>\n")
          .Append("<script type=\"text/javascript\" id=\"katex-js\">").Append(js).Append("</script>\n")
          .Append("<script type=\"text/javascript\">").Append(RenderScript).Append("</script>\n");
        return sb.ToString();
    }

    // Markdown math arrives as <span class="math">$…$</span>, <span class="math display">$$…$$</span> or
    // <div class="math">$$…$$</div>; a formula KaTeX cannot parse is shown in red with its source (throwOnError false).
    const string RenderScript = """
        (function () {
          if (typeof katex === "undefined") return;
          document.querySelectorAll(".math").forEach(function (el) {
            var display = el.tagName === "DIV" || el.classList.contains("display");
            var t = el.textContent.trim(), d = display ? 2 : 1;   // the renderer wrote $…$ or $$…$$ around the source
            var tex = t.slice(d, t.length - d);
            try { katex.render(tex, el, { displayMode: display, throwOnError: false }); el.classList.add("typeset"); }
            catch (e) { /* keep the LaTeX source */ }
          });
        })();
        """;

    static string Version() => Metadata("KatexVersion") ?? "";

    static string? Metadata(string key) =>
        typeof(Katex).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    static string? Read(string name) => ReadBytes(name) is { } b ? Encoding.UTF8.GetString(b) : null;

    static byte[]? ReadBytes(string name)
    {
        using var stream = typeof(Katex).Assembly.GetManifestResourceStream(name);
        if (stream is null) return null;
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return ms.ToArray();
    }

    [GeneratedRegex("""src:url\(fonts/(?<name>[A-Za-z0-9_-]+)\.woff2\) format\("woff2"\)(?:,url\([^)]*\) format\("[a-z]+"\))*""")]
    private static partial Regex FontSource();
}
