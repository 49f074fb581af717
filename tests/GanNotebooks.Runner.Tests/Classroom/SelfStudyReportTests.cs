using GanNotebooks.Runner.Output;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Run;

namespace GanNotebooks.Runner.Tests.Classroom;

/// <summary>The solved notebook as self-study: its report folds each answer behind a toggle.</summary>
public class SelfStudyReportTests
{
    [Fact]
    public async Task The_report_of_the_solved_notebook_folds_the_answers()
    {
        using var files = new ClassroomFiles();
        var result = await NotebookRunner.RunAsync(new RunOptions
        {
            NotebookPath = files.Source, OutputDirectory = Path.Combine(files.Directory, "out"), Profile = BudgetProfile.Smoke,
            Out = new StringWriter(), Error = new StringWriter(),
        });
        Assert.True(result.Succeeded, result.ErrorMessage);
        var html = File.ReadAllText(result.ReportPath!);
        Assert.Matches("<details class=\"solution\"><summary>Answer of exercise 'gp-norm' \\(show\\)</summary>\\n<pre class=\"source\"><code>double\\[\\] PerSampleNorms", html);
        Assert.Equal(3, html.Split("<details class=\"solution\">").Length - 1);
        Assert.Contains("</span></div>\n<pre class=\"source\"><code>var norms = PerSampleNorms", html); // a test cell is not folded
        Assert.Equal(["gp-norm", "ns-loss", "clip"], result.Cells.Select(c => c.SolutionOf).OfType<string>());
    }
}

/// <summary>A manually graded answer (markdown solution cell) is folded in the report like an exercise's code.</summary>
public class ModelAnswerFoldingTests
{
    [Fact]
    public void A_markdown_answer_is_folded_and_a_question_is_not()
    {
        CellRun Md(int n, string text, string? solutionOf) =>
            new(n, false, CellKind.Markdown, text, text, null, TimeSpan.Zero, [], null) { SolutionOf = solutionOf };
        var info = new GanNotebooks.Runner.Report.ReportInfo("q", "q.ipynb", DateTimeOffset.UnixEpoch, BudgetProfile.Smoke, [], TimeSpan.Zero, null);
        var html = GanNotebooks.Runner.Report.ReportWriter.Render(info,
            [Md(1, "**Question 1.1** What is V(G, D*)?", null), Md(2, "It is $-\\log 4$.", "01-q-1")], Path.GetTempPath());
        Assert.Contains("<details class=\"solution\"><summary>Model answer of question '01-q-1' (show)</summary>", html);
        var folded = html[html.IndexOf("Model answer of question", StringComparison.Ordinal)..];
        Assert.Contains("It is", folded[..folded.IndexOf("</details>", StringComparison.Ordinal)]);
        Assert.DoesNotContain("<details", html[..html.IndexOf("Question 1.1", StringComparison.Ordinal)].Split("<main")[^1]);
    }
}
