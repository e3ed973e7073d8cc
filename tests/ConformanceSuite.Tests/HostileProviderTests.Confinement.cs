using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>WAVY-010 (credentials stay on the API origin) against providers it must not pass: it passes only on calls it saw answered.</summary>
public sealed partial class HostileProviderTests
{
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
        await using var provider = await WavyAsync(http =>
        {
            if (http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) && http.Request.Query.ContainsKey("subAccountId"))
            {
                http.Response.StatusCode = 302;
                http.Response.Headers.Location = "http://collector.example/steal";
                return Task.FromResult(true);
            }

            return Task.FromResult(false);
        });

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
}
