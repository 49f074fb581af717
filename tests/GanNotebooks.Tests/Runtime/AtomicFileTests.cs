
using GanNotebooks.Runtime;

namespace GanNotebooks.Tests.Runtime;

public class AtomicFileTests
{
    [Fact]
    public void FailedWriteLeavesThePreviousFileAndNoTemporaryFile()
    {
        var dir = Directory.CreateTempSubdirectory("gankit-atomic");
        try
        {
            var target = Path.Combine(dir.FullName, "result.bin");
            AtomicFile.WriteAllBytes(target, new byte[] { 1, 2, 3 });
            Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, s =>
            {
                s.Write(new byte[] { 9, 9 });
                throw new InvalidOperationException("interrupted");
            }));
            Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(target));
            Assert.Single(Directory.GetFiles(dir.FullName));
            AtomicFile.WriteBinary(target, w => w.Write(42));
            Assert.Equal(BitConverter.GetBytes(42), File.ReadAllBytes(target));
            var viaPath = AtomicFile.WriteVia(Path.Combine(dir.FullName, "sub", "x.txt"), tmp => File.WriteAllText(tmp, "ok"));
            Assert.Equal("ok", File.ReadAllText(viaPath));
            Assert.Equal(2, Directory.GetFiles(dir.FullName, "*", SearchOption.AllDirectories).Length);
        }
        finally { dir.Delete(true); }
    }
}
