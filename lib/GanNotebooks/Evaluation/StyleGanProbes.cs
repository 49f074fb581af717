using GanNotebooks.Core;
using GanNotebooks.Variants.Stylegan;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>
/// Measurements of a trained <see cref="StyleGenerator"/> (StyleGAN §3–4): what the noise inputs change, and the
/// perceptual path length in Z and in W. They read the generator and never train it, so they live with the other
/// metrics (Evaluation, above the variant rooms; the StyleGAN room does not depend on them). Features come from the
/// caller (e.g. the kit's Fashion-MNIST classifier). Run them on eval-mode weights (e.g. inside
/// <see cref="StyleGanRecipe.WithSamplingWeights{T}"/>).
/// </summary>
public static class StyleGanProbes
{
    /// <summary>
    /// Spherical interpolation between rows of a and b at fractions t [B] (Shoemake 1985; StyleGAN's PPL in Z, since
    /// z is Gaussian and its norm concentrates): sin((1−t)Ω)/sin Ω · a + sin(tΩ)/sin Ω · b, Ω the angle between a and b
    /// (normalized as in the official code).
    /// </summary>
    public static Tensor Slerp(Tensor a, Tensor b, Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        var an = a / a.norm(1, keepdim: true);
        var bn = b / b.norm(1, keepdim: true);
        var d = (an * bn).sum(1, keepdim: true).clamp(-1 + 1e-7, 1 - 1e-7);
        var omega = d.acos();
        var tt = t.view(-1, 1);
        var r = (((1 - tt) * omega).sin() * an + (tt * omega).sin() * bn) / omega.sin();
        return r.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Perceptual path length samples (StyleGAN §4.1, eqs. 2–3, "full" paths): for random pairs (z₁, z₂) and t ~ U(0, 1),
    /// d = ‖φ(g(lerp(t))) − φ(g(lerp(t + ε)))‖² / ε², with slerp between z's (<paramref name="inW"/> false) or lerp between
    /// their w's (true); both endpoints share one noise draw. Returns one value per pair; report a mean after dropping
    /// the 1 % tails (as the paper does): <see cref="Statistics.TrimmedMean"/> or <see cref="Statistics.TrimmedMeanAndStdErr"/>.
    /// </summary>
    /// <param name="g">Generator (eval mode).</param>
    /// <param name="features">Images → feature vectors [B, F] (the paper uses VGG16 + LPIPS; the kit its classifier).</param>
    /// <param name="pairs">Number of pairs.</param>
    /// <param name="inW">Interpolate in W (lerp of mapped w) instead of Z (slerp).</param>
    /// <param name="epsilon">Step ε (paper: 1e-4).</param>
    /// <param name="generator">Seeded source of z, t and noise, so that Z and W see the same pairs.</param>
    /// <param name="batch">Pairs per forward pass.</param>
    public static double[] PathLengths(StyleGenerator g, Func<Tensor, Tensor> features, int pairs, bool inW, double epsilon, Generator generator, int batch = 50)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(features);
        if (pairs < 1) throw new ArgumentOutOfRangeException(nameof(pairs), pairs, "measure at least one pair.");
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch (pairs per forward pass) must be ≥ 1, e.g. 50.");
        if (!(epsilon > 0 && epsilon < 0.1)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must lie in (0, 0.1) (paper: 1e-4).");
        var result = new List<double>();
        using var _ = torch.no_grad();
        var device = g.WAverage.device;
        for (int done = 0; done < pairs; done += batch)
        {
            using var scope = torch.NewDisposeScope();
            int b = Math.Min(batch, pairs - done);
            var z1 = torch.randn(new long[] { b, g.Options.ZDim }, generator: generator).to(device);
            var z2 = torch.randn(new long[] { b, g.Options.ZDim }, generator: generator).to(device);
            var t = torch.rand(new long[] { b }, generator: generator).to(device);
            var noise = g.Synthesis.MakeNoise(b, device, generator);
            Tensor wa, wb;
            if (inW)
            {
                var w1 = g.Map(z1);
                var w2 = g.Map(z2);
                var tt = t.view(-1, 1);
                wa = w1.lerp(w2, tt);
                wb = w1.lerp(w2, tt + epsilon);
            }
            else
            {
                wa = g.Map(Slerp(z1, z2, t));
                wb = g.Map(Slerp(z1, z2, t + epsilon));
            }
            var fa = features(g.Synthesize(g.Broadcast(wa), noise));
            var fb = features(g.Synthesize(g.Broadcast(wb), noise));
            var d = (fa - fb).square().sum(1) / (epsilon * epsilon);
            result.AddRange(d.to_type(ScalarType.Float64).cpu().data<double>().ToArray());
        }
        return result.ToArray();
    }

    /// <summary>
    /// Per-pixel standard deviation over <paramref name="draws"/> noise draws with the styles ws [B, NumWs, WDim] fixed
    /// (StyleGAN Fig. 4: the noise changes stochastic detail, not the image's identity): [B, C, S, S].
    /// </summary>
    public static Tensor NoiseStd(StyleGenerator g, Tensor ws, int draws, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(ws);
        if (draws < 2) throw new ArgumentOutOfRangeException(nameof(draws), draws, "a standard deviation needs at least 2 noise draws.");
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var images = Enumerable.Range(0, draws).Select(_ => g.Synthesize(ws, g.Synthesis.MakeNoise(ws.shape[0], ws.device, generator))).ToList();
        return torch.stack(images, 0).std(0).MoveToOuterDisposeScope();
    }
}
