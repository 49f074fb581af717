using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Losses;

/// <summary>
/// Checks that a critic can be trained with a gradient penalty. The WGAN-GP penalty
/// λ·E[(‖∇_x̂ D(x̂)‖₂ − 1)²] constrains the gradient of D with respect to EACH input x̂_b; it is computed
/// as ∇ of Σ_b D(x̂_b), which equals the per-sample gradient only when no sample influences another
/// sample's score. BatchNorm in train mode normalizes with the batch's mean and variance, so D(x̂_b)
/// depends on the whole batch and the penalty no longer constrains the critic that is being trained
/// (Gulrajani et al. 2017, §4 "No critic batch normalization"). Layer normalization, or none, keeps
/// samples independent.
/// </summary>
public static class WganCriticCheck
{
    /// <summary>
    /// Path (state-dict style, e.g. "net.net.1"; "" for the critic itself) and type name of the first
    /// BatchNorm module found inside <paramref name="critic"/>, or null when there is none. A module counts
    /// when its type or one of its base types is named BatchNorm, BatchNorm1d/2d/3d or SyncBatchNorm
    /// (TorchSharp's modules and hand-written ones of those names).
    /// </summary>
    /// <param name="critic">The critic module (any architecture).</param>
    public static (string Path, string TypeName)? FindBatchNorm(nn.Module critic)
    {
        ArgumentNullException.ThrowIfNull(critic);
        if (IsBatchNorm(critic)) return ("", critic.GetType().Name);
        foreach (var (name, m) in critic.named_modules())
            if (IsBatchNorm(m)) return (name, m.GetType().Name);
        return null;
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="critic"/> contains a BatchNorm module,
    /// with a message that says where it is, why a per-sample gradient penalty is invalid with batch
    /// statistics, and what to use instead (LayerNorm or no normalization).
    /// </summary>
    /// <param name="critic">The critic the gradient penalty is applied to.</param>
    /// <param name="paramName">Parameter name reported by the exception.</param>
    public static void ThrowIfBatchNorm(nn.Module critic, string paramName = "critic")
    {
        if (FindBatchNorm(critic) is not { } bn) return;
        string where = bn.Path.Length == 0 ? $"the critic itself is a {bn.TypeName}" : $"module '{bn.Path}' is a {bn.TypeName}";
        throw new ArgumentException(
            $"A gradient-penalty critic must not contain BatchNorm ({where}). The WGAN-GP penalty constrains " +
            "‖∇D(x̂)‖ for each sample separately, but batch normalization computes every sample's score from the " +
            "batch's mean and variance, so samples interact and the per-sample penalty is invalid " +
            "(Gulrajani et al. 2017, §4). Use LayerNorm instead (e.g. MlpNorm.LayerNorm) or no normalization.",
            paramName);
    }

    // BatchNorm, BatchNorm1d/2d/3d, SyncBatchNorm (and subclasses of them) — not any type that merely
    // mentions BatchNorm in its name (e.g. "NoBatchNormCritic").
    static readonly System.Text.RegularExpressions.Regex BatchNormName = new(@"^(Sync)?BatchNorm(\d[dD])?(`\d+)?$");

    static bool IsBatchNorm(nn.Module m)
    {
        for (var t = m.GetType(); t is not null && t != typeof(nn.Module); t = t.BaseType)
            if (BatchNormName.IsMatch(t.Name)) return true;
        return false;
    }
}
