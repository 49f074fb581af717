namespace GanNotebooks.Runner;

/// <summary>The budget profile a run asks the notebook for (the kit reads it from <see cref="Profiles.EnvironmentVariable"/>).</summary>
public enum BudgetProfile
{
    /// <summary>Real step counts and sizes.</summary>
    Full,
    /// <summary>Tiny counts so that every notebook runs in seconds.</summary>
    Smoke,
}

/// <summary>The environment contract with the kit: gannb sets these for the run; the notebook's library reads them.</summary>
public static class Profiles
{
    /// <summary>The budget profile: "smoke" or "full".</summary>
    public const string EnvironmentVariable = "GANKIT_PROFILE";

    /// <summary>The folder where a notebook writes its files (the kit's Kit.OutputDirectory); gannb points it at a staging folder.</summary>
    public const string OutputEnvironmentVariable = "GANKIT_OUT";

    /// <summary>Parses "full" / "smoke" (case-insensitive; null or empty → full).</summary>
    public static BudgetProfile Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return BudgetProfile.Full;
        return text.Trim().ToLowerInvariant() switch
        {
            "full" => BudgetProfile.Full,
            "smoke" => BudgetProfile.Smoke,
            _ => throw new ArgumentException($"Unknown budget profile '{text}'. Use 'full' or 'smoke' ({EnvironmentVariable})."),
        };
    }

    /// <summary>"smoke" or "full".</summary>
    public static string Name(this BudgetProfile profile) => profile == BudgetProfile.Smoke ? "smoke" : "full";
}

/// <summary>Writes a file through a temporary file in the same folder and a rename, so a reader never sees half a file.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/>, creating its folder.</summary>
    public static void WriteAllText(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)))
            {
                writer.Write(text);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            try { if (File.Exists(tmp)) File.Delete(tmp); } catch (IOException) { }
        }
    }
}
