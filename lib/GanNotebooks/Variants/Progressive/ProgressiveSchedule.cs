using System.Globalization;

namespace GanNotebooks.Variants.Progressive;

/// <summary>What a phase of progressive training does.</summary>
public enum ProgressivePhaseKind
{
    /// <summary>A new block is blended in: α rises linearly from 0 to 1 over the phase.</summary>
    FadeIn,
    /// <summary>The network trains at a fixed resolution with α = 1.</summary>
    Stabilize,
}

/// <summary>One phase of a <see cref="ProgressiveSchedule"/>: images [StartImage, EndImage) are shown at <see cref="Resolution"/>.</summary>
/// <param name="Index">Position in the schedule (0-based).</param>
/// <param name="Resolution">Resolution trained in this phase (4, 8, 16, …).</param>
/// <param name="Kind">Fade-in or stabilize.</param>
/// <param name="StartImage">Real images shown to D before this phase.</param>
/// <param name="Images">Length of the phase in real images shown to D.</param>
public sealed record ProgressivePhase(int Index, int Resolution, ProgressivePhaseKind Kind, long StartImage, long Images)
{
    /// <summary>StartImage + Images.</summary>
    public long EndImage => StartImage + Images;

    /// <summary>Level of <see cref="Resolution"/> (4 → 0).</summary>
    public int Level => ProgressiveGanConfig.LevelOf(Resolution);

    /// <summary>E.g. "16×16 fade-in".</summary>
    public string Label => $"{Resolution}×{Resolution} {(Kind == ProgressivePhaseKind.FadeIn ? "fade-in" : "stabilize")}";
}

/// <summary>Where a schedule stands after a number of images: resolution, α and phase.</summary>
/// <param name="Images">Real images shown to D so far.</param>
/// <param name="Resolution">Current resolution.</param>
/// <param name="Alpha">Fade-in weight α in [0, 1] (1 outside fade-ins).</param>
/// <param name="Phase">The phase containing <paramref name="Images"/> (the last phase once the schedule is over).</param>
public readonly record struct ProgressiveState(long Images, int Resolution, double Alpha, ProgressivePhase Phase)
{
    /// <summary>Level of the resolution (4 → 0).</summary>
    public int Level => ProgressiveGanConfig.LevelOf(Resolution);

    /// <summary>The networks' stage: level and α.</summary>
    public ProgressiveStage Stage => new(Level, Alpha);

    /// <summary>Fade-in or stabilize.</summary>
    public ProgressivePhaseKind Kind => Phase.Kind;

    /// <inheritdoc/>
    public override string ToString() => Kind == ProgressivePhaseKind.FadeIn
        ? string.Create(CultureInfo.InvariantCulture, $"{Resolution}×{Resolution} fade-in, α = {Alpha:F3}")
        : $"{Resolution}×{Resolution} stabilize";
}

/// <summary>
/// The progressive-growing schedule (Karras et al. 2018, §3 and §A.1), counted in real images shown to D:
/// the start resolution is trained (stabilized) for a while, then each new resolution is faded in — α rising
/// linearly from 0 to 1 — and then stabilized. The paper uses 800k images per fade-in and per stabilize phase.
/// After the last phase training continues at the last resolution with α = 1.
/// </summary>
public sealed class ProgressiveSchedule
{
    readonly ProgressivePhase[] _phases;

    /// <summary>A schedule with the same fade-in and stabilize lengths at every resolution.</summary>
    /// <param name="startResolution">First resolution (4 in the paper); only stabilized.</param>
    /// <param name="maxResolution">Last resolution (≥ start).</param>
    /// <param name="fadeInImages">Images per fade-in (≥ 0; 0 switches instantly).</param>
    /// <param name="stabilizeImages">Images per stabilize phase (≥ 0).</param>
    /// <param name="finalStabilizeImages">Length of the last stabilize phase (null → <paramref name="stabilizeImages"/>).</param>
    public ProgressiveSchedule(int startResolution, int maxResolution, long fadeInImages, long stabilizeImages, long? finalStabilizeImages = null)
        : this(startResolution, maxResolution, r => (fadeInImages, r == maxResolution && finalStabilizeImages is long f ? f : stabilizeImages))
    {
    }

