using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// Wavy providers of the tests' own that break one documented (or assumed) rule of the open-sessions API, its
/// download or its CSV, in a way the reference mock's faults do not: each must not pass the requirement it breaks.
/// The same provider without its twist is right, and passes every one of WAVY-001 to WAVY-013.
/// </summary>
[TestFixture]
public sealed class EvasionWavyTests
{
    private const string Token = "EVASION-WAVY-TOKEN-3e9d1c";
    private const string User = "EVASION-WAVY-USER-81a2";
    private const string Header = "source,session_created_at";
    private string dir = "";

    /// <summary>The customer's sessions: source, created at, sub-account.</summary>
    private static readonly (string Source, string Created, int SubAccount)[] Sessions =
    [
        ("5519900000001", "2019-02-13T10:15:30Z", 11),
        ("5519900000002", "2019-02-13T11:15:30-03:00", 12),
        ("5519900000003", "2019-02-14T09:00:00.250Z", 11),
        ("551990000004", "2019-02-15T23:59:59+05:30", 12),
    ];

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-evasion-wavy-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    /// <summary>How a provider may go wrong: each hook sees what a right provider would answer and may change it.</summary>
    private sealed class Twists
    {
        /// <summary>Answers a request first (true: answered).</summary>
        public Func<HttpContext, Task<bool>>? Request { get; init; }

        /// <summary>The file_url of a call, given the right one.</summary>
        public Func<string, string>? Link { get; init; }

        /// <summary>A CSV file's text, given its path and the right text.</summary>
        public Func<string, string, string>? File { get; init; }
    }

