using System.Globalization;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>A check of an API's traffic as a whole (every request the run made for it so far), run after the API's other cases.</summary>
public abstract class TrafficCheck : ICheck
{
    public abstract string Kind { get; }

    /// <summary>The API's traffic as a whole: no scenario.</summary>
    public BindingNeeds Needs => BindingNeeds.None;

    public bool JudgesOtherCasesRequests => true;

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) => [new CaseElement("all requests")];

    public Task RunAsync(CheckRun run, CancellationToken ct)
    {
        // One pass over the log (a large run's is read back from its file): each check keeps counts and the few
        // requests it names, never the traffic itself.
        var count = Judge(run, run.Context.Http.Log.Entries.Where(e => e.Api == run.Contract.Id));
        if (count == 0)
        {
            CheckRun.Skip($"the run made no request of {run.Contract.Id} before this case, so there is no traffic to judge");
        }

        return Task.CompletedTask;
    }

    /// <summary>Judges the API's traffic in one pass, and says how many requests it had; with none, it must have recorded nothing.</summary>
    protected abstract int Judge(CheckRun run, IEnumerable<HttpExchange> traffic);

    /// <summary>How many findings name requests one by one; the rest are counted.</summary>
    protected const int Named = 10;
}

/// <summary>Every response arrived within the target's latency threshold (latency.warnSeconds): a slow one is named even when it did not time out.</summary>
public sealed class ResponseTimeCheck : TrafficCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "response-time";

    public override string Kind => KindName;

    protected override int Judge(CheckRun run, IEnumerable<HttpExchange> traffic)
    {
        var threshold = run.Context.Http.Settings.LatencyWarn;
        var answered = new List<double>();
        // The slowest requests, slowest first (in log order among equals), and how many were slow in all.
        var slowest = new List<HttpExchange>(Named + 1);
        var slow = 0;
        var count = 0;
        var cutShort = 0;
        foreach (var e in traffic)
        {
            count++;
            if (e.Error is null)
            {
                answered.Add(e.DurationMs);
            }

            // A request the suite stopped waiting for got no response: not one within the threshold, however short the
            // wait was (a request timeout below latency.warnSeconds ends it before the threshold is reached).
            if (e.DurationMs > threshold.TotalMilliseconds || e.TimedOut)
            {
                slow++;
                cutShort += e.TimedOut && e.DurationMs <= threshold.TotalMilliseconds ? 1 : 0;
                var at = slowest.FindIndex(s => s.DurationMs < e.DurationMs);
                slowest.Insert(at < 0 ? slowest.Count : at, e);
                if (slowest.Count > Named)
                {
                    slowest.RemoveAt(Named);
                }
            }
        }

        answered.Sort();
        if (answered.Count > 0)
        {
            run.Note($"{answered.Count} responses: p50 {Percentile(answered, 0.50):0} ms, p95 {Percentile(answered, 0.95):0} ms, max {answered[^1]:0} ms (threshold {threshold.TotalSeconds:0.#} s)");
        }

        var rank = 0;
        foreach (var e in slowest)
        {
            // Past the named few, each finding says so itself: the reports that list findings without the case's notes
            // (report.md, junit.xml, the console) must not read as if these were all the slow requests.
            var finding = new SlowResponse(e.RequestLine, e.Purpose, e.DurationMs, threshold.TotalSeconds, e.Error);
            run.Fail(slow > Named ? finding with { Subject = $"slow request {++rank} of {slow} (the {Named} slowest are named, the other {slow - Named} counted)" } : finding, run.Requirement.Source, e);
        }

        if (slow > Named)
        {
            run.Note($"{slow} requests slower than {threshold.TotalSeconds:0.#} s in all; the slowest {Named} are shown");
        }

        if (cutShort > 0)
        {
            run.Note($"{cutShort} requests got no response before the suite stopped waiting, sooner than the threshold (a timeout below latency.warnSeconds): counted as slow, as no response came");
        }

        return count;
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>The provider answered every request the first time: a 429 or 503 that a retry papered over is reported, with the requests and the counts.</summary>
public sealed class AvailabilityCheck : TrafficCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "availability";

    public override string Kind => KindName;

    protected override int Judge(CheckRun run, IEnumerable<HttpExchange> traffic)
    {
        // Every attempt is in the log: a refused attempt that a later one of the same call got past is what the run papered over.
        var named = new List<HttpExchange>(Named);
        var retried = 0;
        var retries = 0;
        var count = 0;
        var refused = new SortedDictionary<int, int>();
        foreach (var e in traffic)
        {
            count++;
            if (e.Retries > 0)
            {
                retried++;
                retries += e.Retries;
                if (named.Count < Named)
                {
                    named.Add(e);
                }
            }

            if (e.Status is { } status and (429 or 503))
            {
                refused[status] = refused.GetValueOrDefault(status) + 1;
            }
        }

        if (count == 0)
        {
            return 0;
        }

        run.Note($"{count} requests; {retried} needed a retry");
        var rank = 0;
        foreach (var e in named)
        {
            var finding = new RetriedRequest(e.RequestLine, e.Purpose, e.Status ?? 0, e.Retries);
            run.Fail(retried > Named ? finding with { Subject = $"retried request {++rank} of {retried} (the first {Named} are named, the other {retried - Named} counted)" } : finding, run.Requirement.Source, e);
        }

        if (retried > 0)
        {
            run.Note($"{retried} of {count - retries} requests needed a retry{(retried > Named ? $" (the first {Named} are shown)" : "")}; the refused attempts: {string.Join(", ", refused.Select(r => $"{r.Key} ×{r.Value}"))}");
        }

        return count;
    }
}
