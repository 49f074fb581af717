namespace GanNotebooks.Runner.Execution;

/// <summary>
/// Reads a command line in order: options as <c>--name value</c> or <c>--name=value</c>, and positional arguments.
/// One reader for every gannb command, so all of them accept the same spellings.
/// </summary>
internal sealed class ArgumentReader(string[] args, int start)
{
    int _next = start;
    string? _inline;

    /// <summary>The next option name (without its <c>=value</c>) or positional argument; false at the end.</summary>
    public bool Next(out string argument)
    {
        _inline = null;
        if (_next >= args.Length) { argument = ""; return false; }
        argument = args[_next++];
        if (argument.StartsWith("--", StringComparison.Ordinal) && argument.IndexOf('=') is var eq and > 2)
        {
            _inline = argument[(eq + 1)..];
            argument = argument[..eq];
        }
        return true;
    }

    /// <summary>The value of the option just read (its <c>=value</c>, else the next argument), or null if none is left.</summary>
    public string? Value()
    {
        if (_inline is not null) { var v = _inline; _inline = null; return v; }
        return _next < args.Length ? args[_next++] : null;
    }
}
