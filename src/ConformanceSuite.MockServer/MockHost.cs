using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using ConformanceSuite.Contracts;
using ConformanceSuite.Targets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConformanceSuite.MockServer;

/// <summary>
/// The reference provider: every API of the contract data that a mock kind serves (<see cref="MockRegistry"/>,
/// chosen by the contract's shape), on one API origin (each under its own path prefix), with downloads served
/// from a second origin so cross-origin credential handling is real.
/// </summary>
public sealed class MockHost : IAsyncDisposable
{
    private readonly WebApplication api;
    private readonly WebApplication downloads;

    private MockHost(WebApplication api, WebApplication downloads, IReadOnlyList<IMockApi> apis, IReadOnlyDictionary<string, string> unserved, IReadOnlyList<string> faults, DownloadAudit audit, int? scale)
    {
        Scale = scale;
        this.api = api;
        this.downloads = downloads;
        Apis = apis;
        Unserved = unserved;
        Faults = faults;
        Audit = audit;
    }

    /// <summary>Every API of the contract data that a mock kind serves, made by that kind.</summary>
    /// <param name="layout">The repository data.</param>
    /// <param name="overrides">Contract overrides by API id, so the mock serves a renamed or re-pathed contract as a target would.</param>
    public static IReadOnlyList<IMockApi> Implementations(RepositoryLayout layout, IReadOnlyDictionary<string, JsonNode?>? overrides = null) =>
        Implementations(layout, Contracts(layout, overrides, null), MockRegistry.Default, []).Served;

    /// <summary>
    /// The mock of every API under <c>schemas/</c> that exactly one mock kind serves, and why each other API is
    /// not served (no kind serves its shape, two do, or its contract does not load).
    /// </summary>
    /// <param name="required">APIs that must be served: for these, the reason is thrown instead.</param>
    private static (IReadOnlyList<IMockApi> Served, IReadOnlyDictionary<string, string> Unserved) Implementations(
        RepositoryLayout layout, Func<string, ApiContract> contract, MockRegistry kinds, IReadOnlyCollection<string> required)
    {
        var served = new List<IMockApi>();
        var unserved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in layout.ApiIds().Union(required, StringComparer.Ordinal))
        {
            try
            {
                served.Add(kinds.Create(layout, contract(id)));
            }
            catch (ConfigurationException ex) when (!required.Contains(id, StringComparer.Ordinal))
            {
                unserved[id] = ex.Message;
            }
        }

