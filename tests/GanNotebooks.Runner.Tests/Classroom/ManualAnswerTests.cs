using System.Text.Json.Nodes;
using GanNotebooks.Runner.Classroom;
using static GanNotebooks.Runner.Tests.Classroom.ClassroomFiles;

namespace GanNotebooks.Runner.Tests.Classroom;

/// <summary>
/// A tiny source with manually graded answers: the classroom test notebook's clip exercise (1 point, autograded) and two
/// thinking questions, each a locked markdown question followed by a markdown answer cell (nbgrader: solution and grade,
/// not locked) holding the model answer — "why" (2 points) whole, with an attached image, "mode" (1 point) in a region
/// between the text kept for the student.
/// </summary>
public static class ManualSource
{
    public const string WhyModel = "MODEL-ANSWER-WHY: when D rejects the fakes confidently, log(1 - D(G(z))) is flat, so G's gradient vanishes.\n\n![sketch](attachment:sketch.png)";
    public const string ModeModel = "MODEL-ANSWER-MODE: G maps many z to the few x that D accepts.";
    public const string ModeKept = "Think about it first.\n\n";
    public const string ModeAfter = "\n\n*(two or three sentences)*";
    public static readonly string SketchBase64 = Convert.ToBase64String("MODEL-ANSWER-SKETCH"u8.ToArray());

    /// <summary>A fresh copy of the classroom test notebook's folder with this source written over the notebook.</summary>
    public static ClassroomFiles Create()
    {
        var files = new ClassroomFiles();
        var nb = files.SourceJson();
        var cells = nb["cells"]!.AsArray();
        foreach (var id in new[] { "gp-text", "gp-norm-answer", "gp-norm-tests", "ns-text", "ns-loss-answer", "ns-loss-tests" }) cells.Remove(Cell(nb, id));
        // A model answer in an output of the clip answer must not reach the students either.
        Cell(nb, "clip-answer")["outputs"] = new JsonArray(new JsonObject { ["name"] = "stdout", ["output_type"] = "stream", ["text"] = "MODEL-ANSWER-OUTPUT\n" });
        var why = Answer("why-answer", "why", 2, WhyModel);
        why["attachments"] = new JsonObject { ["sketch.png"] = new JsonObject { ["image/png"] = SketchBase64 } };
        var at = cells.IndexOf(Cell(nb, "the-end"));
        cells.Insert(at, Question("why-text", "## Question 1\n\nWhy does the minimax generator loss stall early in training?"));
        cells.Insert(at + 1, why);
        cells.Insert(at + 2, Question("mode-text", "## Question 2\n\nWhat is mode collapse?"));
        cells.Insert(at + 3, Answer("mode-answer", "mode", 1,
            ModeKept + "<!-- BEGIN SOLUTION: what G does once it finds an output D accepts -->\n" + ModeModel + "\n<!-- END SOLUTION -->" + ModeAfter));
        File.WriteAllText(files.Source, ClassroomNotebook.Serialize(nb));
        return files;
    }

    static JsonObject Question(string id, string text) => Markdown(id, text, new JsonObject
    {
        ["grade"] = false, ["grade_id"] = id, ["locked"] = true, ["schema_version"] = 3, ["solution"] = false,
    });

    static JsonObject Answer(string id, string gradeId, double points, string text) => Markdown(id, text, new JsonObject
    {
        ["grade"] = true, ["grade_id"] = gradeId, ["locked"] = false, ["points"] = points, ["schema_version"] = 3, ["solution"] = true,
    });

    static JsonObject Markdown(string id, string text, JsonObject nbgrader)
    {
        var cell = new JsonObject { ["cell_type"] = "markdown", ["id"] = id, ["metadata"] = new JsonObject { ["nbgrader"] = nbgrader }, ["source"] = "" };
        ClassroomNotebook.SetSource(cell, text);
        return cell;
    }

