namespace GanNotebooks.Tests.Data.Images;

/// <summary>A temporary folder deleted at dispose.</summary>
sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "gankit-img") => Path = Directory.CreateTempSubdirectory(prefix).FullName;
    public string Path { get; }
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public string[] Entries() => Directory.GetFileSystemEntries(Path, "*", SearchOption.AllDirectories);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

static class Bytes
{
    /// <summary>n·h·w bytes with value (i·7 + 3) mod 256: every byte value reachable, deterministic.</summary>
    public static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)((i * 7 + 3) % 256)).ToArray();
}
