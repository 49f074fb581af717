using System.Diagnostics;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Scripting;
using GanNotebooks.Runner.Execution;

namespace GanNotebooks.Runner.Kernel;

/// <summary>
/// Maps stack frames of kernel submissions to "cell N, line L". The C# kernel compiles each submission without
/// debug information, so its frames carry no line. Each submission's Roslyn compilation is kept (Script.GetCompilation)
/// and, only when an exception needs it, emitted once more with a portable PDB: the same compilation gives the same
/// methods and IL, so the frame's method token and IL offset find the sequence point, i.e. the line in the code the
/// kernel compiled; adding the line at which that code starts in the cell gives the cell's own line.
/// </summary>
internal sealed class SubmissionLines
{
    readonly Dictionary<string, Entry> _byAssembly = new(StringComparer.Ordinal);

    sealed class Entry(Script script, string label, int lineOffset)
    {
        public string Label { get; } = label;
        public int LineOffset { get; } = lineOffset;
        readonly Lazy<MetadataReaderProvider?> _pdb = new(() => EmitPdb(script));
        // The cell's own code is the submission's main syntax tree; #load'ed scripts are further documents.
        readonly string _mainPath = script.GetCompilation().SyntaxTrees.LastOrDefault()?.FilePath ?? "";

        /// <summary>Where the frame is: in the cell (File null) at the cell's line, or in a #load'ed file at its line.</summary>
        public (string? File, int Line)? Locate(MethodBase method, int ilOffset)
        {
            if (ilOffset < 0 || _pdb.Value is not { } pdb) return null;
            try
            {
                var reader = pdb.GetMetadataReader();
                var handle = MetadataTokens.MethodDefinitionHandle(method.MetadataToken);
                var info = reader.GetMethodDebugInformation(handle.ToDebugInformationHandle());
                SequencePoint? best = null;
                foreach (var sp in info.GetSequencePoints())
                {
                    if (sp.IsHidden) continue;
                    if (sp.Offset > ilOffset) break;
                    best = sp;
                }
                if (best is not { } b) return null;
                var document = reader.GetString(reader.GetDocument(b.Document).Name);
                return string.IsNullOrEmpty(document) || document == _mainPath
                    ? (null, b.StartLine + LineOffset)
                    : (document, b.StartLine);
            }
            catch (Exception e) when (e is BadImageFormatException or ArgumentException or InvalidOperationException)
            {
                return null;
            }
        }
    }

    static MetadataReaderProvider? EmitPdb(Script script)
    {
        try
        {
            using var pe = new MemoryStream();
            var pdb = new MemoryStream();
            var result = script.GetCompilation().Emit(pe, pdb, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
            if (!result.Success) return null;
            pdb.Position = 0;
            return MetadataReaderProvider.FromPortablePdbStream(pdb, MetadataStreamOptions.PrefetchMetadata);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>Records a submission of the cell <paramref name="label"/> whose code starts at 0-based line <paramref name="lineOffset"/> of the cell.</summary>
    public void Add(Script script, string label, int lineOffset)
    {
        string? name;
        try { name = script.GetCompilation().AssemblyName; }
        catch (Exception e) when (e is not OutOfMemoryException) { return; }
        if (name is not null) _byAssembly[name] = new Entry(script, label, lineOffset);
    }

    /// <summary>"cell N" (or a #load'ed file's name) and the line, for a frame of a known submission; else null.</summary>
    (string Where, int? Line, bool InCell)? Locate(StackFrame frame)
    {
        var method = frame.GetMethod();
        var assembly = method?.Module.Assembly.GetName().Name;
        if (method is null || assembly is null || !_byAssembly.TryGetValue(assembly, out var entry)) return null;
        return entry.Locate(method, frame.GetILOffset()) switch
        {
            { File: { } file, Line: var l } => (Path.GetFileName(file), l, false),
            { Line: var l } => (entry.Label, l, true),
            null => (entry.Label, null, true),
        };
    }

    /// <summary>The failure of a cell that threw: its line is the innermost frame in that cell's own code.</summary>
    public CellFailure Describe(Exception thrown, string label)
    {
        var e = Unwrap(thrown);
        int? line = null;
        var traceback = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            traceback.Add(x == e ? $"{x.GetType().FullName}: {x.Message}" : $" ---> {x.GetType().FullName}: {x.Message}");
            foreach (var frame in new StackTrace(x, fNeedFileInfo: false).GetFrames())
            {
                var method = frame.GetMethod();
                var type = method?.DeclaringType?.FullName;
                if (type is not null && (type.StartsWith("Microsoft.CodeAnalysis.Scripting.", StringComparison.Ordinal)
                                         || type.StartsWith("System.Runtime.CompilerServices.", StringComparison.Ordinal)
                                         || type.StartsWith("System.Runtime.ExceptionServices.", StringComparison.Ordinal))) continue;
                var name = method is null ? "?" : $"{type}.{method.Name}";
                var at = Locate(frame);
                if (at is { } a)
                {
                    if (line is null && a.InCell && a.Where == label && x == e) line = a.Line;
                    traceback.Add(a.Line is { } l ? $"   at {name} in {a.Where}, line {l}" : $"   at {name} in {a.Where}");
                }
                else traceback.Add($"   at {name}");
            }
        }
        var typeName = e.GetType().Name;
        return new CellFailure(e.GetType().FullName ?? typeName, e.Message, line, $"{typeName}: {e.Message}", traceback);
    }

    static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException or AggregateException { InnerExceptions.Count: 1 } && e.InnerException is not null)
            e = e.InnerException;
        return e;
    }
}