    /// <summary>The manual rows of a student version edited by <paramref name="edit"/> (merged as grading merges it; nothing runs).</summary>
    public static List<GradeRow> Rows(ClassroomFiles files, Action<JsonObject> edit)
    {
        var source = ClassroomNotebook.Load(files.Source);
        source.Validate();
        var student = files.StudentJson();
        edit(student);
        var merged = Grader.Merge(source, ClassroomNotebook.Parse(ClassroomNotebook.Serialize(student), "student.ipynb"));
        return ManualGrading.Rows(source, source.ManualAnswers(), "student", merged);
    }
}

/// <summary>Manually graded answers in <c>gannb assign</c> and in grading's merge (no kernel runs here).</summary>
public class ManualAnswerAssignTests
{
    [Fact]
    public async Task Assign_strips_the_model_answers_of_markdown_answer_cells_with_and_without_regions()
    {
        using var files = ManualSource.Create();
        var source = files.SourceJson();
        var outDir = Path.Combine(files.Directory, "release");

        var (code, _, err) = await Cli("assign", files.Source, "--out", outDir);

        Assert.True(code == 0, err);
        var text = File.ReadAllText(Path.Combine(outDir, "classroom-source.ipynb"));
        // Nowhere in the student notebook: sources, outputs, attachments, metadata.
        Assert.DoesNotContain("MODEL-ANSWER", text);
        Assert.DoesNotContain(ManualSource.SketchBase64, text);
        Assert.DoesNotContain("sketch.png", text);
        var student = (JsonObject)JsonNode.Parse(text)!;
        Assert.Equal("YOUR ANSWER HERE (exercise 'why')", ClassroomNotebook.SourceOf(Cell(student, "why-answer")));
        Assert.Equal(ManualSource.ModeKept + "YOUR ANSWER HERE (exercise 'mode': what G does once it finds an output D accepts)" + ManualSource.ModeAfter,
            ClassroomNotebook.SourceOf(Cell(student, "mode-answer")));
        foreach (var id in new[] { "why-answer", "mode-answer" })
        {
            Assert.Equal("markdown", Cell(student, id)["cell_type"]!.GetValue<string>());
            Assert.True(JsonNode.DeepEquals(Cell(source, id)["metadata"], Cell(student, id)["metadata"]), id);
        }
        Assert.Equal(ClassroomNotebook.SourceOf(Cell(source, "why-text")), ClassroomNotebook.SourceOf(Cell(student, "why-text")));
    }

    [Fact]
    public void The_students_text_is_the_answer_and_a_stub_template_or_nothing_is_no_answer()
    {
        using var files = ManualSource.Create();
        var written = ManualSource.Rows(files, nb =>
        {
            SetSource(nb, "why-answer", "YOUR ANSWER HERE (exercise 'why'): D wins early, so the gradient vanishes.");
            SetSource(nb, "mode-answer", ManualSource.ModeKept + "G collapses onto a few outputs." + ManualSource.ModeAfter);
        });
        Assert.Equal([("why", (double?)null, 2.0, ManualGrading.ByInstructor, GradeRow.Manual, "YOUR ANSWER HERE (exercise 'why'): D wins early, so the gradient vanishes."),
                      ("mode", null, 1.0, ManualGrading.ByInstructor, GradeRow.Manual, ManualSource.ModeKept + "G collapses onto a few outputs." + ManualSource.ModeAfter)],
                     written.Select(r => (r.Exercise, r.Points, r.Max, r.Message, r.Status, r.Answer)));

        var stubs = ManualSource.Rows(files, _ => { });
        Assert.All(stubs, r => Assert.Equal((null, ManualGrading.NoAnswer, GradeRow.Manual, (string?)null), (r.Points, r.Message, r.Status, r.Answer)));

        // Emptied, only the text around the region kept, deleted: no answer either.
        var none = ManualSource.Rows(files, nb =>
        {
            SetSource(nb, "why-answer", "  \n\n");
            SetSource(nb, "mode-answer", ManualSource.ModeKept.TrimEnd() + "\n" + ManualSource.ModeAfter.Trim() + "\n");
        });
        Assert.All(none, r => Assert.Null(r.Answer));
        var deleted = ManualSource.Rows(files, nb => nb["cells"]!.AsArray().Remove(Cell(nb, "why-answer")));
        Assert.Null(deleted.Single(r => r.Exercise == "why").Answer);
    }

