using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanNotebooks.Runtime;

/// <summary>
/// One way to run libtorch's CPU kernels: environment caps that the native libraries read once, at their first use
/// (oneDNN's <c>ONEDNN_MAX_CPU_ISA</c>, MKL's <c>MKL_ENABLE_INSTRUCTIONS</c>, ATen's <c>ATEN_CPU_CAPABILITY</c>), and
/// whether convolutions go through oneDNN at all (ATen's own path otherwise; a switch torch reads at every call).
/// </summary>
/// <param name="Name">Short name, the cache's key: "as shipped", "ATen's own convolutions (oneDNN, NNPACK off)", "oneDNN capped at AVX", …</param>
/// <param name="Environment">Variables set (with the C library's setenv) before libtorch first runs a kernel.</param>
/// <param name="OneDnnConvolutions">False: at::Context::setUserEnabledMkldnn(false) and setUserEnabledNNPACK(false), convolutions take ATen's own path (NNPACK off too: on a CPU it cannot initialise, every call would print a warning before falling back to the same path).</param>
public sealed record KernelSetting(string Name, IReadOnlyDictionary<string, string> Environment, bool OneDnnConvolutions = true)
{
    /// <summary>The libraries' own variables; one of them set by the user is an explicit setting that the kit keeps.</summary>
    public static readonly IReadOnlyList<string> Variables = ["ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS", "ATEN_CPU_CAPABILITY"];

    /// <summary>The settings the kit tries, in order of preference (the first that passes every check and is fastest wins).</summary>
    public static readonly IReadOnlyList<KernelSetting> Candidates =
    [
        new("as shipped", new Dictionary<string, string>()),
        new("ATen's own convolutions (oneDNN, NNPACK off)", new Dictionary<string, string>(), OneDnnConvolutions: false),
        new("oneDNN capped at AVX2", new Dictionary<string, string> { ["ONEDNN_MAX_CPU_ISA"] = "AVX2" }),
        new("oneDNN capped at AVX", new Dictionary<string, string> { ["ONEDNN_MAX_CPU_ISA"] = "AVX" }),
        new("oneDNN capped at SSE4.1", new Dictionary<string, string> { ["ONEDNN_MAX_CPU_ISA"] = "SSE41" }),
        new("every library capped", new Dictionary<string, string>
        {
            ["ONEDNN_MAX_CPU_ISA"] = "SSE41", ["MKL_ENABLE_INSTRUCTIONS"] = "SSE4_2", ["ATEN_CPU_CAPABILITY"] = "default",
        }, OneDnnConvolutions: false),
    ];

