using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GanNotebooks.Runner.Execution;

namespace GanNotebooks.Runner.Output;

/// <summary>
/// The outputs of a run, per cell, fed by the kernel's outputs as they arrive (thread-safe). A display update
/// replaces the data of the display with that id wherever it is (also in an earlier cell: the notebook is written
/// after the last cell) and prints a live progress line to the runner's log (at most one every
/// <see cref="ProgressInterval"/>, plus the last one when the cell ends). Stream text is echoed to the log.
/// </summary>
public sealed partial class RunOutputs
{
    /// <summary>MIME type Jupyter front-ends render natively with plotly.js.</summary>
    public const string PlotlyMime = "application/vnd.plotly.v1+json";

    readonly object _gate = new();
    readonly TextWriter _log;
    readonly Dictionary<string, DataOutput> _displays = new(StringComparer.Ordinal);
    readonly Stopwatch _sinceProgress = new();
    List<CellOutput>? _current;
    string? _pendingProgress;

    internal RunOutputs(TextWriter log) => _log = log;

    /// <summary>Shortest time between two printed progress lines.</summary>
    public static TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Starts collecting the outputs of a new cell; returns its (live) list.</summary>
    internal List<CellOutput> BeginCell()
    {
        lock (_gate) return _current = [];
    }

    /// <summary>Ends the current cell: prints the last progress line the throttle held back.</summary>
    internal void EndCell()
    {
        string? line;
        lock (_gate)
        {
            line = _pendingProgress;
            _pendingProgress = null;
        }
        if (line is not null) WriteLog(line);
    }

    /// <summary>A snapshot of a cell's outputs.</summary>
    internal IReadOnlyList<CellOutput> Snapshot(List<CellOutput> cell)
    {
        lock (_gate) return cell.ToList();
    }

    /// <summary>Adds what the kernel produced to the current cell.</summary>
    internal void Add(KernelOutput output)
    {
        switch (output)
        {
            case StreamText s:
                if (s.Text.Length == 0) return;
                lock (_gate)
                {
                    if (_current is null) return;
                    if (_current.Count == 0 || _current[^1] is not StreamOutput last || last.Name != s.Name)
                        _current.Add(last = new StreamOutput(s.Name));
                    last.Buffer.Append(s.Text);
                }
                lock (_log) { _log.Write(s.Text); _log.Flush(); }
                return;
            case ResultData r:
                lock (_gate) _current?.Add(new DataOutput(true, null) { Data = r.Data });
                return;
            case DisplayData { IsUpdate: false } d:
                lock (_gate)
                {
                    var display = new DataOutput(false, d.DisplayId) { Data = d.Data };
                    _current?.Add(display);
                    if (d.DisplayId is not null) _displays[d.DisplayId] = display;
                }
                return;
            case DisplayData d:
                Update(d);
                return;
        }
    }

    internal void AddError(ErrorOutput error)
    {
        lock (_gate) _current?.Add(error);
    }

    void Update(DisplayData update)
    {
        string? line = null;
        lock (_gate)
        {
            // As in Jupyter (nbclient, JupyterLab): an update whose display id names no display shown changes nothing.
            // (Kernel 1.0.0-beta.26120.1: display(x) / x.Display() publish x under one id and return a handle with
            // another, so their updates land here; KernelInvocationContext.Current.Display(x) returns the handle it shows.)
            _displays.TryGetValue(update.DisplayId ?? "", out var target);
            if (target is not null)
            {
                target.Data = update.Data;
                target.Updates++;
            }
            var progress = "      ↳ " + Summary(update.Data);
            if (!_sinceProgress.IsRunning || _sinceProgress.Elapsed >= ProgressInterval)
            {
                line = progress;
                _pendingProgress = null;
                _sinceProgress.Restart();
            }
            else _pendingProgress = progress;
        }
        if (line is not null) WriteLog(line);
    }

    void WriteLog(string line)
    {
        lock (_log) { _log.WriteLine(line); _log.Flush(); }
    }

    /// <summary>A one-line description of a MIME bundle for progress lines.</summary>
    public static string Summary(JsonObject data, int max = 160)
    {
        string text;
        if (data["text/plain"] is JsonValue plain && plain.TryGetValue<string>(out var p)) text = p;
        else if (data.ContainsKey(PlotlyMime)) text = "<Plotly chart>";
        else if (data.ContainsKey("image/png")) text = "<image>";
        else if (data["text/html"] is JsonValue html && html.TryGetValue<string>(out var h)) text = HtmlToText(h);
        else text = "<" + string.Join(", ", data.Select(kv => kv.Key)) + ">";
        var line = string.Join(" | ", text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
        return line.Length > max ? line[..(max - 1)] + "…" : line;
    }

    [GeneratedRegex("<(script|style)[^>]*>.*?</\\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    static string HtmlToText(string html)
    {
        var text = WebUtility.HtmlDecode(Tag().Replace(ScriptOrStyle().Replace(html, ""), "")).Trim();
        return text.Length == 0 ? "<html>" : text;
    }
}
