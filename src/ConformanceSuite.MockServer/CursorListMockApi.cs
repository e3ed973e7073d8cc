using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.MockServer;

/// <summary>
/// A reference provider for any API whose contract has a cursor-paginated list with filters and a
/// get-by-id endpoint, behind bearer (or header) credentials. Everything it does comes from the
/// contract (paths, parameters, enums, filter semantics, pointers) and the fixture data set; its fault
/// names are made from the contract's parameter names.
/// </summary>
public sealed class CursorListMockApi : IMockApi
{
    /// <summary>The shape this mock serves: decided from the contract's data alone.</summary>
    public static MockKind Kind { get; } = new(
        "cursor-list",
        "two GET endpoints: a cursor-paginated list (filters: equals, presence, after, before), and a get-by-id endpoint with a path parameter; no download link, no exports",
        contract => contract.Endpoints.Count == 2
                    && contract.Endpoints.All(e => e.Method == "GET")
                    && contract.Endpoints.Count(e => e.Pagination is not null) == 1
                    && contract.Endpoints.Single(e => e.Pagination is not null) is { Pagination: CursorPagination } list
                    && list.Parameters.All(p => p.Filter is null or EqualsFilter or PresenceFilter or DateBoundFilter)
                    && contract.Endpoints.Count(e => e.Parameters.Any(p => p.In == "path")) == 1
                    && !list.Parameters.Any(p => p.In == "path")
                    && contract.Endpoints.All(e => e.Download is null && e.Exports is null),
        (layout, contract) => new CursorListMockApi(layout, contract));

    private readonly ApiContract contract;
    private readonly EndpointSpec list;
    private readonly EndpointSpec get;
    private readonly int pageSize;

    /// <summary>The data set's items and the members only its list (not its get) carries.</summary>
    private readonly IReadOnlyList<JsonObject> fixture;

    public int? ScaledFrom => fixture.Count;
    private readonly IReadOnlyList<string> listOnlyFields;
    private readonly Dictionary<string, int> cursorUses = new(StringComparer.Ordinal);

    public CursorListMockApi(RepositoryLayout layout, ApiContract contract)
    {
        ApiId = contract.Id;
        this.contract = contract;
        list = contract.Endpoints.Single(e => e.Pagination is not null);
        get = contract.Endpoints.Single(e => e.Parameters.Any(p => p.In == "path"));
        var data = MockDataset.Load(layout, ApiId);
        Credentials = data.Credentials;
        TestData = data.TestData;
        pageSize = (int)(data.Integer(data.Json, "", "pageSize", required: false, minimum: 1) is { } size ? Math.Min(size, MockOptions.MaxScale) : 10);
        fixture = data.Objects(data.Json, "", "items");
        listOnlyFields = data.Strings(data.Json, "", "listOnlyFields");
        Faults = BuildFaults();
    }

    public string ApiId { get; }

    public IReadOnlyDictionary<string, string> Faults { get; }

    public IReadOnlyDictionary<string, string> Credentials { get; set; }

    public IReadOnlyDictionary<string, string> TestData { get; }

    /// <summary>The items served: the data set's (scaled up when asked), with the item faults applied to the data itself.</summary>
    private MockItems items = null!;

    /// <summary>The indexes over <see cref="items"/>, built once the data and its faults are set.</summary>
    private CursorIndex index = null!;

    /// <summary>The work this mock did: positions examined per request (a page costs O(page), not O(items)).</summary>
    public MockWork Work { get; } = new();

