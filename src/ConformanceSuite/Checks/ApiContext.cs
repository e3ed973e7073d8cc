using ConformanceSuite.Contracts;
using ConformanceSuite.Http;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Checks;

/// <summary>
/// What the checks of one API share in a run: its contract and target, the HTTP client, the scenario values
/// (<see cref="ScenarioValues"/>), the calls (<see cref="RequestBuilder"/>) and the shared probes (<see cref="Probes"/>).
/// </summary>
public sealed class ApiContext : IDisposable
{
    // running: the ids of the contract's requirements the run checks (null: all of them), which its windows are sized for.
    public ApiContext(ApiContract contract, ApiTarget target, ConformanceHttpClient http, IReadOnlySet<string>? running = null)
    {
        Contract = contract;
        Target = target;
        Http = http;
        Credentials = target.CredentialSet() with
        {
            Schemes = contract.Auth.Credentials.Where(c => c.Scheme is not null).ToDictionary(c => c.Name, c => c.Scheme!),
        };
        Values = new ScenarioValues(contract, target);
        Requests = new RequestBuilder(contract, target, Values, Credentials);
        Probes = new Probes(contract, http, Values, Requests, Credentials, RequestBudget.For(contract, target), running);
    }

    public ApiContract Contract { get; }

    public ApiTarget Target { get; }

    public ConformanceHttpClient Http { get; }

    public CredentialSet Credentials { get; }

    public ScenarioValues Values { get; }

    public RequestBuilder Requests { get; }

    public Probes Probes { get; }

    public void Dispose() => Probes.Dispose();
}
