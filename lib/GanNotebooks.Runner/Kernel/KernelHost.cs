using GanNotebooks.Runner.Execution;

namespace GanNotebooks.Runner.Kernel;

/// <summary>
/// The one entry point into Kernel/, the only folder that touches Microsoft.DotNet.Interactive (archived upstream):
/// to move to another kernel or SDK, replace this folder and keep these two functions.
/// </summary>
public static class KernelHost
{
    /// <summary>Starts a C# kernel session for one notebook run (dispose it after the run).</summary>
    public static INotebookKernel StartKernel() => DotNetInteractiveKernel.Start();

    /// <summary>Reads an .ipynb. Throws <see cref="NotebookException"/> with a one-line reason.</summary>
    public static INotebookDocument LoadNotebook(string path) => NotebookFile.Load(path);

    /// <summary>Parses .ipynb JSON text (path for messages).</summary>
    public static INotebookDocument ParseNotebook(string json, string path) => NotebookFile.Parse(json, path);
}
