using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// Providers of the tests' own that check credentials, but not everywhere the docs ask: each must not pass the
/// authentication requirement it breaks. The same provider without its twist is right, and passes every one of
/// OPENCX-001 to OPENCX-003 (CSL-001 to CSL-003 for the chat-session-list one, WAVY-004 and WAVY-005 for the Wavy one). The latency requirement's providers
/// are slow where a check's own requests do not reach.
/// </summary>
[TestFixture]
public sealed class EvasionAuthTests
{
    private const string Token = "EVASION-AUTH-TOKEN-5b7e20d1";
    private const int PageSize = 3;
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(400);
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-evasion-auth-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    /// <summary>Seven OpenCX sessions, an hour apart, all open on the web.</summary>
    private static readonly JsonObject[] Sessions =
    [
        .. Enumerable.Range(0, 7).Select(i => new JsonObject
        {
            ["id"] = $"2d4e6f80-1a2b-4c3d-9e8f-{i:000000000000}",
            ["status"] = "open",
            ["channel"] = new JsonObject { ["type"] = "web" },
            ["created_at"] = new DateTime(2024, 5, 2, 8 + i, 0, 0, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["updated_at"] = new DateTime(2024, 5, 2, 8 + i, 30, 0, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        }),
    ];

    /// <summary>
    /// A right OpenCX provider: every call needs Authorization: Bearer and the token (401 otherwise), the list in
    /// pages of <see cref="PageSize"/> behind a cursor, each session by its id, 404 for an unknown one; unless
    /// <paramref name="exempt"/> lets a request through without looking at its credentials.
    /// </summary>
    private static Task<HostileProvider> OpenCxAsync(Func<HttpRequest, bool>? exempt = null, int slowFrom = int.MaxValue, bool ignoreCase = false, Func<HttpRequest, bool>? hang = null)
    {
        var count = 0;
        return HostileProvider.StartAsync(async http =>
        {
            if (Interlocked.Increment(ref count) >= slowFrom)
            {
                await Task.Delay(Slow);
            }

            if (hang?.Invoke(http.Request) == true)
            {
                // No answer until the client gives up.
                await Task.Delay(Timeout.InfiniteTimeSpan, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            if (http.Request.Path == "/states")
            {
                // The provider-state hook of a Pact verification: every state is already there.
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("{}");
                return;
            }

            if (exempt?.Invoke(http.Request) != true
                && !string.Equals(http.Request.Headers.Authorization, $"Bearer {Token}", ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                http.Response.StatusCode = 401;
                return;
            }

            var path = http.Request.Path.Value ?? "";
            http.Response.ContentType = "application/json";
            if (path == "/chat/sessions" && http.Request.Query.All(q => q.Key == "status" && q.Value == "open" || q.Key == "cursor"))
            {
                var cursor = http.Request.Query["cursor"].ToString();
                var at = cursor.Length == 0 ? 0 : int.Parse(cursor.AsSpan(1), CultureInfo.InvariantCulture);
                var body = new JsonObject
                {
                    ["items"] = new JsonArray([.. Sessions.Skip(at).Take(PageSize).Select(s => s.DeepClone())]),
                    ["next"] = at + PageSize < Sessions.Length ? $"p{at + PageSize}" : null,
                };
                await http.Response.WriteAsync(body.ToJsonString());
                return;
            }

            if (path.StartsWith("/chat/sessions/", StringComparison.Ordinal)
                && Sessions.FirstOrDefault(s => (string)s["id"]! == path["/chat/sessions/".Length..]) is { } found)
            {
                await http.Response.WriteAsync(found.ToJsonString());
                return;
            }

            http.Response.StatusCode = path == "/chat/sessions" ? 400 : 404;
        });
    }

    /// <summary>
    /// A right chat-session-list provider: Authorization: Bearer and the token on every call (401 otherwise), the
    /// records from offset (or page) by limit, with the total; unless <paramref name="exempt"/> lets a request through
    /// without looking at its credentials, or <paramref name="broken"/> answers it 400 whatever it carries.
    /// </summary>
    private static Task<HostileProvider> ChatSessionListAsync(Func<HttpRequest, bool>? exempt = null, Func<HttpRequest, bool>? broken = null) =>
        HostileProvider.StartAsync(async http =>
        {
            if (broken?.Invoke(http.Request) == true)
            {
                http.Response.StatusCode = 400;
                return;
            }

            if (exempt?.Invoke(http.Request) != true && http.Request.Headers.Authorization != $"Bearer {Token}")
            {
                http.Response.StatusCode = 401;
                return;
            }

            var query = http.Request.Query;
            var limit = int.Parse(query["limit"].FirstOrDefault() ?? "10", CultureInfo.InvariantCulture);
            var offset = query.ContainsKey("offset") ? int.Parse(query["offset"]!, CultureInfo.InvariantCulture)
                : query.ContainsKey("page") ? (int.Parse(query["page"]!, CultureInfo.InvariantCulture) - 1) * limit : 0;
            var records = Enumerable.Range(0, 9).Skip(offset).Take(limit).Select(i => new JsonObject
            {
                ["id"] = $"cs-{500 + i}",
                ["name"] = $"Session {i}",
                ["startedAt"] = new DateTime(2024, 6, 1, 9 + i, 0, 0, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            });
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(new JsonObject { ["total"] = 9, ["list"] = new JsonArray([.. records]) }.ToJsonString());
        });

    private static readonly string[] ChatSessionListAuth = ["CSL-001", "CSL-002", "CSL-003"];

    private Task<RunResults> RunChatSessionListAsync(HostileProvider provider) => ConformanceEngine.RunAsync(new RunSettings
    {
        Apis = ["chat-session-list"],
        Filter = ChatSessionListAuth,
        AdHoc = new AdHocTarget(provider.Origin.ToString(), new Dictionary<string, string> { ["Authorization"] = Token }, new Dictionary<string, string>()),
        ReportDirectory = dir,
        ContractsDirectory = Harness.Layout.Root,
        RequestTimeout = TimeSpan.FromSeconds(2),
        RunTimeout = TimeSpan.FromSeconds(60),
    });

    private static readonly string[] OpenCxAuth = ["OPENCX-001", "OPENCX-002", "OPENCX-003"];

    private Task<RunResults> RunOpenCxAsync(HostileProvider provider, params string[] requirements) => ConformanceEngine.RunAsync(new RunSettings
    {
        Apis = ["opencx-chat-sessions"],
        Filter = requirements.Length == 0 ? OpenCxAuth : requirements,
        AdHoc = new AdHocTarget(provider.Origin.ToString(), new Dictionary<string, string> { ["Authorization"] = Token }, new Dictionary<string, string>()),
        ReportDirectory = dir,
        ContractsDirectory = Harness.Layout.Root,
        RequestTimeout = TimeSpan.FromSeconds(2),
        RunTimeout = TimeSpan.FromSeconds(60),
    });

    private static RequirementResult Requirement(RunResults results, string id) => results.Requirements.Single(r => r.Id == id);

    private static void ShouldPass(RunResults results, IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            var requirement = Requirement(results, id);
            requirement.Verdict.Should().Be(Verdict.Pass, $"{id}: " + string.Join("; ", requirement.Cases.Where(c => c.Verdict != Verdict.Pass).Select(c => c.Message)));
        }
    }

    [Test]
    public async Task The_right_OpenCX_provider_passes_every_auth_requirement()
    {
        await using var provider = await OpenCxAsync();

        ShouldPass(await RunOpenCxAsync(provider), OpenCxAuth);
    }

    [Test]
    public async Task A_get_by_id_that_needs_no_credentials_is_not_a_pass()
    {
        // "Every call: Authorization: Bearer <token>". The list checks the token; GET /chat/sessions/{id} answers
        // anyone who knows an id.
        await using var provider = await OpenCxAsync(exempt: r => r.Path.Value!.StartsWith("/chat/sessions/", StringComparison.Ordinal));

        var results = await RunOpenCxAsync(provider);

        foreach (var id in OpenCxAuth)
        {
            var requirement = Requirement(results, id);
            requirement.Verdict.Should().Be(Verdict.Fail, id);
            requirement.Cases.SelectMany(c => c.Findings).OfType<StatusMismatch>().Should().Contain(f => f.Expected == 401 && f.Received == 200, id);
        }
    }

    [Test]
    public async Task A_next_page_that_needs_no_credentials_is_not_a_pass()
    {
        // The first page of the list checks the token; a request that carries a cursor is answered to anyone.
        await using var provider = await OpenCxAsync(exempt: r => r.Query.ContainsKey("cursor"));

        var results = await RunOpenCxAsync(provider);

        foreach (var id in OpenCxAuth)
        {
            var requirement = Requirement(results, id);
            requirement.Verdict.Should().Be(Verdict.Fail, id);
            requirement.Cases.SelectMany(c => c.Findings).OfType<StatusMismatch>().Should().Contain(f => f.Received == 200 && f.Subject!.Contains("cursor=p3"), id);
        }
    }

    [Test]
    public async Task The_right_chat_session_list_provider_passes_every_auth_requirement()
    {
        await using var provider = await ChatSessionListAsync();

        ShouldPass(await RunChatSessionListAsync(provider), ChatSessionListAuth);
    }

    [TestCase("offset")]
    [TestCase("page")]
    public async Task A_chat_session_list_page_further_on_that_needs_no_credentials_is_not_a_pass(string parameter)
    {
        // The first records are guarded; a request that asks for records further on (by offset, or by page number) is
        // answered to anyone.
        await using var provider = await ChatSessionListAsync(exempt: r => r.Query.ContainsKey(parameter));

        var results = await RunChatSessionListAsync(provider);

        foreach (var id in ChatSessionListAuth)
        {
            var requirement = Requirement(results, id);
            requirement.Verdict.Should().Be(Verdict.Fail, id);
            requirement.Cases.SelectMany(c => c.Findings).OfType<StatusMismatch>().Should().Contain(f => f.Received == 200 && f.Subject!.Contains(parameter + "="), id);
        }
    }

    /// <summary>A live-style run of <paramref name="requirements"/> against an OpenCX provider with a provider-state URL, its latency threshold 0.25 s.</summary>
    private Task<RunResults> RunOpenCxWithPactsAsync(HostileProvider provider, params string[] requirements) =>
        RunOpenCxProfileAsync(provider, requestSeconds: 2, warnSeconds: 0.25, requirements);

    /// <summary>A live-style run of <paramref name="requirements"/> with the request timeout and the latency threshold given.</summary>
    private Task<RunResults> RunOpenCxProfileAsync(HostileProvider provider, double requestSeconds, double warnSeconds, params string[] requirements)
    {
        var profile = new JsonObject
        {
            ["name"] = "evasion",
            ["timeouts"] = new JsonObject { ["requestSeconds"] = requestSeconds, ["runSeconds"] = 120 },
            ["latency"] = new JsonObject { ["warnSeconds"] = warnSeconds },
            ["apis"] = new JsonObject
            {
                ["opencx-chat-sessions"] = new JsonObject
                {
                    ["baseUrl"] = provider.Origin.ToString(),
                    ["credentials"] = new JsonObject { ["Authorization"] = new JsonObject { ["env"] = "T_TOKEN" } },
                    ["pact"] = new JsonObject { ["stateUrl"] = new Uri(provider.Origin, "/states").ToString() },
                },
            },
        };
        var file = Path.Combine(dir, "profile.json");
        File.WriteAllText(file, profile.ToJsonString());
        return ConformanceEngine.RunAsync(new RunSettings
        {
            Target = file,
            Apis = ["opencx-chat-sessions"],
            Filter = requirements,
            ReportDirectory = Path.Combine(dir, "reports"),
            ContractsDirectory = Harness.Layout.Root,
            Variables = name => name == "T_TOKEN" ? Token : null,
        });
    }

    private static readonly string[] LatencyRun = ["OPENCX-001", "OPENCX-015", "PACT opencx-chat-sessions"];

    [Test]
    public async Task A_provider_fast_throughout_passes_the_latency_requirement_beside_the_pact()
    {
        await using var provider = await OpenCxAsync();

        ShouldPass(await RunOpenCxWithPactsAsync(provider, LatencyRun), ["OPENCX-001", "OPENCX-015"]);
    }

    [Test]
    public async Task A_provider_slow_only_after_the_checks_own_requests_is_not_a_pass()
    {
        // Fast for the first four requests (all the auth check makes), then 0.4 s each: only the Pact verification,
        // which runs after the API's own requirements, meets the slow answers. "Every response" is its too.
        await using var provider = await OpenCxAsync(slowFrom: 5);

        var results = await RunOpenCxWithPactsAsync(provider, LatencyRun);

        Requirement(results, "OPENCX-001").Verdict.Should().Be(Verdict.Pass);
        var latency = Requirement(results, "OPENCX-015");
        latency.Verdict.Should().Be(Verdict.Deviation, "a SHOULD");
        latency.Cases.SelectMany(c => c.Findings).OfType<SlowResponse>().Should().NotBeEmpty();
    }

    [Test]
    public async Task A_token_compared_without_regard_to_case_is_not_verified()
    {
        // The provider compares the whole header with "Bearer <token>" ignoring case: an unrelated token is refused, and
        // so is one a character off, but the token with its letters in the other case is taken.
        await using var provider = await OpenCxAsync(ignoreCase: true);

        var results = await RunOpenCxAsync(provider);

        Requirement(results, "OPENCX-001").Verdict.Should().Be(Verdict.Pass);
        Requirement(results, "OPENCX-002").Verdict.Should().Be(Verdict.Pass);
        var verified = Requirement(results, "OPENCX-003");
        verified.Verdict.Should().Be(Verdict.Fail);
        verified.Cases.SelectMany(c => c.Findings).OfType<StatusMismatch>().Should().Contain(f => f.Received == 200 && f.Subject == "with Authorization in the other case (its letters' case swapped)");
    }

    private const string WavyUser = "EVASION-AUTH-USER-7c04";

    /// <summary>
    /// A right Wavy provider: both credential headers checked on every call (401 otherwise), customerId a decimal
    /// integer (400 otherwise), subAccountId optional, a file_url on its own origin; unless <paramref name="exempt"/>
    /// lets a request through without looking at its credentials, or <paramref name="broken"/> answers 500 to it
    /// whatever it carries.
    /// </summary>
    private static Task<HostileProvider> WavyAsync(Func<HttpRequest, bool>? exempt = null, Func<HttpRequest, bool>? broken = null) =>
        HostileProvider.StartAsync(async http =>
        {
            var path = http.Request.Path.Value ?? "";
            if (path != "/v1/session")
            {
                http.Response.ContentType = "text/csv";
                await http.Response.WriteAsync("source,session_created_at\n5519900000001,2019-02-13T10:15:30Z\n");
                return;
            }

            if (broken?.Invoke(http.Request) == true)
            {
                http.Response.StatusCode = 500;
                return;
            }

            if (exempt?.Invoke(http.Request) != true
                && (http.Request.Headers["authenticationToken"] != Token || http.Request.Headers["userName"] != WavyUser))
            {
                http.Response.StatusCode = 401;
                return;
            }

            var query = http.Request.Query;
            if (!long.TryParse(query["customerId"], NumberStyles.None, CultureInfo.InvariantCulture, out var customer)
                || (query.ContainsKey("subAccountId") && !long.TryParse(query["subAccountId"], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                http.Response.StatusCode = 400;
                return;
            }

            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(new JsonObject { ["file_url"] = $"{http.Request.Scheme}://{http.Request.Host}/files/{customer}.csv" }.ToJsonString());
        });

    private static readonly string[] WavyAuth = ["WAVY-004", "WAVY-005"];

    private Task<RunResults> RunWavyAsync(HostileProvider provider) => ConformanceEngine.RunAsync(new RunSettings
    {
        Apis = ["wavy-open-sessions"],
        Filter = WavyAuth,
        AdHoc = new AdHocTarget(provider.Origin.ToString(),
            new Dictionary<string, string> { ["authenticationToken"] = Token, ["userName"] = WavyUser },
            new Dictionary<string, string> { ["customerWithSessions"] = "1001", ["customerWithoutSessions"] = "1002", ["subAccount"] = "11" }),
        ReportDirectory = dir,
        ContractsDirectory = Harness.Layout.Root,
        RequestTimeout = TimeSpan.FromSeconds(2),
        RunTimeout = TimeSpan.FromSeconds(60),
    });

    [Test]
    public async Task The_right_Wavy_provider_passes_every_auth_requirement()
    {
        await using var provider = await WavyAsync();

        var results = await RunWavyAsync(provider);

        ShouldPass(results, WavyAuth);
        provider.Requests.Should().Contain(r => r.PathAndQuery.Contains("subAccountId=11") && !r.Headers.ContainsKey("authenticationToken"), "the sub-account call is asked without credentials too");
    }

    [Test]
    public async Task A_sub_account_call_that_needs_no_credentials_is_not_a_pass()
    {
        // The customer's call checks both headers; one that names a sub-account is answered to anyone.
        await using var provider = await WavyAsync(exempt: r => r.Query.ContainsKey("subAccountId"));

        var results = await RunWavyAsync(provider);

        foreach (var id in WavyAuth)
        {
            var requirement = Requirement(results, id);
            requirement.Verdict.Should().Be(Verdict.Fail, id);
            requirement.Cases.SelectMany(c => c.Findings).OfType<StatusMismatch>()
                .Should().Contain(f => f.Expected == 401 && f.Received == 200 && f.Subject!.Contains("on scenario 'sub-account' (subAccountId=11)"), id);
        }
    }

    [Test]
    public async Task A_sub_account_call_that_fails_for_everyone_does_not_break_the_auth_cases()
    {
        // The sub-account call answers 500 with credentials or without: that is WAVY-003's to judge, and tells nothing
        // of the credentials. The customer's call is still judged, and passes.
        await using var provider = await WavyAsync(broken: r => r.Query.ContainsKey("subAccountId"));

        var results = await RunWavyAsync(provider);

        ShouldPass(results, WavyAuth);
        Requirement(results, "WAVY-004").Cases.Should().OnlyContain(c => c.Notes.Any(n => n.Contains("sub-account") && n.Contains("not judged")));
    }

    [TestCase("format", "CSV export")]
    [TestCase("zip", "zip export")]
    [TestCase("id", "scenario 'no-sessions' (id=a made-up value)")]
    [TestCase("fields", "scenario 'some-fields' (fields=")]
    public async Task A_chat_session_list_call_that_needs_no_credentials_is_not_a_pass(string parameter, string where)
    {
        // The plain list is guarded; a request for an export (a format, a zip), for one session (id) or for some fields
        // (fields) is answered to anyone.
        await using var provider = await ChatSessionListAsync(exempt: r => r.Query.ContainsKey(parameter));

        var results = await RunChatSessionListAsync(provider);

        foreach (var id in ChatSessionListAuth)
        {
            var requirement = Requirement(results, id);
            requirement.Verdict.Should().Be(Verdict.Fail, id);
            requirement.Cases.SelectMany(c => c.Findings).OfType<StatusMismatch>().Should().Contain(f => f.Expected == 401 && f.Received == 200 && f.Subject!.Contains(where), id);
        }
    }

    [Test]
    public async Task A_chat_session_list_without_exports_still_passes_the_auth_requirements()
    {
        // A provider that checks the query before the credentials and has no CSV export (400 to any format, with a
        // token or without): the exports are CSL-021's to judge, not the credentials'.
        await using var provider = await ChatSessionListAsync(broken: r => r.Query.ContainsKey("format"));

        var results = await RunChatSessionListAsync(provider);

        ShouldPass(results, ChatSessionListAuth);
    }

    [Test]
    public async Task A_request_that_got_no_answer_before_a_timeout_below_the_threshold_is_not_fast()
    {
        // The request timeout (1 s) is below the latency threshold (5 s): every request with a cursor hangs and is cut
        // off at 1 s, which is not over the threshold, but no response came at all.
        await using var provider = await OpenCxAsync(hang: r => r.Query.ContainsKey("cursor"));

        var results = await RunOpenCxProfileAsync(provider, requestSeconds: 1, warnSeconds: 5, "OPENCX-001", "OPENCX-015");

        var latency = Requirement(results, "OPENCX-015");
        latency.Verdict.Should().Be(Verdict.Deviation, "a SHOULD");
        latency.Cases.SelectMany(c => c.Findings).OfType<SlowResponse>().Should().Contain(f => f.Error != null && f.DurationMs < 5000);
    }

    [Test]
    public async Task A_provider_that_answers_everything_under_a_short_timeout_passes_the_latency_requirement()
    {
        await using var provider = await OpenCxAsync();

        ShouldPass(await RunOpenCxProfileAsync(provider, requestSeconds: 1, warnSeconds: 5, "OPENCX-001", "OPENCX-015"), ["OPENCX-001", "OPENCX-015"]);
    }
}
