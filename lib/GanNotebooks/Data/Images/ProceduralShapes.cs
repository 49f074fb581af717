using GanNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Data.Images;

/// <summary>The kinds of shape <see cref="ProceduralShapes"/> draws; the value is the class label.</summary>
public enum ShapeKind
{
    /// <summary>A disc (label 0).</summary>
    Circle = 0,
    /// <summary>A rotated square (label 1).</summary>
    Square = 1,
    /// <summary>A rotated equilateral triangle (label 2).</summary>
    Triangle = 2,
}

/// <summary>An RGB colour with channels in [0, 1].</summary>
public readonly record struct Rgb(float R, float G, float B);

/// <summary>
/// One shape of a scene, in pixel coordinates of a Size×Size image (x to the right, y down; pixel (i, j) covers
/// [j, j+1)×[i, i+1), its centre is (j + 0.5, i + 0.5)).
/// </summary>
/// <param name="Kind">Circle, square or triangle.</param>
/// <param name="CenterX">Centre x in pixels.</param>
/// <param name="CenterY">Centre y in pixels.</param>
/// <param name="Radius">Area-equivalent radius: every kind with radius r covers π·r² pixels, so sizes compare across kinds.</param>
/// <param name="Rotation">Rotation in radians (ignored for circles).</param>
/// <param name="Color">Fill colour.</param>
public sealed record ShapeSpec(ShapeKind Kind, double CenterX, double CenterY, double Radius, double Rotation, Rgb Color)
{
    /// <summary>Area in pixels², π·r² for every kind.</summary>
    public double Area => Math.PI * Radius * Radius;
}

/// <summary>
/// A scene: a linear colour gradient from <paramref name="From"/> to <paramref name="To"/> along the unit direction
/// (cos <paramref name="GradientAngle"/>, sin <paramref name="GradientAngle"/>) across the image, then the shapes drawn in
/// order. The last shape is the largest and is drawn on top, so its kind — the label — is always fully visible.
/// </summary>
public sealed record ShapeScene(Rgb From, Rgb To, double GradientAngle, IReadOnlyList<ShapeSpec> Shapes)
{
    /// <summary>The label: the kind of the largest shape.</summary>
    public ShapeKind Label => Shapes.MaxBy(s => s.Radius)!.Kind;
}

/// <summary>Settings of <see cref="ProceduralShapes"/>.</summary>
/// <param name="Size">Image height and width in pixels (≥ 8; 32 or 64 for the progressive-growing chapter).</param>
/// <param name="MinShapes">Fewest shapes per image (≥ 1).</param>
/// <param name="MaxShapes">Most shapes per image (≥ MinShapes).</param>
/// <param name="Antialias">Blend edge pixels by their (approximate) coverage instead of a hard in/out test.</param>
public sealed record ProceduralShapesOptions(int Size = 32, int MinShapes = 1, int MaxShapes = 3, bool Antialias = true)
{
    /// <summary>Throws with the offending value unless the settings are usable.</summary>
    public void Validate()
    {
        if (Size < 8) throw new ArgumentOutOfRangeException(nameof(Size), Size, "Size must be at least 8 pixels.");
        if (MinShapes < 1) throw new ArgumentOutOfRangeException(nameof(MinShapes), MinShapes, "MinShapes must be at least 1.");
        if (MaxShapes < MinShapes) throw new ArgumentOutOfRangeException(nameof(MaxShapes), MaxShapes, $"MaxShapes must be at least MinShapes ({MinShapes}).");
    }
}

/// <summary>
/// A procedurally generated RGB data set with colour and structure at any size, cheap enough to make on a CPU: each
/// image is a coloured background gradient with 1–3 circles, squares and triangles of random colours, sizes,
/// positions and rotations. The label is the kind of the largest shape (class names "circle", "square",
/// "triangle"), drawn uniformly, so the classes are balanced in expectation.
/// <para>
/// Image i depends only on (seed, i, options): same seed → identical pixels, and the first k images of a larger
/// set are the k images of a smaller one. Shapes are rasterised directly from their signed distance functions
/// (coverage = clamp(½ − d, 0, 1) for antialiasing), no graphics library involved.
/// </para>
/// </summary>
public static class ProceduralShapes
{
    /// <summary>Class names, index = label = <see cref="ShapeKind"/> value.</summary>
    public static readonly IReadOnlyList<string> ClassNames = ["circle", "square", "triangle"];

