using ConformanceSuite.Http;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Tests;

/// <summary>
/// The checks that judge a run's traffic as a whole, over a request log past its bound: each reads the log once,
/// back from its file, names the right requests whole, and counts the rest.
/// </summary>
[TestFixture]
public class TrafficCheckTests
{
    private const string Api = "wavy-open-sessions";
    private const string Other = "opencx-chat-sessions";
    private static readonly string Excerpt = new('e', 1000);

    /// <summary>How many exchanges the tests' logs hold whole: the indices below are placed around it.</summary>
    private const int Held = 2000;

    /// <summary>A log of <see cref="Held"/> + 100 exchanges, most of <see cref="Api"/>; the ones <paramref name="shape"/> returns a change for are changed so.</summary>
    private static RequestLog Log(string folder, Func<int, Action<HttpExchange>?> shape)
    {
        var log = new RequestLog(folder, Held);
        for (var i = 0; i < Held + 100; i++)
        {
            var e = new HttpExchange { Method = "GET", Url = $"http://127.0.0.1/v1/session?n={i}", Purpose = $"request {i}", Api = i % 50 == 49 ? Other : Api, Status = 200, DurationMs = 10 + (i % 7), BodyExcerpt = Excerpt };
            shape(i)?.Invoke(e);
            log.Add(e);
        }

        log.Spilled.Should().BeTrue("the test is of a log past its bound");
        return log;
    }

    /// <summary>A case of <paramref name="requirement"/> judged by <paramref name="check"/> over <paramref name="log"/>, not run yet.</summary>
    private CheckRun Case(RequestLog log, string requirement, ICheck check)
    {
        var contract = Harness.Catalog(Api).Contracts[Api];
        var http = new ConformanceHttpClient(new HttpSettings { LatencyWarn = TimeSpan.FromSeconds(1) }, new Redactor(), log);
        var context = new ApiContext(contract, new ApiTarget { ApiId = Api, BaseUrl = new Uri("http://127.0.0.1/") }, http);
        made.Add(http);
        made.Add(context);
        return new CheckRun(new CheckCase(contract, contract.Requirements.Single(r => r.Id == requirement), new CaseElement("all requests")), context, check);
    }

    private async Task<CheckRun> JudgeAsync(RequestLog log, string requirement, ICheck check)
    {
        var run = Case(log, requirement, check);
        await check.RunAsync(run, CancellationToken.None);
        return run;
    }

    /// <summary>The test's own folder for its logs' temporary files.</summary>
    private string folder = "";

    /// <summary>The clients and contexts the test's cases made, disposed after it.</summary>
    private readonly List<IDisposable> made = [];

    [SetUp]
    public void Make() => folder = Directory.CreateTempSubdirectory("cs-traffic-").FullName;

    [TearDown]
    public void Clean()
    {
        made.ForEach(d => d.Dispose());
        made.Clear();
        Directory.Delete(folder, recursive: true);
    }

    [Test]
    public async Task The_slowest_ten_are_named_slowest_first_and_whole_and_the_rest_are_counted()
    {
        // 13 slow ones of the API, spread over the held part and the part past the bound; two pairs tie. A slower one of another API does not count.
        var slow = new Dictionary<int, double>
        {
            [3] = 1500, [700] = 4000, [1998] = 1200, [2000] = 2500, [2001] = 2500, [2002] = 1100, [2010] = 3000, [2020] = 1300, [2030] = 1400,
            [2040] = 1600, [2050] = 1700, [2060] = 1001, [2070] = 1200, [2099] = 60_000,
        };
        using var log = Log(folder, i => slow.TryGetValue(i, out var ms) ? e => e.DurationMs = ms : i == 150 ? e => e.Error = "cannot connect" : null);

        var run = await JudgeAsync(log, "WAVY-014", new ResponseTimeCheck());

        int[] expected = [700, 2010, 2000, 2001, 2050, 2040, 3, 2030, 2020, 1998];
        run.Findings.Should().HaveCount(10);
        run.Findings.Select(f => f.Evidence!.LogIndex).Should().Equal(expected, "the slowest first, equals in the order they were sent");
        run.Findings.Select(f => f.Evidence!.Purpose).Should().Equal(expected.Select(i => $"request {i}"));
        run.Findings.Should().OnlyContain(f => f.Evidence!.BodyExcerpt == Excerpt, "the evidence is the whole exchange, read back from the log's file");
        run.Findings.OfType<SlowResponse>().Select(f => f.DurationMs).Should().Equal(expected.Select(i => slow[i]));
        var answered = log.Entries.Count(e => e.Api == Api) - 1;
        run.Notes.Should().Contain(n => n.StartsWith($"{answered} responses: p50 13 ms, p95 16 ms, max 4000 ms (threshold 1 s)", StringComparison.Ordinal));
        run.Notes.Should().Contain("13 requests slower than 1 s in all; the slowest 10 are shown");
    }

