using GanNotebooks.Core;
using static TorchSharp.torch;

namespace GanNotebooks.Training;

/// <summary>
/// Latents drawn from a private torch generator (<see cref="Latent.Normal"/> or <see cref="Latent.Uniform"/> with a
/// generator). The delegate handed to a trainer is <see cref="Sample"/>, so the trainer finds this object and saves the
/// generator's state as checkpoint section "latent": a resumed run draws the same z as the uninterrupted one.
/// </summary>
internal sealed class LatentStream(Generator generator, Func<Generator, int, Tensor> draw) : ICheckpointable
{
    readonly GeneratorState _state = new("latent", generator);

    /// <summary>B → z.</summary>
    public Tensor Sample(int batchSize) => draw(_state.Generator, batchSize);

    public string CheckpointKey => _state.CheckpointKey;
    public void WriteState(BinaryWriter writer) => _state.WriteState(writer);
    public void ReadState(BinaryReader reader) => _state.ReadState(reader);
}
