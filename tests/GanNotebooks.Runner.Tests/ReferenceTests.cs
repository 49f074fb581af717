using GanNotebooks.Runner.Run;
using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

public class ReferenceTests
{
    [Fact]
    public void The_runner_does_not_reference_the_library_or_its_packages()
    {
        // The kernel loads the kit (and TorchSharp, Plotly.NET, its FSharp.Core) through the notebook's first cell; a
        // second copy beside them in gannb would break their static state and binding.
        var runner = typeof(NotebookRunner).Assembly;
        var referenced = runner.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("GanNotebooks", referenced);
        Assert.DoesNotContain(referenced, n => n!.StartsWith("TorchSharp", StringComparison.Ordinal) || n.StartsWith("Plotly.NET", StringComparison.Ordinal));
        var deps = File.ReadAllText(Path.Combine(Path.GetDirectoryName(runner.Location)!, "gannb.deps.json"));
        Assert.DoesNotContain("\"GanNotebooks/", deps);
        Assert.DoesNotContain("Plotly.NET", deps);
        Assert.DoesNotContain("TorchSharp", deps);
    }

    [Fact]
    public void Only_the_Kernel_folder_touches_Microsoft_DotNet_Interactive()
    {
        // Kernel/ is the seam to replace if a future SDK breaks the archived .NET Interactive packages.
        var runner = Path.Combine(NotebookExecutionTests.RepoRoot(), "lib", "GanNotebooks.Runner");
        var kernel = Path.Combine(runner, "Kernel") + Path.DirectorySeparatorChar;
        var outside = Directory.EnumerateFiles(runner, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(kernel, StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadAllText(f).Contains("Microsoft.DotNet.Interactive", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(runner, f));
        Assert.Empty(outside);
    }

    [Fact]
    public async Task Nuget_packages_restore_and_their_kernel_extensions_load_as_in_the_tool()
    {
        // Plotly.NET.Interactive carries interactive-extensions/dotnet/Plotly.NET.Interactive.dll, an IKernelExtension
        // that registers a formatter for charts: loaded after the restore, as dotnet-interactive loads it.
        using var nb = Create(Code("#r \"nuget: Plotly.NET.Interactive, 6.0.0\""),
            Code("Plotly.NET.Chart.Invisible()"));
        var run = await nb.RunAsync();
        Assert.True(run.Result.ExitCode == 0, run.Err + run.Out);
        Assert.Contains(run.OutputsAt(0), o => Run.Plain(o).Contains("Loading extensions from", StringComparison.Ordinal));
        Assert.Contains("plotly", Run.Data(run.OutputsAt(1).Single(), "text/html"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unknown_nuget_package_fails_the_cell_with_the_kernels_message()
    {
        using var nb = Create(Code("var a = 1;"), Code("using System;\n#r \"nuget: No.Such.Package.GanNotebooks.Test, 1.0.0\"\n"));
        var run = await nb.RunAsync();
        Assert.Equal(1, run.Result.ExitCode);
        Assert.Contains("cell 2 (line 2)", run.Err);
        Assert.Contains("No.Such.Package.GanNotebooks.Test", run.Result.Cells[1].Outputs.OfType<Execution.ErrorOutput>().Single().EValue);
    }

    [Fact]
    public async Task Dll_path_is_relative_to_the_notebook_folder()
    {
        using var nb = Create(Code("#r \"lib/Extra.dll\"\nExtra.Hello.Say()"));
        var libDir = Path.Combine(nb.Directory, "lib");
        Directory.CreateDirectory(libDir);
        EmitLibrary(Path.Combine(libDir, "Extra.dll"), "namespace Extra { public static class Hello { public static string Say() => \"hello from Extra\"; } }");
        var run = await nb.RunAsync();
        Assert.Equal(0, run.Result.ExitCode);
        Assert.Equal("hello from Extra", Run.Plain(run.OutputsAt(0).Single()));
    }

    [Fact]
    public async Task Missing_dll_is_a_clear_error()
    {
        using var nb = Create(Code("// the build output\n#r \"bin/NoSuchThing.dll\""));
        var run = await nb.RunAsync();
        Assert.Equal(1, run.Result.ExitCode);
        Assert.Contains("cell 1 (line 2)", run.Err);
        Assert.Contains("NoSuchThing.dll", run.Err);
    }

    [Fact]
    public async Task A_kit_script_loaded_with_load_can_add_assemblies_and_usings_for_the_next_cell()
    {
        // The course notebooks' first cell is #load "../lib/kit.csx": the script adds the library's assemblies to the
        // C# kernel and defers a using line, so that the next cell sees the kit's namespaces. Same mechanism here.
        using var nb = Create(Code("#load \"../lib/kit.csx\""), Code("Hello.Say()"));
        var lib = Path.Combine(nb.Directory, "..", "lib");
        Directory.CreateDirectory(Path.Combine(lib, "bin"));
        EmitLibrary(Path.Combine(lib, "bin", "Extra.dll"), "namespace Extra { public static class Hello { public static string Say() => \"hello from the kit\"; } }");
        File.WriteAllText(Path.Combine(lib, "kit.csx"), """
            using Microsoft.DotNet.Interactive;
            using Microsoft.DotNet.Interactive.Commands;
            using Microsoft.DotNet.Interactive.CSharp;
            var kernel = (CSharpKernel)KernelInvocationContext.Current.HandlingKernel;
            kernel.AddAssemblyReferences(new[] { System.IO.Path.GetFullPath("../lib/bin/Extra.dll") });
            kernel.DeferCommand(new SubmitCode("using Extra;"));
            """);
        try
        {
            var run = await nb.RunAsync();
            Assert.True(run.Result.ExitCode == 0, run.Err + run.Out);
            Assert.Equal("hello from the kit", Run.Plain(run.OutputsAt(1).Single()));
        }
        finally { Directory.Delete(lib, recursive: true); }
    }

    static void EmitLibrary(string path, string code)
    {
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create(
            Path.GetFileNameWithoutExtension(path),
            [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(code)],
            [Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
        using var file = File.Create(path);
        var emitted = compilation.Emit(file);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
    }
}
