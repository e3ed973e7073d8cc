using System.Text.Json;
using ConformanceSuite.Http;

namespace ConformanceSuite.Tests;

/// <summary>Runs the suite in-process against the embedded mock, with or without faults.</summary>
internal static class Harness
{
    public static readonly RepositoryLayout Layout = RepositoryLayout.Discover();

    /// <summary>
    /// Limits for a run against the in-process mock: roomy enough for a loaded two-core machine running tests
    /// side by side (a latency threshold of 30 s, so only the slow fault's runs judge latency, with their own).
    /// </summary>
    public static readonly HttpSettings FastHttp = new() { RequestTimeout = TimeSpan.FromSeconds(10), LatencyWarn = TimeSpan.FromSeconds(30) };

    /// <summary>For the slow-response fault: a threshold the fault's 1.5 s delay passes.</summary>
    public static readonly HttpSettings LatencyHttp = FastHttp with { LatencyWarn = TimeSpan.FromSeconds(1) };

    /// <summary>Short limits, so a stalling fault is caught in seconds.</summary>
    public static readonly HttpSettings StallHttp = new() { RequestTimeout = TimeSpan.FromSeconds(2) };

    /// <summary>Each API's cases, built once: a catalog is immutable, and the fault tests run a hundred times over them.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<CaseCatalog>> Catalogs = new(StringComparer.Ordinal);

    public static CaseCatalog Catalog(string api) => Catalogs.GetOrAdd(api, a => new Lazy<CaseCatalog>(() => CaseCatalog.Build(Layout, [a], []))).Value;

    /// <summary>Every API's contract, for mocks to start without loading them again.</summary>
    public static IReadOnlyDictionary<string, Contracts.ApiContract> Contracts =>
        Layout.ApiIds().ToDictionary(id => id, id => Catalog(id).Contracts[id]);

    /// <summary>The request budgets of the embedded profile, which cover every item of the fixtures: each fault is caught on the whole data set.</summary>
    private static readonly Lazy<IReadOnlyDictionary<string, int>> EmbeddedBudgets =
        new(() => Targets.TargetProfiles.RequestBudgets(Targets.TargetProfiles.Read(Layout, Path.Combine(Layout.Targets, "embedded.json"))));

    public static Task<RunResults> RunAsync(string api, params string[] faults) => RunAsync(api, EmbeddedBudgets.Value, faults);

    /// <summary>A run against the mock with <paramref name="faults"/> on, each API with the request budget given (none: the contract's default).</summary>
    public static async Task<RunResults> RunAsync(string api, IReadOnlyDictionary<string, int> budgets, params string[] faults)
    {
        await using var mock = await MockHost.StartAsync(new MockOptions
        {
            Layout = Layout, Faults = faults, StallFor = TimeSpan.FromSeconds(20), SlowBy = TimeSpan.FromSeconds(1.5), Contracts = Contracts,
        });
        var http = faults.Any(f => f.Contains("stall", StringComparison.Ordinal)) ? StallHttp
            : faults.Contains(TrafficFaults.Slow) ? LatencyHttp
            : FastHttp;
        return await RunAgainstAsync(mock.Target(http: http).WithRequestBudgets(budgets), api, faults);
    }

    public static async Task<RunResults> RunAgainstAsync(Targets.ResolvedTarget target, string api, IReadOnlyList<string>? faults = null)
    {
        var catalog = Catalog(api);
        using var session = new ConformanceSession(catalog, target, faults);
        await session.RunAllAsync();
        return session.Results();
    }

    /// <summary>Writes a target profile for the embedded mock into <paramref name="dir"/>; <paramref name="apis"/> is its <c>apis</c> object, if any.</summary>
    public static string EmbeddedProfile(string dir, string name, string? apis = null)
    {
        var profile = new System.Text.Json.Nodes.JsonObject
        {
            ["$schema"] = Path.Combine(Layout.Root, "schemas", "_format", "target.schema.json").Replace('\\', '/'),
            ["name"] = name,
            ["description"] = $"The embedded mock, as the test {name} needs it.",
            ["embedded"] = true,
            ["timeouts"] = new System.Text.Json.Nodes.JsonObject { ["requestSeconds"] = 30, ["runSeconds"] = 600 },
        };
        if (apis is not null)
        {
            profile["apis"] = System.Text.Json.Nodes.JsonNode.Parse(apis);
        }

        var path = Path.Combine(dir, name + ".json");
        File.WriteAllText(path, profile.ToJsonString());
        return path;
    }

    /// <summary>
    /// The tool's main job, in this process, on the embedded mock scaled to <paramref name="scale"/> items, with a profile in
    /// <paramref name="dir"/> giving <paramref name="api"/> a request budget of <paramref name="budget"/> (null: the default)
    /// and <paramref name="more"/> options: its exit, output, results and the purpose of each request.
    /// </summary>
    public static async Task<(int Exit, string Output, RunResults Results, List<string> Requests)> ScaledRunAsync(string dir, string api, int scale, int? budget, params string[] more)
    {
        var profile = EmbeddedProfile(dir, "embedded-budget", budget is { } b ? $$"""{ "{{api}}": { "requestBudget": {{b}} } }""" : null);
        var reports = Path.Combine(dir, "out");
        var (exit, output) = await CliAsync(["--target", profile, "--api", api, "--scale", scale.ToString(System.Globalization.CultureInfo.InvariantCulture), "--report-dir", reports, .. more]);
        var requests = File.ReadLines(Path.Combine(reports, "requests.jsonl")).Select(l => JsonNode.Parse(l)!["purpose"]!.GetValue<string>()).ToList();
        return (exit, output, RunResults.Read(Path.Combine(reports, "results.json")), requests);
    }

    /// <summary>Runs the CLI in this process with <paramref name="args"/>: its exit code and everything it printed.</summary>
    public static Task<(int Exit, string Output)> CliAsync(params string[] args) => CliWithAsync(null, args);

    /// <summary>The same, with <paramref name="variables"/> as the environment the CLI reads.</summary>
    public static async Task<(int Exit, string Output)> CliWithAsync(IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Cli.CliApp.RunAsync(args, stdout, stderr, CliTests.Context(variables));
        return (exit, stdout.ToString() + stderr);
    }

    public static IEnumerable<FaultExpectation> Faults() =>
        Layout.ApiIds()
            .Select(api => (api, file: Path.Combine(Layout.ApiFixtures(api), "faults.json")))
            .Where(x => File.Exists(x.file))
            .SelectMany(x => JsonSerializer.Deserialize<FaultFile>(File.ReadAllText(x.file), ResultsJson.Options)!.Faults
                .Select(f => f with { Api = x.api }));

    public static string Verdicts(RunResults results) =>
        string.Join(", ", results.Requirements.Select(r => $"{r.Id}={r.Verdict}"));

    internal sealed record FaultFile(IReadOnlyList<FaultExpectation> Faults);
}

/// <summary>One line of fixtures/&lt;api&gt;/faults.json.</summary>
public sealed record FaultExpectation
{
    public string Api { get; init; } = "";

    public required string Name { get; init; }

    public required string CaughtBy { get; init; }

    /// <summary>The finding the catching requirement must report: its <c>type</c> and the fields given, as results.json has them.</summary>
    public required System.Text.Json.Nodes.JsonObject Finding { get; init; }

    public required IReadOnlyDictionary<string, Verdict> Expect { get; init; }

    public override string ToString() => $"{Api}:{Name}";
}
