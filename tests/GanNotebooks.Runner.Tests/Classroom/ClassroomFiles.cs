using System.Text.Json.Nodes;
using GanNotebooks.Runner.Classroom;

namespace GanNotebooks.Runner.Tests.Classroom;

/// <summary>
/// A temp folder holding the classroom test notebook (TestNotebooks/classroom-source.ipynb: three exercises in plain C#,
/// the per-sample gradient-penalty norm among them, and the tiny classroom-check.csx its first code cell #loads), and
/// helpers that write submissions derived from it.
/// </summary>
public sealed class ClassroomFiles : IDisposable
{
    public string Directory { get; }
    public string Source { get; }
    public string Submissions { get; }

    public ClassroomFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "gannb-tests", "classroom-" + Guid.NewGuid().ToString("N")[..10]);
        var sourceDir = Path.Combine(Directory, "source");
        System.IO.Directory.CreateDirectory(sourceDir);
        foreach (var f in new[] { "classroom-source.ipynb", "classroom-check.csx" })
            File.Copy(Path.Combine(AppContext.BaseDirectory, "TestNotebooks", f), Path.Combine(sourceDir, f));
        Source = Path.Combine(sourceDir, "classroom-source.ipynb");
        Submissions = Path.Combine(Directory, "submitted");
        System.IO.Directory.CreateDirectory(Submissions);
    }

    public JsonObject SourceJson() => (JsonObject)JsonNode.Parse(File.ReadAllText(Source))!;

    public JsonObject StudentJson() => Assigner.StudentVersion(ClassroomNotebook.Load(Source));

    public static JsonObject Cell(JsonObject notebook, string id) =>
        (JsonObject)notebook["cells"]!.AsArray().Single(c => c!["id"]!.GetValue<string>() == id)!;

    public static void SetSource(JsonObject notebook, string id, string source) => ClassroomNotebook.SetSource(Cell(notebook, id), source);

    /// <summary>Writes a submission as submitted/NAME.ipynb.</summary>
    public string Submit(string name, JsonObject notebook)
    {
        var path = Path.Combine(Submissions, name + ".ipynb");
        File.WriteAllText(path, ClassroomNotebook.Serialize(notebook));
        return path;
    }

    public string SubmitText(string name, string text)
    {
        var path = Path.Combine(Submissions, name + ".ipynb");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The solved answer of the norm exercise, but over the whole batch (the classic WGAN-GP bug).</summary>
    public const string NormOverTheBatch =
        "double[] PerSampleNorms(double[][] grads)\n{\n    var all = Math.Sqrt(grads.Sum(g => g.Sum(x => x * x)));\n    return grads.Select(_ => all).ToArray();\n}";

    public static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await GanNotebooks.Runner.Cli.RunAsync(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>gradebook.csv's rows (an empty points field, a manually graded answer's, reads as null).</summary>
    /// <summary>The executed notebook of one student's graded run (NAME.ipynb, or NAME.failed.ipynb when a cell failed).</summary>
    public static JsonObject ExecutedOf(string outDir, string student)
    {
        var dir = Path.Combine(outDir, "runs", student, "executed");
        var path = new[] { "classroom-source.ipynb", "classroom-source.failed.ipynb" }.Select(f => Path.Combine(dir, f)).First(File.Exists);
        return (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
    }

    public static List<GradeRow> ReadCsv(string path)
    {
        var rows = new List<GradeRow>();
        foreach (var fields in ReadCsvRecords(path).Skip(1))
        {
            static double? Number(string s) => s.Length == 0 ? null : double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
            rows.Add(new GradeRow(fields[0], fields[1], Number(fields[2]), Number(fields[3])!.Value, fields[4],
                fields.Count > 5 ? fields[5] : GradeRow.Auto, fields.Count > 6 && fields[6].Length > 0 ? fields[6] : null));
        }
        return rows;
    }

    /// <summary>The records of an RFC 4180 file (quoted fields may hold commas, quotes and line feeds).</summary>
    public static List<List<string>> ReadCsvRecords(string path)
    {
        var text = File.ReadAllText(path);
        var records = new List<List<string>>();
        var fields = new List<string>();
        var b = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { b.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else b.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(b.ToString()); b.Clear(); }
            else if (c == '\n')
            {
                fields.Add(b.ToString());
                b.Clear();
                records.Add(fields);
                fields = [];
            }
            else b.Append(c);
        }
        if (b.Length > 0 || fields.Count > 0) { fields.Add(b.ToString()); records.Add(fields); }
        return records;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
