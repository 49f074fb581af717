using System.Text.Json.Nodes;
using GanNotebooks.Runner.Classroom;
using static GanNotebooks.Runner.Tests.Classroom.ClassroomFiles;

namespace GanNotebooks.Runner.Tests.Classroom;

/// <summary><c>gannb assign</c>: the student version, and the checks of the format (no kernel runs here).</summary>
public class AssignTests
{
    [Fact]
    public async Task Student_version_has_stubs_no_hidden_tests_no_outputs_and_keeps_ids_and_metadata()
    {
        using var files = new ClassroomFiles();
        // An output in the source must not reach the students.
        var source = files.SourceJson();
        Cell(source, "setup")["outputs"] = new JsonArray(new JsonObject { ["name"] = "stdout", ["output_type"] = "stream", ["text"] = "checks loaded\n" });
        Cell(source, "setup")["execution_count"] = 3;
        File.WriteAllText(files.Source, ClassroomNotebook.Serialize(source));
        var before = File.ReadAllText(files.Source);
        var outDir = Path.Combine(files.Directory, "release");

        var (code, stdout, err) = await Cli("assign", files.Source, "--out", outDir);

        Assert.True(code == 0, err);
        Assert.Equal(before, File.ReadAllText(files.Source));
        var studentPath = Path.Combine(outDir, "classroom-source.ipynb");
        Assert.Contains(studentPath, stdout);
        var student = (JsonObject)JsonNode.Parse(File.ReadAllText(studentPath))!;
        var text = File.ReadAllText(studentPath);
        Assert.DoesNotContain("BEGIN SOLUTION", text);
        Assert.DoesNotContain("HIDDEN", text);
        Assert.DoesNotContain("w.Select(x => Math.Clamp", text); // a solution
        Assert.DoesNotContain("hidden test", text);        // a hidden test's message
        Assert.Contains("Check(norms.Length == 2", text);   // a visible test stays

        var answer = ClassroomNotebook.SourceOf(Cell(student, "gp-norm-answer"));
        Assert.StartsWith("double[] PerSampleNorms(double[][] grads)\n{\n    // TODO exercise 'gp-norm'", answer);
        Assert.Contains("    throw new NotImplementedException(\"Exercise 'gp-norm' is not done yet: return the L2 norm of each row", answer);
        Assert.EndsWith("\n}", answer);
        Assert.Contains("Exercise 'clip' is not done yet: write your solution in place of this line.", ClassroomNotebook.SourceOf(Cell(student, "clip-answer")));

        var sourceCells = source["cells"]!.AsArray();
        var studentCells = student["cells"]!.AsArray();
        Assert.Equal(sourceCells.Select(c => c!["id"]!.GetValue<string>()), studentCells.Select(c => c!["id"]!.GetValue<string>()));
        for (var i = 0; i < sourceCells.Count; i++)
            Assert.True(JsonNode.DeepEquals(sourceCells[i]!["metadata"], studentCells[i]!["metadata"]), $"cell {i + 1}'s metadata changed");
        Assert.True(JsonNode.DeepEquals(source["metadata"], student["metadata"]));
        Assert.All(studentCells.Where(c => c!["cell_type"]!.GetValue<string>() == "code"), c =>
        {
            Assert.Empty(c!["outputs"]!.AsArray());
            Assert.Null(c["execution_count"]);
        });
    }

