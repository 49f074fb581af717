using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using GanNotebooks.Runner.Classroom;
using GanNotebooks.Runner.Execution;
using Xunit.Abstractions;
using static GanNotebooks.Runner.Tests.Classroom.ClassroomFiles;

namespace GanNotebooks.Runner.Tests.Classroom;

/// <summary>A fact that needs bubblewrap working on this machine; skipped, with bwrap's reason, where it does not.</summary>
public sealed class BubblewrapFactAttribute : FactAttribute
{
    static readonly Lazy<string?> Missing = new(() => GradingSandbox.Detect().Warning);

    public BubblewrapFactAttribute()
    {
        if (Missing.Value is { } why) Skip = "needs a working bubblewrap sandbox (the guarantee holds only inside it); here: " + why;
    }
}

/// <summary>
/// One <c>gannb grade</c> of three submissions of a course laid out like the kit (source/ with the source notebook and
/// next week's, lib/ with the checks the source <c>#load</c>s as "../lib/…", data/, submitted/, graded/): alice and zoe
/// submit the solved notebook; mallory, graded between them, submits correct answers plus a cell that tries to overwrite
/// the others' submissions, read the source's solutions and next week's notebook, write the gradebook and feedback,
/// plant files in the kit, read the instructor's environment and home, and reach a loopback port this test listens on.
/// Each attempt prints "ATTEMPT label: SUCCEEDED" or "ATTEMPT label: blocked (…)".
/// </summary>
public abstract class TamperingClass : IAsyncLifetime
{
    public const string SecretVariable = "GANNB_TEST_SECRET";
    public ClassroomFiles Files { get; } = new();
    public string Root => Files.Directory;
    public string OutDir => Path.Combine(Root, "graded");
    public string NextWeek => Path.Combine(Root, "source", "next-week.ipynb");
    public Dictionary<string, string> Submitted { get; } = [];
    public Dictionary<string, string> Sha256 { get; } = [];
    public int ExitCode { get; private set; }
    public string Out { get; private set; } = "";
    public string Err { get; private set; } = "";
    public List<GradeRow> Rows { get; private set; } = [];
    public int Connections => _connections;

    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    int _connections;

    /// <summary>The bubblewrap program to grade with ("bwrap", or a name that is not installed: no sandbox).</summary>
    protected abstract string Sandbox { get; }

