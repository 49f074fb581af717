using System.Reflection;
using System.Runtime.CompilerServices;

namespace GanNotebooks.Runtime;

/// <summary>
/// Makes sure TorchSharp's native library can load before anything touches torch.
/// The build already patches the copy in each output folder (Directory.Build.targets); this is the
/// run-time safety net for outputs copied elsewhere, and it records what was found for the setup report.
/// </summary>
public static class NativeRuntime
{
    static readonly object Gate = new();
    static bool _done;

    /// <summary>Path of the libLibTorchSharp.so that TorchSharp will load, or null when not found / not Linux.</summary>
    public static string? LibraryPath { get; private set; }

    /// <summary>What the check found or did (see <see cref="NativeFixOutcome"/>).</summary>
    public static NativeFixOutcome Outcome { get; private set; } = NativeFixOutcome.NotApplicable;

    /// <summary>True when the system libstdc++ lacks GLIBCXX_3.4.32 and the kit's fix is in use.</summary>
    public static bool FixInUse => Outcome is NativeFixOutcome.Patched or NativeFixOutcome.AlreadyPatched;

    // A library module initializer on purpose: any use of the kit (a notebook's first cell, a test)
    // runs this before TorchSharp's native library is first loaded.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Init() => EnsureLoadable();

    /// <summary>Idempotent. Finds libLibTorchSharp.so beside TorchSharp.dll and applies the fix if needed.</summary>
    public static void EnsureLoadable()
    {
        lock (Gate)
        {
            if (_done) return;
            _done = true;
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
        }
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