        return (served, unserved);
    }

    /// <summary>Each API's contract, loaded once (with its overrides), unless the caller has it already.</summary>
    private static Func<string, ApiContract> Contracts(RepositoryLayout layout, IReadOnlyDictionary<string, JsonNode?>? overrides, IReadOnlyDictionary<string, ApiContract>? loaded)
    {
        var loader = new ContractLoader(layout);
        var cache = new Dictionary<string, ApiContract>(StringComparer.Ordinal);
        return id => loaded?.GetValueOrDefault(id) ?? (cache.TryGetValue(id, out var c) ? c : cache[id] = loader.Load(id, overrides?.GetValueOrDefault(id)));
    }

    /// <summary>Every API the mock serves.</summary>
    public IReadOnlyList<IMockApi> Apis { get; }

    /// <summary>The APIs of the contract data the mock does not serve, each with the reason.</summary>
    public IReadOnlyDictionary<string, string> Unserved { get; }

    public IReadOnlyList<string> Faults { get; }

    /// <summary>The size of the generated data set each list API serves; null for the fixtures as they are.</summary>
    public int? Scale { get; }

    public DownloadAudit Audit { get; }

    /// <summary>This mock accepts the consumer pacts' example credentials.</summary>
    public bool AcceptsPactExamples { get; private init; }

    public Uri ApiOrigin { get; private set; } = null!;

    public Uri DownloadOrigin { get; private set; } = null!;

    public Uri BaseUrl(string apiId) => new(ApiOrigin, "/" + apiId);

    /// <summary>
    /// Refuses, as <see cref="StartAsync"/> would, fault modes that no mock of these options knows, a scale that a scaled
    /// API's data set cannot take, and the APIs it must serve that no mock kind serves; starts nothing. A caller checks
    /// its input with it before it creates anything.
    /// </summary>
    /// <param name="options">The mock's options, its faults and scale among them.</param>
    /// <param name="apis">The APIs the run checks: a fault of none of their mocks is refused too, as it would change
    /// nothing the run checks (a user who asked for it would believe it was caught, or not).</param>
    /// <exception cref="ConfigurationException">A fault mode no mock knows, or none of <paramref name="apis"/>; a scale below
    /// a scaled API's fixture; a required API no mock kind serves.</exception>
    public static void Refuse(MockOptions options, IReadOnlyCollection<string> apis)
    {
        ArgumentNullException.ThrowIfNull(options);
        var layout = options.Layout ?? RepositoryLayout.Discover();
        var served = Implementations(layout, Contracts(layout, options.Overrides, options.Contracts), options.Kinds, options.Required).Served;
        RefuseUnknownFaults(served, options.Faults);
        if (options.Scale is { } scale)
        {
            var scaled = served.Where(i => Scaled(options, i.ApiId) && apis.Contains(i.ApiId) && i.ScaledFrom is not null).ToList();
            if (scaled.Count == 0)
            {
                // As a fault of none of the run's APIs: the run would go on as if at scale, on the fixtures as they are.
                throw new ConfigurationException($"scale {scale}: none of the APIs this run checks ({string.Join(", ", apis)}) serves a scaled data set; "
                    + $"those that do: {string.Join(", ", served.Where(i => i.ScaledFrom is not null).Select(i => i.ApiId))}");
            }

            foreach (var api in scaled)
            {
                MockItems.RefuseScale(api.ApiId, api.ScaledFrom!.Value, scale);
            }
        }

        var idle = options.Faults.Where(f => !served.Any(i => apis.Contains(i.ApiId) && i.Faults.ContainsKey(f))).ToList();
        if (idle.Count > 0)
        {
            var owners = idle.Select(f => $"{f} (a fault of {string.Join(", ", served.Where(i => i.Faults.ContainsKey(f)).Select(i => i.ApiId))})");
            throw new ConfigurationException($"fault mode(s) {string.Join(", ", owners)} of no API this run checks ({string.Join(", ", apis)}): they would change nothing it checks; add their API to --api, or leave them out");
        }
    }

    /// <summary>True when the API serves the scaled data set: those the caller needs are scaled (all of them when it names none), no other is generated for nothing.</summary>
    private static bool Scaled(MockOptions options, string apiId) => options.Required.Count == 0 || options.Required.Contains(apiId, StringComparer.Ordinal);

    private static void RefuseUnknownFaults(IReadOnlyList<IMockApi> implementations, IReadOnlyCollection<string> faults)
    {
        var known = implementations.SelectMany(i => i.Faults.Keys).ToHashSet(StringComparer.Ordinal);
        var unknown = faults.Where(f => !known.Contains(f)).ToList();
        if (unknown.Count > 0)
        {
            throw new ConfigurationException($"unknown fault mode(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known.Order(StringComparer.Ordinal))}");
        }
    }

    public static async Task<MockHost> StartAsync(MockOptions options)
    {
        var layout = options.Layout ?? RepositoryLayout.Discover();
        var contractOf = Contracts(layout, options.Overrides, options.Contracts);
        var (implementations, unserved) = Implementations(layout, contractOf, options.Kinds, options.Required);
        RefuseUnknownFaults(implementations, options.Faults);

        var audit = new DownloadAudit();
        var apiApp = Build(options.Host, options.ApiPort, options.RateLimit);
        var downloadApp = Build(options.Host, options.DownloadPort, null);
        Uri? downloadOrigin = null;
        try
        {
            foreach (var impl in implementations)
            {
                if (options.Credentials?.GetValueOrDefault(impl.ApiId) is { } planted)
                {
                    impl.Credentials = impl.Credentials.ToDictionary(kv => kv.Key, kv => planted.GetValueOrDefault(kv.Key) ?? kv.Value);
                }

                var faults = options.Faults.Where(impl.Faults.ContainsKey).ToHashSet(StringComparer.Ordinal);
                impl.Map(apiApp, downloadApp, new MockApiSetup(contractOf(impl.ApiId), "/" + impl.ApiId, faults, () => downloadOrigin!.ToString().TrimEnd('/'), audit, options.StallFor)
                {
                    EchoCredentials = options.EchoCredentials,
                    AcceptPactExamples = options.AcceptPactExamples,
                    Scale = Scaled(options, impl.ApiId) ? options.Scale : null,
                });
            }
        }
        catch (ConfigurationException)
        {
            // A data set the mock cannot make (a scale below a fixture's count): nothing was started.
            await apiApp.DisposeAsync();
            await downloadApp.DisposeAsync();
            throw;
        }

        TrafficFaults.Use(apiApp, implementations.ToDictionary(i => "/" + i.ApiId, i => (IReadOnlySet<string>)options.Faults.Where(i.Faults.ContainsKey).ToHashSet(StringComparer.Ordinal)), options.SlowBy);
        MapProviderStates(apiApp, implementations);
        var host = new MockHost(apiApp, downloadApp, implementations, unserved, options.Faults.ToList(), audit, options.Scale) { AcceptsPactExamples = options.AcceptPactExamples };
        try
        {
            await downloadApp.StartAsync();
            downloadOrigin = Loopback.Address(downloadApp);
            await apiApp.StartAsync();
        }
        catch (IOException ex)
        {
            await host.DisposeAsync();
            throw new ConfigurationException($"the mock cannot listen on {options.Host} (ports {options.ApiPort}/{options.DownloadPort}): {ex.Message}");
        }

        host.ApiOrigin = Loopback.Address(apiApp);
        host.DownloadOrigin = downloadOrigin;
        return host;
    }

    /// <summary>The mock as a run target: its base URLs, its data set's credentials and test data.</summary>
    public ResolvedTarget Target(string name = TargetProfiles.EmbeddedName, Http.HttpSettings? http = null, TimeSpan? runTimeout = null) => new()
    {
        Name = name,
        Description = (Faults.Count == 0 ? "the embedded reference mock" : $"the embedded reference mock with faults: {string.Join(", ", Faults)}")
                      + (Scale is { } n ? string.Create(CultureInfo.InvariantCulture, $" (list APIs scaled to {n} items)") : ""),
        Embedded = true,
        Apis = Apis.ToDictionary(a => a.ApiId, a => new ApiTarget
        {
            ApiId = a.ApiId,
            BaseUrl = BaseUrl(a.ApiId),
            Credentials = a.Credentials,
            TestData = a.TestData,
            Pact = new PactTarget
            {
                StateUrl = new Uri(ApiOrigin, ProviderStatePath),
                ExampleCredentials = AcceptsPactExamples,
                Providers = new Dictionary<string, Uri> { [$"{a.ApiId}-downloads"] = new(DownloadOrigin, "/" + a.ApiId) },
            },
        }),
        Http = http ?? new Http.HttpSettings(),
        RunTimeout = runTimeout ?? TimeSpan.FromMinutes(30),
    };

    /// <summary>The path of the Pact provider-state endpoint on the API origin.</summary>
    public const string ProviderStatePath = "/_pact/provider-states";

    /// <summary>The Pact verifier posts {action, state, params}; every API is asked, and an unknown state is a 400.</summary>
    private static void MapProviderStates(WebApplication app, IReadOnlyList<IMockApi> apis)
    {
        app.MapPost(ProviderStatePath, Loopback.Answer(async http =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            var state = body["state"]?.GetValue<string>() ?? "";
            var action = body["action"]?.GetValue<string>() ?? "setup";
            var parameters = body["params"] as JsonObject ?? [];
            if (state.Length == 0 || action == "teardown" || apis.Any(a => a.SetUpState(state, parameters)))
            {
                return Results.Json(new JsonObject());
            }

            return Results.Text($"unknown provider state '{state}'", "text/plain", statusCode: 400);
        }));
    }

    private static WebApplication Build(string host, int port, (int Permits, TimeSpan Window)? rateLimit)
    {
        var builder = Loopback.Builder(host, port);
        if (rateLimit is { } limit)
        {
            builder.Services.AddRateLimiter(o =>
            {
                o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(_ => RateLimitPartition.GetFixedWindowLimiter("origin",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limit.Permits, Window = limit.Window, QueueLimit = 0 }));
                o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                o.OnRejected = (context, _) =>
                {
                    context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(limit.Window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                    return ValueTask.CompletedTask;
                };
            });
        }

        var app = builder.Build();
        if (rateLimit is not null)
        {
            app.UseRateLimiter();
        }

        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await api.DisposeAsync();
        await downloads.DisposeAsync();
    }
}
