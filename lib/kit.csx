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
// Runs before the next cell: the kit's namespaces for every later cell, and the kit's start-up (the native libraries of
// TorchSharp loaded from the kit's own folder, formatters for charts, images and tables).
ganKitKernel.DeferCommand(new Microsoft.DotNet.Interactive.Commands.SubmitCode("""
    using TorchSharp;
    using static TorchSharp.torch;
    using GanNotebooks;
    using GanNotebooks.Runtime;
    using GanNotebooks.Data;
    using GanNotebooks.Nets;
    using GanNotebooks.Objectives;
    using GanNotebooks.Training;
    using GanNotebooks.Metrics;
    using GanNotebooks.Theory;
    using GanNotebooks.Viz;
    GanNotebooks.Kit.Attach();
    """));
Console.WriteLine($"GanNotebooks kit: {ganKitAssembly}");
