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
    /// Whether the check may walk its scenarios' lists page after page: the request budget keeps a prefix's worth for
    /// each paginated scenario such a check names. A check of single calls (an export, a credential) says no, so
    /// its scenarios take nothing from the budget's share for the walks.
    /// </summary>
    bool WalksLists => true;

    /// <summary>
    /// True for a check that judges the requests other cases of its API made: its cases run after every other case
    /// (the pact verifications included), so it judges them all, whatever the filter or the catalog's order.
    /// </summary>
    bool JudgesOtherCasesRequests => false;

    Task RunAsync(CheckRun run, CancellationToken ct);
}