    public async Task InitializeAsync()
    {
        LayOutCourse();
        _listener.Start();
        _ = ServeAsync();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Submit("alice", Files.SourceJson());
        Submit("mallory", Attacker(port));
        Submit("zoe", Files.SourceJson());
        Sha256["source"] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Files.Source)));
        Environment.SetEnvironmentVariable(SecretVariable, "the instructor's token");
        try
        {
            var stdout = new StringWriter();
            await Grader.GradeAsync(new GradeOptions
            {
                Submissions = [Submitted["alice"], Submitted["mallory"], Submitted["zoe"]], Source = Files.Source, OutputDirectory = OutDir,
                Timeout = TimeSpan.FromSeconds(120), Profile = BudgetProfile.Smoke, Sandbox = Sandbox, Out = stdout,
            });
            Out = stdout.ToString();
        }
        catch (Exception e) { Err = e.ToString(); ExitCode = 1; }
        finally { Environment.SetEnvironmentVariable(SecretVariable, null); }
        if (File.Exists(Path.Combine(OutDir, "gradebook.csv"))) Rows = ReadCsv(Path.Combine(OutDir, "gradebook.csv"));
    }

    /// <summary>The kit's layout: the checks move to lib/ and the source loads them as "../lib/classroom-check.csx".</summary>
    void LayOutCourse()
    {
        var source = Path.GetDirectoryName(Files.Source)!;
        Directory.CreateDirectory(Path.Combine(Root, "lib"));
        File.Move(Path.Combine(source, "classroom-check.csx"), Path.Combine(Root, "lib", "classroom-check.csx"));
        var nb = Files.SourceJson();
        SetSource(nb, "setup", "#load \"../lib/classroom-check.csx\"\nConsole.WriteLine(\"checks loaded\");");
        File.WriteAllText(Files.Source, ClassroomNotebook.Serialize(nb));
        File.WriteAllText(NextWeek, "{\"cells\": [\"NEXT-WEEK-SECRET: next week's solutions and hidden tests\"]}");
        Directory.CreateDirectory(Path.Combine(Root, "data"));
        File.WriteAllText(Path.Combine(Root, "data", "readme.txt"), "course data");
    }

    /// <summary>Where a student's submission is (or will be) written: submitted/STUDENT.ipynb.</summary>
    public string PathOf(string student) => Path.Combine(Files.Submissions, student + ".ipynb");

    void Submit(string student, JsonObject notebook)
    {
        Submitted[student] = Files.Submit(student, notebook);
        Sha256[student] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Submitted[student])));
    }

    /// <summary>Correct answers without the solution markers (so its own notebook holds no secret), and the attack cell after the setup.</summary>
    JsonObject Attacker(int port)
    {
        var nb = Files.SourceJson();
        foreach (var cell in nb["cells"]!.AsArray().Select(c => c!.AsObject()))
        {
            var lines = ClassroomNotebook.SourceOf(cell).Split('\n');
            ClassroomNotebook.SetSource(cell, string.Join('\n', lines.Where(l => !l.Contains("BEGIN SOLUTION") && !l.Contains("END SOLUTION"))));
        }
        var attack = TestNotebook.Code(AttackCode(port));
        attack["id"] = "attack";
        var cells = nb["cells"]!.AsArray();
        cells.Insert(cells.IndexOf(Cell(nb, "setup")) + 1, attack);
        return nb;
    }

    string AttackCode(int port) => $$"""
        using System.IO;
        // The secrets are spelt in two parts, so that this cell's own text is not one.
        var secrets = new[] { "BEGIN " + "SOLUTION", "NEXT-WEEK-" + "SECRET" };
        void Attempt(string label, Action act)
        {
            string outcome;
            try { act(); outcome = "SUCCEEDED"; }
            catch (Exception e) { outcome = $"blocked ({e.GetType().Name}: {e.Message.Split('\n')[0]})"; }
            Console.WriteLine($"ATTEMPT {label}: {outcome}");
        }
        void ReadSecret(string path)
        {
            var text = File.ReadAllText(path);
            if (!secrets.Any(s => text.Contains(s))) throw new InvalidDataException($"read {text.Length} characters, no secret in them");
        }
        void List(string folder)
        {
            if (Directory.GetFileSystemEntries(folder).Length == 0) throw new InvalidDataException("an empty folder");
        }
        Attempt("overwrite-alice-absolute", () => File.WriteAllText(@"{{PathOf("alice")}}", "{}"));
        Attempt("overwrite-zoe-absolute", () => File.WriteAllText(@"{{PathOf("zoe")}}", "{}"));
        Attempt("overwrite-zoe-relative", () => File.WriteAllText("../submitted/zoe.ipynb", "{}"));
        Attempt("read-alice-absolute", () => ReadSecret(@"{{PathOf("alice")}}"));
        Attempt("read-alice-relative", () => ReadSecret("../submitted/alice.ipynb"));
        Attempt("read-source-absolute", () => ReadSecret(@"{{Files.Source}}"));
        Attempt("read-source-relative", () => ReadSecret("../source/classroom-source.ipynb"));
        Attempt("read-source-walking-up", () => ReadSecret("../../../../../../../../../.." + @"{{Files.Source}}"));
        Attempt("read-next-week-absolute", () => ReadSecret(@"{{NextWeek}}"));
        Attempt("read-next-week-beside", () => ReadSecret("next-week.ipynb"));
        Attempt("list-source-folder-absolute", () => List(@"{{Path.GetDirectoryName(Files.Source)}}"));
        Attempt("list-instructor-home", () => List(@"{{InstructorHome}}"));
        Attempt("write-gradebook-absolute", () => File.WriteAllText(@"{{Path.Combine(OutDir, "gradebook.csv")}}", "student,exercise,points,max,message\nmallory,gp-norm-tests,100,2,\n"));
        Attempt("write-alice-feedback-absolute", () => File.WriteAllText(@"{{Path.Combine(OutDir, "feedback", "alice.html")}}", "<p>alice: 0 points</p>"));
        Attempt("write-gradebook-relative", () => File.WriteAllText("../graded/gradebook.csv", "tampered"));
        Attempt("plant-in-kit", () => File.WriteAllText("../lib/planted.csx", "throw new Exception(\"planted\");"));
        Attempt("plant-in-data", () => File.WriteAllText("../data/planted.txt", "planted"));
        Attempt("tcp-loopback", () => { using var c = new System.Net.Sockets.TcpClient(); c.Connect("127.0.0.1", {{port}}); });
        Attempt("http-localhost", () => { using var h = new System.Net.Http.HttpClient { Timeout = TimeSpan.FromSeconds(5) }; h.GetStringAsync("http://localhost:{{port}}/").GetAwaiter().GetResult(); });
        Attempt("instructor-environment", () => { if (Environment.GetEnvironmentVariable("{{SecretVariable}}") is null) throw new InvalidDataException("not set"); });
        Console.WriteLine("HOME=" + Environment.GetEnvironmentVariable("HOME"));
        Attempt("read-data", () => Console.WriteLine("DATA=" + File.ReadAllText("../data/readme.txt")));
        """;

    public static string InstructorHome => Environment.GetEnvironmentVariable("HOME") ?? "/root";

    /// <summary>Accepts every connection (counting it) and answers it a tiny HTTP response.</summary>
    async Task ServeAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                try
                {
                    var stream = client.GetStream();
                    _ = await stream.ReadAsync(new byte[4096], _stop.Token); // the request, whatever it is
                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray(), _stop.Token);
                }
                catch (IOException) { }
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    public double Points(string student) => Rows.Where(r => r.Student == student).Sum(r => r.Points ?? 0);

    public JsonNode Gradebook() => JsonNode.Parse(File.ReadAllText(Path.Combine(OutDir, "gradebook.json")))!;

    /// <summary>The text a cell printed in a student's graded run.</summary>
    public string Output(string student, string cellId)
    {
        var dir = Path.Combine(OutDir, "runs", student, "executed");
        var path = new[] { "classroom-source.ipynb", "classroom-source.failed.ipynb" }.Select(f => Path.Combine(dir, f)).First(File.Exists);
        var executed = (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
        var outputs = Cell(executed, cellId)["outputs"]!.AsArray();
        // An error (the cell did not compile, say) is part of what it printed, so that a failing test shows it.
        return string.Concat(outputs.Select(o => o!["output_type"]!.GetValue<string>() == "error" ? o.ToJsonString() + "\n" : Run.Text(o)));
    }

    /// <summary>The attack cell's lines, from mallory's graded run.</summary>
    public string AttackOutput() => Output("mallory", "attack");

    /// <summary>The outcome printed for one attempt ("SUCCEEDED" or "blocked (…)"); fails when the attempt did not run.</summary>
    public string Outcome(string label)
    {
        var output = AttackOutput();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith($"ATTEMPT {label}: ", StringComparison.Ordinal));
        Assert.True(line is not null, $"the attack cell did not report '{label}'; its output:\n{output}\n{Context}");
        return line![$"ATTEMPT {label}: ".Length..];
    }

    public string Context => $"stdout:\n{Out}\nerror:\n{Err}";

    public Task DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Files.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Graded with bubblewrap when it works here (else without: the facts that need it are skipped).</summary>
