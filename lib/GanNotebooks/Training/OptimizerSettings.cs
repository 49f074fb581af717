using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanNotebooks.Training;

/// <summary>
/// The one description of an optimizer that every recipe uses (kind, learning rate, Adam's betas, momentum, RMSprop's α,
/// weight decay), validated in one place (<see cref="Validate"/>) and built in one place (<see cref="Build"/>). A learning-rate
/// multiplier per parameter group is <see cref="ParameterGroup.LrMultiplier"/>. Presets carry the papers' values.
/// </summary>
public sealed record OptimizerSettings
{
    /// <summary>Adam (default), RMSprop or SGD.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Adam;
    /// <summary>Base learning rate (times each group's multiplier and the trainer's schedule factor).</summary>
    public double Lr { get; init; } = 2e-4;
    /// <summary>Adam's (β1, β2).</summary>
    public (double Beta1, double Beta2) Betas { get; init; } = (0.5, 0.999);
    /// <summary>Momentum for RMSprop and SGD.</summary>
    public double Momentum { get; init; }
    /// <summary>RMSprop's smoothing constant.</summary>
    public double RmsAlpha { get; init; } = 0.99;
    /// <summary>L2 weight decay (0: none).</summary>
    public double WeightDecay { get; init; }
    /// <summary>
    /// Adam only: true (default) builds <see cref="FlatAdam"/>, one update per parameter group on flat buffers; false builds
    /// TorchSharp's Adam, one update per parameter tensor — the same numbers, more kernels (for comparisons).
    /// </summary>
    public bool Flat { get; init; } = true;

    /// <summary>DCGAN's Adam (Radford et al. 2016, §4): lr 2e-4, β1 = 0.5 (the kit's default).</summary>
    public static OptimizerSettings Default { get; } = new();
    /// <summary>Adam with the given rate and betas.</summary>
    public static OptimizerSettings Adam(double lr, double beta1 = 0.5, double beta2 = 0.999) => new() { Lr = lr, Betas = (beta1, beta2) };
    /// <summary>RMSprop with the given rate.</summary>
    public static OptimizerSettings RmsProp(double lr, double alpha = 0.99, double momentum = 0) => new() { Kind = OptimizerKind.RMSprop, Lr = lr, RmsAlpha = alpha, Momentum = momentum };
    /// <summary>SGD with the given rate.</summary>
    public static OptimizerSettings Sgd(double lr, double momentum = 0) => new() { Kind = OptimizerKind.SGD, Lr = lr, Momentum = momentum };
    /// <summary>DCGAN (Radford et al. 2016): Adam 2e-4, β = (0.5, 0.999).</summary>
    public static OptimizerSettings Dcgan { get; } = Adam(2e-4);
    /// <summary>WGAN (Arjovsky et al. 2017, Algorithm 1): RMSprop 5e-5.</summary>
    public static OptimizerSettings Wgan { get; } = RmsProp(5e-5);
    /// <summary>WGAN-GP (Gulrajani et al. 2017, Algorithm 1): Adam 1e-4, β = (0, 0.9).</summary>
    public static OptimizerSettings WganGp { get; } = Adam(1e-4, 0.0, 0.9);
    /// <summary>TTUR as SAGAN used it (Zhang et al. 2019): G Adam 1e-4, D Adam 4e-4, β = (0, 0.9).</summary>
    public static (OptimizerSettings G, OptimizerSettings D) Ttur { get; } = (Adam(1e-4, 0.0, 0.9), Adam(4e-4, 0.0, 0.9));

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting (as <c>owner.Knob</c>), its value and how to fix it.</summary>
    /// <param name="owner">Whose settings these are, for the message (e.g. "GanTrainerConfig", "OptimizerDef(\"G\").Settings").</param>
    /// <param name="knob">Maps a setting's name here ("Lr", "Betas", "Kind"…) to the owner's (e.g. "LrG"); null keeps it.</param>
    public void Validate(string owner, Func<string, string>? knob = null)
    {
        ArgumentException Bad(string name, object value, string why) =>
            new(string.Create(CultureInfo.InvariantCulture, $"Invalid {owner}.{knob?.Invoke(name) ?? name} = {value}: {why}"), knob?.Invoke(name) ?? name);
        if (!Enum.IsDefined(Kind)) throw Bad("Kind", Kind, "use OptimizerKind.Adam, RMSprop or SGD.");
        if (!(Lr > 0) || double.IsInfinity(Lr)) throw Bad("Lr", Lr, "a learning rate must be a finite number > 0 (e.g. 2e-4).");
        if (Kind == OptimizerKind.Adam)
            foreach (var b in new[] { Betas.Beta1, Betas.Beta2 })
                if (!(b >= 0 && b < 1)) throw Bad("Betas", Betas, "Adam's betas must be in [0, 1), e.g. (0.5, 0.999).");
        if (!(Momentum >= 0) || double.IsInfinity(Momentum)) throw Bad("Momentum", Momentum, "momentum must be a finite number ≥ 0.");
        if (!(RmsAlpha >= 0 && RmsAlpha < 1)) throw Bad("RmsAlpha", RmsAlpha, "RMSprop's α must be in [0, 1) (0.99 is the default).");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw Bad("WeightDecay", WeightDecay, "weight decay must be a finite number ≥ 0.");
    }

