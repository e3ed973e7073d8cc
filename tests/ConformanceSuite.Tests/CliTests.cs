using System.Text.Json;
using ConformanceSuite.Cli;

namespace ConformanceSuite.Tests;

/// <summary>The entry point: exit codes, clear errors, and the main job end to end.</summary>
[TestFixture]
public sealed class CliTests
{
    [Test]
    public void A_signal_within_a_second_of_the_first_is_the_same_one_and_a_later_one_stops_at_once()
    {
        // GNU timeout(1) sends its signal to the process and then to its process group: microseconds apart.
        var first = System.Diagnostics.Stopwatch.GetTimestamp();
        long At(double seconds) => first + (long)(seconds * System.Diagnostics.Stopwatch.Frequency);
        Interrupts.StopsAtOnce(first, At(0.00001)).Should().BeFalse();
        Interrupts.StopsAtOnce(first, At(0.99)).Should().BeFalse();
        Interrupts.StopsAtOnce(first, At(1.0)).Should().BeTrue("a second signal a second later is the user's own");
        Interrupts.StopsAtOnce(first, At(30)).Should().BeTrue();

        // The handler: the first stops the run and keeps the process, so is the same one again; a later one does not keep it.
        using var stderr = new StringWriter();
        using var interrupts = new Interrupts(stderr);
        var signals = new[] { At(0), At(0.00001), At(0.5), At(1.5) }.Select(at =>
        {
            var context = new System.Runtime.InteropServices.PosixSignalContext(System.Runtime.InteropServices.PosixSignal.SIGTERM);
            interrupts.Handle(context, at);
            return context.Cancel;
        }).ToList();
        signals.Should().Equal(true, true, true, false);
        interrupts.Token.IsCancellationRequested.Should().BeTrue();
        interrupts.ExitCode.Should().Be(143);
        stderr.ToString().Should().Contain("terminated (SIGTERM): stopping the run", Exactly.Once(), "the stop is announced once");
    }

    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-cli-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    /// <summary>The CLI's context in a test: the variables given, never the process environment (tests run side by side).</summary>
    internal static CliContext Context(IReadOnlyDictionary<string, string>? variables = null) =>
        new() { Variables = variables ?? new Dictionary<string, string>(), Interactive = false };

    private static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunWithAsync(Context(), args);

    private static async Task<(int Exit, string Out, string Err)> RunWithAsync(CliContext context, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, context);
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

    [TestCase("--list")]
    [TestCase("--api", "wavy-open-sessions", "--filter", "WAVY-011")]
    public async Task An_unknown_fault_mode_is_refused_in_one_line_before_anything_is_created(params string[] rest)
    {
        // Before: with --list the listing was printed and the exit was 0; a run created its report folder, then
        // started the mock, which refused the fault: exit 2 with the folder left behind.
        var reports = Path.Combine(dir, "out");

        var (exit, output, err) = await RunAsync(["--fault", "no-such-fault", "--report-dir", reports, .. rest]);

        exit.Should().Be(ExitCodes.UsageOrConfiguration, err + output);
        err.Should().StartWith("conformance: ").And.Contain("no-such-fault").And.Contain("customerId-not-required").And.NotContain("   at ");
        err.TrimEnd().Split('\n').Should().HaveCount(1, err);
        output.Should().BeEmpty("nothing is listed or planned for bad input");
        Directory.Exists(reports).Should().BeFalse("bad input is refused before anything is created");
    }

    [TestCase("--list")]
    [TestCase("--filter", "OPENCX-004")]
    public async Task A_fault_of_an_api_the_run_does_not_check_is_refused_in_one_line_before_anything_is_created(params string[] rest)
    {
        // Before: csv-bom (a fault of the CSV APIs) with --api opencx-chat-sessions was listed with exit 0, and a run went on with
        // the fault changing nothing it checked: CONFORMANT, as if the fault had been tried and not caught.
        var reports = Path.Combine(dir, "out");

        var (exit, output, err) = await RunAsync(["--fault", "csv-bom", "--api", "opencx-chat-sessions", "--report-dir", reports, .. rest]);

        exit.Should().Be(ExitCodes.UsageOrConfiguration, err + output);
        err.Should().StartWith("conformance: ").And.Contain("csv-bom (a fault of chat-session-list, wavy-open-sessions)").And.Contain("opencx-chat-sessions").And.NotContain("   at ");
        err.TrimEnd().Split('\n').Should().HaveCount(1, err);
        output.Should().BeEmpty("nothing is listed or planned for bad input");
        Directory.Exists(reports).Should().BeFalse("bad input is refused before anything is created");
    }

