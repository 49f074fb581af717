using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Losses;

/// <summary>
/// Regularizers as functions of (D, inputs). They build a graph through D's parameters
/// (create_graph), so adding them to the discriminator loss trains D with them.
/// </summary>
/// <remarks>
/// The per-sample input gradient is taken as the gradient of Σ_b D(x̂_b) w.r.t. x̂, which equals
/// ∇D(x̂_b) for each b only when samples do not interact inside D — hence no BatchNorm in a
/// critic trained with a gradient penalty (Gulrajani et al. 2017, §4).
/// </remarks>
public static class Regularizers
{
    /// <summary>
    /// x̂ = ε·x + (1 − ε)·x̃ with ε ~ U[0, 1] drawn once per sample and broadcast over all other
    /// dimensions (Gulrajani et al. 2017, Algorithm 1). The result is detached from both inputs.
    /// </summary>
    /// <param name="real">Real batch [B, ...].</param>
    /// <param name="fake">Generated batch, same shape as <paramref name="real"/>.</param>
    /// <param name="generator">Optional torch generator for ε (default: torch's global one).</param>
    /// <returns>[B, ...], same shape, dtype and device as the inputs.</returns>
    public static Tensor Interpolate(Tensor real, Tensor fake, Generator? generator = null)
    {
        CheckPair(real, fake);
        var shape = new long[real.dim()];
        shape[0] = real.shape[0];
        for (int i = 1; i < shape.Length; i++) shape[i] = 1;
        using var _ = torch.no_grad();
        var eps = torch.rand(shape, dtype: real.dtype, device: real.device, generator: generator);
        return (eps * real + (1 - eps) * fake).detach();
    }

    /// <summary>
    /// Per-sample L2 norms of ∇ₓD(x) over ALL non-batch dimensions (C·H·W for images).
    /// </summary>
    /// <param name="critic">D: [B, ...] → scores of any shape with B rows (e.g. [B] or [B, 1]).</param>
    /// <param name="points">Where to take the gradient, [B, ...]. Not modified.</param>
    /// <param name="createGraph">Keep the graph so the norms can be trained through (true for penalties).</param>
    /// <returns>[B] norms.</returns>
    public static Tensor InputGradientNorms(Func<Tensor, Tensor> critic, Tensor points, bool createGraph = true)
    {
        var grads = InputGradients(critic, points, createGraph);
        // The small constant keeps the derivative of sqrt finite where a gradient is exactly 0.
        return (grads.reshape(grads.shape[0], -1).square().sum(1) + 1e-12).sqrt();
    }

    /// <summary>
    /// WGAN-GP penalty E[(‖∇D(x̂)‖₂ − target)²] at random interpolates x̂ of real and fake samples
    /// (Gulrajani et al. 2017, eq. 3; multiply by λ = 10 yourself). The norm is per sample over all
    /// non-batch dims, for any input shape ([B, 2], [B, C, H, W], ...).
    /// </summary>
    /// <param name="critic">The critic module (called with .call()).</param>
    /// <param name="real">Real batch [B, ...].</param>
    /// <param name="fake">Generated batch, same shape (it is detached: the penalty trains D only).</param>
    /// <param name="target">The target norm (1 for WGAN-GP).</param>
    /// <param name="generator">Optional torch generator for ε.</param>
    /// <returns>Scalar tensor.</returns>
    /// <exception cref="ArgumentException">The critic contains a BatchNorm module (see <see cref="WganCriticCheck"/>).</exception>
    public static Tensor GradientPenalty(nn.Module<Tensor, Tensor> critic, Tensor real, Tensor fake, double target = 1.0, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(critic);
        // Batch statistics make samples interact, which the per-sample penalty cannot allow.
        WganCriticCheck.ThrowIfBatchNorm(critic, nameof(critic));
        return GradientPenalty(critic.call, real, fake, target, generator);
    }

    /// <inheritdoc cref="GradientPenalty(nn.Module{Tensor, Tensor}, Tensor, Tensor, double, Generator?)"/>
    public static Tensor GradientPenalty(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, double target = 1.0, Generator? generator = null)
    {
        var xHat = Interpolate(real, fake, generator);
        return GradientPenaltyAt(critic, xHat, target);
    }

    /// <summary>E[(‖∇D(x)‖₂ − target)²] at given points [B, ...] (the penalty without the interpolation).</summary>
    /// <param name="critic">D: [B, ...] → scores with B rows.</param>
    /// <param name="points">[B, ...].</param>
    /// <param name="target">Target norm (1 for WGAN-GP).</param>
    /// <returns>Scalar tensor.</returns>
    public static Tensor GradientPenaltyAt(Func<Tensor, Tensor> critic, Tensor points, double target = 1.0)
    {
        var norms = InputGradientNorms(critic, points, createGraph: true);
        return (norms - target).square().mean();
    }

    /// <summary>
    /// R1 penalty E_real[‖∇ₓD(x)‖²] (Mescheder, Geiger, Nowozin 2018, eq. 9); the paper adds γ/2 times this
    /// to the discriminator loss. Cheap: one extra backward on the real batch.
    /// </summary>
    /// <param name="discriminator">The discriminator module.</param>
    /// <param name="real">Real batch [B, ...].</param>
    /// <returns>Scalar tensor.</returns>
    public static Tensor R1(nn.Module<Tensor, Tensor> discriminator, Tensor real)
    {
        ArgumentNullException.ThrowIfNull(discriminator);
        return R1(discriminator.call, real);
    }

    /// <inheritdoc cref="R1(nn.Module{Tensor, Tensor}, Tensor)"/>
    public static Tensor R1(Func<Tensor, Tensor> discriminator, Tensor real)
    {
        var grads = InputGradients(discriminator, real, createGraph: true);
        return grads.reshape(grads.shape[0], -1).square().sum(1).mean();
    }

    internal static Tensor InputGradients(Func<Tensor, Tensor> critic, Tensor points, bool createGraph)
    {
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(points);
        if (points.dim() < 1 || points.shape[0] == 0)
            throw new ArgumentException($"points must be a batch [B, ...] with B ≥ 1; got shape {Shapes.Of(points)}.", nameof(points));
        if (!points.is_floating_point())
            throw new ArgumentException($"points have dtype {points.dtype}; a gradient needs floating-point inputs.", nameof(points));
        // Grad mode on even if a caller is inside no_grad (e.g. an evaluation cell).
        using var _ = torch.enable_grad();
        var x = points.detach().requires_grad_(true);
        var scores = critic(x);
        if (scores.dim() == 0 || scores.shape[0] != points.shape[0])
            throw new ArgumentException(
                $"the critic returned shape {Shapes.Of(scores)} for a batch of {points.shape[0]}; it must return one score per sample ([B] or [B, 1]).");
        var grads = torch.autograd.grad(new[] { scores.sum() }, new[] { x }, create_graph: createGraph, retain_graph: true);
        return grads[0];
    }

    static void CheckPair(Tensor real, Tensor fake)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(fake);
        if (!real.shape.SequenceEqual(fake.shape))
            throw new ArgumentException(
                $"real {Shapes.Of(real)} and fake {Shapes.Of(fake)} batches must have the same shape to interpolate between them.");
        if (real.dim() < 1 || real.shape[0] == 0)
            throw new ArgumentException("the real batch is empty; a gradient penalty needs B ≥ 1 samples.");
    }
}
