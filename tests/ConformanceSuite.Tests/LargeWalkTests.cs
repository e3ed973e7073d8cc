using System.Globalization;
using ConformanceSuite.Http;
using ConformanceSuite.Targets;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// The evidence a walk's pages give. A walk longer than the request log holds in memory, against a cursor
/// provider of the test's own: the pages past the bound hold their exchanges by their place in the log, and a
/// page named as evidence comes back whole from the log's file, the right one. And a page-schema case names the
/// pages with violations, and no other.
/// </summary>
[TestFixture]
public sealed class LargeWalkTests
{
    private const string Api = "opencx-chat-sessions";
    private const string Token = "LARGE-WALK-TOKEN-7f31c2";
    private const int Pages = RequestLog.HeldExchanges + 100;
    private const int Repeats = RequestLog.HeldExchanges + 60;
    private const int Broken = RequestLog.HeldExchanges + 80;

    private static string Id(int page) => $"00000000-0000-4000-8000-{page:D12}";

    /// <summary>One session a page, <see cref="Pages"/> pages; page <see cref="Repeats"/> repeats page 5's id, and page <see cref="Broken"/>'s status is none of the enum's.</summary>
    private static Task<HostileProvider> ProviderAsync() => HostileProvider.StartAsync(async http =>
    {
        if (http.Request.Headers.Authorization != $"Bearer {Token}")
        {
            http.Response.StatusCode = 401;
            return;
        }

        var page = PageAsked(http);
        await WritePageAsync(http, [Session(page == Repeats ? 5 : page, page == Broken ? "misplaced" : "open")], page < Pages);
    });

    /// <summary>The page a request asks for: its cursor is the page's number (none: the first).</summary>
    private static int PageAsked(HttpContext http) =>
        int.TryParse(http.Request.Query["cursor"], NumberStyles.None, CultureInfo.InvariantCulture, out var page) ? page : 1;

    /// <summary>A session valid against the contract's item schema (unless <paramref name="status"/> is none of its enum's).</summary>
    private static JsonObject Session(int n, string status = "open") => new()
    {
        ["id"] = Id(n), ["status"] = status, ["channel"] = new JsonObject { ["type"] = "web" },
        ["created_at"] = "2026-01-01T00:00:00Z", ["updated_at"] = "2026-01-01T00:00:00Z",
    };

    /// <summary>Answers with a page of <paramref name="items"/>, pointing to the next page when there is one.</summary>
    private static Task WritePageAsync(HttpContext http, JsonObject[] items, bool more)
    {
        http.Response.ContentType = "application/json";
        var next = more ? $"{PageAsked(http) + 1}" : null;
        return http.Response.WriteAsync(new JsonObject { ["items"] = new JsonArray(items), ["next"] = next }.ToJsonString());
    }

    /// <summary>Walks the provider's whole list of sessions through the suite's HTTP layer, within <paramref name="budget"/> requests.</summary>
    private static async Task<ListWalk> WalkAsync(HostileProvider provider, ApiContract contract, RequestLog log, Redactor redactor, int budget)
    {
        using var http = new ConformanceHttpClient(Harness.FastHttp, redactor, log);
        using var context = new ApiContext(contract, new ApiTarget { ApiId = Api, BaseUrl = new Uri(provider.Origin, "/opencx/"), Credentials = new Dictionary<string, string> { ["Authorization"] = Token } }, http);
        return await ListWalk.RunAsync(contract, http, context.Requests, context.Values, "all-sessions", context.Values.Query("all-sessions"), WalkMode.Cursor,
            new WalkLimits(new RequestBudget(budget, "the test's")), null, CancellationToken.None);
    }

