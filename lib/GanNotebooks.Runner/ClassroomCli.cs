using System.Globalization;
using GanNotebooks.Runner.Classroom;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Run;

namespace GanNotebooks.Runner;

/// <summary>The command lines of <c>gannb assign</c> and <c>gannb grade</c> (see <c>gannb --help</c>).</summary>
public static class ClassroomCli
{
    /// <summary>Runs <c>assign</c> or <c>grade</c> (args[0]); returns the exit code (0 done, 2 bad input).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var command = args[0];
        var (options, exit) = Parse(args, stdout, stderr);
        if (options is null) return exit;
        try
        {
            if (command == "assign")
            {
                Assigner.Assign(options.Files, options.OutDir, stdout);
                return NotebookRunner.ExitOk;
            }
            if (options.Source is null) return Usage(stderr, command, "--source SOURCE.ipynb is required.");
            await Grader.GradeAsync(new GradeOptions
            {
                Submissions = options.Files,
                Source = options.Source,
                OutputDirectory = options.OutDir,
                Timeout = TimeSpan.FromSeconds(options.Timeout),
                MemoryMb = options.MemoryMb,
                Profile = options.Profile,
                Out = stdout,
            }).ConfigureAwait(false);
            return NotebookRunner.ExitOk;
        }
        catch (ClassroomException e) { return Usage(stderr, command, e.Message); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Usage(stderr, command, $"cannot write the outputs: {e.Message}");
        }
    }

    /// <summary>The options of <c>assign</c> / <c>grade</c> as given.</summary>
    sealed record Options(List<string> Files, string OutDir, string? Source, double Timeout, int MemoryMb, BudgetProfile Profile);

    static int Usage(TextWriter stderr, string command, string message)
    {
        stderr.WriteLine($"gannb {command}: {message}");
        return NotebookRunner.ExitUsage;
    }

    /// <summary>Reads the options; null and the exit code when there is nothing to do (--help, a usage error).</summary>
    static (Options? Options, int Exit) Parse(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var command = args[0];
        (Options?, int) Stop(string message) => (null, Usage(stderr, command, message));
        var files = new List<string>();
        string? outDir = null, source = null;
        double timeout = 300;
        var memory = 4096;
        // Grading checks the exercises, not the chapter's experiments: the smoke budget unless --profile full.
        var profile = BudgetProfile.Smoke;
        var reader = new ArgumentReader(args, 1);
        while (reader.Next(out var a))
        {
            string? Value() => reader.Value();
            switch (a)
            {
                case "-h" or "--help":
                    stdout.WriteLine(Cli.Help);
                    return (null, NotebookRunner.ExitOk);
                case "-o" or "--out" or "--output":
                    outDir = Value();
                    if (outDir is null) return Stop($"{a} needs a value.");
                    break;
                case "--source" when command == "grade":
                    source = Value();
                    if (source is null) return Stop($"{a} needs a value.");
                    break;
                case "--timeout" when command == "grade":
                    var t = Value();
                    if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out timeout) || timeout <= 0)
                        return Stop($"--timeout {t}: give the limit of one submission's run in seconds (e.g. --timeout 300).");
                    break;
                case "--memory" when command == "grade":
                    var m = Value();
                    if (!int.TryParse(m, NumberStyles.Integer, CultureInfo.InvariantCulture, out memory) || memory < 256)
                        return Stop($"--memory {m}: give the limit of one submission's run in MB, at least 256 (e.g. --memory 4096).");
                    break;
                case "--profile" when command == "grade":
                    var p = Value();
                    try { profile = Profiles.ParseOption(p ?? ""); }
                    catch (ArgumentException e) { return Stop($"--profile {p}: {e.Message}"); }
                    break;
                default:
                    if (a.StartsWith('-') && a.Length > 1) return Stop($"unknown option '{a}'.");
                    files.Add(a);
                    break;
            }
        }
        if (outDir is null) return Stop("--out DIR is required.");
        if (files.Count == 0) return Stop(command == "assign" ? "no source notebook given: gannb assign SOURCE.ipynb... --out DIR" : "no submission given: gannb grade SUBMISSION.ipynb... --source SOURCE.ipynb --out DIR");
        return (new Options(files, outDir, source, timeout, memory, profile), NotebookRunner.ExitOk);
    }
}
