using System.Globalization;
using System.Text;
using System.Text.Json;
using GanNotebooks.Core;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Viz;

/// <summary>A Plotly figure with frames, a slider and a play button (the 2-D playground's output); displays offline like every kit chart.</summary>
public sealed class AnimatedChart
{
    internal AnimatedChart(string figureJson, int frames) { FigureJson = figureJson; Frames = frames; }

    /// <summary>The figure as JSON: {data, layout, config, frames}.</summary>
    public string FigureJson { get; }

    /// <summary>Number of frames.</summary>
    public int Frames { get; }

    /// <summary>Size of the figure's JSON in bytes (what the chart adds to a notebook, plotly.js aside).</summary>
    public int Bytes => Encoding.UTF8.GetByteCount(FigureJson);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"<animated Plotly chart: {Frames} frames, {Bytes / 1024.0:F0} KiB>");
}

/// <summary>Bounds and looks of a <see cref="Playground2D"/>; with the defaults a frame adds about 20 KB (notebook 01: 16 frames, 330 KB).</summary>
public sealed record PlaygroundOptions
{
    /// <summary>Grid points per axis of D's surface (2–64).</summary>
    public int Resolution { get; init; } = 28;
    /// <summary>Generated samples drawn per frame, from fixed latents (1–1024); real samples shown likewise.</summary>
    public int Samples { get; init; } = 128;
    /// <summary>Most frames a figure keeps (2–60); more captures are thinned evenly, the first and last kept.</summary>
    public int MaxFrames { get; init; } = 16;
    /// <summary>True: the surface is σ(D(x)) and the arrows −∇ₓ of the non-saturating loss softplus(−D); false: a critic's raw score f(x) and ∇ₓf (WGAN).</summary>
    public bool Probability { get; init; } = true;
    /// <summary>Draw the latent grid warped into data space (only for a 2-D latent).</summary>
    public bool LatentGrid { get; init; } = true;
    /// <summary>Seed of the playground's own latents (named stream "playground latents"; training's streams are not touched).</summary>
    public long Seed { get; init; }

    internal void Validate()
    {
        if (Resolution is < 2 or > 64) throw new ArgumentOutOfRangeException(nameof(Resolution), Resolution, "the surface's resolution must be 2–64 points per axis (a frame holds Resolution² values).");
        if (Samples is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(Samples), Samples, "show 1–1024 samples per frame.");
        if (MaxFrames is < 2 or > 60) throw new ArgumentOutOfRangeException(nameof(MaxFrames), MaxFrames, "keep 2–60 frames (each adds Resolution² + 8·Samples numbers to the notebook).");
    }
}

/// <summary>One captured moment of a 2-D GAN.</summary>
/// <param name="Step">The trainer's step.</param>
/// <param name="Fake">G's samples of the fixed latents [n, 2].</param>
/// <param name="Surface">D's surface on the grid, y-major (Resolution² values).</param>
/// <param name="Push">The direction G's samples are pushed, −∇ₓ of G's loss at each sample [n, 2].</param>
/// <param name="Warped">The latent grid's lines mapped by G (x, y with NaN between lines), or null.</param>
public sealed record PlaygroundFrame(int Step, double[,] Fake, double[] Surface, double[,] Push, (double[] X, double[] Y)? Warped);

/// <summary>
/// The 2-D playground (GAN Lab's view, recorded from a real run): a <see cref="Trainer"/> with networks "G" (z → x ∈ ℝ²) and
/// "D" (x → one logit or score) is stepped with <see cref="Train"/>, and at each capture the playground records D's surface
/// on a grid, G's samples of fixed latents, the push G's loss gives each sample (arrows), and — for a 2-D latent — the latent
/// grid warped into data space. <see cref="Figure"/> is one Plotly chart with a frame per capture, a slider and a play
/// button, offline in Jupyter, VS Code and the HTML report. It reads the networks in eval mode and draws its latents from
/// its own stream, so recording does not change the training numbers.
/// </summary>
public sealed class Playground2D : IDisposable
{
    readonly Trainer _trainer;
    readonly Module<Tensor, Tensor> _g, _d;
    readonly double[,] _real;
    readonly Tensor _z;
    readonly Tensor _grid;
    readonly Tensor? _latentLines;
    readonly int _lineCount, _linePoints;
    readonly List<PlaygroundFrame> _frames = new();

