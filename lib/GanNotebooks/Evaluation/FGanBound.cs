using GanNotebooks.Runtime;
using GanNotebooks.Core;
using GanNotebooks.Losses;
using GanNotebooks.Variants.Fgan;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Evaluation;

/// <summary>
/// A Monte Carlo estimate of the f-GAN variational lower bound E_P[T] − E_Q[f*(T)] with a fixed critic.
/// </summary>
/// <param name="Bound">The estimate (a lower bound on D_f(P‖Q) up to sampling error).</param>
/// <param name="StdErr">Its standard error √(Var_P[T]/N + Var_Q[f*(T)]/M).</param>
/// <param name="MeanCriticReal">E_P[T] over the real samples.</param>
/// <param name="MeanConjugateFake">E_Q[f*(T)] over the generated samples.</param>
/// <param name="RealCount">N, samples of P used.</param>
/// <param name="FakeCount">M, samples of Q used.</param>
public sealed record FGanBoundEstimate(double Bound, double StdErr, double MeanCriticReal, double MeanConjugateFake, int RealCount, int FakeCount)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Bound:G4} ± {StdErr:G2} (N={RealCount}, M={FakeCount})";
}

/// <summary>Knobs of <see cref="FGanBound.FitCritic"/>: Adam on the critic alone, fixed P and Q.</summary>
public sealed record CriticFitOptions
{
    /// <summary>Adam steps (≥ 0).</summary>
    public int Steps { get; init; } = 2000;
    /// <summary>Samples of P and of Q per step (≥ 1).</summary>
    public int BatchSize { get; init; } = 256;
    /// <summary>Learning rate (&gt; 0).</summary>
    public double Lr { get; init; } = 1e-3;
    /// <summary>Adam betas.</summary>
    public (double Beta1, double Beta2) Betas { get; init; } = (0.9, 0.999);
    /// <summary>Record the batch bound every this many steps (≥ 1).</summary>
    public int LogEvery { get; init; } = 10;
    /// <summary>Device (default <c>Devices.Current</c>).</summary>
    public Device? Device { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad knob.</summary>
    public void Validate()
    {
        if (Steps < 0) throw new ArgumentException($"Invalid CriticFitOptions.Steps = {Steps}: the number of steps cannot be negative.", nameof(Steps));
        if (BatchSize < 1) throw new ArgumentException($"Invalid CriticFitOptions.BatchSize = {BatchSize}: use at least 1 sample per batch (256 is a good default).", nameof(BatchSize));
        if (!(Lr > 0) || double.IsInfinity(Lr)) throw new ArgumentException($"Invalid CriticFitOptions.Lr = {Lr}: a learning rate must be a finite number > 0 (e.g. 1e-3).", nameof(Lr));
        if (!(Betas.Beta1 >= 0 && Betas.Beta1 < 1 && Betas.Beta2 >= 0 && Betas.Beta2 < 1)) throw new ArgumentException($"Invalid CriticFitOptions.Betas = {Betas}: Adam betas must be in [0, 1).", nameof(Betas));
        if (LogEvery < 1) throw new ArgumentException($"Invalid CriticFitOptions.LogEvery = {LogEvery}: the log interval must be ≥ 1 step.", nameof(LogEvery));
    }
}

/// <summary>The trace of a critic fit: the batch bound at the logged steps.</summary>
/// <param name="Steps">1-based step indices that were logged.</param>
/// <param name="BatchBounds">The batch estimate of the bound at those steps (noisy; use <see cref="FGanBound.Estimate"/> for the final number).</param>
public sealed record CriticFitTrace(IReadOnlyList<int> Steps, IReadOnlyList<double> BatchBounds);

/// <summary>
/// Variational divergence estimation (Nguyen, Wainwright, Jordan 2010; f-GAN §2): train a critic T = g_f(V(x))
/// to maximize E_P[T] − E_Q[f*(T)] for FIXED P and Q, then read the bound off samples; plus the same bound by
/// quadrature for a critic given on a 1D grid (exact: equals D_f at T* = f′(p/q), lower for any other T by
/// the Fenchel–Young inequality).
/// </summary>
public static class FGanBound
{
    /// <summary>
    /// Monte Carlo estimate of E_P[g_f(V(x))] − E_Q[f*(g_f(V(x̃)))] with a trained critic V, in eval mode and
    /// without gradients, in chunks of <paramref name="chunk"/> samples.
    /// </summary>
    /// <param name="divergence">Which f.</param>
    /// <param name="critic">V: x [B, ...] → logits [B] (or [B, 1]).</param>
    /// <param name="realSamples">Samples of P [N, ...].</param>
    /// <param name="fakeSamples">Samples of Q [M, ...].</param>
    /// <param name="chunk">Batch size for evaluation (≥ 1).</param>
    public static FGanBoundEstimate Estimate(FDivergence divergence, nn.Module<Tensor, Tensor> critic, Tensor realSamples, Tensor fakeSamples, int chunk = 8192)
    {
        ArgumentNullException.ThrowIfNull(divergence);
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(realSamples);
        ArgumentNullException.ThrowIfNull(fakeSamples);
        if (chunk < 1) throw new ArgumentOutOfRangeException(nameof(chunk), chunk, "the evaluation chunk must hold at least one sample.");
        if (realSamples.dim() < 1 || realSamples.shape[0] == 0 || fakeSamples.dim() < 1 || fakeSamples.shape[0] == 0)
            throw new ArgumentException("need at least one sample of P and one of Q ([N, ...] tensors).");
        var (mt, vt) = MeanVar(critic, realSamples, chunk, divergence.Activation);
        var (mc, vc) = MeanVar(critic, fakeSamples, chunk, divergence.ConjugateOfActivation);
        long n = realSamples.shape[0], m = fakeSamples.shape[0];
        return new FGanBoundEstimate(mt - mc, Math.Sqrt(vt / n + vc / m), mt, mc, (int)n, (int)m);
    }

