using GanNotebooks.Data.Toy;
using GanNotebooks.Evaluation;
using TorchSharp;

namespace GanNotebooks.Tests.Evaluation;

public class ModeCoverageTests
{
    static readonly GaussianMixture2D Ring = GaussianMixture2D.Ring();

    [Fact]
    public void AllPointsOnOneModeCaptureOneModeWithFullQuality()
    {
        var s = new double[,] { { 1.0, 0.0 }, { 1.005, 0.0 }, { 1.0, -0.01 }, { 0.99, 0.02 } };
        var r = ModeCoverage.Evaluate(s, Ring);
        Assert.Equal(1, r.ModesCaptured);
        Assert.Equal(1.0, r.HighQualityFraction);
        Assert.Equal(4, r.PerModeCounts[0]);
        Assert.Equal(Math.Log(8), r.ReverseKl, 12); // all mass on one of K modes: log K
    }

    [Fact]
    public void PointsFarFromEveryModeAreNotHighQuality()
    {
        var s = new double[,] { { 0, 0 }, { 0.5, 0.5 }, { 3, 3 }, { -0.7, 0.1 } };
        var r = ModeCoverage.Evaluate(s, Ring);
        Assert.Equal(0, r.ModesCaptured);
        Assert.Equal(0.0, r.HighQualityFraction);
        Assert.True(double.IsPositiveInfinity(r.ReverseKl)); // documented convention: no high-quality sample
    }

    [Fact]
    public void OnePointPerModeCapturesAllModesWithZeroReverseKl()
    {
        var grid = GaussianMixture2D.Grid();
        var r = ModeCoverage.Evaluate(grid.CentresArray, grid);
        Assert.Equal(25, r.ModesCaptured);
        Assert.Equal(1.0, r.HighQualityFraction);
        Assert.Equal(0.0, r.ReverseKl, 12);
        Assert.All(r.PerModeCounts, c => Assert.Equal(1, c));
    }

    [Fact]
    public void ThresholdIsThreeStdsFromTheNearestCentre()
    {
        // 2.9σ and 3.1σ away from mode 0 at (1, 0) along x
        var s = new double[,] { { 1 + 0.029, 0 }, { 1 + 0.031, 0 } };
        var r = ModeCoverage.Evaluate(s, Ring);
        Assert.Equal(1, r.HighQualityCount);
        Assert.Equal(0.5, r.HighQualityFraction);
    }

    [Fact]
    public void HalfAndHalfOnTwoModesGivesLogFourReverseKl()
    {
        // p̂ = (½, ½, 0, …) over 8 modes: KL(p̂‖u) = log(8/2) = log 4; the empty modes contribute 0
        var s = new double[,] { { 1, 0 }, { 1, 0 }, { 0, 1 }, { 0, 1 } };
        Assert.Equal(Math.Log(4), ModeCoverage.Evaluate(s, Ring).ReverseKl, 12);
    }

    [Fact]
    public void TrueSamplesCoverTheRingAndTensorInputWorks()
    {
        using var t = Ring.Sample(2500, 11, torch.CPU);
        var r = ModeCoverage.Evaluate(t, Ring);
        Assert.Equal(8, r.ModesCaptured);
        Assert.InRange(r.HighQualityFraction, 0.98, 1.0); // P(χ²₂ ≤ 9) = 1 − e^{−4.5} ≈ 0.989
        Assert.InRange(r.ReverseKl, 0, 0.01);
    }

    [Fact]
    public void TrialsAreAveragedWithStandardError()
    {
        var summary = ModeCoverage.EvaluateTrials(3, i => i switch
        {
            0 => new double[,] { { 1, 0 } },
            1 => new double[,] { { 1, 0 }, { 0, 1 } },
            _ => new double[,] { { 1, 0 }, { 0, 1 }, { -1, 0 } },
        }, Ring);
        Assert.Equal(3, summary.Trials);
        Assert.Equal(2.0, summary.ModesCaptured.Mean, 12);
        Assert.Equal(1.0 / Math.Sqrt(3), summary.ModesCaptured.StdErr, 12); // s = 1, n = 3
        Assert.Equal(1.0, summary.HighQualityFraction.Mean);
        Assert.Equal("2 ± 0.577", summary.ModesCaptured.ToString());
    }

    [Fact]
    public void MismatchedShapesThrow()
    {
        Assert.Throws<ArgumentException>(() => ModeCoverage.Evaluate(new double[3, 3], Ring));
        Assert.Throws<ArgumentException>(() => ModeCoverage.Evaluate(new double[0, 2], Ring));
    }
}
