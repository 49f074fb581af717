namespace GanNotebooks.Runtime;

/// <summary>
/// GanNotebooks.dll is also a program, for one purpose: the kernel self-test runs each candidate setting in a process of
/// its own (<c>dotnet exec GanNotebooks.dll --kernel-trial</c>, started by <see cref="KernelSettings"/>), because the
/// native libraries read their caps once per process. The module initializer has applied the trial's setting by the
/// time <c>Main</c> runs.
/// </summary>
internal static class KernelTrialProgram
{
    static int Main(string[] args)
    {
        if (args is [KernelSettings.TrialArgument]) return KernelSettings.RunTrialHere();
        Console.Error.WriteLine("GanNotebooks.dll is a library; as a program it only runs one trial of the kernel self-test (--kernel-trial), started by the kit itself.");
        return 2;
    }
}
