using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Runtime;

/// <summary>
/// The one place where the kit chooses its compute device: CUDA when this build has it and a GPU is
/// present, else CPU. Override with the environment variable GANKIT_DEVICE (auto|cpu|cuda|cuda:N) or
/// <see cref="Use(string)"/> (e.g. from a notebook's parameters cell).
/// </summary>
public static class Devices
{
    /// <summary>Environment variable that overrides the device choice.</summary>
    public const string EnvironmentVariable = "GANKIT_DEVICE";
    static Device? _current;
    static string _reason = "";

    /// <summary>The device every library helper uses by default.</summary>
    public static Device Current
    {
        get
        {
            if (_current is null) Use(Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "auto");
            return _current!;
        }
    }

    /// <summary>Why <see cref="Current"/> is what it is, in words (shown by the setup notebook).</summary>
    public static string Reason { get { _ = Current; return _reason; } }

    /// <summary>Choose the device: "auto", "cpu", "cuda" or "cuda:N". Throws with a fix when CUDA is asked for but absent.</summary>
    public static Device Use(string choice)
    {
        ArgumentNullException.ThrowIfNull(choice);
        NativeRuntime.EnsureLoadable();
        var c = choice.Trim().ToLowerInvariant();
        if (c is "" or "auto")
        {
            if (torch.cuda.is_available())
            {
                _current = torch.CUDA;
                _reason = $"CUDA is available ({torch.cuda.device_count()} device(s)); using cuda:0.";
            }
            else
            {
                _current = torch.CPU;
                _reason = WhyNoCuda();
            }
            return _current;
        }
        if (c == "cpu")
        {
            _current = torch.CPU;
            _reason = "CPU chosen explicitly.";
            return _current;
        }
        if (c.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new InvalidOperationException(
                    $"Device '{choice}' was requested but CUDA is not available: {WhyNoCuda()} " +
                    $"Use 'cpu' or 'auto', or build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU (see environment.md).");
            _current = torch.device(c);
            _reason = $"{c} chosen explicitly.";
            return _current;
        }
        throw new ArgumentException($"Unknown device '{choice}'. Use auto, cpu, cuda or cuda:N (env {EnvironmentVariable}).", nameof(choice));
    }

    /// <summary>Explains why CUDA is not in use on this machine.</summary>
    public static string WhyNoCuda()
    {
        var backend = BuildInfo.TorchBackend;
        if (backend != "cuda")
            return "this build uses the CPU libtorch (TorchBackend=cpu, the default); rebuild with -p:TorchBackend=cuda on a machine with an NVIDIA GPU to use it.";
        return "this is a CUDA build but torch.cuda.is_available() is false (no NVIDIA GPU or driver visible).";
    }

    /// <summary>Reset to the environment's choice (tests).</summary>
    public static void Reset() { _current = null; _reason = ""; }
}
