using System.Net;
using ConformanceSuite.Http;

namespace ConformanceSuite.Tests;

/// <summary>Where a provider's link may lead the suite: the kinds of address, and what the target's own hosts open.</summary>
[TestFixture]
public sealed class AddressPolicyTests
{
    [TestCase("127.0.0.1", AddressKind.Loopback)]
    [TestCase("127.255.255.255", AddressKind.Loopback)]
    [TestCase("0.0.0.0", AddressKind.Loopback)]
    [TestCase("0.1.2.3", AddressKind.Loopback)]
    [TestCase("::1", AddressKind.Loopback)]
    [TestCase("::", AddressKind.Loopback)]
    [TestCase("::ffff:127.0.0.1", AddressKind.Loopback)]
    [TestCase("1.0.0.0", AddressKind.Public)]
    [TestCase("9.255.255.255", AddressKind.Public)]
    [TestCase("10.0.0.0", AddressKind.Private)]
    [TestCase("10.255.255.255", AddressKind.Private)]
    [TestCase("11.0.0.0", AddressKind.Public)]
    [TestCase("::ffff:10.1.2.3", AddressKind.Private)]
    [TestCase("100.63.255.255", AddressKind.Public)]
    [TestCase("100.64.0.0", AddressKind.Private)]
    [TestCase("100.127.255.255", AddressKind.Private)]
    [TestCase("100.128.0.0", AddressKind.Public)]
    [TestCase("169.253.255.255", AddressKind.Public)]
    [TestCase("169.254.169.254", AddressKind.LinkLocal)]
    [TestCase("169.255.0.0", AddressKind.Public)]
    [TestCase("172.15.255.255", AddressKind.Public)]
    [TestCase("172.16.0.0", AddressKind.Private)]
    [TestCase("172.31.255.255", AddressKind.Private)]
    [TestCase("172.32.0.0", AddressKind.Public)]
    [TestCase("192.167.255.255", AddressKind.Public)]
    [TestCase("192.168.0.1", AddressKind.Private)]
    [TestCase("192.169.0.0", AddressKind.Public)]
    [TestCase("223.255.255.255", AddressKind.Public)]
    [TestCase("224.0.0.1", AddressKind.Reserved)]
    [TestCase("255.255.255.255", AddressKind.Reserved)]
    [TestCase("fe80::1", AddressKind.LinkLocal)]
    [TestCase("fd00::2", AddressKind.Private)]
    [TestCase("fc00::1", AddressKind.Private)]
    [TestCase("fec0::1", AddressKind.Private)]
    [TestCase("ff02::1", AddressKind.Reserved)]
    [TestCase("8.8.8.8", AddressKind.Public)]
    [TestCase("192.0.0.1", AddressKind.Reserved)]
    [TestCase("192.0.1.0", AddressKind.Public)]
    [TestCase("192.0.2.2", AddressKind.Reserved)]
    [TestCase("192.0.3.0", AddressKind.Public)]
    [TestCase("198.17.255.255", AddressKind.Public)]
    [TestCase("198.18.0.0", AddressKind.Reserved)]
    [TestCase("198.19.255.255", AddressKind.Reserved)]
    [TestCase("198.20.0.0", AddressKind.Public)]
    [TestCase("198.51.100.7", AddressKind.Reserved)]
    [TestCase("203.0.113.9", AddressKind.Reserved)]
    [TestCase("192.88.99.1", AddressKind.Reserved)]
    [TestCase("64:ff9b::a9fe:a9fe", AddressKind.LinkLocal)]
    [TestCase("64:ff9b::808:808", AddressKind.Public)]
    [TestCase("64:ff9b:1::a00:1", AddressKind.Private)]
    [TestCase("2002:7f00:1::", AddressKind.Loopback)]
    [TestCase("2002:a9fe:a9fe::1", AddressKind.LinkLocal)]
    [TestCase("2002:808:808::1", AddressKind.Public)]
    [TestCase("::a9fe:a9fe", AddressKind.LinkLocal)]
    [TestCase("2001:db8:1::1", AddressKind.Reserved)]
    [TestCase("2001:2::1", AddressKind.Reserved)]
    [TestCase("2001:2:1::1", AddressKind.Public)]
    [TestCase("3fff:fff::1", AddressKind.Reserved)]
    [TestCase("3fff:1000::1", AddressKind.Public)]
    [TestCase("100::1", AddressKind.Reserved)]
    [TestCase("100:0:0:1::1", AddressKind.Reserved)]
    [TestCase("100:0:0:2::1", AddressKind.Public)]
    [TestCase("2606:4700::1111", AddressKind.Public)]
    public void Each_address_is_of_one_kind(string address, AddressKind kind) =>
        AddressPolicy.KindOf(IPAddress.Parse(address)).Should().Be(kind);

