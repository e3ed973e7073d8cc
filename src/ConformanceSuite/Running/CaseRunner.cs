using System.Diagnostics;
using ConformanceSuite.Checks;
using ConformanceSuite.Http;

namespace ConformanceSuite.Running;

/// <summary>Runs one case and turns what its check found into one of the five verdicts.</summary>
public static class CaseRunner
{
    /// <param name="case">The case.</param>
    /// <param name="context">Its API's shared probes and client.</param>
    /// <param name="registry">The check kinds.</param>
    /// <param name="runLog">Where an exception's stack trace goes (never into a report).</param>
    /// <param name="ct">The run's time limit (or an interrupt).</param>
    /// <param name="cutOffBy">What ended the run when <paramref name="ct"/> is cancelled; null: its time limit.</param>
    public static async Task<CaseOutcome> RunAsync(CheckCase @case, ApiContext context, CheckRegistry registry, RunLog runLog, CancellationToken ct, Func<string>? cutOffBy = null)
    {
        var started = Stopwatch.GetTimestamp();
        var check = registry.Get(@case.Requirement.Check!.Kind);
        var run = new CheckRun(@case, context, check);
        string? skipReason = null;
        string? setting = null;
        string? error = null;
        try
        {
            await check.RunAsync(run, ct);
        }
        catch (SkipCheckException skip)
        {
            skipReason = ProviderText.Bounded(context.Http.Redactor.Scrub(skip.Message));
            setting = skip.Setting;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            error = $"cut off by {cutOffBy?.Invoke() ?? "the run's time limit"} after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.#} s in this case"
                    + (context.Http.TakeCutOff() is { } request ? $", while waiting for {request}" : "");
        }
#pragma warning disable CA1031 // any exception of a check is the suite's own failure to judge: it becomes the case's error verdict
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = runLog.Error(@case.Key, ex);
        }

        // A finding that rests on a response the suite stopped reading at one of its own limits, or on JSON nested
        // deeper than it reads, judges nothing about the provider. When such findings are all the case found, the case
        // was not checked, and the setting that would let it be is named. Beside a finding of the provider's own, that
        // one is judged (a limit met elsewhere must not hide it), and the case says what it could not check.
        IReadOnlyList<Finding> judged = run.Findings;
        string? leftOut = null;
        if (error is null && skipReason is not null && run.Findings.Where(f => !PastSuiteBound(f)).ToList() is { Count: > 0 } found)
        {
            // A check that stopped part-way (its next step could not be taken) had found something by then: that is
            // judged, and the case says what it did not get to check. A skip must not hide what was found.
            judged = found;
            leftOut = $"not all of it was checked: {skipReason}";
            skipReason = null;
        }
        else if (error is null && skipReason is null && run.Findings.FirstOrDefault(PastSuiteBound) is { } bounded)
        {
            var what = bounded.Evidence?.Limit is not null
                ? $"{bounded.Evidence.Error} ({bounded.Evidence.RequestLine})"
                : $"the body is JSON {((NotJson)bounded).Detail}{(bounded.Evidence is null ? "" : $" ({bounded.Evidence.RequestLine})")}";
            setting = bounded.Evidence?.Limit;
            var own = run.Findings.Where(f => !PastSuiteBound(f)).ToList();
            if (own.Count == 0)
            {
                skipReason = $"not checked: {what}"; // its findings stay, as what the suite met
            }
            else
            {
                judged = own;
                leftOut = $"not all of it was checked: {what}";
            }
        }

