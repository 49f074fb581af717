using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Execution;

/// <summary>The budget profile a run asks the notebook for (the kit reads it from <see cref="Profiles.EnvironmentVariable"/>).</summary>
public enum BudgetProfile
{
    /// <summary>Real step counts and sizes.</summary>
    Full,
    /// <summary>Tiny counts so that every notebook runs in seconds.</summary>
    Smoke,
}

/// <summary>
/// The environment contract with the kit: gannb sets these for the run; the notebook's library reads them. The names and
/// the parsing are lib/GanNotebooks.Shared/KitEnvironment.cs, which the library compiles too.
/// </summary>
public static class Profiles
{
    /// <summary>The budget profile: "smoke" or "full".</summary>
    public const string EnvironmentVariable = KitEnvironment.ProfileVariable;

    /// <summary>The folder where a notebook writes its files (the kit's Kit.OutputDirectory); gannb points it at a staging folder.</summary>
    public const string OutputEnvironmentVariable = KitEnvironment.OutputVariable;

    /// <summary>Parses "full" / "smoke" (case-insensitive; null or empty → full; anything else throws <see cref="ArgumentException"/>).</summary>
    public static BudgetProfile Parse(string? text) => KitEnvironment.IsSmoke(text) ? BudgetProfile.Smoke : BudgetProfile.Full;

    /// <summary>"smoke" or "full".</summary>
    public static string Name(this BudgetProfile profile) => KitEnvironment.ProfileName(profile == BudgetProfile.Smoke);
}
