using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Tests;

/// <summary>
/// GitHub Actions cannot run here, so the sample workflow is held to its shape: a pull-request gate that
/// calls the entry point with a report folder, and, even when the gate fails, writes report.md to the
/// step summary and uploads the folder. (The command it runs is the one the CLI tests run.)
/// </summary>
[TestFixture]
public sealed class WorkflowTests
{
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(Harness.Layout.Root, ".github", "workflows", "conformance.yml"));

    private static string Step(string name)
    {
        var start = Array.FindIndex(Lines, l => l.Trim() == $"- name: {name}");
        start.Should().BeGreaterThan(0, $"the workflow has a step '{name}'");
        var end = Array.FindIndex(Lines, start + 1, l => l.TrimStart().StartsWith("- ", StringComparison.Ordinal) && l.IndexOf('-', StringComparison.Ordinal) <= Lines[start].IndexOf('-', StringComparison.Ordinal));
        return string.Join('\n', Lines[start..(end < 0 ? Lines.Length : end)]);
    }

    [Test]
    public void It_gates_pull_requests_through_the_entry_point()
    {
        Lines.Should().Contain(l => l.Trim() == "pull_request:");
        Step("Conformance gate").Should().Contain("dotnet run --project src/ConformanceSuite.Cli --").And.Contain("--report-dir \"$REPORT_DIR\"").And.Contain("--fail-on");
    }

    [Test]
    public void It_writes_the_step_summary_and_uploads_the_reports_even_when_the_gate_fails()
    {
        Step("Step summary").Should().Contain("if: always()").And.Contain("$REPORT_DIR/report.md").And.Contain("$GITHUB_STEP_SUMMARY");
        Step("Upload reports").Should().Contain("if: always()").And.Contain("actions/upload-artifact").And.Contain("REPORT_DIR");
    }

    [Test]
    public void It_uses_no_tabs_and_keeps_secrets_out_of_the_file()
    {
        Lines.Should().NotContain(l => l.Contains('\t', StringComparison.Ordinal), "YAML forbids tabs for indentation");
        Lines.Where(l => !l.TrimStart().StartsWith('#')).Should().NotContain(l => l.Contains("TOKEN:", StringComparison.Ordinal) && !l.Contains("secrets.", StringComparison.Ordinal));
    }
}
