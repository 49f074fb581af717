using System.Text.Json.Nodes;
using GanNotebooks.Core;
using GanNotebooks.Data.Toy;
using GanNotebooks.Nets;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Variants.Standard;
using GanNotebooks.Viz;
using TorchSharp;
using static TorchSharp.torch;
using static GanNotebooks.Tests.Training.TrainerTestKit;

namespace GanNotebooks.Tests.Viz;

public class Playground2DTests
{
    static readonly GaussianMixture2D Ring = GaussianMixture2D.Ring(8, 2.0, 0.05);

    static GanTrainer Toy(long seed)
    {
        Seeding.Seed(seed);
        var data = Seeds.Stream(seed, "data");
        return new GanTrainer(new MlpGenerator(2, 2, hidden: 16, depth: 2), new MlpDiscriminator(2, hidden: 16, depth: 2), new NonSaturatingGan(),
            b => Ring.Sample(b, data), Latent.Normal(2, torch.CPU, Seeds.Stream(seed, "latent")), GanTrainerConfig.Toy with { BatchSize = 32, Device = torch.CPU });
    }

    [Fact]
    public void The_figure_has_a_frame_per_capture_a_slider_a_play_button_and_stays_small()
    {
        using var scope = torch.NewDisposeScope();
        using var t = Toy(1);
        using var pg = new Playground2D(t, Ring.Sample(300, Seeding.Generator(5)).ToMatrix(), 2, Box2D.Square(3),
            new PlaygroundOptions { Resolution = 16, Samples = 64 });
        pg.Train(20, captures: 4);
        Assert.Equal(new[] { 0, 5, 10, 15, 20 }, pg.Frames.Select(f => f.Step));
        var chart = pg.Figure();
        var fig = JsonNode.Parse(chart.FigureJson)!;
        Assert.Equal(5, fig["data"]!.AsArray().Count);                                 // surface, real, generated, arrows, warped grid
        Assert.Equal("heatmap", (string)fig["data"]![0]!["type"]!);
        Assert.Equal(16, fig["data"]![0]!["z"]!.AsArray().Count);
        Assert.Equal(5, fig["frames"]!.AsArray().Count);
        Assert.Equal(new[] { "0", "5", "10", "15", "20" }, fig["frames"]!.AsArray().Select(f => (string)f!["name"]!));
        Assert.Equal(5, fig["layout"]!["sliders"]![0]!["steps"]!.AsArray().Count);
        Assert.Equal("animate", (string)fig["layout"]!["updatemenus"]![0]!["buttons"]![0]!["method"]!);
        Assert.Contains("null", fig["data"]![3]!["x"]!.ToJsonString());              // NaN gaps between arrows are JSON nulls
        Assert.InRange(chart.Bytes, 1000, 200_000);
        var html = Formatters.ChartHtml(chart.FigureJson);                              // the chart without plotly.js (inlined once per session)
        Assert.Contains("gankit-plotly", html);
        Assert.Contains("\"frames\"", html);
        Assert.DoesNotContain("http", html);                                             // offline: nothing fetched from the network
    }

    [Fact]
    public void Recording_does_not_change_the_training_numbers()
    {
        using var scope = torch.NewDisposeScope();
        using var plain = Toy(2);
        plain.Train(12);
        using var watched = Toy(2);
        using var pg = new Playground2D(watched, Ring.Sample(100, Seeding.Generator(5)).ToMatrix(), 2, Box2D.Square(3), new PlaygroundOptions { Resolution = 8, Samples = 32 });
        pg.Train(12, captures: 3);
        Assert.True(Same(Weights(plain.G), Weights(watched.G)));
        Assert.True(Same(Weights(plain.D), Weights(watched.D)));
    }

    sealed class LinearD : nn.Module<Tensor, Tensor>
    {
        readonly TorchSharp.Modules.Linear lin = nn.Linear(2, 1);
        public LinearD() : base(nameof(LinearD))
        {
            using (torch.no_grad()) { lin.weight!.copy_(torch.tensor(new float[,] { { 1.5f, -0.5f } })); lin.bias!.fill_(0.25f); }
            RegisterComponents();
        }
        public override Tensor forward(Tensor x) => lin.call(x);
    }

    [Fact]
    public void The_arrows_are_minus_the_gradient_of_the_non_saturating_loss_and_the_surface_is_sigmoid_D()
    {
        using var scope = torch.NewDisposeScope();
        Seeding.Seed(3);
        var g = new MlpGenerator(2, 2, hidden: 8, depth: 1);
        var d = new LinearD();
        using var t = new GanTrainer(g, d, new NonSaturatingGan(), b => torch.randn(b, 2), Latent.Normal(2, torch.CPU), GanTrainerConfig.Toy with { Device = torch.CPU });
        using var pg = new Playground2D(t, new double[,] { { 0, 0 } }, 2, Box2D.Square(1), new PlaygroundOptions { Resolution = 3, Samples = 8 });
        var f = pg.Capture();
        for (int i = 0; i < 8; i++)
        {
            // D(x) = 1.5 x₁ − 0.5 x₂ + 0.25; −∇ₓ softplus(−D) = σ(−D)·(1.5, −0.5)
            double dx = 1.5 * f.Fake[i, 0] - 0.5 * f.Fake[i, 1] + 0.25, s = 1 / (1 + Math.Exp(dx));
            Assert.Equal(1.5 * s, f.Push[i, 0], 5);
            Assert.Equal(-0.5 * s, f.Push[i, 1], 5);
        }
        // the grid's corner (−1, −1): σ(−1.5 + 0.5 + 0.25)
        Assert.Equal(1 / (1 + Math.Exp(0.75)), f.Surface[0], 5);
        Assert.Contains("64", Assert.Throws<ArgumentOutOfRangeException>(() => new Playground2D(t, new double[,] { { 0, 0 } }, 2, Box2D.Square(1), new PlaygroundOptions { Resolution = 100 })).Message);
        Assert.Throws<InvalidOperationException>(() => new Playground2D(t, new double[,] { { 0, 0 } }, 2, Box2D.Square(1)).Figure());
    }
}
