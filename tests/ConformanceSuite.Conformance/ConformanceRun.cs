using ConformanceSuite.MockServer;
using ConformanceSuite.Running;
using ConformanceSuite.Targets;
using NUnit.Framework;

namespace ConformanceSuite.Conformance;

/// <summary>
/// One run for the whole assembly: resolves the target (starting the embedded mock when the profile
/// says so), runs the generated cases, and writes results.json and the request log at the end.
/// </summary>
[SetUpFixture]
public sealed class ConformanceRun
{
    private static readonly Lazy<SuiteSettings> LazySettings = new(() => SuiteSettings.FromEnvironment());
    private static readonly Lazy<CaseCatalog> LazyCatalog = new(() => LazySettings.Value.Catalog());
    private static ConformanceSession? session;
    private MockHost? mock;

    public static SuiteSettings Settings => LazySettings.Value;

    /// <summary>The case running now, for progress lines.</summary>
    public static Checks.CheckCase? Current { get; set; }

    public static CaseCatalog Catalog => LazyCatalog.Value;

    public static ConformanceSession Session =>
        session ?? throw new InvalidOperationException("the conformance run did not start; see the set-up error");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var settings = Settings;
        var apiIds = Catalog.Contracts.Keys.ToList();
        ResolvedTarget target;
        if (settings.Profile is { Embedded: true } profile)
        {
            // The mock is configured with the profile's overrides too, as a provider that renamed a parameter would be.
            mock = await MockHost.StartAsync(new MockOptions
            {
                Layout = settings.Layout,
                Faults = settings.Faults,
                Overrides = TargetProfiles.Overrides(profile),
                AcceptPactExamples = true, // the reference provider verifies the committed pacts too
            });
            target = mock.Target(profile.Name, profile.Http, profile.RunTimeout);
        }
        else if (settings.Profile is { } live)
        {
            target = TargetProfiles.Resolve(live, apiIds);
        }
        else
        {
            target = TargetProfiles.FromEnvironment(Catalog.Contracts.Values.Single());
        }

        session = new ConformanceSession(Catalog, target, settings.Faults) { Revision = settings.Layout.Revision() };
        // Progress: every request, with what it is for (pages walked, downloads) and how many so far.
        session.Log.Recorded += e => TestContext.Progress.WriteLine(
            $"[{Current?.Contract.Id ?? "setup"}]     · {e.Purpose} -> {e.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? e.Error} (request {session!.Log.Count})");
        await TestContext.Progress.WriteLineAsync(
            $"conformance: target '{target.Name}' ({target.Description}); {Catalog.Cases.Count} cases over {string.Join(", ", apiIds)}");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (session is not null)
        {
            var results = session.Results(Settings.FailOn);
            results.WriteAll(Settings.ReportDir, session.Log);
            await TestContext.Progress.WriteLineAsync(
                $"conformance: {results.Requirements.Count} requirements, {results.RequestCount} requests; results in {Settings.ReportDir}");
            session.Dispose();
            session = null;
        }

        if (mock is not null)
        {
            await mock.DisposeAsync();
        }
    }
}
