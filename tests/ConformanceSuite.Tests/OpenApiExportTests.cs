using System.Net.Http.Headers;
using System.Text.Json;
using ConformanceSuite.Cli;
using ConformanceSuite.Targets;
using ConformanceSuite.Testing;
using NJsonSchema;

namespace ConformanceSuite.Tests;

/// <summary>
/// <c>conformance openapi</c>: every export lints clean with a real OpenAPI linter (Redocly CLI, pinned by
/// tools/openapi-lint), its response schemas validate what the reference mock really answers (and refuse a
/// wrong body), a target profile's overrides show in it, and bad input is one clear line with exit 2.
/// </summary>
[TestFixture]
public sealed class OpenApiExportTests
{
    private static readonly string[] Apis = ["wavy-open-sessions", "opencx-chat-sessions", "chat-session-list"];

    private static readonly Lazy<string> Redocly = new(InstallRedocly);

    private const string Renamed = "chat-session-list, embedded-renamed";
    private const string Broken = "opencx-chat-sessions without its schemas";

    private readonly Lazy<Task<Dictionary<string, Linted>>> linted;
    private string dir = "";

    public OpenApiExportTests() => linted = new(LintAllAsync);

    [OneTimeSetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-openapi-" + Guid.NewGuid().ToString("N")));

    [OneTimeTearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    [TestCaseSource(nameof(Apis))]
    public async Task The_export_lints_clean_with_Redocly(string api)
    {
        var document = (await linted.Value)[api];

        document.Exit.Should().Be(ExitCodes.Conformant, document.Err);
        document.Output.Should().Contain(document.File);
        JsonNode.Parse(await File.ReadAllTextAsync(document.File))!["openapi"]!.GetValue<string>().Should().StartWith("3.1.");
        document.Errors.Should().Be(0, document.Problems);
        document.Warnings.Should().Be(0, document.Problems);
    }

    [Test]
    public async Task The_yaml_export_of_an_overridden_contract_lints_clean_with_Redocly()
    {
        var document = (await linted.Value)[Renamed];

        document.Exit.Should().Be(ExitCodes.Conformant, document.Err);
        var text = await File.ReadAllTextAsync(document.File);
        text.Should().StartWith("openapi: ", "a file named .yaml gets YAML");
        text.Should().Contain("name: pageSize").And.Contain("/v2/sessions:");
        document.Errors.Should().Be(0, document.Problems);
        document.Warnings.Should().Be(0, document.Problems);
    }

    [Test]
    public async Task The_linter_finds_a_broken_document()
    {
        // Linted in the same Redocly run as the clean documents: the run that passes them can fail one.
        var document = (await linted.Value)[Broken];

        document.Errors.Should().BeGreaterThan(0, "the responses reference schemas that are gone");
        document.Problems.Should().Contain("no-unresolved-refs");
    }

    [Test]
    public async Task The_exported_schemas_validate_the_mocks_responses_and_refuse_wrong_bodies()
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, Contracts = Harness.Contracts });
        var target = mock.Target();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // wavy-open-sessions: header API keys, a file_url body, and the CSV it links to.
        var wavy = new Exported(await ExportAsync("wavy-open-sessions"), target.Apis["wavy-open-sessions"]);
        var data = target.Apis["wavy-open-sessions"].TestData;
        var withSessions = await wavy.CallAsync(http, "open-sessions", $"customerId={data["customerWithSessions"]}");
        await wavy.CallAsync(http, "open-sessions", $"customerId={data["customerWithoutSessions"]}");
        await wavy.CallAsync(http, "open-sessions", $"customerId={data["customerWithSessions"]}&subAccountId={data["subAccount"]}");
        (await wavy.ViolationsAsync("open-sessions", """{"fileUrl": "http://example.test/x.csv"}""")).Should().NotBeEmpty("file_url is required");
        (await wavy.ViolationsAsync("open-sessions", """{"file_url": 42}""")).Should().NotBeEmpty("file_url is a string");
        using (var csv = await http.GetAsync(new Uri(withSessions["file_url"]!.GetValue<string>())))
        {
            csv.IsSuccessStatusCode.Should().BeTrue();
            var download = wavy.Operation("open-sessions")["responses"]!["200"]!["x-download"]!["content"]!.AsObject();
            download.Select(c => c.Key).Should().Contain(csv.Content.Headers.ContentType!.MediaType!);
        }

