using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.MockServer;

/// <summary>
/// A reference provider for any API whose contract has an offset/page-paginated list with count and
/// list flags, sorting, filters, field selection and exports (CSV formats, zip, file name). Parameter
/// names, enums, filter semantics, pointers and CSV specs all come from the contract, so a target's
/// overrides (a renamed parameter, another path) configure the mock the same way; its fault names are
/// made from the contract's parameter names.
/// </summary>
public sealed class OffsetListMockApi : IMockApi
{
    /// <summary>The shape this mock serves: decided from the contract's data alone.</summary>
    public static MockKind Kind { get; } = new(
        "offset-list",
        "one endpoint: an offset-paginated list with a page parameter and a total, exports, filters of any kind but presence and after/before; no download link",
        contract => contract.Endpoints is [{ Pagination: OffsetPagination { PageParameter: not null, TotalPointer: not null }, Exports: not null, Download: null } only]
                    && only.Parameters.All(p => p.Filter is null or EqualsFilter or InFilter or AtLeastFilter or ContainsFilter or DateRangeFilter),
        (layout, contract) => new OffsetListMockApi(layout, contract));

    private readonly ApiContract contract;
    private readonly EndpointSpec list;
    private readonly OffsetPagination paging;
    private readonly ExportsSpec exports;

    /// <summary>The data set's items.</summary>
    private readonly IReadOnlyList<JsonObject> fixture;

    public int? ScaledFrom => fixture.Count;
    private readonly List<string> sessionFields;

    /// <summary>The items served: the data set's (scaled up when asked), with the record faults applied to the data itself.</summary>
    private MockItems items = null!;

    /// <summary>The indexes over <see cref="items"/> and the precomputed sort orders.</summary>
    private OffsetIndex index = null!;

    /// <summary>The position only a request with one bound of a date range returns (fault date-range-one-bound-hidden-record); null otherwise.</summary>
    private int? hidden;

    public OffsetListMockApi(RepositoryLayout layout, ApiContract contract)
    {
        ApiId = contract.Id;
        this.contract = contract;
        list = contract.Endpoints.Single(e => e.Pagination is OffsetPagination);
        paging = (OffsetPagination)list.Pagination!;
        exports = list.Exports ?? throw new ConfigurationException($"{ApiId}: the offset-list mock needs exports in the contract");
        sessionFields = SchemaProperties(Path.Combine(contract.Folder, list.Success.ItemSchema!));
        var data = MockDataset.Load(layout, ApiId);
        fixture = data.Objects(data.Json, "", "items");
        Credentials = data.Credentials;
        TestData = data.TestData;
        Faults = BuildFaults();
    }

    public string ApiId { get; }

    /// <summary>A record schema's property names, in order, read from its file (the mock starts without loading the JSON Schema library).</summary>
    private static List<string> SchemaProperties(string file) =>
        (SchemaValidator.ParseJson(file, InputFile.ReadAllText(file, "contract file"))["properties"] as JsonObject
         ?? throw new ConfigurationException(file, "/properties", "the record schema must list its properties"))
        .Select(p => p.Key).ToList();

    public IReadOnlyDictionary<string, string> Faults { get; }

    public IReadOnlyDictionary<string, string> Credentials { get; set; }

    public IReadOnlyDictionary<string, string> TestData { get; }

    /// <summary>The work this mock did: positions examined per request (O(matches) for the total, O(page) for the rest).</summary>
    public MockWork Work { get; } = new();

    private ParameterSpec P(string name) => list.Parameter(name);

    public bool SetUpState(string state, JsonObject parameters) => state is "sessions exist" or "no session matches" or "the request carries no credentials";

