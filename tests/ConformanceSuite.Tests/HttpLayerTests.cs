using System.Net;
using System.Net.Sockets;
using ConformanceSuite.Http;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace ConformanceSuite.Tests;

/// <summary>The one HTTP path: credential confinement, redirects, caps, stalls, redaction, unreachable hosts.</summary>
[TestFixture]
public sealed class HttpLayerTests
{
    private const string Secret = "s3cr3t-value-for-redaction";
    private WebApplication server = null!;
    private Uri origin = null!;
    private readonly List<string?> seenAuth = [];
    private int flakyCalls;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        server = builder.Build();
        server.MapGet("/echo", (HttpContext c) =>
        {
            seenAuth.Add(c.Request.Headers["X-Token"].FirstOrDefault());
            return Results.Text($"you sent {c.Request.Headers["X-Token"]}", "text/plain");
        });
        server.MapGet("/hop", () => Results.Redirect("/echo"));
        server.MapGet("/away", () => Results.Redirect("http://127.0.0.2:9/elsewhere"));
        server.MapGet("/flaky", (HttpContext c) =>
        {
            if (Interlocked.Increment(ref flakyCalls) <= 2)
            {
                c.Response.Headers.RetryAfter = "1";
                return Results.StatusCode(503);
            }

            return Results.Text("ok");
        });
        server.MapGet("/busy", (HttpContext c) =>
        {
            c.Response.Headers.RetryAfter = "0";
            return Results.StatusCode(429);
        });
        server.MapGet("/later", (HttpContext c) =>
        {
            c.Response.Headers.RetryAfter = "120";
            return Results.StatusCode(429);
        });
        server.MapGet("/controls", () => Results.Text(ControlText + new string('z', 1000), "text/plain"));
        server.MapGet("/at-the-bound", () => Results.Text("\u0001" + new string('z', new HttpSettings().ExcerptChars - 1), "text/plain"));
        server.MapGet("/big", () => Results.Bytes(new byte[100_000], "application/octet-stream"));
        server.MapGet("/stall", async (HttpContext c) =>
        {
            await c.Response.WriteAsync("partial", c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(30), c.RequestAborted);
        });
        await server.StartAsync();
        origin = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await server.DisposeAsync();

    private static (ConformanceHttpClient Client, RequestLog Log) Client(long cap = 1_000_000)
    {
        var redactor = new Redactor();
        redactor.AddSecret(Secret);
        redactor.AddCredentialName("X-Token");
        var log = new RequestLog();
        return (new ConformanceHttpClient(new HttpSettings { RequestTimeout = TimeSpan.FromSeconds(3), IdleTimeout = TimeSpan.FromSeconds(0.5), MaxBufferedBytes = cap }, redactor, log), log);
    }

    private CredentialSet Credentials(Uri? at = null) => new(at ?? origin, new Dictionary<string, string> { ["X-Token"] = Secret });

    [Test]
    public async Task Credentials_go_to_their_origin_and_are_redacted_everywhere_they_are_recorded()
    {
        var (client, log) = Client();
        using var _ = client;

        var exchange = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/echo"), Credentials = Credentials() }, CancellationToken.None);

        exchange.Status.Should().Be(200);
        exchange.BodyText.Should().Contain(Secret, "the server echoed it");
        exchange.BodyExcerpt.Should().NotContain(Secret).And.Contain(Redactor.Mask);
        exchange.RequestHeaders.Should().ContainSingle(h => h.Key == "X-Token" && h.Value == Redactor.Mask);
        exchange.Describe().Should().NotContain(Secret);
        log.Entries.Should().ContainSingle();
    }

    [Test]
    public async Task Credentials_are_refused_for_another_origin()
    {
        var (client, _) = Client();
        using var _c = client;
        var elsewhere = new Uri("http://127.0.0.2:1/");

        var act = () => client.SendAsync(new HttpCall { Url = new Uri(origin, "/echo"), Credentials = Credentials(elsewhere) }, CancellationToken.None);

        await act.Should().ThrowAsync<CredentialConfinementException>();
    }

