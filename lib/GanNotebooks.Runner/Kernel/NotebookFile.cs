using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GanNotebooks.Runner.Execution;
using Microsoft.DotNet.Interactive.Documents;
using DocumentsNotebook = Microsoft.DotNet.Interactive.Documents.Jupyter.Notebook;

namespace GanNotebooks.Runner.Kernel;

/// <summary>
/// An .ipynb read and written with Microsoft.DotNet.Interactive.Documents (the reader and writer Polyglot Notebooks
/// use), so cells, ids, tags and all cell and notebook metadata round-trip as they do there. Documents models a
/// notebook as kernel cells and markdown only; three nbformat facts it drops are kept here from the file itself and
/// put back after its writer: raw cells (Documents would turn them into code), markdown attachments, and JSON MIME
/// values such as <c>application/vnd.plotly.v1+json</c> (Documents writes every MIME value as a list of lines;
/// nbformat and the front-ends want JSON there).
/// </summary>
internal sealed partial class NotebookFile : INotebookDocument
{
    readonly InteractiveDocument _document;
    readonly List<Cell> _cells;

    NotebookFile(InteractiveDocument document, List<Cell> cells)
    {
        _document = document;
        _cells = cells;
    }

    public IReadOnlyList<INotebookCell> Cells => _cells;

