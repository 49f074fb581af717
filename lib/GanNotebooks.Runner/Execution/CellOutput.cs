using System.Text;
using System.Text.Json.Nodes;

namespace GanNotebooks.Runner.Execution;

// The outputs of a code cell as the runner keeps them (nbformat 4 terms): what the kernel's outputs become (Output/),
// what the document writes back (Kernel/), what the report renders (Report/).

/// <summary>One output of a code cell, in nbformat 4 terms.</summary>
public abstract record CellOutput;

/// <summary>Text written to stdout / stderr (consecutive writes to one stream are merged).</summary>
public sealed record StreamOutput(string Name) : CellOutput
{
    internal StringBuilder Buffer { get; } = new();
    /// <summary>The text written.</summary>
    public string Text => Buffer.ToString();
}

/// <summary>A displayed value (updated in place by later updates of its display id) or a cell's trailing expression.</summary>
/// <param name="IsResult">True for the trailing expression (execute_result), false for a display (display_data).</param>
/// <param name="DisplayId">The kernel's id of an updatable display, or null.</param>
public sealed record DataOutput(bool IsResult, string? DisplayId) : CellOutput
{
    /// <summary>The MIME bundle as the kernel formatted it (of the last value, for an updated display).</summary>
    public JsonObject Data { get; internal set; } = new();

    /// <summary>How many times the display was updated.</summary>
    public int Updates { get; internal set; }
}

/// <summary>A compile error or exception that stopped the run.</summary>
public sealed record ErrorOutput(string EName, string EValue, IReadOnlyList<string> Traceback) : CellOutput;
