using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GanNotebooks.Runtime;

/// <summary>
/// Makes sure TorchSharp's native library can load before anything touches torch.
/// The build already patches the copy in each output folder (Directory.Build.targets); this is the
/// run-time safety net for outputs copied elsewhere, and it records what was found for the setup report.
/// It also preloads libtorch and libLibTorchSharp by full path from the kit's own folder: inside a notebook
/// kernel the kit is loaded with <c>#r</c>/<c>AddAssemblyReferences</c>, nobody reads the kit's deps.json, and
/// TorchSharp would otherwise look beside TorchSharp.dll only, then copy libtorch out of the NuGet cache and load
/// the unpatched library. Once loaded by path, TorchSharp's own load by name finds the same libraries.
/// </summary>
public static class NativeRuntime
{
    static readonly object Gate = new();
    static bool _done;

    /// <summary>Path of the libLibTorchSharp.so that TorchSharp will load, or null when not found / not Linux.</summary>
    public static string? LibraryPath { get; private set; }

    /// <summary>The native libraries preloaded by full path (empty when TorchSharp finds them by itself).</summary>
    public static IReadOnlyList<string> Preloaded { get; private set; } = [];

    /// <summary>What the check found or did (see <see cref="NativeFixOutcome"/>).</summary>
    public static NativeFixOutcome Outcome { get; private set; } = NativeFixOutcome.NotApplicable;

    /// <summary>True when the system libstdc++ lacks GLIBCXX_3.4.32 and the kit's fix is in use.</summary>
    public static bool FixInUse => Outcome is NativeFixOutcome.Patched or NativeFixOutcome.AlreadyPatched;

    // A library module initializer on purpose: any use of the kit (a notebook's first cell, a test)
    // runs this before TorchSharp's native library is first loaded.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Init()
    {
        HostAssemblies.BindToHost();
        EnsureLoadable();
    }

    /// <summary>
    /// Idempotent. Finds libLibTorchSharp.so beside TorchSharp.dll and applies the fix if needed, then applies this
    /// machine's checked kernel setting (<see cref="KernelSettings"/>) before libtorch runs its first kernel.
    /// </summary>
    public static void EnsureLoadable()
    {
        lock (Gate)
        {
            if (_done) return;
            _done = true;
            LoadNative();
        }
        KernelSettings.ApplyAtStartup();
    }

    static void LoadNative()
    {
        {
            if (OperatingSystem.IsWindows()) { Preload(FindNativeDirectory("win"), ["torch_cuda.dll", "torch_cpu.dll", "LibTorchSharp.dll"]); return; }
            if (!OperatingSystem.IsLinux()) return;
            LibraryPath = FindLibrary();
            if (LibraryPath is null) return;
            try { Outcome = NativeFix.Apply(LibraryPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Read-only install: report it; torch's own load error will name the missing version.
                Outcome = NativeFix.SystemLibStdCxxHas(NativeFix.MissingVersion)
                    ? NativeFixOutcome.NotNeeded
                    : (NativeFix.IsWeak(LibraryPath) ? NativeFixOutcome.AlreadyPatched : NativeFixOutcome.NotApplicable);
            }
            // libtorch first (libLibTorchSharp needs it), the CUDA build's library before the CPU one, as TorchSharp does.
            Preload(Path.GetDirectoryName(LibraryPath), ["libtorch_cuda.so", "libtorch_cpu.so", NativeFix.LibraryFileName]);
        }
    }

    /// <summary>
    /// Loads the named libraries of <paramref name="directory"/> that exist, in order, unless TorchSharp.dll's own folder
    /// holds them (a published app, where TorchSharp's load by name already works and must stay the one that decides).
    /// </summary>
    static void Preload(string? directory, string[] fileNames)
    {
        if (directory is null || !Directory.Exists(directory)) return;
        var torchDir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        if (string.Equals(Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar), torchDir?.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
            return;
        var loaded = new List<string>();
        foreach (var name in fileNames)
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path)) continue;
            // A failure here is left to TorchSharp's own loader, whose message names what is missing.
            if (NativeLibrary.TryLoad(path, out _)) loaded.Add(path);
        }
        Preloaded = loaded;
    }

    /// <summary>runtimes/&lt;os&gt;-&lt;arch&gt;/native beside TorchSharp.dll or the application, or null.</summary>
    static string? FindNativeDirectory(string os)
    {
        var rid = os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var torchDir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        foreach (var dir in new[] { torchDir, AppContext.BaseDirectory }.Where(d => !string.IsNullOrEmpty(d)).Distinct())
        {
            var candidate = Path.Combine(dir!, "runtimes", rid, "native");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    static string? FindLibrary()
    {
        var torchDir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        var baseDir = AppContext.BaseDirectory;
        foreach (var dir in new[] { torchDir, baseDir }.Where(d => !string.IsNullOrEmpty(d)).Distinct())
        {
            foreach (var rel in new[] { Path.Combine("runtimes", "linux-x64", "native"), Path.Combine("runtimes", "linux-arm64", "native"), "" })
            {
                var candidate = Path.Combine(dir!, rel, NativeFix.LibraryFileName);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }
}
