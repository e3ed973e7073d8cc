using System.IO.Compression;
using ConformanceSuite.Testing;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// Pact verification through the suite's one HTTP path, against providers of the tests' own that misbehave:
/// every Pact request goes through the relay into the suite's client, so no credential reaches another
/// origin, bodies are capped (decompressed too), time is bounded, echoed secrets are redacted, and every
/// interaction ends in a clear verdict. And a correct live-style provider with real credentials and no
/// state URL gets no fail.
/// </summary>
[TestFixture]
[Order(6)] // long-running: started early so the short fixtures fill in around it
public sealed class PactPathTests
{
    private const string Api = "wavy-open-sessions";
    private const string Token = "PACT-CANARY-TOKEN-5d1f0c9e7a";
    private const string User = "PACT-CANARY-USER-77ab01";
    private static readonly Dictionary<string, string> Credentials = new() { ["T_TOKEN"] = Token, ["T_USER"] = User };
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-pact-path-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    /// <summary>A live-style profile for the Wavy API at a provider, with the canary credentials, and a state URL when given.</summary>
    private string Profile(Uri api, Uri? states, bool exampleCredentials = false, Uri? downloads = null, JsonObject? broker = null)
    {
        var pact = new JsonObject { ["exampleCredentials"] = exampleCredentials };
        if (broker is not null)
        {
            pact["broker"] = broker;
        }

        if (states is not null)
        {
            pact["stateUrl"] = states.ToString();
        }

        if (downloads is not null)
        {
            pact["providers"] = new JsonObject { [$"{Api}-downloads"] = downloads.ToString() };
        }

        var profile = new JsonObject
        {
            ["name"] = "hostile",
            ["timeouts"] = new JsonObject { ["requestSeconds"] = 2, ["runSeconds"] = 120 },
            ["apis"] = new JsonObject
            {
                [Api] = new JsonObject
                {
                    ["baseUrl"] = api.ToString(),
                    ["credentials"] = new JsonObject { ["authenticationToken"] = new JsonObject { ["env"] = "T_TOKEN" }, ["userName"] = new JsonObject { ["env"] = "T_USER" } },
                    ["pact"] = pact,
                },
            },
        };
        var file = Path.Combine(dir, "profile.json");
        File.WriteAllText(file, profile.ToJsonString());
        return file;
    }

    private Task<RunResults> VerifyAsync(string profile, IReadOnlyDictionary<string, string>? variables = null, string filter = $"PACT {Api}") =>
        ConformanceEngine.RunAsync(new RunSettings
        {
            Target = profile,
            Apis = [Api],
            Filter = [filter],
            ReportDirectory = Path.Combine(dir, "reports"),
            ContractsDirectory = Harness.Layout.Root,
            Variables = name => (variables ?? Credentials).GetValueOrDefault(name),
        });

    /// <summary>The provider-state endpoint of a hostile provider: it accepts every state.</summary>
    private static async Task<bool> StatesAsync(HttpContext http)
    {
        if (http.Request.Path != "/states")
        {
            return false;
        }

        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync("{}");
        return true;
    }

    private static IEnumerable<CaseOutcome> Cases(RunResults results) => results.Requirements.SelectMany(r => r.Cases);

