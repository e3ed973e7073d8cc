using ConformanceSuite.Targets;

namespace ConformanceSuite.Tests;

/// <summary>
/// The suite against the mock started as a separate process, through the repository's local-mock
/// profile exactly as against a live provider, gives the same verdicts as in-process: each API's run, and the
/// CLI's main job with the Pact verifications. Then the process exits on SIGTERM.
/// </summary>
[TestFixture]
[Order(4)] // long-running: started first so the short fixtures fill in around it
public sealed class ExternalProcessTests
{
    /// <summary>
    /// Per API a fault that fails and one that deviates (or leaves a requirement unverifiable), so every run
    /// compares passing and broken verdicts. One mock process serves them all (a process start is the costly
    /// part of these tests); the in-process runs switch on the same faults, so both sides are one provider.
    /// </summary>
    private static readonly string[] Faults = ["csv-header-translated", "auth-403", "pagination-cycle", "filter-inclusive:created_after", "excel-no-bom", "zip-wrong-name"];

    private MockProcess? mock;

    private string dir = "";

    /// <summary>The mock also takes the consumer pacts' example credentials, so the CLI's main job verifies the pacts against it.</summary>
    [OneTimeSetUp]
    public async Task StartMock()
    {
        Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-external-" + Guid.NewGuid().ToString("N")));
        mock = await MockProcess.StartWithAsync(Faults, ["--accept-pact-examples"]);
    }

    [OneTimeTearDown]
    public void StopMock()
    {
        mock?.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>The environment the local-mock profile reads, for a mock process.</summary>
    internal static Dictionary<string, string> LocalMockEnvironment(MockProcess mock)
    {
        var apis = MockServer.MockHost.Implementations(Harness.Layout).ToDictionary(a => a.ApiId);
        return new Dictionary<string, string>
        {
            ["WAVY_BASE_URL"] = mock.BaseUrl("wavy-open-sessions"),
            ["WAVY_AUTH_TOKEN"] = apis["wavy-open-sessions"].Credentials["authenticationToken"],
            ["WAVY_USER_NAME"] = apis["wavy-open-sessions"].Credentials["userName"],
            ["OPENCX_BASE_URL"] = mock.BaseUrl("opencx-chat-sessions"),
            ["OPENCX_TOKEN"] = apis["opencx-chat-sessions"].Credentials["Authorization"],
            ["CSL_BASE_URL"] = mock.BaseUrl("chat-session-list"),
            ["CSL_TOKEN"] = apis["chat-session-list"].Credentials["Authorization"],
            ["MOCK_STATE_URL"] = new Uri(new Uri(mock.Ready.GetProperty("apiOrigin").GetString()!), MockServer.MockHost.ProviderStatePath).ToString(),
            ["WAVY_DOWNLOADS_URL"] = new Uri(new Uri(mock.Ready.GetProperty("downloadOrigin").GetString()!), "/wavy-open-sessions").ToString(),
        };
    }

    [Order(1)]
    [TestCase("wavy-open-sessions", TestName = "separate process, wavy mock: same verdicts as in-process")]
    [TestCase("opencx-chat-sessions", TestName = "separate process, opencx mock: same verdicts as in-process")]
    [TestCase("chat-session-list", TestName = "separate process, chat-session-list mock: same verdicts as in-process")]
    public async Task The_separate_process_gives_the_same_verdicts(string api)
    {
        var env = LocalMockEnvironment(mock!);
        var profile = TargetProfiles.Read(Harness.Layout, "local-mock");
        var target = TargetProfiles.Resolve(profile, [api], env.GetValueOrDefault) with { Http = Harness.FastHttp };

        var external = await Harness.RunAgainstAsync(target, api);
        var inProcess = await Harness.RunAsync(api, Faults);

        external.Target.Embedded.Should().BeFalse();
        external.Requirements.Select(r => r.Verdict).Should().Contain(Verdict.Pass).And.Contain(v => v == Verdict.Fail || v == Verdict.Deviation);
        external.Requirements.Select(r => (r.Id, r.Verdict)).Should().Equal(inProcess.Requirements.Select(r => (r.Id, r.Verdict)));
        external.Requirements.SelectMany(r => r.Cases).Select(c => (c.Key, c.Verdict))
            .Should().Equal(inProcess.Requirements.SelectMany(r => r.Cases).Select(c => (c.Key, c.Verdict)));
    }

    /// <summary>The CLI's main job, every API and the Pact verifications, through the local-mock profile.</summary>
    [Test]
    [Order(1)]
    public async Task The_main_job_against_the_mock_as_a_separate_process_gives_the_embedded_verdicts()
    {
        var (external, err) = await Harness.CliWithAsync(LocalMockEnvironment(mock!), "--report-dir", Path.Combine(dir, "external"), "--target", "local-mock");
        var (embedded, _) = await Harness.CliAsync("--report-dir", Path.Combine(dir, "embedded"), "--fault", string.Join(',', Faults));

        external.Should().Be(embedded, err);
        Verdicts("external").Should().Contain(v => v.EndsWith("=Pass", StringComparison.Ordinal)).And.Contain(v => v.EndsWith("=Fail", StringComparison.Ordinal))
            .And.Equal(Verdicts("embedded"));
        Verdicts("external").Should().Contain(v => v.Contains("/PACT ", StringComparison.Ordinal) && v.EndsWith("=Pass", StringComparison.Ordinal), "the pacts were verified against the process");
        RunResults.Read(Path.Combine(dir, "external", "results.json")).Target.Name.Should().Be("local-mock");
    }

    private IEnumerable<string> Verdicts(string folder) =>
        RunResults.Read(Path.Combine(dir, folder, "results.json")).Requirements.SelectMany(r => r.Cases).Select(c => $"{c.Key}={c.Verdict}");

    /// <summary>Last, on the same mock process the runs above used: it has served a run, and it still exits.</summary>
    [Test]
    [Order(2)]
    public async Task The_mock_process_exits_on_sigterm()
    {
        var exited = await mock!.TerminateAsync(TimeSpan.FromSeconds(20));

        exited.Should().BeTrue("a run never leaves a mock behind");
    }
}
