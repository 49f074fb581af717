using GanNotebooks.Core;
using GanNotebooks.Data.Toy;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Ensembles;

/// <summary>
/// K seeds of one toy GAN configuration trained as one model. Tensors are laid out [B, K, ...] (member k's batch is
/// x[:, k]), so that the kit's one trainer (<c>GanTrainer</c>, which checks that a batch has B rows) trains the ensemble
/// unchanged; the objectives of this room sum the members' losses, so member k receives exactly its own gradient.
/// Member k is initialised as the single run with seed s_k (the single networks are built under that seed and copied),
/// draws its real data and its latents from its own generators, and is evaluated on its own slice. Nothing mixes
/// members (no global gradient clipping, no batch statistics across members): a member that diverges to NaN leaves
/// the others' numbers unchanged.
/// </summary>
public static class EnsembleGan
{
    /// <summary>
    /// Builds K ensemble networks from single ones: for each seed s_k, <c>Seeding.Seed(s_k)</c>, then
    /// <paramref name="newG"/> and <paramref name="newD"/> (in that order, as a single run builds them), copied into
    /// member k. Checks on a probe batch that every member computes what its single network computes (an architecture
    /// or activation the ensemble does not reproduce throws).
    /// </summary>
    /// <param name="seeds">One seed per member (K ≥ 1, distinct).</param>
    /// <param name="newG">Builds one single generator (MLP preset; its hidden widths must be equal).</param>
    /// <param name="newD">Builds one single discriminator.</param>
    public static (EnsembleMlpGenerator G, EnsembleMlpDiscriminator D) FromSeeds(IReadOnlyList<long> seeds, Func<MlpGenerator> newG, Func<MlpDiscriminator> newD)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(newG);
        ArgumentNullException.ThrowIfNull(newD);
        CheckSeeds(seeds);
        int k = seeds.Count;
        EnsembleMlpGenerator? g = null;
        EnsembleMlpDiscriminator? d = null;
        for (int i = 0; i < k; i++)
        {
            Seeding.Seed(seeds[i]);
            using var gs = newG();
            using var ds = newD();
            var gSizes = SizesOf(gs);
            var dSizes = SizesOf(ds);
            if (g is null)
            {
                using (torch.no_grad())
                {
                    // The ensemble's own initial values are overwritten below; build it without touching the seeded stream order of later members.
                    var state = torch.random.get_rng_state();
                    g = new EnsembleMlpGenerator(k, gSizes[0], gSizes[^1], Hidden(gSizes, "generator"), gSizes.Count - 2);
                    d = new EnsembleMlpDiscriminator(k, dSizes[0], Hidden(dSizes, "discriminator"), dSizes.Count - 2);
                    torch.random.set_rng_state(state);
                }
            }
            g.CopyMember(i, gs);
            d!.CopyMember(i, ds);
            CheckMember(i, k, seeds[i], gs.call, g.call, gSizes[0], "generator");
            CheckMember(i, k, seeds[i], ds.call, d.call, dSizes[0], "discriminator");
        }
        return (g!, d!);
    }

    /// <summary>
    /// B → real batch [B, K, Dim]: member k's samples from <c>target.Sample(B, generator_k)</c> with generator_k seeded
    /// <paramref name="dataSeeds"/>[k] — the numbers a single run with the sampler <c>b =&gt; target.Sample(b, Seeding.Generator(s))</c> draws.
    /// </summary>
    public static Func<int, Tensor> RealSampler(IToyDistribution target, IReadOnlyList<long> dataSeeds, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dataSeeds);
        CheckSeeds(dataSeeds);
        var dev = device ?? Devices.Current;
        return new MemberStreams("data", dataSeeds.Select(Seeding.Generator).ToArray(), (gen, b) => target.Sample(b, gen, dev)).Sample;
    }

    /// <summary>
    /// B → z [B, K, zDim], z[:, k] ~ N(0, I) from a generator seeded <paramref name="latentSeeds"/>[k] — the numbers of
    /// <c>Latent.Normal(zDim, generator: Seeding.Generator(s))</c> in a single run.
    /// </summary>
    public static Func<int, Tensor> LatentSampler(int zDim, IReadOnlyList<long> latentSeeds, Device? device = null)
    {
        if (zDim < 1) throw new ArgumentOutOfRangeException(nameof(zDim), zDim, "the latent size must be ≥ 1.");
        ArgumentNullException.ThrowIfNull(latentSeeds);
        CheckSeeds(latentSeeds);
        var dev = device ?? Devices.Current;
        return new MemberStreams("latent", latentSeeds.Select(Seeding.Generator).ToArray(), (gen, b) => torch.randn(new long[] { b, zDim }, device: dev, generator: gen)).Sample;
    }

    /// <summary>Seeds offset from the members' seeds (e.g. data streams at seed + 1000), one per member.</summary>
    public static long[] Offset(IReadOnlyList<long> seeds, long offset) => seeds.Select(s => s + offset).ToArray();

    static IReadOnlyList<int> SizesOf(nn.Module module) => module.modules().OfType<Mlp>().Single().Sizes;

    static int Hidden(IReadOnlyList<int> sizes, string what)
    {
        if (sizes.Count < 3) return 1; // no hidden layer: the width is unused
        if (sizes.Skip(1).Take(sizes.Count - 2).Distinct().Count() != 1)
            throw new ArgumentException($"the {what}'s hidden widths [{string.Join(", ", sizes.Skip(1).Take(sizes.Count - 2))}] differ; the ensemble presets use one hidden width.");
        return sizes[1];
    }

    static void CheckSeeds(IReadOnlyList<long> seeds)
    {
        if (seeds.Count < 1) throw new ArgumentException("an ensemble needs at least one member: give one seed per member.", nameof(seeds));
        if (seeds.Distinct().Count() != seeds.Count)
            throw new ArgumentException($"seeds [{string.Join(", ", seeds)}] repeat a value: two members would be the same run.", nameof(seeds));
    }

    static void CheckMember(int i, int k, long seed, Func<Tensor, Tensor> single, Func<Tensor, Tensor> ensemble, int inDim, string what)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var probe = torch.randn(new long[] { 4, inDim }, generator: Seeding.Generator(12345));
        var x = probe.unsqueeze(1).expand(4, k, inDim).contiguous();
        var expected = single(probe);
        var got = ensemble(x).select(1, i);
        double err = (expected.reshape(got.shape) - got).abs().max().item<float>();
        if (!(err < 1e-4))
            throw new ArgumentException($"member {i} (seed {seed}): the ensemble {what} differs from the single one by {err:G3} on a probe batch; " +
                "the ensemble presets reproduce MLP presets with ReLU (G) / LeakyReLU 0.2 (D) and no norm layers — build the single networks with those.");
    }
}

