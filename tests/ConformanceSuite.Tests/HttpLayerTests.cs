using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ConformanceSuite.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
    private int policyCalls;

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
        server.MapGet("/policy", () =>
        {
            Interlocked.Increment(ref policyCalls);
            return Results.Text("reached", "text/plain");
        });
        server.MapGet("/headers", (HttpContext c) =>
        {
            c.Response.Headers["X-Long"] = new string('L', 5000);
            for (var i = 0; i < 40; i++)
            {
                c.Response.Headers[$"X-H-{i:00}"] = new string('v', 100);
            }

            return Results.Text("ok", "text/plain");
        });
        server.MapGet("/zeros/{count:int}", async (HttpContext c, int count) =>
        {
            // gzip of that many zero bytes: about a thousandth of it on the wire, a ratio the suite stops past 1 MiB.
            using var packed = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            {
                gzip.Write(new byte[count]);
            }

            c.Response.Headers.ContentEncoding = "gzip";
            c.Response.ContentType = "application/octet-stream";
            await c.Response.Body.WriteAsync(packed.ToArray());
        });
        server.MapGet("/big", () => Results.Bytes(new byte[100_000], "application/octet-stream"));
        server.MapGet("/stall", async (HttpContext c) =>
        {
            await c.Response.WriteAsync("partial", c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(30), c.RequestAborted);
        });
        server.MapGet("/silent", (HttpContext c) => Task.Delay(TimeSpan.FromSeconds(30), c.RequestAborted));
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
    public async Task A_download_without_headers_by_its_deadline_names_the_download_deadline()
    {
        // The request timeout is far longer than the download's: the download's deadline ended the wait, and is the
        // setting to change.
        using var client = new ConformanceHttpClient(new HttpSettings { RequestTimeout = TimeSpan.FromSeconds(20), DownloadTimeout = TimeSpan.FromSeconds(1) }, new Redactor(), new RequestLog());

        var (exchange, _) = await client.StreamAsync(new HttpCall { Url = new Uri(origin, "/silent") }, (_, body) => body.Length, CancellationToken.None);

        exchange.Status.Should().BeNull();
        exchange.TimedOut.Should().BeTrue();
        exchange.Error.Should().Be("no response within 1 s (timeouts.downloadSeconds)");
    }

    [Test]
    public void The_http_library_puts_no_limit_of_its_own_before_the_suite_s_deadlines()
    {
        // RestSharp, given no timeout, applies 100 s to each request. A download the provider took longer than that to
        // start answering was cut there (measured: 100.0 s against a hostile provider), and reported as "no response
        // within 300 s (timeouts.downloadSeconds)", a deadline that had not passed; a request limit above 100 s could
        // never be reached either.
        using var client = new ConformanceHttpClient(new HttpSettings { RequestTimeout = TimeSpan.FromSeconds(600), DownloadTimeout = TimeSpan.FromSeconds(600) }, new Redactor(), new RequestLog());

        client.LibraryLimit.Should().Be(Timeout.InfiniteTimeSpan);
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
    public async Task Headers_are_kept_whole_for_the_checks_and_reports_carry_them_cut_to_the_bound()
    {
        var (client, _) = Client();
        using var _c = client;

        var many = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/headers") }, CancellationToken.None);
        var few = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/echo") }, CancellationToken.None);

        many.ResponseHeaders["X-Long"].Should().HaveLength(5000, "checks, redirects and the Pact relay read headers whole");
        var reported = JsonNode.Parse(JsonSerializer.Serialize(many, ResultsJson.Lines))!["responseHeaders"]!.AsObject();
        var kept = reported.Where(h => h.Key != "…").Select(h => (h.Key, Value: h.Value!.GetValue<string>())).ToList();
        kept.Select(h => h.Key).Should().Equal(many.ResponseHeaders.Keys.Take(kept.Count), "headers are kept in the order they came");
        reported["X-Long"]!.GetValue<string>().Should().Be(new string('L', HttpExchange.MaxReportedHeaderText) + "… (5,000 characters in all)");
        var chars = kept.Sum(h => h.Key.Length + h.Value.Length);
        chars.Should().BeLessThanOrEqualTo(HttpExchange.MaxReportedHeaderChars);
        var next = many.ResponseHeaders.ElementAt(kept.Count);
        (chars + next.Key.Length + next.Value.Length).Should().BeGreaterThan(HttpExchange.MaxReportedHeaderChars, "headers are kept while they fit");
        reported["…"]!.GetValue<string>().Should().Be($"{many.ResponseHeaders.Count - kept.Count} more headers, not kept (the report's bound)");
        JsonSerializer.Deserialize<HttpExchange>(JsonSerializer.Serialize(many, ResultsJson.Lines), ResultsJson.Lines)!.ResponseHeaders["X-H-00"]
            .Should().Be(new string('v', 100), "a report read back has the headers it kept");

        JsonNode.Parse(JsonSerializer.Serialize(few, ResultsJson.Lines))!["responseHeaders"]!.AsObject().Select(h => (h.Key, h.Value!.GetValue<string>()))
            .Should().Equal(few.ResponseHeaders.Select(h => (h.Key, h.Value)), "headers within the bound are reported as they came");
        JsonNode.Parse(JsonSerializer.Serialize(few, ResultsJson.Lines))!["contentType"]!.GetValue<string>().Should().Be(few.ContentType);
    }

    [Test]
    public async Task A_host_the_target_does_not_name_is_reached_only_on_a_kind_of_address_the_target_s_own_hosts_are_on()
    {
        var policy = new AddressPolicy();
        var local = new UriBuilder(origin) { Host = "localhost" }.Uri;
        policy.Trust(local);
        using var client = new ConformanceHttpClient(new HttpSettings { RequestTimeout = TimeSpan.FromSeconds(3) }, new Redactor(), new RequestLog(), policy);

        var refused = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/policy") }, CancellationToken.None);
        var own = await client.SendAsync(new HttpCall { Url = new Uri(local, "/policy") }, CancellationToken.None);
        var linked = await client.SendAsync(new HttpCall { Url = new Uri(origin, "/policy") }, CancellationToken.None);

        refused.Status.Should().BeNull();
        refused.Error.Should().StartWith("not sent: 127.0.0.1 is not a host of the target, and it resolves only to 127.0.0.1 (loopback)");
        refused.Limit.Should().Be(AddressPolicy.Setting, "a refusal of the suite's own names the setting that lifts it");
        own.Status.Should().Be(200);
        linked.Status.Should().Be(200, "the target's own host was reached on a loopback address");
        policyCalls.Should().Be(2, "the refused request never reached the server");
    }

    [Test]
    public void Headers_that_fill_the_bound_exactly_are_all_reported_and_one_character_more_is_left_out()
    {
        static IReadOnlyDictionary<string, string> Reported(int lastValue)
        {
            var exchange = new HttpExchange { Method = "GET", Url = "http://x/" };
            for (var i = 0; i < 7; i++)
            {
                exchange.ResponseHeaders[$"X-{i}"] = new string('v', 250 - 3); // 250 characters with the name
            }

            exchange.ResponseHeaders["X-7"] = new string('v', lastValue);
            return exchange.ReportedHeaders;
        }

        var full = Reported(HttpExchange.MaxReportedHeaderChars - (7 * 250) - 3);
        full.Should().HaveCount(8).And.NotContainKey("…");
        full.Sum(h => h.Key.Length + h.Value.Length).Should().Be(HttpExchange.MaxReportedHeaderChars);
        var over = Reported(HttpExchange.MaxReportedHeaderChars - (7 * 250) - 3 + 1);
        over.Should().HaveCount(8).And.NotContainKey("X-7");
        over["…"].Should().Be("1 more headers, not kept (the report's bound)");
    }

    [Test]
    public async Task A_body_decoded_to_exactly_the_first_mebibyte_is_read_whatever_its_ratio_and_one_byte_more_is_not()
    {
        var (client, _) = Client(cap: 4 * 1024 * 1024);
        using var _c = client;

        var free = await client.SendAsync(new HttpCall { Url = new Uri(origin, $"/zeros/{1024 * 1024}") }, CancellationToken.None);
        var over = await client.SendAsync(new HttpCall { Url = new Uri(origin, $"/zeros/{(1024 * 1024) + 1}") }, CancellationToken.None);

        free.Error.Should().BeNull();
        free.Body.Should().HaveCount(1024 * 1024);
        over.Error.Should().Contain("the body decodes to more than 100 times its").And.Contain("bytes on the wire (a compression bomb?) (maxDecompressionRatio)");
        over.Limit.Should().Be("maxDecompressionRatio");
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
    public void Past_its_bound_the_request_log_keeps_only_where_each_exchange_is_in_a_file_it_removes_and_reads_each_back_whole()
    {
        var folder = Directory.CreateTempSubdirectory("cs-request-log-").FullName;
        try
        {
            var excerpt = new string('x', 3000);
            var sent = DateTimeOffset.Parse("2026-12-02T01:02:03.456+00:00", System.Globalization.CultureInfo.InvariantCulture);
            HttpExchange Exchange(int i)
            {
                var e = new HttpExchange
                {
                    Method = "GET", Url = $"http://127.0.0.1/page/{i}", Purpose = $"page {i}", Status = 200, BodyExcerpt = excerpt, Retries = i % 2, SentAt = sent.AddSeconds(i),
                    RequestHeaders = [new("Accept", "application/json"), new("Authorization", "Bearer [redacted]")], CredentialsSent = ["Authorization"], DurationMs = i + 0.5,
                };
                e.ResponseHeaders["Content-Type"] = "application/json";
                e.ResponseHeaders["X-Big"] = excerpt[..HttpExchange.MaxReportedHeaderText]; // a longer one comes back as reports carry it
                e.Redirects.Add($"302 http://127.0.0.1/moved/{i}");
                return e;
            }

            // Within the bound: held whole, nothing on disk, every line written when asked.
            using (var small = new RequestLog(folder))
            {
                var recorded = new List<HttpExchange>();
                small.Recorded += recorded.Add;
                var first = Exchange(0);
                small.Add(first);
                small.Add(Exchange(1));
                recorded.Select(e => e.Purpose).Should().Equal("page 0", "page 1");
                small.Spilled.Should().BeFalse();
                small.Read(0).Should().BeSameAs(first, "a held exchange is the one logged");
                new LoggedExchange(first).Exchange.Should().BeSameAs(first);
                small.Entries.Select(e => e.LogIndex).Should().Equal(0, 1);
                Directory.EnumerateFiles(folder).Should().BeEmpty();
                small.WriteJsonLines(Path.Combine(folder, "new", "small.jsonl"));
                File.ReadAllLines(Path.Combine(folder, "new", "small.jsonl")).Should().HaveCount(2, "the folder is made when missing");
                Directory.Delete(Path.Combine(folder, "new"), recursive: true);
                small.Invoking(l => l.Read(2)).Should().Throw<ArgumentOutOfRangeException>();
                small.Invoking(l => l.Read(-1)).Should().Throw<ArgumentOutOfRangeException>();
                small.Dispose();
                small.Invoking(l => l.Add(Exchange(2))).Should().Throw<ObjectDisposedException>();
                small.Invoking(l => l.WriteJsonLines(Path.Combine(folder, "late.jsonl"))).Should().Throw<ObjectDisposedException>();
                small.Invoking(l => l.Read(0)).Should().Throw<ObjectDisposedException>();
                File.Exists(Path.Combine(folder, "late.jsonl")).Should().BeFalse();
            }

            var unlogged = Exchange(-1);
            new LoggedExchange(unlogged).Exchange.Should().BeSameAs(unlogged, "an exchange in no log is kept as it is");

            var count = RequestLog.HeldExchanges + 50;
            var log = new RequestLog(folder);
            var (firstSpilled, gone) = AddAll(log, count, Exchange);
            firstSpilled.Should().Be(RequestLog.HeldExchanges, "nothing goes to disk before the bound");
            using (var few = new RequestLog(folder, heldExchanges: 3))
            {
                AddAll(few, 6, Exchange).FirstSpilled.Should().Be(3, "a log given its own bound goes to disk past it");
                few.Entries.Select(e => e.Purpose).Should().Equal(Enumerable.Range(0, 6).Select(i => $"page {i}"));
            }

            FluentActions.Invoking(() => new RequestLog(folder, -1)).Should().Throw<ArgumentOutOfRangeException>();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            gone.Should().OnlyContain(w => !w.IsAlive, "once written out, an exchange is not held in memory by the log");
            log.Count.Should().Be(count);
            log.Spilled.Should().BeTrue("the lines past the bound are in a temporary file");
            if (!OperatingSystem.IsWindows())
            {
                Directory.EnumerateFiles(folder).Should().BeEmpty("the file has no name on disk: a killed run leaves nothing");
            }

            // Read back whole, each as it was logged, in order; the same entry, though another object.
            var entries = log.Entries.ToList();
            entries.Select(e => e.Purpose).Should().Equal(Enumerable.Range(0, count).Select(i => $"page {i}"));
            entries.Select(e => e.LogIndex).Should().Equal(Enumerable.Range(0, count));
            foreach (var i in new[] { 0, 1, RequestLog.HeldExchanges - 1, RequestLog.HeldExchanges, count - 1 })
            {
                entries[i].Should().BeEquivalentTo(Exchange(i), o => o.Excluding(e => e.LogIndex), $"entry {i} comes back whole");
            }

            entries[7].ResponseHeaders.ContainsKey("content-type").Should().BeTrue("the headers read back are matched whatever their case, as logged");
            var again = new LoggedExchange(entries[7]).Exchange;
            again.Should().NotBeSameAs(entries[7]);
            again.IsSameEntry(entries[7]).Should().BeTrue();
            again.IsSameEntry(entries[8]).Should().BeFalse();
            again.IsSameEntry(Exchange(7)).Should().BeFalse("an exchange in no log is no entry of it");
            using (var other = new RequestLog(folder))
            {
                var elsewhere = Exchange(7);
                for (var i = 0; i <= 7; i++)
                {
                    other.Add(i == 7 ? elsewhere : Exchange(i));
                }

                elsewhere.LogIndex.Should().Be(7);
                again.IsSameEntry(elsewhere).Should().BeFalse("the same place in another log is another exchange");
            }

            // A pass started before an exchange is added ends where the log was when it started.
            using (var pass = log.Entries.GetEnumerator())
            {
                pass.MoveNext().Should().BeTrue();
                log.Add(Exchange(count));
                var seen = 1;
                while (pass.MoveNext())
                {
                    seen++;
                }

                seen.Should().Be(count);
            }

            log.Read(count).Purpose.Should().Be($"page {count}", "the last line, read back while the log is still being written");
            var file = Path.Combine(folder, "requests.jsonl");
            log.WriteJsonLines(file);
            log.Add(Exchange(count + 1));
            log.WriteJsonLines(file);
            var lines = File.ReadAllLines(file);
            lines.Should().HaveCount(count + 2, "every exchange, the ones before the bound and after, and one added after a first write");
            var last = System.Text.Json.JsonDocument.Parse(lines[^1]).RootElement;
            last.GetProperty("purpose").GetString().Should().Be($"page {count + 1}");
            last.GetProperty("bodyExcerpt").GetString().Should().Be(excerpt, "the log file has each exchange in full");
            last.GetProperty("retries").GetInt32().Should().Be((count + 1) % 2);
            log.Read(count + 1).Purpose.Should().Be($"page {count + 1}", "a read after the file was copied out");

            log.Dispose();
            Directory.EnumerateFiles(folder).Should().Equal([file], "the temporary file goes with the log");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Logs <paramref name="count"/> exchanges, keeping only weak references to them: when the log went to its file, and the exchanges it had.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (int? FirstSpilled, List<WeakReference> Logged) AddAll(RequestLog log, int count, Func<int, HttpExchange> make)
    {
        int? firstSpilled = null;
        var logged = new List<WeakReference>();
        for (var i = 0; i < count; i++)
        {
            var e = make(i);
            logged.Add(new WeakReference(e));
            log.Add(e);
            e.LogIndex.Should().Be(i);
            firstSpilled ??= log.Spilled ? i : null;
        }

        return (firstSpilled, logged);
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

    [Test]
    public async Task A_body_with_more_encodings_than_the_bound_is_not_decoded_and_one_at_the_bound_is()
    {
        // Each encoding a body lists is a decoder the suite holds while it reads: ten thousand of them made 1 GB.
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            var layers = int.Parse(http.Request.Path.Value!.TrimStart('/'), System.Globalization.CultureInfo.InvariantCulture);
            var body = System.Text.Encoding.UTF8.GetBytes("""{"ok":true}""");
            for (var i = 0; i < layers; i++)
            {
                using var packed = new MemoryStream();
                using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.NoCompression))
                {
                    gzip.Write(body);
                }

                body = packed.ToArray();
            }

            http.Response.Headers.ContentEncoding = string.Join(", ", Enumerable.Repeat("gzip", layers).Append("identity"));
            await http.Response.Body.WriteAsync(body);
        });
        using var client = new ConformanceHttpClient(new HttpSettings { RequestTimeout = TimeSpan.FromSeconds(5) }, new Redactor(), new RequestLog());

        var atBound = await client.SendAsync(new HttpCall { Url = new Uri(provider.Origin, $"/{HttpSettings.MaxContentEncodings}") }, CancellationToken.None);
        var over = await client.SendAsync(new HttpCall { Url = new Uri(provider.Origin, $"/{HttpSettings.MaxContentEncodings + 1}") }, CancellationToken.None);
        var chain = await client.SendAsync(new HttpCall { Url = new Uri(provider.Origin, "/2000") }, CancellationToken.None);

        atBound.Error.Should().BeNull();
        atBound.BodyText.Should().Be("""{"ok":true}""", "five encodings are undone, identity aside");
        foreach (var (refused, layers) in new[] { (over, HttpSettings.MaxContentEncodings + 1), (chain, 2000) })
        {
            refused.Status.Should().Be(200);
            refused.Body.Should().BeNull();
            refused.Error.Should().Be($"the body's Content-Encoding lists {layers:N0} encodings one over the other, more than the 5 the suite undoes (a chain of them is a decompression bomb)");
            refused.Limit.Should().BeNull("the provider's response is not one a reader can be expected to undo; no setting of the suite's would help");
        }
    }

    [TestCase(0, 5000, 1)]
    [TestCase(5000, 5000, 1)]
    [TestCase(5000, 5000, 7)]
    [TestCase(5000, 4000, 7)]
    [TestCase(4000, 5000, 7)]
    [TestCase(4999, 5000, 5000)]
    [TestCase(5001, 5000, 5000)]
    [TestCase(-1, 3000, 1000)]
    [TestCase(1_048_577L, 1_048_577, 65536)] // MaxPresizedBytes + 1
    [TestCase(1_048_576L, 1_048_576, 65536)] // MaxPresizedBytes
    public async Task A_buffered_body_is_the_bytes_read_whatever_length_the_provider_declared(long declared, int actual, int perRead)
    {
        // The declared length only sizes the first array: a body shorter or longer than it (or one in pieces) is still read whole and exactly.
        var bytes = Enumerable.Range(0, actual).Select(i => (byte)(i * 7 % 251)).ToArray();
        using var body = new Dribble(bytes, perRead);

        var read = await ConformanceHttpClient.ReadAllAsync(body, declared < 0 ? null : declared);

        read.Should().Equal(bytes);
        // Every byte is read once, and then the end; a body longer than declared costs one read more (the probe of its end).
        var reads = ((actual + perRead - 1) / perRead) + 1;
        body.Reads.Should().Be(declared > 0 && declared < actual && declared <= ConformanceHttpClient.MaxPresizedBytes ? reads + 1 : reads);
    }

    [Test]
    public async Task A_buffered_body_s_excerpt_is_its_first_characters_with_its_declared_length_or_without()
    {
        var text = string.Concat(Enumerable.Range(0, 300).Select(i => $"line {i}; "));
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            http.Response.ContentType = "text/plain";
            if (http.Request.Path == "/declared")
            {
                http.Response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(text);
            }

            await http.Response.WriteAsync(text);
        });
        using var client = new ConformanceHttpClient(new HttpSettings { RequestTimeout = TimeSpan.FromSeconds(5), ExcerptChars = 100 }, new Redactor(), new RequestLog());

        foreach (var path in new[] { "/declared", "/chunked" })
        {
            var exchange = await client.SendAsync(new HttpCall { Url = new Uri(provider.Origin, path) }, CancellationToken.None);

            exchange.BodyText.Should().Be(text, path);
            exchange.BodyBytes.Should().Be(text.Length);
            exchange.BodyExcerpt.Should().Be(text[..100] + "…", path);
        }
    }

    [Test]
    [NonParallelizable] // it counts the process's allocations: no other test allocates meanwhile
    public async Task A_declared_length_past_the_cap_is_not_made_room_for()
    {
        // A provider may declare a megabyte a page; the cap stops the body at 64 KiB, and the suite holds no more than that.
        const int declared = 1_000_000;
        var piece = new byte[10_000]; // written again and again: the provider's own memory stays out of the count
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = declared;
            for (var sent = 0; sent < declared && !http.RequestAborted.IsCancellationRequested; sent += piece.Length)
            {
                await http.Response.Body.WriteAsync(piece, http.RequestAborted);
            }
        });
        using var client = new ConformanceHttpClient(new HttpSettings { RequestTimeout = TimeSpan.FromSeconds(5), MaxBufferedBytes = 64 * 1024 }, new Redactor(), new RequestLog());
        await client.SendAsync(new HttpCall { Url = new Uri(provider.Origin, "/warm") }, CancellationToken.None);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var exchange = await client.SendAsync(new HttpCall { Url = new Uri(provider.Origin, "/page") }, CancellationToken.None);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        TestContext.Out.WriteLine($"allocated {allocated:N0} bytes");

        exchange.Error.Should().Contain("size cap of 65536 bytes (maxBufferedBytes)");
        allocated.Should().BeLessThan(declared / 2, "the declared million bytes are not allocated for a body the cap stops at 64 KiB");
    }

    /// <summary>A body that gives at most <c>perRead</c> bytes a read, and counts its reads.</summary>
    private sealed class Dribble(byte[] bytes, int perRead) : ReadOnlyStream
    {
        private int position;

        public int Reads { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Reads++;
            var n = Math.Min(Math.Min(count, perRead), bytes.Length - position);
            bytes.AsSpan(position, n).CopyTo(buffer.AsSpan(offset));
            position += n;
            return n;
        }
    }

    [Test]
    public async Task A_reader_slower_than_the_idle_limit_between_reads_is_not_a_stall_and_a_read_that_waits_past_it_is()
    {
        // The idle limit times each read, not the reader: a consumer that takes its time between reads (a CSV check of a
        // large download) is not the provider stalling; a read that gets no data within the limit is.
        var idleLimit = TimeSpan.FromMilliseconds(200);
        var pieces = new Hang([1, 2, 3], hangAfter: 3);
        using (var body = new LimitedStream(pieces, 100, idleLimit, "10 s", CancellationToken.None, CancellationToken.None))
        {
            var buffer = new byte[1];
            for (var i = 0; i < 3; i++)
            {
                (await body.ReadAsync(buffer)).Should().Be(1);
                body.Read(buffer, 0, 1).Should().Be(1);
                await Task.Delay(idleLimit * 3);
            }

            var stalled = async () => await body.ReadAsync(buffer);
            (await stalled.Should().ThrowAsync<ResponseLimitException>()).Which.Message.Should().Be("the body stalled: no data for 0.2 s (timeouts.idleSeconds) after 6 bytes");
        }
    }

    /// <summary>A body that gives one byte a read, each after <c>gap</c>, <c>count</c> in all.</summary>
    private sealed class Trickle(int count, TimeSpan gap) : ReadOnlyStream
    {
        public int Given { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Given == count)
            {
                return 0;
            }

            await Task.Delay(gap, cancellationToken);
            buffer.Span[0] = (byte)'x';
            Given++;
            return 1;
        }
    }

    [Test]
    public async Task A_body_that_comes_below_the_least_rate_once_its_wait_passes_the_grace_is_cut_off_and_the_reader_s_own_time_does_not_count()
    {
        var buffer = new byte[16];

        // One byte every 20 ms is 50 bytes per second: under the idle limit at every gap, far under the least rate. The
        // grace is long beside a gap, so that a loaded machine's late timers (a gap of 100 ms, or a collection's pause in
        // a read) still leave several bytes before the cut, and a cut that ignores the grace (at the first byte) is told apart.
        var drip = new Trickle(1000, TimeSpan.FromMilliseconds(20));
        using (var body = new LimitedStream(drip, 1_000_000, TimeSpan.FromSeconds(5), "10 s", CancellationToken.None, CancellationToken.None)
        {
            MinBytesPerSecond = 1000, RateGrace = TimeSpan.FromMilliseconds(500),
        })
        {
            var read = () => body.CopyToAsync(Stream.Null);

            var cut = (await read.Should().ThrowAsync<ResponseLimitException>()).Which;
            cut.Message.Should().StartWith("the body came too slowly: ").And.EndWith("s of waiting, below 1000 bytes per second (timeouts.minBytesPerSecond)");
            cut.TimedOut.Should().BeTrue();
            drip.Given.Should().BeInRange(3, 50, "cut once 500 ms of waiting passed, not at the first byte nor at the end of the body");
        }

        // The same drip with no least rate is read to its end.
        var unbounded = new Trickle(15, TimeSpan.FromMilliseconds(20));
        using (var body = new LimitedStream(unbounded, 1_000_000, TimeSpan.FromSeconds(5), "10 s", CancellationToken.None, CancellationToken.None) { RateGrace = TimeSpan.FromMilliseconds(100) })
        {
            await body.CopyToAsync(Stream.Null);
            body.BytesRead.Should().Be(15);
        }

        // A reader that takes 300 ms over each byte of a body that is all there at once: the time is the reader's, not the
        // provider's. Its 1.2 s would be far past the grace if it counted. Only 250 ms spent inside the four reads themselves
        // (a loaded machine's pauses) reach the grace; the 50 ms it had before left little room for them.
        using (var body = new LimitedStream(new MemoryStream(new byte[4]), 100, TimeSpan.FromSeconds(5), "10 s", CancellationToken.None, CancellationToken.None)
        {
            MinBytesPerSecond = 1000, RateGrace = TimeSpan.FromMilliseconds(250),
        })
        {
            while (await body.ReadAsync(buffer.AsMemory(0, 1)) > 0)
            {
                await Task.Delay(300);
            }

            body.BytesRead.Should().Be(4);
        }
    }

    [TestCase("see http://u:p4ss@files.example/a.csv", "see http://[redacted]@files.example/a.csv")]
    [TestCase("{\"file_url\":\"https:\\/\\/u:p4ss@files.example\\/a\"}", "{\"file_url\":\"https:\\/\\/[redacted]@files.example\\/a\"}")]
    [TestCase("ftp://token-only@h:21/ and s3+x://a:b@c@d/", "ftp://[redacted]@h:21/ and s3+x://[redacted]@d/")]
    [TestCase("http://files.example/users/a@b.example?to=c@d#e@f", null)]
    [TestCase("mail a@b.example, see http://files.example, \"http://h\",\"x@y\"", null)]
    public void A_urls_user_information_is_masked_and_nothing_else(string text, string? masked)
    {
        // No secret added: a provider's link may carry a password of its own, which the suite was never given.
        new Redactor().Scrub(text).Should().Be(masked ?? text);
    }

    /// <summary>Gives one byte a read (its values, each twice), then waits without end from the read after <c>hangAfter</c> pairs.</summary>
    private sealed class Hang(byte[] values, int hangAfter) : ReadOnlyStream
    {
        private int reads;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested(); // as a socket's stream does
            if (reads / 2 >= hangAfter)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            buffer.Span[0] = values[reads++ / 2];
            return 1;
        }
    }
}
