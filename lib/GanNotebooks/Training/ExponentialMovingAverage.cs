using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Training;

/// <summary>
/// Exponential moving average of a module's weights, θ̄ ← d·θ̄ + (1 − d)·θ (Karras et al. 2018 use
/// d = 0.999 for the generator; Yazıcı et al. 2019 study it for GANs). Buffers (e.g. BatchNorm
/// running statistics) are copied, not averaged. The shadow copies live outside any dispose scope.
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    readonly Module _module;
    readonly List<(string Name, Tensor Source, Tensor Shadow, bool IsParameter)> _entries = new();

    /// <summary>Decay d in [0, 1).</summary>
    public double Decay { get; }

    /// <summary>Starts the average at the module's current weights.</summary>
    /// <param name="module">The module to follow (usually G).</param>
    /// <param name="decay">d in [0, 1).</param>
    public ExponentialMovingAverage(Module module, double decay)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!(decay >= 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "the EMA decay must be in [0, 1) (0.999 is usual).");
        _module = module;
        Decay = decay;
        using var _ = torch.no_grad();
        foreach (var (n, p) in module.named_parameters())
            _entries.Add((n, p, p.detach().clone().DetachFromDisposeScope(), true));
        foreach (var (n, b) in module.named_buffers())
            _entries.Add((n, b, b.detach().clone().DetachFromDisposeScope(), false));
    }

    /// <summary>One averaging step from the followed module's current weights.</summary>
    public void Update()
    {
        using var _ = torch.no_grad();
        foreach (var (_, src, shadow, isParam) in _entries)
        {
            if (isParam && shadow.is_floating_point()) shadow.mul_(Decay).add_(src, alpha: 1 - Decay);
            else shadow.copy_(src);
        }
    }

    /// <summary>Copies the averaged weights into <paramref name="target"/> (same architecture).</summary>
    public void CopyTo(Module target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var dst = Named(target);
        using var _ = torch.no_grad();
        foreach (var (n, _, shadow, _) in _entries)
        {
            if (!dst.TryGetValue(n, out var t))
                throw new ArgumentException($"target module has no tensor '{n}'; CopyTo needs the same architecture as the averaged module.", nameof(target));
            t.copy_(shadow);
        }
    }

    /// <summary>
    /// Puts the averaged weights into the followed module until the result is disposed, then restores
    /// the training weights: <c>using (ema.Apply()) samples = G.call(z);</c>.
    /// </summary>
    public IDisposable Apply()
    {
        Tensor[] backup;
        using (torch.no_grad())
        {
            backup = _entries.Select(e => e.Source.detach().clone().DetachFromDisposeScope()).ToArray();
            foreach (var e in _entries) e.Source.copy_(e.Shadow);
        }
        return new Restorer(() =>
        {
            using (torch.no_grad())
                for (int i = 0; i < backup.Length; i++) { _entries[i].Source.copy_(backup[i]); backup[i].Dispose(); }
        });
    }

    internal void Write(BinaryWriter w)
    {
        w.Write(_entries.Count);
        foreach (var e in _entries) { w.Write(e.Name); e.Shadow.Save(w); }
    }

    internal void Read(BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n != _entries.Count) throw new InvalidDataException($"checkpoint EMA has {n} tensors, this generator has {_entries.Count}: different architecture.");
        for (int i = 0; i < n; i++)
        {
            var name = r.ReadString();
            if (name != _entries[i].Name) throw new InvalidDataException($"checkpoint EMA tensor '{name}' where '{_entries[i].Name}' was expected: different architecture.");
            using var _ = torch.no_grad();
            _entries[i].Shadow.Load(r);
        }
    }

    static Dictionary<string, Tensor> Named(Module m)
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (n, p) in m.named_parameters()) d[n] = p;
        foreach (var (n, b) in m.named_buffers()) d[n] = b;
        return d;
    }

    /// <summary>Frees the shadow tensors.</summary>
    public void Dispose()
    {
        foreach (var e in _entries) e.Shadow.Dispose();
        _entries.Clear();
    }

    sealed class Restorer(Action undo) : IDisposable
    {
        Action? _undo = undo;
        public void Dispose() { _undo?.Invoke(); _undo = null; }
    }
}
