using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using GanNotebooks.Runtime;

namespace GanNotebooks.Bench;

/// <summary>
/// `kernels`: the price of correct kernels on this machine. The kit's self-test (<see cref="KernelSettings"/>) chose the
/// fastest setting that passes every check; this measures the DCGAN (images/s, GFLOP/s; <see cref="DcganBench"/>) and the
/// toy GAN (steps/s; <see cref="Program.Toy"/>) at one thread under that setting and under the setting that was fastest
/// in the self-test whatever its wrong checks (and "as shipped" when that is another one). The caps are read once per
/// process, so each setting runs in a child process of the bench itself, started with <c>GANKIT_KERNEL_TRIAL</c> and
/// the setting's variables; the child prints its figures as one JSON line. Rounds alternate between the settings (a
/// busy machine hurts them alike) and the best round of each counts. Prints figures only.
/// </summary>
static class KernelsBench
{
    /// <summary>The hidden command a child runs: measure under the setting applied at start-up, print one JSON line.</summary>
    internal const string ChildCommand = "kernel-figures";

    /// <summary>One child's figures (the JSON line it prints).</summary>
    internal sealed record ChildFigures(string Setting, string How, string Caps, double DcganImagesPerSecond, double DcganImagesPerCpuSecond,
        double DcganGflops, double ToyStepsPerSecond, double ToyStepsPerCpuSecond);

    /// <summary>One row of the table: a setting, why it is measured, what the self-test said, the best figures measured now.</summary>
    internal sealed record Row(string Setting, string Roles, KernelTrial? Trial, ChildFigures? Best, string Error);

    /// <summary>The parent: picks the settings from this process's verdict, runs the children, prints the table; returns the rows.</summary>
    public static IReadOnlyList<Row> Run(Dictionary<string, string> o)
    {
        bool quick = o.ContainsKey("quick"), verbose = o.ContainsKey("verbose"), every = o.ContainsKey("all-settings");
        int rounds = Program.Int(o, "rounds", quick ? 2 : 3), dcganSteps = Program.Int(o, "dcgan-steps", quick ? 8 : 20), toySteps = Program.Int(o, "toy-steps", quick ? 300 : 1000);
        if (rounds < 1) throw new ArgumentException("--rounds needs at least 1.");
        var verdict = KernelSettings.Current;
        Console.WriteLine($"kernel verdict of this machine: {verdict?.Summary() ?? "none (the kit chooses no kernel setting on this OS)"}");
        if (verdict is null || verdict.How == "trial") return [];
        Console.WriteLine($"cache: {KernelSettings.CacheFile() ?? "(no cache folder)"}; GANKIT_KERNELS=recheck runs the self-test again");

        // Which settings: the chosen one, the fastest in the self-test whatever its wrong count, and as shipped.
        var shipped = KernelSetting.Candidates[0].Name;
        var fastest = verdict.Trials.Where(t => t.Error.Length == 0 && double.IsFinite(t.ConvStepMs)).MinBy(t => t.ConvStepMs);
        var roles = new List<(string Name, List<string> Roles)>();
        void Add(string name, string role)
        {
            var r = roles.FirstOrDefault(x => x.Name == name);
            if (r.Name is null) roles.Add((name, [role]));
            else r.Roles.Add(role);
        }
        Add(verdict.Setting, verdict.Correct ? "the kit's choice: fastest correct" : verdict.Chosen is null ? "the kit's choice (not checked)" : "the kit's choice (WRONG: nothing passes)");
        if (fastest is not null) Add(fastest.Setting, "fastest in the self-test, even if wrong");
        Add(shipped, "as shipped");
        if (every) foreach (var t in verdict.Trials.Where(t => roles.All(r => r.Name != t.Setting))) Add(t.Setting, "another candidate (--all-settings)");
        if (fastest is null) Console.WriteLine("the verdict holds no trial that ran: only the kit's choice and as shipped are measured, with no wrong-check counts");

        var settings = roles.Select(r => (r.Name, Roles: string.Join("; ", r.Roles), Setting: Resolve(r.Name), Trial: verdict.Trials.FirstOrDefault(t => t.Setting == r.Name))).ToList();
        var best = new Dictionary<string, ChildFigures>();
        var errors = new Dictionary<string, string>();
        foreach (var s in settings.Where(s => s.Setting is null)) errors[s.Name] = "no setting of this name known to this process";
        var runnable = settings.Where(s => s.Setting is not null).ToList();

        Console.WriteLine($"each setting in a child process (one torch thread): DCGAN 28×28×1 width 32 batch 64, {dcganSteps} timed iterations; " +
            $"toy GAN MLP 3×128 batch 256, {toySteps} timed steps; {rounds} round(s), settings alternating, best round counts");
        for (int round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? runnable : Enumerable.Reverse(runnable).ToList();
            foreach (var s in order)
            {
                if (errors.ContainsKey(s.Name)) continue;
                var sw = Stopwatch.StartNew();
                var (figures, error, output) = RunChild(s.Setting!, dcganSteps, toySteps);
                if (verbose || figures is null) foreach (var line in output) Console.WriteLine("    " + line);
                if (figures is null)
                {
                    errors[s.Name] = error;
                    Console.WriteLine($"  round {round + 1}, {s.Name}: FAILED — {error}");
                    continue;
                }
                Console.WriteLine($"  round {round + 1}, {s.Name} [{figures.Caps}]: DCGAN {figures.DcganImagesPerSecond:F0} images/s ({figures.DcganImagesPerCpuSecond:F0} per CPU-s, " +
                    $"{figures.DcganGflops:F1} GFLOP/s), toy {figures.ToyStepsPerSecond:F0} steps/s ({figures.ToyStepsPerCpuSecond:F0} per CPU-s); child took {sw.Elapsed.TotalSeconds:F0} s");
                best[s.Name] = best.TryGetValue(s.Name, out var b)
                    ? b with
                    {
                        DcganImagesPerSecond = Math.Max(b.DcganImagesPerSecond, figures.DcganImagesPerSecond),
                        DcganImagesPerCpuSecond = Math.Max(b.DcganImagesPerCpuSecond, figures.DcganImagesPerCpuSecond),
                        DcganGflops = Math.Max(b.DcganGflops, figures.DcganGflops),
                        ToyStepsPerSecond = Math.Max(b.ToyStepsPerSecond, figures.ToyStepsPerSecond),
                        ToyStepsPerCpuSecond = Math.Max(b.ToyStepsPerCpuSecond, figures.ToyStepsPerCpuSecond),
                    }
                    : figures;
            }
        }

        var rows = settings.Select(s => new Row(s.Name, s.Roles, s.Trial, best.GetValueOrDefault(s.Name), errors.GetValueOrDefault(s.Name) ?? "")).ToList();
        Console.WriteLine();
        PrintTable(rows);
        return rows;
    }

