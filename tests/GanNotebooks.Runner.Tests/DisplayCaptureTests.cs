using System.Text.Json.Nodes;
using GanNotebooks.Runner.Output;
using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

public class DisplayCaptureTests
{
    /// <summary>A cell registering .NET Interactive formatters as the kit does: a "chart" as plotly JSON and HTML, an
    /// "image" as PNG and HTML.</summary>
    internal const string Formatters = """
        using Microsoft.DotNet.Interactive.Formatting;
        record Fig(double[] Y);
        record Pic(byte[] Png);
        Formatter.Register<Fig>(f => "{\"data\":[{\"type\":\"scatter\",\"y\":[" + string.Join(",", f.Y) + "]}],\"layout\":{},\"config\":{}}", "application/vnd.plotly.v1+json");
        Formatter.Register<Fig>(f => "<div id=\"fig-html-marker\"></div><script>/* chart html */</script>", "text/html");
        Formatter.SetPreferredMimeTypesFor(typeof(Fig), "text/html", "application/vnd.plotly.v1+json");
        Formatter.Register<Pic>(p => Convert.ToBase64String(p.Png), "image/png");
        Formatter.Register<Pic>(p => "<img src=\"data:image/png;base64," + Convert.ToBase64String(p.Png) + "\">", "text/html");
        Formatter.SetPreferredMimeTypesFor(typeof(Pic), "text/html", "image/png");
        """;

    [Fact]
    public async Task Display_and_update_keep_the_final_value_and_print_progress()
    {
        using var nb = Create(Code("using Microsoft.DotNet.Interactive;\nvar h = KernelInvocationContext.Current.Display(\"start\");\nfor (var i = 1; i <= 5; i++) h.Update($\"step {i}\");\nConsole.WriteLine(\"after\");"));
        var run = await nb.RunAsync();
        Assert.True(run.Result.ExitCode == 0, run.Err + run.Out);
        var outputs = run.OutputsAt(0);
        Assert.Equal(2, outputs.Count);
        Assert.Equal("display_data", outputs[0]!["output_type"]!.GetValue<string>());
        Assert.Equal("step 5", Run.Plain(outputs[0]));
        Assert.Equal("after\n", Run.Text(outputs[1]));
        // Live progress: the first update at once, the last one when the cell ends.
        Assert.Contains("↳ step 1", run.Out);
        Assert.Contains("↳ step 5", run.Out);
    }

    [Fact]
    public async Task Updates_of_display_handles_the_kernel_never_showed_change_nothing_as_in_Jupyter()
    {
        // Kernel 1.0.0-beta.26120.1: display(x) shows x under one display id and returns a handle with another, so a
        // Jupyter front-end ignores its updates (nbclient: unknown display_id). gannb keeps the same output; it still
        // prints the progress lines.
        using var nb = Create(Code("var h = display(\"start\");\nh.Update(\"step 1\");"));
        var run = await nb.RunAsync();
        Assert.True(run.Result.ExitCode == 0, run.Err + run.Out);
        Assert.Equal("start", Run.Plain(run.OutputsAt(0).Single()));
        Assert.Contains("↳ step 1", run.Out);
    }

    [Fact]
    public async Task Handles_from_earlier_cells_update_their_display()
    {
        using var nb = Create(Code("using Microsoft.DotNet.Interactive;\nvar h = KernelInvocationContext.Current.Display(42);"), Code("h.Update(\"changed later\");"));
        var run = await nb.RunAsync();
        Assert.True(run.Result.ExitCode == 0, run.Err + run.Out);
        Assert.Equal("changed later", Run.Plain(run.OutputsAt(0)[0]));
        Assert.Empty(run.OutputsAt(1));
    }

