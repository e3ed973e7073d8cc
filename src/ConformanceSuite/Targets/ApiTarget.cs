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

    /// <summary>A JSON merge patch applied to the API's contract.</summary>
    public JsonNode? Overrides { get; init; }

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
}
