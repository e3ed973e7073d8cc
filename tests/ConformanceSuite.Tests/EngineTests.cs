using System.Text.Json;
using System.Xml.Linq;
using ConformanceSuite.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// The engine as one call: typed settings in, every case with exactly one verdict out, every report written.
/// The fifth verdict, error, is proved with a check that throws on purpose and with the run's time limit.
/// </summary>
[TestFixture]
public sealed class EngineTests
{
    private string dir = "";

    [SetUp]
    public void Make() => dir = Path.Combine(Path.GetTempPath(), "cs-engine-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void Clean()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private RunSettings Settings(params string[] apis) => new()
    {
        Apis = apis,
        ReportDirectory = dir,
        ContractsDirectory = Harness.Layout.Root,
        RequestTimeout = TimeSpan.FromSeconds(10),
        MockStall = TimeSpan.FromSeconds(20),
    };

    /// <summary>A check of an existing kind that throws instead of judging: the suite's own bug, on purpose.</summary>
    private sealed class ThrowingCheck(ICheck real) : ICheck
    {
        public string Kind => real.Kind;

        public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) => real.Expand(contract, requirement);

        public Task RunAsync(CheckRun run, CancellationToken ct) =>
            throw new InvalidOperationException($"planted failure in {Kind} for {run.Element.Key}");
    }

    internal static CheckRegistry Throwing(string kind) =>
        CheckRegistry.Default.With(new ThrowingCheck(CheckRegistry.Default.Get(kind)));

    /// <summary>A check of an existing kind that ends its case at once with <paramref name="end"/> (a throw, or a skip).</summary>
    private sealed class EndingCheck(ICheck real, Action end) : ICheck
    {
        public string Kind => real.Kind;

        public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) => real.Expand(contract, requirement);

