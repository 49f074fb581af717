using System.Text.Json.Nodes;
using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Classroom;

/// <summary><c>gannb assign</c>: the student version of source notebooks.</summary>
public static class Assigner
{
    /// <summary>The student version of a checked source notebook (a new JSON tree; the source is not changed).</summary>
    public static JsonObject StudentVersion(ClassroomNotebook source)
    {
        source.Validate();
        var root = (JsonObject)source.Root.DeepClone();
        var cells = new JsonArray();
        for (var i = 0; i < source.Cells.Count; i++) cells.Add(source.StudentCell((JsonObject)source.Cells[i]!, i + 1));
        root["cells"] = cells;
        return root;
    }

    /// <summary>
    /// Writes the student version of each source into <paramref name="outDir"/> under the source's file name. Everything
    /// is checked before anything is written; a target that is a source (same folder) or two sources of one name are
    /// refused. Throws <see cref="ClassroomException"/> (one line) for bad input.
    /// </summary>
    public static IReadOnlyList<string> Assign(IReadOnlyList<string> sources, string outDir, TextWriter log)
    {
        var dir = Path.GetFullPath(outDir);
        var full = sources.Select(Path.GetFullPath).ToList();
        var plans = new List<(string Source, string Target, JsonObject Student)>();
        var targets = new Dictionary<string, string>(PathComparer);
        foreach (var source in full)
        {
            var target = Path.Combine(dir, Path.GetFileName(source));
            if (full.Any(s => PathComparer.Equals(s, target)))
                throw new ClassroomException($"{source}: --out {dir} would write the student version over the source {target}; choose another folder.");
            if (!targets.TryAdd(target, source))
                throw new ClassroomException($"{source}: its student version would be {target}, as {targets[target]}'s; two sources with one name need two runs.");
            var notebook = ClassroomNotebook.Load(source);
            plans.Add((source, target, StudentVersion(notebook)));
        }
        Directory.CreateDirectory(dir);
        foreach (var (source, target, student) in plans)
        {
            AtomicFile.WriteAllText(target, ClassroomNotebook.Serialize(student));
            log.WriteLine($"{source} -> {target}");
        }
        return plans.Select(p => p.Target).ToList();
    }

    internal static readonly StringComparer PathComparer = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
        ? StringComparer.OrdinalIgnoreCase
        : StringComparer.Ordinal;
}
