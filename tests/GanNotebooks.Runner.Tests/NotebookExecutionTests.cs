using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Run;

namespace GanNotebooks.Runner.Tests;

/// <summary>
/// Every notebook of the course (notebooks/*.ipynb) runs headless in the smoke profile without a cell
/// error, and its code cells show something. New notebooks are picked up automatically.
/// </summary>
public class NotebookExecutionTests
{
    /// <summary>The repository root: the first folder upwards holding GanNotebooks.sln.</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GanNotebooks.sln"))) return dir.FullName;
        throw new InvalidOperationException($"GanNotebooks.sln not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>Repository-relative paths of notebooks/*.ipynb. xunit 2 fails a theory without data, so
    /// while notebooks/ is empty the runner's own sample notebook stands in.</summary>
    public static IEnumerable<object[]> Notebooks()
    {
        var root = RepoRoot();
        var dir = Path.Combine(root, "notebooks");
        var found = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.ipynb").Order(StringComparer.Ordinal).ToList() : [];
        if (found.Count == 0) found.Add(Path.Combine(root, "tests", "GanNotebooks.Runner.Tests", "TestNotebooks", "sample.ipynb"));
        return found.Select(p => new object[] { Path.GetRelativePath(root, p).Replace('\\', '/') });
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_runs_in_the_smoke_profile(string notebook)
    {
        var path = Path.Combine(RepoRoot(), notebook);
        var outDir = Path.Combine(Path.GetTempPath(), "gannb-tests", "notebooks", Path.GetFileNameWithoutExtension(notebook) + "-" + Guid.NewGuid().ToString("N")[..8]);
        var log = new StringWriter();
        try
        {
            var result = await NotebookRunner.RunAsync(new RunOptions
            {
                NotebookPath = path, OutputDirectory = outDir, Profile = BudgetProfile.Smoke, Out = log, Error = log,
            });
            Assert.True(result.Succeeded, $"{notebook}: {result.ErrorMessage}\n{log}");
            var code = result.Cells.Where(c => c.Kind == Execution.CellKind.Code).ToList();
            Assert.True(code.Count > 0, $"{notebook} has no code cells.");
            Assert.True(code.Sum(c => c.Outputs.Count) > 0, $"{notebook}: no code cell produced any output.");
            NotebookSchemaTests.AssertValid(result.NotebookOutputPath!);
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }
}