    [Test]
    public async Task A_redirect_to_another_origin_is_not_followed_and_carries_no_credential_there()
    {
        await using var elsewhere = await HostileProvider.StartAsync(http => http.Response.WriteAsync("stolen"));
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            if (!await StatesAsync(http))
            {
                http.Response.StatusCode = 302;
                http.Response.Headers.Location = new Uri(elsewhere.Origin, "/steal" + http.Request.QueryString).ToString();
            }
        });

        var results = await VerifyAsync(Profile(new Uri(provider.Origin, "/api"), new Uri(provider.Origin, "/states")));

        elsewhere.Requests.Should().BeEmpty("neither the relay nor the Pact core follows a redirect to another origin");
        provider.SawHeader("authenticationToken").Should().BeTrue("the API's own origin gets the credentials the pact carries");
        var cases = Cases(results).ToList();
        cases.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Fail);
        cases.SelectMany(c => c.Findings).Should().Contain(f => f.Message.Contains("redirected (302) to another origin") && f.Message.Contains("not followed"));
        AssertNoSecretIn(dir);
    }

    [Test]
    public async Task A_redirect_whose_location_is_not_a_url_goes_back_to_the_verifier_as_the_provider_s_answer()
    {
        // Before, the relay's own parse of the Location threw: the verifier got the relay's 500, not the provider's 302.
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            if (!await StatesAsync(http))
            {
                http.Response.StatusCode = 302;
                http.Response.Headers.Location = "http://[oops/steal";
            }
        });

        var results = await VerifyAsync(Profile(new Uri(provider.Origin, "/api"), new Uri(provider.Origin, "/states")));

        var cases = Cases(results).ToList();
        cases.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Fail);
        var said = string.Join("\n", cases.SelectMany(c => c.Findings).Select(f => f.Message));
        said.Should().Contain("302").And.NotContain("500");
        AssertNoSecretIn(dir);
    }

    [Test]
    public async Task A_response_header_that_is_not_ascii_goes_back_to_the_verifier_as_the_provider_s_answer()
    {
        // A header value of Latin-1 bytes (obs-text, which HTTP clients take): the relay's own server refused to pass it
        // on, and the verifier got the relay's 500 for the provider's 400.
        await using var provider = await HostileProvider.StartAsync(http =>
        {
            http.Response.StatusCode = 400;
            http.Response.Headers["X-Region"] = "Z\u00FCrich";
            return Task.CompletedTask;
        }, k => k.ResponseHeaderEncodingSelector = _ => Encoding.Latin1);

        var results = await VerifyAsync(Profile(new Uri(provider.Origin, "/api"), states: null));

        var answered = Cases(results).Single(c => c.Element == "a request without customerId");
        answered.Verdict.Should().Be(Verdict.Pass, string.Join("\n", answered.Findings.Select(f => f.Message)));
        answered.Evidence.Should().Contain(e => e.Status == 400 && e.ResponseHeaders["X-Region"] == "Z\u00FCrich", "the relay passed on the provider's header as the client read it");
    }

    [Test]
    public async Task A_response_header_with_control_characters_is_judged_as_the_provider_s_answer_and_every_report_stays_well_formed()
    {
        // A bell and an escape sequence in a header value: no server of ASP.NET writes them (Kestrel answers 500), so the
        // provider writes its answer byte by byte; HTTP clients read them.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                using var stream = client.GetStream();
                var head = new List<byte>();
                var buffer = new byte[1];
                while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n') && await stream.ReadAsync(buffer, stop.Token) == 1)
                {
                    head.Add(buffer[0]);
                }

                await stream.WriteAsync(Encoding.Latin1.GetBytes("HTTP/1.1 400 Bad Request\r\nX-Bell: ring\u0007\u001B[2Jring\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), stop.Token);
            }
        });

        try
        {
            var results = await VerifyAsync(Profile(new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/api"), states: null));

            var answered = Cases(results).Single(c => c.Element == "a request without customerId");
            answered.Verdict.Should().Be(Verdict.Pass, string.Join("\n", answered.Findings.Select(f => f.Message)));
            answered.Evidence.Should().Contain(e => e.Status == 400 && e.ResponseHeaders.ContainsKey("X-Bell"));
            var reports = Path.Combine(dir, "reports");
            System.Xml.Linq.XDocument.Load(Path.Combine(reports, "junit.xml")).Root.Should().NotBeNull();
            foreach (var file in Directory.EnumerateFiles(reports))
            {
                File.ReadAllText(file).IndexOfAny(['\u0007', '\u001B']).Should().Be(-1, $"{Path.GetFileName(file)} must carry no control character a terminal obeys");
            }
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await serving.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Test]
    public async Task A_credential_echoed_in_a_header_name_goes_to_no_artifact_and_the_verifier_gets_the_provider_s_answer()
    {
        // The relay masks the credential in the name ("X-Echo-[redacted]"), which is no header name a server may write.
        await using var provider = await HostileProvider.StartAsync(http =>
        {
            http.Response.StatusCode = 400;
            http.Response.Headers["X-Echo-" + http.Request.Headers["authenticationToken"]] = "1";
            return Task.CompletedTask;
        });

        var results = await VerifyAsync(Profile(new Uri(provider.Origin, "/api"), states: null));

        provider.SawHeader("authenticationToken").Should().BeTrue();
        var answered = Cases(results).Single(c => c.Element == "a request without customerId");
        answered.Verdict.Should().Be(Verdict.Pass, string.Join("\n", answered.Findings.Select(f => f.Message)));
        AssertNoSecretIn(dir);
    }

    [Test]
    public async Task An_answer_the_relay_waits_for_through_its_retries_is_judged_not_timed_out_by_the_core()
    {
        // Two 429s asking for 7 s each, then the pact's 400: the relay waits 14 s, within its own bounds (retries.max 2,
        // retries.maxWaitSeconds 30); the Pact core had stopped waiting at the request limit (2 s) plus 10 s, and failed
        // the interaction for a timeout the provider never caused.
        var refused = 0;
        await using var provider = await HostileProvider.StartAsync(http =>
        {
            if (Interlocked.Increment(ref refused) <= 2)
            {
                http.Response.StatusCode = 429;
                http.Response.Headers.RetryAfter = "7";
            }
            else
            {
                http.Response.StatusCode = 400;
            }

            return Task.CompletedTask;
        });

        var slow = VerifyAsync(Profile(new Uri(provider.Origin, "/api"), states: null));

        // Another run of this process verifies its own pact meanwhile, and ends while this one waits: the native call
        // of one verification holds up no other. (Before, a process-wide lock around the core's execute made it wait the 14 s.)
        while (Volatile.Read(ref refused) == 0)
        {
            await Task.Delay(50);
        }

        var other = await ConformanceEngine.RunAsync(new RunSettings
        {
            Target = "embedded",
            Apis = ["opencx-chat-sessions"],
            Filter = ["PACT opencx-chat-sessions"],
            ReportDirectory = Path.Combine(dir, "other"),
            ContractsDirectory = Harness.Layout.Root,
        });
        slow.IsCompleted.Should().BeFalse("the other verification ended while this one still waited out its Retry-After");
        other.Requirements.Should().ContainSingle().Which.Verdict.Should().Be(Verdict.Pass);
        var results = await slow;

        var answered = Cases(results).Single(c => c.Element == "a request without customerId");
        answered.Verdict.Should().Be(Verdict.Pass, string.Join("\n", answered.Findings.Select(f => f.Message)));
        provider.Requests.Should().HaveCount(3, "the relay retried the two 429s");
        answered.Evidence.Should().ContainSingle(e => e.Status == 400);
    }

    [Test]
    public async Task Credentials_replace_those_the_pact_carries_and_nothing_is_added()
    {
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            if (!await StatesAsync(http))
            {
                http.Response.StatusCode = 418;
            }
        });

        await VerifyAsync(Profile(new Uri(provider.Origin, "/api"), new Uri(provider.Origin, "/states")));

        var calls = provider.Requests.Where(r => r.PathAndQuery.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        var states = provider.Requests.Where(r => r.PathAndQuery == "/states").ToList();
        states.Should().NotBeEmpty().And.OnlyContain(r => !r.Headers.ContainsKey("authenticationToken") && !r.Headers.ContainsKey("userName"), "a state-change call carries no API credential");
        calls.Should().Contain(r => !r.Headers.ContainsKey("authenticationToken") && !r.Headers.ContainsKey("userName"), "the pact's request without credentials is sent without them");
        calls.Where(r => r.Headers.ContainsKey("authenticationToken")).Should().NotBeEmpty()
            .And.OnlyContain(r => r.Headers["authenticationToken"] == Token && r.Headers["userName"] == User, "the target's real values replace the pact's examples");
        calls.Should().OnlyContain(r => !r.Headers.Values.Any(v => v.Contains("pact-example", StringComparison.Ordinal)));
    }

    [Test]
    public async Task A_gzip_bomb_is_capped_decompressed_and_the_process_stays_small()
    {
        var bomb = GzipOfZeros(512L * 1024 * 1024);
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            if (!await StatesAsync(http))
            {
                http.Response.ContentType = "application/json";
                http.Response.Headers.ContentEncoding = "gzip";
                http.Response.ContentLength = bomb.Length;
                await http.Response.Body.WriteAsync(bomb);
            }
        });

        var (results, peakMb) = await RunCliAsync(Profile(new Uri(provider.Origin, "/api"), new Uri(provider.Origin, "/states")));

        peakMb.Should().BeLessThan(300, $"a {bomb.Length / 1024} KiB body that decompresses to 512 MiB must stop at the cap");
        var answered = Cases(results).Where(c => c.Message.Contains("compression bomb", StringComparison.Ordinal)).ToList();
        answered.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Skipped, "a body past the suite's own limit is not checked, never failed");
        answered.Should().OnlyContain(c => c.Setting == "maxDecompressionRatio", "the setting that would let it be checked is named");
    }

    [Test]
    public async Task A_200_megabyte_body_is_not_read_whole()
    {
        var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            if (!await StatesAsync(http))
            {
                http.Response.ContentType = "application/json";
                http.Response.ContentLength = 200L * 1024 * 1024;
                for (var sent = 0L; sent < 200L * 1024 * 1024 && !http.RequestAborted.IsCancellationRequested; sent += chunk.Length)
                {
                    await http.Response.Body.WriteAsync(chunk, http.RequestAborted);
                }
            }
        });

        var (results, peakMb) = await RunCliAsync(Profile(new Uri(provider.Origin, "/api"), new Uri(provider.Origin, "/states")));

        peakMb.Should().BeLessThan(300);
        Cases(results).Where(c => c.Message.Contains("size cap", StringComparison.Ordinal)).Should().NotBeEmpty()
            .And.OnlyContain(c => c.Verdict == Verdict.Skipped && c.Setting == "maxBufferedBytes");
    }

    [Test]
    public async Task A_provider_that_hangs_ends_in_a_clear_fail_within_the_time_bounds()
    {
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            if (!await StatesAsync(http))
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
        });
        var started = DateTime.UtcNow;

        var results = await VerifyAsync(Profile(new Uri(provider.Origin, "/api"), new Uri(provider.Origin, "/states")));

        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(60), "each interaction is bounded by the 2 s request limit");
        var cases = Cases(results).ToList();
        cases.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Fail);
        cases.SelectMany(c => c.Findings).Should().OnlyContain(f => f.Message.Contains("no response within 2 s"));
    }

    [Test]
    public async Task A_provider_that_echoes_credentials_leaves_no_secret_in_any_artifact()
    {
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            if (await StatesAsync(http))
            {
                return;
            }

            var token = http.Request.Headers["authenticationToken"].ToString();
            var user = http.Request.Headers["userName"].ToString();
            var bytes = Encoding.UTF8.GetBytes(token + ":" + user);
            http.Response.ContentType = "application/json";
            http.Response.Headers["X-Echo"] = token;
            await http.Response.WriteAsync(new JsonObject
            {
                ["raw"] = token,
                ["basic"] = Convert.ToBase64String(bytes),
                ["hex"] = Convert.ToHexString(Encoding.UTF8.GetBytes(token)),
                ["escaped"] = string.Concat(user.Select(c => $"\\u{(int)c:x4}")),
                ["file_url"] = "http://example.test/" + Uri.EscapeDataString(token),
            }.ToJsonString());
        });

        var results = await VerifyAsync(Profile(new Uri(provider.Origin, "/api"), new Uri(provider.Origin, "/states")));

        provider.SawHeader("authenticationToken").Should().BeTrue();
        Cases(results).Should().Contain(c => c.Verdict == Verdict.Fail, "the echoed body does not match the pact");
        AssertNoSecretIn(dir);
    }

    [Test]
    public async Task A_failing_state_call_is_reported_as_such_and_not_retried_for_minutes()
    {
        await using var provider = await HostileProvider.StartAsync(http =>
        {
            http.Response.StatusCode = http.Request.Path == "/states" ? 500 : 200;
            return Task.CompletedTask;
        });
        var started = DateTime.UtcNow;

        var results = await VerifyAsync(Profile(new Uri(provider.Origin, "/api"), new Uri(provider.Origin, "/states")));

        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(30), "the verifier retries a failed state call for minutes; the relay answers it at once");
        var stateBound = Cases(results).Where(c => c.Message.Contains("provider-state call", StringComparison.Ordinal)).ToList();
        stateBound.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Skipped && c.Message.Contains("failed: status 500"));
    }

    [Test]
    public async Task A_correct_live_style_provider_with_real_credentials_and_no_state_url_gets_no_fail()
    {
        var planted = new Dictionary<string, IReadOnlyDictionary<string, string>> { [Api] = new Dictionary<string, string> { ["authenticationToken"] = Token, ["userName"] = User } };
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, Credentials = planted, Contracts = Harness.Contracts });

        var results = await VerifyAsync(Profile(mock.BaseUrl(Api), states: null, downloads: new Uri(mock.DownloadOrigin, "/" + Api)), filter: "pact");

        var cases = Cases(results).ToList();
        cases.Should().NotContain(c => c.Verdict == Verdict.Fail || c.Verdict == Verdict.Error, string.Join("\n", cases.Select(c => c.Message)));
        cases.Should().Contain(c => c.Verdict == Verdict.Pass, "the interactions that need no state are verified with the real credentials");
        cases.Where(c => c.Verdict == Verdict.Skipped).Should().NotBeEmpty()
            .And.OnlyContain(c => c.Message.Contains("the target gives no provider-state URL") && c.Setting == "apis.wavy-open-sessions.pact.stateUrl");
        results.Outcome.Should().Be(RunOutcome.Incomplete, "nothing fails, but the state-bound interactions were not checked");
    }

    [Test]
    public async Task Pact_traffic_is_in_the_request_log_naming_its_interaction_one_object_per_line()
    {
        await VerifyAsync("embedded", filter: "pact");

        var lines = File.ReadLines(Path.Combine(dir, "reports", "requests.jsonl")).ToList();
        var entries = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        entries.Where(e => e["channel"]?.GetValue<string>() == "pact").Should().HaveCountGreaterThan(5)
            .And.OnlyContain(e => !string.IsNullOrEmpty(e["interaction"]!.GetValue<string>()));
        entries.Should().Contain(e => e["interaction"]!.GetValue<string>() == "a request without customerId");
    }

    /// <summary>
    /// A Pact Broker of the tests' own (the HAL resources the Pact core walks): it wants the broker token, serves
    /// the committed Wavy pact for verification under a link on another origin, and takes the published result.
    /// </summary>
    private static Task<HostileProvider> BrokerAsync(Uri elsewhere, string pactFile, Action<JsonObject>? edit = null) =>
        HostileProvider.StartAsync(async http =>
        {
            if (http.Request.Headers.Authorization != $"Bearer {BrokerToken}")
            {
                http.Response.StatusCode = 401;
                return;
            }

            var origin = $"{http.Request.Scheme}://{http.Request.Host}";
            var forVerification = $"{origin}/pacts/provider/{{provider}}/for-verification";
            var pactPath = $"/pacts/provider/{Api}/consumer/ConformanceSuiteConsumer/pact-version/c0ffee";
            JsonNode? answer = (http.Request.Method, http.Request.Path.Value) switch
            {
                ("GET", "/") => new JsonObject { ["_links"] = new JsonObject { ["pb:provider-pacts-for-verification"] = new JsonObject { ["href"] = forVerification, ["templated"] = true } } },
                ("GET", $"/pacts/provider/{Api}/for-verification") => new JsonObject { ["_links"] = new JsonObject { ["self"] = new JsonObject { ["href"] = $"{origin}{http.Request.Path}" } } },
                ("POST", $"/pacts/provider/{Api}/for-verification") => new JsonObject
                {
                    ["_embedded"] = new JsonObject
                    {
                        ["pacts"] = new JsonArray(new JsonObject
                        {
                            ["shortDescription"] = "latest",
                            ["verificationProperties"] = new JsonObject { ["pending"] = false, ["notices"] = new JsonArray() },
                            // On another origin: a core that followed it would take the pact (and the token) there.
                            ["_links"] = new JsonObject { ["self"] = new JsonObject { ["href"] = new Uri(elsewhere, pactPath).ToString(), ["name"] = "the Wavy pact" } },
                        }),
                    },
                },
                ("GET", var path) when path == pactPath => WithLinks(JsonNode.Parse(File.ReadAllText(pactFile))!.AsObject(), origin + pactPath, edit),
                ("POST", var path) when path == pactPath + "/verification-results" => new JsonObject { ["success"] = true },
                _ => null,
            };
            if (answer is null)
            {
                http.Response.StatusCode = 404;
                return;
            }

            http.Response.ContentType = "application/hal+json";
            await http.Response.WriteAsync(answer.ToJsonString());
        });

    private static JsonObject WithLinks(JsonObject pact, string self, Action<JsonObject>? edit)
    {
        edit?.Invoke(pact);
        pact["_links"] = new JsonObject { ["pb:publish-verification-results"] = new JsonObject { ["href"] = self + "/verification-results" } };
        return pact;
    }

    private const string BrokerToken = "BROKER-CANARY-TOKEN-3e9b51d2";

    [Test]
    public async Task Pact_Broker_traffic_goes_through_the_suite_layer_and_the_core_never_holds_the_broker_token()
    {
        var planted = new Dictionary<string, IReadOnlyDictionary<string, string>> { [Api] = new Dictionary<string, string> { ["authenticationToken"] = Token, ["userName"] = User } };
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, Credentials = planted, Contracts = Harness.Contracts });
        await using var elsewhere = await HostileProvider.StartAsync(http => http.Response.WriteAsync("{}"));
        await using var broker = await BrokerAsync(elsewhere.Origin, Path.Combine(Harness.Layout.Pacts, $"ConformanceSuiteConsumer-{Api}.json"));
        var brokerOptions = new JsonObject
        {
            ["url"] = broker.Origin.ToString(),
            ["token"] = new JsonObject { ["env"] = "T_BROKER" },
            ["providerVersion"] = "1.0.0",
            ["publish"] = true,
        };
        var profile = Profile(mock.BaseUrl(Api), new Uri(mock.ApiOrigin, MockHost.ProviderStatePath), downloads: new Uri(mock.DownloadOrigin, "/" + Api), broker: brokerOptions);

        var results = await VerifyAsync(profile, new Dictionary<string, string>(Credentials) { ["T_BROKER"] = BrokerToken });

        var cases = Cases(results).ToList();
        cases.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Pass, string.Join("\n", cases.Select(c => c.Message)));
        broker.Requests.Should().HaveCountGreaterThanOrEqualTo(4)
            .And.OnlyContain(r => r.Headers["User-Agent"].StartsWith("ConformanceSuite/", StringComparison.Ordinal), "every broker request is the suite's own client's, none the Pact core's");
        elsewhere.Requests.Should().BeEmpty("a link to another origin is taken as a path on the broker");
        broker.Requests.Where(r => r.PathAndQuery.EndsWith("/verification-results", StringComparison.Ordinal)).Should().ContainSingle("the result is published once")
            .Which.Body.Should().Contain("\"success\":true").And.Contain("\"providerApplicationVersion\":\"1.0.0\"");
        var log = File.ReadAllLines(Path.Combine(dir, "reports", "requests.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        log.Where(e => e["channel"]?.GetValue<string>() == "pact-broker").Should().HaveCount(broker.Requests.Count, "each broker request is logged");
        cases.Should().OnlyContain(c => c.Notes.Any(n => n.Contains("as the Pact Broker") && n.Contains("results published")));
        AssertNoSecretIn(dir, BrokerToken);
    }

    [Test]
    public async Task A_failing_interaction_only_the_broker_pact_has_fails_every_case_of_the_pact()
    {
        var planted = new Dictionary<string, IReadOnlyDictionary<string, string>> { [Api] = new Dictionary<string, string> { ["authenticationToken"] = Token, ["userName"] = User } };
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, Credentials = planted, Contracts = Harness.Contracts });
        await using var elsewhere = await HostileProvider.StartAsync(http => http.Response.WriteAsync("{}"));
        // A newer consumer version's pact: one more interaction, which the provider does not honour (it answers 401, not 418).
        await using var broker = await BrokerAsync(elsewhere.Origin, Path.Combine(Harness.Layout.Pacts, $"ConformanceSuiteConsumer-{Api}.json"), pact =>
            pact["interactions"]!.AsArray().Add(new JsonObject
            {
                ["description"] = "a teapot the newer consumer expects",
                ["type"] = "Synchronous/HTTP",
                ["request"] = new JsonObject { ["method"] = "GET", ["path"] = "/v1/session", ["query"] = new JsonObject { ["customerId"] = new JsonArray("42") } },
                ["response"] = new JsonObject { ["status"] = 418 },
            }));
        var options = new JsonObject { ["url"] = broker.Origin.ToString(), ["token"] = new JsonObject { ["env"] = "T_BROKER" } };
        var profile = Profile(mock.BaseUrl(Api), new Uri(mock.ApiOrigin, MockHost.ProviderStatePath), broker: options);

        var results = await VerifyAsync(profile, new Dictionary<string, string>(Credentials) { ["T_BROKER"] = BrokerToken });

        var cases = Cases(results).ToList();
        cases.Should().HaveCount(4).And.OnlyContain(c => c.Verdict == Verdict.Fail && c.Message.Contains("has interactions that pacts/ does not, and the provider failed 1: 'a teapot the newer consumer expects'"),
            string.Join("\n", cases.Select(c => c.Message)));
    }

    [Test]
    public async Task A_broker_that_redirects_elsewhere_or_refuses_the_token_ends_the_pact_in_error_naming_the_broker_answer()
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, Contracts = Harness.Contracts });
        await using var elsewhere = await HostileProvider.StartAsync(http => http.Response.WriteAsync("{}"));
        await using var redirecting = await HostileProvider.StartAsync(http =>
        {
            http.Response.StatusCode = 302;
            http.Response.Headers.Location = new Uri(elsewhere.Origin, "/index").ToString();
            return Task.CompletedTask;
        });
        await using var refusing = await BrokerAsync(elsewhere.Origin, Path.Combine(Harness.Layout.Pacts, $"ConformanceSuiteConsumer-{Api}.json"));

        foreach (var (broker, answer) in new[] { (redirecting, "a redirect (302) to another origin"), (refusing, "status 401") })
        {
            var options = new JsonObject { ["url"] = broker.Origin.ToString(), ["token"] = new JsonObject { ["env"] = "T_BROKER" } };
            var profile = Profile(mock.BaseUrl(Api), new Uri(mock.ApiOrigin, MockHost.ProviderStatePath), broker: options);

            var results = await VerifyAsync(profile, new Dictionary<string, string>(Credentials) { ["T_BROKER"] = broker == refusing ? "not-the-token" : BrokerToken });

            var cases = Cases(results).ToList();
            cases.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Error && c.Message.Contains("The broker's answer to GET") && c.Message.Contains(answer),
                string.Join("\n", cases.Select(c => c.Message)));
        }

        elsewhere.Requests.Should().BeEmpty("the broker's redirect to another origin is followed by no one");
        redirecting.Requests.Should().OnlyContain(r => r.Headers["Authorization"] == $"Bearer {BrokerToken}");
    }

    /// <summary>The run through the CLI in a process of its own, under GNU time for its peak resident memory.</summary>
    private async Task<(RunResults Results, double PeakMb)> RunCliAsync(string profile)
    {
        var reports = Path.Combine(dir, "reports");
        var (exit, stdout, stderr) = await Task.Run(() => ProcessRun.Run("/usr/bin/time",
            ["-f", "peak-kb %M", "dotnet", Path.Combine(AppContext.BaseDirectory, "conformance.dll"), "--target", profile, "--api", Api,
             "--filter", $"PACT {Api}", "--report-dir", reports, "--contracts", Harness.Layout.Root],
            TimeSpan.FromMinutes(3), Credentials));
        var peak = stderr.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith("peak-kb ", StringComparison.Ordinal));
        exit.Should().BeOneOf([0, 1, 4], stdout + stderr);
        return (RunResults.Read(Path.Combine(reports, "results.json")), double.Parse(peak[8..], System.Globalization.CultureInfo.InvariantCulture) / 1024);
    }

    /// <summary>
    /// gzip of <paramref name="size"/> zero bytes. Optimal gives the same deflate stream as SmallestSize on zeros (for
    /// 512 MiB, 521,844 bytes either way; only the header's XFL byte differs) in about a seventh of the time.
    /// </summary>
    private static byte[] GzipOfZeros(long size)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (long written = 0; written < size; written += zeros.Length)
            {
                gzip.Write(zeros);
            }
        }

        return output.ToArray();
    }

    /// <summary>Every artifact of the run, searched for the canary credentials in every form they could take.</summary>
    private static void AssertNoSecretIn(string folder, params string[] more)
    {
        var texts = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => (File: Path.GetFileName(f), Text: File.ReadAllText(f))).ToList();
        texts.Should().NotBeEmpty();
        foreach (var secret in more.Prepend(User).Prepend(Token))
        {
            foreach (var form in SecretLeakTests.Forms(secret))
            {
                texts.Where(t => t.Text.Contains(form, StringComparison.OrdinalIgnoreCase)).Select(t => t.File).Should().BeEmpty($"'{form}' (a form of a planted credential) must appear nowhere");
            }
        }
    }
}
