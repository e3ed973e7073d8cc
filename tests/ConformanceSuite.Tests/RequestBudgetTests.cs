using ConformanceSuite.Targets;

namespace ConformanceSuite.Tests;

/// <summary>Where a request budget comes from, how it is spent, and what a window holds.</summary>
[TestFixture]
public sealed class RequestBudgetTests
{
    private static ApiContract OpenCx => Harness.Catalog("opencx-chat-sessions").Contracts["opencx-chat-sessions"];

    private static ApiTarget Target(int? budget = null) => new() { ApiId = "opencx-chat-sessions", BaseUrl = new Uri("http://127.0.0.1:1/"), RequestBudget = budget };

    [Test]
    public void By_default_a_budget_is_one_minute_of_the_documented_rate_limit()
    {
        var budget = RequestBudget.For(OpenCx, Target());

        budget.Limit.Should().Be(100);
        budget.Source.Should().Be("100 requests: one minute of the rate limit of 100 requests per minute (documented in opencx-openapi)");
        budget.Setting.Should().Be("apis.opencx-chat-sessions.requestBudget");
    }

    [Test]
    public void An_assumed_rate_limit_says_so()
    {
        var csl = Harness.Catalog("chat-session-list").Contracts["chat-session-list"];

        RequestBudget.For(csl, Target() with { ApiId = "chat-session-list" }).Source.Should().Contain("(assumed, A-CSL-21)");
    }

    [Test]
    public void The_profile_sets_its_own_budget_over_the_default()
    {
        var budget = RequestBudget.For(OpenCx, Target(7));

        budget.Limit.Should().Be(7);
        budget.Source.Should().Be("7 requests, set by the profile (apis.opencx-chat-sessions.requestBudget)");
    }

    [Test]
    public void Without_a_rate_limit_or_a_profile_budget_there_is_no_limit()
    {
        var budget = RequestBudget.For(OpenCx with { RateLimit = null }, Target());

        budget.Limit.Should().Be(int.MaxValue);
        budget.Describe().Should().StartWith("request budget: none: no rate limit is known").And.EndWith("0 requests spent");
    }

    [Test]
    public void A_budget_is_spent_one_request_at_a_time_and_never_beyond_its_limit()
    {
        var budget = new RequestBudget(3, "three");

        Enumerable.Range(0, 5).Select(_ => budget.TrySpend()).Should().Equal(true, true, true, false, false);
        budget.Spent.Should().Be(3);
        budget.Remaining.Should().Be(0);
        budget.Describe().Should().Be("request budget: three; 3 of 3 spent so far");
    }

    [Test]
    public void A_budget_spent_from_many_threads_gives_out_exactly_its_limit()
    {
        var budget = new RequestBudget(1000, "shared");
        var granted = 0;

        Parallel.For(0, 5000, _ =>
        {
            if (budget.TrySpend())
            {
                Interlocked.Increment(ref granted);
            }
        });

        granted.Should().Be(1000);
    }

    [TestCase("2024-01-01T00:00:00Z", false)]
    [TestCase("2024-01-01T00:00:01Z", true)]
    [TestCase("2024-01-01T23:59:59Z", true)]
    [TestCase("2024-01-02T00:00:00Z", false)]
    [TestCase(null, false)]
    public void A_window_holds_only_what_lies_strictly_between_its_bounds(string? date, bool holds)
    {
        var window = new WalkWindow("/created_at", "created_after", "created_before", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z");

        window.Holds(IsoDates.Parse(date)).Should().Be(holds);
        window.Query.Should().Equal(new Dictionary<string, string> { ["created_after"] = "2024-01-01T00:00:00Z", ["created_before"] = "2024-01-02T00:00:00Z" });
    }

    [Test]
    [NonParallelizable] // it sets the process's time zone
    public void A_date_without_an_offset_is_read_as_utc_whatever_the_machine_s_zone()
    {
        // Read in the machine's zone, a provider's "2024-03-17T10:46:01" was a different instant on each machine, and
        // so could fall inside a window or a filter's range on one and outside it on another.
        var zone = Environment.GetEnvironmentVariable("TZ");
        try
        {
            Environment.SetEnvironmentVariable("TZ", "Asia/Tokyo");
            TimeZoneInfo.ClearCachedData();
            TimeZoneInfo.Local.BaseUtcOffset.Should().Be(TimeSpan.FromHours(9), "the test's premise: a machine away from UTC");

            IsoDates.Parse("2024-03-17T10:46:01").Should().Be(new DateTimeOffset(2024, 3, 17, 10, 46, 1, TimeSpan.Zero));
            IsoDates.Parse("2024-03-17T10:46:01+02:00")!.Value.Offset.Should().Be(TimeSpan.FromHours(2), "an offset given is kept");
            new WalkWindow("/created_at", "created_after", "created_before", "2024-03-17T10:00:00Z", "2024-03-17T11:00:00Z")
                .Holds(IsoDates.Parse("2024-03-17T10:46:01")).Should().BeTrue();
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", zone);
            TimeZoneInfo.ClearCachedData();
        }
    }

    [TestCase("2023-12-31T23:59:59Z", false)]
    [TestCase("2024-01-01T00:00:00Z", true)]
    [TestCase("2024-01-02T00:00:00Z", true)]
    [TestCase("2024-01-02T00:00:01Z", false)]
    [TestCase(null, false)]
    public void A_window_on_a_range_a_parameter_names_holds_its_bounds_too_and_asks_for_its_field(string? date, bool holds)
    {
        var window = new WalkWindow("/createdAt", "startDate", "endDate", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z") { Selector = ("dateRangeField", "createdAt") };

        window.Holds(IsoDates.Parse(date)).Should().Be(holds);
        window.Query.Should().Equal(new Dictionary<string, string> { ["startDate"] = "2024-01-01T00:00:00Z", ["endDate"] = "2024-01-02T00:00:00Z", ["dateRangeField"] = "createdAt" });
        window.LeftBy(new Dictionary<string, string> { ["dateRangeField"] = "updatedAt" }).Should().BeTrue("the range moves to another field, out of the window");
        window.LeftBy(new Dictionary<string, string> { ["dateRangeField"] = "createdAt", ["startDate"] = "2024-01-01T12:00:00Z" }).Should().BeFalse("a narrower range on the same field stays inside");
        window.LeftBy(new Dictionary<string, string> { ["messengerTypes"] = "viber" }).Should().BeFalse();
        new WalkWindow("/created_at", "created_after", "created_before", "a", "b").LeftBy(new Dictionary<string, string> { ["dateRangeField"] = "x" }).Should().BeFalse("after/before filters take no field name");
        window.Describe().Should().StartWith("window /createdAt from 2024-01-01T00:00:00Z to 2024-01-02T00:00:00Z, both included (dateRangeField=createdAt&startDate=2024-01-01T00:00:00Z&endDate=2024-01-02T00:00:00Z)");
    }
}
