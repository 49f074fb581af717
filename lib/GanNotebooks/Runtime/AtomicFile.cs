namespace GanNotebooks.Runtime;

/// <summary>
/// Writes a file so that readers only ever see the old complete file or the new complete one: the content
/// goes to a temporary file in the same folder, is flushed to disk, then renamed over the target. A failed
/// or interrupted write leaves the previous file untouched and no temporary file behind. (The implementation is
/// lib/GanNotebooks.Shared/AtomicFile.cs, which the runner compiles too.)
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Lets <paramref name="writeTo"/> write a temporary file (its argument is that file's path, in the target's
    /// folder), then moves it over <paramref name="path"/>. For writers that take a path (torch's save).
    /// </summary>
    /// <returns>The full path written.</returns>
    public static string WriteVia(string path, Action<string> writeTo) => Shared.AtomicFile.WriteVia(path, writeTo);

    /// <summary>Writes through <paramref name="write"/> into a temporary file (flushed to disk), then moves it over <paramref name="path"/>.</summary>
    /// <returns>The full path written.</returns>
    public static string Write(string path, Action<Stream> write) => Shared.AtomicFile.Write(path, write);

    /// <summary>Writes <paramref name="bytes"/> atomically to <paramref name="path"/>.</summary>
    public static string WriteAllBytes(string path, byte[] bytes) => Shared.AtomicFile.WriteAllBytes(path, bytes);

    /// <summary>Writes <paramref name="text"/> (UTF-8 without BOM) atomically to <paramref name="path"/>.</summary>
    public static string WriteAllText(string path, string text) => Shared.AtomicFile.WriteAllText(path, text);

    /// <summary>Writes a binary body atomically (a <see cref="BinaryWriter"/> over the temporary file).</summary>
    public static string WriteBinary(string path, Action<BinaryWriter> write) => Shared.AtomicFile.WriteBinary(path, write);
}
