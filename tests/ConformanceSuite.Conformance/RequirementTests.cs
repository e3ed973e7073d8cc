using ConformanceSuite.Checks;
using NUnit.Framework;

namespace ConformanceSuite.Conformance;

/// <summary>
/// The conformance suite: one case per requirement × contract element, generated from the contract data.
/// The case name starts with the requirement id, so a red line in CI explains itself.
/// </summary>
[TestFixture]
public sealed class RequirementTests
{
    public static IEnumerable<TestCaseData> Cases() =>
        ConformanceRun.Catalog.Cases.Select(c => new TestCaseData(c.Key)
            .SetName(c.DisplayName)
            .SetCategory(c.Contract.Id)
            .SetCategory(c.Requirement.Id)
            .SetCategory(c.Requirement.Category));

    [TestCaseSource(nameof(Cases))]
    public async Task Requirement(string caseKey)
    {
        var session = ConformanceRun.Session;
        var @case = session.Case(caseKey);
        ConformanceRun.Current = @case;

        var outcome = await session.RunAsync(@case);

        await TestContext.Progress.WriteLineAsync($"[{outcome.Api}] {outcome.RequirementId} [{outcome.Element}] {outcome.Verdict.ToString().ToUpperInvariant()} ({session.Log.Count} requests so far)");
        switch (outcome.Verdict)
        {
            case Verdict.Pass:
                Assert.Pass(outcome.Message);
                break;
            case Verdict.Skipped:
                Assert.Ignore(outcome.Message);
                break;
            case Verdict.Deviation when ConformanceRun.Settings.FailOn != "deviation":
                Assert.Warn(outcome.Message);
                break;
            default:
                Assert.Fail(outcome.Message);
                break;
        }
    }
}
