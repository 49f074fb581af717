using System.Text.Json.Nodes;

namespace GanNotebooks.Runner.Execution;

// The seam between the runner and the notebook technology it drives. Everything below is plain .NET and JSON;
// the one implementation (Kernel/, the embedded .NET Interactive C# kernel and its Documents package) is the only
// code that touches the .NET Interactive packages. Replace Kernel/ to move to another kernel or SDK.

/// <summary>How the runner treats a cell.</summary>
public enum CellKind
{
    /// <summary>Code, sent to the kernel.</summary>
    Code,
    /// <summary>A markdown cell: rendered in the report, not executed.</summary>
    Markdown,
    /// <summary>A raw cell: shown, not executed.</summary>
    Raw,
}

/// <summary>Something a running cell produced, as the kernel formatted it.</summary>
public abstract record KernelOutput;

/// <summary>Text the cell wrote to stdout or stderr.</summary>
/// <param name="Name">"stdout" or "stderr".</param>
/// <param name="Text">The text.</param>
public sealed record StreamText(string Name, string Text) : KernelOutput;

/// <summary>A displayed value (display(…)) or an update of one (DisplayedValue.Update(…)).</summary>
/// <param name="DisplayId">The display's id (updates carry the id of the display they replace), or null.</param>
/// <param name="Data">The MIME bundle: every formatted value of the event, JSON MIME types as JSON.</param>
/// <param name="IsUpdate">True for an update of an earlier display.</param>
public sealed record DisplayData(string? DisplayId, JsonObject Data, bool IsUpdate) : KernelOutput;

/// <summary>The value of the cell's trailing expression.</summary>
/// <param name="Data">The MIME bundle.</param>
public sealed record ResultData(JsonObject Data) : KernelOutput;

/// <summary>Why a cell failed.</summary>
/// <param name="EName">Exception type name (nbformat ename), e.g. "System.InvalidOperationException" or "CompilationError".</param>
/// <param name="EValue">The message (nbformat evalue).</param>
/// <param name="Line">1-based line in the cell's own source, when known.</param>
/// <param name="Message">One line without the cell label: "error CS0103: …" or "InvalidOperationException: boom".</param>
/// <param name="Traceback">Lines for the notebook's error output (frames of cells named "cell N, line L").</param>
public sealed record CellFailure(string EName, string EValue, int? Line, string Message, IReadOnlyList<string> Traceback);

/// <summary>One notebook kernel session: cells run in order and share state. Disposed after the run.</summary>
public interface INotebookKernel : IAsyncDisposable
{
    /// <summary>
    /// Runs one cell. <paramref name="output"/> receives what the cell produces while it runs (and later display
    /// updates, until the next cell starts). <paramref name="label"/> ("cell 3") names the cell in later tracebacks.
    /// </summary>
    /// <returns>Null when the cell ran to the end, else why it failed.</returns>
    Task<CellFailure?> RunCellAsync(string code, string label, Action<KernelOutput> output, CancellationToken cancellationToken);
}

/// <summary>One cell of a notebook document.</summary>
public interface INotebookCell
{
    /// <summary>Code, markdown or raw.</summary>
    CellKind Kind { get; }
    /// <summary>The source text.</summary>
    string Source { get; }
    /// <summary>metadata.tags.</summary>
    IReadOnlyList<string> Tags { get; }
    /// <summary>The cell's kernel as stored by Polyglot Notebooks (metadata), or null.</summary>
    string? KernelName { get; }
    /// <summary>The markdown cell's attachments (nbformat), or null.</summary>
    JsonObject? Attachments { get; }
    /// <summary>Sets the outputs and execution count of a code cell (null: not run).</summary>
    void SetOutputs(IReadOnlyList<CellOutput> outputs, int? executionCount);
}

/// <summary>A notebook read from an .ipynb file; written back with every id, tag and metadata field it had.</summary>
public interface INotebookDocument
{
    /// <summary>The cells in order.</summary>
    IReadOnlyList<INotebookCell> Cells { get; }
    /// <summary>Null when the notebook is for the C# kernel, else a sentence naming its kernel.</summary>
    string? CheckCSharpKernel();
    /// <summary>Inserts a code cell after <paramref name="after"/> (tags in metadata.tags).</summary>
    INotebookCell InsertCodeCell(INotebookCell after, string source, params string[] tags);
    /// <summary>Removes a cell.</summary>
    void Remove(INotebookCell cell);
    /// <summary>Sets notebook-level metadata <paramref name="key"/> (written by <see cref="ToJson"/>; replaces an earlier value).</summary>
    void SetMetadata(string key, JsonNode value);
    /// <summary>The notebook as nbformat 4.5 JSON (every cell with a valid unique id).</summary>
    string ToJson();
}

/// <summary>A notebook that cannot be read (exit code 2).</summary>
public sealed class NotebookException(string message) : Exception(message);
