using System.Text;

namespace GanNotebooks.Runner.Output;

/// <summary>
/// Writes a file by writing a temporary file in the same folder and renaming it over the target, so an
/// interrupted or failed run never leaves a half-written file where a good one was.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                var bytes = new UTF8Encoding(false).GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
