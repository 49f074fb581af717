using System.Text.Json.Nodes;
using GanNotebooks.Runner.Run;
using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

public class NotebookInputTests
{
    [Fact]
    public async Task Python_kernel_is_refused_with_exit_code_2()
    {
        var meta = new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["display_name"] = "Python 3", ["language"] = "python", ["name"] = "python3" },
            ["language_info"] = new JsonObject { ["name"] = "python" },
        };
        using var nb = Create("py", meta, [Code("print('hi')")]);
        var run = await nb.RunAsync();
        Assert.Equal(2, run.Result.ExitCode);
        Assert.Contains("'python3', not C#", run.Err);
        Assert.Single(run.Err.Trim().Split('\n'));
        Assert.False(Directory.Exists(nb.OutDir));
    }

    [Theory]
    [InlineData("""{"polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp"}}}""")]
    [InlineData("""{"polyglot_notebook": {"defaultKernelName": "csharp"}}""")]
    [InlineData("""{"language_info": {"name": "C#"}}""")]
    [InlineData("""{"kernelspec": {"name": ".net-csharp", "display_name": "C#"}}""")]
    public async Task CSharp_kernels_are_recognised(string metadata)
    {
        using var nb = Create("cs", (JsonObject)JsonNode.Parse(metadata)!, [Code("1")]);
        var run = await nb.RunAsync();
        Assert.Equal(0, run.Result.ExitCode);
    }

    [Fact]
    public async Task Missing_file_is_exit_code_2()
    {
        var run = await new NotebookRunnerProbe(Path.Combine(Path.GetTempPath(), "gannb-no-such", "x.ipynb")).RunAsync();
        Assert.Equal(2, run.Result.ExitCode);
        Assert.Contains("file not found", run.Err);
    }

    [Theory]
    [InlineData("{ \"cells\": [ ", "malformed JSON")]
    [InlineData("{\"nbformat\": 3, \"cells\": []}", "nbformat 3")]
    [InlineData("[1, 2]", "not a notebook")]
    public async Task Unreadable_notebooks_are_exit_code_2(string text, string message)
    {
        using var nb = CreateRaw("bad", text);
        var run = await nb.RunAsync();
        Assert.Equal(2, run.Result.ExitCode);
        Assert.Contains(message, run.Err);
        Assert.Single(run.Err.Trim().Split('\n'));
    }

    [Fact]
    public async Task Unknown_metadata_is_kept_and_ids_are_added_for_old_notebooks()
    {
        var meta = CSharpMetadata();
        meta["custom"] = new JsonObject { ["keep"] = "me" };
        var cell = Code("1");
        cell.Remove("id");
        cell["metadata"]!["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" };
        var md = Markdown("text");
        md.Remove("id");
        using var nb = Create("old", meta, [md, cell], minor: 4);
        var run = await nb.RunAsync();
        var executed = run.Executed;
        Assert.Equal("me", executed["metadata"]!["custom"]!["keep"]!.GetValue<string>());
        Assert.Equal("csharp", executed["cells"]![1]!["metadata"]!["polyglot_notebook"]!["kernelName"]!.GetValue<string>());
        Assert.Equal(5, executed["nbformat_minor"]!.GetValue<int>());
        var ids = executed["cells"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[a-zA-Z0-9-_]{1,64}$", id));
    }

    [Fact]
    public async Task Raw_cells_stay_raw_and_attachments_and_polyglot_markdown_cells_are_kept()
    {
        var raw = new JsonObject { ["cell_type"] = "raw", ["id"] = "r1", ["metadata"] = new JsonObject(), ["source"] = "not C#: {{ }}" };
        var md = Markdown("![p](attachment:p.png)");
        md["attachments"] = new JsonObject { ["p.png"] = new JsonObject { ["image/png"] = "iVBORw0KGgo=" } };
        var polyglotMarkdown = Code("## From the markdown kernel");
        polyglotMarkdown["metadata"]!["polyglot_notebook"] = new JsonObject { ["kernelName"] = "markdown" };
        using var nb = Create("cells", CSharpMetadata(), [raw, md, polyglotMarkdown, Code("1")]);
        var run = await nb.RunAsync();
        Assert.True(run.Result.ExitCode == 0, run.Err + run.Out);
        var cells = run.Executed["cells"]!.AsArray();
        Assert.Equal("raw", cells[0]!["cell_type"]!.GetValue<string>());
        Assert.Null(cells[0]!["outputs"]);
        Assert.Equal("iVBORw0KGgo=", cells[1]!["attachments"]!["p.png"]!["image/png"]!.GetValue<string>());
        Assert.Contains("src=\"data:image/png;base64,iVBORw0KGgo=\"", run.Html);
        Assert.Equal("markdown", cells[2]!["cell_type"]!.GetValue<string>());
        Assert.Contains("From the markdown kernel</h2>", run.Html);
        Assert.Equal(1, cells[3]!["execution_count"]!.GetValue<int>());
        NotebookSchemaTests.AssertValid(run.Result.NotebookOutputPath!);
    }

    /// <summary>Runs a path that may not exist (TestNotebook always writes one).</summary>
    sealed class NotebookRunnerProbe(string path)
    {
        public async Task<Run> RunAsync()
        {
            var o = new StringWriter();
            var e = new StringWriter();
            var r = await NotebookRunner.RunAsync(new RunOptions { NotebookPath = path, Out = o, Error = e });
            return new Run(r, o.ToString(), e.ToString());
        }
    }
}
