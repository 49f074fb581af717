using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Classroom;

/// <summary>What <c>gannb grade</c> grades and how.</summary>
public sealed record GradeOptions
{
    /// <summary>The submitted notebooks.</summary>
    public required IReadOnlyList<string> Submissions { get; init; }
    /// <summary>The source notebook (solutions and hidden tests).</summary>
    public required string Source { get; init; }
    /// <summary>Where the gradebook, the feedback and the graded runs go.</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>Wall-clock limit of one submission's run.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(300);
    /// <summary>Memory limit of one submission's run, in MB (working set, and the GC heap hard limit).</summary>
    public int MemoryMb { get; init; } = 4096;
    /// <summary>Budget profile passed to the runs (null: the runs' default, GANKIT_PROFILE else full).</summary>
    public BudgetProfile? Profile { get; init; }
    /// <summary>Progress lines (default stdout).</summary>
    public TextWriter? Out { get; init; }
    /// <summary>
    /// The bubblewrap program that sandboxes each run (a name on PATH or a path; default bwrap). When it is not found or
    /// cannot start here, the runs are not sandboxed and a one-line warning says so (Classroom/README.md, "Isolation").
    /// </summary>
    public string Sandbox { get; init; } = "bwrap";
}

/// <summary>One gradebook line: one exercise (or manually graded answer) of one student.</summary>
/// <param name="Student">The student (see <see cref="Grader.StudentName"/>).</param>
/// <param name="Exercise">The grade cell's grade_id.</param>
/// <param name="Points">Points scored; null for a manually graded answer (the instructor grades it, not gannb).</param>
/// <param name="Max">The grade cell's points.</param>
/// <param name="Message">
/// Empty when the tests passed, else why not (the error's first line, or why the submission was not run); for a manually
/// graded answer "graded by the instructor", or "no answer: …" when the student wrote nothing.
/// </param>
/// <param name="Status"><see cref="Auto"/> (scored by its test cell) or <see cref="Manual"/> (a manually graded answer).</param>
/// <param name="Answer">A manually graded answer's text as the student wrote it; null when there is none ("no answer").</param>
public sealed record GradeRow(string Student, string Exercise, double? Points, double Max, string Message, string Status = GradeRow.Auto, string? Answer = null)
{
    /// <summary>Statuses: scored by gannb; left to the instructor.</summary>
    public const string Auto = "auto", Manual = "manual";

    /// <summary>A manually graded answer: neither earned nor lost points until the instructor grades it.</summary>
    public bool IsManual => Status == Manual;
}

/// <summary>One submission's outcome.</summary>
/// <param name="Student">The student.</param>
/// <param name="Submission">The submitted file.</param>
/// <param name="Status">graded, not-a-notebook, timed-out, out-of-memory, crashed.</param>
/// <param name="Points">Total points of the autograded exercises.</param>
/// <param name="Max">Their total possible.</param>
/// <param name="Seconds">Wall time of grading it (merge, run, scoring).</param>
/// <param name="Feedback">Its feedback report.</param>
/// <param name="Message">Why it was not graded normally, else empty.</param>
/// <param name="Sha256">SHA-256 of the submitted file as read before any student code ran (what was graded).</param>
/// <param name="ManualPending">The points of the manually graded answers, which the instructor grades (not in Points or Max).</param>
public sealed record StudentResult(string Student, string Submission, string Status, double Points, double Max, double Seconds, string Feedback, string Message, string Sha256,
    double ManualPending = 0);

/// <summary>The gradebook of one grading run.</summary>
/// <param name="Source">The source notebook.</param>
/// <param name="Rows">One line per student and exercise.</param>
/// <param name="Students">One result per student.</param>
/// <param name="CsvPath">DIR/gradebook.csv.</param>
/// <param name="JsonPath">DIR/gradebook.json.</param>
/// <param name="SourceSha256">SHA-256 of the source as read before any student code ran.</param>
/// <param name="Sandbox">"bubblewrap" or "none" (see <see cref="GradingSandbox"/>).</param>
public sealed record Gradebook(string Source, IReadOnlyList<GradeRow> Rows, IReadOnlyList<StudentResult> Students, string CsvPath, string JsonPath, string SourceSha256, string Sandbox);

