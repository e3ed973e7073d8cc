using System.Globalization;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>Helpers for checks that make one call of a scenario with a few query changes and read its body.</summary>
internal static class OneCall
{
    public static async Task<(HttpExchange Exchange, JsonNode? Body)> SendAsync(CheckRun run, string scenario, IReadOnlyDictionary<string, string?> changes, string purpose, CancellationToken ct)
    {
        var query = run.Context.Values.Query(scenario);
        foreach (var (k, v) in changes)
        {
            if (v is null)
            {
                query.Remove(k);
            }
            else
            {
                query[k] = v;
            }
        }

        var exchange = await run.Context.Http.SendAsync(run.Context.Requests.Call(scenario, query, purpose), ct);
        return (exchange, exchange.IsSuccess ? ProviderJson.TryParse(exchange.Body) : null);
    }

    /// <summary>The body, or a finding that the call did not give one (returns null).</summary>
    public static JsonNode? Require(CheckRun run, EndpointSpec endpoint, HttpExchange exchange, JsonNode? body, string what)
    {
        if (body is not null)
        {
            return body;
        }

        run.Fail(what, exchange.IsSuccess ? NotJson.Of(exchange.Body) : Finding.OfResponse(endpoint.Success.Status, exchange), endpoint.Success.Basis, run.Keep(exchange));
        return null;
    }
}
