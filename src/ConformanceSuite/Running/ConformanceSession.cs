using System.Collections.Concurrent;
using ConformanceSuite.Checks;
using ConformanceSuite.Http;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Running;

/// <summary>
/// One run of the suite against one target: the HTTP client, the per-API contexts, the run's time
/// limit, and the outcomes collected so far.
/// </summary>
public sealed class ConformanceSession : IDisposable
{
    private readonly CheckRegistry registry;
    private readonly ConformanceHttpClient http;
    private readonly Dictionary<string, ApiContext> contexts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CaseOutcome> outcomes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource deadline;
    private readonly DateTimeOffset startedAt = DateTimeOffset.UtcNow;

    public ConformanceSession(CaseCatalog catalog, ResolvedTarget target, IReadOnlyList<string>? faults = null, CheckRegistry? registry = null)
    {
        Catalog = catalog;
        Target = target;
        Faults = faults ?? [];
        this.registry = registry ?? CheckRegistry.Default;
        Redactor = new Redactor();
        Log = new RequestLog();
        foreach (var contract in catalog.Contracts.Values)
        {
            foreach (var credential in contract.Auth.Credentials)
            {
                Redactor.AddCredentialName(credential.Name);
            }
        }

        foreach (var api in target.Apis.Values)
        {
            foreach (var secret in api.Credentials.Values)
            {
                Redactor.AddSecret(secret);
            }
        }

        http = new ConformanceHttpClient(target.Http, Redactor, Log);
        foreach (var (id, contract) in catalog.Contracts)
        {
            if (!target.Apis.TryGetValue(id, out var apiTarget))
            {
                throw new ConfigurationException($"target '{target.Name}' does not configure API '{id}' (configured: {string.Join(", ", target.Apis.Keys)})");
            }

            foreach (var credential in contract.Auth.Credentials.Where(c => !apiTarget.Credentials.ContainsKey(c.Name)))
            {
                throw new ConfigurationException($"target '{target.Name}' gives no credential '{credential.Name}' for {id}");
            }

            contexts[id] = new ApiContext(contract, apiTarget, http);
        }

        deadline = new CancellationTokenSource(target.RunTimeout);
    }

    public CaseCatalog Catalog { get; }

    public ResolvedTarget Target { get; }

    public IReadOnlyList<string> Faults { get; }

    /// <summary>The tool's source revision for the report's fingerprint, when known.</summary>
    public string? Revision { get; init; }

    public Redactor Redactor { get; }

    public RequestLog Log { get; }

    public IReadOnlyCollection<CaseOutcome> Outcomes => outcomes.Values.ToList();

    private readonly ConcurrentQueue<RequirementResult> external = new();

    /// <summary>Adds a verdict reached outside the checks (pact verification), so it joins every report.</summary>
    public void AddExternal(RequirementResult result) => external.Enqueue(result);

    public ApiContext Context(string apiId) => contexts[apiId];

    public CheckCase Case(string key) =>
        Catalog.Cases.FirstOrDefault(c => c.Key == key) ?? throw new ConfigurationException($"no case '{key}' in this run");

    public async Task<CaseOutcome> RunAsync(CheckCase @case)
    {
        var outcome = await CaseRunner.RunAsync(@case, contexts[@case.Contract.Id], registry, deadline.Token);
        outcomes[@case.Key] = outcome;
        return outcome;
    }

    public async Task<IReadOnlyList<CaseOutcome>> RunAllAsync(Action<CaseOutcome>? progress = null)
    {
        var list = new List<CaseOutcome>();
        foreach (var @case in Catalog.Cases)
        {
            var outcome = await RunAsync(@case);
            progress?.Invoke(outcome);
            list.Add(outcome);
        }

        return list;
    }

    public RunResults Results(string failOn = "fail")
    {
        var requirements = new List<RequirementResult>();
        foreach (var contract in Catalog.Contracts.Values)
        {
            foreach (var r in contract.Requirements)
            {
                var cases = Catalog.Cases.Where(c => c.Requirement.Id == r.Id && c.Contract.Id == contract.Id)
                    .Select(c => outcomes.TryGetValue(c.Key, out var o) ? o : null)
                    .OfType<CaseOutcome>()
                    .ToList();
                if (cases.Count == 0 && r.Waived is null)
                {
                    continue; // filtered out or not run
                }

                requirements.Add(new RequirementResult
                {
                    Api = contract.Id,
                    Id = r.Id,
                    Title = r.Title,
                    Level = r.Level,
                    Category = r.Category,
                    Source = r.Source.ToString(),
                    Assumptions = r.Assumptions,
                    RestsOnAssumption = r.RestsOnAssumption,
                    SourceIsAssumption = r.Source.IsAssumption,
                    Verdict = r.Waived is not null ? Verdict.Skipped : RequirementResult.Worst(cases.Select(c => c.Verdict)),
                    Waived = r.Waived,
                    DurationMs = cases.Sum(c => c.DurationMs),
                    Cases = cases,
                });
            }
        }

        requirements.AddRange(external.OrderBy(r => r.Api, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal));
        var counts = Enum.GetValues<Verdict>().ToDictionary(v => v.ToString().ToLowerInvariant(), v => requirements.Count(r => r.Verdict == v));
        return new RunResults
        {
            Tool = new ToolInfo("ConformanceSuite", typeof(ConformanceSession).Assembly.GetName().Version?.ToString(3) ?? "0")
            {
                Revision = Revision,
                Runtime = $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription} on {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            },
            Target = new TargetInfo(Target.Name, Target.Description, Target.Embedded,
                Target.Apis.Where(a => Catalog.Contracts.ContainsKey(a.Key)).ToDictionary(a => a.Key, a => Redactor.Scrub(a.Value.BaseUrl.ToString())),
                Faults)
            {
                InsecureTls = Target.Http.InsecureTls,
                RequestsPerMinute = Target.Http.RequestsPerMinute,
            },
            StartedAt = startedAt,
            FinishedAt = DateTimeOffset.UtcNow,
            RequestCount = Log.Count,
            FailOn = failOn,
            Conformant = requirements.All(r => !RunResults.FailsRun(r.Verdict, failOn)),
            Counts = counts,
            Requirements = requirements,
            Apis = Catalog.Contracts.Values.Select(c => new ApiInfo(c.Id, c.Title, c.Overridden, c.Assumptions, c.DocFindings)).ToList(),
        };
    }

    public void Dispose()
    {
        http.Dispose();
        deadline.Dispose();
    }
}
