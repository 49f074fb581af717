using System.Diagnostics;

namespace GanNotebooks.Runtime;

/// <summary>CPU and wall seconds of one measured piece of work (<see cref="CpuClock.Measure(Action)"/>).</summary>
/// <param name="CpuSeconds">CPU time of the whole process (all its threads, user + kernel) spent meanwhile.</param>
/// <param name="WallSeconds">Elapsed real time.</param>
public readonly record struct CpuTiming(double CpuSeconds, double WallSeconds);

/// <summary>The result of a measured function with its CPU and wall seconds (<see cref="CpuClock.Measure{T}(Func{T})"/>).</summary>
/// <param name="Result">What the function returned.</param>
/// <param name="CpuSeconds">CPU time of the whole process (all its threads, user + kernel) spent meanwhile.</param>
/// <param name="WallSeconds">Elapsed real time.</param>
public readonly record struct CpuTiming<T>(T Result, double CpuSeconds, double WallSeconds);

/// <summary>
/// The kit's one clock for "how long did this take": the process's CPU time (<see cref="Process.TotalProcessorTime"/>:
/// every thread, user and kernel) and the wall time (<see cref="Stopwatch"/>) since <see cref="StartNew"/>. On a shared
/// machine wall time measures the neighbours too; CPU-seconds measure the work (the notebooks report both).
/// </summary>
/// <example>
/// <code>
/// var notebookClock = CpuClock.StartNew();                        // setup cell
/// var cpu = CpuClock.Measure(() => trainer.Train(steps)).CpuSeconds;
/// $"{notebookClock.WallSeconds:F0} s wall / {notebookClock.CpuSeconds:F0} CPU-s"
/// </code>
/// </example>
public sealed class CpuClock
{
    readonly TimeSpan _cpuAtStart;
    readonly Stopwatch _wall;

    CpuClock()
    {
        _cpuAtStart = ProcessCpuTime();
        _wall = Stopwatch.StartNew();
    }

    /// <summary>A clock that starts now.</summary>
    public static CpuClock StartNew() => new();

    /// <summary>CPU seconds the process has spent since the clock started.</summary>
    public double CpuSeconds => (ProcessCpuTime() - _cpuAtStart).TotalSeconds;

    /// <summary>Wall seconds since the clock started.</summary>
    public double WallSeconds => _wall.Elapsed.TotalSeconds;

    /// <summary>CPU time the process has spent since it started (all threads, user + kernel).</summary>
    public static TimeSpan ProcessCpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>CPU seconds the process has spent since it started.</summary>
    public static double ProcessCpuSeconds => ProcessCpuTime().TotalSeconds;

    /// <summary>
    /// Runs <paramref name="action"/> and returns the CPU and wall seconds it took. The wall clock runs only around the
    /// action (the two reads of the process's CPU time lie outside it).
    /// </summary>
    public static CpuTiming Measure(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var cpu0 = ProcessCpuTime();
        var wall = Stopwatch.StartNew();
        action();
        wall.Stop();
        return new CpuTiming((ProcessCpuTime() - cpu0).TotalSeconds, wall.Elapsed.TotalSeconds);
    }

    /// <summary>Runs <paramref name="func"/> and returns its result with the CPU and wall seconds it took (as <see cref="Measure(Action)"/>).</summary>
    public static CpuTiming<T> Measure<T>(Func<T> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        var cpu0 = ProcessCpuTime();
        var wall = Stopwatch.StartNew();
        var result = func();
        wall.Stop();
        return new CpuTiming<T>(result, (ProcessCpuTime() - cpu0).TotalSeconds, wall.Elapsed.TotalSeconds);
    }
}
