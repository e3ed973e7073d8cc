using System.Collections.Concurrent;
using System.Diagnostics;
using ConformanceSuite.Checks;
using ConformanceSuite.Contracts;
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

    /// <summary>Why the run ended before its time limit (<see cref="Stop"/>); null while it has not.</summary>
    private RunStop? stopped;
    private readonly DateTimeOffset startedAt = DateTimeOffset.UtcNow;
    private double checksMs;

    public ConformanceSession(CaseCatalog catalog, ResolvedTarget target, IReadOnlyList<string>? faults = null, CheckRegistry? registry = null)
    {
        Catalog = catalog;
        Target = target;
        Faults = faults ?? [];
        this.registry = registry ?? CheckRegistry.Default;
        Redactor = new Redactor();
        Log = new RequestLog();
        RunLog = new RunLog(Redactor);
        foreach (var contract in catalog.Contracts.Values)
        {
            foreach (var credential in contract.Auth.Credentials)
            {
                Redactor.AddCredentialName(credential.Name);
            }
        }

        // Every secret of the target, added at once: the redactor builds its pattern once, not once per secret.
        var secrets = new List<string?>();
        foreach (var api in target.Apis.Values)
        {
            foreach (var secret in api.Credentials.Values)
            {
                secrets.Add(secret);
                // The wrong-credential check sends it; it is the secret but for one character.
                secrets.Add(CredentialSet.NearMiss(secret));
                // And it sends the secret with its letters in the other case.
                secrets.Add(CredentialSet.OtherCase(secret));
            }

            secrets.Add(api.Pact.Broker?.Token);
            // A password in a URL's user information (https://user:password@host/) is a credential too.
            foreach (var url in api.Pact.Providers.Values.Append(api.BaseUrl).Append(api.Pact.StateUrl).Append(api.Pact.Broker?.Url))
            {
                secrets.Add(url?.UserInfo is { Length: > 0 } info ? Uri.UnescapeDataString(info[(info.IndexOf(':', StringComparison.Ordinal) + 1)..]) : null);
            }
        }

        Redactor.AddSecrets(secrets);

        http = new ConformanceHttpClient(target.Http, Redactor, Log, Addresses(target));
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

            foreach (var (name, value) in apiTarget.Credentials)
            {
                // Refused before anything is sent, in a line that names the character, never the value.
                if (CredentialSet.UnsendableReason(value) is { } why)
                {
                    throw new ConfigurationException($"target '{target.Name}' gives a credential '{name}' for {id} that {why}");
                }
            }

            foreach (var (slot, value) in apiTarget.TestData)
            {
                // A line end left from the file the value was read from would go into every request that names it, and a
                // right provider's refusal of that value would be judged as its fail.
                var at = Array.FindIndex(value.ToCharArray(), c => char.IsControl(c) && c != '\t');
                if (at >= 0)
                {
                    throw new ConfigurationException($"target '{target.Name}' gives test data '{slot}' for {id} that holds a control character (U+{(int)value[at]:X4}): no id or value of the API holds one; remove it (a line end left from the file it was read from?)");
                }
            }

            contexts[id] = new ApiContext(contract, apiTarget, http,
                Catalog.Cases.Where(c => c.Contract == contract).Select(c => c.Requirement.Id).ToHashSet(StringComparer.Ordinal));
        }

        deadline = new CancellationTokenSource(target.RunTimeout);
    }

    /// <summary>The address policy of a target: its own hosts are every URL its profile names.</summary>
    private static AddressPolicy Addresses(ResolvedTarget target)
    {
        var policy = new AddressPolicy(target.Http.AllowPrivateAddresses);
        foreach (var api in target.Apis.Values)
        {
            policy.Trust(api.BaseUrl);
            foreach (var url in new[] { api.Pact.StateUrl, api.Pact.Broker?.Url }.OfType<Uri>().Concat(api.Pact.Providers.Values))
            {
                policy.Trust(url);
            }
        }

        return policy;
    }

    public CaseCatalog Catalog { get; }

    public ResolvedTarget Target { get; }

    public IReadOnlyList<string> Faults { get; }

    /// <summary>The tool's source revision for the report's fingerprint, when known.</summary>
    public string? Revision { get; init; }

    public Redactor Redactor { get; }

    public RequestLog Log { get; }

    /// <summary>What the suite did, and the stack traces of errors (conformance.log).</summary>
    public RunLog RunLog { get; }

    /// <summary>The case running now (for progress lines); null between cases.</summary>
    public CheckCase? Current { get; private set; }

    public IReadOnlyCollection<CaseOutcome> Outcomes => outcomes.Values.ToList();

    public ApiContext Context(string apiId) => contexts[apiId];

    public async Task<CaseOutcome> RunAsync(CheckCase @case)
    {
        Current = @case;
        var started = Stopwatch.GetTimestamp();
        var context = contexts[@case.Contract.Id];
        var outcome = context.Target.NotApplicable.TryGetValue(@case.Requirement.Id, out var reason)
            ? CaseRunner.NotApplicable(@case, reason)
            : deadline.IsCancellationRequested
            ? CaseRunner.NotRun(@case, $"not run: {StopReason.BeforeStart} before this case started")
            : await CaseRunner.RunAsync(@case, context, registry, RunLog, deadline.Token, () => StopReason.CutOffBy);
        checksMs += Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        outcomes[@case.Key] = outcome;
        Current = null;
        return outcome;
    }

    /// <summary>
    /// Ends the run now, as its time limit would, for <paramref name="why"/> (an interrupt): the case running is cut off,
    /// no other starts, and each of them is an error that says why. The first reason given is kept.
    /// </summary>
    public void Stop(RunStop why)
    {
        ArgumentNullException.ThrowIfNull(why);
        if (Interlocked.CompareExchange(ref stopped, why, null) is null)
        {
            deadline.Cancel();
        }
    }

    /// <summary>Why the run ends early: what <see cref="Stop"/> was given, else the run's time limit.</summary>
    private RunStop StopReason => Volatile.Read(ref stopped)
        ?? new RunStop("the run's time limit", $"the run's time limit ({Target.RunTimeout.TotalSeconds:0.#} s) was reached");

    /// <summary>
    /// Runs every case of the catalog in order. <paramref name="caseDone"/> hears each outcome, and
    /// <paramref name="requirementDone"/> each requirement once its last case is done.
    /// </summary>
    public async Task RunAllAsync(Action<CaseOutcome>? caseDone = null, Action<RequirementResult>? requirementDone = null)
    {
        var cases = Catalog.Cases;
        for (var i = 0; i < cases.Count; i++)
        {
            var outcome = await RunAsync(cases[i]);
            caseDone?.Invoke(outcome);
            if (requirementDone is not null && (i + 1 == cases.Count || cases[i + 1].Requirement != cases[i].Requirement))
            {
                requirementDone(Result(cases[i].Contract, cases[i].Requirement));
            }
        }
    }

    /// <summary>A requirement's result from its cases' outcomes; a case without one is an error, never left out.</summary>
    public RequirementResult Result(ApiContract contract, Requirement r)
    {
        var cases = Catalog.Cases.Where(c => c.Requirement == r && c.Contract == contract)
            .Select(c => outcomes.TryGetValue(c.Key, out var o) ? o : CaseRunner.NotRun(c, "the run never reached this case"))
            .ToList();
        return new RequirementResult
        {
            Api = contract.Id,
            Id = r.Id,
            Title = r.Title,
            Level = r.Level == RequirementLevel.Should ? "SHOULD" : "MUST",
            Category = r.Category,
            Source = r.Source.ToString(),
            Assumptions = r.Assumptions,
            RestsOnAssumption = r.RestsOnAssumption,
            SourceIsAssumption = r.Source.IsAssumption,
            Verdict = r.Waived is not null ? Verdict.NotApplicable : RequirementResult.Worst(cases.Select(c => c.Verdict)),
            Waived = r.Waived,
            NotApplicable = r.Waived ?? cases.FirstOrDefault(c => c.Verdict == Verdict.NotApplicable)?.Message,
            DurationMs = cases.Sum(c => c.DurationMs),
            Cases = cases,
        };
    }

    public RunResults Results(string failOn = "fail")
    {
        var requirements = Catalog.Requirements.Select(x => Result(x.Contract, x.Requirement)).ToList();
        var counts = Enum.GetValues<Verdict>().ToDictionary(TextReports.Key, v => requirements.Count(r => r.Verdict == v));
        return new RunResults
        {
            Tool = new ToolInfo("ConformanceSuite", ToolInfo.AssemblyVersion)
            {
                Revision = Revision,
                Runtime = $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription} on {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            },
            Target = new TargetInfo(Target.Name, Redactor.Scrub(Target.Description), Target.Embedded,
                Target.Apis.Where(a => Catalog.Contracts.ContainsKey(a.Key)).ToDictionary(a => a.Key, a => Redactor.Scrub(a.Value.BaseUrl.ToString())),
                Faults)
            {
                InsecureTls = Target.Http.InsecureTls,
                RequestsPerMinute = Target.Http.RequestsPerMinute,
            },
            StartedAt = startedAt,
            FinishedAt = DateTimeOffset.UtcNow,
            ChecksMs = checksMs,
            RequestCount = Log.Count,
            Latency = Running.Latency.Of(Log.Entries, Catalog.Contracts, Target.Apis),
            FailOn = failOn,
            Outcome = RunResults.OutcomeOf(requirements, failOn),
            Conformant = RunResults.OutcomeOf(requirements, failOn) == RunOutcome.Conformant,
            Counts = counts,
            Requirements = requirements,
            Apis = Catalog.Contracts.Values.Select(c => new ApiInfo(c.Id, c.Title, c.Overridden, c.Assumptions, c.DocFindings)).ToList(),
        };
    }

    public void Dispose()
    {
        foreach (var context in contexts.Values)
        {
            context.Dispose();
        }

        http.Dispose();
        Log.Dispose();
        deadline.Dispose();
    }
}

/// <summary>Why a run ended early, as its cases' errors say it.</summary>
/// <param name="CutOffBy">What cut off the case that was running: "cut off by {CutOffBy} after …".</param>
/// <param name="BeforeStart">What happened before a case started: "not run: {BeforeStart} before this case started".</param>
public sealed record RunStop(string CutOffBy, string BeforeStart);
