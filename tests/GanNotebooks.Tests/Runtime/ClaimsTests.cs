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