    [Test]
    public async Task A_live_profile_whose_credential_variable_is_not_set_is_refused_before_the_report_folder_is_made()
    {
        // Before: the run made its report folder, then resolved the profile's credentials: exit 2, the folder left behind.
        var file = Profile("""
            {"name":"x","apis":{"wavy-open-sessions":{"baseUrl":"http://127.0.0.1:1",
              "credentials":{"authenticationToken":{"env":"CS_TEST_UNSET_TOKEN"},"userName":{"env":"CS_TEST_UNSET_USER"}}}}}
            """);
        var reports = Path.Combine(dir, "out");

        var (exit, output, err) = await RunAsync("--target", file, "--api", "wavy-open-sessions", "--report-dir", reports);

        exit.Should().Be(ExitCodes.UsageOrConfiguration, err + output);
        err.Should().Contain("CS_TEST_UNSET_").And.Contain("not set").And.NotContain("   at ");
        err.TrimEnd().Split('\n').Should().HaveCount(1, err);
        Directory.Exists(reports).Should().BeFalse("bad input is refused before anything is created");
    }

    /// <summary>A Wavy run against a profile whose base URL is <paramref name="baseUrl"/> (nothing listens there), with credentials set.</summary>
    private Task<(int Exit, string Out, string Err)> UnreachableRunAsync(string baseUrl)
    {
        var file = Profile("""
            {"name":"x","apis":{"wavy-open-sessions":{"baseUrl":"BASE-URL",
              "credentials":{"authenticationToken":{"env":"CS_TEST_TOKEN"},"userName":{"env":"CS_TEST_USER"}}}}}
            """.Replace("BASE-URL", baseUrl, StringComparison.Ordinal));
        var variables = new Dictionary<string, string> { ["CS_TEST_TOKEN"] = "t0ken-value", ["CS_TEST_USER"] = "user-value" };
        return RunWithAsync(Context(variables), "--target", file, "--api", "wavy-open-sessions", "--report-dir", Path.Combine(dir, "out"));
    }

    [Test]
    public async Task An_unreachable_target_exits_3()
    {
        var (exit, _, err) = await UnreachableRunAsync("http://127.0.0.1:9/wavy");

        exit.Should().Be(ExitCodes.Unreachable);
        err.Should().Contain("unreachable").And.NotContain("t0ken-value");
    }

    [Test]
    public async Task An_unreachable_target_s_line_does_not_quote_the_password_of_its_base_url()
    {
        // A base URL with user information: its password is a secret the run masks everywhere. Before, the unreachable
        // target's line quoted the URL's authority whole: "… at http://user:Pa55-w0rd-SECRET@127.0.0.1:9: ConnectionRefused".
        var (exit, output, err) = await UnreachableRunAsync("http://user:Pa55-w0rd-SECRET@127.0.0.1:9/wavy");

        exit.Should().Be(ExitCodes.Unreachable, err);
        err.Should().Contain("unreachable for wavy-open-sessions at http://").And.Contain("127.0.0.1:9");
        (output + err).Should().NotContain("Pa55-w0rd-SECRET");
    }

    [Test]
    public async Task A_run_in_which_every_requirement_is_not_applicable_is_not_conformant_on_nothing()
    {
        // Before: "CONFORMANT: 0 pass, 0 fail, 0 deviation, 0 skipped, 0 error, 1 not applicable; 0 requests", exit 0, and
        // report.md's "✅ conformant", for a run that judged nothing.
        var file = Profile("""
            {"name":"na","description":"the embedded mock, one rule not applicable","embedded":true,
             "apis":{"wavy-open-sessions":{"notApplicable":{"WAVY-013":"this tenant always has sessions"}}}}
            """);

        var (exit, output, err) = await RunAsync("--target", file, "--api", "wavy-open-sessions", "--filter", "WAVY-013", "--report-dir", Path.Combine(dir, "out"));

        exit.Should().Be(ExitCodes.Incomplete, err + output);
        output.Should().Contain("INCOMPLETE: 0 pass").And.Contain("1 not applicable").And.NotContain("CONFORMANT:");
        RunResults.Read(Path.Combine(dir, "out", "results.json")).Conformant.Should().BeFalse();
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
        var (exit, output, err) = await RunAsync("--report-dir", dir);

        exit.Should().Be(ExitCodes.Conformant, err + output);
        output.Should().Contain("PASS       WAVY-001").And.Contain("PASS       OPENCX-014").And.Contain("PASS       CSL-023").And.Contain("CONFORMANT: 61 pass, 0 fail");
        output.Should().Contain("    · valid call of scenario 'all-sessions' -> 200 (request ", "every request is shown with its purpose");
        output.Should().NotContain("Verifying a pact between", "the Pact core's own report stays off the console");
        output.IndexOf("PASS       WAVY-001", StringComparison.Ordinal).Should().BeLessThan(output.IndexOf("CONFORMANT:", StringComparison.Ordinal), "requirements show as they finish");
        foreach (var file in RunResults.ReportFiles)
        {
            File.Exists(Path.Combine(dir, file)).Should().BeTrue(file);
        }

        RunResults.Read(Path.Combine(dir, "results.json")).Requirements.Should().HaveCount(61, "57 requirements and 4 consumer pacts");
    }