public sealed class SandboxedTamperingClass : TamperingClass
{
    protected override string Sandbox => "bwrap";
}

/// <summary>Graded as on a machine without bubblewrap.</summary>
public sealed class UnsandboxedTamperingClass : TamperingClass
{
    protected override string Sandbox => "gannb-test-no-such-bwrap";
}

/// <summary>What holds with and without the sandbox.</summary>
public abstract class TamperingTests<TClass>(TClass graded, ITestOutputHelper output) where TClass : TamperingClass
{
    protected TClass Graded => graded;

    [Fact]
    public void Every_student_is_graded_and_the_attempts_change_no_ones_grade()
    {
        output.WriteLine(graded.Out);
        output.WriteLine(graded.AttackOutput());
        Assert.True(graded.Err == "", graded.Context);
        foreach (var student in new[] { "alice", "mallory", "zoe" })
            Assert.True(graded.Points(student) == 4, $"{student}: {graded.Points(student)} points, not 4\n{graded.Context}");
        var students = graded.Gradebook()["students"]!.AsArray();
        Assert.All(students, s => Assert.Equal("graded", s!["status"]!.GetValue<string>()));
    }

    [Fact]
    public void The_gradebook_records_the_sha256_of_each_file_as_read_before_any_student_code_ran()
    {
        var book = graded.Gradebook();
        Assert.Equal(graded.Sha256["source"], book["source_sha256"]!.GetValue<string>());
        foreach (var s in book["students"]!.AsArray())
            Assert.Equal(graded.Sha256[s!["student"]!.GetValue<string>()], s["sha256"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("overwrite-zoe-relative")]
    [InlineData("read-alice-relative")]
    [InlineData("read-source-relative")]
    [InlineData("read-next-week-beside")]
    [InlineData("write-gradebook-relative")]
    [InlineData("instructor-environment")]
    public void Relative_paths_and_the_instructors_environment_get_nothing(string attempt) =>
        Assert.StartsWith("blocked", graded.Outcome(attempt));

    [Fact]
    public void The_run_has_an_empty_home_of_its_own_and_sees_the_kits_lib_and_data()
    {
        var output = graded.AttackOutput();
        var home = output.Split('\n').Single(l => l.StartsWith("HOME=", StringComparison.Ordinal))["HOME=".Length..];
        Assert.NotEqual(TamperingClass.InstructorHome, home);
        foreach (var student in new[] { "alice", "mallory", "zoe" }) Assert.Contains("checks loaded", graded.Output(student, "setup")); // #load "../lib/…"
        if (Environment.GetEnvironmentVariable("GANKIT_DATA") is null) Assert.Contains("DATA=course data", output);
    }
}

public sealed class SandboxedTamperingTests(SandboxedTamperingClass graded, ITestOutputHelper output)
    : TamperingTests<SandboxedTamperingClass>(graded, output), IClassFixture<SandboxedTamperingClass>
{
    [BubblewrapFact]
    public void The_gradebook_says_the_runs_were_sandboxed_and_no_warning_is_printed()
    {
        Assert.Equal("bubblewrap", Graded.Gradebook()["sandbox"]!.GetValue<string>());
        Assert.DoesNotContain("warning", Graded.Out);
        Assert.Contains("sandbox: bubblewrap", Graded.Out);
    }

    [BubblewrapFact]
    public void Absolute_paths_to_the_instructors_files_get_nothing()
    {
        foreach (var attempt in new[] { "overwrite-alice-absolute", "overwrite-zoe-absolute", "read-alice-absolute", "read-source-absolute", "read-source-walking-up",
                                        "read-next-week-absolute", "list-source-folder-absolute", "list-instructor-home", "write-gradebook-absolute",
                                        "write-alice-feedback-absolute", "plant-in-kit", "plant-in-data" })
            Assert.True(Graded.Outcome(attempt).StartsWith("blocked", StringComparison.Ordinal), $"{attempt}: {Graded.Outcome(attempt)}");
    }

    [BubblewrapFact]
    public void The_instructors_files_are_as_they_were()
    {
        foreach (var student in new[] { "alice", "zoe" })
            Assert.Equal(Graded.Sha256[student], Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Graded.Submitted[student]))));
        Assert.False(File.Exists(Path.Combine(Graded.Root, "lib", "planted.csx")));
        Assert.False(File.Exists(Path.Combine(Graded.Root, "data", "planted.txt")));
        Assert.Contains("Grades: alice — 4 / 4 points", File.ReadAllText(Path.Combine(Graded.OutDir, "feedback", "alice.html")));
    }

    [BubblewrapFact]
    public void The_network_is_out_of_reach_even_on_loopback()
    {
        Assert.StartsWith("blocked", Graded.Outcome("tcp-loopback"));
        Assert.StartsWith("blocked", Graded.Outcome("http-localhost"));
        Assert.Equal(0, Graded.Connections);
    }
}

