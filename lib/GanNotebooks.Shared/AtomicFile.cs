namespace GanNotebooks.Runtime.Shared;

/// <summary>
/// Writes a file so that readers only ever see the old complete file or the new complete one: the content goes to a
/// temporary file in the same folder, is flushed to disk, then renamed over the target. A failed or interrupted write
/// leaves the previous file untouched and no temporary file behind. The library's public
/// <c>GanNotebooks.Runtime.AtomicFile</c> forwards here; the runner calls it directly.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Lets <paramref name="writeTo"/> write a temporary file (its argument is that file's path, in the target's folder),
    /// then moves it over <paramref name="path"/>. For writers that take a path (torch's save).
    /// </summary>
    /// <returns>The full path written.</returns>
    public static string WriteVia(string path, Action<string> writeTo)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(writeTo);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            writeTo(tmp);
            File.Move(tmp, full, overwrite: true);
            return full;
        }
        finally
        {
            try { if (File.Exists(tmp)) File.Delete(tmp); } catch (IOException) { }
        }
    }

    /// <summary>Writes through <paramref name="write"/> into a temporary file (flushed to disk), then moves it over <paramref name="path"/>.</summary>
    /// <returns>The full path written.</returns>
    public static string Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return WriteVia(path, tmp =>
        {
            using var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write);
            write(stream);
            stream.Flush(flushToDisk: true);
        });
    }

    /// <summary>Writes <paramref name="bytes"/> atomically to <paramref name="path"/>.</summary>
    public static string WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>Writes <paramref name="text"/> (UTF-8 without BOM) atomically to <paramref name="path"/>, creating its folder.</summary>
    public static string WriteAllText(string path, string text) =>
        WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    /// <summary>Writes a binary body atomically (a <see cref="BinaryWriter"/> over the temporary file).</summary>
    public static string WriteBinary(string path, Action<BinaryWriter> write) => Write(path, s =>
    {
        using var w = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
        write(w);
        w.Flush();
    });
}
