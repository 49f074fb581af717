using GanNotebooks.Core;
using GanNotebooks.Variants.Conditional;
using GanNotebooks.Runtime;
using GanNotebooks.Training;
using GanNotebooks.Losses;
using GanNotebooks.Variants.Standard;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Variants.Infogan;

/// <summary>
/// InfoGAN's latent layout (Chen et al. 2016, §5; MNIST: 62 noise, one 10-way categorical code, two continuous
/// codes ~ U(−1, 1)): G's input is the packed vector [B, NoiseDim + Continuous + Categories] =
/// [noise z ~ N(0, I), continuous c₂…, one-hot c₁]. The one-hot comes last, as in <see cref="ConditionalLatent"/>, so
/// that a <see cref="ConditionalGenerator"/> with ZDim = NoiseDim + Continuous can be InfoGAN's G: its label
/// embedding gives the categorical code as much weight in G's input as the noise (a bare one-hot among 60 Gaussian
/// inputs starts as a small perturbation that G tends to hide in details only Q notices). Q's output layout is
/// [Categories logits, Continuous means, Continuous log-variances] (<see cref="QOutputSize"/>).
/// </summary>
/// <param name="NoiseDim">Incompressible noise size (≥ 1).</param>
/// <param name="Categories">Classes of the categorical code (≥ 2; 0 for none).</param>
/// <param name="Continuous">Number of continuous codes (≥ 0).</param>
/// <param name="ContinuousRange">Continuous codes are drawn from U(−r, r) (paper: 1).</param>
public sealed record InfoGanCodes(int NoiseDim, int Categories = 10, int Continuous = 2, double ContinuousRange = 1.0)
{
    /// <summary>Width of G's packed input.</summary>
    public int LatentSize => NoiseDim + Continuous + Categories;

    /// <summary>The part of the latent before the one-hot (noise and continuous codes): a ConditionalGenerator's ZDim.</summary>
    public int UnlabelledSize => NoiseDim + Continuous;

