using GanNotebooks.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Nets;

/// <summary>
/// Paths through a generator's latent space for interpolation figures (Radford et al. 2016, §6.1: "walking in the
/// latent space" shows smooth transitions when G has not memorized). Spherical interpolation (Shoemake 1985;
/// recommended for Gaussian latents by White 2016, "Sampling Generative Networks") keeps the norm of z near that of
/// typical samples, whereas the midpoint of a linear path has a norm about √2 smaller than either end.
/// </summary>
public static class LatentInterpolation
{
    /// <summary>(1 − t)·z0 + t·z1, row-wise; z0, z1 [B, d], t in [0, 1] (values outside extrapolate).</summary>
    public static Tensor Lerp(Tensor z0, Tensor z1, double t)
    {
        Check(z0, z1);
        return torch.lerp(z0, z1, t);
    }

    /// <summary>
    /// Spherical interpolation per row: sin((1−t)Ω)/sin Ω · z0 + sin(tΩ)/sin Ω · z1 with cos Ω = ⟨z0, z1⟩/(‖z0‖‖z1‖);
    /// z0, z1 [B, d] → [B, d]. Rows that are (nearly) parallel fall back to <see cref="Lerp"/>.
    /// </summary>
    public static Tensor Slerp(Tensor z0, Tensor z1, double t)
    {
        Check(z0, z1);
        using var scope = torch.NewDisposeScope();
        var a = z0.reshape(z0.shape[0], -1);
        var b = z1.reshape(z1.shape[0], -1);
        var cos = ((a * b).sum(1, keepdim: true) / (a.norm(1, keepdim: true) * b.norm(1, keepdim: true)).clamp_min(1e-12)).clamp(-1, 1);
        var omega = cos.acos();
        var sin = omega.sin();
        var parallel = sin.abs() < 1e-6;
        var safeSin = torch.where(parallel, torch.ones_like(sin), sin);
        var s = (torch.sin((1 - t) * omega) / safeSin) * a + (torch.sin(t * omega) / safeSin) * b;
        var l = torch.lerp(a, b, t);
        return torch.where(parallel, l, s).reshape(z0.shape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="steps"/> points from z0 to z1 (both ends included) for each of the B pairs: z0, z1 [B, d] →
    /// [B·steps, d], row-major (path b occupies rows b·steps … b·steps + steps − 1), ready for
    /// <c>ImageGrid.FromTensor(G(path), nrow: steps)</c>.
    /// </summary>
    /// <param name="z0">Start points [B, d].</param>
    /// <param name="z1">End points [B, d].</param>
    /// <param name="steps">Points per path (≥ 2).</param>
    /// <param name="spherical">Slerp (default) or lerp.</param>
    public static Tensor Path(Tensor z0, Tensor z1, int steps, bool spherical = true)
    {
        Check(z0, z1);
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "a path needs at least 2 points (its two ends).");
        using var scope = torch.NewDisposeScope();
        var points = new List<Tensor>();
        for (int i = 0; i < steps; i++)
        {
            double t = i / (double)(steps - 1);
            points.Add(spherical ? Slerp(z0, z1, t) : Lerp(z0, z1, t));
        }
        // [steps, B, d] → [B, steps, d] → [B·steps, d]
        var stacked = torch.stack(points, 0).transpose(0, 1).contiguous();
        var shape = new List<long> { z0.shape[0] * steps };
        shape.AddRange(z0.shape.Skip(1));
        return stacked.reshape(shape.ToArray()).MoveToOuterDisposeScope();
    }

    static void Check(Tensor z0, Tensor z1)
    {
        ArgumentNullException.ThrowIfNull(z0); ArgumentNullException.ThrowIfNull(z1);
        if (z0.dim() < 2 || !z0.shape.SequenceEqual(z1.shape))
            throw new ArgumentException($"z0 and z1 must have the same shape [B, d…]; got {Shapes.Of(z0)} and {Shapes.Of(z1)}.");
    }
}
