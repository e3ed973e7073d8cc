using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ConformanceSuite.Http;

/// <summary>What kind of network an address is on, as far as where the suite may be sent is concerned.</summary>
public enum AddressKind
{
    /// <summary>Reachable on the internet.</summary>
    Public,

    /// <summary>This machine: 127.0.0.0/8, ::1, and the unspecified 0.0.0.0 and :: (which reach it too).</summary>
    Loopback,

    /// <summary>A private network: 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier NAT), fc00::/7.</summary>
    Private,

    /// <summary>Link-local: 169.254/16 (cloud metadata services live there) and fe80::/10.</summary>
    LinkLocal,

    /// <summary>Multicast, broadcast and reserved ranges: never a provider's.</summary>
    Reserved,
}

/// <summary>
/// Where a provider may send the suite. A URL a provider chooses (a download link) is not the target's: a hostile
/// provider could point it at the network the suite runs in (a cloud metadata service, an internal host) and read
/// the answer back in the report. So the connection to a host the target does not name is made only to a public
/// address, or to an address of a kind one of the target's own hosts was reached on (a mock on this machine may link
/// to another port of it), unless the profile allows every address (<c>allowPrivateAddresses</c>). The check is made
/// on the addresses the connection is actually made to, so a name that resolves differently the second time gains
/// nothing.
/// </summary>
public sealed class AddressPolicy
{
    /// <summary>The profile setting that lifts the policy.</summary>
    public const string Setting = "allowPrivateAddresses";

    private readonly ConcurrentDictionary<string, bool> targetHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<AddressKind, bool> targetKinds = new();
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> resolve;

    /// <param name="allowAll">The profile's <c>allowPrivateAddresses</c>: every address is allowed.</param>
    /// <param name="resolve">How a host name is resolved (the system's DNS unless a test says otherwise).</param>
    public AddressPolicy(bool allowAll = false, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        AllowAll = allowAll;
        this.resolve = resolve ?? Dns.GetHostAddressesAsync;
    }

    public bool AllowAll { get; }

    /// <summary>The kinds of address the target's own hosts were reached on so far.</summary>
    public IReadOnlyCollection<AddressKind> TargetKinds => [.. targetKinds.Keys];

    /// <summary>Names a host of the target (an API's base URL, a Pact provider or state URL, a broker): reached on any address.</summary>
    public void Trust(Uri url) => targetHosts[Host(url.IdnHost)] = true;

    public static AddressKind KindOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return AddressKind.Loopback;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal ? AddressKind.LinkLocal
                : address.IsIPv6UniqueLocal || address.IsIPv6SiteLocal ? AddressKind.Private
                : address.IsIPv6Multicast ? AddressKind.Reserved
                : AddressKind.Public;
        }

        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 => AddressKind.Loopback, // 0.0.0.0/8 reaches this machine on Linux
            10 => AddressKind.Private,
            100 when b[1] is >= 64 and < 128 => AddressKind.Private,
            169 when b[1] == 254 => AddressKind.LinkLocal,
            172 when b[1] is >= 16 and < 32 => AddressKind.Private,
            192 when b[1] == 168 => AddressKind.Private,
            >= 224 => AddressKind.Reserved,
            _ => AddressKind.Public,
        };
    }

    /// <summary>
    /// The addresses of <paramref name="host"/> the suite may connect to; throws <see cref="AddressRefusedException"/>
    /// when there is none. A host of the target's is allowed every address, and teaches the policy its kinds.
    /// </summary>
    public async Task<IPAddress[]> AllowedAsync(string host, CancellationToken ct)
    {
        host = Host(host);
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolve(host, ct);
        if (targetHosts.ContainsKey(host))
        {
            foreach (var address in addresses)
            {
                targetKinds[KindOf(address)] = true;
            }

            return addresses;
        }

        var allowed = addresses.Where(a => AllowAll || KindOf(a) == AddressKind.Public || targetKinds.ContainsKey(KindOf(a))).ToArray();
        if (allowed.Length == 0)
        {
            var kinds = string.Join(", ", addresses.Select(a => $"{a} ({KindOf(a).ToString().ToLowerInvariant()})"));
            throw new AddressRefusedException(addresses.Length == 0
                ? $"not sent: {host} resolves to no address"
                : $"not sent: {host} is not a host of the target, and it resolves only to {kinds}, a kind of address none of the target's own hosts is on (a provider's link may not lead the suite into the network it runs in; {Setting} lifts this)");
        }

        return allowed;
    }

    /// <summary>The connection of a request: to an allowed address of its host, or to the proxy it goes through.</summary>
    internal async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        // Through a proxy, the connection is to the proxy (the user's), and the proxy reaches the host.
        var viaProxy = context.InitialRequestMessage.RequestUri is { } uri && !string.Equals(Host(uri.IdnHost), Host(endpoint.Host), StringComparison.OrdinalIgnoreCase);
        var addresses = viaProxy ? await resolve(endpoint.Host, ct) : await AllowedAsync(endpoint.Host, ct);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A host as the policy compares it: an IPv6 literal without its brackets, a name without a final dot, in lower case.</summary>
    private static string Host(string host) => host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
}

/// <summary>A connection the <see cref="AddressPolicy"/> refused: nothing was sent.</summary>
public sealed class AddressRefusedException : IOException
{
    public AddressRefusedException(string message) : base(message) { }

    public AddressRefusedException() { }

    public AddressRefusedException(string message, Exception inner) : base(message, inner) { }
}