    /// <summary>
    /// Generates <paramref name="count"/> images: float32 [count, 3, Size, Size] in [−1, 1] with int64 labels [count].
    /// </summary>
    /// <param name="count">Number of images (≥ 1).</param>
    /// <param name="seed">Seed; the same seed gives the same images.</param>
    /// <param name="options">null → 32×32, 1–3 shapes, antialiased.</param>
    /// <param name="device">null → <see cref="Devices.Current"/>.</param>
    public static ImageDataset Generate(int count, long seed, ProceduralShapesOptions? options = null, Device? device = null)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be positive.");
        options ??= new ProceduralShapesOptions();
        options.Validate();
        int s = options.Size, plane = s * s;
        long total = (long)count * 3 * plane;
        if (total > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{count} images of {s}×{s} do not fit in one array; generate fewer at a time.");
        var pixels = new float[total];
        var labels = new long[count];
        // Each image has its own random stream, so images can be drawn in parallel and stay reproducible.
        Parallel.For(0, count, i =>
        {
            var scene = Scene(seed, i, options);
            labels[i] = (long)scene.Label;
            Render(scene, s, options.Antialias, pixels.AsSpan((int)((long)i * 3 * plane), 3 * plane));
        });
        using var scope = torch.NewDisposeScope();
        var images = torch.tensor(pixels, [count, 3, s, s]).to(device ?? Devices.Current);
        var labelTensor = torch.tensor(labels).to(device ?? Devices.Current);
        return new ImageDataset(images, labelTensor, ClassNames, $"Procedural shapes {s}×{s} (seed {seed})");
    }

    /// <summary>The scene of image <paramref name="index"/> of <see cref="Generate"/> with this seed and options.</summary>
    public static ShapeScene Scene(long seed, int index, ProceduralShapesOptions? options = null)
    {
        options ??= new ProceduralShapesOptions();
        options.Validate();
        var rng = new Random(StreamSeed(seed, index));
        double s = options.Size;
        var from = Hsv(rng.NextDouble(), 0.2 + 0.4 * rng.NextDouble(), 0.15 + 0.35 * rng.NextDouble());
        var to = Hsv(rng.NextDouble(), 0.2 + 0.4 * rng.NextDouble(), 0.15 + 0.35 * rng.NextDouble());
        double angle = 2 * Math.PI * rng.NextDouble();

        int n = rng.Next(options.MinShapes, options.MaxShapes + 1);
        var label = (ShapeKind)rng.Next(3);
        // The largest shape gets the label; the others are at most 70% of its radius (half its area) so that
        // "largest" is clear to the eye, and they are drawn first, underneath it.
        double big = s * (0.16 + 0.12 * rng.NextDouble());
        var shapes = new List<ShapeSpec>(n);
        for (int k = 0; k < n - 1; k++)
        {
            double r = s * 0.07 + (0.7 * big - s * 0.07) * rng.NextDouble();
            shapes.Add(Place((ShapeKind)rng.Next(3), r, s, rng));
        }
        shapes.Add(Place(label, big, s, rng));
        return new ShapeScene(from, to, angle, shapes);
    }

    /// <summary>
    /// Renders a scene into <paramref name="destination"/>: 3·size·size floats, channel-major (R plane, G plane,
    /// B plane, each row-major), values in [−1, 1].
    /// </summary>
    public static void Render(ShapeScene scene, int size, bool antialias, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(scene);
        int plane = size * size;
        if (destination.Length != 3 * plane)
            throw new ArgumentException($"destination must hold 3·{size}·{size} = {3 * plane} floats; it holds {destination.Length}.", nameof(destination));
        double gx = Math.Cos(scene.GradientAngle), gy = Math.Sin(scene.GradientAngle);
        // Project the image corners on the gradient direction so that the gradient spans the whole image.
        double lo = Math.Min(0, gx * size) + Math.Min(0, gy * size), hi = Math.Max(0, gx * size) + Math.Max(0, gy * size);
        for (int i = 0; i < size; i++)
            for (int j = 0; j < size; j++)
            {
                double x = j + 0.5, y = i + 0.5;
                double t = ((x * gx + y * gy) - lo) / (hi - lo);
                double r = Lerp(scene.From.R, scene.To.R, t), g = Lerp(scene.From.G, scene.To.G, t), b = Lerp(scene.From.B, scene.To.B, t);
                foreach (var shape in scene.Shapes)
                {
                    double d = SignedDistance(shape, x, y);
                    double a = antialias ? Math.Clamp(0.5 - d, 0, 1) : (d <= 0 ? 1 : 0);
                    if (a <= 0) continue;
                    r = Lerp(r, shape.Color.R, a);
                    g = Lerp(g, shape.Color.G, a);
                    b = Lerp(b, shape.Color.B, a);
                }
                int p = i * size + j;
                destination[p] = (float)(2 * r - 1);
                destination[plane + p] = (float)(2 * g - 1);
                destination[2 * plane + p] = (float)(2 * b - 1);
            }
    }

