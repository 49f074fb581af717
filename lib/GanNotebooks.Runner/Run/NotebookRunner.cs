using System.Diagnostics;
using System.Globalization;
using GanNotebooks.Runner.Classroom;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Kernel;
using GanNotebooks.Runner.Manifest;
using GanNotebooks.Runner.Output;
using GanNotebooks.Runner.Report;
using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Run;

/// <summary>What to run and where to write (see <c>gannb --help</c>).</summary>
public sealed record RunOptions
{
    /// <summary>The .ipynb to run.</summary>
    public required string NotebookPath { get; init; }
    /// <summary>Raw -p overrides, each "Name=Value".</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];
    /// <summary>Output folder; default <c>out/&lt;name&gt;/</c> beside the notebook.</summary>
    public string? OutputDirectory { get; init; }
    /// <summary>Budget profile; default GANKIT_PROFILE, else full.</summary>
    public BudgetProfile? Profile { get; init; }
    /// <summary>Progress and echoed cell output (default: the process's stdout).</summary>
    public TextWriter? Out { get; init; }
    /// <summary>Error lines (default: the process's stderr).</summary>
    public TextWriter? Error { get; init; }
    /// <summary>Keep running the cells after one fails (every failing cell gets its error output; the run still ends
    /// with exit code 1). Grading needs every exercise's outcome.</summary>
    public bool ContinueOnError { get; init; }
    /// <summary>Current directory of the kernel (relative #load / #r paths); default the notebook's folder.</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>How a run ended.</summary>
/// <param name="ExitCode">0 success, 1 a cell failed, 2 the notebook or the command line is unusable.</param>
/// <param name="NotebookOutputPath">Executed notebook written, or null.</param>
/// <param name="ReportPath">HTML report written, or null.</param>
/// <param name="Cells">Cells in run order (empty when nothing ran).</param>
/// <param name="ErrorMessage">The line printed on stderr, or null.</param>
/// <param name="Elapsed">Total wall time.</param>
/// <param name="Profile">Budget profile used.</param>
public sealed record RunResult(int ExitCode, string? NotebookOutputPath, string? ReportPath, IReadOnlyList<CellRun> Cells,
    string? ErrorMessage, TimeSpan Elapsed, BudgetProfile Profile)
{
    /// <summary>The run's manifest (also in the executed notebook's metadata.gannb.manifest), or null when nothing ran.</summary>
    public RunManifest? Manifest { get; init; }
    /// <summary>True when every cell ran.</summary>
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs a C# notebook headless in the embedded .NET Interactive C# kernel (see <see cref="KernelHost"/>): cells in
/// order in one kernel session, with the notebook's folder as the current directory (as Jupyter starts kernels), its
/// outputs taken as the kernel formats them, the executed notebook and a self-contained HTML report written (see
/// <c>gannb --help</c>). One run at a time per process (the kernel's console capture, the current directory and the
/// GANKIT_* variables are process-wide); all of them are restored when the run ends, also when it fails.
/// </summary>
public static class NotebookRunner
{
    /// <summary>Exit code: every cell ran.</summary>
    public const int ExitOk = 0;
    /// <summary>Exit code: a cell failed to compile or threw.</summary>
    public const int ExitCellFailed = 1;
    /// <summary>Exit code: bad command line, unreadable or non-C# notebook, bad parameters, a cell for another kernel.</summary>
    public const int ExitUsage = 2;

    /// <summary>Kernels of the .NET Interactive tool other than C#: a cell that switches to one cannot run here.</summary>
    static readonly string[] OtherKernels =
        ["fsharp", "f#", "pwsh", "powershell", "javascript", "js", "html", "mermaid", "sql", "kql", "http", "value", "python", "r"];

    static readonly SemaphoreSlim OneAtATime = new(1, 1);

    /// <summary>Runs a notebook. Never throws for notebook problems: see <see cref="RunResult.ExitCode"/>.</summary>
    public static async Task<RunResult> RunAsync(RunOptions options, CancellationToken cancellationToken = default)
    {
        await OneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try { return await RunCoreAsync(options, cancellationToken).ConfigureAwait(false); }
        finally { OneAtATime.Release(); }
    }

    sealed record Numbered(INotebookCell Cell, int Number, bool Injected)
    {
        public string Label => Injected ? $"injected-parameters cell (after cell {Number})" : $"cell {Number}";
    }

    /// <summary>What a run will do, decided (and checked) before any cell runs.</summary>
    /// <param name="Path">The notebook's full path.</param>
    /// <param name="Name">Its file name without extension (the outputs' names).</param>
    /// <param name="Notebook">The document, with the injected-parameters cell in place.</param>
    /// <param name="Cells">Its cells in run order, numbered as in the input notebook.</param>
    /// <param name="OutDir">The output folder.</param>
    /// <param name="WorkingDirectory">The kernel's current directory.</param>
    /// <param name="Profile">The budget profile.</param>
    sealed record Plan(string Path, string Name, INotebookDocument Notebook, List<Numbered> Cells, string OutDir, string WorkingDirectory, BudgetProfile Profile)
    {
        /// <summary>Cells of the input notebook (the injected one not counted).</summary>
        public int Count => Cells.Count(c => !c.Injected);
    }

    /// <summary>What the cells produced so far, and what the manifest needs from the time they ran.</summary>
    sealed class Progressing(Plan plan, TextWriter log, TextWriter err)
    {
        public TextWriter Log { get; } = log;
        public TextWriter Err { get; } = err;
        public RunOutputs Outputs { get; } = new(log);
        public List<CellRun> Runs { get; } = [];
        public List<(INotebookCell Cell, List<CellOutput> Outputs, int? Count)> Executed { get; } = [];
        public string? Failure { get; set; }
        public int ExecutionCount { get; set; }
        public int Width { get; } = plan.Count.ToString(CultureInfo.InvariantCulture).Length;
        /// <summary>The hidden folder inside the output folder where the notebook's own files (GANKIT_OUT) go during the run.</summary>
        public string Staging { get; } = System.IO.Path.Combine(plan.OutDir, StagingPrefix + Guid.NewGuid().ToString("N")[..8]);
        public DateTimeOffset Start { get; } = DateTimeOffset.UtcNow;
        public TimeSpan CpuAtStart { get; } = Process.GetCurrentProcess().TotalProcessorTime;
        public (string Commit, bool? Dirty, List<string> DirtyFiles) GitAtStart { get; } = ManifestBuilder.GitAtStart(plan.Path);
    }

    static async Task<RunResult> RunCoreAsync(RunOptions options, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        // Taken before the kernel starts: it captures Console.Out / Console.Error while cells run.
        var log = options.Out ?? Console.Out;
        var err = options.Error ?? Console.Error;

        // 1. Read and check everything before running anything.
        var (plan, unusable) = Prepare(options, total, err);
        if (plan is null) return unusable!;

        // 2. Run. Files the notebook writes itself (GANKIT_OUT) go to a staging folder inside the output folder; they
        // replace the previous run's files only when every cell ran (see PublishNotebookFiles), like the notebook and the report.
        var run = new Progressing(plan, log, err);
        using var dataWatch = ManifestBuilder.DataFolder(plan.Path) is { } dataFolder ? new DataFileWatch(dataFolder) : null;
        await RunCellsAsync(plan, run, options.ContinueOnError, dataWatch, cancellationToken).ConfigureAwait(false);

        // 3. Write the executed notebook and the report; a failed run never replaces a good run's files.
        total.Stop();
        return WriteResults(plan, run, options.Parameters, total.Elapsed, dataWatch);
    }

    /// <summary>Reads the notebook, checks its kernel and cells and injects the -p values: the plan, or the usage error (exit 2) it ran into.</summary>
    static (Plan? Plan, RunResult? Unusable) Prepare(RunOptions options, Stopwatch total, TextWriter err)
    {
        (Plan?, RunResult?) Usage(string message, BudgetProfile p)
        {
            err.WriteLine($"gannb: {message}");
            return (null, new RunResult(ExitUsage, null, null, [], message, total.Elapsed, p));
        }

        BudgetProfile profile;
        try { profile = options.Profile ?? Profiles.Parse(Environment.GetEnvironmentVariable(Profiles.EnvironmentVariable)); }
        catch (ArgumentException e) { return Usage(e.Message, BudgetProfile.Full); }
        INotebookDocument notebook;
        var path = Path.GetFullPath(options.NotebookPath);
        try { notebook = KernelHost.LoadNotebook(path); }
        catch (NotebookException e) { return Usage(e.Message, profile); }
        if (notebook.CheckCSharpKernel() is { } kernelProblem) return Usage($"{path}: {kernelProblem}", profile);
        var name = Path.GetFileNameWithoutExtension(path);
        var outDir = Path.GetFullPath(options.OutputDirectory ?? Path.Combine(Path.GetDirectoryName(path)!, "out", name));
        // The kernel's current directory: the notebook's folder (as Jupyter starts kernels), or --cwd (grading runs a
        // submission from the source's folder, so the source's relative #load paths resolve).
        var notebookDir = options.WorkingDirectory is { } cwd ? Path.GetFullPath(cwd) : Path.GetDirectoryName(path)!;
        if (!Directory.Exists(notebookDir)) return Usage($"--cwd {notebookDir}: no such folder.", profile);

        // Original numbering: cell N is the N-th cell of the input notebook.
        var numbered = notebook.Cells.Select((c, i) => new Numbered(c, i + 1, false)).ToList();
        if (numbered.Select(CheckKernel).FirstOrDefault(p => p is not null) is { } otherKernel) return Usage(otherKernel, profile);
        try { InjectParameters(notebook, numbered, options.Parameters); }
        catch (ParameterException e) { return Usage(e.Message, profile); }
        return (new Plan(path, name, notebook, numbered, outDir, notebookDir, profile), null);
    }

    /// <summary>
    /// Runs the cells in one kernel session, with the profile, GANKIT_OUT and the current directory set for the run and
    /// restored afterwards (also the console the kernel captures), whatever happens.
    /// </summary>
    static async Task RunCellsAsync(Plan plan, Progressing run, bool continueOnError, DataFileWatch? dataWatch, CancellationToken cancellationToken)
    {
        var saved = (Profile: Environment.GetEnvironmentVariable(Profiles.EnvironmentVariable),
                     OutDir: Environment.GetEnvironmentVariable(Profiles.OutputEnvironmentVariable),
                     Directory: Environment.CurrentDirectory, Stdout: Console.Out, Stderr: Console.Error);
        try
        {
            Environment.SetEnvironmentVariable(Profiles.EnvironmentVariable, plan.Profile.Name());
            Environment.SetEnvironmentVariable(Profiles.OutputEnvironmentVariable, run.Staging);
            // Relative #load / #r paths resolve against the notebook's folder, as in Jupyter (kernels start there).
            Environment.CurrentDirectory = plan.WorkingDirectory;
            await using var kernel = KernelHost.StartKernel();
            foreach (var item in plan.Cells)
            {
                if (run.Failure is not null && !continueOnError) Skip(item, run);
                else if (item.Cell.Kind != CellKind.Code) Show(item, run, plan.Count);
                else await RunCodeCellAsync(kernel, item, run, plan.Count, dataWatch, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Console.SetOut(saved.Stdout);
            Console.SetError(saved.Stderr);
            Environment.CurrentDirectory = saved.Directory;
            Environment.SetEnvironmentVariable(Profiles.EnvironmentVariable, saved.Profile);
            Environment.SetEnvironmentVariable(Profiles.OutputEnvironmentVariable, saved.OutDir);
        }
    }

    /// <summary>A cell after a failed one: not run, its outputs cleared.</summary>
    static void Skip(Numbered item, Progressing run)
    {
        var cell = item.Cell;
        cell.SetOutputs([], null);
        run.Runs.Add(new CellRun(item.Number, item.Injected, cell.Kind, cell.Source, cell.Source, null, TimeSpan.Zero, [], null) { Skipped = true });
    }

    /// <summary>A markdown or raw cell: shown in the report, not run.</summary>
    static void Show(Numbered item, Progressing run, int total)
    {
        var cell = item.Cell;
        var watch = Stopwatch.StartNew();
        run.Runs.Add(new CellRun(item.Number, item.Injected, cell.Kind, cell.Source, cell.Source, null, TimeSpan.Zero, [], null, cell.Attachments));
        Progress(run.Log, item, run.Width, total, cell.Kind == CellKind.Markdown ? "markdown" : "raw", watch.Elapsed);
    }

    /// <summary>Runs one code cell: its outputs as they come, its error output ("cell N (line L): message") when it fails.</summary>
    static async Task RunCodeCellAsync(INotebookKernel kernel, Numbered item, Progressing run, int total, DataFileWatch? dataWatch, CancellationToken cancellationToken)
    {
        var cell = item.Cell;
        var watch = Stopwatch.StartNew();
        var cellOutputs = run.Outputs.BeginCell();
        string? error = null;
        var count = ++run.ExecutionCount;
        if (!string.IsNullOrWhiteSpace(cell.Source))
        {
            var failed = await kernel.RunCellAsync(cell.Source, item.Label, run.Outputs.Add, cancellationToken).ConfigureAwait(false);
            if (failed is not null)
            {
                error = failed.Line is { } line ? $"{item.Label} (line {line}): {failed.Message}" : $"{item.Label}: {failed.Message}";
                var traceback = failed.Traceback.Select(t => t.StartsWith("(line ", StringComparison.Ordinal) ? $"{item.Label} {t}" : t).ToList();
                if (!traceback.Any(t => t.StartsWith(item.Label, StringComparison.Ordinal))) traceback.Insert(0, error);
                run.Outputs.AddError(new ErrorOutput(failed.EName, failed.EValue, traceback));
            }
        }
        run.Outputs.EndCell();
        watch.Stop();
        dataWatch?.Drain();
        run.Executed.Add((cell, cellOutputs, count));
        run.Runs.Add(new CellRun(item.Number, item.Injected, CellKind.Code, cell.Source, cell.Source, count, watch.Elapsed, cellOutputs, error));
        Progress(run.Log, item, run.Width, total, item.Injected ? "params" : "code", watch.Elapsed);
        if (error is not null)
        {
            run.Failure ??= error;
            run.Err.WriteLine(error);
        }
    }

    /// <summary>
    /// Writes the executed notebook (with its manifest) and the report — NAME.failed.* when a cell failed, so a failed run
    /// never replaces a good run's files — publishes the notebook's own files and prints the summary.
    /// </summary>
    static RunResult WriteResults(Plan plan, Progressing run, IReadOnlyList<string> overrides, TimeSpan elapsed, DataFileWatch? dataWatch)
    {
        // Taken only now: a display kept from an earlier cell may have been updated since.
        foreach (var (cell, cellOutputs, count) in run.Executed) cell.SetOutputs(run.Outputs.Snapshot(cellOutputs), count);
        var solutions = SolutionCells(plan.Path);
        var finalRuns = run.Runs.Select(r => r with
        {
            Outputs = r.Outputs is List<CellOutput> live ? run.Outputs.Snapshot(live) : r.Outputs,
            SolutionOf = r.Injected ? null : solutions.GetValueOrDefault(r.Number),
        }).ToList();
        var failure = run.Failure;
        var suffix = failure is null ? "" : ".failed";
        var ipynbPath = Path.Combine(plan.OutDir, plan.Name + suffix + ".ipynb");
        var htmlPath = Path.Combine(plan.OutDir, plan.Name + suffix + ".html");
        var parametersSource = plan.Cells.FirstOrDefault(c => !c.Injected && c.Cell.Kind == CellKind.Code && c.Cell.Tags.Contains("parameters"))?.Cell.Source;
        var manifest = ManifestBuilder.Build(plan.Path, plan.Profile, overrides, parametersSource, finalRuns, run.Start, elapsed,
            Process.GetCurrentProcess().TotalProcessorTime - run.CpuAtStart, dataWatch, failure, run.GitAtStart);
        plan.Notebook.SetMetadata("gannb", new System.Text.Json.Nodes.JsonObject { ["manifest"] = manifest.ToJsonNode() });
        var info = new ReportInfo(plan.Name, plan.Path, DateTimeOffset.Now, plan.Profile, overrides, elapsed, failure) { Manifest = manifest };
        AtomicFile.WriteAllText(ipynbPath, plan.Notebook.ToJson());
        AtomicFile.WriteAllText(htmlPath, ReportWriter.Render(info, finalRuns, plan.WorkingDirectory));
        PublishNotebookFiles(run.Staging, plan.OutDir, plan.Name, failure is null);
        if (failure is null)
        {
            // A stale failure report beside a good run would only mislead.
            foreach (var stale in new[] { plan.Name + ".failed.ipynb", plan.Name + ".failed.html" }.Select(f => Path.Combine(plan.OutDir, f)))
                if (File.Exists(stale)) File.Delete(stale);
        }
        var log = run.Log;
        log.WriteLine($"{(failure is null ? "done" : "FAILED")} in {elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s ({plan.Profile.Name()} profile)");
        log.WriteLine($"  claims:   {manifest.ClaimsSummary}");
        log.WriteLine($"  notebook: {ipynbPath}");
        log.WriteLine($"  report:   {htmlPath}");
        log.Flush();
        return new RunResult(failure is null ? ExitOk : ExitCellFailed, ipynbPath, htmlPath, finalRuns, failure, elapsed, plan.Profile) { Manifest = manifest };
    }

    /// <summary>Cell number → exercise of the notebook's nbgrader solution cells (empty when it has none or they cannot be read).</summary>
    static Dictionary<int, string> SolutionCells(string path)
    {
        var result = new Dictionary<int, string>();
        try
        {
            var notebook = ClassroomNotebook.Load(path);
            for (var i = 0; i < notebook.Cells.Count; i++)
            {
                var cell = (System.Text.Json.Nodes.JsonObject)notebook.Cells[i]!;
                if (notebook.NbgraderOf(cell, i + 1) is { Solution: true } meta) result[i + 1] = meta.GradeId ?? $"cell {i + 1}";
            }
        }
        catch (ClassroomException) { }
        return result;
    }

    /// <summary>
    /// A code cell meant for another kernel of the .NET Interactive tool (Polyglot metadata, or a magic line such as
    /// <c>#!fsharp</c>) cannot run in gannb's C# kernel: say so before anything runs. Null when the cell is fine.
    /// </summary>
    static string? CheckKernel(Numbered item)
    {
        var cell = item.Cell;
        if (cell.Kind != CellKind.Code) return null;
        if (cell.KernelName is { } k && !IsCSharpOrMarkdown(k))
            return $"{item.Label}: the cell is for the '{k}' kernel; gannb runs C# cells only (and #!markdown cells).";
        var lines = cell.Source.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimStart();
            if (!line.StartsWith("#!", StringComparison.Ordinal)) continue;
            var magic = line[2..].Split(' ', '\t')[0];
            if (!OtherKernels.Contains(magic.ToLowerInvariant())) continue;
            return i == 0
                ? $"{item.Label} (line 1): the cell is for the '{magic}' kernel; gannb runs C# cells only (and #!markdown cells)."
                : $"{item.Label} (line {i + 1}): '#!{magic}' switches to the '{magic}' kernel; gannb runs C# cells only (and #!markdown cells).";
        }
        return null;

        static bool IsCSharpOrMarkdown(string k) => k.ToLowerInvariant() is "csharp" or "c#" or "markdown" or "md";
    }

    const string StagingPrefix = ".gannb-staging-";

    /// <summary>
    /// Moves what the notebook wrote into <paramref name="staging"/> into the output folder. A good run replaces the
    /// previous run's entries of the same names (and removes a stale NAME.failed-files folder); a failed run's files go
    /// to NAME.failed-files/ instead, so they never mix with a good run's. A killed run leaves only its hidden staging folder.
    /// </summary>
    static void PublishNotebookFiles(string staging, string outDir, string name, bool succeeded)
    {
        var failedFiles = Path.Combine(outDir, name + ".failed-files");
        if (Directory.Exists(staging))
        {
            if (succeeded)
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(staging))
                {
                    var target = Path.Combine(outDir, Path.GetFileName(entry));
                    if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
                    else if (File.Exists(target)) File.Delete(target);
                    if (Directory.Exists(entry)) Directory.Move(entry, target); else File.Move(entry, target);
                }
                Directory.Delete(staging, recursive: true);
            }
            else
            {
                if (Directory.Exists(failedFiles)) Directory.Delete(failedFiles, recursive: true);
                Directory.Move(staging, failedFiles);
            }
        }
        if (succeeded && Directory.Exists(failedFiles)) Directory.Delete(failedFiles, recursive: true);
    }

    /// <summary>Inserts the injected-parameters cell after the parameters cell (replacing an earlier injected one).</summary>
    static void InjectParameters(INotebookDocument notebook, List<Numbered> numbered, IReadOnlyList<string> overrides)
    {
        if (overrides.Count == 0) return;
        foreach (var o in overrides) Parameters.SplitOverride(o);
        var index = numbered.FindIndex(c => c.Cell.Kind == CellKind.Code && c.Cell.Tags.Contains("parameters"));
        if (index < 0)
            throw new ParameterException($"-p {overrides[0]}: the notebook has no code cell tagged 'parameters' (metadata.tags), so it takes no -p values.");
        var parametersCell = numbered[index];
        // Papermill replaces the injected cell of an earlier run rather than stacking a second one.
        foreach (var old in numbered.Where(c => c.Cell.Tags.Contains("injected-parameters")).ToList())
        {
            numbered.Remove(old);
            notebook.Remove(old.Cell);
        }
        var source = Parameters.BuildInjectedSource(Parameters.Parse(parametersCell.Cell.Source), overrides);
        var injected = notebook.InsertCodeCell(parametersCell.Cell, source, "injected-parameters");
        numbered.Insert(numbered.IndexOf(parametersCell) + 1, new Numbered(injected, parametersCell.Number, true));
    }

    static void Progress(TextWriter log, Numbered item, int width, int total, string kind, TimeSpan elapsed)
    {
        var n = (item.Injected ? item.Number + "+" : item.Number.ToString(CultureInfo.InvariantCulture)).PadLeft(width);
        lock (log)
        {
            log.WriteLine($"[{n}/{total}] {kind,-8} {elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture),6} s");
            log.Flush();
        }
    }
}