    [Test]
    public async Task On_a_terminal_a_status_line_counts_the_cases_and_the_lines_scroll_above_it()
    {
        var (exit, output, _) = await RunWithAsync(Context() with { Interactive = true }, "--report-dir", dir, "--api", "wavy-open-sessions");

        exit.Should().Be(ExitCodes.Conformant);
        var total = RunResults.Read(Path.Combine(dir, "results.json")).Requirements.Sum(r => r.Cases.Count);
        output.Should().Contain($"\r\u001b[2K[1/{total} cases] ").And.Contain(" requests · ");
        output.Should().Contain($"\r\u001b[2K[{total}/{total} cases] {total} pass · 0 fail · 0 deviation · 0 skipped · 0 error · ");
        output.Split('\n').Where(l => l.Contains("PASS       WAVY-0", StringComparison.Ordinal))
            .Should().OnlyContain(l => l.StartsWith("\r\u001b[2K", StringComparison.Ordinal), "each line first clears the status line it replaces");
    }

    [Test]
    public async Task Without_a_terminal_no_control_characters_reach_the_output()
    {
        var (_, output, _) = await RunAsync("--report-dir", dir, "--api", "wavy-open-sessions", "--filter", "WAVY-001");

        output.Should().NotContain("\u001b").And.NotContain("\r");
    }

    [Test]
    public async Task A_check_that_throws_makes_the_run_exit_1_with_the_error_named()
    {
        var (exit, output, err) = await RunWithAsync(Context() with { Checks = EngineTests.Throwing(Checks.CsvRowsCheck.KindName) }, "--report-dir", dir, "--api", "wavy-open-sessions");

        exit.Should().Be(ExitCodes.NotConformant, err);
        output.Should().Contain("ERROR      WAVY-012").And.Contain("InvalidOperationException: planted failure in csv-rows").And.Contain("NOT CONFORMANT").And.Contain(", 1 error");
        output.Should().NotContain(" at ConformanceSuite", "no stack trace on the console");
    }

    [TestCase("--request-timeout", "0")]
    [TestCase("--run-timeout", "-3")]
    [TestCase("--request-timeout", "soon")]
    [TestCase("--pattern-timeout", "0")]
    [TestCase("--idle-timeout", "0")]
    [TestCase("--idle-timeout", "601")]
    public async Task A_bad_timeout_is_one_clear_line_and_exit_2(string option, string value)
    {
        var (exit, _, err) = await RunAsync(option, value, "--list");

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        err.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain(option.TrimStart('-').Split('-')[0]);
    }

    [Test]
    public async Task An_ftp_base_url_is_a_configuration_error_not_an_unreachable_target()
    {
        var (exit, _, err) = await RunAsync("--base-url", "ftp://127.0.0.1/x", "--api", "wavy-open-sessions");

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        err.Should().Contain("not an http(s) URL").And.NotContain("   at ");
    }

    [Test]
    public async Task Another_contracts_folder_is_used_when_given()
    {
        var copy = Path.Combine(dir, "contracts");
        CopyDirectory(Harness.Layout.Root, copy, ["schemas", "fixtures", "targets", "pacts"]);
        var requirements = Path.Combine(copy, "schemas", "wavy-open-sessions", "requirements.json");
        await File.WriteAllTextAsync(requirements, (await File.ReadAllTextAsync(requirements)).Replace("customerId is required", "customerId is REQUIRED (edited copy)", StringComparison.Ordinal));

        var (exit, output, err) = await RunAsync("--contracts", copy, "--api", "wavy-open-sessions", "--list");
        var (missing, _, missingErr) = await RunAsync("--contracts", Path.Combine(dir, "nowhere"), "--list");

        exit.Should().Be(ExitCodes.Conformant, err);
        output.Should().Contain("customerId is REQUIRED (edited copy)");
        missing.Should().Be(ExitCodes.UsageOrConfiguration);
        missingErr.Should().Contain("does not hold schemas/_format");
    }

