using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// A small provider of the tests' own that misbehaves on purpose (garbage, hangs, drips, bombs, redirects,
/// echoed secrets): the reference mock and the checks read the same contract, so only a provider written
/// apart from both can show what a misreading lets through. It records every request it gets.
/// </summary>
internal sealed class HostileProvider : IAsyncDisposable
{
    private readonly WebApplication app;

    private HostileProvider(WebApplication app) => this.app = app;

    public Uri Origin { get; private set; } = null!;

    public ConcurrentQueue<(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)> Requests { get; } = new();

    public bool SawHeader(string name) => Requests.Any(r => r.Headers.ContainsKey(name));

    /// <summary>A provider of <paramref name="behaviour"/>; <paramref name="kestrel"/> may loosen what its server lets it send (headers that are not ASCII).</summary>
    public static async Task<HostileProvider> StartAsync(RequestDelegate behaviour, Action<KestrelServerOptions>? kestrel = null)
    {
        var builder = MockServer.Loopback.Builder();
        if (kestrel is not null)
        {
            builder.WebHost.ConfigureKestrel(kestrel);
        }

        var app = builder.Build();
        var provider = new HostileProvider(app);
        app.Run(async http =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            provider.Requests.Enqueue((http.Request.Method, http.Request.Path + http.Request.QueryString,
                http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            await behaviour(http);
        });
        await app.StartAsync();
        provider.Origin = MockServer.Loopback.Address(app);
        return provider;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
