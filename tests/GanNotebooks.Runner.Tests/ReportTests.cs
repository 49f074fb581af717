using System.Text.RegularExpressions;
using GanNotebooks.Runner.Report;
using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

public class ReportTests
{
    /// <summary>
    /// Everything in the page that would make a browser fetch something: src/href/srcset/data/poster of
    /// loading elements, stylesheet links, CSS @import and url(). Script bodies are checked separately
    /// (plotly.js names URLs in strings — attribution links, map tile templates — that load nothing here).
    /// </summary>
    internal static IReadOnlyList<string> NetworkReferences(string html)
    {
        var withoutScriptBodies = Regex.Replace(html, "(<script[^>]*>).*?(</script>)", "$1$2", RegexOptions.Singleline | RegexOptions.IgnoreCase);
        var found = new List<string>();
        foreach (Match tag in Regex.Matches(withoutScriptBodies, @"<(script|link|img|iframe|frame|source|video|audio|embed|object|track|input|image|use)\b[^>]*>", RegexOptions.IgnoreCase))
        {
            if (Regex.IsMatch(tag.Value, @"\s(src|href|srcset|data|poster|xlink:href)\s*=\s*[""']?\s*(https?:)?//", RegexOptions.IgnoreCase))
                found.Add(tag.Value);
        }
        // CSS: <style> elements and style attributes (text that merely shows CSS, e.g. code, loads nothing).
        var css = Regex.Matches(withoutScriptBodies, "<style[^>]*>(.*?)</style>", RegexOptions.Singleline | RegexOptions.IgnoreCase).Select(m => m.Groups[1].Value)
            .Concat(Regex.Matches(withoutScriptBodies, @"\sstyle\s*=\s*(""[^""]*""|'[^']*')", RegexOptions.IgnoreCase).Select(m => m.Groups[1].Value));
        found.AddRange(css.SelectMany(c => Regex.Matches(c, @"@import|url\(\s*[""']?\s*(https?:)?//", RegexOptions.IgnoreCase).Select(m => m.Value)));
        return found;
    }

    static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

    [Fact]
    public async Task Report_is_self_contained_with_plotly_js_once_for_several_charts()
    {
        using var nb = Create(
            Markdown("# Chart page\n\nSee ![remote](https://example.com/pic.png) and [a link](https://example.com/paper).\n\n$E = mc^2$ and $$\\int_0^1 x\\,dx$$"),
            Code(DisplayCaptureTests.Formatters),
            Code("var xs = new[] { 1.0, 2, 3 };\nnew Fig(xs)"),
            Code("display(new Fig(xs));\nnew Fig(xs.Reverse().ToArray())"),
            Code("new Microsoft.AspNetCore.Html.HtmlString(\"<img src=\\\"https://example.com/x.png\\\"><script src=\\\"//cdn.example.com/x.js\\\"></script><style>@import url(https://fonts.example.com/f.css);</style>\")"));
        var run = await nb.RunAsync();
        Assert.True(run.Result.ExitCode == 0, run.Err);
        var html = run.Html;
        Assert.Empty(NetworkReferences(html));
        Assert.Equal(1, Count(html, "id=\"plotly-js\""));
        Assert.Equal(1, Count(html, "* plotly.js v"));
        Assert.DoesNotContain("<div id=\"fig-html-marker\"", html);   // the chart is drawn from its plotly JSON, its HTML is left out
        Assert.Equal(3, Count(html, "Plotly.newPlot(\"plotly-chart-"));
        Assert.Equal(3, Count(html, "class=\"plotly-chart\""));
        // The remote image became a link; the plain link stays a link.
        Assert.Contains("<a href=\"https://example.com/pic.png\">remote</a>", html);
        Assert.Contains("<a href=\"https://example.com/paper\">a link</a>", html);
        // LaTeX is kept readable.
        Assert.Contains("<span class=\"math\">$E = mc^2$</span>", html);
        Assert.Contains("<span class=\"math display\">$$\\int_0^1 x\\,dx$$</span>", html);
        Assert.Contains("<h1 id=\"chart-page\">Chart page</h1>", html);
        Assert.Contains("<dt>Profile</dt><dd>smoke</dd>", html);
        Assert.Matches(@"<dt>Total time</dt><dd>\d+\.\d\d s</dd>", html);
    }