    [Fact]
    public async Task Trailing_expression_is_an_execute_result_and_statements_show_nothing()
    {
        using var nb = Create(Code("1 + 2"), Code("var x = 3;"), Code("display(\"d\")"));
        var run = await nb.RunAsync();
        var result = run.OutputsAt(0).Single()!;
        Assert.Equal("execute_result", result["output_type"]!.GetValue<string>());
        Assert.Equal(1, result["execution_count"]!.GetValue<int>());
        Assert.Equal("3", Run.Plain(result));
        Assert.Empty(run.OutputsAt(1));
        // display(...) as the last expression shows the value once, not its handle as well.
        Assert.Equal("display_data", run.OutputsAt(2).Single()!["output_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Console_output_is_captured_as_streams_and_echoed()
    {
        using var nb = Create(Code("Console.Write(\"a\");\nConsole.WriteLine(\"b\");\nConsole.Error.WriteLine(\"warn\");\nConsole.WriteLine(\"c\");"));
        var (stdout, stderr) = (Console.Out, Console.Error);
        var run = await nb.RunAsync();
        var outputs = run.OutputsAt(0);
        Assert.Equal(["stdout:ab\n", "stderr:warn\n", "stdout:c\n"],
            outputs.Select(o => o!["name"]!.GetValue<string>() + ":" + Run.Text(o)));
        Assert.Contains("ab\nwarn\nc\n", run.Out);
        // The kernel's console capture ends with the run.
        Assert.Same(stdout, Console.Out);
        Assert.Same(stderr, Console.Error);
    }

    [Fact]
    public async Task Every_mime_type_of_a_display_is_kept_png_and_plotly_json_as_the_kernel_formatted_them()
    {
        using var nb = Create(Code(Formatters), Code("display(new Pic(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));\nnew Fig(new[] { 4.0, 5, 6 })"));
        var run = await nb.RunAsync();
        Assert.True(run.Result.ExitCode == 0, run.Err + run.Out);
        var outputs = run.OutputsAt(1);
        var image = outputs[0]!["data"]!.AsObject();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, Convert.FromBase64String(Run.Data(outputs[0], "image/png")));
        Assert.Contains("<img", Run.Data(outputs[0], "text/html"));
        var chart = outputs[1]!["data"]!.AsObject();
        Assert.Equal("execute_result", outputs[1]!["output_type"]!.GetValue<string>());
        var fig = chart[RunOutputs.PlotlyMime]!.AsObject();   // JSON, not a string (nbformat: application/*+json)
        Assert.Equal("scatter", fig["data"]![0]!["type"]!.GetValue<string>());
        Assert.Equal([4.0, 5, 6], fig["data"]![0]!["y"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.NotNull(chart["text/html"]);
        // The report: the PNG as an image, the chart drawn from its JSON, not its HTML.
        Assert.Contains("src=\"data:image/png;base64,iVBORw==\"", run.Html);
        Assert.Contains("Plotly.newPlot(\"plotly-chart-1\"", run.Html);
        Assert.DoesNotContain("<div id=\"fig-html-marker\"", run.Html);
    }

    [Fact]
    public async Task Html_content_and_registered_html_formatters_give_text_html()
    {
        using var nb = Create(
            Code("new Microsoft.AspNetCore.Html.HtmlString(\"<b>bold</b>\")"),
            Code("using Microsoft.DotNet.Interactive.Formatting;\nrecord Score(double Value);\nFormatter.Register<Score>(s => $\"<i>{s.Value}</i>\", \"text/html\");\nnew Score(0.5)"),
            Code("new { A = 1 }"));
        var run = await nb.RunAsync();
        Assert.True(run.Result.ExitCode == 0, run.Err + run.Out);
        Assert.Equal("<b>bold</b>", Run.Data(run.OutputsAt(0).Single(), "text/html"));
        Assert.Equal("bold", Run.Plain(run.OutputsAt(0).Single()));
        Assert.Equal("<i>0.5</i>", Run.Data(run.OutputsAt(1).Single(), "text/html"));
        Assert.Contains("1", Run.Plain(run.OutputsAt(2).Single()));
    }

    [Fact]
    public async Task Formatter_registrations_of_one_run_do_not_leak_into_the_next()
    {
        using var first = Create(Code("using Microsoft.DotNet.Interactive.Formatting;\nFormatter.Register<int>(i => \"<b>custom</b>\", \"text/html\");\n7"));
        Assert.Contains("custom", (await first.RunAsync()).OutputsAt(0).Single()!["data"]!["text/html"]!.ToJsonString());
        using var second = Create(Code("7"));
        Assert.DoesNotContain("custom", (await second.RunAsync()).OutputsAt(0).Single()!["data"]!.ToJsonString());
    }
}