    [Fact]
    public void Merge_keeps_the_students_markdown_answer_and_its_kind()
    {
        using var files = ManualSource.Create();
        var student = files.StudentJson();
        SetSource(student, "why-answer", "My own answer.");
        var mode = Cell(student, "mode-answer");
        mode["cell_type"] = "code";
        mode["outputs"] = new JsonArray();
        mode["execution_count"] = null;
        ClassroomNotebook.SetSource(mode, "Console.WriteLine(\"the markdown answer ran\");");

        var merged = Grader.Merge(ClassroomNotebook.Load(files.Source), ClassroomNotebook.Parse(ClassroomNotebook.Serialize(student), "student.ipynb"));

        Assert.Equal("My own answer.", ClassroomNotebook.SourceOf(Cell(merged, "why-answer")));
        var mergedMode = Cell(merged, "mode-answer");
        Assert.Equal("markdown", mergedMode["cell_type"]!.GetValue<string>());
        Assert.False(mergedMode.ContainsKey("outputs"));
        Assert.False(mergedMode.ContainsKey("execution_count"));
        Assert.Equal("Console.WriteLine(\"the markdown answer ran\");", ClassroomNotebook.SourceOf(mergedMode));
        Assert.DoesNotContain("MODEL-ANSWER", ClassroomNotebook.Serialize(merged));
    }

    [Fact]
    public void An_answer_cell_marked_locked_is_still_the_students()
    {
        using var files = ManualSource.Create();
        var source = files.SourceJson();
        Cell(source, "why-answer")["metadata"]!["nbgrader"]!["locked"] = true;
        var student = files.StudentJson();
        SetSource(student, "why-answer", "My own answer.");

        var merged = Grader.Merge(ClassroomNotebook.Parse(ClassroomNotebook.Serialize(source), files.Source),
            ClassroomNotebook.Parse(ClassroomNotebook.Serialize(student), "student.ipynb"));

        Assert.Equal("My own answer.", ClassroomNotebook.SourceOf(Cell(merged, "why-answer")));
        Assert.DoesNotContain("MODEL-ANSWER", ClassroomNotebook.Serialize(merged));
    }

    [Fact]
    public void Csv_fields_that_a_spreadsheet_would_run_as_formulas_get_an_apostrophe()
    {
        Assert.Equal("'=HYPERLINK(\"x\")", Grader.Inert("=HYPERLINK(\"x\")"));
        Assert.Equal(["'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx"], new[] { "+1", "-1", "@SUM(A1)", "\tx", "\rx" }.Select(Grader.Inert));
        Assert.Equal(["", "a=b", " =1", "cell 3 (line 1): Exception: =1"], new[] { "", "a=b", " =1", "cell 3 (line 1): Exception: =1" }.Select(Grader.Inert));
    }
}

/// <summary>
/// One <c>gannb grade</c> of the manual-answer source (each run in its own child gannb process): ann answers both questions
/// (her first answer starts like a spreadsheet formula and holds HTML) and solves the clip exercise; ben hands in the
/// assigned version; cy empties one answer and turns the other into a code cell; "+dan" hands in a file that is not a notebook.
/// </summary>
public sealed class ManualGradedClass : IAsyncLifetime
{
    public const string AnnWhy = "=HYPERLINK(\"https://example.com/\",\"grade\") because D wins early: <script>alert('ann')</script> & log(1 - D(G(z))) is flat";
    public const string AnnMode = ManualSource.ModeKept + "Mode collapse: G sends many z to the one x that D accepts." + ManualSource.ModeAfter;
    public const string CyCode = "Console.WriteLine(\"the markdown answer ran\");";

