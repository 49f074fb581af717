using GanNotebooks.Losses;
using GanNotebooks.Nets;
using GanNotebooks.Training;
using GanNotebooks.Variants.Ensembles;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Unrolled;

/// <summary>
/// Unrolled GAN (Metz, Poole, Pfau, Sohl-Dickstein 2017). D trains as usual (BCE). G's loss is taken against the
/// discriminator k steps ahead: θ⁰ = θ_D, θʲ⁺¹ = θʲ − η ∇_θ L_D(θʲ, G) (eq. 3, gradient steps on this step's real and
/// fake batch), and G minimizes the non-saturating loss at θᵏ (eq. 2 with the non-saturating surrogate). Because
/// θᵏ depends on G through every look-ahead step, G's gradient has the extra term (dL_G/dθᵏ)(dθᵏ/dθ_G) (eq. 4): it
/// sees how D would react to its move, which punishes piling onto one mode. The look-ahead works on copies
/// (autograd.grad with create_graph through the functional forward of <see cref="IFunctionalNet"/>): D's real
/// weights are untouched by it. With <c>secondOrder: false</c> the look-ahead is detached from G — the cheaper
/// first-order variant, which drops exactly that term and only evaluates G against a stronger D.
/// Works for single networks (<c>MlpDiscriminator</c>) and ensembles (<c>EnsembleMlpDiscriminator</c>): losses are per
/// member and summed (<see cref="MemberwiseGanLosses"/>), so members never mix.
/// </summary>
public sealed class UnrolledGan : IGanObjective
{
    readonly IFunctionalNet _d;

    /// <summary>Builds the objective.</summary>
    /// <param name="discriminator">The trainer's D (the same object), typed so that it can run with look-ahead weights.</param>
    /// <param name="unrollSteps">Look-ahead steps k (≥ 0; 0 is the plain non-saturating GAN).</param>
    /// <param name="unrollLr">Step size η of the look-ahead gradient steps (&gt; 0); with <paramref name="adamOf"/>, the factor on D's current learning rate.</param>
    /// <param name="secondOrder">True: differentiate through the look-ahead (the paper); false: the first-order variant.</param>
    /// <param name="adamOf">
    /// When given, the look-ahead steps are Adam steps that continue D's own Adam optimizer (its moments, step count,
    /// betas and CURRENT learning rate, times <paramref name="unrollLr"/> — 1 continues D exactly as its next steps would
    /// go, also when a schedule lowers the rate), as in the authors' implementation, instead of plain gradient steps.
    /// Adam's steps do not grow with D's curvature, so the look-ahead stays stable as D sharpens. Pass
    /// <c>() =&gt; trainer!.OptimizerD</c> with <c>trainer</c> a variable assigned after the objective is built (a function: the
    /// trainer is made after its objective, and may replace its optimizers).
    /// </param>
    public UnrolledGan(IFunctionalNet discriminator, int unrollSteps, double unrollLr, bool secondOrder = true, Func<optim.Optimizer>? adamOf = null)
    {
        ArgumentNullException.ThrowIfNull(discriminator);
        if (unrollSteps < 0) throw new ArgumentOutOfRangeException(nameof(unrollSteps), unrollSteps, "the number of look-ahead steps k must be ≥ 0 (Metz et al. use 5 or 10; 0 is the plain GAN).");
        if (!(unrollLr > 0) || double.IsInfinity(unrollLr)) throw new ArgumentOutOfRangeException(nameof(unrollLr), unrollLr, "the look-ahead step size η must be a finite number > 0.");
        _d = discriminator;
        UnrollSteps = unrollSteps;
        UnrollLr = unrollLr;
        SecondOrder = secondOrder;
        _adamOf = adamOf;
    }

    readonly Func<optim.Optimizer>? _adamOf;

    /// <summary>Look-ahead steps k.</summary>
    public int UnrollSteps { get; }
    /// <summary>Look-ahead step size η.</summary>
    public double UnrollLr { get; }
    /// <summary>True when G's gradient goes through the look-ahead.</summary>
    public bool SecondOrder { get; }

    /// <inheritdoc/>
    public string Name => $"Unrolled(k={UnrollSteps}, {(_adamOf is null ? $"η={UnrollLr:G3}" : $"Adam ×{UnrollLr:G3}")}{(SecondOrder ? "" : ", first-order")})";

    /// <inheritdoc/>
    public Tensor DiscriminatorLoss(GanStepContext ctx)
    {
        CheckSameD(ctx);
        var r = ctx.Discriminator.call(ctx.Real);
        var f = ctx.Discriminator.call(ctx.Fake);
        var perMember = MemberwiseGanLosses.DiscriminatorBce(r, f);
        MemberwiseGanLosses.LogMembers(ctx, "Loss/D", perMember);
        ctx.Log("D(x)", () => GanLosses.MeanProbability(r));
        ctx.Log("D(G(z))", () => GanLosses.MeanProbability(f));
        return perMember.sum();
    }

    /// <inheritdoc/>
    public Tensor GeneratorLoss(GanStepContext ctx)
    {
        CheckSameD(ctx);
        var weights = LookAhead(ctx.Real, ctx.Fake);
        var perMember = MemberwiseGanLosses.GeneratorNonSaturating(_d.Forward(weights, ctx.Fake));
        MemberwiseGanLosses.LogMembers(ctx, "Loss/G", perMember);
        return perMember.sum();
    }

