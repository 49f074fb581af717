namespace GanNotebooks.Runtime;

/// <summary>Which run budget is in force.</summary>
public enum BudgetProfile
{
    /// <summary>Real step counts and sizes: the results the notebooks claim.</summary>
    Full,
    /// <summary>Tiny counts so that every notebook runs in seconds (CI, quick checks).</summary>
    Smoke,
    /// <summary>
    /// The papers' own protocols (their architecture, optimizer, batch size and data, and as many iterations as the
    /// notebook's stated budget allows), so that the kit's numbers stand beside the paper's. Claims are judged as in
    /// <see cref="Full"/>. A notebook without a paper setting runs its full values.
    /// </summary>
    Paper,
}

/// <summary>
/// Step counts and sizes for notebooks. Every notebook writes <c>Budget.Of(full, smoke)</c> for its
/// knobs, so the smoke profile (runner <c>--profile smoke</c> or GANKIT_PROFILE=smoke) shrinks them, and
/// <c>Budget.Of(full, smoke, paper: p)</c> where the paper profile (<c>--profile paper</c>) runs the paper's setting.
/// </summary>
public static class Budget
{
    /// <summary>Environment variable that selects the profile (full|smoke|paper).</summary>
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

    /// <summary>True in the paper profile.</summary>
    public static bool IsPaper => Profile == BudgetProfile.Paper;

    /// <summary>The profile's name as gannb and GANKIT_PROFILE spell it: "full", "smoke" or "paper".</summary>
    public static string Name(BudgetProfile profile) => profile switch
    {
        BudgetProfile.Full => Shared.KitEnvironment.Full,
        BudgetProfile.Smoke => Shared.KitEnvironment.Smoke,
        BudgetProfile.Paper => Shared.KitEnvironment.Paper,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "not a budget profile"),
    };

    /// <summary>
    /// Parse "full" / "smoke" / "paper" (case-insensitive; null or empty → full; anything else throws
    /// <see cref="ArgumentException"/> whose message lists the three names).
    /// </summary>
    public static BudgetProfile Parse(string? text) => Shared.KitEnvironment.ParseProfile(text) switch
    {
        Shared.KitEnvironment.Smoke => BudgetProfile.Smoke,
        Shared.KitEnvironment.Paper => BudgetProfile.Paper,
        _ => BudgetProfile.Full,
    };

    /// <summary>The full value, or the smoke value in the smoke profile (the paper profile takes the full value).</summary>
    public static T Of<T>(T full, T smoke) => IsSmoke ? smoke : full;

    /// <summary>
    /// One value per profile: <paramref name="full"/>, <paramref name="smoke"/> or <paramref name="paper"/> (the paper's
    /// setting) — <c>Budget.Of(400, 8, paper: 20_000)</c>.
    /// </summary>
    public static T Of<T>(T full, T smoke, T paper) => Pick(Profile, full, smoke, paper);

    /// <summary>The value of <paramref name="profile"/> among the three (what <see cref="Of{T}(T, T, T)"/> picks for the profile in force).</summary>
    public static T Pick<T>(BudgetProfile profile, T full, T smoke, T paper) => profile switch
    {
        BudgetProfile.Full => full,
        BudgetProfile.Smoke => smoke,
        BudgetProfile.Paper => paper,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "not a budget profile"),
    };

    /// <summary>A step count: <paramref name="full"/>, or in smoke max(1, full / <paramref name="divisor"/>) capped at <paramref name="smokeCap"/>.</summary>
    public static int Steps(int full, int divisor = 100, int smokeCap = 50)
    {
        if (full < 0) throw new ArgumentOutOfRangeException(nameof(full), full, "a step count cannot be negative");
        return IsSmoke ? Math.Min(smokeCap, Math.Max(1, full / Math.Max(1, divisor))) : full;
    }
}