    [Fact]
    public async Task Math_is_typeset_by_the_embedded_KaTeX_with_its_fonts_inlined()
    {
        if (!Katex.Requested) return;   // built with -p:GanKitKatex=false: reports keep LaTeX as text by choice
        Assert.True(Katex.Available, "the runner's build embeds KaTeX from the npm registry (GanNotebooks.Runner.csproj, target GanKitKatex) and could not fetch it; "
            + "build once with network, or with -p:GanKitKatex=false to go without");
        using var nb = Create(Markdown("The optimum $D^*(x) = \\frac{p(x)}{p(x) + q(x)}$ and\n\n$$V = \\mathbb{E}[\\log D]$$"), Code("1 + 1"));
        var run = await nb.RunAsync();
        Assert.True(run.Result.ExitCode == 0, run.Err);
        var html = run.Html;
        Assert.Equal(1, Count(html, "id=\"katex-js\""));
        Assert.Equal(1, Count(html, "katex.render(tex, el"));
        // every font is a data: URI (20 woff2 faces), none is left pointing at a file next to the page
        Assert.Equal(20, Count(html, "src:url(data:font/woff2;base64,"));
        Assert.DoesNotContain("url(fonts/", html);
        Assert.Empty(NetworkReferences(html));
        Assert.Contains("MIT licence", html);
    }

    [Fact]
    public async Task A_report_without_math_carries_no_KaTeX()
    {
        using var nb = Create(Markdown("# No formulas here"), Code("2 + 2"));
        var run = await nb.RunAsync();
        Assert.DoesNotContain("katex-js", run.Html);
        Assert.True(!Katex.Requested || Katex.Html is not null, "KaTeX was requested but is not embedded");
    }

    [Fact]
    public async Task Report_without_charts_has_no_plotly_js_and_shows_timing_and_code()
    {
        using var nb = Create(Code("var s = \"<not a tag>\";\ns"));
        var run = await nb.RunAsync();
        var html = run.Html;
        Assert.DoesNotContain("plotly.js v", html);
        Assert.Contains("var s = &quot;&lt;not a tag&gt;&quot;;", html);
        Assert.Contains("<pre>&lt;not a tag&gt;</pre>", html);
        Assert.Contains("Cell timing", html);
        Assert.Matches(@"<td class=""num"">\d+\.\d\d s</td><td>ok</td>", html);
        Assert.Empty(NetworkReferences(html));
    }

    [Fact]
    public void The_network_check_finds_what_a_browser_would_load()
    {
        Assert.Equal(4, NetworkReferences("""<script src="https://cdn/x.js"></script><link href="//cdn/s.css" rel="stylesheet"><style>@import "x.css";</style><p style="background:url(http://x/y.png)">t</p>""").Count);
        Assert.Empty(NetworkReferences("""<a href="https://x.org">x</a><pre>&lt;style&gt;@import url(https://f)</pre><script>var u = "https://tiles/{z}";</script>"""));
    }

    [Fact]
    public void Offline_neutralizes_remote_loads_but_keeps_links_and_local_data()
    {
        const string input = """<a href="https://x.org">x</a><img src="https://x.org/a.png"><img src="data:image/png;base64,AA=="><link rel="stylesheet" href="//cdn.x.org/s.css"><div style="background: url('http://x.org/b.png')"></div>""";
        var output = ReportWriter.Offline(input);
        Assert.Empty(NetworkReferences(output));
        Assert.Contains("<a href=\"https://x.org\">x</a>", output);
        Assert.Contains("<img src=\"data:image/png;base64,AA==\">", output);
    }

    [Fact]
    public void Markdown_attachments_are_inlined()
    {
        var attachments = new System.Text.Json.Nodes.JsonObject
        {
            ["pic.png"] = new System.Text.Json.Nodes.JsonObject { ["image/png"] = "iVBORw0KGgo=" },
        };
        var html = ReportWriter.Markdown("![p](attachment:pic.png)", attachments, Path.GetTempPath());
        Assert.Contains("src=\"data:image/png;base64,iVBORw0KGgo=\"", html);
    }

    [Theory]
    [InlineData(@"the norm $\|x\|_2$ here", @"$\|x\|_2$")]
    [InlineData(@"thin space $a\,b$ here", @"$a\,b$")]
    [InlineData(@"set $\{0, 1\}$ here", @"$\{0, 1\}$")]
    [InlineData(@"density $p_\text{data}(x)$ here", @"$p_\text{data}(x)$")]
    [InlineData(@"display $$V = \mathbb{E}[\log D]$$ here", @"$$V = \mathbb{E}[\log D]$$")]
    // A heading ending in braces was once read as a generic-attributes block and cut short.
    [InlineData(@"## 2 · minimizes $-\log 4 + 2\mathrm{JSD}$", @"$-\log 4 + 2\mathrm{JSD}$")]
    public void Math_is_kept_verbatim_in_markdown(string markdown, string math)
    {
        var html = ReportWriter.Markdown(markdown, null, Path.GetTempPath());
        Assert.Contains(System.Net.WebUtility.HtmlEncode(math), html);
    }
}
