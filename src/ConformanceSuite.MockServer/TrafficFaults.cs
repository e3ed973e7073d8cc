using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.MockServer;

/// <summary>
/// Faults of an API's traffic as a whole, the same for every API the mock serves: its first request is
/// answered late, or refused once with 503 so that a retry has to paper over it. Everything else stays right.
/// </summary>
public static class TrafficFaults
{
    public const string Slow = "slow-response";
    public const string Flaky = "flaky-503";

    public static IReadOnlyDictionary<string, string> Faults { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Slow] = "the API's first response comes late (past the latency threshold), but right",
        [Flaky] = "the API's first request is refused with 503 (Retry-After: 0); the retry is answered",
    };

    /// <summary>Applies the traffic faults switched on for each API to requests under its path prefix.</summary>
    public static void Use(WebApplication app, IReadOnlyDictionary<string, IReadOnlySet<string>> faultsByPrefix, TimeSpan slowBy)
    {
        var done = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        app.Use(async (HttpContext http, RequestDelegate next) =>
        {
            var (prefix, faults) = faultsByPrefix.FirstOrDefault(p => http.Request.Path.StartsWithSegments(p.Key));
            if (prefix is not null && faults.Contains(Flaky) && done.TryAdd(prefix + Flaky, true))
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                http.Response.Headers.RetryAfter = "0";
                return;
            }

            if (prefix is not null && faults.Contains(Slow) && done.TryAdd(prefix + Slow, true))
            {
                await Task.Delay(slowBy, http.RequestAborted);
            }

            await next(http);
        });
    }
}
