using GanNotebooks.Runtime;
using TorchSharp;

namespace GanNotebooks.Tests.Runtime;

public sealed class ThreadsTests : IDisposable
{
    readonly int _threads = torch.get_num_threads();
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"gankit-threads-{Guid.NewGuid():N}");

    public void Dispose()
    {
        torch.set_num_threads(_threads);
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void An_explicit_count_wins_and_is_recorded()
    {
        var c = Threads.Use("2");
        Assert.Equal(2, torch.get_num_threads());
        Assert.Equal(2, c.Count);
        Assert.Equal("explicit", c.How);
        Assert.Same(c, Threads.Current);
        Assert.Contains("thread choice", EnvironmentReport.Collect().ToString());
        Assert.Equal(1, Threads.Use(1).Count);
        Assert.Equal(1, torch.get_num_threads());
    }

    [Theory]
    [InlineData("two")]
    [InlineData("")]
    [InlineData("1.5")]
    public void A_setting_that_is_not_auto_or_a_count_is_a_clear_error(string setting)
    {
        var e = Assert.Throws<ArgumentException>(() => Threads.Use(setting));
        Assert.Contains("\"auto\"", e.Message);
    }

    [Fact]
    public void A_negative_count_is_a_clear_error() =>
        Assert.Contains("≥ 1, or 0", Assert.Throws<ArgumentOutOfRangeException>(() => Threads.Use(-1)).Message);

    [Fact]
    public void More_threads_only_for_a_gain_of_more_than_five_percent()
    {
        // Score = MLP time and conv time, each relative to one thread, summed.
        Assert.Equal(2, Threads.Choose([new(1, 10, 20), new(2, 6, 11)]));            // clearly faster
        Assert.Equal(1, Threads.Choose([new(1, 10, 20), new(2, 9.8, 19.7)]));        // 1.5 % faster: not worth it
        Assert.Equal(1, Threads.Choose([new(1, 10, 20), new(2, 14, 15)]));           // faster convs, slower MLP: 2.15 > 2
        Assert.Equal(2, Threads.Choose([new(1, 10, 20), new(2, 5, 10), new(3, 4.9, 9.9)])); // 3 is within 5 % of 2
        Assert.Equal(3, Threads.Choose([new(1, 10, 20), new(2, 6, 12), new(3, 4, 8)]));
        // Per workload: two threads hurt the MLP and help the convolutions.
        ThreadTiming[] split = [new(1, 1.0, 40), new(2, 1.2, 10)];
        Assert.Equal(2, Threads.Choose(split));
        Assert.Equal(1, Threads.Choose(split, ThreadWorkload.Mlp));
        Assert.Equal(2, Threads.Choose(split, ThreadWorkload.Conv));
    }

    [Fact]
    public void Auto_measures_once_then_reads_the_cache_of_this_machine()
    {
        var file = Path.Combine(_dir, "threads.json");
        var first = Threads.Auto(file, recalibrate: false, maxThreads: 2);
        Assert.Equal("auto (measured now)", first.How);
        Assert.Equal([1, 2], first.Measured.Select(m => m.Threads));
        Assert.All(first.Measured, m => Assert.True(m.MlpMs > 0 && m.ConvMs > 0));
        Assert.Equal(Threads.Choose(first.Measured), first.Count);
        Assert.True(File.Exists(file));
        Assert.Contains(Threads.MachineKey(), File.ReadAllText(file));

        var second = Threads.Auto(file, recalibrate: false, maxThreads: 2);
        Assert.Equal("auto (cached)", second.How);
        Assert.Equal(first.Count, second.Count);
        Assert.Equal(first.Measured, second.Measured);
        Assert.Equal(Threads.Choose(first.Measured, ThreadWorkload.Conv), Threads.Auto(file, false, 2, ThreadWorkload.Conv).Count);
        Assert.Equal("auto for Conv (cached)", Threads.Auto(file, false, 2, ThreadWorkload.Conv).How);

        File.WriteAllText(file, "{ not json");                                 // a broken cache is measured again
        Assert.Equal("auto (measured now)", Threads.Auto(file, recalibrate: false, maxThreads: 1).How);
        Assert.Equal(_threads, torch.get_num_threads());                        // measuring leaves the setting alone
    }
}
