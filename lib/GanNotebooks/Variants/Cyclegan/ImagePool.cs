using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Cyclegan;

/// <summary>
/// The history of generated images that CycleGAN's discriminators learn from (Zhu et al. 2017, §4 "Training details",
/// after Shrivastava et al. 2017): a buffer of the last <see cref="Capacity"/> = 50 generated images. While it is not
/// full, every new image is stored and returned. Once full, each new image is, with probability ½, returned as is;
/// otherwise a uniformly chosen stored image is returned in its place and the new one takes its slot. So D sees a mix
/// of current and older fakes (half and half in expectation) and G cannot win by oscillating. Randomness comes from
/// a private torch generator; the buffer and that generator are checkpoint state.
/// </summary>
public sealed class ImagePool : ICheckpointable, IDisposable
{
    readonly List<Tensor> _images = new();
    readonly torch.Generator _random;

    /// <summary>A pool of <paramref name="capacity"/> images (paper: 50; 0 = no pool, every query returns its input).</summary>
    /// <param name="capacity">Buffer size.</param>
    /// <param name="seed">Seed of the pool's own random draws.</param>
    /// <param name="checkpointKey">Section name in a checkpoint (unique per trainer).</param>
    public ImagePool(int capacity = 50, long seed = 0, string checkpointKey = "pool")
    {
        if (capacity < 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the pool size cannot be negative (paper: 50; 0 turns the pool off).");
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointKey);
        Capacity = capacity;
        CheckpointKey = checkpointKey;
        _random = new torch.Generator((ulong)seed);
    }

    /// <summary>Images the buffer holds at most.</summary>
    public int Capacity { get; }

    /// <summary>Images stored now.</summary>
    public int Count => _images.Count;

    /// <summary>Stored images taken out in place of new ones so far (the "old" fakes returned).</summary>
    public long OldReturned { get; private set; }

    /// <summary>Images passed through so far.</summary>
    public long Queried { get; private set; }

    /// <inheritdoc/>
    public string CheckpointKey { get; }

    /// <summary>
    /// Returns a batch of the same shape as <paramref name="images"/> [B, …] mixing new and stored images by the rule
    /// above (the result is detached from the graph; D's step does not train G).
    /// </summary>
    public Tensor Query(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() < 1) throw new ArgumentException($"expected a batch [B, …]; got {Shapes.Of(images)}.", nameof(images));
        var detached = images.detach();
        if (Capacity == 0) { Queried += images.shape[0]; return detached.clone(); }
        var output = new List<Tensor>();
        long b = images.shape[0];
        using var coins = torch.rand(b, generator: _random);
        using var slots = torch.randint(0, Capacity, [b], generator: _random);
        var coin = coins.data<float>().ToArray();
        var slot = slots.data<long>().ToArray();
        for (int i = 0; i < b; i++)
        {
            var image = detached[i];
            if (_images.Count < Capacity)
            {
                _images.Add(Keep(image));
                output.Add(image);
            }
            else if (coin[i] > 0.5f)
            {
                int k = (int)slot[i];
                var old = _images[k];
                output.Add(old.to(image.device).clone());
                _images[k] = Keep(image);
                old.Dispose();
                OldReturned++;
            }
            else output.Add(image);
            Queried++;
        }
        return torch.stack(output, 0);
    }

    static Tensor Keep(Tensor image)
    {
        var copy = image.detach().cpu().clone();
        copy.DetachFromDisposeScope();
        return copy;
    }

    /// <inheritdoc/>
    public void WriteState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Capacity);
        writer.Write(OldReturned);
        writer.Write(Queried);
        writer.Write(_images.Count);
        foreach (var t in _images)
        {
            writer.Write(t.dim());
            foreach (var d in t.shape) writer.Write(d);
            foreach (var v in t.to_type(ScalarType.Float32).data<float>()) writer.Write(v);
        }
        using var state = _random.get_state();
        state.Save(writer);
    }

    /// <inheritdoc/>
    public void ReadState(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int capacity = reader.ReadInt32();
        if (capacity != Capacity) throw new InvalidDataException($"checkpoint's image pool '{CheckpointKey}' holds {capacity} images, this one {Capacity}; use the same PoolSize.");
        OldReturned = reader.ReadInt64();
        Queried = reader.ReadInt64();
        int n = reader.ReadInt32();
        foreach (var t in _images) t.Dispose();
        _images.Clear();
        for (int i = 0; i < n; i++)
        {
            var shape = new long[reader.ReadInt64()];
            for (int d = 0; d < shape.Length; d++) shape[d] = reader.ReadInt64();
            var values = new float[shape.Aggregate(1L, (a, x) => a * x)];
            for (int v = 0; v < values.Length; v++) values[v] = reader.ReadSingle();
            var t = torch.tensor(values).reshape(shape);
            t.DetachFromDisposeScope();
            _images.Add(t);
        }
        using var state = _random.get_state();
        state.Load(reader);
        _random.set_state(state);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _images) t.Dispose();
        _images.Clear();
        _random.Dispose();
    }
}
