using System.Text.Json;
using GanNotebooks.Runtime;
using GanNotebooks.Viz;
using Microsoft.DotNet.Interactive.Formatting;

namespace GanNotebooks.Tests.Runtime;

/// <summary>Claims: judged in the full profile, shown but not judged in smoke, readable back from the displayed HTML.</summary>
public class ClaimsTests : IDisposable
{
    readonly BudgetProfile _saved = Budget.Profile;
    readonly Action<object>? _savedShow = Claims.Show;

    public ClaimsTests() => Claims.Clear();

    public void Dispose()
    {
        Budget.Profile = _saved;
        Claims.Show = _savedShow;
        Claims.Clear();
    }

    [Fact]
    public void A_comparison_with_a_paper_is_judged_within_two_combined_standard_errors_only_in_the_papers_setting()
    {
        Budget.Profile = BudgetProfile.Paper;
        // tolerance 2·√(0.3² + 0.7²) = 2·√0.58 = 1.523…: 23.0 is 0.8 from the paper's 23.8, 21.9 is 1.9 from it
        Assert.Equal(2 * Math.Sqrt(0.58), Claims.PaperTolerance(0.3, 0.7), 12);
        Assert.Equal(1.0, Claims.PaperTolerance(null, 0.5), 12);
        var ok = Claims.VersusPaper("grid: modes captured, PacGAN2", 23.0, 0.3, 23.8, 0.7, "Lin et al. 2018, Table 1", papersSetting: true);
        Assert.Equal(ClaimVerdict.Holds, ok.Verdict);
        Assert.Equal("paper", ok.Profile);
        Assert.Equal("within 2 s.e. (1.523) of the paper's 23.8 ± 0.7", ok.Condition);
        var bad = Claims.VersusPaper("grid: modes captured, PacGAN3", 21.9, 0.3, 23.8, 0.7, "Lin et al. 2018, Table 1", papersSetting: true);
        Assert.Equal(ClaimVerdict.Fails, bad.Verdict);
        // not the paper's setting: both numbers kept, no ✓/✗
        var other = Claims.VersusPaper("grid: modes captured, PacGAN4 (3×128 MLPs)", 10, 1, 24.8, 0.2, "Lin et al. 2018, Table 1", papersSetting: false);
        Assert.Equal(ClaimVerdict.Measured, other.Verdict);
        Assert.False(other.IsClaim);
        Assert.Equal("grid: modes captured, PacGAN4 (3×128 MLPs): 10 (paper: 24.8 ± 0.2)", other.ToString());
        Budget.Profile = BudgetProfile.Smoke;
        Assert.Equal(ClaimVerdict.NotJudged, Claims.VersusPaper("ring: modes captured, GAN", 2, null, 6.3, 0.5, "Lin et al. 2018, Table 1", true).Verdict);
        // the paper's number travels in the JSON the runner reads back; a claim without one writes no "paper" key
        var back = Claim.FromJson(ok.ToJson());
        Assert.Equal(new PaperNumber(23.8, 0.7, "Lin et al. 2018, Table 1", 0.3, true), back.Paper);
        Assert.DoesNotContain("\"paper\"", Claims.AtMost("x", 1, 2).ToJson());
        Assert.Contains("standard error", Assert.Throws<ArgumentOutOfRangeException>(() => Claims.VersusPaper("x", 1, null, 2, -0.1, "Table 1", true)).Message);
        Assert.Throws<ArgumentException>(() => Claims.VersusPaper("x", 1, null, 2, 0.1, " ", true));
    }