    [Test]
    public async Task Same_origin_redirects_are_followed_with_credentials()
    {
        var (client, _) = Client();
        using var _c = client;

        var exchange = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/hop"), Credentials = Credentials() }, CancellationToken.None);

        exchange.Status.Should().Be(200);
        exchange.Redirects.Should().ContainSingle();
        exchange.CredentialsSent.Should().Contain("X-Token");
    }

    [Test]
    public async Task Cross_origin_redirects_are_not_followed()
    {
        var (client, _) = Client();
        using var _c = client;

        var exchange = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/away"), Credentials = Credentials() }, CancellationToken.None);

        exchange.Status.Should().Be(302);
        exchange.BlockedRedirect.Should().StartWith("http://127.0.0.2:9/");
    }

    /// <summary>Each boundary of the control ranges (U+0000-001F, U+007F-009F): tab, CR and LF are kept, the rest are not.</summary>
    private const string ControlText = "a\tb\r\nc\u0000d\u001fe\u0020f\u007eg\u007fh\u0085i\u009fj\u00a0k";

    [Test]
    public async Task An_excerpt_is_cut_at_its_length_with_control_characters_replaced_and_line_breaks_escaped()
    {
        var (client, _) = Client();
        using var __ = client;

        var exchange = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/controls") }, CancellationToken.None);

        var shown = "a\tb\\r\\nc\ufffdd\ufffde f~g\ufffdh\ufffdi\ufffdj\u00a0k";
        exchange.BodyExcerpt.Should().Be(shown + new string('z', new HttpSettings().ExcerptChars - ControlText.Length) + "…");
        var whole = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/at-the-bound") }, CancellationToken.None);
        whole.BodyExcerpt.Should().Be("\ufffd" + new string('z', new HttpSettings().ExcerptChars - 1), "a body of exactly the excerpt's length is whole, its first character replaced too");
    }

    [Test]
    public async Task A_body_over_the_cap_is_an_error_not_a_crash()
    {
        var (client, _) = Client(cap: 10_000);
        using var _c = client;

        var exchange = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/big") }, CancellationToken.None);

        exchange.Error.Should().Contain("exceeds the size cap of 10000 bytes");
    }

    [Test]
    public async Task A_stalled_body_ends_with_a_timeout_error()
    {
        var (client, _) = Client();
        using var _c = client;

        var exchange = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/stall") }, CancellationToken.None);

        exchange.Status.Should().Be(200);
        exchange.Error.Should().Contain("stalled");
    }

    [Test]
    public async Task A_503_with_Retry_After_is_retried_and_every_attempt_is_logged()
    {
        var (client, log) = Client();
        using var _c = client;

        var exchange = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/flaky") }, CancellationToken.None);

        exchange.Status.Should().Be(200);
        exchange.Retries.Should().Be(2);
        log.Entries.Select(e => e.Status).Should().Equal(503, 503, 200);
    }

    [Test]
    public async Task Retries_are_bounded()
    {
        var (client, log) = Client();
        using var _c = client;

        var exchange = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/busy") }, CancellationToken.None);

        exchange.Status.Should().Be(429);
        exchange.RetryNote.Should().Contain("not retried further");
        log.Count.Should().Be(3, "the first attempt and two retries");
    }

    [Test]
    public async Task A_Retry_After_longer_than_the_limit_is_not_waited_for()
    {
        var (client, log) = Client();
        using var _c = client;

        var exchange = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/later") }, CancellationToken.None);

        exchange.Status.Should().Be(429);
        exchange.RetryNote.Should().Contain("Retry-After asks for 120 s");
        log.Count.Should().Be(1);
    }

    [Test]
    public async Task Tls_certificates_are_validated_unless_the_run_says_insecure()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            selfSigned.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        await using var tls = builder.Build();
        tls.MapGet("/", () => Results.Text("secure"));
        await tls.StartAsync();
        var url = new Uri(tls.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var redactor = new Redactor();

        using var strict = new ConformanceHttpClient(new HttpSettings { RequestTimeout = TimeSpan.FromSeconds(5) }, redactor, new RequestLog());
        using var insecure = new ConformanceHttpClient(new HttpSettings { RequestTimeout = TimeSpan.FromSeconds(5), InsecureTls = true }, redactor, new RequestLog());
        var refused = await strict.SendAsync(new HttpCall { Url = url }, CancellationToken.None);
        var accepted = await insecure.SendAsync(new HttpCall { Url = url }, CancellationToken.None);

        refused.Status.Should().BeNull();
        refused.Error.Should().Contain("TLS failed").And.Contain("--insecure");
        accepted.Status.Should().Be(200);
    }

