using System.Globalization;
using GanNotebooks.Runner.Execution;
using static GanNotebooks.Runner.Tests.TestNotebook;

namespace GanNotebooks.Runner.Tests;

public class ParametersTests
{
    const string ParamCell = "var steps = 2000;\nint seed = 1;\ndouble lr = 2e-4;\nstring device = \"auto\";\nbool fast = false;\nvar big = 3L;\nvar scale = -0.5f;\n";

    [Fact]
    public void Parse_learns_names_and_types_from_declarations_and_literals()
    {
        var decls = Parameters.Parse(ParamCell + "var n = Budget.Steps(100);\nconst int k = 3;");
        Assert.Equal(
            ["steps:int", "seed:int", "lr:double", "device:string", "fast:bool", "big:long", "scale:float", "n:?", "k:int"],
            decls.Select(d => $"{d.Name}:{d.TypeName ?? "?"}"));
        Assert.True(decls.Single(d => d.Name == "k").IsConst);
    }

    [Fact]
    public void Literals_are_valid_csharp_in_any_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal("1E-05d", Parameters.Literal("lr", "double", "1e-5"));
            Assert.Equal("0.25d", Parameters.Literal("lr", "double", "0.25"));
            Assert.Equal("1.5f", Parameters.Literal("s", "float", "1.5"));
            Assert.Equal("-7", Parameters.Literal("n", "int", "-7"));
            Assert.Equal("5000000000L", Parameters.Literal("n", "long", "5000000000"));
            Assert.Equal("true", Parameters.Literal("f", "bool", "True"));
            Assert.Equal("double.NaN", Parameters.Literal("x", "double", "NaN"));
            Assert.Equal("\"a\\\"b\\\\c\\n\"", Parameters.Literal("s", "string", "a\"b\\c\n"));
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Theory]
    [InlineData("steps=abc", "steps", "int")]
    [InlineData("steps=2.5", "steps", "int")]
    [InlineData("fast=yes", "fast", "bool")]
    [InlineData("lr=fast", "lr", "double")]
    public void A_value_that_does_not_parse_names_parameter_and_type(string p, string name, string type)
    {
        var e = Assert.Throws<ParameterException>(() => Parameters.BuildInjectedSource(Parameters.Parse(ParamCell), [p]));
        Assert.Contains($"'{name}'", e.Message);
        Assert.Contains(type, e.Message);
    }

    [Fact]
    public async Task Override_is_injected_after_the_parameters_cell_and_applied()
    {
        using var nb = Create(
            Code("var before = 1;"),
            Code(ParamCell, "parameters"),
            Code("$\"{steps} {lr} {device} {fast} {scale}\""));
        var run = await nb.RunAsync("steps=500", "lr=0.001", "device=cuda:0", "fast=true", "scale=2");
        Assert.Equal(0, run.Result.ExitCode);
        var cells = run.Executed["cells"]!.AsArray();
        Assert.Equal(4, cells.Count);
        var injected = cells[2]!;
        Assert.Equal("injected-parameters", injected["metadata"]!["tags"]![0]!.GetValue<string>());
        Assert.Contains("steps = 500;", string.Concat(injected["source"]!.AsArray().Select(s => s!.GetValue<string>())));
        Assert.Equal("500 0.001 cuda:0 True 2", Run.Plain(run.OutputsAt(3)[0]));
        Assert.Equal(3, cells[2]!["execution_count"]!.GetValue<int>());
        Assert.Contains("steps=500", run.Html);
    }

    [Fact]
    public async Task String_values_are_escaped()
    {
        using var nb = Create(Code("string label = \"x\";", "parameters"), Code("label"));
        const string tricky = "he said \"hi\" \\ {not} $interp\nnext line\ttab";
        var run = await nb.RunAsync("label=" + tricky);
        Assert.Equal(0, run.Result.ExitCode);
        Assert.Equal(tricky, Run.Plain(run.OutputsAt(2)[0]));
    }

    [Fact]
    public async Task Unknown_name_stops_before_anything_runs()
    {
        using var nb = Create(Code("Console.WriteLine(\"ran\");"), Code(ParamCell, "parameters"));
        var run = await nb.RunAsync("stpes=5");
        Assert.Equal(2, run.Result.ExitCode);
        Assert.Contains("stpes", run.Err);
        Assert.Contains("steps (int)", run.Err);
        Assert.DoesNotContain("ran", run.Out);
        Assert.False(Directory.Exists(nb.OutDir));
    }

    [Fact]
    public async Task Wrong_type_stops_with_exit_code_2_naming_the_type()
    {
        using var nb = Create(Code(ParamCell, "parameters"));
        var run = await nb.RunAsync("seed=1.5");
        Assert.Equal(2, run.Result.ExitCode);
        Assert.Contains("'seed'", run.Err);
        Assert.Contains("type int", run.Err);
    }

    [Fact]
    public async Task Missing_equals_sign_is_an_error()
    {
        using var nb = Create(Code(ParamCell, "parameters"));
        var run = await nb.RunAsync("steps");
        Assert.Equal(2, run.Result.ExitCode);
        Assert.Contains("Name=Value", run.Err);
    }

    [Fact]
    public async Task P_without_a_parameters_cell_is_an_error()
    {
        using var nb = Create(Code("var steps = 3;"));
        var run = await nb.RunAsync("steps=5");
        Assert.Equal(2, run.Result.ExitCode);
        Assert.Contains("tagged 'parameters'", run.Err);
    }

    [Fact]
    public async Task Var_with_a_non_literal_initializer_cannot_be_overridden()
    {
        using var nb = Create(Code("var steps = Math.Max(1, 2);", "parameters"));
        var run = await nb.RunAsync("steps=5");
        Assert.Equal(2, run.Result.ExitCode);
        Assert.Contains("cannot tell the type", run.Err);
    }
}
