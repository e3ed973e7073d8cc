using System.Text.Json.Serialization;
using ConformanceSuite.Checks;

namespace ConformanceSuite.Running;

/// <summary>How a requirement's verdict compares with a baseline run's.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Change>))]
public enum Change
{
    /// <summary>Not failing before, or not in the baseline; failing now: a regression.</summary>
    NewFail,

    /// <summary>Failing before and now.</summary>
    StillFailing,

    /// <summary>Failing before, not now.</summary>
    Fixed,

    /// <summary>Failing neither before nor now.</summary>
    Unchanged,
}

/// <summary>The baseline a run was compared with: an earlier run's results.json.</summary>
/// <param name="File">The baseline file.</param>
/// <param name="Target">The baseline run's target.</param>
/// <param name="FinishedAt">When the baseline run finished.</param>
/// <param name="Revision">The tool revision of the baseline run.</param>
public sealed record BaselineInfo(string File, string Target, DateTimeOffset FinishedAt, string? Revision)
{
    /// <summary>Requirements by change.</summary>
    public IReadOnlyDictionary<string, int> Changes { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// Requirements (<c>api/id</c>) checked in full in the baseline run but not now, though not failing: coverage
    /// the change lost. Under fail-on new they make the run incomplete rather than pass.
    /// </summary>
    public IReadOnlyList<string> LessChecked { get; init; } = [];
}

/// <summary>Marks each requirement of a run against a baseline run: new fail, fixed, still failing, or unchanged.</summary>
public static class Baseline
{
    /// <summary>Failing, for the comparison: a fail or an error (the verdicts that fail any run), whatever the fail-on.</summary>
    public static bool Failing(Verdict verdict) => verdict is Verdict.Fail or Verdict.Error;

    public static RunResults Compare(RunResults run, RunResults baseline, string file)
    {
        var before = baseline.Requirements.ToDictionary(r => (r.Api, r.Id));
        var marked = run.Requirements.Select(r =>
        {
            var was = before.TryGetValue((r.Api, r.Id), out var b) ? b.Verdict : (Verdict?)null;
            var change = (Failing(r.Verdict), was is { } w && Failing(w)) switch
            {
                (true, false) => Change.NewFail,
                (true, true) => Change.StillFailing,
                (false, true) => Change.Fixed,
                _ => Change.Unchanged,
            };
            return r with { Change = change, BaselineVerdict = was };
        }).ToList();
        var lessChecked = marked
            .Where(r => !Failing(r.Verdict) && r.Verdict != Verdict.NotApplicable && r.NotChecked.Count > 0
                        && before.TryGetValue((r.Api, r.Id), out var b) && FullyChecked(b))
            .Select(r => $"{r.Api}/{r.Id}")
            .ToList();
        var info = new BaselineInfo(Path.GetFullPath(file), baseline.Target.Name, baseline.FinishedAt, baseline.Tool.Revision)
        {
            Changes = Enum.GetValues<Change>().ToDictionary(Key, c => marked.Count(r => r.Change == c)),
            LessChecked = lessChecked,
        };
        var compared = run with { Requirements = marked, Baseline = info };
        return compared with
        {
            Outcome = RunResults.OutcomeOf(marked, run.FailOn),
            Conformant = RunResults.OutcomeOf(marked, run.FailOn) == RunOutcome.Conformant,
        };
    }

    private static bool FullyChecked(RequirementResult r) =>
        r.Verdict is Verdict.Pass or Verdict.Deviation && r.Cases.Count > 0 && !r.Cases.Any(c => c.NotFullyChecked);

    /// <summary>A change's key in counts and reports: <c>new-fail</c>, <c>still-failing</c>, <c>fixed</c>, <c>unchanged</c>.</summary>
    public static string Key(Change change) => change switch
    {
        Change.NewFail => "new-fail",
        Change.StillFailing => "still-failing",
        Change.Fixed => "fixed",
        _ => "unchanged",
    };
}
