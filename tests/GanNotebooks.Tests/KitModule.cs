using System.Runtime.CompilerServices;
using GanNotebooks.Runtime;

namespace GanNotebooks.Tests;

static class KitModule
{
    // Before any test touches torch: the kit's native loading and its checked kernel setting (oneDNN's ISA cap is read
    // once per process, at the first convolution — a test that ran torch first would lock in the unchecked one).
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Init() => NativeRuntime.EnsureLoadable();
}
