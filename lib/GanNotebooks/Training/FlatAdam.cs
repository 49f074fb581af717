using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanNotebooks.Training;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with one update per parameter group instead of one per parameter tensor: the group's
/// parameters, gradients and moment estimates live in four contiguous buffers, and every parameter, its
/// <c>.grad</c> and its moments are views into them, so a step is eight kernels for the whole network however many
/// tensors it has. The arithmetic is TorchSharp's <see cref="Adam"/>, operation for operation
/// (m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + ε); L2 weight decay added to g),
/// so the numbers are the same up to float rounding (see the tests), and the state — per-parameter step counts and
/// moments — is the base class's, saved and loaded by <c>save_state_dict</c>/<c>load_state_dict</c> as usual.
/// <para>
/// Torch's rules are kept: a parameter whose gradient is null is skipped (not stepped, its moments untouched); then,
/// and when amsgrad/maximize are switched on, or when the group's parameters have different step counts, the step
/// falls back to the per-parameter update on the same views. A gradient or parameter that something else replaced
/// (set to null, a new tensor, a module moved) is copied back into the buffers before the update.
/// </para>
/// </summary>
public sealed class FlatAdam : Adam
{
    // 16 floats (64 bytes): every view starts on a cache line and no view starts at offset 0, so a tensor that is
    // not one of ours (storage offset 0) is never mistaken for the first view.
    const long Align = 16;

    sealed class Flat : IDisposable
    {
        public required Parameter[] Params;
        public required long[] Offsets;
        public required Tensor Param, Grad, ExpAvg, ExpAvgSq;
        public required Tensor[] GradViews;
        public required State[] States;
        public bool Usable;
        public void Dispose()
        {
            foreach (var g in GradViews) g.Dispose();
            Param.Dispose(); Grad.Dispose(); ExpAvg.Dispose(); ExpAvgSq.Dispose();
        }
    }

    readonly List<Flat?> _flats = new();
    // Scalars that stay the same from step to step (β1, 1−β1, β2, 1−β2 of each group), rebuilt if the betas change.
    readonly Dictionary<(double, double), (Scalar B1, Scalar OneMinusB1, Scalar B2, Scalar OneMinusB2)> _betaScalars = new();

