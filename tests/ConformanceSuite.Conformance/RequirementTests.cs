using ConformanceSuite.Checks;
using NUnit.Framework;

namespace ConformanceSuite.Conformance;

/// <summary>
/// The conformance suite: one case per requirement × contract element, generated from the contract data
/// (the pact verifications included). The case name starts with the requirement id, so a red line in CI
/// explains itself. The verdict comes from the engine's run; this only reports it.
/// </summary>
[TestFixture]
public sealed class RequirementTests
{
    public static IEnumerable<TestCaseData> Cases() =>
        ConformanceRun.Plan.Catalog.Cases.Select(c => new TestCaseData(c.Key)
            .SetName(c.DisplayName)
            .SetCategory(c.Contract.Id)
            .SetCategory(c.Requirement.Id)
            .SetCategory(c.Requirement.Category));

    [TestCaseSource(nameof(Cases))]
    public void Requirement(string caseKey)
    {
        var outcome = ConformanceRun.Outcome(caseKey);
        if (ConformanceRun.Plan.Settings.FailOn == Engine.FailOn.New
            && outcome.Verdict is Verdict.Fail or Verdict.Error or Verdict.Deviation
            && ConformanceRun.ChangeOf(caseKey) != Running.Change.NewFail)
        {
            // A CI gate against a baseline: what failed before too is known, and does not block the change.
            Assert.Warn($"{outcome.Message} (failing in the baseline too; fail-on new)");
            return;
        }

        switch (outcome.Verdict)
        {
            case Verdict.Pass:
                Assert.Pass(outcome.Message);
                break;
            case Verdict.Skipped:
                Assert.Ignore(outcome.Message + (outcome.Setting is null ? "" : $" (setting: {outcome.Setting})"));
                break;
            case Verdict.NotApplicable:
                Assert.Ignore(outcome.Message);
                break;
            case Verdict.Deviation when ConformanceRun.Plan.Settings.FailOn != Engine.FailOn.Deviation:
                Assert.Warn(outcome.Message);
                break;
            case Verdict.Error:
                throw new CaseErrorException(outcome.Message);
            default:
                Assert.Fail(outcome.Message);
                break;
        }
    }
}

/// <summary>The suite could not judge the case (its check threw, or the run ended first): NUnit shows it as an error, not a failure.</summary>
public sealed class CaseErrorException : Exception
{
    public CaseErrorException(string message) : base(message) { }

    public CaseErrorException() { }

    public CaseErrorException(string message, Exception inner) : base(message, inner) { }
}