    private static readonly Dictionary<string, IPAddress[]> Names = new()
    {
        ["api.example"] = [IPAddress.Parse("10.0.0.5")],
        ["files.example"] = [IPAddress.Parse("10.0.0.6")],
        ["meta.example"] = [IPAddress.Parse("169.254.169.254")],
        ["mixed.example"] = [IPAddress.Parse("169.254.169.254"), IPAddress.Parse("8.8.8.8")],
        ["home.example"] = [IPAddress.Parse("127.0.0.1")],
        ["inside.example"] = [IPAddress.Parse("169.254.1.1"), IPAddress.Parse("fe80::1")],
        ["nowhere.example"] = [],
    };

    private static AddressPolicy Policy(bool allowAll = false)
    {
        var policy = new AddressPolicy(allowAll, (host, _) => Task.FromResult(Names[host]));
        policy.Trust(new Uri("https://API.example./v1"));
        return policy;
    }

    [Test]
    public async Task A_host_of_the_target_opens_its_kind_of_address_to_the_provider_s_links_and_no_other()
    {
        var policy = Policy();

        await FluentActions.Awaiting(() => policy.AllowedAsync("files.example", CancellationToken.None)).Should().ThrowAsync<AddressRefusedException>(
            "no host of the target has been reached on a private address yet");
        (await policy.AllowedAsync("api.example", CancellationToken.None)).Should().Equal(IPAddress.Parse("10.0.0.5"));
        policy.TargetKinds.Should().Equal(AddressKind.Private);
        (await policy.AllowedAsync("files.example", CancellationToken.None)).Should().Equal(IPAddress.Parse("10.0.0.6"));
        (await policy.AllowedAsync("mixed.example", CancellationToken.None)).Should().Equal([IPAddress.Parse("8.8.8.8")], "only its public address");
        (await policy.AllowedAsync("8.8.4.4", CancellationToken.None)).Should().Equal(IPAddress.Parse("8.8.4.4"));
        (await FluentActions.Awaiting(() => policy.AllowedAsync("meta.example.", CancellationToken.None)).Should().ThrowAsync<AddressRefusedException>())
            .Which.Message.Should().Be("not sent: meta.example is not a host of the target, and it resolves only to 169.254.169.254 (linklocal), a kind of address none of the target's own hosts is on (a provider's link may not lead the suite into the network it runs in; allowPrivateAddresses lifts this)");
        await FluentActions.Awaiting(() => policy.AllowedAsync("[::1]", CancellationToken.None)).Should().ThrowAsync<AddressRefusedException>();
        (await FluentActions.Awaiting(() => policy.AllowedAsync("inside.example", CancellationToken.None)).Should().ThrowAsync<AddressRefusedException>(
            "no host of the target is on a link-local address")).Which.Message.Should().Contain("inside.example is not a host of the target, and it resolves only to 169.254.1.1 (linklocal), fe80::1 (linklocal),");
        await FluentActions.Awaiting(() => policy.AllowedAsync("home.example", CancellationToken.None)).Should().ThrowAsync<AddressRefusedException>();
        (await FluentActions.Awaiting(() => policy.AllowedAsync("nowhere.example", CancellationToken.None)).Should().ThrowAsync<AddressRefusedException>())
            .Which.Message.Should().Be("not sent: nowhere.example resolves to no address");
    }

