using System.Security.Cryptography;

namespace GanNotebooks.Data.Images;

/// <summary>Hash algorithms used to check data files.</summary>
public enum HashKind
{
    /// <summary>SHA-256: what the kit records for its own files (data/checksums.sha256).</summary>
    Sha256,
    /// <summary>MD5: what the MNIST / Fashion-MNIST publishers and torchvision document for the official files.</summary>
    Md5,
}

/// <summary>An expected hash of a file: algorithm, lowercase hex digest and where the value comes from.</summary>
/// <param name="Kind">The algorithm.</param>
/// <param name="Hex">The digest as hexadecimal (case-insensitive).</param>
/// <param name="Origin">Where this value was documented (shown in error messages).</param>
public sealed record FileHash(HashKind Kind, string Hex, string Origin = "")
{
    /// <summary>A SHA-256 hash.</summary>
    public static FileHash Sha256(string hex, string origin = "") => new(HashKind.Sha256, hex, origin);
    /// <summary>An MD5 hash.</summary>
    public static FileHash Md5(string hex, string origin = "") => new(HashKind.Md5, hex, origin);

    /// <summary>Whether the file's digest equals this one.</summary>
    public bool Matches(string path) => string.Equals(Checksums.Compute(path, Kind), Hex, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} {Hex.ToLowerInvariant()}" + (Origin.Length > 0 ? $" ({Origin})" : "");
}

/// <summary>A data file whose content is not the one recorded: a partial copy, a changed file, or a wrong download.</summary>
public sealed class ChecksumMismatchException : IOException
{
    /// <summary>Creates the exception; the message names the file, the expected and the found digests.</summary>
    public ChecksumMismatchException(string path, IReadOnlyList<FileHash> expected, string actualSha256, string fix)
        : base($"Checksum mismatch for '{path}': expected {string.Join(" or ", expected)}, " +
               $"found SHA256 {actualSha256}. {fix}")
    {
        FilePath = path;
        Expected = expected;
        ActualSha256 = actualSha256;
    }

    /// <summary>The file that failed the check.</summary>
    public string FilePath { get; }
    /// <summary>The accepted hashes.</summary>
    public IReadOnlyList<FileHash> Expected { get; }
    /// <summary>The file's SHA-256 as found.</summary>
    public string ActualSha256 { get; }
}

/// <summary>Computing and checking file digests; reading sha256sum-format lists.</summary>
public static class Checksums
{
    /// <summary>Lowercase hex digest of a file.</summary>
    public static string Compute(string path, HashKind kind = HashKind.Sha256)
    {
        using var stream = File.OpenRead(path);
        byte[] digest = kind switch
        {
            HashKind.Sha256 => SHA256.HashData(stream),
            HashKind.Md5 => MD5.HashData(stream),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown hash kind."),
        };
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>True when the file matches at least one of the accepted hashes.</summary>
    public static bool MatchesAny(string path, IReadOnlyList<FileHash> accepted) => accepted.Any(h => h.Matches(path));

    /// <summary>Throws <see cref="ChecksumMismatchException"/> unless the file matches one of the accepted hashes.</summary>
    /// <param name="path">The file to check.</param>
    /// <param name="accepted">Accepted digests (any one suffices).</param>
    /// <param name="fix">What the user should do when it fails (appended to the message).</param>
    public static void Verify(string path, IReadOnlyList<FileHash> accepted, string fix)
    {
        if (accepted.Count == 0) throw new ArgumentException("At least one expected hash is needed.", nameof(accepted));
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file '{path}' does not exist. {fix}", path);
        if (!MatchesAny(path, accepted))
            throw new ChecksumMismatchException(path, accepted, Compute(path, HashKind.Sha256), fix);
    }

    /// <summary>
    /// Reads a list in <c>sha256sum</c> format (<c>HEX␠␠relative/path</c> or <c>HEX␠*path</c> per line; # comments and
    /// blank lines ignored). Keys are the paths with '/' separators as written.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReadSha256List(string listPath)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (var raw in File.ReadLines(listPath))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int space = line.IndexOf(' ');
            if (space != 64 || !line[..64].All(Uri.IsHexDigit))
                throw new InvalidDataException(
                    $"'{listPath}' line {lineNo} is not in sha256sum format (64 hex digits, two spaces, a path): \"{raw}\".");
            var name = line[(space + 1)..].TrimStart(' ', '*');
            result[name] = line[..64].ToLowerInvariant();
        }
        return result;
    }
}
