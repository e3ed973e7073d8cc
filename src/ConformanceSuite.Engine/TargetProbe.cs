using System.Net.Sockets;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Engine;

/// <summary>A live target that does not accept connections: the run does not start (exit code 3).</summary>
public sealed class TargetUnreachableException : Exception
{
    public TargetUnreachableException(string message) : base(message) { }

    public TargetUnreachableException() { }

    public TargetUnreachableException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Before a live run, a TCP connection to each API's origin: no bytes are sent, so nothing bypasses the
/// HTTP layer, and an unreachable target is one clear line instead of every case failing on transport.
/// </summary>
public static class TargetProbe
{
    public static async Task EnsureReachableAsync(ResolvedTarget target)
    {
        foreach (var (id, api) in target.Apis)
        {
            if (await UnreachableAsync(api.BaseUrl) is { } why)
            {
                // The origin without the URL's user information: a password there is a secret, and this line is not redacted.
                throw new TargetUnreachableException($"target '{target.Name}' is unreachable for {id} at {api.BaseUrl.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)}: {why}");
            }
        }
    }

    private static async Task<string?> UnreachableAsync(Uri url)
    {
        using var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await tcp.ConnectAsync(url.Host, url.Port, cts.Token);
            return null;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode.ToString();
        }
        catch (OperationCanceledException)
        {
            return "no answer within 5 s";
        }
    }
}
