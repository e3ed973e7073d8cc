using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using ConformanceSuite.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Engine.Pact;

/// <summary>What the relay needs to send a pact's traffic on through the suite's one HTTP client.</summary>
/// <param name="Http">The run's client: timeouts, caps, redirects, credentials, redaction, log, rate limit, retries.</param>
/// <param name="Pact">The pact being verified.</param>
/// <param name="ProviderBase">The provider's real base URL.</param>
/// <param name="Credentials">The API's credentials and the origin they belong to; null when the provider is on another origin.</param>
/// <param name="CredentialNames">Every credential header name of the API's contract.</param>
/// <param name="PassExampleCredentials">The target accepts the pact's example credentials: send them as the pact has them.</param>
/// <param name="StateUrl">The target's provider-state endpoint; null when it has none.</param>
/// <param name="Api">The API the pact belongs to.</param>
public sealed record RelaySetup(
    ConformanceHttpClient Http,
    PactFile Pact,
    Uri ProviderBase,
    CredentialSet? Credentials,
    IReadOnlyCollection<string> CredentialNames,
    bool PassExampleCredentials,
    Uri? StateUrl,
    string Api);

/// <summary>Something the relay saw about one interaction that the Pact core's own result does not say.</summary>
/// <param name="Interaction">The interaction's key.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Detail">In words, redacted.</param>
/// <param name="Exchange">The exchange that shows it.</param>
public sealed record RelayNote(string Interaction, RelayNoteKind Kind, string Detail, HttpExchange? Exchange);

public enum RelayNoteKind
{
    /// <summary>The provider-state call failed: the interaction could not be set up, so its result says nothing.</summary>
    StateFailed,

    /// <summary>The provider's response broke a transport rule (time, redirect to another origin, no response).</summary>
    Transport,

    /// <summary>The provider's response was past one of the suite's own limits (a size cap): not checked.</summary>
    Limit,
}

