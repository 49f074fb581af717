namespace GanNotebooks.Runtime.Shared;

/// <summary>
/// The environment contract between gannb and the kit: the runner sets these variables for a run, the library reads
/// them. The budget profile is spelled "full", "smoke" or "paper" on both sides, parsed here once.
/// </summary>
internal static class KitEnvironment
{
    /// <summary>The budget profile: "full", "smoke" or "paper" (default full).</summary>
    public const string ProfileVariable = "GANKIT_PROFILE";

    /// <summary>The folder where a notebook writes its own files (the runner points it at a staging folder).</summary>
    public const string OutputVariable = "GANKIT_OUT";

    /// <summary>The kit's data/ folder (optional; default data/ beside GanNotebooks.sln).</summary>
    public const string DataVariable = "GANKIT_DATA";

    /// <summary>The three profile names.</summary>
    public const string Full = "full", Smoke = "smoke", Paper = "paper";

    /// <summary>The profile names in the order the kit lists them (full, smoke, paper).</summary>
    public static readonly IReadOnlyList<string> ProfileNames = [Full, Smoke, Paper];

    /// <summary>
    /// Parses a profile name: "full" / "smoke" / "paper", case-insensitive, surrounding blanks ignored; null or empty →
    /// full. Returns the canonical (lower-case) name. Throws <see cref="ArgumentException"/> for any other text, naming the three.
    /// </summary>
    public static string ParseProfile(string? profile)
    {
        if (string.IsNullOrWhiteSpace(profile)) return Full;
        var name = profile.Trim().ToLowerInvariant();
        return ProfileNames.Contains(name) ? name
            : throw new ArgumentException($"Unknown budget profile '{profile}'. Use one of {string.Join(", ", ProfileNames.Select(n => $"'{n}'"))} ({ProfileVariable}, --profile).");
    }

    /// <summary>
    /// True for "smoke" (<see cref="ParseProfile"/>: case-insensitive, null or empty → full). Throws
    /// <see cref="ArgumentException"/> for a name that is not a profile.
    /// </summary>
    public static bool IsSmoke(string? profile) => ParseProfile(profile) == Smoke;

    /// <summary>A folder for the kit's per-machine caches (thread calibration, kernel verdict) instead of the user's.</summary>
    public const string CacheVariable = "GANKIT_CACHE";

    /// <summary>
    /// The kit's per-machine cache folder: GANKIT_CACHE, else $XDG_CACHE_HOME/gannotebooks, else ~/.cache/gannotebooks
    /// (LocalAppData\gannotebooks on Windows); null when there is no home folder.
    /// </summary>
    public static string? CacheFolder() =>
        Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } env && !string.IsNullOrWhiteSpace(env) ? env
        : OperatingSystem.IsWindows() ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "gannotebooks")
        : Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "gannotebooks")
        : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? Path.Combine(home, ".cache", "gannotebooks")
        : null;
}
