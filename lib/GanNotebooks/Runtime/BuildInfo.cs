using System.Reflection;

namespace GanNotebooks.Runtime;

/// <summary>Facts about this build of the kit.</summary>
public static class BuildInfo
{
    /// <summary>"cpu" or "cuda": the TorchBackend the library was built with.</summary>
    public static string TorchBackend =>
        typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "cpu";

    /// <summary>Informational version of an assembly (or "?").</summary>
    public static string VersionOf(Assembly a) =>
        a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
        ?? a.GetName().Version?.ToString() ?? "?";
}
