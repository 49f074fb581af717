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
        int Usage(string message)
        {
            stderr.WriteLine($"gannb {command}: {message}");
            return NotebookRunner.ExitUsage;
        }

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
                    return NotebookRunner.ExitOk;
                case "-o" or "--out" or "--output":
                    outDir = Value();
                    if (outDir is null) return Usage($"{a} needs a value.");
                    break;
                case "--source" when command == "grade":
                    source = Value();
                    if (source is null) return Usage($"{a} needs a value.");
                    break;
                case "--timeout" when command == "grade":
                    var t = Value();
                    if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out timeout) || timeout <= 0)
                        return Usage($"--timeout {t}: give the limit of one submission's run in seconds (e.g. --timeout 300).");
                    break;
                case "--memory" when command == "grade":
                    var m = Value();
                    if (!int.TryParse(m, NumberStyles.Integer, CultureInfo.InvariantCulture, out memory) || memory < 256)
                        return Usage($"--memory {m}: give the limit of one submission's run in MB, at least 256 (e.g. --memory 4096).");
                    break;
                case "--profile" when command == "grade":
                    var p = Value();
                    if (p is not ("smoke" or "full")) return Usage($"--profile {p}: use smoke or full.");
                    profile = Profiles.Parse(p);
                    break;
                default:
                    if (a.StartsWith('-') && a.Length > 1) return Usage($"unknown option '{a}'.");
                    files.Add(a);
                    break;
            }
        }
        if (outDir is null) return Usage("--out DIR is required.");
        if (files.Count == 0) return Usage(command == "assign" ? "no source notebook given: gannb assign SOURCE.ipynb... --out DIR" : "no submission given: gannb grade SUBMISSION.ipynb... --source SOURCE.ipynb --out DIR");

        try
        {
            if (command == "assign")
            {
                Assigner.Assign(files, outDir, stdout);
                return NotebookRunner.ExitOk;
            }
            if (source is null) return Usage("--source SOURCE.ipynb is required.");
            await Grader.GradeAsync(new GradeOptions
            {
                Submissions = files,
                Source = source,
                OutputDirectory = outDir,
                Timeout = TimeSpan.FromSeconds(timeout),
                MemoryMb = memory,
                Profile = profile,
                Out = stdout,
            }).ConfigureAwait(false);
            return NotebookRunner.ExitOk;
        }
        catch (ClassroomException e) { return Usage(e.Message); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Usage($"cannot write the outputs: {e.Message}");
        }
    }
}
