using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GanNotebooks.Runner.Execution;
using GanNotebooks.Runner.Output;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GanNotebooks.Runner.Manifest;

/// <summary>The time one code cell took.</summary>
public sealed record CellTime(string Cell, double Seconds, string Status);

/// <summary>
/// What a run needs to be re-run and trusted: the code (kit version, git commit, dirty flag), the software (.NET,
/// TorchSharp, libtorch, the pinned package versions), the inputs (parameters after -p overrides, profile, seeds, the data
/// files the run opened with their SHA-256), the machine (device, torch threads, OS), and the times. Written into the
/// executed notebook's metadata (<c>metadata.gannb.manifest</c>) and shown in the report header.
/// </summary>
public sealed record RunManifest
{
    /// <summary>The manifest format.</summary>
    public int Version { get; init; } = 1;
    /// <summary>The notebook, relative to the repository root when it is inside it.</summary>
    public string Notebook { get; init; } = "";
    /// <summary>The kit's version (GanNotebooks.dll's informational version).</summary>
    public string KitVersion { get; init; } = "?";
    /// <summary>git HEAD of the repository, or "unknown".</summary>
    public string GitCommit { get; init; } = "unknown";
    /// <summary>True when tracked files differed from HEAD (git status --porcelain --untracked-files=no), null when unknown.</summary>
    public bool? GitDirty { get; init; }
    /// <summary>The tracked files that differed from HEAD (at most 30), so a reader sees whether the notebook or the kit was among them.</summary>
    public List<string> GitDirtyFiles { get; init; } = [];
    /// <summary>.NET runtime of the kernel.</summary>
    public string DotNet { get; init; } = "";
    /// <summary>Operating system.</summary>
    public string Os { get; init; } = "";
    /// <summary>As the kit's <c>Kit.Setup()</c> reported it inside the kernel (TorchSharp, libtorch, build, device, CPU threads, …); empty when the notebook does not show it.</summary>
    public Dictionary<string, string> Environment { get; init; } = new();
    /// <summary>Package versions pinned in Directory.Packages.props (central package management: what every build of this commit uses).</summary>
    public Dictionary<string, string> Packages { get; init; } = new();
    /// <summary>Environment variables that change results (thread counts, device, profile, the kernel caps).</summary>
    public Dictionary<string, string> Variables { get; init; } = new();
    /// <summary>Budget profile.</summary>
    public string Profile { get; init; } = "full";
    /// <summary>The -p overrides as given (what <c>verify</c> passes again).</summary>
    public List<string> Overrides { get; init; } = [];
    /// <summary>Every variable of the parameters cell after the overrides: name → C# expression.</summary>
    public Dictionary<string, string> Parameters { get; init; } = new();
    /// <summary>The parameters whose name contains "seed".</summary>
    public Dictionary<string, string> Seeds { get; init; } = new();
    /// <summary>The device the kit chose (from the environment report), else GANKIT_DEVICE, else "?".</summary>
    public string Device { get; init; } = "?";
    /// <summary>torch's intra-op threads: the notebook's <c>threads</c> parameter when it has one (it calls torch.set_num_threads), else what Kit.Setup() reported; null when unknown.</summary>
    public int? Threads { get; init; }
    /// <summary>The data files the run opened, with their SHA-256.</summary>
    public List<DataFileRecord> DataFiles { get; init; } = [];
    /// <summary>How <see cref="DataFiles"/> was made.</summary>
    public string DataFilesMethod { get; init; } = "";
    /// <summary>When the run started (UTC).</summary>
    public DateTimeOffset Start { get; init; }
    /// <summary>Total wall seconds.</summary>
    public double Seconds { get; init; }
    /// <summary>CPU seconds (user + system) of the runner's process during the run (the kernel runs in it).</summary>
    public double CpuSeconds { get; init; }
    /// <summary>Per-cell wall times.</summary>
    public List<CellTime> Cells { get; init; } = [];
    /// <summary>"5 claims: 5 ✓, 0 ✗" etc.</summary>
    public string ClaimsSummary { get; init; } = "no claims";
    /// <summary>The run's claims and metrics.</summary>
    public List<ClaimRecord> Claims { get; init; } = [];
    /// <summary>The run's error line, or null.</summary>
    public string? Failure { get; init; }

