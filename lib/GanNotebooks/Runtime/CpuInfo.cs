using System.Runtime.InteropServices;

namespace GanNotebooks.Runtime;

/// <summary>The first processor's entry of /proc/cpuinfo (Linux), for the per-machine caches' keys (threads, kernels).</summary>
public static class CpuInfo
{
    static readonly Lazy<IReadOnlyList<string>> Lines = new(Read);

    /// <summary>A field of the first processor ("model name", "cpu family", "model", "flags"), or null.</summary>
    public static string? Field(string name) =>
        Lines.Value.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal) && l[name.Length..].TrimStart().StartsWith(':'))?.Split(':', 2)[1].Trim();

    /// <summary>The CPU model ("AMD EPYC"), else PROCESSOR_IDENTIFIER (Windows), else the architecture.</summary>
    public static string Model() =>
        Field("model name") ?? Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? RuntimeInformation.ProcessArchitecture.ToString();

    static IReadOnlyList<string> Read()
    {
        try { return File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToList() : []; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }
}
