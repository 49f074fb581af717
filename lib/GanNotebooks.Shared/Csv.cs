namespace GanNotebooks.Runtime.Shared;

/// <summary>CSV as the kit and the runner write it (RFC 4180 fields, "\n" line ends, no trailing blanks).</summary>
internal static class Csv
{
    /// <summary>A field: quoted (with its quotes doubled) when it holds a comma, a quote, a line feed or a carriage return.</summary>
    public static string Field(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;

    /// <summary>One line: the fields quoted as needed, separated by commas, ended by "\n".</summary>
    public static string Line(IEnumerable<string> fields) => string.Join(",", fields.Select(Field)) + "\n";
}
