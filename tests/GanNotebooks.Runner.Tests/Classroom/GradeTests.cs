using System.Text.Json.Nodes;
using GanNotebooks.Runner.Classroom;
using Xunit.Abstractions;
using static GanNotebooks.Runner.Tests.Classroom.ClassroomFiles;

namespace GanNotebooks.Runner.Tests.Classroom;

/// <summary>
/// One <c>gannb grade</c> run over six submissions of the classroom test notebook (each run in its own child gannb
/// process): the solved source, the assigned version, one wrong answer, a tampered test cell, an answer that does not
/// compile, and a file that is not a notebook. The tests below read its gradebook, feedback and graded runs.
/// </summary>
public sealed class GradedClass : IAsyncLifetime
{
    public ClassroomFiles Files { get; } = new();
    public string OutDir => Path.Combine(Files.Directory, "graded");
    public int ExitCode { get; private set; }
    public string Out { get; private set; } = "";
    public string Err { get; private set; } = "";
    public List<GradeRow> Rows { get; private set; } = [];

    /// <summary>A tampered submission: the norm over the batch, its test cell emptied and unlocked, the locked setup
    /// cell deleted, a scratch cell added, and a fake test cell (a copy under another id) that would pass.</summary>
    public static JsonObject Tampered(ClassroomFiles files)
    {
        var nb = files.SourceJson();
        SetSource(nb, "gp-norm-answer", NormOverTheBatch);
        SetSource(nb, "gp-norm-tests", "Console.WriteLine(\"all tests passed\");");
        Cell(nb, "gp-norm-tests")["metadata"]!["nbgrader"]!["locked"] = false;
        var cells = nb["cells"]!.AsArray();
        cells.Remove(Cell(nb, "setup"));
        var scratch = TestNotebook.Code("var scratch = 42;");
        scratch["id"] = "my-scratch";
        cells.Insert(cells.IndexOf(Cell(nb, "gp-norm-answer")) + 1, scratch);
        var fake = (JsonObject)Cell(nb, "ns-loss-tests").DeepClone();
        fake["id"] = "fake-tests";
        ClassroomNotebook.SetSource(fake, "throw new Exception(\"the fake test cell ran\");");
        cells.Add(fake);
        return nb;
    }

    public async Task InitializeAsync()
    {
        var submissions = new List<string>
        {
            Files.Submit("alice", Files.SourceJson()),
            Files.Submit("bob", Files.StudentJson()),
        };
        var wrong = Files.SourceJson();
        SetSource(wrong, "gp-norm-answer", NormOverTheBatch);
        submissions.Add(Files.Submit("carol", wrong));
        submissions.Add(Files.Submit("dave", Tampered(Files)));
        var typo = Files.SourceJson();
        SetSource(typo, "ns-loss-answer", "double NonSaturatingLoss(double[] fakeLogits)\n{\n    return fakeLogits.Average(l => Math.Log(1 + Math.Exp(-l))\n}");
        submissions.Add(Files.Submit("fay", typo));
        submissions.Add(Files.SubmitText("erin", "I could not open Jupyter, so here is my answer: sqrt(sum of squares)."));
        var args = new List<string> { "grade" };
        args.AddRange(submissions);
        args.AddRange(["--source", Files.Source, "--out", OutDir, "--timeout", "240", "--profile", "smoke"]);
        (ExitCode, Out, Err) = await Cli([.. args]);
        if (File.Exists(Path.Combine(OutDir, "gradebook.csv"))) Rows = ReadCsv(Path.Combine(OutDir, "gradebook.csv"));
    }

    public double Points(string student) => Rows.Where(r => r.Student == student).Sum(r => r.Points ?? 0);
    public GradeRow Row(string student, string exercise) => Rows.Single(r => r.Student == student && r.Exercise == exercise);
    public JsonObject Executed(string student) => ClassroomFiles.ExecutedOf(OutDir, student);

    public Task DisposeAsync()
    {
        Files.Dispose();
        return Task.CompletedTask;
    }
}

public class GradeTests(GradedClass graded) : IClassFixture<GradedClass>
{
    string Context => $"exit {graded.ExitCode}\nstdout:\n{graded.Out}\nstderr:\n{graded.Err}";

