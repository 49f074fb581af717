using System.Diagnostics;
using System.Globalization;
using GanNotebooks;
using GanNotebooks.Data.Images;
using GanNotebooks.Evaluation.Features;
using GanNotebooks.Runtime;
using TorchSharp;

// gankit-tools: maintenance commands that produce the kit's shipped artefacts (data/README.md says which
// command produced which file). Not needed to run the notebooks.
return Tools.Run(args);

static class Tools
{
    const string Usage = """
        gankit-tools — produce the kit's shipped artefacts

        Commands:
          train-classifier [--out data/fashion-classifier.dat] [--seed 1] [--epochs 12] [--batch 64] [--lr 0.001]
                           [--device cpu] [--threads 1]
              Trains the Fashion-MNIST feature classifier on the shipped test split (the last 200 images of
              each class held out for validation), prints loss and validation accuracy per epoch, writes the
              weights atomically and prints their SHA-256. On the CPU with the same options and thread count,
              the same file (the thread count changes the rounding of libtorch's reductions).
          eval-classifier [--weights data/fashion-classifier.dat]
              Validation accuracy and class histogram of a weights file (the shipped one by default, checksum-checked).
          render-shapes [--out shapes.png] [--seed 0] [--size 32] [--count 64] [--columns 8] [--scale 2]
              Renders a grid of ProceduralShapes samples to a PNG, labels in row order on stdout.
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            var options = ParseOptions(args.AsSpan(1));
            int code = args[0] switch
            {
                "train-classifier" => TrainClassifier(options),
                "eval-classifier" => EvalClassifier(options),
                "render-shapes" => RenderShapes(options),
                _ => throw new UsageException($"Unknown command '{args[0]}'."),
            };
            foreach (var key in options.Keys.Except(_used))
                Console.Error.WriteLine($"warning: option --{key} is not used by '{args[0]}'.");
            return code;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}\n\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    static int TrainClassifier(Dictionary<string, string> o)
    {
        var defaults = new FashionClassifierTrainingOptions();
        var options = defaults with
        {
            Seed = Long(o, "seed", defaults.Seed),
            Epochs = Int(o, "epochs", defaults.Epochs),
            BatchSize = Int(o, "batch", defaults.BatchSize),
            LearningRate = Double(o, "lr", defaults.LearningRate),
        };
        var outPath = Str(o, "out", Path.Combine(ShippedDatasets.ResolveDataDirectory(), FashionClassifier.ShippedWeights));
        Kit.Setup(options.Seed, Str(o, "device", "cpu"));
        // One thread by default: libtorch's CPU kernels split reductions by thread count, so the weights are
        // bit-for-bit reproducible only for a fixed count (checked: 1 and 2 threads give different files).
        torch.set_num_threads(Int(o, "threads", 1));

        using var data = ShippedDatasets.FashionMnistTest(device: torch.CPU);
        Console.WriteLine($"data: {data}");
        Console.WriteLine($"options: {options}; device {Devices.Current}; torch threads {torch.get_num_threads()}");
        var clock = Stopwatch.StartNew();
        var (model, history) = FashionClassifierTraining.Train(data, options, Devices.Current, e =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {e.Epoch,3}  loss {e.TrainLoss:F4}  validation accuracy {e.ValidationAccuracy:F4}  ({e.Seconds:F1} s)")));
        using (model)
        {
            var sha = model.SaveAtomically(outPath);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trained in {clock.Elapsed.TotalSeconds:F1} s; final validation accuracy {history[^1].ValidationAccuracy:F4}"));
            Console.WriteLine($"wrote {Path.GetFullPath(outPath)} ({new FileInfo(outPath).Length:N0} bytes)");
            Console.WriteLine($"SHA-256 {sha}");
        }
        return 0;
    }

    static int EvalClassifier(Dictionary<string, string> o)
    {
        Kit.Setup(0, Str(o, "device", "cpu"));
        var weights = Str(o, "weights", "");
        using var model = weights.Length > 0 ? FashionClassifier.Load(weights) : FashionClassifier.LoadShipped();
        using var data = ShippedDatasets.FashionMnistTest();
        using var scope = torch.NewDisposeScope();
        var (images, labels) = FashionClassifierTraining.ValidationSet(data);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"validation accuracy ({images.shape[0]} held-out images): {model.Accuracy(images, labels):F4}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"all 10,000 images: {model.Accuracy(data.Images, data.Labels):F4}"));
        var histogram = model.ClassHistogram(images);
        Console.WriteLine("predicted class histogram (held-out): " +
            string.Join(", ", histogram.Select((h, i) => string.Create(CultureInfo.InvariantCulture, $"{ShippedDatasets.FashionMnistClasses[i]} {h:F3}"))));
        return 0;
    }

    static int RenderShapes(Dictionary<string, string> o)
    {
        var outPath = Str(o, "out", "shapes.png");
        Kit.Setup(0, "cpu");
        var count = Int(o, "count", 64);
        var columns = Int(o, "columns", 8);
        var options = new ProceduralShapesOptions(Size: Int(o, "size", 32));
        using var data = ProceduralShapes.Generate(count, Long(o, "seed", 0), options, torch.CPU);
        GanNotebooks.Viz.ImageGrid.FromTensor(data.Images, GanNotebooks.Viz.PixelRange.MinusOneToOne, nrow: columns, padding: 1, scale: Int(o, "scale", 2)).Save(outPath);
        using var labels = data.Labels.cpu();
        var l = labels.data<long>().ToArray();
        for (int r = 0; r * columns < count; r++)
            Console.WriteLine(string.Join(" ", l.Skip(r * columns).Take(columns).Select(k => data.ClassNames[(int)k].PadRight(8))));
        Console.WriteLine($"wrote {Path.GetFullPath(outPath)}");
        return 0;
    }

    static readonly HashSet<string> _used = [];

    static Dictionary<string, string> ParseOptions(ReadOnlySpan<string> args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Length == 2)
                throw new UsageException($"Expected an option like --name value; got '{args[i]}'.");
            var name = args[i][2..];
            string value;
            int eq = name.IndexOf('=');
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            else if (i + 1 < args.Length) value = args[++i];
            else throw new UsageException($"Option --{name} needs a value.");
            result[name] = value;
        }
        return result;
    }

    static string Use(string key) { _used.Add(key); return key; }
    static string Str(Dictionary<string, string> o, string key, string fallback) => o.TryGetValue(Use(key), out var v) ? v : fallback;
    static int Int(Dictionary<string, string> o, string key, int fallback) => (int)Long(o, key, fallback);
    static long Long(Dictionary<string, string> o, string key, long fallback) =>
        !o.TryGetValue(Use(key), out var v) ? fallback
        : long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x
        : throw new UsageException($"--{key} expects an integer; got '{v}'.");
    static double Double(Dictionary<string, string> o, string key, double fallback) =>
        !o.TryGetValue(Use(key), out var v) ? fallback
        : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x
        : throw new UsageException($"--{key} expects a number; got '{v}'.");

    sealed class UsageException(string message) : Exception(message);
}