    /// <summary>The manifest as JSON.</summary>
    public JsonNode ToJsonNode() => JsonSerializer.SerializeToNode(this, RunClaims.Json)!;

    /// <summary>Reads the manifest of an executed notebook (null when it has none).</summary>
    public static RunManifest? FromNotebook(JsonObject notebook) =>
        notebook["metadata"]?["gannb"]?["manifest"] is JsonObject m ? m.Deserialize<RunManifest>(RunClaims.Json) : null;

    /// <summary>Reads the manifest of an executed notebook file (null when it has none).</summary>
    public static RunManifest? FromFile(string ipynb) =>
        JsonNode.Parse(File.ReadAllText(ipynb)) is JsonObject o ? FromNotebook(o) : null;

    /// <summary>Rows for the report header.</summary>
    public IEnumerable<(string Item, string Value)> Rows()
    {
        var inv = CultureInfo.InvariantCulture;
        yield return ("Claims", ClaimsSummary);
        yield return ("Kit", $"{KitVersion}, commit {GitCommit[..Math.Min(12, GitCommit.Length)]}{(GitDirty == true ? $" (dirty: {string.Join(", ", GitDirtyFiles)})" : GitDirty is null ? " (dirty flag unknown)" : "")}");
        yield return ("Software", $".NET {DotNet}; TorchSharp {Environment.GetValueOrDefault("TorchSharp", Packages.GetValueOrDefault("TorchSharp", "?"))}; libtorch {Environment.GetValueOrDefault("libtorch", "?")} ({Environment.GetValueOrDefault("build", "?")})");
        yield return ("Device", $"{Device}, {(Threads is { } t ? t.ToString(inv) + " torch thread" + (t == 1 ? "" : "s") : "threads unknown")}; {Os}");
        // The kernel self-test's verdict as Kit.Setup() showed it: which setting of libtorch's CPU kernels gave these numbers.
        if (Environment.GetValueOrDefault("kernels checked") is { Length: > 0 } kernels) yield return ("Kernels", kernels);
        yield return ("Seeds", Seeds.Count == 0 ? "(no parameter named *seed*)" : string.Join(", ", Seeds.Select(kv => $"{kv.Key} = {kv.Value}")));
        yield return ("Parameters", Parameters.Count == 0 ? "(no parameters cell)" : string.Join(", ", Parameters.Select(kv => $"{kv.Key} = {kv.Value}")));
        yield return ("Data files", DataFiles.Count == 0 ? $"none opened ({DataFilesMethod})" : string.Join("; ", DataFiles.Select(d => $"{d.Path} sha256:{d.Sha256[..16]}…")));
        yield return ("Start", Start.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", inv) + $"; {Seconds.ToString("0.0", inv)} s wall, {CpuSeconds.ToString("0.0", inv)} s CPU");
    }

    /// <summary>The manifest as a definition list plus the package table (report header).</summary>
    public string ToHtml()
    {
        var sb = new System.Text.StringBuilder("<details class=\"manifest\" open><summary>Manifest</summary><dl class=\"runinfo\">\n");
        foreach (var (item, value) in Rows())
            sb.Append("<dt>").Append(WebUtility.HtmlEncode(item)).Append("</dt><dd>").Append(WebUtility.HtmlEncode(value)).Append("</dd>\n");
        sb.Append("<dt>Packages</dt><dd>").Append(WebUtility.HtmlEncode(string.Join(", ", Packages.Select(kv => $"{kv.Key} {kv.Value}")))).Append("</dd>\n");
        return sb.Append("</dl></details>\n").ToString();
    }
}

/// <summary>Builds a <see cref="RunManifest"/> for a run.</summary>
public static partial class ManifestBuilder
{
    /// <summary>Variables recorded in the manifest when set.</summary>
    public static readonly string[] RecordedVariables =
        ["GANKIT_PROFILE", "GANKIT_DEVICE", "GANKIT_DATA", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OMP_WAIT_POLICY", "CUDA_VISIBLE_DEVICES", "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS", "ATEN_CPU_CAPABILITY", "GANKIT_KERNELS"];

    /// <summary>The repository root (the folder holding GanNotebooks.sln) above <paramref name="path"/>, or null.</summary>
    public static string? RepoRoot(string path)
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(path))!); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GanNotebooks.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>The data folder a run reads: GANKIT_DATA, else data/ in the repository root.</summary>
    public static string? DataFolder(string notebookPath)
    {
        var env = System.Environment.GetEnvironmentVariable("GANKIT_DATA");
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        return RepoRoot(notebookPath) is { } root ? Path.Combine(root, "data") : null;
    }

