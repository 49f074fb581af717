using GanNotebooks.Data.Toy;
using GanNotebooks.Core;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>One evaluation of the tracker: generator step, the metric, and (on snapshot steps) the samples.</summary>
/// <param name="Step">Generator steps completed when evaluated.</param>
/// <param name="Result">Modes captured, high-quality fraction, reverse KL on the fixed latent batch.</param>
/// <param name="Samples">The generated samples [n, 2] when this evaluation kept a snapshot, else null.</param>
/// <param name="NearestModeCounts">
/// How many of ALL samples (high quality or not) have each mode as their nearest centre, length ModeCount.
/// Shows where a collapsed generator sits even when its samples are too blurred to count as high quality.
/// </param>
public sealed record ModeCoveragePoint(int Step, ModeCoverageResult Result, double[,]? Samples, IReadOnlyList<int> NearestModeCounts);

/// <summary>
/// Mode coverage over training (VEEGAN / PacGAN metric, <see cref="ModeCoverage"/>): every
/// <see cref="Every"/> generator steps it generates <see cref="SampleCount"/> samples (2500 as in the papers)
/// from one FIXED latent batch — so that changes between evaluations come from G, not from new noise — and
/// records modes captured / high-quality % / reverse KL; every <see cref="SnapshotEvery"/> steps it also keeps
/// the samples for a snapshot chart (collapse and oscillation between modes are visible there).
/// Attach it with <c>tracker.Attach(trainer)</c> before <c>trainer.Train(...)</c>.
/// </summary>
public sealed class ModeCoverageTracker : ITrainingMonitor, IDisposable
{
    readonly List<ModeCoveragePoint> _points = new();
    readonly long _latentSeed;
    readonly int[] _latentShape;
    Tensor? _z;

    /// <summary>Creates a tracker.</summary>
    /// <param name="mixture">The target 2D mixture (its centres and std define the metric).</param>
    /// <param name="every">Evaluate every this many generator steps (≥ 1).</param>
    /// <param name="snapshotEvery">Keep samples every this many steps (a multiple of <paramref name="every"/>); 0 for none.</param>
    /// <param name="sampleCount">Samples per evaluation (default 2500, <see cref="ModeCoverage.PaperSampleCount"/>).</param>
    /// <param name="latentDim">z dimension of the generator (z ~ N(0, I)).</param>
    /// <param name="latentSeed">Seed of the fixed latent batch.</param>
    /// <param name="useEma">Evaluate the EMA generator when the trainer keeps one.</param>
    public ModeCoverageTracker(GaussianMixture2D mixture, int every, int snapshotEvery = 0, int sampleCount = ModeCoverage.PaperSampleCount,
        int latentDim = 2, long latentSeed = 12345, bool useEma = true)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "Evaluate at least every 1 step (e.g. every 200).");
        if (snapshotEvery < 0 || (snapshotEvery > 0 && snapshotEvery % every != 0))
            throw new ArgumentOutOfRangeException(nameof(snapshotEvery), snapshotEvery, $"snapshotEvery must be 0 (none) or a multiple of every = {every}.");
        if (sampleCount < 1) throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount, "Need at least one sample per evaluation (the papers use 2500).");
        if (latentDim < 1) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "The latent dimension must be ≥ 1.");
        Mixture = mixture; Every = every; SnapshotEvery = snapshotEvery; SampleCount = sampleCount; UseEma = useEma;
        _latentSeed = latentSeed;
        _latentShape = new[] { sampleCount, latentDim };
    }

    /// <summary>The target mixture.</summary>
    public GaussianMixture2D Mixture { get; }
    /// <summary>Evaluation interval in generator steps.</summary>
    public int Every { get; }
    /// <summary>Snapshot interval in generator steps (0: none).</summary>
    public int SnapshotEvery { get; }
    /// <summary>Samples per evaluation.</summary>
    public int SampleCount { get; }
    /// <summary>Whether the EMA generator is evaluated when present.</summary>
    public bool UseEma { get; }

    /// <summary>All evaluations so far, in step order.</summary>
    public IReadOnlyList<ModeCoveragePoint> Points => _points;

    /// <summary>The latest evaluation (null before the first).</summary>
    public ModeCoveragePoint? Last => _points.Count == 0 ? null : _points[^1];

    /// <summary>Evaluations that kept samples, as (label "step N", samples) frames for <c>Charts.Snapshots</c>.</summary>
    public IReadOnlyList<(string Label, double[,] Samples)> Snapshots
        => _points.Where(p => p.Samples is not null).Select(p => ($"step {p.Step}", p.Samples!)).ToList();

    /// <summary>Hooks the tracker to <paramref name="trainer"/> (evaluates after every <see cref="Every"/>-th generator step). Returns this.</summary>
    public ModeCoverageTracker Attach(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (Every < 1) throw new ArgumentOutOfRangeException(nameof(Every), Every, "a callback interval must be ≥ 1 step.");
        trainer.Attach(this);
        return this;
    }

    /// <summary>Records after every <see cref="Every"/>-th step (keeping the samples every <see cref="SnapshotEvery"/>-th).</summary>
    public void OnStepEnd(StepEnd step)
    {
        if (step.Step % Every == 0) Record(step.Trainer, keepSamples: SnapshotEvery > 0 && step.Step % SnapshotEvery == 0);
    }

    /// <summary>Evaluates the trainer's generator now (e.g. at step 0, before training) and records it.</summary>
    /// <param name="trainer">The trainer whose G is evaluated.</param>
    /// <param name="keepSamples">Keep the samples as a snapshot.</param>
    public ModeCoverageResult Record(Trainer trainer, bool keepSamples = false)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        _z ??= torch.randn(_latentShape.Select(v => (long)v).ToArray(), generator: new torch.Generator((ulong)_latentSeed)).DetachFromDisposeScope();
        double[,] samples;
        using (var scope = torch.NewDisposeScope())
        {
            var x = trainer.Sample(_z, UseEma); // Sample moves z to the trainer's device if needed
            if (x.dim() != 2 || x.shape[1] != 2)
                throw new InvalidOperationException($"The generator returned shape {Shapes.Of(x)}; mode coverage needs 2D samples [n, 2].");
            samples = x.ToMatrix();
        }
        var r = ModeCoverage.Evaluate(samples, Mixture);
        // an infinite quality radius makes every sample count for its nearest mode
        var nearest = ModeCoverage.Evaluate(samples, Mixture, double.PositiveInfinity).PerModeCounts;
        _points.Add(new ModeCoveragePoint(trainer.Step, r, keepSamples ? samples : null, nearest));
        return r;
    }

    /// <summary>Series for a chart: (name, steps, values) of modes captured, high-quality % (0–100) and reverse KL.</summary>
    public (double[] Steps, double[] Modes, double[] HighQualityPercent, double[] ReverseKl) Curves()
        => (_points.Select(p => (double)p.Step).ToArray(),
            _points.Select(p => (double)p.Result.ModesCaptured).ToArray(),
            _points.Select(p => 100 * p.Result.HighQualityFraction).ToArray(),
            _points.Select(p => p.Result.ReverseKl).ToArray());

    /// <summary>Frees the fixed latent batch.</summary>
    public void Dispose() { _z?.Dispose(); _z = null; }
}
