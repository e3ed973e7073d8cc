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
public sealed class ApiContext(ApiContract contract, ApiTarget target, ConformanceHttpClient http) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> cache = new(StringComparer.Ordinal);

    public ApiContract Contract { get; } = contract;

    public ApiTarget Target { get; } = target;

    public ConformanceHttpClient Http { get; } = http;

    public CredentialSet Credentials { get; } = target.CredentialSet() with
    {
        Schemes = contract.Auth.Credentials.Where(c => c.Scheme is not null).ToDictionary(c => c.Name, c => c.Scheme!),
    };

    /// <summary>The query of a scenario with test-data slots filled in; skips when the target lacks one.</summary>
    public Dictionary<string, string> ScenarioQuery(string scenarioId) => Fill(scenarioId, Contract.Scenario(scenarioId).Query);

    /// <summary>The path parameters of a scenario with test-data slots filled in.</summary>
    public Dictionary<string, string> ScenarioPath(string scenarioId) => Fill(scenarioId, Contract.Scenario(scenarioId).Path);

    private readonly ConcurrentDictionary<string, string> generated = new(StringComparer.Ordinal);

    private Dictionary<string, string> Fill(string scenarioId, IReadOnlyDictionary<string, string> values)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, raw) in values)
        {
            if (raw.Length > 2 && raw[0] == '{' && raw[^1] == '}')
            {
                var slot = raw[1..^1];
                var spec = Contract.TestData.GetValueOrDefault(slot);
                if (Target.TestData.TryGetValue(slot, out var value) && !string.IsNullOrWhiteSpace(value))
                {
                    result[name] = value;
                }
                else if (spec?.Generate == "uuid")
                {
                    result[name] = generated.GetOrAdd(slot, _ => Guid.NewGuid().ToString());
                }
                else
                {
                    CheckRun.Skip($"the target gives no test data '{slot}' ({spec?.Description ?? slot}), which scenario '{scenarioId}' needs",
                        $"apis.{Contract.Id}.testData.{slot}");
                }
            }
            else
            {
                result[name] = raw;
            }
        }

        return result;
    }

    /// <summary>A call of a scenario's endpoint with the given query, credentials attached.</summary>
    public HttpCall Call(string scenarioId, IReadOnlyDictionary<string, string> query, string purpose,
        IReadOnlyDictionary<string, CredentialMode>? modes = null) =>
        Call(Contract.Endpoint(Contract.Scenario(scenarioId).Endpoint), query, ScenarioPath(scenarioId), purpose, modes);

    /// <summary>A call of an endpoint: path parameters replaced, query appended, credentials attached.</summary>
    public HttpCall Call(EndpointSpec endpoint, IReadOnlyDictionary<string, string> query, IReadOnlyDictionary<string, string> path,
        string purpose, IReadOnlyDictionary<string, CredentialMode>? modes = null)
    {
        var resolvedPath = endpoint.Path;
        foreach (var (name, value) in path)
        {
            resolvedPath = resolvedPath.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        return new HttpCall
        {
            Method = endpoint.Method,
            Url = WithQuery(Target.Resolve(resolvedPath), query),
            Headers = endpoint.RequestHeaders,
            Credentials = Credentials,
            CredentialModes = modes ?? new Dictionary<string, CredentialMode>(),
            Purpose = purpose,
            Api = Contract.Id,
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
                Api = Contract.Id,
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
            return JsonPointer.Read(JsonNode.Parse(exchange.Body ?? []), pointer) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A full walk of a cursor-paginated scenario (with extra query values), made once per run and bounded
    /// by the contract's page and time limits so a broken provider cannot hang the run.
    /// </summary>
    public Task<ListWalk> WalkAsync(string scenarioId, IReadOnlyDictionary<string, string>? extra, CancellationToken ct, WalkMode? mode = null)
    {
        var query = ScenarioQuery(scenarioId);
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            query[k] = v;
        }

        var spec = Contract.Endpoint(Contract.Scenario(scenarioId).Endpoint).Pagination
            ?? throw new ConfigurationException($"{Contract.Id}: scenario '{scenarioId}' has no paginated endpoint");
        var how = mode ?? (spec.Style == "cursor" ? WalkMode.Cursor : WalkMode.Offset);
        var key = $"walk:{how}:" + Contract.Scenario(scenarioId).Endpoint + "?" + string.Join("&", query.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        return Cached(key, () => ListWalk.RunAsync(this, scenarioId, query, how, ct));
    }

    /// <summary>The walk of a scenario, required to have completed; otherwise the case is skipped.</summary>
    public async Task<ListWalk> RequireCompleteWalkAsync(string scenarioId, CancellationToken ct)
    {
        var walk = await WalkAsync(scenarioId, null, ct);
        if (!walk.Complete || walk.ItemsTruncated)
        {
            var covering = Contract.Requirements.FirstOrDefault(r => r.Check?.Kind is "cursor-pagination" or "offset-pagination" && r.Check.Scenarios.Contains(scenarioId))?.Id;
            CheckRun.Skip($"precondition not met: the walk of scenario '{scenarioId}' did not complete ({(walk.ItemsTruncated ? $"more than {walk.Items.Count} items" : ListWalk.Describe(walk.Ending))})"
                + (covering is null ? "" : $" (judged by {covering})"),
                walk.Ending is WalkEnding.PageLimit or WalkEnding.TimeLimit || walk.ItemsTruncated ? $"apis.{Contract.Id}.overrides.contract (the pagination bounds)" : null);
        }

        return walk;
    }

    /// <summary>Releases what the cached probes hold: the rows a CSV analysis kept (spilled to a temporary folder past its budget).</summary>
    public void Dispose()
    {
        foreach (var entry in cache.Values)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully && entry.Value.Result is DownloadProbe { Analysis: { } analysis })
            {
                analysis.Dispose();
            }
        }

        cache.Clear();
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
