using GanNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Runtime;

public sealed class KernelSettingsTests
{
    /// <summary>
    /// The first test run on a new CPU kind or libtorch build catches a wrong kernel here, with what to do, instead of a
    /// NaN in a notebook: every kernel the course uses, in this test process, under the setting the kit applied.
    /// </summary>
    [Fact]
    public void Every_kernel_the_course_uses_is_right_in_this_process()
    {
        var verdict = KernelSettings.Current;
        Assert.NotNull(verdict);
        var checks = KernelChecks.RunAll(seeds: 1);
        var wrong = checks.Where(c => !c.Passed).ToList();
        if (wrong.Count > 0)
            Assert.Fail($"{wrong.Count} of {checks.Count} kernel checks are wrong on this CPU under '{verdict!.Setting}' ({verdict.Summary()}):\n  "
                + string.Join("\n  ", wrong.Take(5))
                + "\nNothing the kit knows caps it. Fix: find a setting that passes (e.g. ONEDNN_MAX_CPU_ISA=AVX or SSE41, "
                + "MKL_ENABLE_INSTRUCTIONS=SSE4_2, ATEN_CPU_CAPABILITY=default, set before the process starts), add it to "
                + "KernelSetting.Candidates (lib/GanNotebooks/Runtime/KernelSettings.cs), and run once with GANKIT_KERNELS=recheck.");
        Assert.True(checks.Count > 500, $"only {checks.Count} checks ran");
    }

    [Fact]
    public void A_kernel_that_differs_from_float64_fails_its_check_and_a_right_one_passes()
    {
        var right = KernelChecks.CheckOne("tanh", [[64, 8]], v => v[0].tanh());
        Assert.Equal(2, right.Count); // forward, ∂input
        Assert.All(right, c => Assert.True(c.Passed, c.ToString()));
        Assert.All(right, c => Assert.True(c.Error < 1e-6, c.ToString()));

        // Off by 1 % in float32 only (what a mis-detected vector kernel looks like, scaled down).
        var wrong = KernelChecks.CheckOne("scaled", [[64, 8]], v => v[0].dtype == float32 ? v[0] * 1.01f : v[0]);
        Assert.All(wrong, c => Assert.False(c.Passed));
        Assert.All(wrong, c => Assert.InRange(c.Error, 0.009, 0.011));
        Assert.Contains("WRONG", wrong[0].ToString());

        var nan = KernelChecks.CheckOne("nan", [[4, 4]], v => v[0].dtype == float32 ? v[0] / 0f * 0f : v[0]);
        Assert.All(nan, c => Assert.Equal(double.PositiveInfinity, c.Error));
    }

    [Fact]
    public void Relative_error_is_max_difference_over_the_reference_scale()
    {
        using var want = tensor(new double[] { 2, -4, 1 });
        using var got = tensor(new double[] { 2.5, -4, 1 });
        Assert.Equal(0.125, KernelChecks.RelativeError(got, want), 12);
        using var nan = tensor(new double[] { double.NaN, 0, 0 });
        Assert.Equal(double.PositiveInfinity, KernelChecks.RelativeError(nan, want));
        using var shorter = tensor(new double[] { 2, -4 });
        Assert.Equal(double.PositiveInfinity, KernelChecks.RelativeError(shorter, want));
    }

    static KernelSetting S(string name) => new(name, new Dictionary<string, string>());
    static KernelTrial T(string name, int wrong, double ms, string error = "") => new(name, 100, wrong, wrong > 0 ? [$"conv2d k4, ∂input, 1 thread: WRONG (error 0.7, tolerance 0.001)"] : [], ms, error);

    [Fact]
    public void A_right_shipped_setting_is_kept_without_trying_the_others()
    {
        var tried = new List<string>();
        var v = KernelSettings.Choose("m", [S("as shipped"), S("b")], s => { tried.Add(s.Name); return T(s.Name, 0, 50); });
        Assert.Equal(["as shipped"], tried);
        Assert.Equal("as shipped", v.Setting);
        Assert.True(v.Correct);
        Assert.Equal("as shipped: all 100 checks pass (checked now)", v.Summary());
    }

    [Fact]
    public void A_wrong_shipped_setting_gives_the_fastest_correct_one()
    {
        var trials = new Dictionary<string, KernelTrial>
        {
            ["as shipped"] = T("as shipped", 21, 30), ["fast but wrong"] = T("fast but wrong", 2, 20),
            ["slow"] = T("slow", 0, 40), ["fast"] = T("fast", 0, 35), ["broken"] = T("broken", 0, 0, "exit code 134"),
        };
        var v = KernelSettings.Choose("m", trials.Keys.Select(S).ToList(), s => trials[s.Name]);
        Assert.Equal("fast", v.Setting);
        Assert.Equal(5, v.Trials.Count);
        // Within 10 % of the fastest, the earlier setting wins (noisy timings must not flip the choice).
        trials["slow"] = T("slow", 0, 37);
        Assert.Equal("slow", KernelSettings.Choose("m", trials.Keys.Select(S).ToList(), s => trials[s.Name]).Setting);
        trials["slow"] = T("slow", 0, 40);
        Assert.True(v.Correct);
        Assert.StartsWith("fast — as shipped, 21 of 100 checks fail on this CPU (e.g. conv2d k4, ∂input: error 0.7); the fastest of 2 correct settings", v.Summary());
    }

    [Fact]
    public void When_no_setting_is_right_the_verdict_says_wrong()
    {
        var v = KernelSettings.Choose("m", [S("as shipped"), S("b")], s => T(s.Name, s.Name == "b" ? 1 : 9, 10));
        Assert.Equal("b", v.Setting);
        Assert.False(v.Correct);
        Assert.StartsWith("WRONG: b fails 1 of 100 checks", v.Summary());
    }

    [Fact]
    public void A_trial_runs_in_a_process_of_its_own_under_its_setting()
    {
        var capped = KernelSetting.Candidates.Single(c => c.Name == "oneDNN capped at AVX");
        var trial = KernelSettings.RunTrial(capped);
        Assert.True(trial.Error.Length == 0, trial.Error);
        Assert.Equal(capped.Name, trial.Setting);
        Assert.True(trial.Checks > 1000, $"{trial.Checks} checks");
        Assert.True(trial.ConvStepMs > 0 && double.IsFinite(trial.ConvStepMs));
    }

    [Fact]
    public void The_verdict_is_in_the_environment_report()
    {
        var report = EnvironmentReport.Collect();
        Assert.Equal(KernelSettings.Current!.Summary(), report.Kernels);
        Assert.Contains(report.Rows(), r => r.Item == "kernels checked");
    }
}
