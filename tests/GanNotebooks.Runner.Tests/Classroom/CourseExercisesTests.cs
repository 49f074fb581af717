using System.Text.Json.Nodes;
using GanNotebooks.Runner.Classroom;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Run;

namespace GanNotebooks.Runner.Tests.Classroom;

/// <summary>
/// The course notebooks as students get them: every chapter with exercises, handed out with <c>assign</c> and run
/// unfilled, runs to its last cell and fails only in its exercises' check cells (the rest of each chapter uses the
/// library's version, not the student's).
/// </summary>
public class CourseExercisesTests
{
    public static IEnumerable<object[]> ChaptersWithExercises() =>
        NotebookExecutionTests.Notebooks().Select(n => (string)n[0])
            .Where(n => File.ReadAllText(Path.Combine(NotebookExecutionTests.RepoRoot(), n)).Contains("\"grade_id\"", StringComparison.Ordinal))
            .Select(n => new object[] { n });

    [Fact]
    public void Every_chapter_01_to_08_has_at_least_three_graded_exercises()
    {
        var chapters = ChaptersWithExercises().Select(c => Path.GetFileName((string)c[0])).ToList();
        Assert.Equal(8, chapters.Count(c => c[..2] is "01" or "02" or "03" or "04" or "05" or "06" or "07" or "08"));
        foreach (var chapter in ChaptersWithExercises().Select(c => (string)c[0]))
        {
            var nb = JsonNode.Parse(File.ReadAllText(Path.Combine(NotebookExecutionTests.RepoRoot(), chapter)))!;
            // autograded: a code test cell (grade, not solution); the markdown thinking questions are counted below
            var graded = nb["cells"]!.AsArray().Count(c => c!["cell_type"]!.GetValue<string>() == "code"
                && c["metadata"]?["nbgrader"]?["grade"]?.GetValue<bool>() == true && c["metadata"]?["nbgrader"]?["solution"]?.GetValue<bool>() != true);
            Assert.True(graded >= 3, $"{chapter}: {graded} autograded exercises");
        }
    }

    [Fact]
    public void Every_chapter_01_to_13_asks_two_or_three_manually_graded_questions()
    {
        var dir = Path.Combine(NotebookExecutionTests.RepoRoot(), "notebooks");
        var chapters = Directory.GetFiles(dir, "*.ipynb").Where(f => Path.GetFileName(f)[..2] is var n && n != "00").OrderBy(f => f).ToList();
        Assert.Equal(13, chapters.Count);
        foreach (var chapter in chapters)
        {
            var cells = JsonNode.Parse(File.ReadAllText(chapter))!["cells"]!.AsArray();
            var answers = cells.Where(c => c!["cell_type"]!.GetValue<string>() == "markdown"
                && c["metadata"]?["nbgrader"]?["solution"]?.GetValue<bool>() == true && c["metadata"]?["nbgrader"]?["grade"]?.GetValue<bool>() == true).ToList();
            Assert.True(answers.Count is >= 2 and <= 3, $"{Path.GetFileName(chapter)}: {answers.Count} manually graded answers");
            foreach (var a in answers)
                Assert.True(a!["metadata"]!["nbgrader"]!["points"]?.GetValue<double>() > 0, $"{Path.GetFileName(chapter)}: answer {a["metadata"]!["nbgrader"]!["grade_id"]} has no points");
        }
    }

    [Fact]
    public void The_image_to_image_chapters_09_and_10_have_at_least_three_graded_exercises()
    {
        var chapters = ChaptersWithExercises().Select(c => Path.GetFileName((string)c[0])).ToList();
        Assert.Contains("09-image-to-image.ipynb", chapters);
        Assert.Contains("10-super-resolution.ipynb", chapters);
    }

    [Theory]
    [MemberData(nameof(ChaptersWithExercises))]
    public async Task The_unfilled_student_version_runs_to_the_end_and_fails_only_in_check_cells(string notebook)
    {
        var root = NotebookExecutionTests.RepoRoot();
        var dir = Path.Combine(Path.GetTempPath(), "gannb-tests", "assigned-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var student = Assigner.Assign([Path.Combine(root, notebook)], Path.Combine(dir, "notebooks"), TextWriter.Null).Single();
            var log = new StringWriter();
            var result = await NotebookRunner.RunAsync(new RunOptions
            {
                NotebookPath = student, OutputDirectory = Path.Combine(dir, "out"), Profile = BudgetProfile.Smoke,
                ContinueOnError = true, WorkingDirectory = Path.Combine(root, "notebooks"), Out = log, Error = log,
            });
            var executed = JsonNode.Parse(File.ReadAllText(result.NotebookOutputPath!))!["cells"]!.AsArray();
            var failing = executed.Where(c => c!["outputs"] is JsonArray outs && outs.Any(o => o!["output_type"]!.GetValue<string>() == "error")).ToList();
            Assert.NotEmpty(failing);   // the stubs throw, so the checks fail
            foreach (var cell in failing)
                Assert.True(cell!["metadata"]?["nbgrader"]?["grade"]?.GetValue<bool>() == true,
                    $"{notebook}: cell {cell!["id"]} (not an exercise check) failed in the unfilled student version: "
                    + cell["outputs"]!.AsArray().First(o => o!["output_type"]!.GetValue<string>() == "error")!["evalue"]);
            Assert.Equal(executed.Count(c => c!["cell_type"]!.GetValue<string>() == "code"),
                result.Cells.Count(c => c.Kind == Execution.CellKind.Code && c.ExecutionCount is not null && !c.Injected));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
