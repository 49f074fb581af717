using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GanNotebooks.Runner.Notebooks;

/// <summary>One cell of a notebook, a view over its JSON object (unknown fields are kept).</summary>
public sealed partial class NotebookCell
{
    internal NotebookCell(JsonObject json) => Json = json;

    /// <summary>The cell's JSON object.</summary>
    public JsonObject Json { get; }

    /// <summary>"code", "markdown" or "raw".</summary>
    public string CellType => Json["cell_type"]?.GetValue<string>() ?? "raw";

    /// <summary>The cell id (nbformat 4.5), or null.</summary>
    public string? Id
    {
        get => Json["id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        set => Json["id"] = value;
    }

    /// <summary>Cell metadata (created when missing).</summary>
    public JsonObject Metadata => Json["metadata"] as JsonObject ?? (JsonObject)(Json["metadata"] = new JsonObject());

    /// <summary>The source text, whether stored as one string or as a list of lines.</summary>
    public string Source => Json["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => "",
    };

    /// <summary>metadata.tags.</summary>
    public IReadOnlyList<string> Tags => Metadata["tags"] is JsonArray tags
        ? tags.Select(t => t is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().ToList()
        : [];

    /// <summary>The per-cell kernel Polyglot Notebooks stores (metadata.polyglot_notebook.kernelName or
    /// metadata.dotnet_interactive.language), or null.</summary>
    public string? CellKernel =>
        ((Metadata["polyglot_notebook"] as JsonObject)?["kernelName"] as JsonValue)?.GetValue<string>()
        ?? ((Metadata["dotnet_interactive"] as JsonObject)?["language"] as JsonValue)?.GetValue<string>();

    /// <summary>Creates a code cell.</summary>
    public static NotebookCell NewCode(string source, string id, params string[] tags)
    {
        var meta = new JsonObject();
        if (tags.Length > 0) meta["tags"] = new JsonArray(tags.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
        var json = new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["id"] = id,
            ["metadata"] = meta,
            ["outputs"] = new JsonArray(),
            ["source"] = SourceLines(source),
        };
        return new NotebookCell(json);
    }

    /// <summary>Splits text into the nbformat list-of-lines form (each line keeps its "\n").</summary>
    public static JsonArray SourceLines(string text)
    {
        var arr = new JsonArray();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\n') continue;
            arr.Add(text[start..(i + 1)]);
            start = i + 1;
        }
        if (start < text.Length) arr.Add(text[start..]);
        return arr;
    }

    /// <summary>Sets the cell's outputs and execution count (code cells only).</summary>
    public void SetOutputs(JsonArray outputs, int? executionCount)
    {
        Json["outputs"] = outputs;
        Json["execution_count"] = executionCount;
    }

    /// <summary>Clears outputs of a code cell that was not run.</summary>
    public void ClearOutputs()
    {
        if (CellType != "code") return;
        SetOutputs(new JsonArray(), null);
    }

    [GeneratedRegex("^[a-zA-Z0-9-_]{1,64}$")]
    private static partial Regex IdPattern();

    internal static bool IsValidId(string id) => IdPattern().IsMatch(id);

    internal static string NewId(HashSet<string> used)
    {
        while (true)
        {
            var id = Guid.NewGuid().ToString("N")[..12];
            if (used.Add(id)) return id;
        }
    }
}
