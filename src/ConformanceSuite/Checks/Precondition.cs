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
public sealed record Precondition(string Describe, IReadOnlyList<string> JudgedBy)
{
    /// <summary>The scenario's valid call answers its success status.</summary>
    public static readonly Precondition SuccessfulCall = new("the scenario's valid call answers its success status", [SuccessBodySchemaCheck.KindName, PageItemsSchemaCheck.KindName]);

    /// <summary>The success body holds an absolute http(s) download link.</summary>
    public static readonly Precondition DownloadLink = new("the success body holds an absolute http(s) download link", [DownloadLinkUrlCheck.KindName]);

    /// <summary>The download answers, without credentials, with a file the suite can read.</summary>
    public static readonly Precondition Download = new("the download answers with a file", [DownloadAnonymousCheck.KindName]);

    /// <summary>A walk of the scenario's list completes within its bounds.</summary>
    public static readonly Precondition CompleteWalk = new("a walk of the list completes", [CursorPaginationCheck.KindName, OffsetPaginationCheck.KindName]);

    /// <summary>An id the list shows is found by the endpoint that takes it (the success status), so a not-found answer can tell what does not exist from what does.</summary>
    public static readonly Precondition KnownId = new("an id the list shows is found by the endpoint that takes it", [GetByIdCheck.KindName]);

    /// <summary>The requirement of <paramref name="contract"/> that judges this precondition for <paramref name="scenario"/> (or for any scenario), if any.</summary>
    public Requirement? JudgeIn(ApiContract contract, string? scenario)
    {
        var judges = contract.Requirements.Where(r => r.Check is { } c && JudgedBy.Contains(c.Kind)).ToList();
        return judges.FirstOrDefault(r => scenario is not null && r.Check!.Scenarios.Contains(scenario)) ?? judges.FirstOrDefault();
    }
}
