using GanNotebooks.Training;
using GanNotebooks.Evaluation;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Viz;

/// <summary>One point of the image-quality curve recorded by <see cref="ImageQualityMonitor"/>.</summary>
/// <param name="Step">Generator steps completed.</param>
/// <param name="FrechetDistance">d² of the fixed evaluation latents' samples to the real reference.</param>
/// <param name="Baseline">Real-vs-real d² at the same N.</param>
/// <param name="Accuracy">Classifier accuracy against the evaluation labels (conditional runs), else null.</param>
/// <param name="Seconds">Wall-clock seconds since the monitor was created.</param>
public sealed record QualityPoint(int Step, double FrechetDistance, double Baseline, double? Accuracy, double Seconds);

/// <summary>
/// Watches image-GAN training with FIXED latents, so that frames and scores at different steps differ only by the
/// generator's weights (the PyTorch DCGAN example's fixed_noise): <see cref="Frame"/> renders the samples of a fixed
/// grid latent (optionally saving the PNG), <see cref="Measure"/> scores the samples of fixed evaluation latents with
/// an <see cref="ImageQualityMetric"/>. <see cref="Attach"/> wires both to a trainer. The latents are kept outside
/// any dispose scope; dispose the monitor to free them.
/// </summary>
public sealed class ImageQualityMonitor : ITrainingMonitor, IDisposable
{
    readonly Tensor _gridZ;
    readonly Tensor? _evalZ, _evalLabels;
    readonly double _baseline;
    readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    readonly List<Tensor> _firstRows = new();

    /// <summary>Creates the monitor.</summary>
    /// <param name="gridZ">Latents of the frame grid [n, …] (e.g. 64), copied.</param>
    /// <param name="metric">The score, with real images set (<see cref="ImageQualityMetric.SetReal"/>); null: frames only.</param>
    /// <param name="evalZ">Latents scored by <see cref="Measure"/> [N, …] (N ≤ the metric's held-out count), copied.</param>
    /// <param name="evalLabels">Intended labels [N] of <paramref name="evalZ"/> (conditional G) for the accuracy, or null.</param>
    /// <param name="frameDirectory">When set, each frame is also saved there as step-NNNNNN.png.</param>
    /// <param name="nrow">Images per grid row.</param>
    public ImageQualityMonitor(Tensor gridZ, ImageQualityMetric? metric = null, Tensor? evalZ = null, Tensor? evalLabels = null,
        string? frameDirectory = null, int nrow = 8)
    {
        ArgumentNullException.ThrowIfNull(gridZ);
        if (nrow < 1) throw new ArgumentOutOfRangeException(nameof(nrow), nrow, "nrow must be ≥ 1.");
        if ((metric is null) != (evalZ is null)) throw new ArgumentException("give both a metric and evaluation latents, or neither.", nameof(evalZ));
        if (evalLabels is not null && (evalZ is null || evalLabels.dim() != 1 || evalLabels.shape[0] != evalZ.shape[0]))
            throw new ArgumentException("evaluation labels must be [N] with N = the number of evaluation latents.", nameof(evalLabels));
        Metric = metric;
        _gridZ = gridZ.detach().clone().DetachFromDisposeScope();
        _evalZ = evalZ?.detach().clone().DetachFromDisposeScope();
        _evalLabels = evalLabels?.detach().cpu().to_type(ScalarType.Int64).DetachFromDisposeScope();
        if (metric is not null) _baseline = metric.Baseline((int)_evalZ!.shape[0]);
        FrameDirectory = frameDirectory;
        Nrow = nrow;
    }

    /// <summary>The score (null: frames only).</summary>
    public ImageQualityMetric? Metric { get; }
    /// <summary>Where frames are saved (null: not saved).</summary>
    public string? FrameDirectory { get; }
    /// <summary>Images per grid row.</summary>
    public int Nrow { get; }
    /// <summary>Real-vs-real d² at the evaluation N (NaN without a metric).</summary>
    public double Baseline => Metric is null ? double.NaN : _baseline;
    /// <summary>Frames recorded so far, by step.</summary>
    public List<(int Step, ImageGrid Grid)> Frames { get; } = new();
    /// <summary>Scores recorded so far.</summary>
    public List<QualityPoint> Curve { get; } = new();
    /// <summary>The latest frame (null before the first).</summary>
    public ImageGrid? LastFrame => Frames.Count == 0 ? null : Frames[^1].Grid;

