using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GanNotebooks.Runner.Classroom;

/// <summary>A classroom notebook that cannot be used: one line naming the file, the cell and what is wrong (exit 2).</summary>
public sealed class ClassroomException(string message) : Exception(message);

/// <summary>A cell's <c>metadata.nbgrader</c> (nbgrader schema 3).</summary>
/// <param name="GradeId">grade_id: the exercise (solution cells) or the test (grade cells).</param>
/// <param name="Points">points of a grade cell.</param>
/// <param name="Solution">The student writes this cell (its solution regions are replaced by a stub).</param>
/// <param name="Grade">The cell's tests are scored (grade cells).</param>
/// <param name="Locked">The student must not edit the cell: grading restores it from the source.</param>
public sealed record NbgraderCell(string? GradeId, double? Points, bool Solution, bool Grade, bool Locked)
{
    /// <summary>
    /// Restored from the source when grading: locked cells and test cells (grade cells that are not answers). A solution
    /// cell never is, even marked locked (as nbgrader's is_locked has it): restoring it would grade the model answer.
    /// </summary>
    public bool Protected => !Solution && (Locked || Grade);
}

/// <summary>One exercise scored by a grade cell.</summary>
/// <param name="GradeId">The grade cell's grade_id (the gradebook's exercise).</param>
/// <param name="CellId">The grade cell's nbformat id.</param>
/// <param name="Points">Its points.</param>
public sealed record Exercise(string GradeId, string CellId, double Points);

/// <summary>
/// An .ipynb as plain JSON, for the classroom commands: they rewrite cell sources and keep every id, metadata field and
/// unknown key exactly as the file has them (the kernel's Documents model is not needed to cut text).
/// </summary>
public sealed class ClassroomNotebook
{
    /// <summary>Solution region delimiters (nbgrader's ClearSolutions defaults: a line containing the text).</summary>
    public const string BeginSolution = "BEGIN SOLUTION", EndSolution = "END SOLUTION";
    /// <summary>Hidden test region delimiters (nbgrader's ClearHiddenTests defaults).</summary>
    public const string BeginHiddenTests = "BEGIN HIDDEN TESTS", EndHiddenTests = "END HIDDEN TESTS";
    /// <summary>The start of a markdown answer's stub (nbgrader's ClearSolutions.text_stub).</summary>
    public const string AnswerStub = "YOUR ANSWER HERE";

    /// <summary>The file it was read from (for messages).</summary>
    public string Path { get; }
    /// <summary>The whole notebook.</summary>
    public JsonObject Root { get; }
    /// <summary>Its cells.</summary>
    public JsonArray Cells => (JsonArray)Root["cells"]!;

    ClassroomNotebook(string path, JsonObject root)
    {
        Path = path;
        Root = root;
    }

