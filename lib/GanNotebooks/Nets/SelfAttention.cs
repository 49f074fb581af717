using GanNotebooks.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanNotebooks.Nets;

/// <summary>
/// SAGAN's self-attention block (Zhang et al. 2019) for feature maps x [B, C, H, W]: with N = H·W positions,
/// query f = W_f x and key g = W_g x (1×1 convolutions to C/8 channels), value h = W_h x (C/2 channels),
/// attention β_{j,i} = softmax_i(f_jᵀ g_i) — how much position j looks at position i — and
/// y = x + γ · W_o (h βᵀ), γ a learned scalar that starts at 0, so the block begins as the identity and lets the
/// network blend in long-range dependencies as training finds them useful.
/// </summary>
public sealed class SelfAttention2d : Module<Tensor, Tensor>
{
    readonly Conv2d query, key, value, output;

    /// <summary>γ, the weight of the attention branch (initially 0).</summary>
    public Parameter gamma { get; }

    /// <summary>Channels C of the input (≥ 8).</summary>
    public long Channels { get; }

    /// <summary>When true, <see cref="LastAttention"/> keeps the attention map of the last forward call (for pictures).</summary>
    public bool KeepAttention { get; set; }

    /// <summary>β [B, N, N] of the last forward call when <see cref="KeepAttention"/> is set (the caller owns nothing: it is replaced by the next call); else null.</summary>
    public Tensor? LastAttention { get; private set; }

    /// <summary>Builds the block (1×1 convs with DCGAN's N(0, 0.02²) init, γ = 0).</summary>
    public SelfAttention2d(long channels, Generator? initGenerator = null) : base(nameof(SelfAttention2d))
    {
        if (channels < 8) throw new ArgumentOutOfRangeException(nameof(channels), channels, "self-attention needs at least 8 channels (queries and keys have C/8).");
        Channels = channels;
        query = Conv2d(channels, channels / 8, 1, bias: false);
        key = Conv2d(channels, channels / 8, 1, bias: false);
        value = Conv2d(channels, channels / 2, 1, bias: false);
        output = Conv2d(channels / 2, channels, 1, bias: false);
        gamma = new Parameter(zeros(1));
        RegisterComponents();
        Dcgan.InitializeWeights(this, initGenerator);
    }

    /// <summary>The attention map β [B, N, N] for x [B, C, H, W] (row j: where position j looks; each row sums to 1).</summary>
    public Tensor Attention(Tensor x)
    {
        Check(x);
        long b = x.shape[0], n = x.shape[2] * x.shape[3];
        var f = query.call(x).view(b, -1, n);        // [B, C/8, N]
        var g = key.call(x).view(b, -1, n);          // [B, C/8, N]
        return torch.nn.functional.softmax(f.transpose(1, 2).bmm(g), dim: -1); // [B, N, N]
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        var beta = Attention(x);
        if (KeepAttention)
        {
            LastAttention?.Dispose();
            LastAttention = beta.detach().clone().DetachFromDisposeScope();
        }
        long b = x.shape[0], n = x.shape[2] * x.shape[3];
        var h = value.call(x).view(b, -1, n);                           // [B, C/2, N]
        var o = h.bmm(beta.transpose(1, 2)).view(b, -1, x.shape[2], x.shape[3]); // o_j = Σ_i β_{j,i} h_i
        return x + gamma * output.call(o);
    }

    void Check(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != Channels)
            throw new ArgumentException($"SelfAttention2d({Channels}) expects feature maps [B, {Channels}, H, W]; got {Shapes.Of(x)}.", nameof(x));
    }
}
