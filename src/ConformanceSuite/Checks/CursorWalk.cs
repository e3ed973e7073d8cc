using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>One page of a walk: the cursor sent, what came back, and where it points next.</summary>
public sealed record WalkPage(int Number, string? Cursor, HttpExchange Exchange, IReadOnlyList<string> Ids, string? Next, bool NextPresent, IReadOnlyList<SchemaViolation> Violations);

/// <summary>
/// A walk over cursor pagination: pages in order, the items seen (up to a cap), and how it ended:
/// <c>complete</c>, <c>cycle</c> (a cursor came back), <c>page-limit</c>, <c>time-limit</c> or <c>error</c>.
/// Each page body is validated against the endpoint's body schema as it arrives, then released.
/// </summary>
public sealed class CursorWalk
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

    public static async Task<CursorWalk> RunAsync(ApiContext context, string scenarioId, Dictionary<string, string> query, CancellationToken ct)
    {
        var endpoint = context.Contract.Endpoint(context.Contract.Scenario(scenarioId).Endpoint);
        var spec = endpoint.Pagination ?? throw new ConfigurationException($"{context.Contract.Id}: endpoint '{endpoint.Id}' has no pagination");
        var schema = context.Contract.BodySchemas[endpoint.Success.BodySchema];
        var walk = new CursorWalk { Spec = spec, Query = new Dictionary<string, string>(query) };
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

            walk.Pages.Add(page with { Number = number, Cursor = cursor });
            foreach (var item in items)
            {
                if (walk.Items.Count < spec.MaxItems)
                {
                    walk.Items.Add(item);
                }
                else
                {
                    walk.ItemsTruncated = true;
                }
            }

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

        var next = JsonPointer.Read(body, spec.NextPointer, out var nextPresent);
        var nextText = next is JsonValue v && v.TryGetValue<string>(out var s) ? s : next?.ToJsonString();
        var violations = SchemaValidator.Validate(schema, exchange.BodyText).Take(20).ToList();
        return new WalkPage(0, null, exchange, ids, nextText, nextPresent, violations);
    }

    private void End(string ending, string detail)
    {
        Ending = ending;
        EndingDetail = detail;
    }

    public static string Short(string cursor) => cursor.Length > 24 ? cursor[..24] + "…" : cursor;
}
