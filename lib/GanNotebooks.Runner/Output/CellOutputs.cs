using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using GanNotebooks.Runner.Notebooks;
using GanNotebooks.Runner.Scripting;

namespace GanNotebooks.Runner.Output;

/// <summary>One output of a code cell, in nbformat 4 terms.</summary>
public abstract record CellOutput
{
    /// <summary>The nbformat JSON of this output.</summary>
    public abstract JsonObject ToJson(int? executionCount);
}

/// <summary>Text written to Console.Out / Console.Error (consecutive writes are merged).</summary>
public sealed record StreamOutput(string Name) : CellOutput
{
    internal StringBuilder Buffer { get; } = new();
    /// <summary>The text written.</summary>
    public string Text => Buffer.ToString();
    /// <inheritdoc/>
    public override JsonObject ToJson(int? executionCount) => new()
    {
        ["name"] = Name,
        ["output_type"] = "stream",
        ["text"] = NotebookCell.SourceLines(Text),
    };
}

/// <summary>A value shown with display(...) (updated in place by its handle) or a cell's trailing expression.</summary>
public sealed record DataOutput(bool IsResult, string? DisplayId) : CellOutput
{
    /// <summary>The MIME bundle (of the last value, for an updated display).</summary>
    public JsonObject Data { get; internal set; } = new();

    /// <summary>How many times the display was updated.</summary>
    public int Updates { get; internal set; }

    /// <inheritdoc/>
    public override JsonObject ToJson(int? executionCount)
    {
        var json = new JsonObject
        {
            ["data"] = Data.DeepClone(),
            ["metadata"] = new JsonObject(),
            ["output_type"] = IsResult ? "execute_result" : "display_data",
        };
        if (IsResult) json["execution_count"] = executionCount;
        return json;
    }
}

/// <summary>A compile error or exception that stopped the run.</summary>
public sealed record ErrorOutput(string EName, string EValue, IReadOnlyList<string> Traceback) : CellOutput
{
    /// <inheritdoc/>
    public override JsonObject ToJson(int? executionCount) => new()
    {
        ["ename"] = EName,
        ["evalue"] = EValue,
        ["output_type"] = "error",
        ["traceback"] = new JsonArray(Traceback.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
    };
}

/// <summary>
/// Collects a running cell's outputs (console text, displays, its result), thread-safe, and prints
/// live progress lines for display updates to the runner's log (at most one every
/// <see cref="ProgressInterval"/>, plus the last one when the cell ends).
/// </summary>
public sealed class CellOutputs : IDisplaySink
{
    readonly object _gate = new();
    readonly List<CellOutput> _items = [];
    readonly TextWriter _log;
    readonly Stopwatch _sinceProgress = new();
    object? _pendingProgress;
    bool _hasPendingProgress;
    static int _displayCounter;

    internal CellOutputs(TextWriter log) => _log = log;

    /// <summary>Shortest time between two printed progress lines.</summary>
    public static TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Outputs so far, in order.</summary>
    public IReadOnlyList<CellOutput> Items { get { lock (_gate) return _items.ToList(); } }

    internal void Write(string stream, string text)
    {
        if (text.Length == 0) return;
        lock (_gate)
        {
            if (_items.Count == 0 || _items[^1] is not StreamOutput s || s.Name != stream)
                _items.Add(s = new StreamOutput(stream));
            s.Buffer.Append(text);
        }
    }

    /// <inheritdoc/>
    public DisplayHandle Display(object? value)
    {
        var data = OutputFormatter.Format(value);
        var id = $"gannb-{Interlocked.Increment(ref _displayCounter)}";
        lock (_gate) _items.Add(new DataOutput(false, id) { Data = data });
        return new DisplayHandle(this, id);
    }

    /// <inheritdoc/>
    public void Update(DisplayHandle handle, object? value)
    {
        DataOutput? target;
        // Handles are only ever given out by this sink, so the display is here (also when a later cell
        // updates it: the notebook is serialized after the last cell).
        lock (_gate) target = _items.OfType<DataOutput>().FirstOrDefault(d => d.DisplayId == handle.DisplayId);
        if (target is null) return;
        // Formatted now, not later: the value may be lazy (LINQ inside a chart) or mutable, and what
        // must end up in the notebook is what it showed at this update. Charts cost ~0.1-0.3 s each
        // (Plotly.NET's serializer), so update them every N steps, not every step, as in Polyglot.
        var data = OutputFormatter.Format(value);
        lock (_gate)
        {
            target.Data = data;
            target.Updates++;
        }
        string? line = null;
        lock (_gate)
        {
            if (!_sinceProgress.IsRunning || _sinceProgress.Elapsed >= ProgressInterval)
            {
                line = Progress(value);
                _pendingProgress = null;
                _sinceProgress.Restart();
            }
            else
            {
                _pendingProgress = value;
                _hasPendingProgress = true;
            }
        }
        if (line is not null) WriteLog(line);
    }

    static string Progress(object? value) => "      ↳ " + OutputFormatter.QuickSummary(value);

    internal void AddResult(object value)
    {
        lock (_gate) _items.Add(new DataOutput(true, null) { Data = OutputFormatter.Format(value) });
    }

    internal void AddError(ErrorOutput error)
    {
        lock (_gate) _items.Add(error);
    }

    /// <summary>At the end of the cell: prints the last progress line the throttle held back.</summary>
    internal void Complete()
    {
        string? line = null;
        lock (_gate)
        {
            if (_hasPendingProgress) line = Progress(_pendingProgress);
            _pendingProgress = null;
            _hasPendingProgress = false;
        }
        if (line is not null) WriteLog(line);
    }

    void WriteLog(string line)
    {
        lock (_log) { _log.WriteLine(line); _log.Flush(); }
    }

    /// <summary>The nbformat outputs array.</summary>
    public JsonArray ToJson(int? executionCount) => new(Items.Select(i => (JsonNode?)i.ToJson(executionCount)).ToArray());
}

/// <summary>
/// Console.Out / Console.Error while a notebook runs: text goes into the current cell's outputs as a
/// stream output and is echoed to the runner's own output.
/// </summary>
internal sealed class CapturingWriter : TextWriter
{
    readonly string stream;
    readonly TextWriter echo;

    public CapturingWriter(string stream, TextWriter echo)
    {
        this.stream = stream;
        this.echo = echo;
        CoreNewLine = ['\n'];
    }

    public CellOutputs? Target { get; set; }
    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write(value.ToString());
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));
    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        Target?.Write(stream, value);
        lock (echo) echo.Write(value);
    }
    public override void WriteLine(string? value) => Write((value ?? "") + "\n");
    public override void Flush()
    {
        lock (echo) echo.Flush();
    }
}
