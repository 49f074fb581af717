using GanNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Core;

/// <summary>
/// Conversions between tensors and the double arrays the numeric cores (Theory, Metrics, Viz) use,
/// so those cores stay free of torch and easy to test.
/// </summary>
public static class TensorArrays
{
    /// <summary>A 2D tensor [n, d] (any float dtype, any device) copied into a double[n, d].</summary>
    public static double[,] ToMatrix(this Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.dim() != 2) throw new ArgumentException($"Expected a tensor of shape [n, d]; got shape {Shapes.Of(t)}. Use reshape(n, -1) first.", nameof(t));
        using var cpu = t.detach().to(ScalarType.Float64, torch.CPU).contiguous();
        var flat = cpu.data<double>().ToArray();
        var m = new double[t.shape[0], t.shape[1]];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }

    /// <summary>Any tensor flattened into a double[] (e.g. [n] or [n, 1] samples of a 1D distribution).</summary>
    public static double[] ToVector(this Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        using var cpu = t.detach().to(ScalarType.Float64, torch.CPU).contiguous().reshape(-1);
        return cpu.data<double>().ToArray();
    }

    /// <summary>A double[n, d] as a tensor [n, d] (float32 by default) on <paramref name="device"/> (default <see cref="Devices.Current"/>).</summary>
    public static Tensor ToTensor(this double[,] m, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(m);
        NativeRuntime.EnsureLoadable();
        var flat = new double[m.Length];
        Buffer.BlockCopy(m, 0, flat, 0, flat.Length * sizeof(double));
        using var cpu = torch.tensor(flat, new long[] { m.GetLength(0), m.GetLength(1) }, dtype: ScalarType.Float64);
        return cpu.to(dtype, device ?? Devices.Current);
    }

    /// <summary>Column <paramref name="j"/> of a matrix.</summary>
    public static double[] Column(this double[,] m, int j)
    {
        ArgumentNullException.ThrowIfNull(m);
        var c = new double[m.GetLength(0)];
        for (int i = 0; i < c.Length; i++) c[i] = m[i, j];
        return c;
    }
}
