using GanNotebooks.Core;
using TorchSharp;

namespace GanNotebooks.Tests.Core;

public class ShapesTests
{
    [Fact]
    public void A_shape_reads_as_bracketed_sizes()
    {
        using var t = torch.zeros(16, 1, 28, 28);
        Assert.Equal("[16, 1, 28, 28]", Shapes.Of(t));
        using var scalar = torch.tensor(1.0f);
        Assert.Equal("[]", Shapes.Of(scalar));
        Assert.Equal("[3, 4]", Shapes.Format([3L, 4L]));
    }
}