    /// <summary>A schedule whose phase lengths depend on the resolution (e.g. shorter phases at cheap low resolutions).</summary>
    /// <param name="startResolution">First resolution; only stabilized (its fade-in length is ignored).</param>
    /// <param name="maxResolution">Last resolution (≥ start).</param>
    /// <param name="imagesPerResolution">resolution → (fade-in images, stabilize images), both ≥ 0.</param>
    public ProgressiveSchedule(int startResolution, int maxResolution, Func<int, (long FadeIn, long Stabilize)> imagesPerResolution)
    {
        ArgumentNullException.ThrowIfNull(imagesPerResolution);
        int l0 = ProgressiveGanConfig.LevelOf(startResolution), l1 = ProgressiveGanConfig.LevelOf(maxResolution);
        if (l1 < l0) throw new ArgumentException($"the last resolution ({maxResolution}) must be ≥ the first ({startResolution}).", nameof(maxResolution));
        var phases = new List<ProgressivePhase>();
        long t = 0;
        for (int l = l0; l <= l1; l++)
        {
            int r = ProgressiveGanConfig.ResolutionOf(l);
            var (fade, stab) = imagesPerResolution(r);
            if (fade < 0 || stab < 0)
                throw new ArgumentOutOfRangeException(nameof(imagesPerResolution), $"phase lengths at {r}×{r} are ({fade}, {stab}); image counts must be ≥ 0.");
            if (l > l0 && fade > 0) { phases.Add(new ProgressivePhase(phases.Count, r, ProgressivePhaseKind.FadeIn, t, fade)); t += fade; }
            phases.Add(new ProgressivePhase(phases.Count, r, ProgressivePhaseKind.Stabilize, t, stab));
            t += stab;
        }
        _phases = phases.ToArray();
        StartResolution = startResolution;
        MaxResolution = maxResolution;
    }

    /// <summary>The paper's schedule: 4×4 up to <paramref name="maxResolution"/>, 800k images per fade-in and per stabilize phase.</summary>
    public static ProgressiveSchedule Paper(int maxResolution = 1024) => new(4, maxResolution, 800_000, 800_000);

    /// <summary>No growing: one stabilize phase at <paramref name="resolution"/> (the fixed-resolution baseline with the same final network).</summary>
    public static ProgressiveSchedule Fixed(int resolution, long images) => new(resolution, resolution, 0, images);

    /// <summary>
    /// A schedule with equally long phases (in images) whose growth — every phase before the last stabilize phase —
    /// should take about <paramref name="growthSeconds"/> at the measured speeds: with n images per phase,
    /// n·(1/v₄ + 2/v₈ + … + 2/v_{max/2} + 1/v_max) = growthSeconds, where v_r is images/s at resolution r (e.g. from
    /// <c>ProgressiveTrainer.MeasureThroughput</c>). The last stabilize phase also gets n images; training
    /// past it simply continues at the last resolution.
    /// </summary>
    /// <param name="growthSeconds">Seconds until the last resolution is fully faded in (&gt; 0).</param>
    /// <param name="imagesPerSecond">Measured speeds; every resolution from start to max must be present.</param>
    /// <param name="startResolution">First resolution (default 4).</param>
    /// <param name="maxResolution">Last resolution (default: the largest measured).</param>
    /// <param name="multipleOf">Round the phase length up to a multiple of this (the batch size), so phases hold whole steps.</param>
    public static ProgressiveSchedule ForGrowthTime(double growthSeconds, IReadOnlyList<ResolutionThroughput> imagesPerSecond,
        int startResolution = 4, int? maxResolution = null, int multipleOf = 1)
    {
        ArgumentNullException.ThrowIfNull(imagesPerSecond);
        if (!(growthSeconds > 0) || double.IsInfinity(growthSeconds)) throw new ArgumentOutOfRangeException(nameof(growthSeconds), growthSeconds, "the growth time must be a finite number of seconds > 0.");
        if (multipleOf < 1) throw new ArgumentOutOfRangeException(nameof(multipleOf), multipleOf, "must be ≥ 1 (use the batch size).");
        if (imagesPerSecond.Count == 0) throw new ArgumentException("give at least one measured resolution.", nameof(imagesPerSecond));
        int max = maxResolution ?? imagesPerSecond.Max(t => t.Resolution);
        double secondsPerImage = 0;
        for (int l = ProgressiveGanConfig.LevelOf(startResolution); l <= ProgressiveGanConfig.LevelOf(max); l++)
        {
            int r = ProgressiveGanConfig.ResolutionOf(l);
            var v = imagesPerSecond.FirstOrDefault(t => t.Resolution == r)?.ImagesPerSecond ?? double.NaN;
            if (!(v > 0)) throw new ArgumentException($"no usable speed measured at {r}×{r}; measure every resolution from {startResolution} to {max}.", nameof(imagesPerSecond));
            // The start resolution has one phase, the last one a fade-in only (its stabilize phase is after the growth), others two.
            int phases = r == startResolution ? 1 : r == max ? 1 : 2;
            secondsPerImage += phases / v;
        }
        if (startResolution == max) secondsPerImage = 1 / imagesPerSecond.First(t => t.Resolution == max).ImagesPerSecond;
        long n = Math.Max(1, (long)Math.Ceiling(growthSeconds / secondsPerImage / multipleOf)) * multipleOf;
        return new ProgressiveSchedule(startResolution, max, n, n);
    }