    /// <summary>Reads an nbformat 4 notebook; throws <see cref="ClassroomException"/> with a one-line reason.</summary>
    public static ClassroomNotebook Load(string path)
    {
        if (!File.Exists(path)) throw new ClassroomException($"{path}: file not found.");
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ClassroomException($"{path}: cannot read: {e.Message}"); }
        return Parse(text, path);
    }

    /// <summary>Parses notebook JSON (see <see cref="Load"/>).</summary>
    public static ClassroomNotebook Parse(string text, string path)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new ClassroomException($"{path}: not a notebook: malformed JSON (line {e.LineNumber + 1}): {System.Text.RegularExpressions.Regex.Replace(e.Message.Split('\n')[0], @"\s*(Path: \S*\s*\|\s*)?LineNumber:.*$", "").Trim()}"); }
        if (node is not JsonObject root) throw new ClassroomException($"{path}: not a notebook: the JSON is not an object.");
        var major = root["nbformat"] is JsonValue v && v.TryGetValue<int>(out var m) ? m : -1;
        if (major != 4) throw new ClassroomException($"{path}: not a notebook: nbformat {(major < 0 ? "missing" : major.ToString(CultureInfo.InvariantCulture))}; gannb reads nbformat 4 notebooks.");
        if (root["cells"] is not JsonArray cells) throw new ClassroomException($"{path}: not a notebook: no \"cells\" array.");
        for (var i = 0; i < cells.Count; i++)
        {
            if (cells[i] is not JsonObject cell || cell["cell_type"] is not JsonValue)
                throw new ClassroomException($"{path}: cell {i + 1}: not a notebook cell (no cell_type).");
            if (cell["source"] is not (null or JsonValue or JsonArray))
                throw new ClassroomException($"{path}: cell {i + 1}: its source is neither text nor a list of lines.");
        }
        return new ClassroomNotebook(path, root);
    }

    /// <summary>The cell's source as one string (nbformat stores a string or a list of lines).</summary>
    public static string SourceOf(JsonObject cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l is JsonValue v && v.TryGetValue<string>(out var s) ? s : "")),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => "",
    };

    /// <summary>Sets the source as Jupyter writes it: a list of lines, each but the last ending in "\n".</summary>
    public static void SetSource(JsonObject cell, string text)
    {
        var lines = new JsonArray();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\n') continue;
            lines.Add(text[start..(i + 1)]);
            start = i + 1;
        }
        if (start < text.Length) lines.Add(text[start..]);
        cell["source"] = lines;
    }

    /// <summary>"code", "markdown" or "raw".</summary>
    public static string TypeOf(JsonObject cell) => (cell["cell_type"] as JsonValue)?.TryGetValue<string>(out var s) == true ? s : "";

    /// <summary>The cell's nbformat id, or null.</summary>
    public static string? IdOf(JsonObject cell) => (cell["id"] as JsonValue)?.TryGetValue<string>(out var s) == true && s.Length > 0 ? s : null;

    /// <summary>The cell's nbgrader metadata, or null when it has none. Throws for metadata of the wrong shape.</summary>
    public NbgraderCell? NbgraderOf(JsonObject cell, int number)
    {
        var node = cell["metadata"]?["nbgrader"];
        if (node is null) return null;
        if (node is not JsonObject meta) throw new ClassroomException($"{Label(cell, number)}: metadata.nbgrader is not an object.");
        bool Flag(string key) => meta[key] switch
        {
            null => false,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => throw new ClassroomException($"{Label(cell, number)}: metadata.nbgrader.{key} must be true or false."),
        };
        string? gradeId = meta["grade_id"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s.Trim().Length == 0 ? null : s,
            _ => throw new ClassroomException($"{Label(cell, number)}: metadata.nbgrader.grade_id must be a string."),
        };
        double? points = meta["points"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<double>(out var d) => d,
            JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw new ClassroomException($"{Label(cell, number)}: metadata.nbgrader.points must be a number."),
        };
        return new NbgraderCell(gradeId, points, Flag("solution"), Flag("grade"), Flag("locked"));
    }

    /// <summary>"FILE: cell N (id 'x', grade_id 'y')".</summary>
    public string Label(JsonObject cell, int number)
    {
        var id = IdOf(cell);
        var gradeId = (cell["metadata"]?["nbgrader"]?["grade_id"] as JsonValue)?.TryGetValue<string>(out var g) == true ? g : null;
        var parts = new List<string>();
        if (id is not null) parts.Add($"id '{id}'");
        if (gradeId is not null) parts.Add($"grade_id '{gradeId}'");
        return $"{Path}: cell {number}" + (parts.Count > 0 ? $" ({string.Join(", ", parts)})" : "");
    }

    /// <summary>
    /// Checks the nbgrader format (see Classroom/README.md) and returns the exercises its grade cells score, in order.
    /// Throws <see cref="ClassroomException"/> naming the file, the cell and what is wrong.
    /// </summary>
    public IReadOnlyList<Exercise> Validate()
    {
        var exercises = new List<Exercise>();
        var gradeIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var cellIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Cells.Count; i++)
        {
            var cell = (JsonObject)Cells[i]!;
            var number = i + 1;
            var label = Label(cell, number);
            var meta = NbgraderOf(cell, number);
            var source = SourceOf(cell);
            var solutionRegions = Regions(source, BeginSolution, EndSolution, label);
            var hiddenRegions = Regions(source, BeginHiddenTests, EndHiddenTests, label);
            if (solutionRegions > 0 && meta?.Solution != true)
                throw new ClassroomException($"{label}: a '{BeginSolution}' region in a cell that is not a solution cell (metadata.nbgrader.solution: true).");
            if (hiddenRegions > 0 && meta?.Grade != true)
                throw new ClassroomException($"{label}: a '{BeginHiddenTests}' region in a cell that is not a grade cell (metadata.nbgrader.grade: true).");
            if (IdOf(cell) is { } id && !cellIds.TryAdd(id, number))
                throw new ClassroomException($"{label}: the cell id '{id}' is also cell {cellIds[id]}'s; cell ids must be unique.");
            if (meta is null || !(meta.Solution || meta.Grade || meta.Locked)) continue;
            if (IdOf(cell) is null)
                throw new ClassroomException($"{label}: an nbgrader cell without a cell id (nbformat 4.5 'id'); grading finds cells by id.");
            // nbgrader's own rules (nbgraderformat v3): every grade, solution or locked cell has a unique grade_id; a
            // grade cell has points; a markdown cell is a grade cell exactly when it is a solution cell (manually graded).
            if (meta.GradeId is null)
                throw new ClassroomException($"{label}: a {(meta.Grade ? "grade" : meta.Solution ? "solution" : "locked")} cell without metadata.nbgrader.grade_id.");
            if (TypeOf(cell) == "markdown" && meta.Solution != meta.Grade)
                throw new ClassroomException($"{label}: a markdown {(meta.Grade ? "grade" : "solution")} cell must be both a solution and a grade cell (a manually graded answer), as in nbgrader.");
            if (meta.GradeId is { } gid && !gradeIds.TryAdd(gid, number))
                throw new ClassroomException($"{label}: the grade_id '{gid}' is also cell {gradeIds[gid]}'s; grade_ids must be unique.");
            if (meta.Grade && meta.Points is not { } pts)
                throw new ClassroomException($"{label}: a grade cell without metadata.nbgrader.points.");
            if (meta.Grade && meta.Points < 0)
                throw new ClassroomException($"{label}: metadata.nbgrader.points is negative.");
            if (meta.Grade && !meta.Solution)
            {
                if (TypeOf(cell) != "code") throw new ClassroomException($"{label}: a grade cell (tests) must be a code cell.");
                exercises.Add(new Exercise(meta.GradeId!, IdOf(cell)!, meta.Points!.Value));
            }
        }
        return exercises;
    }

    /// <summary>
    /// The manually graded answers (cells that are both solution and grade cells: nbgrader's "manually graded answer",
    /// usually markdown), in order, each with its grade_id, cell id and points. gannb does not score them. Call after
    /// <see cref="Validate"/>.
    /// </summary>
    public IReadOnlyList<Exercise> ManualAnswers()
    {
        var answers = new List<Exercise>();
        for (var i = 0; i < Cells.Count; i++)
        {
            var cell = (JsonObject)Cells[i]!;
            if (NbgraderOf(cell, i + 1) is { Solution: true, Grade: true, GradeId: { } gradeId, Points: { } points } && IdOf(cell) is { } id)
                answers.Add(new Exercise(gradeId, id, points));
        }
        return answers;
    }

    /// <summary>Counts the regions BEGIN … END in a cell; throws for nested, unclosed or unopened ones.</summary>
    static int Regions(string source, string begin, string end, string label)
    {
        var lines = source.Split('\n');
        int count = 0, open = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains(begin, StringComparison.Ordinal))
            {
                if (open > 0) throw new ClassroomException($"{label}: '{begin}' at line {i + 1} inside the region opened at line {open}; regions do not nest.");
                open = i + 1;
                count++;
            }
            else if (lines[i].Contains(end, StringComparison.Ordinal))
            {
                if (open == 0) throw new ClassroomException($"{label}: '{end}' at line {i + 1} without a '{begin}' before it.");
                open = 0;
            }
        }
        if (open > 0) throw new ClassroomException($"{label}: '{begin}' at line {open} has no '{end}'.");
        return count;
    }

    /// <summary>
    /// The student version of a source cell: solution regions replaced by the stub (a solution cell without regions:
    /// all of it, as nbgrader does), hidden test regions removed, outputs and execution count cleared, and a solution
    /// cell's attachments (images of the model answer) dropped unless the student version still refers to them. Returns a copy.
    /// </summary>
    public JsonObject StudentCell(JsonObject cell, int number)
    {
        var copy = (JsonObject)cell.DeepClone();
        ClearOutputs(copy);
        var meta = NbgraderOf(cell, number);
        var source = SourceOf(cell);
        var text = source;
        if (meta?.Solution == true)
        {
            var exercise = meta.GradeId ?? $"cell {number}";
            var code = TypeOf(cell) == "code";
            text = Regions(source, BeginSolution, EndSolution, Label(cell, number)) > 0
                ? ReplaceRegions(source, BeginSolution, EndSolution, (indent, marker) => Stub(exercise, Hint(marker), code, indent))
                : Stub(exercise, null, code, "");
        }
        if (meta?.Grade == true) text = ReplaceRegions(text, BeginHiddenTests, EndHiddenTests, (_, _) => null);
        if (!ReferenceEquals(text, source)) SetSource(copy, text);
        if (meta?.Solution == true) DropUnusedAttachments(copy, text);
        return copy;
    }

    /// <summary>Removes the attachments (markdown "attachment:NAME" images) that <paramref name="text"/> does not refer to.</summary>
    static void DropUnusedAttachments(JsonObject cell, string text)
    {
        if (cell["attachments"] is not JsonObject attachments) return;
        foreach (var name in attachments.Select(a => a.Key).ToList())
            if (!text.Contains("attachment:" + name, StringComparison.Ordinal) && !text.Contains("attachment:" + Uri.EscapeDataString(name), StringComparison.Ordinal))
                attachments.Remove(name);
    }

    /// <summary>Clears a code cell's outputs and execution count.</summary>
    public static void ClearOutputs(JsonObject cell)
    {
        if (TypeOf(cell) != "code") return;
        cell["outputs"] = new JsonArray();
        cell["execution_count"] = null;
    }

    /// <summary>Replaces each region (marker lines included) by what <paramref name="replacement"/> returns (null: nothing).</summary>
    static string ReplaceRegions(string source, string begin, string end, Func<string, string, string?> replacement)
    {
        var lines = source.Split('\n');
        var result = new List<string>();
        var inside = false;
        foreach (var line in lines)
        {
            if (line.Contains(begin, StringComparison.Ordinal))
            {
                inside = true;
                var indent = line[..(line.Length - line.TrimStart().Length)];
                if (replacement(indent, line) is { } stub) result.Add(stub);
            }
            else if (inside && line.Contains(end, StringComparison.Ordinal)) inside = false;
            else if (!inside) result.Add(line);
        }
        return string.Join('\n', result);
    }

    /// <summary>
    /// The text after "BEGIN SOLUTION" on its line ("// BEGIN SOLUTION: the L2 norm of each row", in markdown
    /// "&lt;!-- BEGIN SOLUTION: … --&gt;"), or null.
    /// </summary>
    static string? Hint(string markerLine)
    {
        var after = markerLine[(markerLine.IndexOf(BeginSolution, StringComparison.Ordinal) + BeginSolution.Length)..].Trim();
        if (after.EndsWith("-->", StringComparison.Ordinal)) after = after[..^3];
        after = after.Trim().TrimStart(':', '-', '—', '–', ' ').TrimEnd('*', '/', '#', ' ').Trim();
        return after.Length == 0 ? null : after;
    }

    /// <summary>The stub that replaces a solution region: a TODO comment and a throw naming the exercise.</summary>
    public static string Stub(string exercise, string? hint, bool code, string indent)
    {
        if (!code) return indent + $"{AnswerStub} (exercise '{exercise}'{(hint is null ? "" : ": " + hint)})";
        var what = hint ?? "write your solution in place of this line";
        var message = $"Exercise '{exercise}' is not done yet: {what}.";
        return $"{indent}// TODO exercise '{exercise}': {what}.\n" +
               $"{indent}throw new NotImplementedException(\"{Escape(message)}\");";
    }

    static string Escape(string s)
    {
        var b = new StringBuilder();
        foreach (var c in s)
        {
            b.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\r' or '\n' or '\t' => " ",
                _ => c.ToString(),
            });
        }
        return b.ToString();
    }

    /// <summary>Serializes as Jupyter does (indent 1, non-ASCII kept, trailing newline).</summary>
    public static string Serialize(JsonObject root)
    {
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, IndentSize = 1 };
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, options)) root.WriteTo(writer);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
