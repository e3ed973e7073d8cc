using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Csv;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>
/// The probes several checks of one API share, each made once per run: a scenario's valid call, its
/// download (analysed in one streaming pass), and walks of its list.
/// </summary>
public sealed class Probes(ApiContract contract, ConformanceHttpClient http, ScenarioValues values, RequestBuilder requests, CredentialSet credentials) : IDisposable
{
    private readonly ProbeCache<string, HttpExchange> successes = new();
    private readonly ProbeCache<string, DownloadProbe> downloads = new();
    private readonly ProbeCache<WalkKey, ListWalk> walks = new();

    /// <summary>The scenario's valid call.</summary>
    public Task<HttpExchange> SuccessAsync(string scenarioId, CancellationToken ct) =>
        successes.GetAsync(scenarioId, () => http.SendAsync(requests.Call(scenarioId, values.Query(scenarioId), $"valid call of scenario '{scenarioId}'"), ct));

    /// <summary>
    /// The download of a scenario (without credentials: the docs' link is meant to work without them), analysed
    /// in one streaming pass; <paramref name="link"/> resolves its link first, skipping when there is none.
    /// </summary>
    public Task<DownloadProbe> DownloadAsync(string scenarioId, Func<Task<(HttpExchange Success, Uri Link)>> link, CancellationToken ct) =>
        downloads.GetAsync(scenarioId, async () =>
        {
            var (success, url) = await link();
            var endpoint = contract.Endpoint(contract.Scenario(scenarioId).Endpoint);
            var spec = contract.CsvSpecs[endpoint.Download!.CsvSpec];
            var findings = contract.DocFindings.ToDictionary(f => f.Id);
            var call = new HttpCall { Url = url, Purpose = $"download of scenario '{scenarioId}' (no credentials)", Api = contract.Id, Credentials = null };
            var (exchange, analysis) = await http.StreamAsync(call, (ex, body) => ex.IsSuccess ? CsvAnalyzer.Analyze(body, spec, findings) : null, ct);
            return new DownloadProbe(success, url, credentials.BelongsTo(url), exchange, analysis);
        });

    /// <summary>
    /// A full walk of a paginated scenario (with extra query values), bounded by the contract's page and time
    /// limits so a broken provider cannot hang the run; by cursor or by offset as the pagination style says,
    /// unless <paramref name="mode"/> asks for one.
    /// </summary>
    public Task<ListWalk> WalkAsync(string scenarioId, IReadOnlyDictionary<string, string>? extra, CancellationToken ct, WalkMode? mode = null)
    {
        var query = values.Query(scenarioId);
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            query[k] = v;
        }

        var endpoint = contract.Scenario(scenarioId).Endpoint;
        var spec = contract.Endpoint(endpoint).Pagination
            ?? throw new ConfigurationException($"{contract.Id}: scenario '{scenarioId}' has no paginated endpoint");
        var how = mode ?? (spec.Style == "cursor" ? WalkMode.Cursor : WalkMode.Offset);
        var key = new WalkKey(endpoint, how, string.Join("&", query.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
        return walks.GetAsync(key, () => ListWalk.RunAsync(contract, http, requests, values, scenarioId, query, how, ct));
    }

    /// <summary>The string at <paramref name="pointer"/> of a JSON body; null when there is none (or the body is not JSON).</summary>
    public static string? ReadString(HttpExchange exchange, string pointer)
    {
        try
        {
            return JsonPointer.Read(JsonNode.Parse(exchange.Body ?? []), pointer) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Releases the rows the CSV analyses kept (spilled to a temporary folder past their budget).</summary>
    public void Dispose()
    {
        foreach (var probe in downloads.Completed)
        {
            probe.Analysis?.Dispose();
        }

        downloads.Clear();
    }

    private sealed record WalkKey(string Endpoint, WalkMode Mode, string Query);
}

/// <summary>A scenario's download and what the CSV analysis found (null when the download failed).</summary>
public sealed record DownloadProbe(HttpExchange Success, Uri Link, bool SameOriginAsApi, HttpExchange Download, CsvAnalysis? Analysis);
