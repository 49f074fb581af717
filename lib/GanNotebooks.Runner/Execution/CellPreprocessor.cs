using System.Reflection;
using System.Text.RegularExpressions;
using GanNotebooks.Runner.Notebooks;

namespace GanNotebooks.Runner.Execution;

/// <summary>How the runner treats a cell.</summary>
public enum CellKind
{
    /// <summary>C# code, executed.</summary>
    Code,
    /// <summary>Markdown (a markdown cell or a code cell starting with <c>#!markdown</c>).</summary>
    Markdown,
    /// <summary>A raw cell: shown, not executed.</summary>
    Raw,
}

/// <summary>A cell ready to run: its kind, the text to compile or render, the assemblies it references.</summary>
/// <param name="Kind">Code, markdown or raw.</param>
/// <param name="Text">For code: the C# with magics and #r lines blanked (same line numbers as the cell);
/// for markdown and raw: the text to render.</param>
/// <param name="ReferencePaths">Assembly files that <c>#r</c> lines asked for.</param>
public sealed record PreparedCell(CellKind Kind, string Text, IReadOnlyList<string> ReferencePaths);

/// <summary>A cell the runner cannot run as written (unsupported kernel, unknown package, missing dll).</summary>
public sealed class CellException(string label, int? line, string message)
    : Exception(line is null ? $"{label}: {message}" : $"{label} (line {line}): {message}")
{
    /// <summary>"cell N" as the user counts cells.</summary>
    public string Label { get; } = label;
    /// <summary>1-based line within the cell, when known.</summary>
    public int? Line { get; } = line;
    /// <summary>The reason, without the cell label.</summary>
    public string Reason { get; } = message;
}

/// <summary>
/// Turns notebook cells into what the scripting session runs: handles .NET Interactive magics
/// (<c>#!markdown</c>, <c>#!csharp</c>…) and <c>#r</c> directives. Removed lines become blank lines so
/// that compiler and stack-trace line numbers stay those of the cell as the user sees it.
/// </summary>
public static partial class CellPreprocessor
{
    /// <summary>NuGet packages the runner ships (exact names, case-insensitive).</summary>
    public static readonly IReadOnlyList<string> ShippedPackages =
    [
        "TorchSharp", "TorchSharp-cpu", "TorchSharp-cuda-linux", "TorchSharp-cuda-windows",
        "Plotly.NET", "Plotly.NET.CSharp", "Plotly.NET.Interactive",
        "Microsoft.DotNet.Interactive.Formatting", "Markdig",
    ];

    /// <summary>Package name prefixes the runner ships (libtorch native builds).</summary>
    public static readonly IReadOnlyList<string> ShippedPackagePrefixes = ["libtorch-"];

    static readonly string[] CSharpNames = ["csharp", "c#"];
    // Magics that only change how a front-end shows the cell; harmless to ignore headless.
    static readonly string[] IgnoredMagics = ["time", "about", "lsmagic"];

    [GeneratedRegex("""^\s*#r\s+"(?<arg>[^"]*)"\s*(//.*)?$""")]
    private static partial Regex ReferenceDirective();

    [GeneratedRegex("""^\s*#i\s+"[^"]*"\s*(//.*)?$""")]
    private static partial Regex SourceDirective();

    [GeneratedRegex("""^\s*#!(?<magic>\S+)""")]
    private static partial Regex Magic();

