using System.Buffers.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace GanNotebooks.Data.Audio;

/// <summary>
/// RIFF/WAVE files, 16-bit PCM mono — the format every browser's &lt;audio&gt; element plays (canonical 44-byte
/// header: "RIFF", size − 8, "WAVE", "fmt " chunk of 16 bytes with format 1, then "data").
/// </summary>
public static class Wav
{
    /// <summary>Bytes of the canonical header before the samples.</summary>
    public const int HeaderSize = 44;

    /// <summary>Encodes samples in [−1, 1] (clipped; NaN → 0) as a 16-bit PCM mono WAV file.</summary>
    /// <param name="samples">The waveform.</param>
    /// <param name="sampleRate">Samples per second (1–384000).</param>
    public static byte[] Encode(ReadOnlySpan<float> samples, int sampleRate)
    {
        if (sampleRate < 1 || sampleRate > 384000) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "the sample rate must be 1–384000 Hz.");
        int dataBytes = checked(samples.Length * 2);
        var bytes = new byte[HeaderSize + dataBytes];
        var s = bytes.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], 36 + dataBytes);
        "WAVE"u8.CopyTo(s[8..]);
        "fmt "u8.CopyTo(s[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], 16);             // fmt chunk size
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], 1);              // PCM
        BinaryPrimitives.WriteInt16LittleEndian(s[22..], 1);              // mono
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], sampleRate * 2); // byte rate
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], 2);              // block align
        BinaryPrimitives.WriteInt16LittleEndian(s[34..], 16);             // bits per sample
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[40..], dataBytes);
        for (int i = 0; i < samples.Length; i++)
        {
            float v = samples[i];
            if (float.IsNaN(v)) v = 0;
            v = Math.Clamp(v, -1f, 1f);
            BinaryPrimitives.WriteInt16LittleEndian(s[(HeaderSize + 2 * i)..], (short)Math.Round(v * 32767));
        }
        return bytes;
    }

    /// <summary>Encodes one clip tensor ([L], [1, L] or [1, 1, L]) as WAV.</summary>
    public static byte[] Encode(Tensor clip, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (clip.shape.Take((int)clip.dim() - 1).Any(d => d != 1) || clip.dim() < 1)
            throw new ArgumentException($"one mono clip is [L], [1, L] or [1, 1, L]; got {GanNotebooks.Core.Shapes.Of(clip)}.", nameof(clip));
        using var flat = clip.detach().reshape(-1).cpu().to_type(ScalarType.Float32);
        return Encode(flat.data<float>().ToArray(), sampleRate);
    }

    /// <summary>Decodes a 16-bit PCM mono WAV written by <see cref="Encode(ReadOnlySpan{float}, int)"/> back to samples in [−1, 1].</summary>
    public static (float[] Samples, int SampleRate) Decode(byte[] wav)
    {
        ArgumentNullException.ThrowIfNull(wav);
        if (wav.Length < HeaderSize || !wav.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !wav.AsSpan(8, 4).SequenceEqual("WAVE"u8))
            throw new InvalidDataException("not a RIFF/WAVE file.");
        var s = wav.AsSpan();
        if (BinaryPrimitives.ReadInt16LittleEndian(s[20..]) != 1 || BinaryPrimitives.ReadInt16LittleEndian(s[22..]) != 1 || BinaryPrimitives.ReadInt16LittleEndian(s[34..]) != 16)
            throw new InvalidDataException("only 16-bit PCM mono is read here.");
        int rate = BinaryPrimitives.ReadInt32LittleEndian(s[24..]);
        int n = BinaryPrimitives.ReadInt32LittleEndian(s[40..]) / 2;
        var samples = new float[n];
        for (int i = 0; i < n; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(s[(HeaderSize + 2 * i)..]) / 32767f;
        return (samples, rate);
    }
}