    public ClassroomFiles Files { get; } = ManualSource.Create();
    public string OutDir => Path.Combine(Files.Directory, "graded");
    public int ExitCode { get; private set; }
    public string Out { get; private set; } = "";
    public string Err { get; private set; } = "";
    public List<GradeRow> Rows { get; private set; } = [];
    public List<List<string>> Records { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var ann = Files.StudentJson();
        SetSource(ann, "clip-answer", ClassroomNotebook.SourceOf(Cell(Files.SourceJson(), "clip-answer")));
        SetSource(ann, "why-answer", AnnWhy);
        SetSource(ann, "mode-answer", AnnMode);
        var cy = Files.StudentJson();
        SetSource(cy, "why-answer", "");
        var mode = Cell(cy, "mode-answer");
        mode["cell_type"] = "code";
        mode["outputs"] = new JsonArray();
        mode["execution_count"] = null;
        ClassroomNotebook.SetSource(mode, CyCode);
        string[] submissions = [Files.Submit("ann", ann), Files.Submit("ben", Files.StudentJson()), Files.Submit("cy", cy), Files.SubmitText("+dan", "my answers: mode collapse")];
        (ExitCode, Out, Err) = await Cli(["grade", .. submissions, "--source", Files.Source, "--out", OutDir, "--timeout", "240", "--profile", "smoke"]);
        var csv = Path.Combine(OutDir, "gradebook.csv");
        if (File.Exists(csv)) (Rows, Records) = (ReadCsv(csv), ReadCsvRecords(csv));
    }

    public GradeRow Row(string student, string exercise) => Rows.Single(r => r.Student == student && r.Exercise == exercise);
    public string Feedback(string student) => File.ReadAllText(Path.Combine(OutDir, "feedback", student + ".html"));

    /// <summary>The feedback's grades section (gannb's own HTML; the runner's report of the graded run follows it).</summary>
    public string GradesSection(string student)
    {
        var page = Feedback(student);
        var start = page.IndexOf("<section class=\"gannb-grades\"", StringComparison.Ordinal);
        return page[start..(page.IndexOf("</section>", start, StringComparison.Ordinal) + "</section>".Length)];
    }

    public JsonObject Executed(string student) => ClassroomFiles.ExecutedOf(OutDir, student);

    public Task DisposeAsync()
    {
        Files.Dispose();
        return Task.CompletedTask;
    }
}

public class ManualAnswerGradeTests(ManualGradedClass graded) : IClassFixture<ManualGradedClass>
{
    string Context => $"exit {graded.ExitCode}\nstdout:\n{graded.Out}\nstderr:\n{graded.Err}";