    /// <summary>
    /// A right Wavy provider: both credentials checked (401), customerId required and a decimal integer (400),
    /// subAccountId optional and honoured, a file_url on the same origin to a CSV of the customer's (or the
    /// sub-account's) sessions, header only for a customer or a sub-account (13) without sessions; unless a twist changes what it answers.
    /// </summary>
    private static Task<HostileProvider> ProviderAsync(Twists? twists = null) =>
        HostileProvider.StartAsync(async http =>
        {
            twists ??= new Twists();
            if (twists.Request is { } request && await request(http))
            {
                return;
            }

            var path = http.Request.Path.Value ?? "";
            if (path == "/wavy/v1/session")
            {
                if (http.Request.Headers["authenticationToken"] != Token || http.Request.Headers["userName"] != User)
                {
                    http.Response.StatusCode = 401;
                    return;
                }

                var query = http.Request.Query;
                if (!long.TryParse(query["customerId"], NumberStyles.None, CultureInfo.InvariantCulture, out var customer)
                    || (query.ContainsKey("subAccountId") && !long.TryParse(query["subAccountId"], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                {
                    http.Response.StatusCode = 400;
                    http.Response.ContentType = "application/json";
                    await http.Response.WriteAsync("""{"error":"customerId and subAccountId are integers"}""");
                    return;
                }

                var sub = query.ContainsKey("subAccountId") ? $"-{query["subAccountId"]}" : "";
                var link = $"{http.Request.Scheme}://{http.Request.Host}/files/{customer}{sub}.csv";
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(new JsonObject { ["file_url"] = twists.Link?.Invoke(link) ?? link }.ToJsonString());
            }
            else if (path.StartsWith("/files/", StringComparison.Ordinal))
            {
                var name = path["/files/".Length..^".csv".Length].Split('-');
                var rows = name[0] == "1001"
                    ? Sessions.Where(s => name.Length == 1 || s.SubAccount.ToString(CultureInfo.InvariantCulture) == name[1]).Select(s => $"{s.Source},{s.Created}\n")
                    : [];
                var text = Header + "\n" + string.Concat(rows);
                http.Response.ContentType = "text/csv; charset=utf-8";
                await http.Response.WriteAsync(twists.File?.Invoke(path, text) ?? text);
            }
            else
            {
                http.Response.StatusCode = 404;
            }
        });

    private static readonly string[] Scope = [.. Enumerable.Range(1, 13).Select(i => $"WAVY-{i:000}")];

    private Task<RunResults> RunAsync(HostileProvider provider, params string[] filter) => ConformanceEngine.RunAsync(new RunSettings
    {
        Apis = ["wavy-open-sessions"],
        Filter = filter.Length == 0 ? Scope : filter,
        AdHoc = new AdHocTarget(new Uri(provider.Origin, "/wavy").ToString(),
            new Dictionary<string, string> { ["authenticationToken"] = Token, ["userName"] = User },
            new Dictionary<string, string> { ["customerWithSessions"] = "1001", ["customerWithoutSessions"] = "1002", ["subAccount"] = "11", ["subAccountWithoutSessions"] = "13" }),
        ReportDirectory = dir,
        ContractsDirectory = Harness.Layout.Root,
        RequestTimeout = TimeSpan.FromSeconds(2),
        RunTimeout = TimeSpan.FromSeconds(60),
    });

    private static IReadOnlyList<CaseOutcome> Cases(RunResults results, string requirement) =>
        results.Requirements.Single(r => r.Id == requirement).Cases;

    private static CaseOutcome Case(RunResults results, string requirement, string element) =>
        Cases(results, requirement).Should().ContainSingle(c => c.Element == element).Subject;

    [Test]
    public async Task The_provider_without_a_twist_passes_every_requirement_in_scope()
    {
        await using var provider = await ProviderAsync();

        var results = await RunAsync(provider);

        foreach (var c in results.Requirements.SelectMany(r => r.Cases))
        {
            c.Verdict.Should().Be(Verdict.Pass, $"{c.RequirementId} {c.Element}: {c.Message}");
        }

        results.Requirements.Select(r => r.Id).Should().BeEquivalentTo(Scope);
    }

    [Test]
    public async Task A_header_that_names_a_column_twice_does_not_pass_the_exact_header()
    {
        // source,session_created_at,source: both documented names, in order, and nothing the header check counted
        // as extra, so it passed; each row repeats its source, so the rows passed too.
        await using var provider = await ProviderAsync(new Twists
        {
            File = (_, text) => string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => $"{line},{line.Split(',')[0]}\n")),
        });

        var results = await RunAsync(provider, "WAVY-011", "WAVY-012", "WAVY-013");

        foreach (var scenario in new[] { "with-sessions", "without-sessions" })
        {
            var header = Case(results, "WAVY-011", scenario);
            header.Verdict.Should().Be(Verdict.Deviation, "the header is not exactly source,session_created_at (an assumed rule)");
            header.Findings.Should().ContainSingle().Which.Should().BeOfType<CsvHeaderProblem>()
                .Which.Should().Match<CsvHeaderProblem>(p => p.Issue == CsvHeaderIssue.Names && p.Received == "'source' 2 times in the header 'source,session_created_at,source'");
        }
    }

    [Test]
    public async Task A_value_that_ends_in_a_newline_does_not_pass_the_row_rules()
    {
        // A quoted value may hold a line break: "5519900000001\n" is not 10 to 15 digits, nor is
        // "2019-02-13T10:15:30Z\n" an ISO 8601 date-time, yet a .NET '$' matches before a final newline.
        await using var provider = await ProviderAsync(new Twists
        {
            File = (_, text) => text.Replace("5519900000001,2019-02-13T10:15:30Z", "\"5519900000001\n\",\"2019-02-13T10:15:30Z\n\"", StringComparison.Ordinal),
        });

        var results = await RunAsync(provider, "WAVY-011", "WAVY-012");

        Case(results, "WAVY-011", "with-sessions").Verdict.Should().Be(Verdict.Pass, "the header is right");
        foreach (var scenario in new[] { "with-sessions", "sub-account" })
        {
            var rows = Case(results, "WAVY-012", scenario);
            rows.Verdict.Should().Be(Verdict.Deviation, "the first row breaks both assumed row rules");
            rows.Findings.Cast<CsvRowProblem>().Select(p => (p.Row, p.Column, p.Value)).Should().Equal(
                (1L, "source", "5519900000001\n"), (1L, "session_created_at", "2019-02-13T10:15:30Z\n"));
        }
    }

    [TestCase("\n", "a newline after the URL")]
    [TestCase("?name=open sessions", "a space in its query")]
    [TestCase("\t", "a tab after the URL")]
    public async Task A_file_url_with_a_space_or_a_control_character_is_not_an_absolute_url(string added, string what)
    {
        // .NET's Uri trims the end and escapes a space, so the link parsed and was fetched; as written it is no URL
        // (RFC 3986 allows neither), and a stricter client refuses it. The CSV itself is right.
        await using var provider = await ProviderAsync(new Twists { Link = link => link + added });

        var results = await RunAsync(provider, "WAVY-007", "WAVY-009");

        foreach (var scenario in new[] { "with-sessions", "without-sessions" })
        {
            var link = Case(results, "WAVY-007", scenario);
            link.Verdict.Should().Be(Verdict.Deviation, $"a file_url with {what} is not an absolute http(s) URL (an assumed rule)");
            link.Findings.Should().ContainSingle().Which.Should().BeOfType<ValueMismatch>()
                .Which.Message.Should().Contain("a space or a control character");
        }
    }

    [Test]
    public async Task A_customerId_read_as_a_javascript_number_does_not_pass_the_integer_rule()
    {
        // As a provider that reads customerId with JavaScript's Number() and Number.isInteger: "abc", "4.2" and "42abc"
        // are refused, as WAVY-002 asked, but the hex literal 0x2a is read as customer 42 (Number() also takes "",
        // " 42" and "1e3", which the docs leave less clear; strtol with base 0 and Go's ParseInt(s, 0, 64) take 0x2a too).
        await using var provider = await ProviderAsync(new Twists
        {
            Request = async http =>
            {
                var raw = http.Request.Query["customerId"].ToString();
                if (http.Request.Path != "/wavy/v1/session" || http.Request.Headers["authenticationToken"] != Token || http.Request.Headers["userName"] != User
                    || !raw.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || !long.TryParse(raw.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var customer))
                {
                    return false;
                }

                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(new JsonObject { ["file_url"] = $"{http.Request.Scheme}://{http.Request.Host}/files/{customer}.csv" }.ToJsonString());
                return true;
            },
        });

        var results = await RunAsync(provider, "WAVY-002");

        var hex = Case(results, "WAVY-002", "customerId=0x2a");
        hex.Verdict.Should().Be(Verdict.Deviation, "a customerId that is not a decimal integer must be refused with 400 (an assumed rule)");
        hex.Findings.Should().ContainSingle().Which.Should().BeOfType<StatusMismatch>().Which.Received.Should().Be(200);
        Cases(results, "WAVY-002").Where(c => c.Element != "customerId=0x2a").Should().OnlyContain(c => c.Verdict == Verdict.Pass);
    }

    [Test]
    public async Task A_download_link_that_redirects_to_another_origin_is_followed_without_credentials()
    {
        // A right provider: its file_url answers 302 to a copy of the file on another origin (a CDN, a signed storage
        // link). The download carries no credential, so following it leaks nothing; not following it failed WAVY-009.
        await using var cdn = await ProviderAsync();
        await using var provider = await ProviderAsync(new Twists
        {
            Request = http =>
            {
                if (!http.Request.Path.StartsWithSegments("/files", StringComparison.Ordinal))
                {
                    return Task.FromResult(false);
                }

                http.Response.StatusCode = 302;
                http.Response.Headers.Location = new Uri(cdn.Origin, http.Request.Path.Value).ToString();
                return Task.FromResult(true);
            },
        });

        var results = await RunAsync(provider);

        foreach (var c in results.Requirements.SelectMany(r => r.Cases))
        {
            c.Verdict.Should().Be(Verdict.Pass, $"{c.RequirementId} {c.Element}: {c.Message}");
        }

        cdn.Requests.Should().NotBeEmpty().And.OnlyContain(r => r.PathAndQuery.StartsWith("/files/", StringComparison.Ordinal));
        cdn.SawHeader("authenticationToken").Should().BeFalse();
        cdn.SawHeader("userName").Should().BeFalse();

        // The evidence names where the bytes came from, not only the link's origin (before, it named the provider's alone).
        var (origin, cdnOrigin) = (Http.CredentialSet.OriginOf(provider.Origin), Http.CredentialSet.OriginOf(cdn.Origin));
        Case(results, "WAVY-009", "with-sessions").Notes.Should().Contain(n => n.StartsWith($"downloaded ", StringComparison.Ordinal)
            && n.EndsWith($"bytes from {cdnOrigin} (the link on {origin} redirected there) without credentials", StringComparison.Ordinal));
        Case(results, "WAVY-010", "with-sessions").Notes.Should().Contain(n => n.StartsWith($"the download is on the API origin {origin}, redirected to {cdnOrigin};", StringComparison.Ordinal));
    }

    [TestCase("\uFEFFsource,session_created_at", CsvHeaderIssue.Bom, TestName = "A sub-account's CSV with a BOM is not a pass of the exact header")]
    [TestCase("origem,session_created_at", CsvHeaderIssue.Names, TestName = "A sub-account's CSV with the Portuguese page's origem is not a pass of the exact header")]
    [TestCase("source;session_created_at", CsvHeaderIssue.Delimiter, TestName = "A sub-account's CSV delimited by semicolons is not a pass of the exact header")]
    public async Task A_sub_account_CSV_whose_header_is_not_the_documented_one_is_not_a_pass(string header, CsvHeaderIssue issue)
    {
        // The customer's CSV and the empty one are right; the sub-accounts' (another export path: the one with sessions
        // and the one without) have another header, and their rows the same delimiter. The header was judged on the
        // customer's CSV and the empty one only, and the rows and the subset were read with the delimiter the file
        // itself uses: every case passed.
        await using var provider = await ProviderAsync(new Twists
        {
            File = (path, text) => path.Contains('-', StringComparison.Ordinal)
                ? header + text[Header.Length..].Replace(",", header.Contains(';', StringComparison.Ordinal) ? ";" : ",", StringComparison.Ordinal)
                : text,
        });

        var results = await RunAsync(provider);

        foreach (var scenario in new[] { "sub-account", "sub-account-without-sessions" })
        {
            var sub = Case(results, "WAVY-011", scenario);
            sub.Verdict.Should().NotBe(Verdict.Pass, sub.Message);
            sub.Findings.OfType<CsvHeaderProblem>().Should().Contain(p => p.Issue == issue, sub.Message);
        }

        Cases(results, "WAVY-011").Where(c => !c.Element.StartsWith("sub-account", StringComparison.Ordinal))
            .Should().HaveCount(2).And.OnlyContain(c => c.Verdict == Verdict.Pass);
    }
}