    [Fact]
    public void Grading_completes_with_exit_0_and_a_gradebook_line_per_student_and_exercise()
    {
        Assert.True(graded.ExitCode == 0, Context);
        Assert.Equal(18, graded.Rows.Count);
        Assert.Equal(["alice", "bob", "carol", "dave", "fay", "erin"], graded.Rows.Select(r => r.Student).Distinct());
        Assert.All(graded.Rows, r => Assert.Equal(["gp-norm-tests", "ns-loss-tests", "clip-tests"], graded.Rows.Where(x => x.Student == r.Student).Select(x => x.Exercise)));

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(graded.OutDir, "gradebook.json")))!;
        Assert.Equal(18, json["rows"]!.AsArray().Count);
        Assert.Equal("alice", json["rows"]![0]!["student"]!.GetValue<string>());
        Assert.Equal(2, json["rows"]![0]!["max"]!.GetValue<double>());
        Assert.Equal(6, json["students"]!.AsArray().Count);
        foreach (var s in new[] { "alice", "bob", "carol", "dave", "fay", "erin" })
            Assert.True(File.Exists(Path.Combine(graded.OutDir, "feedback", s + ".html")), s);
    }

    [Fact]
    public void The_solved_source_scores_full_marks()
    {
        Assert.True(graded.Rows.Where(r => r.Student == "alice").All(r => r.Points == r.Max && r.Message == ""), Context);
        Assert.Equal(4, graded.Points("alice"));
        var feedback = File.ReadAllText(Path.Combine(graded.OutDir, "feedback", "alice.html"));
        Assert.Contains("Grades: alice — 4 / 4 points", feedback);
        Assert.Contains("PerSampleNorms", feedback); // the runner's report of the graded run follows the grades
    }

    [Fact]
    public void The_assigned_version_runs_to_the_end_and_scores_zero()
    {
        Assert.Equal(0, graded.Points("bob"));
        Assert.Contains("NotImplementedException: Exercise 'gp-norm' is not done yet", graded.Row("bob", "gp-norm-tests").Message);
        Assert.Contains("Exercise 'clip' is not done yet", graded.Row("bob", "clip-tests").Message);
        var theEnd = Cell(graded.Executed("bob"), "the-end");
        Assert.NotNull(theEnd["execution_count"]);
        Assert.Contains("end of notebook", Run.Text(theEnd["outputs"]![0]));
    }

    [Fact]
    public void One_wrong_answer_loses_exactly_that_exercises_points()
    {
        Assert.Equal(0, graded.Row("carol", "gp-norm-tests").Points);
        Assert.Contains("the norms of [3, 4] and [0, 1] are 5 and 1", graded.Row("carol", "gp-norm-tests").Message);
        Assert.Contains("Hint:", graded.Row("carol", "gp-norm-tests").Message);
        Assert.Equal(1, graded.Row("carol", "ns-loss-tests").Points);
        Assert.Equal(1, graded.Row("carol", "clip-tests").Points);
        Assert.Equal(2, graded.Points("carol"));
    }

    [Fact]
    public void An_answer_that_does_not_compile_costs_its_exercise_and_the_message_names_the_answers_error()
    {
        var row = graded.Row("fay", "ns-loss-tests");
        Assert.Equal(0, row.Points);
        Assert.Matches(@"^cell 8 \(line \d+.*error CS0103: The name 'NonSaturatingLoss' does not exist.* \(the answer cell failed before it: cell 7 \(line 3.*error CS\d+", row.Message);
        Assert.Equal(3, graded.Points("fay"));
    }

    [Fact]
    public void A_tampered_test_cell_is_restored_and_a_deleted_locked_cell_put_back()
    {
        Assert.Equal(graded.Rows.Where(r => r.Student == "carol").Select(r => (r.Exercise, r.Points)),
                     graded.Rows.Where(r => r.Student == "dave").Select(r => (r.Exercise, r.Points)));
        Assert.Contains("the norms of [3, 4] and [0, 1] are 5 and 1", graded.Row("dave", "gp-norm-tests").Message);

        var executed = graded.Executed("dave");
        var ids = executed["cells"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(["intro", "setup", "gp-text", "gp-norm-answer", "my-scratch", "gp-norm-tests", "ns-text", "ns-loss-answer", "ns-loss-tests", "clip-text", "clip-answer", "clip-tests", "the-end"], ids);
        var tests = Cell(executed, "gp-norm-tests");
        Assert.Contains("BEGIN HIDDEN TESTS", ClassroomNotebook.SourceOf(tests));
        Assert.True(tests["metadata"]!["nbgrader"]!["locked"]!.GetValue<bool>());
        Assert.DoesNotContain("all tests passed", File.ReadAllText(Path.Combine(graded.OutDir, "feedback", "dave.html")));
    }

    [Fact]
    public void A_file_that_is_not_a_notebook_gets_a_clear_line_and_zero()
    {
        Assert.All(graded.Rows.Where(r => r.Student == "erin"), r =>
        {
            Assert.Equal(0, r.Points);
            Assert.Contains("erin.ipynb: not a notebook: malformed JSON", r.Message);
        });
        Assert.Contains("erin: 0/4 points", graded.Out);
        Assert.Contains("not a notebook", File.ReadAllText(Path.Combine(graded.OutDir, "feedback", "erin.html")));
    }

    [Fact]
    public void Merge_keeps_the_students_answers_and_added_cells_and_the_sources_tests()
    {
        using var files = new ClassroomFiles();
        var merged = Grader.Merge(ClassroomNotebook.Load(files.Source), ClassroomNotebook.Parse(ClassroomNotebook.Serialize(GradedClass.Tampered(files)), "dave.ipynb"));
        var source = files.SourceJson();
        Assert.Equal(NormOverTheBatch, ClassroomNotebook.SourceOf(Cell(merged, "gp-norm-answer")));
        Assert.True(JsonNode.DeepEquals(Cell(source, "gp-norm-tests"), Cell(merged, "gp-norm-tests")));
        Assert.True(JsonNode.DeepEquals(Cell(source, "setup"), Cell(merged, "setup")));
        Assert.DoesNotContain(merged["cells"]!.AsArray(), c => c!["id"]!.GetValue<string>() == "fake-tests");
        Assert.True(JsonNode.DeepEquals(source["metadata"], merged["metadata"]));
    }

    [Fact]
    public void Merge_finds_answers_by_grade_id_when_the_ids_were_lost()
    {
        using var files = new ClassroomFiles();
        var old = files.SourceJson();
        SetSource(old, "clip-answer", "double[] Clip(double[] w, double c) => w;");
        foreach (var cell in old["cells"]!.AsArray()) cell!.AsObject().Remove("id");
        old["nbformat_minor"] = 4;
        var merged = Grader.Merge(ClassroomNotebook.Load(files.Source), ClassroomNotebook.Parse(ClassroomNotebook.Serialize(old), "old.ipynb"));
        var source = files.SourceJson();
        Assert.Equal(source["cells"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()), merged["cells"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()));
        Assert.Equal("double[] Clip(double[] w, double c) => w;", ClassroomNotebook.SourceOf(Cell(merged, "clip-answer")));
    }
}

