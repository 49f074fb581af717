using System.Globalization;
using GanNotebooks.Runner.Run;
using GanNotebooks.Runner.Writeups;

namespace GanNotebooks.Runner;

/// <summary>The write-up commands of <c>gannb</c>: verify, results, sweep, collect, export.</summary>
public static class WriteupsCli
{
    /// <summary>Commands handled here.</summary>
    public static readonly string[] Commands = ["verify", "results", "sweep", "collect", "export"];

    /// <summary>Runs one of <see cref="Commands"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        int Usage(string message)
        {
            stderr.WriteLine($"gannb {args[0]}: {message}");
            stderr.WriteLine("Try 'gannb --help'.");
            return NotebookRunner.ExitUsage;
        }
        var positional = new List<string>();
        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            var a = args[i];
            if (a.StartsWith('-') && a.Length > 1 && !double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                var key = a switch { "-p" => "--parameter", "-o" => "--out", "-j" => "--jobs", _ => a };
                if (key is "--force" or "--dry-run") { options[key] = ["true"]; continue; }
                if (i + 1 >= args.Length) return Usage($"{a} needs a value.");
                if (!options.TryGetValue(key, out var list)) options[key] = list = [];
                list.Add(args[++i]);
            }
            else positional.Add(a);
        }
        string? One(string key) => options.TryGetValue(key, out var v) ? v[^1] : null;
        double Number(string key, double fallback) =>
            One(key) is { } t ? double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;
        try
        {
            switch (args[0])
            {
                case "verify":
                    if (positional.Count != 1) return Usage("give one executed notebook: gannb verify EXECUTED.ipynb [--out DIR] [--rtol 1e-6] [--atol 1e-9]");
                    return await Verifier.RunAsync(positional[0], One("--out"), Number("--rtol", 1e-6), Number("--atol", 1e-9), stdout, stderr).ConfigureAwait(false);
                case "results":
                    if (positional.Count == 0) return Usage("give the folders of full- and paper-profile runs: gannb results DIR... [--readme README.md]");
                    return Results.Run(positional, One("--readme"), stdout, stderr);
                case "sweep":
                    if (positional.Count != 1) return Usage("give one notebook: gannb sweep NOTEBOOK.ipynb -p seed=1..10 -p lr=1e-4,2e-4 [--jobs N] --out DIR [--profile full|smoke|paper] [--emit slurm]");
                    return await Sweep.RunAsync(positional[0], options, stdout, stderr).ConfigureAwait(false);
                case "collect":
                    if (positional.Count != 1) return Usage("give the sweep folder: gannb collect DIR");
                    return Sweep.Collect(positional[0], stdout, stderr);
                case "export":
                    if (positional.Count != 2 || One("--to") is not "app") return Usage("gannb export NOTEBOOK.ipynb --to app OUT.cs");
                    return Export.Run(positional[0], positional[1], stdout, stderr);
            }
        }
        catch (FormatException e) { return Usage(e.Message); }
        catch (ArgumentException e) { return Usage(e.Message); }
        return Usage("unknown command.");
    }
}
