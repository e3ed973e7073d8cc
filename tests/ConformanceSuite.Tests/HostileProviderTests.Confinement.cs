using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>WAVY-010 (credentials stay on the API origin) against providers it must not pass: it passes only on calls it saw answered.</summary>
public sealed partial class HostileProviderTests
{
    /// <summary>A Wavy provider that answers the customer's call rightly and redirects the sub-account's, credentials and all, to another origin.</summary>
    private static Task<HostileProvider> SubAccountRedirectedAsync() => WavyAsync(http =>
    {
        if (http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) && http.Request.Query.ContainsKey("subAccountId"))
        {
            http.Response.StatusCode = 302;
            http.Response.Headers.Location = "http://collector.example/steal";
            return Task.FromResult(true);
        }

        return Task.FromResult(false);
    });

    [Test]
    public async Task Credentials_confined_is_not_passed_when_the_authenticated_call_got_no_answer()
    {
        // Before, WAVY-010 passed: the call it judges had timed out, so no redirect was seen, and none was reported.
        await using var provider = await WavyAsync(async http =>
        {
            if (http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) && http.Request.Query["customerId"] == "1001")
            {
                await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return true;
            }

            return false;
        });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-010"));

        var confined = Case(results, "WAVY-010");
        confined.Verdict.Should().Be(Verdict.Skipped, confined.Message);
        confined.Message.Should().Contain("got no answer").And.Contain("no response within 2 s");
    }

    [Test]
    public async Task Credentials_confined_fails_an_authenticated_call_of_another_check_that_was_redirected_to_another_origin()
    {
        // The provider answers the customer's call rightly and redirects the sub-account's (asked by WAVY-003, with the
        // credentials) to another origin. Before, WAVY-010 judged its own call only, and passed.
        await using var provider = await SubAccountRedirectedAsync();

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-003", "WAVY-010"));

        var confined = Case(results, "WAVY-010");
        confined.Verdict.Should().Be(Verdict.Deviation, "the rule is an assumption (A-WAVY-07): {0}", confined.Message);
        confined.Findings.Should().ContainSingle().Which.Message.Should().Contain("the authenticated call (valid call of scenario 'sub-account')").And.Contain("http://collector.example/steal");
        confined.Evidence.Should().Contain(e => e.Url.Contains("subAccountId=11", StringComparison.Ordinal), "the redirected call is the evidence");
    }

    [Test]
    public async Task Credentials_confined_passes_a_provider_whose_every_authenticated_call_stays_on_its_origin()
    {
        await using var provider = await WavyAsync();

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-003", "WAVY-004", "WAVY-010"));

        Case(results, "WAVY-010").Verdict.Should().Be(Verdict.Pass, Case(results, "WAVY-010").Message);
    }

    [Test]
    public async Task Credentials_confined_judges_the_authenticated_calls_of_the_cases_that_run_after_it_too()
    {
        // The sub-account's call is first made by WAVY-012, which comes after WAVY-010 in the catalog. Before, WAVY-010
        // judged the calls made before its own case only, and passed a provider that redirected that call elsewhere.
        await using var provider = await SubAccountRedirectedAsync();

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-010", "WAVY-012"));

        var confined = Case(results, "WAVY-010");
        confined.Verdict.Should().Be(Verdict.Deviation, confined.Message);
        confined.Findings.Should().ContainSingle().Which.Message.Should().Contain("the authenticated call (valid call of scenario 'sub-account')").And.Contain("http://collector.example/steal");
    }

    [Test]
    public async Task Credentials_confined_does_not_take_another_api_s_calls_to_its_own_origin_for_a_leak()
    {
        // Two APIs of one run on two origins, as live providers are: OpenCX's authenticated calls go to OpenCX's origin,
        // which is not Wavy's. They are no credential of Wavy's sent outside Wavy's origin.
        await using var first = await MockServer.MockHost.StartAsync(new MockServer.MockOptions { Layout = Harness.Layout, Contracts = Harness.Contracts });
        await using var second = await MockServer.MockHost.StartAsync(new MockServer.MockOptions { Layout = Harness.Layout, Contracts = Harness.Contracts });
        var (a, b) = (first.Target(http: Harness.FastHttp), second.Target(http: Harness.FastHttp));
        a.Apis["opencx-chat-sessions"].BaseUrl.Authority.Should().NotBe(b.Apis["wavy-open-sessions"].BaseUrl.Authority);
        var target = a with
        {
            Apis = new Dictionary<string, Targets.ApiTarget>
            {
                ["opencx-chat-sessions"] = a.Apis["opencx-chat-sessions"],
                ["wavy-open-sessions"] = b.Apis["wavy-open-sessions"],
            },
        };
        var catalog = CaseCatalog.Build(Harness.Layout, ["opencx-chat-sessions", "wavy-open-sessions"], ["WAVY-010", "OPENCX-003", "OPENCX-006"]);
        using var session = new ConformanceSession(catalog, target);

        await session.RunAllAsync();

        var results = session.Results();
        results.Requirements.Should().OnlyContain(r => r.Verdict == Verdict.Pass, Harness.Verdicts(results));
        Case(results, "WAVY-010").Findings.Should().BeEmpty("no credential went outside its own API's origin");
    }
}
