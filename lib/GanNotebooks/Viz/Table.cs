using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace GanNotebooks.Viz;

/// <summary>
/// A small results table ("end with a table of the runs"): named columns and rows of values, rendered
/// as aligned text (<see cref="ToString"/>) or HTML (<see cref="ToHtml"/>). Implements
/// <see cref="IHtmlContent"/>, so notebook front-ends that honour it show the HTML form.
/// Doubles are shown with 4 significant digits (invariant culture).
/// </summary>
public sealed class Table : IHtmlContent
{
    readonly List<object?[]> _rows = new();

    /// <summary>A table with the given column names.</summary>
    public Table(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0) throw new ArgumentException("A table needs at least one column.", nameof(columns));
        Columns = columns.ToArray();
    }

    /// <summary>Optional caption shown above the table.</summary>
    public string? Title { get; set; }
    /// <summary>Column names.</summary>
    public IReadOnlyList<string> Columns { get; }
    /// <summary>Rows (each has one value per column).</summary>
    public IReadOnlyList<IReadOnlyList<object?>> Rows => _rows;

    /// <summary>Appends a row; the number of values must match the number of columns. Returns this table.</summary>
    public Table AddRow(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Columns.Count)
            throw new ArgumentException($"The row has {values.Length} values but the table has {Columns.Count} columns ({string.Join(", ", Columns)}).", nameof(values));
        _rows.Add(values.ToArray());
        return this;
    }

    /// <summary>A table with one column per public readable property of <typeparamref name="T"/> and one row per item (records work well).</summary>
    public static Table From<T>(IEnumerable<T> items, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        var props = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();
        if (props.Length == 0) throw new ArgumentException($"{typeof(T).Name} has no public properties to show.", nameof(items));
        var t = new Table(props.Select(p => p.Name).ToArray()) { Title = title };
        foreach (var item in items) t.AddRow(props.Select(p => item is null ? null : p.GetValue(item)).ToArray());
        return t;
    }

    /// <summary>How one cell is printed.</summary>
    public static string FormatCell(object? value) => value switch
    {
        null => "",
        double d => double.IsPositiveInfinity(d) ? "∞" : double.IsNegativeInfinity(d) ? "−∞" : d.ToString("G4", CultureInfo.InvariantCulture),
        float f => f.ToString("G4", CultureInfo.InvariantCulture),
        IFormattable fm => fm.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Aligned plain-text rendering.</summary>
    public override string ToString()
    {
        var cells = _rows.Select(r => r.Select(FormatCell).ToArray()).ToList();
        var widths = Columns.Select((c, j) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(r => r[j].Length))).ToArray();
        var sb = new StringBuilder();
        if (!string.IsNullOrEmpty(Title)) sb.AppendLine(Title);
        sb.AppendLine(string.Join(" | ", Columns.Select((c, j) => c.PadRight(widths[j]))).TrimEnd());
        sb.AppendLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var r in cells) sb.AppendLine(string.Join(" | ", r.Select((v, j) => v.PadRight(widths[j]))).TrimEnd());
        return sb.ToString().TrimEnd('\n', '\r');
    }

    /// <summary>HTML rendering (a &lt;table&gt; with an optional caption; values HTML-encoded).</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder("<table class=\"gannb-table\">");
        if (!string.IsNullOrEmpty(Title)) sb.Append("<caption>").Append(WebUtility.HtmlEncode(Title)).Append("</caption>");
        sb.Append("<thead><tr>");
        foreach (var c in Columns) sb.Append("<th>").Append(WebUtility.HtmlEncode(c)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var r in _rows)
        {
            sb.Append("<tr>");
            foreach (var v in r) sb.Append("<td>").Append(WebUtility.HtmlEncode(FormatCell(v))).Append("</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }

    /// <inheritdoc/>
    public void WriteTo(TextWriter writer, HtmlEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(ToHtml());
    }
}
