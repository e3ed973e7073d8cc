using ConformanceSuite.Contracts;

namespace ConformanceSuite.Checks;

/// <summary>
/// Something a check relies on before it can judge its own rule, and the check kinds that judge it. A check
/// declares the preconditions it relies on (<see cref="ICheck.Preconditions"/>); when one is not met, the
/// case is skipped naming the requirement that judges it. The link is made of the judging checks' kind
/// constants, so renaming a kind cannot silently lose it, and the catalog refuses a requirement whose
/// precondition no requirement of its API judges.
/// </summary>
/// <param name="Describe">The precondition in words.</param>
/// <param name="JudgedBy">The kinds of the checks that judge it.</param>
/// <param name="EachScenario">
/// Whether a requirement must judge it for each scenario that relies on it (a download of one scenario tells nothing
/// of another's): the catalog refuses a binding whose scenario no judge names. Otherwise a judge of any scenario
/// will do for the catalog.
/// </param>
public sealed record Precondition(string Describe, IReadOnlyList<string> JudgedBy, bool EachScenario = false)
{
    /// <summary>The scenario's valid call answers its success status.</summary>
    public static readonly Precondition SuccessfulCall = new("the scenario's valid call answers its success status", [SuccessBodySchemaCheck.KindName, PageItemsSchemaCheck.KindName]);

    /// <summary>The success body holds an absolute http(s) download link.</summary>
    public static readonly Precondition DownloadLink = new("the success body holds an absolute http(s) download link", [DownloadLinkUrlCheck.KindName], EachScenario: true);

    /// <summary>The download answers, without credentials, with a file the suite can read.</summary>
    public static readonly Precondition Download = new("the download answers with a file", [DownloadAnonymousCheck.KindName], EachScenario: true);

    /// <summary>A walk of the scenario's list completes within its bounds.</summary>
    public static readonly Precondition CompleteWalk = new("a walk of the list completes", [CursorPaginationCheck.KindName, OffsetPaginationCheck.KindName]);

    /// <summary>An id the list shows is found by the endpoint that takes it (the success status), so a not-found answer can tell what does not exist from what does.</summary>
    public static readonly Precondition KnownId = new("an id the list shows is found by the endpoint that takes it", [GetByIdCheck.KindName]);

    /// <summary>
    /// The requirement of <paramref name="contract"/> that judges this precondition for <paramref name="scenario"/>
    /// (for a null scenario, for any), if any.
    /// </summary>
    public Requirement? JudgeIn(ApiContract contract, string? scenario) =>
        Judges(contract).FirstOrDefault(r => scenario is null || r.Check!.Scenarios.Contains(scenario));

    /// <summary>
    /// The requirement the catalog asks for: one that judges it for <paramref name="scenario"/> when
    /// <see cref="EachScenario"/>, else one that judges it for any scenario.
    /// </summary>
    public Requirement? CatalogJudgeIn(ApiContract contract, string? scenario) =>
        EachScenario ? JudgeIn(contract, scenario) : Judges(contract).FirstOrDefault();

    private IEnumerable<Requirement> Judges(ApiContract contract) => contract.Requirements.Where(r => r.Check is { } c && JudgedBy.Contains(c.Kind));
}
