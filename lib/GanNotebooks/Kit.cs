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
        Attach();
        if (device is not null) Devices.Use(device);
        Seeding.Seed(seed);
        return EnvironmentReport.Collect();
    }

    static int _attached;

    /// <summary>
    /// Prepares the process for the kit without seeding or reporting: binds FSharp.Core to the host's (a notebook
    /// kernel's), makes TorchSharp's native libraries load from the kit's own folder, and registers the display
    /// formatters. Idempotent. The notebooks' first cell (<c>#load "../lib/kit.csx"</c>) calls it; so does
    /// <see cref="Setup"/>.
    /// </summary>
    public static void Attach()
    {
        if (Interlocked.Exchange(ref _attached, 1) == 1) return;
        HostAssemblies.BindToHost();
        NativeRuntime.EnsureLoadable();
        Viz.Formatters.Register();
        // The report of Kit.Setup() is the first output of every notebook: it carries plotly.js for the session's charts.
        Microsoft.DotNet.Interactive.Formatting.Formatter.Register<EnvironmentReport>(
            (r, w) => w.Write(r.ToHtml() + Viz.Formatters.PlotlyJsOnce()), "text/html");
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
