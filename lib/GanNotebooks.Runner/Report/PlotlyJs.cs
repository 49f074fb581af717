using System.Reflection;
using System.Text;

namespace GanNotebooks.Runner.Report;

/// <summary>
/// plotly.js for the reports, with no network: the copy that ships inside Plotly.NET (its embedded resource
/// plotly-&lt;version&gt;.min.js), taken out of the Plotly.NET package by the build (GanNotebooks.Runner.csproj, target
/// GanKitPlotlyJs) and embedded in gannb. gannb does not reference Plotly.NET itself: a second Plotly.NET/FSharp.Core
/// beside the ones a notebook loads into the kernel would be a second copy of their static state.
/// </summary>
public static class PlotlyJs
{
    const string ResourceName = "plotly/plotly.min.js";
    static readonly Lazy<string> Source = new(Read);

    /// <summary>The plotly.js source text (~3.6 MB).</summary>
    public static string Script => Source.Value;

    static string Read()
    {
        using var stream = typeof(PlotlyJs).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"gannb was built without plotly.js (resource {ResourceName}); see the GanKitPlotlyJs target of GanNotebooks.Runner.csproj.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The plotly.js version embedded.</summary>
    public static string? Version =>
        typeof(PlotlyJs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "PlotlyJsResource")?.Value;
}
