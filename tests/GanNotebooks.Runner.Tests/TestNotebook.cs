using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GanNotebooks.Runner;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Run;

namespace GanNotebooks.Runner.Tests;

/// <summary>A notebook written to a fresh temp folder, and helpers to run it in-process.</summary>
internal sealed class TestNotebook : IDisposable
{
    public string Directory { get; }
    public string Path { get; }
    public string Name { get; }
    public string OutDir => System.IO.Path.Combine(Directory, "out", Name);

    TestNotebook(string name, JsonObject notebook)
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gannb-tests", Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(Directory);
        Name = name;
        Path = System.IO.Path.Combine(Directory, name + ".ipynb");
        File.WriteAllText(Path, notebook.ToJsonString());
    }

    public static JsonObject CSharpMetadata() => new()
    {
        ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
        ["language_info"] = new JsonObject { ["name"] = "C#" },
    };

    public static TestNotebook Create(params JsonObject[] cells) => Create("nb", CSharpMetadata(), cells);

    public static TestNotebook Create(string name, JsonObject metadata, JsonObject[] cells, int minor = 5) =>
        new(name, new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode?)c).ToArray()),
            ["metadata"] = metadata,
            ["nbformat"] = 4,
            ["nbformat_minor"] = minor,
        });

    public static TestNotebook CreateRaw(string name, string text)
    {
        var nb = new TestNotebook(name, new JsonObject());
        File.WriteAllText(nb.Path, text);
        return nb;
    }

    static int _ids;

    public static JsonObject Code(string source, params string[] tags)
    {
        var meta = new JsonObject();
        if (tags.Length > 0) meta["tags"] = new JsonArray(tags.Select(t => (JsonNode?)t).ToArray());
        return new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["id"] = $"c{Interlocked.Increment(ref _ids)}",
            ["metadata"] = meta,
            ["outputs"] = new JsonArray(),
            ["source"] = source,
        };
    }

    public static JsonObject Markdown(string source) => new()
    {
        ["cell_type"] = "markdown",
        ["id"] = $"m{Interlocked.Increment(ref _ids)}",
        ["metadata"] = new JsonObject(),
        ["source"] = source,
    };

    public async Task<Run> RunAsync(params string[] parameters) => await RunAsync(parameters, null);

    public async Task<Run> RunAsync(string[] parameters, string? outDir, BudgetProfile profile = BudgetProfile.Smoke)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var result = await NotebookRunner.RunAsync(new RunOptions
        {
            NotebookPath = Path,
            Parameters = parameters,
            OutputDirectory = outDir,
            Profile = profile,
            Out = stdout,
            Error = stderr,
        });
        return new Run(result, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>A finished run: result, what went to stdout and stderr, and the executed notebook.</summary>
internal sealed record Run(RunResult Result, string Out, string Err)
{
    public JsonObject Executed => (JsonObject)JsonNode.Parse(File.ReadAllText(Result.NotebookOutputPath!))!;
    public string Html => File.ReadAllText(Result.ReportPath!);

    /// <summary>Outputs of the executed notebook's code cell with that id.</summary>
    public JsonArray OutputsOf(string id) =>
        (JsonArray)Executed["cells"]!.AsArray().Single(c => c!["id"]!.GetValue<string>() == id)!["outputs"]!;

    /// <summary>Outputs of the n-th cell (0-based) of the executed notebook.</summary>
    public JsonArray OutputsAt(int index) => (JsonArray)Executed["cells"]![index]!["outputs"]!;

    public static string Text(JsonNode? output) => output?["text"] switch
    {
        JsonArray a => string.Concat(a.Select(x => x!.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    /// <summary>The text of a data output: its text/plain, else the text of its text/html (the kernel formats most
    /// values as HTML only, e.g. numbers as &lt;div class="dni-plaintext"&gt;&lt;pre&gt;3&lt;/pre&gt;&lt;/div&gt;).</summary>
    public static string Plain(JsonNode? output)
    {
        var data = output?["data"];
        if (data?["text/plain"] is { } plain) return Join(plain);
        if (data?["text/html"] is not { } html) return "";
        var text = Regex.Replace(Join(html), "<(script|style)[^>]*>.*?</\\1>", "", RegexOptions.Singleline | RegexOptions.IgnoreCase);
        return WebUtility.HtmlDecode(Regex.Replace(text, "<[^>]+>", "")).Trim();
    }

    /// <summary>One MIME value of a data output as text (nbformat stores text as a string or a list of lines).</summary>
    public static string Data(JsonNode? output, string mimeType) => output?["data"]?[mimeType] is { } v ? Join(v) : "";

    static string Join(JsonNode node) => node switch
    {
        JsonArray a => string.Concat(a.Select(x => x!.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };
}
