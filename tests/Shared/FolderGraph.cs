namespace GanNotebooks.Tests.Shared;

/// <summary>
/// Graph code both architecture tests use (the library's LayerRules and gannb's RunnerLayers), linked into both test
/// projects as source.
/// </summary>
internal static class FolderGraph
{
    /// <summary>The strongly connected components of a folder dependency graph (Tarjan); a component of more than one folder is a cycle.</summary>
    public static List<List<string>> StronglyConnected(IReadOnlyDictionary<string, IReadOnlyCollection<string>> graph)
    {
        var nodes = graph.Keys.Concat(graph.Values.SelectMany(v => v)).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>(); var low = new Dictionary<string, int>();
        var stack = new Stack<string>(); var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        int next = 0;
        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v); onStack.Add(v);
            foreach (var w in graph.TryGetValue(v, out var ws) ? ws : [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            result.Add(component);
        }
        foreach (var v in nodes) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }
}
