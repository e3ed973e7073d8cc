using System.Diagnostics;
using ConformanceSuite.Checks;
using ConformanceSuite.Contracts;
using ConformanceSuite.MockServer;
using ConformanceSuite.Running;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Engine;

/// <summary>What a run will do: its settings, its contract data, its target profile and its cases.</summary>
public sealed record RunPlan(RunSettings Settings, RepositoryLayout Layout, TargetProfiles.Profile? Profile, CaseCatalog Catalog, CheckRegistry Registry)
{
    /// <summary>The name the run's target goes by (the profile's, or <c>ad-hoc</c>).</summary>
    public string TargetName => Profile?.Name ?? AdHocName;

    /// <summary>The name of a target given by its base URL alone.</summary>
    public const string AdHocName = "ad-hoc";

    /// <summary>How long loading the contracts and expanding the cases took.</summary>
    public double PlanMs { get; init; }

    /// <summary>The baseline run (<see cref="RunSettings.Baseline"/>) as it was read when the run was planned; null without one.</summary>
    public RunResults? BaselineRun { get; init; }

    /// <summary>Where the reports go: the settings' folder, or <c>artifacts/&lt;time&gt;-&lt;target&gt;</c> under the current directory.</summary>
    public string ReportDirectory { get; } = FullReportDirectory(Settings.ReportDirectory
        ?? Path.Combine("artifacts", $"{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture)}-{Profile?.Name ?? AdHocName}"));

    private static string FullReportDirectory(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ConfigurationException($"the report folder '{path}' is not a valid path: {ex.Message}");
        }
    }
}

/// <summary>
/// The certification engine: one call takes typed settings, runs every case in this process (starting the
/// embedded mock when the target is the embedded one), writes every report, and returns the results. The
/// CLI and the NUnit suite are two thin front ends over it.
/// </summary>
public static class ConformanceEngine
{
    /// <summary>Runs a certification: plans it, tells the observer the plan, then runs it.</summary>
    /// <exception cref="ConfigurationException">The settings, a profile or a contract is wrong (one clear message).</exception>
    /// <exception cref="TargetUnreachableException">A live target does not accept connections.</exception>
    public static async Task<RunResults> RunAsync(RunSettings settings, IRunObserver? observer = null)
    {
        var plan = Plan(settings);
        observer?.Planned(plan);
        return await RunAsync(plan, observer);
    }

    /// <summary>Loads and validates everything a run needs, and expands its cases; sends nothing.</summary>
    public static RunPlan Plan(RunSettings settings)
    {
        var clock = Stopwatch.StartNew();
        var (layout, profile, baseline) = ReadTarget(settings);
        return Plan(settings, layout, profile) with { PlanMs = clock.Elapsed.TotalMilliseconds, BaselineRun = baseline };
    }

