using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

public class ReferenceTests
{
    [Fact]
    public async Task Shipped_nuget_packages_are_accepted()
    {
        using var nb = Create(Code("""
            #r "nuget: TorchSharp, 0.107.0"
            #r "nuget:libtorch-cpu-linux-x64, 2.10.0"
            #r "nuget: Plotly.NET.Interactive, 5.0.0"
            #r "nuget: Microsoft.DotNet.Interactive.Formatting, *-*"
            #i "nuget: https://example.invalid/feed"
            TorchSharp.torch.zeros(2).shape[0]
            """));
        var run = await nb.RunAsync();
        Assert.Equal(0, run.Result.ExitCode);
        Assert.Equal("2", Run.Plain(run.OutputsAt(0).Single()));
    }

    [Fact]
    public async Task Unknown_nuget_package_names_cell_line_package_and_what_is_available()
    {
        using var nb = Create(Code("var a = 1;"), Code("using System;\n#r \"nuget: Newtonsoft.Json, 13.0.3\"\n"));
        var run = await nb.RunAsync();
        Assert.Equal(2, run.Result.ExitCode);
        Assert.Contains("cell 2 (line 2)", run.Err);
        Assert.Contains("'Newtonsoft.Json'", run.Err);
        Assert.Contains("TorchSharp-cpu", run.Err);
        Assert.Contains("Plotly.NET.CSharp", run.Err);
    }

    [Fact]
    public async Task Dll_of_an_assembly_already_loaded_maps_to_the_loaded_copy()
    {
        // The path does not even exist: the notebook's usual #r of the library's build output must
        // resolve to the library the runner already has, never a second copy.
        using var nb = Create(Code("""
            #r "../lib/GanNotebooks/bin/Release/GanNotebooks.dll"
            var copies = AppDomain.CurrentDomain.GetAssemblies().Count(a => a.GetName().Name == "GanNotebooks");
            var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(typeof(GanNotebooks.Runtime.Budget).Assembly)!.Name;
            $"{copies} {context}"
            """));
        var run = await nb.RunAsync();
        Assert.Equal(0, run.Result.ExitCode);
        Assert.Equal("1 Default", Run.Plain(run.OutputsAt(0).Single()));
        Assert.Same(typeof(GanNotebooks.Runtime.Budget).Assembly,
            AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "GanNotebooks"));
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
        using var nb = Create(Code("#r \"bin/NoSuchThing.dll\""));
        var run = await nb.RunAsync();
        Assert.Equal(2, run.Result.ExitCode);
        Assert.Contains("cell 1 (line 1)", run.Err);
        Assert.Contains("file not found", run.Err);
        Assert.Contains(Path.Combine(nb.Directory, "bin", "NoSuchThing.dll"), run.Err);
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
