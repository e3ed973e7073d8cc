using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Csv;
using ConformanceSuite.Http;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Checks;

/// <summary>
/// What checks of one API share in a run: its contract, its target, the HTTP client, and probes that
/// several checks need (a scenario's success call, its download), made once and cached.
/// </summary>
public sealed class ApiContext(ApiContract contract, ApiTarget target, ConformanceHttpClient http)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> cache = new(StringComparer.Ordinal);

    public ApiContract Contract { get; } = contract;

    public ApiTarget Target { get; } = target;

    public ConformanceHttpClient Http { get; } = http;

    public CredentialSet Credentials { get; } = target.CredentialSet();

    /// <summary>The query of a scenario with test-data slots filled in; skips when the target lacks one.</summary>
    public Dictionary<string, string> ScenarioQuery(string scenarioId)
    {
        var scenario = Contract.Scenario(scenarioId);
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, raw) in scenario.Query)
        {
            if (raw.Length > 2 && raw[0] == '{' && raw[^1] == '}')
            {
                var slot = raw[1..^1];
                if (!Target.TestData.TryGetValue(slot, out var value) || string.IsNullOrWhiteSpace(value))
                {
                    var what = Contract.TestData.TryGetValue(slot, out var s) ? s.Description : slot;
                    CheckRun.Skip($"the target gives no test data '{slot}' ({what}), which scenario '{scenarioId}' needs");
                }

                query[name] = value;
            }
            else
            {
                query[name] = raw;
            }
        }

        return query;
    }

    /// <summary>A call of a scenario's endpoint with the given query, credentials attached.</summary>
    public HttpCall Call(string scenarioId, IReadOnlyDictionary<string, string> query, string purpose,
        IReadOnlyDictionary<string, CredentialMode>? modes = null)
    {
        var endpoint = Contract.Endpoint(Contract.Scenario(scenarioId).Endpoint);
        return new HttpCall
        {
            Method = endpoint.Method,
            Url = WithQuery(Target.Resolve(endpoint.Path), query),
            Headers = endpoint.RequestHeaders,
            Credentials = Credentials,
            CredentialModes = modes ?? new Dictionary<string, CredentialMode>(),
            Purpose = purpose,
        };
    }

    public static Uri WithQuery(Uri url, IReadOnlyDictionary<string, string> query)
    {
        if (query.Count == 0)
        {
            return url;
        }

        var q = string.Join("&", query.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}"));
        return new Uri(url + (url.Query.Length > 0 ? "&" : "?") + q);
    }

    public Task<HttpExchange> SendAsync(HttpCall call, CancellationToken ct) => Http.SendAsync(call, ct);

    /// <summary>The scenario's valid call (made once per run).</summary>
    public Task<HttpExchange> SuccessAsync(string scenarioId, CancellationToken ct) =>
        Cached($"success:{scenarioId}", async () =>
        {
            var query = ScenarioQuery(scenarioId);
            return await SendAsync(Call(scenarioId, query, $"valid call of scenario '{scenarioId}'"), ct);
        });

    /// <summary>The scenario's valid call, required to have succeeded; otherwise the case is skipped.</summary>
    public async Task<HttpExchange> RequireSuccessAsync(string scenarioId, CancellationToken ct)
    {
        var exchange = await SuccessAsync(scenarioId, ct);
        var expected = Contract.Endpoint(Contract.Scenario(scenarioId).Endpoint).Success.Status;
        if (exchange.Status != expected)
        {
            var covering = Contract.Requirements.FirstOrDefault(r => r.Check?.Kind == "success-body-schema")?.Id;
            var received = exchange.Error ?? exchange.Status.ToString() + (exchange.BlockedRedirect is null ? "" : $" to {exchange.BlockedRedirect}");
            CheckRun.Skip($"precondition not met: the valid call of scenario '{scenarioId}' did not answer {expected} but {received}"
                + (covering is null ? "" : $" (judged by {covering})"));
        }

        return exchange;
    }

    /// <summary>The scenario's download link, resolved from the success body; skips when there is none.</summary>
    public async Task<(HttpExchange Success, Uri Link)> RequireLinkAsync(string scenarioId, CancellationToken ct)
    {
        var success = await RequireSuccessAsync(scenarioId, ct);
        var download = Contract.Endpoint(Contract.Scenario(scenarioId).Endpoint).Download
            ?? throw new ConfigurationException($"{Contract.Id}: scenario '{scenarioId}' has no download in its endpoint");
        var raw = ReadPointer(success, download.LinkPointer);
        Uri? link = null;
        if (raw is null || !Uri.TryCreate(raw, UriKind.Absolute, out link) || link.Scheme is not ("http" or "https"))
        {
            var covering = Contract.Requirements.FirstOrDefault(r => r.Check?.Kind == "download-link-url")?.Id;
            CheckRun.Skip($"precondition not met: no absolute http(s) link at {download.LinkPointer} of scenario '{scenarioId}'"
                + (covering is null ? "" : $" (judged by {covering})") + $": received {(raw is null ? "none" : $"'{raw}'")}");
        }

        return (success, link!);
    }

    /// <summary>The download of a scenario, analysed in one streaming pass (made once per run).</summary>
    public Task<DownloadProbe> DownloadAsync(string scenarioId, CancellationToken ct) =>
        Cached($"download:{scenarioId}", async () =>
        {
            var (success, link) = await RequireLinkAsync(scenarioId, ct);
            var endpoint = Contract.Endpoint(Contract.Scenario(scenarioId).Endpoint);
            var spec = Contract.CsvSpecs[endpoint.Download!.CsvSpec];
            var findings = Contract.DocFindings.ToDictionary(f => f.Id);
            var sameOrigin = Credentials.BelongsTo(link);
            var call = new HttpCall
            {
                Url = link,
                Purpose = $"download of scenario '{scenarioId}' (no credentials)",
                // Credentials never go with a download: the docs' link is meant to work without them.
                Credentials = null,
            };
            var (exchange, analysis) = await Http.StreamAsync(call, (ex, body) =>
                ex.IsSuccess ? CsvAnalyzer.Analyze(body, spec, findings) : null, ct);
            return new DownloadProbe(success, link, sameOrigin, exchange, analysis);
        });

    /// <summary>The scenario's download, required to have been analysed; otherwise the case is skipped.</summary>
    public async Task<DownloadProbe> RequireCsvAsync(string scenarioId, CancellationToken ct)
    {
        var probe = await DownloadAsync(scenarioId, ct);
        if (probe.Analysis is null)
        {
            var covering = Contract.Requirements.FirstOrDefault(r => r.Check?.Kind == "download-anonymous")?.Id;
            var received = probe.Download.Error ?? $"status {probe.Download.Status}";
            CheckRun.Skip($"precondition not met: the download of scenario '{scenarioId}' failed ({received})"
                + (covering is null ? "" : $" (judged by {covering})"));
        }

        return probe;
    }

    public static string? ReadPointer(HttpExchange exchange, string pointer)
    {
        try
        {
            var node = JsonNode.Parse(exchange.Body ?? []);
            foreach (var token in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                var name = token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                node = node is JsonObject obj ? obj[name] : node is JsonArray arr && int.TryParse(name, out var i) && i < arr.Count ? arr[i] : null;
            }

            return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<T> Cached<T>(string key, Func<Task<T>> make)
        where T : class
    {
        var lazy = cache.GetOrAdd(key, _ => new Lazy<Task<object>>(async () => await make()));
        try
        {
            return (T)await lazy.Value;
        }
        catch (SkipCheckException)
        {
            // A skip is about this target's data; the next case asks again and gets the same reason.
            cache.TryRemove(key, out _);
            throw;
        }
    }
}

/// <summary>A scenario's download and what the CSV analysis found (null when the download failed).</summary>
public sealed record DownloadProbe(HttpExchange Success, Uri Link, bool SameOriginAsApi, HttpExchange Download, CsvAnalysis? Analysis);
