namespace GanNotebooks.Runtime.Shared;

/// <summary>
/// The environment contract between gannb and the kit: the runner sets these variables for a run, the library reads
/// them. The budget profile is spelled "full" or "smoke" on both sides, parsed here once.
/// </summary>
internal static class KitEnvironment
{
    /// <summary>The budget profile: "smoke" or "full" (default full).</summary>
    public const string ProfileVariable = "GANKIT_PROFILE";

    /// <summary>The folder where a notebook writes its own files (the runner points it at a staging folder).</summary>
    public const string OutputVariable = "GANKIT_OUT";

    /// <summary>The kit's data/ folder (optional; default data/ beside GanNotebooks.sln).</summary>
    public const string DataVariable = "GANKIT_DATA";

    /// <summary>The two profile names.</summary>
    public const string Full = "full", Smoke = "smoke";

    /// <summary>
    /// Parses a profile name: "full" / "smoke", case-insensitive, surrounding blanks ignored; null or empty → full.
    /// True for smoke. Throws <see cref="ArgumentException"/> for any other text.
    /// </summary>
    public static bool IsSmoke(string? profile)
    {
        if (string.IsNullOrWhiteSpace(profile)) return false;
        return profile.Trim().ToLowerInvariant() switch
        {
            Full => false,
            Smoke => true,
            _ => throw new ArgumentException($"Unknown budget profile '{profile}'. Use 'full' or 'smoke' ({ProfileVariable})."),
        };
    }

    /// <summary>"smoke" or "full".</summary>
    public static string ProfileName(bool smoke) => smoke ? Smoke : Full;

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
