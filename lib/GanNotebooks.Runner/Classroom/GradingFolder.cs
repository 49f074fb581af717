using GanNotebooks.Runtime.Shared;

namespace GanNotebooks.Runner.Classroom;

/// <summary>
/// One submission's private folder: a fresh temp folder, deleted on <see cref="Dispose"/>. <c>course/NAME/</c> (NAME =
/// the source folder's name) is the run's working folder — the graded notebook, the copies of the files the source
/// loads from its folder, and <c>executed/</c> where the run writes its result — and <c>course/</c> gets the layout's
/// read-only views beside it; <c>home/</c> is the run's empty HOME and <c>tmp/</c> its TMPDIR when it is not sandboxed.
/// </summary>
public sealed class GradingFolder : IDisposable
{
    /// <summary>The largest result file read back (executed notebook, report).</summary>
    public const long MaxResultBytes = 256L * 1024 * 1024;

    /// <summary>The temp folder.</summary>
    public string Root { get; }
    /// <summary>Root/course: what the run sees as the course folder.</summary>
    public string Course => Path.Combine(Root, "course");
    /// <summary>Root/course/NAME: the run's working folder.</summary>
    public string Work => Path.Combine(Course, Layout.FolderName);
    /// <summary>Root/home: the run's HOME.</summary>
    public string Home => Path.Combine(Root, "home");
    /// <summary>Root/tmp: the run's TMPDIR when it is not sandboxed.</summary>
    public string Temp => Path.Combine(Root, "tmp");
    /// <summary>What the run sees of the course.</summary>
    public CourseLayout Layout { get; }

    GradingFolder(string root, CourseLayout layout)
    {
        Root = root;
        Layout = layout;
    }

    /// <summary>
    /// Creates the folder with the graded notebook (WORK/<paramref name="notebookFile"/>) and the layout's copies; with
    /// <paramref name="linkViews"/> (no sandbox to mount them) the relative views become symbolic links in course/;
    /// <paramref name="homeFiles"/> are written under the run's HOME (copies of the kit's caches, see <see cref="KitCache"/>).
    /// </summary>
    public static GradingFolder Create(CourseLayout layout, string notebookFile, string notebookText, bool linkViews, IReadOnlyList<CourseCopy>? homeFiles = null)
    {
        var folder = new GradingFolder(Directory.CreateTempSubdirectory("gannb-grade-").FullName, layout);
        try
        {
            foreach (var dir in new[] { folder.Work, folder.Home, folder.Temp }) Directory.CreateDirectory(dir);
            AtomicFile.WriteAllText(Path.Combine(folder.Work, notebookFile), notebookText);
            foreach (var copy in layout.Copies)
            {
                var path = Path.Combine(folder.Work, copy.RelativePath);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, copy.Bytes);
            }
            foreach (var file in homeFiles ?? [])
            {
                var path = Path.Combine(folder.Home, file.RelativePath);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, file.Bytes);
            }
            if (linkViews) folder.LinkViews();
            return folder;
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    void LinkViews()
    {
        foreach (var view in Layout.Views.Where(v => !Path.IsPathRooted(v.ViewPath)))
        {
            var link = Path.Combine(Course, view.ViewPath);
            try
            {
                if (Directory.Exists(view.HostPath)) Directory.CreateSymbolicLink(link, view.HostPath);
                else File.CreateSymbolicLink(link, view.HostPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ClassroomException($"cannot link {view.HostPath} into the grading folder {Course} ({e.Message}); the graded notebook needs it there. On Windows, enable Developer Mode (symbolic links) or grade on Linux.");
            }
        }
    }

    /// <summary>
    /// A result file the run wrote in WORK/executed/, read after the run ended: null when there is none. A link (anywhere
    /// on the way from the temp folder) or a file over <see cref="MaxResultBytes"/> is refused with <paramref name="problem"/>
    /// said: the student's code could have put one there to make the grader read a file of its choice.
    /// </summary>
    public string? ReadResult(string fileName, out string? problem)
    {
        problem = null;
        var path = Path.Combine(Work, "executed", fileName);
        FileSystemInfo? link = null;
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(path)!); dir.FullName.Length > Root.Length; dir = dir.Parent!)
            if (dir.LinkTarget is not null) link = dir;
        var file = new FileInfo(path);
        if (file.LinkTarget is not null) link = file;
        if (link is not null)
        {
            problem = $"{Path.GetRelativePath(Work, link.FullName)} is a link, not the run's result; it was not read.";
            return null;
        }
        if (!file.Exists) return null;
        if (file.Length > MaxResultBytes)
        {
            problem = $"the run's {fileName} is {file.Length / (1024 * 1024)} MB, over the {MaxResultBytes / (1024 * 1024)} MB that grading reads.";
            return null;
        }
        return File.ReadAllText(path);
    }

    /// <summary>Deletes the folder (links are removed, never followed).</summary>
    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (DirectoryNotFoundException) { }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"gannb grade: warning: could not delete the grading folder {Root}: {e.Message}");
        }
    }
}
