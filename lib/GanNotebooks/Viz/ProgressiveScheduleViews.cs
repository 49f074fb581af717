using System.Globalization;
using GanNotebooks.Variants.Progressive;

namespace GanNotebooks.Viz;

/// <summary>
/// Views of a <see cref="ProgressiveSchedule"/>: its phases as a table and α / growth against images shown as
/// series for <see cref="Charts.Curves"/>. Kept here, not on the schedule, so that training never depends on charts.
/// </summary>
public static class ProgressiveScheduleViews
{
    /// <summary>The phases as a table: phase, resolution, images from, to, length.</summary>
    public static Table ToTable(this ProgressiveSchedule schedule, string? title = null)
    {
        var t = new Table("phase", "resolution", "kind", "from image", "to image", "images")
        {
            Title = title ?? $"Progressive schedule {schedule.StartResolution}×{schedule.StartResolution} → {schedule.MaxResolution}×{schedule.MaxResolution} ({schedule.TotalImages:N0} images)",
        };
        foreach (var p in schedule.Phases)
            t.AddRow(p.Index, $"{p.Resolution}×{p.Resolution}", p.Kind == ProgressivePhaseKind.FadeIn ? "fade-in (α 0 → 1)" : "stabilize (α = 1)",
                p.StartImage.ToString("N0", CultureInfo.InvariantCulture), p.EndImage.ToString("N0", CultureInfo.InvariantCulture),
                p.Images.ToString("N0", CultureInfo.InvariantCulture));
        return t;
    }

    /// <summary>α against images shown (exact piecewise-linear corner points), for <see cref="Charts.Curves"/>.</summary>
    public static Series AlphaSeries(this ProgressiveSchedule schedule, string name = "α (fade-in weight)")
    {
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var p in schedule.Phases)
        {
            if (p.Images == 0) continue;
            xs.Add(p.StartImage); ys.Add(p.Kind == ProgressivePhaseKind.FadeIn ? 0 : 1);
            xs.Add(p.EndImage); ys.Add(1);
        }
        return new Series(name, xs, ys);
    }

    /// <summary>Level + α (the official "lod" counted upwards: 0 = 4×4, 1 = 8×8, …, fractional during a fade-in) against images shown.</summary>
    public static Series GrowthSeries(this ProgressiveSchedule schedule, string name = "level + α (0 = 4×4, 1 = 8×8, …)")
    {
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var p in schedule.Phases)
        {
            if (p.Images == 0) continue;
            xs.Add(p.StartImage); ys.Add(p.Kind == ProgressivePhaseKind.FadeIn ? p.Level - 1 : p.Level);
            xs.Add(p.EndImage); ys.Add(p.Level);
        }
        return new Series(name, xs, ys);
    }
}
