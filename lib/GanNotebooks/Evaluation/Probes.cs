using GanNotebooks.Core;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Evaluation;

/// <summary>
/// Looking inside G and D without training them: D's probabilities on a grid (to overlay on the
/// analytic D* or draw a heatmap), G's map on a latent grid, and the gradient a generator loss would
/// send to G's weights. Every probe runs the network in eval mode, restores the previous mode, and
/// leaves no gradients behind.
/// </summary>
public static class Probes
{
    /// <summary>
    /// σ(D(x)) at each point of a 1D grid: D takes x [n, 1] and returns logits [n] or [n, 1].
    /// Result has the grid's length (probabilities in [0, 1]).
    /// </summary>
    /// <param name="discriminator">D: x [n, 1] → logits.</param>
    /// <param name="grid">The x values.</param>
    /// <param name="device">Where D lives (default <see cref="Devices.Current"/>).</param>
    public static double[] Probabilities(Module<Tensor, Tensor> discriminator, IReadOnlyList<double> grid, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var m = new double[grid.Count, 1];
        for (int i = 0; i < grid.Count; i++) m[i, 0] = grid[i];
        return Probabilities(discriminator, m, device);
    }

    /// <summary>σ(D(x)) for each row of <paramref name="points"/> [n, d] (e.g. <c>Box2D.GridPoints(100)</c> for a heatmap).</summary>
    /// <param name="discriminator">D: x [n, d] → logits [n] or [n, 1].</param>
    /// <param name="points">Points [n, d].</param>
    /// <param name="device">Where D lives (default <see cref="Devices.Current"/>).</param>
    public static double[] Probabilities(Module<Tensor, Tensor> discriminator, double[,] points, Device? device = null)
        => Outputs(discriminator, points, device, torch.sigmoid);

    /// <summary>D's raw outputs (logits or critic scores) for each row of <paramref name="points"/> [n, d].</summary>
    public static double[] Logits(Module<Tensor, Tensor> discriminator, double[,] points, Device? device = null)
        => Outputs(discriminator, points, device, t => t);

    /// <summary>
    /// G applied to latent points z [m, zDim] in eval mode without gradients: returns x [m, xDim] as
    /// doubles (e.g. a latent line for <c>Charts.GeneratorMap1D</c> or <c>Charts.GeneratorManifold</c>).
    /// </summary>
    public static double[,] Generate(Module<Tensor, Tensor> generator, double[,] z, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(z);
        using var scope = torch.NewDisposeScope();
        using var eval = EvalMode(generator);
        using var _ = torch.no_grad();
        var x = generator.call(z.ToTensor(device ?? Devices.Current));
        return x.reshape(x.shape[0], -1).ToMatrix();
    }

    /// <summary>
    /// ‖∇_θG L_G‖₂: the global L2 norm of the gradient that the generator loss
    /// <paramref name="generatorLoss"/>(D(G(z))) sends to G's parameters, for a fixed latent batch
    /// <paramref name="z"/> [B, zDim]. Neither network is changed and no gradient is left on either
    /// (D's parameters are frozen during the call). Used to compare the saturating loss
    /// log(1 − D(G(z))) with the non-saturating −log D(G(z)) as D gets stronger (Goodfellow et al. 2014,
    /// §3; Arjovsky &amp; Bottou 2017, §2.2).
    /// </summary>
    /// <param name="generator">G: z → x.</param>
    /// <param name="discriminator">D: x → logits.</param>
    /// <param name="z">Latent batch [B, zDim] on G's device.</param>
    /// <param name="generatorLoss">Fake logits → scalar loss, e.g. <c>GanLosses.GeneratorSaturating</c>.</param>
    public static double GeneratorGradientNorm(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> discriminator, Tensor z, Func<Tensor, Tensor> generatorLoss)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(discriminator);
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(generatorLoss);
        using var scope = torch.NewDisposeScope();
        using var frozen = discriminator.Frozen();
        generator.zero_grad();
        try
        {
            var loss = generatorLoss(discriminator.call(generator.call(z)));
            if (loss.numel() != 1) throw new ArgumentException($"generatorLoss returned shape {Shapes.Of(loss)}; it must return a scalar (use .mean()).", nameof(generatorLoss));
            loss.backward();
            return generator.GradNormTensor().to_type(ScalarType.Float64).item<double>();
        }
        finally { generator.zero_grad(); }
    }

    static double[] Outputs(Module<Tensor, Tensor> discriminator, double[,] points, Device? device, Func<Tensor, Tensor> map)
    {
        ArgumentNullException.ThrowIfNull(discriminator);
        ArgumentNullException.ThrowIfNull(points);
        if (points.GetLength(0) == 0) return Array.Empty<double>();
        using var scope = torch.NewDisposeScope();
        using var eval = EvalMode(discriminator);
        using var _ = torch.no_grad();
        var y = discriminator.call(points.ToTensor(device ?? Devices.Current));
        if (y.numel() != points.GetLength(0))
            throw new ArgumentException($"D returned shape {Shapes.Of(y)} for {points.GetLength(0)} points; it must return one output per point ([n] or [n, 1]).", nameof(discriminator));
        return map(y).ToVector();
    }

    static IDisposable EvalMode(Module module)
    {
        bool was = module.training;
        module.eval();
        return new Restore(() => module.train(was));
    }

    sealed class Restore(Action undo) : IDisposable
    {
        Action? _undo = undo;
        public void Dispose() { _undo?.Invoke(); _undo = null; }
    }
}
