using System.Text.Json;
using ConformanceSuite.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// Findings are typed records: every type has a name in results.json, survives the round trip with its
/// fields, renders "expected … / received …", and has every text scrubbed of secrets; the fault expectations
/// name only types that exist.
/// </summary>
[TestFixture]
public sealed class FindingTests
{
    private const string Secret = "s3cr3t-token-value";

    /// <summary>One of each type, each with the secret in some text field where it has one.</summary>
    public static IEnumerable<Finding> Samples() =>
    [
        new StatusMismatch(400, 200, StatusReading.NotRefused) { Subject = $"without {Secret}" },
        new TransportProblem($"reset after {Secret}", 200),
        new CrossOriginRedirect(307, $"http://elsewhere/?t={Secret}"),
        new SchemaViolationFinding("body.schema.json", "/items/0/id", "GuidExpected", $"'{Secret}' is not a uuid"),
        new NotJson($"'{Secret}"),
        new HeaderMismatch("Content-Type", "application/json", $"text/{Secret}"),
        new ValueMismatch("/file_url", "an absolute http(s) URL", $"'/{Secret}'"),
        new MissingItems(10, 2, Secret, "matching items"),
        new UnexpectedItem(2, "id-1", "/status = open", $"/status = \"{Secret}\""),
        new ExtraItems(3, "only rows that also appear without it", Secret),
        new OrderViolation(4, "/name ascending", $"(/name={Secret}) before (/name=a)"),
        new CountMismatch("rows", CountRelation.FewerThan, 5, 5),
        new PaginationProblem(PaginationIssue.DuplicateId, 2, $"'{Secret}' on page 1 and again on page 2"),
        new CsvHeaderProblem(CsvHeaderIssue.Names, "a column 'source'", $"'{Secret}' in its place", "F-1"),
        new CsvRowProblem(1, 2, "source", Secret, "10 to 15 digits"),
        new ArchiveProblem(ArchiveIssue.EntryName, "a.csv", $"{Secret}.csv"),
        new SlowResponse($"GET http://h/?q={Secret}", "valid call", 6000, 5, null),
        new RetriedRequest("GET http://h/", $"page of {Secret}", 200, 2),
        new CredentialExposure("http://api", ["authenticationToken"], $"http://other/{Secret}"),
        new PactMismatch($"expected 400 but was 200 ({Secret})"),
    ];

    [Test]
    public void Every_type_has_a_sample_and_a_name()
    {
        Samples().Select(s => s.Type).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(Finding.TypeNames);
    }

    [TestCaseSource(nameof(Samples))]
    public void A_finding_round_trips_through_results_json_with_its_type_and_fields(Finding finding)
    {
        var json = JsonSerializer.Serialize(finding, ResultsJson.Options);
        var back = JsonSerializer.Deserialize<Finding>(json, ResultsJson.Options)!;

        back.GetType().Should().Be(finding.GetType());
        JsonSerializer.Serialize(back, ResultsJson.Options).Should().Be(json, "every field survives");
        back.Message.Should().Be(finding.Message);
        JsonNode.Parse(json)!["type"]!.GetValue<string>().Should().Be(finding.Type);
        JsonNode.Parse(json)!["message"]!.GetValue<string>().Should().Be(finding.Message);
    }

    [TestCaseSource(nameof(Samples))]
    public void A_finding_says_what_was_expected_and_what_was_received(Finding finding)
    {
        finding.Message.Should().MatchRegex(@"expected .+ / received .+");
    }

    [TestCaseSource(nameof(Samples))]
    public void Scrubbing_reaches_every_text_field_and_keeps_the_rest(Finding finding)
    {
        var scrubbed = finding.Scrubbed(s => s.Replace(Secret, "[redacted]", StringComparison.Ordinal));

        scrubbed.GetType().Should().Be(finding.GetType());
        JsonSerializer.Serialize(scrubbed, ResultsJson.Options).Should().NotContain(Secret);
        scrubbed.Message.Should().NotContain(Secret);
        if (finding.Message.Contains(Secret, StringComparison.Ordinal))
        {
            scrubbed.Message.Should().Contain("[redacted]");
        }
        else
        {
            JsonSerializer.Serialize(scrubbed, ResultsJson.Options).Should().Be(JsonSerializer.Serialize(finding, ResultsJson.Options), "a finding without the secret is unchanged");
        }
    }

    [TestCaseSource(nameof(Samples))]
    public void Every_text_a_provider_can_make_long_is_cut_after_it_is_scrubbed(Finding finding)
    {
        // Each text field made long, with the secret at the very end of what is kept: it must be redacted whole,
        // then cut, and the text must say how long it was.
        var padding = new string('p', ProviderText.MaxChars - Secret.Length);
        var texts = finding.GetType().GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite)
            .Select(p => ResultsJson.Options.PropertyNamingPolicy!.ConvertName(p.Name)).ToHashSet(StringComparer.Ordinal);
        var node = JsonSerializer.SerializeToNode(finding, ResultsJson.Options)!.AsObject();
        foreach (var (name, value) in node.ToList())
        {
            if (texts.Contains(name) && value is JsonValue v && v.TryGetValue<string>(out var text))
            {
                node[name] = padding + Secret + text + new string('q', 50_000);
            }
        }