    /// <summary>The user's own setting: the libraries' variables found in this process's environment, or null.</summary>
    public static KernelSetting? FromUser()
    {
        var set = Variables.Select(v => (v, System.Environment.GetEnvironmentVariable(v)))
            .Where(p => !string.IsNullOrWhiteSpace(p.Item2)).ToDictionary(p => p.v, p => p.Item2!);
        return set.Count == 0 ? null : new KernelSetting("your setting " + string.Join(" ", set.Select(p => $"{p.Key}={p.Value}")), set);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>What one setting did in the self-test (run in a process of its own, since the caps are read once).</summary>
/// <param name="Setting">The setting's name.</param>
/// <param name="Checks">How many checks ran.</param>
/// <param name="Wrong">How many failed.</param>
/// <param name="Examples">Up to three failed checks, as text.</param>
/// <param name="ConvStepMs">Milliseconds of a DCGAN training step as notebook 05 sizes it (one thread), the speed compared.</param>
/// <param name="Error">Empty, or why the setting could not be tried (its process failed).</param>
public sealed record KernelTrial(string Setting, int Checks, int Wrong, IReadOnlyList<string> Examples, double ConvStepMs, string Error = "")
{
    /// <summary>True when every check passed.</summary>
    public bool Passed => Error.Length == 0 && Checks > 0 && Wrong == 0;
}

/// <summary>The kit's choice of kernel setting for this machine and libtorch build, and why.</summary>
/// <param name="Machine">The cache key (CPU model and features, libtorch build).</param>
/// <param name="Setting">The setting in use.</param>
/// <param name="How">"checked now", "cached", "your setting", "not checked" (GANKIT_KERNELS=unchecked), "child".</param>
/// <param name="Trials">Each setting tried, in order.</param>
/// <param name="CheckedAt">When the self-test ran (UTC).</param>
public sealed record KernelVerdict(string Machine, string Setting, string How, IReadOnlyList<KernelTrial> Trials, DateTime? CheckedAt)
{
    /// <summary>The trial of the setting in use, if it was checked.</summary>
    public KernelTrial? Chosen => Trials.FirstOrDefault(t => t.Setting == Setting);

    /// <summary>True when the setting in use passed every check.</summary>
    public bool Correct => Chosen?.Passed == true;

    /// <summary>One line for Kit.Setup()'s report and the run manifest.</summary>
    public string Summary()
    {
        var inv = CultureInfo.InvariantCulture;
        if (How == "not checked") return "not checked (GANKIT_KERNELS=unchecked)";
        var chosen = Chosen;
        if (chosen is null) return $"{Setting} ({How}; no check ran)";
        if (!chosen.Passed)
            return $"WRONG: {Setting} fails {chosen.Wrong} of {chosen.Checks} checks ({How}), e.g. {chosen.Examples.FirstOrDefault() ?? chosen.Error}"
                + (How == "your setting" ? "; unset it to let the kit choose" : "; no setting the kit knows passes — results of convolutions or decompositions may be wrong");
        var shipped = Trials.FirstOrDefault(t => t.Setting == KernelSetting.Candidates[0].Name);
        if (Setting == KernelSetting.Candidates[0].Name || shipped is null || shipped.Passed)
            return string.Create(inv, $"{Setting}: all {chosen.Checks} checks pass ({How})");
        var why = shipped.Error.Length > 0 ? $"as shipped could not be checked ({shipped.Error})"
            : $"as shipped, {shipped.Wrong} of {shipped.Checks} checks fail on this CPU (e.g. {Short(shipped.Examples.FirstOrDefault())})";
        int correct = Trials.Count(t => t.Passed);
        return string.Create(inv, $"{Setting} — {why}; the fastest of {correct} correct settings ({How}; conv step {chosen.ConvStepMs:F0} ms, as shipped {shipped.ConvStepMs:F0} ms)");
    }

    /// <summary>"conv2d k4 s2 p1 1→8 ch 4 px, ∂input, 1 thread: WRONG (error 0.72, …)" → "conv2d k4 s2 p1 1→8 ch 4 px, ∂input: error 0.72".</summary>
    static string Short(string? example)
    {
        if (example is null) return "?";
        var name = example.Split(": WRONG", 2)[0];
        var cut = name.LastIndexOf(", ", StringComparison.Ordinal);
        var err = System.Text.RegularExpressions.Regex.Match(example, @"error ([^,;)]+)");
        return (cut > 0 ? name[..cut] : name) + (err.Success ? ": error " + err.Groups[1].Value : "");
    }

    /// <inheritdoc />
    public override string ToString() => Summary();
}

/// <summary>
/// Right numbers on every CPU: a float kernel can be wrong on a processor its library mis-detects (libtorch 2.10's
/// oneDNN returns wrong convolution input-gradients on AMD Zen 5 under a hypervisor). Once per machine and libtorch
/// build, the kit runs <see cref="KernelChecks"/> under each <see cref="KernelSetting.Candidates"/> setting in a
/// process of its own (the caps are read once per process), keeps the fastest setting that passes every check, caches
/// that verdict beside the thread calibration, and applies it in every process that loads the kit before libtorch runs
/// its first kernel: tests, runner, bench and the Jupyter kernel (the library's module initializer). An explicit
/// setting of the libraries' variables wins (it is checked and reported, not changed); <c>GANKIT_KERNELS=unchecked</c>
/// skips the self-test; <c>GANKIT_KERNELS=recheck</c> runs it again.
/// </summary>
public static class KernelSettings
{
    /// <summary>Environment variable: "unchecked" (use the libraries as shipped, no self-test) or "recheck".</summary>
    public const string EnvironmentVariable = "GANKIT_KERNELS";
    /// <summary>Set in the self-test's own processes (and the bench's `kernels` children): the name of the setting to apply there, exactly.</summary>
    public const string TrialVariable = "GANKIT_KERNEL_TRIAL";
    /// <summary>Set by a process that applied a verdict, for the processes it starts (graded runs, sweeps): they apply the same. A child that must run another setting removes it.</summary>
    public const string InheritedVariable = "GANKIT_KERNEL_VERDICT";
    /// <summary>The argument that makes GanNotebooks.dll run one trial and print its JSON.</summary>
    internal const string TrialArgument = "--kernel-trial";

    static readonly object Gate = new();
    const double Margin = 0.10;

    /// <summary>The verdict applied in this process (null until the kit is loaded on an OS where it applies).</summary>
    public static KernelVerdict? Current { get; private set; }

    /// <summary>
    /// Chooses and applies this process's kernel setting (idempotent; the module initializer calls it after the native
    /// libraries are loadable and before anything runs a kernel). Never throws: a failed self-test is reported.
    /// </summary>
    internal static void ApplyAtStartup()
    {
        lock (Gate)
        {
            if (Current is not null) return;
            try { Current = Decide(); }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception or JsonException)
            {
                Current = new KernelVerdict(MachineKey(), KernelSetting.Candidates[0].Name, "not checked: " + e.Message, [], null);
            }
            Apply(Find(Current.Setting));
            if (Current.How != "trial") System.Environment.SetEnvironmentVariable(InheritedVariable, JsonSerializer.Serialize(Current));
        }
    }

    static KernelVerdict Decide()
    {
        var key = MachineKey();
        if (System.Environment.GetEnvironmentVariable(TrialVariable) is { Length: > 0 } trial)
            return new KernelVerdict(key, trial, "trial", [], null);
        var mode = System.Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant();
        if (mode != "recheck" && Inherited(key) is { } inherited) return inherited;
        if (mode == "unchecked") return new KernelVerdict(key, KernelSetting.Candidates[0].Name, "not checked", [], null);
        var user = KernelSetting.FromUser();
        var candidates = user is null ? KernelSetting.Candidates : [user];
        var cacheKey = user is null ? key : key + " | " + user.Name;
        var file = CacheFile();
        if (mode != "recheck" && file is not null && ReadCache(file, cacheKey) is { } cached)
            return cached with { How = user is null ? "cached" : "your setting" };
        if (!Tool.CanRunTrials) return new KernelVerdict(key, candidates[0].Name, "not checked: " + Tool.WhyNot, [], null);
        Console.Error.WriteLine("GanNotebooks: checking this CPU's float kernels against float64, once per machine (a few seconds per setting)…");
        var verdict = Choose(key, candidates, Tool.RunTrial) with { How = user is null ? "checked now" : "your setting" };
        if (file is not null) WriteCache(file, cacheKey, verdict);
        return verdict;
    }

    /// <summary>
    /// Tries the settings in order: the first one if it passes; else every one, keeping the fastest that passes (the
    /// earlier of two within 10 %). When none passes, the one with the fewest wrong checks, and the verdict says it is wrong.
    /// </summary>
    internal static KernelVerdict Choose(string machine, IReadOnlyList<KernelSetting> candidates, Func<KernelSetting, KernelTrial> run)
    {
        var trials = new List<KernelTrial> { run(candidates[0]) };
        if (!trials[0].Passed) trials.AddRange(candidates.Skip(1).Select(run));
        var passing = trials.Where(t => t.Passed).ToList();
        // The earliest passing setting within 10 % of the fastest: timings on a shared machine are noisy, and the same
        // machine kind should not flip between two settings (different rounding) from one check to the next.
        var fastestMs = passing.Count > 0 ? passing.Min(t => t.ConvStepMs) : 0;
        var best = passing.Count > 0
            ? passing.First(t => t.ConvStepMs <= fastestMs * (1 + Margin))
            : trials.OrderBy(t => t.Error.Length > 0 ? int.MaxValue : t.Wrong).First();
        return new KernelVerdict(machine, best.Setting, "checked now", trials, DateTime.UtcNow);
    }

    /// <summary>The verdict of the process that started this one, when it was made for this machine.</summary>
    static KernelVerdict? Inherited(string key)
    {
        if (System.Environment.GetEnvironmentVariable(InheritedVariable) is not { Length: > 0 } json) return null;
        try { return JsonSerializer.Deserialize<KernelVerdict>(json) is { } v && v.Machine == key ? v : null; }
        catch (JsonException) { return null; }
    }

    static KernelSetting Find(string name) =>
        KernelSetting.Candidates.FirstOrDefault(c => c.Name == name) ?? KernelSetting.FromUser() ?? KernelSetting.Candidates[0];

    // ------------------------------------------------------------------ applying a setting

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnvNative(string name, string value, int overwrite);

    /// <summary>Sets the setting's variables where native code reads them (libc's environment) and the oneDNN switch.</summary>
    static void Apply(KernelSetting s)
    {
        foreach (var (name, value) in s.Environment)
        {
            System.Environment.SetEnvironmentVariable(name, value); // for child processes and reports
            if (!OperatingSystem.IsWindows()) SetEnvNative(name, value, 1); // .NET's own call does not reach libc's environ
        }
        if (!s.OneDnnConvolutions) OneDnn.Disable();
    }

    /// <summary>at::globalContext().setUserEnabledMkldnn(false) and setUserEnabledNNPACK(false): switches ATen reads at every convolution.</summary>
    static unsafe class OneDnn
    {
        public static void Disable()
        {
            var path = NativeRuntime.Preloaded.FirstOrDefault(p => Path.GetFileName(p) == "libtorch_cpu.so")
                ?? (NativeRuntime.LibraryPath is { } l ? Path.Combine(Path.GetDirectoryName(l)!, "libtorch_cpu.so") : "libtorch_cpu.so");
            if (!NativeLibrary.TryLoad(path, out var lib) || !NativeLibrary.TryGetExport(lib, "_ZN2at13globalContextEv", out var context))
                throw new InvalidOperationException($"cannot switch oneDNN off: at::globalContext not found in {path}");
            var ctx = ((delegate* unmanaged<IntPtr>)context)();
            foreach (var setter in new[] { "_ZN2at7Context20setUserEnabledMkldnnEb", "_ZN2at7Context20setUserEnabledNNPACKEb" })
            {
                if (!NativeLibrary.TryGetExport(lib, setter, out var set))
                    throw new InvalidOperationException($"cannot switch oneDNN off: {setter} not found in {path}");
                ((delegate* unmanaged<IntPtr, byte, void>)set)(ctx, 0);
            }
        }
    }

    // ------------------------------------------------------------------ one trial (in its own process)

    /// <summary>The trial's own process: runs every check and the timing under the setting applied at start-up; JSON on stdout.</summary>
    internal static int RunTrialHere()
    {
        var name = Current?.Setting ?? "?";
        var checks = KernelChecks.RunAll();
        var wrong = checks.Where(c => !c.Passed).ToList();
        var trial = new KernelTrial(name, checks.Count, wrong.Count, wrong.Take(3).Select(c => c.ToString()).ToList(), ConvStepMs());
        Console.Out.WriteLine(JsonSerializer.Serialize(trial));
        return 0;
    }

    /// <summary>Runs one trial of <paramref name="setting"/> in a process of its own (what the self-test does for each candidate).</summary>
    internal static KernelTrial RunTrial(KernelSetting setting) =>
        Tool.CanRunTrials ? Tool.RunTrial(setting) : new KernelTrial(setting.Name, 0, 0, [], double.PositiveInfinity, Tool.WhyNot);

    /// <summary>
    /// Milliseconds of one DCGAN training step as notebook 05 sizes it (28×28, width 32, batch 64, one thread): G's
    /// linear → 64×7×7 → transposed convs to 32×14×14 and 1×28×28, D's strided convs 1→32→64 → linear, forward and backward
    /// through both. The fastest of 7 timed steps (the least disturbed by other work on a shared machine).
    /// </summary>
    internal static double ConvStepMs()
    {
        int saved = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            using var scope = torch.NewDisposeScope();
            using var gen = new Generator(3);
            Tensor P(params long[] s) => (torch.randn(s, generator: gen) * 0.05).requires_grad_();
            var (x, z) = (torch.randn([64, 1, 28, 28], generator: gen), torch.randn([64, 64], generator: gen));
            var (g0, g1, g2) = (P(64 * 7 * 7, 64), P(64, 32, 4, 4), P(32, 1, 4, 4));
            var (d1, d2, d3) = (P(32, 1, 4, 4), P(64, 32, 4, 4), P(1, 64 * 7 * 7));
            Tensor D(Tensor img)
            {
                var h = F.leaky_relu(F.conv2d(img, d1, null, [2, 2], [1, 1]), 0.2);
                h = F.leaky_relu(F.conv2d(h, d2, null, [2, 2], [1, 1]), 0.2);
                return F.linear(h.flatten(1), d3);
            }
            void Step()
            {
                using var s = torch.NewDisposeScope();
                var h = F.relu(F.linear(z, g0)).view(64, 64, 7, 7);
                h = F.relu(F.conv_transpose2d(h, g1, null, [2, 2], [1, 1]));
                var fake = F.conv_transpose2d(h, g2, null, [2, 2], [1, 1]).tanh();
                (D(fake).mean() - D(x).mean()).backward();
                foreach (var p in new[] { g0, g1, g2, d1, d2, d3 }) p.grad = null;
            }
            Step();
            return Enumerable.Range(0, 7).Select(_ => { var sw = Stopwatch.StartNew(); Step(); return sw.Elapsed.TotalMilliseconds; }).Min();
        }
        finally { torch.set_num_threads(saved); }
    }

