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
