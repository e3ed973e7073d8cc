using System.Text.RegularExpressions;
using ConformanceSuite.Checks;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Running;

/// <summary>How long one endpoint took to answer over a run: the count and the 50th and 95th percentiles and the maximum, in milliseconds.</summary>
/// <param name="Api">The API.</param>
/// <param name="Endpoint">The endpoint as the contract names it (<c>GET /chat/sessions/{session_id}</c>), <c>download</c>, or <c>pact …</c> for Pact traffic.</param>
/// <param name="Count">The responses timed.</param>
/// <param name="P50Ms">The median.</param>
/// <param name="P95Ms">The 95th percentile.</param>
/// <param name="MaxMs">The slowest.</param>
/// <param name="Slowest">The slowest request, as a request line.</param>
public sealed record EndpointLatency(string Api, string Endpoint, int Count, double P50Ms, double P95Ms, double MaxMs, string Slowest);

/// <summary>Per-endpoint latency from a run's request log.</summary>
public static class Latency
{
    public static IReadOnlyList<EndpointLatency> Of(IEnumerable<HttpExchange> log, IReadOnlyDictionary<string, ApiContract> contracts, IReadOnlyDictionary<string, ApiTarget> targets)
    {
        var patterns = contracts.Values.SelectMany(c => c.Endpoints.Select(e => (Api: c.Id, Label: $"{e.Method} {e.Path}", Method: e.Method,
                Pattern: Template(PathOf(targets.GetValueOrDefault(c.Id), e.Path)))))
            .ToList();
        // One pass, keeping a duration per response and one request line per endpoint: a large run's log is read
        // back from its file, and is never held whole here.
        var groups = new Dictionary<(string Api, string Endpoint), (List<double> Durations, double MaxMs, string Slowest)>();
        foreach (var e in log)
        {
            if (e.Api is null || e.Error is not null)
            {
                continue;
            }

            var key = (e.Api, Label(e, patterns));
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = ([e.DurationMs], e.DurationMs, e.RequestLine);
                continue;
            }

            group.Durations.Add(e.DurationMs);
            if (e.DurationMs > group.MaxMs)
            {
                groups[key] = (group.Durations, e.DurationMs, e.RequestLine);
            }
        }

        return [.. groups
            .OrderBy(g => g.Key.Api, StringComparer.Ordinal).ThenBy(g => g.Key.Endpoint, StringComparer.Ordinal)
            .Select(g =>
            {
                var sorted = g.Value.Durations.Order().ToList();
                return new EndpointLatency(g.Key.Api, g.Key.Endpoint, sorted.Count, ResponseTimeCheck.Percentile(sorted, 0.50),
                    ResponseTimeCheck.Percentile(sorted, 0.95), sorted[^1], g.Value.Slowest);
            })];
    }

    private static string Label(HttpExchange e, List<(string Api, string Label, string Method, Regex Pattern)> patterns)
    {
        var path = Uri.TryCreate(e.Url, UriKind.Absolute, out var url) ? url.AbsolutePath : e.Url;
        var match = patterns.FirstOrDefault(p => p.Api == e.Api && string.Equals(p.Method, e.Method, StringComparison.OrdinalIgnoreCase) && p.Pattern.IsMatch(path)).Label;
        var label = match ?? (e.Purpose.StartsWith("download", StringComparison.Ordinal) ? "download" : $"{e.Method} {path}");
        return e.Channel is { } channel ? $"{channel} {label}" : label;
    }

    /// <summary>The endpoint's path under the target's base URL (which may carry a prefix), template braces kept.</summary>
    private static string PathOf(ApiTarget? target, string path) =>
        target is null ? path : target.BaseUrl.AbsolutePath.TrimEnd('/') + "/" + path.TrimStart('/');

    /// <summary>A path template (<c>/chat/sessions/{session_id}</c>) as a pattern: each parameter one path segment.</summary>
    private static Regex Template(string template) =>
        new("^" + string.Join("[^/]+", Regex.Split(template, @"\{[^/}]+\}").Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant);
}
