
namespace GanNotebooks.Tests.Evaluation.Features;

/// <summary>A temporary folder deleted at dispose.</summary>
sealed class TempDir : IDisposable
{
    public TempDir(string prefix) => Path = Directory.CreateTempSubdirectory(prefix).FullName;
    public string Path { get; }
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public string[] Entries() => Directory.GetFileSystemEntries(Path, "*", SearchOption.AllDirectories);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

static class TensorAssert
{
    /// <summary>Same shape and bit-for-bit equal values (TorchSharp's Tensor.equal is element-wise, unlike torch.equal).</summary>
    public static bool Identical(this TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }
}
