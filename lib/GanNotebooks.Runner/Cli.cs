using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Run;

namespace GanNotebooks.Runner;

/// <summary>The <c>gannb</c> command line (a thin layer over <see cref="NotebookRunner"/>).</summary>
public static class Cli
{
    /// <summary>Usage text printed by <c>gannb --help</c>.</summary>
    public const string Help = """
        gannb — run a C# notebook (.ipynb, .NET Interactive C# kernel) headless.

        Usage:
          gannb run NOTEBOOK.ipynb [-p Name=Value ...] [--out DIR] [--profile full|smoke|paper]
                                   [--continue-on-error] [--cwd DIR]
          gannb assign SOURCE.ipynb... --out DIR
          gannb grade SUBMISSION.ipynb... --source SOURCE.ipynb --out DIR [--timeout SECONDS]
                                   [--memory MB] [--profile full|smoke|paper]
          gannb verify EXECUTED.ipynb [--out DIR] [--rtol 1e-6] [--atol 1e-9]
          gannb results DIR... [--readme README.md]
          gannb sweep NOTEBOOK.ipynb -p NAME=VALUES ... --out DIR [--jobs N] [--profile full|smoke|paper]
                                   [--emit slurm [--partition P] [--cpus N] [--mem MB] [--time HH:MM:SS]]
          gannb collect DIR
          gannb export NOTEBOOK.ipynb --to app OUT.cs
          gannb --help

        Options:
          -p, --parameter Name=Value  Override a variable of the cell tagged 'parameters' (papermill
                                      convention). The value must parse as the declared type
                                      (int, long, float, double, decimal, bool, string).
          -o, --out DIR               Output folder (default: out/<notebook-name>/ beside the notebook).
          --profile full|smoke|paper  Budget profile: sets GANKIT_PROFILE for the run (the kit reads it); paper
                                      runs a paper's own setting where the notebook has one.
                                      Default: $GANKIT_PROFILE, else full.
          --continue-on-error         Run every cell even after one fails (each failing cell gets its error
                                      output; the exit code is still 1).
          --cwd DIR                   The kernel's current directory (default: the notebook's folder).

        Classroom (nbgrader cell metadata; see lib/GanNotebooks.Runner/Classroom/README.md):
          assign    writes the student version of each SOURCE into DIR: solution regions replaced by a stub
                    that throws NotImplementedException, hidden tests removed, outputs cleared.
          grade     reads every submission first, restores the source's locked and test cells in each,
                    puts the hidden tests back, runs it in its own process and empty temp folder, inside
                    bubblewrap (bwrap: no network, only the kit visible) when installed, else with a
                    warning (--timeout, default 300 s; --memory, default 4096 MB; --profile, default
                    smoke), scores every grade cell on its own and writes
                    DIR/gradebook.csv, DIR/gradebook.json and DIR/feedback/STUDENT.html. The student is the
                    file name, or the folder name when the file has the source's name (DIR/STUDENT/NB.ipynb).
                    Exit 0 when grading completed (also with failing students), 2 for bad input.

        Write-ups (see README, "Write-ups and sweeps"):
          verify    re-runs an executed notebook with the parameters, profile and variables of its manifest
                    (metadata.gannb.manifest) and compares every output: text and tables exactly, numbers
                    and chart data within --rtol/--atol, images byte for byte; timings are not compared.
                    Prints each difference; exit 0 identical, 1 different.
          results   reads the executed notebooks (manifests, claims) in the given folders and writes
                    README's results table between <!-- results:begin --> and <!-- results:end -->
                    (full-profile runs) and the paper section, "kit vs paper", between
                    <!-- paper-results:begin --> and <!-- paper-results:end --> (paper-profile runs).
          sweep     runs the grid of -p values (seed=1..10, lr=1e-4,2e-4; several -p multiply), each as an
                    ordinary run in DIR/runs/NAME=VALUE,…/, skipping runs already complete; then collects
                    claims and metrics into DIR/sweep.csv and DIR/sweep.html (mean ± s.e. over seeds per
                    setting). --emit slurm writes DIR/sweep.sbatch (a job array, one task per run) instead
                    of running; after the array, `gannb collect DIR` merges the results.
          export    writes the notebook's code cells as a .NET 10 file-based app (dotnet run OUT.cs):
                    markdown as comments, parameters as --name value options, displays written to files.

        Runs the cells in the .NET Interactive C# kernel (the one Jupyter and VS Code start), with the
        notebook's folder as the current directory. Writes DIR/<name>.ipynb (executed notebook, nbformat
        4.5) and DIR/<name>.html (self-contained report); files the notebook writes to $GANKIT_OUT land
        in DIR. When a cell fails, writes <name>.failed.ipynb / <name>.failed.html instead and leaves
        the last good run's files untouched.

        Exit codes: 0 all cells ran; 1 a cell failed (stderr: "cell N (line L): message", cells
        numbered as in the notebook, lines as in the cell); 2 bad command line, unreadable or non-C#
        notebook, bad -p value, or a cell for another kernel (#!fsharp…).

        From the repository: dotnet run --project lib/GanNotebooks.Runner -c Release -- run notebooks/00-setup.ipynb
        """;

