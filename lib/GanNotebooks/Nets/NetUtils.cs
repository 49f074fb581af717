using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Nets;

/// <summary>Small helpers on modules: parameter counts, gradient norms, freezing.</summary>
public static class NetUtils
{
    /// <summary>Number of scalar parameters (optionally only those with requires_grad).</summary>
    public static long ParameterCount(this Module module, bool trainableOnly = false)
    {
        ArgumentNullException.ThrowIfNull(module);
        long n = 0;
        foreach (var p in module.parameters())
            if (!trainableOnly || p.requires_grad) n += p.numel();
        return n;
    }

    /// <summary>
    /// Global L2 norm of the parameters' gradients, sqrt(Σ_p ‖∇p‖²), as a scalar tensor (no host sync).
    /// Parameters without a gradient count as 0. Returns a 0 scalar when no parameter has one.
    /// </summary>
    public static Tensor GradNormTensor(this Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return GradNormTensor(module.parameters());
    }

    /// <summary>‖∇‖₂ over all gradients of <paramref name="parameters"/> (a 0-d tensor; 0 when none has a gradient), e.g. an optimizer's parameter groups.</summary>
    public static Tensor GradNormTensor(IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var _ = torch.no_grad();
        // ‖(‖g₁‖, …, ‖gₙ‖)‖₂ = sqrt(Σ ‖gᵢ‖²): n + 2 kernel calls, cheap enough to log every step.
        var norms = new List<Tensor>();
        Device? dev = null;
        foreach (var p in parameters)
        {
            dev ??= p.device;
            var g = p.grad;
            if (g is null) continue;
            norms.Add(g.norm());
        }
        if (norms.Count == 0) return torch.zeros(Array.Empty<long>(), device: dev ?? torch.CPU);
        return torch.stack(norms).norm();
    }

    /// <summary>Global L2 norm of the parameters' gradients (0 when none has a gradient).</summary>
    public static double GradNorm(this Module module)
    {
        using var scope = torch.NewDisposeScope();
        return module.GradNormTensor().item<float>();
    }

    /// <summary>Sets requires_grad on every parameter.</summary>
    public static void SetRequiresGrad(this Module module, bool requiresGrad)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var p in module.parameters()) p.requires_grad = requiresGrad;
    }

    /// <summary>Stops gradients from reaching the module's parameters (requires_grad = false).</summary>
    public static void Freeze(this Module module) => module.SetRequiresGrad(false);

    /// <summary>Lets gradients reach the module's parameters again (requires_grad = true).</summary>
    public static void Unfreeze(this Module module) => module.SetRequiresGrad(true);

    /// <summary>Freezes the module until the returned object is disposed: <c>using (D.Frozen()) { … }</c>.</summary>
    public static IDisposable Frozen(this Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var saved = module.parameters().Select(p => (p, p.requires_grad)).ToList();
        foreach (var (p, _) in saved) p.requires_grad = false;
        return new Restore(() => { foreach (var (p, r) in saved) p.requires_grad = r; });
    }

    /// <summary>Copies of all parameters (detached clones), e.g. to check later that a step left them unchanged.</summary>
    public static Tensor[] SnapshotParameters(this Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var _ = torch.no_grad();
        return module.parameters().Select(p => p.detach().clone()).ToArray();
    }

    sealed class Restore(Action undo) : IDisposable
    {
        Action? _undo = undo;
        public void Dispose() { _undo?.Invoke(); _undo = null; }
    }
}
