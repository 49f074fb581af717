using System.Collections.Concurrent;
using System.Reactive.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using GanNotebooks.Runner.Execution;
using Markdig;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;
using KernelDiagnostic = Microsoft.DotNet.Interactive.Diagnostic;

namespace GanNotebooks.Runner.Kernel;

/// <summary>
/// The embedded real .NET Interactive C# kernel, built as the <c>Microsoft.dotnet-interactive</c> tool builds it for
/// Jupyter (KernelBuilder.CreateKernel, C# part): a CSharpKernel with <c>#r "nuget:…"</c> (PackageManagement), the
/// kernel helpers (<c>display</c>), #!who and value sharing, inside a CompositeKernel with the import magic, the
/// Jupyter front-end's <c>#!markdown</c> and <c>#!time</c> magics, and NuGet kernel extensions loaded as the tool loads
/// them. Each cell is one SubmitCode; the kernel's events become <see cref="KernelOutput"/>s.
/// </summary>
internal sealed class DotNetInteractiveKernel : INotebookKernel
{
    readonly CompositeKernel _root;
    readonly CSharpKernel _csharp;
    readonly IDisposable _subscription;
    readonly SubmissionLines _submissions = new();
    volatile Action<KernelOutput>? _sink;
    CellRun? _cell;

    DotNetInteractiveKernel()
    {
        _csharp = new CSharpKernel()
            .UseNugetDirective((k, references) =>
            {
                k.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
                return Task.CompletedTask;
            })
            .UseKernelHelpers()
            .UseWho()
            .UseValueSharing();
        _root = new CompositeKernel();
        _root.Add(_csharp, ["c#", "C#"]);
        _root.DefaultKernelName = _csharp.Name;
        _root.UseImportMagicCommand();
        _root.UseJupyterMagics();
        _root.UseNuGetExtensions();
        // What the tool's Jupyter front-end environment (HtmlNotebookFrontendEnvironment) sets up.
        Formatter.DefaultMimeType = HtmlFormatter.MimeType;
        Formatter.SetPreferredMimeTypesFor(typeof(string), PlainTextFormatter.MimeType);
        _subscription = _root.KernelEvents.Subscribe(OnEvent);
    }

    /// <summary>Starts a kernel (one per notebook run).</summary>
    public static INotebookKernel Start() => new DotNetInteractiveKernel();

    public async Task<CellFailure?> RunCellAsync(string code, string label, Action<KernelOutput> output, CancellationToken cancellationToken)
    {
        var cell = new CellRun(code, label);
        _cell = cell;
        _sink = output;
        var before = _csharp.ScriptState?.Script;
        KernelCommandResult result;
        using (cancellationToken.Register(() => _ = _root.SendAsync(new Cancel())))
        {
            result = await _root.SendAsync(new SubmitCode(code), CancellationToken.None).ConfigureAwait(false);
        }
        // The C# submissions this cell made (its scripts since the last cell): their frames are "cell N, line L" from now on.
        var scripts = new List<Script>();
        for (var s = _csharp.ScriptState?.Script; s is not null && !ReferenceEquals(s, before); s = s.Previous) scripts.Add(s);
        foreach (var s in scripts) _submissions.Add(s, label, LineOffset(code, s.Code));

        var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
        if (failed is null) return cancellationToken.IsCancellationRequested ? Cancelled() : null;
        return failed.Exception switch
        {
            CodeSubmissionCompilationErrorException => CompileFailure(code, cell.Diagnostics, failed),
            Exception e => _submissions.Describe(e, label),
            null => DirectiveFailure(code, cell.Diagnostics, failed),
        };

        static CellFailure Cancelled() => new("OperationCanceledException", "The run was cancelled.", null, "cancelled", ["The run was cancelled."]);
    }

    /// <summary>
    /// The 0-based line of the cell at which a submission's code starts: the kernel hands the C# kernel the cell without
    /// the directive lines (#!time, #r "nuget:…") that come before the code, so its lines count from there.
    /// </summary>
    static int LineOffset(string cell, string submission)
    {
        var text = cell.Replace("\r\n", "\n");
        var full = submission.Replace("\r\n", "\n");
        var code = full.Trim();
        if (code.Length == 0) return 0;
        // Blank lines the submission itself starts with are counted by the compiler already.
        var leading = full.AsSpan(0, full.IndexOf(code, StringComparison.Ordinal)).Count('\n');
        var lineStart = 0;
        for (var line = 0; lineStart <= text.Length; line++)
        {
            // The code starts at the beginning of a line (after leading blanks).
            var at = lineStart;
            while (at < text.Length && text[at] is ' ' or '\t') at++;
            if (string.CompareOrdinal(text, at, code, 0, code.Length) == 0) return Math.Max(0, line - leading);
            var next = text.IndexOf('\n', lineStart);
            if (next < 0) break;
            lineStart = next + 1;
        }
        return 0;
    }