    /// <summary>The markdown table and a sentence on the price (correct / fastest measured now).</summary>
    internal static void PrintTable(IReadOnlyList<Row> rows)
    {
        if (rows.Count == 0) return;
        var chosen = rows[0];
        Console.WriteLine("| setting | measured as | correct? (self-test's wrong checks; its conv step) | DCGAN images/s (per CPU-s) | GFLOP/s | toy steps/s (per CPU-s) | price: kit's choice / this row, DCGAN; toy (per CPU-s) |");
        Console.WriteLine("|---|---|---|---:|---:|---:|---|");
        foreach (var r in rows)
        {
            string correct = r.Trial is null ? "not checked"
                : r.Trial.Error.Length > 0 ? $"could not run ({r.Trial.Error})"
                : (r.Trial.Passed ? "yes (0" : $"**no** ({r.Trial.Wrong}") + $" of {r.Trial.Checks} wrong; {r.Trial.ConvStepMs:F0} ms)";
            string price = r == chosen || chosen.Best is null || r.Best is null ? "—"
                : $"{chosen.Best.DcganImagesPerSecond / r.Best.DcganImagesPerSecond:F2}× ({chosen.Best.DcganImagesPerCpuSecond / r.Best.DcganImagesPerCpuSecond:F2}×); " +
                  $"{chosen.Best.ToyStepsPerSecond / r.Best.ToyStepsPerSecond:F2}× ({chosen.Best.ToyStepsPerCpuSecond / r.Best.ToyStepsPerCpuSecond:F2}×)";
            string Fig(Func<ChildFigures, double> f, string fmt) => r.Best is null ? (r.Error.Length > 0 ? "failed" : "—") : f(r.Best).ToString(fmt, CultureInfo.InvariantCulture);
            string Two(Func<ChildFigures, double> wall, Func<ChildFigures, double> cpu) => r.Best is null ? Fig(wall, "F0") : $"{Fig(wall, "F0")} ({Fig(cpu, "F0")})";
            Console.WriteLine($"| {r.Setting} | {r.Roles} | {correct} | {Two(f => f.DcganImagesPerSecond, f => f.DcganImagesPerCpuSecond)} | {Fig(f => f.DcganGflops, "F1")} | " +
                $"{Two(f => f.ToyStepsPerSecond, f => f.ToyStepsPerCpuSecond)} | {price} |");
        }
        foreach (var r in rows.Where(r => r.Error.Length > 0)) Console.WriteLine($"{r.Setting}: {r.Error}");
        Console.WriteLine();
        var measured = rows.Where(r => r.Best is not null).ToList();
        if (chosen.Best is null || measured.Count < 2) return;
        var top = measured.MaxBy(r => r.Best!.DcganImagesPerSecond)!;
        var topToy = measured.MaxBy(r => r.Best!.ToyStepsPerSecond)!;
        string Said(Row r) => r == chosen ? "the kit's choice itself" : $"{r.Setting}{(r.Trial is { Passed: false, Error.Length: 0 } ? $", wrong in {r.Trial.Wrong} checks" : "")}";
        Console.WriteLine($"price of correctness (the kit's choice / the fastest measured now, wall-clock): DCGAN {chosen.Best.DcganImagesPerSecond / top.Best!.DcganImagesPerSecond:F2}× " +
            $"(fastest: {Said(top)}), toy GAN {chosen.Best.ToyStepsPerSecond / topToy.Best!.ToyStepsPerSecond:F2}× (fastest: {Said(topToy)}). " +
            "1.00× = correctness costs nothing. On a shared machine the per-CPU-second rates are the steadier ones; differences of a few % are noise.");
        // The self-test ranks settings by its own conv step; the workloads here may rank them otherwise.
        if (measured.Where(r => r != chosen && r.Trial?.Passed == true).MaxBy(r => r.Best!.DcganImagesPerSecond) is { } fasterCorrect
            && fasterCorrect.Best!.DcganImagesPerSecond > chosen.Best.DcganImagesPerSecond)
            Console.WriteLine($"note: {fasterCorrect.Setting}, also correct, runs this DCGAN at {fasterCorrect.Best.DcganImagesPerSecond / chosen.Best.DcganImagesPerSecond:F2}× the kit's choice " +
                $"({fasterCorrect.Best.DcganImagesPerCpuSecond / chosen.Best.DcganImagesPerCpuSecond:F2}× per CPU-s) although the self-test's conv step ranked it slower " +
                $"({fasterCorrect.Trial!.ConvStepMs:F0} vs {chosen.Trial?.ConvStepMs ?? double.NaN:F0} ms).");
    }

