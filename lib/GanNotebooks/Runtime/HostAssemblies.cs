using System.Reflection;
using System.Runtime.Loader;

namespace GanNotebooks.Runtime;

/// <summary>
/// Binds the kit's F# dependencies to the FSharp.Core of the process that hosts it. Plotly.NET 6.0.0 is built against
/// FSharp.Core 10.1, while the .NET Interactive kernel (the Microsoft.dotnet-interactive tool 1.0.712001, which every
/// notebook front-end starts) runs on its own FSharp.Core 10.0 and cannot load a second copy beside it. Two copies in one
/// process break Plotly.NET anyway (Giraffe.ViewEngine binds to one, Plotly.NET to the other: MissingMethodException),
/// so the kit's build leaves FSharp.Core out of the folder notebooks load from, and a request for a newer FSharp.Core
/// than the host has is answered with the host's. Every chart of the course runs on it (the notebooks run through the
/// real kernel in CI).
/// </summary>
public static class HostAssemblies
{
    /// <summary>Assemblies that must exist once per process: the host's copy answers for a newer request.</summary>
    public static readonly IReadOnlyList<string> SharedWithHost = ["FSharp.Core"];

    static int _installed;

    /// <summary>Installs the resolver (idempotent). It answers only requests that would otherwise fail.</summary>
    public static void BindToHost()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        AppDomain.CurrentDomain.AssemblyResolve += (_, args) => Resolve(new AssemblyName(args.Name));
    }

    /// <summary>The host's assembly for a failed request of one of <see cref="SharedWithHost"/>, or null.</summary>
    public static Assembly? Resolve(AssemblyName requested)
    {
        if (requested.Name is not { } name || !SharedWithHost.Contains(name, StringComparer.OrdinalIgnoreCase)) return null;
        var loaded = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => string.Equals(a.GetName().Name, name, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(a => a.GetName().Version)
            .FirstOrDefault();
        if (loaded is not null) return loaded;
        try { return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(name)); }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException) { return null; }
    }
}
