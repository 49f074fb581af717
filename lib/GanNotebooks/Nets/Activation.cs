using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Nets;

/// <summary>
/// An activation choice for the network presets: a name plus how to build the module.
/// Use the static members: <c>Activation.ReLU</c>, <c>Activation.LeakyReLU(0.2)</c>, <c>Activation.Tanh</c>, …
/// </summary>
public sealed class Activation
{
    readonly Func<Module<Tensor, Tensor>> _create;

    Activation(string name, Func<Module<Tensor, Tensor>> create) { Name = name; _create = create; }

    /// <summary>Readable name, e.g. "LeakyReLU(0.2)".</summary>
    public string Name { get; }

    /// <summary>A new module instance (activations have no parameters).</summary>
    public Module<Tensor, Tensor> Create() => _create();

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>max(0, x): the DCGAN generator activation (Radford et al. 2016).</summary>
    public static Activation ReLU { get; } = new("ReLU", () => nn.ReLU());

    /// <summary>max(x, slope·x): the DCGAN discriminator activation with slope 0.2 (Radford et al. 2016).</summary>
    /// <param name="slope">Negative slope in [0, 1).</param>
    public static Activation LeakyReLU(double slope = 0.2)
    {
        if (!(slope >= 0 && slope < 1))
            throw new ArgumentOutOfRangeException(nameof(slope), slope, "LeakyReLU's negative slope must be in [0, 1); 0.2 is the DCGAN value.");
        return new($"LeakyReLU({slope})", () => nn.LeakyReLU(slope));
    }

    /// <summary>tanh: bounded output in (−1, 1), the usual image generator output.</summary>
    public static Activation Tanh { get; } = new("Tanh", () => nn.Tanh());

    /// <summary>σ(x): output in (0, 1).</summary>
    public static Activation Sigmoid { get; } = new("Sigmoid", () => nn.Sigmoid());

    /// <summary>ELU.</summary>
    public static Activation Elu { get; } = new("ELU", () => nn.ELU());

    /// <summary>GELU.</summary>
    public static Activation Gelu { get; } = new("GELU", () => nn.GELU());

    /// <summary>SiLU / swish.</summary>
    public static Activation SiLU { get; } = new("SiLU", () => nn.SiLU());

    /// <summary>softplus: smooth ReLU.</summary>
    public static Activation Softplus { get; } = new("Softplus", () => nn.Softplus());

    /// <summary>The identity (no activation).</summary>
    public static Activation Identity { get; } = new("Identity", () => nn.Identity());
}