    /// <summary>Builds the manifest of a finished run.</summary>
    public static RunManifest Build(string notebookPath, BudgetProfile profile, IReadOnlyList<string> overrides, string? parametersSource,
        IReadOnlyList<CellRun> cells, DateTimeOffset start, TimeSpan elapsed, TimeSpan cpu, DataFileWatch? data, string? failure,
        (string Commit, bool? Dirty, List<string> DirtyFiles)? gitAtStart = null)
    {
        // The kit's checkout: the notebook's own, else the one gannb was built in (a notebook outside the kit loads it by path).
        var notebookRoot = RepoRoot(notebookPath);
        var root = KitRoot(notebookPath);
        var env = EnvironmentReport(cells);
        // The checkout as it was when the run started (a commit made while a long run goes must not be credited with it).
        var (commit, dirty, dirtyFiles) = gitAtStart ?? (root is null ? ("unknown", (bool?)null, new List<string>()) : Git(root));
        var parameters = parametersSource is null ? new Dictionary<string, string>() : ParametersAfter(parametersSource, overrides);
        var claims = RunClaims.FromRuns(cells).ToList();
        return new RunManifest
        {
            Notebook = notebookRoot is null ? Path.GetFullPath(notebookPath) : Path.GetRelativePath(notebookRoot, Path.GetFullPath(notebookPath)).Replace('\\', '/'),
            KitVersion = root is null ? "?" : KitVersion(root),
            GitCommit = commit,
            GitDirty = dirty,
            GitDirtyFiles = dirtyFiles,
            DotNet = System.Environment.Version.ToString(),
            Os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            Environment = env,
            Packages = root is null ? new() : PinnedPackages(root),
            Variables = RecordedVariables.Where(v => !string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable(v)))
                .ToDictionary(v => v, v => System.Environment.GetEnvironmentVariable(v)!),
            Profile = profile.Name(),
            Overrides = overrides.ToList(),
            Parameters = parameters,
            Seeds = parameters.Where(kv => kv.Key.Contains("seed", StringComparison.OrdinalIgnoreCase)).ToDictionary(),
            Device = env.GetValueOrDefault("device") ?? System.Environment.GetEnvironmentVariable("GANKIT_DEVICE") ?? "?",
            // A notebook's `threads` parameter (torch.set_num_threads(threads) after Kit.Setup) wins over what Kit.Setup saw.
            Threads = parameters.TryGetValue("threads", out var pt) && int.TryParse(pt, CultureInfo.InvariantCulture, out var pn) && pn > 0 ? pn
                : env.TryGetValue("CPU threads", out var t) && int.TryParse(t, CultureInfo.InvariantCulture, out var n) ? n : null,
            DataFiles = data?.Files().ToList() ?? [],
            DataFilesMethod = data?.Method ?? "not recorded",
            Start = start.ToUniversalTime(),
            Seconds = Math.Round(elapsed.TotalSeconds, 2),
            CpuSeconds = Math.Round(cpu.TotalSeconds, 2),
            Cells = cells.Where(c => c.Kind == CellKind.Code).Select(c => new CellTime(
                c.Injected ? c.Number + "+" : c.Number.ToString(CultureInfo.InvariantCulture), Math.Round(c.Elapsed.TotalSeconds, 3),
                c.Skipped ? "not run" : c.Error is not null ? "failed" : "ok")).ToList(),
            ClaimsSummary = RunClaims.Summarize(claims),
            Claims = claims,
            Failure = failure,
        };
    }

    /// <summary>Name → C# expression of every variable of the parameters cell, with the -p values in place.</summary>
    public static Dictionary<string, string> ParametersAfter(string parametersSource, IReadOnlyList<string> overrides)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var tree = CSharpSyntaxTree.ParseText(parametersSource, new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script));
        foreach (var v in tree.GetRoot().DescendantNodes().OfType<VariableDeclaratorSyntax>())
            if (v.Parent?.Parent is LocalDeclarationStatementSyntax or FieldDeclarationSyntax)
                result[v.Identifier.ValueText] = v.Initializer?.Value.ToString() ?? "";
        foreach (var o in overrides)
        {
            var (name, value) = Parameters.SplitOverride(o);
            result[name] = value;
        }
        return result;
    }

    /// <summary>The rows of the kit's environment report (the <c>gankit-env</c> table <c>Kit.Setup()</c> shows).</summary>
    public static Dictionary<string, string> EnvironmentReport(IEnumerable<CellRun> cells)
    {
        foreach (var d in cells.SelectMany(c => c.Outputs).OfType<DataOutput>())
        {
            if (d.Data["text/html"] is not JsonValue v || !v.TryGetValue<string>(out var html)) continue;
            var table = EnvTable().Match(html);
            if (!table.Success) continue;
            return EnvRow().Matches(table.Value).ToDictionary(
                m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        }
        return new();
    }

    [GeneratedRegex("<table class=\"gankit-env\">.*?</table>", RegexOptions.Singleline)]
    private static partial Regex EnvTable();

    [GeneratedRegex("<tr><th[^>]*>(.*?)</th><td[^>]*>(.*?)</td></tr>", RegexOptions.Singleline)]
    private static partial Regex EnvRow();

    /// <summary>git HEAD of the repository at <paramref name="root"/>, or "unknown".</summary>
    public static string GitHead(string root) => RunGit(root, "rev-parse HEAD")?.Trim() ?? "unknown";

    /// <summary>The kit's checkout for a run: the notebook's own, else the one gannb was built in (a notebook outside the kit loads it by path).</summary>
    static string? KitRoot(string notebookPath) => RepoRoot(notebookPath) ?? RepoRoot(Path.Combine(System.Environment.CurrentDirectory, "x")) ?? RepoRoot(typeof(ManifestBuilder).Assembly.Location);

    /// <summary>The git state (commit, dirty flag, dirty files) of the kit checkout a run of <paramref name="notebookPath"/> uses, taken when the run starts.</summary>
    public static (string Commit, bool? Dirty, List<string> DirtyFiles) GitAtStart(string notebookPath)
    {
        var root = KitRoot(notebookPath);
        return root is null ? ("unknown", null, []) : Git(root);
    }

    static (string, bool?, List<string>) Git(string root)
    {
        var head = RunGit(root, "rev-parse HEAD");
        if (head is null) return ("unknown", null, []);
        var status = RunGit(root, "status --porcelain --untracked-files=no");
        var files = status is null ? [] : status.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Length > 3 ? l[3..].Trim() : l.Trim()).Take(30).ToList();
        return (head.Trim(), status is null ? null : files.Count > 0, files);
    }

    static string? RunGit(string root, string args)
    {
        try
        {
            var psi = new ProcessStartInfo("git", $"-C \"{root}\" {args}") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi);
            if (p is null) return null;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit(10_000);
            return p.ExitCode == 0 ? text : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException) { return null; }
    }

    static string KitVersion(string root)
    {
        var dll = Path.Combine(root, "lib", "GanNotebooks", "bin", "Release", "GanNotebooks.dll");
        if (!File.Exists(dll)) return "?";
        var info = FileVersionInfo.GetVersionInfo(dll);
        return info.ProductVersion?.Split('+')[0] ?? info.FileVersion ?? "?";
    }

    [GeneratedRegex("<PackageVersion\\s+Include=\"([^\"]+)\"\\s+Version=\"([^\"]+)\"")]
    private static partial Regex PackageVersion();

    static Dictionary<string, string> PinnedPackages(string root)
    {
        var props = Path.Combine(root, "Directory.Packages.props");
        if (!File.Exists(props)) return new();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in PackageVersion().Matches(File.ReadAllText(props))) result[m.Groups[1].Value] = m.Groups[2].Value;
        return result;
    }
}
