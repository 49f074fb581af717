using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;

namespace GanNotebooks.Runtime;

/// <summary>What the setup notebook shows a new user: versions, device, native fix, profile, data folder.</summary>
public sealed record EnvironmentReport(
    string OperatingSystem,
    string DotNet,
    string TorchSharpVersion,
    string LibTorchVersion,
    string TorchBackend,
    string Device,
    string DeviceReason,
    string NativeFix,
    string Profile,
    int Threads,
    string DataDirectory)
{
    /// <summary>
    /// How the thread count was chosen: <see cref="Runtime.Threads.Current"/> when a notebook already applied its
    /// setting, else torch's default plus this machine's cached auto choice, if one was measured.
    /// </summary>
    public string ThreadChoice { get; init; } = "";

    /// <summary>The kernel self-test's verdict: which setting of libtorch's CPU kernels is in use and why (<see cref="KernelSettings"/>).</summary>
    public string Kernels { get; init; } = "";

    /// <summary>Collects the report for this process.</summary>
    public static EnvironmentReport Collect()
    {
        NativeRuntime.EnsureLoadable();
        var fix = NativeRuntime.Outcome switch
        {
            NativeFixOutcome.Patched or NativeFixOutcome.AlreadyPatched =>
                $"in use: system libstdc++ lacks {Runtime.NativeFix.MissingVersion}; the kit marked that one requirement weak in its own copy of {Runtime.NativeFix.LibraryFileName}",
            NativeFixOutcome.NotNeeded => $"not needed: system libstdc++ has {Runtime.NativeFix.MissingVersion}",
            NativeFixOutcome.NoSuchRequirement => "not needed: this TorchSharp build does not ask for it",
            _ => "not applicable on this OS",
        };
        return new EnvironmentReport(
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            BuildInfo.VersionOf(typeof(torch).Assembly),
            torch.__version__,
            BuildInfo.TorchBackend,
            Devices.Current.ToString(),
            Devices.Reason,
            fix,
            Budget.Profile.ToString().ToLowerInvariant(),
            torch.get_num_threads(),
            KitPaths.DataDirectory ?? "(not found: set GANKIT_DATA to the kit's data/ folder)")
        {
            ThreadChoice = DescribeThreads(),
            Kernels = KernelSettings.Current?.Summary() ?? "not checked",
        };
    }

    static string DescribeThreads()
    {
        if (Runtime.Threads.Current is { } c) return c.ToString();
        var cached = Runtime.Threads.Cached();
        return cached is null
            ? "torch default; no auto choice measured on this machine yet (a notebook's threads = \"auto\" measures it once)"
            : $"torch default until a notebook applies its setting; this machine's auto choice: {cached}";
    }

    /// <summary>Rows of (item, value) for display.</summary>
    public IEnumerable<(string Item, string Value)> Rows()
    {
        yield return ("OS", OperatingSystem);
        yield return (".NET", DotNet);
        yield return ("TorchSharp", TorchSharpVersion);
        yield return ("libtorch", LibTorchVersion);
        yield return ("build", TorchBackend);
        yield return ("device", Device);
        yield return ("why this device", DeviceReason);
        yield return ("native fix", NativeFix);
        if (Kernels.Length > 0) yield return ("kernels checked", Kernels);
        yield return ("budget profile", Profile);
        yield return ("CPU threads", Threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (ThreadChoice.Length > 0) yield return ("thread choice", ThreadChoice);
        yield return ("data folder", DataDirectory);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        int w = Rows().Max(r => r.Item.Length);
        foreach (var (item, value) in Rows()) sb.Append(item.PadRight(w)).Append("  ").AppendLine(value);
        return sb.ToString().TrimEnd();
    }

    /// <summary>An HTML table of the report.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder("<table class=\"gankit-env\">");
        foreach (var (item, value) in Rows())
            sb.Append("<tr><th style=\"text-align:left\">").Append(System.Net.WebUtility.HtmlEncode(item))
              .Append("</th><td style=\"text-align:left\">").Append(System.Net.WebUtility.HtmlEncode(value)).Append("</td></tr>");
        return sb.Append("</table>").ToString();
    }
}
