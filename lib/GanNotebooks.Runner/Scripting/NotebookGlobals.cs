namespace GanNotebooks.Runner.Scripting;

/// <summary>
/// What a notebook cell sees as top-level functions when run by gannb: the same <c>display</c> that
/// .NET Interactive's C# kernel offers, so a notebook runs unchanged in Polyglot Notebooks and headless.
/// </summary>
public sealed class NotebookGlobals
{
    internal NotebookGlobals() { }

    /// <summary>Shows a value below the cell now; keep the handle to replace it later (live progress).</summary>
    /// <param name="value">Anything displayable: text, numbers, Plotly charts, PNG images, HTML.</param>
    /// <param name="mimeTypes">Ignored (kept for source compatibility with .NET Interactive).</param>
    public DisplayHandle display(object? value, params string[] mimeTypes) => ScriptContext.Sink.Display(value);
}

/// <summary>A displayed value that can be replaced in place, like .NET Interactive's DisplayedValue.</summary>
public sealed class DisplayHandle
{
    readonly IDisplaySink _sink;

    internal DisplayHandle(IDisplaySink sink, string displayId)
    {
        _sink = sink;
        DisplayId = displayId;
    }

    /// <summary>Identifies the display (Jupyter's display_id).</summary>
    public string DisplayId { get; }

    /// <summary>Replaces the displayed value; headless, a progress line is printed and the final value is kept in the notebook.</summary>
    public void Update(object? value) => _sink.Update(this, value);
}

/// <summary>The <c>value.Display()</c> extension that .NET Interactive offers.</summary>
public static class DisplayExtensions
{
    /// <summary>Displays the value below the running cell (see <see cref="NotebookGlobals.display"/>).</summary>
    public static DisplayHandle Display(this object? value, params string[] mimeTypes) =>
        ScriptContext.Sink.Display(value);
}

/// <summary>Receives displays from the running notebook.</summary>
internal interface IDisplaySink
{
    DisplayHandle Display(object? value);
    void Update(DisplayHandle handle, object? value);
}

/// <summary>The sink of the notebook being run in this process (one at a time).</summary>
internal static class ScriptContext
{
    internal static volatile IDisplaySink? Current;

    internal static IDisplaySink Sink =>
        Current ?? throw new InvalidOperationException("display() works only while a notebook cell runs under gannb.");
}
