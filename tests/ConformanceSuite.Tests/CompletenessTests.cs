using System.Xml.Linq;
using ConformanceSuite.Cli;

namespace ConformanceSuite.Tests;

/// <summary>
/// A run says CONFORMANT only for what it checked: three outcomes (conformant, not conformant, incomplete),
/// exit 4 for an incomplete run (0 with --accept-incomplete, the line still saying INCOMPLETE), not
/// applicable by the profile's word with its reason, and every report format saying which, with what was not
/// checked, why, and the setting that would let it be.
/// </summary>
[TestFixture]
public sealed class CompletenessTests
{
    private const string Api = "wavy-open-sessions";
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-complete-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, CliTests.Context(variables));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Each report file of a run folder, read.</summary>
    private static (RunResults Json, string Markdown, string Html, XDocument Junit) Reports(string folder) =>
        (RunResults.Read(Path.Combine(folder, "results.json")), File.ReadAllText(Path.Combine(folder, "report.md")),
         File.ReadAllText(Path.Combine(folder, "report.html")), XDocument.Load(Path.Combine(folder, "junit.xml")));

    [Test]
    public async Task The_embedded_mock_run_is_complete_and_every_report_says_conformant()
    {
        var (exit, output, err) = await RunAsync(null, "--api", Api, "--report-dir", dir);

        exit.Should().Be(ExitCodes.Conformant, err);
        output.Should().Contain("CONFORMANT: ").And.NotContain("INCOMPLETE").And.NotContain("not fully checked");
        var (json, md, html, junit) = Reports(dir);
        json.Outcome.Should().Be(RunOutcome.Conformant);
        json.NotFullyChecked.Should().BeEmpty();
        md.Should().Contain("✅ conformant").And.NotContain("### Not checked");
        html.Should().Contain("class=\"overall pass\" id=\"overall\">CONFORMANT<");
        junit.Descendants("skipped").Should().BeEmpty();
    }

    [Test]
    public async Task A_fault_makes_every_report_say_not_conformant()
    {
        var (exit, output, _) = await RunAsync(null, "--api", Api, "--report-dir", dir, "--fault", "customerId-not-required");

        exit.Should().Be(ExitCodes.NotConformant);
        output.Should().Contain("NOT CONFORMANT: ");
        var (json, md, html, junit) = Reports(dir);
        json.Outcome.Should().Be(RunOutcome.NotConformant);
        md.Should().Contain("❌ not conformant");
        html.Should().Contain("class=\"overall fail\" id=\"overall\">NOT CONFORMANT<");
        junit.Descendants("failure").Should().NotBeEmpty();
    }

    /// <summary>A live-style profile of the reference mock, started here, with a state URL but no base URL for its download origin's pact.</summary>
    private async Task<(string Profile, Dictionary<string, string> Variables, MockHost Mock)> WithoutDownloadsPactAsync(JsonObject? notApplicable = null)
    {
        var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, AcceptPactExamples = true, Contracts = Harness.Contracts });
        var api = mock.Target().Apis[Api];
        var entry = new JsonObject
        {
            ["baseUrl"] = api.BaseUrl.ToString(),
            ["credentials"] = new JsonObject { ["authenticationToken"] = new JsonObject { ["env"] = "T" }, ["userName"] = new JsonObject { ["env"] = "U" } },
            ["testData"] = new JsonObject(api.TestData.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["pact"] = new JsonObject { ["stateUrl"] = new Uri(mock.ApiOrigin, MockHost.ProviderStatePath).ToString(), ["exampleCredentials"] = true },
        };
        if (notApplicable is not null)
        {
            entry["notApplicable"] = notApplicable;
        }

        var profile = Path.Combine(dir, "profile.json");
        await File.WriteAllTextAsync(profile, new JsonObject { ["name"] = "live-style", ["apis"] = new JsonObject { [Api] = entry } }.ToJsonString());
        return (profile, new Dictionary<string, string> { ["T"] = api.Credentials["authenticationToken"], ["U"] = api.Credentials["userName"] }, mock);
    }

    [Test]
    public async Task A_target_without_a_pact_provider_url_is_incomplete_exit_4_unless_accepted_and_every_report_says_why()
    {
        var (profile, variables, mock) = await WithoutDownloadsPactAsync();
        await using var _ = mock;

        var (exit, output, err) = await RunAsync(variables, "--target", profile, "--api", Api, "--report-dir", dir);
        var (accepted, acceptedOutput, _) = await RunAsync(variables, "--target", profile, "--api", Api, "--report-dir", Path.Combine(dir, "accepted"), "--accept-incomplete");

        exit.Should().Be(ExitCodes.Incomplete, err + output);
        output.Should().Contain("INCOMPLETE: ").And.Contain("1 requirements not fully checked")
            .And.Contain("(setting: apis.wavy-open-sessions.pact.providers.wavy-open-sessions-downloads)");
        accepted.Should().Be(ExitCodes.Conformant, "--accept-incomplete accepts it");
        acceptedOutput.Should().Contain("INCOMPLETE: ", "the line still says what the run is");

        const string Setting = "apis.wavy-open-sessions.pact.providers.wavy-open-sessions-downloads";
        var (json, md, html, junit) = Reports(dir);
        json.Outcome.Should().Be(RunOutcome.Incomplete);
        json.Conformant.Should().BeFalse();
        var open = json.NotFullyChecked.Should().ContainSingle().Subject;
        open.Id.Should().Be("PACT wavy-open-sessions-downloads");
        open.NotChecked.Should().ContainSingle().Which.Setting.Should().Be(Setting);
        File.ReadAllText(Path.Combine(dir, "results.json")).Should().Contain("\"outcome\": \"Incomplete\"").And.Contain(Setting);
        md.Should().Contain("⚠️ incomplete").And.Contain("### Not checked").And.Contain("no base URL for the pact provider").And.Contain(Setting);
        html.Should().Contain("class=\"overall incomplete\" id=\"overall\">INCOMPLETE<").And.Contain("id=\"not-checked\"").And.Contain(Setting);
        junit.Descendants("skipped").Select(s => s.Attribute("message")!.Value).Should().ContainSingle()
            .Which.Should().Contain("no base URL for the pact provider").And.Contain(Setting);
    }

    [Test]
    public async Task A_requirement_the_profile_declares_not_applicable_leaves_the_run_conformant_with_the_reason_shown()
    {
        const string Reason = "this provider documents that it serves no download origin of its own";
        var (profile, variables, mock) = await WithoutDownloadsPactAsync(new JsonObject { ["PACT wavy-open-sessions-downloads"] = Reason });
        await using var _ = mock;

        var (exit, output, err) = await RunAsync(variables, "--target", profile, "--api", Api, "--report-dir", dir);

        exit.Should().Be(ExitCodes.Conformant, err + output);
        output.Should().Contain("CONFORMANT: ").And.Contain("1 not applicable").And.Contain(Reason);
        var (json, md, html, junit) = Reports(dir);
        json.Outcome.Should().Be(RunOutcome.Conformant);
        json.Requirements.Single(r => r.Id == "PACT wavy-open-sessions-downloads").Verdict.Should().Be(Verdict.NotApplicable);
        md.Should().Contain("### Not applicable").And.Contain(Reason);
        html.Should().Contain("Not applicable").And.Contain(Reason);
        junit.Descendants("skipped").Select(s => s.Attribute("message")!.Value).Should().ContainSingle().Which.Should().Contain(Reason);
    }

    [Test]
    public async Task Not_applicable_needs_a_reason_and_an_existing_requirement()
    {
        var (profile, variables, mock) = await WithoutDownloadsPactAsync(new JsonObject { ["WAVY-099"] = "there is no such requirement at all" });
        await using var _ = mock;
        var (exit, _, err) = await RunAsync(variables, "--target", profile, "--api", Api, "--list");
        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        err.Should().Contain("/apis/wavy-open-sessions/notApplicable/WAVY-099").And.Contain("names requirement 'WAVY-099'");

        var (terse, _, second) = await WithoutDownloadsPactAsync(new JsonObject { ["WAVY-001"] = "no" });
        await using var __ = second;
        var (noReason, _, noReasonErr) = await RunAsync(variables, "--target", terse, "--api", Api, "--list");
        noReason.Should().Be(ExitCodes.UsageOrConfiguration);
        noReasonErr.Should().Contain("/apis/wavy-open-sessions/notApplicable/WAVY-001").And.Contain("too short");
    }
}
