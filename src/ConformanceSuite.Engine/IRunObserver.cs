using ConformanceSuite.Checks;
using ConformanceSuite.Http;
using ConformanceSuite.Running;

namespace ConformanceSuite.Engine;

/// <summary>What a front end hears while a run goes on. Every method has a default that does nothing.</summary>
public interface IRunObserver
{
    /// <summary>The run's cases are known (the one-call run tells this before its target is ready).</summary>
    void Planned(RunPlan plan) { }

    /// <summary>The target is ready (the embedded mock started, a live one reachable) and the cases are about to run.</summary>
    void Started(RunPlan plan, string targetName, string targetDescription) { }

    /// <summary>A request finished (every attempt, retries included), with the case that made it.</summary>
    void Request(HttpExchange exchange, int requestCount, CheckCase? current) { }

    /// <summary>A case has its verdict.</summary>
    void CaseFinished(CaseOutcome outcome, RunCounts counts) { }

    /// <summary>The last case of a requirement has its verdict.</summary>
    void RequirementFinished(RequirementResult requirement) { }
}

/// <summary>The counts so far, for a status line.</summary>
public sealed record RunCounts(int CasesDone, int CasesTotal, IReadOnlyDictionary<Verdict, int> Verdicts, int Requests, TimeSpan Elapsed);