    private MockItems ServedItems(IReadOnlySet<string> faults, int? scale)
    {
        var anchor = list.Parameters.Select(p => p.Filter).OfType<DateBoundFilter>().Select(f => f.Field).FirstOrDefault();
        var served = MockItems.Create(ApiId, fixture, list.Pagination!.IdPointer, anchor, scale);
        if (faults.Contains("item-bad-enum"))
        {
            var itemSchema = contract.BodySchemas[list.Success.ItemSchema!];
            var filtered = list.Parameters.Select(p => (p.Filter as FieldFilter)?.Field).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var (pointer, _) = SchemaEnums.Find(itemSchema).First(e => !filtered.Contains(e.Pointer));
            served.Change(3, item => Set(item, pointer, "not-in-the-enum"));
        }

        // The format faults pick the item schema's first property of that format: a value of the right kind, in
        // a form the JSON Schema library would take but the standard does not.
        if (faults.Contains("item-uuid-not-canonical") && FirstOfFormat("uuid") is { } uuid)
        {
            served.Change(2, item => item[uuid] = Guid.Parse(item[uuid]!.GetValue<string>()).ToString("N"));
        }

        if (faults.Contains("item-date-time-not-rfc3339") && FirstOfFormat("date-time") is { } when)
        {
            served.Change(4, item => item[when] = IsoDates.Parse(item[when]!.GetValue<string>())!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        }

        if (faults.Contains("item-missing-required"))
        {
            served.Change(5, item => item.Remove(contract.BodySchemas[list.Success.ItemSchema!].ActualSchema.RequiredProperties.Last()));
        }

        return served;
    }

    /// <summary>The item schema's first top-level property of a string format (uuid, date-time), by name.</summary>
    private string? FirstOfFormat(string format) =>
        contract.BodySchemas[list.Success.ItemSchema!].ActualSchema.ActualProperties
            .FirstOrDefault(p => p.Value.ActualSchema.Format == format || p.Value.ActualTypeSchema.Format == format).Key;

    private Dictionary<string, string> BuildFaults()
    {
        var faults = new Dictionary<string, string>(MockAuth.Faults.Concat(TrafficFaults.Faults), StringComparer.Ordinal)
        {
            ["item-bad-enum"] = "one item carries an enum value outside its enum",
            ["item-missing-required"] = "one item lacks a required field",
            ["item-uuid-not-canonical"] = "one item's uuid is written without hyphens (the JSON Schema library would take it)",
            ["item-date-time-not-rfc3339"] = "one item's date-time has a space and no offset (the JSON Schema library would take it)",
            ["content-type-text"] = "the JSON body is sent as text/plain",
            ["content-type-text-later"] = "the first page is sent as JSON; every later page and every fetched item as text/plain",
            ["next-missing"] = "the last page has no next member at all",
            ["pagination-cycle"] = "the last page's next points back to an earlier cursor",
            ["pagination-endless"] = "next is never null: empty pages follow forever",
            ["pagination-duplicates"] = "each page repeats the last item of the page before",
            ["pagination-empty-page"] = "an empty page comes between the first and the second",
            ["pagination-unstable"] = "a cursor used a second time gives the page one item further on",
            ["filter-first-page-only"] = "filters apply to the first page only",
            ["invalid-values-accepted"] = "invalid filter values are ignored instead of refused",
            ["unknown-id-200"] = "an unknown id is answered 200 with some item",
            ["get-differs"] = "get-by-id returns one item with a different enum value than the list",
            ["get-missing-some"] = "get-by-id answers 404 for one listed item",
        };
        if (list.Parameters.Any(p => p.Filter is not null && p.Type == "boolean"))
        {
            faults["booleans-any-case"] = "a boolean filter's value is read whatever its case: TRUE is taken as true, False as false";
        }

        if (list.Parameters.Count(p => p.Filter is not null) > 1)
        {
            faults["filters-not-combined"] = "of several filters given together, only the first (in the contract's order) applies";
        }

        if (list.Parameters.Count(p => p.Filter is AfterFilter) > 1 || list.Parameters.Count(p => p.Filter is BeforeFilter) > 1)
        {
            faults["filters-one-bound-per-side"] = "of several date bounds on one side given together (two after, or two before, on different fields), only the last (in the contract's order) applies";
        }

        foreach (var p in list.Parameters.Where(p => p.Filter is not null))
        {
            faults[$"filter-ignored:{p.Name}"] = $"the {p.Name} filter is ignored";
            switch (p.Filter)
            {
                case EqualsFilter:
                    faults[$"filter-partial:{p.Name}"] = $"the {p.Name} filter is ignored for its last value, {p.Enum[^1]}";
                    break;
                case PresenceFilter:
                    faults[$"filter-inverted:{p.Name}"] = $"the {p.Name} filter returns the opposite set";
                    break;
                case DateBoundFilter { Strict: true }:
                    faults[$"filter-inclusive:{p.Name}"] = $"the {p.Name} bound is inclusive, not strict";
                    faults[$"filter-offset-ignored:{p.Name}"] = $"the {p.Name} bound's clock time is read as UTC, whatever the offset it is written with";
                    break;
            }
        }

        return faults;
    }

    public void Map(WebApplication api, WebApplication downloads, MockApiSetup setup)
    {
        var faults = setup.Faults;
        items = ServedItems(faults, setup.Scale);
        index = new CursorIndex(items, list.Parameters);
        acceptPactExamples = setup.AcceptPactExamples;
        api.MapGet(setup.Prefix + list.Path, Loopback.Answer(http =>
            Authorized(http, faults) ?? ListPage(http.Request.Query, faults, setup.EchoCredentials ? MockEcho.Of(contract, http) : null)));
        var name = get.Parameters.First(p => p.In == "path").Name;
        api.MapGet(setup.Prefix + get.Path, Loopback.Answer(http => Authorized(http, faults) ?? GetOne((string)http.Request.RouteValues[name]!, faults)));
    }

    private bool acceptPactExamples;

    private IResult? Authorized(HttpContext http, IReadOnlySet<string> faults) => MockAuth.Check(contract, Credentials, http, faults, acceptPactExamples);

    private IResult ListPage(IQueryCollection query, IReadOnlySet<string> faults, JsonObject? echo)
    {
        var active = new List<(ParameterSpec Parameter, string Value)>();
        foreach (var p in list.Parameters.Where(p => p.Filter is not null && query.ContainsKey(p.Name)))
        {
            var value = query[p.Name].ToString();
            if (p.Type == "boolean" && faults.Contains("booleans-any-case"))
            {
                value = value.ToLowerInvariant();
            }

            if (!Valid(p, value))
            {
                if (faults.Contains("invalid-values-accepted"))
                {
                    continue;
                }

                return Error(p.Rejection?.Status ?? 400, $"invalid value for {p.Name}");
            }

            if (!faults.Contains($"filter-ignored:{p.Name}") && !(faults.Contains($"filter-partial:{p.Name}") && p.Enum.Count > 0 && value == p.Enum[^1]))
            {
                active.Add((p, value));
            }
        }

        if (faults.Contains("filters-not-combined") && active.Count > 1)
        {
            active.RemoveRange(1, active.Count - 1);
        }

        if (faults.Contains("filters-one-bound-per-side"))
        {
            // One lower and one upper bound, whatever field each names: a later bound on a side replaces an earlier one.
            var lastOfSide = active.Where(a => a.Parameter.Filter is DateBoundFilter).GroupBy(a => a.Parameter.Filter!.GetType()).Select(g => g.Last()).ToList();
            active = [.. active.Where(a => a.Parameter.Filter is not DateBoundFilter || lastOfSide.Contains(a))];
        }

        var filterKey = string.Join("&", active.Select(a => $"{a.Parameter.Name}={a.Value}"));
        // A cursor carries the ordinal of the page's first match among all matches and its position in the data,
        // so the next page resumes there without rescanning from the start.
        var at = new CursorAt(0, 0, false);
        var paging = (CursorPagination)list.Pagination!;
        var cursorName = paging.CursorParameter;
        if (query.TryGetValue(cursorName, out var cursorValue) && cursorValue.ToString().Length > 0)
        {
            if (TryReadCursor(cursorValue.ToString(), filterKey) is not { } read)
            {
                return Error(400, $"invalid {cursorName}");
            }

            at = read;
            lock (cursorUses)
            {
                var uses = cursorUses[cursorValue.ToString()] = cursorUses.GetValueOrDefault(cursorValue.ToString()) + 1;
                if (uses > 1 && faults.Contains("pagination-unstable"))
                {
                    at = at with { Ordinal = at.Ordinal + 1, Position = at.Position + 1 };
                }
            }
        }

        // Past the first page, this fault serves the unfiltered list from the same ordinal on.
        var firstPageOnly = faults.Contains("filter-first-page-only") && at.Ordinal > 0;
        var constraints = firstPageOnly ? [] : index.Constraints(active, faults);
        var start = firstPageOnly ? at.Ordinal : at.Position;
        var (found, examined) = at.Empty ? ([], 0) : ListIndex.Scan(items.Count, constraints, start, pageSize + 1);
        var page = found.Take(pageSize).Select(items.Item).ToList();
        var end = at.Ordinal + pageSize;
        string? next = found.Count > pageSize ? Cursor(end, found[pageSize], filterKey, empty: false) : null;
        if (next is not null && at.Ordinal == 0 && !at.Empty && faults.Contains("pagination-empty-page"))
        {
            next = Cursor(end, found[pageSize], filterKey, empty: true);
        }

        if (at.Empty)
        {
            next = Cursor(at.Ordinal, at.Position, filterKey, empty: false);
        }
        else if (next is not null && faults.Contains("pagination-duplicates"))
        {
            next = Cursor(end - 1, found[pageSize - 1], filterKey, empty: false);
        }
        else if (next is null && faults.Contains("pagination-endless"))
        {
            next = Cursor(Math.Max(end, at.Ordinal + found.Count) + 1, items.Count, filterKey, empty: false);
        }
        else if (next is null && faults.Contains("pagination-cycle"))
        {
            // Back to the second page (or the first): where it starts is found from the top, O(page).
            var (top, more) = ListIndex.Scan(items.Count, constraints, 0, pageSize + 1);
            examined += more;
            next = top.Count > pageSize ? Cursor(pageSize, top[pageSize], filterKey, empty: false) : Cursor(0, 0, filterKey, empty: false);
        }

        Work.Record(examined);
        var body = new JsonObject { [Name(paging.ItemsPointer)] = new JsonArray([.. page]) };
        if (!(next is null && faults.Contains("next-missing")))
        {
            body[Name(paging.NextPointer)] = next;
        }

        if (echo is not null)
        {
            body["echo"] = echo;
        }

        return Json(body, faults, later: at.Ordinal > 0 || at.Empty);
    }

    /// <summary>Ids a provider state made stand for a data-set item (pact examples).</summary>
    private readonly Dictionary<string, int> idAlias = new(StringComparer.Ordinal);

    public bool SetUpState(string state, JsonObject parameters)
    {
        if (state.StartsWith("session ", StringComparison.Ordinal) && state.EndsWith(" exists", StringComparison.Ordinal) && parameters["id"] is JsonValue id)
        {
            lock (idAlias)
            {
                idAlias[id.ToString()] = 0;
            }

            return true;
        }

        return state is "sessions exist" or "no session has that id" or "the request carries no credentials";
    }

    private IResult GetOne(string id, IReadOnlySet<string> faults)
    {
        var idPointer = list.Pagination!.IdPointer;
        int? position = index.Find(id);
        JsonObject? found = position is { } p ? items.Item(p) : null;
        lock (idAlias)
        {
            if (found is null && idAlias.TryGetValue(id, out var alias))
            {
                found = items.Item(alias);
                found[idPointer.TrimStart('/')] = id;
            }
        }

        if (found is null && faults.Contains("unknown-id-200"))
        {
            position = 0;
            found = items.Item(0);
        }

        Work.Record(1);
        if (found is null || (faults.Contains("get-missing-some") && position == items.Count - 1))
        {
            return Error(get.NotFound?.Status ?? 404, "not found");
        }

        var body = found;
        // The get body is the shorter one: fields the list alone carries are left out.
        foreach (var listOnly in listOnlyFields)
        {
            body.Remove(listOnly);
        }

        if (faults.Contains("get-differs") && position == 1)
        {
            var (pointer, values) = SchemaEnums.Find(contract.BodySchemas[get.Success.BodySchema]).First();
            var listed = items.Text(1, pointer);
            Set(body, pointer, values.First(v => v != listed));
        }

        return Json(body, faults, later: true);
    }

    private static bool Valid(ParameterSpec p, string value) => p.Type switch
    {
        "boolean" => value is "true" or "false",
        "date-time" => IsoDates.IsStrict(value),
        "integer" => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        _ => p.Enum.Count == 0 || p.Enum.Contains(value),
    };

    /// <summary>Where a page starts: the ordinal of its first match, the position in the data to scan from, and whether it is the empty-page fault's page.</summary>
    private sealed record CursorAt(int Ordinal, int Position, bool Empty);

    private static string Cursor(int ordinal, int position, string filterKey, bool empty) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"v2|{ordinal}|{position}|{(empty ? "e" : "p")}|{Hash(filterKey)}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static CursorAt? TryReadCursor(string cursor, string filterKey)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|');
            return parts.Length == 5 && parts[0] == "v2" && parts[4] == Hash(filterKey)
                   && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal)
                   && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var position)
                ? new CursorAt(ordinal, position, parts[3] == "e")
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Hash(string text)
    {
        var h = 2166136261u;
        foreach (var c in text)
        {
            h = (h ^ c) * 16777619u;
        }

        return h.ToString("x8", CultureInfo.InvariantCulture);
    }

    private static void Set(JsonObject obj, string pointer, string value)
    {
        var parts = pointer.Trim('/').Split('/');
        var target = parts[..^1].Aggregate((JsonNode)obj, (node, name) => node[name]!);
        target[parts[^1]] = value;
    }

    private static string Name(string pointer) => pointer.TrimStart('/');

    /// <param name="later">A later page or a fetched item: what the content-type-text-later fault labels wrong.</param>
    private IResult Json(JsonNode body, IReadOnlySet<string> faults, bool later) =>
        Results.Text(MockEcho.Escape(body.ToJsonString()),
            faults.Contains("content-type-text") || (later && faults.Contains("content-type-text-later")) ? "text/plain; charset=utf-8" : list.Success.ContentType + "; charset=utf-8",
            Encoding.UTF8, 200);

    private static IResult Error(int status, string message) => MockAuth.Error(status, message);

}

