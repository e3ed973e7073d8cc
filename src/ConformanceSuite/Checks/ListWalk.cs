using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>One page of a walk: the cursor sent, what came back, and where it points next.</summary>
public sealed record WalkPage(int Number, string? Cursor, HttpExchange Exchange, IReadOnlyList<string> Ids, string? Next, bool NextPresent, IReadOnlyList<SchemaViolation> Violations)
{
    /// <summary>The total the page reported (offset pagination), if any.</summary>
    public long? Total { get; init; }
}

/// <summary>How a walk ended.</summary>
public enum WalkEnding
{
    /// <summary>The last page came (no next cursor, a short or empty page, or the total reached).</summary>
    Complete,

    /// <summary>A cursor came back: the walk would go round for ever.</summary>
    Cycle,

    /// <summary>Past the contract's page bound.</summary>
    PageLimit,

    /// <summary>Past the contract's time bound.</summary>
    TimeLimit,

    /// <summary>A page could not be read.</summary>
    Error,
}

/// <summary>How a walk moves through the list.</summary>
public enum WalkMode
{
    /// <summary>Following each page's next cursor.</summary>
    Cursor,

    /// <summary>By offset, a page size at a time.</summary>
    Offset,

    /// <summary>By page number.</summary>
    Page,
}

/// <summary>
/// A walk over a paginated list, by cursor, by offset or by page number: pages in order, the items seen
/// (up to a cap), and how it ended (<see cref="WalkEnding"/>). Each page body is validated against the
/// endpoint's body schema as it arrives, then released.
/// </summary>
public sealed class ListWalk
{
    public List<WalkPage> Pages { get; } = [];

    public List<JsonObject> Items { get; } = [];

    public bool ItemsTruncated { get; private set; }

    public WalkEnding Ending { get; private set; } = WalkEnding.Complete;

    public string? EndingDetail { get; private set; }

    public HttpExchange? FailedExchange { get; private set; }

    /// <summary>For a walk that ended in an error: what was wrong with the page that could not be read.</summary>
    public Finding? Failure { get; private set; }

    public bool Complete => Ending == WalkEnding.Complete;

    public required PaginationSpec Spec { get; init; }

    public required IReadOnlyDictionary<string, string> Query { get; init; }

    public WalkMode Mode { get; init; } = WalkMode.Cursor;