    static CellFailure CompileFailure(string code, IReadOnlyList<KernelDiagnostic> diagnostics, CommandFailed failed)
    {
        var errors = diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();
        if (errors.Count == 0) return DirectiveFailure(code, diagnostics, failed);
        var first = errors[0];
        var message = $"error {first.Code}: {first.Message}";
        var traceback = errors.Select(d => $"(line {d.LinePositionSpan.Start.Line + 1}, col {d.LinePositionSpan.Start.Character + 1}): error {d.Code}: {d.Message}").ToList();
        return new CellFailure("CompilationError", message, first.LinePositionSpan.Start.Line + 1, message, traceback);
    }

    /// <summary>
    /// A failure with no exception: a directive (#r, #load, a magic) the kernel refused, a failed package restore. Its
    /// line is the diagnostic's when the kernel gives one, else the directive line whose argument the message names
    /// (e.g. the #r "nuget:…" line of the package that did not restore).
    /// </summary>
    static CellFailure DirectiveFailure(string code, IReadOnlyList<KernelDiagnostic> diagnostics, CommandFailed failed)
    {
        var error = diagnostics.FirstOrDefault(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        var text = (failed.Message ?? error?.Message ?? "the kernel refused the cell").Trim();
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int? line = error is null ? DirectiveLineNamedIn(code, text) : error.LinePositionSpan.Start.Line + 1;
        // The kernel's parser prefixes its messages with "(line,col): "; the runner names the line itself.
        var first = System.Text.RegularExpressions.Regex.Replace(lines[0].Trim(), @"^\(\d+,\d+\):\s*", "");
        return new CellFailure("KernelError", text, line, first, lines.Skip(1).ToList());
    }

    static int? DirectiveLineNamedIn(string code, string message)
    {
        var lines = code.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith('#')) continue;
            var quoted = System.Text.RegularExpressions.Regex.Match(line, "\"(?<arg>[^\"]+)\"");
            var arg = quoted.Success ? quoted.Groups["arg"].Value : line.Split(' ', '\t')[0];
            // #r "nuget: Name, 1.0" names the package; #r "path/x.dll" and #load "x.csx" the file; #!magic itself.
            if (arg.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase)) arg = arg[6..].Split(',')[0];
            arg = arg.Trim();
            if (arg.Length > 0 && (message.Contains(arg, StringComparison.OrdinalIgnoreCase)
                                   || message.Contains(Path.GetFileName(arg), StringComparison.OrdinalIgnoreCase)))
                return i + 1;
        }
        return null;
    }

    void OnEvent(KernelEvent e)
    {
        var sink = _sink;
        switch (e)
        {
            case DiagnosticsProduced diagnostics:
                _cell?.Diagnostics.AddRange(diagnostics.Diagnostics);
                // As the Jupyter kernel: warnings of a cell that compiled go to stderr (errors go into the error output).
                var warnings = diagnostics.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToList();
                if (warnings.Count > 0 && !diagnostics.Diagnostics.Any(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error))
                    sink?.Invoke(new StreamText("stderr", string.Join("\n", warnings.Select(w => $"(line {w.LinePositionSpan.Start.Line + 1}): warning {w.Code}: {w.Message}")) + "\n"));
                return;
            case StandardOutputValueProduced stdout:
                sink?.Invoke(new StreamText("stdout", PlainText(stdout)));
                return;
            case StandardErrorValueProduced stderr:
                sink?.Invoke(new StreamText("stderr", PlainText(stderr)));
                return;
            case ErrorProduced error:
                // As the Jupyter kernel: a reported (not failing) error is stderr text.
                var text = PlainText(error);
                sink?.Invoke(new StreamText("stderr", text.EndsWith('\n') ? text : text + "\n"));
                return;
            case DisplayedValueProduced display:
                sink?.Invoke(new DisplayData(display.ValueId, Bundle(display.FormattedValues), false));
                return;
            case DisplayedValueUpdated update:
                sink?.Invoke(new DisplayData(update.ValueId, Bundle(update.FormattedValues), true));
                return;
            case ReturnValueProduced result:
                // display(x) as a cell's last expression shows x once, not its DisplayedValue handle too (as in Jupyter).
                if (result.Value is DisplayedValue) return;
                sink?.Invoke(new ResultData(Bundle(result.FormattedValues)));
                return;
        }
    }

    static string PlainText(DisplayEvent e) =>
        e.FormattedValues.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value
        ?? (e is ErrorProduced ep ? ep.Message : e.Value?.ToString()) ?? "";

    /// <summary>A MIME bundle with every formatted value; JSON MIME types as JSON (nbformat), the rest as text.</summary>
    static JsonObject Bundle(IEnumerable<FormattedValue> values)
    {
        var data = new JsonObject();
        foreach (var v in values)
        {
            if (data.ContainsKey(v.MimeType)) continue;
            JsonNode? node = v.Value;
            if (NotebookFile.IsJsonMime(v.MimeType))
            {
                try { node = JsonNode.Parse(v.Value); }
                catch (JsonException) { node = v.Value; }
            }
            data[v.MimeType] = node;
        }
        return data;
    }

    public async ValueTask DisposeAsync()
    {
        _sink = null;
        _subscription.Dispose();
        _root.Dispose();
        // The notebook's formatter registrations are process-wide; the next run starts from the defaults, as a new kernel would.
        Formatter.ResetToDefault();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    sealed class CellRun(string code, string label)
    {
        public string Code { get; } = code;
        public string Label { get; } = label;
        public List<KernelDiagnostic> Diagnostics { get; } = [];
    }
}

