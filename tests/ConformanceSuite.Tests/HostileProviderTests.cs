using ConformanceSuite.Http;
using ConformanceSuite.Cli;
using ConformanceSuite.Csv;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// Providers of the tests' own, written apart from the reference mock, each misbehaving one way: a body
/// dripped a byte at a time, a slow answer, a refusal a retry papers over, a dead download link, a credential
/// echoed into the value a check quotes, a provider that hangs, a uuid in a form the JSON Schema library
/// takes. Each must end in the verdict the rules say, within the time bounds, with nothing leaked.
/// </summary>
[TestFixture]
[Order(7)] // long-running: started early so the short fixtures fill in around it
public sealed partial class HostileProviderTests
{
    private const string Token = "HOSTILE-TOKEN-0c3e51a9d2";
    private const string User = "HOSTILE-USER-5b77e0";
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-hostile-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    /// <summary>
    /// A Wavy provider that is right (credentials checked, a file_url to a header-only or one-row CSV on the
    /// same origin) unless <paramref name="twist"/> answers a request first.
    /// </summary>
    /// <summary>The right Wavy provider of <see cref="WavyAsync"/>, but for the file at <paramref name="path"/>, which <paramref name="write"/> serves as <paramref name="contentType"/>.</summary>
    private static Task<HostileProvider> WavyFileAsync(string path, string contentType, Func<HttpContext, Task> write) =>
        WavyAsync(async http =>
        {
            if (http.Request.Path.Value != path)
            {
                return false;
            }

            http.Response.ContentType = contentType;
            await write(http);
            return true;
        });

    private static Task<HostileProvider> WavyAsync(Func<HttpContext, Task<bool>>? twist = null) =>
        HostileProvider.StartAsync(async http =>
        {
            if (twist is not null && await twist(http))
            {
                return;
            }

            var path = http.Request.Path.Value ?? "";
            if (path.EndsWith("/v1/session", StringComparison.Ordinal))
            {
                if (http.Request.Headers["authenticationToken"] != Token || http.Request.Headers["userName"] != User)
                {
                    http.Response.StatusCode = 401;
                    return;
                }

                if (!int.TryParse(http.Request.Query["customerId"], out var customer))
                {
                    http.Response.StatusCode = 400;
                    return;
                }

                http.Response.ContentType = "application/json";
                var origin = $"{http.Request.Scheme}://{http.Request.Host}";
                await http.Response.WriteAsync(new JsonObject { ["file_url"] = $"{origin}/files/{customer}.csv" }.ToJsonString());
            }
            else if (path.StartsWith("/files/", StringComparison.Ordinal))
            {
                http.Response.ContentType = "text/csv; charset=utf-8";
                await http.Response.WriteAsync(path == "/files/1001.csv" ? "source,session_created_at\n5519900000001,2019-02-13T10:15:30Z\n" : "source,session_created_at\n");
            }
            else
            {
                http.Response.StatusCode = 404;
            }
        });