public sealed class UnsandboxedTamperingTests(UnsandboxedTamperingClass graded, ITestOutputHelper output)
    : TamperingTests<UnsandboxedTamperingClass>(graded, output), IClassFixture<UnsandboxedTamperingClass>
{
    [Fact]
    public void A_one_line_warning_says_what_is_not_isolated_and_how_to_fix_it()
    {
        var warning = Assert.Single(Graded.Out.Split('\n'), l => l.StartsWith("warning:", StringComparison.Ordinal));
        Assert.StartsWith("warning: grading without a sandbox: 'gannb-test-no-such-bwrap' (bubblewrap) is not installed.", warning);
        Assert.Contains("the source notebooks with the solutions", warning);
        Assert.Contains("install bubblewrap (apt-get install bubblewrap)", warning);
        Assert.Equal("none", Graded.Gradebook()["sandbox"]!.GetValue<string>());
    }

    [Fact]
    public void A_submission_overwritten_by_an_earlier_run_is_graded_from_the_copy_read_before()
    {
        // Without the sandbox the overwrite happens (zoe's file is "{}" now), and zoe still scores what she submitted.
        Assert.Equal("SUCCEEDED", Graded.Outcome("overwrite-zoe-absolute"));
        Assert.Equal("{}", File.ReadAllText(Graded.Submitted["zoe"]));
        Assert.Equal(4, Graded.Points("zoe"));
    }

    [Fact]
    public void Deleting_the_private_folder_does_not_follow_its_links_into_the_kit()
    {
        Assert.True(File.Exists(Path.Combine(Graded.Root, "lib", "classroom-check.csx")));
        Assert.True(File.Exists(Path.Combine(Graded.Root, "data", "readme.txt")));
    }
}

