using System.Text.RegularExpressions;
using ConformanceSuite.Cli;

namespace ConformanceSuite.Tests;

/// <summary>
/// PowerShell cannot be installed here, so the shim is held to being a pure mapping: every parameter it
/// declares becomes exactly one option that the .NET entry point knows, and it adds nothing else.
/// </summary>
[TestFixture]
public sealed partial class ShimTests
{
    private static readonly string Script = File.ReadAllText(Path.Combine(Harness.Layout.Root, "run-conformance.ps1"));

    [GeneratedRegex(@"if \(\$(\w+)\)\s*\{ \$cli \+= @\('(--[a-z-]+)'")]
    private static partial Regex Mapping();

    [GeneratedRegex(@"\[(?:string|switch)\]\s*\$(\w+)|\]\s*\[string\]\s*\$(\w+)")]
    private static partial Regex Parameter();

    [Test]
    public async Task Every_shim_parameter_maps_to_an_option_of_the_entry_point()
    {
        using var help = new StringWriter();
        await CliApp.RunAsync(["--help"], help, TextWriter.Null);
        var mappings = Mapping().Matches(Script).Select(m => (Parameter: m.Groups[1].Value, Option: m.Groups[2].Value)).ToList();
        var parameters = Parameter().Matches(Script).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToList();

        parameters.Should().NotBeEmpty();
        mappings.Select(m => m.Parameter).Should().BeEquivalentTo(parameters, "each parameter is mapped once");
        foreach (var (parameter, option) in mappings)
        {
            help.ToString().Should().Contain(option, $"-{parameter} maps to {option}");
        }
    }

    [GeneratedRegex(@"^\s+(--[a-z-]+)", RegexOptions.Multiline)]
    private static partial Regex HelpOption();

    [Test]
    public async Task Every_option_of_the_main_job_has_its_shim_parameter()
    {
        using var help = new StringWriter();
        await CliApp.RunAsync(["--help"], help, TextWriter.Null);
        var options = HelpOption().Matches(help.ToString()).Select(m => m.Groups[1].Value).Except(["--help", "--version"]).ToList();
        var mapped = Mapping().Matches(Script).Select(m => m.Groups[2].Value);

        options.Should().Contain(["--baseline", "--accept-incomplete"]);
        mapped.Should().BeEquivalentTo(options, "the shim is the whole main job in PowerShell");
    }

    [Test]
    public void The_shim_calls_the_entry_point_and_passes_its_exit_code_on()
    {
        Script.Should().Contain("src/ConformanceSuite.Cli").And.Contain("exit $LASTEXITCODE");
        Script.Split('\n').Count(l => l.TrimStart().StartsWith("& ", StringComparison.Ordinal)).Should().Be(1, "one command, nothing else");
    }
}