    static (double Mean, double Var) MeanVar(nn.Module<Tensor, Tensor> critic, Tensor samples, int chunk, Func<Tensor, Tensor> map)
    {
        bool wasTraining = critic.training;
        critic.eval();
        try
        {
            using var _ = torch.no_grad();
            double sum = 0, sumSq = 0;
            long n = samples.shape[0];
            var device = critic.parameters().FirstOrDefault()?.device ?? samples.device;
            for (long start = 0; start < n; start += chunk)
            {
                using var scope = torch.NewDisposeScope();
                var x = samples.narrow(0, start, Math.Min(chunk, n - start)).to(device);
                var y = map(critic.call(x)).to_type(ScalarType.Float64);
                sum += y.sum().item<double>();
                sumSq += y.square().sum().item<double>();
            }
            double mean = sum / n;
            double var = n > 1 ? Math.Max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
            return (mean, var);
        }
        finally { critic.train(wasTraining); }
    }

    /// <summary>
    /// The bound ∫ [p(x) T(x) − q(x) f*(T(x))] dx by trapezoid quadrature, for a critic T given by its values
    /// <paramref name="t"/> on the grid <paramref name="x"/>. A point where a density is 0 contributes 0 from
    /// that density's term (0·∞ = 0); a T outside dom f* where q &gt; 0 makes the bound −∞. Equals
    /// <see cref="FDivergence.Divergence"/> for t = <see cref="FDivergence.OptimalCritic(IReadOnlyList{double}, IReadOnlyList{double})"/>.
    /// </summary>
    public static double ByQuadrature(FDivergence divergence, IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q, IReadOnlyList<double> t)
    {
        ArgumentNullException.ThrowIfNull(divergence);
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(t);
        if (p.Count != x.Count || q.Count != x.Count || t.Count != x.Count)
            throw new ArgumentException($"x, p, q and t must have the same length (got {x.Count}, {p.Count}, {q.Count}, {t.Count}); evaluate them on one grid.");
        for (int i = 0; i < t.Count; i++)
            if (double.IsNaN(t[i])) throw new ArgumentException($"the critic is NaN at index {i} (x = {x[i]}).", nameof(t));
        return Integrate(x, p, q, i => t[i], i => divergence.Conjugate(t[i]));
    }

    /// <summary>∫ [p T − q f*(T)] dx by the trapezoid rule; a term whose density is 0 is 0 and is not evaluated (0·∞ = 0).</summary>
    static double Integrate(IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q, Func<int, double> critic, Func<int, double> conjugate) =>
        Quadrature.Trapezoid(x, i =>
        {
            if (!(p[i] >= 0) || !(q[i] >= 0)) throw new ArgumentException($"densities must be non-negative numbers (at index {i}: p={p[i]}, q={q[i]}).");
            double a = p[i] == 0 ? 0 : p[i] * critic(i);
            double b = q[i] == 0 ? 0 : q[i] * conjugate(i);
            return a - b;
        });

    /// <summary>
    /// The bound of a learned critic by quadrature (no sampling noise): ∫ [p g_f(v) − q f*(g_f(v))] dx with the
    /// critic's logits v on the grid (from <see cref="LogitsOnGrid"/>). g_f and f*∘g_f are evaluated in double
    /// precision from the logits, so a saturated logit far from the data does not round T onto the edge of
    /// dom f* (where f* = +∞) as it would in float32.
    /// </summary>
    public static double ByQuadratureOfLogits(FDivergence divergence, IReadOnlyList<double> x, IReadOnlyList<double> p, IReadOnlyList<double> q, IReadOnlyList<double> logits)
    {
        ArgumentNullException.ThrowIfNull(divergence);
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(logits);
        if (p.Count != x.Count || q.Count != x.Count || logits.Count != x.Count)
            throw new ArgumentException($"x, p, q and logits must have the same length (got {x.Count}, {p.Count}, {q.Count}, {logits.Count}); evaluate them on one grid.");
        var (t, c) = ActivationAndConjugate(divergence, logits);
        return Integrate(x, p, q, i => t[i], i => c[i]);
    }

