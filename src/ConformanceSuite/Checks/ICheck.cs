using ConformanceSuite.Contracts;

namespace ConformanceSuite.Checks;

/// <summary>
/// One kind of check: a generic idea (a required parameter, a credential, a CSV header...) that the
/// contract data tells where to apply. A requirement binds a kind to its elements.
/// </summary>
public interface ICheck
{
    /// <summary>The kind name requirements use (<c>check.kind</c>).</summary>
    string Kind { get; }

    /// <summary>The elements a requirement is checked on, from the contract data.</summary>
    IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement);

    /// <summary>What the check needs its binding to name: at least one scenario by default.</summary>
    BindingNeeds Needs => BindingNeeds.Scenario;

    /// <summary>What the check relies on before it can judge its rule (a successful call, a complete walk, …): none by default.</summary>
    IReadOnlyList<Precondition> Preconditions => [];

    /// <summary>
    /// True for a check that judges the requests other cases of its API made: its cases run after every other case
    /// (the pact verifications included), so it judges them all, whatever the filter or the catalog's order.
    /// </summary>
    bool JudgesOtherCasesRequests => false;

    Task RunAsync(CheckRun run, CancellationToken ct);
}
