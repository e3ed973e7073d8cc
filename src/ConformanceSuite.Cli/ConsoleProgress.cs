using System.Globalization;
using ConformanceSuite.Checks;
using ConformanceSuite.Engine;
using ConformanceSuite.Http;
using ConformanceSuite.Running;

namespace ConformanceSuite.Cli;

/// <summary>
/// The console progress: every request with what it is for, every requirement as it finishes, and, on a
/// terminal, a status line with the counts so far that the other lines scroll above.
/// </summary>
internal sealed class ConsoleProgress(TextWriter stdout, bool interactive) : IRunObserver
{
    private readonly Lock gate = new();
    private RunCounts? counts;

    public string ReportDirectory { get; private set; } = "";

    public void Planned(RunPlan plan) => ReportDirectory = plan.ReportDirectory;

    /// <summary>
    /// The run's line, once its target is ready and its report folder made: a run refused before (a folder that takes no
    /// file, an unreachable target) names no folder its results are not in.
    /// </summary>
    public void Started(RunPlan plan, string targetName, string targetDescription) =>
        Line($"conformance: {plan.Catalog.Cases.Count} cases of {string.Join(", ", plan.Catalog.Contracts.Keys)} against '{plan.TargetName}'; results in {plan.ReportDirectory}");

    public void Request(HttpExchange exchange, int requestCount, CheckCase? current)
    {
        lock (gate)
        {
            counts = counts is null ? null : counts with { Requests = requestCount };
            // A purpose may quote a provider's value (a filter taken from its items), an error its words: one line still.
            Line(ProviderText.OneLine($"    · {exchange.Purpose} -> {exchange.Status?.ToString(CultureInfo.InvariantCulture) ?? exchange.Error} (request {requestCount})"));
        }
    }

    public void CaseFinished(CaseOutcome outcome, RunCounts counts)
    {
        lock (gate)
        {
            this.counts = counts;
            Status();
        }
    }

    public void RequirementFinished(RequirementResult requirement) => Line(TextReports.Requirement(requirement).TrimEnd());

    /// <summary>Clears the status line before the summary.</summary>
    public void Finish()
    {
        if (interactive)
        {
            lock (gate)
            {
                stdout.Write("\r\u001b[2K");
                stdout.Flush();
            }
        }
    }

    private void Line(string text)
    {
        lock (gate)
        {
            if (interactive)
            {
                stdout.Write("\r\u001b[2K");
            }

            stdout.WriteLine(TerminalText.Safe(text)); // a provider's text is quoted in it
            Status();
        }
    }

    private void Status()
    {
        if (!interactive || counts is null)
        {
            return;
        }

        var v = counts.Verdicts;
        stdout.Write($"\r\u001b[2K[{counts.CasesDone}/{counts.CasesTotal} cases] {v[Verdict.Pass]} pass · {v[Verdict.Fail]} fail · {v[Verdict.Deviation]} deviation · "
                     + $"{v[Verdict.Skipped]} skipped · {v[Verdict.Error]} error · {counts.Requests} requests · {counts.Elapsed.TotalSeconds:0.0} s");
        stdout.Flush();
    }
}
