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
    private readonly JsonObject dataset;
    private readonly List<string> sessionFields;
    private List<JsonObject> items = [];

    public OffsetListMockApi(RepositoryLayout layout, ApiContract contract)
    {
        ApiId = contract.Id;
        this.contract = contract;
        list = contract.Endpoints.Single(e => e.Pagination is OffsetPagination);
        paging = (OffsetPagination)list.Pagination!;
        exports = list.Exports ?? throw new ConfigurationException($"{ApiId}: the offset-list mock needs exports in the contract");
        sessionFields = SchemaProperties(Path.Combine(contract.Folder, list.Success.ItemSchema!));
        var data = MockDataset.Load(layout, ApiId);
        dataset = data.Json;
        Credentials = data.Credentials;
        TestData = data.TestData;
        Faults = BuildFaults();
    }

    public string ApiId { get; }

    /// <summary>A record schema's property names, in order, read from its file (the mock starts without loading the JSON Schema library).</summary>
    private static List<string> SchemaProperties(string file) =>
        (SchemaValidator.ParseJson(file, File.ReadAllText(file))["properties"] as JsonObject
         ?? throw new ConfigurationException(file, "/properties", "the record schema must list its properties"))
        .Select(p => p.Key).ToList();

    public IReadOnlyDictionary<string, string> Faults { get; }

    public IReadOnlyDictionary<string, string> Credentials { get; set; }

    public IReadOnlyDictionary<string, string> TestData { get; }

    private ParameterSpec P(string name) => list.Parameter(name);

    public bool SetUpState(string state, JsonObject parameters) => state is "sessions exist" or "no session matches" or "the request carries no credentials";

    private Dictionary<string, string> BuildFaults()
    {
        var faults = new Dictionary<string, string>(MockAuth.Faults.Concat(TrafficFaults.Faults), StringComparer.Ordinal)
        {
            ["content-type-text"] = "the JSON body is sent as text/plain",
            ["record-bad-enum"] = "one record carries an enum value outside its enum",
            ["record-missing-field"] = "one record lacks a field",
            ["invalid-values-accepted"] = "invalid values (enum, boolean, integer, date, sort field, unknown field) are ignored instead of refused",
            ["limit-unbounded"] = "the page size is not bounded: out-of-range values are used as they are",
            ["limit-default-20"] = "without a page size, 20 records come back instead of the documented default",
            ["limit-exceeded"] = "a page holds one record more than asked for",
            ["page-zero-based"] = "page numbers count from 0, not from the page base",
            ["page-wins-over-offset"] = "with both offset and page, page decides",
            ["total-off-by-one"] = "total reports one record more than there are",
            ["sort-ignored"] = "the sort parameter is ignored",
            ["sort-descending-ignored"] = "the descending prefix is ignored: every key sorts ascending",
            ["sort-second-key-ignored"] = "only the first sort key is used",
            ["fields-ignored"] = "the field selection is ignored: every field comes back",
            ["date-range-exclusive"] = "the date range excludes its bounds",
            ["csv-bom"] = "the plain CSV starts with a BOM",
            ["excel-no-bom"] = "CSV_EXCEL lacks its BOM",
            ["excel-comma"] = "CSV_EXCEL is comma-delimited",
            ["csv-all-columns"] = "CSV exports ignore the field selection",
            ["csv-values-differ"] = "CSV rows carry a different value than the JSON listing",
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
        items = dataset["items"]!.AsArray().OfType<JsonObject>().Select(i => (JsonObject)i.DeepClone()).ToList();
        if (faults.Contains("record-bad-enum"))
        {
            var (pointer, _) = SchemaEnums.Find(contract.BodySchemas[list.Success.ItemSchema!]).First();
            items[4][pointer.TrimStart('/')] = "not-in-the-enum";
        }

        if (faults.Contains("record-missing-field"))
        {
            items[6].Remove(sessionFields[2]);
        }

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

        var selected = items.Where(item => list.Parameters.All(p => p.Filter is null || Get(p.Name) is null
            || faults.Contains($"filter-ignored:{p.Name}") || Matches(p, Get(p.Name)!, item, Get, faults))).ToList();
        selected = Sorted(selected, list.Parameters.FirstOrDefault(p => p.Sort is not null) is { } sortParam ? Get(sortParam.Name) : null, faults);

        var limit = Int(Get(paging.LimitParameter)) ?? (faults.Contains("limit-default-20") ? 20 : Int(P(paging.LimitParameter).Default) ?? 10);
        if (P(paging.LimitParameter) is { Maximum: { } max } && limit > max && !faults.Contains("limit-unbounded"))
        {
            limit = (int)max;
        }

        var pageBase = faults.Contains("page-zero-based") ? 0 : paging.PageBase;
        var byPage = Int(Get(paging.PageParameter!)) is { } page ? (page - pageBase) * limit : (int?)null;
        var offset = faults.Contains("page-wins-over-offset") && byPage is not null ? byPage.Value : Int(Get(paging.OffsetParameter)) ?? byPage ?? 0;
        var take = faults.Contains("limit-exceeded") ? limit + 1 : limit;
        var pageItems = selected.Skip(Math.Max(0, offset)).Take(Math.Max(0, take)).ToList();
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
            var columns = faults.Contains("csv-all-columns") ? [.. sessionFields] : fields;
            body = Csv(spec, columns, pageItems, faults);
            contentType = exportFormat!.ContentType + "; charset=utf-8";
        }
        else
        {
            var json = Json(selected.Count, pageItems, fields, Get, faults);
            if (echo is not null)
            {
                json["echo"] = echo;
            }

            body = Encoding.UTF8.GetBytes(MockEcho.Escape(json.ToJsonString()));
            contentType = faults.Contains("content-type-text") ? "text/plain; charset=utf-8" : list.Success.ContentType + "; charset=utf-8";
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

                return text.Contains(delimiter, StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal) ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
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
                "date-time" => IsoDates.IsStrict(v),
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

    private List<JsonObject> Sorted(List<JsonObject> rows, string? value, IReadOnlySet<string> faults)
    {
        if (value is null || faults.Contains("sort-ignored"))
        {
            return rows;
        }

        var sort = list.Parameters.First(p => p.Sort is not null).Sort!;
        var keys = value.Split(',').Select(k => SortKey(sort, k)).OfType<(string Name, bool Desc)>()
            .Where(k => sort.Fields.ContainsKey(k.Name))
            .Select(k => (Field: sort.Fields[k.Name], Desc: k.Desc && !faults.Contains("sort-descending-ignored")))
            .Take(faults.Contains("sort-second-key-ignored") ? 1 : int.MaxValue).ToList();
        var ordered = rows.OrderBy(_ => 0);
        foreach (var (field, desc) in keys)
        {
            ordered = desc
                ? ordered.ThenByDescending(r => r[field.TrimStart('/')]?.ToJsonString() ?? "", StringComparer.Ordinal)
                : ordered.ThenBy(r => r[field.TrimStart('/')]?.ToJsonString() ?? "", StringComparer.Ordinal);
        }

        return [.. ordered];
    }

    private static bool Matches(ParameterSpec p, string value, JsonObject item, Func<string, string?> get, IReadOnlySet<string> faults)
    {
        string? Text(string pointer) => JsonPointer.Text(item, pointer);
        switch (p.Filter)
        {
            case EqualsFilter filter:
                return Text(filter.Field) == value;
            case InFilter filter:
                return value.Split(',').Contains(Text(filter.Field));
            case AtLeastFilter filter:
                return double.TryParse(Text(filter.Field), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= double.Parse(value, CultureInfo.InvariantCulture);
            case ContainsFilter filter:
                return filter.Fields.Any(f => Text(f)?.Contains(value, StringComparison.OrdinalIgnoreCase) == true);
            case DateRangeFilter filter:
                var field = filter.RangeFields.GetValueOrDefault(value) ?? filter.RangeFields.Values.First();
                if (!DateTimeOffset.TryParse(Text(field), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
                {
                    return false;
                }

                var exclusive = faults.Contains("date-range-exclusive");
                var start = get(filter.StartParameter) is { } s ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : DateTimeOffset.MinValue;
                var end = get(filter.EndParameter) is { } e ? DateTimeOffset.Parse(e, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : DateTimeOffset.MaxValue;
                return exclusive ? at > start && at < end : at >= start && at <= end;
            default:
                throw new InvalidOperationException($"the offset-list mock does not serve a '{p.Filter?.Kind}' filter");
        }
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