    private Dictionary<string, string> BuildFaults()
    {
        var faults = new Dictionary<string, string>(MockAuth.Faults.Concat(TrafficFaults.Faults), StringComparer.Ordinal)
        {
            ["content-type-text"] = "the JSON body is sent as text/plain",
            ["content-type-text-later"] = "the first page is sent as JSON; every page after it as text/plain",
            ["record-bad-enum"] = "one record carries an enum value outside its enum",
            ["record-missing-field"] = "one record lacks a field",
            ["invalid-values-accepted"] = "invalid values (enum, boolean, integer, date, sort field, unknown field) are ignored instead of refused",
            ["date-time-without-offset-accepted"] = "a date-time without its UTC offset, or a date alone, is accepted (read as UTC) instead of refused",
            ["limit-unbounded"] = "the page size is not bounded: out-of-range values are used as they are",
            ["limit-default-20"] = "without a page size, 20 records come back instead of the documented default",
            ["limit-exceeded"] = "a page holds one record more than asked for",
            ["limit-capped-at-default"] = "a page size above the default is served as the default: fewer records than asked while more exist",
            ["page-zero-based"] = "page numbers count from 0, not from the page base",
            ["page-wins-over-offset"] = "with both offset and page, page decides",
            ["total-off-by-one"] = "total reports one record more than there are",
            ["total-ignores-filters"] = "total counts the whole list, whatever the filters select",
            ["total-alone-ignores-filters"] = "total asked for without the list counts the whole list, whatever the filters select",
            ["sort-ignored"] = "the sort parameter is ignored",
            ["sort-descending-ignored"] = "the descending prefix is ignored: every key sorts ascending",
            ["sort-second-key-ignored"] = "only the first sort key is used",
            ["sort-case-insensitive"] = "text sort keys are compared whatever their case, not in ordinal order",
            ["fields-ignored"] = "the field selection is ignored: every field comes back",
            ["date-range-exclusive"] = "the date range excludes its bounds",
            ["date-range-one-bound-ignored"] = "a date range given one bound alone is ignored: every record comes back",
            ["date-range-one-bound-total-wrong"] = "with one bound of the date range alone, total counts the whole list",
            ["date-range-one-bound-duplicate"] = "with one bound of the date range alone, each page after the first begins with the previous page's last record",
            ["date-range-one-bound-hidden-record"] = "with one bound of the date range alone, a record every other request leaves out (a deleted session) comes back too",
            ["filters-ignored-by-page"] = "a page asked for by number comes from the unfiltered list (the total is the filtered one); by offset, filters apply",
            ["filters-first-page-only"] = "filters apply to the first page alone: a page at a later offset comes from the unfiltered list (the total is the filtered one)",
            ["date-range-one-bound-bad-enum"] = "with one bound of the date range alone, the first record of each page carries an enum value outside its enum",
            ["csv-bom"] = "the plain CSV starts with a BOM",
            ["excel-no-bom"] = "CSV_EXCEL lacks its BOM",
            ["excel-comma"] = "CSV_EXCEL is comma-delimited",
            ["csv-all-columns"] = "CSV exports ignore the field selection",
            ["csv-request-order"] = "CSV exports give the selected fields in the order the request lists them, not in record order",
            ["csv-values-differ"] = "CSV rows carry a different value than the JSON listing",
            ["export-ignores-date-range"] = "a CSV or zip export ignores the date range (startDate, endDate) that the JSON listing applies",
            ["csv-values-unquoted"] = "CSV values are written as they are: one holding the delimiter, a quote or a line break is not quoted",
            ["csv-line-breaks-unquoted"] = "CSV values holding the delimiter or a quote are quoted, one holding only a line break is not",
            ["csv-empty-zero-bytes"] = "an empty CSV export is 0 bytes (no header)",
            ["zip-two-entries"] = "the zip holds a second entry",
            ["zip-wrong-name"] = "the zip entry ignores the file name",
            ["zip-corrupt"] = "the zip archive is truncated",
            ["content-disposition-missing"] = "a download sends no Content-Disposition",
            ["content-disposition-no-extension"] = "Content-Disposition names the file without its extension",
        };
        foreach (var p in list.Parameters)
        {
            if (p.Filter is not null)
            {
                faults[$"filter-ignored:{p.Name}"] = $"the {p.Name} filter is ignored";
                if (p.Filter is not DateRangeFilter)
                {
                    faults[$"export-ignores:{p.Name}"] = $"a CSV or zip export ignores the {p.Name} filter that the JSON listing applies";
                }
            }

            if (p.Controls is not null)
            {
                faults[$"flag-ignored:{p.Name}"] = $"{p.Controls.Member} comes back whether or not {p.Name}=true";
            }
        }

        return faults;
    }