    [Fact]
    public void A_method_is_clearly_better_only_by_more_than_two_standard_errors_of_the_difference()
    {
        Budget.Profile = BudgetProfile.Full;
        Claims.Show = null;
        // s.e. 0.3 and 0.4: 2 s.e. of the difference = 2·0.5 = 1.0
        var clear = Claims.ClearlyAbove("unrolled beats the GAN", 4.2, 0.3, 3.1, 0.4, "GAN");
        Assert.Equal(ClaimVerdict.Holds, clear.Verdict);
        Assert.Equal("> 3.1 (GAN) by more than 2 s.e. of the difference (1)", clear.Condition);
        Assert.Equal(ClaimVerdict.Fails, Claims.ClearlyAbove("means alone", 4.0, 0.3, 3.1, 0.4, "GAN").Verdict);   // 0.9 < 1.0
        Assert.Equal(ClaimVerdict.Holds, Claims.ClearlyBelow("lower reverse KL", 0.1, 0.03, 0.5, 0.04, "GAN").Verdict); // 0.4 > 0.1
        Assert.Equal(ClaimVerdict.Fails, Claims.ClearlyBelow("not lower", 0.45, 0.03, 0.5, 0.04, "GAN").Verdict);
        var one = Claims.ClearlyAbove("one seed", 9.0, double.NaN, 3.1, 0.4, "GAN");   // no s.e.: fails and says why
        Assert.Equal(ClaimVerdict.Fails, one.Verdict);
        Assert.Contains("run ≥ 2 seeds", one.Condition);
        Assert.Throws<ArgumentException>(() => Claims.ClearlyAbove("negative", 4.2, -0.1, 3.1, 0.4, "GAN"));
    }

    [Fact]
    public void In_the_full_profile_a_claim_is_judged_by_its_condition()
    {
        Budget.Profile = BudgetProfile.Full;
        var ok = Claims.AtMost("the trained D is within 0.05 of D*", 0.021, 0.05);
        var bad = Claims.AtLeast("coverage of the ring", 6, 8);
        Assert.Equal(ClaimVerdict.Holds, ok.Verdict);
        Assert.Equal("✓", ok.Mark);
        Assert.Equal("≤ 0.05", ok.Condition);
        Assert.Equal("the trained D is within 0.05 of D*: 0.021 (≤ 0.05) ✓", ok.ToString());
        Assert.Equal(ClaimVerdict.Fails, bad.Verdict);
        Assert.Equal("✗", bad.Mark);
        Assert.Equal("1 claim: 1 ✓, 0 ✗", Claims.Summarize([ok]));
        Assert.Equal("2 claims: 1 ✓, 1 ✗", Claims.Table().Summary);
    }

    [Fact]
    public void Every_condition_helper_says_its_condition_and_judges_it()
    {
        Budget.Profile = BudgetProfile.Full;
        Assert.True(Claims.Between("b", 0.5, 0, 1).ConditionMet);
        Assert.False(Claims.Between("b2", 1.5, 0, 1).ConditionMet);
        Assert.Equal("in [0, 1]", Claims.Between("b3", 0.5, 0, 1).Condition);
        var near = Claims.Near("n", 0.52, 0.5, 0.05);
        Assert.True(near.ConditionMet);
        Assert.Equal("within 0.05 of 0.5", near.Condition);
        Assert.False(Claims.Near("n2", 0.6, 0.5, 0.05).ConditionMet);
        var below = Claims.Below("SN below DCGAN", 277.3, 342.08, "DCGAN");
        Assert.True(below.ConditionMet);
        Assert.Equal("< 342.1 (DCGAN)", below.Condition);
        Assert.False(Claims.Above("a", 1, 2, "two").ConditionMet);
        // NaN never satisfies a condition (a diverged run must not pass a "≤" by accident).
        Assert.Equal(ClaimVerdict.Fails, Claims.That("nan", double.NaN, true, "finite").Verdict);
    }

    [Fact]
    public void In_the_smoke_profile_a_claim_is_computed_and_shown_but_not_judged()
    {
        Budget.Profile = BudgetProfile.Smoke;
        var c = Claims.AtMost("the trained D is within 0.05 of D*", 0.3, 0.05);
        Assert.Equal(ClaimVerdict.NotJudged, c.Verdict);
        Assert.False(c.ConditionMet);
        Assert.Equal("—, smoke", c.Mark);
        Assert.Equal("1 claim, not judged (smoke profile)", Claims.Table().Summary);
    }