    [Test]
    public async Task Each_named_slow_request_says_how_many_were_slow_in_all_when_more_were()
    {
        // report.md, junit.xml and the console list a case's findings without its notes: 13 slow, 10 named, and each
        // of the 10 says it is one of 13.
        using var log = Log(folder, i => i is >= 2000 and < 2013 ? e => e.DurationMs = 1000.5 + i : null);

        var run = await JudgeAsync(log, "WAVY-014", new ResponseTimeCheck());

        run.Findings.Should().HaveCount(10);
        run.Findings.Select(f => f.Message).Should().OnlyContain(m => m.Contains(" of 13 (the 10 slowest are named, the other 3 counted)", StringComparison.Ordinal));
        run.Findings[0].Message.Should().StartWith("slow request 1 of 13");
    }

    [Test]
    public async Task Ten_or_fewer_slow_ones_are_all_named_with_no_count_and_an_API_with_no_traffic_is_skipped()
    {
        using var log = Log(folder, i => i is 10 or 2090 ? e => e.DurationMs = 1000.5 : null);
        var run = await JudgeAsync(log, "WAVY-014", new ResponseTimeCheck());
        run.Findings.Select(f => f.Evidence!.LogIndex).Should().Equal(10, 2090);
        run.Notes.Should().NotContain(n => n.Contains("in all", StringComparison.Ordinal));

        // Another API's traffic only, slow and retried: this API's case is skipped, with nothing recorded before it.
        using var none = new RequestLog(folder);
        none.Add(new HttpExchange { Method = "GET", Url = "http://127.0.0.1/x", Api = Other, DurationMs = 5000, Retries = 1, Status = 503 });
        foreach (var (requirement, check) in new (string, ICheck)[] { ("WAVY-014", new ResponseTimeCheck()), ("WAVY-015", new AvailabilityCheck()) })
        {
            var skipped = Case(none, requirement, check);
            var judging = async () => await check.RunAsync(skipped, CancellationToken.None);
            (await judging.Should().ThrowAsync<SkipCheckException>()).Which.Message.Should().Contain("no request of wavy-open-sessions");
            skipped.Notes.Should().BeEmpty(requirement);
            skipped.Findings.Should().BeEmpty(requirement);
        }
    }

    [Test]
    public async Task The_first_ten_retried_requests_are_named_whole_and_the_refusals_counted_by_status()
    {
        // 12 calls of the API needed retries (17 refused attempts before them: 429 ×10, 503 ×7); another API's do not count.
        int[] retried = [5, 900, 1998, 2000, 2003, 2011, 2022, 2033, 2044, 2055, 2066, 2077];
        using var log = Log(folder, i =>
            i == 49 ? e => { e.Retries = 3; e.Status = 503; }
            : Array.IndexOf(retried, i) is var k and >= 0 ? e => e.Retries = k % 3 == 0 ? 2 : 1
            : i is >= 1000 and < 1017 ? e => e.Status = i < 1010 ? 429 : 503
            : null);

        var run = await JudgeAsync(log, "WAVY-015", new AvailabilityCheck());

        run.Findings.Select(f => f.Evidence!.LogIndex).Should().Equal(retried.Take(10), "the first ten, in the order they were sent");
        run.Findings.Should().OnlyContain(f => f.Evidence!.BodyExcerpt == Excerpt);
        run.Findings.OfType<RetriedRequest>().Select(f => f.Retries).Should().Equal(retried.Take(10).Select((_, k) => k % 3 == 0 ? 2 : 1));
        var count = log.Entries.Count(e => e.Api == Api);
        var retries = retried.Select((_, k) => k % 3 == 0 ? 2 : 1).Sum();
        run.Notes.Should().Equal(
            $"{count} requests; 12 needed a retry",
            $"12 of {count - retries} requests needed a retry (the first 10 are shown); the refused attempts: 429 ×10, 503 ×7");
    }

    [Test]
    public async Task Ten_retried_requests_are_all_named_and_none_is_left_to_count()
    {
        int[] retried = [1, 2, 3, 4, 5, 2001, 2002, 2003, 2004, 2005];
        using var log = Log(folder, i => retried.Contains(i) ? e => e.Retries = 1 : i == 7 ? e => e.Status = 429 : null);

        var run = await JudgeAsync(log, "WAVY-015", new AvailabilityCheck());

        run.Findings.Select(f => f.Evidence!.LogIndex).Should().Equal(retried);
        var count = log.Entries.Count(e => e.Api == Api);
        run.Notes.Should().Equal($"{count} requests; 10 needed a retry", $"10 of {count - 10} requests needed a retry; the refused attempts: 429 ×1");
    }

