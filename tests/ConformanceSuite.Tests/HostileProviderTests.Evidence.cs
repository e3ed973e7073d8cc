using ConformanceSuite.Http;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// What the suite records of a provider that puts credential-shaped things, or characters that make a view lie, into
/// what it answers: the evidence must stay honest and readable, and carry no credential, in every artifact.
/// </summary>
public sealed partial class HostileProviderTests
{
    private const string ProviderUser = "prov-user-3d81c2";
    private const string ProviderPassword = "PROV-PASS-9e4b17a6";

    [Test]
    public async Task A_file_url_with_the_providers_own_user_information_is_masked_in_every_artifact_and_not_sent()
    {
        // The provider's own user information, not the user's: no secret the suite was given, so nothing masked it,
        // and the link was quoted whole in results.json, requests.jsonl, the HTML and Markdown reports and the log.
        await using var provider = await WavyAsync(async http =>
        {
            if (!http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) || http.Request.Query["customerId"] != "1001"
                || http.Request.Headers["authenticationToken"] != Token)
            {
                return false;
            }

            http.Response.ContentType = "application/json";
            http.Response.Headers.Location = $"http://{ProviderUser}:{ProviderPassword}@{http.Request.Host}/files/1001.csv";
            await http.Response.WriteAsync(new JsonObject { ["file_url"] = $"http://{ProviderUser}:{ProviderPassword}@{http.Request.Host}/files/1001.csv" }.ToJsonString());
            return true;
        });

        var results = await WavyRunAsync(provider);

        provider.Requests.Where(r => r.PathAndQuery.StartsWith("/files/1001.csv", StringComparison.Ordinal)).Should().NotBeEmpty()
            .And.OnlyContain(r => !r.Headers.ContainsKey("Authorization"), "the stack sends no user information as credentials");
        var evidence = results.Requirements.SelectMany(r => r.Cases).SelectMany(c => c.Evidence).ToList();
        evidence.Should().Contain(e => e.Url == $"http://{Redactor.Mask}@{provider.Origin.Authority}/files/1001.csv", "the download is named, its user information masked");
        evidence.SelectMany(e => e.ResponseHeaders).Where(h => h.Key == "Location").Select(h => h.Value).Should().NotBeEmpty()
            .And.OnlyContain(v => v.StartsWith($"http://{Redactor.Mask}@", StringComparison.Ordinal));
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            File.ReadAllText(file).Should().NotContain(ProviderPassword, Path.GetFileName(file)).And.NotContain(ProviderUser, Path.GetFileName(file));
        }
    }

    [Test]
    public async Task Bidirectional_controls_and_line_separators_in_a_providers_text_reach_the_reports_as_escapes()
    {
        // U+202E makes a browser (and a CI page, an editor) show what follows it reversed: "files/<RLO>vsc.exe" reads as
        // "files/exe.csv". Before, the excerpt escaped CR and LF only, and report.html and report.md quoted the link raw.
        const string Link = "files/\u202Evsc.exe\u2066x\u2069\u2028next";
        await using var provider = await HostileProvider.StartAsync(async http =>
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            await http.Response.WriteAsync("{\"file_url\":\"" + Link + "\"}"); // raw, not \u-escaped as a JSON writer would
        });

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-007"));

        var link = Case(results, "WAVY-007");
        link.Verdict.Should().Be(Verdict.Deviation);
        const string Shown = @"files/\u202Evsc.exe\u2066x\u2069\u2028next";
        link.Evidence.Should().NotBeEmpty().And.OnlyContain(e => e.BodyExcerpt.Contains(Shown, StringComparison.Ordinal), "the excerpt shows each as its escape");
        char[] misleading = ['\u202E', '\u2066', '\u2069', '\u2028'];
        foreach (var report in new[] { "report.html", "report.md" })
        {
            var text = File.ReadAllText(Path.Combine(dir, report));
            text.IndexOfAny(misleading).Should().Be(-1, $"{report} must show the link as it was sent");
            text.Should().Contain(report == "report.md" ? Shown.Replace(@"\", @"\\", StringComparison.Ordinal) : Shown);
        }
    }

    /// <summary>Headers a provider sends that hold no secret: each must be reported as it was sent.</summary>
    private static readonly Dictionary<string, string> Ordinary = new()
    {
        ["ETag"] = "\"33a64df551425fcc55e4d42a148795d9f25f89d4\"", ["Cache-Control"] = "no-store, max-age=0", ["X-Request-Id"] = "5b77e0c3-e51a-49d2-8c3e-51a9d20c3e51",
        ["X-Count"] = "1234", ["X-Mode"] = "HOSTILE", ["X-Region"] = "eu-west-1",
    };

    [Test]
    public async Task A_credential_cut_into_headers_shorter_than_a_piece_is_masked_in_each_and_ordinary_headers_are_not()
    {
        // The token in four headers of 6 characters, the user name in three of 6 or 7: each shorter than the 8 characters
        // of a piece, so before, no header held a piece, and a reader could put both credentials together again.
        await using var provider = await WavyAsync(http =>
        {
            foreach (var (name, value) in Ordinary)
            {
                http.Response.Headers[name] = value;
            }

            for (var i = 0; i < 4; i++)
            {
                http.Response.Headers[$"X-T{i}"] = Token.Substring(6 * i, 6);
            }

            http.Response.Headers["X-U0"] = User[..6];
            http.Response.Headers["X-U1"] = User[6..12];
            http.Response.Headers["X-U2"] = User[12..];
            return Task.FromResult(false);
        });

        await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-006"));

        // Every exchange as the request log has it (a passing case keeps no evidence in the report).
        var logged = File.ReadLines(Path.Combine(dir, "requests.jsonl")).Select(l => JsonNode.Parse(l)!["responseHeaders"]!.AsObject()).ToList();
        logged.Should().NotBeEmpty();
        foreach (var headers in logged.Select(o => o.Select(h => KeyValuePair.Create(h.Key, (string)h.Value!)).ToList()))
        {
            headers.Where(h => h.Key.StartsWith("X-T", StringComparison.Ordinal) || h.Key.StartsWith("X-U", StringComparison.Ordinal)).Select(h => h.Value)
                .Should().HaveCount(7).And.OnlyContain(v => v == Redactor.Mask, "each piece of a credential is masked");
            foreach (var (name, value) in Ordinary)
            {
                // The name as the server spells it (X-Request-ID); the value as it was sent.
                headers.Should().ContainSingle(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Which.Value.Should().Be(value, "a header that holds no secret is reported as it was sent");
            }
        }
    }

    [Test]
    public async Task A_providers_control_characters_reach_report_html_and_report_md_as_escapes()
    {
        // Before, the HTML and Markdown reports quoted WAVY-007's link with its ESC sequences, bell and NUL as they came:
        // a terminal shown either file (cat, less -r, a CI log of it) obeys them, and HTML has no place for them.
        await using var provider = await HostileLinkAsync();

        await ConformanceEngine.RunAsync(AdHoc(provider, "wavy-open-sessions", "WAVY-007"));

        foreach (var report in new[] { "report.html", "report.md" })
        {
            var text = File.ReadAllText(Path.Combine(dir, report));
            text.Where(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')).Select(c => $"U+{(int)c:X4}").Should().BeEmpty($"{report} must show them as text");
            // Markdown's own escapes then apply to the backslash and the bracket.
            text.Should().Contain(report == "report.md" ? @"\\u001B\]0;pwned\\u0007\\u001B\[2J" : @"\u001B]0;pwned\u0007\u001B[2J", report);
        }
    }
}