/// <summary>
/// A loopback HTTP server that the Pact verifier talks to in place of the provider and of its state
/// endpoint. Every request it gets goes on through the suite's one HTTP client, so Pact traffic keeps every
/// rule of that layer, and is logged as Pact traffic naming its interaction. Credentials: where the pact's
/// request carries a credential header, the target's real value replaces it; where it carries none, none is
/// sent; nothing is added. State-change calls go to the target's state URL without any API credential; a
/// failed one is remembered, and answered 200 so the verifier does not retry it for minutes.
/// </summary>
public sealed class PactRelay : IAsyncDisposable
{
    /// <summary>Where the verifier sends its state-change calls.</summary>
    public const string StatePath = "/__conformance/provider-states";

    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Connection", "Transfer-Encoding", "Accept-Encoding", "Keep-Alive", "Upgrade", "TE", "Trailer", "Expect",
    };

    private readonly WebApplication app;
    private readonly RelaySetup setup;
    private readonly CancellationToken run;
    private readonly ConcurrentQueue<RelayNote> notes = new();
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private string? pendingState;

    private PactRelay(WebApplication app, RelaySetup setup, CancellationToken run)
    {
        this.app = app;
        this.setup = setup;
        this.run = run;
    }

    /// <summary>The relay's base URL, which the verifier takes for the provider's.</summary>
    public Uri Address { get; private set; } = null!;

    public Uri StateUrl => new(Address, StatePath);

    public IReadOnlyList<RelayNote> Notes => [.. notes];

    /// <summary>Every exchange the relay sent on (interactions and state calls), in full: the cases' evidence.</summary>
    public IReadOnlyList<HttpExchange> Exchanges => [.. exchanges];

    private readonly ConcurrentQueue<HttpExchange> exchanges = new();

    public static async Task<PactRelay> StartAsync(RelaySetup setup, CancellationToken run)
    {
        PactRelay? relay = null;
        var app = await RelayServer.StartAsync(setup.Http, http => relay!.HandleAsync(http), run);
        relay = new PactRelay(app, setup, run) { Address = MockServer.Loopback.Address(app) };
        return relay;
    }

    private async Task HandleAsync(HttpContext http)
    {
        try
        {
            if (http.Request.Path == StatePath && HttpMethods.IsPost(http.Request.Method))
            {
                await StateAsync(http);
            }
            else
            {
                await ForwardAsync(http);
            }
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            await RelayServer.Answer(http, StatusCodes.Status504GatewayTimeout, "the conformance run's time limit was reached");
        }
    }

    private async Task StateAsync(HttpContext http)
    {
        var body = await RelayServer.ReadBodyAsync(http.Request, run);
        var json = JsonNode.Parse(body.Length == 0 ? "{}"u8 : body) as JsonObject ?? [];
        var state = json["state"]?.GetValue<string>() ?? "";
        var action = json["action"]?.GetValue<string>() ?? "setup";
        if (action == "setup")
        {
            lock (gate)
            {
                pendingState = state;
            }
        }

        if (state.Length == 0 || setup.StateUrl is null)
        {
            // Nothing to set up (or nowhere to set it up: such interactions are filtered out before the run).
            await RelayServer.Answer(http, StatusCodes.Status200OK, "{}", "application/json");
            return;
        }

        var interaction = NextWithState(state);
        var exchange = await setup.Http.SendAsync(new HttpCall
        {
            Method = "POST",
            Url = setup.StateUrl,
            Body = body,
            ContentType = "application/json",
            // A state endpoint is the provider's test hook, not its API: no API credential goes there.
            Credentials = null,
            FollowRedirects = false,
            Purpose = $"pact provider state '{state}' ({action}) for '{interaction ?? "?"}'",
            Channel = "pact",
            Interaction = interaction,
            Api = setup.Api,
        }, run);
        exchanges.Enqueue(exchange);
        if (!exchange.IsSuccess)
        {
            var received = exchange.Error ?? $"status {exchange.Status}";
            notes.Enqueue(new RelayNote(interaction ?? "", RelayNoteKind.StateFailed,
                $"the provider-state call '{state}' ({action}) to {exchange.Url} failed: {received}", exchange));
            await RelayServer.Answer(http, StatusCodes.Status200OK, "{}", "application/json");
            return;
        }

        // A JSON object from the state endpoint feeds the pact's provider-state generators: hand it on.
        var returned = exchange.Body is { Length: > 0 } b && exchange.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true ? b : "{}"u8.ToArray();
        await RelayServer.Answer(http, StatusCodes.Status200OK, Encoding.UTF8.GetString(setup.Http.Redactor.ScrubBytes(returned)), "application/json");
    }

    private async Task ForwardAsync(HttpContext http)
    {
        var request = http.Request;
        var interaction = Identify(request);
        var upstream = new Uri(setup.ProviderBase.GetLeftPart(UriPartial.Path).TrimEnd('/') + request.Path.Value + request.QueryString.Value);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var modes = new Dictionary<string, CredentialMode>(StringComparer.Ordinal);
        var passed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in setup.CredentialNames)
        {
            modes[name] = CredentialMode.Missing;
        }

        foreach (var (name, values) in request.Headers)
        {
            if (NotForwarded.Contains(name))
            {
                continue;
            }

            var credential = setup.CredentialNames.FirstOrDefault(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
            if (credential is null)
            {
                headers[name] = values.ToString();
            }
            else if (setup.Credentials is not null)
            {
                // The pact carries this credential: the target's real value goes in its place (or the pact's
                // example, where the target accepts examples). A credential the pact lacks stays missing.
                modes[credential] = CredentialMode.Valid;
                passed[credential] = values.ToString();
            }
        }

        var credentials = setup.Credentials;
        if (credentials is not null && setup.PassExampleCredentials)
        {
            credentials = credentials with { Values = passed, Schemes = new Dictionary<string, string>() };
        }

        var body = await RelayServer.ReadBodyAsync(request, run);
        var exchange = await setup.Http.SendAsync(new HttpCall
        {
            Method = request.Method,
            Url = upstream,
            Headers = headers,
            Body = body.Length > 0 ? body : null,
            ContentType = request.ContentType,
            Credentials = credentials,
            CredentialModes = modes,
            // A redirect goes back to the verifier as it came: it is the provider's answer, and the verifier
            // is told not to follow it, so nothing is sent anywhere the relay did not send it.
            FollowRedirects = false,
            Purpose = $"pact '{interaction ?? "unknown interaction"}' of {setup.Pact.Provider}",
            Channel = "pact",
            Interaction = interaction,
            Api = setup.Api,
        }, run);
        exchanges.Enqueue(exchange);

        if (exchange.Error is { } error)
        {
            notes.Enqueue(new RelayNote(interaction ?? "", exchange.Limit is not null ? RelayNoteKind.Limit : RelayNoteKind.Transport, error, exchange));
            await RelayServer.Answer(http, StatusCodes.Status502BadGateway, $"ConformanceSuite relay: {error}");
            return;
        }

        if (exchange.Status is >= 300 and < 400 && exchange.ResponseHeaders.TryGetValue("Location", out var location)
            && Uri.TryCreate(upstream, location, out var next) && CredentialSet.OriginOf(next) != CredentialSet.OriginOf(upstream))
        {
            notes.Enqueue(new RelayNote(interaction ?? "", RelayNoteKind.Transport,
                $"the provider redirected ({exchange.Status}) to another origin, {setup.Http.Redactor.Scrub(next.GetLeftPart(UriPartial.Authority))}: not followed", exchange));
        }

        await RelayServer.ReturnAsync(http, exchange, setup.Http.Redactor, run);
    }

    /// <summary>The interaction a provider request belongs to: the first not yet seen with its method, path and query names; preferring the one whose state was just set up.</summary>
    private string? Identify(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var names = request.Query.Keys.Order(StringComparer.Ordinal).ToList();
        lock (gate)
        {
            var candidates = setup.Pact.Interactions
                .Where(i => string.Equals(i.Method, request.Method, StringComparison.OrdinalIgnoreCase) && i.Path == path && i.QueryNames.SequenceEqual(names))
                .ToList();
            var match = candidates.FirstOrDefault(i => !seen.Contains(i.Key) && (pendingState is null || i.States.Contains(pendingState) || (pendingState.Length == 0 && i.States.Count == 0)))
                ?? candidates.FirstOrDefault(i => !seen.Contains(i.Key))
                ?? candidates.FirstOrDefault();
            pendingState = null;
            if (match is not null)
            {
                seen.Add(match.Key);
            }

            return match?.Key;
        }
    }

    private string? NextWithState(string state)
    {
        lock (gate)
        {
            return setup.Pact.Interactions.FirstOrDefault(i => !seen.Contains(i.Key) && i.States.Contains(state))?.Key;
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
