using System.Globalization;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// Chat-session-list providers of the tests' own, written apart from the reference mock: one that keeps every rule
/// as apis.md reads the page, and the same provider with one twist that breaks a rule in a way the checks once let
/// through (a total the walk trusted, a case-sensitive search, a sort that drops records across pages, CSV rows
/// short of a field), or that keeps a rule a check once misread (names that look like numbers, sorted as text).
/// </summary>
[TestFixture]
public sealed class EvasionChatSessionListTests
{
    private const string Token = "CSL-EVASION-TOKEN-4e0b7c";
    private const string Api = "chat-session-list";

    /// <summary>The Session fields in the order the CSV spec gives them.</summary>
    private static readonly string[] SessionFields =
        ["id", "name", "chatId", "clientId", "messengerType", "operatorType", "companyId", "messagesCount", "clientMessagesOnly", "startedAt", "createdAt", "updatedAt"];

    private static readonly Dictionary<string, string> SortFields = new(StringComparer.Ordinal) { ["started_at"] = "startedAt", ["name"] = "name" };

    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-evasion-csl-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    /// <summary>What a provider does wrong (or, for a control, differently but rightly).</summary>
    private sealed record Twists
    {
        /// <summary>Added to the total it reports.</summary>
        public int TotalSkew { get; init; }

        /// <summary>The total is the number of records on the page answered, not in the result set.</summary>
        public bool TotalOfPage { get; init; }

        /// <summary>search matches only in the keyword's own case.</summary>
        public bool SearchCaseSensitive { get; init; }

        /// <summary>Records whose sort keys tie come by id ascending on even pages and descending on odd ones (no stable tie-break).</summary>
        public bool TiesFlipByPage { get; init; }

        /// <summary>Each CSV row leaves out its last field.</summary>
        public bool CsvRowsShort { get; init; }

        /// <summary>With fields, each selected field comes back with a null value.</summary>
        public bool SelectedValuesNull { get; init; }

        /// <summary>fields is applied when no offset is given, and ignored on the pages after (whole records).</summary>
        public bool FieldsOnFirstPageOnly { get; init; }

        /// <summary>A zip's entry is not the export: JSON is {}, CSV has the rows in reverse order.</summary>
        public bool ZipEntryOther { get; init; }

        /// <summary>search looks in clientId only, not in name.</summary>
        public bool SearchIgnoresName { get; init; }

        /// <summary>id and chatId match every record whose value begins with the one asked for.</summary>
        public bool EqualsByPrefix { get; init; }

        /// <summary>sort orders by its first field only, ignoring the fields after it (ties by id).</summary>
        public bool SortFirstKeyOnly { get; init; }

        /// <summary>sort orders by every field, the fields after the first always ascending, whatever their prefix.</summary>
        public bool LaterKeysAscending { get; init; }

        /// <summary>A date range on updatedAt returns, beside each record in it, a copy of that record under another id that the list never holds.</summary>
        public bool UpdatedRangeAddsCopies { get; init; }

        /// <summary>startDate and endDate are read by their clock time as if in UTC, whatever UTC offset they are written at.</summary>
        public bool RangeIgnoresOffset { get; init; }

        /// <summary>A sorted list's records carry an operatorType the enum does not hold; the list as it is is right.</summary>
        public bool SortedBadOperator { get; init; }

        /// <summary>Asked with one of these sort values, the list holds 165 records: the data, then copies of it under other ids.</summary>
        public IReadOnlyList<string> PaddedSorts { get; init; } = [];

        /// <summary>A query with this filter (any value) comes back padded to 165 records: copies of its own under new ids.</summary>
        public string? PaddedFilter { get; init; }

        /// <summary>As <see cref="SortedBadOperator"/>, for this one sort value only.</summary>
        public string? BadOperatorForSort { get; init; }

        /// <summary>A page after which at most three records would remain takes them too: the last page holds more than limit.</summary>
        public bool LastPageTakesTail { get; init; }

        /// <summary>CSV_EXCEL writes a boolean as Excel shows one, TRUE or FALSE (the JSON listing's true or false).</summary>
        public bool ExcelBooleans { get; init; }

        /// <summary>CSV_EXCEL comes as application/vnd.ms-excel, not text/csv.</summary>
        public bool ExcelMediaType { get; init; }

        /// <summary>Only a CSV download that is not zipped carries a Content-Disposition: JSON and zip downloads have none.</summary>
        public bool DispositionOnlyForCsv { get; init; }

        /// <summary>A CSV export (not the JSON listing) ignores this query parameter.</summary>
        public string? CsvIgnores { get; init; }

        /// <summary>A CSV export (not the JSON listing) holds every record from its offset on, whatever the limit.</summary>
        public bool CsvUnlimited { get; init; }

        /// <summary>A zip export (not the export without zip, nor the JSON listing) ignores this query parameter.</summary>
        public string? ZipIgnores { get; init; }

        /// <summary>The date range applies to createdAt, whatever dateRangeField names.</summary>
        public bool RangeAlwaysOnCreatedAt { get; init; }

        /// <summary>A lone startDate closes the range this long after it, a lone endDate opens it this long before it.</summary>
        public TimeSpan? LoneBoundSpan { get; init; }

        /// <summary>An endDate given without a startDate is ignored: the range is the whole list (a lone startDate is applied).</summary>
        public bool LoneEndIgnored { get; init; }
    }

