using GanNotebooks.Data.Toy;
using GanNotebooks.Core;

namespace GanNotebooks.Tests.Core;

public class SpecialFunctionsTests
{
    [Fact]
    public void CdfMatchesTheNormalTable()
    {
        Assert.Equal(0.5, SpecialFunctions.NormalCdf(0), 7);
        Assert.Equal(0.9750021, SpecialFunctions.NormalCdf(1.96), 6);
        Assert.Equal(0.0013499, SpecialFunctions.NormalCdf(-3), 6);
        Assert.Equal(0.8427008, SpecialFunctions.Erf(1), 6);
        var g = GaussianMixture1D.Gaussian(2, 3);
        Assert.Equal(0.5, g.Cdf(2), 7);
    }
}