    public void Map(WebApplication api, WebApplication downloads, MockApiSetup setup)
    {
        var faults = setup.Faults;
        var anchor = list.Parameters.Select(p => p.Filter).OfType<DateRangeFilter>().SelectMany(f => f.RangeFields.Values).FirstOrDefault();
        items = MockItems.Create(ApiId, fixture, paging.IdPointer, anchor, setup.Scale);
        if (faults.Contains("record-bad-enum"))
        {
            var (pointer, _) = SchemaEnums.Find(contract.BodySchemas[list.Success.ItemSchema!]).First();
            items.Change(4, item => item[pointer.TrimStart('/')] = "not-in-the-enum");
        }

        if (faults.Contains("record-missing-field"))
        {
            items.Change(6, item => item.Remove(sessionFields[2]));
        }

        index = new OffsetIndex(items, list.Parameters, faults.Contains("sort-case-insensitive") ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        hidden = faults.Contains("date-range-one-bound-hidden-record") ? Middle() : null;

        api.MapMethods(setup.Prefix + list.Path, [list.Method], async (HttpContext http) =>
        {
            var result = MockAuth.Check(contract, Credentials, http, faults, setup.AcceptPactExamples) ?? Answer(http.Request.Query, faults, setup.EchoCredentials ? MockEcho.Of(contract, http) : null);
            await result.ExecuteAsync(http);
        });
    }

    private IResult Answer(IQueryCollection query, IReadOnlySet<string> faults, JsonObject? echo)
    {
        string? Get(string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;
        foreach (var p in list.Parameters.Where(p => Get(p.Name) is not null))
        {
            if (!Valid(p, Get(p.Name)!, faults) && !faults.Contains("invalid-values-accepted"))
            {
                return MockAuth.Error(p.Rejection?.Status ?? 400, $"invalid value for {p.Name}");
            }
        }

        // Every match, in position order: O(candidates of the most selective filter), for the total; none when unfiltered.
        // The export-ignores-date-range and export-ignores:<name> faults: a CSV export, or any zip, is made without
        // the date range or that filter.
        var csvAsked = Get(exports.FormatParameter) is { } asked && exports.Formats.TryGetValue(asked, out var form) && form.CsvSpec is not null;
        var zipAsked = exports.ZipParameter is { } z && Get(z) == "true";
        var exported = csvAsked || zipAsked;
        bool ExportIgnores(ParameterSpec p) => exported && (faults.Contains($"export-ignores:{p.Name}") || (faults.Contains("export-ignores-date-range") && p.Filter is DateRangeFilter));
        var constraints = list.Parameters
            .Where(p => p.Filter is not null && Get(p.Name) is not null && !faults.Contains($"filter-ignored:{p.Name}") && !ExportIgnores(p))
            .Select(p => index.Constraint(p, Get(p.Name)!, Get, faults)).ToList();
        var oneBound = list.Parameters.Any(p => p.Filter is DateRangeFilter range && Get(p.Name) is not null && OffsetIndex.OneBoundAlone(range, Get));
        if (hidden is { } h && !oneBound)
        {
            constraints.Add(new Constraint(items.Count - 1, p => p != h, () => Enumerable.Range(0, items.Count).Where(p => p != h).ToArray()));
        }

        var (matches, examined) = constraints.Count == 0 ? ((List<int>?)null, 0) : ListIndex.Scan(items.Count, constraints, 0, int.MaxValue);
        var listed = list.Parameters.FirstOrDefault(p => p.Controls?.Member == paging.ItemsPointer) is not { } flag || (Get(flag.Name) ?? flag.Default) == "true";
        var total = faults.Contains("total-ignores-filters") || (oneBound && faults.Contains("date-range-one-bound-total-wrong")) || (!listed && faults.Contains("total-alone-ignores-filters"))
            ? items.Count
            : matches?.Count ?? items.Count;

        var limit = Int(Get(paging.LimitParameter)) ?? (faults.Contains("limit-default-20") ? 20 : Int(P(paging.LimitParameter).Default) ?? 10);
        if (P(paging.LimitParameter) is { Maximum: { } max } && limit > max && !faults.Contains("limit-unbounded"))
        {
            limit = (int)max;
        }

        if (faults.Contains("limit-capped-at-default") && Int(P(paging.LimitParameter).Default) is { } fallback && limit > fallback)
        {
            limit = fallback;
        }

        var pageBase = faults.Contains("page-zero-based") ? 0 : paging.PageBase;
        var byPage = Int(Get(paging.PageParameter!)) is { } page ? (page - pageBase) * limit : (int?)null;
        var offset = faults.Contains("page-wins-over-offset") && byPage is not null ? byPage.Value : Int(Get(paging.OffsetParameter)) ?? byPage ?? 0;
        if (oneBound && offset > 0 && faults.Contains("date-range-one-bound-duplicate"))
        {
            offset--;
        }

        var take = faults.Contains("limit-exceeded") ? limit + 1 : limit;
        var sortKeys = list.Parameters.FirstOrDefault(p => p.Sort is not null) is { } sortParam ? SortKeys(sortParam.Sort!, Get(sortParam.Name), faults) : [];
        var unfiltered = (offset > 0 && faults.Contains("filters-first-page-only")) || (byPage is not null && faults.Contains("filters-ignored-by-page"));
        var pageItems = index.Page(unfiltered ? null : matches, sortKeys, Math.Max(0, offset), Math.Max(0, take)).Select(items.Item).ToList();
        if (oneBound && pageItems.Count > 0 && faults.Contains("date-range-one-bound-bad-enum"))
        {
            pageItems[0] = (JsonObject)pageItems[0].DeepClone();
            pageItems[0][SchemaEnums.Find(contract.BodySchemas[list.Success.ItemSchema!]).First().Pointer.TrimStart('/')] = "not-in-the-enum";
        }

        Work.Record(examined + pageItems.Count);
        var fields = exports.FieldsParameter is { } fp && Get(fp) is { } f && !faults.Contains("fields-ignored")
            ? sessionFields.Where(f.Split(',').Contains).ToList()
            : [.. sessionFields];

        var format = Get(exports.FormatParameter) ?? P(exports.FormatParameter).Default ?? "JSON";
        var zip = exports.ZipParameter is { } zp && Get(zp) == "true";
        var filename = exports.FilenameParameter is { } fn ? Get(fn) : null;
        var spec = exports.Formats.TryGetValue(format, out var exportFormat) && exportFormat.CsvSpec is { } csvSpec ? contract.CsvSpecs[csvSpec] : null;
        byte[] body;
        string contentType;
        if (spec is not null)
        {
            var columns = faults.Contains("csv-all-columns") ? [.. sessionFields]
                : faults.Contains("csv-request-order") && fields.Count < sessionFields.Count ? [.. Get(exports.FieldsParameter!)!.Split(',').Where(fields.Contains).Distinct()]
                : fields;
            body = Csv(spec, columns, pageItems, faults);
            contentType = exportFormat!.ContentType + "; charset=utf-8";
        }
        else
        {
            var json = Json(total, pageItems, fields, Get, faults);
            if (echo is not null)
            {
                json["echo"] = echo;
            }

            body = Encoding.UTF8.GetBytes(MockEcho.Escape(json.ToJsonString()));
            contentType = faults.Contains("content-type-text") || (offset > 0 && faults.Contains("content-type-text-later")) ? "text/plain; charset=utf-8" : list.Success.ContentType + "; charset=utf-8";
        }

        var extension = exportFormat?.Extension ?? "json";
        if (zip)
        {
            body = Zip($"{(faults.Contains("zip-wrong-name") ? exports.DefaultFilename : filename ?? exports.DefaultFilename)}.{extension}", body, faults);
            contentType = exports.Zip?.ContentType ?? "application/zip";
            extension = "zip";
        }

        return new FileResult(body, contentType, filename is null || faults.Contains("content-disposition-missing")
            ? null
            : $"attachment; filename=\"{filename}{(faults.Contains("content-disposition-no-extension") ? "" : "." + extension)}\"");
    }

    private JsonObject Json(int total, List<JsonObject> page, IReadOnlyList<string> fields, Func<string, string?> get, IReadOnlySet<string> faults)
    {
        var body = new JsonObject();
        foreach (var p in list.Parameters.Where(p => p.Controls is not null))
        {
            if ((get(p.Name) ?? p.Default) != "true" && !faults.Contains($"flag-ignored:{p.Name}"))
            {
                continue;
            }

            var member = p.Controls!.Member.TrimStart('/');
            if (member == paging.TotalPointer!.TrimStart('/'))
            {
                body[member] = total + (faults.Contains("total-off-by-one") ? 1 : 0);
            }
            else if (member == paging.ItemsPointer.TrimStart('/'))
            {
                body[member] = new JsonArray([.. page.Select(i => Project(i, fields))]);
            }
        }

        return body;
    }

    private static JsonObject Project(JsonObject item, IReadOnlyList<string> fields)
    {
        var o = new JsonObject();
        foreach (var f in fields.Where(item.ContainsKey))
        {
            o[f] = item[f]!.DeepClone();
        }

        return o;
    }

    private static byte[] Csv(CsvSpec spec, IReadOnlyList<string> columns, List<JsonObject> rows, IReadOnlySet<string> faults)
    {
        var excel = spec.BomRequired;
        var delimiter = excel && faults.Contains("excel-comma") ? "," : spec.Delimiter;
        var bom = excel ? !faults.Contains("excel-no-bom") : faults.Contains("csv-bom");
        var sb = new StringBuilder();
        if (!(rows.Count == 0 && faults.Contains("csv-empty-zero-bytes")))
        {
            sb.Append(string.Join(delimiter, columns)).Append('\n');
        }

        foreach (var row in rows)
        {
            sb.Append(string.Join(delimiter, columns.Select(c =>
            {
                var text = row[c] switch
                {
                    null => "",
                    JsonValue v when v.TryGetValue<string>(out var s) => s,
                    var n => n.ToJsonString(),
                };
                if (faults.Contains("csv-values-differ") && row[c] is JsonValue num && num.TryGetValue<long>(out var l))
                {
                    text = (l + 1).ToString(CultureInfo.InvariantCulture);
                }

                var quoted = text.Contains(delimiter, StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal)
                    || (!faults.Contains("csv-line-breaks-unquoted") && text.AsSpan().IndexOfAny('\r', '\n') >= 0);
                return !faults.Contains("csv-values-unquoted") && quoted ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
            }))).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        return bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes;
    }

    private static byte[] Zip(string entryName, byte[] content, IReadOnlySet<string> faults)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var entry = archive.CreateEntry(entryName).Open())
            {
                entry.Write(content);
            }

            if (faults.Contains("zip-two-entries"))
            {
                using var extra = archive.CreateEntry("README.txt").Open();
                extra.Write("exported by the mock"u8);
            }
        }

        var bytes = buffer.ToArray();
        return faults.Contains("zip-corrupt") ? bytes[..(bytes.Length / 2)] : bytes;
    }