    /// <summary>Sets up the playground; nothing is trained or captured yet.</summary>
    /// <param name="trainer">A trainer whose plan has "G" (z [B, latentDim] → x [B, 2]) and "D" (x [B, 2] → [B] or [B, 1]).</param>
    /// <param name="real">Real samples [n, 2] to show (e.g. <c>mixture.Sample(512, gen).ToMatrix()</c>); at most <see cref="PlaygroundOptions.Samples"/> are drawn.</param>
    /// <param name="latentDim">G's latent size (N(0, I) latents; a 2-D latent also gets its warped grid).</param>
    /// <param name="box">The plotted region (D's surface is evaluated on it).</param>
    /// <param name="options">Bounds and looks.</param>
    public Playground2D(Trainer trainer, double[,] real, int latentDim, Box2D box, PlaygroundOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(real);
        Options = options ?? new PlaygroundOptions();
        Options.Validate();
        if (latentDim < 1) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "the latent size must be ≥ 1.");
        if (real.GetLength(1) != 2) throw new ArgumentException($"real samples must be [n, 2]; got [{real.GetLength(0)}, {real.GetLength(1)}]. The playground shows 2-D data.", nameof(real));
        _trainer = trainer;
        _g = trainer.Network("G") as Module<Tensor, Tensor> ?? throw new ArgumentException("the trainer's \"G\" is not a Module<Tensor, Tensor>.", nameof(trainer));
        _d = trainer.Network("D") as Module<Tensor, Tensor> ?? throw new ArgumentException("the trainer's \"D\" is not a Module<Tensor, Tensor>.", nameof(trainer));
        Box = box;
        int n = Math.Min(Options.Samples, real.GetLength(0));
        _real = new double[n, 2];
        for (int i = 0; i < n; i++) { _real[i, 0] = real[i, 0]; _real[i, 1] = real[i, 1]; }
        using var gen = Seeds.Stream(Options.Seed, "playground latents");
        _z = torch.randn(new long[] { Options.Samples, latentDim }, generator: gen).DetachFromDisposeScope();
        _grid = torch.tensor(box.GridPoints(Options.Resolution), dtype: ScalarType.Float32).DetachFromDisposeScope();
        if (latentDim == 2 && Options.LatentGrid)
        {
            // 9 lines each way over [−2.5, 2.5]², 25 points per line: z-space's grid, mapped by G into data space.
            _lineCount = 18; _linePoints = 25;
            var lines = new float[_lineCount * _linePoints * 2];
            for (int l = 0; l < _lineCount; l++)
                for (int p = 0; p < _linePoints; p++)
                {
                    float a = -2.5f + 5f * (l % 9) / 8, b = -2.5f + 5f * p / (_linePoints - 1);
                    int k = (l * _linePoints + p) * 2;
                    (lines[k], lines[k + 1]) = l < 9 ? (a, b) : (b, a);
                }
            _latentLines = torch.tensor(lines, new long[] { _lineCount * _linePoints, 2 }).DetachFromDisposeScope();
        }
    }

    /// <summary>The bounds and looks.</summary>
    public PlaygroundOptions Options { get; }

    /// <summary>The plotted region.</summary>
    public Box2D Box { get; }

    /// <summary>The captures so far.</summary>
    public IReadOnlyList<PlaygroundFrame> Frames => _frames;

    /// <summary>
    /// The stepping API: captures the current state if nothing was captured yet, then trains <paramref name="steps"/> iterations
    /// in <paramref name="captures"/> equal chunks (the Trainer's own loop, monitors and all), capturing after each. Returns this.
    /// </summary>
    public Playground2D Train(int steps, int captures, CancellationToken cancellation = default)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative.");
        if (captures < 1) throw new ArgumentOutOfRangeException(nameof(captures), captures, "capture at least once.");
        if (_frames.Count == 0) Capture();
        int done = 0;
        for (int c = 1; c <= captures && !cancellation.IsCancellationRequested; c++)
        {
            int next = (int)Math.Round(steps * (double)c / captures);
            if (next > done) _trainer.Train(next - done, cancellation);
            done = next;
            Capture();
        }
        return this;
    }

    /// <summary>Records the current state as a frame (networks in eval mode, restored afterwards).</summary>
    public PlaygroundFrame Capture()
    {
        using var scope = torch.NewDisposeScope();
        var device = _trainer.Device;
        bool gWas = _g.training, dWas = _d.training;
        _g.eval(); _d.eval();
        try
        {
            Tensor fake;
            double[] surface;
            (double[] X, double[] Y)? warped = null;
            using (torch.no_grad())
            {
                fake = _g.call(_z.to(device)).detach();
                var s = Flatten(_d.call(_grid.to(device)), _grid.shape[0]);
                surface = ToDoubles(Options.Probability ? torch.sigmoid(s) : s);
                if (_latentLines is not null) warped = Lines(_g.call(_latentLines.to(device)).cpu());
            }
            if (fake.dim() != 2 || fake.shape[1] != 2) throw new InvalidOperationException($"G returned {Shapes.Of(fake)}; the playground needs 2-D samples [n, 2].");
            Tensor push;
            using (torch.enable_grad())
            {
                var x = fake.clone().requires_grad_(true);
                var score = Flatten(_d.call(x), x.shape[0]);
                // The loss G minimizes on its samples: non-saturating softplus(−D) or the critic's −f. Its −∇ₓ is where G moves them.
                var loss = Options.Probability ? functional.softplus(-score).sum() : (-score).sum();
                push = -torch.autograd.grad(new[] { loss }, new[] { x })[0];
            }
            var frame = new PlaygroundFrame(_trainer.Step, fake.cpu().ToMatrix(), surface, push.cpu().ToMatrix(), warped);
            _frames.Add(frame);
            return frame;
        }
        finally { _g.train(gWas); _d.train(dWas); }
    }

    static Tensor Flatten(Tensor scores, long n)
    {
        if (scores.numel() != n) throw new InvalidOperationException($"D returned {Shapes.Of(scores)} for {n} points; the playground needs one score per point ([B] or [B, 1]).");
        return scores.reshape(n).to(ScalarType.Float32);
    }

    static double[] ToDoubles(Tensor t) => t.cpu().to(ScalarType.Float64).data<double>().ToArray();

    (double[] X, double[] Y) Lines(Tensor mapped)
    {
        var m = mapped.ToMatrix();
        var x = new List<double>(); var y = new List<double>();
        for (int l = 0; l < _lineCount; l++)
        {
            for (int p = 0; p < _linePoints; p++) { x.Add(m[l * _linePoints + p, 0]); y.Add(m[l * _linePoints + p, 1]); }
            x.Add(double.NaN); y.Add(double.NaN);
        }
        return (x.ToArray(), y.ToArray());
    }

    /// <summary>
    /// One Plotly figure: D's surface (heat map), real samples, G's samples, the arrows (longest arrow of the whole run = 8 % of
    /// the box's width, so lengths compare across frames), the warped latent grid; a frame per kept capture, a slider and a
    /// play button. At most <see cref="PlaygroundOptions.MaxFrames"/> frames.
    /// </summary>
    public AnimatedChart Figure(string title = "2-D playground: D's surface, real and generated samples, and where G's loss pushes them")
    {
        if (_frames.Count == 0) throw new InvalidOperationException("nothing captured yet: call Train(steps, captures) or Capture() first.");
        var kept = Thin(_frames, Options.MaxFrames);
        double maxPush = kept.SelectMany(f => Norms(f.Push)).DefaultIfEmpty(0).Max();
        double scale = maxPush > 0 ? 0.08 * (Box.XMax - Box.XMin) / maxPush : 0;
        var (xs, ys) = Box.Axes(Options.Resolution);
        double zmin = Options.Probability ? 0 : kept.Min(f => f.Surface.Where(double.IsFinite).DefaultIfEmpty(0).Min());
        double zmax = Options.Probability ? 1 : kept.Max(f => f.Surface.Where(double.IsFinite).DefaultIfEmpty(0).Max());
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WritePropertyName("data");
            w.WriteStartArray();
            WriteTraces(w, kept[0], xs, ys, scale, zmin, zmax, full: true);
            w.WriteEndArray();
            w.WritePropertyName("frames");
            w.WriteStartArray();
            foreach (var f in kept)
            {
                w.WriteStartObject();
                w.WriteString("name", Label(f));
                w.WritePropertyName("data");
                w.WriteStartArray();
                WriteTraces(w, f, xs, ys, scale, zmin, zmax, full: false);
                w.WriteEndArray();
                w.WritePropertyName("traces");
                w.WriteStartArray();
                for (int i = 0; i < TraceCount; i++) if (i != 1) w.WriteNumberValue(i);   // the real samples do not change
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteLayout(w, title, kept);
            w.WritePropertyName("config");
            w.WriteStartObject(); w.WriteBoolean("responsive", true); w.WriteEndObject();
            w.WriteEndObject();
        }
        return new AnimatedChart(Encoding.UTF8.GetString(ms.ToArray()), kept.Count);
    }

    int TraceCount => _latentLines is null ? 4 : 5;

    static string Label(PlaygroundFrame f) => f.Step.ToString(CultureInfo.InvariantCulture);

    static IEnumerable<double> Norms(double[,] v)
    {
        for (int i = 0; i < v.GetLength(0); i++)
        {
            double n = Math.Sqrt(v[i, 0] * v[i, 0] + v[i, 1] * v[i, 1]);
            if (double.IsFinite(n)) yield return n;
        }
    }

    internal static List<PlaygroundFrame> Thin(IReadOnlyList<PlaygroundFrame> frames, int max)
    {
        if (frames.Count <= max) return frames.ToList();
        return Enumerable.Range(0, max).Select(i => (int)Math.Round(i * (frames.Count - 1) / (double)(max - 1))).Distinct().Select(i => frames[i]).ToList();
    }

    void WriteTraces(Utf8JsonWriter w, PlaygroundFrame f, double[] xs, double[] ys, double scale, double zmin, double zmax, bool full)
    {
        int r = Options.Resolution;
        // 0: D's surface
        w.WriteStartObject();
        if (full)
        {
            w.WriteString("type", "heatmap");
            Numbers(w, "x", xs); Numbers(w, "y", ys);
            w.WriteString("colorscale", "Viridis");
            w.WriteNumber("zmin", zmin); w.WriteNumber("zmax", zmax);
            w.WriteString("name", Options.Probability ? "D(x)" : "f(x)");
            w.WritePropertyName("colorbar"); w.WriteStartObject();
            w.WritePropertyName("title"); w.WriteStartObject(); w.WriteString("text", Options.Probability ? "D(x) (probability)" : "critic f(x) (a.u.)"); w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WritePropertyName("z");
        w.WriteStartArray();
        for (int i = 0; i < r; i++) { w.WriteStartArray(); for (int j = 0; j < r; j++) Number(w, f.Surface[i * r + j]); w.WriteEndArray(); }
        w.WriteEndArray();
        w.WriteEndObject();
        // 1: real samples (the same in every frame: only in the figure's first data, not in the frames)
        if (full)
        {
            w.WriteStartObject();
            Markers(w, "real", "#00e5ff", 0.9);   // cyan: visible on the dark end of Viridis, unlike the charts' usual blue
            Numbers(w, "x", Column(_real, 0)); Numbers(w, "y", Column(_real, 1));
            w.WriteEndObject();
        }
        // 2: generated samples
        w.WriteStartObject();
        if (full) Markers(w, "generated", "#d62728", 0.8);
        Numbers(w, "x", Column(f.Fake, 0)); Numbers(w, "y", Column(f.Fake, 1));
        w.WriteEndObject();
        // 3: arrows: where G's loss pushes each sample (length ∝ the gradient's size)
        var (ax, ay) = Arrows(f.Fake, f.Push, scale);
        w.WriteStartObject();
        if (full) LineStyle(w, "push on G's samples (−∇ₓ loss of G)", "#ffffff", 1.2);
        Numbers(w, "x", ax); Numbers(w, "y", ay);
        w.WriteEndObject();
        // 4: warped latent grid
        if (_latentLines is not null)
        {
            w.WriteStartObject();
            if (full) LineStyle(w, "latent grid mapped by G", "#ff9896", 0.8);
            Numbers(w, "x", f.Warped?.X ?? []); Numbers(w, "y", f.Warped?.Y ?? []);
            w.WriteEndObject();
        }
    }

    static (double[] X, double[] Y) Arrows(double[,] from, double[,] v, double scale)
    {
        var x = new List<double>(); var y = new List<double>();
        for (int i = 0; i < from.GetLength(0); i++)
        {
            double dx = v[i, 0] * scale, dy = v[i, 1] * scale;
            if (!double.IsFinite(dx) || !double.IsFinite(dy)) continue;
            x.AddRange([from[i, 0], from[i, 0] + dx, double.NaN]);
            y.AddRange([from[i, 1], from[i, 1] + dy, double.NaN]);
        }
        return (x.ToArray(), y.ToArray());
    }

    static double[] Column(double[,] m, int c) => Enumerable.Range(0, m.GetLength(0)).Select(i => m[i, c]).ToArray();

    static void Markers(Utf8JsonWriter w, string name, string color, double opacity)
    {
        w.WriteString("type", "scatter"); w.WriteString("mode", "markers"); w.WriteString("name", name);
        w.WritePropertyName("marker"); w.WriteStartObject();
        w.WriteString("color", color); w.WriteNumber("size", 4); w.WriteNumber("opacity", opacity);
        w.WriteEndObject();
    }

    static void LineStyle(Utf8JsonWriter w, string name, string color, double width)
    {
        w.WriteString("type", "scatter"); w.WriteString("mode", "lines"); w.WriteString("name", name);
        w.WritePropertyName("line"); w.WriteStartObject(); w.WriteString("color", color); w.WriteNumber("width", width); w.WriteEndObject();
    }

    static void Numbers(Utf8JsonWriter w, string name, IReadOnlyList<double> values)
    {
        w.WritePropertyName(name);
        w.WriteStartArray();
        foreach (var v in values) Number(w, v);
        w.WriteEndArray();
    }

    // 4 significant digits keep a frame small; NaN (a gap between segments) is JSON's null, which Plotly reads as a gap.
    static void Number(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteRawValue(v.ToString("G4", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal));
        else w.WriteNullValue();
    }

    void WriteLayout(Utf8JsonWriter w, string title, List<PlaygroundFrame> kept)
    {
        w.WritePropertyName("layout");
        w.WriteStartObject();
        w.WritePropertyName("title"); w.WriteStartObject(); w.WriteString("text", title); w.WriteEndObject();
        w.WriteNumber("width", 720); w.WriteNumber("height", 720);
        Axis(w, "xaxis", "x₁ (a.u.)", Box.XMin, Box.XMax, anchor: null);
        Axis(w, "yaxis", "x₂ (a.u.)", Box.YMin, Box.YMax, anchor: "x");
        w.WritePropertyName("legend"); w.WriteStartObject(); w.WriteString("orientation", "h"); w.WriteNumber("y", -0.32); w.WriteEndObject();
        w.WritePropertyName("margin"); w.WriteStartObject(); w.WriteNumber("b", 170); w.WriteEndObject();
        // The play button and the slider (Plotly's animate with redraw, which heat maps need).
        w.WritePropertyName("updatemenus"); w.WriteStartArray(); w.WriteStartObject();
        w.WriteString("type", "buttons"); w.WriteBoolean("showactive", false); w.WriteNumber("x", 0); w.WriteNumber("y", -0.12); w.WriteString("xanchor", "left");
        w.WritePropertyName("buttons"); w.WriteStartArray();
        Button(w, "▶ play", null, 350);
        Button(w, "❚❚ pause", [null], 0);
        w.WriteEndArray();
        w.WriteEndObject(); w.WriteEndArray();
        w.WritePropertyName("sliders"); w.WriteStartArray(); w.WriteStartObject();
        w.WriteNumber("x", 0.18); w.WriteNumber("len", 0.82); w.WriteNumber("y", -0.08);
        w.WritePropertyName("currentvalue"); w.WriteStartObject(); w.WriteString("prefix", "training step "); w.WriteEndObject();
        w.WritePropertyName("steps"); w.WriteStartArray();
        foreach (var f in kept)
        {
            w.WriteStartObject();
            w.WriteString("label", Label(f)); w.WriteString("method", "animate");
            w.WritePropertyName("args"); w.WriteStartArray();
            w.WriteStartArray(); w.WriteStringValue(Label(f)); w.WriteEndArray();
            AnimateOptions(w, 0);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject(); w.WriteEndArray();
        w.WriteEndObject();
    }

    static void Axis(Utf8JsonWriter w, string name, string title, double min, double max, string? anchor)
    {
        w.WritePropertyName(name); w.WriteStartObject();
        w.WritePropertyName("title"); w.WriteStartObject(); w.WriteString("text", title); w.WriteEndObject();
        w.WritePropertyName("range"); w.WriteStartArray(); w.WriteNumberValue(min); w.WriteNumberValue(max); w.WriteEndArray();
        if (anchor is not null) { w.WriteString("scaleanchor", anchor); w.WriteNumber("scaleratio", 1); }
        w.WriteEndObject();
    }

    static void Button(Utf8JsonWriter w, string label, string?[]? frames, int durationMs)
    {
        w.WriteStartObject();
        w.WriteString("label", label); w.WriteString("method", "animate");
        w.WritePropertyName("args"); w.WriteStartArray();
        if (frames is null) w.WriteNullValue();
        else { w.WriteStartArray(); foreach (var f in frames) w.WriteStringValue(f); w.WriteEndArray(); }
        AnimateOptions(w, durationMs, fromCurrent: frames is null);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    static void AnimateOptions(Utf8JsonWriter w, int durationMs, bool fromCurrent = false)
    {
        w.WriteStartObject();
        w.WriteString("mode", "immediate");
        if (fromCurrent) w.WriteBoolean("fromcurrent", true);
        w.WritePropertyName("frame"); w.WriteStartObject(); w.WriteNumber("duration", durationMs); w.WriteBoolean("redraw", true); w.WriteEndObject();
        w.WritePropertyName("transition"); w.WriteStartObject(); w.WriteNumber("duration", 0); w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Frees the fixed latents and grids.</summary>
    public void Dispose()
    {
        _z.Dispose(); _grid.Dispose(); _latentLines?.Dispose();
    }
}