    [Test]
    public async Task Pages_past_the_log_bound_come_back_whole_as_evidence_and_each_is_the_right_one()
    {
        await using var provider = await ProviderAsync();
        var loaded = new ContractLoader(Harness.Layout).Load(Api);
        // The whole list is the point: the contract's page bound is lifted, as a large tenant's window would be.
        var contract = loaded with
        {
            Endpoints = [.. loaded.Endpoints.Select(e => e.Pagination is CursorPagination c ? e with { Pagination = c with { MaxPages = Pages + 10 } } : e)],
        };
        var folder = Directory.CreateTempSubdirectory("cs-large-walk-").FullName;
        try
        {
            using var log = new RequestLog(folder);
            var redactor = new Redactor();
            redactor.AddSecret(Token);

            var walk = await WalkAsync(provider, contract, log, redactor, Pages + 10);

            walk.Ending.Should().Be(WalkEnding.Complete, walk.EndingDetail);
            walk.Pages.Should().HaveCount(Pages);
            log.Spilled.Should().BeTrue("the walk is longer than the log holds in memory");
            if (!OperatingSystem.IsWindows())
            {
                Directory.EnumerateFileSystemEntries(folder).Should().BeEmpty("the log's file has no name on disk: a killed run leaves nothing");
            }

            walk.Duplicates.Should().Equal([(Id(5), 5, Repeats)], "the repeated id is found on its page");

            var repeated = walk.Pages[Repeats - 1].Exchange;
            repeated.LogIndex.Should().Be(Repeats - 1, "one request a page, the first page the log's first");
            repeated.Url.Should().EndWith($"cursor={Repeats}");
            repeated.BodyExcerpt.Should().Contain(Id(5)).And.Contain($"\"next\":\"{Repeats + 1}\"", "the whole excerpt is read back, not a shortened copy");
            repeated.RequestHeaders.Should().Contain(h => h.Key == "Authorization").Which.Value.Should().NotContain(Token, "what is read back is what was logged: redacted");
            repeated.IsSameEntry(walk.Pages[Repeats - 1].Exchange).Should().BeTrue();
            walk.Pages[Repeats - 2].Exchange.Url.Should().EndWith($"cursor={Repeats - 1}");
            walk.Pages[0].Exchange.Url.Should().NotContain("cursor=", "the first page, held in memory until the bound, is read back too");

            // The pages past the ones held in memory are in the walk's own file, each read back as it was read.
            walk.Pages.Spilled.Should().BeTrue("the walk is longer than the pages it holds in memory");
            walk.Pages.Select(p => (p.Number, p.Cursor, p.Count, p.FirstId, p.Next, p.NextPresent)).Should().Equal(
                Enumerable.Range(1, Pages).Select(n => (n, n == 1 ? null : $"{n}", 1, (string?)Id(n == Repeats ? 5 : n), n < Pages ? $"{n + 1}" : null, true)),
                "every page, in walk order, with its cursor, count, first id and next cursor");
            walk.Pages[Pages - 1].IdsHash.Should().Be(ListWalk.SequenceHash([Id(Pages)]));
            walk.Pages.Select(p => p.Exchange.LogIndex).Should().Equal(Enumerable.Range(0, Pages), "each page's exchange is its own request");
            walk.Pages.Where(p => p.Violations.Count > 0).Select(p => p.Number).Should().Equal([Broken], "the page whose item breaks the schema, and no other");
            walk.Pages[Broken - 1].Violations.Should().Contain(v => v.Pointer == "/items/0/status");
            walk.Pages[Broken - 1].Exchange.BodyExcerpt.Should().Contain("misplaced");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task A_cursor_that_comes_back_after_the_pages_held_in_memory_is_a_cycle()
    {
        // Page 600 points back to page 11's cursor: the page that gave it is past those held in memory.
        const int Last = WalkPages.HeldPages + 344, Back = 11;
        Last.Should().BeGreaterThan(WalkPages.HeldPages + Back);
        await using var provider = await HostileProvider.StartAsync(http =>
        {
            var page = PageAsked(http);
            http.Response.ContentType = "application/json";
            var next = page == Last ? $"{Back}" : $"{page + 1}";
            return http.Response.WriteAsync(new JsonObject { ["items"] = new JsonArray(Session(page)), ["next"] = next }.ToJsonString());
        });
        var loaded = new ContractLoader(Harness.Layout).Load(Api);
        var contract = loaded with
        {
            Endpoints = [.. loaded.Endpoints.Select(e => e.Pagination is CursorPagination c ? e with { Pagination = c with { MaxPages = 2 * Last } } : e)],
        };
        using var log = new RequestLog();

        using var walk = await WalkAsync(provider, contract, log, new Redactor(), 2 * Last);

        walk.Ending.Should().Be(WalkEnding.Cycle, "the walk would go round for ever");
        walk.EndingDetail.Should().Be($"page {Last} points back to cursor '{Back}', already followed");
        walk.Pages.Should().HaveCount(Last, "it stops on the page that points back, and follows it no further");
        walk.Pages.Spilled.Should().BeTrue();
    }

    [Test]
    public async Task Pages_whose_processing_is_slower_than_their_coming_wait_at_most_the_processing_depth()
    {
        // 40 pages of 200 sessions: validating a page takes many times as long as fetching it, so pages pile up. The
        // 8,000 items are more than a walk holds in memory.
        const int PageCount = 40, PageSize = 200;
        await using var provider = await HostileProvider.StartAsync(http =>
        {
            var page = PageAsked(http);
            return WritePageAsync(http, [.. Enumerable.Range(page * PageSize, PageSize).Select(n => Session(n))], page < PageCount);
        });
        using var log = new RequestLog();

        using var walk = await WalkAsync(provider, new ContractLoader(Harness.Layout).Load(Api), log, new Redactor(), PageCount + 10);

        walk.Ending.Should().Be(WalkEnding.Complete, walk.EndingDetail);
        walk.ItemCount.Should().Be(PageCount * PageSize);
        walk.Pages.Should().OnlyContain(p => p.Violations.Count == 0);
        walk.MostWaiting.Should().Be(ListWalk.ProcessingDepth, "the pages waited, and no more of them than the bound");

        // 8,000 items kept: those past the bound held in memory are in the walk's file, each the right one.
        walk.Items.Spilled.Should().BeTrue();
        walk.Items.Select(i => (i.Id, i.Page, i.Text("/status"))).Should().Equal(
            Enumerable.Range(0, PageCount * PageSize).Select(n => (Id(PageSize + n), (n / PageSize) + 1, (string?)"open")), "every item, in walk order, with its page");
        walk.Items[WalkItems.HeldItems + 1234].Id.Should().Be(Id(PageSize + WalkItems.HeldItems + 1234));
    }

    [Test]
    public async Task A_page_schema_case_gives_as_evidence_the_page_with_the_violation_and_no_other()
    {
        var results = await Harness.RunAsync(Api, "item-bad-enum");

        var schema = results.Requirements.Single(r => r.Id == "OPENCX-004").Cases.Should().ContainSingle().Subject;
        schema.Verdict.Should().Be(Verdict.Fail);
        schema.Findings.Should().NotBeEmpty().And.OnlyContain(f => f.Evidence != null && f.Evidence.Url == schema.Evidence[0].Url);
        schema.Evidence.Should().ContainSingle("one page carries the bad item (the fixture's fourth), and the other pages are not evidence")
            .Which.Url.Should().NotContain("cursor=", "the fourth item is on the first page");
    }
}