    private bool Valid(ParameterSpec p, string value, IReadOnlySet<string> faults)
    {
        var values = p.List ? value.Split(',') : [value];
        foreach (var v in values)
        {
            var ok = p.Type switch
            {
                "boolean" => v is "true" or "false",
                "integer" => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                             && (faults.Contains("limit-unbounded") && p.Name == paging.LimitParameter || ((p.Minimum is null || n >= p.Minimum) && (p.Maximum is null || n <= p.Maximum))),
                "date-time" => IsoDates.IsStrict(v) || (faults.Contains("date-time-without-offset-accepted")
                    && DateTime.TryParseExact(v, ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)),
                _ when p.Sort is { } sort => SortKey(sort, v) is { } key && sort.Fields.ContainsKey(key.Name),
                _ when p.Selects is not null => sessionFields.Contains(v),
                _ => p.Enum.Count == 0 || p.Enum.Contains(v),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static (string Name, bool Desc)? SortKey(SortSpec sort, string key)
    {
        if (key.StartsWith(sort.DescPrefix, StringComparison.Ordinal))
        {
            return (key[sort.DescPrefix.Length..], true);
        }

        return key.StartsWith(sort.AscPrefix, StringComparison.Ordinal) ? (key[sort.AscPrefix.Length..], false) : (key, false);
    }

    /// <summary>The sort the request asks for, as (field, descending) keys, with the sort faults applied; empty for the data's own order.</summary>
    private static List<(string Field, bool Desc)> SortKeys(SortSpec sort, string? value, IReadOnlySet<string> faults) =>
        value is null || faults.Contains("sort-ignored")
            ? []
            : value.Split(',').Select(k => SortKey(sort, k)).OfType<(string Name, bool Desc)>()
                .Where(k => sort.Fields.ContainsKey(k.Name))
                .Select(k => (Field: sort.Fields[k.Name], Desc: k.Desc && !faults.Contains("sort-descending-ignored")))
                .Take(faults.Contains("sort-second-key-ignored") ? 1 : int.MaxValue).ToList();

    /// <summary>The position whose rank by every date a range applies to is nearest the middle: inside any range with one bound near a quartile.</summary>
    private int Middle()
    {
        var ranks = list.Parameters.Select(p => p.Filter).OfType<DateRangeFilter>().SelectMany(f => f.RangeFields.Values).Distinct(StringComparer.Ordinal).Select(field =>
        {
            var rank = new int[items.Count];
            var order = Enumerable.Range(0, items.Count).OrderBy(p => items.Ticks(p, field) ?? long.MaxValue).ToList();
            for (var r = 0; r < order.Count; r++)
            {
                rank[order[r]] = r;
            }

            return rank;
        }).ToList();
        return Enumerable.Range(0, items.Count).MinBy(p => ranks.Count == 0 ? 0 : ranks.Max(r => Math.Abs(r[p] - (items.Count / 2))));
    }

    private static int? Int(string? text) => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;


    /// <summary>A body with its content type and, for downloads, a Content-Disposition.</summary>
    private sealed class FileResult(byte[] body, string contentType, string? disposition) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = 200;
            http.Response.ContentType = contentType;
            if (disposition is not null)
            {
                http.Response.Headers.ContentDisposition = disposition;
            }

            http.Response.ContentLength = body.Length;
            await http.Response.Body.WriteAsync(body);
        }
    }
}

/// <summary>
/// The offset-list mock's indexes, built once per data set and fault set: a value index per equals, in and
/// contains field, ordered indexes for at-least numbers and date ranges, and, once per sort asked for, the whole
/// data's order under that sort (and each position's rank in it), so no request sorts items.
/// </summary>
internal sealed class OffsetIndex
{
    private readonly MockItems items;
    private readonly StringComparer textOrder;
    private readonly Dictionary<string, ValueIndex> values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RangeIndex<double>> numbers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RangeIndex<long>> dates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<string[]>> sortKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<(int[] Order, int[] Rank)>> orders = new(StringComparer.Ordinal);

