namespace GanNotebooks.Runner.Kernel;

/// <summary>
/// The runtime support that <c>gannb export</c> appends to an exported app (Writeups/Export.cs): parameters from the
/// command line, and displays written to files. It lives here, in Kernel/, because it formats values with .NET
/// Interactive's formatter (the kit registers its chart, image, table and claim formatters there) — the one dependency
/// of the runner on .NET Interactive, kept in this folder.
/// </summary>
internal static class AppSupport
{
    /// <summary>The runtime support the exported app carries: options, display to files, claims to stdout.</summary>
    public const string Source = """
        /// <summary>What a notebook front-end does for the cells: parameters from the command line, displays to files.</summary>
        static class __Notebook
        {
            static readonly Dictionary<string, string> Options = new(StringComparer.Ordinal);
            static readonly System.Text.StringBuilder Html = new();
            static string _out = "";
            static int _cell, _displays;

            public static void Start(string[] args)
            {
                for (var i = 0; i < args.Length; i++)
                {
                    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                        throw new ArgumentException($"expected --NAME VALUE pairs, got '{args[i]}'");
                    Options[args[i][2..]] = args[++i];
                }
                if (Options.TryGetValue("profile", out var profile)) Environment.SetEnvironmentVariable("GANKIT_PROFILE", profile);
                _out = Path.GetFullPath(Options.GetValueOrDefault("out") ?? (System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "notebook") + "-out");
                Directory.CreateDirectory(_out);
                Environment.SetEnvironmentVariable("GANKIT_OUT", _out);
                GanNotebooks.Kit.Attach();
                GanNotebooks.Runtime.Claims.Show = v => Console.WriteLine("claim: " + v);
            }

            public static void __Cell(int n)
            {
                _cell = n;
                Console.Error.WriteLine($"[cell {n}]");
            }

            /// <summary>A parameters-cell variable: --NAME VALUE on the command line, else the notebook's value.</summary>
            public static T __Param<T>(string name, T fallback)
            {
                if (!Options.TryGetValue(name, out var text)) return fallback;
                object value = typeof(T) == typeof(string) ? text.Trim('"')
                    : typeof(T) == typeof(bool) ? bool.Parse(text)
                    : Convert.ChangeType(text, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
                return (T)value;
            }

            public sealed class Display(int id)
            {
                public int Id { get; } = id;
                public void Update(object value) => Write(value, Id);
            }

            public static Display display(object value, params string[] mimeTypes)
            {
                var id = ++_displays;
                Write(value, id);
                return new Display(id);
            }

            static void Write(object value, int id)
            {
                if (value is null) return;
                if (value is string s) { Console.WriteLine(s); return; }
                var plain = Microsoft.DotNet.Interactive.Formatting.Formatter.ToDisplayString(value, "text/plain");
                var html = Microsoft.DotNet.Interactive.Formatting.Formatter.ToDisplayString(value, "text/html");
                if (value is GanNotebooks.Runtime.ClaimsTable || value is GanNotebooks.Viz.Table) Console.WriteLine(plain);
                lock (Html) Html.Append($"<section id=\"display-{id}\"><p class=\"cell\">cell {_cell}</p>{html}</section>\n");
            }

            public static void Finish()
            {
                Console.WriteLine(GanNotebooks.Runtime.Claims.Table());
                var page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>displays</title></head><body>\n" + Html + "</body></html>\n";
                File.WriteAllText(Path.Combine(_out, "displays.html"), page);
                Console.Error.WriteLine($"displays: {Path.Combine(_out, "displays.html")}");
            }
        }
        """;
}
