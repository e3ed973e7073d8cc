using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// Providers of the tests' own that try to make a secret leak, or a credential travel where it must not:
/// each run goes through the engine, and every file of the report directory is searched afterwards (and the
/// providers' own request records, for where a credential went).
/// </summary>
[TestFixture]
public sealed class SecretHuntTests
{
    private const string Token = "HUNT-TOKEN-6f1d0c9b8a7e4f3d2c1b0a9e8d7c6b5a4f3e2d1c";
    private const string User = "hunt user/9e41+b7c2~?"; // its base64 holds a '/'
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-hunt-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    /// <summary>A Wavy provider: credentials checked, <paramref name="link"/> as the file_url, a header-only CSV on its own /files/; <paramref name="twist"/> answers first when it likes.</summary>
    private static Task<HostileProvider> WavyAsync(Func<HttpContext, string>? link = null, Func<HttpContext, Task<bool>>? twist = null) =>
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

                http.Response.ContentType = "application/json";
                var url = link?.Invoke(http) ?? $"{http.Request.Scheme}://{http.Request.Host}/files/{http.Request.Query["customerId"]}.csv";
                await http.Response.WriteAsync(new JsonObject { ["file_url"] = url }.ToJsonString());
            }
            else if (path.StartsWith("/files/", StringComparison.Ordinal))
            {
                http.Response.ContentType = "text/csv; charset=utf-8";
                await http.Response.WriteAsync("source,session_created_at\n");
            }
            else
            {
                http.Response.StatusCode = 404;
            }
        });

    private RunSettings AdHoc(HostileProvider provider, params string[] filter) => new()
    {
        Apis = ["wavy-open-sessions"],
        Filter = filter,
        AdHoc = new AdHocTarget(new Uri(provider.Origin, "/wavy").ToString(),
            new Dictionary<string, string> { ["authenticationToken"] = Token, ["userName"] = User },
            new Dictionary<string, string> { ["customerWithSessions"] = "1001", ["customerWithoutSessions"] = "1002", ["subAccount"] = "11" }),
        ReportDirectory = dir,
        ContractsDirectory = Harness.Layout.Root,
        RequestTimeout = TimeSpan.FromSeconds(2),
        RunTimeout = TimeSpan.FromSeconds(60),
    };

    [Test]
    public async Task A_file_url_on_another_origin_that_carries_the_token_is_not_fetched()
    {
        await using var elsewhere = await HostileProvider.StartAsync(async http =>
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            await http.Response.WriteAsync("source,session_created_at\n");
        });
        var link = new Uri(elsewhere.Origin, "/files/export.csv?token=" + Token).AbsoluteUri;
        await using var provider = await WavyAsync(link: _ => link);

        var results = await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-009"));

        provider.Requests.Should().NotBeEmpty();
        var download = results.Requirements.Single(r => r.Id == "WAVY-009").Cases.Single(c => c.Element == "with-sessions");
        download.Verdict.Should().Be(Verdict.Deviation);
        download.Message.Should().Contain("not sent: the URL carries a credential").And.Contain("?token=[redacted]");
        elsewhere.Requests.Select(r => r.PathAndQuery).Should().NotContain(q => q.Contains(Token, StringComparison.Ordinal),
            "the token goes to its own origin only, in a header or in a URL");
        NoFileHolds(SecretLeakTests.Forms(Token));
    }

    [Test]
    public async Task A_body_that_repeats_the_token_up_to_the_excerpt_bound_shows_no_part_of_it()
    {
        // The excerpt keeps 4 × 400 bytes, masks them, then cuts at 400 characters: 30 whole tokens shrink to
        // 30 masks, and the token cut at byte 1600 (its first 45 characters) ends before character 400.
        var body = new string('a', 1600 - 45 - (30 * Token.Length)) + string.Concat(Enumerable.Repeat(Token, 40));
        await using var provider = await RefusingWithBodyAsync(body, "text/plain");

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-005"));

        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("[redacted]", "the body's whole tokens were masked");
        NoFileHolds([Token[11..], Token[11..40], Token[20..45]]);
    }

    /// <summary>The credentials as a provider may echo them in a URL's query, a form or an HTML page: each encoding a form of the secret the artifacts must not hold.</summary>
    private static IEnumerable<string> Echoes()
    {
        static string Lower(string escaped) => System.Text.RegularExpressions.Regex.Replace(escaped, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant());
        foreach (var secret in new[] { Token, User })
        {
            yield return System.Web.HttpUtility.UrlEncode(secret); // lower-case hex, '+' for a space
            yield return System.Net.WebUtility.UrlEncode(secret); // upper-case hex, '+' for a space
            yield return Lower(Uri.EscapeDataString(secret));
            yield return string.Concat(Encoding.UTF8.GetBytes(secret).Select(b => $"%{b:X2}"));
            yield return string.Concat(secret.Select(c => $"&#{(int)c};"));
            yield return string.Concat(secret.Select(c => $"&#x{(int)c:x};"));
        }
    }

    [Test]
    public async Task A_credential_echoed_percent_encoded_or_as_html_entities_is_redacted()
    {
        var echoes = Echoes().ToList();
        await using var provider = await WavyAsync(twist: http =>
        {
            for (var i = 0; i < echoes.Count; i++)
            {
                http.Response.Headers[$"X-Echo-{i}"] = echoes[i];
            }

            return Task.FromResult(false);
        });

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-006", "WAVY-009"));

        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("X-Echo-0");
        NoFileHolds(echoes);
    }

    [Test]
    public async Task A_credential_echoed_percent_encoded_twice_is_redacted()
    {
        // A link put into another link's query is escaped twice: each '%' of the first escape becomes %25.
        string[] echoes = [Uri.EscapeDataString(Uri.EscapeDataString(User)), string.Concat(Encoding.UTF8.GetBytes(User).Select(b => $"%25{b:x2}"))];
        echoes[0].Should().Contain("%252F");
        await using var provider = await WavyAsync(twist: async http =>
        {
            if (!http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) || http.Request.Headers["authenticationToken"] == Token)
            {
                return false;
            }

            http.Response.StatusCode = 401;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync($$"""{"error":"bad credentials","login":"/login?next=%2Fv1%2Fsession%3Fuser%3D{{echoes[0]}}","raw":"{{echoes[1]}}"}""");
            return true;
        });

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-005"));

        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("bad credentials");
        NoFileHolds(echoes);
    }

    [Test]
    public async Task A_base_url_with_a_password_in_it_keeps_the_password_out_of_every_artifact()
    {
        const string password = "hunt-pass-5c0e9a7d41b2";
        await using var provider = await WavyAsync();
        var settings = AdHoc(provider, "WAVY-006", "WAVY-009");

        await ConformanceEngine.RunAsync(settings with
        {
            AdHoc = settings.AdHoc! with { BaseUrl = new UriBuilder(provider.Origin) { UserName = "hunt", Password = password, Path = "/wavy" }.Uri.ToString() },
        });

        provider.Requests.Should().NotBeEmpty();
        NoFileHolds([password]);
    }

    [Test]
    public async Task A_url_whose_own_user_information_holds_a_secret_is_sent_to_its_host()
    {
        // A state URL or a provider's base URL configured as https://user:password@host/: the password is the
        // user's own for that host (masked in every report), not a credential a provider's link carries elsewhere.
        const string password = "hunt-pass-5c0e9a7d41b2";
        await using var provider = await HostileProvider.StartAsync(http => Task.CompletedTask);
        var redactor = new Http.Redactor();
        redactor.AddSecret(password);
        using var log = new Http.RequestLog();
        using var client = new Http.ConformanceHttpClient(new Http.HttpSettings { RequestTimeout = TimeSpan.FromSeconds(3) }, redactor, log);

        var exchange = await client.SendAsync(new Http.HttpCall
        {
            Method = "POST",
            Url = new UriBuilder(provider.Origin) { UserName = "hunt", Password = password, Path = "/state" }.Uri,
        }, CancellationToken.None);

        exchange.Error.Should().BeNull();
        exchange.Status.Should().Be(200);
        exchange.Url.Should().NotContain(password);
        provider.Requests.Should().ContainSingle().Which.Headers.Should().NotContainKey("Authorization", "the stack does not send user information");
    }

    [Test]
    public async Task A_credential_echoed_in_base64_with_its_slash_escaped_is_redacted()
    {
        // A PHP provider's JSON writes '/' as '\/'; a URL's query writes base64's '/' as %2F.
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + Token));
        basic.Should().Contain("/");
        string[] echoes = [basic.Replace("/", "\\/", StringComparison.Ordinal), Uri.EscapeDataString(basic)];
        await using var provider = await WavyAsync(twist: async http =>
        {
            if (!http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) || http.Request.Headers["authenticationToken"] == Token)
            {
                return false;
            }

            http.Response.StatusCode = 401;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync($$"""{"error":"bad credentials","seen":"{{echoes[0]}}","retry":"/v1/session?auth={{echoes[1]}}"}""");
            return true;
        });

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-005"));

        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("bad credentials");
        NoFileHolds(echoes.Append(basic[..basic.IndexOf('/', StringComparison.Ordinal)])); // the user name but its last character
    }

    [Test]
    public async Task A_credential_echoed_in_utf_16_is_redacted()
    {
        // A Windows-born provider may answer in UTF-16; decoded as UTF-8 (as an excerpt is), the token is its
        // characters with a NUL after (LE) or before (BE) each.
        await using var provider = await WavyAsync(twist: async http =>
        {
            if (!http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) || http.Request.Headers["authenticationToken"] == Token)
            {
                return false;
            }

            http.Response.StatusCode = 401;
            http.Response.ContentType = "text/plain; charset=utf-16";
            var echo = Encoding.Unicode.GetBytes($"bad token {Token}; ").Concat(Encoding.BigEndianUnicode.GetBytes($"for {Token}")).ToArray();
            await http.Response.Body.WriteAsync(echo);
            return true;
        });

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-005"));

        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("b\uFFFDa\uFFFDd", "the UTF-16 body's excerpt is in the log, a NUL shown as U+FFFD");
        // The token's characters with any one character between them (a NUL, or what an excerpt shows for one).
        var spaced = string.Join(".", Token.Select(c => System.Text.RegularExpressions.Regex.Escape(c.ToString())));
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToList();
        files.Where(f => System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(f), spaced)).Select(Path.GetFileName).Should().BeEmpty("no artifact may hold the token in UTF-16");
        var unicode = Encoding.Unicode.GetBytes(Token);
        files.Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(unicode) >= 0).Select(Path.GetFileName).Should().BeEmpty();
    }

    [Test]
    public void A_body_that_is_not_utf_8_has_the_secret_masked_in_its_utf_16_bytes_too()
    {
        var redactor = new Http.Redactor();
        redactor.AddSecret(Token);
        byte[] body = [0xFF, 0xFE, .. Encoding.Unicode.GetBytes($"é {Token}"), 0xC3, .. Encoding.BigEndianUnicode.GetBytes(Token), .. Encoding.UTF8.GetBytes(Token)];

        var scrubbed = redactor.ScrubBytes(body);

        foreach (var needle in new[] { Encoding.Unicode, Encoding.BigEndianUnicode, Encoding.UTF8 }.Select(e => e.GetBytes(Token)))
        {
            scrubbed.AsSpan().IndexOf(needle).Should().Be(-1);
        }

        scrubbed.Length.Should().Be(body.Length, "a body that is not UTF-8 is masked in place");
    }

    [Test]
    public async Task A_credential_split_over_two_response_headers_is_redacted()
    {
        // Half the token in one header, half in another; the user name in two values of one header (joined with ", ");
        // the token with a space in its middle, as a header folded over two lines reads.
        var (head, tail) = (Token[..25], Token[25..]);
        var (first, second) = (User[..10], User[10..]);
        await using var provider = await WavyAsync(twist: http =>
        {
            http.Response.Headers["X-Echo-Head"] = "token starts " + head;
            http.Response.Headers["X-Echo-Tail"] = tail + " ends it";
            http.Response.Headers.Append("X-Echo-User", first);
            http.Response.Headers.Append("X-Echo-User", second);
            http.Response.Headers["X-Echo-Folded"] = Token[..30] + " " + Token[30..];
            return Task.FromResult(false);
        });

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-006", "WAVY-009"));

        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("X-Echo-Tail").And.Contain("token starts [redacted]");
        NoFileHolds([head, tail, first, second, Token[..30], Token[30..]]);
    }

    [Test]
    public async Task A_credential_cut_into_response_headers_with_other_headers_between_the_pieces_is_redacted()
    {
        // The token 6 characters a header, an ordinary header between each two; the user name 4 characters a value of
        // one header's list, an ordinary value between each two: read in order, the pieces spell the credential.
        var pieces = Enumerable.Range(0, (Token.Length + 5) / 6).Select(i => Token.Substring(6 * i, Math.Min(6, Token.Length - (6 * i)))).ToList();
        var userPieces = Enumerable.Range(0, (User.Length + 3) / 4).Select(i => User.Substring(4 * i, Math.Min(4, User.Length - (4 * i)))).ToList();
        await using var provider = await WavyAsync(twist: http =>
        {
            for (var i = 0; i < pieces.Count; i++)
            {
                http.Response.Headers[$"X-Part-{i}"] = pieces[i];
                http.Response.Headers[$"X-Between-{i}"] = $"ordinary-{i}";
            }

            http.Response.Headers["X-User"] = new Microsoft.Extensions.Primitives.StringValues([.. userPieces.SelectMany((p, i) => new[] { p, $"v{i}" })]);
            return Task.FromResult(false);
        });

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-006"));

        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("X-Part-3").And.Contain("ordinary-3", "the ordinary values between the pieces stay readable");
        NoFileHolds([.. pieces.Where(p => p.Length >= 4), .. userPieces.Where(p => p.Length == 4 && p.Any(char.IsDigit))]);
    }

    [Test]
    public async Task A_credential_echoed_in_base64_wrapped_over_lines_is_redacted()
    {
        // MIME's base64 (76 characters a line, CRLF), raw and in a JSON string ("\r\n" escaped): the token's base64
        // runs over the line break, and neither line holds it whole.
        var wrapped = Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + Token), Base64FormattingOptions.InsertLineBreaks);
        var lines = wrapped.Split("\r\n");
        lines.Should().HaveCount(2);
        await using var provider = await WavyAsync(twist: async http =>
        {
            if (!http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) || http.Request.Headers["authenticationToken"] == Token)
            {
                return false;
            }

            http.Response.StatusCode = 401;
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync($$"""{"error":"bad credentials","seen":"{{wrapped.Replace("\r\n", "\\r\\n", StringComparison.Ordinal)}}"}""" + "\r\n" + wrapped + "\r\n");
            return true;
        });

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-005"));

        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("bad credentials");
        // The base64 of the token's bytes alone (the user name and ':' take the first 30 characters).
        NoFileHolds([lines[0][32..], lines[1][..20]]);
    }

    [Test]
    public async Task A_body_cut_inside_an_escaped_credential_shows_no_part_of_it()
    {
        // A JSON body with the token written \uXXXX by \uXXXX, again and again: the excerpt keeps 1,600 bytes, which end
        // inside the fifth token's 21st escape; the four whole ones shrink to masks and bring that fifth token's first
        // 20 characters within the excerpt's 400.
        var escaped = string.Concat(Token.Select(c => $"\\u{(int)c:x4}"));
        var body = "{\"e\":\"" + new string('a', 1600 - 6 - (4 * escaped.Length) - ((20 * 6) + 3)) + string.Concat(Enumerable.Repeat(escaped, 6)) + "\"}";
        await using var provider = await RefusingWithBodyAsync(body, "application/json");

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-005"));

        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("[redacted]", "the whole escaped tokens were masked");
        var part = escaped[..(6 * 8)]; // the first 8 characters of the token, escaped
        NoFileHolds([part, part.Replace("\\", "\\\\", StringComparison.Ordinal)]);
    }

    [Test]
    public void A_cut_text_ending_inside_an_escape_of_a_credential_is_masked_from_the_credentials_first_character()
    {
        var redactor = new Http.Redactor();
        redactor.AddSecret(Token);
        var escaped = string.Concat(Token.Select(c => $"\\u{(int)c:X4}"));

        foreach (var cut in new[] { 6 * 5, (6 * 5) + 1, (6 * 5) + 3, (6 * 12) + 5, 6 * (Token.Length - 1) })
        {
            redactor.ScrubCut("seen: " + escaped[..cut]).Should().Be("seen: [redacted]", $"cut after {cut} characters");
        }

        redactor.ScrubCut("seen: " + escaped[..(6 * 3)]).Should().Be("seen: " + escaped[..(6 * 3)], "three characters are fewer than a part masked");
        redactor.ScrubCut("seen: H%55N%54-T&#79;K").Should().Be("seen: [redacted]", "any mix of escapes");
        redactor.ScrubPieces("folded: " + Token[..20] + " " + Token[20..]).Should().Be("folded: [redacted] [redacted]");
        redactor.ScrubPieces("application/json; charset=utf-8").Should().Be("application/json; charset=utf-8");
    }

    [Test]
    public void A_text_that_opens_with_a_byte_order_mark_still_has_a_credential_with_invisible_characters_between_its_own_masked()
    {
        // The quick search passes over a byte order mark that opens a text (every Excel CSV has one): it stands inside
        // no secret. One between a secret's characters, or any other invisible one, still sends the text to the pattern.
        var redactor = new Http.Redactor();
        redactor.AddSecret(Token);
        const string Bom = "\uFEFF";
        foreach (var between in new[] { '\uFEFF', '\u200B', '\u00AD' })
        {
            redactor.Scrub($"{Bom}id;name\n1;{string.Join(between, Token.ToCharArray())}\n").Should().Be($"{Bom}id;name\n1;{Http.Redactor.Mask}\n", $"U+{(int)between:X4} between the token's characters");
        }

        redactor.Scrub($"{Bom}{Token}").Should().Be($"{Bom}{Http.Redactor.Mask}");
        redactor.Scrub($"{Bom}id;name\n1;Ana\n").Should().Be($"{Bom}id;name\n1;Ana\n");
    }

    [Test]
    public void A_credential_cut_into_texts_shorter_than_a_piece_is_masked_in_each_and_the_texts_around_it_are_not()
    {
        var redactor = new Http.Redactor();
        redactor.AddSecret(Token);
        string[] ordinary = ["1234", "no-store", "Thu, 03 Dec 2026 23:15:00 GMT", "\"33a64df5\"", "application/json; charset=utf-8"];
        string[] pieces = [.. Enumerable.Range(0, (Token.Length + 4) / 5).Select(i => Token.Substring(5 * i, Math.Min(5, Token.Length - (5 * i))))];

        redactor.ScrubPieces([.. ordinary, .. pieces, .. ordinary]).Should().Equal([.. ordinary, .. pieces.Select(_ => Http.Redactor.Mask), .. ordinary]);
        redactor.ScrubPieces(["x-" + Token[..5], Token[5..12] + " and more"]).Should().Equal("x-[redacted]", "[redacted] and more");
        redactor.ScrubPieces([Token[..5], "other", Token[5..10]]).Should().Equal(Http.Redactor.Mask, "other", Http.Redactor.Mask);
        redactor.ScrubPieces([Token[10..16].ToUpperInvariant(), "other", Token[16..22].ToUpperInvariant()]).Should().Equal(new[] { Http.Redactor.Mask, "other", Http.Redactor.Mask }, "pieces in another case");
        redactor.ScrubPieces(["1234", "no-store", Token[..5], "0", "3", Token[5..10]]).Should().Equal("1234", "no-store", Http.Redactor.Mask, "0", "3", Http.Redactor.Mask);
        redactor.ScrubPieces(["HUNT", "other", "TOKEN-0000"]).Should().Equal(new[] { "HUNT", "other", "TOKEN-0000" }, "values that are no secret's pieces end to end are kept");
    }

    [Test]
    public void A_piece_written_with_a_letter_equal_to_the_secret_s_only_ignoring_case_is_masked_like_the_letter_itself()
    {
        // The final sigma has the same capital as the secret's sigma, and is neither its lower nor its upper case: the
        // pieces, each shorter than a piece and with another text between them, are found as one chain all the same.
        var redactor = new Http.Redactor();
        redactor.AddSecret("abcdσσσσefgh1234");

        redactor.ScrubPieces(["abcdς", "zzz", "σσσefgh"]).Should().Equal(Http.Redactor.Mask, "zzz", Http.Redactor.Mask);
        redactor.ScrubPieces(["abcdς", "zzz", "xyzefgh"]).Should().Equal("abcdς", "zzz", "xyzefgh");
    }

    [Test]
    public void A_text_cut_after_a_secret_s_first_characters_is_masked_there_when_they_come_again_later_in_the_secret()
    {
        // The text's last four characters stand twice in the secret: the cut may have fallen after their first
        // appearance (the secret's first four characters) as well as after their second.
        var redactor = new Http.Redactor();
        redactor.AddSecret("wxyz-abcd-wxyz-9876");

        redactor.ScrubCut("a text longer than the secret, then wxyz").Should().Be($"a text longer than the secret, then {Http.Redactor.Mask}");
        redactor.ScrubCut("a text longer than the secret, then wxyz-abcd-wx").Should().Be($"a text longer than the secret, then {Http.Redactor.Mask}");
        redactor.ScrubCut("a text longer than the secret, then wxyq").Should().Be("a text longer than the secret, then wxyq");
    }

    [Test]
    public void A_secret_added_to_one_of_two_redactors_of_the_same_secrets_is_masked_by_that_one_alone()
    {
        // Redactors of the same secrets share one set of patterns: what one of them adds must not reach the other.
        var first = new Http.Redactor();
        var second = new Http.Redactor();
        first.AddSecret(Token);
        second.AddSecret(Token);
        second.AddSecret("second-only-secret-42");

        first.Scrub($"{Token} second-only-secret-42").Should().Be($"{Http.Redactor.Mask} second-only-secret-42");
        second.Scrub($"{Token} second-only-secret-42").Should().Be($"{Http.Redactor.Mask} {Http.Redactor.Mask}");
        new Http.Redactor().Scrub(Token).Should().Be(Token, "a redactor without secrets masks nothing");
    }

    [Test]
    public async Task A_csv_first_line_quoted_up_to_its_cut_shows_no_part_of_the_token_cut_there()
    {
        // A first line that never ends is quoted in the finding by its first 200 characters: the token starts at 170,
        // so the cut keeps its first 30 characters, which the finding's redaction no longer sees as the token.
        var line = new string('a', 170) + Token + new string('b', 70_000);
        await using var provider = await WavyAsync(twist: async http =>
        {
            if (!http.Request.Path.Value!.StartsWith("/files/", StringComparison.Ordinal))
            {
                return false;
            }

            http.Response.ContentType = "text/csv; charset=utf-8";
            await http.Response.WriteAsync(line);
            return true;
        });

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-011"));

        File.ReadAllText(Path.Combine(dir, "results.json")).Should().Contain("does not end within");
        NoFileHolds([Token[..20], Token[11..30]]);
    }

    [Test]
    public void A_text_cut_before_an_ellipsis_inside_a_credential_is_masked_there_and_ordinary_cuts_are_kept()
    {
        var redactor = new Http.Redactor();
        redactor.AddSecret(Token);

        redactor.Scrub($"received \"{Token[..30]}…\" at /file_url").Should().Be("received \"[redacted]…\" at /file_url");
        redactor.Scrub($"cursor '{Token[..24]}…', already followed; then '{Token[..12]}…'").Should().Be("cursor '[redacted]…', already followed; then '[redacted]…'");
        redactor.Scrub("a first line that starts 'source,session_created_at,aaaa…'").Should().Be("a first line that starts 'source,session_created_at,aaaa…'");
    }

    [Test]
    public async Task A_credential_echoed_in_another_case_reversed_or_with_invisible_characters_between_its_own_is_redacted()
    {
        // A provider that upper-cases what it echoes (a hex token read as case-insensitive), lower-cases it, swaps
        // each letter's case, writes it back to front, or puts a zero-width space (or joiner, soft hyphen, BOM) between its characters: a
        // page shows the same token.
        static string Swapped(string s) => string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));
        static string Spaced(string s, char between) => string.Join(between, s.ToCharArray());
        string[] echoes = [Token.ToUpperInvariant(), Token.ToLowerInvariant(), Swapped(User), Spaced(Token, '\u200B'), Spaced(User, '\u2060'), Spaced(Token, '\u00AD'), string.Concat(Token.Reverse()), string.Concat(User.Reverse())];
        await using var provider = await WavyAsync(twist: async http =>
        {
            if (!http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) || http.Request.Headers["authenticationToken"] == Token)
            {
                return false;
            }

            http.Response.StatusCode = 401;
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync("bad credentials: " + string.Join("\n", echoes));
            return true;
        });

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-005"));

        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("bad credentials");
        NoFileHolds([.. echoes.Take(3), .. echoes.TakeLast(2)]);
        // The invisible characters as a file may hold them: raw, or escaped by a JSON or HTML writer.
        var invisible = new System.Text.RegularExpressions.Regex(@"[\u00AD\u200B\u2060]|\\u(?i:00ad|200b|2060)|&#(?:173|8203|8288|x(?i:ad|200b|2060));");
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => invisible.Replace(File.ReadAllText(f), "") is var seen && (seen.Contains(Token, StringComparison.Ordinal) || seen.Contains(User, StringComparison.Ordinal)))
            .Select(Path.GetFileName).Should().BeEmpty("no artifact may hold a credential with invisible characters between its own");
    }

    [Test]
    public async Task A_credential_echoed_in_base32_base58_or_rot13_is_redacted()
    {
        // Base32 (RFC 4648's alphabet, its extended hex one, or Crockford's; upper or lower case), whole or inside a
        // longer encoded value (user:token, as Basic credentials pair them); base58 (Bitcoin's alphabet) of the token alone;
        // and ROT13, which a page shows for anyone to read back.
        var pair = Encoding.UTF8.GetBytes(User + ":" + Token);
        string[] echoes =
        [
            SimpleBase.Base32.Rfc4648.Encode(Encoding.UTF8.GetBytes(Token), padding: true),
            SimpleBase.Base32.Rfc4648.Encode(pair, padding: false).ToLowerInvariant(),
            SimpleBase.Base32.ExtendedHex.Encode(pair, padding: true),
            SimpleBase.Base32.Crockford.Encode(pair, padding: false),
            SimpleBase.Base58.Bitcoin.Encode(Encoding.UTF8.GetBytes(Token)),
            SecretLeakTests.Rot13(Token),
            SecretLeakTests.Rot13(User),
            // Between bytes whose bits are all ones, at each alignment: no character that holds a bit of another byte is the secret's.
            .. Enumerable.Range(1, 4).Select(k => SimpleBase.Base32.Rfc4648.Encode([.. Enumerable.Repeat((byte)0xFF, k), .. Encoding.UTF8.GetBytes(Token), 0xFF, 0xFF], padding: false)),
        ];
        await using var provider = await RefusingWithBodyAsync("bad credentials: " + string.Join("\n", echoes), "text/plain; charset=utf-8");

        await ConformanceEngine.RunAsync(AdHoc(provider, "WAVY-005"));

        File.ReadAllText(Path.Combine(dir, "requests.jsonl")).Should().Contain("bad credentials");
        // The token's characters in each base32 value: the middle of each, which its bytes alone decide.
        NoFileHolds([echoes[0][..40], echoes[1][^50..^10], echoes[2][^50..^10], echoes[3][^50..^10], .. echoes[4..7], .. echoes[7..].Select(e => e[8..^8])]);
    }

    /// <summary>Every file of the run, searched for each of <paramref name="forms"/>.</summary>
    private void NoFileHolds(IEnumerable<string> forms)
    {
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToList();
        files.Should().NotBeEmpty();
        using var all = new FluentAssertions.Execution.AssertionScope();
        foreach (var form in forms)
        {
            files.Where(f => File.ReadAllText(f).Contains(form, StringComparison.Ordinal)).Select(Path.GetFileName)
                .Should().BeEmpty($"no artifact may hold a credential in any form ({form})");
        }
    }

    /// <summary>A Wavy provider that answers every session call without the right token with a 401 carrying <paramref name="body"/>.</summary>
    private static Task<HostileProvider> RefusingWithBodyAsync(string body, string contentType) => WavyAsync(twist: async http =>
    {
        if (!http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) || http.Request.Headers["authenticationToken"] == Token)
        {
            return false;
        }

        http.Response.StatusCode = 401;
        http.Response.ContentType = contentType;
        await http.Response.WriteAsync(body);
        return true;
    });
}
