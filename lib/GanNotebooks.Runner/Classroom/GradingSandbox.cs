using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using GanNotebooks.Runner.Execution;

namespace GanNotebooks.Runner.Classroom;

/// <summary>
/// Starts a submission's child <c>gannb run</c>: inside bubblewrap (<c>bwrap</c>) when it is installed and can start
/// here — no network, its own /tmp and PID namespace, read-only views of the system (/usr), .NET, gannb and the
/// layout's views, its private folder as /course and /home/student, nothing else of the instructor's — else directly in
/// its private folder, with <see cref="Warning"/> saying what is not isolated. Either way its environment is a short list
/// (<see cref="ChildEnvironment"/>), not the instructor's. Classroom/README.md, "Isolation", says what each guarantees.
/// </summary>
public sealed class GradingSandbox
{
    /// <summary>Where a sandboxed run sees its private folder's course/ and home/.</summary>
    public const string ViewCourse = "/course", ViewHome = "/home/student";

    readonly string? _bwrap;

    GradingSandbox(string? bwrap, string? warning)
    {
        _bwrap = bwrap;
        Warning = warning;
    }

    /// <summary>Whether the runs are sandboxed.</summary>
    public bool Isolated => _bwrap is not null;

    /// <summary>"bubblewrap" or "none" (the gradebook's <c>sandbox</c>).</summary>
    public string Name => Isolated ? "bubblewrap" : "none";

    /// <summary>Null when sandboxed; else the one-line warning: why not, what is not isolated, how to fix it.</summary>
    public string? Warning { get; }

    /// <summary>Finds <paramref name="program"/> (a name on PATH or a path) and checks that it starts a sandbox here.</summary>
    public static GradingSandbox Detect(string program = "bwrap")
    {
        if (!OperatingSystem.IsLinux())
            return Unsandboxed($"bubblewrap runs on Linux only (this is {RuntimeInformation.OSDescription})", "grade on Linux with bubblewrap installed, or in a container");
        if (FindProgram(program) is not { } path)
            return Unsandboxed($"'{program}' (bubblewrap) is not installed", "install bubblewrap (apt-get install bubblewrap), or grade as an unprivileged user in a container");
        if (Probe(path) is { } problem)
            return Unsandboxed($"bwrap cannot start a sandbox here ({problem})",
                "let it create user namespaces (run as root, or sysctl kernel.unprivileged_userns_clone=1 / allow bwrap in AppArmor), or grade as an unprivileged user in a container");
        return new GradingSandbox(path, null);
    }

    static GradingSandbox Unsandboxed(string why, string fix) => new(null,
        $"warning: grading without a sandbox: {why}. Students' code runs with your access to every file (the source notebooks with the solutions, " +
        "the kit, your home folder, the output folder, files it leaves in /tmp) and to the network; what still holds: every submission was read " +
        $"before any code ran, and each runs in its own empty folder with a short environment. To isolate the runs, {fix}.");

    /// <summary>
    /// The child <c>gannb run GRADED --out WORK/executed --continue-on-error --cwd WORK</c> of the graded notebook in
    /// <paramref name="folder"/>, sandboxed when bwrap works here; its managed heap is capped at <paramref name="memoryBytes"/>.
    /// </summary>
    public ProcessStartInfo RunStartInfo(GradingFolder folder, string notebookFile, BudgetProfile? profile, long memoryBytes)
    {
        var gannb = GannbCommand.Current();
        var (course, home, temp) = Isolated ? (ViewCourse, ViewHome, "/tmp") : (folder.Course, folder.Home, folder.Temp);
        var work = Path.Combine(course, folder.Layout.FolderName);
        var info = new ProcessStartInfo(_bwrap ?? gannb.File) { WorkingDirectory = folder.Work };
        if (Isolated)
        {
            foreach (var a in BwrapArguments(folder, gannb, work)) info.ArgumentList.Add(a);
            info.ArgumentList.Add(gannb.File);
        }
        foreach (var a in gannb.Prefix) info.ArgumentList.Add(a);
        foreach (var a in new[] { "run", Path.Combine(work, notebookFile), "--out", Path.Combine(work, "executed"), "--continue-on-error", "--cwd", work })
            info.ArgumentList.Add(a);
        if (profile is { } p)
        {
            info.ArgumentList.Add("--profile");
            info.ArgumentList.Add(p.Name());
        }
        info.Environment.Clear();
        var data = folder.Layout.HasData ? Path.Combine(course, "data") : null;
        foreach (var (name, value) in ChildEnvironment(home, temp, data, gannb.DotnetRoot, memoryBytes)) info.Environment[name] = value;
        return info;
    }

    /// <summary>bwrap's arguments up to the command: the system's views, .NET and gannb read-only, the private folder, the layout's views.</summary>
    static List<string> BwrapArguments(GradingFolder folder, GannbCommand gannb, string work)
    {
        var args = SystemArguments();
        foreach (var dir in new[] { gannb.DotnetRoot, gannb.Directory }.Distinct()) args.AddRange(["--ro-bind", dir, dir]);
        args.AddRange(["--bind", folder.Course, ViewCourse, "--bind", folder.Home, ViewHome]);
        foreach (var view in folder.Layout.Views)
            args.AddRange(["--ro-bind", view.HostPath, Path.IsPathRooted(view.ViewPath) ? view.ViewPath : ViewCourse + "/" + view.ViewPath]);
        args.AddRange(["--chdir", work, "--"]);
        return args;
    }

