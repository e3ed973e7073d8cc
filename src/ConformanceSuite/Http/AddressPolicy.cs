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

    /// <summary>
    /// Special-purpose ranges no provider is reached on from the internet (IANA's special-purpose registries):
    /// multicast, broadcast, reserved, documentation, benchmarking, IETF protocol assignments, discard-only.
    /// </summary>
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

    /// <summary>The target's hosts already asked for through a proxy: each is resolved here once, to learn its kinds, not once a request.</summary>
    private readonly ConcurrentDictionary<string, bool> reachedThroughProxy = new(StringComparer.OrdinalIgnoreCase);
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

        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // An IPv4 address carried in an IPv6 one (NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16, the old
            // IPv4-compatible ::a.b.c.d) reaches that IPv4 address: it is of that one's kind.
            if (Embedded(b) is { } v4)
            {
                return KindOf(v4);
            }

            return address.IsIPv6LinkLocal ? AddressKind.LinkLocal
                : address.IsIPv6UniqueLocal || address.IsIPv6SiteLocal ? AddressKind.Private
                : address.IsIPv6Multicast ? AddressKind.Reserved
                : (b[0], b[1], b[2], b[3]) switch
                {
                    (0x20, 0x01, 0x0d, 0xb8) => AddressKind.Reserved, // 2001:db8::/32, documentation
                    (0x20, 0x01, 0x00, 0x02) when b[4] == 0 && b[5] == 0 => AddressKind.Reserved, // 2001:2::/48, benchmarking
                    (0x3f, 0xff, _, _) when b[2] < 0x10 => AddressKind.Reserved, // 3fff::/20, documentation
                    (0x01, 0x00, 0, 0) when b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] <= 1 => AddressKind.Reserved, // 100::/64 discard-only, 100:0:0:1::/64 dummy
                    _ => AddressKind.Public,
                };
        }

        return (b[0], b[1], b[2]) switch
        {
            (0, _, _) => AddressKind.Loopback, // 0.0.0.0/8 reaches this machine on Linux
            (10, _, _) => AddressKind.Private,
            (100, >= 64 and < 128, _) => AddressKind.Private,
            (169, 254, _) => AddressKind.LinkLocal,
            (172, >= 16 and < 32, _) => AddressKind.Private,
            (192, 168, _) => AddressKind.Private,
            (192, 0, 0) or (192, 0, 2) or (198, 51, 100) or (203, 0, 113) or (192, 88, 99) => AddressKind.Reserved, // IETF assignments, documentation, old 6to4 relays
            (198, 18 or 19, _) => AddressKind.Reserved, // benchmarking
            (>= 224, _, _) => AddressKind.Reserved,
            _ => AddressKind.Public,
        };
    }

    /// <summary>The IPv4 address an IPv6 one carries for translation or tunnelling, if it carries one.</summary>
    private static IPAddress? Embedded(byte[] b)
    {
        var span = b.AsSpan();
        if (span[..12].SequenceEqual((byte[])[0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]) || span[..6].SequenceEqual((byte[])[0, 0x64, 0xff, 0x9b, 0, 1]))
        {
            return new IPAddress(span[12..]);
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return new IPAddress(span[2..6]);
        }

        return span[..12].IndexOfAnyExcept((byte)0) < 0 && span[12..].IndexOfAnyExcept((byte)0) >= 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1)
            ? new IPAddress(span[12..])
            : null;
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

    /// <summary>
    /// The connection of a request: to an allowed address of its host, or to the proxy (the user's) it goes through.
    /// A connection to a proxy carries requests for many hosts, so those are judged one request at a time
    /// (<see cref="ProxiedRequests"/>), not here.
    /// </summary>
    internal async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var viaProxy = context.InitialRequestMessage.RequestUri is { } uri && Host(uri.IdnHost) != Host(endpoint.Host);
        var addresses = !viaProxy ? await AllowedAsync(endpoint.Host, ct)
            : IPAddress.TryParse(Host(endpoint.Host), out var proxy) ? [proxy]
            : await resolve(endpoint.Host, ct);

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

    /// <summary>
    /// Whether a request through a proxy may go: the proxy would reach any host it is asked for (a corporate proxy
    /// reaches the internal network, a cloud one the metadata service), so its host is judged as it resolves here,
    /// as a direct connection's is. A name that does not resolve here (a network where only the proxy resolves
    /// names) cannot be judged, and is left to the proxy; an address written in the URL always is judged.
    /// </summary>
    internal async Task AllowedThroughProxyAsync(string host, CancellationToken ct)
    {
        if (targetHosts.ContainsKey(Host(host)) && !reachedThroughProxy.TryAdd(Host(host), true))
        {
            return; // a host of the target may be on any address, and its kinds were learned on its first request
        }

        try
        {
            await AllowedAsync(host, ct);
        }
        catch (SocketException)
        {
            // Not known here: only the proxy can tell where it is.
        }
    }

    /// <summary>
    /// Judges each request that goes through a proxy before it is sent. A plain HTTP request through a proxy goes on
    /// a connection to the proxy that earlier requests, for other hosts, may have opened, so no connection is made
    /// for it, and the connection's check (<see cref="ConnectAsync"/>) would judge only the first host.
    /// </summary>
    internal sealed class ProxiedRequests(AddressPolicy policy, IWebProxy proxy, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri && !proxy.IsBypassed(uri) && proxy.GetProxy(uri) is not null)
            {
                await policy.AllowedThroughProxyAsync(uri.IdnHost, cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
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
