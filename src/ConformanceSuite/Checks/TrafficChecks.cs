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

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) => [new CaseElement("all requests")];

    public Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var traffic = run.Context.Http.Log.Entries.Where(e => e.Api == run.Contract.Id).ToList();
        if (traffic.Count == 0)
        {
            CheckRun.Skip($"the run made no request of {run.Contract.Id} before this case, so there is no traffic to judge");
        }

        Judge(run, traffic);
        return Task.CompletedTask;
    }

    protected abstract void Judge(CheckRun run, IReadOnlyList<HttpExchange> traffic);

    /// <summary>How many findings name requests one by one; the rest are counted.</summary>
    protected const int Named = 10;
}

/// <summary>Every response arrived within the target's latency threshold (latency.warnSeconds): a slow one is named even when it did not time out.</summary>
public sealed class ResponseTimeCheck : TrafficCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "response-time";

    public override string Kind => KindName;

    protected override void Judge(CheckRun run, IReadOnlyList<HttpExchange> traffic)
    {
        var threshold = run.Context.Http.Settings.LatencyWarn;
        var answered = traffic.Where(e => e.Error is null).Select(e => e.DurationMs).Order().ToList();
        if (answered.Count > 0)
        {
            run.Note($"{answered.Count} responses: p50 {Percentile(answered, 0.50):0} ms, p95 {Percentile(answered, 0.95):0} ms, max {answered[^1]:0} ms (threshold {threshold.TotalSeconds:0.#} s)");
        }

        var slow = traffic.Where(e => e.DurationMs > threshold.TotalMilliseconds).OrderByDescending(e => e.DurationMs).ToList();
        foreach (var e in slow.Take(Named))
        {
            run.Fail(new SlowResponse(e.RequestLine, e.Purpose, e.DurationMs, threshold.TotalSeconds, e.Error), run.Requirement.Source, e);
        }

        if (slow.Count > Named)
        {
            run.Note($"{slow.Count} requests slower than {threshold.TotalSeconds:0.#} s in all; the slowest {Named} are shown");
        }
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

    protected override void Judge(CheckRun run, IReadOnlyList<HttpExchange> traffic)
    {
        // Every attempt is in the log: a refused attempt that a later one of the same call got past is what the run papered over.
        var retried = traffic.Where(e => e.Retries > 0).ToList();
        var refusals = traffic.Where(e => e.Status is 429 or 503).GroupBy(e => e.Status!.Value).OrderBy(g => g.Key).Select(g => $"{g.Key} ×{g.Count()}").ToList();
        run.Note($"{traffic.Count} requests; {retried.Count} needed a retry");
        foreach (var e in retried.Take(Named))
        {
            run.Fail(new RetriedRequest(e.RequestLine, e.Purpose, e.Status ?? 0, e.Retries), run.Requirement.Source, e);
        }

        if (retried.Count > 0)
        {
            var calls = traffic.Count - retried.Sum(e => e.Retries);
            run.Note($"{retried.Count} of {calls} requests needed a retry{(retried.Count > Named ? $" (the first {Named} are shown)" : "")}; the refused attempts: {string.Join(", ", refusals)}");
        }
    }
}
