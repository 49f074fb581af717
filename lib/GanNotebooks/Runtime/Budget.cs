namespace GanNotebooks.Runtime;

/// <summary>Which run budget is in force.</summary>
public enum BudgetProfile
{
    /// <summary>Real step counts and sizes: the results the notebooks claim.</summary>
    Full,
    /// <summary>Tiny counts so that every notebook runs in seconds (CI, quick checks).</summary>
    Smoke,
}

/// <summary>
/// Step counts and sizes for notebooks. Every notebook writes <c>Budget.Of(full, smoke)</c> for its
/// knobs, so the smoke profile (runner <c>--profile smoke</c> or GANKIT_PROFILE=smoke) shrinks them.
/// </summary>
public static class Budget
{
    /// <summary>Environment variable that selects the profile (full|smoke).</summary>
    public const string EnvironmentVariable = Shared.KitEnvironment.ProfileVariable;
    static BudgetProfile? _profile;

    /// <summary>The profile in force (default: GANKIT_PROFILE, else full).</summary>
    public static BudgetProfile Profile
    {
        get => _profile ??= Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));
        set => _profile = value;
    }

    /// <summary>True in the smoke profile.</summary>
    public static bool IsSmoke => Profile == BudgetProfile.Smoke;

    /// <summary>Parse "full" / "smoke" (case-insensitive; null or empty → full; anything else throws <see cref="ArgumentException"/>).</summary>
    public static BudgetProfile Parse(string? text) => Shared.KitEnvironment.IsSmoke(text) ? BudgetProfile.Smoke : BudgetProfile.Full;

    /// <summary>The full value, or the smoke value in the smoke profile.</summary>
    public static T Of<T>(T full, T smoke) => IsSmoke ? smoke : full;

    /// <summary>A step count: <paramref name="full"/>, or in smoke max(1, full / <paramref name="divisor"/>) capped at <paramref name="smokeCap"/>.</summary>
    public static int Steps(int full, int divisor = 100, int smokeCap = 50)
    {
        if (full < 0) throw new ArgumentOutOfRangeException(nameof(full), full, "a step count cannot be negative");
        return IsSmoke ? Math.Min(smokeCap, Math.Max(1, full / Math.Max(1, divisor))) : full;
    }
}
