using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace GanNotebooks.Runner.Classroom;

/// <summary>
/// Manually graded answers (nbgrader: a cell that is a solution and a grade cell, usually markdown): gannb does not score
/// them. Each is a gradebook row with status "manual", no score and the student's text, and the feedback shows that text
/// for the instructor (see Classroom/README.md, "Manually graded answers").
/// </summary>
internal static class ManualGrading
{
    /// <summary>The message of an answered one.</summary>
    public const string ByInstructor = "graded by the instructor";
    /// <summary>The message of one that holds only its stub (or the rest of the assigned cell), or nothing.</summary>
    public const string NoAnswer = "no answer: the stub is unchanged or the cell is empty; " + ByInstructor;

    /// <summary>
    /// The rows of a submission's manual answers, from the notebook as graded (the student's cells, merged before any
    /// code ran): the student's text of each answer cell, or "no answer" when it holds no more than the assigned version.
    /// </summary>
    public static List<GradeRow> Rows(ClassroomNotebook source, IReadOnlyList<Exercise> answers, string student, JsonObject graded)
    {
        var cells = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var cell in (graded["cells"] as JsonArray ?? []).OfType<JsonObject>())
            if (ClassroomNotebook.IdOf(cell) is { } id) cells.TryAdd(id, cell);
        return answers.Select(a =>
        {
            var text = cells.TryGetValue(a.CellId, out var cell) ? ClassroomNotebook.SourceOf(cell) : "";
            return Answered(text, AssignedText(source, a.CellId))
                ? new GradeRow(student, a.GradeId, null, a.Points, ByInstructor, GradeRow.Manual, text)
                : new GradeRow(student, a.GradeId, null, a.Points, NoAnswer, GradeRow.Manual);
        }).ToList();
    }

    /// <summary>The rows of manual answers that could not be read (the submission is not a notebook, grading failed).</summary>
    public static List<GradeRow> Unread(IReadOnlyList<Exercise> answers, string student, string why) =>
        answers.Select(a => new GradeRow(student, a.GradeId, null, a.Points, $"no answer: {why}; {ByInstructor}", GradeRow.Manual)).ToList();

    /// <summary>The student version of the source's answer cell (what the student received).</summary>
    static string AssignedText(ClassroomNotebook source, string cellId)
    {
        for (var i = 0; i < source.Cells.Count; i++)
        {
            var cell = (JsonObject)source.Cells[i]!;
            if (ClassroomNotebook.IdOf(cell) == cellId) return ClassroomNotebook.SourceOf(source.StudentCell(cell, i + 1));
        }
        return "";
    }

    /// <summary>
    /// Whether the student wrote something: the text's non-blank lines, less the stub's own lines, are neither none nor
    /// those of the assigned version (a region answer keeps the text around its region).
    /// </summary>
    static bool Answered(string text, string assigned)
    {
        static IEnumerable<string> Lines(string s) => s.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);
        var stubs = Lines(assigned).Where(l => l.Contains(ClassroomNotebook.AnswerStub, StringComparison.Ordinal)).Append(ClassroomNotebook.AnswerStub)
            .ToHashSet(StringComparer.Ordinal);
        var mine = Lines(text).Where(l => !stubs.Contains(l)).ToList();
        return mine.Count > 0 && !mine.SequenceEqual(Lines(assigned).Where(l => !stubs.Contains(l)), StringComparer.Ordinal);
    }

    /// <summary>
    /// The feedback's list of manual answers: each one's grade_id and points, "graded by the instructor", and the student's
    /// text as plain text (HTML-encoded, never rendered) or "no answer". Empty when there are none.
    /// </summary>
    public static string AnswersHtml(IReadOnlyList<GradeRow> rows)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var manual = rows.Where(r => r.IsManual).ToList();
        if (manual.Count == 0) return "";
        var b = new StringBuilder("<h3>Answers graded by the instructor</h3>\n");
        foreach (var r in manual)
        {
            b.Append("<div class=\"gannb-manual\"><p><code>").Append(E(r.Exercise)).Append("</code> — ").Append(Grader.Fmt(r.Max))
             .Append(r.Max == 1 ? " point" : " points");
            if (r.Answer is null)
                b.Append(": <strong style=\"color:#c62828\">").Append(E(r.Message)).Append("</strong></p></div>\n");
            else
                b.Append(", ").Append(ByInstructor).Append(". Your answer:</p>\n<pre style=\"white-space:pre-wrap;background:#f6f8fa;padding:0.5em\">").Append(E(r.Answer)).Append("</pre></div>\n");
        }
        return b.ToString();
    }
}
