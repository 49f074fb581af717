// GanNotebooks: loads the kit into this notebook's C# kernel. Every notebook's first cell is
//     #load "../lib/kit.csx"
// It works the same in JupyterLab, Notebook 7, VS Code (Jupyter or Polyglot Notebooks) and the headless runner: they all
// run the .NET Interactive C# kernel. The library is referenced from its Release build, so that nothing is restored or
// copied when a notebook starts; the namespaces below are imported for the cells that follow.
#nullable enable

static string GanKitScriptPath([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

var ganKitDirectory = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(GanKitScriptPath())!, "GanNotebooks", "bin", "Release");
var ganKitAssembly = System.IO.Path.Combine(ganKitDirectory, "GanNotebooks.dll");
if (!System.IO.File.Exists(ganKitAssembly))
    throw new System.IO.FileNotFoundException(
        $"GanNotebooks is not built yet: run `dotnet build -c Release lib/GanNotebooks` in the repository root ({System.IO.Path.GetFullPath(System.IO.Path.Combine(ganKitDirectory, "..", "..", "..", ".."))}), then run this cell again.");

// The kit's assemblies, plus the FSharp.Core the kernel itself runs on (Plotly.NET's signatures use F# types). The build
// leaves FSharp.Core and the .NET Interactive formatting assemblies out of the kit's folder on purpose: one copy of
// each in the process, the kernel's (see environment.md, "Notebook front-ends").
var ganKitReferences = System.IO.Directory.GetFiles(ganKitDirectory, "*.dll")
    .Where(p => { try { System.Reflection.AssemblyName.GetAssemblyName(p); return true; } catch (BadImageFormatException) { return false; } })
    .Concat(((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
        .Split(System.IO.Path.PathSeparator)
        .Where(p => System.IO.Path.GetFileName(p).Equals("FSharp.Core.dll", StringComparison.OrdinalIgnoreCase)))
    .ToArray();

var ganKitKernel = Microsoft.DotNet.Interactive.KernelInvocationContext.Current?.HandlingKernel as Microsoft.DotNet.Interactive.CSharp.CSharpKernel
    ?? throw new InvalidOperationException("kit.csx must be loaded from a notebook cell run by the .NET Interactive C# kernel (#load \"../lib/kit.csx\").");
ganKitKernel.AddAssemblyReferences(ganKitReferences);
// The kit's public namespaces, read from its metadata (nothing is loaded here), so that a new folder of the library is
// imported without editing this file.
string[] ganKitNamespaces;
using (var stream = System.IO.File.OpenRead(ganKitAssembly))
using (var pe = new System.Reflection.PortableExecutable.PEReader(stream))
{
    var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
    ganKitNamespaces = md.TypeDefinitions.Select(md.GetTypeDefinition)
        .Where(t => (t.Attributes & System.Reflection.TypeAttributes.VisibilityMask) == System.Reflection.TypeAttributes.Public)
        .Select(t => md.GetString(t.Namespace))
        .Where(n => n == "GanNotebooks" || n.StartsWith("GanNotebooks.", StringComparison.Ordinal))
        .Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray();
}
// Runs before the next cell: the namespaces for every later cell, and the kit's start-up (TorchSharp's native libraries
// loaded from the kit's own folder, FSharp.Core bound to the kernel's, formatters for charts, images and tables).
// display(…) is declared again: the kernel's own (Kernel.display → object.Display()) publishes the value under one
// display id and returns a handle with another, so handle.Update(…) never reaches the output (tool 1.0.712001). This one
// returns the handle that was published, so live progress updates in place.
ganKitKernel.DeferCommand(new Microsoft.DotNet.Interactive.Commands.SubmitCode(
    "using TorchSharp;\nusing static TorchSharp.torch;\n"
    + string.Concat(ganKitNamespaces.Select(n => $"using {n};\n"))
    + "Microsoft.DotNet.Interactive.Formatting.DisplayedValue display(object value, params string[] mimeTypes) =>\n"
    + "    Microsoft.DotNet.Interactive.KernelInvocationContextExtensions.Display(Microsoft.DotNet.Interactive.KernelInvocationContext.Current, value, mimeTypes);\n"
    + "GanNotebooks.Kit.Attach();\n"
    // Claims (GanNotebooks.Runtime.Claims) are shown inline when made, in the cell that makes them.
    + "GanNotebooks.Runtime.Claims.Show = v => display(v);"));
Console.WriteLine($"GanNotebooks kit: {ganKitAssembly}");