    /// <summary>The mode in words (<c>offset</c>), for purposes and messages.</summary>
    public static string Describe(WalkMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>An ending in words (<c>page limit</c>).</summary>
    public static string Describe(WalkEnding ending) => ending switch
    {
        WalkEnding.PageLimit => "page limit",
        WalkEnding.TimeLimit => "time limit",
        _ => ending.ToString().ToLowerInvariant(),
    };

    /// <summary>The total the first page reported, if the body carries one.</summary>
    public long? Total => Pages.Count > 0 ? Pages[0].Total : null;

    /// <summary>Walks the list of <paramref name="scenarioId"/>'s endpoint with <paramref name="query"/>, by <paramref name="mode"/>.</summary>
    public static Task<ListWalk> RunAsync(ApiContract contract, ConformanceHttpClient http, RequestBuilder requests, ScenarioValues values,
        string scenarioId, Dictionary<string, string> query, WalkMode mode, CancellationToken ct)
    {
        var context = new WalkContext(contract, http, requests, values);
        return mode == WalkMode.Cursor ? RunCursorAsync(context, scenarioId, query, ct) : RunNumberedAsync(context, scenarioId, query, mode, ct);
    }

    private sealed record WalkContext(ApiContract Contract, ConformanceHttpClient Http, RequestBuilder Requests, ScenarioValues Values);

    /// <summary>Offset or page walk: limit fixed at the walk page size, until a short or empty page, or the total.</summary>
    private static async Task<ListWalk> RunNumberedAsync(WalkContext context, string scenarioId, Dictionary<string, string> query, WalkMode mode, CancellationToken ct)
    {
        var endpoint = context.Contract.Endpoint(context.Contract.Scenario(scenarioId).Endpoint);
        var spec = endpoint.Pagination as OffsetPagination
            ?? throw new ConfigurationException($"{context.Contract.Id}: endpoint '{endpoint.Id}' has no offset pagination to walk by {Describe(mode)}");
        if (mode == WalkMode.Page && spec.PageParameter is null)
        {
            throw new ConfigurationException($"{context.Contract.Id}: endpoint '{endpoint.Id}' has no page parameter to walk by page");
        }

        var schema = context.Contract.BodySchemas[endpoint.Success.BodySchema];
        query[spec.LimitParameter] = spec.WalkPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var walk = new ListWalk { Spec = spec, Query = new Dictionary<string, string>(query), Mode = mode };
        var clock = Stopwatch.StartNew();
        var byOffset = mode == WalkMode.Offset;
        long position = byOffset ? 0 : spec.PageBase;
        long walked = 0;
        var filters = string.Join("&", query.Select(kv => $"{kv.Key}={kv.Value}"));
        while (true)
        {
            if (walk.Pages.Count >= spec.MaxPages || clock.Elapsed.TotalSeconds > spec.MaxSeconds)
            {
                walk.End(walk.Pages.Count >= spec.MaxPages ? WalkEnding.PageLimit : WalkEnding.TimeLimit,
                    walk.Pages.Count >= spec.MaxPages ? $"did not end within {spec.MaxPages} pages" : $"did not end within {spec.MaxSeconds:0.#} s");
                return walk;
            }

            var pageQuery = new Dictionary<string, string>(query)
            {
                [byOffset ? spec.OffsetParameter : spec.PageParameter!] = position.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            var number = walk.Pages.Count + 1;
            var exchange = await context.Http.SendAsync(context.Requests.Call(endpoint, pageQuery, context.Values.Path(scenarioId),
                $"{Describe(mode)} walk, page {number} of '{scenarioId}' with {filters}"), ct);
            var page = Parse(exchange, spec, schema, endpoint.Success.Status, out var items, out var problem);
            if (page is null)
            {
                walk.Fail(number, exchange, problem!);
                return walk;
            }

            walk.Add(page with { Number = number, Cursor = $"{(byOffset ? spec.OffsetParameter : spec.PageParameter)}={position}" }, items);
            exchange.Body = null;
            walked += page.Ids.Count;
            position = byOffset ? position + page.Ids.Count : position + 1;
            if (page.Ids.Count == 0 || page.Ids.Count < spec.WalkPageSize || (walk.Total is { } total && walked >= total))
            {
                return walk;
            }
        }
    }

    private void Add(WalkPage page, List<JsonObject> items)
    {
        Pages.Add(page);
        foreach (var item in items)
        {
            if (Items.Count < Spec.MaxItems)
            {
                Items.Add(item);
            }
            else
            {
                ItemsTruncated = true;
            }
        }
    }

    private static async Task<ListWalk> RunCursorAsync(WalkContext context, string scenarioId, Dictionary<string, string> query, CancellationToken ct)
    {
        var endpoint = context.Contract.Endpoint(context.Contract.Scenario(scenarioId).Endpoint);
        var spec = endpoint.Pagination as CursorPagination
            ?? throw new ConfigurationException($"{context.Contract.Id}: endpoint '{endpoint.Id}' has no cursor pagination to walk by cursor");
        var schema = context.Contract.BodySchemas[endpoint.Success.BodySchema];
        var walk = new ListWalk { Spec = spec, Query = new Dictionary<string, string>(query), Mode = WalkMode.Cursor };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        string? cursor = null;
        var filters = string.Join("&", query.Select(kv => $"{kv.Key}={kv.Value}"));
        while (true)
        {
            if (walk.Pages.Count >= spec.MaxPages)
            {
                walk.End(WalkEnding.PageLimit, $"did not end within {spec.MaxPages} pages");
                return walk;
            }

            if (clock.Elapsed.TotalSeconds > spec.MaxSeconds)
            {
                walk.End(WalkEnding.TimeLimit, $"did not end within {spec.MaxSeconds:0.#} s ({walk.Pages.Count} pages)");
                return walk;
            }

            var pageQuery = new Dictionary<string, string>(query);
            if (cursor is not null)
            {
                pageQuery[spec.CursorParameter] = cursor;
            }

            var number = walk.Pages.Count + 1;
            var exchange = await context.Http.SendAsync(context.Requests.Call(endpoint, pageQuery, context.Values.Path(scenarioId),
                $"page {number} of '{scenarioId}'{(filters.Length > 0 ? " with " + filters : "")}"), ct);
            var page = Parse(exchange, spec, schema, endpoint.Success.Status, out var items, out var problem);
            if (page is null)
            {
                walk.Fail(number, exchange, problem!);
                return walk;
            }

            walk.Add(page with { Number = number, Cursor = cursor }, items);

            exchange.Body = null; // the page is parsed; keep only the excerpt as evidence
            if (string.IsNullOrEmpty(page.Next))
            {
                return walk;
            }

            if (!seen.Add(page.Next))
            {
                walk.End(WalkEnding.Cycle, $"page {number} points back to cursor '{Short(page.Next)}', already followed");
                return walk;
            }

            cursor = page.Next;
        }
    }

    /// <summary>Reads one page; null (with the problem) when it is not a usable page.</summary>
    public static WalkPage? Parse(HttpExchange exchange, PaginationSpec spec, NJsonSchema.JsonSchema schema, int status, out List<JsonObject> items, out Finding? problem)
    {
        items = [];
        problem = null;
        if (exchange.Error is not null || exchange.Status != status)
        {
            problem = Finding.OfResponse(status, exchange);
            return null;
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(exchange.Body ?? []);
        }
        catch (JsonException ex)
        {
            problem = new NotJson(ex.Message.Split('.')[0]);
            return null;
        }

        if (JsonPointer.Read(body, spec.ItemsPointer) is not JsonArray array)
        {
            problem = new ValueMismatch(spec.ItemsPointer, "an array of items", JsonPointer.Read(body, spec.ItemsPointer)?.GetValueKind().ToString().ToLowerInvariant());
            return null;
        }

        var ids = new List<string>();
        foreach (var node in array)
        {
            if (node is JsonObject obj)
            {
                items.Add(obj);
                ids.Add(JsonPointer.Text(obj, spec.IdPointer) ?? "");
            }
        }

        var nextPresent = false;
        string? nextText = null;
        if (spec is CursorPagination cursor)
        {
            var next = JsonPointer.Read(body, cursor.NextPointer, out nextPresent);
            nextText = next is JsonValue v && v.TryGetValue<string>(out var s) ? s : next?.ToJsonString();
        }

        long? total = spec is OffsetPagination { TotalPointer: { } tp } && JsonPointer.Read(body, tp) is JsonValue t && t.TryGetValue<long>(out var n) ? n : null;
        var violations = SchemaValidator.Validate(schema, exchange.BodyText).Take(20).ToList();
        return new WalkPage(0, null, exchange, ids, nextText, nextPresent, violations) { Total = total };
    }

    private void End(WalkEnding ending, string detail)
    {
        Ending = ending;
        EndingDetail = detail;
    }

    private void Fail(int page, HttpExchange exchange, Finding problem)
    {
        FailedExchange = exchange;
        Failure = problem with { Subject = $"page {page}" };
        End(WalkEnding.Error, Failure.Message);
    }

    public static string Short(string cursor) => cursor.Length > 24 ? cursor[..24] + "…" : cursor;
}
