using System.Text.Json.Serialization;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>
/// The verdicts. Deviation is a broken assumption or SHOULD, reported apart from failures. Skipped means not
/// checked (a limit of the suite, or configuration that is missing), with the reason and the setting that would
/// allow the check. Error means the suite itself could not judge the case: its check threw, or the run ended
/// before or while it ran. Not applicable is the target profile's word, with its reason.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict
{
    Pass,
    Fail,
    Deviation,
    Skipped,
    Error,
    NotApplicable,
}

/// <summary>Whether a finding breaks a documented rule or only an assumed one.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Aspect>))]
public enum Aspect
{
    Documented,
    Assumed,
}

/// <summary>
/// One element a requirement is checked on, in typed parts: what it is (<see cref="Name"/>: a parameter, a
/// credential, a scenario, an export format, a pact interaction), the value tried, the scenario and the file
/// name it goes with. Checks read the parts; <see cref="Key"/> is only how reports and case names show it.
/// </summary>
/// <param name="Name">The parameter, credential, scenario, format or interaction.</param>
public sealed record CaseElement(string Name)
{
    /// <summary>The value tried (<c>limit=7</c>), if any.</summary>
    public string? Value { get; init; }

    /// <summary>The scenario it is tried in, when that is not the element itself (<c>CSV@all-sessions</c>).</summary>
    public string? Scenario { get; init; }

    /// <summary>The file name asked for (<c>CSV:sessions-export</c>).</summary>
    public string? File { get; init; }

    /// <summary>A note on how it is tried (<c>limit (default 10)</c>).</summary>
    public string? Note { get; init; }

    /// <summary>The element as reports and case names show it: <c>name=value@scenario:file (note)</c>, each part only when given.</summary>
    public string Key => Name + (Value is null ? "" : "=" + Value) + (Scenario is null ? "" : "@" + Scenario)
                         + (File is null ? "" : ":" + File) + (Note is null ? "" : $" ({Note})");

    public override string ToString() => Key;
}

/// <summary>A requirement applied to one contract element: one NUnit case, one line of the report.</summary>
public sealed record CheckCase(ApiContract Contract, Requirement Requirement, CaseElement Element)
{
    public string Key => $"{Contract.Id}/{Requirement.Id}/{Element.Key}";

    public string DisplayName => $"{Requirement.Id} [{Element.Key}] {Requirement.Title}";
}

/// <summary>The result of one case.</summary>
public sealed record CaseOutcome
{
    public required string Key { get; init; }

    public required string Api { get; init; }

    public required string RequirementId { get; init; }

    public required string Element { get; init; }

    public required Verdict Verdict { get; init; }

    /// <summary>For a non-pass verdict: the requirement, the element and what was found.</summary>
    public required string Message { get; init; }

    public IReadOnlyList<Finding> Findings { get; init; } = [];

    public IReadOnlyList<string> Notes { get; init; } = [];

    public IReadOnlyList<HttpExchange> Evidence { get; init; } = [];

    public double DurationMs { get; init; }

    /// <summary>For a case not checked (or checked only in part): the profile setting that would let it be checked in full.</summary>
    public string? Setting { get; init; }

    /// <summary>For a pass that checked only part of what the rule says: what it did check, and what it did not.</summary>
    public string? Partial { get; init; }

    /// <summary>The case was not checked in full: skipped, or passed only in part.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool NotFullyChecked => Verdict == Verdict.Skipped || Partial is not null;
}

/// <summary>
/// Thrown by a check when it cannot judge its case: a precondition cannot be met, or one of the suite's own
/// limits or a missing setting stops it. The case is skipped (not checked) with the reason, and with the
/// setting (its name in the target profile) that would let it be checked, when there is one.
/// </summary>
public sealed class SkipCheckException : Exception
{
    public SkipCheckException(string reason) : base(reason) { }

    public SkipCheckException(string reason, string? setting) : base(reason) => Setting = setting;

    public SkipCheckException() { }

    public SkipCheckException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The profile setting that would let the case be checked (<c>maxBufferedBytes</c>, <c>apis.wavy-open-sessions.pact.stateUrl</c>); null when none would.</summary>
    public string? Setting { get; }
}
