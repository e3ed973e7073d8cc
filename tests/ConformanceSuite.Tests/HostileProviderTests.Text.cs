using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// Text a provider (or a profile) chooses, as it reaches the console and the reports: control characters a terminal
/// obeys, markup a Markdown renderer obeys, characters XML cannot carry must arrive as text to read, not as commands.
/// </summary>
public sealed partial class HostileProviderTests
{
    /// <summary>A file_url made of what a terminal or a renderer would act on; WAVY-007 quotes it in its finding.</summary>
    private const string Hostile = "\u001b]0;pwned\u0007\u001b[2J\u001b[1A\rPASS \u009b31m\u202egnp.\u0000<!-- x --> </details> [certified](https://evil.example) `tick` *bold* _em_ ~strike~ & | end";

    /// <summary>A Wavy provider that takes any request and answers <see cref="Hostile"/> as its file_url.</summary>
    private static Task<HostileProvider> HostileLinkAsync() =>
        HostileProvider.StartAsync(async http =>
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(new JsonObject { ["file_url"] = Hostile }.ToJsonString());
        });

    [Test]
    public async Task A_providers_control_characters_reach_the_console_as_escapes_not_as_commands()
    {
        await using var provider = await HostileLinkAsync();

        var (exit, output) = await Harness.CliWithAsync(BadInputTests.WavyVariables("token"), "--base-url", provider.Origin.ToString(), "--api", "wavy-open-sessions",
            "--filter", "WAVY-007", "--report-dir", dir, "--contracts", Harness.Layout.Root);

        // A deviation does not fail the run; the sub-account cases need a subAccountId, which an ad hoc target has not.
        exit.Should().Be(Cli.ExitCodes.Incomplete, output);
        output.Should().NotContain("FAIL ");
        output.Should().Contain("DEVIATION  WAVY-007").And.Contain("\\u001B]0;pwned\\u0007\\u001B[2J\\u001B[1A\\rPASS \\u009B31m\\u202Egnp.\\u0000", "each is shown as its escape");
        var unsafeChars = output.Select((c, i) => (c, i)).Where(x => (char.IsControl(x.c) && x.c is not ('\n' or '\t') && !(x.c == '\r' && x.i + 1 < output.Length && output[x.i + 1] == '\n'))
                                                                   || x.c is '\u202e').ToList();
        unsafeChars.Should().BeEmpty("a terminal would obey them: {0}", string.Join(", ", unsafeChars.Take(10).Select(x => $"U+{(int)x.c:X4} at {x.i}")));
    }

    /// <summary>
    /// A file_url of lines a CI log would take as its own: a runner's workflow command (GitHub Actions obeys a line
    /// that starts with <c>::</c>) and a verdict line of the suite's own layout.
    /// </summary>
    private const string ForgedLines = "https://files.example/open.csv\n::error title=forged::the provider wrote this line\r\n  PASS       WAVY-999  forged by the provider\u2028::warning::also this\u0085::notice::and this";

    [Test]
    public async Task A_providers_line_breaks_reach_the_console_as_escapes_not_as_lines_of_the_suite_or_of_the_ci_runner()
    {
        // Before, WAVY-007's finding printed the provider's link over three lines: the second a workflow command the
        // runner obeys, the third a PASS of a requirement that does not exist.
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(new JsonObject { ["file_url"] = ForgedLines }.ToJsonString());
        });

        var (_, output) = await Harness.CliWithAsync(BadInputTests.WavyVariables("token"), "--base-url", provider.Origin.ToString(), "--api", "wavy-open-sessions",
            "--filter", "WAVY-007", "--report-dir", dir, "--contracts", Harness.Layout.Root);

        output.Should().Contain("DEVIATION  WAVY-007").And.Contain("open.csv\\n::error title=forged::the provider wrote this line\\r\\n  PASS       WAVY-999", "each line break is shown as its escape");
        var lines = output.Split('\n');
        lines.Should().NotContain(l => l.TrimStart().StartsWith("::", StringComparison.Ordinal), "a CI runner obeys such a line");
        lines.Should().NotContain(l => l.TrimStart().StartsWith("PASS", StringComparison.Ordinal), "no requirement passed: a line that says one is the provider's");
        output.Should().NotContain("\u2028").And.NotContain("\u0085", "a log viewer may break a line there");
    }

    [Test]
    public async Task A_providers_line_breaks_stay_inside_the_lines_of_a_case_message_which_the_test_runner_prints()
    {
        // The NUnit front end fails a case with its message, which `dotnet test` prints to a CI log line by line.
        // Before, the provider's link split the finding's line: "::error title=forged::…" began a line of its own.
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(new JsonObject { ["file_url"] = ForgedLines }.ToJsonString());
        });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-007"));

        // with-sessions, without-sessions and sub-account (subAccount 11); sub-account-without-sessions has no test data, and is skipped.
        var messages = results.Requirements.Single().Cases.Where(c => c.Verdict != Verdict.Skipped).Select(c => c.Message).ToList();
        messages.Should().HaveCount(3).And.OnlyContain(m => m.Contains("open.csv\\n::error title=forged::", StringComparison.Ordinal));
        var lines = messages.SelectMany(m => m.Split(Environment.NewLine)).ToList();
        lines.Should().OnlyContain(l => l.StartsWith("WAVY-007 [", StringComparison.Ordinal) || l.StartsWith("  - ", StringComparison.Ordinal) || l.StartsWith("    evidence: ", StringComparison.Ordinal),
            "each line of a message is one the suite began");
        char[] breaks = ['\r', '\n', '\u0085', '\u2028', '\u2029'];
        lines.Should().NotContain(l => l.IndexOfAny(breaks) >= 0);
    }

    [Test]
    public async Task A_providers_markup_reaches_report_md_as_text_not_as_html_or_markdown()
    {
        await using var provider = await HostileLinkAsync();

        await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-007"));

        // report.md goes into a CI step summary: an HTML comment opened there hides the rest, the verdict line included.
        var md = File.ReadAllText(Path.Combine(dir, "report.md"));
        md.Should().Contain("&lt;!-- x --&gt; &lt;/details&gt; \\[certified\\](https://evil.example) \\`tick\\` \\*bold\\* \\_em\\_ \\~strike\\~ &amp; \\| end")
            .And.NotContain("<!--").And.NotContain("</details>").And.NotContain("[certified](");
    }

    [Test]
    public async Task A_target_name_holding_a_character_xml_cannot_carry_still_gets_a_junit_xml_that_parses()
    {
        // Before, the run was made in full, then junit.xml stopped half written at the target's name and the exit was 2.
        var profile = Harness.EmbeddedProfile(dir, "bell");
        File.WriteAllText(profile, File.ReadAllText(profile).Replace("\"name\":\"bell\"", "\"name\":\"bell\\u0007name\"", StringComparison.Ordinal));

        var (exit, output) = await Harness.CliAsync("--target", profile, "--api", "wavy-open-sessions", "--filter", "WAVY-001", "--report-dir", Path.Combine(dir, "out"));

        exit.Should().Be(Cli.ExitCodes.Conformant, output);
        System.Xml.Linq.XDocument.Load(Path.Combine(dir, "out", "junit.xml")).Descendants("property")
            .Should().Contain(p => (string?)p.Attribute("name") == "target" && (string?)p.Attribute("value") == "bellname");
    }
}
