using System.Numerics;
using System.Runtime.InteropServices;

namespace GanNotebooks.Core;

/// <summary>
/// The level-1 loops of the managed dense linear algebra (<see cref="SymmetricEigen"/>, the managed Fréchet
/// distance): dot product, y += αx and a plane rotation of two rows, on contiguous spans with SIMD vectors
/// (<see cref="Vector{T}"/>) and a scalar tail.
/// </summary>
internal static class VectorKernels
{
    /// <summary>Σ x_i y_i over spans of equal length.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length, i = 0;
        double s = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..x.Length]);
            var acc = Vector<double>.Zero;
            for (int k = 0; k < vx.Length; k++) acc += vx[k] * vy[k];
            s = Vector.Sum(acc);
            i = vx.Length * Vector<double>.Count;
        }
        for (; i < n; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>y ← y + αx over spans of equal length.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        if (alpha == 0) return;
        int n = x.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..x.Length]);
            var va = new Vector<double>(alpha);
            for (int k = 0; k < vx.Length; k++) vy[k] += va * vx[k];
            i = vx.Length * Vector<double>.Count;
        }
        for (; i < n; i++) y[i] += alpha * x[i];
    }

    /// <summary>(x, y) ← (c x − s y, s x + c y) element-wise: one plane rotation of two rows of equal length.</summary>
    public static void Rotate(Span<double> x, Span<double> y, double c, double s)
    {
        int n = x.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..x.Length]);
            var vc = new Vector<double>(c);
            var vs = new Vector<double>(s);
            for (int k = 0; k < vx.Length; k++)
            {
                var a = vx[k];
                var b = vy[k];
                vx[k] = vc * a - vs * b;
                vy[k] = vs * a + vc * b;
            }
            i = vx.Length * Vector<double>.Count;
        }
        for (; i < n; i++)
        {
            double a = x[i], b = y[i];
            x[i] = c * a - s * b;
            y[i] = s * a + c * b;
        }
    }
}
