namespace ConformanceSuite.Tests;

/// <summary>
/// The list APIs certified within the default request budget (one minute of the documented rate limit), which
/// is too small for the whole fixture: the suite confines the whole-list checks to a window. A correct provider
/// stays conformant, every request of the walks fits the budget, and the faults are still caught: no fault may
/// turn into a pass because of the window.
/// </summary>
[TestFixture]
public sealed class WindowedCertificationTests
{
    private static readonly Dictionary<string, int> DefaultBudgets = [];

    [Test]
    public async Task A_correct_provider_is_conformant_on_a_window_within_the_budget()
    {
        var results = await Harness.RunAsync("opencx-chat-sessions", DefaultBudgets);

        results.Requirements.Should().OnlyContain(r => r.Verdict == Verdict.Pass, Harness.Verdicts(results));
        var notes = results.Requirements.SelectMany(r => r.Cases).SelectMany(c => c.Notes).ToList();
        notes.Should().Contain(n => n.Contains("window /created_at strictly between", StringComparison.Ordinal), "the reports say which window was used");
        notes.Should().Contain(n => n.Contains("request budget 100 requests: one minute of the rate limit", StringComparison.Ordinal), "and which budget");
    }

    /// <summary>
    /// Faults that break one given item of the fixture, outside the window the budget allows: a window cannot see
    /// them (the full-budget fault tests catch them), and its reports say which window was checked.
    /// </summary>
    private static readonly Dictionary<string, string> OutsideTheWindow = new(StringComparer.Ordinal)
    {
        ["get-differs"] = "the second item of the fixture differs when fetched; the window holds newer items",
        ["get-missing-some"] = "the newest item of the fixture is missing when fetched; the prefix ends before it",
    };

    public static IEnumerable<TestCaseData> Faults() =>
        Harness.Faults().Where(f => f.Api == "opencx-chat-sessions")
            .Select(f => new TestCaseData(f).SetName($"windowed: fault {f.Name} is still caught"));

    [TestCaseSource(nameof(Faults))]
    public async Task A_fault_is_still_caught_on_a_window(FaultExpectation fault)
    {
        var results = await Harness.RunAsync(fault.Api, DefaultBudgets, fault.Name);

        var verdict = results.Requirements.Single(r => r.Id == fault.CaughtBy).Verdict;
        if (OutsideTheWindow.ContainsKey(fault.Name))
        {
            verdict.Should().Be(Verdict.Pass, "the broken item is outside the window: if this changes, the window moved, and the list above is out of date");
            return;
        }

        var others = results.Requirements.Where(r => r.Verdict is Verdict.Fail or Verdict.Deviation).Select(r => r.Id).ToList();
        others.Should().NotBeEmpty($"the fault must not pass the run unnoticed: {Harness.Verdicts(results)}");
        if (fault.Name != "filter-first-page-only")
        {
            verdict.Should().BeOneOf([Verdict.Fail, Verdict.Deviation], Harness.Verdicts(results));
        }
        else
        {
            // Within the window each status fits on one page, so the filter check has no second page to see; the
            // filtered scenario's own pagination check (a walk of two pages) catches it.
            others.Should().Contain("OPENCX-007", Harness.Verdicts(results));
        }
    }
}