/// <summary>
/// One private torch generator per member, drawn side by side into [B, K, …] (<see cref="EnsembleGan.RealSampler"/>,
/// <see cref="EnsembleGan.LatentSampler"/>). The trainer finds it behind the sampler delegate and saves every member's
/// generator state as one checkpoint section, so a resumed ensemble draws what the uninterrupted one would.
/// </summary>
internal sealed class MemberStreams(string key, Generator[] generators, Func<Generator, int, Tensor> draw) : ICheckpointable
{
    /// <summary>B → [B, K, …].</summary>
    public Tensor Sample(int batchSize)
    {
        using var scope = torch.NewDisposeScope();
        return torch.stack(generators.Select(gen => draw(gen, batchSize)).ToArray(), 1).MoveToOuterDisposeScope();
    }

    public string CheckpointKey => key;

    public void WriteState(BinaryWriter writer)
    {
        writer.Write(generators.Length);
        foreach (var g in generators) new GeneratorState(key, g).WriteState(writer);
    }

    public void ReadState(BinaryReader reader)
    {
        int k = reader.ReadInt32();
        if (k != generators.Length)
            throw new InvalidDataException($"the checkpoint's '{key}' streams are for {k} members; this ensemble has {generators.Length}. Build it with the same seeds.");
        foreach (var g in generators) new GeneratorState(key, g).ReadState(reader);
    }
}