    /// <summary>
    /// Signed distance in pixels from (x, y) to the shape's outline, negative inside. Exact for circles and squares;
    /// for triangles the largest distance to the three edge lines (exact inside, slightly short outside near corners).
    /// </summary>
    public static double SignedDistance(ShapeSpec shape, double x, double y)
    {
        double px = x - shape.CenterX, py = y - shape.CenterY;
        switch (shape.Kind)
        {
            case ShapeKind.Circle:
                return Math.Sqrt(px * px + py * py) - shape.Radius;
            case ShapeKind.Square:
            {
                // Rotate into the square's frame; half side h with (2h)² = π r².
                double c = Math.Cos(shape.Rotation), s = Math.Sin(shape.Rotation);
                double qx = Math.Abs(c * px + s * py), qy = Math.Abs(-s * px + c * py);
                double h = 0.5 * Math.Sqrt(Math.PI) * shape.Radius;
                double dx = qx - h, dy = qy - h;
                double outside = Math.Sqrt(Math.Max(dx, 0) * Math.Max(dx, 0) + Math.Max(dy, 0) * Math.Max(dy, 0));
                return outside + Math.Min(Math.Max(dx, dy), 0);
            }
            case ShapeKind.Triangle:
            {
                // Equilateral triangle of area π r²: (3√3/4)·R² = π r² gives the circumradius R; inradius R/2.
                // Its edges' outward normals point at rotation + 90° + 180° + k·120° (opposite the vertices).
                double circum = shape.Radius * Math.Sqrt(4 * Math.PI / (3 * Math.Sqrt(3)));
                double best = double.NegativeInfinity;
                for (int k = 0; k < 3; k++)
                {
                    double phi = shape.Rotation + 1.5 * Math.PI + k * (2 * Math.PI / 3);
                    best = Math.Max(best, Math.Cos(phi) * px + Math.Sin(phi) * py);
                }
                return best - circum / 2;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape.Kind, "Unknown shape kind.");
        }
    }

    /// <summary>Random position and rotation for a shape of radius r, keeping most of it inside the image.</summary>
    static ShapeSpec Place(ShapeKind kind, double r, double size, Random rng)
    {
        // Circumradius / area-radius: circle 1, square √(π/2), triangle √(4π/(3√3)).
        double reach = r * kind switch { ShapeKind.Square => Math.Sqrt(Math.PI / 2), ShapeKind.Triangle => Math.Sqrt(4 * Math.PI / (3 * Math.Sqrt(3))), _ => 1.0 };
        double margin = Math.Min(0.8 * reach, size / 2);
        double cx = margin + (size - 2 * margin) * rng.NextDouble();
        double cy = margin + (size - 2 * margin) * rng.NextDouble();
        double rotation = 2 * Math.PI * rng.NextDouble();
        var color = Hsv(rng.NextDouble(), 0.55 + 0.45 * rng.NextDouble(), 0.7 + 0.3 * rng.NextDouble());
        return new ShapeSpec(kind, cx, cy, r, kind == ShapeKind.Circle ? 0 : rotation, color);
    }

    // (1 − t)·a + t·b rather than a + (b − a)·t: exact at t = 1, so a fully covered pixel has exactly the shape colour.
    static double Lerp(double a, double b, double t) => (1 - t) * a + t * b;

    /// <summary>HSV (all in [0, 1]) to RGB.</summary>
    static Rgb Hsv(double h, double s, double v)
    {
        double hh = (h % 1.0) * 6;
        int sector = (int)Math.Floor(hh) % 6;
        double f = hh - Math.Floor(hh);
        double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        var (r, g, b) = sector switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
        return new Rgb((float)r, (float)g, (float)b);
    }

    /// <summary>A well-mixed 32-bit seed for image <paramref name="index"/> (SplitMix64 finaliser; stable across runs and platforms).</summary>
    static int StreamSeed(long seed, int index)
    {
        unchecked
        {
            ulong z = (ulong)seed + 0x9E3779B97F4A7C15UL * ((ulong)index + 1);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z ^ (z >> 32));
        }
    }
}
