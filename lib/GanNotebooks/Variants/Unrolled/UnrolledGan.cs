using GanNotebooks.Losses;
using GanNotebooks.Nets;
using GanNotebooks.Training;
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
    /// <param name="unrollLr">Step size η of the look-ahead gradient steps (&gt; 0); with <paramref name="continueAdam"/>, the factor on D's current learning rate.</param>
    /// <param name="secondOrder">True: differentiate through the look-ahead (the paper); false: the first-order variant.</param>
    /// <param name="continueAdam">
    /// True: the look-ahead steps are Adam steps that continue D's own Adam optimizer, read from the step context when G's
    /// loss runs (<see cref="GanStepContext.Optimizer"/>: its moments, step count, betas and CURRENT learning rate, times
    /// <paramref name="unrollLr"/> — 1 continues D exactly as its next steps would go, also when a schedule lowers the rate),
    /// as in the authors' implementation (<see cref="LookAheadAdam"/>). Adam's steps do not grow with D's curvature, so the
    /// look-ahead stays stable as D sharpens. False: plain gradient steps of size η.
    /// </param>
    public UnrolledGan(IFunctionalNet discriminator, int unrollSteps, double unrollLr, bool secondOrder = true, bool continueAdam = false)
    {
        ArgumentNullException.ThrowIfNull(discriminator);
        if (unrollSteps < 0) throw new ArgumentOutOfRangeException(nameof(unrollSteps), unrollSteps, "the number of look-ahead steps k must be ≥ 0 (Metz et al. use 5 or 10; 0 is the plain GAN).");
        if (!(unrollLr > 0) || double.IsInfinity(unrollLr)) throw new ArgumentOutOfRangeException(nameof(unrollLr), unrollLr, "the look-ahead step size η must be a finite number > 0.");
        _d = discriminator;
        UnrollSteps = unrollSteps;
        UnrollLr = unrollLr;
        SecondOrder = secondOrder;
        _continueAdam = continueAdam;
    }

    readonly bool _continueAdam;

    /// <summary>Look-ahead steps k.</summary>
    public int UnrollSteps { get; }
    /// <summary>Look-ahead step size η.</summary>
    public double UnrollLr { get; }
    /// <summary>True when G's gradient goes through the look-ahead.</summary>
    public bool SecondOrder { get; }

    /// <inheritdoc/>
    public string Name => $"Unrolled(k={UnrollSteps}, {(_continueAdam ? $"Adam ×{UnrollLr:G3}" : $"η={UnrollLr:G3}")}{(SecondOrder ? "" : ", first-order")})";

    /// <inheritdoc/>
    public Tensor DiscriminatorLoss(GanStepContext ctx)
    {
        CheckSameD(ctx);
        var r = ctx.Discriminator.call(ctx.Real);
        var f = ctx.Discriminator.call(ctx.Fake);
        var perMember = MemberwiseGanLosses.DiscriminatorBce(r, f);
        ctx.LogPerMember("Loss/D", perMember);
        ctx.Log("D(x)", () => GanLosses.MeanProbability(r));
        ctx.Log("D(G(z))", () => GanLosses.MeanProbability(f));
        return perMember.sum();
    }

    /// <inheritdoc/>
    public Tensor GeneratorLoss(GanStepContext ctx)
    {
        CheckSameD(ctx);
        var weights = LookAhead(ctx.Real, ctx.Fake, _continueAdam ? ctx.Optimizer("D") : null);
        var perMember = MemberwiseGanLosses.GeneratorNonSaturating(_d.Forward(weights, ctx.Fake));
        ctx.LogPerMember("Loss/G", perMember);
        return perMember.sum();
    }

    /// <summary>
    /// The look-ahead weights θᵏ (k gradient steps of D's loss from D's current weights on <paramref name="real"/> and
    /// <paramref name="fake"/>); with <see cref="SecondOrder"/> they carry the graph back to <paramref name="fake"/>'s generator.
    /// D's parameters are not modified.
    /// </summary>
    /// <param name="real">A real batch.</param>
    /// <param name="fake">A fake batch (with G's graph for the second-order look-ahead).</param>
    /// <param name="dOptimizer">D's Adam to continue (see the constructor's continueAdam), or null for plain gradient steps.</param>
    public IReadOnlyList<Tensor> LookAhead(Tensor real, Tensor fake, optim.Optimizer? dOptimizer = null)
    {
        // Leaves that share storage with D's parameters but start a graph of their own (D may be frozen in the G step).
        var w = _d.Weights.Select(p => p.detach().requires_grad_(true)).ToList();
        if (UnrollSteps == 0) return w;
        var fakeIn = SecondOrder ? fake : fake.detach();
        var adam = dOptimizer is null ? null : LookAheadAdam.Continuing(dOptimizer, w);
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

    void CheckSameD(GanStepContext ctx)
    {
        if (!ReferenceEquals(ctx.Discriminator, _d))
            throw new InvalidOperationException("UnrolledGan was built with a different discriminator than the trainer's D; pass the same object to both.");
    }
}
