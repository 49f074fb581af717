using GanNotebooks.Runner.Execution;

namespace GanNotebooks.Runner.Output;

/// <summary>One cell as run.</summary>
/// <param name="Number">1-based number of the cell in the input notebook (for the injected cell: the number of
/// the parameters cell it follows).</param>
/// <param name="Injected">The cell was injected for -p overrides.</param>
/// <param name="Kind">Code, markdown or raw.</param>
/// <param name="Source">The cell source as written.</param>
/// <param name="Text">The text rendered (markdown and raw cells) or sent to the kernel (code).</param>
/// <param name="ExecutionCount">Execution count of a code cell that ran, else null.</param>
/// <param name="Elapsed">Wall time of the cell.</param>
/// <param name="Outputs">Its outputs.</param>
/// <param name="Error">"cell N (line L): message" when the cell failed.</param>
/// <param name="Attachments">The markdown cell's attachments JSON (nbformat), or null.</param>
public sealed record CellRun(int Number, bool Injected, CellKind Kind, string Source, string Text, int? ExecutionCount,
    TimeSpan Elapsed, IReadOnlyList<CellOutput> Outputs, string? Error, System.Text.Json.Nodes.JsonObject? Attachments = null)
{
    /// <summary>True when the cell was not reached because an earlier one failed.</summary>
    public bool Skipped { get; init; }
    /// <summary>The exercise (nbgrader grade_id) when the cell is an nbgrader solution cell: the report folds its
    /// source behind a toggle, so a notebook with its solutions in serves self-study.</summary>
    public string? SolutionOf { get; init; }
    /// <summary>"cell N" or "injected-parameters cell (after cell N)".</summary>
    public string Label => Injected ? $"injected-parameters cell (after cell {Number})" : $"cell {Number}";
}
