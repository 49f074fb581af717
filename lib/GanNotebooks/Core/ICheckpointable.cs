namespace GanNotebooks.Core;

/// <summary>
/// State a training checkpoint must carry besides weights and optimizers: a data sampler's position, a schedule's
/// clock, a random source. The trainer writes every tracked part as a named section of its one checkpoint envelope
/// (Training.Trainer.Save), so resuming restores it and the run continues as if never stopped.
/// </summary>
public interface ICheckpointable
{
    /// <summary>Section name in the checkpoint (unique per trainer, e.g. "data", "progressive").</summary>
    string CheckpointKey { get; }

    /// <summary>Writes the state.</summary>
    void WriteState(BinaryWriter writer);

    /// <summary>Restores state written by <see cref="WriteState"/>; throws <see cref="InvalidDataException"/> when it does not fit this object.</summary>
    void ReadState(BinaryReader reader);
}
