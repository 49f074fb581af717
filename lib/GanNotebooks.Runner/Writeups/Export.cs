using System.Text;
using System.Text.Json.Nodes;
using GanNotebooks.Runner.Kernel;
using GanNotebooks.Runner.Manifest;
using GanNotebooks.Runner.Run;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GanNotebooks.Runner.Writeups;

/// <summary>
/// <c>gannb export NOTEBOOK.ipynb --to app OUT.cs</c>: the notebook as a .NET 10 file-based app (<c>dotnet run OUT.cs</c>),
/// so that a write-up runs without any notebook front-end:
/// <list type="bullet">
/// <item><c>#:project</c> the kit (relative to OUT.cs), <c>#:property</c> settings a notebook kernel has (no nullable
/// warnings, no AOT); the kit's public namespaces as usings;</item>
/// <item>markdown cells as <c>//</c> comments, code cells in order, each headed by a comment with its number;</item>
/// <item>the variables of the <c>parameters</c> cell as command-line options (<c>--seed 3</c>), plus <c>--profile
/// full|smoke|paper</c> and <c>--out DIR</c>;</item>
/// <item>a cell's trailing expression and every <c>display(…)</c> written to DIR/displays.html (charts, images, tables, in
/// order) and, as text, to stdout; claims are printed as they are made and the claims table at the end;</item>
/// <item>types a cell declares (records, classes) moved after the top-level statements, as C# requires; notebook
/// directives (<c>#load</c>, <c>#r</c>, <c>#!</c>) commented out.</item>
/// </list>
/// </summary>
public static class Export
{
    /// <summary>Writes the app; returns the exit code.</summary>
    public static int Run(string notebook, string output, TextWriter stdout, TextWriter stderr)
    {
        var path = Path.GetFullPath(notebook);
        if (!File.Exists(path)) { stderr.WriteLine($"gannb export: {path}: file not found."); return NotebookRunner.ExitUsage; }
        var outPath = Path.GetFullPath(output);
        if (!outPath.EndsWith(".cs", StringComparison.Ordinal)) { stderr.WriteLine($"gannb export: {output}: the app's file name must end in .cs."); return NotebookRunner.ExitUsage; }
        var root = ManifestBuilder.RepoRoot(path);
        if (root is null) { stderr.WriteLine($"gannb export: {path} is not inside the kit (no GanNotebooks.sln above it): the app needs #:project to the kit."); return NotebookRunner.ExitUsage; }
        var nb = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var text = Write(nb, Path.GetFileName(path), Path.GetRelativePath(Path.GetDirectoryName(outPath)!, Path.Combine(root, "lib", "GanNotebooks", "GanNotebooks.csproj")).Replace('\\', '/'), KitNamespaces(root));
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        File.WriteAllText(outPath, text);
        stdout.WriteLine($"export: wrote {outPath}");
        stdout.WriteLine($"  run:  dotnet run {outPath} -- [--profile full|smoke|paper] [--out DIR] [--<parameter> VALUE …]");
        return NotebookRunner.ExitOk;
    }

    /// <summary>The kit's public namespaces (from the Release build's metadata, as kit.csx imports them; a fixed list when it is not built).</summary>
    static IReadOnlyList<string> KitNamespaces(string root)
    {
        var dll = Path.Combine(root, "lib", "GanNotebooks", "bin", "Release", "GanNotebooks.dll");
        if (File.Exists(dll))
        {
            using var stream = File.OpenRead(dll);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            return md.TypeDefinitions.Select(md.GetTypeDefinition)
                .Where(t => (t.Attributes & System.Reflection.TypeAttributes.VisibilityMask) == System.Reflection.TypeAttributes.Public)
                .Select(t => md.GetString(t.Namespace))
                .Where(n => n == "GanNotebooks" || n.StartsWith("GanNotebooks.", StringComparison.Ordinal))
                .Distinct().Order(StringComparer.Ordinal).ToList();
        }
        return ["GanNotebooks", "GanNotebooks.Runtime"];
    }

    static string Src(JsonObject cell) => cell["source"] switch
    {
        JsonArray a => string.Concat(a.Select(x => (string?)x ?? "")),
        JsonValue v => (string?)v ?? "",
        _ => "",
    };