    /// <summary>Renders the fixed grid latents' samples (eval mode, EMA weights if any), keeps and optionally saves the frame.</summary>
    public ImageGrid Frame(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        using var scope = torch.NewDisposeScope();
        var samples = trainer.Sample(_gridZ);
        var grid = ImageGrid.FromTensor(samples, nrow: Nrow);
        Frames.Add((trainer.Step, grid));
        // The first row of every frame, kept small on the CPU for Timeline.
        _firstRows.Add(samples.narrow(0, 0, Math.Min(Nrow, samples.shape[0])).detach().cpu().DetachFromDisposeScope());
        if (FrameDirectory is not null) grid.Save(Path.Combine(FrameDirectory, string.Create(CultureInfo.InvariantCulture, $"step-{trainer.Step:D6}.png")));
        return grid;
    }

    /// <summary>
    /// The first row of up to <paramref name="maxRows"/> evenly spaced frames (always the first and the last) stacked
    /// into one grid: row r is the same <see cref="Nrow"/> latents at step <c>Steps[r]</c>, so a column shows one
    /// sample developing over training.
    /// </summary>
    public (ImageGrid Grid, int[] Steps) Timeline(int maxRows = 8)
    {
        if (maxRows < 1) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "show at least one row.");
        if (Frames.Count == 0) throw new InvalidOperationException("no frames yet: call Frame or Attach and train first.");
        int n = Frames.Count, rows = Math.Min(maxRows, n);
        var picks = Enumerable.Range(0, rows).Select(r => rows == 1 ? n - 1 : (int)Math.Round(r * (n - 1) / (double)(rows - 1))).Distinct().ToArray();
        using var scope = torch.NewDisposeScope();
        var stacked = torch.cat(picks.Select(i => _firstRows[i]).ToList(), 0);
        return (ImageGrid.FromTensor(stacked, nrow: Nrow), picks.Select(i => Frames[i].Step).ToArray());
    }

    /// <summary>Scores the fixed evaluation latents' samples and appends a <see cref="QualityPoint"/>.</summary>
    public QualityPoint Measure(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var metric = Metric ?? throw new InvalidOperationException("this monitor has no metric; create it with a metric and evaluation latents.");
        using var scope = torch.NewDisposeScope();
        var x = trainer.Sample(_evalZ!);
        double fd = metric.Score(x);
        double? acc = _evalLabels is not null && metric.HasClassifier ? metric.Accuracy(x, _evalLabels) : null;
        var p = new QualityPoint(trainer.Step, fd, _baseline, acc, _clock.Elapsed.TotalSeconds);
        Curve.Add(p);
        return p;
    }

    /// <summary>
    /// Records a frame every <paramref name="frameEvery"/> steps (passing it to <paramref name="show"/>, e.g. a
    /// display's Update) and a score every <paramref name="measureEvery"/> steps (0: never), plus both right away
    /// at the current step. Returns the trainer.
    /// </summary>
    public T Attach<T>(T trainer, int frameEvery, int measureEvery = 0, Action<ImageGrid>? show = null) where T : Trainer
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (frameEvery < 1) throw new ArgumentOutOfRangeException(nameof(frameEvery), frameEvery, "frameEvery must be ≥ 1 step.");
        if (measureEvery < 0) throw new ArgumentOutOfRangeException(nameof(measureEvery), measureEvery, "measureEvery must be ≥ 0 (0 = never).");
        if (measureEvery > 0 && Metric is null) throw new InvalidOperationException("measureEvery > 0 needs a metric.");
        var first = Frame(trainer);
        show?.Invoke(first);
        if (measureEvery > 0) Measure(trainer);
        _frameEvery = frameEvery;
        _measureEvery = measureEvery;
        _show = show;
        trainer.Attach(this);
        return trainer;
    }

    int _frameEvery, _measureEvery;
    Action<ImageGrid>? _show;

    /// <summary>A frame every frameEvery-th step and a score every measureEvery-th, as set by <see cref="Attach"/>.</summary>
    public void OnStepEnd(StepEnd step)
    {
        if (_frameEvery > 0 && step.Step % _frameEvery == 0) { var g = Frame(step.Trainer); _show?.Invoke(g); }
        if (_measureEvery > 0 && step.Step % _measureEvery == 0) Measure(step.Trainer);
    }

    /// <summary>Frees the fixed latents.</summary>
    public void Dispose()
    {
        _gridZ.Dispose();
        _evalZ?.Dispose();
        foreach (var t in _firstRows) t.Dispose();
        _firstRows.Clear();
        _evalLabels?.Dispose();
    }
}