        var scrubbed = node.Deserialize<Finding>(ResultsJson.Options)!.Scrubbed(s => s.Replace(Secret, "[redacted]", StringComparison.Ordinal));

        var json = JsonSerializer.SerializeToNode(scrubbed, ResultsJson.Options)!.AsObject();
        json.Where(kv => texts.Contains(kv.Key)).Should().NotBeEmpty("every sample has a text field");
        foreach (var (name, value) in json.Where(kv => texts.Contains(kv.Key) && kv.Value is not null))
        {
            var text = value!.GetValue<string>();
            text.Should().StartWith(padding + "[redacted]", name).And.NotContain(Secret);
            var whole = node[name]!.GetValue<string>().Replace(Secret, "[redacted]", StringComparison.Ordinal);
            text.Should().Be($"{whole[..ProviderText.MaxChars]}… ({whole.Length:N0} characters in all)", name);
        }

        scrubbed.Message.Length.Should().BeLessThan(6 * (ProviderText.MaxChars + 40));
    }

    [Test]
    public void A_text_is_cut_only_past_the_bound_and_never_inside_a_surrogate_pair()
    {
        var exact = new string('x', ProviderText.MaxChars);
        ProviderText.Bounded(exact).Should().BeSameAs(exact);
        ProviderText.Bounded(exact + "y").Should().Be($"{exact}… ({ProviderText.MaxChars + 1:N0} characters in all)");

        // An emoji (two UTF-16 units) across the bound: cut before it, not between its halves.
        var straddling = new string('x', ProviderText.MaxChars - 1) + "\U0001F600" + "tail";
        var cut = ProviderText.Bounded(straddling);
        cut.Should().Be($"{new string('x', ProviderText.MaxChars - 1)}… ({ProviderText.MaxChars + 5:N0} characters in all)");
        cut.Any(char.IsSurrogate).Should().BeFalse();
    }

    [Test]
    public void A_text_on_one_line_shows_each_line_break_as_its_escape_and_the_rest_as_it_is()
    {
        const string plain = "no break here: tab\t, ESC \u001b, NBSP \u00a0, é";
        ProviderText.OneLine(plain).Should().BeSameAs(plain);
        ProviderText.OneLine("a\r\nb\nc\rd\u0085e\u2028f\u2029g\u2027h\u0084")
            .Should().Be("a\\r\\nb\\nc\\rd\\u0085e\\u2028f\\u2029g\u2027h\u0084", "only the line breaks are escaped; their neighbours stay");
        ProviderText.OneLine("\n").Should().Be("\\n");
    }

    [Test]
    public void A_status_mismatch_reads_as_before()
    {
        new StatusMismatch(400, 200, StatusReading.NotRefused) { Subject = "without customerId" }.Message
            .Should().Be("without customerId: expected 400 / received 200: the request was not refused");
        new StatusMismatch(401, 403, StatusReading.Tolerated).Message.Should().Be("expected 401 / received 403: tolerated, reported as a deviation");
        new CsvRowProblem(1, 2, "source", "+55", "10 to 15 digits").Message.Should().Be("row 1 (line 2), source: expected 10 to 15 digits / received '+55'");
    }

    [Test]
    public void Every_fault_expectation_names_a_finding_type_that_exists()
    {
        Harness.Faults().Should().OnlyContain(f => Finding.TypeNames.Contains(f.Finding["type"]!.GetValue<string>()))
            .And.OnlyContain(f => f.Finding.Count > 1 || NoFieldTypes.Contains(f.Finding["type"]!.GetValue<string>()),
                "an expectation compares fields, not the type alone, where the type has stable ones");
    }

    [Test]
    public async Task Every_report_carries_the_finding_type_and_results_json_its_fields()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cs-finding-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var console = new StringWriter();
            var exit = await Cli.CliApp.RunAsync(["--api", "wavy-open-sessions", "--filter", "WAVY-001", "--fault", "customerId-not-required", "--report-dir", dir],
                console, console, CliTests.Context());

            exit.Should().Be(Cli.ExitCodes.NotConformant, console.ToString());
            var finding = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "results.json")))!["requirements"]![0]!["cases"]![0]!["findings"]![0]!;
            finding["type"]!.GetValue<string>().Should().Be("status-mismatch");
            finding["expected"]!.GetValue<int>().Should().Be(400);
            finding["received"]!.GetValue<int>().Should().Be(200);
            finding["reading"]!.GetValue<string>().Should().Be("NotRefused");
            finding["subject"]!.GetValue<string>().Should().Be("without customerId");
            File.ReadAllText(Path.Combine(dir, "report.md")).Should().Contain("- `status-mismatch` without customerId: expected 400 / received 200");
            File.ReadAllText(Path.Combine(dir, "report.html")).Should().Contain("<span class=\"ftype\">status-mismatch</span> without customerId: expected 400");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Types whose fields all depend on the run (ports, ids, timings), so an expectation gives the type alone.</summary>
    private static readonly string[] NoFieldTypes = ["not-json", "missing-items", "extra-items", "slow-response"];
}
