using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using ConformanceSuite.Cli;

namespace ConformanceSuite.Tests;

/// <summary>
/// The mock at scale (<c>--scale N</c>): the list APIs serve N items generated from their fixtures, the same
/// bytes for the same N, every item once, every filter exact, get-by-id for generated ids, the faults still
/// working, and each page costing O(page) positions of work (the mock's own counter, not a stopwatch).
/// </summary>
[TestFixture]
public sealed class ScaledMockTests
{
    private const string OpenCx = "opencx-chat-sessions";
    private const string Csl = "chat-session-list";
    private const int N = 5_000;

    /// <summary>One scaled mock for the fixture's read-only tests (each test resets the work counters it reads).</summary>
    private MockHost mock = null!;
    private HttpClient http = null!;
    private List<JsonObject> openCxWalk = null!;
    private List<JsonObject> cslListing = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        mock = await StartAsync(N);
        http = Client(mock);
        openCxWalk = (await WalkAsync(http, mock, OpenCx, "")).Items;
        cslListing = await ListingAsync(http, mock, "");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        http.Dispose();
        await mock.DisposeAsync();
    }

    private static Task<MockHost> StartAsync(int scale, params string[] faults) => MockHost.StartAsync(new MockOptions
    {
        Layout = Harness.Layout,
        Contracts = Harness.Contracts,
        Required = [OpenCx, Csl],
        Scale = scale,
        Faults = faults,
    });

    private static HttpClient Client(MockHost host) => new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = host.ApiOrigin, Timeout = TimeSpan.FromSeconds(30) };

    private static HttpRequestMessage Request(MockHost host, string api, string pathAndQuery)
    {
        var credential = Harness.Contracts[api].Auth.Credentials.Single();
        var token = host.Apis.Single(a => a.ApiId == api).Credentials[credential.Name];
        var request = new HttpRequestMessage(HttpMethod.Get, $"/{api}{pathAndQuery}");
        request.Headers.TryAddWithoutValidation(credential.Name, credential.Scheme is null ? token : $"{credential.Scheme} {token}");
        return request;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, MockHost host, string api, string pathAndQuery)
    {
        using var response = await http.SendAsync(Request(host, api, pathAndQuery));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static T Mock<T>(MockHost host, string api)
        where T : IMockApi => host.Apis.OfType<T>().Single(a => a.ApiId == api);

    /// <summary>A whole cursor walk of the OpenCX list with a query: its items in order, and each page's raw body.</summary>
    private static async Task<(List<JsonObject> Items, List<string> Pages)> WalkAsync(HttpClient http, MockHost host, string api, string query, int maxPages = 2_000)
    {
        var items = new List<JsonObject>();
        var pages = new List<string>();
        string? cursor = null;
        do
        {
            var q = string.Join("&", new[] { query, cursor is null ? "" : "cursor=" + Uri.EscapeDataString(cursor) }.Where(s => s.Length > 0));
            var (status, body) = await GetAsync(http, host, api, "/chat/sessions" + (q.Length > 0 ? "?" + q : ""));
            status.Should().Be(HttpStatusCode.OK, body);
            pages.Add(body);
            var page = JsonNode.Parse(body)!.AsObject();
            items.AddRange(page["items"]!.AsArray().Select(i => i!.AsObject()));
            cursor = page["next"]?.GetValue<string>();
            pages.Count.Should().BeLessThan(maxPages, "the walk ends");
        }
        while (cursor is not null);

        return (items, pages);
    }

    /// <summary>Every record of the chat-session-list with a query, by offset pages of 100, and the total each page reported.</summary>
    private static async Task<List<JsonObject>> ListingAsync(HttpClient http, MockHost host, string query)
    {
        var records = new List<JsonObject>();
        for (var offset = 0; ; offset += 100)
        {
            var (status, body) = await GetAsync(http, host, Csl, $"/chat-sessions?list=true&count=true&limit=100&offset={offset}{(query.Length > 0 ? "&" + query : "")}");
            status.Should().Be(HttpStatusCode.OK, body);
            var page = JsonNode.Parse(body)!.AsObject();
            var list = page["list"]!.AsArray().Select(i => i!.AsObject()).ToList();
            records.AddRange(list);
            if (list.Count < 100)
            {
                page["total"]!.GetValue<int>().Should().Be(records.Count, $"the total of '{query}' counts what the pages hold");
                return records;
            }
        }
    }

    private static string Id(JsonObject item) => item["id"]!.GetValue<string>();

    private static DateTimeOffset Date(JsonObject item, string name) => IsoDates.Parse(item[name]!.GetValue<string>())!.Value;

    private static List<JsonObject> FixtureItems(string api) =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(Harness.Layout.ApiFixtures(api), "dataset.json")))!["items"]!.AsArray().Select(i => i!.AsObject())];

    [Test]
    public async Task The_same_scale_gives_the_same_bytes()
    {
        await using var again = await StartAsync(N);
        using var client = Client(again);

        var (_, first) = await WalkAsync(http, mock, OpenCx, "");
        var (_, second) = await WalkAsync(client, again, OpenCx, "");
        var cslLast = await GetAsync(http, mock, Csl, "/chat-sessions?list=true&count=true&limit=100&offset=4950&sort=-started_at");
        var cslLastAgain = await GetAsync(client, again, Csl, "/chat-sessions?list=true&count=true&limit=100&offset=4950&sort=-started_at");

        second.Should().HaveCount(first.Count);
        second[0].Should().Be(first[0], "the first page is the same, byte for byte");
        second[^1].Should().Be(first[^1], "and so is the last");
        second[first.Count / 2].Should().Be(first[first.Count / 2]);
        cslLastAgain.Body.Should().Be(cslLast.Body);
    }

    [Test]
    public void A_cursor_walk_serves_every_item_once_oldest_first_with_the_fixture_items_among_them()
    {
        var fixture = FixtureItems(OpenCx);

        openCxWalk.Should().HaveCount(N);
        openCxWalk.Select(Id).Should().OnlyHaveUniqueItems();
        openCxWalk.Select(Id).Should().AllSatisfy(id => Guid.TryParseExact(id, "D", out _).Should().BeTrue($"{id} is a uuid like the fixture's"));
        openCxWalk.Select(Id).Should().Contain(fixture.Select(Id), "the fixture's own items are part of the data set");
        var created = openCxWalk.Select(i => Date(i, "created_at")).ToList();
        created.Should().BeInAscendingOrder("the fixture lists oldest first, and so does the scaled list")
            .And.OnlyHaveUniqueItems("no two items share a created time");
        created[^1].Should().Be(fixture.Select(i => Date(i, "created_at")).Max(), "the span ends at the fixture's newest item");
        (created[^1] - created[0]).Should().BeCloseTo(TimeSpan.FromMinutes(5 * (N - fixture.Count)), TimeSpan.FromMinutes(5), "one item every five minutes");
        openCxWalk.Should().AllSatisfy(i => Date(i, "updated_at").Should().BeOnOrAfter(Date(i, "created_at")));
        foreach (var field in new[] { "status", "sentiment", "ai_closure_type", "language" })
        {
            openCxWalk.Select(i => i[field]?.ToJsonString()).Distinct().Should().BeEquivalentTo(fixture.Select(i => i[field]?.ToJsonString()).Distinct(), $"every {field} value of the fixture is kept");
        }
    }

    [Test]
    public void A_generated_item_copies_its_template_with_its_own_id_and_shifted_dates()
    {
        var fixture = FixtureItems(OpenCx);
        var ids = fixture.Select(Id).ToHashSet();
        var generated = openCxWalk.Where(i => !ids.Contains(Id(i))).ToList();

        generated.Should().HaveCount(N - fixture.Count);
        // In the served order, the generated items older than the whole fixture come first: item p copies template p.
        for (var p = 0; p < 3 * fixture.Count; p++)
        {
            var (item, template) = (openCxWalk[p], fixture[p % fixture.Count]);
            var shift = Date(item, "created_at") - Date(template, "created_at");
            Date(item, "updated_at").Should().Be(Date(template, "updated_at") + shift, "every date keeps its offset from created_at");
            var same = item.DeepClone().AsObject();
            same["id"] = Id(template);
            same["created_at"] = template["created_at"]!.DeepClone();
            same["updated_at"] = template["updated_at"]!.DeepClone();
            JsonNode.DeepEquals(same, template).Should().BeTrue($"item {p} is template {p % fixture.Count} but for its id and dates");
        }
    }

    private static TestCaseData Walk(string query, Func<JsonObject, bool> matches) =>
        new TestCaseData(query, matches).SetName($"a scaled cursor walk filtered by {query.Replace(",", " or ", StringComparison.Ordinal)} returns exactly the matching items");

    private static TestCaseData Listing(string query, Func<JsonObject, bool> matches) =>
        new TestCaseData(query, matches).SetName($"a scaled offset listing filtered by {query.Replace(",", " or ", StringComparison.Ordinal)} returns and counts exactly the matching records");

    public static IEnumerable<TestCaseData> OpenCxFilters()
    {
        string[] statuses = ["open", "closed_resolved", "closed_unresolved"];
        string[] channels = ["web", "email", "phone_voice", "slack", "sms", "whatsapp", "instagram", "messenger", "api", "web_voice"];
        foreach (var status in statuses)
        {
            yield return Walk($"status={status}", i => i["status"]!.GetValue<string>() == status);
        }

        foreach (var channel in channels)
        {
            yield return Walk($"channel_type={channel}", i => i["channel"]!["type"]!.GetValue<string>() == channel);
        }

        yield return Walk("handed_off=true", i => i["handoff"] is not null);
        yield return Walk("handed_off=false", i => i["handoff"] is null);
        // The 5,000 items span 2023-10-31 to 2023-11-17 (five minutes apart, ending at the fixture's newest).
        var bound = DateTimeOffset.Parse("2023-11-08T12:00:00Z", CultureInfo.InvariantCulture);
        yield return Walk("created_after=2023-11-08T12:00:00Z", i => Date(i, "created_at") > bound);
        yield return Walk("created_before=2023-11-08T12:00:00Z", i => Date(i, "created_at") < bound);
        yield return Walk("updated_after=2023-11-08T12:00:00Z", i => Date(i, "updated_at") > bound);
        yield return Walk("updated_before=2023-11-08T12:00:00Z", i => Date(i, "updated_at") < bound);
        var (low, high) = (DateTimeOffset.Parse("2023-11-03T00:00:00+02:00", CultureInfo.InvariantCulture), DateTimeOffset.Parse("2023-11-06T00:00:00Z", CultureInfo.InvariantCulture));
        yield return Walk("created_after=2023-11-03T00:00:00%2B02:00&created_before=2023-11-06T00:00:00Z&status=open",
            i => Date(i, "created_at") > low && Date(i, "created_at") < high && i["status"]!.GetValue<string>() == "open");
        yield return Walk("updated_after=2023-11-03T00:00:00%2B02:00&updated_before=2023-11-06T00:00:00Z&handed_off=true",
            i => Date(i, "updated_at") > low && Date(i, "updated_at") < high && i["handoff"] is not null);
        yield return Walk("status=open&channel_type=sms&handed_off=false",
            i => i["status"]!.GetValue<string>() == "open" && i["channel"]!["type"]!.GetValue<string>() == "sms" && i["handoff"] is null);
    }

    [TestCaseSource(nameof(OpenCxFilters))]
    public async Task A_filtered_walk_returns_exactly_the_matching_items_in_order(string query, Func<JsonObject, bool> matches)
    {
        var expected = openCxWalk.Where(matches).Select(Id).ToList();

        var (items, _) = await WalkAsync(http, mock, OpenCx, query);

        expected.Should().NotBeEmpty("the bound or value has matches in the scaled data");
        items.Select(Id).Should().Equal(expected, $"'{query}' returns the items a client-side filter of the full walk keeps");
    }

    [Test]
    public async Task A_bound_at_an_item_time_is_strict()
    {
        var at = openCxWalk[N / 2]["created_at"]!.GetValue<string>();

        var (after, _) = await WalkAsync(http, mock, OpenCx, "created_after=" + Uri.EscapeDataString(at));
        var (before, _) = await WalkAsync(http, mock, OpenCx, "created_before=" + Uri.EscapeDataString(at));

        after.Should().HaveCount(N - (N / 2) - 1);
        before.Should().HaveCount(N / 2);
    }

    [Test]
    public async Task A_page_costs_the_same_work_wherever_it_is_in_the_list()
    {
        var api = Mock<CursorListMockApi>(mock, OpenCx);
        foreach (var query in new[] { "", "status=closed_resolved", "handed_off=true", "created_after=2023-11-05T00:00:00Z", "updated_before=2023-11-10T00:00:00Z" })
        {
            api.Work.Reset();

            var (items, pages) = await WalkAsync(http, mock, OpenCx, query);

            api.Work.Requests.Should().Be(pages.Count);
            api.Work.MostInOneRequest.Should().BeLessThanOrEqualTo(11, $"'{query}': a page of 10 looks at its 10 items and the first of the next page, however deep");
            api.Work.Examined.Should().BeLessThanOrEqualTo(items.Count + pages.Count, "no page rescans from the start");
        }

        api.Work.Reset();
        await WalkAsync(http, mock, OpenCx, "status=open&channel_type=web");
        api.Work.MostInOneRequest.Should().BeLessThan(N / 10, "two filters walk the smaller index and test the other");
    }

    [Test]
    public async Task Get_by_id_finds_generated_items_in_one_lookup()
    {
        var api = Mock<CursorListMockApi>(mock, OpenCx);
        var listOnly = JsonNode.Parse(File.ReadAllText(Path.Combine(Harness.Layout.ApiFixtures(OpenCx), "dataset.json")))!["listOnlyFields"]!.AsArray()
            .Select(n => n!.GetValue<string>()).ToList();
        api.Work.Reset();

        foreach (var item in openCxWalk.Where((_, p) => p % 97 == 0 || p == N - 1))
        {
            var (status, body) = await GetAsync(http, mock, OpenCx, "/chat/sessions/" + Id(item));

            status.Should().Be(HttpStatusCode.OK, Id(item));
            var expected = item.DeepClone().AsObject();
            listOnly.ForEach(f => expected.Remove(f));
            JsonNode.DeepEquals(JsonNode.Parse(body), expected).Should().BeTrue($"get {Id(item)} returns the listed item without the list-only fields");
        }

        (await GetAsync(http, mock, OpenCx, "/chat/sessions/00000000-0000-4000-8000-00000000dead")).Status.Should().Be(HttpStatusCode.NotFound);
        api.Work.MostInOneRequest.Should().Be(1, "a get is one dictionary lookup");
    }

    [Test]
    public void The_offset_list_holds_every_generated_record_once_after_the_fixture_records()
    {
        var fixture = FixtureItems(Csl);

        cslListing.Should().HaveCount(N);
        cslListing.Select(Id).Should().OnlyHaveUniqueItems();
        cslListing.Take(fixture.Count).Select(Id).Should().Equal(fixture.Select(Id), "the fixture's order is kept, its records first");
        cslListing.Skip(fixture.Count).Select(Id).Should().AllSatisfy(id => id.Should().MatchRegex("^cs-[0-9]{4,}$", "a generated id has the fixture's pattern"));
        cslListing.Skip(fixture.Count).Select(i => Date(i, "createdAt")).Should().BeInAscendingOrder();
        cslListing.Select(i => Date(i, "createdAt")).Should().OnlyHaveUniqueItems();
        cslListing.Should().AllSatisfy(i => (Date(i, "startedAt") - Date(i, "createdAt")).Should().BeGreaterThanOrEqualTo(TimeSpan.Zero));
    }

    public static IEnumerable<TestCaseData> CslFilters()
    {
        yield return Listing("companyId=101", i => i["companyId"]!.GetValue<int>() == 101);
        yield return Listing("operatorType=BOT&clientMessagesOnly=true", i => i["operatorType"]!.GetValue<string>() == "BOT" && i["clientMessagesOnly"]!.GetValue<bool>());
        yield return Listing("messengerTypes=whatsapp,viber", i => i["messengerType"]!.GetValue<string>() is "whatsapp" or "viber");
        yield return Listing("minMessages=29", i => i["messagesCount"]!.GetValue<int>() >= 29);
        yield return Listing("search=LIENT-05", i =>
            i["name"]!.GetValue<string>().Contains("lient-05", StringComparison.OrdinalIgnoreCase) || i["clientId"]!.GetValue<string>().Contains("lient-05", StringComparison.OrdinalIgnoreCase));
        yield return Listing("chatId=chat-303", i => i["chatId"]!.GetValue<string>() == "chat-303");
        yield return Listing("id=cs-4000", i => Id(i) == "cs-4000");
        // The 5,000 records span 2024-02-29 to 2024-03-17.
        var (start, end) = (DateTimeOffset.Parse("2024-03-05T00:00:00Z", CultureInfo.InvariantCulture), DateTimeOffset.Parse("2024-03-08T00:00:00Z", CultureInfo.InvariantCulture));
        yield return Listing("dateRangeField=updatedAt&startDate=2024-03-05T00:00:00Z&endDate=2024-03-08T00:00:00Z&operatorType=OPERATOR",
            i => Date(i, "updatedAt") >= start && Date(i, "updatedAt") <= end && i["operatorType"]!.GetValue<string>() == "OPERATOR");
        yield return Listing("dateRangeField=createdAt&startDate=2024-03-05T00:00:00Z", i => Date(i, "createdAt") >= start);
    }

    [TestCaseSource(nameof(CslFilters))]
    public async Task An_offset_listing_returns_exactly_the_matching_records_and_counts_them(string query, Func<JsonObject, bool> matches)
    {
        var expected = cslListing.Where(matches).Select(Id).ToList();

        var records = await ListingAsync(http, mock, query);

        expected.Should().NotBeEmpty();
        records.Select(Id).Should().Equal(expected, $"'{query}' returns the records a client-side filter keeps, and its total counts them");
    }

    [TestCase("-started_at,+name")]
    [TestCase("name,-started_at")]
    public async Task A_sorted_listing_pages_through_an_order_made_once(string sort)
    {
        var api = Mock<OffsetListMockApi>(mock, Csl);
        var keys = sort.Split(',').Select(k => (Field: k.TrimStart('+', '-') == "name" ? "name" : "startedAt", Desc: k.StartsWith('-'))).ToList();
        var expected = cslListing.Select((r, p) => (R: r, P: p)).Order(Comparer<(JsonObject R, int P)>.Create((a, b) =>
        {
            foreach (var (field, desc) in keys)
            {
                var c = string.CompareOrdinal(a.R[field]!.GetValue<string>(), b.R[field]!.GetValue<string>());
                if (c != 0)
                {
                    return desc ? -c : c;
                }
            }

            return a.P.CompareTo(b.P);
        })).Select(x => Id(x.R)).ToList();
        var bots = cslListing.Where(r => r["operatorType"]!.GetValue<string>() == "BOT").Select(Id).ToHashSet();
        api.Work.Reset();

        var all = await ListingAsync(http, mock, "sort=" + Uri.EscapeDataString(sort));
        var unfilteredWork = api.Work.MostInOneRequest;
        var filtered = await ListingAsync(http, mock, "operatorType=BOT&sort=" + Uri.EscapeDataString(sort));

        all.Select(Id).Should().Equal(expected);
        filtered.Select(Id).Should().Equal(expected.Where(bots.Contains));
        unfilteredWork.Should().BeLessThanOrEqualTo(100, "an unfiltered page takes its records from the order made once");
        api.Work.MostInOneRequest.Should().BeLessThanOrEqualTo(bots.Count + 100, "a filtered page looks at the filter's candidates (for the total) and its own records");
    }

    [Test]
    public async Task The_faults_still_break_their_rule_on_scaled_data()
    {
        await using var faulty = await StartAsync(N, "item-uuid-not-canonical", "get-missing-some", "filter-inverted:handed_off", "pagination-unstable", "record-missing-field", "sort-ignored");
        using var client = Client(faulty);

        var (walk, pages) = await WalkAsync(client, faulty, OpenCx, "");
        var unhyphenated = walk.Select(Id).Should().ContainSingle(id => id.Length == 32, "one uuid is written without hyphens").Which;
        (await GetAsync(client, faulty, OpenCx, "/chat/sessions/" + unhyphenated)).Status.Should().Be(HttpStatusCode.OK, "the item is found by the id it is listed with");
        (await GetAsync(client, faulty, OpenCx, "/chat/sessions/" + Id(walk[^1]))).Status.Should().Be(HttpStatusCode.NotFound, "get-missing-some: the last listed item is missing");
        (await WalkAsync(client, faulty, OpenCx, "handed_off=true")).Items.Should().OnlyContain(i => i["handoff"] == null, "the presence filter is inverted");
        var second = JsonNode.Parse(pages[0])!["next"]!.GetValue<string>();
        var again = JsonNode.Parse((await GetAsync(client, faulty, OpenCx, "/chat/sessions?cursor=" + Uri.EscapeDataString(second))).Body)!["items"]!.AsArray();
        Id(again[0]!.AsObject()).Should().Be(Id(walk[11]), "pagination-unstable: a cursor used again gives the page one item further on");

        var records = await ListingAsync(client, faulty, "");
        records.Should().ContainSingle(r => r.Count == cslListing[0].Count - 1, "one record lacks a field");
        (await ListingAsync(client, faulty, "sort=-started_at")).Select(Id).Should().Equal(records.Select(Id), "the sort is ignored");
    }

    [Test]
    public async Task Scaling_below_the_fixture_count_or_past_the_limit_is_a_configuration_error()
    {
        var small = () => StartAsync(10);
        var huge = () => StartAsync(MockOptions.MaxScale + 1);

        (await small.Should().ThrowAsync<ConfigurationException>()).Which.Message.Should().Contain("scale 10 is too small").And.Contain("at least");
        await huge.Should().ThrowAsync<ConfigurationException>();
        MockCommandLine.Parse(["--scale", "7000"])!.Scale.Should().Be(7000);
        var bad = () => MockCommandLine.Parse(["--scale", "0"]);
        bad.Should().Throw<ConfigurationException>().WithMessage("--scale*");
    }

    [TestCase("--base-url", "http://127.0.0.1:1", "--api", OpenCx, "--scale", "5000")]
    [TestCase("--target", "local-mock", "--scale", "5000")]
    [TestCase("--scale", "0")]
    [TestCase("--scale", "many")]
    public async Task Scale_with_a_target_other_than_the_embedded_mock_or_a_bad_number_exits_2_with_one_line(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await CliApp.RunAsync([.. args, "--list"], stdout, stderr, CliTests.Context());

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        stderr.ToString().Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("scale").And.NotContain("   at ");
    }
}
