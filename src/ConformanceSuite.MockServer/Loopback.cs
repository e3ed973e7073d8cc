using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConformanceSuite.MockServer;

/// <summary>A quiet Kestrel server on a loopback port: the mock's two origins, the Pact relay, and the tests' own providers.</summary>
public static class Loopback
{
    /// <summary>A builder for a server on <paramref name="host"/>:<paramref name="port"/> (0: any free port), with no logging and no Server header.</summary>
    public static WebApplicationBuilder Builder(string host = "127.0.0.1", int port = 0)
    {
        // The empty builder: no configuration files, environment or logging to read, only Kestrel and routing.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        // A server in someone else's process takes none of its signals: the host's console lifetime would turn Ctrl+C and
        // SIGTERM into "stopping" for itself, and the process (a run of the suite) would go on as if nothing was asked.
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        return builder;
    }

    /// <summary>A host lifetime that waits for nothing and listens to no signal: the process that hosts the server decides.</summary>
    private sealed class SignalFreeLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// A handler that answers with a result, as a plain request delegate. A lambda that returns a result (or takes a
    /// route value as a parameter) is bound by ASP.NET Core's delegate factory, which builds and compiles an expression
    /// for each endpoint at every start of a mock (and the self-test starts mocks hundreds of times).
    /// </summary>
    public static RequestDelegate Answer(Func<HttpContext, IResult> handler) => http => handler(http).ExecuteAsync(http);

    /// <inheritdoc cref="Answer(Func{HttpContext, IResult})"/>
    public static RequestDelegate Answer(Func<HttpContext, Task<IResult>> handler) => async http => await (await handler(http)).ExecuteAsync(http);

    /// <summary>The address a started server listens on, as a URL a client can use.</summary>
    public static Uri Address(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }
}