    /// <summary>A setting by the verdict's name: one of the kit's candidates, or the user's own setting found in this environment.</summary>
    static KernelSetting? Resolve(string name) =>
        KernelSetting.Candidates.FirstOrDefault(c => c.Name == name) ?? (KernelSetting.FromUser() is { } u && u.Name == name ? u : null);

    /// <summary>Starts the bench itself (its apphost, or <c>dotnet exec</c> of the entry assembly) under <paramref name="s"/>.</summary>
    static (ChildFigures? Figures, string Error, IReadOnlyList<string> Output) RunChild(KernelSetting s, int dcganSteps, int toySteps)
    {
        if (Environment.ProcessPath is not { } self) return (null, "the bench's executable path is unknown", []);
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // Started as `dotnet gannb-bench.dll …`: the child runs the same assembly through the same host.
            psi.ArgumentList.Add("exec");
            if (Assembly.GetEntryAssembly()?.Location is not { Length: > 0 } entry) return (null, "the bench's entry assembly is unknown", []);
            psi.ArgumentList.Add(entry);
        }
        foreach (var a in new[] { ChildCommand, "--dcgan-steps", $"{dcganSteps}", "--toy-steps", $"{toySteps}" }) psi.ArgumentList.Add(a);
        // Exactly this setting: no cap of the parent's (its own verdict's or the user's), no inherited verdict, no recheck.
        foreach (var v in KernelSetting.Variables) psi.Environment.Remove(v);
        foreach (var (k, v) in s.Environment) psi.Environment[k] = v;
        psi.Environment[KernelSettings.TrialVariable] = s.Name;
        psi.Environment.Remove(KernelSettings.InheritedVariable);
        psi.Environment.Remove(KernelSettings.EnvironmentVariable);
        Process? started;
        try { started = Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception e) { return (null, $"could not start {self}: {e.Message}", []); }
        if (started is null) return (null, $"could not start {self}", []);
        using var p = started;
        var err = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(600_000)) { p.Kill(true); return (null, "the child did not end in 600 s", []); }
        var output = err.Result.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0 && !l.Contains("NNPACK", StringComparison.Ordinal)).ToList();
        var json = stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        if (p.ExitCode != 0 || json is null) return (null, $"exit code {p.ExitCode}: {output.LastOrDefault() ?? "no output"}", output);
        var figures = JsonSerializer.Deserialize<ChildFigures>(json)!;
        // The child must have applied what it was asked to, and nothing else.
        if (figures.How != "trial" || figures.Setting != s.Name)
            return (null, $"the child applied '{figures.Setting}' ({figures.How}), not '{s.Name}'", output);
        return (figures, "", output);
    }

    /// <summary>The child: the setting was applied at start-up (GANKIT_KERNEL_TRIAL); measures at one thread, one JSON line on stdout.</summary>
    public static int Child(Dictionary<string, string> o)
    {
        var v = KernelSettings.Current;
        if (v?.How != "trial")
        {
            Console.Error.WriteLine($"{ChildCommand} is started by `gannb-bench kernels`, with {KernelSettings.TrialVariable} set (this process applied: {v?.Summary() ?? "nothing"}).");
            return 2;
        }
        int dcganSteps = Program.Int(o, "dcgan-steps", 20), toySteps = Program.Int(o, "toy-steps", 1000);
        var stdout = Console.Out;
        Console.SetOut(Console.Error); // the benches' own lines go to stderr; stdout carries the JSON line only
        Program.ToyFigures toy;
        DcganBench.DcganFigures dcgan;
        try
        {
            toy = Program.Toy(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["threads"] = "1", ["batch"] = "256", ["hidden"] = "128", ["steps"] = $"{toySteps}", ["rounds"] = "1", ["pairs"] = "0", ["no-python"] = "true",
            });
            dcgan = DcganBench.Run(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["threads"] = "1", ["steps"] = $"{dcganSteps}", ["rounds"] = "1", ["no-python"] = "true",
            });
        }
        finally { Console.SetOut(stdout); }
        var caps = string.Join(", ", KernelSetting.Variables.Select(n => (n, Environment.GetEnvironmentVariable(n))).Where(p => !string.IsNullOrEmpty(p.Item2))
            .Select(p => $"{p.n}={p.Item2}").Prepend($"oneDNN convolutions {OneDnnConvolutions()}"));
        Console.Out.WriteLine(JsonSerializer.Serialize(new ChildFigures(v.Setting, v.How, caps, dcgan.ImagesPerSecond, dcgan.ImagesPerCpuSecond, dcgan.Gflops, toy.Ours.Wall, toy.Ours.Cpu)));
        return 0;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate IntPtr GlobalContext();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate byte UserEnabledMkldnn(IntPtr context);

    /// <summary>"on"/"off" as libtorch itself says (at::globalContext().userEnabledMkldnn()), "?" when it cannot be asked.</summary>
    static string OneDnnConvolutions()
    {
        var path = NativeRuntime.Preloaded.FirstOrDefault(p => Path.GetFileName(p) == "libtorch_cpu.so")
            ?? (NativeRuntime.LibraryPath is { } l ? Path.Combine(Path.GetDirectoryName(l)!, "libtorch_cpu.so") : "libtorch_cpu.so");
        if (!NativeLibrary.TryLoad(path, out var lib)
            || !NativeLibrary.TryGetExport(lib, "_ZN2at13globalContextEv", out var context)
            || !NativeLibrary.TryGetExport(lib, "_ZNK2at7Context17userEnabledMkldnnEv", out var enabled))
            return "?";
        var ctx = Marshal.GetDelegateForFunctionPointer<GlobalContext>(context)();
        return Marshal.GetDelegateForFunctionPointer<UserEnabledMkldnn>(enabled)(ctx) != 0 ? "on" : "off";
    }
}
