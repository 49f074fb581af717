using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Execution;

/// <summary>The budget profile a run asks the notebook for (the kit reads it from <see cref="Profiles.EnvironmentVariable"/>).</summary>
public enum BudgetProfile
{
    /// <summary>Real step counts and sizes.</summary>
    Full,
    /// <summary>Tiny counts so that every notebook runs in seconds.</summary>
    Smoke,
    /// <summary>The papers' own protocols where a notebook has one (judged as full); README shows these runs in their own section.</summary>
    Paper,
}

/// <summary>
/// The environment contract with the kit: gannb sets these for the run; the notebook's library reads them. The names and
/// the parsing are lib/GanNotebooks.Shared/KitEnvironment.cs, which the library compiles too.
/// </summary>
public static class Profiles
{
    /// <summary>The budget profile: "full", "smoke" or "paper".</summary>
    public const string EnvironmentVariable = KitEnvironment.ProfileVariable;

    /// <summary>The folder where a notebook writes its files (the kit's Kit.OutputDirectory); gannb points it at a staging folder.</summary>
    public const string OutputEnvironmentVariable = KitEnvironment.OutputVariable;

    /// <summary>"full|smoke|paper", as usage texts write the choice.</summary>
    public static string Choices => string.Join("|", KitEnvironment.ProfileNames);

    /// <summary>
    /// Parses "full" / "smoke" / "paper" (case-insensitive; null or empty → full; anything else throws
    /// <see cref="ArgumentException"/> whose message lists the three names).
    /// </summary>
    public static BudgetProfile Parse(string? text) => KitEnvironment.ParseProfile(text) switch
    {
        KitEnvironment.Smoke => BudgetProfile.Smoke,
        KitEnvironment.Paper => BudgetProfile.Paper,
        _ => BudgetProfile.Full,
    };

    /// <summary>Parses a profile given on the command line (<c>--profile TEXT</c>): as <see cref="Parse"/>, but null or blank is an error too.</summary>
    public static BudgetProfile ParseOption(string text) =>
        string.IsNullOrWhiteSpace(text) ? throw new ArgumentException($"--profile needs a name: {string.Join(", ", KitEnvironment.ProfileNames)}.") : Parse(text);

    /// <summary>"full", "smoke" or "paper".</summary>
    public static string Name(this BudgetProfile profile) => profile switch
    {
        BudgetProfile.Smoke => KitEnvironment.Smoke,
        BudgetProfile.Paper => KitEnvironment.Paper,
        _ => KitEnvironment.Full,
    };
}