    [Test]
    public void Latency_per_endpoint_is_read_in_one_pass_of_a_large_log_leaving_out_failed_and_unattributed_requests()
    {
        using var log = Log(folder, i =>
            i == 2071 ? e => e.DurationMs = 900
            : i == 2072 ? e => e.DurationMs = 900
            : i == 2080 ? e => { e.DurationMs = 5000; e.Error = "timed out"; }
            : null);
        log.Add(new HttpExchange { Method = "GET", Url = "http://127.0.0.1/v1/session?unattributed", DurationMs = 7000 });
        // Of the same API: a path of none of its endpoints, another method, a download, and Pact traffic, each timed on its own.
        log.Add(new HttpExchange { Method = "GET", Url = "http://127.0.0.1/other?x=1", Api = Api, DurationMs = 31 });
        log.Add(new HttpExchange { Method = "POST", Url = "http://127.0.0.1/v1/session", Api = Api, DurationMs = 32 });
        log.Add(new HttpExchange { Method = "GET", Url = "http://127.0.0.1/files/1001.csv", Purpose = "download of the file_url", Api = Api, DurationMs = 33 });
        log.Add(new HttpExchange { Method = "GET", Url = "http://127.0.0.1/files/1002.csv", Purpose = "a file named by the pact", Api = Api, DurationMs = 34 });
        log.Add(new HttpExchange { Method = "GET", Url = "http://127.0.0.1/v1/session?customerId=1", Api = Api, Channel = "pact", DurationMs = 35 });
        var catalog = Harness.Catalog(Api);
        var target = new Dictionary<string, ApiTarget> { [Api] = new() { ApiId = Api, BaseUrl = new Uri("http://127.0.0.1/") } };

        var latency = Latency.Of(log.Entries, catalog.Contracts, target);

        latency.Select(l => (l.Api, l.Endpoint, l.Count, l.MaxMs)).Should().Equal(
            (Other, "GET /v1/session", log.Entries.Count(e => e.Api == Other), 16),
            (Api, "GET /files/1002.csv", 1, 34),
            (Api, "GET /other", 1, 31),
            (Api, "GET /v1/session", log.Entries.Count(e => e.Api == Api && e.Error is null && e.Method == "GET" && e.Channel is null && e.Url.Contains("/v1/session", StringComparison.Ordinal)), 900),
            (Api, "POST /v1/session", 1, 32),
            (Api, "download", 1, 33),
            (Api, "pact GET /v1/session", 1, 35));
        var wavy = latency.Single(l => l.Api == Api && l.Endpoint == "GET /v1/session");
        var durations = log.Entries.Where(e => e.Api == Api && e.Error is null && e.Method == "GET" && e.Channel is null && e.Url.Contains("/v1/session", StringComparison.Ordinal))
            .Select(e => e.DurationMs).Order().ToList();
        wavy.Endpoint.Should().Be("GET /v1/session");
        wavy.Count.Should().Be(durations.Count);
        wavy.P50Ms.Should().Be(ResponseTimeCheck.Percentile(durations, 0.50));
        wavy.P95Ms.Should().Be(ResponseTimeCheck.Percentile(durations, 0.95));
        wavy.MaxMs.Should().Be(900);
        wavy.Slowest.Should().Be("GET http://127.0.0.1/v1/session?n=2071", "the first of the slowest");

    }

    [Test]
    public async Task An_exchange_read_back_from_the_log_twice_is_kept_as_evidence_once()
    {
        using var log = Log(folder, _ => null);
        var run = await JudgeAsync(log, "WAVY-015", new AvailabilityCheck());
        run.Evidence.Should().BeEmpty();

        run.Notes.Should().Equal([$"{log.Entries.Count(e => e.Api == Api)} requests; 0 needed a retry"], "with no retry, nothing more is said");
        var nothing = () => default(LoggedExchange).Exchange;
        nothing.Should().Throw<InvalidOperationException>().WithMessage("*made from no exchange*");

        run.Keep(log.Read(2050)).Should().NotBeNull();
        run.Keep(log.Read(2050));
        run.Keep(log.Read(2051));
        run.Keep(log.Read(3));
        run.Keep(log.Read(3));
        var unlogged = new HttpExchange { Method = "GET", Url = "http://127.0.0.1/x" };
        run.Keep(unlogged);
        run.Keep(unlogged);
        run.Keep(new HttpExchange { Method = "GET", Url = "http://127.0.0.1/x" });

        run.Evidence.Select(e => e.Url).Should().Equal(
            "http://127.0.0.1/v1/session?n=2050", "http://127.0.0.1/v1/session?n=2051", "http://127.0.0.1/v1/session?n=3", "http://127.0.0.1/x", "http://127.0.0.1/x");
    }
}
