using ConformanceSuite.Engine;
using ConformanceSuite.Running;
using NUnit.Framework;

namespace ConformanceSuite.Conformance;

/// <summary>
/// The NUnit front end over the engine: the cases NUnit lists are the engine's plan, one engine run for the
/// whole assembly makes every verdict (and writes every report), and each test reports its case's verdict.
/// </summary>
[SetUpFixture]
public sealed class ConformanceRun
{
    private static readonly Lazy<RunPlan> LazyPlan = new(() => ConformanceEngine.Plan(EnvironmentSettings.Read(ProcessVariables())));
    private static Dictionary<string, Checks.CaseOutcome>? outcomes;
    private static Dictionary<string, Change?> changes = [];

    public static RunPlan Plan => LazyPlan.Value;

    private static Dictionary<string, string> ProcessVariables() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);

    public static Checks.CaseOutcome Outcome(string key) =>
        outcomes is null
            ? throw new InvalidOperationException("the conformance run did not start; see the set-up error")
            : outcomes[key];

    /// <summary>How the case's requirement changed against the baseline (null without one).</summary>
    public static Change? ChangeOf(string key) => changes.GetValueOrDefault(key);

    [OneTimeSetUp]
    public async Task RunAsync()
    {
        await TestContext.Progress.WriteLineAsync($"conformance: {Plan.Catalog.Cases.Count} cases of {string.Join(", ", Plan.Catalog.Contracts.Keys)} against '{Plan.TargetName}'; results in {Plan.ReportDirectory}");
        var results = await ConformanceEngine.RunAsync(Plan, new ProgressLines());
        outcomes = results.Requirements.SelectMany(r => r.Cases).ToDictionary(c => c.Key);
        changes = results.Requirements.SelectMany(r => r.Cases.Select(c => (c.Key, r.Change))).ToDictionary(x => x.Key, x => x.Change);
        await TestContext.Progress.WriteLineAsync(TextReports.Summary(results));
    }

    /// <summary>Every request with its purpose, and every requirement as it finishes, on NUnit's progress output.</summary>
    private sealed class ProgressLines : IRunObserver
    {
        public void Request(Http.HttpExchange exchange, int requestCount, Checks.CheckCase? current) =>
            TestContext.Progress.WriteLine($"[{current?.Contract.Id ?? "setup"}]     · {exchange.Purpose} -> {exchange.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? exchange.Error} (request {requestCount})");

        public void RequirementFinished(RequirementResult requirement) =>
            TestContext.Progress.WriteLine($"[{requirement.Api}] {TextReports.Requirement(requirement).TrimEnd()}");
    }
}
