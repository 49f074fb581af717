using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using GanNotebooks.Runner.Scripting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace GanNotebooks.Runner.Execution;

/// <summary>What running one cell gave.</summary>
/// <param name="ReturnValue">The value of a trailing expression, or null.</param>
/// <param name="CompileErrors">Compiler errors (the cell did not run), empty otherwise.</param>
/// <param name="Exception">The exception the cell threw, or null.</param>
/// <param name="ExceptionLine">1-based line of the cell where <see cref="Exception"/> was thrown, when known.</param>
public sealed record SubmissionResult(object? ReturnValue, ImmutableArray<Diagnostic> CompileErrors, Exception? Exception, int? ExceptionLine)
{
    /// <summary>True when the cell compiled and ran to the end.</summary>
    public bool Succeeded => CompileErrors.IsEmpty && Exception is null;
}

/// <summary>
/// One Roslyn scripting session: each cell is a submission continuing the previous one
/// (CSharpScript.Create, then Script.ContinueWith), so variables, types and usings carry across
/// cells as in .NET Interactive's C# kernel. Top-level await works.
/// </summary>
public sealed class ScriptSession
{
    readonly NotebookGlobals _globals;
    ScriptOptions _options;
    ScriptState<object>? _state;
    readonly HashSet<string> _referenced = new(StringComparer.Ordinal);

    internal ScriptSession(NotebookGlobals globals, string baseDirectory)
    {
        _globals = globals;
        _options = ScriptOptions.Default
            .WithReferences(AssemblyCatalog.DefaultReferences.Select(p => MetadataReference.CreateFromFile(p)))
            .WithImports(AssemblyCatalog.DefaultImports)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(baseDirectory))
            .WithSourceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, baseDirectory))
            .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest)
            .WithAllowUnsafe(true)
            // Release code (loops over arrays stay fast) with a PDB so stack frames carry cell lines.
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithEmitDebugInformation(true)
            .WithFileEncoding(Encoding.UTF8);
        foreach (var p in AssemblyCatalog.DefaultReferences) _referenced.Add(p);
    }

    /// <summary>Compiles and runs one cell. <paramref name="fileName"/> names the cell in compiler
    /// locations and stack frames (e.g. "cell-3.csx").</summary>
    public async Task<SubmissionResult> RunAsync(string code, string fileName, IEnumerable<string> extraReferences, CancellationToken cancellationToken = default)
    {
        var added = extraReferences.Where(_referenced.Add).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        if (added.Count > 0) _options = _options.AddReferences(added);
        var options = _options.WithFilePath(fileName);

        var script = _state is null
            ? CSharpScript.Create(code, options, typeof(NotebookGlobals))
            : _state.Script.ContinueWith(code, options);
        var diagnostics = script.Compile(cancellationToken);
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        if (!errors.IsEmpty) return new SubmissionResult(null, errors, null, null);

        Exception? thrown = null;
        ScriptState<object> state;
        try
        {
            state = _state is null
                ? await script.RunAsync(_globals, _ => true, cancellationToken).ConfigureAwait(false)
                : await script.RunFromAsync(_state, _ => true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Thrown outside the submission's own code (e.g. while starting it): no state to keep.
            return new SubmissionResult(null, [], Unwrap(e), null);
        }
        _state = state;
        if (state.Exception is not null) thrown = Unwrap(state.Exception);
        if (thrown is not null) return new SubmissionResult(null, [], thrown, LineIn(thrown, fileName));
        return new SubmissionResult(state.ReturnValue, [], null, null);
    }

    /// <summary>Value of a script variable declared so far (last declaration wins), or null.</summary>
    public object? GetVariable(string name) => _state?.GetVariable(name)?.Value;

    static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException or AggregateException { InnerExceptions.Count: 1 } && e.InnerException is not null)
            e = e.InnerException;
        return e;
    }

    /// <summary>The innermost stack frame in the cell's own code (its PDB names the cell file).</summary>
    internal static int? LineIn(Exception e, string fileName)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            foreach (var frame in new StackTrace(x, fNeedFileInfo: true).GetFrames())
            {
                if (frame.GetFileLineNumber() is var line && line > 0 && string.Equals(Path.GetFileName(frame.GetFileName()), fileName, StringComparison.Ordinal))
                    return line;
            }
        }
        return null;
    }
}
