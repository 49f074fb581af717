namespace GanNotebooks.Training;

/// <summary>
/// The one interface of the things that watch training — mode coverage, image quality, an f-GAN bound: after every
/// iteration the <see cref="Trainer"/> hands them the step (<see cref="Trainer.Attach"/>); they read the models (sample G,
/// score D) and never train them. Every variant's trainer takes them. Each decides itself on which steps it observes
/// (usually every k-th).
/// </summary>
public interface ITrainingMonitor
{
    /// <summary>Called after every iteration; <see cref="StepEnd.Step"/> is the 1-based step just completed.</summary>
    void OnStepEnd(StepEnd step);
}