    /// <summary>
    /// Builds the optimizer over parameter groups (parameters, learning-rate multiplier). One whole network at multiplier 1
    /// uses the plain constructor (what the kit always used, so the numbers stay the same).
    /// </summary>
    internal optim.Optimizer Build(IReadOnlyList<(IEnumerable<Parameter> Parameters, double LrMultiplier)> groups, bool single, string name)
    {
        Validate($"OptimizerDef(\"{name}\").Settings");
        bool flat = Flat && WeightDecay == 0; // FlatAdam has no weight decay; TorchSharp's Adam has
        if (single)
        {
            var ps = groups[0].Parameters;
            return Kind switch
            {
                OptimizerKind.Adam => flat ? new FlatAdam(ps, Lr, Betas.Beta1, Betas.Beta2) : optim.Adam(ps, Lr, Betas.Beta1, Betas.Beta2, weight_decay: WeightDecay),
                OptimizerKind.RMSprop => optim.RMSProp(ps, Lr, alpha: RmsAlpha, momentum: Momentum, weight_decay: WeightDecay),
                _ => optim.SGD(ps, Lr, momentum: Momentum, weight_decay: WeightDecay),
            };
        }
        foreach (var (ps, _) in groups)
            if (!ps.Any()) throw new ArgumentException($"optimizer '{name}': a parameter group selects no parameters.");
        return Kind switch
        {
            OptimizerKind.Adam => flat
                ? new FlatAdam(groups.Select(g => new Adam.ParamGroup(g.Parameters, lr: Lr * g.LrMultiplier, beta1: Betas.Beta1, beta2: Betas.Beta2)), Lr, Betas.Beta1, Betas.Beta2)
                : optim.Adam(groups.Select(g => new Adam.ParamGroup(g.Parameters, lr: Lr * g.LrMultiplier, beta1: Betas.Beta1, beta2: Betas.Beta2, weight_decay: WeightDecay)), Lr, Betas.Beta1, Betas.Beta2, weight_decay: WeightDecay),
            OptimizerKind.RMSprop => optim.RMSProp(groups.Select(g => new RMSProp.ParamGroup(g.Parameters, lr: Lr * g.LrMultiplier, alpha: RmsAlpha, momentum: Momentum, weight_decay: WeightDecay)), Lr, alpha: RmsAlpha, momentum: Momentum, weight_decay: WeightDecay),
            _ => optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, lr: Lr * g.LrMultiplier, momentum: Momentum, weight_decay: WeightDecay)), Lr, momentum: Momentum, weight_decay: WeightDecay),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        OptimizerKind.Adam => string.Create(CultureInfo.InvariantCulture, $"Adam lr {Lr:G3}, β = ({Betas.Beta1:G3}, {Betas.Beta2:G4}){(WeightDecay > 0 ? $", decay {WeightDecay:G3}" : "")}"),
        OptimizerKind.RMSprop => string.Create(CultureInfo.InvariantCulture, $"RMSprop lr {Lr:G3}{(Momentum > 0 ? $", momentum {Momentum:G3}" : "")}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"SGD lr {Lr:G3}{(Momentum > 0 ? $", momentum {Momentum:G3}" : "")}"),
    };
}
