using GanNotebooks.Evaluation;
using GanNotebooks.Nets;
using GanNotebooks.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Tests.Evaluation;

/// <summary>D(x) = ½‖x‖² per sample (no parameters): ∇D(x) = x.</summary>
sealed class QuadraticCritic : nn.Module<Tensor, Tensor>
{
    public QuadraticCritic() : base(nameof(QuadraticCritic)) => RegisterComponents();
    public override Tensor forward(Tensor x) => 0.5 * x.reshape(x.shape[0], -1).square().sum(1);
}

public class CriticDiagnosticsTests
{
    /// <summary>nn.Linear(d, 1) with the given weights and bias; forward squeezes to [B].</summary>
    static nn.Module<Tensor, Tensor> Linear(float[] w, float b)
    {
        var fc = nn.Linear(w.Length, 1);
        using (torch.no_grad())
        {
            fc.weight!.copy_(torch.tensor(w).reshape(1, w.Length));
            fc.bias!.fill_(b);
        }
        return nn.Sequential(("fc", fc), ("flat", nn.Flatten(0)));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.5)]
    public void InterpolateNormsOfALinearCriticAreItsWeightNormForEverySample(double norm)
    {
        using var s = torch.NewDisposeScope();
        var w = new float[] { 3, 4, 0, 0 }.Select(v => (float)(v / 5 * norm)).ToArray();
        var critic = Linear(w, 0.7f);
        var real = torch.randn(8, 4);
        var fake = torch.randn(8, 4);
        var norms = CriticDiagnostics.InterpolateGradientNorms(critic, real, fake);
        Assert.Equal(8, norms.Length);
        Assert.All(norms, n => Assert.Equal(norm, n, 4));
        var summary = CriticDiagnostics.Summarize(norms);
        Assert.Equal(norm, summary.Mean, 4);
        Assert.Equal(norm == 1.0 ? 1.0 : 0.0, summary.FractionNearOne);
        // nothing trained: the module has no gradients afterwards
        Assert.All(critic.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void InterpolateNormsArePerSampleOverAllDimsAtTheInterpolates()
    {
        using var s = torch.NewDisposeScope();
        // ∇(½‖x‖²) = x, so the norms are ‖x̂_b‖ over C·H·W, at the ε drawn from the generator
        var real = torch.randn(5, 2, 3, 3);
        var fake = torch.randn(5, 2, 3, 3);
        var norms = CriticDiagnostics.InterpolateGradientNorms(new QuadraticCritic(), real, fake, new torch.Generator(17));
        var xHat = Regularizers.Interpolate(real, fake, new torch.Generator(17));
        var expected = xHat.reshape(5, -1).norm(1).to_type(ScalarType.Float64).data<double>().ToArray();
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], norms[i], 4);
        var atPoints = CriticDiagnostics.GradientNorms(new QuadraticCritic(), real);
        Assert.Equal(real.reshape(5, -1).norm(1)[2].item<float>(), atPoints[2], 4);
    }

    [Fact]
    public void SummaryOfKnownNorms()
    {
        var s = CriticDiagnostics.Summarize(new[] { 0.5, 0.95, 1.0, 1.05, 3.0 }, tolerance: 0.1);
        Assert.Equal(5, s.Count);
        Assert.Equal(1.3, s.Mean, 12);
        Assert.Equal(1.0, s.Median);
        Assert.Equal((0.5, 3.0), (s.Min, s.Max));
        Assert.Equal(0.6, s.FractionNearOne, 12);
        Assert.Equal(Math.Sqrt((0.64 + 0.1225 + 0.09 + 0.0625 + 2.89) / 5), s.Std, 12);
        Assert.Throws<ArgumentException>(() => CriticDiagnostics.Summarize(Array.Empty<double>()));
    }

    [Fact]
    public void ClipReportCountsWeightsAtTheBound()
    {
        using var s = torch.NewDisposeScope();
        // weights {0.01, −0.01, 0.005, 0.00999} and bias 0.01 with c = 0.01: 3 of 4 weights (0.00999 is within
        // the 1e-3 relative tolerance) and the bias are at the bound
        var critic = Linear(new[] { 0.01f, -0.01f, 0.005f, 0.00999f }, 0.01f);
        var r = CriticDiagnostics.ClipReport(critic, 0.01);
        Assert.Equal((5L, 4L), (r.Count, r.AtBoundary));
        Assert.Equal(0.8, r.FractionAtBoundary, 12);
        Assert.Equal(0.01, r.MaxAbs, 6);
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, r.Layers.Select(l => l.Name));
        Assert.Equal(0.75, r.Layers[0].FractionAtBoundary, 12);
        // with a larger bound nothing is pinned
        Assert.Equal(0, CriticDiagnostics.ClipReport(critic, 0.1).AtBoundary);
        Assert.Throws<ArgumentOutOfRangeException>(() => CriticDiagnostics.ClipReport(critic, 0));
        // weights for a histogram: all 5 entries, or the 4 matrix entries only
        Assert.Equal(5, CriticDiagnostics.Weights(critic).Length);
        Assert.Equal(4, CriticDiagnostics.Weights(critic, weightsOnly: true).Length);
    }

    [Fact]
    public void LayerGradientNormsOfALinearCriticAreTheMeanDifference()
    {
        using var s = torch.NewDisposeScope();
        // L = E[w·x̃ + b] − E[w·x + b] ⇒ ∂L/∂w = mean(x̃) − mean(x)
        var critic = Linear(new[] { 0.3f, -0.2f }, 0.1f);
        var real = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);   // mean (2, 3)
        var fake = torch.tensor(new float[] { 0, 0, 2, -2, 1, 2 }).reshape(3, 2); // mean (1, 0)
        var norms = CriticDiagnostics.LayerGradientNorms(critic, real, fake);
        Assert.Single(norms);
        Assert.Equal("fc.weight", norms[0].Name);
        Assert.Equal(Math.Sqrt(1 + 9), norms[0].Norm, 5);
        Assert.All(critic.parameters(), p => Assert.Null(p.grad));
        // a deeper critic reports one norm per weight matrix, input layer first
        var mlp = new MlpDiscriminator(2, hidden: 4, depth: 3);
        var deep = CriticDiagnostics.LayerGradientNorms(mlp, real, fake);
        Assert.Equal(4, deep.Count);
        Assert.EndsWith("0.weight", deep[0].Name);
    }

    [Fact]
    public void FieldGivesValuesAndGradientsInChunks()
    {
        using var s = torch.NewDisposeScope();
        var critic = Linear(new[] { 0.6f, -0.8f }, 0.5f);
        var pts = new double[7, 2];
        for (int i = 0; i < 7; i++) { pts[i, 0] = i; pts[i, 1] = -i * 0.5; }
        var f = CriticDiagnostics.Field(critic, pts, chunk: 3);
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal(0.6 * i + 0.8 * 0.5 * i + 0.5, f.Values[i], 4);
            Assert.Equal(0.6, f.Gradients[i, 0], 5);
            Assert.Equal(-0.8, f.Gradients[i, 1], 5);
            Assert.Equal(1.0, f.GradientNorms[i], 5);
        }
        var q = CriticDiagnostics.Field(new QuadraticCritic(), pts, chunk: 4);
        Assert.Equal(0.5 * (9 + 2.25), q.Values[3], 5);
        Assert.Equal(-1.5, q.Gradients[3, 1], 5);
    }

    [Fact]
    public void EstimateIsTheMeanScoreDifference()
    {
        using var s = torch.NewDisposeScope();
        var critic = Linear(new[] { 1f, 0f }, 3f);
        var real = torch.tensor(new float[] { 2, 9, 4, 9 }).reshape(2, 2);  // D = 5, 7
        var fake = torch.tensor(new float[] { 0, 1, 1, 1, -1, 1 }).reshape(3, 2); // D = 3, 4, 2
        Assert.Equal(6 - 3, CriticDiagnostics.Estimate(critic, real, fake), 5);
    }

}
