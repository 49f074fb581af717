using GanNotebooks.Runtime;

namespace GanNotebooks;

/// <summary>
/// The entry point every notebook's first cell calls: <c>Kit.Setup()</c> makes torch loadable,
/// registers the kit's display formatters, seeds, and returns the environment report.
/// </summary>
public static class Kit
{
    /// <summary>Prepare the kit for a notebook or program and return what was found.</summary>
    /// <param name="seed">Seed for torch and the kit's random source (see <see cref="Seeding.Seed"/>).</param>
    /// <param name="device">"auto" (default: CUDA if present, else CPU), "cpu", "cuda" or "cuda:N";
    /// null keeps the GANKIT_DEVICE environment variable's choice.</param>
    public static EnvironmentReport Setup(long seed = 0, string? device = null)
    {
        NativeRuntime.EnsureLoadable();
        if (device is not null) Devices.Use(device);
        Seeding.Seed(seed);
        RegisterFormatters();
        return EnvironmentReport.Collect();
    }

    static bool _formattersRegistered;
    static void RegisterFormatters()
    {
        if (_formattersRegistered) return;
        _formattersRegistered = true;
        Viz.Formatters.Register();
        Microsoft.DotNet.Interactive.Formatting.Formatter.Register<EnvironmentReport>(
            (r, w) => w.Write(r.ToHtml()), "text/html");
    }

    /// <inheritdoc cref="KitPaths.DataEnvironmentVariable"/>
    public const string DataEnvironmentVariable = KitPaths.DataEnvironmentVariable;

    /// <inheritdoc cref="KitPaths.DataDirectory"/>
    public static string? DataDirectory => KitPaths.DataDirectory;

    /// <inheritdoc cref="KitPaths.OutputEnvironmentVariable"/>
    public const string OutputEnvironmentVariable = KitPaths.OutputEnvironmentVariable;

    /// <inheritdoc cref="KitPaths.OutputDirectory"/>
    public static string OutputDirectory(string notebookName) => KitPaths.OutputDirectory(notebookName);

    /// <inheritdoc cref="KitPaths.FindRepoRoot"/>
    public static string? FindRepoRoot() => KitPaths.FindRepoRoot();
}