    [Test]
    public async Task The_contracts_command_checks_a_folder_and_its_manifest_never_hides_an_edit()
    {
        var copy = Path.Combine(dir, "contracts");
        CopyDirectory(Harness.Layout.Root, copy, ["schemas", "fixtures", "targets", "pacts"]);

        var (written, output, err) = await RunAsync("contracts", "--contracts", copy, "--write-manifest");
        written.Should().Be(ExitCodes.Conformant, err);
        output.Should().Contain("3 APIs").And.Contain("valid").And.Contain(RepositoryLayout.ManifestFile);
        var layout = new RepositoryLayout(copy);
        var contract = Path.Combine(copy, "schemas", "wavy-open-sessions", "contract.json");
        layout.IsValidated(contract, layout.FormatSchema("contract.schema.json")).Should().BeTrue("the bytes are those the manifest lists");

        // An edit after the manifest was written: those bytes are not the validated ones, so they are validated again.
        await File.WriteAllTextAsync(contract, (await File.ReadAllTextAsync(contract)).Replace("\"auth\"", "\"authx\"", StringComparison.Ordinal));
        new RepositoryLayout(copy).IsValidated(contract).Should().BeFalse();
        var (broken, _, error) = await RunAsync("--contracts", copy, "--list");
        var (check, _, checkError) = await RunAsync("contracts", "--contracts", copy);

        broken.Should().Be(ExitCodes.UsageOrConfiguration);
        error.Should().Contain("contract.json").And.Contain("required property 'auth' is missing");
        check.Should().Be(ExitCodes.UsageOrConfiguration);
        checkError.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("required property 'auth' is missing");
    }

    internal static void CopyDirectory(string from, string to, IEnumerable<string> folders)
    {
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(from, folder), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(to, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
    }

    [Test]
    public async Task The_main_job_exits_1_for_a_faulty_mock_and_names_the_requirement()
    {
        var (exit, output, _) = await RunAsync("--report-dir", dir, "--fault", "customerId-not-required", "--api", "wavy-open-sessions");

        exit.Should().Be(ExitCodes.NotConformant);
        output.Should().Contain("FAIL       WAVY-001").And.Contain("without customerId: expected 400 / received 200");
        var pact = RunResults.Read(Path.Combine(dir, "results.json")).Requirements.Single(r => r.Id == "PACT wavy-open-sessions");
        pact.Verdict.Should().Be(Checks.Verdict.Fail, "the consumer pact's request without customerId expects 400 too");
        pact.Cases.Should().ContainSingle(c => c.Verdict == Checks.Verdict.Fail, "only the interaction without customerId is broken")
            .Which.Element.Should().Be("a request without customerId");
        pact.Cases.Single(c => c.Verdict == Checks.Verdict.Fail).Message.Should().Contain("400");
    }

    [Test]
    public async Task A_profile_that_renames_a_parameter_certifies_the_mock_configured_the_same_way()
    {
        var (exit, output, err) = await RunAsync("--report-dir", dir, "--target", "embedded-renamed", "--api", "chat-session-list");

        exit.Should().Be(ExitCodes.Incomplete, "the pacts describe the canonical contract, so they are not checked here: " + err + output);
        output.Should().Contain("INCOMPLETE: 25 pass, 0 fail, 0 deviation, 1 skipped, 0 error").And.Contain("the consumer pacts describe the canonical contract");
        (await File.ReadAllTextAsync(Path.Combine(dir, "requests.jsonl"))).Should().Contain("/v2/sessions?").And.Contain("pageSize=");
    }

    [Test]
    public async Task Fail_on_deviation_turns_a_deviation_into_a_non_conformant_run()
    {
        var (lenient, _, _) = await RunAsync("--report-dir", Path.Combine(dir, "a"), "--fault", "csv-bom", "--filter", "csv");
        var (strict, output, _) = await RunAsync("--report-dir", Path.Combine(dir, "b"), "--fault", "csv-bom", "--filter", "csv", "--fail-on", "deviation");

        lenient.Should().Be(ExitCodes.Conformant);
        strict.Should().Be(ExitCodes.NotConformant);
        output.Should().Contain("DEVIATION  WAVY-011");
    }

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
