using GanNotebooks.Data;

namespace GanNotebooks.Tests.Data;

public class EpochSamplerTests
{
    /// <summary>The order the kit's image samplers always drew (one System.Random, reshuffled in place every epoch).</summary>
    static long[] Reference(int count, long seed, int total)
    {
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var perm = Enumerable.Range(0, count).ToArray();
        int pos = count;
        var r = new long[total];
        for (int i = 0; i < total; i++)
        {
            if (pos == count) { rng.Shuffle(perm); pos = 0; }
            r[i] = perm[pos++];
        }
        return r;
    }

    [Fact]
    public void Draws_every_index_once_per_epoch_in_the_historical_order()
    {
        var s = new EpochSampler(7, seed: 5);
        var drawn = Enumerable.Range(0, 6).SelectMany(_ => s.Next(4)).ToArray();
        Assert.Equal(Reference(7, 5, 24), drawn);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), drawn.Take(7).Order());
        Assert.Equal(24, s.Drawn);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(15)]
    public void Restored_position_continues_exactly_as_the_uninterrupted_sampler(int before)
    {
        var a = new EpochSampler(7, seed: 11);
        a.Next(Math.Max(1, before)); if (before == 0) a = new EpochSampler(7, seed: 11);
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) a.WriteState(w);
        var b = new EpochSampler(7, seed: 11);
        b.Next(2); // a different position, overwritten by the load
        ms.Position = 0;
        using (var r = new BinaryReader(ms)) b.ReadState(r);
        Assert.Equal(a.Drawn, b.Drawn);
        Assert.Equal(a.Next(20), b.Next(20));
    }

    [Fact]
    public void A_checkpoint_of_another_data_set_or_seed_is_refused()
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) new EpochSampler(7, 1).WriteState(w);
        ms.Position = 0;
        Assert.Contains("covers 7 images", Assert.Throws<InvalidDataException>(() => new EpochSampler(8, 1).ReadState(new BinaryReader(ms))).Message);
        ms.Position = 0;
        Assert.Contains("data seed 1", Assert.Throws<InvalidDataException>(() => new EpochSampler(7, 2).ReadState(new BinaryReader(ms))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpochSampler(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpochSampler(3, 1).Next(0));
    }
}
