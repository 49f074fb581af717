using GanNotebooks.Data.Toy;
using GanNotebooks.Core;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>
/// Mode-coverage result for one set of generated samples (VEEGAN, Srivastava et al. 2017, §5;
/// PacGAN, Lin et al. 2018, §5).
/// </summary>
/// <param name="SampleCount">Number of samples evaluated (the papers use 2500).</param>
/// <param name="ModeCount">Number of modes of the target mixture.</param>
/// <param name="ModesCaptured">Modes that are the nearest centre of at least one high-quality sample.</param>
/// <param name="HighQualityCount">Samples within <paramref name="ThresholdStds"/> std of their nearest centre.</param>
/// <param name="HighQualityFraction">HighQualityCount / SampleCount, in [0, 1].</param>
/// <param name="PerModeCounts">High-quality samples per mode (index = mode), length ModeCount.</param>
/// <param name="ReverseKl">
/// KL(p̂ ‖ uniform) = Σ_{k: p̂_k &gt; 0} p̂_k log(K p̂_k), with p̂ the histogram of high-quality samples
/// over modes. Empty modes contribute 0 (0·log 0 = 0). 0 for a perfectly even spread, log K when all
/// high-quality samples sit on one mode; +∞ by convention when there is no high-quality sample at all.
/// </param>
/// <param name="ThresholdStds">The quality radius in units of the mode std (3 in the papers).</param>
public sealed record ModeCoverageResult(int SampleCount, int ModeCount, int ModesCaptured, int HighQualityCount,
    double HighQualityFraction, IReadOnlyList<int> PerModeCounts, double ReverseKl, double ThresholdStds)
{
    /// <inheritdoc/>
    public override string ToString()
        => $"modes {ModesCaptured}/{ModeCount}, high-quality {HighQualityFraction:P1}, reverse KL {ReverseKl:G3} (n={SampleCount})";
}

/// <summary>Mode coverage averaged over trials (mean ± standard error), as the papers report it (10 trials).</summary>
public sealed record ModeCoverageSummary(int Trials, int ModeCount, MeanStdErr ModesCaptured, MeanStdErr HighQualityFraction, MeanStdErr ReverseKl)
{
    /// <inheritdoc/>
    public override string ToString()
        => $"modes {ModesCaptured}/{ModeCount}, high-quality {HighQualityFraction}, reverse KL {ReverseKl} ({Trials} trials)";
}

/// <summary>
/// The mode-collapse metrics of VEEGAN / PacGAN on Gaussian mixtures: a sample is high quality if it
/// lies within 3 std of its nearest mode centre (Euclidean distance ≤ 3σ); a mode is captured if it
/// is the nearest centre of at least one high-quality sample.
/// </summary>
public static class ModeCoverage
{
    /// <summary>Quality radius in stds used by VEEGAN and PacGAN.</summary>
    public const double DefaultThresholdStds = 3.0;
    /// <summary>Number of generated samples evaluated per trial in the papers.</summary>
    public const int PaperSampleCount = 2500;
    /// <summary>Number of trials averaged in the papers.</summary>
    public const int PaperTrials = 10;

