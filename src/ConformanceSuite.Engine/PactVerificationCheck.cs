using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Checks;
using ConformanceSuite.Contracts;
using ConformanceSuite.Pact;

namespace ConformanceSuite.Engine;

/// <summary>
/// The committed consumer pacts (<c>pacts/</c>) as requirements of the API they describe: one requirement
/// per pact, verified against the run's target by the Pact core. With the target's state URL every
/// interaction runs; without one only those that need no provider state. An empty verification is a
/// failure. Where the Pact core is not available, the verifications are skipped with the reason.
/// </summary>
public sealed partial class PactVerificationCheck : ICheck
{
    public const string KindName = "pact-verification";

    private readonly RepositoryLayout layout;
    private readonly string? pactLibrary;
    private readonly Lazy<IReadOnlyList<(string File, string Provider)>> pacts;

    public PactVerificationCheck(RepositoryLayout layout, string? pactLibrary)
    {
        this.layout = layout;
        this.pactLibrary = pactLibrary;
        pacts = new(ReadPacts);
    }

    public string Kind => KindName;

    /// <summary>The pact requirements of an API: one per pact whose provider is the API or one of its other origins (<c>&lt;api&gt;-downloads</c>).</summary>
    public IEnumerable<Requirement> RequirementsFor(ApiContract contract) =>
        pacts.Value
            .Where(p => p.Provider == contract.Id || p.Provider.StartsWith(contract.Id + "-", StringComparison.Ordinal))
            .Select(p => new Requirement
            {
                Id = $"PACT {p.Provider}",
                Title = "The provider honours its consumer pact",
                Level = "MUST",
                Category = "pact",
                Source = Basis.Documented("consumer pact"),
                Api = contract.Id,
                Check = new CheckBinding { Kind = KindName, Scenarios = [], Parameter = p.File },
            });

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) => [new CaseElement(requirement.Check!.Parameter!)];

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var file = run.Element.Key;
        var provider = pacts.Value.Single(p => p.File == file).Provider;
        var target = run.Context.Target;
        if (target.Overrides is JsonObject o && (o.ContainsKey("parameterNames") || o.ContainsKey("paths")))
        {
            CheckRun.Skip("the consumer pacts describe the canonical contract, and this target renames parameters or moves paths; regenerate the pacts against the overridden contract to verify them");
        }

        var baseUrl = provider == run.Contract.Id ? target.BaseUrl : target.Pact.Providers.GetValueOrDefault(provider);
        if (baseUrl is null)
        {
            CheckRun.Skip($"the target gives no base URL for the pact provider '{provider}' (pact.providers in the profile)");
        }

        var (library, missing) = PactCore.Locate(pactLibrary, layout.Root);
        if (library is null)
        {
            CheckRun.Skip($"{missing}; the rest of the run does not need it");
        }

        var redactor = run.Context.Http.Redactor;
        var credentials = run.Contract.Auth.Credentials;
        var headers = target.Pact.ExampleCredentials
            ? new Dictionary<string, string>()
            : credentials.ToDictionary(c => c.Name, c => (c.Scheme is null ? "" : c.Scheme + " ") + target.Credentials[c.Name]);
        var broker = target.Pact.Broker;
        var verifier = new PactVerifier
        {
            Provider = provider,
            BaseUrl = baseUrl,
            // With a broker, the pacts come from it (and results go back when publishing); otherwise from pacts/.
            PactFiles = broker is null ? [Path.Combine(layout.Pacts, file)] : [],
            Broker = broker is null ? null : new BrokerSource(broker.Url, broker.Token, broker.Branch),
            Publish = broker is { Publish: true, ProviderVersion: { } version } ? new PublishOptions(version, broker.Branch) : null,
            StateUrl = target.Pact.StateUrl,
            CustomHeaders = headers,
            RequestTimeout = run.Context.Http.Settings.RequestTimeout,
            DisableTlsVerification = run.Context.Http.Settings.InsecureTls,
        };

        // The core's execute blocks its thread for the whole verification, while the provider it calls may be
        // the in-process mock, whose Kestrel needs pool threads: so it gets a thread of its own, never a pool one.
        var result = await Task.Factory.StartNew(() =>
            {
                PactCore.EnsureInitialised(library);
                return verifier.Verify();
            }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .WaitAsync(ct);

        var scope = target.Pact.StateUrl is null ? " (interactions without provider state only: the target gives no state URL)" : "";
        run.Note($"{result.Interactions} interactions verified{scope}");
        if (result.ExitCode > 1)
        {
            throw new PactException($"{result.Summary}: {Excerpt(redactor.Scrub(result.Output).Trim())}");
        }

        if (!result.Passed)
        {
            run.Fail($"{result.Summary}{scope}: expected every interaction of {file} to be honoured / received:{Environment.NewLine}{Excerpt(redactor.Scrub(result.Output).Trim())}",
                run.Requirement.Source);
        }
    }

    private List<(string File, string Provider)> ReadPacts()
    {
        if (!Directory.Exists(layout.Pacts))
        {
            return [];
        }

        var found = new List<(string File, string Provider)>();
        foreach (var path in Directory.EnumerateFiles(layout.Pacts, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                if (JsonNode.Parse(File.ReadAllText(path))?["provider"]?["name"]?.GetValue<string>() is { Length: > 0 } provider)
                {
                    found.Add((Path.GetFileName(path), provider));
                }
            }
            catch (JsonException ex)
            {
                throw new ConfigurationException(path, "", $"not a pact file: {ex.Message}");
            }
        }

        return found;
    }

    /// <summary>The core's report without its timings (which differ run to run, so two runs' findings compare equal), cut to a size a report can carry.</summary>
    private static string Excerpt(string output)
    {
        var text = Timings().Replace(output, "");
        return text.Length > 4000 ? text[..4000] + "…" : text;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" \(\d+(?:\.\d+)?m?s loading, \d+(?:\.\d+)?m?s verification\)")]
    private static partial System.Text.RegularExpressions.Regex Timings();
}
