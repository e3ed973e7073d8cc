using ConformanceSuite.MockServer;
using System.Text.Json;
using ConformanceSuite.Cli;
using ConformanceSuite.Running;
using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Tests;

/// <summary>The entry point: exit codes, clear errors, and the main job end to end.</summary>
[TestFixture]
public sealed class CliTests
{
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-cli-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Profile(string json)
    {
        var file = Path.Combine(dir, "profile.json");
        File.WriteAllText(file, json);
        return file;
    }

    [Test]
    public async Task An_unknown_option_value_is_a_usage_error()
    {
        var (exit, _, err) = await RunAsync("--fail-on", "sometimes");

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        err.Should().Contain("sometimes");
    }

    [Test]
    public async Task An_unknown_api_is_a_configuration_error()
    {
        var (exit, _, err) = await RunAsync("--api", "wavy", "--list");

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        err.Should().Contain("Unknown API 'wavy'").And.NotContain("   at ");
    }

    [Test]
    public async Task A_malformed_profile_is_a_configuration_error_with_file_and_pointer()
    {
        var file = Profile("""{"name":"x","timeouts":{"requestSeconds":-1}}""");

        var (exit, _, err) = await RunAsync("--target", file);

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        err.Should().Contain("profile.json").And.Contain("/timeouts/requestSeconds");
    }

    [Test]
    public async Task A_literal_secret_in_a_profile_is_refused()
    {
        var file = Profile("""{"name":"x","apis":{"wavy-open-sessions":{"baseUrl":"http://127.0.0.1:1","credentials":{"authenticationToken":"hunter2"}}}}""");

        var (exit, output, err) = await RunAsync("--target", file);

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        err.Should().Contain("literal credential is refused").And.NotContain("hunter2");
        output.Should().NotContain("hunter2");
    }

    [Test]
    public async Task Faults_are_refused_for_a_target_other_than_the_embedded_mock()
    {
        var (exit, _, err) = await RunAsync("--target", "local-mock", "--fault", "csv-bom");

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        err.Should().Contain("not the embedded mock");
    }

    [Test]
    public async Task An_unreachable_target_exits_3()
    {
        var file = Profile("""
            {"name":"x","apis":{"wavy-open-sessions":{"baseUrl":"http://127.0.0.1:9/wavy",
              "credentials":{"authenticationToken":{"env":"CS_TEST_TOKEN"},"userName":{"env":"CS_TEST_USER"}}}}}
            """);
        Environment.SetEnvironmentVariable("CS_TEST_TOKEN", "t0ken-value");
        Environment.SetEnvironmentVariable("CS_TEST_USER", "user-value");

        var (exit, _, err) = await RunAsync("--target", file, "--api", "wavy-open-sessions");

        exit.Should().Be(ExitCodes.Unreachable);
        err.Should().Contain("unreachable").And.NotContain("t0ken-value");
    }

    [Test]
    public async Task List_prints_the_requirements()
    {
        var (exit, output, _) = await RunAsync("--list", "--api", "wavy-open-sessions");

        exit.Should().Be(ExitCodes.Conformant);
        output.Should().Contain("WAVY-001").And.Contain("WAVY-013");
    }

    [Test]
    public async Task The_main_job_certifies_the_clean_embedded_mock_and_writes_its_results()
    {
        var (exit, output, err) = await RunAsync("--no-build", "--report-dir", dir);

        exit.Should().Be(ExitCodes.Conformant, err + output);
        output.Should().Contain("PASS       WAVY-001").And.Contain("PASS       OPENCX-014").And.Contain("PASS       CSL-023").And.Contain("CONFORMANT: 54 pass, 0 fail");
        foreach (var file in new[] { "results.json", "report.md", "requests.jsonl", "conformance.trx" })
        {
            File.Exists(Path.Combine(dir, file)).Should().BeTrue(file);
        }

        RunResults.Read(Path.Combine(dir, "results.json")).Requirements.Should().HaveCount(54, "50 requirements and 4 consumer pacts");
        (await File.ReadAllTextAsync(Path.Combine(dir, "conformance.trx"))).Should().Contain("WAVY-013");
    }

