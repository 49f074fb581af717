using System.Text.Json.Nodes;
using GanNotebooks.Runner.Output;
using Microsoft.DotNet.Interactive.Formatting;
using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

public class DisplayCaptureTests
{
    [Fact]
    public async Task Display_and_update_keep_the_final_value_and_print_progress()
    {
        using var nb = Create(Code("var h = display(\"start\");\nfor (var i = 1; i <= 5; i++) h.Update($\"step {i}\");\nConsole.WriteLine(\"after\");"));
        var run = await nb.RunAsync();
        Assert.Equal(0, run.Result.ExitCode);
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
    public async Task Display_extension_method_and_handles_from_earlier_cells_work()
    {
        using var nb = Create(Code("var h = 42.Display();"), Code("h.Update(\"changed later\");"));
        var run = await nb.RunAsync();
        Assert.Equal(0, run.Result.ExitCode);
        Assert.Equal("changed later", Run.Plain(run.OutputsAt(0)[0]));
        Assert.Empty(run.OutputsAt(1));
    }

    [Fact]
    public async Task Trailing_expression_is_an_execute_result_and_null_or_statements_show_nothing()
    {
        using var nb = Create(Code("1 + 2"), Code("var x = 3;"), Code("(string?)null"), Code("display(\"d\")"));
        var run = await nb.RunAsync();
        var result = run.OutputsAt(0).Single()!;
        Assert.Equal("execute_result", result["output_type"]!.GetValue<string>());
        Assert.Equal(1, result["execution_count"]!.GetValue<int>());
        Assert.Equal("3", Run.Plain(result));
        Assert.Empty(run.OutputsAt(1));
        Assert.Empty(run.OutputsAt(2));
        // display(...) as the last expression shows the value once, not its handle as well.
        Assert.Equal("display_data", run.OutputsAt(3).Single()!["output_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Console_output_is_captured_as_streams_and_echoed()
    {
        using var nb = Create(Code("Console.Write(\"a\");\nConsole.WriteLine(\"b\");\nConsole.Error.WriteLine(\"warn\");\nConsole.WriteLine(\"c\");"));
        var run = await nb.RunAsync();
        var outputs = run.OutputsAt(0);
        Assert.Equal(["stdout:ab\n", "stderr:warn\n", "stdout:c\n"],
            outputs.Select(o => o!["name"]!.GetValue<string>() + ":" + Run.Text(o)));
        Assert.Contains("ab\nwarn\nc\n", run.Out);
    }

    [Fact]
    public async Task Png_images_become_image_png()
    {
        using var nb = Create(Code("""
            using SixLabors.ImageSharp;
            using SixLabors.ImageSharp.PixelFormats;
            sealed class Pic : GanNotebooks.Viz.IPngImage
            {
                public byte[] PngBytes { get; }
                public int Width => 3;
                public int Height => 2;
                public Pic()
                {
                    using var bmp = new Image<Rgba32>(3, 2, new Rgba32(255, 0, 0));
                    using var data = new System.IO.MemoryStream();
                    bmp.SaveAsPng(data);
                    PngBytes = data.ToArray();
                }
            }
            new Pic()
            """));
        var run = await nb.RunAsync();
        Assert.Equal(0, run.Result.ExitCode);
        var data = run.OutputsAt(0).Single()!["data"]!;
        var png = Convert.FromBase64String(data["image/png"]!.GetValue<string>());
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal("<image 3x2>", data["text/plain"]!.GetValue<string>());
        Assert.Contains("src=\"data:image/png;base64,", run.Html);
    }

    [Fact]
    public async Task Plotly_charts_give_plotly_json_and_html()
    {
        using var nb = Create(Code("Plotly.NET.CSharp.Chart.Line<double, double, string>(new[] { 1.0, 2, 3 }, new[] { 4.0, 5, 6 })"));
        var run = await nb.RunAsync();
        Assert.Equal(0, run.Result.ExitCode);
        var data = run.OutputsAt(0).Single()!["data"]!.AsObject();
        var fig = data[OutputFormatter.PlotlyMime]!.AsObject();
        Assert.Equal("scatter", fig["data"]![0]!["type"]!.GetValue<string>());
        Assert.Equal([4.0, 5, 6], fig["data"]![0]!["y"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.NotNull(fig["layout"]);
        Assert.NotNull(fig["config"]);
        var html = data["text/html"]!.GetValue<string>();
        Assert.Contains("<div", html);
        Assert.Contains("Plotly.newPlot", html);
    }

    [Fact]
    public async Task Html_content_and_registered_html_formatters_give_text_html()
    {
        try
        {
            using var nb = Create(
                Code("new Microsoft.AspNetCore.Html.HtmlString(\"<b>bold</b>\")"),
                Code("using Microsoft.DotNet.Interactive.Formatting;\nrecord Score(double Value);\nFormatter.Register<Score>(s => $\"<i>{s.Value}</i>\", \"text/html\");\nnew Score(0.5)"),
                Code("new { A = 1 }"));
            var run = await nb.RunAsync();
            Assert.Equal(0, run.Result.ExitCode);
            Assert.Equal("<b>bold</b>", run.OutputsAt(0).Single()!["data"]!["text/html"]!.GetValue<string>());
            Assert.Equal("bold", Run.Plain(run.OutputsAt(0).Single()));
            Assert.Equal("<i>0.5</i>", run.OutputsAt(1).Single()!["data"]!["text/html"]!.GetValue<string>());
            var anonymous = run.OutputsAt(2).Single()!["data"]!.AsObject();
            Assert.False(anonymous.ContainsKey("text/html"));
            Assert.Contains("A: 1", anonymous["text/plain"]!.GetValue<string>());
        }
        finally { Formatter.ResetToDefault(); }
    }

    [Fact]
    public void Numbers_are_plain_text_in_invariant_culture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("fr-FR");
            Assert.Equal("0.5", OutputFormatter.Format(0.5)["text/plain"]!.GetValue<string>());
            Assert.Equal("True", OutputFormatter.Format(true)["text/plain"]!.GetValue<string>());
            Assert.Equal(new[] { "text/plain" }, OutputFormatter.Format("s").Select(kv => kv.Key));
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = saved; }
    }
}