/// <summary>The pieces, without a grading run.</summary>
public class GradingPiecesTests
{
    [Fact]
    public void The_layout_copies_the_sources_own_loads_and_shows_the_folders_beside_it_read_only()
    {
        using var files = new ClassroomFiles();
        var root = files.Directory;
        Directory.CreateDirectory(Path.Combine(root, "lib"));
        File.WriteAllText(Path.Combine(root, "lib", "kit.csx"), "");
        var nb = files.SourceJson();
        SetSource(nb, "setup", "#load \"classroom-check.csx\"\n#load \"../lib/kit.csx\"\n#r \"nuget: Some.Package\"\n#r \"System.Xml\"");
        File.WriteAllText(files.Source, ClassroomNotebook.Serialize(nb));

        var layout = CourseLayout.Of(ClassroomNotebook.Load(files.Source));

        Assert.Equal("source", layout.FolderName);
        var copy = Assert.Single(layout.Copies);
        Assert.Equal("classroom-check.csx", copy.RelativePath);
        var view = Assert.Single(layout.Views, v => v.ViewPath == "lib");
        Assert.Equal(Path.Combine(root, "lib"), view.HostPath);
        Assert.DoesNotContain(layout.Views, v => v.HostPath.Contains("submitted") || v.HostPath == Path.GetDirectoryName(files.Source));
    }

