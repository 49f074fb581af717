using System.Diagnostics;
using System.Globalization;
using GanNotebooks.Runtime;

namespace GanNotebooks.Bench;

/// <summary>
/// `notebooks`: runs every notebooks/NN-*.ipynb headless through the kit's runner (gannb, Release build) in the full
/// profile (or --profile smoke) and prints each one's wall time and CPU time (user + system of the runner and its
/// kernel, from /usr/bin/time when present). Long: the full profiles take minutes each. Figures only.
/// </summary>
static class NotebooksBench
{
    public static int Run(Dictionary<string, string> o)
    {
        var root = KitPaths.FindRepoRoot();
        if (root is null) { Console.Error.WriteLine("error: run from inside the kit (no GanNotebooks.sln above this folder)."); return 2; }
        var runner = Directory.Exists(Path.Combine(root, "lib", "GanNotebooks.Runner", "bin", "Release"))
            ? Directory.EnumerateFiles(Path.Combine(root, "lib", "GanNotebooks.Runner", "bin", "Release"), "gannb.dll", SearchOption.AllDirectories).FirstOrDefault()
            : null;
        if (runner is null) { Console.Error.WriteLine("error: the runner is not built: dotnet build -c Release lib/GanNotebooks.Runner"); return 2; }
        var profile = o.GetValueOrDefault("profile", "full");
        if (profile is not ("full" or "smoke" or "paper")) throw new ArgumentException($"--profile must be full, smoke or paper, got '{profile}'.");
        var only = o.GetValueOrDefault("only");
        var outDir = o.GetValueOrDefault("out") ?? Path.Combine(Path.GetTempPath(), "gannb-bench-notebooks");
        var notebooks = Directory.GetFiles(Path.Combine(root, "notebooks"), "??-*.ipynb").Order(StringComparer.Ordinal)
            .Where(p => only is null || Path.GetFileName(p).StartsWith(only, StringComparison.Ordinal)).ToList();
        bool haveTime = File.Exists("/usr/bin/time");
        Console.WriteLine($"notebooks in the {profile} profile through {Path.GetRelativePath(root, runner)}; torch threads as each notebook's parameter cell sets them; output under {outDir}");
        Console.WriteLine($"{"notebook",-40} {"exit",5} {"wall s",9} {"CPU s",9}");
        int failures = 0;
        foreach (var nb in notebooks)
        {
            var name = Path.GetFileNameWithoutExtension(nb);
            var timeFile = Path.Combine(Path.GetTempPath(), $"gannb-bench-time-{Guid.NewGuid():N}");
            var args = new List<string> { runner, "run", nb, "--profile", profile, "--out", Path.Combine(outDir, name) };
            var psi = haveTime ? new ProcessStartInfo("/usr/bin/time") : new ProcessStartInfo("dotnet");
            if (haveTime) foreach (var a in new[] { "-f", "%e %U %S", "-o", timeFile, "dotnet" }) psi.ArgumentList.Add(a);
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            psi.UseShellExecute = false;
            psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            double wall = sw.Elapsed.TotalSeconds;
            string cpu = "n/a";
            if (haveTime && File.Exists(timeFile))
            {
                var parts = File.ReadAllText(timeFile).Trim().Split('\n').Last().Split(' ');
                if (parts.Length == 3 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var u)
                    && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var s))
                    cpu = (u + s).ToString("F1", CultureInfo.InvariantCulture);
                File.Delete(timeFile);
            }
            if (p.ExitCode != 0) failures++;
            Console.WriteLine($"{name,-40} {p.ExitCode,5} {wall,9:F1} {cpu,9}");
            if (p.ExitCode != 0) Console.WriteLine($"    {err.Result.Trim().Split('\n').LastOrDefault()}");
        }
        return failures == 0 ? 0 : 1;
    }
}
