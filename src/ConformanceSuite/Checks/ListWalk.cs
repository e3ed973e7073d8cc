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

/// <summary>
/// A walk over a paginated list, by cursor, by offset or by page number: pages in order, the items seen
/// (up to a cap), and how it ended: <c>complete</c>, <c>cycle</c> (a cursor came back), <c>page-limit</c>,
/// <c>time-limit</c> or <c>error</c>. Each page body is validated against the endpoint's body schema as it
/// arrives, then released.
/// </summary>
public sealed class ListWalk
{
    public List<WalkPage> Pages { get; } = [];

    public List<JsonObject> Items { get; } = [];

    public bool ItemsTruncated { get; private set; }

    public string Ending { get; private set; } = "complete";

    public string? EndingDetail { get; private set; }

    public HttpExchange? FailedExchange { get; private set; }

    public bool Complete => Ending == "complete";

    public required PaginationSpec Spec { get; init; }

    public required IReadOnlyDictionary<string, string> Query { get; init; }

    /// <summary><c>cursor</c>, <c>offset</c> or <c>page</c>.</summary>
    public string Mode { get; init; } = "cursor";

    /// <summary>The total the first page reported, if the body carries one.</summary>
    public long? Total => Pages.Count > 0 ? Pages[0].Total : null;

    public static Task<ListWalk> RunAsync(ApiContext context, string scenarioId, Dictionary<string, string> query, string mode, CancellationToken ct) =>
        mode == "cursor" ? RunCursorAsync(context, scenarioId, query, ct) : RunNumberedAsync(context, scenarioId, query, mode, ct);

    /// <summary>Offset or page walk: limit fixed at the walk page size, until a short or empty page, or the total.</summary>
    private static async Task<ListWalk> RunNumberedAsync(ApiContext context, string scenarioId, Dictionary<string, string> query, string mode, CancellationToken ct)
    {
        var endpoint = context.Contract.Endpoint(context.Contract.Scenario(scenarioId).Endpoint);
        var spec = endpoint.Pagination ?? throw new ConfigurationException($"{context.Contract.Id}: endpoint '{endpoint.Id}' has no pagination");
        var schema = context.Contract.BodySchemas[endpoint.Success.BodySchema];
        query[spec.LimitParameter!] = spec.WalkPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var walk = new ListWalk { Spec = spec, Query = new Dictionary<string, string>(query), Mode = mode };
        var clock = Stopwatch.StartNew();
        long position = mode == "offset" ? 0 : spec.PageBase;
        long walked = 0;
        var filters = string.Join("&", query.Select(kv => $"{kv.Key}={kv.Value}"));
        while (true)
        {
            if (walk.Pages.Count >= spec.MaxPages || clock.Elapsed.TotalSeconds > spec.MaxSeconds)
            {
                walk.End(walk.Pages.Count >= spec.MaxPages ? "page-limit" : "time-limit",
                    walk.Pages.Count >= spec.MaxPages ? $"did not end within {spec.MaxPages} pages" : $"did not end within {spec.MaxSeconds:0.#} s");
                return walk;
            }

            var pageQuery = new Dictionary<string, string>(query)
            {
                [mode == "offset" ? spec.OffsetParameter! : spec.PageParameter!] = position.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            var number = walk.Pages.Count + 1;
            var exchange = await context.SendAsync(context.Call(endpoint, pageQuery, context.ScenarioPath(scenarioId),
                $"{mode} walk, page {number} of '{scenarioId}' with {filters}"), ct);
            var page = Parse(exchange, spec, schema, endpoint.Success.Status, out var items, out var problem);
            if (page is null)
            {
                walk.FailedExchange = exchange;
                walk.End("error", $"page {number}: {problem}");
                return walk;
            }

            walk.Add(page with { Number = number, Cursor = $"{(mode == "offset" ? spec.OffsetParameter : spec.PageParameter)}={position}" }, items);
            exchange.Body = null;
            walked += page.Ids.Count;
            position = mode == "offset" ? position + page.Ids.Count : position + 1;
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

    private static async Task<ListWalk> RunCursorAsync(ApiContext context, string scenarioId, Dictionary<string, string> query, CancellationToken ct)
    {
        var endpoint = context.Contract.Endpoint(context.Contract.Scenario(scenarioId).Endpoint);
        var spec = endpoint.Pagination ?? throw new ConfigurationException($"{context.Contract.Id}: endpoint '{endpoint.Id}' has no pagination");
        var schema = context.Contract.BodySchemas[endpoint.Success.BodySchema];
        var walk = new ListWalk { Spec = spec, Query = new Dictionary<string, string>(query), Mode = "cursor" };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        string? cursor = null;
        var filters = string.Join("&", query.Select(kv => $"{kv.Key}={kv.Value}"));
        while (true)
        {
            if (walk.Pages.Count >= spec.MaxPages)
            {
                walk.End("page-limit", $"did not end within {spec.MaxPages} pages");
                return walk;
            }

            if (clock.Elapsed.TotalSeconds > spec.MaxSeconds)
            {
                walk.End("time-limit", $"did not end within {spec.MaxSeconds:0.#} s ({walk.Pages.Count} pages)");
                return walk;
            }

            var pageQuery = new Dictionary<string, string>(query);
            if (cursor is not null)
            {
                pageQuery[spec.CursorParameter] = cursor;
            }

            var number = walk.Pages.Count + 1;
            var exchange = await context.SendAsync(context.Call(endpoint, pageQuery, context.ScenarioPath(scenarioId),
                $"page {number} of '{scenarioId}'{(filters.Length > 0 ? " with " + filters : "")}"), ct);
            var page = Parse(exchange, spec, schema, endpoint.Success.Status, out var items, out var problem);
            if (page is null)
            {
                walk.FailedExchange = exchange;
                walk.End("error", $"page {number}: {problem}");
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
                walk.End("cycle", $"page {number} points back to cursor '{Short(page.Next)}', already followed");
                return walk;
            }

            cursor = page.Next;
        }
    }

    /// <summary>Reads one page; null (with the problem) when it is not a usable page.</summary>
    public static WalkPage? Parse(HttpExchange exchange, PaginationSpec spec, NJsonSchema.JsonSchema schema, int status, out List<JsonObject> items, out string problem)
    {
        items = [];
        problem = "";
        if (exchange.Error is not null || exchange.Status != status)
        {
            problem = $"expected {status} / received {exchange.Error ?? exchange.Status.ToString()}";
            return null;
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(exchange.Body ?? []);
        }
        catch (JsonException)
        {
            problem = "the body is not JSON";
            return null;
        }

        if (JsonPointer.Read(body, spec.ItemsPointer) is not JsonArray array)
        {
            problem = $"no array at {spec.ItemsPointer}";
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
        if (spec.NextPointer.Length > 0)
        {
            var next = JsonPointer.Read(body, spec.NextPointer, out nextPresent);
            nextText = next is JsonValue v && v.TryGetValue<string>(out var s) ? s : next?.ToJsonString();
        }

        long? total = spec.TotalPointer is { } tp && JsonPointer.Read(body, tp) is JsonValue t && t.TryGetValue<long>(out var n) ? n : null;
        var violations = SchemaValidator.Validate(schema, exchange.BodyText).Take(20).ToList();
        return new WalkPage(0, null, exchange, ids, nextText, nextPresent, violations) { Total = total };
    }

    private void End(string ending, string detail)
    {
        Ending = ending;
        EndingDetail = detail;
    }

    public static string Short(string cursor) => cursor.Length > 24 ? cursor[..24] + "…" : cursor;
}