        // opencx-chat-sessions: bearer token, a cursor walk of two pages, and one session by id.
        var opencx = new Exported(await ExportAsync("opencx-chat-sessions"), target.Apis["opencx-chat-sessions"]);
        var first = await opencx.CallAsync(http, "list-sessions", "");
        var next = first["next"]!.GetValue<string>();
        await opencx.CallAsync(http, "list-sessions", "cursor=" + Uri.EscapeDataString(next));
        await opencx.CallAsync(http, "list-sessions", "status=open");
        var id = first["items"]![0]!["id"]!.GetValue<string>();
        var session = await opencx.CallAsync(http, "get-session", "", ("session_id", id));
        var badList = first.DeepClone();
        badList["items"]![0]!["status"] = "closed";
        (await opencx.ViolationsAsync("list-sessions", badList.ToJsonString())).Should().NotBeEmpty("closed is not a status");
        var badSession = session.DeepClone().AsObject();
        badSession.Remove("id");
        (await opencx.ViolationsAsync("get-session", badSession.ToJsonString())).Should().NotBeEmpty("id is required");
        (await opencx.ViolationsAsync("list-sessions", """{"items": []}""")).Should().NotBeEmpty("next is required");

        // chat-session-list: flags that make total and list present, offset paging, and the CSV export.
        var csl = new Exported(await ExportAsync("chat-session-list"), target.Apis["chat-session-list"]);
        var all = await csl.CallAsync(http, "list-sessions", "list=true&count=true&limit=100");
        all["list"]!.AsArray().Should().NotBeEmpty();
        await csl.CallAsync(http, "list-sessions", "count=true");
        await csl.CallAsync(http, "list-sessions", "list=true&limit=5&offset=5");
        var badCsl = all.DeepClone();
        badCsl["list"]![0]!["messengerType"] = "sms";
        (await csl.ViolationsAsync("list-sessions", badCsl.ToJsonString())).Should().NotBeEmpty("sms is not a messenger type");
        (await csl.ViolationsAsync("list-sessions", """{"total": -1}""")).Should().NotBeEmpty("a total is not negative");
        var csvType = await csl.ContentTypeAsync(http, "list-sessions", "list=true&format=CSV");
        csvType.Should().Be("text/csv");
        csl.Operation("list-sessions")["responses"]!["200"]!["content"]!.AsObject().Select(c => c.Key).Should().Contain(csvType);
    }

    [Test]
    public async Task A_target_profiles_overrides_show_in_the_export()
    {
        var canonical = await ExportAsync("chat-session-list");
        var renamed = await ExportAsync("chat-session-list", "--target", "embedded-renamed");

        Paths(canonical).Should().Equal("/chat-sessions");
        ParameterNames(canonical, "/chat-sessions").Should().Contain("limit").And.NotContain("pageSize");
        Paths(renamed).Should().Equal("/v2/sessions");
        ParameterNames(renamed, "/v2/sessions").Should().Contain("pageSize").And.NotContain("limit");
        var operation = renamed["paths"]!["/v2/sessions"]!["get"]!;
        operation["x-canonical-path"]!.GetValue<string>().Should().Be("/chat-sessions");
        operation["x-pagination"]!["limitParameter"]!.GetValue<string>().Should().Be("pageSize");
        operation["parameters"]!.AsArray().Single(p => (string?)p!["name"] == "pageSize")!["x-canonical-name"]!.GetValue<string>().Should().Be("limit");
        renamed["x-target"]!["name"]!.GetValue<string>().Should().Be("embedded-renamed");

        // The renamed document is the one a renamed provider answers to: the mock with the same overrides.
        var profile = TargetProfiles.Read(Harness.Layout, "embedded-renamed");
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, Overrides = TargetProfiles.Overrides(profile) });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var body = await new Exported(renamed, mock.Target().Apis["chat-session-list"]).CallAsync(http, "list-sessions", "list=true&pageSize=3");
        body["list"]!.AsArray().Should().HaveCount(3, "pageSize is the page size");
    }

    [TestCase("openapi", "--api", "nope")]
    [TestCase("openapi", "--api", "wavy-open-sessions", "--target", "nowhere")]
    [TestCase("openapi", "--api", "wavy-open-sessions", "--format", "xml")]
    [TestCase("openapi")]
    [TestCase("openapi", "--api", "wavy-open-sessions", "--out", "/no/such/folder/wavy.json")]
    public async Task Bad_input_is_one_line_and_exit_2(params string[] args)
    {
        var (exit, output, err) = await CliAsync(args);

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        output.Should().BeEmpty();
        err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle().Which.Should().StartWith("conformance: ");
        err.Should().NotContain("   at ").And.NotContain("Exception");
    }

    [Test]
    public async Task An_out_path_that_is_a_folder_is_refused_saying_it_is_a_folder()
    {
        // Before: "cannot write …: Access to the path '…' is denied", which sent the user after permissions.
        var folder = Directory.CreateDirectory(Path.Combine(dir, "taken")).FullName;

        var (exit, output, err) = await CliAsync("openapi", "--api", "wavy-open-sessions", "--out", folder);

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        output.Should().BeEmpty();
        err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle().Which.Should().StartWith("conformance: ");
        err.Should().Contain(folder).And.Contain("is a folder").And.NotContain("denied");
        Directory.EnumerateFileSystemEntries(folder).Should().BeEmpty();
    }

    [Test]
    public async Task An_out_file_of_a_dash_is_stdout_as_for_every_other_tool()
    {
        // Before, "--out -" wrote a file named '-' in the current folder ("wrote the OpenAPI document … to /…/-"), and a
        // pipeline reading stdout got one line of text instead of the document.
        var dash = Path.GetFullPath("-");
        try
        {
            var document = await ExportAsync("wavy-open-sessions", "--out", "-");

            document["openapi"]!.GetValue<string>().Should().StartWith("3.1.");
            File.Exists(dash).Should().BeFalse("no file named '-' is written");
        }
        finally
        {
            File.Delete(dash);
        }
    }

    [Test]
    public async Task An_unknown_api_names_the_known_ones()
    {
        var (_, _, err) = await CliAsync("openapi", "--api", "nope");

        err.Should().Contain("Unknown API 'nope'").And.Contain("chat-session-list").And.Contain("wavy-open-sessions");
    }

    private static async Task<(int Exit, string Out, string Err)> CliAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, CliTests.Context());
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The JSON export on stdout, parsed.</summary>
    private static async Task<JsonObject> ExportAsync(string api, params string[] more)
    {
        var (exit, output, err) = await CliAsync(["openapi", "--api", api, .. more]);
        exit.Should().Be(ExitCodes.Conformant, err);
        return JsonNode.Parse(output)!.AsObject();
    }

    private static List<string> Paths(JsonObject doc) => doc["paths"]!.AsObject().Select(p => p.Key).ToList();

    private static List<string> ParameterNames(JsonObject doc, string path) =>
        doc["paths"]![path]!["get"]!["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();

    /// <summary>Redocly CLI from tools/openapi-lint, installed from its lock file when missing.</summary>
    private static string InstallRedocly()
    {
        var tool = Path.Combine(Harness.Layout.Root, "tools", "openapi-lint");
        var cli = Path.Combine(tool, "node_modules", "@redocly", "cli", "bin", "cli.js");
        if (!File.Exists(cli))
        {
            var (exit, stdout, stderr) = ProcessRun.Run("npm", ["ci", "--no-audit", "--no-fund", "--prefix", tool], TimeSpan.FromMinutes(5));
            exit.Should().Be(0, $"npm ci in tools/openapi-lint: {stdout}{stderr}");
        }

        return cli;
    }

    /// <summary>An exported document: what the export printed, and what Redocly found in it.</summary>
    private sealed record Linted(string File, int Exit, string Output, string Err, int Errors = 0, int Warnings = 0, string Problems = "");

    /// <summary>
    /// The documents the lint tests read: each API's JSON export, the YAML export of an overridden contract, and
    /// an export broken on purpose. They are linted in one Redocly run, so Node starts once, not five times.
    /// </summary>
    private async Task<Dictionary<string, Linted>> LintAllAsync()
    {
        var exports = new List<(string Key, Linted Document)>();
        foreach (var api in Apis)
        {
            var file = Path.Combine(dir, api + ".json");
            var (exit, output, err) = await CliAsync("openapi", "--api", api, "--out", file);
            exports.Add((api, new Linted(file, exit, output, err)));
        }

        var yaml = Path.Combine(dir, "chat-session-list-renamed.yaml");
        var (yamlExit, yamlOutput, yamlErr) = await CliAsync("openapi", "--api", "chat-session-list", "--target", "embedded-renamed", "--out", yaml);
        exports.Add((Renamed, new Linted(yaml, yamlExit, yamlOutput, yamlErr)));

        var doc = await ExportAsync("opencx-chat-sessions");
        doc["components"]!.AsObject().Remove("schemas");
        var broken = Path.Combine(dir, "broken.json");
        await File.WriteAllTextAsync(broken, doc.ToJsonString());
        exports.Add((Broken, new Linted(broken, ExitCodes.Conformant, "", "")));

        var found = Lint([.. exports.Select(e => e.Document.File)]);
        return exports.Zip(found).ToDictionary(
            x => x.First.Key, x => x.First.Document with { Errors = x.Second.Errors, Warnings = x.Second.Warnings, Problems = x.Second.Problems });
    }

    /// <summary>
    /// Lints documents with tools/openapi-lint/redocly.yaml in one run: for each, in order, its error and warning
    /// counts and its problems as text (for the assertion messages).
    /// </summary>
    private static List<(int Errors, int Warnings, string Problems)> Lint(string[] files)
    {
        var config = Path.Combine(Harness.Layout.Root, "tools", "openapi-lint", "redocly.yaml");
        var environment = new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" };
        var (exit, stdout, stderr) = ProcessRun.Run("node", [Redocly.Value, "lint", .. files, "--config", config, "--format=json"], TimeSpan.FromMinutes(2), environment);
        exit.Should().BeOneOf([0, 1], $"redocly lint: {stderr}");

        // With JSON output, Redocly writes one report per document, one after the other, in the order given.
        var reports = new List<JsonNode>();
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(stdout), new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            reports.Add(JsonNode.Parse(ref reader)!);
        }

        reports.Should().HaveCount(files.Length, $"one report per document: {stdout}{stderr}");
        return files.Zip(reports, (file, report) =>
        {
            var problems = report["problems"]!.AsArray();
            problems.Select(p => Path.GetFileName(p!["location"]![0]!["source"]!["ref"]!.GetValue<string>()))
                .Where(name => name != Path.GetFileName(file)).Should().BeEmpty("each report is of its own document");
            var text = string.Join("\n", problems.Select(p => $"{p!["severity"]} {p["ruleId"]}: {p["message"]} at {p["location"]?[0]?["pointer"]}"));
            return (report["totals"]!["errors"]!.GetValue<int>(), report["totals"]!["warnings"]!.GetValue<int>(), text + "\n" + stderr);
        }).ToList();
    }

    /// <summary>An exported document and the mock API it describes: requests built from the document, bodies validated by it.</summary>
    private sealed class Exported(JsonObject doc, ApiTarget api)
    {
        public JsonObject Operation(string operationId) =>
            doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (Path: p.Key, Operation: m.Value!.AsObject())))
                .Single(o => (string?)o.Operation["operationId"] == operationId).Operation;

        private string PathOf(string operationId) =>
            doc["paths"]!.AsObject().Single(p => p.Value!.AsObject().Any(m => (string?)m.Value!["operationId"] == operationId)).Key;

        /// <summary>Calls an operation with the credentials its security requirement names (as its schemes say to send them); the body must validate.</summary>
        public async Task<JsonNode> CallAsync(HttpClient http, string operationId, string query, params (string Name, string Value)[] path)
        {
            using var response = await SendAsync(http, operationId, query, path);
            var text = await response.Content.ReadAsStringAsync();
            var success = Operation(operationId)["responses"]!.AsObject().Single(r => r.Key.StartsWith('2'));
            ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be(success.Key, text);
            var mediaType = response.Content.Headers.ContentType!.MediaType!;
            success.Value!["content"]!.AsObject().Select(c => c.Key).Should().Contain(mediaType);
            var violations = await ViolationsAsync(operationId, text, mediaType);
            violations.Should().BeEmpty($"{operationId}?{query} answered {text}");
            return JsonNode.Parse(text)!;
        }

        public async Task<string> ContentTypeAsync(HttpClient http, string operationId, string query)
        {
            using var response = await SendAsync(http, operationId, query, []);
            response.IsSuccessStatusCode.Should().BeTrue();
            return response.Content.Headers.ContentType!.MediaType!;
        }

        /// <summary>The schema violations of a body, by the response schema the document gives for the operation's success.</summary>
        public async Task<IReadOnlyList<string>> ViolationsAsync(string operationId, string body, string mediaType = "application/json")
        {
            var success = Operation(operationId)["responses"]!.AsObject().Single(r => r.Key.StartsWith('2')).Value!;
            var schema = success["content"]![mediaType]!["schema"]!.DeepClone();
            // NJsonSchema resolves references among "definitions": the document's components go there as they are.
            var root = new JsonObject { ["allOf"] = new JsonArray(schema), ["definitions"] = doc["components"]!["schemas"]!.DeepClone() };
            var validator = await JsonSchema.FromJsonAsync(root.ToJsonString().Replace("\"#/components/schemas/", "\"#/definitions/", StringComparison.Ordinal));
            return validator.Validate(body).Select(e => e.ToString()).ToList();
        }

        private async Task<HttpResponseMessage> SendAsync(HttpClient http, string operationId, string query, (string Name, string Value)[] path)
        {
            var template = PathOf(operationId);
            foreach (var (name, value) in path)
            {
                template = template.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, api.BaseUrl.ToString().TrimEnd('/') + template + (query.Length == 0 ? "" : "?" + query));
            foreach (var requirement in Operation(operationId)["security"]!.AsArray().Take(1))
            {
                foreach (var (key, _) in requirement!.AsObject())
                {
                    var scheme = doc["components"]!["securitySchemes"]![key]!;
                    if ((string?)scheme["type"] == "http")
                    {
                        request.Headers.Authorization = new AuthenticationHeaderValue(Capitalized(scheme["scheme"]!.GetValue<string>()), api.Credentials[key]);
                    }
                    else
                    {
                        ((string?)scheme["in"]).Should().Be("header");
                        request.Headers.Add(scheme["name"]!.GetValue<string>(), api.Credentials[key]);
                    }
                }
            }

            return await http.SendAsync(request);
        }

        private static string Capitalized(string scheme) => char.ToUpperInvariant(scheme[0]) + scheme[1..];
    }
}
