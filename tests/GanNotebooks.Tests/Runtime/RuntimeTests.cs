using GanNotebooks.Runtime;
using TorchSharp;

namespace GanNotebooks.Tests.Runtime;

public class NativeRuntimeTests
{
    [Fact]
    public void TensorOpRunsAfterCleanBuild()
    {
        NativeRuntime.EnsureLoadable();
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = a.matmul(a.t());
        Assert.Equal(new float[] { 5, 14, 14, 50 }, b.data<float>().ToArray());
    }

    [Fact]
    public void FixIsInUseExactlyWhenSystemLibStdCxxLacksTheVersion()
    {
        if (!OperatingSystem.IsLinux()) return;
        NativeRuntime.EnsureLoadable();
        Assert.NotNull(NativeRuntime.LibraryPath);
        bool lacks = !NativeFix.SystemLibStdCxxHas(NativeFix.MissingVersion);
        Assert.Equal(lacks, NativeFix.IsWeak(NativeRuntime.LibraryPath!));
        Assert.Equal(lacks, NativeRuntime.FixInUse);
    }

    [Fact]
    public void Libtorch_and_the_patched_library_are_preloaded_from_the_kits_own_folder()
    {
        // Inside a notebook kernel nothing reads the kit's deps.json: TorchSharp would look beside TorchSharp.dll, copy
        // libtorch out of the NuGet cache and load the unpatched library. The kit loads both by path first.
        if (!OperatingSystem.IsLinux()) return;
        NativeRuntime.EnsureLoadable();
        var dir = Path.GetDirectoryName(NativeRuntime.LibraryPath)!;
        Assert.Equal(new[] { Path.Combine(dir, "libtorch_cpu.so"), Path.Combine(dir, NativeFix.LibraryFileName) },
            NativeRuntime.Preloaded.Where(p => !p.Contains("cuda", StringComparison.Ordinal)));
        Assert.StartsWith(Path.GetDirectoryName(typeof(torch).Assembly.Location)!, dir);
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(typeof(torch).Assembly.Location)!, "cpu")),
            "TorchSharp copied libtorch out of the NuGet cache: its own loader ran instead of the kit's preload");
    }

    [Fact]
    public void PatchMarksOnlyTheOneRequirementWeakAndIsIdempotent()
    {
        if (!OperatingSystem.IsLinux()) return;
        var src = NativeRuntime.LibraryPath!;
        var dir = Directory.CreateTempSubdirectory("gankit-elf");
        try
        {
            var copy = Path.Combine(dir.FullName, NativeFix.LibraryFileName);
            var bytes = File.ReadAllBytes(src);
            // Start from an unpatched copy: clear the weak bit if the build set it.
            int off = NativeFix.FindFlagsOffset(bytes, NativeFix.MissingVersion);
            Assert.True(off > 0);
            bytes[off] = (byte)(bytes[off] & ~0x2);
            File.WriteAllBytes(copy, bytes);
            Assert.False(NativeFix.IsWeak(copy));
            Assert.Equal(NativeFixOutcome.Patched, NativeFix.Apply(copy, force: true));
            Assert.True(NativeFix.IsWeak(copy));
            Assert.Equal(NativeFixOutcome.AlreadyPatched, NativeFix.Apply(copy, force: true));
            var after = File.ReadAllBytes(copy);
            Assert.Equal(bytes.Length, after.Length);
            int diffs = bytes.Zip(after).Count(p => p.First != p.Second);
            Assert.Equal(1, diffs);
            Assert.False(NativeFix.IsWeak(copy, "GLIBCXX_3.4.19"));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void NonElfFileIsRejectedWithAClearError()
    {
        var ex = Assert.Throws<InvalidDataException>(() => NativeFix.FindFlagsOffset(new byte[100], "X"));
        Assert.Contains("not an ELF", ex.Message);
    }
}

public class SeedingTests
{
    [Fact]
    public void SameSeedGivesIdenticalNumbers()
    {
        Seeding.Seed(1234);
        using var a = torch.randn(100);
        var ra = Seeding.Rng.NextDouble();
        Seeding.Seed(1234);
        using var b = torch.randn(100);
        var rb = Seeding.Rng.NextDouble();
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        Assert.Equal(ra, rb);
        Seeding.Seed(1235);
        using var c = torch.randn(100);
        Assert.NotEqual(a.data<float>().ToArray(), c.data<float>().ToArray());
    }
}

public class DevicesTests
{
    [Fact]
    public void AutoFallsBackToCpuWithAReasonWhenNoCuda()
    {
        if (torch.cuda.is_available()) return;
        Devices.Use("auto");
        Assert.Equal(DeviceType.CPU, Devices.Current.type);
        Assert.Contains("CPU", Devices.Reason, StringComparison.OrdinalIgnoreCase);
        Devices.Reset();
    }

    [Fact]
    public void AskingForCudaWithoutItIsAClearError()
    {
        if (torch.cuda.is_available()) return;
        var ex = Assert.Throws<InvalidOperationException>(() => Devices.Use("cuda"));
        Assert.Contains("CUDA is not available", ex.Message);
        Devices.Reset();
    }

    [Fact]
    public void UnknownDeviceNameIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Devices.Use("tpu"));
        Assert.Contains("auto, cpu, cuda", ex.Message);
    }
}

