using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace GanNotebooks.Runner.Execution;

/// <summary>How a process run by <see cref="LimitedProcess"/> ended.</summary>
/// <param name="ExitCode">Its exit code (-1 when it could not be read).</param>
/// <param name="TimedOut">Killed at the time limit.</param>
/// <param name="OutOfMemory">Killed at the memory limit.</param>
/// <param name="PeakBytes">The largest working set of its process tree seen.</param>
/// <param name="LastError">Its last non-empty stderr line, or null.</param>
public sealed record LimitedRun(int ExitCode, bool TimedOut, bool OutOfMemory, long PeakBytes, string? LastError);

/// <summary>
/// Runs a process under a wall-clock and a memory limit, with its stdout and stderr going to a log file. The memory is the
/// working set of its whole process tree (on Linux read from /proc every 200 ms, so a sandbox launcher's children and
/// what the process starts count; elsewhere the process's own); over either limit the tree is killed.
/// </summary>
public static class LimitedProcess
{
    /// <summary>Runs <paramref name="info"/> (its three streams redirected here; stdin is closed at once).</summary>
    public static async Task<LimitedRun> RunAsync(ProcessStartInfo info, TimeSpan timeout, long memoryBytes, string logPath, CancellationToken cancellationToken)
    {
        info.RedirectStandardInput = true; // closed at once: a cell that reads the console gets end-of-input, not the terminal
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        await using var logFile = new StreamWriter(logPath, append: false, new UTF8Encoding(false));
        var log = new Log(logFile);
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => log.Line(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => log.Line(e.Data, isError: true);
        using var done = new ManualResetEventSlim();
        try
        {
            await StartOnOwnThread(process, done).ConfigureAwait(false);
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var watch = Stopwatch.StartNew();
            var (timedOut, outOfMemory, peak) = await WatchAsync(process, timeout, memoryBytes, cancellationToken).ConfigureAwait(false);
            var drained = await DrainAsync(process).ConfigureAwait(false);
            int code;
            try { code = process.ExitCode; } catch (InvalidOperationException) { code = -1; }
            log.Line($"[gannb] exit code {code}{(timedOut ? ", killed: time limit" : "")}{(outOfMemory ? ", killed: memory limit" : "")}, " +
                     $"peak working set {peak / (1024 * 1024)} MB (process tree), {watch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s" +
                     (drained ? "" : "; its output was still open 5 s after it ended (a process it started holds it), not waited for"), isError: false);
            return new LimitedRun(code, timedOut, outOfMemory, peak, log.LastError);
        }
        finally { done.Set(); }
    }

    /// <summary>
    /// Starts the process from a thread that lives until <paramref name="done"/> is set: a parent-death signal the child
    /// sets (PR_SET_PDEATHSIG, e.g. bubblewrap's --die-with-parent) follows the thread that started it, and a thread-pool
    /// thread may end while the child still runs.
    /// </summary>
    static Task StartOnOwnThread(Process process, ManualResetEventSlim done)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { process.Start(); }
            catch (Exception e) { started.SetException(e); return; }
            started.SetResult();
            done.Wait();
        }) { IsBackground = true, Name = "limited process" };
        thread.Start();
        return started.Task;
    }

    /// <summary>Polls every 200 ms until the process ends, kills its tree at a limit (or on cancellation).</summary>
    static async Task<(bool TimedOut, bool OutOfMemory, long Peak)> WatchAsync(Process process, TimeSpan timeout, long memoryBytes, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        bool timedOut = false, outOfMemory = false;
        long peak = 0;
        try
        {
            while (!process.HasExited)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                if (process.HasExited) break;
                if (watch.Elapsed > timeout) { timedOut = true; break; }
                var bytes = ProcessTree.WorkingSet(process);
                peak = Math.Max(peak, bytes);
                if (bytes > memoryBytes) { outOfMemory = true; break; }
            }
        }
        finally
        {
            if (!process.HasExited) Kill(process);
        }
        return (timedOut, outOfMemory, peak);
    }

    /// <summary>Waits for the end of its output, at most 5 s: a process it started and left running may hold the pipes.</summary>
    static async Task<bool> DrainAsync(Process process)
    {
        using var cap = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await process.WaitForExitAsync(cap.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            process.CancelOutputRead();
            process.CancelErrorRead();
            return false;
        }
    }

    static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // already exited
        catch (System.ComponentModel.Win32Exception) { }
    }

    /// <summary>The log file, written from the two output events; remembers the last stderr line.</summary>
    sealed class Log(StreamWriter file)
    {
        readonly object _gate = new();
        public string? LastError { get; private set; }

        public void Line(string? text, bool isError)
        {
            if (text is null) return;
            lock (_gate)
            {
                file.WriteLine(text);
                if (isError && text.Trim().Length > 0) LastError = text.Trim();
            }
        }
    }
}

/// <summary>The memory of a process and its descendants.</summary>
public static class ProcessTree
{
    /// <summary>
    /// The working set of <paramref name="root"/> and all its descendants in bytes: on Linux the resident pages of every
    /// process under it (/proc/PID/stat for the parents, /proc/PID/statm for the pages); elsewhere the process's own.
    /// </summary>
    public static long WorkingSet(Process root)
    {
        if (!OperatingSystem.IsLinux())
        {
            try { root.Refresh(); return root.WorkingSet64; }
            catch (InvalidOperationException) { return 0; }
        }
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || ParentOf(pid) is not { } parent) continue;
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(pid);
        }
        long total = 0;
        var pending = new Stack<int>([root.Id]);
        var seen = new HashSet<int>();
        while (pending.TryPop(out var pid))
        {
            if (!seen.Add(pid)) continue;
            total += ResidentBytes(pid);
            foreach (var child in children.GetValueOrDefault(pid) ?? []) pending.Push(child);
        }
        return total;
    }

    /// <summary>The parent's pid: the 2nd field after the ")" that closes the command name in /proc/PID/stat.</summary>
    static int? ParentOf(int pid)
    {
        var stat = ReadProc($"/proc/{pid}/stat");
        var close = stat?.LastIndexOf(')') ?? -1;
        if (stat is null || close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : null;
    }

    static long ResidentBytes(int pid)
    {
        var fields = ReadProc($"/proc/{pid}/statm")?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: > 1 } && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages)
            ? pages * Environment.SystemPageSize : 0;
    }

    static string? ReadProc(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; } // the process ended meanwhile
    }
}
