using System.Diagnostics;
using System.Globalization;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Notebooks;
using GanNotebooks.Runner.Output;
using GanNotebooks.Runner.Report;
using GanNotebooks.Runner.Scripting;
using GanNotebooks.Runtime;
using Microsoft.CodeAnalysis;

namespace GanNotebooks.Runner;

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
}

/// <summary>One cell as run.</summary>
/// <param name="Number">1-based number of the cell in the input notebook (for the injected cell: the number of
/// the parameters cell it follows).</param>
/// <param name="Injected">The cell was injected for -p overrides.</param>
/// <param name="Kind">Code, markdown or raw.</param>
/// <param name="Source">The cell source as written.</param>
/// <param name="Text">Markdown text (markdown cells) or the prepared code.</param>
/// <param name="ExecutionCount">Execution count of a code cell that ran, else null.</param>
/// <param name="Elapsed">Wall time of the cell.</param>
/// <param name="Outputs">Its outputs.</param>
/// <param name="Error">"cell N (line L): message" when the cell failed.</param>
/// <param name="Attachments">The markdown cell's attachments JSON (nbformat), or null.</param>
public sealed record CellRun(int Number, bool Injected, CellKind Kind, string Source, string Text, int? ExecutionCount,
    TimeSpan Elapsed, IReadOnlyList<CellOutput> Outputs, string? Error, System.Text.Json.Nodes.JsonObject? Attachments = null)
{
    /// <summary>True when the cell was not reached because an earlier one failed.</summary>
    public bool Skipped { get; init; }
    /// <summary>"cell N" or "injected-parameters cell (after cell N)".</summary>
    public string Label => Injected ? $"injected-parameters cell (after cell {Number})" : $"cell {Number}";
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
    /// <summary>True when every cell ran.</summary>
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs a C# notebook headless: cells in order in one Roslyn scripting session, outputs captured,
/// executed notebook and self-contained HTML report written (see <c>gannb --help</c>). One run at a
/// time per process (it redirects Console and sets the budget profile).
/// </summary>
public static partial class NotebookRunner
{
    // Stack frames name cells by the file names given to the compiler ("cell-3.csx"); say "cell 3, line 2".
    [System.Text.RegularExpressions.GeneratedRegex(@"in \S*cell-(?<n>\d+)(?<p>-parameters)?\.csx:line (?<l>\d+)")]
    private static partial System.Text.RegularExpressions.Regex CellFrame();

    /// <summary>Exit code: every cell ran.</summary>
    public const int ExitOk = 0;
    /// <summary>Exit code: a cell failed to compile or threw.</summary>
    public const int ExitCellFailed = 1;
    /// <summary>Exit code: bad command line, unreadable or non-C# notebook, bad parameters, unsupported cell.</summary>
    public const int ExitUsage = 2;

    static readonly SemaphoreSlim OneAtATime = new(1, 1);

    /// <summary>Runs a notebook. Never throws for notebook problems: see <see cref="RunResult.ExitCode"/>.</summary>
    public static async Task<RunResult> RunAsync(RunOptions options, CancellationToken cancellationToken = default)
    {
        await OneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try { return await RunCoreAsync(options, cancellationToken).ConfigureAwait(false); }
        finally { OneAtATime.Release(); }
    }

    static async Task<RunResult> RunCoreAsync(RunOptions options, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var log = options.Out ?? Console.Out;
        var err = options.Error ?? Console.Error;
        BudgetProfile profile;
        try { profile = options.Profile ?? Budget.Parse(Environment.GetEnvironmentVariable(Budget.EnvironmentVariable)); }
        catch (ArgumentException e) { return Usage(e.Message, BudgetProfile.Full); }

        RunResult Usage(string message, BudgetProfile p)
        {
            err.WriteLine($"gannb: {message}");
            return new RunResult(ExitUsage, null, null, [], message, total.Elapsed, p);
        }

        // 1. Read and check everything before running anything.
        Notebook notebook;
        var path = Path.GetFullPath(options.NotebookPath);
        try { notebook = Notebook.Load(path); }
        catch (NotebookException e) { return Usage(e.Message, profile); }
        if (notebook.CheckCSharpKernel() is { } kernelProblem) return Usage($"{path}: {kernelProblem}", profile);
        var notebookDir = Path.GetDirectoryName(path)!;
        var name = Path.GetFileNameWithoutExtension(path);
        var outDir = Path.GetFullPath(options.OutputDirectory ?? Path.Combine(notebookDir, "out", name));

        // Original numbering: cell N is the N-th cell of the input notebook.
        var numbered = notebook.Cells.Select((c, i) => (Cell: c, Number: i + 1, Injected: false)).ToList();
        try { InjectParameters(notebook, numbered, options.Parameters); }
        catch (ParameterException e) { return Usage(e.Message, profile); }

        var prepared = new List<PreparedCell>();
        try
        {
            foreach (var (cell, number, injected) in numbered)
                prepared.Add(CellPreprocessor.Prepare(cell, injected ? $"injected-parameters cell (after cell {number})" : $"cell {number}", notebookDir));
        }
        catch (CellException e) { return Usage(e.Message, profile); }

        // 2. Run.
        Budget.Profile = profile;
        Environment.SetEnvironmentVariable(Budget.EnvironmentVariable, profile.ToString().ToLowerInvariant());
        // Files the notebook writes itself (Kit.OutputDirectory) go to a staging folder inside outDir; they replace the
        // previous run's files only when every cell ran (see PublishNotebookFiles), like the notebook and the report.
        var previousOut = Environment.GetEnvironmentVariable(GanNotebooks.Kit.OutputEnvironmentVariable);
        var staging = Path.Combine(outDir, StagingPrefix + Guid.NewGuid().ToString("N")[..8]);
        var runs = new List<CellRun>();
        string? failure = null;
        var originalOut = Console.Out;
        var originalErr = Console.Error;
        var stdout = new CapturingWriter("stdout", log);
        var stderr = new CapturingWriter("stderr", log);
        var executionCount = 0;
        var executed = new List<(NotebookCell Cell, CellOutputs Outputs, int Count)>();
        var width = notebook.Cells.Count.ToString(CultureInfo.InvariantCulture).Length;
        var totalCells = numbered.Count(c => !c.Injected);
        try
        {
            Environment.SetEnvironmentVariable(GanNotebooks.Kit.OutputEnvironmentVariable, staging);
            Console.SetOut(stdout);
            Console.SetError(stderr);
            var session = new ScriptSession(new NotebookGlobals(), notebookDir);
            for (var k = 0; k < numbered.Count; k++)
            {
                var (cell, number, injected) = numbered[k];
                var prep = prepared[k];
                var label = injected ? $"injected-parameters cell (after cell {number})" : $"cell {number}";
                if (failure is not null)
                {
                    cell.ClearOutputs();
                    runs.Add(new CellRun(number, injected, prep.Kind, cell.Source, prep.Text, null, TimeSpan.Zero, [], null) { Skipped = true });
                    continue;
                }
                var watch = Stopwatch.StartNew();
                if (prep.Kind != CellKind.Code)
                {
                    runs.Add(new CellRun(number, injected, prep.Kind, cell.Source, prep.Text, null, TimeSpan.Zero, [], null,
                        cell.Json["attachments"] as System.Text.Json.Nodes.JsonObject));
                    // A "#!markdown" code cell stays a code cell in the file: it just has no outputs.
                    cell.ClearOutputs();
                    Progress(log, number, injected, width, totalCells, prep.Kind == CellKind.Markdown ? "markdown" : "raw", watch.Elapsed);
                    continue;
                }

                var outputs = new CellOutputs(log);
                stdout.Target = outputs;
                stderr.Target = outputs;
                ScriptContext.Current = outputs;
                string? error = null;
                executionCount++;
                try
                {
                    if (!string.IsNullOrWhiteSpace(prep.Text))
                    {
                        var fileName = injected ? $"cell-{number}-parameters.csx" : $"cell-{number}.csx";
                        var result = await session.RunAsync(prep.Text, fileName, prep.ReferencePaths, cancellationToken).ConfigureAwait(false);
                        if (!result.CompileErrors.IsEmpty) error = AddCompileError(outputs, label, result.CompileErrors);
                        else if (result.Exception is not null) error = AddException(outputs, label, result.Exception, result.ExceptionLine);
                        else if (result.ReturnValue is not null and not DisplayHandle) outputs.AddResult(result.ReturnValue);
                    }
                }
                finally
                {
                    Console.Out.Flush();
                    stdout.Target = null;
                    stderr.Target = null;
                    ScriptContext.Current = null;
                }
                outputs.Complete();
                watch.Stop();
                executed.Add((cell, outputs, executionCount));
                runs.Add(new CellRun(number, injected, CellKind.Code, cell.Source, prep.Text, executionCount, watch.Elapsed, outputs.Items, error));
                Progress(log, number, injected, width, totalCells, injected ? "params" : "code", watch.Elapsed);
                if (error is not null)
                {
                    failure = error;
                    err.WriteLine(error);
                }
            }
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalErr);
            Environment.SetEnvironmentVariable(GanNotebooks.Kit.OutputEnvironmentVariable, previousOut);
        }

        // 3. Write the executed notebook and the report; a failed run never replaces a good run's files.
        total.Stop();
        // Serialized only now: a display handle kept from an earlier cell may have updated its output since.
        foreach (var (cell, outputs, count) in executed) cell.SetOutputs(outputs.ToJson(count), count);
        notebook.EnsureCellIds();
        var suffix = failure is null ? "" : ".failed";
        var ipynbPath = Path.Combine(outDir, name + suffix + ".ipynb");
        var htmlPath = Path.Combine(outDir, name + suffix + ".html");
        var info = new ReportInfo(name, path, DateTimeOffset.Now, profile, options.Parameters, total.Elapsed, failure);
        AtomicFile.WriteAllText(ipynbPath, notebook.ToJson());
        AtomicFile.WriteAllText(htmlPath, ReportWriter.Render(info, runs, notebookDir));
        PublishNotebookFiles(staging, outDir, name, failure is null);
        if (failure is null)
        {
            // A stale failure report beside a good run would only mislead.
            foreach (var stale in new[] { name + ".failed.ipynb", name + ".failed.html" }.Select(f => Path.Combine(outDir, f)))
                if (File.Exists(stale)) File.Delete(stale);
        }
        log.WriteLine($"{(failure is null ? "done" : "FAILED")} in {total.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s ({profile.ToString().ToLowerInvariant()} profile)");
        log.WriteLine($"  notebook: {ipynbPath}");
        log.WriteLine($"  report:   {htmlPath}");
        log.Flush();
        return new RunResult(failure is null ? ExitOk : ExitCellFailed, ipynbPath, htmlPath, runs, failure, total.Elapsed, profile);
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
    static void InjectParameters(Notebook notebook, List<(NotebookCell Cell, int Number, bool Injected)> numbered, IReadOnlyList<string> overrides)
    {
        if (overrides.Count == 0) return;
        foreach (var o in overrides) Parameters.SplitOverride(o);
        var index = numbered.FindIndex(c => c.Cell.CellType == "code" && c.Cell.Tags.Contains("parameters"));
        if (index < 0)
            throw new ParameterException($"-p {overrides[0]}: the notebook has no code cell tagged 'parameters' (metadata.tags), so it takes no -p values.");
        var parametersCell = numbered[index];
        // Papermill replaces the injected cell of an earlier run rather than stacking a second one.
        numbered.RemoveAll(c => c.Cell.Tags.Contains("injected-parameters"));
        notebook.Cells.RemoveAll(c => c.Tags.Contains("injected-parameters"));
        var paramSource = CellPreprocessor.Prepare(parametersCell.Cell, $"cell {parametersCell.Number}", ".").Text;
        var source = Parameters.BuildInjectedSource(Parameters.Parse(paramSource), overrides);
        var injected = NotebookCell.NewCode(source, "injected-" + Guid.NewGuid().ToString("N")[..8], "injected-parameters");
        notebook.Cells.Insert(notebook.Cells.IndexOf(parametersCell.Cell) + 1, injected);
        numbered.Insert(numbered.IndexOf(parametersCell) + 1, (injected, parametersCell.Number, true));
    }

    static void Progress(TextWriter log, int number, bool injected, int width, int total, string kind, TimeSpan elapsed)
    {
        var n = (injected ? number + "+" : number.ToString(CultureInfo.InvariantCulture)).PadLeft(width);
        lock (log)
        {
            log.WriteLine($"[{n}/{total}] {kind,-8} {elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture),6} s");
            log.Flush();
        }
    }

    static string AddCompileError(CellOutputs outputs, string label, IReadOnlyList<Diagnostic> errors)
    {
        static int Line(Diagnostic d) => d.Location.GetLineSpan().StartLinePosition.Line + 1;
        var lines = errors.Select(d =>
        {
            var pos = d.Location.GetLineSpan().StartLinePosition;
            return $"{label} (line {pos.Line + 1}, col {pos.Character + 1}): error {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}";
        }).ToList();
        var first = errors[0];
        var message = $"{label} (line {Line(first)}): error {first.Id}: {first.GetMessage(CultureInfo.InvariantCulture)}";
        outputs.AddError(new ErrorOutput("CompilationError", $"error {first.Id}: {first.GetMessage(CultureInfo.InvariantCulture)}", lines));
        return message;
    }

    static string AddException(CellOutputs outputs, string label, Exception e, int? line)
    {
        var where = line is null ? label : $"{label} (line {line})";
        var message = $"{where}: {e.GetType().Name}: {e.Message}";
        var traceback = new List<string> { message };
        traceback.AddRange(e.ToString().Split('\n').Select(l => CellFrame().Replace(l.TrimEnd('\r'), m =>
                $"in {(m.Groups["p"].Success ? "injected-parameters cell (after cell " + m.Groups["n"].Value + ")" : "cell " + m.Groups["n"].Value)}, line {m.Groups["l"].Value}"))
            .Where(l => !l.Contains(" Microsoft.CodeAnalysis.Scripting.", StringComparison.Ordinal)
                        && !l.Contains(" System.Runtime.CompilerServices.", StringComparison.Ordinal)
                        && !l.Contains("--- End of stack trace from previous location ---", StringComparison.Ordinal)));
        outputs.AddError(new ErrorOutput(e.GetType().FullName ?? e.GetType().Name, e.Message, traceback));
        return message;
    }

}