    [Fact]
    public void The_gradebook_lists_each_manual_answer_with_an_empty_score_and_status_manual()
    {
        Assert.True(graded.ExitCode == 0, Context);
        Assert.Equal(["student", "exercise", "points", "max", "message", "status", "answer"], graded.Records[0]);
        Assert.Equal([
            ["ann", "clip-tests", "1", "1", "", "auto", ""],
            ["ann", "why", "", "2", "graded by the instructor", "manual", "'" + ManualGradedClass.AnnWhy],
            ["ann", "mode", "", "1", "graded by the instructor", "manual", ManualGradedClass.AnnMode],
        ], graded.Records.Skip(1).Take(3));
        Assert.Equal(13, graded.Records.Count); // the header, 3 rows of each of the 4 students

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(graded.OutDir, "gradebook.json")))!;
        var why = json["rows"]![1]!;
        Assert.Equal(("ann", "why", "manual", 2.0, ManualGradedClass.AnnWhy), (why["student"]!.GetValue<string>(), why["exercise"]!.GetValue<string>(),
            why["status"]!.GetValue<string>(), why["max"]!.GetValue<double>(), why["answer"]!.GetValue<string>()));
        Assert.Null(why["points"]);
        Assert.True(why.AsObject().ContainsKey("points"));
        Assert.Equal("auto", json["rows"]![0]!["status"]!.GetValue<string>());
        Assert.False(json["rows"]![0]!.AsObject().ContainsKey("answer"));
    }

    [Fact]
    public void Totals_count_the_autograded_points_and_state_the_manual_points_pending_apart()
    {
        Assert.Contains("(1 exercise, 1 points, 2 manually graded answers (3 points); limits", graded.Out);
        Assert.Contains("ann: auto 1/1 · manual pending 3 points in ", graded.Out);
        Assert.Contains("ben: auto 0/1 · manual pending 3 points in ", graded.Out);
        Assert.Contains("+dan: auto 0/1 · manual pending 3 points in ", graded.Out);
        var students = JsonNode.Parse(File.ReadAllText(Path.Combine(graded.OutDir, "gradebook.json")))!["students"]!.AsArray();
        Assert.Equal([("ann", 1.0, 1.0, 3.0), ("ben", 0, 1, 3), ("cy", 0, 1, 3), ("+dan", 0, 1, 3)],
            students.Select(s => (s!["student"]!.GetValue<string>(), s["points"]!.GetValue<double>(), s["max"]!.GetValue<double>(), s["manual_pending"]!.GetValue<double>())));
        Assert.Contains("Grades: ann — auto 1 / 1 · manual pending 3 points</h2>", graded.Feedback("ann"));
    }

    [Fact]
    public void The_feedback_shows_the_students_own_text_escaped_and_never_the_model_answer()
    {
        var section = graded.GradesSection("ann");
        Assert.Contains("<code>why</code> — 2 points, graded by the instructor. Your answer:", section);
        Assert.Contains("=HYPERLINK(&quot;https://example.com/&quot;,&quot;grade&quot;) because D wins early: &lt;script&gt;alert(&#39;ann&#39;)&lt;/script&gt; &amp; log(1 - D(G(z))) is flat", section);
        Assert.DoesNotContain("<script>", section);
        Assert.Contains("<code>mode</code> — 1 point, graded by the instructor. Your answer:", section);
        Assert.Contains("Mode collapse: G sends many z to the one x that D accepts.", section);
        Assert.Contains(">pending</td>", section);
        foreach (var student in new[] { "ann", "ben", "cy", "+dan" })
        {
            Assert.DoesNotContain("MODEL-ANSWER", graded.Feedback(student));
            Assert.DoesNotContain(ManualSource.SketchBase64, graded.Feedback(student));
        }
    }

    [Fact]
    public void A_stub_left_or_an_emptied_answer_is_no_answer_and_still_manual()
    {
        foreach (var (student, exercise) in new[] { ("ben", "why"), ("ben", "mode"), ("cy", "why") })
        {
            var row = graded.Row(student, exercise);
            Assert.Equal((null, GradeRow.Manual, "no answer: the stub is unchanged or the cell is empty; graded by the instructor", (string?)null),
                (row.Points, row.Status, row.Message, row.Answer));
        }
        Assert.Contains("<code>why</code> — 2 points: <strong style=\"color:#c62828\">no answer: the stub is unchanged or the cell is empty; graded by the instructor</strong>",
            graded.GradesSection("ben"));
        Assert.Equal("no answer: the submission is not a notebook; graded by the instructor", graded.Row("'+dan", "why").Message); // "+dan" in the CSV is "'+dan"
        Assert.Contains("no answer: the submission is not a notebook", graded.GradesSection("+dan"));
    }

    [Fact]
    public void A_markdown_answer_is_graded_as_the_student_wrote_it_and_never_run()
    {
        Assert.Equal(ManualGradedClass.AnnWhy, ClassroomNotebook.SourceOf(Cell(graded.Executed("ann"), "why-answer")));
        var executed = graded.Executed("cy");
        var mode = Cell(executed, "mode-answer");
        Assert.Equal("markdown", mode["cell_type"]!.GetValue<string>());
        Assert.Equal(ManualGradedClass.CyCode, ClassroomNotebook.SourceOf(mode));
        Assert.DoesNotContain(executed["cells"]!.AsArray(), c => c!["outputs"]?.ToJsonString().Contains("the markdown answer ran") == true);
        Assert.Equal(ManualGradedClass.CyCode, graded.Row("cy", "mode").Answer);
        Assert.NotNull(Cell(executed, "the-end")["execution_count"]);
    }

    [Fact]
    public void No_gradebook_field_starts_like_a_spreadsheet_formula()
    {
        Assert.Equal("'+dan", graded.Records.Last()[0]);
        Assert.All(graded.Records, fields => Assert.All(fields, f => Assert.False(f.Length > 0 && f[0] is '=' or '+' or '-' or '@' or '\t' or '\r', f)));
    }
}
