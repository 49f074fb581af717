using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GanNotebooks.Runner.Execution;

/// <summary>A bad -p override, or one that cannot be applied (exit code 2, nothing runs).</summary>
public sealed class ParameterException(string message) : Exception(message);

/// <summary>A variable declared in the cell tagged <c>parameters</c>.</summary>
/// <param name="Name">Variable name.</param>
/// <param name="TypeName">C# type keyword (int, long, float, double, decimal, bool, string), or null when
/// it cannot be told from the declaration (e.g. <c>var n = Budget.Steps(2000);</c>).</param>
/// <param name="Declaration">The declaration as written, for messages.</param>
/// <param name="IsConst">Declared const (cannot be overridden).</param>
public sealed record ParameterDeclaration(string Name, string? TypeName, string Declaration, bool IsConst);

/// <summary>
/// Papermill-style parameters: learns the knobs from the <c>parameters</c> cell with Roslyn's syntax
/// tree and turns <c>-p Name=Value</c> overrides into C# assignments for an injected cell.
/// </summary>
public static class Parameters
{
    /// <summary>Types a -p value can be given for.</summary>
    public static readonly IReadOnlyList<string> SupportedTypes = ["int", "long", "float", "double", "decimal", "bool", "string"];

    static readonly Dictionary<string, string> TypeAliases = new(StringComparer.Ordinal)
    {
        ["Int32"] = "int", ["System.Int32"] = "int", ["Int64"] = "long", ["System.Int64"] = "long",
        ["Single"] = "float", ["System.Single"] = "float", ["Double"] = "double", ["System.Double"] = "double",
        ["Decimal"] = "decimal", ["System.Decimal"] = "decimal", ["Boolean"] = "bool", ["System.Boolean"] = "bool",
        ["String"] = "string", ["System.String"] = "string",
    };

    /// <summary>Declarations of the parameters cell, in order (later declarations of a name win).</summary>
    public static IReadOnlyList<ParameterDeclaration> Parse(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script));
        var result = new List<ParameterDeclaration>();
        foreach (var node in tree.GetRoot().DescendantNodes(n => n is CompilationUnitSyntax or GlobalStatementSyntax or FieldDeclarationSyntax or LocalDeclarationStatementSyntax or VariableDeclarationSyntax))
        {
            if (node is not VariableDeclarationSyntax decl) continue;
            var isConst = decl.Parent switch
            {
                LocalDeclarationStatementSyntax l => l.IsConst,
                FieldDeclarationSyntax f => f.Modifiers.Any(SyntaxKind.ConstKeyword),
                _ => false,
            };
            foreach (var v in decl.Variables)
            {
                var type = decl.Type.IsVar ? LiteralType(v.Initializer?.Value) : Normalize(decl.Type.ToString());
                result.Add(new ParameterDeclaration(v.Identifier.ValueText, type, (decl.Parent ?? decl).ToString().Trim(), isConst));
            }
        }
        return result;
    }

    static string? Normalize(string typeName) => TypeAliases.TryGetValue(typeName, out var alias) ? alias : typeName;

    static string? LiteralType(ExpressionSyntax? e)
    {
        switch (e)
        {
            case ParenthesizedExpressionSyntax p: return LiteralType(p.Expression);
            case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryMinusExpression) || u.IsKind(SyntaxKind.UnaryPlusExpression):
            {
                var t = LiteralType(u.Operand);
                return t is "string" or "bool" ? null : t;
            }
            case LiteralExpressionSyntax lit:
                return lit.Kind() switch
                {
                    SyntaxKind.StringLiteralExpression => "string",
                    SyntaxKind.TrueLiteralExpression or SyntaxKind.FalseLiteralExpression => "bool",
                    SyntaxKind.NumericLiteralExpression => lit.Token.Value switch
                    {
                        int => "int", long => "long", float => "float", double => "double", decimal => "decimal",
                        _ => null,
                    },
                    _ => null,
                };
            default: return null;
        }
    }

    /// <summary>Splits "Name=Value" (at the first '=').</summary>
    public static (string Name, string Value) SplitOverride(string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0)
            throw new ParameterException($"-p {text}: expected Name=Value (e.g. -p steps=500).");
        return (text[..eq].Trim(), text[(eq + 1)..]);
    }

    /// <summary>
    /// The source of the injected-parameters cell: one assignment per override with a C# literal of the
    /// declared type. Throws <see cref="ParameterException"/> naming the parameter and the expected type.
    /// </summary>
    public static string BuildInjectedSource(IReadOnlyList<ParameterDeclaration> declarations, IReadOnlyList<string> overrides)
    {
        var sb = new StringBuilder("// Parameters injected by gannb (-p)\n");
        foreach (var raw in overrides)
        {
            var (name, value) = SplitOverride(raw);
            var decl = declarations.LastOrDefault(d => d.Name == name)
                ?? throw new ParameterException(
                    $"-p {name}: no parameter named '{name}' in the cell tagged 'parameters'. Known: "
                    + (declarations.Count == 0 ? "(none)" : string.Join(", ", declarations.Select(d => $"{d.Name} ({d.TypeName ?? "?"})").Distinct())) + ".");
            if (decl.IsConst)
                throw new ParameterException($"-p {name}: '{decl.Declaration}' is const; declare it without const to override it.");
            if (decl.TypeName is null)
                throw new ParameterException($"-p {name}: cannot tell the type of '{decl.Declaration}'; write its type (int, double, string…) instead of var.");
            sb.Append(name).Append(" = ").Append(Literal(name, decl.TypeName, value)).Append(";\n");
        }
        return sb.ToString();
    }

    /// <summary>The C# literal for <paramref name="value"/> as the given type.</summary>
    public static string Literal(string name, string typeName, string value)
    {
        var inv = CultureInfo.InvariantCulture;
        var v = value.Trim();
        string Fail() => throw new ParameterException($"-p {name}={value}: expected a value of type {typeName} for '{name}'.");
        switch (typeName)
        {
            case "string":
                return SymbolDisplay.FormatLiteral(value, quote: true);
            case "bool":
                return bool.TryParse(v, out var b) ? (b ? "true" : "false") : Fail();
            case "int":
                return int.TryParse(v, NumberStyles.Integer, inv, out var i) ? i.ToString(inv) : Fail();
            case "long":
                return long.TryParse(v, NumberStyles.Integer, inv, out var l) ? l.ToString(inv) + "L" : Fail();
            case "decimal":
                return decimal.TryParse(v, NumberStyles.Number | NumberStyles.AllowExponent, inv, out var m) ? m.ToString(inv) + "m" : Fail();
            case "double":
            {
                if (!double.TryParse(v, NumberStyles.Float, inv, out var d)) return Fail();
                if (double.IsNaN(d)) return "double.NaN";
                if (double.IsInfinity(d)) return d > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
                return d.ToString("R", inv) + "d";
            }
            case "float":
            {
                if (!float.TryParse(v, NumberStyles.Float, inv, out var f)) return Fail();
                if (float.IsNaN(f)) return "float.NaN";
                if (float.IsInfinity(f)) return f > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
                return f.ToString("R", inv) + "f";
            }
            default:
                throw new ParameterException($"-p {name}: its type is {typeName}; -p values can be given for {string.Join(", ", SupportedTypes)}.");
        }
    }
}