    /// <summary>The app's source text.</summary>
    public static string Write(JsonObject nb, string notebookName, string projectPath, IReadOnlyList<string> namespaces)
    {
        var body = new StringBuilder();
        var types = new StringBuilder();
        var parameters = new List<string>();
        var n = 0;
        foreach (var cell in (nb["cells"] as JsonArray ?? []).OfType<JsonObject>())
        {
            n++;
            var kind = (string?)cell["cell_type"];
            var src = Src(cell).Replace("\r\n", "\n");
            var tags = (cell["metadata"]?["tags"] as JsonArray ?? []).Select(t => (string?)t).ToList();
            if (tags.Contains("injected-parameters")) { n--; continue; }
            if (kind == "markdown" || kind == "raw")
            {
                body.AppendLine($"// ── cell {n} ({kind}) ─────────────────────────────────────────");
                foreach (var line in src.TrimEnd().Split('\n')) body.AppendLine(("// " + line).TrimEnd());
                body.AppendLine();
                continue;
            }
            if (kind != "code") continue;
            body.AppendLine($"// ── cell {n} ──────────────────────────────────────────────────────");
            body.AppendLine($"__Cell({n});");
            var (code, cellTypes, names) = Translate(src, tags.Contains("parameters"));
            parameters.AddRange(names);
            body.AppendLine(code.TrimEnd());
            body.AppendLine();
            if (cellTypes.Length > 0) types.AppendLine($"// types declared in cell {n}").AppendLine(cellTypes.TrimEnd()).AppendLine();
        }

        var sb = new StringBuilder();
        sb.AppendLine("#!/usr/bin/env dotnet");
        sb.AppendLine($"// {notebookName}, exported by `gannb export` as a .NET 10 file-based app: dotnet run {Path.ChangeExtension(notebookName, ".cs")} -- [--profile full|smoke|paper] [--out DIR] [--NAME VALUE …]");
        sb.AppendLine($"// Parameters: {(parameters.Count == 0 ? "(none)" : string.Join(", ", parameters.Select(p => "--" + p)))}. Displays go to DIR/displays.html (default: {Path.GetFileNameWithoutExtension(notebookName)}-out/), text and claims to stdout.");
        sb.AppendLine($"#:project {projectPath}");
        sb.AppendLine("#:property Nullable=disable");
        sb.AppendLine("#:property PublishAot=false");
        sb.AppendLine("#:property TreatWarningsAsErrors=false");
        sb.AppendLine("#:property NoWarn=$(NoWarn);CS8321;CS0168;CS0219;CS1998;CS8981");
        sb.AppendLine("using TorchSharp;");
        sb.AppendLine("using static TorchSharp.torch;");
        foreach (var ns in namespaces) sb.AppendLine($"using {ns};");
        sb.AppendLine("using static __Notebook;");
        sb.AppendLine();
        sb.AppendLine("__Notebook.Start(args);");
        sb.AppendLine();
        sb.Append(body);
        sb.AppendLine("__Notebook.Finish();");
        sb.AppendLine();
        sb.Append(types);
        sb.AppendLine(AppSupport.Source);
        return sb.ToString();
    }

    /// <summary>
    /// One code cell: directives commented out, the parameters' initializers wrapped in <c>__Param</c>, the trailing
    /// expression displayed, type declarations taken out.
    /// </summary>
    static (string Code, string Types, List<string> Parameters) Translate(string src, bool isParameters)
    {
        var lines = src.Split('\n').Select(l => l.TrimStart().StartsWith("#load", StringComparison.Ordinal) || l.TrimStart().StartsWith("#r ", StringComparison.Ordinal) || l.TrimStart().StartsWith("#!", StringComparison.Ordinal) || l.TrimStart().StartsWith("#i ", StringComparison.Ordinal)
            ? "// (notebook directive) " + l : l);
        var code = string.Join("\n", lines);
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview, kind: SourceCodeKind.Script));
        var root = (CompilationUnitSyntax)tree.GetRoot();
        var parameters = new List<string>();
        var types = new StringBuilder();
        var edits = new List<(TextSpan Span, string Text)>();
        foreach (var member in root.Members)
        {
            if (member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax)
            {
                types.AppendLine(member.ToFullString().Trim());
                edits.Add((member.FullSpan, "\n"));
            }
        }
        if (isParameters)
        {
            foreach (var v in root.DescendantNodes().OfType<VariableDeclaratorSyntax>().Where(v => v.Initializer is not null && v.Parent?.Parent is LocalDeclarationStatementSyntax or FieldDeclarationSyntax))
            {
                var name = v.Identifier.ValueText;
                parameters.Add(name);
                edits.Add((v.Initializer!.Value.Span, $"__Param(\"{name}\", {v.Initializer.Value})"));
            }
        }
        // The trailing expression (no semicolon) is the cell's displayed value.
        if (root.Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax es } && es.SemicolonToken.IsMissing)
            edits.Add((es.Span, $"display({es.Expression});"));
        foreach (var (span, text) in edits.OrderByDescending(e => e.Span.Start))
            code = code[..span.Start] + text + code[span.End..];
        return (code, types.ToString(), parameters);
    }

}
