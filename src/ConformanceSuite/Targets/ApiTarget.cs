using System.Text.Json.Nodes;
using ConformanceSuite.Http;

namespace ConformanceSuite.Targets;

/// <summary>Where one API is served, with what credentials and which test data.</summary>
public sealed record ApiTarget
{
    public required string ApiId { get; init; }

    /// <summary>The base URL; it may carry a path prefix (<c>https://host/gateway/v2</c>).</summary>
    public required Uri BaseUrl { get; init; }

    public IReadOnlyDictionary<string, string> Credentials { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> TestData { get; init; } = new Dictionary<string, string>();

    /// <summary>Requirements that do not apply to this provider (the profile's word), by id, with the reason.</summary>
    public IReadOnlyDictionary<string, string> NotApplicable { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The most requests the checks that need a whole list (walks, and fetching the walked items one by one) may
    /// send to this API; null for the default, one minute of the contract's rate limit.
    /// </summary>
    public int? RequestBudget { get; init; }

    /// <summary>The target's contract overrides (see ContractOverrides).</summary>
    public JsonNode? Overrides { get; init; }

    /// <summary>Pact verification of this API: where provider states are set up, and how credentials are given.</summary>
    public PactTarget Pact { get; init; } = new();

    public CredentialSet CredentialSet() => new(BaseUrl, Credentials);

    /// <summary><see cref="BaseUrl"/> joined with an endpoint path, keeping the base's path prefix.</summary>
    public Uri Resolve(string path)
    {
        var prefix = BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(prefix + "/" + path.TrimStart('/'));
    }
}

/// <summary>A run's target: a name, its APIs and its limits.</summary>
public sealed record ResolvedTarget
{
    public required string Name { get; init; }

    public string Description { get; init; } = "";

    public bool Embedded { get; init; }

    public required IReadOnlyDictionary<string, ApiTarget> Apis { get; init; }

    public HttpSettings Http { get; init; } = new();

    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The target with the request budgets a profile sets (<see cref="ApiTarget.RequestBudget"/>), by API id.</summary>
    public ResolvedTarget WithRequestBudgets(IReadOnlyDictionary<string, int> budgets) => this with
    {
        Apis = Apis.ToDictionary(a => a.Key, a => budgets.TryGetValue(a.Key, out var budget) ? a.Value with { RequestBudget = budget } : a.Value),
    };
}

/// <summary>
/// How the committed pacts are verified against a target. Without a state URL only the interactions that
/// need no provider state run; without example credentials the target's own credentials are sent as custom
/// headers (and redacted from every report).
/// </summary>
public sealed record PactTarget
{
    public Uri? StateUrl { get; init; }

    /// <summary>The target accepts the pacts' example credentials (a test provider such as the mock).</summary>
    public bool ExampleCredentials { get; init; }

    /// <summary>Base URLs of the API's other pact providers (e.g. its download origin), by provider name.</summary>
    public IReadOnlyDictionary<string, Uri> Providers { get; init; } = new Dictionary<string, Uri>();

    /// <summary>A Pact Broker to take the pacts from (instead of pacts/) and, with a provider version, to publish results to.</summary>
    public PactBroker? Broker { get; init; }
}

/// <summary>A Pact Broker: its URL, a token from the environment, and what to publish.</summary>
public sealed record PactBroker(Uri Url, string? Token, string? ProviderVersion, string? Branch, bool Publish);