public class BudgetTests
{
    [Fact]
    public void SmokeProfileShrinksStepsAndFullKeepsThem()
    {
        var saved = Budget.Profile;
        try
        {
            Budget.Profile = BudgetProfile.Full;
            Assert.Equal(5000, Budget.Steps(5000));
            Assert.Equal(64, Budget.Of(64, 8));
            Budget.Profile = BudgetProfile.Smoke;
            Assert.Equal(50, Budget.Steps(5000));
            Assert.Equal(3, Budget.Steps(300));
            Assert.Equal(1, Budget.Steps(10));
            Assert.Equal(8, Budget.Of(64, 8));
        }
        finally { Budget.Profile = saved; }
    }

    [Fact]
    public void EachProfilePicksItsOwnValueAndPaperKeepsTheFullOnesElsewhere()
    {
        var saved = Budget.Profile;
        try
        {
            Budget.Profile = BudgetProfile.Full;
            Assert.Equal(400, Budget.Of(400, 8, paper: 20_000));
            Assert.False(Budget.IsPaper);
            Budget.Profile = BudgetProfile.Smoke;
            Assert.Equal(8, Budget.Of(400, 8, paper: 20_000));
            Budget.Profile = BudgetProfile.Paper;
            Assert.Equal(20_000, Budget.Of(400, 8, paper: 20_000));
            Assert.True(Budget.IsPaper);
            Assert.False(Budget.IsSmoke);
            Assert.Equal(64, Budget.Of(64, 8));                 // a knob with no paper value: the full one
            Assert.Equal(5000, Budget.Steps(5000));             // steps are not shrunk in the paper profile
            Assert.Equal("b", Budget.Pick(BudgetProfile.Smoke, "a", "b", "c"));
            Assert.Equal("c", Budget.Pick(BudgetProfile.Paper, "a", "b", "c"));
        }
        finally { Budget.Profile = saved; }
    }

    [Theory]
    [InlineData(BudgetProfile.Full, "full")]
    [InlineData(BudgetProfile.Smoke, "smoke")]
    [InlineData(BudgetProfile.Paper, "paper")]
    public void ProfileNamesRoundTrip(BudgetProfile profile, string name)
    {
        Assert.Equal(name, Budget.Name(profile));
        Assert.Equal(profile, Budget.Parse(name));
    }

    [Theory]
    [InlineData("paper", BudgetProfile.Paper)]
    [InlineData(" Paper\n", BudgetProfile.Paper)]
    [InlineData("smoke", BudgetProfile.Smoke)]
    [InlineData(" FULL ", BudgetProfile.Full)]
    [InlineData(null, BudgetProfile.Full)]
    public void ParsesProfileNames(string? text, BudgetProfile expected) => Assert.Equal(expected, Budget.Parse(text));

    [Fact]
    public void UnknownProfileIsAClearError()
    {
        var message = Assert.Throws<ArgumentException>(() => Budget.Parse("fast")).Message;
        Assert.Contains("'fast'", message);
        Assert.Contains("'full', 'smoke', 'paper'", message);
        Assert.Contains("GANKIT_PROFILE", message);
        Assert.Throws<ArgumentException>(() => Budget.Parse("papers"));
    }
}
