using System.Globalization;
using System.Text.RegularExpressions;

namespace GanNotebooks.Runtime.Shared;

/// <summary>How claims and sweeps print a number, in the kit and in the runner alike.</summary>
internal static partial class NumberFormat
{
    /// <summary>4 significant digits, invariant culture, "e-5" rather than "E-05", ∞ / −∞ for infinities.</summary>
    public static string Significant(double v) =>
        double.IsPositiveInfinity(v) ? "∞" : double.IsNegativeInfinity(v) ? "−∞"
        : Exponent().Replace(v.ToString("G4", CultureInfo.InvariantCulture), m => "e" + (m.Groups[1].Value == "-" ? "-" : "") + m.Groups[2].Value);

    [GeneratedRegex("E([+-])0*(\\d)")]
    private static partial Regex Exponent();
}