    /// <summary>
    /// The look-ahead weights θᵏ (k gradient steps of D's loss from D's current weights on <paramref name="real"/> and
    /// <paramref name="fake"/>); with <see cref="SecondOrder"/> they carry the graph back to <paramref name="fake"/>'s generator.
    /// D's parameters are not modified.
    /// </summary>
    public IReadOnlyList<Tensor> LookAhead(Tensor real, Tensor fake)
    {
        // Leaves that share storage with D's parameters but start a graph of their own (D may be frozen in the G step).
        var w = _d.Weights.Select(p => p.detach().requires_grad_(true)).ToList();
        if (UnrollSteps == 0) return w;
        var fakeIn = SecondOrder ? fake : fake.detach();
        var adam = _adamOf is null ? null : AdamState.Of(_adamOf(), w);
        for (int j = 0; j < UnrollSteps; j++)
        {
            var loss = MemberwiseGanLosses.DiscriminatorBce(_d.Forward(w, real), _d.Forward(w, fakeIn)).sum();
            // loss always has a graph here (w requires grad): TorchSharp aborts the process on autograd.grad of a tensor without one.
            var grads = torch.autograd.grad(new[] { loss }, w, retain_graph: SecondOrder, create_graph: SecondOrder);
            var steps = adam is null ? grads.Select(g => UnrollLr * g).ToList() : adam.Step(grads, UnrollLr * adam.Lr);
            w = SecondOrder
                ? w.Zip(steps, (a, d) => a - d).ToList()
                : w.Zip(steps, (a, d) => (a - d).detach().requires_grad_(true)).ToList();
        }
        return w;
    }

    /// <summary>
    /// Functional Adam (Kingma &amp; Ba 2015) continuing an optimizer's moments: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
    /// step = lr·m̂ / √(v̂ + ε²) with bias corrections for the step count. √(v̂ + ε²) stands for √v̂ + ε: the same size, and
    /// differentiable where v̂ = 0 (a unit that never had a gradient), where √ has an infinite derivative.
    /// </summary>
    sealed class AdamState
    {
        List<Tensor> _m, _v;
        long _t;
        readonly double _b1, _b2, _eps;

        AdamState(List<Tensor> m, List<Tensor> v, long t, double b1, double b2, double eps, double lr) { _m = m; _v = v; _t = t; _b1 = b1; _b2 = b2; _eps = eps; Lr = lr; }

        /// <summary>The optimizer's current learning rate (after the trainer's schedule).</summary>
        public double Lr { get; }

        public static AdamState Of(optim.Optimizer optimizer, IReadOnlyList<Tensor> weights)
        {
            if (optimizer is not TorchSharp.Modules.Adam adam)
                throw new InvalidOperationException($"UnrolledGan continues an Adam optimizer; D's optimizer is {optimizer.GetType().Name}. Use OptimizerKind.Adam or the plain gradient look-ahead (no adamOf).");
            var group = adam.ParamGroups.OfType<TorchSharp.Modules.Adam.ParamGroup>().First();
            var (b1, b2) = group.Betas;
            double eps = group.Options.eps ?? 1e-8;
            var states = adam.state_dict().State.OfType<TorchSharp.Modules.Adam.State>().ToList();
            var m = new List<Tensor>(); var v = new List<Tensor>();
            long t = 0;
            for (int i = 0; i < weights.Count; i++)
            {
                var st = i < states.Count ? states[i] : null;
                if (st?.exp_avg is Tensor ea && st.exp_avg_sq is Tensor eas && st.step > 0)
                {
                    if (!ea.shape.SequenceEqual(weights[i].shape))
                        throw new InvalidOperationException($"D's optimizer state {i} has shape {Core.Shapes.Of(ea)} but D's weight {i} is {Core.Shapes.Of(weights[i])}: the optimizer does not belong to this discriminator.");
                    m.Add(ea.detach()); v.Add(eas.detach());
                    t = Math.Max(t, st.step);
                }
                else { m.Add(torch.zeros_like(weights[i])); v.Add(torch.zeros_like(weights[i])); }
            }
            return new AdamState(m, v, t, b1, b2, eps, group.LearningRate);
        }

        public List<Tensor> Step(IList<Tensor> grads, double lr)
        {
            _t++;
            _m = _m.Zip(grads, (m, g) => _b1 * m + (1 - _b1) * g).ToList();
            _v = _v.Zip(grads, (v, g) => _b2 * v + (1 - _b2) * g.square()).ToList();
            double c1 = 1 - Math.Pow(_b1, _t), c2 = 1 - Math.Pow(_b2, _t);
            return _m.Zip(_v, (m, v) => lr * (m / c1) / (v / c2 + _eps * _eps).sqrt()).ToList();
        }
    }

    void CheckSameD(GanStepContext ctx)
    {
        if (!ReferenceEquals(ctx.Discriminator, _d))
            throw new InvalidOperationException("UnrolledGan was built with a different discriminator than the trainer's D; pass the same object to both.");
    }
}
