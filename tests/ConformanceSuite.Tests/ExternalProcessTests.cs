using ConformanceSuite.Targets;
using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Tests;

/// <summary>
/// The suite against the mock started as a separate process, through the repository's local-mock
/// profile exactly as against a live provider, gives the same verdicts as in-process.
/// </summary>
[TestFixture]
public sealed class ExternalProcessTests
{
    private const string Api = "wavy-open-sessions";

    public static IEnumerable<TestCaseData> Variants()
    {
        yield return new TestCaseData((object)Array.Empty<string>()).SetName("separate process, clean mock: same verdicts as in-process");
        yield return new TestCaseData((object)new[] { "csv-header-translated" }).SetName("separate process, faulty mock: same verdicts as in-process");
        yield return new TestCaseData((object)new[] { "auth-403" }).SetName("separate process, deviating mock: same verdicts as in-process");
    }

    [TestCaseSource(nameof(Variants))]
    public async Task The_separate_process_gives_the_same_verdicts(string[] faults)
    {
        using var mock = await MockProcess.StartAsync(faults);
        var credentials = MockServer.MockHost.Implementations(Harness.Layout).Single(a => a.ApiId == Api).Credentials;
        var env = new Dictionary<string, string>
        {
            ["WAVY_BASE_URL"] = mock.BaseUrl(Api),
            ["WAVY_AUTH_TOKEN"] = credentials["authenticationToken"],
            ["WAVY_USER_NAME"] = credentials["userName"],
        };
        var profile = TargetProfiles.Read(Harness.Layout, "local-mock");
        var target = TargetProfiles.Resolve(profile, [Api], env.GetValueOrDefault) with { Http = Harness.FastHttp };

        var external = await Harness.RunAgainstAsync(target, Api);
        var inProcess = await Harness.RunAsync(Api, faults);

        external.Target.Embedded.Should().BeFalse();
        external.Requirements.Select(r => (r.Id, r.Verdict)).Should().Equal(inProcess.Requirements.Select(r => (r.Id, r.Verdict)));
        external.Requirements.SelectMany(r => r.Cases).Select(c => (c.Key, c.Verdict))
            .Should().Equal(inProcess.Requirements.SelectMany(r => r.Cases).Select(c => (c.Key, c.Verdict)));
    }

    [Test]
    public async Task The_mock_process_exits_on_sigterm()
    {
        using var mock = await MockProcess.StartAsync();

        var exited = await mock.TerminateAsync(TimeSpan.FromSeconds(20));

        exited.Should().BeTrue("a run never leaves a mock behind");
    }
}
