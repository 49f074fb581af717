namespace GanNotebooks.Runner.Classroom;

/// <summary>
/// The kit's per-machine caches of the instructor (the kernel self-test's verdict, kernels.json, and the thread calibration,
/// threads.json), read once before any student code runs and written as copies into each run's private HOME, so that a
/// graded run — whose HOME is empty — applies the same checked kernel setting without running the self-test again (10–30 s),
/// and no run can change the instructor's files. The folder is the library's (the shared KitEnvironment.CacheFolder): GANKIT_CACHE, else
/// $XDG_CACHE_HOME/gannotebooks, else ~/.cache/gannotebooks.
/// </summary>
public static class KitCache
{
    /// <summary>The cache files a run gets.</summary>
    public static readonly IReadOnlyList<string> Files = ["kernels.json", "threads.json"];

    /// <summary>The cache files that exist, as copies relative to a HOME (.cache/gannotebooks/NAME); empty when none.</summary>
    public static IReadOnlyList<CourseCopy> Read()
    {
        if (GanNotebooks.Runtime.Shared.KitEnvironment.CacheFolder() is not { } folder) return [];
        var copies = new List<CourseCopy>();
        foreach (var name in Files)
        {
            var path = Path.Combine(folder, name);
            try { if (File.Exists(path)) copies.Add(new CourseCopy(Path.Combine(".cache", "gannotebooks", name), File.ReadAllBytes(path))); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return copies;
    }
}
