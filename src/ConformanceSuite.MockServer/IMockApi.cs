using ConformanceSuite.Contracts;
using Microsoft.AspNetCore.Builder;

namespace ConformanceSuite.MockServer;

/// <summary>One API the mock implements, from its contract and its fixture data set.</summary>
public interface IMockApi
{
    string ApiId { get; }

    /// <summary>Fault name → what rule it breaks.</summary>
    IReadOnlyDictionary<string, string> Faults { get; }

    /// <summary>Credentials (from the fixture data set, unless the mock was started with others) and test-data ids.</summary>
    IReadOnlyDictionary<string, string> Credentials { get; set; }

    IReadOnlyDictionary<string, string> TestData { get; }

    /// <summary>The count of the fixture's items a scaled data set is made from (it keeps them all); null when this API's mock serves no scaled data set.</summary>
    int? ScaledFrom => null;

    void Map(WebApplication api, WebApplication downloads, MockApiSetup setup);

    /// <summary>
    /// Sets up a Pact provider state (the verifier posts them); false when this API does not know the state.
    /// Parameters carry the pact's example values, which the mock then serves as its own data.
    /// </summary>
    bool SetUpState(string state, System.Text.Json.Nodes.JsonObject parameters);
}

/// <summary>What an API's endpoints need to know at mapping time.</summary>
public sealed record MockApiSetup(
    ApiContract Contract,
    string Prefix,
    IReadOnlySet<string> Faults,
    Func<string> DownloadBase,
    DownloadAudit Audit,
    TimeSpan StallFor)
{
    /// <summary>Echo the credentials received into success bodies (for the leak test: a careless provider).</summary>
    public bool EchoCredentials { get; init; }

    /// <summary>Also accept the consumer pacts' example credentials (pact verification).</summary>
    public bool AcceptPactExamples { get; init; }

    /// <summary>
    /// Serve a generated data set of this many items, made from the fixture's (list mocks; the CSV-link mock
    /// ignores it); null serves the fixture as it is.
    /// </summary>
    public int? Scale { get; init; }
}

/// <summary>What reached the download origin: the credential header names seen, per request.</summary>
public sealed class DownloadAudit
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Path, IReadOnlyList<string> CredentialHeaders)> seen = new();

    public void Record(string path, IReadOnlyList<string> credentialHeaders) => seen.Enqueue((path, credentialHeaders));

    public int Requests => seen.Count;

    public IReadOnlyList<(string Path, IReadOnlyList<string> CredentialHeaders)> Entries => seen.ToArray();

    public bool AnyCredentialSeen => seen.Any(e => e.CredentialHeaders.Count > 0);
}
