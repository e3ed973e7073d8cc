using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>Lists whose walks a provider steers: dates at the ends of the calendar, totals that lie, pages that shift.</summary>
public sealed partial class HostileProviderTests
{
    /// <summary>
    /// An OpenCX list that never ends (each page of one item points to the next), the item of page n created at
    /// <paramref name="created"/>(n); a request with a created_after gets an empty last page when <paramref name="windowsEmpty"/>.
    /// </summary>
    private static Task<HostileProvider> EndlessOpenCxAsync(Func<int, string> created, bool windowsEmpty) =>
        HostileProvider.StartAsync(async http =>
        {
            if (http.Request.Headers.Authorization != $"Bearer {Token}")
            {
                http.Response.StatusCode = 401;
                return;
            }

            http.Response.ContentType = "application/json";
            if (http.Request.Path != "/chat/sessions")
            {
                http.Response.StatusCode = 404;
                return;
            }

            if (windowsEmpty && http.Request.Query.ContainsKey("created_after"))
            {
                await http.Response.WriteAsync("""{"items":[],"next":null}""");
                return;
            }

            var page = int.TryParse(http.Request.Query["cursor"], out var n) ? n : 0;
            var at = created(page);
            await http.Response.WriteAsync($$"""{"items":[{"id":"3c90c3cc-0d44-4b50-8888-{{page:000000000000}}","status":"open","channel":{"type":"web"},"created_at":"{{at}}","updated_at":"{{at}}"}],"next":"{{page + 1}}"}""");
        });

    [TestCase("9999-12-31T23:59:59Z", null, false, TestName = "A_list_too_long_for_the_budget_dated_at_the_end_of_the_calendar_is_judged_never_an_error_of_the_window_arithmetic(year 9999)")]
    [TestCase("0001-01-01T00:00:00Z", "2024-01-02T03:04:05Z", true, TestName = "A_list_too_long_for_the_budget_dated_at_the_end_of_the_calendar_is_judged_never_an_error_of_the_window_arithmetic(year 1, windows widened)")]
    public async Task A_list_too_long_for_the_budget_dated_at_the_end_of_the_calendar_is_judged_never_an_error_of_the_window_arithmetic(string even, string? odd, bool windowsEmpty)
    {
        // Before, the planner placed its window a second past the newest date and a span before it, each with
        // DateTimeOffset.AddSeconds: past 9999-12-31T23:59:59 or before year 1, that threw, and every whole-list
        // check of the API (23 cases) was an error of the tool.
        await using var provider = await EndlessOpenCxAsync(page => page % 2 == 0 || odd is null ? even : odd, windowsEmpty);

        var results = await ConformanceEngine.RunAsync(OpenCxSettings(provider) with { Filter = ["OPENCX-006", "OPENCX-008", "OPENCX-014"] });

        results.Requirements.SelectMany(r => r.Cases).Should().NotContain(c => c.Verdict == Verdict.Error, Harness.Verdicts(results));
        results.Outcome.Should().NotBe(RunOutcome.Conformant, "a list never seen to its end is not certified");
    }
}

public sealed partial class HostileProviderTests
{
    [Test]
    public async Task A_window_whose_own_filters_leave_out_the_items_the_prefix_saw_in_it_is_not_used_so_nothing_passes_on_an_empty_list()
    {
        // Every item is dated 2024-01-02T03:04:05Z, inside each window tried; the list never ends, and any request with
        // created_after gets an empty last page; no session can be fetched (404). Before, the planner widened the
        // empty window six times, then used it: the pagination walk and "every session in the list is returned by
        // GET" (OPENCX-006, OPENCX-014) passed whole, on no item at all, and the status filter, ignored, passed in
        // part ("the window is empty, so this case cannot tell a provider that ignores status from one that applies it").
        await using var provider = await EndlessOpenCxAsync(_ => "2024-01-02T03:04:05Z", windowsEmpty: true);

        var results = await OpenCxRunAsync(provider);

        results.Requirements.SelectMany(r => r.Cases).Should().NotContain(c => c.Verdict == Verdict.Error);
        var fetch = Case(results, "OPENCX-014");
        fetch.Verdict.Should().Be(Verdict.Skipped, "no session of the list was fetched");
        fetch.Message.Should().Contain("the window's own filters left out an item inside it ('3c90c3cc-0d44-4b50-8888-000000000000', /created_at = 2024-01-02T03:04:05Z, on page 1 of the prefix;")
            .And.Contain("returned 0 items)");
        results.Requirements.Single(r => r.Id == "OPENCX-006").NotChecked.Should().NotBeEmpty("the end of the list was never seen");
        results.Requirements.Single(r => r.Id == "OPENCX-008").Verdict.Should().Be(Verdict.Fail, "the status filter is ignored, which the empty window hid");
        results.Outcome.Should().Be(RunOutcome.NotConformant);
    }
}

public sealed partial class HostileProviderTests
{
    [TestCase("\"9999-12-31T23:59:59Z\"", null)]
    [TestCase("1700000000", "no item of the unfiltered walk has a date at /created_at")]
    [TestCase("\"0001-01-01T00:00:00+05:00\"", "no item of the unfiltered walk has a date at /created_at")]
    public async Task A_date_filter_whose_sample_date_is_at_the_end_of_the_calendar_or_no_date_is_judged_never_an_error(string created, string? skipped)
    {
        // One page of three sessions that share a created_at: the last instant of the calendar, whose +05:30 form is in
        // year 10000; a number of seconds since 1970; an instant before year 1 in UTC. Before, the date filter check took
        // the median item's value and wrote it at +05:30 (ArgumentOutOfRangeException), or, when it was no date, used
        // it as the bound all the same (InvalidOperationException: Nullable object must have a value): OPENCX-011 was
        // an error of the tool in each case.
        var sessions = Enumerable.Range(0, 3).Select(i => $"3c90c3cc-0d44-4b50-8888-00000000000{i}")
            .ToDictionary(id => id, id => $$"""{"id":"{{id}}","status":"open","channel":{"type":"web"},"created_at":{{created}},"updated_at":"2024-01-02T03:04:05Z"}""");
        await using var provider = await OpenCxAsync(sessions, sessions);

        var results = await ConformanceEngine.RunAsync(OpenCxSettings(provider) with { Filter = ["OPENCX-011"] });

        var cases = results.Requirements.Single(r => r.Id == "OPENCX-011").Cases.Where(c => c.Element.StartsWith("created_", StringComparison.Ordinal)).ToList();
        cases.Should().HaveCount(2).And.NotContain(c => c.Verdict == Verdict.Error);
        if (skipped is null)
        {
            // The provider ignores the filters: each returns the items at its bound, which a strict bound (assumed) leaves out.
            cases.Should().OnlyContain(c => c.Verdict == Verdict.Deviation && c.Message.Contains("9999-12-31T18:29:59-05:30"), string.Join("\n", cases.Select(c => c.Message)));
        }
        else
        {
            cases.Should().OnlyContain(c => c.Verdict == Verdict.Skipped && c.Message.Contains(skipped), string.Join("\n", cases.Select(c => c.Message)));
        }
    }
}