    [Fact]
    public async Task Assign_never_writes_over_the_source()
    {
        using var files = new ClassroomFiles();
        var before = File.ReadAllText(files.Source);

        var (code, _, err) = await Cli("assign", files.Source, "--out", Path.GetDirectoryName(files.Source)!);

        Assert.Equal(2, code);
        Assert.Contains("would write the student version over the source", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Equal(before, File.ReadAllText(files.Source));

        // Two sources of one name would collide in DIR: refused before anything is written.
        var other = Path.Combine(files.Directory, "other");
        System.IO.Directory.CreateDirectory(other);
        File.Copy(files.Source, Path.Combine(other, "classroom-source.ipynb"));
        var outDir = Path.Combine(files.Directory, "release");
        (code, _, err) = await Cli("assign", files.Source, Path.Combine(other, "classroom-source.ipynb"), "--out", outDir);
        Assert.Equal(2, code);
        Assert.Contains("two sources with one name", err);
        Assert.False(System.IO.Directory.Exists(outDir));
    }

    public static TheoryData<string, string, string> BadSources() => new()
    {
        // what is wrong, the cell, the expected message
        { "unclosed", "gp-norm-answer", "'BEGIN SOLUTION' at line 3 has no 'END SOLUTION'" },
        { "unopened", "gp-norm-tests", "'END HIDDEN TESTS' at line 6 without a 'BEGIN HIDDEN TESTS' before it" },
        { "nested", "clip-answer", "'BEGIN SOLUTION' at line 4 inside the region opened at line 3" },
        { "no-points", "clip-tests", "a grade cell without metadata.nbgrader.points" },
        { "no-grade-id", "ns-loss-tests", "a grade cell without metadata.nbgrader.grade_id" },
        { "duplicate", "clip-tests", "the grade_id 'gp-norm-tests' is also cell 5's" },
        { "solution-outside", "the-end", "a 'BEGIN SOLUTION' region in a cell that is not a solution cell" },
        { "locked-no-grade-id", "the-end", "a locked cell without metadata.nbgrader.grade_id" },
        { "markdown-answer", "clip-text", "a markdown solution cell must be both a solution and a grade cell" },
    };

    [Theory]
    [MemberData(nameof(BadSources))]
    public async Task Bad_sources_are_one_line_errors_naming_file_and_cell(string kind, string cellId, string message)
    {
        using var files = new ClassroomFiles();
        var nb = files.SourceJson();
        var cell = Cell(nb, cellId);
        var meta = (JsonObject)cell["metadata"]!["nbgrader"]!;
        var src = ClassroomNotebook.SourceOf(cell);
        switch (kind)
        {
            case "unclosed": ClassroomNotebook.SetSource(cell, src.Replace("    // END SOLUTION\n", "")); break;
            case "unopened": ClassroomNotebook.SetSource(cell, src.Replace("// BEGIN HIDDEN TESTS\n", "")); break;
            case "nested": ClassroomNotebook.SetSource(cell, src.Replace("    return w.Select", "    // BEGIN SOLUTION\n    return w.Select")); break;
            case "no-points": meta.Remove("points"); break;
            case "no-grade-id" or "locked-no-grade-id": meta.Remove("grade_id"); break;
            case "markdown-answer": meta["solution"] = true; meta["locked"] = false; break;
            case "duplicate": meta["grade_id"] = "gp-norm-tests"; break;
            case "solution-outside": ClassroomNotebook.SetSource(cell, "// BEGIN SOLUTION\nvar x = 1;\n// END SOLUTION"); break;
        }
        File.WriteAllText(files.Source, ClassroomNotebook.Serialize(nb));

        var (code, _, err) = await Cli("assign", files.Source, "--out", Path.Combine(files.Directory, "release"));

        Assert.Equal(2, code);
        var line = Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(files.Source, line);
        Assert.Matches(@": cell \d+ \(id '", line);
        Assert.Contains(message, line);
        Assert.False(System.IO.Directory.Exists(Path.Combine(files.Directory, "release")));
    }

    [Fact]
    public async Task Not_a_notebook_and_bad_command_lines_exit_2()
    {
        using var files = new ClassroomFiles();
        var text = Path.Combine(files.Directory, "notes.ipynb");
        File.WriteAllText(text, "just some text");
        var (code, _, err) = await Cli("assign", text, "--out", Path.Combine(files.Directory, "release"));
        Assert.Equal(2, code);
        Assert.Contains($"{text}: not a notebook: malformed JSON", err);

        (code, _, err) = await Cli("assign", files.Source);
        Assert.Equal(2, code);
        Assert.Contains("--out DIR is required", err);

        (code, _, err) = await Cli("grade", files.Source, "--out", files.Directory);
        Assert.Equal(2, code);
        Assert.Contains("--source SOURCE.ipynb is required", err);

        (code, _, err) = await Cli("grade", files.Source, "--source", files.Source, "--out", files.Directory, "--timeout", "soon");
        Assert.Equal(2, code);
        Assert.Contains("--timeout soon", err);

        (code, _, err) = await Cli("grade", Path.Combine(files.Directory, "missing.ipynb"), "--source", files.Source, "--out", files.Directory);
        Assert.Equal(2, code);
        Assert.Contains("submission not found", err);
    }

    [Fact]
    public void Students_are_named_by_file_or_by_folder()
    {
        Assert.Equal("alice", Grader.StudentName("/x/submitted/alice.ipynb", "/course/hw1.ipynb"));
        Assert.Equal("bob", Grader.StudentName("/x/submitted/bob/hw1.ipynb", "/course/hw1.ipynb"));
    }
}
