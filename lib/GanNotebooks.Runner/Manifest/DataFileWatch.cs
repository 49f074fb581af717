using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace GanNotebooks.Runner.Manifest;

/// <summary>A data file a run opened, with its SHA-256 after the run.</summary>
public sealed record DataFileRecord(string Path, string Sha256, long Bytes);

/// <summary>
/// Which files of the kit's data/ folder a run opened: on Linux an inotify watch (IN_OPEN) on data/ and every folder
/// under it, from before the first cell until the run ends. It sees every open of those files by any code in the
/// kernel (the kit's loaders, a cell's own File.ReadAllBytes) — and by any other process on the machine during the
/// run, which can only add files to the list, never hide one. Elsewhere (no inotify) it records nothing and says so.
/// The runner hashes the files after the run (SHA-256).
/// </summary>
public sealed class DataFileWatch : IDisposable
{
    const uint InOpen = 0x00000020, InQOverflow = 0x00004000, InNonBlock = 0x800, InCloExec = 0x80000;
    readonly int _fd = -1;
    readonly Dictionary<int, string> _folders = new();
    readonly HashSet<string> _opened = new(StringComparer.Ordinal);
    bool _overflow;

    /// <summary>The folder watched.</summary>
    public string Root { get; }
    /// <summary>How the list was made, for the manifest.</summary>
    public string Method { get; }

    [DllImport("libc", SetLastError = true)] static extern int inotify_init1(int flags);
    [DllImport("libc", SetLastError = true)] static extern int inotify_add_watch(int fd, string path, uint mask);
    [DllImport("libc", SetLastError = true)] static extern nint read(int fd, byte[] buf, nint count);
    [DllImport("libc", SetLastError = true)] static extern int close(int fd);

    /// <summary>Starts watching <paramref name="dataFolder"/> (nothing when it does not exist).</summary>
    public DataFileWatch(string dataFolder)
    {
        Root = Path.GetFullPath(dataFolder);
        if (!Directory.Exists(Root)) { Method = $"no data folder at {Root}"; return; }
        if (!OperatingSystem.IsLinux()) { Method = "not recorded (needs Linux inotify)"; return; }
        try
        {
            _fd = inotify_init1((int)(InNonBlock | InCloExec));
            if (_fd < 0) { Method = "not recorded (inotify_init1 failed)"; return; }
            foreach (var dir in new[] { Root }.Concat(Directory.EnumerateDirectories(Root, "*", SearchOption.AllDirectories)))
            {
                var wd = inotify_add_watch(_fd, dir, InOpen);
                if (wd >= 0) _folders[wd] = dir;
            }
            Method = "inotify IN_OPEN on the data folder during the run; SHA-256 after the run";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _fd = -1;
            Method = "not recorded (no libc inotify)";
        }
    }

    /// <summary>Reads the events queued so far (call it now and then during a long run so the queue never overflows).</summary>
    public void Drain()
    {
        if (_fd < 0) return;
        var buf = new byte[64 * 1024];
        while (true)
        {
            var n = (long)read(_fd, buf, buf.Length);
            if (n <= 0) return;
            for (var at = 0; at + 16 <= n;)
            {
                var wd = BitConverter.ToInt32(buf, at);
                var mask = BitConverter.ToUInt32(buf, at + 4);
                var len = (int)BitConverter.ToUInt32(buf, at + 12);
                if ((mask & InQOverflow) != 0) _overflow = true;
                if (len > 0 && _folders.TryGetValue(wd, out var folder))
                {
                    var name = Encoding.UTF8.GetString(buf, at + 16, len).TrimEnd('\0');
                    var full = Path.Combine(folder, name);
                    if (File.Exists(full)) lock (_opened) _opened.Add(full);
                }
                at += 16 + len;
            }
        }
    }

    /// <summary>The files opened (paths relative to the data folder's parent, e.g. "data/mnist/x.gz"), hashed now.</summary>
    public IReadOnlyList<DataFileRecord> Files()
    {
        Drain();
        IEnumerable<string> files;
        lock (_opened) files = _overflow ? Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).ToList() : _opened.ToList();
        var parent = Path.GetDirectoryName(Root)!;
        return files.Order(StringComparer.Ordinal).Select(f =>
        {
            using var s = File.OpenRead(f);
            return new DataFileRecord(Path.GetRelativePath(parent, f).Replace('\\', '/'), Convert.ToHexStringLower(SHA256.HashData(s)), new FileInfo(f).Length);
        }).ToList();
    }

    /// <summary>True when the kernel's queue overflowed (then every file of the folder is listed).</summary>
    public bool Overflowed => _overflow;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_fd >= 0) close(_fd);
    }
}
