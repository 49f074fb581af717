namespace GanNotebooks.Runtime;

/// <summary>
/// Where the kit's folders are: its root (the folder holding GanNotebooks.sln), data/ and a notebook's output folder.
/// It lives in Runtime, not in <c>Kit</c>, because datasets and the environment report need it and nothing may depend on
/// the composition root; <c>Kit</c> forwards to it so that notebooks keep calling <c>Kit.DataDirectory</c>.
/// </summary>
public static class KitPaths
{
    /// <summary>Environment variable pointing at the kit's data/ folder (optional).</summary>
    public const string DataEnvironmentVariable = Shared.KitEnvironment.DataVariable;

    /// <summary>
    /// The kit's data/ folder: GANKIT_DATA if set, else the first data/ folder beside a GanNotebooks.sln
    /// found walking up from the current directory or from this assembly. Null if none.
    /// </summary>
    public static string? DataDirectory
    {
        get
        {
            var env = Environment.GetEnvironmentVariable(DataEnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
            return FindRepoRoot() is { } root ? Path.Combine(root, "data") : null;
        }
    }

    /// <summary>Environment variable naming the folder a notebook's own files go to (the runner sets it to its --out folder).</summary>
    public const string OutputEnvironmentVariable = Shared.KitEnvironment.OutputVariable;

    /// <summary>
    /// The folder for files a notebook writes besides its cell outputs (frames, checkpoints): GANKIT_OUT when set —
    /// the headless runner sets it to a staging folder inside the run's output folder and moves the files up when every
    /// cell ran (a failed run's go to NAME.failed-files/), so <c>gannb run … --out DIR</c> keeps everything in DIR and a
    /// failed run never replaces a good run's files —
    /// else notebooks/out/<paramref name="notebookName"/> under the kit's root (where the runner writes by default),
    /// else a folder under the system's temp directory. The folder is created.
    /// </summary>
    /// <param name="notebookName">The notebook's file name without extension, e.g. "05-dcgan-images".</param>
    public static string OutputDirectory(string notebookName)
    {
        if (string.IsNullOrWhiteSpace(notebookName) || notebookName is "." or ".." || notebookName.IndexOfAny(['/', '\\']) >= 0
            || notebookName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"'{notebookName}' is not a usable folder name; pass the notebook's file name without extension, e.g. \"05-dcgan-images\".", nameof(notebookName));
        var env = Environment.GetEnvironmentVariable(OutputEnvironmentVariable);
        var dir = !string.IsNullOrWhiteSpace(env) ? Path.GetFullPath(env)
            : FindRepoRoot() is { } root ? Path.Combine(root, "notebooks", "out", notebookName)
            : Path.Combine(Path.GetTempPath(), "gannotebooks", notebookName);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>The kit's root folder (the one holding GanNotebooks.sln), or null.</summary>
    public static string? FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory, Path.GetDirectoryName(typeof(KitPaths).Assembly.Location) })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "GanNotebooks.sln"))) return dir.FullName;
        }
        return null;
    }
}