    [Test]
    public async Task The_profile_can_open_every_address()
    {
        var policy = Policy(allowAll: true);

        (await policy.AllowedAsync("meta.example", CancellationToken.None)).Should().Equal(IPAddress.Parse("169.254.169.254"));
        (await policy.AllowedAsync("127.0.0.1", CancellationToken.None)).Should().Equal(IPAddress.Loopback);
        policy.TargetKinds.Should().BeEmpty("only a host of the target teaches a kind");
    }

    [Test]
    public async Task Through_a_proxy_each_request_is_judged_by_where_its_host_is_and_a_name_only_the_proxy_knows_is_left_to_it()
    {
        // A proxy of the test's own: it answers every request it is given, as a real one would fetch it, and
        // records the absolute URL it was asked for.
        var asked = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var proxy = await HostileProvider.StartAsync(http =>
        {
            asked.Enqueue(http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget);
            return Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(http.Response, "fetched by the proxy");
        });
        var resolved = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var policy = new AddressPolicy(resolve: (host, _) =>
        {
            resolved.Enqueue(host);
            return Names.TryGetValue(host, out var found) ? Task.FromResult(found) : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
        });
        policy.Trust(new Uri("http://api.example/"));
        using var client = new ConformanceHttpClient(new HttpSettings { RequestTimeout = TimeSpan.FromSeconds(5), Proxy = new EveryRequest(proxy.Origin) }, new Redactor(), new RequestLog(), policy);
        async Task<HttpExchange> Get(string url) => await client.SendAsync(new HttpCall { Url = new Uri(url) }, CancellationToken.None);

        var metadata = await Get("http://169.254.169.254/latest/meta-data/");
        var api = await Get("http://api.example/v1/sessions");
        var apiAgain = await Get("http://api.example/v1/sessions?page=2");
        var files = await Get("http://files.example/export.csv");
        // On the connection to the proxy the requests before it opened: no new connection, and still refused.
        var again = await Get("http://169.254.169.254/latest/meta-data/");
        var byName = await Get("http://meta.example/latest/meta-data/");
        var unknown = await Get("http://only-the-proxy-knows.example/export.csv");

        foreach (var refused in new[] { metadata, again, byName })
        {
            refused.Status.Should().BeNull(refused.Url);
            refused.Error.Should().Contain("is not a host of the target, and it resolves only to 169.254.169.254 (linklocal)");
            refused.Limit.Should().Be(AddressPolicy.Setting);
        }

        (api.Status, apiAgain.Status, files.Status, unknown.Status).Should().Be((200, 200, 200, 200), "the target's host, a private host once the target was reached on one, and a name this machine cannot resolve go to the proxy");
        resolved.Should().Equal(["api.example", "files.example", "meta.example", "only-the-proxy-knows.example"],
            "a link's host is resolved for each request, the target's own once (to learn its kind), and an address written in the URL never");
        files.BodyExcerpt.Should().Be("fetched by the proxy");
        asked.Should().Equal(["http://api.example/v1/sessions", "http://api.example/v1/sessions?page=2", "http://files.example/export.csv", "http://only-the-proxy-knows.example/export.csv"],
            "the proxy was never asked for the metadata service");
    }

    /// <summary>A proxy for every request, loopback ones included (the system's proxies pass those by).</summary>
    private sealed class EveryRequest(Uri proxy) : IWebProxy
    {
        public ICredentials? Credentials { get; set; }

        public Uri GetProxy(Uri destination) => proxy;

        public bool IsBypassed(Uri host) => false;
    }
}
