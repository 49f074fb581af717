using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GanNotebooks.Runner.Notebooks;

/// <summary>
/// An nbformat 4 notebook held as a JSON tree, so that every field the runner does not know about
/// (metadata of Polyglot Notebooks, Jupyter, VS Code…) is written back unchanged.
/// </summary>
public sealed class Notebook
{
    readonly JsonObject _root;

    Notebook(JsonObject root, string path)
    {
        _root = root;
        Path = path;
        var cells = root["cells"] as JsonArray ?? throw new NotebookException($"{path}: not a notebook: no \"cells\" array.");
        Cells = new List<NotebookCell>();
        foreach (var node in cells)
        {
            if (node is not JsonObject cell) throw new NotebookException($"{path}: a cell is not a JSON object.");
            Cells.Add(new NotebookCell(cell));
        }
    }

    /// <summary>Where the notebook was read from.</summary>
    public string Path { get; }

    /// <summary>The cells in order; edit this list to add or remove cells.</summary>
    public List<NotebookCell> Cells { get; }

    /// <summary>Notebook-level metadata (kernelspec, language_info, polyglot_notebook…).</summary>
    public JsonObject Metadata => _root["metadata"] as JsonObject ?? (JsonObject)(_root["metadata"] = new JsonObject());

    /// <summary>nbformat_minor as stored (0 when missing).</summary>
    public int FormatMinor
    {
        get => _root["nbformat_minor"] is JsonValue v && v.TryGetValue<int>(out var m) ? m : 0;
        set => _root["nbformat_minor"] = value;
    }

    /// <summary>Reads and checks a notebook file (nbformat 4). Throws <see cref="NotebookException"/> with a one-line reason.</summary>
    public static Notebook Load(string path)
    {
        if (!File.Exists(path)) throw new NotebookException($"{path}: file not found.");
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new NotebookException($"{path}: cannot read: {e.Message}"); }
        return Parse(text, path);
    }

    /// <summary>Parses notebook JSON text (see <see cref="Load"/>).</summary>
    public static Notebook Parse(string json, string path)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new NotebookException($"{path}: malformed JSON (line {e.LineNumber + 1}): {FirstLine(e.Message)}"); }
        if (node is not JsonObject root) throw new NotebookException($"{path}: not a notebook: the JSON is not an object.");
        var major = root["nbformat"] is JsonValue v && v.TryGetValue<int>(out var m) ? m : -1;
        if (major != 4) throw new NotebookException($"{path}: nbformat {(major < 0 ? "missing" : major.ToString())}; gannb reads nbformat 4 notebooks.");
        return new Notebook(root, path);
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>
    /// Checks that the notebook is meant for the .NET Interactive C# kernel; returns null when it is,
    /// else a sentence saying which kernel it names.
    /// </summary>
    public string? CheckCSharpKernel()
    {
        var meta = Metadata;
        var kernelspec = (meta["kernelspec"] as JsonObject)?["name"]?.GetValue<string>();
        var language = (meta["language_info"] as JsonObject)?["name"]?.GetValue<string>();
        // Polyglot Notebooks write metadata.polyglot_notebook.kernelInfo.defaultKernelName (older
        // versions: metadata.polyglot_notebook.defaultKernelName).
        var pn = meta["polyglot_notebook"] as JsonObject;
        var polyglot = ((pn?["kernelInfo"] as JsonObject)?["defaultKernelName"] ?? pn?["defaultKernelName"])?.GetValue<string>();
        static bool IsCs(string? s) => s is not null && (s.Equals("csharp", StringComparison.OrdinalIgnoreCase) || s.Equals("c#", StringComparison.OrdinalIgnoreCase));
        if (string.Equals(kernelspec, ".net-csharp", StringComparison.OrdinalIgnoreCase)) return null;
        // Polyglot Notebooks store kernelspec ".net-csharp" or ".net-fsharp"/… plus the default kernel; a
        // non-.NET kernelspec (python3, ir…) wins over everything else.
        var dotnetOrNone = kernelspec is null || kernelspec.StartsWith(".net", StringComparison.OrdinalIgnoreCase);
        if (dotnetOrNone && (IsCs(polyglot) || IsCs(language))) return null;
        var named = kernelspec ?? polyglot ?? language;
        return named is null
            ? "the notebook names no kernel; gannb runs C# notebooks (metadata.kernelspec.name \".net-csharp\")."
            : $"the notebook's kernel is '{named}', not C#; gannb runs C# notebooks (metadata.kernelspec.name \".net-csharp\").";
    }

    /// <summary>Serializes the notebook as Jupyter does (indent 1, non-ASCII kept, trailing newline).</summary>
    public string ToJson()
    {
        var cells = new JsonArray();
        foreach (var c in Cells) cells.Add(c.Json.DeepClone());
        var copy = (JsonObject)_root.DeepClone();
        copy["cells"] = cells;
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, IndentSize = 1 };
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, options)) copy.WriteTo(writer);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Gives every cell an id (nbformat 4.5) and raises nbformat_minor to 5 when ids were added.</summary>
    public void EnsureCellIds()
    {
        var used = new HashSet<string>(Cells.Select(c => c.Id).OfType<string>());
        var seen = new HashSet<string>();
        foreach (var c in Cells)
        {
            // Missing, malformed and duplicate ids are all invalid in nbformat 4.5.
            if (c.Id is { } id && NotebookCell.IsValidId(id) && seen.Add(id)) continue;
            c.Id = NotebookCell.NewId(used);
            seen.Add(c.Id);
        }
        if (Cells.Count > 0 && FormatMinor < 5) FormatMinor = 5;
    }
}

/// <summary>A notebook that cannot be read or is not a C# notebook (exit code 2).</summary>
public sealed class NotebookException(string message) : Exception(message);