    /// <summary>Starts GanNotebooks.dll as a program of its own (<c>dotnet exec</c>) for one trial.</summary>
    static class Tool
    {
        static string LibraryDll => typeof(KernelSettings).Assembly.Location;

        static string? DotNetHost()
        {
            // The runtime's folder is …/dotnet/shared/Microsoft.NETCore.App/<version>/: the host sits three levels up.
            var runtimeDir = RuntimeEnvironment.GetRuntimeDirectory();
            var root = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
            var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            return File.Exists(host) ? host : null;
        }

        public static string WhyNot =>
            string.IsNullOrEmpty(LibraryDll) ? "the kit was not loaded from a file"
            : DotNetHost() is null ? $"no dotnet host beside the runtime ({RuntimeEnvironment.GetRuntimeDirectory()})" : "";

        public static bool CanRunTrials => WhyNot.Length == 0;

        public static KernelTrial RunTrial(KernelSetting s)
        {
            var psi = new ProcessStartInfo(DotNetHost()!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "exec", "--runtimeconfig", RuntimeConfig(), LibraryDll, TrialArgument }) psi.ArgumentList.Add(a);
            foreach (var v in KernelSetting.Variables) psi.Environment.Remove(v);
            foreach (var (k, v) in s.Environment) psi.Environment[k] = v;
            psi.Environment[TrialVariable] = s.Name;
            psi.Environment.Remove(InheritedVariable);
            psi.Environment.Remove(EnvironmentVariable);
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start a trial process");
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(120_000)) { p.Kill(true); return Failed(s, "the trial did not end in 120 s"); }
            var json = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
            if (p.ExitCode != 0 || json is null)
                return Failed(s, $"exit code {p.ExitCode}: {err.Result.Split('\n').FirstOrDefault(l => l.Trim().Length > 0 && !l.Contains("NNPACK"))?.Trim()}");
            return JsonSerializer.Deserialize<KernelTrial>(json)! with { Setting = s.Name };
        }

        static KernelTrial Failed(KernelSetting s, string why) => new(s.Name, 0, 0, [], double.PositiveInfinity, why);

        /// <summary>A runtime configuration for GanNotebooks.dll as a program: this process's .NET, with ASP.NET Core's shared framework (the library references it).</summary>
        static string RuntimeConfig()
        {
            var v = System.Environment.Version;
            var version = $"{v.Major}.{v.Minor}.0";
            var json = JsonSerializer.Serialize(new
            {
                runtimeOptions = new
                {
                    tfm = $"net{v.Major}.{v.Minor}",
                    rollForward = "LatestMinor",
                    frameworks = new[] { new { name = "Microsoft.NETCore.App", version }, new { name = "Microsoft.AspNetCore.App", version } },
                },
            });
            var path = Path.Combine(Path.GetTempPath(), $"gannotebooks-trial-{version}.runtimeconfig.json");
            AtomicFile.WriteAllText(path, json);
            return path;
        }
    }

    // ------------------------------------------------------------------ machine key and cache

    /// <summary>The machine as the verdict's cache knows it: CPU model, family/model/stepping, a hash of its feature flags, TorchSharp and libtorch build.</summary>
    public static string MachineKey()
    {
        var flags = CpuInfo.Field("flags") ?? "";
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(flags)))[..12];
        var torchVersion = BuildInfo.VersionOf(typeof(torch).Assembly);
        var lib = NativeRuntime.LibraryPath is { } l && File.Exists(l) ? new FileInfo(Path.Combine(Path.GetDirectoryName(l)!, "libtorch_cpu.so")) : null;
        return $"{CpuInfo.Model()} (family {CpuInfo.Field("cpu family") ?? "?"} model {CpuInfo.Field("model") ?? "?"}, flags {hash}) | {System.Environment.ProcessorCount} CPUs | TorchSharp {torchVersion} ({BuildInfo.TorchBackend}{(lib is { Exists: true } ? $", libtorch_cpu {lib.Length} bytes" : "")}) | {RuntimeInformation.OSArchitecture} | checks v{KernelChecks.SuiteVersion}";
    }

    /// <summary>kernels.json beside the thread calibration's cache (GANKIT_CACHE, else the user's cache folder).</summary>
    public static string? CacheFile() => Shared.KitEnvironment.CacheFolder() is { } dir ? Path.Combine(dir, "kernels.json") : null;

    static Dictionary<string, KernelVerdict> ReadAll(string file)
    {
        try { return File.Exists(file) ? JsonSerializer.Deserialize<Dictionary<string, KernelVerdict>>(File.ReadAllText(file)) ?? new() : new(); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or NotSupportedException) { return new(); }
    }

    /// <summary>The cached verdict, unless it names a setting this build of the kit does not know (then it is checked again).</summary>
    static KernelVerdict? ReadCache(string file, string key) =>
        ReadAll(file).TryGetValue(key, out var v) && v.Trials.Count > 0
            && (KernelSetting.Candidates.Any(c => c.Name == v.Setting) || KernelSetting.FromUser()?.Name == v.Setting) ? v : null;

    static void WriteCache(string file, string key, KernelVerdict v)
    {
        // A trial that could not run (e.g. a process killed by a busy machine) is not cached: the next start tries again.
        if (v.Trials.Any(t => t.Error.Length > 0)) return;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var all = ReadAll(file);
            all[key] = v;
            AtomicFile.WriteAllText(file, JsonSerializer.Serialize(all, new JsonSerializerOptions { WriteIndented = true }));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
