using System.Text;
using ConformanceSuite.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Engine.Pact;

/// <summary>
/// What the loopback relays have in common (the one for a pact's provider, the one for a Pact Broker): a quiet
/// Kestrel server that the Pact core talks to, whose every request goes on through the suite's one HTTP client,
/// and whose answers are that client's exchanges, redacted.
/// </summary>
internal static class RelayServer
{
    private static readonly HashSet<string> NotReturned = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Content-Encoding", "Transfer-Encoding", "Connection", "Keep-Alive", "Server", "Date",
    };

    /// <summary>Starts a loopback server handing every request to <paramref name="handle"/>; a request body is capped as a buffered response is.</summary>
    public static async Task<WebApplication> StartAsync(ConformanceHttpClient http, RequestDelegate handle, CancellationToken ct)
    {
        var builder = MockServer.Loopback.Builder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = http.Settings.MaxBufferedBytes;
            // A provider's header value goes back as the client read it: bytes past ASCII (obs-text) were read as
            // Latin-1, and are written so. Kestrel's default (ASCII only) would refuse it, and answer its own 500.
            k.ResponseHeaderEncodingSelector = _ => Encoding.Latin1;
        });
        var app = builder.Build();
        app.Run(handle);
        await app.StartAsync(ct);
        return app;
    }

    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>The exchange as the relay's answer: its status, its headers but the hop-by-hop and encoding ones, and its body.</summary>
    public static async Task ReturnAsync(HttpContext http, HttpExchange exchange, Redactor redactor, CancellationToken ct)
    {
        http.Response.StatusCode = exchange.Status ?? StatusCodes.Status502BadGateway;
        foreach (var (name, value) in exchange.ResponseHeaders.Where(h => !NotReturned.Contains(h.Key)))
        {
            try
            {
                http.Response.Headers[name] = value;
            }
            catch (InvalidOperationException)
            {
                // A header no server may write: its name held a credential, masked with characters a name cannot
                // have ("X-Echo-[redacted]"). Left out, where it would have made the relay's own 500 the answer; the
                // exchange in the log keeps it, masked.
            }
        }

        // The Pact core gets the body redacted too: an answer that echoes a credential cannot put it into the
        // core's output, which the reports carry.
        var payload = redactor.ScrubBytes(exchange.Body ?? []);
        http.Response.ContentLength = payload.Length;
        await http.Response.Body.WriteAsync(payload, ct);
    }

    /// <summary>A plain answer of the relay's own (once nothing of the response has been sent).</summary>
    public static async Task Answer(HttpContext http, int status, string text, string contentType = "text/plain")
    {
        if (http.Response.HasStarted)
        {
            return;
        }

        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        await http.Response.WriteAsync(text);
    }
}
