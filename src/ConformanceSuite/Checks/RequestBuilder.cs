using ConformanceSuite.Contracts;
using ConformanceSuite.Http;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Checks;

/// <summary>Builds the calls of an API's endpoints against its target: path parameters filled, query appended, credentials attached.</summary>
public sealed class RequestBuilder(ApiContract contract, ApiTarget target, ScenarioValues values, CredentialSet credentials)
{
    /// <summary>A call of a scenario's endpoint with the given query, credentials attached.</summary>
    public HttpCall Call(string scenarioId, IReadOnlyDictionary<string, string> query, string purpose,
        IReadOnlyDictionary<string, CredentialMode>? modes = null) =>
        Call(contract.Endpoint(contract.Scenario(scenarioId).Endpoint), query, values.Path(scenarioId), purpose, modes);

    /// <summary>A call of an endpoint: path parameters replaced, query appended, credentials attached.</summary>
    public HttpCall Call(EndpointSpec endpoint, IReadOnlyDictionary<string, string> query, IReadOnlyDictionary<string, string> path,
        string purpose, IReadOnlyDictionary<string, CredentialMode>? modes = null)
    {
        var resolvedPath = endpoint.Path;
        foreach (var (name, value) in path)
        {
            if (IsDotSegment(value) && endpoint.Path.Contains("{" + name + "}", StringComparison.Ordinal))
            {
                throw new ArgumentException($"{name} '{value}' is a dot segment: a URL with it in {endpoint.Path} names another path, so it cannot be asked for", nameof(path));
            }

            resolvedPath = resolvedPath.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        return new HttpCall
        {
            Method = endpoint.Method,
            Url = WithQuery(target.Resolve(resolvedPath), query),
            Headers = endpoint.RequestHeaders,
            Credentials = credentials,
            CredentialModes = modes ?? new Dictionary<string, CredentialMode>(),
            Purpose = purpose,
            Api = contract.Id,
        };
    }

    /// <summary>
    /// True for "." and "..": as a path segment, every URL parser takes them (escaped or not) as "this folder" and "the
    /// folder above", so no request can name an item with such an id under a path like <c>/sessions/{id}</c>.
    /// </summary>
    public static bool IsDotSegment(string value) => value is "." or "..";

    /// <summary>The first of the listed <paramref name="ids"/> a request can ask for by path: not empty, not a dot segment.</summary>
    public static string? FirstAskable(IEnumerable<string?> ids) => ids.FirstOrDefault(id => !string.IsNullOrEmpty(id) && !IsDotSegment(id));

    public static Uri WithQuery(Uri url, IReadOnlyDictionary<string, string> query)
    {
        if (query.Count == 0)
        {
            return url;
        }

        var q = string.Join("&", query.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}"));
        return new Uri(url + (url.Query.Length > 0 ? "&" : "?") + q);
    }
}