    /// <summary>Adam over one group of parameters.</summary>
    public FlatAdam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0)
        : this([new ParamGroup(Materialize(parameters), lr, beta1, beta2, eps, weight_decay)], lr, beta1, beta2, eps, weight_decay) { }

    /// <summary>Adam over several groups (each its own learning rate, betas…); the arguments are the defaults of groups that leave them unset.</summary>
    public FlatAdam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0)
        : base(Materialize(groups), lr, beta1, beta2, eps, weight_decay, amsgrad: false, maximize: false)
    {
        foreach (var g in _parameter_groups) _flats.Add(Build(g));
    }

    static List<Parameter> Materialize(IEnumerable<Parameter> ps) =>
        (ps ?? throw new ArgumentNullException(nameof(ps))).ToList();

    static List<ParamGroup> Materialize(IEnumerable<ParamGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var list = groups.ToList();
        // A lazily enumerated parameter list would be walked again at every step: fix it once.
        foreach (var g in list) g.Parameters = g.Parameters.ToList();
        return list;
    }

    /// <summary>True when the group's update runs on flat buffers (false: per-parameter, e.g. mixed dtypes or devices).</summary>
    public bool IsFlat(int group) => _flats[group]?.Usable == true;

    Flat? Build(TorchSharp.Modules.ParamGroup group)
    {
        var ps = group.Parameters.ToArray();
        if (ps.Length == 0) return null;
        var dtype = ps[0].dtype;
        var device = ps[0].device;
        if (!ps[0].is_floating_point() || ps.Any(p => p.dtype != dtype || p.device_type != device.type || p.device_index != ps[0].device_index)) return null;
        if (ps.Distinct(ReferenceEqualityComparer.Instance).Count() != ps.Length) return null;
        var offsets = new long[ps.Length];
        long total = Align;
        for (int i = 0; i < ps.Length; i++)
        {
            offsets[i] = total;
            total += (ps[i].numel() + Align - 1) / Align * Align;
        }
        using var noGrad = torch.no_grad();
        var flat = new Flat
        {
            Params = ps,
            Offsets = offsets,
            Param = torch.zeros(total, dtype: dtype, device: device).DetachFromDisposeScope(),
            Grad = torch.zeros(total, dtype: dtype, device: device).DetachFromDisposeScope(),
            ExpAvg = torch.zeros(total, dtype: dtype, device: device).DetachFromDisposeScope(),
            ExpAvgSq = torch.zeros(total, dtype: dtype, device: device).DetachFromDisposeScope(),
            GradViews = new Tensor[ps.Length],
            States = new State[ps.Length],
        };
        for (int i = 0; i < ps.Length; i++)
        {
            var p = ps[i];
            var shape = p.shape;
            long n = p.numel();
            using (var view = flat.Param.narrow(0, offsets[i], n).view(shape))
            {
                view.copy_(p);
                p.set_(view);
            }
            flat.GradViews[i] = flat.Grad.narrow(0, offsets[i], n).view(shape).DetachFromDisposeScope();
            using (var grad = p.grad)
                if (grad is not null) Adopt(flat, i, grad);
            var state = (State)_state[p.Handle];
            state.exp_avg = Rehome(flat.ExpAvg, offsets[i], shape, state.exp_avg);
            state.exp_avg_sq = Rehome(flat.ExpAvgSq, offsets[i], shape, state.exp_avg_sq);
            flat.States[i] = state;
        }
        flat.Usable = true;
        return flat;
    }

    static Tensor Rehome(Tensor buffer, long offset, long[] shape, Tensor old)
    {
        var view = buffer.narrow(0, offset, old.numel()).view(shape).DetachFromDisposeScope();
        view.copy_(old);
        old.Dispose();
        return view;
    }

    /// <summary>Makes the parameter's gradient our view again, keeping its values.</summary>
    static void Adopt(Flat flat, int i, Tensor grad)
    {
        using var _ = torch.no_grad();
        flat.GradViews[i].copy_(grad);
        flat.Params[i].grad = flat.GradViews[i];
    }

    /// <summary>Zeroes every gradient of the optimizer (one kernel per flat group). Null gradients stay null, as in torch.</summary>
    public override void zero_grad()
    {
        for (int k = 0; k < _flats.Count; k++)
        {
            var flat = _flats[k];
            if (flat is { Usable: true }) flat.Grad.zero_();
            else ZeroGroup(_parameter_groups[k]);
        }
    }

    static void ZeroGroup(TorchSharp.Modules.ParamGroup group)
    {
        foreach (var p in group.Parameters)
        {
            using var g = p.grad;
            g?.zero_();
        }
    }

    /// <summary>One Adam update of every group.</summary>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        Tensor? loss = null;
        if (closure is not null)
            using (torch.enable_grad()) loss = closure();
        using (torch.no_grad())
        using (torch.NewDisposeScope())
            for (int k = 0; k < _flats.Count; k++)
            {
                var group = (ParamGroup)_parameter_groups[k];
                var flat = _flats[k];
                if (flat is { Usable: true } && FlatStep(group, flat)) continue;
                PerParameterStep(group);
            }
        return loss!;
    }

    /// <summary>The whole group at once; false when the group must take the per-parameter path this step.</summary>
    bool FlatStep(ParamGroup group, Flat flat)
    {
        var o = group.Options;
        // First bring back anything replaced since the last step — every parameter, whatever path this step takes, so
        // that the next zero_grad (one kernel on the buffer) reaches every gradient — and find which have a gradient.
        long step = -1;
        bool anyDead = false, sameSteps = true, deadStepped = false;
        for (int i = 0; i < flat.Params.Length; i++)
        {
            var p = flat.Params[i];
            if (p.storage_offset() != flat.Offsets[i])
            {
                // The parameter got a new storage (moved, reloaded into a new tensor): take its values back into the buffer.
                using var view = flat.Param.narrow(0, flat.Offsets[i], p.numel()).view(p.shape);
                view.copy_(p);
                p.set_(view);
            }
            using (var g = p.grad)
            {
                if (g is null)
                {
                    anyDead = true;
                    // A skipped parameter that has been stepped before may have moments that the flat update would move.
                    if (flat.States[i].step != 0) deadStepped = true;
                    continue;
                }
                if (g.storage_offset() != flat.Offsets[i]) Adopt(flat, i, g);
            }
            long s = flat.States[i].step;
            if (step < 0) step = s;
            else if (s != step) sameSteps = false;
        }
        if (o.amsgrad == true || o.maximize == true || deadStepped || !sameSteps) return false;
        if (step < 0) return true; // no gradient anywhere: nothing to do (torch skips every parameter)
        double wd = o.weight_decay!.Value;
        if (anyDead && wd != 0) return false; // L2 decay would move the parameters that torch skips
        // The zero-gradient slots of skipped parameters (zero moments, step 0) stay exactly zero and the
        // parameters unchanged: m = v = 0 → update −lr·0/(0 + ε) = 0.
        double beta1 = o.beta1!.Value, beta2 = o.beta2!.Value, eps = o.eps!.Value, lr = o.LearningRate!.Value;
        long t = step + 1;
        double bc1 = 1 - Math.Pow(beta1, t), bc2 = 1 - Math.Pow(beta2, t);
        var (b1, omb1, b2, omb2) = BetaScalars(beta1, beta2);
        var grad = flat.Grad;
        if (wd != 0) grad = grad.add(flat.Param, alpha: wd);
        flat.ExpAvg.mul_(b1).add_(grad, omb1);
        flat.ExpAvgSq.mul_(b2).addcmul_(grad, grad, omb2);
        using var sqrtBc2 = Math.Sqrt(bc2).ToScalar();
        using var epsS = eps.ToScalar();
        using var stepSize = (-(lr / bc1)).ToScalar();
        var denom = flat.ExpAvgSq.sqrt().div_(sqrtBc2).add_(epsS);
        flat.Param.addcdiv_(flat.ExpAvg, denom, stepSize);
        for (int i = 0; i < flat.Params.Length; i++)
            if (!(anyDead && IsNullGrad(flat.Params[i]))) flat.States[i].step = t;
        return true;
    }

    static bool IsNullGrad(Parameter p)
    {
        using var g = p.grad;
        return g is null;
    }

    (Scalar, Scalar, Scalar, Scalar) BetaScalars(double beta1, double beta2)
    {
        if (!_betaScalars.TryGetValue((beta1, beta2), out var s))
            _betaScalars[(beta1, beta2)] = s = (beta1.ToScalar(), (1 - beta1).ToScalar(), beta2.ToScalar(), (1 - beta2).ToScalar());
        return s;
    }

    /// <summary>TorchSharp's Adam update, one parameter at a time (on the same state tensors).</summary>
    void PerParameterStep(ParamGroup group)
    {
        var o = group.Options;
        double beta1 = o.beta1!.Value, beta2 = o.beta2!.Value, wd = o.weight_decay!.Value, eps = o.eps!.Value, lr = o.LearningRate!.Value;
        bool amsgrad = o.amsgrad!.Value, maximize = o.maximize!.Value;
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            state.step += 1;
            double bc1 = 1 - Math.Pow(beta1, state.step), bc2 = 1 - Math.Pow(beta2, state.step);
            if (wd != 0) grad = grad.add(param, alpha: wd);
            state.exp_avg.mul_(beta1).add_(grad, alpha: 1 - beta1);
            state.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value: 1 - beta2);
            Tensor denom;
            if (amsgrad)
            {
                state.max_exp_avg_sq ??= torch.zeros_like(state.exp_avg_sq).DetachFromDisposeScope();
                var max = torch.maximum(state.max_exp_avg_sq, state.exp_avg_sq);
                state.max_exp_avg_sq.copy_(max);
                denom = (state.max_exp_avg_sq.sqrt() / Math.Sqrt(bc2)).add_(eps);
            }
            else denom = (state.exp_avg_sq.sqrt() / Math.Sqrt(bc2)).add_(eps);
            param.addcdiv_(state.exp_avg, denom, value: -(lr / bc1));
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing); // disposes the state views
        if (!disposing) return;
        foreach (var f in _flats) f?.Dispose();
        _flats.Clear();
        foreach (var (a, b, c, d) in _betaScalars.Values) { a.Dispose(); b.Dispose(); c.Dispose(); d.Dispose(); }
        _betaScalars.Clear();
    }
}