/// <summary>Grading that meets a run that never ends, and many submissions of one notebook.</summary>
public class GradeLimitsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_infinite_loop_times_out_and_grading_goes_on()
    {
        using var files = new ClassroomFiles();
        var loop = files.SourceJson();
        SetSource(loop, "clip-answer", "double[] Clip(double[] w, double c)\n{\n    while (true) { }\n}");
        var frank = files.Submit("frank", loop);
        var grace = files.Submit("grace", files.SourceJson());
        var outDir = Path.Combine(files.Directory, "graded");

        var (code, stdout, err) = await Cli("grade", frank, grace, "--source", files.Source, "--out", outDir, "--timeout", "40", "--profile", "smoke");

        output.WriteLine(stdout);
        Assert.True(code == 0, err);
        var rows = ReadCsv(Path.Combine(outDir, "gradebook.csv"));
        Assert.All(rows.Where(r => r.Student == "frank"), r =>
        {
            Assert.Equal(0, r.Points);
            Assert.StartsWith("timed out: the run took longer than 40 s", r.Message);
        });
        Assert.Equal(4, rows.Where(r => r.Student == "grace").Sum(r => r.Points ?? 0));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "gradebook.json")))!;
        Assert.Equal("timed-out", json["students"]![0]!["status"]!.GetValue<string>());
        Assert.Contains("killed: time limit", File.ReadAllText(Path.Combine(outDir, "runs", "frank", "log.txt")));
    }

    [Fact]
    public async Task A_run_over_the_memory_limit_is_stopped_and_grading_goes_on()
    {
        using var files = new ClassroomFiles();
        var hog = files.SourceJson();
        SetSource(hog, "clip-answer", "double[] Clip(double[] w, double c)\n{\n    var kept = new List<byte[]>();\n" +
                                      "    while (true) { var a = new byte[50_000_000]; Array.Fill(a, (byte)1); kept.Add(a); }\n}");
        var henry = files.Submit("henry", hog);
        var ida = files.Submit("ida", files.SourceJson());
        var outDir = Path.Combine(files.Directory, "graded");

        var (code, stdout, err) = await Cli("grade", henry, ida, "--source", files.Source, "--out", outDir, "--memory", "1024", "--timeout", "240");

        output.WriteLine(stdout);
        Assert.True(code == 0, err);
        var rows = ReadCsv(Path.Combine(outDir, "gradebook.csv"));
        // The working-set poll stops the process (usual), or the GC heap limit makes the allocation throw in the cell.
        var clip = rows.Single(r => r.Student == "henry" && r.Exercise == "clip-tests");
        Assert.Equal(0, clip.Points);
        Assert.Contains("memory", clip.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(4, rows.Where(r => r.Student == "ida").Sum(r => r.Points ?? 0));
    }

    [Fact]
    public async Task A_class_of_ten_submissions_of_one_notebook()
    {
        using var files = new ClassroomFiles();
        var submissions = new List<string>();
        for (var i = 1; i <= 10; i++)
        {
            // Collected as submitted/STUDENT/classroom-source.ipynb: the student is the folder's name.
            var dir = Path.Combine(files.Submissions, $"student{i:00}");
            Directory.CreateDirectory(dir);
            var nb = files.SourceJson();
            if (i % 3 == 0) SetSource(nb, "gp-norm-answer", NormOverTheBatch);
            var path = Path.Combine(dir, "classroom-source.ipynb");
            File.WriteAllText(path, ClassroomNotebook.Serialize(nb));
            submissions.Add(path);
        }
        var outDir = Path.Combine(files.Directory, "graded");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var (code, stdout, err) = await Cli(["grade", .. submissions, "--source", files.Source, "--out", outDir, "--timeout", "240", "--profile", "smoke"]);

        watch.Stop();
        Assert.True(code == 0, err + stdout);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "gradebook.json")))!;
        var students = json["students"]!.AsArray();
        Assert.Equal(10, students.Count);
        Assert.Equal(30, json["rows"]!.AsArray().Count);
        foreach (var s in students)
            output.WriteLine($"{s!["student"]}: {s["points"]}/{s["max"]} points, {s["seconds"]} s");
        output.WriteLine($"10 submissions in {watch.Elapsed.TotalSeconds:0.0} s: {watch.Elapsed.TotalSeconds / 10:0.0} s per submission (child process, kernel start, run, scoring)");
        for (var i = 0; i < 10; i++)
            Assert.Equal((i + 1) % 3 == 0 ? 2 : 4, students[i]!["points"]!.GetValue<double>());
        Assert.Equal("student01", students[0]!["student"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_continue_on_error_runs_every_cell()
    {
        using var nb = TestNotebook.Create(TestNotebook.Code("throw new Exception(\"first\");"), TestNotebook.Code("Console.WriteLine(\"second ran\");"),
            TestNotebook.Code("throw new Exception(\"third\");"));
        var outDir = Path.Combine(nb.Directory, "out");
        var (code, _, err) = await Cli("run", nb.Path, "--continue-on-error", "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains("cell 1 (line 1): Exception: first", err);
        Assert.Contains("cell 3 (line 1): Exception: third", err);
        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "nb.failed.ipynb")))!;
        Assert.Contains("second ran", Run.Text(executed["cells"]![1]!["outputs"]![0]));
        Assert.Equal("error", executed["cells"]![2]!["outputs"]![0]!["output_type"]!.GetValue<string>());
    }
}
