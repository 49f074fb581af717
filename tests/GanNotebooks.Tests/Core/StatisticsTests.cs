using GanNotebooks.Core;

namespace GanNotebooks.Tests.Core;

/// <summary>The kit's one statistics home: histogram, correlation, mean ± standard error, the 1 % trimmed mean.</summary>
public class StatisticsTests
{
    [Fact]
    public void HistogramCountsValuesIntoEqualBins()
    {
        var h = Histogram.Of(new[] { 0.0, 0.1, 0.49, 0.5, 0.99, 1.0, -0.2, 1.5, double.NaN }, bins: 2, min: 0, max: 1);
        Assert.Equal(new[] { 0.0, 0.5, 1.0 }, h.Edges);
        Assert.Equal(new long[] { 3, 3 }, h.Counts);  // the right edge belongs to the last bin
        Assert.Equal((1L, 1L, 8L), (h.Below, h.Above, h.Total));
        Assert.Equal(new[] { 0.25, 0.75 }, h.Centres);
        Assert.Equal(3.0 / 8, h.Fractions[0], 12);
        Assert.Equal(3.0 / 8 / 0.5, h.Density[1], 12);
        var auto = Histogram.Of(new[] { 2.0, 2.0, 2.0 });
        Assert.Equal(3, auto.Counts.Sum()); // a constant sample still gets a non-empty range
        Assert.Throws<ArgumentException>(() => Histogram.Of(new[] { 1.0 }, 4, min: 1, max: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Histogram.Of(new[] { 1.0 }, 0));
    }

    [Fact]
    public void PearsonCorrelationOfKnownSeries()
    {
        var x = new[] { 1.0, 2, 3, 4, 5 };
        Assert.Equal(1.0, Statistics.PearsonCorrelation(x, x.Select(v => 2 * v + 1).ToArray()), 12);
        Assert.Equal(-1.0, Statistics.PearsonCorrelation(x, x.Select(v => -v).ToArray()), 12);
        Assert.Equal(0.0, Statistics.PearsonCorrelation(new[] { -1.0, 0, 1 }, new[] { 1.0, 0, 1 }), 12);
        Assert.True(double.IsNaN(Statistics.PearsonCorrelation(x, new[] { 2.0, 2, 2, 2, 2 })));
        Assert.Throws<ArgumentException>(() => Statistics.PearsonCorrelation(x, new[] { 1.0 }));
    }

    [Fact]
    public void MeanAndStandardErrorOfKnownValues()
    {
        var m = Statistics.MeanAndStdErr(new[] { 1.0, 2, 3, 4 });
        Assert.Equal(2.5, m.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3) / 2, m.StdErr, 12);
        Assert.True(double.IsNaN(Statistics.MeanAndStdErr(new[] { 1.0 }).StdErr));
    }

    [Fact]
    public void TrimmedMeanDropsTheOnePercentTailsAndKeepsTheEnds()
    {
        // 201 values: the integers 1…197 and two outliers on each side. n − 1 = 200, so the kept range is
        // [s[⌊2⌋], s[⌈198⌉]] = [1, 197]: the four outliers go, the mean is 99, and the s.e. is that of 1…197
        // (sample variance of k consecutive integers: k(k + 1)/12).
        var values = Enumerable.Range(1, 197).Select(i => (double)i).Concat(new[] { 1e6, -1e6, 1e5, -1e5 }).Reverse().ToArray();
        Assert.Equal(Enumerable.Range(1, 197).Select(i => (double)i).ToArray(), Statistics.TrimmedOnePercent(values));
        Assert.Equal(99.0, Statistics.TrimmedMean(values), 12);
        var m = Statistics.TrimmedMeanAndStdErr(values);
        Assert.Equal(99.0, m.Mean, 12);
        Assert.Equal(197, m.Count);
        Assert.Equal(Math.Sqrt(197.0 * 198 / 12) / Math.Sqrt(197), m.StdErr, 12);
        // Below 51 values nothing is dropped (⌊0.01·(n − 1)⌋ = 0, ⌈0.99·(n − 1)⌉ = n − 1); ties at an end are all kept.
        Assert.Equal(new[] { -50.0, 1, 2, 1000 }, Statistics.TrimmedOnePercent(new[] { 1000.0, 2, -50, 1 }));
        Assert.Equal(7.0, Statistics.TrimmedMean(new[] { 7.0 }));
        Assert.Equal(5, Statistics.TrimmedOnePercent(Enumerable.Repeat(3.0, 5).ToArray()).Length);
        Assert.Throws<ArgumentException>(() => Statistics.TrimmedMean(Array.Empty<double>()));
    }
}