    /// <summary>Evaluates samples [n, 2] against a 2D mixture's centres and std.</summary>
    public static ModeCoverageResult Evaluate(double[,] samples, GaussianMixture2D mixture, double thresholdStds = DefaultThresholdStds)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        return Evaluate(samples, mixture.CentresArray, mixture.Std, thresholdStds);
    }

    /// <summary>Evaluates a sample tensor [n, 2] (any device) against a 2D mixture.</summary>
    public static ModeCoverageResult Evaluate(Tensor samples, GaussianMixture2D mixture, double thresholdStds = DefaultThresholdStds)
        => Evaluate(samples.ToMatrix(), mixture, thresholdStds);

    /// <summary>
    /// Evaluates samples [n, d] against mode centres [K, d] sharing one std (any dimension d).
    /// </summary>
    public static ModeCoverageResult Evaluate(double[,] samples, double[,] centres, double std, double thresholdStds = DefaultThresholdStds)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(centres);
        int n = samples.GetLength(0), d = samples.GetLength(1), k = centres.GetLength(0);
        if (centres.GetLength(1) != d)
            throw new ArgumentException($"Samples have {d} coordinates but centres have {centres.GetLength(1)}; both must be [*, d].");
        if (k == 0) throw new ArgumentException("Need at least one mode centre.", nameof(centres));
        if (n == 0) throw new ArgumentException("Need at least one sample to evaluate (the papers use 2500).", nameof(samples));
        if (!(std > 0)) throw new ArgumentOutOfRangeException(nameof(std), std, "The mode std must be positive.");
        if (!(thresholdStds > 0)) throw new ArgumentOutOfRangeException(nameof(thresholdStds), thresholdStds, "The threshold must be positive.");

        double radius2 = (thresholdStds * std) * (thresholdStds * std);
        var counts = new int[k];
        int hq = 0;
        for (int i = 0; i < n; i++)
        {
            int best = -1;
            double bestD2 = double.PositiveInfinity;
            for (int m = 0; m < k; m++)
            {
                double d2 = 0;
                for (int j = 0; j < d; j++) { double diff = samples[i, j] - centres[m, j]; d2 += diff * diff; }
                if (d2 < bestD2) { bestD2 = d2; best = m; }
            }
            // NaN samples (a diverged generator) have no nearest mode and are never high quality.
            if (best >= 0 && bestD2 <= radius2) { counts[best]++; hq++; }
        }
        int captured = counts.Count(c => c > 0);
        double rkl = double.PositiveInfinity;
        if (hq > 0)
        {
            rkl = 0;
            foreach (var c in counts)
                if (c > 0) { double p = (double)c / hq; rkl += p * Math.Log(p * k); }
            rkl = Math.Max(0, rkl); // rounding can leave −1e-17 for a perfectly even spread
        }
        return new ModeCoverageResult(n, k, captured, hq, (double)hq / n, counts, rkl, thresholdStds);
    }

    /// <summary>
    /// Evaluates each member of an ensemble separately: samples [n, K, 2] (member k's samples are samples[:, k], the
    /// layout of the kit's ensemble networks) → K results, one per member.
    /// </summary>
    public static ModeCoverageResult[] EvaluateMembers(Tensor samples, GaussianMixture2D mixture, double thresholdStds = DefaultThresholdStds)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(mixture);
        if (samples.dim() != 3 || samples.shape[2] != 2)
            throw new ArgumentException($"Ensemble samples must be [n, K, 2] (member k = samples[:, k]); got {Shapes.Of(samples)}.", nameof(samples));
        return Enumerable.Range(0, (int)samples.shape[1]).Select(k => Evaluate(samples.select(1, k), mixture, thresholdStds)).ToArray();
    }

    /// <summary>Mean ± standard error of each metric over trials.</summary>
    public static ModeCoverageSummary Summarize(IEnumerable<ModeCoverageResult> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var t = trials.ToArray();
        if (t.Length == 0) throw new ArgumentException("Need at least one trial.", nameof(trials));
        if (t.Any(r => r.ModeCount != t[0].ModeCount)) throw new ArgumentException("All trials must be evaluated against the same mixture.", nameof(trials));
        return new ModeCoverageSummary(t.Length, t[0].ModeCount,
            Statistics.MeanAndStdErr(t.Select(r => (double)r.ModesCaptured)),
            Statistics.MeanAndStdErr(t.Select(r => r.HighQualityFraction)),
            Statistics.MeanAndStdErr(t.Select(r => r.ReverseKl)));
    }

    /// <summary>
    /// Runs <paramref name="trials"/> evaluations: <paramref name="samplesForTrial"/>(trial index) returns
    /// that trial's samples [n, 2] (e.g. a generator trained with seed = trial); returns mean ± s.e.
    /// </summary>
    public static ModeCoverageSummary EvaluateTrials(int trials, Func<int, double[,]> samplesForTrial, GaussianMixture2D mixture, double thresholdStds = DefaultThresholdStds)
    {
        ArgumentNullException.ThrowIfNull(samplesForTrial);
        if (trials < 1) throw new ArgumentOutOfRangeException(nameof(trials), trials, "Need at least one trial.");
        return Summarize(Enumerable.Range(0, trials).Select(i => Evaluate(samplesForTrial(i), mixture, thresholdStds)).ToList());
    }
}
