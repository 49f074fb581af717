using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Tests;

public class AtomicFileTests
{
    [Fact]
    public void Replaces_the_target_and_leaves_no_temporary_file()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gannb-tests", Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var target = Path.Combine(dir, "sub", "r.html");
            AtomicFile.WriteAllText(target, "first");
            AtomicFile.WriteAllText(target, "second é");
            Assert.Equal("second é", File.ReadAllText(target));
            Assert.Equal(["r.html"], Directory.GetFiles(Path.GetDirectoryName(target)!).Select(Path.GetFileName));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
