using System.Reflection;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using TorchSharp;

namespace GanNotebooks.Runner.Execution;

/// <summary>
/// The assemblies a notebook compiles against: the .NET framework, the kit library and the packages
/// it ships (TorchSharp, Plotly.NET, Formatting, Markdig), all as already loaded (or
/// loadable) in this process, so that scripts and runner share one copy of each.
/// </summary>
public static class AssemblyCatalog
{
    static readonly Lazy<Dictionary<string, string>> Tpa = new(() =>
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        foreach (var path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            map.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        return map;
    });

    /// <summary>Seeds of the default reference set; their dependency closure is referenced too.</summary>
    static Assembly[] Seeds =>
    [
        typeof(GanNotebooks.Runtime.Budget).Assembly,
        typeof(torch).Assembly,
        typeof(GenericChart).Assembly,
        typeof(Plotly.NET.CSharp.Chart).Assembly,
        typeof(Microsoft.FSharp.Core.FSharpOption<>).Assembly,
        typeof(Formatter).Assembly,
        typeof(IHtmlContent).Assembly,
        typeof(Markdig.Markdown).Assembly,
        typeof(Scripting.NotebookGlobals).Assembly,
    ];

    static readonly Lazy<IReadOnlyList<string>> Defaults = new(() =>
    {
        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // The whole shared framework, as .NET Interactive references it.
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        foreach (var path in Tpa.Value.Values.Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDir, StringComparison.Ordinal)))
            if (IsManaged(path) && seen.Add(Path.GetFileNameWithoutExtension(path))) paths.Add(path);
        // The kit and its packages, with what they depend on (FSharp.Core, DynamicObj, Giraffe…).
        var queue = new Queue<AssemblyName>(Seeds.Select(a => a.GetName()));
        while (queue.Count > 0)
        {
            var name = queue.Dequeue();
            if (name.Name is null || !seen.Add(name.Name)) continue;
            if (TryFind(name.Name) is not { } path) continue;
            paths.Add(path);
            try
            {
                var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name.Name)
                             ?? Assembly.Load(name);
                foreach (var dep in loaded.GetReferencedAssemblies()) queue.Enqueue(dep);
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                // An optional dependency that is not deployed: nothing references it at run time either.
            }
        }
        return paths;
    });

    /// <summary>Assembly files every submission references.</summary>
    public static IReadOnlyList<string> DefaultReferences => Defaults.Value;

    /// <summary>
    /// Path of the assembly with that simple name that this process uses (already loaded, or listed
    /// among the application's trusted assemblies), or null.
    /// </summary>
    public static string? TryFind(string simpleName)
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => !a.IsDynamic && !string.IsNullOrEmpty(a.Location)
                                 && string.Equals(a.GetName().Name, simpleName, StringComparison.OrdinalIgnoreCase));
        if (loaded is not null) return loaded.Location;
        return Tpa.Value.TryGetValue(simpleName, out var path) ? path : null;
    }

    static bool IsManaged(string path)
    {
        try { AssemblyName.GetAssemblyName(path); return true; }
        catch (BadImageFormatException) { return false; }
    }

    /// <summary>
    /// Namespaces every notebook gets without a using line: the same set the .NET Interactive C# kernel
    /// imports (System, System.Text, System.Collections(.Generic), System.Threading.Tasks, System.Linq),
    /// plus the runner's display() globals. Deliberately no more: a notebook that runs here must also
    /// run in VS Code, so every other namespace comes from the notebook's own first cell.
    /// </summary>
    public static IReadOnlyList<string> DefaultImports { get; } = new[]
    {
        "System", "System.Text", "System.Collections", "System.Collections.Generic",
        "System.Threading.Tasks", "System.Linq",
        "GanNotebooks.Runner.Scripting",
    };
}
