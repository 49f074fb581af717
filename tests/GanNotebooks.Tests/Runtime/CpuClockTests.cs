using System.Diagnostics;
using GanNotebooks.Runtime;

namespace GanNotebooks.Tests.Runtime;

/// <summary>The kit's one CPU clock: process CPU seconds and wall seconds, since a start or around a piece of work.</summary>
public class CpuClockTests
{
    /// <summary>Spins on this thread until the process has spent at least <paramref name="cpuSeconds"/> more CPU time (30 s wall at most).</summary>
    static long Spin(double cpuSeconds)
    {
        var until = CpuClock.ProcessCpuTime() + TimeSpan.FromSeconds(cpuSeconds);
        var timeout = Stopwatch.StartNew();
        long n = 0;
        while (CpuClock.ProcessCpuTime() < until && timeout.Elapsed < TimeSpan.FromSeconds(30))
            for (int i = 0; i < 100_000; i++) n += i ^ n;
        return n;
    }

    [Fact]
    public void Measure_counts_the_cpu_time_of_busy_work_and_never_more_than_all_cores_can_give()
    {
        var busy = CpuClock.Measure(() => { Spin(0.1); });
        Assert.True(busy.CpuSeconds >= 0.1, $"spun ≥ 0.1 CPU-s, measured {busy.CpuSeconds}");
        Assert.True(busy.WallSeconds > 0);
        // A process cannot use more CPU than all its cores for the whole time (plus one /proc tick of 10 ms on Linux).
        Assert.True(busy.CpuSeconds <= busy.WallSeconds * Environment.ProcessorCount + 0.02, $"{busy.CpuSeconds} CPU-s in {busy.WallSeconds} s on {Environment.ProcessorCount} cores");

        var sleep = CpuClock.Measure(() => Thread.Sleep(200));
        Assert.True(sleep.WallSeconds >= 0.19, $"slept 0.2 s, measured {sleep.WallSeconds}");
        Assert.True(sleep.CpuSeconds >= 0);
    }

    [Fact]
    public void Measure_of_a_function_returns_its_result()
    {
        var r = CpuClock.Measure(() => 6 * 7);
        Assert.Equal(42, r.Result);
        Assert.True(r.CpuSeconds >= 0 && r.WallSeconds >= 0);
        Assert.Throws<ArgumentNullException>(() => CpuClock.Measure((Action)null!));
        Assert.Throws<ArgumentNullException>(() => CpuClock.Measure((Func<int>)null!));
    }

    [Fact]
    public void A_started_clock_counts_from_its_start_and_the_process_clock_from_the_process_start()
    {
        var clock = CpuClock.StartNew();
        Spin(0.05);
        Thread.Sleep(50);
        double cpu = clock.CpuSeconds, wall = clock.WallSeconds;
        Assert.True(cpu >= 0.05, $"spun ≥ 0.05 CPU-s, measured {cpu}");
        Assert.True(wall >= 0.05, $"≥ 0.05 s passed, measured {wall}");
        Assert.True(CpuClock.ProcessCpuSeconds >= cpu);                 // the process ran before the clock started
        Assert.True(clock.CpuSeconds >= cpu && clock.WallSeconds >= wall); // both only go forward
        using var p = Process.GetCurrentProcess();
        Assert.True(Math.Abs(CpuClock.ProcessCpuSeconds - p.TotalProcessorTime.TotalSeconds) < 1, "ProcessCpuSeconds is the process's TotalProcessorTime");
    }
}