    /// <summary>Reads and checks a notebook file (nbformat 4). Throws <see cref="NotebookException"/> with a one-line reason.</summary>
    public static NotebookFile Load(string path)
    {
        if (!File.Exists(path)) throw new NotebookException($"{path}: file not found.");
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new NotebookException($"{path}: cannot read: {e.Message}"); }
        return Parse(text, path);
    }

    /// <summary>Parses notebook JSON text (see <see cref="Load"/>).</summary>
    public static NotebookFile Parse(string json, string path)
    {
        // What Documents does not check or keep: the JSON is an nbformat 4 notebook; each cell's type and attachments.
        JsonNode? node;
        try { node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new NotebookException($"{path}: malformed JSON (line {e.LineNumber + 1}): {FirstLine(e.Message)}"); }
        if (node is not JsonObject root) throw new NotebookException($"{path}: not a notebook: the JSON is not an object.");
        var major = root["nbformat"] is JsonValue v && v.TryGetValue<int>(out var m) ? m : -1;
        if (major != 4) throw new NotebookException($"{path}: nbformat {(major < 0 ? "missing" : major.ToString())}; gannb reads nbformat 4 notebooks.");
        if (root["cells"] is not JsonArray cells) throw new NotebookException($"{path}: not a notebook: no \"cells\" array.");
        if (cells.Any(c => c is not JsonObject)) throw new NotebookException($"{path}: a cell is not a JSON object.");

        InteractiveDocument document;
        try { document = DocumentsNotebook.Parse(json); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new NotebookException($"{path}: cannot read the notebook: {FirstLine(e.Message)}");
        }
        if (document.Elements.Count != cells.Count) throw new NotebookException($"{path}: cannot read every cell of the notebook.");

        var list = new List<Cell>();
        for (var i = 0; i < cells.Count; i++)
        {
            var raw = (JsonObject)cells[i]!;
            var kind = (raw["cell_type"] as JsonValue)?.GetValue<string>() switch
            {
                "markdown" => CellKind.Markdown,
                "raw" => CellKind.Raw,
                // A code cell Polyglot Notebooks assigned to its markdown kernel is markdown to Documents (and is written
                // back as a markdown cell); run it as what it is.
                _ when string.Equals(document.Elements[i].KernelName, "markdown", StringComparison.OrdinalIgnoreCase) => CellKind.Markdown,
                _ => CellKind.Code,
            };
            list.Add(new Cell(document.Elements[i], kind, raw["attachments"]?.DeepClone() as JsonObject));
        }
        return new NotebookFile(document, list);
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();

    public string? CheckCSharpKernel()
    {
        var meta = _document.Metadata;
        var kernelspec = Get(meta, "kernelspec", "name");
        var language = Get(meta, "language_info", "name");
        // Polyglot Notebooks write metadata.polyglot_notebook.kernelInfo.defaultKernelName (older versions:
        // metadata.polyglot_notebook.defaultKernelName).
        var polyglot = Get(meta, "polyglot_notebook", "kernelInfo", "defaultKernelName") ?? Get(meta, "polyglot_notebook", "defaultKernelName");
        static bool IsCs(string? s) => s is not null && (s.Equals("csharp", StringComparison.OrdinalIgnoreCase) || s.Equals("c#", StringComparison.OrdinalIgnoreCase));
        if (string.Equals(kernelspec, ".net-csharp", StringComparison.OrdinalIgnoreCase)) return null;
        // A non-.NET kernelspec (python3, ir…) wins over everything else.
        var dotnetOrNone = kernelspec is null || kernelspec.StartsWith(".net", StringComparison.OrdinalIgnoreCase);
        if (dotnetOrNone && (IsCs(polyglot) || IsCs(language))) return null;
        var named = kernelspec ?? polyglot ?? language;
        return named is null
            ? "the notebook names no kernel; gannb runs C# notebooks (metadata.kernelspec.name \".net-csharp\")."
            : $"the notebook's kernel is '{named}', not C#; gannb runs C# notebooks (metadata.kernelspec.name \".net-csharp\").";
    }

    static string? Get(IDictionary<string, object>? dict, params string[] path)
    {
        object? current = dict;
        foreach (var key in path)
        {
            if (current is not IDictionary<string, object> d || !d.TryGetValue(key, out current)) return null;
        }
        return current as string;
    }

    public INotebookCell InsertCodeCell(INotebookCell after, string source, params string[] tags)
    {
        var metadata = new Dictionary<string, object>();
        if (tags.Length > 0) metadata["tags"] = tags.Cast<object>().ToArray();
        var element = new InteractiveDocumentElement(source) { Metadata = metadata, Id = NewId() };
        var cell = new Cell(element, CellKind.Code, null);
        var index = _cells.IndexOf((Cell)after) + 1;
        _cells.Insert(index, cell);
        _document.Elements.Insert(_document.Elements.IndexOf(((Cell)after).Element) + 1, element);
        return cell;
    }

    public void Remove(INotebookCell cell)
    {
        var c = (Cell)cell;
        _cells.Remove(c);
        _document.Elements.Remove(c.Element);
    }

    [GeneratedRegex("^[a-zA-Z0-9-_]{1,64}$")]
    private static partial Regex IdPattern();

    static string NewId() => Guid.NewGuid().ToString("N")[..12];

    /// <summary>Gives every cell a valid, unique id (missing, malformed and duplicate ids are invalid in nbformat 4.5).</summary>
    void EnsureCellIds()
    {
        var seen = new HashSet<string>();
        var used = new HashSet<string>(_cells.Select(c => c.Element.Id).OfType<string>());
        foreach (var c in _cells)
        {
            if (c.Element.Id is { } id && IdPattern().IsMatch(id) && seen.Add(id)) continue;
            string fresh;
            do fresh = NewId(); while (!used.Add(fresh));
            c.Element.Id = fresh;
            seen.Add(fresh);
        }
    }

    [GeneratedRegex(@"^application/(.*\+)?json$")]
    private static partial Regex JsonMime();

    internal static bool IsJsonMime(string mimeType) => JsonMime().IsMatch(mimeType);

    readonly Dictionary<string, JsonNode> _extraMetadata = new(StringComparer.Ordinal);

    public void SetMetadata(string key, JsonNode value) => _extraMetadata[key] = value.DeepClone();

    public string ToJson()
    {
        EnsureCellIds();
        var written = JsonNode.Parse(DocumentsNotebook.ToJupyterJson(_document))!.AsObject();
        if (_extraMetadata.Count > 0)
        {
            if (written["metadata"] is not JsonObject meta) written["metadata"] = meta = new JsonObject();
            foreach (var (key, value) in _extraMetadata) meta[key] = value.DeepClone();
        }
        var cells = written["cells"]!.AsArray();
        for (var i = 0; i < _cells.Count; i++)
        {
            var cell = _cells[i];
            var json = cells[i]!.AsObject();
            switch (cell.Kind)
            {
                case CellKind.Raw:
                    json["cell_type"] = "raw";
                    json.Remove("execution_count");
                    json.Remove("outputs");
                    break;
                case CellKind.Code:
                    // JSON MIME values as JSON (Documents wrote them as strings).
                    if (json["outputs"] is JsonArray outputs)
                    {
                        for (var j = 0; j < outputs.Count && j < cell.Outputs.Count; j++)
                        {
                            if (cell.Outputs[j] is not DataOutput d || outputs[j]?["data"] is not JsonObject data) continue;
                            foreach (var (mime, value) in d.Data)
                                if (IsJsonMime(mime) && value is not null) data[mime] = value.DeepClone();
                        }
                    }
                    break;
            }
            if (cell.Attachments is { } attachments && cell.Kind != CellKind.Code) json["attachments"] = attachments.DeepClone();
            Order(json);
        }
        return Serialize(written);
    }

    /// <summary>Keys in the order Jupyter writes them (alphabetical), so diffs against Jupyter's own files stay small.</summary>
    static void Order(JsonObject cell)
    {
        var entries = cell.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        cell.Clear();
        foreach (var (key, value) in entries) cell[key] = value;
    }

    /// <summary>Serializes as Jupyter does (indent 1, non-ASCII kept, trailing newline).</summary>
    static string Serialize(JsonObject root)
    {
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, IndentSize = 1 };
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, options)) root.WriteTo(writer);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>One cell: the Documents element plus what Documents does not keep.</summary>
    internal sealed class Cell(InteractiveDocumentElement element, CellKind kind, JsonObject? attachments) : INotebookCell
    {
        public InteractiveDocumentElement Element { get; } = element;
        public CellKind Kind { get; } = kind;
        public JsonObject? Attachments { get; } = attachments;
        public string Source => Element.Contents;
        public string? KernelName => Kind == CellKind.Code ? Element.KernelName : null;
        public IReadOnlyList<CellOutput> Outputs { get; private set; } = [];

        public IReadOnlyList<string> Tags =>
            Element.Metadata is { } meta && meta.TryGetValue("tags", out var tags) && tags is IEnumerable<object> list
                ? list.OfType<string>().ToList()
                : [];

        public void SetOutputs(IReadOnlyList<CellOutput> outputs, int? executionCount)
        {
            if (Kind != CellKind.Code) return;
            Outputs = outputs;
            Element.ExecutionOrder = executionCount ?? 0;
            Element.Outputs.Clear();
            foreach (var o in outputs) Element.Outputs.Add(ToElement(o, executionCount ?? 0));
        }

        static InteractiveDocumentOutputElement ToElement(CellOutput output, int executionCount)
        {
            switch (output)
            {
                case StreamOutput s:
                    return new TextElement(s.Text, s.Name);
                case ErrorOutput e:
                    return new ErrorElement(e.EValue, e.EName, e.Traceback.ToArray());
                case DataOutput d:
                    // JSON values are put back as JSON by ToJson; Documents only writes text.
                    var data = d.Data.ToDictionary(kv => kv.Key, kv => (object)(kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : kv.Value?.ToJsonString() ?? ""));
                    if (!d.IsResult) return new DisplayElement(data);
                    var result = new ReturnValueElement { ExecutionOrder = executionCount };
                    foreach (var (k, v) in data) result.Data[k] = v;
                    return result;
                default:
                    throw new ArgumentOutOfRangeException(nameof(output));
            }
        }
    }
}
