using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// Request economy: a provider that allows N requests per window is certified without a single 429
/// when the target's rate limit says so, and the same provider does answer 429 to a run without one.
/// </summary>
[TestFixture]
[Order(1)] // long-running: started first so the short fixtures fill in around it
public sealed class RateLimitTests
{
    private const string Api = "opencx-chat-sessions";
    /// <summary>The unpaced run's provider: few enough per window that the run's requests pass it even on a slow, loaded machine (20 a second did not, once); its 429s are retried after Retry-After, so the test waits about 6 s, idle.</summary>
    private static readonly (int Permits, TimeSpan Window) Limit = (5, TimeSpan.FromSeconds(1));

    /// <summary>The paced run's provider allows more per window, so the run takes seconds, not tens of them; pacing is what is tested, not its speed.</summary>
    private static readonly (int Permits, TimeSpan Window) PacedLimit = (50, TimeSpan.FromSeconds(1));

    [Test]
    public async Task A_run_at_the_configured_rate_trips_no_429()
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, RateLimit = PacedLimit });
        var perMinute = PacedLimit.Permits * 60 / PacedLimit.Window.TotalSeconds;
        var target = mock.Target(http: Harness.FastHttp with { RequestsPerMinute = perMinute });
        var catalog = Running.CaseCatalog.Build(Harness.Layout, [Api], []);
        using var session = new Running.ConformanceSession(catalog, target);

        await session.RunAllAsync();
        var results = session.Results();

        var times = session.Log.Entries.Select(e => e.SentAt).OrderBy(t => t).ToList();
        var busiest = times.Select((t, i) => times.Skip(i).TakeWhile(u => u - t < PacedLimit.Window).Count()).Max();
        TestContext.Out.WriteLine($"busiest window: {busiest} requests; 429s: {session.Log.Entries.Count(e => e.Status == 429)}; first 429 at request {session.Log.Entries.ToList().FindIndex(e => e.Status == 429)}");
        // The request log has every attempt, retries included: not one 429 may be among them.
        session.Log.Entries.Should().NotContain(e => e.Status == 429);
        results.Requirements.Should().OnlyContain(r => r.Verdict == Verdict.Pass, Harness.Verdicts(results));
        results.RequestCount.Should().BeGreaterThan(PacedLimit.Permits, "the run is long enough for the limit to matter");
    }

    [Test]
    public async Task Only_paced_calls_wait_for_the_target_rate_limit()
    {
        await using var provider = await HostileProvider.StartAsync(http => http.Response.WriteAsync("{}"));
        // One request a minute: a paced call after the first would wait about 75 s for its token.
        using var client = new Http.ConformanceHttpClient(Harness.FastHttp with { RequestsPerMinute = 1 }, new Http.Redactor(), new Http.RequestLog());
        using var soon = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var call = new Http.HttpCall { Url = new Uri(provider.Origin, "/x"), Purpose = "pacing" };

        await client.SendAsync(call, soon.Token);
        for (var i = 0; i < 3; i++)
        {
            (await client.SendAsync(call with { Paced = false }, soon.Token)).Status.Should().Be(200, "a call to a service the limit is not about (a Pact Broker) does not wait for it");
        }

        var paced = async () => await client.SendAsync(call, new CancellationTokenSource(TimeSpan.FromSeconds(1)).Token);
        await paced.Should().ThrowAsync<OperationCanceledException>("a paced call waits for the next token, a minute away");
    }

    [Test]
    public async Task The_same_provider_answers_429_to_a_run_without_a_rate_limit()
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, RateLimit = Limit });
        var catalog = Running.CaseCatalog.Build(Harness.Layout, [Api], ["OPENCX-014"]);
        using var session = new Running.ConformanceSession(catalog, mock.Target(http: Harness.FastHttp));

        await session.RunAllAsync();

        session.Log.Entries.Should().Contain(e => e.Status == 429, "without pacing, a burst goes past the provider's limit");
    }
}