/// <summary>
/// The cursor-list mock's indexes, built once per data set and fault set: id → position for get-by-id, and per
/// filtered field a value index (equals), presence lists, or a date index (after/before, one range per field).
/// </summary>
internal sealed class CursorIndex
{
    private readonly Dictionary<string, int> byId;
    private readonly Dictionary<string, ValueIndex> values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PresenceIndex> presence = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RangeIndex<long>> dates = new(StringComparer.Ordinal);

    public CursorIndex(MockItems items, IEnumerable<ParameterSpec> parameters)
    {
        byId = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
        for (var p = 0; p < items.Count; p++)
        {
            if (items.Text(p, items.IdPointer) is { } id)
            {
                byId.TryAdd(id, p);
            }
        }

        foreach (var filter in parameters.Select(p => p.Filter))
        {
            switch (filter)
            {
                case EqualsFilter f when !values.ContainsKey(f.Field):
                    values[f.Field] = new ValueIndex(items, f.Field);
                    break;
                case PresenceFilter f when !presence.ContainsKey(f.Field):
                    presence[f.Field] = new PresenceIndex(items, f.Field);
                    break;
                case DateBoundFilter f when !dates.ContainsKey(f.Field):
                    dates[f.Field] = new RangeIndex<long>(items.Count, p => items.Ticks(p, f.Field));
                    break;
            }
        }
    }

