using GanNotebooks.Core;
using static TorchSharp.torch;

namespace GanNotebooks.Data;

/// <summary>
/// The kit's one sampler of dataset indices: every index once per epoch in a shuffled order, reshuffled when an epoch is
/// used up (a DataLoader with shuffle=True). The order depends only on the seed — a System.Random (a stable algorithm
/// for an int seed) whose Fisher–Yates shuffles permute the previous epoch's order — never on torch's global generator,
/// so data order and model randomness do not disturb each other. Its state is one number, the indices drawn so far:
/// a checkpoint stores it and <see cref="ReadState"/> replays the shuffles up to that point, so a resumed run draws
/// exactly the batches the uninterrupted run would.
/// </summary>
public sealed class EpochSampler : ICheckpointable
{
    readonly int _count;
    readonly long _seed;
    Random _rng;
    readonly int[] _perm;
    int _pos;

    /// <summary>A sampler over indices 0…count−1.</summary>
    /// <param name="count">Dataset size (≥ 1).</param>
    /// <param name="seed">Seed of the order.</param>
    /// <param name="checkpointKey">Section name in a trainer checkpoint (default "data").</param>
    public EpochSampler(int count, long seed, string checkpointKey = "data")
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "the data set is empty.");
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointKey);
        _count = count;
        _seed = seed;
        CheckpointKey = checkpointKey;
        _perm = new int[count];
        _rng = Restart();
    }

    Random Restart()
    {
        for (int i = 0; i < _count; i++) _perm[i] = i;
        _pos = _count; // forces a shuffle on first use
        Drawn = 0;
        return new Random(unchecked((int)(_seed ^ (_seed >> 32))));
    }

    /// <summary>Dataset size.</summary>
    public int Count => _count;

    /// <summary>Seed of the order.</summary>
    public long Seed => _seed;

    /// <summary>Indices drawn so far (the sampler's whole state).</summary>
    public long Drawn { get; private set; }

    /// <inheritdoc/>
    public string CheckpointKey { get; }

    /// <summary>The next <paramref name="batchSize"/> indices.</summary>
    public long[] Next(int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be positive.");
        var idx = new long[batchSize];
        for (int i = 0; i < batchSize; i++)
        {
            if (_pos == _count) { _rng.Shuffle(_perm); _pos = 0; }
            idx[i] = _perm[_pos++];
        }
        Drawn += batchSize;
        return idx;
    }

    /// <summary>The next indices as an int64 tensor [B] on <paramref name="device"/> (for index_select).</summary>
    public Tensor NextTensor(int batchSize, Device device) => tensor(Next(batchSize), device: device);

    /// <inheritdoc/>
    public void WriteState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(_count); writer.Write(_seed); writer.Write(Drawn);
    }

    /// <inheritdoc/>
    public void ReadState(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int count = reader.ReadInt32(); long seed = reader.ReadInt64(); long drawn = reader.ReadInt64();
        if (count != _count) throw new InvalidDataException($"the checkpoint's data order covers {count} images, this sampler has {_count}; use the same data set.");
        if (seed != _seed) throw new InvalidDataException($"the checkpoint used data seed {seed}, this sampler {_seed}; use the same seed.");
        if (drawn < 0) throw new InvalidDataException($"the checkpoint's data position {drawn} is negative.");
        // Replay: epoch e's order is the (e+1)-th shuffle of the same stream, so shuffle as often as the saved run did.
        _rng = Restart();
        long epochs = drawn == 0 ? 0 : (drawn - 1) / _count + 1;
        for (long e = 0; e < epochs; e++) _rng.Shuffle(_perm);
        _pos = epochs == 0 ? _count : (int)(drawn - (epochs - 1) * _count);
        Drawn = drawn;
    }
}