/// <summary>
/// <c>gannb grade</c>: reads the source and every submission first, restores the source's locked and test cells (with the
/// hidden tests) in each submission, runs it in its own <c>gannb run --continue-on-error</c> process in a private folder
/// (sandboxed by bubblewrap when it is there) under a time and memory limit, scores each grade cell on its own and writes
/// the gradebook and a feedback report per student (see Classroom/README.md).
/// </summary>
public static class Grader
{
    /// <summary>
    /// The student of a submission: its file name without extension, except when the file has the source's own name
    /// (submissions collected as DIR/STUDENT/NOTEBOOK.ipynb): then the name of its folder.
    /// </summary>
    public static string StudentName(string submission, string source)
    {
        var name = Path.GetFileNameWithoutExtension(submission);
        if (!string.Equals(name, Path.GetFileNameWithoutExtension(source), StringComparison.OrdinalIgnoreCase)) return name;
        var folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(submission)));
        return string.IsNullOrEmpty(folder) ? name : folder;
    }

    /// <summary>A submission: its student and the file as read before any student code ran.</summary>
    sealed record Submission(string Student, InputFile File);

    /// <summary>What grading one submission needs, decided before any student code runs.</summary>
    /// <param name="Manual">The manually graded answers, listed for the instructor and not scored.</param>
    sealed record GradingContext(GradeOptions Options, ClassroomNotebook Source, IReadOnlyList<Exercise> Exercises, IReadOnlyList<Exercise> Manual, CourseLayout Layout,
        GradingSandbox Sandbox, string OutDir, IReadOnlyList<CourseCopy> KitCache);

    /// <summary>Checks the input, then grades every submission; throws <see cref="ClassroomException"/> for bad input only.</summary>
    public static async Task<Gradebook> GradeAsync(GradeOptions options, CancellationToken cancellationToken = default)
    {
        var log = options.Out ?? Console.Out;
        // Everything is read (and hashed) before any student code runs: the source, the files it loads from its folder and
        // every submission. Grading uses these copies and never reads a file again that a student's run could have changed.
        var (sourceFile, source, exercises, manual) = ReadSource(options.Source);
        var layout = CourseLayout.Of(source);
        var submissions = ReadSubmissions(options.Submissions, sourceFile.Path);
        var sandbox = GradingSandbox.Detect(options.Sandbox);
        var kitCache = KitCache.Read();

        var outDir = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(outDir);
        var rows = new List<GradeRow>();
        var results = new List<StudentResult>();
        var book = new Gradebook(sourceFile.Path, rows, results, Path.Combine(outDir, "gradebook.csv"), Path.Combine(outDir, "gradebook.json"), sourceFile.Sha256, sandbox.Name);
        var max = exercises.Sum(e => e.Points);
        if (sandbox.Warning is { } warning) log.WriteLine(warning);
        log.WriteLine($"grading {submissions.Count} submission{(submissions.Count == 1 ? "" : "s")} of {sourceFile.Path} ({exercises.Count} exercise{(exercises.Count == 1 ? "" : "s")}, " +
                      $"{Fmt(max)} points{ManualSummary(manual)}; limits {options.Timeout.TotalSeconds:0} s, {options.MemoryMb} MB; sandbox: {sandbox.Name})");
        var context = new GradingContext(options, source, exercises, manual, layout, sandbox, outDir, kitCache);
        foreach (var submission in submissions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (studentRows, result) = await GradeSafelyAsync(context, submission, max, cancellationToken).ConfigureAwait(false);
            rows.AddRange(studentRows);
            results.Add(result);
            log.WriteLine($"{result.Student}: {Totals(studentRows, "/")} in {result.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s" +
                          (result.Status == "graded" ? "" : $" ({result.Status}: {result.Message})"));
            log.Flush();
            // Written after every student: an interrupted grading keeps what it did.
            WriteGradebook(book);
        }
        log.WriteLine($"gradebook: {book.CsvPath}");
        log.WriteLine($"           {book.JsonPath}");
        log.WriteLine($"feedback:  {Path.Combine(outDir, "feedback")}{Path.DirectorySeparatorChar}");
        return book;
    }

    static (InputFile File, ClassroomNotebook Notebook, IReadOnlyList<Exercise> Exercises, IReadOnlyList<Exercise> Manual) ReadSource(string source)
    {
        var path = Path.GetFullPath(source);
        if (!File.Exists(path)) throw new ClassroomException($"{path}: file not found.");
        var file = InputFile.Read(path);
        if (file.Error is { } error) throw new ClassroomException(error);
        var notebook = ClassroomNotebook.Parse(file.Text(), path);
        var exercises = notebook.Validate();
        var manual = notebook.ManualAnswers();
        if (exercises.Count == 0 && manual.Count == 0) throw new ClassroomException($"{path}: no grade cell (metadata.nbgrader.grade: true with points): nothing to grade.");
        return (file, notebook, exercises, manual);
    }

    /// <summary>", 2 manually graded answers (3 points)", or nothing when there are none.</summary>
    static string ManualSummary(IReadOnlyList<Exercise> manual) => manual.Count == 0 ? ""
        : $", {manual.Count} manually graded answer{(manual.Count == 1 ? "" : "s")} ({Fmt(manual.Sum(m => m.Points))} points)";

    /// <summary>
    /// "4/4 points", or with manually graded answers "auto 4/4 · manual pending 3 points": the autograded score, and the
    /// manual answers' points apart, neither earned nor lost until the instructor grades them.
    /// </summary>
    internal static string Totals(IReadOnlyList<GradeRow> rows, string slash)
    {
        var auto = rows.Where(r => !r.IsManual).ToList();
        var score = Fmt(auto.Sum(r => r.Points ?? 0)) + slash + Fmt(auto.Sum(r => r.Max));
        return rows.Any(r => r.IsManual) ? $"auto {score} · manual pending {Fmt(rows.Where(r => r.IsManual).Sum(r => r.Max))} points" : score + " points";
    }

    static List<Submission> ReadSubmissions(IReadOnlyList<string> paths, string sourcePath)
    {
        if (paths.Count == 0) throw new ClassroomException("no submission given.");
        var students = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var submissions = new List<Submission>();
        foreach (var s in paths)
        {
            var path = Path.GetFullPath(s);
            if (!File.Exists(path)) throw new ClassroomException($"{path}: submission not found.");
            if (Assigner.PathComparer.Equals(path, sourcePath)) throw new ClassroomException($"{path}: is the source itself, not a submission.");
            var student = StudentName(path, sourcePath);
            if (!students.TryAdd(student, path)) throw new ClassroomException($"{path}: the student '{student}' also submitted {students[student]}; one submission per student.");
            submissions.Add(new Submission(student, InputFile.Read(path)));
        }
        return submissions;
    }

    /// <summary>Grades one submission; whatever goes wrong with it (an unreadable result, a file in the way) costs it alone.</summary>
    static async Task<(List<GradeRow> Rows, StudentResult Result)> GradeSafelyAsync(GradingContext context, Submission submission, double max, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        string status, message, feedback;
        List<GradeRow> rows;
        try
        {
            (status, message, rows, feedback) = await GradeOneAsync(context, submission, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or ClassroomException or System.ComponentModel.Win32Exception))
        {
            status = "crashed";
            message = $"grading failed: {e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}; no exercise scored.";
            rows = [.. context.Exercises.Select(x => new GradeRow(submission.Student, x.GradeId, 0, x.Points, message)),
                    .. ManualGrading.Unread(context.Manual, submission.Student, "grading failed")];
            feedback = "";
        }
        var result = new StudentResult(submission.Student, submission.File.Path, status, rows.Where(r => !r.IsManual).Sum(r => r.Points ?? 0), max,
            Math.Round(watch.Elapsed.TotalSeconds, 2), feedback, message, submission.File.Sha256, rows.Where(r => r.IsManual).Sum(r => r.Max));
        return (rows, result);
    }

    static async Task<(string Status, string Message, List<GradeRow> Rows, string Feedback)> GradeOneAsync(
        GradingContext context, Submission submission, CancellationToken cancellationToken)
    {
        var (student, path) = (submission.Student, submission.File.Path);
        var safe = SafeName(student);
        var feedback = Path.Combine(context.OutDir, "feedback", safe + ".html");
        var runDir = Path.Combine(context.OutDir, "runs", safe);
        // Its manual answers: none until the submission is read; from the merged notebook once it is (NotScored sees which).
        var manual = ManualGrading.Unread(context.Manual, student, "the submission is not a notebook");
        (string, string, List<GradeRow>, string) NotScored(string status, string message)
        {
            List<GradeRow> zero = [.. context.Exercises.Select(e => new GradeRow(student, e.GradeId, 0, e.Points, message)), .. manual];
            AtomicFile.WriteAllText(feedback, FeedbackPage(student, path, zero, message, null));
            return (status, message, zero, feedback);
        }

        ClassroomNotebook notebook;
        try { notebook = ClassroomNotebook.Parse(submission.File.Bytes is null ? throw new ClassroomException(submission.File.Error!) : submission.File.Text(), path); }
        catch (ClassroomException e) { return NotScored("not-a-notebook", e.Message); }

        // The notebook as graded: the source's locked and test cells (hidden tests included), the student's answers.
        // The manual answers are the student's text as merged here, before any of their code runs.
        var name = Path.GetFileNameWithoutExtension(context.Source.Path);
        var merged = Merge(context.Source, notebook);
        manual = ManualGrading.Rows(context.Source, context.Manual, student, merged);
        var graded = ClassroomNotebook.Serialize(merged);
        if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
        AtomicFile.WriteAllText(Path.Combine(runDir, name + ".ipynb"), graded);
        var (run, executed, report, problem) = await RunInPrivateFolderAsync(context, name, graded, runDir, cancellationToken).ConfigureAwait(false);

        if (run.TimedOut) return NotScored("timed-out", $"timed out: the run took longer than {context.Options.Timeout.TotalSeconds:0} s and was stopped; no exercise scored.");
        if (run.OutOfMemory) return NotScored("out-of-memory", $"out of memory: the run used more than {context.Options.MemoryMb} MB and was stopped; no exercise scored.");
        if (executed is null)
            return NotScored("crashed", $"the run ended without a result (exit code {run.ExitCode}){((problem ?? run.LastError) is { } why ? ": " + why.TrimEnd('.') : "")}; no exercise scored.");
        List<GradeRow> scored = [.. Score(student, context.Exercises, (JsonObject)JsonNode.Parse(executed)!), .. manual];
        AtomicFile.WriteAllText(feedback, FeedbackPage(student, path, scored, null, report));
        return ("graded", "", scored, feedback);
    }

    /// <summary>
    /// Runs the graded notebook in a fresh private folder (in the sandbox when there is one) under the time and memory
    /// limits, and reads back the result its exit code names — 0: NAME.ipynb, 1 (cells failed): NAME.failed.ipynb — with
    /// its report, after the run ended; they are kept in DIR/runs/STUDENT/executed/ and the private folder is deleted.
    /// </summary>
    static async Task<(LimitedRun Run, string? Executed, string? Report, string? Problem)> RunInPrivateFolderAsync(
        GradingContext context, string name, string graded, string runDir, CancellationToken cancellationToken)
    {
        using var folder = GradingFolder.Create(context.Layout, name + ".ipynb", graded, linkViews: !context.Sandbox.Isolated, homeFiles: context.KitCache);
        var limit = (long)context.Options.MemoryMb * 1024 * 1024;
        var info = context.Sandbox.RunStartInfo(folder, name + ".ipynb", context.Options.Profile, limit);
        LimitedRun run;
        try { run = await LimitedProcess.RunAsync(info, context.Options.Timeout, limit, Path.Combine(runDir, "log.txt"), cancellationToken).ConfigureAwait(false); }
        catch (System.ComponentModel.Win32Exception e) { throw new ClassroomException($"cannot start the grading process '{info.FileName}': {e.Message}"); }
        var suffix = run.ExitCode switch { 0 => "", 1 => ".failed", _ => null };
        if (suffix is null || run.TimedOut || run.OutOfMemory) return (run, null, null, null);
        var executed = folder.ReadResult(name + suffix + ".ipynb", out var problem);
        if (executed is null) return (run, null, null, problem);
        var report = folder.ReadResult(name + suffix + ".html", out _);
        AtomicFile.WriteAllText(Path.Combine(runDir, "executed", name + suffix + ".ipynb"), executed);
        if (report is not null) AtomicFile.WriteAllText(Path.Combine(runDir, "executed", name + suffix + ".html"), report);
        return (run, executed, report, null);
    }

    /// <summary>
    /// The notebook to grade: the source's cells in the source's order — locked and test cells (hidden tests included)
    /// from the source, solution cells from the submission (by cell id, else by grade_id; a deleted one comes back as its stub), other
    /// cells as the student has them — with the cells the student added after the source cell they followed. Added cells
    /// that claim to be nbgrader test or locked cells (copies under another id) are dropped. Outputs are cleared and the
    /// notebook metadata is the source's.
    /// </summary>
    public static JsonObject Merge(ClassroomNotebook source, ClassroomNotebook submission)
    {
        var sourceCells = source.Cells.Select((c, i) => (Cell: (JsonObject)c!, Number: i + 1)).ToList();
        var sourceIds = new HashSet<string>(sourceCells.Select(c => ClassroomNotebook.IdOf(c.Cell)).OfType<string>(), StringComparer.Ordinal);
        var (studentById, added) = MatchStudentCells(source, sourceCells, sourceIds, submission);
        var cells = new JsonArray();
        var usedIds = new HashSet<string>(sourceIds, StringComparer.Ordinal);
        AddStudentCells(cells, added, "", usedIds);
        foreach (var (cell, number) in sourceCells)
        {
            var id = ClassroomNotebook.IdOf(cell);
            if (GradedCell(source, cell, number, id, studentById) is { } chosen)
            {
                ClassroomNotebook.ClearOutputs(chosen);
                cells.Add(chosen);
            }
            if (id is not null) AddStudentCells(cells, added, id, usedIds);
        }

        var root = (JsonObject)source.Root.DeepClone();
        root["cells"] = cells;
        return root;
    }

    /// <summary>
    /// The student's version of each source cell (by cell id, else by grade_id), and the cells the student added, keyed by
    /// the source cell id they follow ("" = before any); added cells that claim to be nbgrader test or locked cells are dropped.
    /// </summary>
    static (Dictionary<string, JsonObject> StudentById, Dictionary<string, List<JsonObject>> Added) MatchStudentCells(
        ClassroomNotebook source, List<(JsonObject Cell, int Number)> sourceCells, HashSet<string> sourceIds, ClassroomNotebook submission)
    {
        // A cell whose id was lost (a front-end that saved nbformat 4.4, a copy-paste) is still found by its nbgrader grade_id.
        var byGradeId = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (cell, number) in sourceCells)
            if (ClassroomNotebook.IdOf(cell) is { } sid && source.NbgraderOf(cell, number)?.GradeId is { } gid) byGradeId.TryAdd(gid, sid);
        var studentById = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var added = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        var anchor = "";
        foreach (var node in submission.Cells)
        {
            var cell = (JsonObject)node!;
            var id = ClassroomNotebook.IdOf(cell);
            if ((id is null || !sourceIds.Contains(id)) && (cell["metadata"]?["nbgrader"]?["grade_id"] as JsonValue)?.TryGetValue<string>(out var gradeId) == true
                && byGradeId.TryGetValue(gradeId, out var matched) && !studentById.ContainsKey(matched))
                id = matched;
            if (id is not null && sourceIds.Contains(id) && !studentById.ContainsKey(id))
            {
                studentById[id] = cell;
                anchor = id;
                continue;
            }
            if (cell["metadata"]?["nbgrader"] is JsonObject meta)
            {
                var locked = meta["locked"] is JsonValue l && l.TryGetValue<bool>(out var lb) && lb;
                var grade = meta["grade"] is JsonValue g && g.TryGetValue<bool>(out var gb) && gb;
                if (locked || grade) continue;
                ((JsonObject)cell["metadata"]!).Remove("nbgrader");
            }
            if (!added.TryGetValue(anchor, out var list)) added[anchor] = list = [];
            list.Add(cell);
        }
        return (studentById, added);
    }

    /// <summary>
    /// The graded notebook's version of a source cell: the source's when it is protected (locked, tests), the student's
    /// (under the source's id and nbgrader metadata) when there is one, the stub of a deleted solution cell, else none
    /// (an unlocked cell the student deleted stays deleted).
    /// </summary>
    static JsonObject? GradedCell(ClassroomNotebook source, JsonObject cell, int number, string? id, Dictionary<string, JsonObject> studentById)
    {
        var meta = source.NbgraderOf(cell, number);
        if (meta?.Protected == true) return (JsonObject)cell.DeepClone();
        if (id is not null && studentById.TryGetValue(id, out var mine))
        {
            var chosen = (JsonObject)mine.DeepClone();
            chosen["id"] = id; // matched by grade_id: the source's id, which scoring and the next merge use
            // The source decides what a cell is: a student cannot turn an answer into a test or unlock a cell.
            if (cell["metadata"]?["nbgrader"] is { } sourceMeta)
            {
                if (chosen["metadata"] is not JsonObject m) chosen["metadata"] = m = new JsonObject();
                m["nbgrader"] = sourceMeta.DeepClone();
                KeepSourceKind(chosen, cell);
            }
            return chosen;
        }
        return meta?.Solution == true ? source.StudentCell(cell, number) : null;
    }

    /// <summary>
    /// An nbgrader cell keeps the source's cell type: a markdown answer the student turned into code is markdown again
    /// (its text is graded by the instructor and never run), without outputs.
    /// </summary>
    static void KeepSourceKind(JsonObject chosen, JsonObject sourceCell)
    {
        var kind = ClassroomNotebook.TypeOf(sourceCell);
        if (ClassroomNotebook.TypeOf(chosen) == kind) return;
        chosen["cell_type"] = kind;
        if (kind == "code") chosen.Remove("attachments");
        else
        {
            chosen.Remove("outputs");
            chosen.Remove("execution_count");
        }
    }

    /// <summary>Appends the cells the student added after source cell <paramref name="anchor"/>, outputs cleared, each under an id no other cell has.</summary>
    static void AddStudentCells(JsonArray cells, Dictionary<string, List<JsonObject>> added, string anchor, HashSet<string> usedIds)
    {
        if (!added.TryGetValue(anchor, out var list)) return;
        foreach (var cell in list)
        {
            var copy = (JsonObject)cell.DeepClone();
            if (ClassroomNotebook.IdOf(copy) is not { } id || !usedIds.Add(id))
            {
                string fresh;
                do fresh = "added-" + Guid.NewGuid().ToString("N")[..10]; while (!usedIds.Add(fresh));
                copy["id"] = fresh;
            }
            ClassroomNotebook.ClearOutputs(copy);
            cells.Add(copy);
        }
    }

    /// <summary>Scores each grade cell of an executed notebook: full points when it ran without an error output.</summary>
    public static List<GradeRow> Score(string student, IReadOnlyList<Exercise> exercises, JsonObject executed)
    {
        var byId = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        // The errors of the answer cells before each test cell (since the previous test cell): when a test fails because
        // the answer did not compile or threw, the root cause is the answer's error, so the message names it too.
        var answerErrors = new Dictionary<string, string>(StringComparer.Ordinal);
        var testIds = new HashSet<string>(exercises.Select(e => e.CellId), StringComparer.Ordinal);
        string? pending = null;
        foreach (var node in (executed["cells"] as JsonArray) ?? [])
        {
            if (node is not JsonObject c) continue;
            var id = ClassroomNotebook.IdOf(c);
            if (id is not null) byId.TryAdd(id, c);
            if (id is not null && testIds.Contains(id))
            {
                if (pending is not null) answerErrors.TryAdd(id, pending);
                pending = null;
            }
            else if (c["metadata"]?["nbgrader"]?["solution"] is JsonValue sv && sv.TryGetValue<bool>(out var isSolution) && isSolution
                     && ErrorOf(c) is { } answerError)
                pending ??= ErrorLine(answerError);
        }
        var rows = new List<GradeRow>();
        foreach (var e in exercises)
        {
            if (!byId.TryGetValue(e.CellId, out var cell))
            {
                rows.Add(new GradeRow(student, e.GradeId, 0, e.Points, "the test cell is missing from the graded run."));
                continue;
            }
            if (ErrorOf(cell) is { } error)
                rows.Add(new GradeRow(student, e.GradeId, 0, e.Points, ErrorLine(error) +
                    (answerErrors.TryGetValue(e.CellId, out var cause) ? $" (the answer cell failed before it: {cause})" : "")));
            else if (cell["execution_count"] is not JsonValue) rows.Add(new GradeRow(student, e.GradeId, 0, e.Points, "the test cell did not run."));
            else rows.Add(new GradeRow(student, e.GradeId, e.Points, e.Points, ""));
        }
        return rows;
    }

    static JsonObject? ErrorOf(JsonObject cell) => (cell["outputs"] as JsonArray ?? []).OfType<JsonObject>()
        .FirstOrDefault(o => (o["output_type"] as JsonValue)?.TryGetValue<string>(out var t) == true && t == "error");

    /// <summary>The first line of an error output: the runner's "cell N (line L): message", else "EName: EValue".</summary>
    static string ErrorLine(JsonObject error)
    {
        static string First(string s) => s.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        var traceback = (error["traceback"] as JsonArray ?? []).Select(t => (t as JsonValue)?.TryGetValue<string>(out var s) == true ? s : "").ToList();
        if (traceback.FirstOrDefault(t => t.StartsWith("cell ", StringComparison.Ordinal)) is { } labelled) return First(labelled);
        var ename = (error["ename"] as JsonValue)?.TryGetValue<string>(out var n) == true ? n : "error";
        var evalue = (error["evalue"] as JsonValue)?.TryGetValue<string>(out var v) == true ? v : "";
        return First($"{ename}: {evalue}");
    }

    static string SafeName(string student)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var safe = new string(student.Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c).ToArray());
        return safe is "" or "." or ".." ? "_" + safe : safe;
    }

    internal static string Fmt(double points) => points.ToString("0.##", CultureInfo.InvariantCulture);

    static void WriteGradebook(Gradebook book)
    {
        var csv = new StringBuilder(Csv.Line(["student", "exercise", "points", "max", "message", "status", "answer"]));
        foreach (var r in book.Rows)
            csv.Append(Csv.Line([Inert(r.Student), Inert(r.Exercise), r.Points is { } p ? Fmt(p) : "", Fmt(r.Max), Inert(r.Message), r.Status, Inert(r.Answer ?? "")]));
        AtomicFile.WriteAllText(book.CsvPath, csv.ToString());

        var json = new JsonObject
        {
            ["source"] = book.Source,
            ["source_sha256"] = book.SourceSha256,
            ["sandbox"] = book.Sandbox,
            ["rows"] = new JsonArray(book.Rows.Select(RowJson).ToArray()),
            ["students"] = new JsonArray(book.Students.Select(s => (JsonNode?)new JsonObject
            {
                ["student"] = s.Student, ["submission"] = s.Submission, ["sha256"] = s.Sha256, ["status"] = s.Status, ["points"] = s.Points, ["max"] = s.Max,
                ["manual_pending"] = s.ManualPending, ["seconds"] = s.Seconds, ["feedback"] = s.Feedback, ["message"] = s.Message,
            }).ToArray()),
        };
        AtomicFile.WriteAllText(book.JsonPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
    }

    /// <summary>A gradebook.json row: points null and the student's answer for a manually graded answer.</summary>
    static JsonNode RowJson(GradeRow r)
    {
        var row = new JsonObject
        {
            ["student"] = r.Student, ["exercise"] = r.Exercise, ["points"] = r.Points, ["max"] = r.Max, ["message"] = r.Message, ["status"] = r.Status,
        };
        if (r.IsManual) row["answer"] = r.Answer;
        return row;
    }

    /// <summary>
    /// A CSV field that a spreadsheet would read as a formula (it starts with = + - @, a tab or a carriage return: the
    /// students' answers, names and error messages are theirs to write) gets a leading apostrophe, so it stays text.
    /// </summary>
    internal static string Inert(string field) => field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + field : field;

    /// <summary>
    /// The feedback report: the score table (manually graded answers: pending), the manual answers as the student wrote
    /// them, then the runner's report of the graded run (when it ran).
    /// </summary>
    static string FeedbackPage(string student, string submission, IReadOnlyList<GradeRow> rows, string? problem, string? report)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var table = new StringBuilder();
        table.Append("<section class=\"gannb-grades\" style=\"border:2px solid #888;border-radius:6px;padding:0.6em 1em;margin:1em 24px\">\n");
        table.Append("<h2 style=\"margin-top:0\">Grades: ").Append(E(student)).Append(" — ").Append(Totals(rows, " / ")).Append("</h2>\n");
        table.Append("<p>Submission: <code>").Append(E(Path.GetFileName(submission))).Append("</code>").Append(problem is null ? "" : "<br><strong>" + E(problem) + "</strong>").Append("</p>\n");
        table.Append("<table style=\"border-collapse:collapse\">\n<tr><th style=\"text-align:left;padding:2px 8px\">exercise</th><th style=\"padding:2px 8px\">points</th><th style=\"padding:2px 8px\">max</th><th style=\"text-align:left;padding:2px 8px\">message</th></tr>\n");
        foreach (var r in rows)
        {
            var (colour, points) = r.Points is not { } p ? ("#57606a", "pending") : (p >= r.Max ? "#1a7f37" : "#c62828", Fmt(p));
            table.Append("<tr><td style=\"padding:2px 8px;white-space:nowrap\"><code>").Append(E(r.Exercise)).Append("</code></td><td style=\"padding:2px 8px;text-align:right;color:")
                 .Append(colour).Append("\">").Append(points).Append("</td><td style=\"padding:2px 8px;text-align:right\">").Append(Fmt(r.Max))
                 .Append("</td><td style=\"padding:2px 8px\">").Append(E(r.Message)).Append("</td></tr>\n");
        }
        table.Append("</table>\n").Append(ManualGrading.AnswersHtml(rows));
        if (report is not null) table.Append("<p>The graded run follows: the course's test cells (hidden tests included) with your answers.</p>\n");
        table.Append("</section>\n");
        if (report is not null)
        {
            var at = report.IndexOf("<body>", StringComparison.Ordinal);
            if (at >= 0) return report.Insert(at + "<body>".Length, "\n" + table);
        }
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Grades: " + E(student) +
               "</title>\n</head>\n<body style=\"font-family:system-ui,sans-serif;max-width:60em;margin:1em auto\">\n" + table + "</body>\n</html>\n";
    }
}
