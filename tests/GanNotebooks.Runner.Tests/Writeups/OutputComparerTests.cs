using System.Text.Json.Nodes;
using GanNotebooks.Runner.Writeups;

namespace GanNotebooks.Runner.Tests.Writeups;

/// <summary>verify's comparison: text and tables exactly, numbers and chart data within tolerance, images byte for byte, timings skipped.</summary>
public class OutputComparerTests
{
    static JsonObject Notebook(params JsonObject[] outputs) => new()
    {
        ["cells"] = new JsonArray(new JsonObject { ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o).ToArray()) }),
    };

    static JsonObject Stream(string text) => new() { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = text };
    static JsonObject Html(string html) => new() { ["output_type"] = "display_data", ["data"] = new JsonObject { ["text/html"] = html }, ["metadata"] = new JsonObject() };

    static List<OutputDifference> Diff(JsonObject a, JsonObject b, OutputComparer? c = null) => (c ?? new OutputComparer()).Compare(a, b);

    [Fact]
    public void Identical_outputs_have_no_difference()
    {
        var nb = Notebook(Stream("max |D − D*| = 0.0213 at x = 1.5\n"), Html("<table><tr><th>a</th></tr><tr><td>1.5</td></tr></table>"));
        Assert.Empty(Diff(nb, nb.DeepClone().AsObject()));
    }

    [Fact]
    public void A_changed_number_or_word_is_a_difference_that_names_the_cell_and_line()
    {
        var a = Notebook(Stream("modes 8/8, high-quality 95.2 %\nsecond line\n"));
        var b = Notebook(Stream("modes 7/8, high-quality 95.2 %\nsecond line\n"));
        var d = Assert.Single(Diff(a, b));
        Assert.Contains("cell 1, output 1, line 1", d.Where);
        Assert.Contains("8/8", d.Expected);
        Assert.Contains("7/8", d.Actual);
        Assert.Single(Diff(Notebook(Stream("collapsed")), Notebook(Stream("collapses"))));
    }

    [Fact]
    public void Numbers_agree_within_the_relative_tolerance_and_not_beyond()
    {
        var a = Notebook(Stream("W1 = 0.123456789"));
        Assert.Empty(Diff(a, Notebook(Stream("W1 = 0.1234568"))));          // the same float32 value, printed with fewer digits
        Assert.Single(Diff(a, Notebook(Stream("W1 = 0.1235"))));
        Assert.Empty(Diff(a, Notebook(Stream("W1 = 0.1235")), new OutputComparer { RelativeTolerance = 1e-2 }));
    }

    [Fact]
    public void Timings_are_not_compared_in_text_or_in_time_columns_and_rows_of_tables()
    {
        var a = Notebook(Stream("done in 12.3 s, 38 steps/s\n"), Html("<table><tr><th>run</th><th>ms per step</th><th>FD</th></tr><tr><td>DCGAN</td><td>31.2</td><td>151.0</td></tr><tr><td>whole notebook (s)</td><td>700</td><td></td></tr></table>"));
        var b = Notebook(Stream("done in 19.8 s, 12 steps/s\n"), Html("<table><tr><th>run</th><th>ms per step</th><th>FD</th></tr><tr><td>DCGAN</td><td>45.0</td><td>151.0</td></tr><tr><td>whole notebook (s)</td><td>900</td><td></td></tr></table>"));
        var comparer = new OutputComparer();
        Assert.Empty(Diff(a, b, comparer));
        Assert.True(comparer.Skipped >= 2);
        var c = Notebook(Stream("done in 19.8 s, 12 steps/s\n"), Html("<table><tr><th>run</th><th>ms per step</th><th>FD</th></tr><tr><td>DCGAN</td><td>45.0</td><td>152.0</td></tr><tr><td>whole notebook (s)</td><td>900</td><td></td></tr></table>"));
        Assert.Single(Diff(a, c));
    }

    [Fact]
    public void Chart_data_is_compared_as_numbers_and_images_byte_for_byte()
    {
        static string Chart(double y) => $"<div></div><script type=\"application/json\" class=\"gankit-plotly-figure\" data-for=\"x\">{{\"data\":[{{\"y\":[1.0,{y.ToString(System.Globalization.CultureInfo.InvariantCulture)}]}}],\"layout\":{{}}}}</script>";
        Assert.Empty(Diff(Notebook(Html(Chart(2.0))), Notebook(Html(Chart(2.0000000001)))));
        var d = Assert.Single(Diff(Notebook(Html(Chart(2.0))), Notebook(Html(Chart(2.5)))));
        Assert.Contains("chart 1", d.Where);
        Assert.Contains(".data[0].y[1]", d.Where);
        Assert.Single(Diff(Notebook(Html("<img src=\"data:image/png;base64,AAAA\"/>")), Notebook(Html("<img src=\"data:image/png;base64,AAAB\"/>"))));
    }

    [Fact]
    public void A_missing_output_or_another_kind_of_output_is_a_difference()
    {
        Assert.Single(Diff(Notebook(Stream("a"), Stream("b")), Notebook(Stream("a"))));
        Assert.Single(Diff(Notebook(Stream("a")), Notebook(Html("a"))));
    }
}
