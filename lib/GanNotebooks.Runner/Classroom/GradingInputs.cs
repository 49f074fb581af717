using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace GanNotebooks.Runner.Classroom;

/// <summary>A file read once, before any student code runs: grading uses these bytes and never reads the file again.</summary>
/// <param name="Path">Where it was read from.</param>
/// <param name="Bytes">Its content, or null when it could not be read.</param>
/// <param name="Sha256">The content's SHA-256 in lower-case hex ("" when it could not be read).</param>
/// <param name="Error">Why it could not be read, else null.</param>
public sealed record InputFile(string Path, byte[]? Bytes, string Sha256, string? Error)
{
    /// <summary>Reads the whole file now.</summary>
    public static InputFile Read(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            return new InputFile(path, bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new InputFile(path, null, "", $"{path}: cannot read: {e.Message}");
        }
    }

    /// <summary>The content as text, decoded as File.ReadAllText does (UTF-8 unless a byte-order mark says otherwise).</summary>
    public string Text()
    {
        using var reader = new StreamReader(new MemoryStream(Bytes ?? []), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}

/// <summary>A file of the source's folder that the source loads, copied into every run's working folder (as read before grading).</summary>
/// <param name="RelativePath">Its path relative to the source's folder.</param>
/// <param name="Bytes">Its content.</param>
public sealed record CourseCopy(string RelativePath, byte[] Bytes);

/// <summary>A read-only view the runs get of an instructor's file or folder.</summary>
/// <param name="HostPath">The file or folder.</param>
/// <param name="ViewPath">Where the run sees it: relative to the course folder of the run's view (e.g. "lib"), or an absolute path (the same as <paramref name="HostPath"/>).</param>
public sealed record CourseView(string HostPath, string ViewPath);

/// <summary>
/// What a submission's run sees of the course besides its graded notebook, worked out from the source notebook before any
/// student code runs (Classroom/README.md, "Isolation"): copies of the files of the source's folder that its code cells
/// <c>#load</c> or <c>#r</c>, read-only views of the folders beside the source's folder that hold the other files it
/// loads (lib/ for <c>#load "../lib/kit.csx"</c>), and of the kit's data folder. The source's folder (its other
/// notebooks) and the rest of the course folder (submissions, grades) are not in it.
/// </summary>
/// <param name="FolderName">The source folder's name: the run's working folder has it, so relative paths resolve as beside the source.</param>
/// <param name="Copies">Files of the source's folder it loads.</param>
/// <param name="Views">Read-only views.</param>
/// <param name="HasData">Whether a data folder is among the views, as "data" (the run's GANKIT_DATA).</param>
public sealed record CourseLayout(string FolderName, IReadOnlyList<CourseCopy> Copies, IReadOnlyList<CourseView> Views, bool HasData)
{
    static readonly Regex Reference = new(@"^[ \t]*#(?:load|r)[ \t]+""(?<path>[^""]+)""", RegexOptions.Multiline);

    /// <summary>The layout the source needs; throws <see cref="ClassroomException"/> for a file it loads from outside the course folder by a relative path.</summary>
    public static CourseLayout Of(ClassroomNotebook source)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(source.Path))!;
        var root = Path.GetDirectoryName(folder) ?? folder;
        var name = Path.GetFileName(folder) is { Length: > 0 } n ? n : "notebooks";
        var copies = new Dictionary<string, CourseCopy>(StringComparer.Ordinal);
        var views = new Dictionary<string, CourseView>(StringComparer.Ordinal);
        foreach (var (reference, label) in References(source))
        {
            var full = Path.GetFullPath(Path.Combine(folder, reference)); // an absolute reference stays itself
            if (!File.Exists(full) && !Directory.Exists(full)) continue; // an assembly name (#r "System.Xml") or a missing file: the kernel says which
            if (Path.IsPathRooted(reference)) views.TryAdd(full, new CourseView(full, full));
            else if (Inside(full, folder) && File.Exists(full)) copies.TryAdd(full, new CourseCopy(Path.GetRelativePath(folder, full), ReadCopy(full, label)));
            else if (Inside(full, root) && !Inside(full, folder))
            {
                var top = Path.GetRelativePath(root, full).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)[0];
                views.TryAdd(top, new CourseView(Path.Combine(root, top), top));
            }
            else throw new ClassroomException($"{label}: \"{reference}\" is outside the course folder {root}: a graded run sees only the files of the source's folder it loads and the folders beside that folder; give its absolute path or move it into the course folder.");
        }
        var data = DataFolder(root);
        var hasData = data is not null && name != "data";
        if (hasData) views["data"] = new CourseView(data!, "data");
        return new CourseLayout(name, copies.Values.ToList(), views.Values.ToList(), hasData);
    }

    /// <summary>The quoted paths of the <c>#load</c> and <c>#r</c> lines of the source's code cells (not <c>#r "nuget:…"</c>), with their cell's label.</summary>
    static IEnumerable<(string Reference, string Label)> References(ClassroomNotebook source)
    {
        for (var i = 0; i < source.Cells.Count; i++)
        {
            var cell = (System.Text.Json.Nodes.JsonObject)source.Cells[i]!;
            if (ClassroomNotebook.TypeOf(cell) != "code") continue;
            foreach (Match m in Reference.Matches(ClassroomNotebook.SourceOf(cell)))
            {
                var path = m.Groups["path"].Value;
                if (!path.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase)) yield return (path, source.Label(cell, i + 1));
            }
        }
    }

    /// <summary>The kit's data folder as the kit finds it: GANKIT_DATA, else data/ in the course folder; null when there is none.</summary>
    static string? DataFolder(string root)
    {
        var env = Environment.GetEnvironmentVariable("GANKIT_DATA");
        var data = string.IsNullOrWhiteSpace(env) ? Path.Combine(root, "data") : Path.GetFullPath(env);
        return Directory.Exists(data) ? data : null;
    }

    static bool Inside(string path, string folder)
    {
        var relative = Path.GetRelativePath(folder, path);
        return relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }

    static byte[] ReadCopy(string path, string label)
    {
        var file = InputFile.Read(path);
        return file.Bytes ?? throw new ClassroomException($"{label}: {file.Error}");
    }
}
