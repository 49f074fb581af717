using System.Reflection;
using GanNotebooks.Runtime;

namespace GanNotebooks.Tests.Runtime;

/// <summary>In a notebook kernel the kit runs on the kernel's FSharp.Core (see HostAssemblies); the rule is narrow.</summary>
public class HostAssembliesTests
{
    [Fact]
    public void A_newer_FSharp_Core_request_is_answered_with_the_loaded_one()
    {
        var loaded = typeof(Microsoft.FSharp.Core.FSharpFunc<int, int>).Assembly;
        var answer = HostAssemblies.Resolve(new AssemblyName("FSharp.Core, Version=99.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a"));
        Assert.Same(loaded, answer);
    }

    [Fact]
    public void Other_assemblies_are_left_to_the_runtime()
    {
        Assert.Null(HostAssemblies.Resolve(new AssemblyName("Giraffe.ViewEngine, Version=99.0.0.0")));
        Assert.Null(HostAssemblies.Resolve(new AssemblyName("NoSuchAssembly")));
    }

    [Fact]
    public void The_kits_own_output_folder_carries_no_copy_of_the_kernels_assemblies()
    {
        // Notebooks load the kit from lib/GanNotebooks/bin/<configuration>/ (lib/kit.csx): a second FSharp.Core or
        // Formatting there would break Plotly.NET and the formatters inside the kernel.
        var root = Kit.FindRepoRoot();
        Assert.NotNull(root);
        var built = new[] { "Debug", "Release" }.Select(c => Path.Combine(root!, "lib", "GanNotebooks", "bin", c))
            .Where(d => File.Exists(Path.Combine(d, "GanNotebooks.dll"))).ToList();
        Assert.NotEmpty(built);     // building this test project builds the library
        foreach (var libBin in built)
            foreach (var name in new[] { "FSharp.Core.dll", "Microsoft.DotNet.Interactive.Formatting.dll", "Microsoft.AspNetCore.Html.Abstractions.dll" })
                Assert.False(File.Exists(Path.Combine(libBin, name)), $"{name} must not be in {libBin}");
    }
}