        var verdict = error is not null ? Verdict.Error : skipReason is not null ? Verdict.Skipped : Judge(@case, judged);
        var partial = leftOut is null ? run.Partial : run.Partial is null ? leftOut : $"{run.Partial}; {leftOut}";
        return new CaseOutcome
        {
            Key = @case.Key,
            Api = @case.Contract.Id,
            RequirementId = @case.Requirement.Id,
            Element = @case.Element.Key,
            Verdict = verdict,
            Message = Message(@case, verdict, judged, run, skipReason, error),
            Findings = judged,
            Notes = run.FindingsNotKept == 0 ? run.Notes
                : [.. run.Notes, $"{run.Findings.Count + run.FindingsNotKept:N0} findings in all; {run.Findings.Count} are kept (the suite's bound)"],
            Evidence = run.Evidence,
            DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            Setting = verdict == Verdict.Skipped ? setting : run.PartialSetting ?? (leftOut is null ? null : setting),
            Partial = verdict is Verdict.Pass or Verdict.Deviation or Verdict.Fail ? partial : null,
        };
    }

    /// <summary>Whether a finding rests on what the suite did not read whole: a response cut at a limit of its own, or JSON deeper than it reads.</summary>
    private static bool PastSuiteBound(Finding f) => f.Evidence?.Limit is not null || f is NotJson { PastSuiteBound: true };

    /// <summary>The outcome of a case the target profile declares not applicable: not run, and not counted as unchecked.</summary>
    public static CaseOutcome NotApplicable(CheckCase @case, string reason) => new()
    {
        Key = @case.Key,
        Api = @case.Contract.Id,
        RequirementId = @case.Requirement.Id,
        Element = @case.Element.Key,
        Verdict = Verdict.NotApplicable,
        Message = $"{Head(@case)}: not applicable: {reason} (the target profile says so)",
    };

    /// <summary>The outcome of a case the run did not get to run: an error, never a silent gap.</summary>
    public static CaseOutcome NotRun(CheckCase @case, string why) => new()
    {
        Key = @case.Key,
        Api = @case.Contract.Id,
        RequirementId = @case.Requirement.Id,
        Element = @case.Element.Key,
        Verdict = Verdict.Error,
        Message = ErrorMessage(@case, why),
    };

    /// <summary>
    /// No finding: pass. A SHOULD, or a requirement whose source is an assumption: deviation. A MUST with
    /// a finding against a documented rule: fail; only against assumed ones: deviation.
    /// </summary>
    public static Verdict Judge(CheckCase @case, IReadOnlyList<Finding> findings)
    {
        if (findings.Count == 0)
        {
            return Verdict.Pass;
        }

        var r = @case.Requirement;
        if (r.IsShould || r.Source.IsAssumption)
        {
            return Verdict.Deviation;
        }

        return findings.Any(f => f.Aspect == Aspect.Documented) ? Verdict.Fail : Verdict.Deviation;
    }

    private static string Head(CheckCase @case) => $"{@case.Requirement.Id} [{@case.Element.Key}] {@case.Requirement.Title}";

    /// <summary>The message of a case in error: the check threw, or the run never reached the case.</summary>
    private static string ErrorMessage(CheckCase @case, string? why) => ProviderText.OneLine($"{Head(@case)}: ERROR: {why}");

    /// <remarks>
    /// Its lines are the suite's own: the provider's text quoted in them stays on its line (<see cref="ProviderText.OneLine"/>),
    /// for the message goes to the test runner's console and so to a CI log, which obeys a line that starts with <c>::</c>.
    /// </remarks>
    private static string Message(CheckCase @case, Verdict verdict, IReadOnlyList<Finding> findings, CheckRun run, string? skip, string? error) => verdict switch
    {
        Verdict.Pass when run.Partial is not null => ProviderText.OneLine($"pass, in part: {run.Partial}" + (run.Notes.Count > 0 ? $" ({string.Join("; ", run.Notes)})" : "")),
        Verdict.Pass => ProviderText.OneLine("pass" + (run.Notes.Count > 0 ? $" ({string.Join("; ", run.Notes)})" : "")),
        Verdict.Skipped => ProviderText.OneLine($"{Head(@case)}: skipped: {skip}"),
        Verdict.Error => ErrorMessage(@case, error),
        _ => string.Join(Environment.NewLine, findings.SelectMany(FindingLines).Prepend($"{Head(@case)}: {(verdict == Verdict.Fail ? "FAIL" : "DEVIATION")}:").Select(ProviderText.OneLine)),
    };

    /// <summary>A finding's lines in a case's message: what it found, and the exchange it rests on.</summary>
    private static IEnumerable<string> FindingLines(Finding f)
    {
        yield return $"  - {f.Message}{(f.Aspect == Aspect.Assumed ? " [assumed rule]" : "")}";
        if (f.Evidence is not null)
        {
            yield return "    evidence: " + f.Evidence.Describe();
        }
    }
}