    private static (RepositoryLayout Layout, TargetProfiles.Profile? Profile, RunResults? Baseline) ReadTarget(RunSettings settings)
    {
        var layout = RepositoryLayout.Discover(settings.ContractsDirectory);
        TargetProfiles.Profile? profile = null;
        RunResults? before = null;
        if (settings.AdHoc is { } adHoc)
        {
            if (settings.Apis.Count != 1)
            {
                throw new ConfigurationException("an ad-hoc target (a base URL) serves one API: name it with --api");
            }

            if (!Uri.TryCreate(adHoc.BaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                throw new ConfigurationException($"the base URL '{adHoc.BaseUrl}' is not an http(s) URL");
            }

            if (TargetProfiles.QueryOrFragment(url) is { } why)
            {
                throw new ConfigurationException($"the base URL {why}");
            }
        }
        else
        {
            profile = TargetProfiles.Read(layout, settings.Target);
        }

        if (settings.FailOn == FailOn.New && settings.Baseline is null)
        {
            throw new ConfigurationException("fail-on new fails only on regressions against a baseline: give the baseline run's results.json with --baseline");
        }

        if (settings.Baseline is { } baseline)
        {
            if (string.IsNullOrWhiteSpace(baseline))
            {
                throw new ConfigurationException("the baseline is empty: give an earlier run's results.json");
            }

            if (InputFile.NotAFile(baseline) is { } problem)
            {
                throw new ConfigurationException($"the baseline {Path.GetFullPath(baseline)} {problem} (give an earlier run's results.json)");
            }

            // Read now, and only now: a bad baseline stops the run before it starts, not after it, and one in the run's
            // own report folder is compared although the run clears that folder's reports. A run of another target
            // is no baseline: what that provider failed would make this one's regressions "still failing".
            before = RunResults.Read(baseline);
            var name = profile?.Name ?? RunPlan.AdHocName;
            if (!string.Equals(before.Target?.Name, name, StringComparison.Ordinal))
            {
                throw new ConfigurationException($"the baseline {Path.GetFullPath(baseline)} is a run of target '{before.Target?.Name}', not of '{name}': "
                    + "compared across targets, what the other provider failed would count as still failing here (give an earlier run of the same target)");
            }
        }

        if (settings.Faults.Count > 0 && profile is not { Embedded: true })
        {
            throw new ConfigurationException("fault modes switch on faults of the embedded mock; the target is not the embedded mock");
        }

        if (settings.Scale is { } scale)
        {
            if (scale < 1)
            {
                throw new ConfigurationException($"scale {scale}: the generated data set needs at least 1 item");
            }

            if (scale > MockOptions.MaxScale)
            {
                // The mock's own bound, refused with the plan (a listing too), not when the mock starts.
                throw new ConfigurationException($"scale {scale} is above the most the mock generates, {MockOptions.MaxScale} items");
            }

            if (profile is not { Embedded: true })
            {
                throw new ConfigurationException($"scale makes the embedded mock serve a generated data set; the target ({(profile is null ? "an ad-hoc base URL" : $"'{profile.Name}'")}) is not the embedded mock");
            }
        }

        return (layout, profile, before);
    }

    private static RunPlan Plan(RunSettings settings, RepositoryLayout layout, TargetProfiles.Profile? profile)
    {
        var pacts = new PactVerificationCheck(layout, settings.PactLibrary);
        var registry = (settings.Checks ?? CheckRegistry.Default).With(pacts);
        var overlays = profile is null ? null : TargetProfiles.Overrides(profile);
        var catalog = CaseCatalog.Build(layout, settings.Apis, settings.Filter, overlays, registry, pacts.RequirementsFor, profile?.File);
        if (profile is not null)
        {
            foreach (var (api, ids) in TargetProfiles.NotApplicable(profile).Where(kv => catalog.Contracts.ContainsKey(kv.Key)))
            {
                var known = catalog.Contracts[api].Requirements.Select(r => r.Id).Concat(pacts.RequirementsFor(catalog.Contracts[api]).Select(r => r.Id)).ToHashSet(StringComparer.Ordinal);
                foreach (var id in ids.Keys.Where(id => !known.Contains(id)))
                {
                    throw new ConfigurationException(profile.File, $"/apis/{api}/notApplicable/{id}", $"names requirement '{id}', which {api} does not have");
                }
            }
        }

        if (profile is { Embedded: true } && (settings.Faults.Count > 0 || settings.Scale is not null))
        {
            // Refused now, before a report folder is made or anything listed: the mock would refuse a fault or a scale only
            // when it starts, and a fault of none of the run's APIs not at all.
            MockHost.Refuse(MockOptionsFor(layout, profile, settings, catalog.Contracts), [.. catalog.Contracts.Keys]);
        }

        if (settings.AdHoc is { } given)
        {
            var contract = catalog.Contracts.Values.Single();
            // Every credential missing, in one line: a user setting them one run at a time would need as many runs.
            if (contract.Auth.Credentials.Where(c => !given.Credentials.ContainsKey(c.Name)).Select(c => c.Name).ToList() is { Count: > 0 } missing)
            {
                throw new ConfigurationException($"the ad-hoc target gives no credential {string.Join(" or ", missing.Select(n => $"'{n}'"))} for {contract.Id}"
                    + (given.CredentialHint.Length > 0 ? ": " + string.Join("; ", missing.Select(n => string.Format(System.Globalization.CultureInfo.InvariantCulture, given.CredentialHint, n))) : ""));
            }
        }

        return new RunPlan(settings, layout, profile, catalog, registry);
    }

    /// <summary>Runs a plan: every case gets exactly one verdict, and every report is written to the report directory.</summary>
    public static async Task<RunResults> RunAsync(RunPlan plan, IRunObserver? observer = null)
    {
        var settings = plan.Settings;
        var dir = plan.ReportDirectory;
        var targetClock = Stopwatch.StartNew();
        // The embedded mock starts, and a live target is resolved, before the report folder is made: what only they
        // refuse (a scale the mock's data set cannot take, a profile's credential whose variable is not set) is bad input,
        // refused before anything is created. Neither sends anything; a live target is probed only once the folder takes
        // the reports.
        await using var mock = plan.Profile is { Embedded: true } ? await StartMockAsync(plan.Layout, plan.Profile, settings, plan.Catalog.Contracts) : null;
        var target = Applicability(Limits(mock is null ? ResolveLive(plan) : EmbeddedTarget(plan, mock), settings), plan.Profile);
        var resolvedMs = targetClock.Elapsed.TotalMilliseconds;
        try
        {
            Directory.CreateDirectory(dir);
            foreach (var old in RunResults.ReportFiles)
            {
                File.Delete(Path.Combine(dir, old));
            }

            // A folder that exists but takes no file (a read-only mount) is found now, not after the whole run.
            TemporaryFile.Open(Path.Combine(dir, $".conformance-{Guid.NewGuid():N}.probe")).Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot write the reports to {dir}: {ex.Message}");
        }

        targetClock.Restart();
        if (mock is null)
        {
            await TargetProbe.EnsureReachableAsync(target);
        }

        var targetMs = resolvedMs + targetClock.Elapsed.TotalMilliseconds;

        var clock = Stopwatch.StartNew();
        using var session = new ConformanceSession(plan.Catalog, target, settings.Faults, plan.Registry)
        {
            Revision = ToolInfo.BuildRevision ?? plan.Layout.Revision(),
        };
        session.RunLog.Info($"ConformanceSuite {ToolInfo.AssemblyVersion}: {plan.Catalog.Cases.Count} cases of {string.Join(", ", plan.Catalog.Contracts.Keys)} against '{target.Name}' ({target.Description}); contracts in {plan.Layout.Root}");
        using var interrupted = settings.Interrupt.Register(() => session.Stop(new RunStop("an interrupt", "the run was interrupted")));
        var verdicts = Enum.GetValues<Verdict>().ToDictionary(v => v, _ => 0);
        var done = 0;
        Task? warmed = null;
        if (observer is not null)
        {
            session.Log.Recorded += e => observer.Request(e, session.Log.Count, session.Current);
            observer.Started(plan, target.Name, target.Description);
        }

        await session.RunAllAsync(
            outcome =>
            {
                verdicts[outcome.Verdict]++;
                done++;
                observer?.CaseFinished(outcome, new RunCounts(done, plan.Catalog.Cases.Count, new Dictionary<Verdict, int>(verdicts), session.Log.Count, clock.Elapsed));
            },
            requirement =>
            {
                // The first finished requirement is written once, to nowhere, on another core while the checks go
                // on: the reports' JSON writers are compiled then, not after the last case.
                warmed ??= Task.Run(() => ResultsJson.WarmUp(requirement));
                observer?.RequirementFinished(requirement);
            });

        var results = session.Results(settings.FailOnText) with { PlanMs = plan.PlanMs, TargetMs = targetMs };
        if (plan.BaselineRun is { } before && settings.Baseline is { } baseline)
        {
            results = Baseline.Compare(results, before, baseline);
        }

        session.RunLog.Info($"finished in {clock.Elapsed.TotalSeconds:0.0} s: {TextReports.Summary(results)}");
        results.WriteAll(dir, session.Log, session.RunLog);
        return results;
    }

    private static async Task<MockHost> StartMockAsync(RepositoryLayout layout, TargetProfiles.Profile profile, RunSettings settings, IReadOnlyDictionary<string, ApiContract>? contracts) =>
        await MockHost.StartAsync(MockOptionsFor(layout, profile, settings, contracts));

    private static MockOptions MockOptionsFor(RepositoryLayout layout, TargetProfiles.Profile profile, RunSettings settings, IReadOnlyDictionary<string, ApiContract>? contracts) =>
        new()
        {
            Layout = layout,
            Faults = settings.Faults,
            // The mock serves the profile's overrides too, as a provider that renamed a parameter would.
            Overrides = TargetProfiles.Overrides(profile),
            Contracts = contracts,
            // The run's APIs must be served: an API no mock kind serves stops the run with the reason.
            Required = [.. contracts?.Keys ?? []],
            // The reference provider verifies the committed pacts too.
            AcceptPactExamples = true,
            StallFor = settings.MockStall ?? new MockOptions().StallFor,
            // Each list API serves a generated data set of this size (null: the fixtures as they are).
            Scale = settings.Scale,
        };

    private static ResolvedTarget EmbeddedTarget(RunPlan plan, MockHost mock)
    {
        var profile = plan.Profile!;
        var target = mock.Target(profile.Name, profile.Http, profile.RunTimeout);
        var overrides = TargetProfiles.Overrides(profile);
        return target with
        {
            Apis = target.Apis.ToDictionary(a => a.Key, a => a.Value with { Overrides = overrides.GetValueOrDefault(a.Key) }),
        };
    }

    private static ResolvedTarget ResolveLive(RunPlan plan)
    {
        if (plan.Profile is { } profile)
        {
            return TargetProfiles.Resolve(profile, plan.Catalog.Contracts.Keys, plan.Settings.Variables);
        }

        var adHoc = plan.Settings.AdHoc!;
        var contract = plan.Catalog.Contracts.Values.Single();
        return new ResolvedTarget
        {
            Name = plan.TargetName,
            Description = $"{contract.Id} at {new Uri(adHoc.BaseUrl).GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)}, given on the command line",
            Apis = new Dictionary<string, ApiTarget>
            {
                [contract.Id] = new()
                {
                    ApiId = contract.Id,
                    BaseUrl = new Uri(adHoc.BaseUrl),
                    Credentials = adHoc.Credentials,
                    TestData = adHoc.TestData.Where(kv => contract.TestData.ContainsKey(kv.Key)).ToDictionary(),
                },
            },
        };
    }

    /// <summary>The profile's per-API settings the target does not carry itself: not-applicable requirements and request budgets.</summary>
    private static ResolvedTarget Applicability(ResolvedTarget target, TargetProfiles.Profile? profile)
    {
        if (profile is null)
        {
            return target;
        }

        var declared = TargetProfiles.NotApplicable(profile);
        return (target with
        {
            Apis = target.Apis.ToDictionary(a => a.Key, a => declared.TryGetValue(a.Key, out var ids) ? a.Value with { NotApplicable = ids } : a.Value),
        }).WithRequestBudgets(TargetProfiles.RequestBudgets(profile));
    }

    /// <summary>The settings' limits over the profile's: request, idle, pattern and run timeouts, TLS validation, the address policy.</summary>
    private static ResolvedTarget Limits(ResolvedTarget target, RunSettings settings) => target with
    {
        Http = target.Http with
        {
            RequestTimeout = settings.RequestTimeout ?? target.Http.RequestTimeout,
            IdleTimeout = settings.IdleTimeout ?? target.Http.IdleTimeout,
            PatternTimeout = settings.PatternTimeout ?? target.Http.PatternTimeout,
            InsecureTls = settings.InsecureTls || target.Http.InsecureTls,
            AllowPrivateAddresses = settings.AllowPrivateAddresses || target.Http.AllowPrivateAddresses,
        },
        RunTimeout = settings.RunTimeout ?? target.RunTimeout,
    };
}