    /// <summary>First resolution.</summary>
    public int StartResolution { get; }

    /// <summary>Last resolution.</summary>
    public int MaxResolution { get; }

    /// <summary>The phases in order.</summary>
    public IReadOnlyList<ProgressivePhase> Phases => _phases;

    /// <summary>Images until the end of the last phase.</summary>
    public long TotalImages => _phases[^1].EndImage;

    /// <summary>Images until the schedule first reaches <paramref name="resolution"/> with α = 1 (the end of its fade-in).</summary>
    public long ImagesUntilGrown(int resolution)
    {
        var p = _phases.FirstOrDefault(p => p.Resolution == resolution && p.Kind == ProgressivePhaseKind.Stabilize)
            ?? throw new ArgumentOutOfRangeException(nameof(resolution), resolution, $"this schedule trains {StartResolution}…{MaxResolution}.");
        return p.StartImage;
    }

    /// <summary>
    /// The state after <paramref name="images"/> real images: the phase that contains it (phases are half-open
    /// [start, end); a zero-length phase is skipped), the resolution, and α = (images − start) / length in a
    /// fade-in, 1 otherwise. Beyond <see cref="TotalImages"/>: the last resolution with α = 1.
    /// </summary>
    public ProgressiveState At(long images)
    {
        if (images < 0) throw new ArgumentOutOfRangeException(nameof(images), images, "an image count cannot be negative.");
        foreach (var p in _phases)
        {
            if (images >= p.EndImage) continue;
            double alpha = p.Kind == ProgressivePhaseKind.FadeIn ? (double)(images - p.StartImage) / p.Images : 1.0;
            return new ProgressiveState(images, p.Resolution, alpha, p);
        }
        return new ProgressiveState(images, MaxResolution, 1.0, _phases[^1]);
    }

    /// <summary>α after <paramref name="images"/> images.</summary>
    public double AlphaAt(long images) => At(images).Alpha;

    /// <summary>Resolution after <paramref name="images"/> images.</summary>
    public int ResolutionAt(long images) => At(images).Resolution;

    /// <summary>E.g. "4→32: 7 phases, 14,000 images".</summary>
    public override string ToString() => $"{StartResolution}→{MaxResolution}: {_phases.Length} phases, {TotalImages:N0} images";

    internal void Write(BinaryWriter w)
    {
        w.Write(_phases.Length);
        foreach (var p in _phases) { w.Write(p.Resolution); w.Write((int)p.Kind); w.Write(p.StartImage); w.Write(p.Images); }
    }

    internal bool SameAs(BinaryReader r, out string saved)
    {
        int n = r.ReadInt32();
        var parts = new List<string>();
        bool same = n == _phases.Length;
        for (int i = 0; i < n; i++)
        {
            int res = r.ReadInt32(); var kind = (ProgressivePhaseKind)r.ReadInt32(); long start = r.ReadInt64(); long len = r.ReadInt64();
            parts.Add($"{res} {kind} {len}");
            if (same) { var p = _phases[i]; same = p.Resolution == res && p.Kind == kind && p.StartImage == start && p.Images == len; }
        }
        saved = string.Join(", ", parts);
        return same;
    }
}