    /// <summary>Width of Q's output: K logits + means and log-variances of the continuous codes.</summary>
    public int QOutputSize => Categories + 2 * Continuous;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (NoiseDim < 1) throw new ArgumentException($"InfoGanCodes.NoiseDim = {NoiseDim}: the noise size must be ≥ 1 (paper: 62).", nameof(NoiseDim));
        if (Categories == 1 || Categories < 0) throw new ArgumentException($"InfoGanCodes.Categories = {Categories}: use 0 (no categorical code) or ≥ 2 (paper: 10).", nameof(Categories));
        if (Continuous < 0) throw new ArgumentException($"InfoGanCodes.Continuous = {Continuous}: must be ≥ 0 (paper: 2).", nameof(Continuous));
        if (Categories + Continuous == 0) throw new ArgumentException("InfoGanCodes has no code: give Categories ≥ 2 or Continuous ≥ 1.");
        if (!(ContinuousRange > 0) || double.IsInfinity(ContinuousRange)) throw new ArgumentException($"InfoGanCodes.ContinuousRange = {ContinuousRange}: must be a finite number > 0 (paper: 1).", nameof(ContinuousRange));
    }

    /// <summary>B → packed latents [B, LatentSize]: noise N(0, I), category uniform, continuous U(−r, r).</summary>
    public Func<int, Tensor> Sampler(Device? device = null, Generator? generator = null)
    {
        Validate();
        var dev = device ?? Devices.Current;
        return b =>
        {
            using var scope = torch.NewDisposeScope();
            var noise = torch.randn(new long[] { b, NoiseDim }, device: dev, generator: generator);
            var cat = Categories > 0 ? torch.randint(0, Categories, new long[] { b }, device: dev, generator: generator) : null;
            var cont = (torch.rand(new long[] { b, Continuous }, device: dev, generator: generator) * 2 - 1) * ContinuousRange;
            return Pack(noise, cat, cont).MoveToOuterDisposeScope();
        };
    }

    /// <summary>noise [B, NoiseDim], categories int64 [B] (null when Categories = 0), continuous [B, Continuous] → [B, LatentSize].</summary>
    public Tensor Pack(Tensor noise, Tensor? categories, Tensor continuous)
    {
        ArgumentNullException.ThrowIfNull(noise); ArgumentNullException.ThrowIfNull(continuous);
        if (noise.dim() != 2 || noise.shape[1] != NoiseDim) throw new ArgumentException($"noise must be [B, {NoiseDim}]; got {Shapes.Of(noise)}.", nameof(noise));
        long b = noise.shape[0];
        if (continuous.dim() != 2 || continuous.shape[0] != b || continuous.shape[1] != Continuous)
            throw new ArgumentException($"continuous codes must be [B, {Continuous}] with B = {b}; got {Shapes.Of(continuous)}.", nameof(continuous));
        using var scope = torch.NewDisposeScope();
        var parts = new List<Tensor> { noise, continuous.to(noise.dtype, noise.device) };
        if (Categories > 0)
        {
            if (categories is null || categories.dim() != 1 || categories.shape[0] != b)
                throw new ArgumentException($"categories must be int64 [B] with B = {b}.", nameof(categories));
            parts.Add(torch.nn.functional.one_hot(categories.to_type(ScalarType.Int64).to(noise.device), Categories).to_type(noise.dtype));
        }
        return torch.cat(parts, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Splits packed latents [B, LatentSize] into (noise [B, NoiseDim], categories int64 [B] or null, continuous
    /// [B, Continuous]).
    /// </summary>
    public (Tensor Noise, Tensor? Categories, Tensor Continuous) Split(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (z.dim() != 2 || z.shape[1] != LatentSize)
            throw new ArgumentException($"expected InfoGAN latents [B, {LatentSize}] = [noise {NoiseDim}, continuous {Continuous}, one-hot {Categories}]; got {Shapes.Of(z)}. Use InfoGanCodes.Sampler.", nameof(z));
        var noise = z.narrow(1, 0, NoiseDim);
        Tensor? cat = null;
        if (Categories > 0)
        {
            using var onehot = z.narrow(1, NoiseDim + Continuous, Categories);
            cat = onehot.argmax(1);
        }
        return (noise, cat, z.narrow(1, NoiseDim, Continuous));
    }

    /// <summary>A copy of latents [B, LatentSize] with the categorical code set to <paramref name="category"/> in every row.</summary>
    public Tensor WithCategory(Tensor z, int category)
    {
        if (Categories == 0) throw new InvalidOperationException("these codes have no categorical part.");
        if (category < 0 || category >= Categories) throw new ArgumentOutOfRangeException(nameof(category), category, $"the category must be in 0..{Categories - 1}.");
        using var scope = torch.NewDisposeScope();
        var (noise, _, cont) = Split(z);
        return Pack(noise, torch.full(new long[] { z.shape[0] }, category, dtype: ScalarType.Int64, device: z.device), cont).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A traversal of the categorical code: [Categories·columns, LatentSize], one row of <paramref name="columns"/>
    /// per category value; column j uses the same noise in every row, continuous codes are 0. Render with
    /// <c>nrow: columns</c>: if c₁ captured the class, each row is one class (the paper's Fig. 2a).
    /// </summary>
    public Tensor CategoricalTraversal(int columns, Device? device = null, Generator? generator = null)
    {
        Validate();
        if (Categories == 0) throw new InvalidOperationException("these codes have no categorical part.");
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "show at least one column.");
        var dev = device ?? Devices.Current;
        using var scope = torch.NewDisposeScope();
        var noise = torch.randn(new long[] { columns, NoiseDim }, device: dev, generator: generator).repeat(Categories, 1);
        var cat = torch.arange(Categories, device: dev).repeat_interleave(columns);
        var cont = torch.zeros(new long[] { Categories * columns, Continuous }, device: dev);
        return Pack(noise, cat, cont).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A traversal of continuous code <paramref name="index"/>: [rows·steps, LatentSize]; row r has fixed noise and
    /// category r mod Categories, the other continuous codes 0, and code <paramref name="index"/> running linearly
    /// from −<paramref name="range"/> to +<paramref name="range"/> across the <paramref name="steps"/> columns
    /// (the paper sweeps −2…2, beyond the training range, Fig. 2c–d). Render with <c>nrow: steps</c>.
    /// </summary>
    public Tensor ContinuousTraversal(int index, int rows, int steps, double range = 2.0, Device? device = null, Generator? generator = null)
    {
        Validate();
        if (index < 0 || index >= Continuous) throw new ArgumentOutOfRangeException(nameof(index), index, $"continuous code index must be in 0..{Continuous - 1}.");
        if (rows < 1 || steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), $"need rows ≥ 1 and steps ≥ 2 (got {rows}, {steps}).");
        var dev = device ?? Devices.Current;
        using var scope = torch.NewDisposeScope();
        var noise = torch.randn(new long[] { rows, NoiseDim }, device: dev, generator: generator).repeat_interleave(steps, 0);
        var cat = Categories > 0 ? torch.arange(rows, device: dev).remainder(Categories).repeat_interleave(steps) : null;
        var cont = torch.zeros(new long[] { rows * steps, Continuous }, device: dev);
        var sweep = torch.linspace(-range, range, steps, device: dev).repeat(rows);
        cont[.., index] = sweep;
        return Pack(noise, cat, cont).MoveToOuterDisposeScope();
    }
}

/// <summary>How InfoGAN's Q scores a continuous code.</summary>
public enum InfoGanContinuousLoss
{
    /// <summary>
    /// Negative log-likelihood under a factorized Gaussian with Q's mean and learned log-variance (Chen et al. 2016,
    /// Appendix C: "we simply treat Q(c|x) as a factored Gaussian").
    /// </summary>
    GaussianNll,
    /// <summary>Squared error to Q's mean (the Gaussian NLL with fixed unit variance, up to ½ and a constant).</summary>
    Mse,
}

/// <summary>
/// InfoGAN objective (Chen et al. 2016, eq. 6): min_{G,Q} max_D V(D, G) − λ·L_I(G, Q), where
/// L_I = E[log Q(c | G(z, c))] + H(c) is a variational lower bound on the mutual information I(c; G(z, c)).
/// Minimizing the information loss (cross-entropy of Q's categorical logits with the sampled category + the
/// Gaussian NLL or squared error of the continuous codes) maximizes that bound. D's step adds λ·loss on the
/// (detached) fakes, training Q and the shared body; G's step adds it through G. The adversarial part is any
/// <see cref="LogitGanObjective"/> (default non-saturating). Needs an <see cref="IInfoGanDiscriminator"/> and a
/// latent sampler from <see cref="InfoGanCodes.Sampler"/>.
/// Logs "D(x)", "D(G(z))", "Info" (the weighted information loss), "Info/Cat" (cross-entropy, nats),
/// "Info/Cont", "MI bound" (= log K − cross-entropy, a lower bound on I(c₁; G) in nats) and "Q accuracy".
/// </summary>
public sealed class InfoGan : IGanObjective
{
    readonly LogitGanObjective _losses;

    /// <summary>Builds the objective.</summary>
    /// <param name="discriminator">D with its Q head (e.g. <see cref="InfoGanDiscriminator"/>) — the module the trainer trains as D.
    /// The objective keeps it typed, so it never casts the trainer's networks.</param>
    /// <param name="codes">The latent layout (validated; Q's output size must match).</param>
    /// <param name="lambdaCategorical">Weight of the categorical term (paper: 1).</param>
    /// <param name="lambdaContinuous">Weight of the continuous term (paper: "smaller", 0.1 is common).</param>
    /// <param name="continuousLoss">Gaussian NLL (default) or MSE.</param>
    /// <param name="losses">Adversarial losses (default non-saturating).</param>
    /// <param name="qTrainsBody">
    /// True (the paper's code): in D's step Q's loss also trains the body it shares with D. False: the body learns only
    /// from the adversarial loss and Q reads its features as they are, so G can only make the code visible through
    /// features D uses to tell real from fake.
    /// </param>
    public InfoGan(IInfoGanDiscriminator discriminator, InfoGanCodes codes, double lambdaCategorical = 1.0, double lambdaContinuous = 0.1,
        InfoGanContinuousLoss continuousLoss = InfoGanContinuousLoss.GaussianNll, LogitGanObjective? losses = null, bool qTrainsBody = true)
    {
        _discriminator = discriminator ?? throw new ArgumentNullException(nameof(discriminator));
        QTrainsBody = qTrainsBody;
        ArgumentNullException.ThrowIfNull(codes);
        codes.Validate();
        if (!(lambdaCategorical >= 0) || double.IsInfinity(lambdaCategorical)) throw new ArgumentOutOfRangeException(nameof(lambdaCategorical), lambdaCategorical, "λ must be a finite number ≥ 0 (paper: 1).");
        if (!(lambdaContinuous >= 0) || double.IsInfinity(lambdaContinuous)) throw new ArgumentOutOfRangeException(nameof(lambdaContinuous), lambdaContinuous, "λ must be a finite number ≥ 0 (0.1 is common).");
        if (!Enum.IsDefined(continuousLoss)) throw new ArgumentOutOfRangeException(nameof(continuousLoss), continuousLoss, "use GaussianNll or Mse.");
        Codes = codes;
        LambdaCategorical = lambdaCategorical;
        LambdaContinuous = lambdaContinuous;
        ContinuousLoss = continuousLoss;
        _losses = losses ?? new NonSaturatingGan();
        if (discriminator.QOutputSize != codes.QOutputSize)
            throw new ArgumentException($"the discriminator's Q has {discriminator.QOutputSize} outputs but these codes need {codes.QOutputSize} (InfoGanCodes.QOutputSize).", nameof(discriminator));
    }

    readonly IInfoGanDiscriminator _discriminator;

    /// <summary>The latent layout.</summary>
    public InfoGanCodes Codes { get; }
    /// <summary>λ of the categorical code.</summary>
    public double LambdaCategorical { get; }
    /// <summary>λ of the continuous codes.</summary>
    public double LambdaContinuous { get; }
    /// <summary>How continuous codes are scored.</summary>
    public InfoGanContinuousLoss ContinuousLoss { get; }
    /// <summary>Whether Q's loss trains the shared body in D's step.</summary>
    public bool QTrainsBody { get; }

    /// <inheritdoc/>
    public string Name => $"InfoGan({_losses.Name})";

    /// <inheritdoc/>
    public Tensor DiscriminatorLoss(GanStepContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var d = Discriminator(ctx);
        var r = ctx.Discriminator.call(ctx.Real);
        var (f, q) = d.ForwardWithQ(ctx.Fake, detachBodyForQ: !QTrainsBody);
        ctx.Log("D(x)", () => GanLosses.MeanProbability(r));
        ctx.Log("D(G(z))", () => GanLosses.MeanProbability(f));
        return _losses.DiscriminatorLossFromLogits(r, f) + InformationLoss(q, ctx.Z, ctx);
    }

    /// <inheritdoc/>
    public Tensor GeneratorLoss(GanStepContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var (f, q) = Discriminator(ctx).ForwardWithQ(ctx.Fake);
        return _losses.GeneratorLossFromLogits(f) + InformationLoss(q, ctx.Z, ctx);
    }

    /// <summary>
    /// The weighted information loss λ_cat·CE + λ_cont·NLL (a scalar, lower is more mutual information), from Q's
    /// outputs [B, QOutputSize] and the packed latents [B, LatentSize] that produced the images.
    /// </summary>
    public Tensor InformationLoss(Tensor qOutput, Tensor z) => InformationLoss(qOutput, z, null);

    Tensor InformationLoss(Tensor qOutput, Tensor z, GanStepContext? ctx)
    {
        ArgumentNullException.ThrowIfNull(qOutput); ArgumentNullException.ThrowIfNull(z);
        if (qOutput.dim() != 2 || qOutput.shape[1] != Codes.QOutputSize || qOutput.shape[0] != z.shape[0])
            throw new ArgumentException($"Q's output must be [B, {Codes.QOutputSize}] (= {Codes.Categories} logits + 2·{Codes.Continuous}); got {Shapes.Of(qOutput)} for B = {z.shape[0]}.", nameof(qOutput));
        var (_, cat, cont) = Codes.Split(z);
        int k = Codes.Categories, c = Codes.Continuous;
        Tensor loss = torch.zeros(Array.Empty<long>(), dtype: qOutput.dtype, device: qOutput.device);
        if (k > 0)
        {
            var logits = qOutput.narrow(1, 0, k);
            var ce = torch.nn.functional.cross_entropy(logits, cat!);
            loss = loss + LambdaCategorical * ce;
            ctx?.Log("Info/Cat", () => ce);
            ctx?.Log("MI bound", () => Math.Log(k) - ce);
            ctx?.Log("Q accuracy", () => logits.argmax(1).eq(cat!).to_type(ScalarType.Float32).mean());
        }
        if (c > 0)
        {
            var mean = qOutput.narrow(1, k, c);
            Tensor term;
            if (ContinuousLoss == InfoGanContinuousLoss.Mse)
                term = (cont.detach() - mean).square().sum(1).mean();
            else
            {
                // −log N(c; μ, σ²) = ½ log 2π + ½ log σ² + (c − μ)² / (2σ²), summed over codes, mean over the batch.
                // The log-variance is clamped so that one confident Q cannot push the loss to −∞.
                var logVar = qOutput.narrow(1, k + c, c).clamp(-6, 4);
                term = (0.5 * Math.Log(2 * Math.PI) + 0.5 * logVar + (cont.detach() - mean).square() / (2 * logVar.exp())).sum(1).mean();
            }
            loss = loss + LambdaContinuous * term;
            ctx?.Log("Info/Cont", () => term);
        }
        ctx?.Log("Info", () => loss);
        return loss;
    }

    IInfoGanDiscriminator Discriminator(GanStepContext ctx)
    {
        if (!ReferenceEquals(ctx.Discriminator, _discriminator))
            throw new InvalidOperationException(
                $"InfoGan was built for another discriminator than the trainer's ({ctx.Discriminator.GetType().Name}); pass the trainer's D to both: new GanTrainer(g, d, new InfoGan(d, codes), …).");
        return _discriminator;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