        public Task RunAsync(CheckRun run, CancellationToken ct)
        {
            end();
            return Task.CompletedTask;
        }
    }

    /// <summary>A check of an existing kind that finds a documented fail, then cannot go on (a skip).</summary>
    private sealed class FindsThenSkipsCheck(ICheck real) : ICheck
    {
        public string Kind => real.Kind;

        public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) => real.Expand(contract, requirement);

        public Task RunAsync(CheckRun run, CancellationToken ct)
        {
            run.Fail("planted", new ValueMismatch("/planted", "what the docs say", "something else"), run.Requirement.Source);
            CheckRun.Skip("planted: the next step's precondition is not met");
            return Task.CompletedTask;
        }
    }

    [Test]
    public async Task A_check_that_stops_part_way_keeps_the_fail_it_found_before_and_says_what_it_did_not_check()
    {
        // Before, the skip made the case skipped, and the fail found before it was in no verdict (the run only incomplete).
        var checks = CheckRegistry.Default.With(new FindsThenSkipsCheck(CheckRegistry.Default.Get(CsvHeaderCheck.KindName)));

        var results = await ConformanceEngine.RunAsync(Settings("wavy-open-sessions") with { Checks = checks, Filter = ["WAVY-011"] });

        var rows = results.Requirements.Single(r => r.Id == "WAVY-011").Cases.Should().NotBeEmpty().And.Subject;
        rows.Should().OnlyContain(c => c.Verdict == Verdict.Fail && c.Findings.Count == 1 && c.Findings[0].Message.Contains("/planted")
            && c.Partial == "not all of it was checked: planted: the next step's precondition is not met");
        results.Outcome.Should().Be(RunOutcome.NotConformant);
    }

    [Test]
    public async Task An_exception_or_a_skip_reason_that_quotes_megabytes_is_cut_in_the_case_message()
    {
        // A provider's text can reach an exception's message or a skip's reason: neither may carry it whole into every report.
        var quoted = new string('m', 100_000);
        var checks = CheckRegistry.Default
            .With(new EndingCheck(CheckRegistry.Default.Get(CsvHeaderCheck.KindName), () => throw new InvalidOperationException("planted " + quoted, new FormatException("inner " + quoted))))
            .With(new EndingCheck(CheckRegistry.Default.Get(CsvRowsCheck.KindName), () => CheckRun.Skip("planted " + quoted)));

        var results = await ConformanceEngine.RunAsync(Settings("wavy-open-sessions") with { Checks = checks, Filter = ["WAVY-011", "WAVY-012"] });

        var header = results.Requirements.Single(r => r.Id == "WAVY-011").Cases.Should().NotBeEmpty().And.Subject;
        header.Should().OnlyContain(c => c.Verdict == Verdict.Error && c.Message.Contains($"InvalidOperationException: planted mmm")
            && c.Message.Contains($"… ({"InvalidOperationException: planted ".Length + quoted.Length:N0} characters in all) (stack trace in {RunLog.FileName})"));
        var rows = results.Requirements.Single(r => r.Id == "WAVY-012").Cases.Should().NotBeEmpty().And.Subject;
        rows.Should().OnlyContain(c => c.Verdict == Verdict.Skipped && c.Message.Contains($"… ({"planted ".Length + quoted.Length:N0} characters in all)"));
        results.Requirements.SelectMany(r => r.Cases).Should().OnlyContain(c => c.Message.Length < 2 * ProviderText.MaxChars);

        // The log keeps every exception of the chain with its stack trace, each message cut at its own bound.
        var log = await File.ReadAllTextAsync(Path.Combine(dir, RunLog.FileName));
        log.Should().Contain($"System.InvalidOperationException: planted mmm").And.Contain($"… ({"planted ".Length + quoted.Length:N0} characters in all)")
            .And.Contain("---> System.FormatException: inner mmm").And.Contain($"… ({"inner ".Length + quoted.Length:N0} characters in all)")
            .And.Contain(" at ", "the stack traces are kept").And.NotContain(new string('m', RunLog.MaxMessageChars));
        log.Length.Should().BeLessThan(header.Count() * 4 * RunLog.MaxMessageChars, "two bounded messages and two stack traces for each case");
    }

    [Test]
    public async Task The_clean_embedded_mock_is_conformant_and_every_report_is_written()
    {
        var results = await ConformanceEngine.RunAsync(Settings("wavy-open-sessions"));

        results.Conformant.Should().BeTrue(Harness.Verdicts(results));
        results.Requirements.Should().OnlyContain(r => r.Verdict == Verdict.Pass);
        results.Requirements.Select(r => r.Id).Should().Contain(["PACT wavy-open-sessions", "PACT wavy-open-sessions-downloads"], "the pacts are part of the run");
        results.ChecksMs.Should().BeGreaterThan(0).And.BeLessThan((results.FinishedAt - results.StartedAt).TotalMilliseconds);
        foreach (var file in RunResults.ReportFiles)
        {
            File.Exists(Path.Combine(dir, file)).Should().BeTrue(file);
        }
    }

    [Test]
    public async Task A_check_that_throws_ends_in_error_in_every_report_and_the_run_is_not_conformant()
    {
        var results = await ConformanceEngine.RunAsync(Settings("wavy-open-sessions") with { Checks = Throwing(CsvHeaderCheck.KindName) });

        var header = results.Requirements.Single(r => r.Id == "WAVY-011");
        header.Verdict.Should().Be(Verdict.Error);
        header.Cases.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Error && c.Message.Contains("InvalidOperationException: planted failure in csv-header"));
        results.Requirements.Where(r => r.Id != "WAVY-011").Should().OnlyContain(r => r.Verdict == Verdict.Pass, "the error stays in its case");
        results.Conformant.Should().BeFalse("an error means something selected was not judged");
        results.Counts["error"].Should().Be(1);

        var json = await File.ReadAllTextAsync(Path.Combine(dir, "results.json"));
        var junit = XDocument.Load(Path.Combine(dir, "junit.xml"));
        var markdown = await File.ReadAllTextAsync(Path.Combine(dir, "report.md"));
        var html = await File.ReadAllTextAsync(Path.Combine(dir, "report.html"));
        var log = await File.ReadAllTextAsync(Path.Combine(dir, RunLog.FileName));
        RunResults.Read(Path.Combine(dir, "results.json")).Requirements.Single(r => r.Id == "WAVY-011").Verdict.Should().Be(Verdict.Error);
        junit.Descendants("testcase").Where(t => t.Element("error") is not null).Should().HaveCount(header.Cases.Count);
        junit.Root!.Attribute("errors")!.Value.Should().Be(header.Cases.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        markdown.Should().Contain("| ERROR | wavy-open-sessions | **WAVY-011**").And.Contain("planted failure in csv-header");
        html.Should().Contain("ERROR").And.Contain("planted failure in csv-header");
        log.Should().Contain("planted failure in csv-header").And.Contain(" at ", "the stack trace goes to the log");
        foreach (var report in new[] { json, junit.ToString(), markdown, html })
        {
            report.Should().NotContain("ThrowingCheck.RunAsync", "a stack trace goes to the log file only");
        }
    }

    [Test]
    public async Task The_run_time_limit_makes_the_case_it_cuts_off_and_every_case_after_it_an_error()
    {
        var settings = Settings("wavy-open-sessions") with { Faults = ["download-stalls"], RequestTimeout = TimeSpan.FromSeconds(15), RunTimeout = TimeSpan.FromSeconds(1.5) };
        var plan = ConformanceEngine.Plan(settings);

        var results = await ConformanceEngine.RunAsync(plan);

        var cases = results.Requirements.SelectMany(r => r.Cases).ToList();
        cases.Select(c => c.Key).Should().BeEquivalentTo(plan.Catalog.Cases.Select(c => c.Key), "every case of the catalog has exactly one verdict");
        var cut = cases.Should().ContainSingle(c => c.Message.Contains("cut off by the run's time limit")).Subject;
        cut.Verdict.Should().Be(Verdict.Error);
        cut.Message.Should().Contain("while waiting for GET http://127.0.0.1:").And.Contain("/files/").And.Contain("download of scenario", "the report names the slow request");
        var notRun = cases.Where(c => c.Message.Contains("was reached before this case started")).ToList();
        notRun.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Error);
        cases.IndexOf(notRun[0]).Should().BeGreaterThan(cases.FindIndex(c => c.Message.Contains("cut off")), "only cases after the cut-off one are not run");
        results.Conformant.Should().BeFalse();
    }

    [Test]
    public void A_filter_selects_requirements_by_id_or_category_and_the_pacts_by_category_or_id()
    {
        Cases(["WAVY-004"]).Should().Equal("WAVY-004");
        ConformanceEngine.Plan(Settings() with { Filter = ["csv"] }).Catalog.Cases.Should().NotBeEmpty().And.OnlyContain(c => c.Requirement.Category == "csv");
        Cases(["pact"]).Should().OnlyContain(id => id.StartsWith("PACT ")).And.Contain("PACT opencx-chat-sessions");
        Cases(["PACT wavy-open-sessions", "WAVY-001"]).Should().BeEquivalentTo(["PACT wavy-open-sessions", "WAVY-001"]);
        FluentActions.Invoking(() => Cases(["WAVY-999"])).Should().Throw<ConfigurationException>().Which.Message.Should().Contain("selects no requirement");
    }

    private List<string> Cases(string[] filter) =>
        ConformanceEngine.Plan(Settings() with { Filter = filter }).Catalog.Cases.Select(c => c.Requirement.Id).Distinct().ToList();

    [TestCase("ftp://example.test/x", "is not an http(s) URL")]
    [TestCase("not a url", "is not an http(s) URL")]
    public void A_bad_ad_hoc_base_url_is_one_clear_error(string url, string message)
    {
        FluentActions.Invoking(() => ConformanceEngine.Plan(Settings("wavy-open-sessions") with { AdHoc = new AdHocTarget(url, new Dictionary<string, string>(), new Dictionary<string, string>()) }))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain(message);
    }

    [Test]
    public void An_ad_hoc_target_names_the_missing_credential_and_needs_one_api()
    {
        var adHoc = AdHocTarget.FromVariables("http://127.0.0.1:1", new Dictionary<string, string> { ["CONFORMANCE_CREDENTIAL_userName"] = "u" });

        FluentActions.Invoking(() => ConformanceEngine.Plan(Settings("wavy-open-sessions") with { AdHoc = adHoc }))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("no credential 'authenticationToken'").And.Contain("CONFORMANCE_CREDENTIAL_authenticationToken");
        FluentActions.Invoking(() => ConformanceEngine.Plan(Settings() with { AdHoc = adHoc }))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("serves one API");
    }

    [Test]
    public void An_ad_hoc_target_names_every_missing_credential_at_once()
    {
        // Before: only the first, so a user found the second one run later.
        var none = AdHocTarget.FromVariables("http://127.0.0.1:1", new Dictionary<string, string>());

        FluentActions.Invoking(() => ConformanceEngine.Plan(Settings("wavy-open-sessions") with { AdHoc = none }))
            .Should().Throw<ConfigurationException>().Which.Message.Should()
            .Contain("no credential 'authenticationToken' or 'userName' for wavy-open-sessions")
            .And.Contain("CONFORMANCE_CREDENTIAL_authenticationToken").And.Contain("CONFORMANCE_CREDENTIAL_userName");
    }

    [Test]
    public async Task An_ad_hoc_target_certifies_the_mock()
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout });
        var api = mock.Target().Apis["wavy-open-sessions"];
        var variables = api.Credentials.ToDictionary(c => $"CONFORMANCE_CREDENTIAL_{c.Key}", c => c.Value);
        foreach (var (slot, value) in api.TestData)
        {
            variables[$"CONFORMANCE_DATA_{slot}"] = value;
        }

        var results = await ConformanceEngine.RunAsync(Settings("wavy-open-sessions") with { AdHoc = AdHocTarget.FromVariables(api.BaseUrl.ToString(), variables), Filter = ["auth", "body", "csv"] });

        results.Target.Name.Should().Be("ad-hoc");
        results.Requirements.Should().NotBeEmpty().And.OnlyContain(r => r.Verdict == Verdict.Pass, Harness.Verdicts(results));
    }

    [Test]
    public void Faults_need_the_embedded_target()
    {
        FluentActions.Invoking(() => ConformanceEngine.Plan(Settings() with { Target = "local-mock", Faults = ["csv-bom"] }))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("not the embedded mock");
    }

    [Test]
    public async Task Without_the_pact_core_the_pacts_are_skipped_with_the_reason_and_the_rest_runs()
    {
        var results = await ConformanceEngine.RunAsync(Settings("opencx-chat-sessions") with { PactLibrary = Path.Combine(dir, "no-such-libpact_ffi.so"), Filter = ["pact", "OPENCX-001"] });

        var pact = results.Requirements.Single(r => r.Id == "PACT opencx-chat-sessions");
        pact.Verdict.Should().Be(Verdict.Skipped);
        pact.Cases.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Skipped && c.Message.Contains("libpact_ffi is not at") && c.Message.Contains("the rest of the run does not need it"));
        results.Requirements.Single(r => r.Id == "OPENCX-001").Verdict.Should().Be(Verdict.Pass);
    }

    [Test]
    public void The_pact_core_ships_with_the_program_and_an_unsupported_platform_has_none()
    {
        var shipped = Pact.PactCore.Locate(null, repositoryRoot: null);

        shipped.Path.Should().Be(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libpact_ffi.so"), "the build ships it as a runtimes/<rid>/native asset");
        Pact.PactCore.LibraryFor(System.Runtime.InteropServices.OSPlatform.FreeBSD, System.Runtime.InteropServices.Architecture.X64).Should().BeNull();
        Pact.PactCore.RuntimeId(Pact.PactCore.LibraryFor(System.Runtime.InteropServices.OSPlatform.OSX, System.Runtime.InteropServices.Architecture.Arm64)!.Value).Should().Be("osx-arm64");
        Pact.PactCore.RuntimeId(Pact.PactCore.LibraryFor(System.Runtime.InteropServices.OSPlatform.Windows, System.Runtime.InteropServices.Architecture.X64)!.Value).Should().Be("win-x64");
    }

    [Test]
    public void Environment_variables_fill_the_settings_of_the_nunit_front_end()
    {
        var defaults = EnvironmentSettings.Read(new Dictionary<string, string>());
        var given = EnvironmentSettings.Read(new Dictionary<string, string>
        {
            ["CONFORMANCE_TARGET"] = "local-mock",
            ["CONFORMANCE_API"] = "wavy-open-sessions, opencx-chat-sessions",
            ["CONFORMANCE_FILTER"] = "csv",
            ["CONFORMANCE_FAIL_ON"] = "Deviation",
            ["CONFORMANCE_REQUEST_TIMEOUT"] = "2.5",
            ["CONFORMANCE_IDLE_TIMEOUT"] = "0.75",
            ["CONFORMANCE_RUN_TIMEOUT"] = "60",
            ["CONFORMANCE_PATTERN_TIMEOUT"] = "0.5",
            ["CONFORMANCE_INSECURE_TLS"] = "true",
            ["CONFORMANCE_ALLOW_PRIVATE_ADDRESSES"] = "true",
            ["CONFORMANCE_SCALE"] = "5000",
            ["WAVY_TOKEN"] = "from-the-environment",
        });

        defaults.Target.Should().Be("embedded");
        defaults.FailOn.Should().Be(FailOn.Fail);
        defaults.ReportDirectory.Should().EndWith(Path.Combine("artifacts", "latest"));
        given.Apis.Should().Equal("wavy-open-sessions", "opencx-chat-sessions");
        given.Filter.Should().Equal("csv");
        given.FailOn.Should().Be(FailOn.Deviation);
        given.RequestTimeout.Should().Be(TimeSpan.FromSeconds(2.5));
        given.IdleTimeout.Should().Be(TimeSpan.FromSeconds(0.75));
        defaults.IdleTimeout.Should().BeNull();
        given.RunTimeout.Should().Be(TimeSpan.FromMinutes(1));
        given.PatternTimeout.Should().Be(TimeSpan.FromSeconds(0.5));
        defaults.PatternTimeout.Should().BeNull();
        given.InsecureTls.Should().BeTrue();
        given.AllowPrivateAddresses.Should().BeTrue();
        defaults.AllowPrivateAddresses.Should().BeFalse();
        given.Scale.Should().Be(5000);
        defaults.Scale.Should().BeNull();
        given.Variables("WAVY_TOKEN").Should().Be("from-the-environment");
    }

    [TestCase("CONFORMANCE_FAIL_ON", "sometimes", "expected 'fail', 'deviation' or 'new'")]
    [TestCase("CONFORMANCE_RUN_TIMEOUT", "soon", "expected a number of seconds")]
    [TestCase("CONFORMANCE_REQUEST_TIMEOUT", "-1", "expected a number of seconds")]
    [TestCase("CONFORMANCE_IDLE_TIMEOUT", "601", "at most 600")]
    [TestCase("CONFORMANCE_SCALE", "lots", "expected a whole number of items above 0")]
    [TestCase("CONFORMANCE_SCALE", "0", "expected a whole number of items above 0")]
    public void A_bad_variable_is_a_clear_error(string key, string value, string message)
    {
        FluentActions.Invoking(() => EnvironmentSettings.Read(new Dictionary<string, string> { [key] = value }))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain(message);
    }

    [Test]
    public void Results_json_carries_the_error_verdict_by_name()
    {
        var contract = new ContractLoader(Harness.Layout).Load("wavy-open-sessions");
        var outcome = CaseRunner.NotRun(new CheckCase(contract, contract.Requirements[0], new CaseElement("x")), "never reached");

        JsonSerializer.Serialize(outcome, ResultsJson.Options).Should().Contain("\"verdict\": \"Error\"");
        outcome.Message.Should().StartWith("WAVY-001 [x]").And.Contain("ERROR: never reached");
    }

    [Test]
    public void A_pact_mismatch_lists_its_body_paths_in_one_order_whatever_order_the_core_gave()
    {
        string Entry(params string[] paths) => string.Join('\n', ["1) Verifying a pact", "    1.1) has a matching body", .. paths.Select(p => "           " + p), "    1.2) has status code 200"]);
        var shuffled = Entry("$.items[4].status -> Expected 'closed' to be equal to 'open'", "$.items[1].status -> Expected 'closed' to be equal to 'open'", "$.id -> Expected 3 to be equal to 4");
        var other = Entry("$.items[1].status -> Expected 'closed' to be equal to 'open'", "$.id -> Expected 3 to be equal to 4", "$.items[4].status -> Expected 'closed' to be equal to 'open'");

        var ordered = PactVerificationCheck.InOrder(shuffled);

        ordered.Should().Be(PactVerificationCheck.InOrder(other));
        ordered.Split('\n').Should().Equal(
            "1) Verifying a pact", "    1.1) has a matching body",
            "           $.id -> Expected 3 to be equal to 4",
            "           $.items[1].status -> Expected 'closed' to be equal to 'open'",
            "           $.items[4].status -> Expected 'closed' to be equal to 'open'",
            "    1.2) has status code 200");
    }
}