    /// <summary>
    /// The namespaces and the system part of the view: new user, PID, network (loopback only, its own), IPC, UTS and
    /// cgroup namespaces, no capabilities, killed with its parent, its own session; /usr and the root's links into it,
    /// the loader cache, time zone and fonts read-only; its own /proc, a minimal /dev and an empty /tmp.
    /// </summary>
    static List<string> SystemArguments()
    {
        var args = new List<string> { "--unshare-all", "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr" };
        foreach (var top in new[] { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" })
        {
            var dir = new DirectoryInfo(top);
            if (dir.LinkTarget is { } target) args.AddRange(["--symlink", target, top]);
            else if (dir.Exists) args.AddRange(["--ro-bind", top, top]);
        }
        foreach (var etc in new[] { "/etc/ld.so.cache", "/etc/localtime", "/etc/fonts" }) args.AddRange(["--ro-bind-try", etc, etc]);
        args.AddRange(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]);
        return args;
    }

    /// <summary>Runs <c>bwrap … true</c>: null when it works, else bwrap's first error line.</summary>
    static string? Probe(string bwrap)
    {
        var info = new ProcessStartInfo(bwrap) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in SystemArguments()) info.ArgumentList.Add(a);
        info.ArgumentList.Add("--");
        info.ArgumentList.Add("true");
        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000))
            {
                process.Kill(entireProcessTree: true);
                return "it did not finish in 10 s";
            }
            var line = stderr.Result.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
            return process.ExitCode == 0 ? null : line ?? $"exit code {process.ExitCode}";
        }
        catch (System.ComponentModel.Win32Exception e) { return e.Message; }
    }

    static string? FindProgram(string program)
    {
        if (program.Contains(Path.DirectorySeparatorChar)) return File.Exists(program) ? Path.GetFullPath(program) : null;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
    }

    /// <summary>Variables passed on from the instructor's environment: locale, time zone, the runtime's, the kit's and the math libraries' settings (and what Windows needs to run anything).</summary>
    static readonly string[] PassedPrefixes = ["LC_", "DOTNET_", "GANKIT_", "ONEDNN_", "DNNL_", "OMP_", "MKL_"];
    static readonly string[] PassedNames = ["LANG", "TZ", "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE", "OS"];
    /// <summary>The instructor's folders, which the run has its own of (or gets from the layout).</summary>
    static readonly string[] NotPassed = ["GANKIT_DATA", "GANKIT_OUT", "GANKIT_CACHE"];

    /// <summary>
    /// The run's whole environment: PATH, HOME and TMPDIR (its own), DOTNET_ROOT, the GC heap limit, GANKIT_DATA when the
    /// layout has data, and the instructor's variables that configure the runtime and the numerics (<see cref="PassedPrefixes"/>),
    /// none of the others (tokens, proxies, SSH agents).
    /// </summary>
    static Dictionary<string, string> ChildEnvironment(string home, string temp, string? data, string dotnetRoot, long memoryBytes)
    {
        var env = new Dictionary<string, string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            if (e.Key is not string name || e.Value is not string value) continue;
            var upper = name.ToUpperInvariant();
            if ((PassedNames.Contains(upper) || PassedPrefixes.Any(p => upper.StartsWith(p, StringComparison.Ordinal))) && !NotPassed.Contains(upper)) env[name] = value;
        }
        env["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var name in new[] { "HOME", "USERPROFILE" }) env[name] = home;
        foreach (var name in new[] { "TMPDIR", "TMP", "TEMP" }) env[name] = temp;
        env["DOTNET_ROOT"] = dotnetRoot;
        env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        env["DOTNET_NOLOGO"] = "1";
        env["DOTNET_GCHeapHardLimit"] = "0x" + memoryBytes.ToString("X", CultureInfo.InvariantCulture);
        if (data is not null) env["GANKIT_DATA"] = data;
        return env;
    }
}

/// <summary>
/// How to start this gannb again: its apphost when this process is gannb, else the dotnet host with gannb.dll; the folder
/// it is in and the .NET installation it runs on (both of which a sandboxed run sees read-only).
/// </summary>
/// <param name="File">The program.</param>
/// <param name="Prefix">Arguments before gannb's own (<c>exec gannb.dll</c>).</param>
/// <param name="Directory">gannb's folder.</param>
/// <param name="DotnetRoot">The .NET installation (the folder holding shared/), or gannb's folder when it is self-contained.</param>
public sealed record GannbCommand(string File, string[] Prefix, string Directory, string DotnetRoot)
{
    /// <summary>The command for this process's gannb.</summary>
    public static GannbCommand Current()
    {
        var runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var shared = Path.GetFullPath(Path.Combine(runtime, "..", ".."));
        var dotnetRoot = Path.GetFileName(shared) == "shared" ? Path.GetDirectoryName(shared)! : Path.GetFullPath(runtime).TrimEnd(Path.DirectorySeparatorChar);
        var processPath = Environment.ProcessPath;
        if (processPath is not null && Path.GetFileNameWithoutExtension(processPath).Equals("gannb", StringComparison.OrdinalIgnoreCase))
            return new GannbCommand(processPath, [], Path.GetDirectoryName(processPath)!, dotnetRoot);
        var dll = typeof(GannbCommand).Assembly.Location;
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host) || !System.IO.File.Exists(host))
            host = processPath is not null && Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? processPath
                : Path.Combine(dotnetRoot, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return new GannbCommand(host, ["exec", dll], Path.GetDirectoryName(dll)!, dotnetRoot);
    }
}