    [Test]
    public async Task An_unreachable_host_is_an_error_in_words()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (client, _) = Client();
        using var _c = client;

        var exchange = await client.SendAsync(new HttpCall { Url = new Uri($"http://127.0.0.1:{port}/") }, CancellationToken.None);

        exchange.Status.Should().BeNull();
        exchange.Error.Should().Contain("cannot connect");
    }

    [Test]
    public void Past_its_bound_the_request_log_keeps_compact_copies_and_spools_every_exchange_to_a_file_it_removes()
    {
        var folder = Directory.CreateTempSubdirectory("cs-request-log-").FullName;
        try
        {
            var excerpt = new string('x', 3000);
            HttpExchange Exchange(int i)
            {
                var e = new HttpExchange { Method = "GET", Url = $"http://127.0.0.1/page/{i}", Purpose = $"page {i}", Status = 200, BodyExcerpt = excerpt, Retries = i % 2 };
                e.ResponseHeaders["Content-Type"] = "application/json";
                e.ResponseHeaders["X-Big"] = excerpt;
                return e;
            }

            // Within the bound: held whole, nothing on disk, every line written when asked.
            using (var small = new RequestLog(folder))
            {
                var recorded = new List<HttpExchange>();
                small.Recorded += recorded.Add;
                small.Add(Exchange(0));
                small.Add(Exchange(1));
                recorded.Select(e => e.Purpose).Should().Equal("page 0", "page 1");
                small.Spilled.Should().BeFalse();
                small.Entries.Should().OnlyContain(e => e.BodyExcerpt == excerpt && e.ResponseHeaders.ContainsKey("X-Big"));
                Directory.EnumerateFiles(folder).Should().BeEmpty();
                small.WriteJsonLines(Path.Combine(folder, "new", "small.jsonl"));
                File.ReadAllLines(Path.Combine(folder, "new", "small.jsonl")).Should().HaveCount(2, "the folder is made when missing");
                Directory.Delete(Path.Combine(folder, "new"), recursive: true);
                small.Dispose();
                small.Invoking(l => l.Add(Exchange(2))).Should().Throw<ObjectDisposedException>();
                small.Invoking(l => l.WriteJsonLines(Path.Combine(folder, "late.jsonl"))).Should().Throw<ObjectDisposedException>();
                File.Exists(Path.Combine(folder, "late.jsonl")).Should().BeFalse();
            }

            // A compact copy: a short excerpt as it is, the redirects, and the headers the checks read.
            var shortOne = new HttpExchange { Method = "GET", Url = "http://127.0.0.1/x", BodyExcerpt = "short" };
            shortOne.Redirects.Add("302 http://127.0.0.1/y");
            foreach (var name in new[] { "Content-Type", "Retry-After", "Location", "X-Other" })
            {
                shortOne.ResponseHeaders[name] = name + "-value";
            }

            var kept = shortOne.Compact();
            kept.BodyExcerpt.Should().Be("short");
            var atTheBound = new string('y', HttpExchange.CompactExcerptChars);
            new HttpExchange { Method = "GET", Url = "http://127.0.0.1/z", BodyExcerpt = atTheBound }.Compact().BodyExcerpt.Should().Be(atTheBound, "an excerpt at the bound is whole");
            kept.Redirects.Should().Equal("302 http://127.0.0.1/y");
            kept.ResponseHeaders.Keys.Should().BeEquivalentTo("Content-Type", "Retry-After", "Location");
            kept.ResponseHeaders.Should().OnlyContain(h => h.Value == h.Key + "-value");

            var count = RequestLog.HeldExchanges + 50;
            var log = new RequestLog(folder);
            int? firstSpilled = null;
            var added = new List<HttpExchange>();
            for (var i = 0; i < count; i++)
            {
                added.Add(Exchange(i));
                log.Add(added[^1]);
                firstSpilled ??= log.Spilled ? i : null;
                if (i < RequestLog.HeldExchanges)
                {
                    added[^1].Kept.Should().BeSameAs(added[^1], "a held exchange is kept as it is");
                }
            }

            firstSpilled.Should().Be(RequestLog.HeldExchanges, "nothing goes to disk before the bound");
            // What the log keeps of each exchange is what a walk's page keeps as its evidence: one copy, not two.
            added.Select(e => e.Kept).Should().Equal(log.Entries, ReferenceEquals);
            Directory.EnumerateFiles(folder).Should().ContainSingle("the lines past the bound are in one temporary file");
            log.Entries.Should().HaveCount(count).And.OnlyContain(e => e.BodyExcerpt.Length == HttpExchange.CompactExcerptChars + 1 && !e.ResponseHeaders.ContainsKey("X-Big"));
            log.Entries.Select(e => e.Purpose).Should().Equal(Enumerable.Range(0, count).Select(i => $"page {i}"));

            var file = Path.Combine(folder, "requests.jsonl");
            log.WriteJsonLines(file);
            log.Add(Exchange(count));
            log.WriteJsonLines(file);
            var lines = File.ReadAllLines(file);
            lines.Should().HaveCount(count + 1, "every exchange, the ones before the bound and after, and one added after a first write");
            var last = System.Text.Json.JsonDocument.Parse(lines[^1]).RootElement;
            last.GetProperty("purpose").GetString().Should().Be($"page {count}");
            last.GetProperty("bodyExcerpt").GetString().Should().Be(excerpt, "the log file has each exchange in full");
            last.GetProperty("retries").GetInt32().Should().Be(count % 2);

            log.Dispose();
            Directory.EnumerateFiles(folder).Should().Equal([file], "the temporary file goes with the log");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestCase(@"tok/en""x\y-1n3", TestName = "A secret is masked raw, and JSON-escaped in any mix: \\uXXXX in either case, and an escaped slash, quote or backslash")]
    [TestCase("plainsecret42", TestName = "A secret of letters and digits is masked raw and JSON-escaped in any mix, alone or at either end of a text")]
    [TestCase(@"ab""cd-1234", TestName = "A secret with a quote is masked when only its quote is escaped")]
    public void A_secret_is_masked_in_every_JSON_escaped_mix_and_text_without_one_is_left_as_it_is(string secret)
    {
        var redactor = new Redactor();
        redactor.AddSecret(secret);
        string Escaped(Func<char, int, string> unit) => string.Concat(secret.Select(unit));
        string[] forms =
        [
            secret,
            Escaped((c, _) => $"\\u{(int)c:x4}"),
            Escaped((c, _) => $"\\u{(int)c:X4}"),
            Escaped((c, i) => i % 2 == 0 ? $"\\u{(int)c:X4}" : c is '"' or '\\' or '/' ? "\\" + c : c.ToString()),
            Escaped((c, _) => c is '"' or '\\' or '/' ? "\\" + c : c.ToString()),
            Escaped((c, _) => c == 'n' ? "\\u006E" : c is '"' or '\\' ? "\\" + c : c.ToString()),
            Escaped((c, i) => i == secret.Length - 1 ? $"\\u{(int)c:x4}" : c is '"' or '\\' ? "\\" + c : c.ToString()),
        ];

        foreach (var form in forms)
        {
            var text = $"{{\"phone\":\"\\u002B1555\",\"token\":\"{form}\"}}";
            redactor.Scrub(text).Should().Be($"{{\"phone\":\"\\u002B1555\",\"token\":\"{Redactor.Mask}\"}}", $"the form {form} is the secret");
            redactor.Scrub(form).Should().Be(Redactor.Mask, $"the form {form} alone is the secret");
            redactor.Scrub(form + " sent").Should().Be(Redactor.Mask + " sent", $"the form {form} opens the text");
            redactor.Scrub("sent " + form).Should().Be("sent " + Redactor.Mask, $"the form {form} ends the text");
        }

        // Escapes of characters the secret does not have, and no form of it: nothing is masked.
        var clean = "{\"phone\":\"\\u002B1555\",\"name\":\"\\u0041nna tok/en\"}";
        redactor.Scrub(clean).Should().Be(clean);
        redactor.Scrub("a path ending in a backslash \\").Should().Be("a path ending in a backslash \\");
    }
}
