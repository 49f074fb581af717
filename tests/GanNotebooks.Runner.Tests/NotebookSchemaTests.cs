using System.Text.Json.Nodes;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Run;
using NJsonSchema;
using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

/// <summary>The executed notebooks validate against the official nbformat 4.5 JSON schema.</summary>
public class NotebookSchemaTests
{
    static readonly Lazy<JsonSchema> Schema = new(Load);

    /// <summary>
    /// Loads the schema file as shipped. NJsonSchema resolves $ref only to schemas, and nbformat keeps
    /// some under a plain grouping object ("#/definitions/misc/…"), so those are lifted one level up
    /// ("#/definitions/misc__…") in memory first; nothing else changes.
    /// </summary>
    static JsonSchema Load()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schemas", "nbformat.v4.5.schema.json"));
        var root = JsonNode.Parse(text)!.AsObject();
        var definitions = root["definitions"]!.AsObject();
        foreach (var group in new[] { "misc" })
        {
            var members = definitions[group]!.AsObject();
            definitions.Remove(group);
            foreach (var (name, schema) in members.ToList())
            {
                members.Remove(name);
                definitions[$"{group}__{name}"] = schema;
            }
        }
        var flattened = root.ToJsonString().Replace("\"#/definitions/misc/", "\"#/definitions/misc__", StringComparison.Ordinal);
        return JsonSchema.FromJsonAsync(flattened).GetAwaiter().GetResult();
    }

    internal static void AssertValid(string ipynbPath)
    {
        var errors = Schema.Value.Validate(File.ReadAllText(ipynbPath));
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind} {e}")));
    }

    [Fact]
    public void The_schema_rejects_what_nbformat_rejects()
    {
        // Guards the guard: an output with a field nbformat does not allow must fail validation.
        const string bad = """
            {"cells": [{"cell_type": "code", "execution_count": 1, "id": "a", "metadata": {}, "source": "1",
              "outputs": [{"output_type": "display_data", "data": {}, "metadata": {}, "transient": {"display_id": "x"}}]}],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            """;
        Assert.NotEmpty(Schema.Value.Validate(bad));
    }

    [Fact]
    public async Task Executed_notebook_with_every_output_kind_is_valid()
    {
        using var nb = Create(
            Markdown("# Title\n\n$x^2$"),
            Code("var n = 2;", "parameters"),
            Code("Console.WriteLine(\"out\");\nConsole.Error.WriteLine(\"err\");\nvar h = Microsoft.DotNet.Interactive.KernelInvocationContextExtensions.Display(Microsoft.DotNet.Interactive.KernelInvocationContext.Current, \"a\");\nh.Update(\"b\");"),
            Code(DisplayCaptureTests.Formatters),
            Code("display(new Pic(new byte[] { 1, 2, 3 }));\nnew Fig(new[] { 1.0, 2 })"),
            Code("new Microsoft.AspNetCore.Html.HtmlString(\"<p>p</p>\")"),
            Code("#!markdown\nmagic markdown"),
            Code(""),
            Code("n"));
        var run = await nb.RunAsync("n=3");
        Assert.True(run.Result.ExitCode == 0, run.Err + run.Out);
        AssertValid(run.Result.NotebookOutputPath!);
    }

    [Fact]
    public async Task Failed_notebook_with_error_output_is_valid()
    {
        using var nb = Create(Code("Console.WriteLine(1);"), Code("throw new Exception(\"x\");"), Code("2"), Code("nope("));
        var run = await nb.RunAsync();
        Assert.Equal(1, run.Result.ExitCode);
        AssertValid(run.Result.NotebookOutputPath!);
    }

    [Fact]
    public async Task Sample_notebook_output_is_valid()
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "TestNotebooks", "sample.ipynb");
        var outDir = Path.Combine(Path.GetTempPath(), "gannb-tests", Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var stdout = new StringWriter();
            var result = await NotebookRunner.RunAsync(new RunOptions
            {
                NotebookPath = sample, OutputDirectory = outDir, Profile = BudgetProfile.Smoke, Out = stdout, Error = stdout,
            });
            Assert.True(result.Succeeded, stdout.ToString());
            AssertValid(result.NotebookOutputPath!);
        }
        finally { if (Directory.Exists(outDir)) Directory.Delete(outDir, true); }
    }
}
