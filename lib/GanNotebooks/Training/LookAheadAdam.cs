using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Training;

/// <summary>
/// A differentiable look-ahead optimizer: functional Adam (Kingma &amp; Ba 2015) continuing a trainer's Adam optimizer
/// (read through <see cref="GanStepContext.Optimizer"/>) on copies of its weights, so that a loss can be taken k steps
/// ahead and differentiated through them (unrolled GAN). The optimizer itself is not changed. Its moments: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// step = lr·m̂ / √(v̂ + ε²) with bias corrections for the step count. √(v̂ + ε²) stands for √v̂ + ε: the same size, and
/// differentiable where v̂ = 0 (a unit that never had a gradient), where √ has an infinite derivative.
/// </summary>
public sealed class LookAheadAdam
{
    List<Tensor> _m, _v;
    long _t;
    readonly double _b1, _b2, _eps;

    LookAheadAdam(List<Tensor> m, List<Tensor> v, long t, double b1, double b2, double eps, double lr) { _m = m; _v = v; _t = t; _b1 = b1; _b2 = b2; _eps = eps; Lr = lr; }

    /// <summary>The optimizer's current learning rate (after the trainer's schedule).</summary>
    public double Lr { get; }

    /// <summary>Adam state continuing <paramref name="optimizer"/>'s moments, step count and current learning rate for <paramref name="weights"/> (same order as its parameters).</summary>
    public static LookAheadAdam Continuing(optim.Optimizer optimizer, IReadOnlyList<Tensor> weights)
    {
        if (optimizer is not TorchSharp.Modules.Adam adam)
            throw new InvalidOperationException($"The look-ahead continues an Adam optimizer; D's optimizer is {optimizer.GetType().Name}. Use OptimizerKind.Adam or the plain gradient look-ahead (continueAdam: false).");
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
        return new LookAheadAdam(m, v, t, b1, b2, eps, group.LearningRate);
    }

    /// <summary>One step on <paramref name="grads"/> at <paramref name="lr"/>: the weight changes (with graph through the gradients).</summary>
    public List<Tensor> Step(IList<Tensor> grads, double lr)
    {
        _t++;
        _m = _m.Zip(grads, (m, g) => _b1 * m + (1 - _b1) * g).ToList();
        _v = _v.Zip(grads, (v, g) => _b2 * v + (1 - _b2) * g.square()).ToList();
        double c1 = 1 - Math.Pow(_b1, _t), c2 = 1 - Math.Pow(_b2, _t);
        return _m.Zip(_v, (m, v) => lr * (m / c1) / (v / c2 + _eps * _eps).sqrt()).ToList();
    }
}
