using System.Collections.Concurrent;
using ConformanceSuite.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Engine.Pact;

/// <summary>
/// A loopback stand-in for a Pact Broker. The Pact core is given the relay's address as the broker's, and no
/// token: it resolves every link of the broker's answers as a path on the broker URL it was given, so fetching
/// the pacts for verification, the pacts themselves, and publishing results all come here, and go on through
/// the suite's one HTTP client to the real broker, with the token as that origin's credential. The core never
/// holds the token, never reaches another origin, and the broker's traffic is logged like any other. A
/// redirect is never handed to the core (its client would follow it past the suite's layer): the relay's own
/// layer follows one on the broker's origin and refuses one elsewhere, which the core then sees as a refusal.
/// </summary>
public sealed class BrokerRelay : IAsyncDisposable
{
    /// <summary>The channel the broker's traffic is logged under.</summary>
    public const string Channel = "pact-broker";

    private readonly WebApplication app;
    private readonly ConformanceHttpClient http;
    private readonly Uri broker;
    private readonly CredentialSet? token;
    private readonly CancellationToken run;
    private readonly ConcurrentQueue<HttpExchange> exchanges = new();

    private BrokerRelay(WebApplication app, ConformanceHttpClient http, Uri broker, string? token, CancellationToken run)
    {
        this.app = app;
        this.http = http;
        this.broker = broker;
        this.run = run;
        this.token = token is null ? null : new CredentialSet(new Uri(CredentialSet.OriginOf(broker)), new Dictionary<string, string> { ["Authorization"] = token })
        {
            Schemes = new Dictionary<string, string> { ["Authorization"] = "Bearer" },
        };
    }

    /// <summary>The broker URL the core is given: the relay's origin with the real broker's path.</summary>
    public Uri Address { get; private init; } = null!;

    /// <summary>Every exchange with the broker, in order.</summary>
    public IReadOnlyList<HttpExchange> Exchanges => [.. exchanges];

    /// <summary>The broker's answers that were not a success, in words (redacted): what a failed verification's error names.</summary>
    public IEnumerable<string> Problems =>
        exchanges.Where(e => !e.IsSuccess).Select(e => $"{e.Method} {e.Url}: " + e switch
        {
            { Error: { } error } => error,
            { BlockedRedirect: { } location } => $"a redirect ({e.Status}) to another origin, {location}, not followed",
            _ => $"status {e.Status}",
        });

    public static async Task<BrokerRelay> StartAsync(ConformanceHttpClient http, Uri broker, string? token, CancellationToken run)
    {
        BrokerRelay? relay = null;
        var app = await RelayServer.StartAsync(http, context => relay!.ForwardAsync(context), run);
        var origin = MockServer.Loopback.Address(app);
        relay = new BrokerRelay(app, http, broker, token, run) { Address = new Uri(origin, broker.AbsolutePath) };
        return relay;
    }

    /// <summary>
    /// The relay's own refusal (no answer, or a redirect it does not follow): a 4xx the core does not retry, where
    /// a 5xx would have it retry with growing waits until the run's time limit.
    /// </summary>
    private const int Refused = StatusCodes.Status421MisdirectedRequest;

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await RelayServer.ReadBodyAsync(request, run);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (request.Headers.Accept.ToString() is { Length: > 0 } accept)
        {
            headers["Accept"] = accept;
        }

        var upstream = new Uri(CredentialSet.OriginOf(broker) + request.Path.Value + request.QueryString.Value);
        var exchange = await http.SendAsync(new HttpCall
        {
            Method = request.Method,
            Url = upstream,
            Headers = headers,
            Body = body.Length > 0 ? body : null,
            ContentType = request.ContentType,
            Credentials = token,
            Purpose = $"pact broker: {request.Method} {request.Path.Value}",
            Channel = Channel,
            Paced = false,
        }, run);
        exchanges.Enqueue(exchange);

        if (exchange.Error is { } error)
        {
            await RelayServer.Answer(context, Refused, $"ConformanceSuite broker relay: {error}");
            return;
        }

        if (exchange.Status is >= 300 and < 400)
        {
            await RelayServer.Answer(context, Refused, $"ConformanceSuite broker relay: the broker redirected ({exchange.Status}), which the suite does not follow here");
            return;
        }

        await RelayServer.ReturnAsync(context, exchange, http.Redactor, run);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