/// <summary>The kernel set-up the tool does with code of its own (dotnet-interactive is an app, not a library).</summary>
internal static class KernelSetup
{
    /// <summary>
    /// After a command that added NuGet packages, loads the kernel extensions they carry, as the tool does
    /// (KernelExtensionLoader.UseNuGetExtensions, PackageDirectoryExtensionLoader): every public non-abstract
    /// IKernelExtension in <c>interactive-extensions/dotnet/*.dll</c> of the package, then its <c>extension.dib</c>.
    /// </summary>
    public static CompositeKernel UseNuGetExtensions(this CompositeKernel kernel)
    {
        var pending = new ConcurrentQueue<PackageAdded>();
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        kernel.AddMiddleware(async (command, context, next) =>
        {
            await next(command, context);
            while (pending.TryDequeue(out var added))
            {
                var dir = new DirectoryInfo(Path.Combine(added.PackageReference.PackageRoot, "interactive-extensions", "dotnet"));
                if (dir.Exists) await LoadExtensionsAsync(kernel, dir, context, loaded);
            }
        });
        kernel.RegisterForDisposal(kernel.KernelEvents
            .OfType<PackageAdded>()
            .Where(p => p?.PackageReference.PackageRoot is not null)
            .Distinct(p => p.PackageReference.PackageRoot)
            .Subscribe(pending.Enqueue));
        return kernel;
    }

    static async Task LoadExtensionsAsync(Microsoft.DotNet.Interactive.Kernel kernel, DirectoryInfo directory, KernelInvocationContext context, HashSet<string> loaded)
    {
        foreach (var file in directory.GetFiles("*.dll", SearchOption.TopDirectoryOnly))
        {
            var name = System.Reflection.AssemblyName.GetAssemblyName(file.FullName).FullName;
            lock (loaded) if (!loaded.Add(name)) continue;
            var assembly = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyPath(file.FullName);
            var types = assembly.ExportedTypes
                .Where(t => !t.IsAbstract && !t.IsGenericTypeDefinition && !t.IsInterface && typeof(IKernelExtension).IsAssignableFrom(t))
                .ToArray();
            if (types.Length > 0) KernelInvocationContextExtensions.Display(context, $"Loading extensions from `{assembly.Location}`");
            foreach (var type in types)
            {
                var extension = (IKernelExtension)Activator.CreateInstance(type)!;
                try
                {
                    await extension.OnLoadAsync(kernel);
                    context.Publish(new KernelExtensionLoaded(extension, context.Command));
                }
                catch (Exception e)
                {
                    context.Publish(new ErrorProduced($"Failed to load kernel extension \"{type.Name}\" from assembly {assembly.Location}", context.Command));
                    context.Fail(context.Command, new KernelExtensionLoadException(e));
                }
            }
        }
        var script = new FileInfo(Path.Combine(directory.FullName, "extension.dib"));
        if (script.Exists)
        {
            KernelInvocationContextExtensions.Display(context, $"Loading extension script from `{script.FullName}`");
            await kernel.LoadAndRunInteractiveDocument(script, context.Command);
        }
    }

    /// <summary>
    /// The magics the tool's Jupyter kernel adds (Microsoft.DotNet.Interactive.Jupyter's UseDefaultMagicCommands, which
    /// is not packaged): <c>#!markdown</c> shows the rest of the cell as HTML; <c>#!time</c> shows the cell's wall time.
    /// </summary>
    public static CompositeKernel UseJupyterMagics(this CompositeKernel kernel)
    {
        var pipeline = new Markdig.MarkdownPipelineBuilder().UseMathematics().UseAdvancedExtensions().Build();
        kernel.AddDirective(new Microsoft.DotNet.Interactive.Directives.KernelActionDirective("#!markdown") { Description = "Convert the code that follows from Markdown into HTML" },
            (_, context) =>
            {
                if (context.Command is SubmitCode submit)
                {
                    var html = Markdig.Markdown.ToHtml(submit.Code.Replace("#!markdown", "").Trim(), pipeline);
                    context.Publish(new DisplayedValueProduced(html, context.Command, [new FormattedValue(HtmlFormatter.MimeType, html)]));
                    context.Complete(submit);
                }
                return Task.CompletedTask;
            });
        kernel.AddDirective(new Microsoft.DotNet.Interactive.Directives.KernelActionDirective("#!time") { Description = "Time the execution of the following code in the submission" },
            (_, context) =>
            {
                var timer = System.Diagnostics.Stopwatch.StartNew();
                context.OnComplete(c =>
                {
                    var elapsed = timer.Elapsed;
                    c.Publish(new DisplayedValueProduced(elapsed, context.Command,
                        [new FormattedValue(PlainTextFormatter.MimeType, $"Wall time: {elapsed.TotalMilliseconds}ms")]));
                });
                return Task.CompletedTask;
            });
        return kernel;
    }
}