    [Fact]
    public void A_relative_load_from_outside_the_course_folder_is_refused_with_a_clear_message()
    {
        using var files = new ClassroomFiles();
        var outside = Path.Combine(Path.GetDirectoryName(files.Directory)!, "outside-" + Guid.NewGuid().ToString("N")[..6] + ".csx");
        File.WriteAllText(outside, "");
        try
        {
            var nb = files.SourceJson();
            SetSource(nb, "setup", $"#load \"../../{Path.GetFileName(outside)}\"");
            File.WriteAllText(files.Source, ClassroomNotebook.Serialize(nb));
            var e = Assert.Throws<ClassroomException>(() => CourseLayout.Of(ClassroomNotebook.Load(files.Source)));
            Assert.Contains($"cell 2 (id 'setup', grade_id 'setup'): \"../../{Path.GetFileName(outside)}\" is outside the course folder", e.Message);
        }
        finally { File.Delete(outside); }
    }

    [Fact]
    public void Each_run_gets_a_copy_of_the_instructors_kit_cache_in_its_own_home()
    {
        var cache = Directory.CreateTempSubdirectory("gannb-kitcache-").FullName;
        var saved = Environment.GetEnvironmentVariable("GANKIT_CACHE");
        try
        {
            File.WriteAllText(Path.Combine(cache, "kernels.json"), "{\"verdict\": 1}");
            Environment.SetEnvironmentVariable("GANKIT_CACHE", cache);
            var copies = KitCache.Read();
            Assert.Equal([Path.Combine(".cache", "gannotebooks", "kernels.json")], copies.Select(c => c.RelativePath));
            using var folder = GradingFolder.Create(new CourseLayout("source", [], [], false), "nb.ipynb", "{}", linkViews: false, homeFiles: copies);
            var copy = Path.Combine(folder.Home, ".cache", "gannotebooks", "kernels.json");
            Assert.Equal("{\"verdict\": 1}", File.ReadAllText(copy));
            File.WriteAllText(copy, "changed by a run");
            Assert.Equal("{\"verdict\": 1}", File.ReadAllText(Path.Combine(cache, "kernels.json"))); // a copy, not the instructor's file
        }
        finally
        {
            Environment.SetEnvironmentVariable("GANKIT_CACHE", saved);
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public void A_result_that_is_a_link_is_not_read()
    {
        using var files = new ClassroomFiles();
        var layout = new CourseLayout("source", [], [], false);
        var folder = GradingFolder.Create(layout, "nb.ipynb", "{}", linkViews: false);
        var executed = Path.Combine(folder.Work, "executed");
        Directory.CreateDirectory(executed);
        File.CreateSymbolicLink(Path.Combine(executed, "nb.ipynb"), files.Source);
        Assert.Null(folder.ReadResult("nb.ipynb", out var problem));
        Assert.Equal($"executed{Path.DirectorySeparatorChar}nb.ipynb is a link, not the run's result; it was not read.", problem);

        Directory.Delete(executed, recursive: true);
        Directory.CreateSymbolicLink(executed, Path.GetDirectoryName(files.Source)!);
        Assert.Null(folder.ReadResult("classroom-source.ipynb", out problem));
        Assert.StartsWith("executed is a link", problem);
        folder.Dispose();
        Assert.False(Directory.Exists(folder.Root));
        Assert.True(File.Exists(files.Source)); // deleting the folder removed the link, not what it points to
    }

    [Fact]
    public void Without_bwrap_the_sandbox_is_off_with_a_warning()
    {
        var sandbox = GradingSandbox.Detect("gannb-test-no-such-bwrap");
        Assert.False(sandbox.Isolated);
        Assert.Equal("none", sandbox.Name);
        Assert.DoesNotContain('\n', sandbox.Warning!);
    }
}
