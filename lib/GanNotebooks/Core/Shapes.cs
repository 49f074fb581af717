using static TorchSharp.torch;

namespace GanNotebooks.Core;

/// <summary>
/// The one way the kit writes a tensor shape in messages: "[B, C, H, W]" with the sizes, e.g. "[16, 1, 28, 28]".
/// Every shape check's error message goes through here so that they read the same everywhere.
/// </summary>
public static class Shapes
{
    /// <summary>The shape of <paramref name="t"/> as "[d0, d1, …]" ("[]" for a scalar).</summary>
    public static string Of(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return Format(t.shape);
    }

    /// <summary>A shape given as sizes, as "[d0, d1, …]".</summary>
    public static string Format(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
