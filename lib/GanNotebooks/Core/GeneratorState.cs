using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Core;

/// <summary>
/// A private torch generator as checkpoint state: track it with a trainer (<c>trainer.Track(new GeneratorState("toy data", gen))</c>)
/// and its position is saved and restored with the checkpoint, so samples drawn from it continue as in the uninterrupted run.
/// Torch's global generator needs nothing: every checkpoint holds it.
/// </summary>
/// <param name="key">Section name in the checkpoint (unique per trainer).</param>
/// <param name="generator">The generator.</param>
public sealed class GeneratorState(string key, Generator generator) : ICheckpointable
{
    /// <summary>The generator whose state is saved.</summary>
    public Generator Generator { get; } = generator ?? throw new ArgumentNullException(nameof(generator));

    /// <inheritdoc/>
    public string CheckpointKey { get; } = string.IsNullOrWhiteSpace(key) ? throw new ArgumentException("a checkpoint section needs a name.", nameof(key)) : key;

    /// <inheritdoc/>
    public void WriteState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        using var state = Generator.get_state();
        state.Save(writer);
    }

    /// <inheritdoc/>
    public void ReadState(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var state = Generator.get_state();
        state.Load(reader);
        Generator.set_state(state);
    }
}
