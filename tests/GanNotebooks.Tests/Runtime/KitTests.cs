namespace GanNotebooks.Tests.Runtime;

public class KitTests
{
    [Fact]
    public void OutputDirectory_follows_GANKIT_OUT_and_creates_it()
    {
        var before = Environment.GetEnvironmentVariable(Kit.OutputEnvironmentVariable);
        var dir = Path.Combine(Path.GetTempPath(), "gankit-out-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Environment.SetEnvironmentVariable(Kit.OutputEnvironmentVariable, dir);
            Assert.Equal(Path.GetFullPath(dir), Kit.OutputDirectory("05-dcgan-images"));
            Assert.True(Directory.Exists(dir));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Kit.OutputEnvironmentVariable, before);
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void OutputDirectory_defaults_to_notebooks_out_under_the_kit()
    {
        var before = Environment.GetEnvironmentVariable(Kit.OutputEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(Kit.OutputEnvironmentVariable, null);
            var root = Kit.FindRepoRoot();
            Assert.NotNull(root);
            Assert.Equal(Path.Combine(root!, "notebooks", "out", "kit-test"), Kit.OutputDirectory("kit-test"));
            Directory.Delete(Path.Combine(root!, "notebooks", "out", "kit-test"));
        }
        finally { Environment.SetEnvironmentVariable(Kit.OutputEnvironmentVariable, before); }
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("..")]
    public void OutputDirectory_rejects_names_that_are_not_folder_names(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => Kit.OutputDirectory(name));
        Assert.Contains("file name without extension", e.Message);
    }
}