    /// <summary>Prepares one cell. <paramref name="label"/> is "cell N" for messages; relative <c>#r</c>
    /// paths are resolved against <paramref name="notebookDirectory"/>.</summary>
    /// <exception cref="CellException">The cell cannot be run.</exception>
    public static PreparedCell Prepare(NotebookCell cell, string label, string notebookDirectory)
    {
        var source = cell.Source.Replace("\r\n", "\n");
        switch (cell.CellType)
        {
            case "markdown": return new PreparedCell(CellKind.Markdown, source, []);
            case "raw": return new PreparedCell(CellKind.Raw, source, []);
            case "code": break;
            default: throw new CellException(label, null, $"unknown cell_type '{cell.CellType}'.");
        }

        var lines = source.Split('\n');
        // Polyglot Notebooks keep the cell's kernel in metadata; a first-line magic overrides it.
        var kernel = cell.CellKernel;
        var firstMagic = lines.Length > 0 ? Magic().Match(lines[0]) : Match.Empty;
        if (firstMagic.Success && !IgnoredMagics.Contains(firstMagic.Groups["magic"].Value.ToLowerInvariant()))
        {
            kernel = firstMagic.Groups["magic"].Value;
            lines[0] = "";
        }
        if (kernel is not null && kernel.Equals("markdown", StringComparison.OrdinalIgnoreCase) || kernel is not null && kernel.Equals("md", StringComparison.OrdinalIgnoreCase))
            return new PreparedCell(CellKind.Markdown, firstMagic.Success ? string.Join('\n', lines.Skip(1)) : source, []);
        if (kernel is not null && !CSharpNames.Contains(kernel.ToLowerInvariant()))
            throw new CellException(label, firstMagic.Success ? 1 : null,
                $"the cell is for the '{kernel}' kernel; gannb runs C# cells only (and #!markdown cells).");

        var references = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var magic = Magic().Match(line);
            if (magic.Success)
            {
                var name = magic.Groups["magic"].Value.ToLowerInvariant();
                if (CSharpNames.Contains(name) || IgnoredMagics.Contains(name)) { lines[i] = ""; continue; }
                throw new CellException(label, i + 1,
                    $"magic command '#!{magic.Groups["magic"].Value}' is not supported; gannb runs C# cells only (#!csharp, #!markdown, #!time).");
            }
            if (SourceDirective().IsMatch(line)) { lines[i] = ""; continue; }
            var r = ReferenceDirective().Match(line);
            if (!r.Success) continue;
            var arg = r.Groups["arg"].Value.Trim();
            if (arg.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase)) CheckPackage(arg, label, i + 1);
            else references.Add(ResolveAssembly(arg, label, i + 1, notebookDirectory));
            lines[i] = "";
        }
        return new PreparedCell(CellKind.Code, string.Join('\n', lines), references);
    }

    /// <summary>True when a package of that name ships with the runner.</summary>
    public static bool IsShippedPackage(string name) =>
        ShippedPackages.Any(p => p.Equals(name, StringComparison.OrdinalIgnoreCase))
        || ShippedPackagePrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    static void CheckPackage(string arg, string label, int line)
    {
        var spec = arg["nuget:".Length..];
        var name = spec.Split(',')[0].Trim();
        if (name.Length == 0) throw new CellException(label, line, $"#r \"{arg}\": no package name.");
        if (IsShippedPackage(name)) return;
        throw new CellException(label, line,
            $"#r \"{arg}\": package '{name}' is not available in gannb. Available: {string.Join(", ", ShippedPackages)}, "
            + $"{string.Join(", ", ShippedPackagePrefixes.Select(p => p + "*"))} (resolved to the versions the runner ships). "
            + "Reference a built .dll with #r \"path/to.dll\" instead.");
    }

    /// <summary>
    /// Resolves <c>#r "name-or-path"</c>: an assembly already loaded in the runner (or one the runner can
    /// load by name) is referenced as that very assembly, never loaded a second time from the given path;
    /// otherwise the file, relative to the notebook's folder.
    /// </summary>
    static string ResolveAssembly(string arg, string label, int line, string notebookDirectory)
    {
        var isPath = arg.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || arg.EndsWith(".exe", StringComparison.OrdinalIgnoreCase)
                     || arg.Contains('/') || arg.Contains('\\');
        var simpleName = isPath ? Path.GetFileNameWithoutExtension(arg) : arg;
        if (AssemblyCatalog.TryFind(simpleName) is { } known) return known;
        if (!isPath) throw new CellException(label, line, $"#r \"{arg}\": no assembly named '{arg}' is available; give a path to the .dll.");
        var full = Path.GetFullPath(Path.Combine(notebookDirectory, arg));
        if (!File.Exists(full))
            throw new CellException(label, line, $"#r \"{arg}\": file not found: {full} (relative paths are resolved against the notebook's folder).");
        try { AssemblyName.GetAssemblyName(full); }
        catch (BadImageFormatException) { throw new CellException(label, line, $"#r \"{arg}\": {full} is not a .NET assembly."); }
        return full;
    }
}