    [Test]
    public async Task The_main_job_exits_1_for_a_faulty_mock_and_names_the_requirement()
    {
        var (exit, output, _) = await RunAsync("--no-build", "--report-dir", dir, "--fault", "customerId-not-required", "--api", "wavy-open-sessions");

        exit.Should().Be(ExitCodes.NotConformant);
        output.Should().Contain("FAIL       WAVY-001").And.Contain("without customerId: expected 400 / received 200");
        var pact = RunResults.Read(Path.Combine(dir, "results.json")).Requirements.Single(r => r.Id == "PACT wavy-open-sessions");
        pact.Verdict.Should().Be(Checks.Verdict.Fail, "the consumer pact's request without customerId expects 400 too");
        pact.Cases.Single().Message.Should().Contain("a request without customerId").And.Contain("400");
    }

    [Test]
    public async Task A_profile_that_renames_a_parameter_certifies_the_mock_configured_the_same_way()
    {
        var (exit, output, err) = await RunAsync("--no-build", "--report-dir", dir, "--target", "embedded-renamed", "--api", "chat-session-list");

        exit.Should().Be(ExitCodes.Conformant, err + output);
        output.Should().Contain("CONFORMANT: 23 pass, 0 fail, 0 deviation, 1 skipped").And.Contain("the consumer pacts describe the canonical contract");
        (await File.ReadAllTextAsync(Path.Combine(dir, "requests.jsonl"))).Should().Contain("/v2/sessions?").And.Contain("pageSize=");
    }

    [Test]
    public async Task Fail_on_deviation_turns_a_deviation_into_a_non_conformant_run()
    {
        var (lenient, _, _) = await RunAsync("--no-build", "--report-dir", Path.Combine(dir, "a"), "--fault", "csv-bom", "--filter", "csv");
        var (strict, output, _) = await RunAsync("--no-build", "--report-dir", Path.Combine(dir, "b"), "--fault", "csv-bom", "--filter", "csv", "--fail-on", "deviation");

        lenient.Should().Be(ExitCodes.Conformant);
        strict.Should().Be(ExitCodes.NotConformant);
        output.Should().Contain("DEVIATION  WAVY-011");
    }

    [Test]
    public async Task The_main_job_against_the_mock_as_a_separate_process_gives_the_embedded_verdicts()
    {
        using var mock = await MockProcess.StartWithAsync(["csv-semicolon", "pagination-empty-page"], ["--accept-pact-examples"]);
        var env = ExternalProcessTests.LocalMockEnvironment(mock);
        foreach (var (key, value) in env)
        {
            Environment.SetEnvironmentVariable(key, value);
        }

        try
        {
            var (external, _, err) = await RunAsync("--no-build", "--report-dir", Path.Combine(dir, "external"), "--target", "local-mock");
            var (embedded, _, _) = await RunAsync("--no-build", "--report-dir", Path.Combine(dir, "embedded"), "--fault", "csv-semicolon,pagination-empty-page");

            external.Should().Be(embedded, err);
            Verdicts(Path.Combine(dir, "external")).Should().Equal(Verdicts(Path.Combine(dir, "embedded")));
            RunResults.Read(Path.Combine(dir, "external", "results.json")).Target.Name.Should().Be("local-mock");
        }
        finally
        {
            foreach (var key in env.Keys)
            {
                Environment.SetEnvironmentVariable(key, null);
            }
        }
    }

    private static IEnumerable<string> Verdicts(string folder) =>
        RunResults.Read(Path.Combine(folder, "results.json")).Requirements.SelectMany(r => r.Cases).Select(c => $"{c.Key}={c.Verdict}");

    [Test]
    public void Results_json_round_trips()
    {
        var json = """{"tool":{"name":"t","version":"1"},"target":{"name":"n","description":"d","embedded":true,"baseUrls":{},"faults":[]},"startedAt":"2026-01-01T00:00:00Z","finishedAt":"2026-01-01T00:00:01Z","requestCount":1,"failOn":"fail","conformant":true,"counts":{"pass":1},"requirements":[],"apis":[]}""";
        var file = Path.Combine(dir, "r.json");
        File.WriteAllText(file, json);

        var results = RunResults.Read(file);
        results.RequestCount.Should().Be(1);
        JsonSerializer.Serialize(results, ResultsJson.Options).Should().Contain("\"requestCount\": 1");
        File.WriteAllText(file, "{");
        FluentActions.Invoking(() => RunResults.Read(file)).Should().Throw<ConfigurationException>().WithMessage("*not a results file*");
    }
}