    private static List<JsonObject> Dataset() =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(Harness.Layout.Root, "fixtures", Api, "dataset.json")))!["items"]!.AsArray().Select(i => i!.AsObject())];

    /// <summary>The fixture's sessions copied under new ids, <paramref name="count"/> of them, listed by createdAt, newest or oldest first.</summary>
    private static List<JsonObject> ByDate(int count, bool newestFirst)
    {
        var fixture = Dataset();
        var copies = Enumerable.Range(0, count).Select(i =>
        {
            var copy = fixture[i % fixture.Count].DeepClone().AsObject();
            copy["id"] = $"cs-3{i:000}";
            return copy;
        });
        Func<JsonObject, DateTimeOffset> created = d => DateTimeOffset.Parse(Text(d["createdAt"]), CultureInfo.InvariantCulture);
        return newestFirst ? [.. copies.OrderByDescending(created)] : [.. copies.OrderBy(created)];
    }

    /// <summary>The 36 sessions of the fixture and 84 copies under new ids: 120, more than a prefix of the default budget reaches.</summary>
    private static List<JsonObject> LongerDataset()
    {
        var data = Dataset();
        data.AddRange([.. Enumerable.Range(0, 84).Select(i =>
        {
            var copy = data[i % 36].DeepClone().AsObject();
            copy["id"] = $"cs-2{i:000}";
            return copy;
        })]);
        return data;
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    /// <summary>A provider of the Session list as apis.md reads the page, over <paramref name="data"/>, with <paramref name="twists"/>.</summary>
    private static Task<HostileProvider> ProviderAsync(List<JsonObject> data, Twists? twists = null)
    {
        var twist = twists ?? new Twists();
        return HostileProvider.StartAsync(async http =>
        {
            if (http.Request.Headers.Authorization.ToString() != $"Bearer {Token}")
            {
                http.Response.StatusCode = 401;
                return;
            }

            if (http.Request.Path != "/chat-sessions")
            {
                http.Response.StatusCode = 404;
                return;
            }

            if (Answer(http.Request.Query, data, twist) is not { } answer)
            {
                http.Response.StatusCode = 400;
                return;
            }

            http.Response.ContentType = answer.ContentType;
            if (answer.Disposition is not null)
            {
                http.Response.Headers.ContentDisposition = answer.Disposition;
            }

            await http.Response.Body.WriteAsync(answer.Body);
        });
    }

    private sealed record Reply(string ContentType, string? Disposition, byte[] Body);

    /// <summary>The answer to a query; null for one with an invalid value (400).</summary>
    private static Reply? Answer(IQueryCollection q, List<JsonObject> data, Twists twist)
    {
        var csvIgnores = twist.CsvIgnores is { } ignored && q.TryGetValue("format", out var asked) && asked != "JSON" ? ignored : null;
        var zipIgnores = twist.ZipIgnores is { } skipped && q.TryGetValue("zip", out var zipped) && zipped == "true" ? skipped : null;
        string? Get(string name) => name != csvIgnores && name != zipIgnores && q.TryGetValue(name, out var v) ? v.ToString() : null;
        bool? Flag(string name) => Get(name) switch { null or "false" => false, "true" => true, _ => null };
        int? Number(string name, int fallback, int min, int max) =>
            Get(name) is not { } s ? fallback : int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n : null;

        if (Flag("count") is not { } count || Flag("list") is not { } list || Flag("zip") is not { } zip
            || Number("limit", 10, 1, 100) is not { } limit || Number("offset", -1, 0, int.MaxValue) is not { } offset
            || Number("page", 1, 1, int.MaxValue) is not { } page || Number("minMessages", 0, 0, int.MaxValue) is not { } minMessages)
        {
            return null;
        }

        IEnumerable<JsonObject> rows = data;
        foreach (var field in new[] { "id", "chatId", "operatorType", "companyId", "clientMessagesOnly" })
        {
            if (Get(field) is { } value)
            {
                rows = twist.EqualsByPrefix && field is "id" or "chatId"
                    ? rows.Where(r => Text(r[field]).StartsWith(value, StringComparison.Ordinal))
                    : rows.Where(r => Text(r[field]) == value);
            }
        }

        if (Get("messengerTypes") is { } types)
        {
            var set = types.Split(',').ToHashSet(StringComparer.Ordinal);
            rows = rows.Where(r => set.Contains(Text(r["messengerType"])));
        }

        rows = rows.Where(r => Get("minMessages") is null || (int)r["messagesCount"]! >= minMessages);
        if (Get("search") is { } keyword)
        {
            var comparison = twist.SearchCaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            rows = rows.Where(r => (!twist.SearchIgnoresName && Text(r["name"]).Contains(keyword, comparison)) || Text(r["clientId"]).Contains(keyword, comparison));
        }

        if (Get("dateRangeField") is { } rangeField)
        {
            var start = Get("startDate") is { } s ? Bound(s) : DateTimeOffset.MinValue;
            var end = Get("endDate") is { } e && !(twist.LoneEndIgnored && Get("startDate") is null) ? Bound(e) : DateTimeOffset.MaxValue;
            if (twist.LoneBoundSpan is { } span && (start == DateTimeOffset.MinValue) != (end == DateTimeOffset.MaxValue))
            {
                (start, end) = start == DateTimeOffset.MinValue ? (end - span, end) : (start, start + span);
            }

            DateTimeOffset Bound(string text)
            {
                var at = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
                return twist.RangeIgnoresOffset ? new DateTimeOffset(at.DateTime, TimeSpan.Zero) : at;
            }
            var onField = twist.RangeAlwaysOnCreatedAt ? "createdAt" : rangeField;
            rows = rows.Where(r => DateTimeOffset.Parse(Text(r[onField]), CultureInfo.InvariantCulture) is var at && at >= start && at <= end);
        }

        if (twist.UpdatedRangeAddsCopies && Get("dateRangeField") == "updatedAt")
        {
            rows = rows.SelectMany(r => new[] { r, Copy(r) });
            static JsonObject Copy(JsonObject r)
            {
                var copy = r.DeepClone().AsObject();
                copy["id"] = Text(r["id"]) + "-copy";
                return copy;
            }
        }

        var from = offset >= 0 ? offset : (page - 1) * limit;
        var keys = new List<(string Field, bool Desc)>();
        foreach (var key in Get("sort")?.Split(',') ?? [])
        {
            var desc = key.StartsWith('-');
            if (!SortFields.TryGetValue(desc || key.StartsWith('+') ? key[1..] : key, out var field))
            {
                return null;
            }

            keys.Add((field, desc));
        }

        var ordered = rows.ToList();
        if ((Get("sort") is { } sorted && twist.PaddedSorts.Contains(sorted)) || (twist.PaddedFilter is { } padded && Get(padded) is not null && ordered.Count > 0))
        {
            ordered = [.. Enumerable.Range(0, 165).Select(i => i < ordered.Count ? ordered[i] : Padding(ordered[i % ordered.Count], i))];
            static JsonObject Padding(JsonObject r, int i)
            {
                var copy = r.DeepClone().AsObject();
                copy["id"] = $"cs-pad-{i:000}";
                return copy;
            }
        }

        if (keys.Count > 0)
        {
            var tiesDescending = twist.TiesFlipByPage && from / limit % 2 == 1;
            ordered.Sort((a, b) =>
            {
                foreach (var (field, desc) in twist.SortFirstKeyOnly ? keys.Take(1) : twist.LaterKeysAscending ? keys.Select((k, i) => (k.Field, i == 0 && k.Desc)) : keys)
                {
                    var c = field == "startedAt"
                        ? DateTimeOffset.Parse(Text(a[field]), CultureInfo.InvariantCulture).CompareTo(DateTimeOffset.Parse(Text(b[field]), CultureInfo.InvariantCulture))
                        : string.CompareOrdinal(Text(a[field]), Text(b[field]));
                    if (c != 0)
                    {
                        return desc ? -c : c;
                    }
                }

                var byId = string.CompareOrdinal(Text(a["id"]), Text(b["id"]));
                return tiesDescending ? -byId : byId;
            });
        }

        var selected = Get("fields") is { } fields && !(twist.FieldsOnFirstPageOnly && offset > 0) ? fields.Split(',') : SessionFields;
        if (selected.Any(f => !SessionFields.Contains(f)))
        {
            return null;
        }

        var columns = SessionFields.Where(selected.Contains).ToList();
        var format = Get("format") ?? "JSON";
        var left = ordered.Count - from - limit;
        var onPage = twist.CsvUnlimited && format != "JSON" ? ordered.Skip(from).ToList() : ordered.Skip(from).Take(twist.LastPageTakesTail && left is > 0 and <= 3 ? limit + left : limit).ToList();
        var extension = format == "JSON" ? "json" : "csv";
        var file = Get("filename") ?? "chat-sessions";
        byte[] body;
        string contentType;
        if (format == "JSON")
        {
            var json = new JsonObject();
            if (count)
            {
                json["total"] = (twist.TotalOfPage ? onPage.Count : ordered.Count) + twist.TotalSkew;
            }

            if (list)
            {
                var nulls = twist.SelectedValuesNull && Get("fields") is not null;
                var badOperator = (twist.SortedBadOperator && keys.Count > 0) || (twist.BadOperatorForSort is { } only && Get("sort") == only);
                json["list"] = new JsonArray([.. onPage.Select(r => (JsonNode)new JsonObject(columns.Select(c => KeyValuePair.Create(c,
                    nulls ? null : badOperator && c == "operatorType" ? JsonValue.Create("ROBOT") : r[c]?.DeepClone()))))]);
            }

            (body, contentType) = (Encoding.UTF8.GetBytes(zip && twist.ZipEntryOther ? "{}" : json.ToJsonString()), "application/json");
        }
        else if (format is "CSV" or "CSV_EXCEL")
        {
            var delimiter = format == "CSV" ? "," : ";";
            var csv = new StringBuilder(format == "CSV" ? "" : "\uFEFF").Append(string.Join(delimiter, columns)).Append("\r\n");
            foreach (var row in zip && twist.ZipEntryOther ? Enumerable.Reverse(onPage) : onPage)
            {
                var values = columns.Select(c => Quoted(twist.ExcelBooleans && format == "CSV_EXCEL" && row[c] is JsonValue v && v.TryGetValue<bool>(out var b) ? (b ? "TRUE" : "FALSE") : Text(row[c]), delimiter)).ToList();
                csv.Append(string.Join(delimiter, twist.CsvRowsShort ? values.SkipLast(1) : values)).Append("\r\n");
            }

            (body, contentType) = (Encoding.UTF8.GetBytes(csv.ToString()), twist.ExcelMediaType && format == "CSV_EXCEL" ? "application/vnd.ms-excel" : "text/csv; charset=utf-8");
        }
        else
        {
            return null;
        }

        if (zip)
        {
            using var buffer = new MemoryStream();
            using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            using (var entry = archive.CreateEntry($"{file}.{extension}").Open())
            {
                entry.Write(body);
            }

            (body, contentType, extension) = (buffer.ToArray(), "application/zip", "zip");
        }

        return new Reply(contentType, twist.DispositionOnlyForCsv && extension != "csv" ? null : $"attachment; filename=\"{file}.{extension}\"", body);
    }

    private static string Quoted(string value, string delimiter) =>
        value.Contains(delimiter, StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal)
            ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
            : value;

    private RunSettings AdHoc(HostileProvider provider, params string[] filter) => new()
    {
        Apis = [Api],
        Filter = filter,
        AdHoc = new AdHocTarget(provider.Origin.ToString(), new Dictionary<string, string> { ["Authorization"] = Token }, new Dictionary<string, string>()),
        ReportDirectory = dir,
        ContractsDirectory = Harness.Layout.Root,
        RequestTimeout = TimeSpan.FromSeconds(5),
        RunTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>A run against <paramref name="provider"/> whose contract's list pagination has <paramref name="limit"/> set to <paramref name="value"/> (a profile's override).</summary>
    private RunSettings WithPaginationLimit(HostileProvider provider, string limit, int value, params string[] filter)
    {
        var contract = JsonNode.Parse(File.ReadAllText(Path.Combine(Harness.Layout.Root, "schemas", Api, "contract.json")))!;
        var endpoints = contract["endpoints"]!.DeepClone().AsArray();
        endpoints.Single(e => (string?)e!["id"] == "list-sessions")!["pagination"]![limit] = value;
        return WithProfile(provider, "pagination-limit", new JsonObject { ["overrides"] = new JsonObject { ["contract"] = new JsonObject { ["endpoints"] = endpoints } } }, filter);
    }

    /// <summary>A run against <paramref name="provider"/> through a target profile, its API's entry given <paramref name="settings"/> too (a budget, overrides).</summary>
    private RunSettings WithProfile(HostileProvider provider, string name, JsonObject settings, params string[] filter)
    {
        var api = new JsonObject
        {
            ["baseUrl"] = provider.Origin.ToString(),
            ["credentials"] = new JsonObject { ["Authorization"] = new JsonObject { ["env"] = "CSL_EVASION_TOKEN" } },
        };
        foreach (var (key, value) in settings)
        {
            api[key] = value?.DeepClone();
        }

        var profile = Path.Combine(dir, name + ".json");
        File.WriteAllText(profile, new JsonObject { ["name"] = name, ["apis"] = new JsonObject { [Api] = api } }.ToJsonString());
        return AdHoc(provider, filter) with { AdHoc = null, Target = profile, Variables = variable => variable == "CSL_EVASION_TOKEN" ? Token : null };
    }

    private static IReadOnlyList<CaseOutcome> Cases(RunResults results, string requirement) =>
        results.Requirements.Single(r => r.Id == requirement).Cases;

    /// <summary>
    /// The export cases a twisted provider got wrong, <paramref name="wrong"/>, judged by their format: a deviation in CSV,
    /// whose format is assumed (A-CSL-14), and a fail in CSV_EXCEL, which the page documents; every other case passes.
    /// </summary>
    private static void ByFormat(IReadOnlyCollection<CaseOutcome> wrong, IReadOnlyCollection<CaseOutcome> cases)
    {
        wrong.Where(c => c.Element.StartsWith("CSV@", StringComparison.Ordinal)).Should().OnlyContain(c => c.Verdict == Verdict.Deviation, Show(cases));
        wrong.Where(c => c.Element.StartsWith("CSV_EXCEL@", StringComparison.Ordinal)).Should().OnlyContain(c => c.Verdict == Verdict.Fail, Show(cases));
        cases.Except(wrong).Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases));
    }

    private static string Show(IEnumerable<CaseOutcome> cases) =>
        string.Join("\n", cases.Select(c => $"{c.RequirementId} {c.Element}: {c.Verdict} {c.Message}"));

    [Test]
    public async Task The_provider_of_the_tests_own_passes_every_requirement_it_serves()
    {
        // The control for the twists below: what each of them changes is all that differs.
        await using var provider = await ProviderAsync(Dataset());

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-004", "CSL-006", "CSL-008", "CSL-010", "CSL-011", "CSL-012", "CSL-013", "CSL-014",
            "CSL-015", "CSL-016", "CSL-017", "CSL-018", "CSL-019", "CSL-021", "CSL-022", "CSL-023"));

        var cases = results.Requirements.SelectMany(r => r.Cases).ToList();
        cases.Should().NotBeEmpty();
        cases.Where(c => c.Verdict != Verdict.Pass).Should().BeEmpty(Show(cases));
    }

    [TestCase(-1, false, TestName = "A total one short (35 of 36, five whole walk pages) fails CSL-008")]
    [TestCase(0, true, TestName = "A total of the records on the page answered fails CSL-008")]
    public async Task A_total_the_walk_reaches_on_a_full_page_while_records_remain_fails_the_pagination_check(int skew, bool ofPage)
    {
        // The walks end on a short page or when they have walked the total: a total that falls on a full page
        // (35 of 36 records at 7 a page; or 7, the page's own count) ended them there, and the walked count
        // equalled the total it was compared with. The records after it were never asked for.
        await using var provider = await ProviderAsync(Dataset(), new Twists { TotalSkew = skew, TotalOfPage = ofPage });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-008"));

        var outcome = Cases(results, "CSL-008").Should().ContainSingle().Subject;
        outcome.Verdict.Should().Be(Verdict.Fail, outcome.Message);
        outcome.Findings.OfType<PaginationProblem>().Should().Contain(p => p.Issue == PaginationIssue.TotalMismatch, outcome.Message);
    }

    [Test]
    public async Task A_number_filter_whose_field_holds_text_is_skipped_never_an_error_of_the_tool()
    {
        // Every session's messagesCount is "12 messages". Before, CSL-018 took the median item's value as the bound of
        // minMessages and parsed it with double.Parse: FormatException, an error of the tool, for a provider's value.
        var data = Dataset();
        foreach (var item in data)
        {
            item["messagesCount"] = "12 messages";
        }

        await using var provider = await ProviderAsync(data);

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-018"));

        var outcome = Cases(results, "CSL-018").Should().ContainSingle().Subject;
        outcome.Verdict.Should().Be(Verdict.Skipped, outcome.Message);
        outcome.Message.Should().Contain("no item of the unfiltered walk has a number at /messagesCount to filter minMessages by");
    }

    [Test]
    public async Task A_search_that_matches_only_in_the_keyword_s_own_case_is_a_deviation()
    {
        // The keyword is taken from the data in the data's own case, so a provider that matches case-sensitively
        // returned the very items expected. A-CSL-12 assumes a case-insensitive match: the same keyword in the
        // other case must find the same sessions. The rule is an assumption, so breaking it is a deviation.
        await using var provider = await ProviderAsync(Dataset(), new Twists { SearchCaseSensitive = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-017"));

        var outcome = Cases(results, "CSL-017").Should().ContainSingle().Subject;
        outcome.Verdict.Should().Be(Verdict.Deviation, outcome.Message);
        // Once for the keyword from clientId, once for the one from name.
        outcome.Findings.OfType<MissingItems>().Should().HaveCount(2, outcome.Message);
        outcome.Message.Should().Contain("search=LIENT-0").And.Contain("search=RUNO LIM");
    }

    [Test]
    public async Task A_sort_whose_ties_change_order_from_page_to_page_drops_records_and_fails()
    {
        // Six sessions are named "ana Souza" and six "Bruno Lima": with no stable tie-break, each page cuts the tied
        // run in another order, so a walk sees some of them twice and others never, in the right order by name and
        // in the right number. Only the ids tell.
        await using var provider = await ProviderAsync(Dataset(), new Twists { TiesFlipByPage = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-010"));

        var cases = Cases(results, "CSL-010").ToDictionary(c => c.Element);
        foreach (var tied in new[] { "sort=+name", "sort=-name" })
        {
            cases[tied].Verdict.Should().Be(Verdict.Fail, Show(cases.Values));
            cases[tied].Findings.Should().Contain(f => f is MissingItems || (f is PaginationProblem && ((PaginationProblem)f).Issue == PaginationIssue.DuplicateId), cases[tied].Message);
        }

        cases.Values.Where(c => c.Element is not ("sort=+name" or "sort=-name")).Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases.Values));
    }

    [Test]
    public async Task A_list_whose_names_are_all_written_alike_says_its_sort_by_name_cannot_tell_how_text_is_compared()
    {
        // The fixture's six "ana Souza" sort last in ordinal order and first ignoring case: the sort by name shows which
        // a provider does. Written "Ana Souza", every name starts with a capital and both orders are one: the case then
        // passes without showing it, and says so.
        var capitalised = Dataset();
        foreach (var record in capitalised)
        {
            var name = record["name"]!.GetValue<string>();
            record["name"] = char.ToUpperInvariant(name[0]) + name[1..];
        }

        const string Cannot = "so this case cannot tell a provider that sorts text ignoring case from one that sorts it in ordinal order";

        await using var alike = await ProviderAsync(capitalised, new Twists());
        var notes = Cases(await ConformanceEngine.RunAsync(AdHoc(alike, "CSL-010")), "CSL-010").ToDictionary(c => c.Element);
        await using var told = await ProviderAsync(Dataset(), new Twists());
        var toldNotes = Cases(await ConformanceEngine.RunAsync(AdHoc(told, "CSL-010")), "CSL-010").ToDictionary(c => c.Element);

        notes.Values.Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(notes.Values));
        notes["sort=+name"].Notes.Should().Contain(n => n.Contains(Cannot, StringComparison.Ordinal) && n.Contains("every /name is written alike", StringComparison.Ordinal));
        notes.Values.Where(c => !c.Element.Contains("name", StringComparison.Ordinal)).Should().OnlyContain(c => !c.Notes.Any(n => n.Contains(Cannot, StringComparison.Ordinal)), "a sort by date alone compares no text");
        toldNotes.Values.Should().OnlyContain(c => c.Verdict == Verdict.Pass && !c.Notes.Any(n => n.Contains(Cannot, StringComparison.Ordinal)), Show(toldNotes.Values));
    }

    [Test]
    public async Task A_sorted_list_whose_records_break_the_schema_is_not_a_pass()
    {
        // Sorted, every record's operatorType is ROBOT, which the enum does not hold; in the right order, and the list as
        // it is right. Before, every case of CSL-010 passed: the sort check reads the sort keys only, and sorted walks were not validated.
        await using var provider = await ProviderAsync(Dataset(), new Twists { SortedBadOperator = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-005", "CSL-010"));

        Cases(results, "CSL-005").Should().OnlyContain(c => c.Verdict == Verdict.Pass, "the list as it is has no fault");
        var sorted = Cases(results, "CSL-010").ToList();
        // operatorType's values are an assumption of the suite's (BOT, OPERATOR): a value outside them is a deviation.
        sorted.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Deviation, Show(sorted));
        sorted.Should().OnlyContain(c => c.Findings.OfType<SchemaViolationFinding>().Any(f => f.Pointer.EndsWith("/operatorType", StringComparison.Ordinal)), Show(sorted));
    }

    [Test]
    public async Task A_sorted_walk_asked_only_as_another_case_s_mirror_is_judged_against_the_schema()
    {
        // Only sort=-name,-started_at breaks the schema (operatorType ROBOT). Case sort=-name,+started_at asks that walk
        // itself, as its second field the other way: its own pages are right, the mirror's are not, and the case says so.
        await using var provider = await ProviderAsync(Dataset(), new Twists { BadOperatorForSort = "-name,-started_at" });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-010"));

        var cases = Cases(results, "CSL-010").ToDictionary(c => c.Element);
        var mirrored = cases["sort=-name,+started_at"];
        mirrored.Verdict.Should().Be(Verdict.Deviation, Show(cases.Values)); // operatorType's values are assumed
        mirrored.Findings.Should().NotBeEmpty().And.OnlyContain(f => f is SchemaViolationFinding && f.Subject!.StartsWith("sort=-name,-started_at, page ", StringComparison.Ordinal), mirrored.Message);
        cases.Values.Where(c => c.Element is not ("sort=-name,+started_at" or "sort=-name,-started_at")).Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases.Values));
    }

    [Test]
    public async Task A_mirror_walk_the_budget_leaves_no_page_for_is_not_a_whole_pass()
    {
        // The request budget runs out right after sort=-name,+started_at's own walk: the walk of its second field the
        // other way reads no page. That case saw nothing of the mirror, so it may not pass whole.
        // The five cases before it ask single-field sorts, whose lists this provider pads to 165 records (24 pages of 7):
        // with the unsorted walk's 6 pages and the case's own 6, they spend a budget that still walks the whole list
        // unwindowed (its prefix, a twentieth of the budget, reaches the end). The whole list's share is the whole budget:
        // no check walks another scenario's list (the exports and the credential checks make single calls), so none
        // keeps a prefix's worth. Before, each of the seven others kept 6 of the 132 requests, and the list was windowed.
        string[] single = ["+started_at", "-started_at", "+name", "-name", "started_at"];
        await using var provider = await ProviderAsync(Dataset(), new Twists { PaddedSorts = single });
        const int Spent = 6 + (5 * 24) + 6;
        var results = await ConformanceEngine.RunAsync(WithProfile(provider, "budget", new JsonObject { ["requestBudget"] = Spent }, "CSL-010"));

        var cases = Cases(results, "CSL-010").ToDictionary(c => c.Element);
        var mirrored = cases["sort=-name,+started_at"];
        mirrored.Verdict.Should().Be(Verdict.Pass, Show(cases.Values));
        mirrored.Partial.Should().Contain("sort=-name,-started_at (started_at the other way) was not asked for: its walk read no page", Show(cases.Values));
        mirrored.Notes.Should().NotContain(n => n.StartsWith("also asked", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_sort_that_ignores_its_second_field_is_not_a_pass()
    {
        // The provider sorts by the first field alone, ties by id. The fixture's ids follow started_at within each name,
        // so sort=-name,+started_at comes back right by chance; sort=-name,-started_at, the second field the other way,
        // does not. With every name different, the second field orders nothing: the same provider, and a right one,
        // come back in the very same order, so neither may pass those cases whole.
        string[] twoFields = ["sort=-name,+started_at", "sort=-name,-started_at"];
        await using (var ignoring = await ProviderAsync(Dataset(), new Twists { SortFirstKeyOnly = true }))
        {
            var cases = Cases(await ConformanceEngine.RunAsync(AdHoc(ignoring, "CSL-010")), "CSL-010");
            var descending = cases.Single(c => c.Element == twoFields[1]);
            descending.Verdict.Should().Be(Verdict.Fail, Show(cases));
            descending.Findings.Should().Contain(f => f is OrderViolation);
        }

        var unique = Dataset();
        for (var i = 0; i < unique.Count; i++)
        {
            unique[i]["name"] = $"Session {(i * 7 % 36) + 100}";
        }

        foreach (var twists in new[] { new Twists { SortFirstKeyOnly = true }, new Twists() })
        {
            await using var provider = await ProviderAsync(unique, twists);

            var cases = Cases(await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-010")), "CSL-010");

            foreach (var two in cases.Where(c => twoFields.Contains(c.Element)))
            {
                two.Verdict.Should().Be(Verdict.Pass, two.Message);
                two.Partial.Should().Contain("cannot tell a provider that ignores /startedAt", $"{two.Element} with {twists}");
            }

            cases.Should().HaveCount(7);
            cases.Where(c => !twoFields.Contains(c.Element)).Should().OnlyContain(c => c.Verdict == Verdict.Pass && (c.Partial == null || c.Partial.Contains("already comes in the order")), Show(cases));
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_two_field_sort_case_asks_its_second_field_the_other_way_itself(bool firstKeyOnly)
    {
        // sort=-name,+started_at alone: a provider that ignores the second field (ties by id, which follow started_at)
        // or its direction (always ascending) answers it right. The case asks -name,-started_at too, whatever the
        // contract's other examples are, and that order comes back wrong.
        await using var provider = await ProviderAsync(Dataset(), firstKeyOnly ? new Twists { SortFirstKeyOnly = true } : new Twists { LaterKeysAscending = true });

        var cases = Cases(await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-010")), "CSL-010");

        var ascending = cases.Single(c => c.Element == "sort=-name,+started_at");
        ascending.Verdict.Should().Be(Verdict.Fail, Show(cases));
        ascending.Findings.OfType<OrderViolation>().Should().NotBeEmpty().And.OnlyContain(f => f.Subject!.Contains("-name,-started_at"));
    }

    [Test]
    public async Task A_provider_that_ignores_sort_and_filters_is_not_a_whole_pass_on_an_empty_list()
    {
        // A tenant without records: a provider that sorts and filters nothing returns the very same empty pages as a
        // right one, so neither may pass the sort and filter cases whole.
        await using var provider = await ProviderAsync([]);

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-010", "CSL-013", "CSL-014"));

        var cases = results.Requirements.SelectMany(r => r.Cases).ToList();
        cases.Should().NotBeEmpty();
        cases.Should().OnlyContain(c => c.Verdict == Verdict.Pass && c.Partial != null && c.Partial.Contains("cannot tell a provider that ignores"), Show(cases));
    }

    [Test]
    public async Task Names_that_look_like_numbers_sorted_as_text_pass_the_sort_check()
    {
        // A-CSL-18: name sorts in ordinal order. Sessions named after numbers ("9", "10", phone numbers) sort
        // "10" before "9"; the check compared anything that parsed as a number as a number.
        var data = Dataset();
        for (var i = 0; i < data.Count; i++)
        {
            data[i]["name"] = (i * 7 % 40 + 1).ToString(CultureInfo.InvariantCulture);
        }

        await using var provider = await ProviderAsync(data);

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-010"));

        var cases = Cases(results, "CSL-010");
        cases.Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases));
    }

    [Test]
    public async Task CSV_rows_short_of_a_field_are_named_by_the_export_check()
    {
        // Each row leaves out its last field. The rows were compared column by column only as far as each row went,
        // and the analysis's field-count problems were not read: every value present matched, and the case passed.
        await using var provider = await ProviderAsync(Dataset(), new Twists { CsvRowsShort = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-021"));

        var cases = Cases(results, "CSL-021");
        var withRows = cases.Where(c => !c.Element.EndsWith("@no-sessions", StringComparison.Ordinal)).ToList();
        withRows.Should().HaveCount(14, Show(cases));
        withRows.Where(c => c.Element.StartsWith("CSV@", StringComparison.Ordinal)).Should().HaveCount(7);
        withRows.Should().OnlyContain(c => c.Findings.OfType<CsvRowProblem>().Any(), Show(cases));
        ByFormat(withRows, cases);
    }

    [Test]
    public async Task A_search_that_ignores_the_name_fails_the_search_requirement()
    {
        // The page: the keyword matches the session name, clientId, ... This provider searches clientId only. The
        // keyword was always taken from clientId, so it returned the very records expected.
        await using var provider = await ProviderAsync(Dataset(), new Twists { SearchIgnoresName = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-017"));

        var outcome = Cases(results, "CSL-017").Should().ContainSingle().Subject;
        outcome.Verdict.Should().Be(Verdict.Fail, outcome.Message);
        outcome.Findings.OfType<MissingItems>().Should().ContainSingle(outcome.Message).Which.Subject.Should().Be("search=runo Lim");
    }

    [Test]
    public async Task An_id_filter_that_matches_a_prefix_fails_when_the_data_has_an_id_that_begins_others()
    {
        // One session's id is cs-103, the beginning of cs-1030 and four more; the provider matches id and chatId by
        // prefix. The value was the median record's id, which begins no other, so the prefix match returned just it.
        // No chatId begins or ends another: there the case cannot tell, and says so.
        var data = Dataset();
        data.Single(r => Text(r["id"]) == "cs-1031")["id"] = "cs-103";
        await using var provider = await ProviderAsync(data, new Twists { EqualsByPrefix = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-016"));

        var cases = Cases(results, "CSL-016").ToDictionary(c => c.Element);
        cases["id"].Verdict.Should().Be(Verdict.Fail, Show(cases.Values));
        cases["id"].Findings.OfType<UnexpectedItem>().Should().HaveCount(5, cases["id"].Message).And.OnlyContain(f => f.Subject == "id=cs-103");
        cases["chatId"].Verdict.Should().Be(Verdict.Pass, Show(cases.Values));
        cases["chatId"].Notes.Should().Contain(n => n.Contains("cannot tell an exact match from a prefix or substring match", StringComparison.Ordinal));
    }

    [Test]
    public async Task Selected_fields_with_null_values_fail_the_field_selection_requirement()
    {
        // fields=id,name gives records of exactly id and name, each null. Only the names of the fields were looked at.
        await using var provider = await ProviderAsync(Dataset(), new Twists { SelectedValuesNull = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-011"));

        var cases = Cases(results, "CSL-011");
        cases.Should().HaveCount(2).And.OnlyContain(c => c.Verdict == Verdict.Fail, Show(cases));
        var first = cases.Single(c => c.Element == "fields=id,name").Findings.OfType<ValueMismatch>().First();
        (first.At, first.Expected, first.Received).Should().Be(("record 1, id", "\"cs-1031\", as the record without fields has it", "null"));
    }

    [Test]
    public async Task A_selection_applied_to_the_first_hundred_records_only_fails_the_field_selection_requirement()
    {
        // 120 sessions; fields is ignored once an offset is given. One call of limit=100 saw only records 1 to 100.
        var data = LongerDataset();
        await using var provider = await ProviderAsync(data, new Twists { FieldsOnFirstPageOnly = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-011"));

        var cases = Cases(results, "CSL-011");
        cases.Should().HaveCount(2).And.OnlyContain(c => c.Verdict == Verdict.Fail, Show(cases));
        // The first record of a second page, whatever the page's size: the list is judged on a window (its prefix
        // does not reach its end within the default budget), paged by half the window when it fits one page.
        foreach (var c in cases)
        {
            var record = int.Parse(c.Findings.OfType<ValueMismatch>().First().At["record ".Length..], CultureInfo.InvariantCulture);
            record.Should().BeGreaterThan(1, Show(cases));
            c.Findings[0].Subject.Should().EndWith($", offset={record - 1}", Show(cases));
        }
    }

    [Test]
    public async Task Records_that_only_a_range_on_another_field_returns_are_extra_items_inside_the_window_though_it_walks_past_it()
    {
        // 120 sessions, judged on a window of createdAt. dateRangeField=updatedAt takes the endpoint's one range away
        // from the window, so that walk goes over the whole list: what it returns from outside the window is checked
        // against the filter only. Inside the window, a record the window's walk never saw is still an extra item.
        var data = LongerDataset();
        await using var provider = await ProviderAsync(data, new Twists { UpdatedRangeAddsCopies = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-012"));

        var cases = Cases(results, "CSL-012");
        var updated = cases.Where(c => c.Element.Contains("updatedAt", StringComparison.Ordinal)).ToList();
        updated.Should().NotBeEmpty(Show(cases)).And.OnlyContain(c => c.Verdict == Verdict.Fail, Show(cases));
        updated.SelectMany(c => c.Findings).OfType<ExtraItems>().Should().NotBeEmpty(Show(cases)).And.OnlyContain(f => f.Example!.EndsWith("-copy", StringComparison.Ordinal));
        updated.Should().OnlyContain(c => c.Notes.Any(n => n.Contains("replaces the window's date range", StringComparison.Ordinal)), "the run was on a window");
        cases.Where(c => !c.Element.Contains("updatedAt", StringComparison.Ordinal)).Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases));
    }

    [TestCase(120, false, null)]
    [TestCase(600, true, null)]
    [TestCase(600, true, 40)]
    public async Task On_a_window_a_lone_start_that_reaches_records_past_it_judges_those_by_the_filter_only(int sessions, bool stops, int? maxItems)
    {
        // Sessions listed oldest first, judged on a window of createdAt, which the suite places at the newest date of the
        // list's first pages: the newest of the oldest. startDate alone is asked without the window, so it returns the
        // newer records past the window too, which the window's walk never saw. They are no extra items: they are judged
        // against the lone bound only (120 sessions). A walk that goes on past its bound (600) says what it did not check
        // in a note, as the lone end bound does, and leaves the case whole.
        var data = ByDate(sessions, newestFirst: false);
        await using var provider = await ProviderAsync(data);

        var results = await ConformanceEngine.RunAsync(maxItems is { } cap ? WithPaginationLimit(provider, "maxItems", cap, "CSL-012") : AdHoc(provider, "CSL-012"));

        var cases = Cases(results, "CSL-012");
        var created = cases.Single(c => c.Element == "dateRangeField=createdAt");
        created.Verdict.Should().Be(Verdict.Pass, Show(cases));
        if (maxItems is not null)
        {
            // A walk that keeps no more items than the contract's cap did not stop at its own page bound: checked in part.
            created.Partial.Should().Contain($"the walk of dateRangeField=createdAt&startDate=", Show(cases)).And.Contain("stopped before its end");
            return;
        }

        created.Partial.Should().BeNull("a walk outside the window that could not be judged whole is said in a note, as the lone end bound is");
        if (stops)
        {
            created.Notes.Should().Contain(n => n.StartsWith("the walk of dateRangeField=createdAt&startDate=", StringComparison.Ordinal) && n.EndsWith("as a walk outside the window", StringComparison.Ordinal),
                Show(cases));
        }
        else
        {
            created.Notes.Should().Contain(n => n.Contains("is asked without the window", StringComparison.Ordinal) && !n.Contains(": 0 items it returned lie outside", StringComparison.Ordinal),
                "records past the window came back, and were judged by the filter only: " + Show(cases));
        }
    }

    [Test]
    public async Task On_a_window_a_lone_end_that_is_ignored_is_not_a_pass()
    {
        // 600 sessions, newest first, judged on a window of createdAt at the list's newest end. endDate alone reaches past
        // the window's start, over the whole list before it, so its walk stops at its page bound; but a provider that
        // ignores a lone endDate returns the records after it on its first page, and those are judged.
        var data = ByDate(600, newestFirst: true);
        await using var provider = await ProviderAsync(data, new Twists { LoneEndIgnored = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-012"));

        var cases = Cases(results, "CSL-012");
        cases.Should().HaveCount(2).And.OnlyContain(c => c.Verdict != Verdict.Pass, Show(cases));
        cases.Should().OnlyContain(c => c.Findings.OfType<UnexpectedItem>().Any(f => f.Subject!.Contains("&endDate=", StringComparison.Ordinal) && !f.Subject.Contains("startDate=", StringComparison.Ordinal)), Show(cases));
        cases.Should().OnlyContain(c => c.Notes.Any(n => n.Contains("certified on the window /createdAt", StringComparison.Ordinal)), "on a window");
    }

    [Test]
    public async Task On_a_window_a_schema_fault_in_records_outside_it_is_left_to_the_list_s_schema_requirement()
    {
        // 600 sessions newest first; all but the newest 350 carry a messengerType outside its enum. The window (some 314
        // records, at the newest end) and the list's first pages validate; the lone end's walk, asked without the window,
        // goes on into the older records. Their fault is the whole list's, which the window's walk never saw: not this
        // filter's alone.
        var data = ByDate(600, newestFirst: true);
        foreach (var old in data.Skip(350))
        {
            old["messengerType"] = "FAX";
        }

        await using var provider = await ProviderAsync(data);

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-012"));

        var cases = Cases(results, "CSL-012");
        cases.Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases));
        cases.Should().OnlyContain(c => c.Evidence.Count == 0, "no finding, so no exchange is kept as evidence");
        cases.Single(c => c.Element == "dateRangeField=createdAt").Notes.Should().Contain(n => n.StartsWith("dateRangeField=createdAt&endDate=", StringComparison.Ordinal)
            && n.Contains("schema violations in records outside the window, which the window's walk never saw, left to the list's own schema requirement", StringComparison.Ordinal), Show(cases));

        // And where every record is sound, no such note.
        await using var sound = await ProviderAsync([.. data.Select(d => { var c = d.DeepClone().AsObject(); c["messengerType"] = Dataset()[0]["messengerType"]!.DeepClone(); return c; })]);
        Cases(await ConformanceEngine.RunAsync(AdHoc(sound, "CSL-012")), "CSL-012").SelectMany(c => c.Notes).Should().NotContain(n => n.Contains("schema violation", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_filtered_walk_that_stops_at_the_page_bound_leaves_its_case_checked_in_part()
    {
        // operatorType comes back padded to 165 records, more than the contract's page bound (10 pages of 7) walks; the
        // unfiltered list, 36 records, ends within it. What the filtered walk returned matches, but whether a record is
        // missing past its last page is not known: the case may not pass whole.
        await using var provider = await ProviderAsync(Dataset(), new Twists { PaddedFilter = "operatorType" });

        var results = await ConformanceEngine.RunAsync(WithPaginationLimit(provider, "maxPages", 10, "CSL-014"));

        var cases = Cases(results, "CSL-014");
        cases.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases));
        cases.Should().OnlyContain(c => c.Partial != null && c.Partial.Contains("stopped before its end", StringComparison.Ordinal)
            && c.Partial.Contains("not that none is missing", StringComparison.Ordinal), Show(cases));
    }

    [Test]
    public async Task A_date_range_read_by_its_clock_time_whatever_its_utc_offset_is_not_a_pass()
    {
        // The provider reads startDate and endDate as clock times in UTC, the offset dropped (or compares them as text).
        // The bounds were the data's own values, written as the data writes them (+00:00): read either way, they are
        // the same instants, and the case passed whole.
        await using var provider = await ProviderAsync(Dataset(), new Twists { RangeIgnoresOffset = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-012"));

        var cases = Cases(results, "CSL-012");
        cases.Should().HaveCount(2, Show(cases)).And.OnlyContain(c => c.Verdict != Verdict.Pass, Show(cases));
        cases.Should().OnlyContain(c => c.Findings.OfType<MissingItems>().Any(), Show(cases));
    }

    [TestCase(3, false)]
    [TestCase(30, true)]
    public async Task A_lone_date_bound_that_the_provider_closes_itself_passes_only_beyond_the_data_and_the_case_says_how_far_it_reached(int days, bool passes)
    {
        // Given startDate alone the provider returns the records of the days after it only (endDate alone: before it). The
        // data spans about two weeks: a span shorter than what lies past the bound leaves records out; a longer one
        // returns the very records a bound that bounds its own side only does, which the case cannot tell and says.
        await using var provider = await ProviderAsync(Dataset(), new Twists { LoneBoundSpan = TimeSpan.FromDays(days) });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-012"));

        var cases = Cases(results, "CSL-012");
        cases.Should().HaveCount(2, Show(cases)).And.OnlyContain(c => (c.Verdict == Verdict.Pass) == passes, Show(cases));
        cases.Should().OnlyContain(c => c.Notes.Any(n => n.StartsWith("startDate alone was judged on records up to ", StringComparison.Ordinal) && n.Contains(" days after it", StringComparison.Ordinal))
            && c.Notes.Any(n => n.StartsWith("endDate alone was judged on records up to ", StringComparison.Ordinal)), Show(cases));
        if (!passes)
        {
            // A record left out with one bound alone, the range given both passing.
            cases.Should().OnlyContain(c => c.Findings.OfType<MissingItems>().Any(f => f.Subject!.Contains("startDate=", StringComparison.Ordinal) != f.Subject.Contains("endDate=", StringComparison.Ordinal)), Show(cases));
        }
    }

    [Test]
    public async Task A_last_page_that_holds_more_than_the_limit_fails_the_page_size_requirement()
    {
        // 36 records at 7 a page: the fifth page takes the one record left after it and holds 8. Both walks (by offset
        // and by page) read the same 36 records, none twice, in the same pages, and the page sizes were tried on the
        // first page only, where the list goes on far past them.
        await using var provider = await ProviderAsync(Dataset(), new Twists { LastPageTakesTail = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-006", "CSL-008"));

        var cases = Cases(results, "CSL-006").ToDictionary(c => c.Element);
        var seven = cases["limit=7"];
        seven.Verdict.Should().Be(Verdict.Fail, Show(cases.Values));
        seven.Findings.OfType<CountMismatch>().Should().ContainSingle(seven.Message).Which.Should().Match<CountMismatch>(f => f.Expected == 7 && f.Received == 8);
        cases.Values.Where(c => c.Element != "limit=7").Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases.Values));
    }

    [Test]
    public async Task Values_written_otherwise_than_the_json_listing_in_CSV_EXCEL_break_an_assumption_not_the_page()
    {
        // The page says of CSV_EXCEL only: a UTF-8 BOM and ';'. That its values are written as the JSON listing writes
        // them (false, not FALSE) is assumed (A-CSL-14): a provider that writes Excel's booleans keeps every rule of the
        // page, and breaking the assumption is a deviation, not a fail of the documented format.
        await using var provider = await ProviderAsync(Dataset(), new Twists { ExcelBooleans = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-021"));

        var cases = Cases(results, "CSL-021").ToDictionary(c => c.Element);
        // The formats' rows with a boolean: the whole list's, and the slices of it.
        string[] withBooleans = ["CSV_EXCEL@all-sessions", "CSV_EXCEL@sorted-slice", "CSV_EXCEL@paged-slice", "CSV_EXCEL@dated-slice", "CSV_EXCEL@chat-slice", "CSV_EXCEL@searched-slice"];
        foreach (var excel in withBooleans.Select(e => cases[e]))
        {
            excel.Verdict.Should().Be(Verdict.Deviation, Show(cases.Values));
            excel.Findings.OfType<CsvRowProblem>().Should().NotBeEmpty().And.OnlyContain(f => f.Value == "FALSE" || f.Value == "TRUE", excel.Message);
        }

        cases.Values.Where(c => !withBooleans.Contains(c.Element)).Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases.Values));
    }

    [Test]
    public async Task A_CSV_EXCEL_export_labelled_as_an_excel_file_breaks_an_assumption_not_the_page()
    {
        // The page gives CSV_EXCEL a BOM and ';', and no media type: text/csv is assumed (A-CSL-14), so an export labelled
        // application/vnd.ms-excel is a deviation. It failed, judged on the format's documented basis.
        await using var provider = await ProviderAsync(Dataset(), new Twists { ExcelMediaType = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-021"));

        var cases = Cases(results, "CSL-021");
        var excel = cases.Where(c => c.Element.StartsWith("CSV_EXCEL@", StringComparison.Ordinal)).ToList();
        excel.Should().HaveCount(8, Show(cases)).And.OnlyContain(c => c.Verdict == Verdict.Deviation, Show(cases));
        excel.Should().OnlyContain(c => c.Findings.Count == 1 && c.Findings[0] is HeaderMismatch, Show(cases));
        cases.Except(excel).Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases));
    }

    /// <summary>The export scenario that asks a filter no other export scenario asks (sorted-slice for the rest).</summary>
    private static string ExportScenarioOf(string parameter) => parameter switch
    {
        "startDate" or "endDate" => "@dated-slice",
        "chatId" or "clientMessagesOnly" or "companyId" => "@chat-slice",
        "search" or "operatorType" or "minMessages" => "@searched-slice",
        _ => "@sorted-slice",
    };

    /// <summary>The filters only scenarios chat-slice and searched-slice ask an export for.</summary>
    private static readonly string[] SlicedFilters = ["chatId", "clientMessagesOnly", "companyId", "search", "operatorType", "minMessages"];

    private static readonly string[] CsvIgnored = ["messengerTypes", "sort", "offset", "startDate", .. SlicedFilters];

    private static readonly string[] ZipIgnored = ["messengerTypes", "sort", "offset", "fields", "page", "endDate", .. SlicedFilters];

    [TestCaseSource(nameof(CsvIgnored))]
    public async Task A_CSV_export_that_ignores_a_parameter_the_listing_applies_is_not_a_pass(string ignored)
    {
        // The CSV formats leave out one of messengerTypes, sort, offset, startDate and the six filters of chat-slice and
        // searched-slice; the JSON listing applies it. The exports were compared with the listing of the whole list, of
        // one session and of some fields only, where none of them is asked (startDate: until scenario dated-slice, no
        // export case asked a date range; the six filters: until those two scenarios, no export case asked them).
        await using var provider = await ProviderAsync(Dataset(), new Twists { CsvIgnores = ignored });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-021"));

        var cases = Cases(results, "CSL-021");
        // Scenario paged-slice asks a sort too (and page, not offset or messengerTypes).
        var narrowed = cases.Where(c => c.Element.EndsWith(ExportScenarioOf(ignored), StringComparison.Ordinal) || (ignored == "sort" && c.Element.EndsWith("@paged-slice", StringComparison.Ordinal))).ToList();
        narrowed.Should().HaveCount(ignored == "sort" ? 4 : 2, Show(cases));
        narrowed.Should().OnlyContain(c => c.Findings.Any(f => f is CountMismatch || f is CsvRowProblem), Show(cases));
        ByFormat(narrowed, cases);
    }

    [Test]
    public async Task A_JSON_or_zip_download_without_the_asked_file_name_is_not_a_pass()
    {
        // filename names the download (A-CSL-16: Content-Disposition: attachment; filename="<filename>.<ext>"). This
        // provider names only its CSV files: asked for JSON, or for a zip, with a file name, it sends no Content-Disposition.
        // CSL-023 tried the CSV formats only, and passed.
        await using var provider = await ProviderAsync(Dataset(), new Twists { DispositionOnlyForCsv = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-023"));

        var cases = Cases(results, "CSL-023");
        var named = cases.Where(c => c.Element.StartsWith("JSON", StringComparison.Ordinal) || c.Element.Contains("zip", StringComparison.Ordinal)).ToList();
        named.Should().HaveCount(4, Show(cases)).And.OnlyContain(c => c.Verdict == Verdict.Deviation, Show(cases)); // the header is assumed (A-CSL-16)
        named.Should().OnlyContain(c => c.Findings.OfType<HeaderMismatch>().Any(f => f.Header == "Content-Disposition" && f.Received == null), Show(cases));
        named.Where(c => c.Element.Contains("zip", StringComparison.Ordinal)).Should().OnlyContain(c => c.Findings.OfType<HeaderMismatch>().Single().Expected == "attachment; filename=\"sessions-export.zip\"", Show(cases));
        cases.Except(named).Should().HaveCount(2).And.OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases));
    }

    [Test]
    public async Task A_zip_whose_entry_is_not_the_export_is_not_a_pass()
    {
        // zip=true holds one entry of the right name, whose JSON is {} (valid against the body schema) and whose CSV
        // has the right header over the records in reverse order. The entry was judged on its schema or header only.
        await using var provider = await ProviderAsync(Dataset(), new Twists { ZipEntryOther = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-022"));

        var cases = Cases(results, "CSL-022").ToDictionary(c => c.Element);
        cases.Should().HaveCount(23); // the five of the whole list, and each format on some-fields, sorted-slice, paged-slice, dated-slice, chat-slice and searched-slice
        cases.Values.Should().OnlyContain(c => c.Verdict == Verdict.Deviation, Show(cases.Values)); // the zip's content is assumed (A-CSL-15)
        cases["JSON"].Findings.OfType<CountMismatch>().Should().ContainSingle().Which.Should().Match<CountMismatch>(f => f.Expected == 36 && f.Received == 0);
        cases["CSV"].Findings.OfType<CsvRowProblem>().Should().NotBeEmpty();
    }

    [Test]
    public async Task A_CSV_export_that_ignores_the_limit_is_not_a_pass()
    {
        // The CSV formats hold every record from the offset on, whatever the limit ("export everything"); the JSON
        // listing holds limit of them. Every export case asked limit=100 over fewer records, where both are the same.
        await using var provider = await ProviderAsync(Dataset(), new Twists { CsvUnlimited = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-021"));

        var cases = Cases(results, "CSL-021");
        // The slices: sorted-slice (by offset) and paged-slice (by page), each asking limit=10 of more records.
        var limited = cases.Where(c => c.Element.EndsWith("@sorted-slice", StringComparison.Ordinal) || c.Element.EndsWith("@paged-slice", StringComparison.Ordinal)).ToList();
        limited.Should().HaveCount(4, Show(cases));
        limited.Should().OnlyContain(c => c.Findings.OfType<CountMismatch>().Any(f => f.Expected < f.Received), Show(cases));
        ByFormat(limited, cases);
    }

    [TestCaseSource(nameof(ZipIgnored))]
    public async Task A_zip_export_that_ignores_a_parameter_the_listing_applies_is_not_a_pass(string ignored)
    {
        // zip=true leaves out one of messengerTypes, sort, offset, fields, page, endDate and the six filters of chat-slice
        // and searched-slice; the export without zip and the JSON listing apply it. The zips were compared with the
        // listing of the whole list only, where none of them is asked.
        await using var provider = await ProviderAsync(Dataset(), new Twists { ZipIgnores = ignored });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-021", "CSL-022"));

        Cases(results, "CSL-021").Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(Cases(results, "CSL-021")));
        var cases = Cases(results, "CSL-022");
        // Each is asked by one scenario; sort by the two slices (paged-slice: page and sort, no offset nor messengerTypes).
        string[] scenarios = ignored switch { "fields" => ["@some-fields"], "page" => ["@paged-slice"], "sort" => ["@sorted-slice", "@paged-slice"], _ => [ExportScenarioOf(ignored)] };
        var narrowed = cases.Where(c => scenarios.Any(s => c.Element.EndsWith(s, StringComparison.Ordinal))).ToList();
        narrowed.Select(c => c.Element).Should().BeEquivalentTo(scenarios.SelectMany(s => new[] { "JSON", "CSV", "CSV_EXCEL" }.Select(f => f + s)), Show(cases));
        // The zip's content is assumed (A-CSL-15); a CSV_EXCEL header of other columns breaks the documented format, as CSL-021 judges it.
        narrowed.Should().OnlyContain(c => c.Verdict == (ignored == "fields" && c.Element.StartsWith("CSV_EXCEL@", StringComparison.Ordinal) ? Verdict.Fail : Verdict.Deviation), Show(cases));
        narrowed.Should().OnlyContain(c => c.Findings.Any(f => f is CountMismatch || f is CsvRowProblem || f is ValueMismatch || f is CsvHeaderProblem), Show(cases));
        cases.Except(narrowed).Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases));
    }

    [Test]
    public async Task A_date_range_on_another_field_than_dateRangeField_names_fails()
    {
        // dateRangeField=updatedAt is read as createdAt. The bounds were the quartiles of updatedAt: the only record
        // the wrong field put on the other side was the one at a bound, whose absence reads as an exclusive bound (the
        // assumed inclusiveness, A-CSL-10), so the case was a deviation, and the run certified. The bounds now leave
        // records that the two fields put on either side of them away from the bounds too: the documented field is not applied.
        await using var provider = await ProviderAsync(Dataset(), new Twists { RangeAlwaysOnCreatedAt = true });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-012"));

        var cases = Cases(results, "CSL-012").ToDictionary(c => c.Element);
        var updated = cases["dateRangeField=updatedAt"];
        updated.Verdict.Should().Be(Verdict.Fail, Show(cases.Values));
        updated.Findings.Should().Contain(f => f is MissingItems || f is UnexpectedItem, updated.Message);
        cases["dateRangeField=createdAt"].Verdict.Should().Be(Verdict.Pass, Show(cases.Values));
    }

    [Test]
    public async Task A_CSV_export_that_ignores_page_is_not_a_pass()
    {
        // The CSV formats leave out page (the first page, whatever page is asked); the JSON listing applies it. No export
        // case asked page: the slice is asked by offset.
        await using var provider = await ProviderAsync(Dataset(), new Twists { CsvIgnores = "page" });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "CSL-021"));

        var cases = Cases(results, "CSL-021");
        var paged = cases.Where(c => c.Element.EndsWith("@paged-slice", StringComparison.Ordinal)).ToList();
        paged.Should().HaveCount(2, Show(cases));
        paged.Single(c => c.Element.StartsWith("CSV@", StringComparison.Ordinal)).Verdict.Should().Be(Verdict.Deviation, Show(cases)); // the CSV format is assumed (A-CSL-14)
        paged.Single(c => c.Element.StartsWith("CSV_EXCEL@", StringComparison.Ordinal)).Verdict.Should().Be(Verdict.Fail, Show(cases)); // the page documents CSV_EXCEL
        paged.Should().OnlyContain(c => c.Findings.OfType<CsvRowProblem>().Any(), Show(cases));
        cases.Except(paged).Should().OnlyContain(c => c.Verdict == Verdict.Pass, Show(cases));
    }
}
