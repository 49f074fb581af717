using GanNotebooks.Losses;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Evaluation;

/// <summary>One reading of <see cref="FGanBoundMonitor"/>: the f-GAN lower bound on D_f(P‖Q_G) after <paramref name="Step"/> steps.</summary>
public sealed record FGanBoundPoint(int Step, FGanBoundEstimate Estimate);

/// <summary>
/// Watches an f-GAN during training: every <see cref="Every"/> steps it reads the trainer's D as the variational function
/// and estimates E_P[g_f(V)] − E_Q[f*(g_f(V))] (Nowozin et al. 2016, eq. 4) on fixed real samples and on G's samples of
/// fixed latents (<see cref="FGanBound.Estimate"/>). A lower bound on D_f(P‖Q_G) that is tight only at the optimal critic,
/// so its curve shows how far D is from optimal as much as how far G is from P.
/// </summary>
public sealed class FGanBoundMonitor : ITrainingMonitor, IDisposable
{
    readonly Tensor _real;
    readonly Tensor _z;

    /// <summary>Creates the monitor (copies of the tensors are kept outside any dispose scope).</summary>
    /// <param name="divergence">The f of the trainer's f-GAN objective.</param>
    /// <param name="realSamples">Samples of P [N, ...].</param>
    /// <param name="latents">Fixed latents [M, ...] for G's samples (use the trainer's latent sampler once).</param>
    /// <param name="every">Observe after every k-th step (≥ 1).</param>
    public FGanBoundMonitor(FDivergence divergence, Tensor realSamples, Tensor latents, int every)
    {
        ArgumentNullException.ThrowIfNull(divergence);
        ArgumentNullException.ThrowIfNull(realSamples);
        ArgumentNullException.ThrowIfNull(latents);
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "observe at least every step (every ≥ 1).");
        Divergence = divergence;
        Every = every;
        using (torch.NewDisposeScope())
        {
            _real = realSamples.detach().clone().DetachFromDisposeScope();
            _z = latents.detach().clone().DetachFromDisposeScope();
        }
    }

    /// <summary>The f.</summary>
    public FDivergence Divergence { get; }

    /// <summary>Observation interval in steps.</summary>
    public int Every { get; }

    /// <summary>The readings so far.</summary>
    public List<FGanBoundPoint> Points { get; } = new();

    /// <summary>Estimates the bound now for <paramref name="trainer"/>'s D and G (G's EMA weights when it has them).</summary>
    public FGanBoundPoint Record(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        using var scope = torch.NewDisposeScope();
        var fake = trainer.Sample(_z);
        var d = trainer.Network("D") as Module<Tensor, Tensor> ?? throw new ArgumentException("the trainer's network \"D\" is not a Module<Tensor, Tensor>.", nameof(trainer));
        bool wasTraining = d.training;
        d.eval();
        try
        {
            var p = new FGanBoundPoint(trainer.Step, FGanBound.Estimate(Divergence, d, _real.to(trainer.Device), fake));
            Points.Add(p);
            return p;
        }
        finally { d.train(wasTraining); }
    }

    /// <inheritdoc/>
    public void OnStepEnd(StepEnd step)
    {
        if (step.Step % Every == 0) Record(step.Trainer);
    }

    /// <summary>Frees the fixed samples.</summary>
    public void Dispose()
    {
        _real.Dispose();
        _z.Dispose();
    }
}