    public OffsetIndex(MockItems items, IEnumerable<ParameterSpec> parameters, StringComparer textOrder)
    {
        this.items = items;
        this.textOrder = textOrder;
        foreach (var filter in parameters.Select(p => p.Filter))
        {
            switch (filter)
            {
                case EqualsFilter or InFilter:
                    Values(((FieldFilter)filter).Field);
                    break;
                case ContainsFilter f:
                    foreach (var field in f.Fields)
                    {
                        Values(field);
                    }

                    break;
                case AtLeastFilter f when !numbers.ContainsKey(f.Field):
                    numbers[f.Field] = new RangeIndex<double>(items.Count, p =>
                        double.TryParse(items.Text(p, f.Field), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null);
                    break;
                case DateRangeFilter f:
                    foreach (var field in f.RangeFields.Values.Where(v => !dates.ContainsKey(v)))
                    {
                        dates[field] = new RangeIndex<long>(items.Count, p => items.Ticks(p, field));
                    }

                    break;
            }
        }
    }

    private ValueIndex Values(string field) =>
        values.TryGetValue(field, out var index) ? index : values[field] = new ValueIndex(items, field);

    /// <summary>A filter parameter's value as a constraint, with the filter faults applied.</summary>
    public Constraint Constraint(ParameterSpec p, string value, Func<string, string?> get, IReadOnlySet<string> faults)
    {
        switch (p.Filter)
        {
            case EqualsFilter filter:
                return values[filter.Field].Equal(value);
            case InFilter filter:
                var index = values[filter.Field];
                return index.AnyOf([.. value.Split(',').Select(index.IdOf)]);
            case AtLeastFilter filter:
                var least = double.Parse(value, CultureInfo.InvariantCulture);
                var byNumber = numbers[filter.Field];
                return byNumber.Range(byNumber.LowIndex(least, inclusive: true), byNumber.Length, n => n >= least);
            case ContainsFilter filter:
                // Per field, the distinct values holding the text; an item matches when one of its fields has one.
                var hits = filter.Fields.Select(f => (Index: values[f], Ids: values[f].Values.Select((v, id) => (v, id))
                    .Where(x => x.v.Contains(value, StringComparison.OrdinalIgnoreCase)).Select(x => x.id).ToHashSet())).ToList();
                var lists = hits.SelectMany(h => h.Ids.Select(h.Index.PositionsOf)).ToList();
                return new Constraint(
                    lists.Sum(l => l.Length),
                    pos => hits.Exists(h => h.Ids.Contains(h.Index.ValueAt(pos))),
                    () => lists.Count == 0 ? ReadOnlyMemory<int>.Empty : ListIndex.Union(lists));
            case DateRangeFilter filter:
                var field = filter.RangeFields.GetValueOrDefault(value) ?? filter.RangeFields.Values.First();
                var exclusive = faults.Contains("date-range-exclusive");
                var start = (get(filter.StartParameter) is { } s ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : DateTimeOffset.MinValue).UtcTicks;
                var end = (get(filter.EndParameter) is { } e ? DateTimeOffset.Parse(e, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : DateTimeOffset.MaxValue).UtcTicks;
                if (faults.Contains("date-range-one-bound-ignored") && OneBoundAlone(filter, get))
                {
                    (start, end) = (DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks);
                }

                var byDate = dates[field];
                return byDate.Range(byDate.LowIndex(start, !exclusive), byDate.HighIndex(end, !exclusive), at => exclusive ? at > start && at < end : at >= start && at <= end);
            default:
                throw new InvalidOperationException($"the offset-list mock does not serve a '{p.Filter?.Kind}' filter");
        }
    }

    /// <summary>Whether a request gives one bound of <paramref name="filter"/>'s range without the other.</summary>
    public static bool OneBoundAlone(DateRangeFilter filter, Func<string, string?> get) => (get(filter.StartParameter) is null) != (get(filter.EndParameter) is null);

    /// <summary>
    /// The positions of one page: <paramref name="take"/> from <paramref name="offset"/> on, of the matches (null:
    /// every item) in the data's order or in the sort's. Under a sort, the matches' ranks are marked in a bitmap
    /// and counted a word at a time: O(matches + items / 64), never a sort.
    /// </summary>
    public List<int> Page(List<int>? matches, IReadOnlyList<(string Field, bool Desc)> sort, int offset, int take)
    {
        var count = matches?.Count ?? items.Count;
        var page = new List<int>(Math.Max(0, Math.Min(take, count - offset)));
        if (offset >= count || take <= 0)
        {
            return page;
        }

        if (sort.Count == 0)
        {
            for (var i = offset; i < count && page.Count < take; i++)
            {
                page.Add(matches?[i] ?? i);
            }

            return page;
        }

        var (order, rank) = Order(sort);
        if (matches is null)
        {
            for (var i = offset; i < count && page.Count < take; i++)
            {
                page.Add(order[i]);
            }

            return page;
        }

        var marks = new ulong[(items.Count + 63) / 64];
        foreach (var p in matches)
        {
            marks[rank[p] >> 6] |= 1UL << (rank[p] & 63);
        }

        var skip = offset;
        for (var w = 0; w < marks.Length && page.Count < take; w++)
        {
            var word = marks[w];
            var bits = System.Numerics.BitOperations.PopCount(word);
            if (skip >= bits)
            {
                skip -= bits;
                continue;
            }

            for (; word != 0 && page.Count < take; word &= word - 1)
            {
                if (skip > 0)
                {
                    skip--;
                    continue;
                }

                page.Add(order[(w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word)]);
            }
        }

        return page;
    }

    /// <summary>
    /// Every position in the sort's order (keys compared as their values, ordinal unless a fault says otherwise; ties keep the data's order),
    /// and each position's rank in it: made once per sort, on first use.
    /// </summary>
    private (int[] Order, int[] Rank) Order(IReadOnlyList<(string Field, bool Desc)> sort)
    {
        var name = string.Join(",", sort.Select(k => (k.Desc ? "-" : "+") + k.Field));
        return orders.GetOrAdd(name, _ => new Lazy<(int[], int[])>(() =>
        {
            var keys = sort.Select(k => (Keys: Keys(k.Field), k.Desc)).ToArray();
            var order = Enumerable.Range(0, items.Count).ToArray();
            Array.Sort(order, (a, b) =>
            {
                foreach (var (text, desc) in keys)
                {
                    var c = textOrder.Compare(text[a], text[b]);
                    if (c != 0)
                    {
                        return desc ? -c : c;
                    }
                }

                return a.CompareTo(b);
            });
            var rank = new int[order.Length];
            for (var r = 0; r < order.Length; r++)
            {
                rank[order[r]] = r;
            }

            return (order, rank);
        })).Value;
    }

    /// <summary>
    /// Each position's sort key for a field: a string member's value, any other member's JSON text ("" when absent).
    /// The value, not its JSON text: an escaped character ("\n" as a backslash and an n) would sort as other characters.
    /// </summary>
    private string[] Keys(string field) =>
        sortKeys.GetOrAdd(field, f => new Lazy<string[]>(() =>
            [.. Enumerable.Range(0, items.Count).Select(p => items.MemberJson(p, f.TrimStart('/')) is { } json
                ? json.StartsWith('"') ? System.Text.Json.JsonSerializer.Deserialize<string>(json)! : json
                : "")])).Value;
}
