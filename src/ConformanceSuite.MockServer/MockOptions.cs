using ConformanceSuite.Contracts;

namespace ConformanceSuite.MockServer;

/// <summary>How to start the reference mock.</summary>
public sealed record MockOptions
{
    public RepositoryLayout? Layout { get; init; }

    /// <summary>Fault modes to switch on, by name; each breaks exactly one documented or assumed rule.</summary>
    public IReadOnlyCollection<string> Faults { get; init; } = [];

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 lets the OS choose.</summary>
    public int ApiPort { get; init; }

    /// <summary>The second origin that serves downloads; 0 lets the OS choose.</summary>
    public int DownloadPort { get; init; }

    /// <summary>A provider-side rate limit on the API origin (fixed windows, 429 with Retry-After past it); null for none.</summary>
    public (int Permits, TimeSpan Window)? RateLimit { get; init; }

    /// <summary>Contract overrides by API id (renamed parameters, other paths), as a target profile gives them.</summary>
    public IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?>? Overrides { get; init; }

    /// <summary>Contracts already loaded (with the same overrides), by API id, so the mock does not load them again.</summary>
    public IReadOnlyDictionary<string, ApiContract>? Contracts { get; init; }

    /// <summary>
    /// The APIs the caller needs served: when no mock kind serves one of them (or two do), the mock does not
    /// start, and the <see cref="ConfigurationException"/> names the API and why. Any other API of the contract
    /// data that no kind serves is left out (<see cref="MockHost.Unserved"/>).
    /// </summary>
    public IReadOnlyCollection<string> Required { get; init; } = [];

    /// <summary>The mock kinds, each serving the contracts of one shape.</summary>
    public MockRegistry Kinds { get; init; } = MockRegistry.Default;

    /// <summary>Credentials to accept instead of the data set's, by API id and credential name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? Credentials { get; init; }

    /// <summary>Also accept the consumer pacts' example credentials (<see cref="PactExamples"/>), for pact verification.</summary>
    public bool AcceptPactExamples { get; init; }

    /// <summary>Echo received credentials into success bodies (a careless provider, for the leak test).</summary>
    public bool EchoCredentials { get; init; }

    /// <summary>
    /// N: each list API (the cursor-list and offset-list mocks) serves a deterministic data set of N items, its
    /// fixture's own and copies of them (<see cref="MockItems"/>); at least the fixture's count. Only the
    /// <see cref="Required"/> APIs are scaled when the caller names any (every list API when it names none). The
    /// CSV-link mock ignores it. Null serves the fixtures as they are.
    /// </summary>
    public int? Scale { get; init; }

    /// <summary>The largest <see cref="Scale"/> the mock generates (about 95 years of items five minutes apart).</summary>
    public const int MaxScale = 10_000_000;

    /// <summary>How late the slow-response fault answers: past the 5 s latency threshold a profile has by default.</summary>
    public TimeSpan SlowBy { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>How long a stalling fault holds a response open.</summary>
    public TimeSpan StallFor { get; init; } = TimeSpan.FromSeconds(120);
}
