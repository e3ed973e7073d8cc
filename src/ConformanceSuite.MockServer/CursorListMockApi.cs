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

    private readonly JsonObject dataset;
    private readonly ApiContract contract;
    private readonly EndpointSpec list;
    private readonly EndpointSpec get;
    private readonly int pageSize;
    private readonly Dictionary<string, int> cursorUses = new(StringComparer.Ordinal);

    public CursorListMockApi(RepositoryLayout layout, ApiContract contract)
    {
        ApiId = contract.Id;
        this.contract = contract;
        list = contract.Endpoints.Single(e => e.Pagination is not null);
        get = contract.Endpoints.Single(e => e.Parameters.Any(p => p.In == "path"));
        var data = MockDataset.Load(layout, ApiId);
        dataset = data.Json;
        Credentials = data.Credentials;
        TestData = data.TestData;
        pageSize = dataset["pageSize"]?.GetValue<int>() ?? 10;
        Faults = BuildFaults();
    }

    public string ApiId { get; }

    public IReadOnlyDictionary<string, string> Faults { get; }

    public IReadOnlyDictionary<string, string> Credentials { get; set; }

    public IReadOnlyDictionary<string, string> TestData { get; }

    /// <summary>The items served: the data set's, or a copy with the item faults applied to the data itself.</summary>
    private List<JsonObject> items = [];

    private List<JsonObject> Items => items;

    private List<JsonObject> ServedItems(IReadOnlySet<string> faults)
    {
        var served = dataset["items"]!.AsArray().OfType<JsonObject>().Select(i => (JsonObject)i.DeepClone()).ToList();
        if (faults.Contains("item-bad-enum"))
        {
            var itemSchema = contract.BodySchemas[list.Success.ItemSchema!];
            var filtered = list.Parameters.Select(p => (p.Filter as FieldFilter)?.Field).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var (pointer, _) = SchemaEnums.Find(itemSchema).First(e => !filtered.Contains(e.Pointer));
            Set(served[3], pointer, "not-in-the-enum");
        }

        // The format faults pick the item schema's first property of that format: a value of the right kind, in
        // a form the JSON Schema library would take but the standard does not.
        if (faults.Contains("item-uuid-not-canonical") && FirstOfFormat("uuid") is { } uuid)
        {
            served[2][uuid] = Guid.Parse(served[2][uuid]!.GetValue<string>()).ToString("N");
        }

        if (faults.Contains("item-date-time-not-rfc3339") && FirstOfFormat("date-time") is { } when)
        {
            served[4][when] = IsoDates.Parse(served[4][when]!.GetValue<string>())!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        if (faults.Contains("item-missing-required"))
        {
            served[5].Remove(contract.BodySchemas[list.Success.ItemSchema!].ActualSchema.RequiredProperties.Last());
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
                    break;
            }
        }

        return faults;
    }

    public void Map(WebApplication api, WebApplication downloads, MockApiSetup setup)
    {
        var faults = setup.Faults;
        items = ServedItems(faults);
        acceptPactExamples = setup.AcceptPactExamples;
        api.MapGet(setup.Prefix + list.Path, (HttpContext http) =>
            Authorized(http, faults) ?? ListPage(http.Request.Query, faults, setup.EchoCredentials ? MockEcho.Of(contract, http) : null));
        api.MapGet(setup.Prefix + get.Path, (HttpContext http) =>
        {
            var name = get.Parameters.First(p => p.In == "path").Name;
            return Authorized(http, faults) ?? GetOne((string)http.Request.RouteValues[name]!, faults);
        });
    }

    private bool acceptPactExamples;

    private IResult? Authorized(HttpContext http, IReadOnlySet<string> faults) => MockAuth.Check(contract, Credentials, http, faults, acceptPactExamples);

    private IResult ListPage(IQueryCollection query, IReadOnlySet<string> faults, JsonObject? echo)
    {
        var active = new List<(ParameterSpec Parameter, string Value)>();
        foreach (var p in list.Parameters.Where(p => p.Filter is not null && query.ContainsKey(p.Name)))
        {
            var value = query[p.Name].ToString();
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

        var filterKey = string.Join("&", active.Select(a => $"{a.Parameter.Name}={a.Value}"));
        var offset = 0;
        var emptyPage = false;
        var paging = (CursorPagination)list.Pagination!;
        var cursorName = paging.CursorParameter;
        if (query.TryGetValue(cursorName, out var cursorValue) && cursorValue.ToString().Length > 0)
        {
            if (!TryReadCursor(cursorValue.ToString(), filterKey, out offset, out emptyPage))
            {
                return Error(400, $"invalid {cursorName}");
            }

            lock (cursorUses)
            {
                var uses = cursorUses[cursorValue.ToString()] = cursorUses.GetValueOrDefault(cursorValue.ToString()) + 1;
                if (uses > 1 && faults.Contains("pagination-unstable"))
                {
                    offset++;
                }
            }
        }

        var firstPageOnly = faults.Contains("filter-first-page-only") && offset > 0;
        var matching = Items.Where(item => firstPageOnly || active.All(a => Matches(a.Parameter, a.Value, item, faults))).ToList();
        var page = emptyPage ? [] : matching.Skip(offset).Take(pageSize).Select(ListItem).ToList();
        var end = offset + pageSize;
        string? next = end < matching.Count ? Cursor(end, filterKey, empty: false) : null;
        if (next is not null && offset == 0 && !emptyPage && faults.Contains("pagination-empty-page"))
        {
            next = Cursor(end, filterKey, empty: true);
        }

        if (emptyPage)
        {
            next = Cursor(offset, filterKey, empty: false);
        }
        else if (next is not null && faults.Contains("pagination-duplicates"))
        {
            next = Cursor(end - 1, filterKey, empty: false);
        }
        else if (next is null && faults.Contains("pagination-endless"))
        {
            next = Cursor(Math.Max(end, matching.Count) + 1, filterKey, empty: false);
        }
        else if (next is null && faults.Contains("pagination-cycle"))
        {
            next = Cursor(matching.Count > pageSize ? pageSize : 0, filterKey, empty: false);
        }

        var body = new JsonObject { [Name(paging.ItemsPointer)] = new JsonArray([.. page]) };
        if (!(next is null && faults.Contains("next-missing")))
        {
            body[Name(paging.NextPointer)] = next;
        }

        if (echo is not null)
        {
            body["echo"] = echo;
        }

        return Json(body, faults);
    }

    private static JsonObject ListItem(JsonObject item) => (JsonObject)item.DeepClone();

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
        var found = items.FirstOrDefault(i => JsonPointer.Text(i, idPointer) == id);
        lock (idAlias)
        {
            if (found is null && idAlias.TryGetValue(id, out var index))
            {
                found = (JsonObject)items[index].DeepClone();
                found[idPointer.TrimStart('/')] = id;
            }
        }

        if (found is null && faults.Contains("unknown-id-200"))
        {
            found = items[0];
        }

        if (found is null || (faults.Contains("get-missing-some") && found == items[^1]))
        {
            return Error(get.NotFound?.Status ?? 404, "not found");
        }

        var body = (JsonObject)found.DeepClone();
        // The get body is the shorter one: fields the list alone carries are left out.
        foreach (var listOnly in dataset["listOnlyFields"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
        {
            body.Remove(listOnly);
        }

        if (faults.Contains("get-differs") && found == items[1])
        {
            var (pointer, values) = SchemaEnums.Find(contract.BodySchemas[get.Success.BodySchema]).First();
            Set(body, pointer, values.First(v => v != JsonPointer.Text(found, pointer)));
        }

        return Json(body, faults);
    }

    private static bool Valid(ParameterSpec p, string value) => p.Type switch
    {
        "boolean" => value is "true" or "false",
        "date-time" => IsoDates.IsStrict(value),
        "integer" => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        _ => p.Enum.Count == 0 || p.Enum.Contains(value),
    };

    private static bool Matches(ParameterSpec p, string value, JsonObject item, IReadOnlySet<string> faults)
    {
        switch (p.Filter)
        {
            case EqualsFilter f:
                return JsonPointer.Text(item, f.Field) == value;
            case PresenceFilter f:
                var present = JsonPointer.Read(item, f.Field) is not null;
                return faults.Contains($"filter-inverted:{p.Name}") ? present != (value == "true") : present == (value == "true");
            case DateBoundFilter f:
                var bound = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
                if (!DateTimeOffset.TryParse(JsonPointer.Text(item, f.Field), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
                {
                    return false; // an item without the date cannot be inside a bound
                }

                var strict = f.Strict && !faults.Contains($"filter-inclusive:{p.Name}");
                return f is AfterFilter ? (strict ? at > bound : at >= bound) : (strict ? at < bound : at <= bound);
            default:
                throw new InvalidOperationException($"the cursor-list mock does not serve a '{p.Filter?.Kind}' filter");
        }
    }

    private static string Cursor(int offset, string filterKey, bool empty) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"v1|{offset}|{(empty ? "e" : "p")}|{Hash(filterKey)}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryReadCursor(string cursor, string filterKey, out int offset, out bool empty)
    {
        offset = 0;
        empty = false;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|');
            if (parts.Length != 4 || parts[0] != "v1" || parts[3] != Hash(filterKey) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out offset))
            {
                return false;
            }

            empty = parts[2] == "e";
            return true;
        }
        catch (FormatException)
        {
            return false;
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

    private IResult Json(JsonNode body, IReadOnlySet<string> faults) =>
        Results.Text(MockEcho.Escape(body.ToJsonString()), faults.Contains("content-type-text") ? "text/plain; charset=utf-8" : list.Success.ContentType + "; charset=utf-8", Encoding.UTF8, 200);

    private static IResult Error(int status, string message) => MockAuth.Error(status, message);

}