    /// <summary>g_f(v) and f*(g_f(v)) in double precision for logits given as numbers.</summary>
    public static (double[] Critic, double[] Conjugate) ActivationAndConjugate(FDivergence divergence, IReadOnlyList<double> logits)
    {
        ArgumentNullException.ThrowIfNull(divergence);
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var v = torch.tensor(logits.ToArray(), dtype: ScalarType.Float64);
        return (divergence.Activation(v).data<double>().ToArray(), divergence.ConjugateOfActivation(v).data<double>().ToArray());
    }

    /// <summary>
    /// The critic's values T(x) = g_f(V(x)) on a 1D grid (eval mode, no gradients; g_f applied in double
    /// precision): V takes [n, 1]. Compare with <see cref="FDivergence.OptimalCritic(IReadOnlyList{double}, IReadOnlyList{double})"/>.
    /// </summary>
    public static double[] CriticOnGrid(FDivergence divergence, nn.Module<Tensor, Tensor> critic, IReadOnlyList<double> x)
    {
        ArgumentNullException.ThrowIfNull(divergence);
        return ActivationAndConjugate(divergence, LogitsOnGrid(critic, x)).Critic;
    }

    /// <summary>The raw logits V(x) on a 1D grid (eval mode, no gradients): V takes [n, 1].</summary>
    public static double[] LogitsOnGrid(nn.Module<Tensor, Tensor> critic, IReadOnlyList<double> x)
    {
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count == 0) throw new ArgumentException("the grid is empty.", nameof(x));
        bool wasTraining = critic.training;
        critic.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var device = critic.parameters().FirstOrDefault()?.device ?? Devices.Current;
            var xs = torch.tensor(x.ToArray(), new long[] { x.Count, 1 }, dtype: ScalarType.Float32).to(device);
            var y = critic.call(xs).reshape(-1).to_type(ScalarType.Float64).cpu();
            if (y.shape[0] != x.Count) throw new InvalidOperationException($"the critic returned {y.shape[0]} values for {x.Count} grid points; it must return one logit per sample.");
            return y.data<double>().ToArray();
        }
        finally { critic.train(wasTraining); }
    }

    /// <summary>
    /// Trains <paramref name="critic"/> (in place) to maximize the batch bound E_P[g_f(V)] − E_Q[f*(g_f(V))]
    /// for fixed samplers of P and Q, with Adam. This is the inner maximization of f-GAN (its D step) without a
    /// generator; afterwards <see cref="Estimate"/> gives the lower bound on D_f(P‖Q).
    /// </summary>
    /// <param name="divergence">Which f.</param>
    /// <param name="critic">V: x [B, ...] → logits [B].</param>
    /// <param name="sampleP">B → samples of P [B, ...].</param>
    /// <param name="sampleQ">B → samples of Q [B, ...].</param>
    /// <param name="options">Knobs (default <see cref="CriticFitOptions"/>()).</param>
    /// <param name="onStep">Optional callback after every step with the 1-based step index (e.g. to snapshot T).</param>
    public static CriticFitTrace FitCritic(FDivergence divergence, nn.Module<Tensor, Tensor> critic, Func<int, Tensor> sampleP, Func<int, Tensor> sampleQ,
        CriticFitOptions? options = null, Action<int>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(divergence);
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(sampleP);
        ArgumentNullException.ThrowIfNull(sampleQ);
        var o = options ?? new CriticFitOptions();
        o.Validate();
        // The f-GAN D step (loss = −bound) through the generic trainer, with Q as a fixed "generator".
        var config = new Training.GanTrainerConfig
        {
            BatchSize = o.BatchSize, LrD = o.Lr, BetasD = o.Betas, LogEvery = o.LogEvery, Device = o.Device ?? Devices.Current,
        };
        using var trainer = Training.GanTrainer.CriticOnly(critic, new FGan(divergence), sampleP, sampleQ, config);
        if (onStep is not null) trainer.OnStepEnd(e => onStep(e.Step));
        trainer.Train(o.Steps);
        if (o.Steps == 0) return new CriticFitTrace([], []);
        var loss = trainer.History["Loss/D"];
        return new CriticFitTrace(loss.Steps.ToList(), loss.Values.Select(v => -v).ToList());
    }
}
