using GanNotebooks.Core;
using GanNotebooks.Data.Toy;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>One evaluation of every ensemble member: generator step, one result per member, the samples [n, K, 2] on snapshot steps.</summary>
public sealed record EnsembleModeCoveragePoint(int Step, IReadOnlyList<ModeCoverageResult> Members, double[][,]? Samples);

/// <summary>
/// <see cref="ModeCoverageTracker"/> for an ensemble trained as one model (generator z [n, K, zDim] → x [n, K, 2]):
/// every <see cref="Every"/> steps it generates <see cref="SampleCount"/> samples per member from a FIXED latent batch
/// per member (member k's from its own seed), evaluates each member separately and, on snapshot steps, keeps the samples.
/// </summary>
public sealed class EnsembleModeCoverageTracker : ITrainingMonitor, IDisposable
{
    readonly List<EnsembleModeCoveragePoint> _points = new();
    readonly long[] _latentSeeds;
    readonly int _latentDim;
    Tensor? _z;

    /// <summary>Creates the tracker.</summary>
    /// <param name="mixture">The target mixture.</param>
    /// <param name="latentSeeds">One seed per member for its fixed evaluation latents (K seeds).</param>
    /// <param name="every">Evaluate every this many generator steps (≥ 1).</param>
    /// <param name="snapshotEvery">Keep samples every this many steps (a multiple of <paramref name="every"/>); 0 for none.</param>
    /// <param name="sampleCount">Samples per member (2500 in the papers).</param>
    /// <param name="latentDim">z dimension.</param>
    public EnsembleModeCoverageTracker(GaussianMixture2D mixture, IReadOnlyList<long> latentSeeds, int every, int snapshotEvery = 0,
        int sampleCount = ModeCoverage.PaperSampleCount, int latentDim = 2)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(latentSeeds);
        if (latentSeeds.Count < 1) throw new ArgumentException("Give one latent seed per ensemble member.", nameof(latentSeeds));
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "Evaluate at least every 1 step (e.g. every 200).");
        if (snapshotEvery < 0 || (snapshotEvery > 0 && snapshotEvery % every != 0))
            throw new ArgumentOutOfRangeException(nameof(snapshotEvery), snapshotEvery, $"snapshotEvery must be 0 (none) or a multiple of every = {every}.");
        if (sampleCount < 1) throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount, "Need at least one sample per evaluation (the papers use 2500).");
        Mixture = mixture; Every = every; SnapshotEvery = snapshotEvery; SampleCount = sampleCount;
        _latentSeeds = latentSeeds.ToArray();
        _latentDim = latentDim;
    }

    /// <summary>The target mixture.</summary>
    public GaussianMixture2D Mixture { get; }
    /// <summary>Evaluation interval.</summary>
    public int Every { get; }
    /// <summary>Snapshot interval (0: none).</summary>
    public int SnapshotEvery { get; }
    /// <summary>Samples per member and evaluation.</summary>
    public int SampleCount { get; }
    /// <summary>Members K.</summary>
    public int Members => _latentSeeds.Length;
    /// <summary>All evaluations, in step order.</summary>
    public IReadOnlyList<EnsembleModeCoveragePoint> Points => _points;
    /// <summary>The latest evaluation (null before the first).</summary>
    public EnsembleModeCoveragePoint? Last => _points.Count == 0 ? null : _points[^1];

    /// <summary>Member <paramref name="member"/>'s snapshots as ("step N", samples [n, 2]) frames for <c>Charts.Snapshots</c>.</summary>
    public IReadOnlyList<(string Label, double[,] Samples)> Snapshots(int member)
        => _points.Where(p => p.Samples is not null).Select(p => ($"step {p.Step}", p.Samples![member])).ToList();

    /// <summary>Member <paramref name="member"/>'s curves: steps, modes captured, high-quality %.</summary>
    public (double[] Steps, double[] Modes, double[] HighQualityPercent) Curves(int member)
        => (_points.Select(p => (double)p.Step).ToArray(),
            _points.Select(p => (double)p.Members[member].ModesCaptured).ToArray(),
            _points.Select(p => 100 * p.Members[member].HighQualityFraction).ToArray());

    /// <summary>Hooks the tracker to the trainer. Returns this.</summary>
    public EnsembleModeCoverageTracker Attach(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        trainer.Attach(this);
        return this;
    }

    /// <inheritdoc/>
    public void OnStepEnd(StepEnd step)
    {
        if (step.Step % Every == 0) Record(step.Trainer, keepSamples: SnapshotEvery > 0 && step.Step % SnapshotEvery == 0);
    }

    /// <summary>Evaluates every member now and records it.</summary>
    public IReadOnlyList<ModeCoverageResult> Record(Trainer trainer, bool keepSamples = false)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (_z is null)
        {
            using var scope = torch.NewDisposeScope();
            _z = torch.stack(_latentSeeds.Select(s => torch.randn(new long[] { SampleCount, _latentDim }, generator: new torch.Generator((ulong)s))).ToArray(), 1)
                .MoveToOuterDisposeScope();
        }
        ModeCoverageResult[] results;
        double[][,]? kept = null;
        using (var scope = torch.NewDisposeScope())
        {
            var x = trainer.Sample(_z).cpu();
            if (x.dim() != 3 || x.shape[1] != Members || x.shape[2] != 2)
                throw new InvalidOperationException($"The ensemble generator returned {Shapes.Of(x)}; expected [{SampleCount}, K={Members}, 2].");
            results = ModeCoverage.EvaluateMembers(x, Mixture);
            if (keepSamples) kept = Enumerable.Range(0, Members).Select(k => x.select(1, k).ToMatrix()).ToArray();
        }
        _points.Add(new EnsembleModeCoveragePoint(trainer.Step, results, kept));
        return results;
    }

    /// <summary>Frees the fixed latent batch.</summary>
    public void Dispose() { _z?.Dispose(); _z = null; }
}
