using ConformanceSuite.Cli;

namespace ConformanceSuite.Tests;

/// <summary>
/// How the suite sizes its window of a large list to the request budget: the window is found at the first try
/// on a list ordered by date, makes good use of the budget without going past it, and the prefix is a twentieth
/// of the budget. A budget too small for any window is incomplete with the setting named, never a fail.
/// </summary>
[TestFixture]
[Order(9)]
public sealed class WalkPlannerTests
{
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-planner-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    [TestCase(100, 5)]
    [TestCase(300, 15)]
    public async Task A_window_is_sized_to_the_budget_and_found_at_the_first_try(int budget, int prefixPages)
    {
        var (exit, results, requests) = await RunAsync(budget, scale: 20_000);

        exit.Should().Be(ExitCodes.Conformant);
        var spent = requests.Count(p => p.StartsWith("page ", StringComparison.Ordinal) || p.StartsWith("get ", StringComparison.Ordinal) || p.EndsWith("again, same cursor", StringComparison.Ordinal));
        spent.Should().BeLessThanOrEqualTo(budget, "the walks and fetches stay within the budget");
        spent.Should().BeGreaterThanOrEqualTo(budget / 3, "and the window is not needlessly small: the estimate of what the checks need is close");
        var plan = Notes(results, "OPENCX-014").Single(n => n.StartsWith("scenario 'all-sessions' certified on", StringComparison.Ordinal));
        plan.Should().Contain($"the list goes on past a prefix of {prefixPages} pages ({prefixPages * 10} items)")
            .And.Contain("(attempt 1 of 6)", "the prefix's dates place the window of a list ordered by date at the first try")
            .And.Contain($"request budget {budget} requests, set by the profile (apis.opencx-chat-sessions.requestBudget)");
        var fetched = Notes(results, "OPENCX-014").Single(n => n.EndsWith("listed ids fetched one by one", StringComparison.Ordinal));
        var items = int.Parse(fetched.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var sized = SizedFor(plan);
        items.Should().BeInRange(sized / 3, sized, "the window holds about what it was sized for, never more");
    }

    [Test]
    public async Task A_budget_too_small_for_any_window_is_incomplete_and_names_the_setting()
    {
        var (exit, results, _) = await RunAsync(12, scale: 20_000);

        exit.Should().Be(ExitCodes.Incomplete);
        results.Requirements.Should().NotContain(r => r.Verdict == Verdict.Fail || r.Verdict == Verdict.Deviation, "running out of budget is never a fail");
        var filter = results.Requirements.Single(r => r.Id == "OPENCX-008").NotChecked;
        filter.Should().NotBeEmpty();
        filter.Should().OnlyContain(c => c.Setting == "apis.opencx-chat-sessions.requestBudget");
        filter[0].Reason.Should().Contain("cannot cover a window of even two items");
    }

    [Test]
    public async Task A_window_whose_own_filter_lets_an_item_through_is_not_used_and_the_report_says_why()
    {
        var results = await Harness.RunAsync("opencx-chat-sessions", new Dictionary<string, int>(), "filter-ignored:created_before");

        results.Requirements.Single(r => r.Id == "OPENCX-011").Verdict.Should().Be(Verdict.Fail, "the filter itself is still judged, on the items it returned");
        var why = results.Requirements.Single(r => r.Id == "OPENCX-014").NotChecked.Should().ContainSingle().Subject;
        why.Reason.Should().Contain("the window's own filters let through an item outside it").And.Contain("/created_at = ");
    }

    [Test]
    public async Task A_short_list_whose_checks_would_cost_more_than_the_budget_is_windowed_too()
    {
        // The fixture's 56 sessions end within a prefix of 6 pages, but fetching each and walking each filter would
        // cost some 134 requests (a page of them for each of OPENCX-017's 8 pairs of filters): more than a budget of 120
        // leaves this list.
        var results = await Harness.RunAsync("opencx-chat-sessions", new Dictionary<string, int> { ["opencx-chat-sessions"] = 120 });

        results.Requirements.Should().OnlyContain(r => r.Verdict == Verdict.Pass, Harness.Verdicts(results));
        Notes(results, "OPENCX-014").Should().Contain(n => n.Contains("the whole list (56 items) would need some 190 requests, more than this list's share of the budget (114)", StringComparison.Ordinal)
            && n.Contains("window /created_at strictly between", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_long_list_the_budget_cannot_window_is_incomplete_never_failed()
    {
        var profile = Harness.EmbeddedProfile(dir, "embedded-csl", """{ "chat-session-list": { "requestBudget": 12 } }""");
        var reports = Path.Combine(dir, "out");

        var (exit, output) = await Harness.CliAsync("--target", profile, "--api", "chat-session-list", "--filter", "CSL-008,CSL-010,CSL-013", "--scale", "20000", "--report-dir", reports);

        exit.Should().Be(ExitCodes.Incomplete, output);
        var results = RunResults.Read(Path.Combine(reports, "results.json"));
        results.Requirements.Should().NotContain(r => r.Verdict == Verdict.Fail || r.Verdict == Verdict.Deviation, "a list the budget cannot cover is not checked, never failed");
        var why = results.Requirements.Single(r => r.Id == "CSL-013").NotChecked;
        why.Should().NotBeEmpty().And.OnlyContain(c => c.Setting == "apis.chat-session-list.requestBudget");
        why[0].Reason.Should().Contain("the list goes on past a prefix of 2 pages (14 items), and the budget left (10 requests) cannot cover a window of even two items");
    }

    [Test]
    public async Task A_window_smaller_than_the_default_page_judges_the_page_size_within_the_window_not_a_correct_provider_as_failing()
    {
        // A budget of 22, with the sort check's walks to pay for beside the page size check's, windows the
        // chat-session-list of 20,000 to some 6 sessions, fewer than the default page (10). (The window is sized for
        // the checks of the run alone: the page size check by itself needs little beyond the window's walk, and the
        // smallest budget that still finds it a window, 8, gives one of 14.) Before, the page-size check compared the
        // window's count with a page of the whole list: "expected exactly 6 records (the default page) / received 10",
        // a fail of the reference provider; and a page of limit=7 was expected to hold 6 only, so one short of a full
        // page passed.
        var (exit, results, _) = await RunAsync(22, scale: 20_000, "chat-session-list", "CSL-006,CSL-010");

        var cases = results.Requirements.Single(r => r.Id == "CSL-006").Cases;
        cases.Should().OnlyContain(c => c.Verdict == Verdict.Pass, string.Join("\n", cases.Select(c => c.Message)));
        exit.Should().Be(ExitCodes.Conformant);
        cases.SelectMany(c => c.Notes).Should().Contain(n => n.Contains("certified on the window /createdAt", StringComparison.Ordinal), "the window is small, as the test means it to be")
            .And.Contain(n => System.Text.RegularExpressions.Regex.IsMatch(n, @"^([1-9]) records for limit \(default 10\), \1 in all"), "the default page of the window holds all of it");
    }

    [Test]
    public async Task A_window_is_sized_for_the_run_s_checks_and_a_requirement_left_out_keeps_no_budget()
    {
        // OPENCX-007 walks the open sessions' list, which keeps a prefix's worth of the budget from the window of all
        // sessions when it runs. Before, it kept that share in a run without it too: the window was the same size.
        var alone = Sized(await RunAsync(100, scale: 20_000, filter: "OPENCX-014"));
        var beside = Sized(await RunAsync(100, scale: 20_000, filter: "OPENCX-007,OPENCX-014"));

        alone.Should().BeGreaterThan(beside, "a run without OPENCX-007 keeps nothing for the open sessions' prefix");

        static int Sized((int Exit, RunResults Results, List<string> Requests) run)
        {
            run.Exit.Should().Be(ExitCodes.Conformant);
            var plan = Notes(run.Results, "OPENCX-014").Single(n => n.StartsWith("scenario 'all-sessions' certified on", StringComparison.Ordinal));
            return SizedFor(plan);
        }
    }

    [Test]
    public async Task Two_lists_a_run_needs_whole_share_the_budget()
    {
        // A user's contract that fetches the open sessions one by one (OPENCX-014 bound to that list) beside a filter of
        // all sessions (OPENCX-011): the two lists share the budget, and the list of all sessions, planned first, is
        // windowed for its half (about 76 items here), not for all of it (about 176, as when it is the run's one list).
        var contracts = Path.Combine(dir, "contracts");
        CliTests.CopyDirectory(Harness.Layout.Root, contracts, ["schemas", "fixtures", "targets", "pacts"]);
        var file = Path.Combine(contracts, "schemas", "opencx-chat-sessions", "requirements.json");
        var requirements = JsonNode.Parse(File.ReadAllText(file))!;
        var get = requirements["requirements"]!.AsArray().Single(r => r!["id"]!.GetValue<string>() == "OPENCX-014")!;
        get["check"]!["scenarios"] = new JsonArray("open-sessions");
        File.WriteAllText(file, requirements.ToJsonString());

        async Task<int> SizedAsync(string filter)
        {
            var (exit, output, results, _) = await Harness.ScaledRunAsync(Directory.CreateDirectory(Path.Combine(dir, filter)).FullName, "opencx-chat-sessions", 20_000, 100,
                "--contracts", contracts, "--filter", filter);
            exit.Should().Be(ExitCodes.Conformant, output);
            var plan = Notes(results, "OPENCX-011").First(n => n.StartsWith("scenario 'all-sessions' certified on", StringComparison.Ordinal));
            return SizedFor(plan);
        }

        var alone = await SizedAsync("OPENCX-011");
        var shared = await SizedAsync("OPENCX-011,OPENCX-014");

        shared.Should().BeLessThan(alone * 3 / 4, "the list of all sessions has half the budget when the run needs the open sessions' list whole too");
    }

    /// <summary>How many items a window was sized for, as its plan's note says ("sized for about N items").</summary>
    private static int SizedFor(string plan) => int.Parse(plan.Split("sized for about ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<string> Notes(RunResults results, string id) =>
        results.Requirements.Single(r => r.Id == id).Cases.SelectMany(c => c.Notes);

    private async Task<(int Exit, RunResults Results, List<string> Requests)> RunAsync(int budget, int scale,
        string api = "opencx-chat-sessions", string filter = "OPENCX-004,OPENCX-006,OPENCX-007,OPENCX-008,OPENCX-009,OPENCX-010,OPENCX-011,OPENCX-014")
    {
        var (exit, _, results, requests) = await Harness.ScaledRunAsync(dir, api, scale, budget, "--filter", filter);
        return (exit, results, requests);
    }
}