    [Fact]
    public void A_claim_made_again_replaces_the_earlier_one_and_is_shown_each_time()
    {
        Budget.Profile = BudgetProfile.Full;
        var shown = new List<object>();
        Claims.Show = shown.Add;
        Claims.AtMost("gap", 0.3, 0.05);
        Claims.Metric("Fréchet distance, DCGAN", 342.1);
        Claims.AtMost("gap", 0.01, 0.05);
        Assert.Equal(3, shown.Count);
        Assert.Equal(["gap", "Fréchet distance, DCGAN"], Claims.All.Select(c => c.Id));
        Assert.Equal(ClaimVerdict.Holds, Claims.All[0].Verdict);
        var table = Claims.Table();
        Assert.Equal(1, table.Count);
        Assert.Equal(ClaimVerdict.Measured, Claims.All[1].Verdict);
        Assert.Equal("1 claim: 1 ✓, 0 ✗", table.Summary);
    }

    [Fact]
    public void A_claim_without_statement_or_condition_throws_and_says_what_to_write()
    {
        var e = Assert.Throws<ArgumentException>(() => Claims.That(" ", 1, true, "≤ 1"));
        Assert.Contains("needs a statement", e.Message);
        e = Assert.Throws<ArgumentException>(() => Claims.That("x", 1, true, ""));
        Assert.Contains("Claims.Metric", e.Message);
        e = Assert.Throws<ArgumentException>(() => Claims.Between("x", 1, 2, 1));
        Assert.Contains("must not exceed", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Claims.Near("x", 1, 1, -1));
    }

    [Fact]
    public void A_claim_round_trips_through_json_including_infinities_and_nan()
    {
        Budget.Profile = BudgetProfile.Full;
        var c = Claims.AtLeast("ratio", double.PositiveInfinity, 2, id: "ratio-id", unit: "×");
        var back = Claim.FromJson(c.ToJson());
        Assert.Equal(c, back);
        Assert.Contains("\"verdict\":\"holds\"", c.ToJson());
        var nan = Claims.Metric("m", double.NaN);
        Assert.True(double.IsNaN(Claims.FromJson(Claims.ToJson([nan]))[0].Value));
    }

    [Fact]
    public void The_table_and_an_inline_claim_render_as_html_that_carries_their_json()
    {
        Budget.Profile = BudgetProfile.Full;
        Formatters.Register();
        var c = Claims.AtMost("a </script> gap", 0.021, 0.05);
        Claims.Metric("FD", 151.2);
        var tableHtml = Claims.Table().ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("✓", tableHtml);
        Assert.Contains("Claims: 1 claim: 1 ✓, 0 ✗", tableHtml);
        var read = ReadBack(tableHtml);
        Assert.Equal(2, read.Count);
        Assert.Equal(c, read[0]);
        Assert.Equal(c, ReadBack(c.ToDisplayString(HtmlFormatter.MimeType)).Single());
        Assert.Contains("a </script> gap: 0.021 (≤ 0.05) ✓", c.ToDisplayString(PlainTextFormatter.MimeType));
        Assert.Matches(@"claim +\| value", Claims.Table().ToDisplayString(PlainTextFormatter.MimeType));
    }

    /// <summary>What the runner does: find the script element of class gankit-claims and parse its JSON array.</summary>
    static IReadOnlyList<Claim> ReadBack(string html)
    {
        var start = html.IndexOf($"class=\"{Claims.JsonClass}\"", StringComparison.Ordinal);
        Assert.True(start > 0, html);
        var json = html[(html.IndexOf('>', start) + 1)..html.IndexOf("</script>", start, StringComparison.Ordinal)];
        using var _ = JsonDocument.Parse(json.Replace("<\\/", "</"));
        return Claims.FromJson(json.Replace("<\\/", "</"));
    }
}
