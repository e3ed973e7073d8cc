using System.Diagnostics;
using ConformanceSuite.Checks;
using ConformanceSuite.Http;

namespace ConformanceSuite.Running;

/// <summary>Runs one case and turns what its check found into one of the four verdicts.</summary>
public static class CaseRunner
{
    public static async Task<CaseOutcome> RunAsync(CheckCase @case, ApiContext context, CheckRegistry registry, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var run = new CheckRun(@case, context);
        string? skipReason = null;
        string? error = null;
        try
        {
            await registry.Get(@case.Requirement.Check!.Kind).RunAsync(run, ct);
        }
        catch (SkipCheckException skip)
        {
            skipReason = skip.Message;
        }
        catch (CredentialConfinementException leak)
        {
            error = $"the suite stopped a credential leak: {leak.Message}";
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            error = "the run's time limit was reached before this case finished";
        }

        var verdict = skipReason is not null ? Verdict.Skipped : Judge(@case, run.Findings);
        if (error is not null)
        {
            verdict = Verdict.Fail;
        }

        return new CaseOutcome
        {
            Key = @case.Key,
            Api = @case.Contract.Id,
            RequirementId = @case.Requirement.Id,
            Element = @case.Element.Key,
            Verdict = verdict,
            Message = Message(@case, verdict, run, skipReason, error),
            Findings = run.Findings,
            Notes = run.Notes,
            Evidence = run.Evidence,
            DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        };
    }

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

    private static string Message(CheckCase @case, Verdict verdict, CheckRun run, string? skip, string? error)
    {
        var head = $"{@case.Requirement.Id} [{@case.Element.Key}] {@case.Requirement.Title}";
        return verdict switch
        {
            Verdict.Pass => "pass" + (run.Notes.Count > 0 ? $" ({string.Join("; ", run.Notes)})" : ""),
            Verdict.Skipped => $"{head}: skipped: {skip}",
            _ when error is not null => $"{head}: FAIL: {error}",
            _ => $"{head}: {(verdict == Verdict.Fail ? "FAIL" : "DEVIATION")}:" + Environment.NewLine
                 + string.Join(Environment.NewLine, run.Findings.Select(f =>
                     $"  - {f.Message}{(f.Aspect == Aspect.Assumed ? " [assumed rule]" : "")}"
                     + (f.Evidence is null ? "" : Environment.NewLine + "    evidence: " + f.Evidence.Describe()))),
        };
    }
}