    /// <summary>The position of the first item with this id.</summary>
    public int? Find(string id) => byId.TryGetValue(id, out var p) ? p : null;

    /// <summary>The request's filters as constraints; the date bounds on one field make one range.</summary>
    public List<Constraint> Constraints(IEnumerable<(ParameterSpec Parameter, string Value)> active, IReadOnlySet<string> faults)
    {
        var result = new List<Constraint>();
        var ranges = new Dictionary<string, (int Lo, int Hi, List<Func<long, bool>> Tests)>(StringComparer.Ordinal);
        foreach (var (parameter, value) in active)
        {
            switch (parameter.Filter)
            {
                case EqualsFilter f:
                    result.Add(values[f.Field].Equal(value));
                    break;
                case PresenceFilter f:
                    var wanted = value == "true";
                    result.Add(presence[f.Field].Is(faults.Contains($"filter-inverted:{parameter.Name}") ? !wanted : wanted));
                    break;
                case DateBoundFilter f:
                    var given = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
                    var bound = faults.Contains($"filter-offset-ignored:{parameter.Name}") ? new DateTimeOffset(given.DateTime, TimeSpan.Zero).UtcTicks : given.UtcTicks;
                    var inclusive = !(f.Strict && !faults.Contains($"filter-inclusive:{parameter.Name}"));
                    var index = dates[f.Field];
                    var (lo, hi, tests) = ranges.GetValueOrDefault(f.Field, (0, index.Length, []));
                    if (f is AfterFilter)
                    {
                        lo = Math.Max(lo, index.LowIndex(bound, inclusive));
                        tests.Add(inclusive ? at => at >= bound : at => at > bound);
                    }
                    else
                    {
                        hi = Math.Min(hi, index.HighIndex(bound, inclusive));
                        tests.Add(inclusive ? at => at <= bound : at => at < bound);
                    }

                    ranges[f.Field] = (lo, hi, tests);
                    break;
                default:
                    throw new InvalidOperationException($"the cursor-list mock does not serve a '{parameter.Filter?.Kind}' filter");
            }
        }

        foreach (var (field, (lo, hi, tests)) in ranges)
        {
            result.Add(dates[field].Range(lo, hi, at => tests.TrueForAll(t => t(at))));
        }

        return result;
    }
}