    /// <summary>Parses the command line and runs; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        if (args.Length == 0) return Usage(stderr, "no command given.");
        if (args[0] is "-h" or "--help" or "help" or "-?")
        {
            stdout.WriteLine(Help);
            return NotebookRunner.ExitOk;
        }
        if (args[0] is "assign" or "grade") return await ClassroomCli.RunAsync(args, stdout, stderr).ConfigureAwait(false);
        if (WriteupsCli.Commands.Contains(args[0])) return await WriteupsCli.RunAsync(args, stdout, stderr).ConfigureAwait(false);
        if (args[0] != "run") return Usage(stderr, $"unknown command '{args[0]}'; the commands are 'run', 'assign', 'grade', 'verify', 'results', 'sweep', 'collect' and 'export'.");
        var (options, exit) = ParseRun(args, stdout, stderr);
        return options is null ? exit : await RunNotebookAsync(options, stderr).ConfigureAwait(false);
    }

    /// <summary>Prints a usage error; returns exit code 2.</summary>
    static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine($"gannb: {message}");
        stderr.WriteLine("Try 'gannb --help'.");
        return NotebookRunner.ExitUsage;
    }

    /// <summary>The options of <c>gannb run</c>, or null and the exit code when there is nothing to run (--help, a usage error).</summary>
    static (RunOptions? Options, int Exit) ParseRun(string[] args, TextWriter stdout, TextWriter stderr)
    {
        (RunOptions?, int) Stop(int exit) => (null, exit);
        string? notebook = null, outDir = null, cwd = null;
        var continueOnError = false;
        BudgetProfile? profile = null;
        var parameters = new List<string>();
        var reader = new ArgumentReader(args, 1);
        while (reader.Next(out var a))
        {
            string Value() => reader.Value() ?? throw new CliException($"{a} needs a value.");
            try
            {
                switch (a)
                {
                    case "-h" or "--help":
                        stdout.WriteLine(Help);
                        return Stop(NotebookRunner.ExitOk);
                    case "-p" or "--parameter" or "--param":
                        var p = Value();
                        if (!p.Contains('=')) return Stop(Usage(stderr, $"-p {p}: expected Name=Value (e.g. -p steps=500)."));
                        parameters.Add(p);
                        break;
                    case "-o" or "--out" or "--output":
                        outDir = Value();
                        break;
                    case "--continue-on-error":
                        continueOnError = true;
                        break;
                    case "--cwd":
                        cwd = Value();
                        break;
                    case "--profile":
                        var text = Value();
                        try { profile = Profiles.ParseOption(text); }
                        catch (ArgumentException e) { return Stop(Usage(stderr, $"--profile {text}: {e.Message}")); }
                        break;
                    default:
                        if (a.StartsWith('-') && a.Length > 1) return Stop(Usage(stderr, $"unknown option '{a}'."));
                        if (notebook is not null) return Stop(Usage(stderr, $"one notebook per run ('{notebook}' and '{a}' given)."));
                        notebook = a;
                        break;
                }
            }
            catch (CliException e) { return Stop(Usage(stderr, e.Message)); }
        }
        if (notebook is null) return Stop(Usage(stderr, "no notebook given: gannb run NOTEBOOK.ipynb"));
        return (new RunOptions
        {
            NotebookPath = notebook,
            Parameters = parameters,
            OutputDirectory = outDir,
            Profile = profile,
            ContinueOnError = continueOnError,
            WorkingDirectory = cwd,
            Out = stdout,
            Error = stderr,
        }, NotebookRunner.ExitOk);
    }

    /// <summary>Runs the notebook; returns its exit code (2 also when the output folder cannot be written).</summary>
    static async Task<int> RunNotebookAsync(RunOptions options, TextWriter stderr)
    {
        try
        {
            var result = await NotebookRunner.RunAsync(options).ConfigureAwait(false);
            return result.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Cell failures are results, not exceptions; this is the output folder being unusable.
            stderr.WriteLine($"gannb: cannot write the outputs: {e.Message}");
            return NotebookRunner.ExitUsage;
        }
    }

    sealed class CliException(string message) : Exception(message);
}
