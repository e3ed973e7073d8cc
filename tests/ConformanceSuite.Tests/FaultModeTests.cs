using System.Text.Json;

namespace ConformanceSuite.Tests;

/// <summary>
/// Every check can fail: each fault mode of the mock breaks one rule, and the run must give exactly the
/// expected verdicts (everything else passing), with a message that names the catching requirement.
/// </summary>
[TestFixture]
[Order(2)] // long-running: started first so the short fixtures fill in around it
// Each fault's run has its own mock and session (the catalogs are shared and immutable), so the runs go side by
// side: the hundred of them are no longer one long line that the whole self-test waits for.
[Parallelizable(ParallelScope.Children)]
public sealed class FaultModeTests
{
    public static IEnumerable<TestCaseData> Faults() =>
        Harness.Faults().Select(f => new TestCaseData(f).SetName($"fault {f.Api}:{f.Name} is caught by {f.CaughtBy}"));

    [TestCaseSource(nameof(Faults))]
    public async Task Fault_is_caught_by_its_requirement_and_breaks_nothing_else(FaultExpectation fault)
    {
        var results = await Harness.RunAsync(fault.Api, fault.Name);

        var actual = results.Requirements.ToDictionary(r => r.Id, r => r.Verdict);
        var expected = actual.Keys.ToDictionary(id => id, id => fault.Expect.TryGetValue(id, out var v) ? v : Verdict.Pass);
        actual.Should().Equal(expected, $"fault '{fault.Name}' should change only the verdicts it lists");

        var catching = results.Requirements.Single(r => r.Id == fault.CaughtBy);
        catching.Verdict.Should().BeOneOf(Verdict.Fail, Verdict.Deviation);
        var messages = catching.Cases.Where(c => c.Verdict != Verdict.Pass).Select(c => c.Message).ToList();
        messages.Should().NotBeEmpty()
            .And.AllSatisfy(m => m.Should().StartWith(fault.CaughtBy, "a failure message names its requirement"));

        // The finding is compared as data: its type and every field the expectation gives, as results.json carries them.
        var findings = catching.Cases.SelectMany(c => c.Findings)
            .Select(f => JsonSerializer.SerializeToNode(f, ResultsJson.Options)!.AsObject()).ToList();
        findings.Should().Contain(f => fault.Finding.All(field => JsonNode.DeepEquals(f[field.Key], field.Value)),
            $"{fault.CaughtBy} should report {fault.Finding.ToJsonString()}; it reported {string.Join(" | ", findings.Select(f => f.ToJsonString()))}");
        foreach (var broken in results.Requirements.Where(r => r.Verdict is Verdict.Fail or Verdict.Deviation))
        {
            broken.Cases.Where(c => c.Verdict is Verdict.Fail or Verdict.Deviation).Should().AllSatisfy(c =>
                c.Message.Should().StartWith(broken.Id, "every failure names its requirement").And.Contain("expected", "and says what was expected"));
        }

        results.Outcome.Should().Be(fault.Expect.Values.Any(v => v == Verdict.Fail) ? RunOutcome.NotConformant
            : fault.Expect.Values.Any(v => v == Verdict.Skipped) ? RunOutcome.Incomplete
            : RunOutcome.Conformant, "a skipped rule was not checked, so the run cannot say the provider conforms");
    }

    [Test]
    public void Every_mock_fault_mode_has_an_expectation_and_every_expectation_a_fault_mode()
    {
        var declared = MockServer.MockHost.Implementations(Harness.Layout)
            .SelectMany(api => api.Faults.Keys.Select(f => $"{api.ApiId}:{f}"));
        var expected = Harness.Faults().Select(f => $"{f.Api}:{f.Name}");

        expected.Should().BeEquivalentTo(declared);
    }

    [Test]
    public void Every_checked_requirement_is_caught_by_at_least_one_fault_mode()
    {
        // Caught: named as the catcher, or expected to fail or deviate (asserted verdict by verdict) under some fault.
        var caught = Harness.Faults()
            .SelectMany(f => f.Expect.Where(e => e.Value is Verdict.Fail or Verdict.Deviation).Select(e => e.Key).Append(f.CaughtBy))
            .ToHashSet();
        var checkedRequirements = Harness.Layout.ApiIds()
            .Select(id => new Contracts.ContractLoader(Harness.Layout).Load(id))
            .SelectMany(c => c.Requirements)
            .Where(r => r.Check is not null && MockServer.MockHost.Implementations(Harness.Layout).Any(m => m.ApiId == r.Api))
            .Select(r => r.Id);

        checkedRequirements.Should().OnlyContain(id => caught.Contains(id), "every check must be proved able to fail");
    }
}