    private RunSettings AdHoc(HostileProvider provider, string api, params string[] filter) => new()
    {
        Apis = [api],
        Filter = filter,
        AdHoc = new AdHocTarget(new Uri(provider.Origin, "/wavy").ToString(),
            new Dictionary<string, string> { ["authenticationToken"] = Token, ["userName"] = User },
            new Dictionary<string, string> { ["customerWithSessions"] = "1001", ["customerWithoutSessions"] = "1002", ["subAccount"] = "11" }),
        ReportDirectory = dir,
        ContractsDirectory = Harness.Layout.Root,
        RequestTimeout = TimeSpan.FromSeconds(2),
        RunTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>The requirement's one case, or its case on the scenario with sessions when it has several.</summary>
    private static CaseOutcome Case(RunResults results, string requirement)
    {
        var cases = results.Requirements.Single(r => r.Id == requirement).Cases;
        return cases.Count == 1 ? cases[0] : cases.Should().ContainSingle(c => c.Element == "with-sessions").Subject;
    }

    [Test]
    public async Task An_interrupted_run_ends_at_once_with_every_case_not_finished_an_error_that_says_so()
    {
        // Ctrl+C in the CLI: the run stops as at its time limit, and its reports keep what it found before.
        using var interrupt = new CancellationTokenSource();
        var asked = 0;
        await using var provider = await WavyAsync(async http =>
        {
            if (http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) && Interlocked.Increment(ref asked) == 3)
            {
                await interrupt.CancelAsync(); // the third request: two have been answered, this one hangs
                await Task.Delay(TimeSpan.FromSeconds(20), http.RequestAborted);
                return true;
            }

            return false;
        });
        var started = DateTime.UtcNow;

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions") with { Interrupt = interrupt.Token });

        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(15), "the hanging request is not waited for");
        var cases = results.Requirements.SelectMany(r => r.Cases).ToList();
        cases.Should().HaveCount(RunResults.Read(Path.Combine(dir, "results.json")).Requirements.SelectMany(r => r.Cases).Count(), "every report is written");
        var cut = cases.Should().ContainSingle(c => c.Message.Contains("cut off by an interrupt", StringComparison.Ordinal)).Subject;
        cut.Verdict.Should().Be(Verdict.Error);
        cut.Message.Should().Contain("while waiting for GET").And.Contain("/v1/session?customerId=");
        var after = cases.SkipWhile(c => c != cut).Skip(1).ToList();
        after.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Error && c.Message.Contains("not run: the run was interrupted before this case started", StringComparison.Ordinal));
        cases.TakeWhile(c => c != cut).Should().NotBeEmpty().And.OnlyContain(c => !c.Message.Contains("interrupt", StringComparison.Ordinal), "the cases before it were judged");
        results.Outcome.Should().Be(RunOutcome.NotConformant);
    }

    [Test]
    public async Task A_run_interrupted_before_it_starts_runs_no_case_and_sends_nothing()
    {
        using var interrupt = new CancellationTokenSource();
        await interrupt.CancelAsync();
        await using var provider = await WavyAsync();

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions") with { Interrupt = interrupt.Token });

        results.Requirements.SelectMany(r => r.Cases).Should().NotBeEmpty()
            .And.OnlyContain(c => c.Verdict == Verdict.Error && c.Message.Contains("not run: the run was interrupted before this case started", StringComparison.Ordinal));
        results.RequestCount.Should().Be(0);
        provider.Requests.Should().BeEmpty();
    }

    [Test]
    public async Task A_body_dripped_a_byte_at_a_time_is_cut_off_by_the_request_deadline_and_named()
    {
        await using var provider = await WavyAsync(async http =>
        {
            if (http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal))
            {
                http.Response.ContentType = "application/json";
                for (var i = 0; i < 600 && !http.RequestAborted.IsCancellationRequested; i++)
                {
                    await http.Response.WriteAsync("s", http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                    await Task.Delay(50, http.RequestAborted);
                }

                return true;
            }

            return false;
        });
        var started = DateTime.UtcNow;

        // The idle limit as long as the deadline: a gap between two bytes always ends later than the request's deadline,
        // so only the deadline can end the drip, however long a loaded machine holds a byte back (with the default idle
        // limit, half the deadline, one gap of 1.5 s on a busy test run ended it as a stall instead).
        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-006") with
        {
            RequestTimeout = TimeSpan.FromSeconds(3), IdleTimeout = TimeSpan.FromSeconds(3),
        });

        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(30), "three scenarios, each cut off at 3 s");
        var body = Case(results, "WAVY-006");
        body.Verdict.Should().Be(Verdict.Fail);
        body.Findings.Should().Contain(f => f.Message.Contains("took longer than its deadline of 3 s (timeouts.requestSeconds) (headers and body)"));
        body.Evidence.Should().Contain(e => e.Url.Contains("/v1/session?customerId=1001", StringComparison.Ordinal), "the report names the slow request");
        File.ReadLines(Path.Combine(dir, "requests.jsonl")).Should().Contain(l => l.Contains("deadline of 3 s", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_json_body_over_the_cap_is_not_checked_so_the_run_is_incomplete_and_names_the_setting()
    {
        await using var provider = await WavyAsync(async http =>
        {
            if (http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) && http.Request.Query.ContainsKey("customerId"))
            {
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("{\"file_url\": \"http://example.test/x.csv\", \"padding\": \"" + new string('x', 5 * 1024 * 1024) + "\"}");
                return true;
            }

            return false;
        });
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var variables = new Dictionary<string, string>
        {
            ["CONFORMANCE_CREDENTIAL_authenticationToken"] = Token, ["CONFORMANCE_CREDENTIAL_userName"] = User,
            ["CONFORMANCE_DATA_customerWithSessions"] = "1001", ["CONFORMANCE_DATA_customerWithoutSessions"] = "1002", ["CONFORMANCE_DATA_subAccount"] = "11",
            ["CONFORMANCE_DATA_subAccountWithoutSessions"] = "13",
        };

        var exit = await CliApp.RunAsync(["--base-url", new Uri(provider.Origin, "/wavy").ToString(), "--api", "wavy-open-sessions", "--filter", "WAVY-006", "--report-dir", dir],
            stdout, stderr, CliTests.Context(variables));

        exit.Should().Be(ExitCodes.Incomplete, stderr.ToString() + stdout);
        stdout.ToString().Should().Contain("INCOMPLETE: ").And.Contain("(setting: maxBufferedBytes)");
        var results = RunResults.Read(Path.Combine(dir, "results.json"));
        results.Requirements.Single(r => r.Id == "WAVY-006").Cases.Where(c => c.Element != "without-sessions")
            .Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Skipped && c.Setting == "maxBufferedBytes" && c.Message.Contains("exceeds the size cap"));
        File.ReadAllText(Path.Combine(dir, "report.md")).Should().Contain("maxBufferedBytes");
    }

    [Test]
    public async Task A_slow_answer_is_a_deviation_that_names_the_request_though_it_did_not_time_out()
    {
        var first = 1;
        await using var provider = await WavyAsync(async http =>
        {
            if (http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) && Interlocked.Exchange(ref first, 0) == 1)
            {
                await Task.Delay(1500);
            }

            return false;
        });
        var results = await WavyProfileRunAsync(provider, new JsonObject
        {
            ["latency"] = new JsonObject { ["warnSeconds"] = 1 },
            ["timeouts"] = new JsonObject { ["requestSeconds"] = 5 },
        }, "WAVY-006", "WAVY-014");

        Case(results, "WAVY-006").Verdict.Should().Be(Verdict.Pass, "the answer was right, only late");
        var latency = Case(results, "WAVY-014");
        latency.Verdict.Should().Be(Verdict.Deviation);
        latency.Findings.Should().ContainSingle().Which.Message.Should().Contain("expected a response within 1 s (latency.warnSeconds)").And.Contain("GET http://127.0.0.1:").And.Contain("/v1/session");
        // The provider waits 1,500 ms by its own timer, which may fire a fraction of a millisecond before the client's clock says so.
        results.Latency.Should().Contain(l => l.Endpoint == "GET /v1/session" && l.MaxMs >= 1400);
    }

    [Test]
    public async Task A_refusal_that_a_retry_papers_over_is_a_deviation_with_the_counts()
    {
        var refused = 0;
        await using var provider = await WavyAsync(http =>
        {
            if (Interlocked.Increment(ref refused) <= 2)
            {
                http.Response.StatusCode = refused == 1 ? 503 : 429;
                http.Response.Headers.RetryAfter = "0";
                return Task.FromResult(true);
            }

            return Task.FromResult(false);
        });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-006", "WAVY-015"));

        Case(results, "WAVY-006").Verdict.Should().Be(Verdict.Pass, "the retries got an answer");
        var availability = Case(results, "WAVY-015");
        availability.Verdict.Should().Be(Verdict.Deviation, "retries must not hide a flaky provider");
        availability.Findings.OfType<RetriedRequest>().Should().Contain(f => f.Status == 200 && f.Retries == 2);
        availability.Notes.Should().Contain(n => n.Contains("the refused attempts: 429 ×1, 503 ×1"));
    }

    [Test]
    public async Task A_download_link_that_leads_nowhere_fails_and_one_that_wants_credentials_deviates()
    {
        await using var gone = await WavyAsync(http =>
        {
            if (http.Request.Path.StartsWithSegments("/files"))
            {
                http.Response.StatusCode = 410;
                return Task.FromResult(true);
            }

            return Task.FromResult(false);
        });
        await using var locked = await WavyAsync(http =>
        {
            if (http.Request.Path.StartsWithSegments("/files"))
            {
                http.Response.StatusCode = 403;
                return Task.FromResult(true);
            }

            return Task.FromResult(false);
        });

        var broken = await ConformanceEngine.RunAsync(AdHoc(gone, "wavy-open-sessions", "WAVY-009"));
        var refused = await ConformanceEngine.RunAsync(AdHoc(locked, "wavy-open-sessions", "WAVY-009") with { ReportDirectory = Path.Combine(dir, "locked") });

        Case(broken, "WAVY-009").Verdict.Should().Be(Verdict.Fail, "a link to the CSV that answers 410 breaks the documented rule");
        Case(broken, "WAVY-009").Findings.Single().Message.Should().Contain("received 410: the documented link is broken");
        Case(refused, "WAVY-009").Verdict.Should().Be(Verdict.Deviation, "403 breaks only the assumption that the link needs no credentials");
    }

    [Test]
    public async Task A_credential_echoed_into_a_value_a_check_quotes_is_redacted_everywhere()
    {
        await using var provider = await WavyAsync(async http =>
        {
            if (http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) && http.Request.Headers["authenticationToken"] == Token)
            {
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(new JsonObject { ["file_url"] = "token " + Token + " user " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(User)) }.ToJsonString());
                return true;
            }

            return false;
        });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-007"));

        var link = Case(results, "WAVY-007");
        link.Verdict.Should().Be(Verdict.Deviation);
        link.Findings.Single().Message.Should().Contain("expected an absolute http(s) URL / received 'token [redacted] user [redacted]");
        NoReportCarriesACredential();
    }

    /// <summary>No file of the run carries either credential, in any of the forms a report could put it.</summary>
    private void NoReportCarriesACredential()
    {
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            foreach (var form in SecretLeakTests.Forms(Token).Concat(SecretLeakTests.Forms(User)))
            {
                File.ReadAllText(file).Should().NotContain(form, $"{Path.GetFileName(file)} must not carry a credential a provider echoed");
            }
        }
    }

    [Test]
    public async Task An_ad_hoc_target_takes_the_request_and_run_timeouts_from_the_command_line()
    {
        await using var provider = await HostileProvider.StartAsync(http => Task.Delay(Timeout.Infinite, http.RequestAborted));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var variables = new Dictionary<string, string> { ["CONFORMANCE_CREDENTIAL_Authorization"] = Token };
        var started = DateTime.UtcNow;

        var exit = await CliApp.RunAsync(["--base-url", provider.Origin.ToString(), "--api", "opencx-chat-sessions", "--filter", "OPENCX-001,OPENCX-006",
            "--request-timeout", "1", "--run-timeout", "20", "--report-dir", dir], stdout, stderr, CliTests.Context(variables));

        exit.Should().Be(ExitCodes.NotConformant, stderr.ToString());
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(20));
        var results = RunResults.Read(Path.Combine(dir, "results.json"));
        results.Requirements.SelectMany(r => r.Cases).SelectMany(c => c.Findings.Select(f => f.Message).Append(c.Message))
            .Should().Contain(m => m.Contains("no response within 1 s"));
    }

    [Test]
    public async Task A_download_dripped_with_gaps_under_the_idle_limit_is_cut_off_at_the_least_rate_not_at_its_five_minute_deadline()
    {
        await using var provider = await WavyFileAsync("/files/1001.csv", "text/csv; charset=utf-8", async http =>
        {
            await http.Response.WriteAsync("source,session_created_at\n", http.RequestAborted);
            while (!http.RequestAborted.IsCancellationRequested)
            {
                // A byte every 100 ms: a tenth of the idle limit (1 s, half the 2 s request limit), 10 bytes per second.
                await http.Response.WriteAsync("5", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await Task.Delay(100, http.RequestAborted);
            }
        });
        var started = DateTime.UtcNow;

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-012"));

        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(30), "the download is cut once a second of waiting brought less than 1 KiB, not at timeouts.downloadSeconds (300 s) or the run's limit (60 s)");
        var rows = Case(results, "WAVY-012");
        rows.Verdict.Should().NotBe(Verdict.Pass);
        rows.Findings.Select(f => f.Message).Append(rows.Message).Should().Contain(m => m.Contains("the body came too slowly", StringComparison.Ordinal)
            && m.Contains("below 1024 bytes per second (timeouts.minBytesPerSecond)", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_body_that_stops_coming_is_cut_off_at_the_idle_timeout_of_the_command_line_long_before_its_deadline()
    {
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("{\"items\":[", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        });
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var variables = new Dictionary<string, string> { ["CONFORMANCE_CREDENTIAL_Authorization"] = Token };
        var started = DateTime.UtcNow;

        var exit = await CliApp.RunAsync(["--base-url", provider.Origin.ToString(), "--api", "opencx-chat-sessions", "--filter", "OPENCX-004",
            "--request-timeout", "60", "--idle-timeout", "0.5", "--run-timeout", "120", "--report-dir", dir], stdout, stderr, CliTests.Context(variables));

        exit.Should().Be(ExitCodes.NotConformant, stderr.ToString());
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(30), "each call stalls for half a second, not the minute of its deadline");
        var results = RunResults.Read(Path.Combine(dir, "results.json"));
        var body = results.Requirements.Single(r => r.Id == "OPENCX-004").Cases.Should().ContainSingle().Subject;
        body.Verdict.Should().Be(Verdict.Fail);
        body.Findings.Select(f => f.Message).Should().Contain(m => m.Contains("the body stalled: no data for 0.5 s (timeouts.idleSeconds) after 10 bytes", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_uuid_without_hyphens_is_caught_though_the_schema_library_takes_it()
    {
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("""
                {"items":[{"id":"3c90c3cc0d444b5088888dd25736052a","status":"open","channel":{"type":"web"},
                  "created_at":"2024-01-02T03:04:05Z","updated_at":"2024-01-02T03:04:05Z"}],"next":null}
                """);
        });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "opencx-chat-sessions", "OPENCX-004") with
        {
            AdHoc = new AdHocTarget(provider.Origin.ToString(), new Dictionary<string, string> { ["Authorization"] = Token }, new Dictionary<string, string>()),
        });

        var schema = Case(results, "OPENCX-004");
        schema.Verdict.Should().Be(Verdict.Fail);
        schema.Findings.Select(f => f.Message).Should().Contain(m => m.Contains("/id") && m.Contains("canonical form (8-4-4-4-12 hex digits)"));
    }

    /// <summary>A Wavy provider whose CSV files are <paramref name="file"/>'s, written in pieces as they come.</summary>
    private static Task<HostileProvider> WavyFilesAsync(Func<string, IEnumerable<string>> file) =>
        WavyAsync(async http =>
        {
            var path = http.Request.Path.Value ?? "";
            if (!path.StartsWith("/files/", StringComparison.Ordinal))
            {
                return false;
            }

            http.Response.ContentType = "text/csv; charset=utf-8";
            try
            {
                foreach (var piece in file(path))
                {
                    await http.Response.WriteAsync(piece, http.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
                // The suite stopped reading and went away: what this provider wants to see.
            }

            return true;
        });

    [Test]
    public async Task A_csv_whose_rows_pass_the_disk_cap_is_compared_by_count_and_the_check_names_the_setting()
    {
        // A CSV is streamed whatever its size, but its rows are kept on disk for the subset check. Before, nothing
        // capped them: a provider streaming rows as fast as they are read (200 MB/s) filled the disk for the
        // download's 300 s. Here 60,000 rows (2.4 MB) against a cap of 1 MiB.
        // The sub-account's file holds every third row: the provider is right.
        string Rows(int every) => string.Concat(Enumerable.Range(0, 60_000).Where(i => i % every == 0).Select(i => $"{5519900000000L + i},2019-02-13T10:15:30Z\n"));
        await using var provider = await WavyAsync(async http =>
        {
            var path = http.Request.Path.Value ?? "";
            if (path.EndsWith("/v1/session", StringComparison.Ordinal) && http.Request.Query.ContainsKey("subAccountId") && http.Request.Headers["authenticationToken"] == Token)
            {
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(new JsonObject { ["file_url"] = $"{http.Request.Scheme}://{http.Request.Host}/files/{http.Request.Query["customerId"]}-sub.csv" }.ToJsonString());
                return true;
            }

            if (path is not ("/files/1001.csv" or "/files/1001-sub.csv"))
            {
                return false;
            }

            http.Response.ContentType = "text/csv; charset=utf-8";
            await http.Response.WriteAsync("source,session_created_at\n" + Rows(path == "/files/1001.csv" ? 1 : 3));
            return true;
        });
        var results = await WavyProfileRunAsync(provider, new JsonObject { ["maxSpillBytes"] = 1024 * 1024 }, "WAVY-003", "WAVY-012");

        var narrowing = Case(results, "WAVY-003");
        narrowing.Verdict.Should().Be(Verdict.Pass, narrowing.Message);
        narrowing.Partial.Should().StartWith("rows compared by count only, not one by one: ").And.Contain("the rows passed the spill limit of 1,048,576 bytes (maxSpillBytes)");
        narrowing.Setting.Should().Be(Csv.CsvRowSet.SpillSetting);
        Case(results, "WAVY-012").Partial.Should().BeNull("every row is still checked against its rules");
        results.Outcome.Should().Be(RunOutcome.Incomplete);
    }

    [Test]
    public async Task A_header_only_csv_in_utf16_is_not_failed_as_a_file_without_a_header()
    {
        // The customer without sessions gets the header alone, in UTF-16 (a deviation of the encoding's assumed rule,
        // which WAVY-011 reports). Before, WAVY-013 failed its documented rule: "expected a header-only CSV / received
        // 56 bytes (no header line)", of a file whose header the suite could not decode, not one without a header.
        await using var provider = await WavyFileAsync("/files/1002.csv", "text/csv; charset=utf-16", async http =>
            await http.Response.Body.WriteAsync((byte[])[.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("source,session_created_at\r\n")]));

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-011", "WAVY-013"));

        results.Requirements.Single(r => r.Id == "WAVY-011").Cases.Single(c => c.Element == "without-sessions").Verdict.Should().Be(Verdict.Deviation);
        var empty = results.Requirements.Single(r => r.Id == "WAVY-013").Cases.Single(c => c.Element == "without-sessions");
        empty.Verdict.Should().Be(Verdict.Skipped, empty.Message);
        empty.Message.Should().Contain("the header line is not valid UTF-8");
    }

    [TestCase("sub-account", Verdict.Skipped, "with subAccountId, no rows were read: row 1 is not valid UTF-8")]
    [TestCase("customer", Verdict.Pass, "rows compared by count only, not one by one: ")]
    public async Task Rows_a_csv_that_is_not_utf8_kept_unread_are_not_counted_as_missing(string latin1, Verdict verdict, string why)
    {
        // The customer's file holds four rows and the sub-account's two of them: the provider narrows as it should, but
        // writes one of the files in Latin-1 (a row with 'ã', a deviation of the encoding's assumed rule): the sub-account's
        // first, or the customer's second. Before, the rows never read were counted as absent: FAIL "expected some rows /
        // received 0", or "expected fewer rows than the 1 without it / received 2", a documented rule broken by rows the
        // suite did not read.
        const string Latin1Row = "S\u00E3o Paulo,2019-02-13T10:15:30Z\n";
        string[] rows = ["5519900000001,2019-02-13T10:15:30Z\n", "5519900000002,2019-02-13T10:15:30Z\n", "5519900000003,2019-02-13T10:15:30Z\n"];
        await using var provider = await WavyAsync(async http =>
        {
            var path = http.Request.Path.Value ?? "";
            if (path.EndsWith("/v1/session", StringComparison.Ordinal) && http.Request.Query.ContainsKey("subAccountId") && http.Request.Headers["authenticationToken"] == Token)
            {
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(new JsonObject { ["file_url"] = $"{http.Request.Scheme}://{http.Request.Host}/files/1001-sub.csv" }.ToJsonString());
                return true;
            }

            if (path is not ("/files/1001.csv" or "/files/1001-sub.csv"))
            {
                return false;
            }

            var sub = path == "/files/1001-sub.csv";
            var text = "source,session_created_at\n" + (sub
                ? (latin1 == "sub-account" ? Latin1Row : "") + rows[0] + rows[1]
                : rows[0] + (latin1 == "customer" ? Latin1Row : "") + rows[1] + rows[2]);
            http.Response.ContentType = "text/csv";
            await http.Response.Body.WriteAsync(Encoding.Latin1.GetBytes(text));
            return true;
        });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-003"));

        var narrowing = Case(results, "WAVY-003");
        narrowing.Verdict.Should().Be(verdict, narrowing.Message);
        (narrowing.Partial ?? narrowing.Message).Should().Contain(why);
    }

    /// <summary>
    /// <paramref name="requirements"/> against <paramref name="provider"/> through a target profile of the test's own,
    /// with <paramref name="settings"/> at its top level (what an ad-hoc target cannot set), credentials from variables.
    /// </summary>
    private async Task<RunResults> WavyProfileRunAsync(HostileProvider provider, JsonObject settings, params string[] requirements)
    {
        var profile = Path.Combine(dir, "profile.json");
        settings["name"] = "hostile";
        settings["apis"] = new JsonObject
        {
            ["wavy-open-sessions"] = new JsonObject
            {
                ["baseUrl"] = new Uri(provider.Origin, "/wavy").ToString(),
                ["credentials"] = new JsonObject { ["authenticationToken"] = new JsonObject { ["env"] = "T" }, ["userName"] = new JsonObject { ["env"] = "U" } },
                ["testData"] = new JsonObject { ["customerWithSessions"] = "1001", ["customerWithoutSessions"] = "1002", ["subAccount"] = "11" },
            },
        };
        await File.WriteAllTextAsync(profile, settings.ToJsonString());
        return await ConformanceEngine.RunAsync(new RunSettings
        {
            Target = profile, Apis = ["wavy-open-sessions"], Filter = requirements, ReportDirectory = dir, ContractsDirectory = Harness.Layout.Root,
            Variables = n => n switch { "T" => Token, "U" => User, _ => null },
        });
    }

    /// <summary>Every WAVY requirement (no pact) against <paramref name="provider"/>.</summary>
    private async Task<RunResults> WavyRunAsync(HostileProvider provider) =>
        await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions",
            [.. new Contracts.ContractLoader(Harness.Layout).Load("wavy-open-sessions").Requirements.Select(r => r.Id)]));

    /// <summary>No report of the run grows with what the provider sent: each is far smaller than one of its files.</summary>
    private void ReportsAreSmall()
    {
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            new FileInfo(file).Length.Should().BeLessThan(512 * 1024, $"{Path.GetFileName(file)} must not quote a provider's megabytes");
        }
    }

    [Test]
    public async Task A_csv_whose_first_line_never_ends_has_no_header_and_no_report_grows_with_it()
    {
        // 16 MiB without a line end for the customer with sessions. Before, the first line was read whole and quoted in
        // findings and notes (a 64 MiB line made 200 MB of text, and results.json could no longer be written). The
        // customer without sessions gets a header line that does end, 5,000 characters long: quoted in a note, cut.
        var longHeader = "source,session_created_at," + new string('h', 5000 - 26);
        await using var provider = await WavyFilesAsync(path => path == "/files/1001.csv"
            ? Enumerable.Repeat(new string('a', 1 << 20), 16)
            : [longHeader + "\n"]);

        var results = await WavyRunAsync(provider);

        results.Requirements.SelectMany(r => r.Cases).Should().NotContain(c => c.Verdict == Verdict.Error);
        var header = Case(results, "WAVY-011");
        header.Verdict.Should().Be(Verdict.Fail, "the header the docs name is not there");
        header.Findings.OfType<CsvHeaderProblem>().Should().ContainSingle().Which.Should().Match<CsvHeaderProblem>(f =>
            f.Issue == CsvHeaderIssue.Missing && f.Received.StartsWith($"a first line that does not end within {CsvAnalyzer.MaxHeaderChars:N0} characters, which starts 'aaa", StringComparison.Ordinal));
        var rows = Case(results, "WAVY-012");
        rows.Verdict.Should().Be(Verdict.Skipped);
        rows.Message.Should().Contain("no rows checked: the first line does not end within");
        var quoted = results.Requirements.Single(r => r.Id == "WAVY-011").Cases.Single(c => c.Element == "without-sessions").Notes.Should().ContainSingle().Subject;
        quoted.Should().StartWith("header line: 'source,session_created_at,hhh").And.EndWith($"… ({"header line: '".Length + 5000 + 1:N0} characters in all)");
        quoted.Length.Should().BeLessThan(ProviderText.MaxChars + 40);
        ReportsAreSmall();
    }

    [Test]
    public async Task A_quote_never_closed_leaves_the_rest_unread_and_the_rows_check_says_it_checked_in_part()
    {
        // A valid header and row, then a row whose quote never closes over 16 MiB of short lines: the parser would hold
        // all of it as one value (and the row's rule would quote it whole).
        var lines = string.Concat(Enumerable.Repeat("aaaaaaaaaaaaaaa\n", 65_536));
        await using var provider = await WavyFilesAsync(_ =>
            ["source,session_created_at\n5519900000001,2019-02-13T10:15:30Z\n5519900000002,\"", .. Enumerable.Repeat(lines, 16)]);

        var results = await WavyRunAsync(provider);

        results.Requirements.SelectMany(r => r.Cases).Should().NotContain(c => c.Verdict == Verdict.Error);
        Case(results, "WAVY-011").Verdict.Should().Be(Verdict.Pass);
        var rows = Case(results, "WAVY-012");
        rows.Verdict.Should().Be(Verdict.Pass, "the one row read is valid");
        rows.Partial.Should().Be($"1 rows checked; row 2 does not end within {CsvAnalyzer.MaxRecordChars:N0} characters (a line without an end, or a quote never closed; the suite's bound): it and the rows after it were not read");
        ReportsAreSmall();
    }

    /// <summary>
    /// An OpenCX provider that checks the token, lists its items on one page (it ignores filters) and answers each
    /// item by its id. <paramref name="listed"/> and <paramref name="fetched"/> give each item's JSON
    /// text, by id, as the list and the fetch answer it.
    /// </summary>
    private static Task<HostileProvider> OpenCxAsync(Dictionary<string, string> listed, Dictionary<string, string> fetched) =>
        OpenCxAsync(_ => $$"""{"items":[{{string.Join(",", listed.Values)}}],"next":null}""", fetched.GetValueOrDefault);

    /// <summary>
    /// An OpenCX provider that checks the token, answers the list with <paramref name="page"/> of the cursor asked
    /// for ("" for the first page) and each item with <paramref name="fetch"/> of its id (404 when that is null),
    /// labelled <paramref name="fetchedType"/>; it takes an Authorization header <paramref name="accepts"/> takes (by default, the right token), and echoes it in a response header.
    /// </summary>
    private static Task<HostileProvider> OpenCxAsync(Func<string, string> page, Func<string, string?> fetch, string fetchedType = "application/json", Func<string, bool>? accepts = null) =>
        HostileProvider.StartAsync(async http =>
        {
            // Every answer echoes the Authorization header it got, as a debugging provider might.
            http.Response.Headers["X-Seen-Authorization"] = http.Request.Headers.Authorization.ToString();
            if (!(accepts ?? (given => given == $"Bearer {Token}"))(http.Request.Headers.Authorization.ToString()))
            {
                http.Response.StatusCode = 401;
                return;
            }

            var path = http.Request.Path.Value ?? "";
            http.Response.ContentType = "application/json";
            if (path == "/chat/sessions")
            {
                await http.Response.WriteAsync(page(http.Request.Query["cursor"].ToString()));
            }
            else if (path.StartsWith("/chat/sessions/", StringComparison.Ordinal) && fetch(path["/chat/sessions/".Length..]) is { } item)
            {
                http.Response.ContentType = fetchedType;
                await http.Response.WriteAsync(item);
            }
            else
            {
                http.Response.StatusCode = 404;
            }
        });

    /// <summary>Every OPENCX requirement (no pact) against <paramref name="provider"/>.</summary>
    private async Task<RunResults> OpenCxRunAsync(HostileProvider provider) => await ConformanceEngine.RunAsync(OpenCxSettings(provider));

    /// <summary>The settings of a run of every OPENCX requirement (no pact) against <paramref name="provider"/>.</summary>
    private RunSettings OpenCxSettings(HostileProvider provider) =>
        AdHoc(provider, "opencx-chat-sessions", [.. new Contracts.ContractLoader(Harness.Layout).Load("opencx-chat-sessions").Requirements.Select(r => r.Id)]) with
        {
            AdHoc = new AdHocTarget(provider.Origin.ToString(), new Dictionary<string, string> { ["Authorization"] = Token }, new Dictionary<string, string>()),
        };

    private const string FirstSession = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
    private const string SecondSession = "5d1e0c6a-9b7f-4e21-a3c4-0f6b2d8e9a17";

    /// <summary>A valid OpenCX session with <paramref name="more"/> members after its id (a status among them, or not).</summary>
    private static string Session(string id, string more) =>
        $$"""{"id":"{{id}}",{{more}},"channel":{"type":"web"},"created_at":"2024-01-02T03:04:05Z","updated_at":"2024-01-02T03:04:05Z"}""";

    [Test]
    public async Task A_json_response_other_than_the_first_page_that_is_labelled_otherwise_is_named()
    {
        // The pages say application/json; each fetched session says text/html. Before, the check judged one valid
        // call, the first page, and passed.
        var session = Session(FirstSession, "\"status\":\"open\"");
        await using var provider = await OpenCxAsync(_ => $$"""{"items":[{{session}}],"next":null}""", id => id == FirstSession ? session : null, fetchedType: "text/html");

        var results = await OpenCxRunAsync(provider);

        var labels = Case(results, "OPENCX-005");
        labels.Verdict.Should().Be(Verdict.Fail);
        // The session is fetched twice: by OPENCX-014, and by OPENCX-013 as the known id it asks for before an unknown one.
        labels.Findings.Should().NotBeEmpty().And.AllBeOfType<HeaderMismatch>().And.OnlyContain(f => ((HeaderMismatch)f).Received == "text/html"
            && f.Evidence!.Url.EndsWith("/chat/sessions/" + FirstSession, StringComparison.Ordinal));
        labels.Notes.Should().ContainSingle(n => n.EndsWith(" JSON responses of the run judged", StringComparison.Ordinal))
            .Which.Should().NotStartWith("1 ", "the pages and the fetch were judged, not one call");
    }

    [Test]
    public async Task A_provider_that_reads_a_jwt_s_claims_without_verifying_its_signature_fails_the_token_check()
    {
        // A JWT-checking provider that decodes the claims and never verifies the signature. Before, the check sent
        // one unrelated wrong value, which is no JWT: refused, and OPENCX-003 passed.
        static string Part(string json) => Base64Url(Encoding.UTF8.GetBytes(json));
        static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var signed = $"{Part("""{"alg":"HS256","typ":"JWT"}""")}.{Part("""{"sub":"conformance-jwt-subject"}""")}";
        var jwt = $"{signed}.{Base64Url(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes("the provider's key, 32 bytes long"), Encoding.UTF8.GetBytes(signed)))}";
        static bool ClaimsOnly(string header)
        {
            var parts = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Split('.') : [];
            try
            {
                return parts.Length == 3 && Encoding.UTF8.GetString(Convert.FromBase64String(parts[1].PadRight((parts[1].Length + 3) / 4 * 4, '='))).Contains("conformance-jwt-subject", StringComparison.Ordinal);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        var session = Session(FirstSession, "\"status\":\"open\"");
        await using var provider = await OpenCxAsync(_ => $$"""{"items":[{{session}}],"next":null}""", _ => session, accepts: ClaimsOnly);

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "opencx-chat-sessions", "OPENCX-003") with
        {
            AdHoc = new AdHocTarget(provider.Origin.ToString(), new Dictionary<string, string> { ["Authorization"] = jwt }, new Dictionary<string, string>()),
        });

        var verified = Case(results, "OPENCX-003");
        verified.Verdict.Should().Be(Verdict.Fail);
        // Taken on the list and on the get of a listed id alike.
        var accepted = verified.Findings.Should().HaveCount(2).And.AllBeOfType<StatusMismatch>().Subject.Cast<StatusMismatch>().ToList();
        accepted.Select(f => f.Subject).Should().Equal(
            "with Authorization one character off (in the middle of its last part: a JWT's signature)",
            "with Authorization one character off (in the middle of its last part: a JWT's signature) on GET /chat/sessions/{session_id} (session_id=" + FirstSession + ", listed)");
        accepted.Should().OnlyContain(f => f.Received == 200);
        var nearMiss = CredentialSet.NearMiss(jwt)!;
        nearMiss.Should().StartWith(signed + ".").And.NotBe(jwt);
        provider.Requests.Select(r => r.Headers.GetValueOrDefault("Authorization")).Should().Contain($"Bearer {nearMiss}");
        var alteredSignature = nearMiss[(signed.Length + 1)..];
        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("X-Seen-Authorization", "the provider echoed each token it got");
        Directory.EnumerateFiles(dir).Should().NotContain(f => File.ReadAllText(f).Contains(alteredSignature, StringComparison.Ordinal), "the altered signature is masked as the secret is");
    }

    [TestCase("mock-wavy-token-3f9c1a", "mock-wavy-tpken-3f9c1a")]
    [TestCase("aaa.bbb.xyz9", "aaa.bbb.xya9")]
    [TestCase("ab.--z--", "ab.--a--")]
    [TestCase("a9", "a0")]
    [TestCase("Z-", "A-")]
    [TestCase("..--", null)]
    public void A_near_miss_changes_the_letter_or_digit_nearest_the_middle_of_the_last_part(string value, string? expected) =>
        CredentialSet.NearMiss(value).Should().Be(expected);

    [Test]
    public async Task A_cursor_too_long_for_a_url_is_not_followed_and_no_report_carries_it()
    {
        // Each page's next cursor is 300,000 characters: the next page's URL would be too (a server need take only
        // 8,000). Before, the suite sent it, and every exchange, finding and report naming that request carried it
        // whole (results.json of 4.5 MB for one such cursor).
        await using var provider = await OpenCxAsync(
            cursor =>
            {
                var page = cursor.Length == 0 ? 0 : int.Parse(cursor[..4], System.Globalization.CultureInfo.InvariantCulture);
                var next = page >= 30 ? "null" : $"\"{page + 1:0000}{new string('c', 300_000)}\"";
                return $$"""{"items":[{{Session($"3c90c3cc-0d44-4b50-8888-{page:000000000000}", "\"status\":\"open\"")}}],"next":{{next}}}""";
            },
            id => Session(id, "\"status\":\"open\""));

        var results = await OpenCxRunAsync(provider);

        results.Requirements.SelectMany(r => r.Cases).Should().NotContain(c => c.Verdict == Verdict.Error);
        var walk = Case(results, "OPENCX-006");
        walk.Verdict.Should().Be(Verdict.Skipped, "a limit of the suite's own judges nothing about the provider");
        walk.Message.Should().Contain("not sent: the URL is 300,0").And.Contain("more than maxUrlChars (16,384)");
        walk.Setting.Should().Be("maxUrlChars");
        provider.Requests.Should().OnlyContain(r => r.PathAndQuery.Length <= 16 * 1024, "no such URL was sent");
        File.ReadLines(Path.Combine(dir, "requests.jsonl")).Should().OnlyContain(l => l.Length < 20_000);
        results.Outcome.Should().Be(RunOutcome.Incomplete);
        ReportsAreSmall();
    }

    [Test]
    public async Task A_page_of_ten_thousand_empty_items_is_validated_up_to_the_bound_and_says_so()
    {
        // 30 KiB of "{}", ten times the bound: each item misses five required members. Before, the validator built
        // every violation for every walk over the page (a page of 100,000 took 8 s and 500 MiB, one of a million 62 s
        // and 3 GB). Two such pages: the report names the first.
        var empty = string.Join(",", Enumerable.Repeat("{}", 10_000));
        await using var provider = await OpenCxAsync(cursor => $$"""{"items":[{{empty}}],"next":{{(cursor.Length == 0 ? "\"p2\"" : "null")}}}""", _ => null);

        var results = await OpenCxRunAsync(provider);

        results.Requirements.SelectMany(r => r.Cases).Should().NotContain(c => c.Verdict == Verdict.Error);
        var schema = Case(results, "OPENCX-004");
        schema.Verdict.Should().BeOneOf(Verdict.Fail, Verdict.Deviation);
        schema.Findings.Should().HaveCount(2 * 20, "each of the two pages keeps its first 20 violations").And.OnlyContain(f => f.Message.Contains("required property"));
        schema.Partial.Should().Contain($"page 1: only the first {Contracts.SchemaValidator.MaxValidatedElements:N0} elements of /items (10,000) were validated (the suite's bound)");
        // Forty findings of two exchanges: results.json holds each exchange once (before, forty copies: 59 KB of this
        // case's 90, and the whole file 523 KB).
        var written = Case(RunResults.Read(Path.Combine(dir, "results.json")), "OPENCX-004");
        written.Findings.Select(f => f.Evidence!.RequestLine).Should().Equal(schema.Findings.Select(f => f.Evidence!.RequestLine));
        var raw = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "results.json")))!["requirements"]!.AsArray()
            .Single(r => (string?)r!["id"] == "OPENCX-004")!["cases"]![0]!["findings"]!.AsArray();
        raw.Should().OnlyContain(f => f!["evidence"] == null && f["exchange"] != null, "an exchange is not copied into each finding");
        ReportsAreSmall();
    }

    [Test]
    public async Task A_listed_id_that_is_a_dot_segment_is_not_asked_for_since_its_url_names_another_path()
    {
        // "/chat/sessions/.." is "/chat/" to every URL parser (escaped as %2E%2E too). Before, the suite asked for it,
        // got the answer of another path (404 here), and failed the fetch of ".." on it; the known id taken before an
        // unknown one was ".." too, so that check went unchecked.
        var items = new Dictionary<string, string>
        {
            [".."] = Session("..", "\"status\":\"open\""),
            [FirstSession] = Session(FirstSession, "\"status\":\"open\""),
        };
        await using var provider = await OpenCxAsync(items, items);

        var results = await OpenCxRunAsync(provider);

        provider.Requests.Should().OnlyContain(r => r.PathAndQuery.StartsWith("/chat/sessions", StringComparison.Ordinal), "no request may land on another path");
        provider.Requests.Should().Contain(r => r.PathAndQuery == $"/chat/sessions/{FirstSession}");
        var get = Case(results, "OPENCX-014");
        get.Findings.Should().BeEmpty("the one id a URL can carry was fetched and agrees");
        get.Partial.Should().Be("session_id=.. (listed) not fetched: '..' is a dot segment, which no URL can carry as the {session_id} of /chat/sessions/{session_id}");
        results.Requirements.SelectMany(r => r.Cases).Should().NotContain(c => c.Verdict == Verdict.Skipped || c.Verdict == Verdict.Error);
    }

    [Test]
    public async Task A_test_data_id_that_is_a_dot_segment_is_an_error_of_its_case_not_a_request_to_another_path()
    {
        // An "unknown" id of ".." would ask for "/chat/" and take its 404 as the unknown session's.
        var items = new Dictionary<string, string> { [FirstSession] = Session(FirstSession, "\"status\":\"open\"") };
        await using var provider = await OpenCxAsync(items, items);

        var results = await ConformanceEngine.RunAsync(OpenCxSettings(provider) with
        {
            AdHoc = new AdHocTarget(provider.Origin.ToString(), new Dictionary<string, string> { ["Authorization"] = Token }, new Dictionary<string, string> { ["unknownSessionId"] = ".." }),
        });

        provider.Requests.Should().OnlyContain(r => r.PathAndQuery.StartsWith("/chat/sessions", StringComparison.Ordinal));
        var unknown = results.Requirements.SelectMany(r => r.Cases).Where(c => c.Verdict == Verdict.Error).Should().ContainSingle().Subject;
        unknown.Message.Should().Contain("session_id '..' is a dot segment: a URL with it in /chat/sessions/{session_id} names another path");
        results.Outcome.Should().Be(RunOutcome.NotConformant, "an error is never a pass");
    }

    [TestCase(false, "scenario 'all-sessions' lists no item to fetch")]
    [TestCase(true, "session_id=.. (listed) not fetched: '..' is a dot segment")]
    public async Task A_fetch_of_every_listed_item_that_fetched_none_is_not_a_pass(bool dotted, string why)
    {
        // An empty list, or one whose only id no URL can carry: before, OPENCX-014 passed on no fetch at all.
        var items = dotted ? new Dictionary<string, string> { [".."] = Session("..", "\"status\":\"open\"") } : [];
        await using var provider = await OpenCxAsync(items, items);

        var results = await OpenCxRunAsync(provider);

        var get = Case(results, "OPENCX-014");
        get.Verdict.Should().Be(Verdict.Skipped, get.Message);
        get.Message.Should().Contain(why);
    }

    [Test]
    public async Task A_fetch_the_suite_cannot_read_does_not_hide_another_fetch_s_fail_in_the_same_case()
    {
        // One listed session answers JSON nested deeper than the suite reads (its own limit: that fetch judges nothing);
        // the other is listed and then not found, a fail of the provider's own. Before, the limit met by the first made
        // the whole case skipped, and the 404 was in no verdict.
        var deep = new string('[', 100) + new string(']', 100);
        var listed = new Dictionary<string, string>
        {
            [FirstSession] = Session(FirstSession, "\"status\":\"open\""),
            [SecondSession] = Session(SecondSession, "\"status\":\"open\""),
        };
        var fetched = new Dictionary<string, string> { [FirstSession] = Session(FirstSession, $"\"status\":\"open\",\"extra\":{deep}") };
        await using var provider = await OpenCxAsync(listed, fetched);

        var results = await OpenCxRunAsync(provider);

        var get = Case(results, "OPENCX-014");
        get.Verdict.Should().Be(Verdict.Fail, get.Message);
        get.Findings.Should().ContainSingle("the unreadable fetch judges nothing").Which.Message.Should().Contain("404").And.Contain(SecondSession);
        get.Partial.Should().StartWith("not all of it was checked: the body is JSON nested deeper than the suite reads: 101 levels").And.Contain("/chat/sessions/" + FirstSession);
        results.Outcome.Should().Be(RunOutcome.NotConformant);
    }

    [Test]
    public async Task A_fetched_item_with_a_long_array_is_validated_up_to_the_bound_and_the_fetch_check_says_so()
    {
        var tags = $"\"tags\":[{string.Join(",", Enumerable.Range(0, 1500))}]";
        var items = new Dictionary<string, string>
        {
            [FirstSession] = Session(FirstSession, "\"status\":\"open\""),
            [SecondSession] = Session(SecondSession, "\"status\":\"open\"," + tags),
        };
        await using var provider = await OpenCxAsync(items, items);

        var results = await OpenCxRunAsync(provider);

        var get = Case(results, "OPENCX-014");
        get.Verdict.Should().Be(Verdict.Pass, "what was validated is valid, and the values agree");
        get.Partial.Should().Be($"session_id={SecondSession} (listed): only the first 1,000 elements of /tags (1,500) were validated (the suite's bound)");
    }

    [Test]
    public async Task A_success_body_with_a_long_array_is_validated_up_to_the_bound_and_says_so()
    {
        var numbers = string.Join(",", Enumerable.Range(0, 5000));
        await using var provider = await WavyAsync(async http =>
        {
            if (!(http.Request.Path.Value ?? "").EndsWith("/v1/session", StringComparison.Ordinal) || http.Request.Headers["authenticationToken"] != Token)
            {
                return false;
            }

            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync($$"""{"file_url":"{{http.Request.Scheme}}://{{http.Request.Host}}/files/{{http.Request.Query["customerId"]}}.csv","extra":[{{numbers}}]}""");
            return true;
        });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-006"));

        var body = Case(results, "WAVY-006");
        body.Verdict.Should().Be(Verdict.Pass, "what was validated is valid");
        body.Partial.Should().Be("only the first 1,000 elements of /extra (5,000) were validated (the suite's bound)");
    }

    [Test]
    public async Task A_body_that_names_a_member_twice_is_not_judged_by_a_guess_of_which_value_counts()
    {
        // The second item says its status twice, an allowed value and then one outside the enum (the schema library
        // would take the last).
        var items = new Dictionary<string, string>
        {
            [FirstSession] = Session(FirstSession, "\"status\":\"open\""),
            [SecondSession] = Session(SecondSession, "\"status\":\"open\",\"status\":\"archived\""),
        };
        await using var provider = await OpenCxAsync(items, items);

        var results = await OpenCxRunAsync(provider);

        var cases = results.Requirements.SelectMany(r => r.Cases).ToList();
        cases.Should().NotContain(c => c.Verdict == Verdict.Error, "a body like this is the provider's fault, not a check's");
        var schema = Case(results, "OPENCX-004");
        schema.Verdict.Should().Be(Verdict.Fail);
        schema.Findings.Select(f => f.Message).Should().Contain(m => m.Contains("not JSON") && m.Contains("Duplicate property 'status'"));
        results.Requirements.Single(r => r.Id == "OPENCX-006").Verdict.Should().Be(Verdict.Fail, "the walk cannot read its page");
        results.Conformant.Should().BeFalse();
    }

    [Test]
    public async Task A_fetched_item_that_differs_in_a_member_named_with_a_slash_is_located_by_that_member()
    {
        // The list and the fetch agree but for one member whose name holds a slash and a tilde: the finding must point
        // at that member ("/a~1b~0c"), not at "/a/b~c", which names another member, inside a member "a" that does not exist.
        // The second item has more members than a walk keeps: the same in the list and the fetch, and said so.
        var wide = string.Join(",", Enumerable.Range(0, WalkItem.MaxFields).Select(i => $"\"x{i}\":{i}"));
        var listed = new Dictionary<string, string>
        {
            [FirstSession] = Session(FirstSession, "\"status\":\"open\",\"a/b~c\":1"),
            [SecondSession] = Session(SecondSession, "\"status\":\"closed_resolved\"," + wide),
        };
        var fetched = new Dictionary<string, string>(listed) { [FirstSession] = Session(FirstSession, "\"status\":\"open\",\"a/b~c\":2") };
        await using var provider = await OpenCxAsync(listed, fetched);

        var results = await OpenCxRunAsync(provider);

        var get = results.Requirements.Single(r => r.Id == "OPENCX-014");
        get.Verdict.Should().Be(Verdict.Deviation, "the same values in the list and the fetch are an assumption of ours");
        get.Cases.SelectMany(c => c.Findings).OfType<ValueMismatch>().Should().ContainSingle()
            .Which.Should().Match<ValueMismatch>(f => f.At == "/a~1b~0c" && f.Received == "2" && f.Expected.Contains("another value (the walk keeps its hash)"));
        results.Requirements.Where(r => r.Verdict == Verdict.Error).Select(r => r.Id).Should().BeEmpty();
        get.Cases.Single().Notes.Should().Contain($"1 of them had more than {WalkItem.MaxFields} top-level members in the list: their first {WalkItem.MaxFields} were compared with the fetch, the rest not");
    }
}
