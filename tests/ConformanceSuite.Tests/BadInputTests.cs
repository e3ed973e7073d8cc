using ConformanceSuite.Cli;

namespace ConformanceSuite.Tests;

/// <summary>Bad input gets one clear line and exit 2, never a stack trace; a run never hangs.</summary>
[TestFixture]
public sealed class BadInputTests
{
    private static string baseline = "";
    private string dir = "";

    [OneTimeSetUp]
    public static async Task MakeBaseline()
    {
        var folder = Path.Combine(Path.GetTempPath(), "cs-bad-baseline-" + Guid.NewGuid().ToString("N"));
        var (exit, output, err) = await RunAsync("--api", "wavy-open-sessions", "--filter", "WAVY-011", "--report-dir", folder);
        exit.Should().Be(ExitCodes.Conformant, err + output);
        baseline = await File.ReadAllTextAsync(Path.Combine(folder, "results.json"));
        Directory.Delete(folder, recursive: true);
    }

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-bad-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    private static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunAsync(CliTests.Context(), args);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(CliContext context, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, context);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the CLI and expects bad input: exit 2 and one line on stderr, no stack trace.</summary>
    private static Task<string> RefusedAsync(params string[] args) => RefusedAsync(CliTests.Context(), args);

    private static async Task<string> RefusedAsync(CliContext context, params string[] args)
    {
        var (exit, _, err) = await RunAsync(context, args);
        exit.Should().Be(ExitCodes.UsageOrConfiguration, err);
        err.Should().StartWith("conformance: ").And.NotContain("   at ");
        err.TrimEnd().Split('\n').Should().HaveCount(1, err);
        return err;
    }

    private string Write(string name, string text)
    {
        var file = Path.Combine(dir, name);
        File.WriteAllText(file, text);
        return file;
    }

    [TestCase("[]")]
    [TestCase("\"x\"")]
    [TestCase("""{"name":"x","apis":{"wavy-open-sessions":[1]}}""")]
    [TestCase("""{"name":"x","apis":{"wavy-open-sessions":5}}""")]
    public async Task A_profile_of_the_wrong_shape_is_refused_in_one_line(string json)
    {
        var err = await RefusedAsync("--target", Write("profile.json", json), "--list");

        err.Should().Contain("profile.json");
    }

    [Test]
    public async Task A_profile_naming_an_api_the_contracts_do_not_have_is_refused_in_one_line()
    {
        var profile = """{"name":"x","description":"a test profile","embedded":true,"apis":{"wavy-open-sesions":{"notApplicable":{}}}}""";

        var err = await RefusedAsync("--target", Write("profile.json", profile), "--api", "wavy-open-sessions", "--list");

        err.Should().Contain("profile.json").And.Contain("at /apis/wavy-open-sesions:").And.Contain("wavy-open-sessions");
    }

    [TestCase("""{"name":"x","embedded":true,"name":"y"}""", "Duplicate property 'name'")]
    [TestCase("""{"name":"x","embedded":true,"description":"a\ud800b"}""", "the string at byte 42 escapes half of a UTF-16 surrogate pair")]
    [TestCase("""{"name":"x\udc00","embedded":true}""", "the string at byte 8 escapes half of a UTF-16 surrogate pair")]
    public async Task A_profile_whose_json_no_reader_agrees_on_is_refused_in_one_line(string json, string reason)
    {
        // A duplicate key: which value counts? Half a surrogate pair: not text; before, it was an "unexpected error" of the tool.
        var err = await RefusedAsync("--target", Write("profile.json", json), "--list");

        err.Should().Contain("profile.json").And.Contain(reason).And.NotContain("unexpected error");
    }

    [Test]
    public async Task A_report_folder_that_is_a_file_is_refused_in_one_line()
    {
        var err = await RefusedAsync("--report-dir", Write("taken", ""), "--api", "wavy-open-sessions", "--filter", "WAVY-011");

        err.Should().Contain("taken");
    }

    [Test]
    public async Task A_report_folder_whose_report_is_a_folder_is_refused_in_one_line()
    {
        Directory.CreateDirectory(Path.Combine(dir, "results.json"));

        var err = await RefusedAsync("--report-dir", dir, "--api", "wavy-open-sessions", "--filter", "WAVY-011");

        err.Should().Contain("results.json");
    }

    [Test]
    public async Task An_empty_report_folder_is_refused_in_one_line()
    {
        var err = await RefusedAsync("--report-dir", "", "--api", "wavy-open-sessions", "--filter", "WAVY-011");

        err.Should().Contain("report folder");
    }

    [TestCase("requirements", "null")]
    [TestCase("requirements", "[null]")]
    [TestCase("target", "null")]
    [TestCase("tool", "null")]
    public async Task A_baseline_with_a_null_where_a_results_file_has_none_is_refused_in_one_line(string property, string value)
    {
        var json = JsonNode.Parse(baseline)!.AsObject();
        json[property] = JsonNode.Parse(value);

        var err = await RefusedAsync("--baseline", Write("results.json", json.ToJsonString()), "--api", "wavy-open-sessions", "--filter", "WAVY-011", "--report-dir", Path.Combine(dir, "out"));

        err.Should().Contain("results.json");
    }

    [Test]
    public async Task A_baseline_that_is_a_folder_is_refused_saying_so()
    {
        // Before: "the baseline /etc does not exist", of a folder that does.
        var err = await RefusedAsync("--baseline", dir, "--api", "wavy-open-sessions", "--filter", "WAVY-011", "--report-dir", Path.Combine(dir, "out"));

        err.Should().Contain(dir).And.Contain("is a folder").And.NotContain("does not exist");
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse("nothing was run");
    }

    [TestCase("2", "is too small for chat-session-list")]
    [TestCase("10000001", "is above the most the mock generates")]
    public async Task A_scale_the_mock_cannot_serve_is_refused_before_the_report_folder_is_made(string scale, string reason)
    {
        // Before: the run made its report folder, then started the mock, which refused the scale: exit 2, the folder left behind.
        var reports = Path.Combine(dir, "out");

        var err = await RefusedAsync("--scale", scale, "--api", "chat-session-list", "--filter", "CSL-001", "--report-dir", reports);

        err.Should().Contain($"scale {scale} ").And.Contain(reason);
        Directory.Exists(reports).Should().BeFalse("bad input is refused before anything is created");
    }

    [Test]
    public async Task A_scale_above_the_mocks_bound_is_refused_with_the_listing_too()
    {
        // Before: --list printed the listing and exited 0; only a run refused it.
        var err = await RefusedAsync("--scale", "10000001", "--list");

        err.Should().Contain("is above the most the mock generates");
    }

    [Test]
    public async Task A_scale_below_a_fixture_is_refused_with_the_listing_too()
    {
        // Before: --list printed the listing and exited 0; only a run refused it, once the mock started.
        var err = await RefusedAsync("--scale", "2", "--list");

        err.Should().Contain("scale 2 is too small for chat-session-list");
    }

    [Test]
    public async Task A_scale_none_of_the_runs_apis_serves_is_refused()
    {
        // Before: the run went on with the Wavy mock's fixture as it is, exit 0, as if a large tenant had been certified.
        var reports = Path.Combine(dir, "out");

        var err = await RefusedAsync("--scale", "5000", "--api", "wavy-open-sessions", "--report-dir", reports);

        err.Should().Contain("scale 5000: none of the APIs this run checks (wavy-open-sessions) serves a scaled data set");
        Directory.Exists(reports).Should().BeFalse("bad input is refused before anything is created");
    }

    [Test]
    public async Task A_scale_one_of_the_runs_apis_serves_is_taken_for_it()
    {
        var (exit, output, err) = await RunAsync("--scale", "5000", "--api", "wavy-open-sessions,opencx-chat-sessions", "--list");

        exit.Should().Be(ExitCodes.Conformant, err);
        output.Should().Contain("opencx-chat-sessions  OPENCX-001");
    }

    [TestCase("certify", "--package", "{dir}/package.zip", "--signing-key", "{dir}")]
    [TestCase("verify", "{dir}/package.zip", "--public-key", "{dir}")]
    [TestCase("--target", "{dir}", "--list")]
    public async Task A_folder_given_for_a_file_to_read_is_refused_saying_it_is_a_folder(params string[] args)
    {
        // Before: "the signing key file … does not exist", "the public key file … does not exist", "target profile '…' not
        // found", each of a folder that is there.
        var err = await RefusedAsync([.. args.Select(a => a.Replace("{dir}", dir, StringComparison.Ordinal))]);

        err.Should().Contain(dir).And.Contain("is a folder").And.NotContain("does not exist").And.NotContain("not found");
        File.Exists(Path.Combine(dir, "package.zip")).Should().BeFalse();
    }

    [TestCase("--contracts", "{file}", "--list")]
    [TestCase("contracts", "--contracts", "{file}")]
    [TestCase("openapi", "--api", "wavy-open-sessions", "--contracts", "{file}")]
    public async Task A_file_given_for_the_contracts_folder_is_refused_saying_it_is_a_file(params string[] args)
    {
        // Before: "the contracts folder … does not hold schemas/_format", of a file, which holds nothing.
        var file = Write("contracts.zip", "PK");

        var err = await RefusedAsync([.. args.Select(a => a.Replace("{file}", file, StringComparison.Ordinal))]);

        err.Should().Contain(file).And.Contain("is a file, not a folder");
    }

    /// <summary>A new signing key (EC P-256, PKCS#8 PEM) in a file of the test's folder.</summary>
    private string SigningKeyFile()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        return Write("signing.pem", key.ExportPkcs8PrivateKeyPem());
    }

    [Test]
    public async Task A_certification_of_bad_input_is_refused_before_its_package_folder_is_made()
    {
        // Before: certify made the package's folder (to claim the package's place), then planned the run, which refused
        // the unknown fault mode: exit 2, with the folder left behind.
        var signingKey = SigningKeyFile();
        var packageFolder = Path.Combine(dir, "package");

        var err = await RefusedAsync("certify", "--api", "wavy-open-sessions", "--filter", "WAVY-011", "--fault", "no-such-fault",
            "--package", Path.Combine(packageFolder, "cert.zip"), "--signing-key", signingKey, "--report-dir", Path.Combine(dir, "out"));

        err.Should().Contain("no-such-fault");
        Directory.Exists(packageFolder).Should().BeFalse("bad input is refused before anything is created");
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse();
    }

    [TestCase("out")]
    [TestCase("out/results.json")]
    public async Task A_certification_package_in_place_of_the_report_folder_or_a_report_is_refused_before_the_run(string package)
    {
        // Before: a package path that is the report folder ran the whole certification, then could not move the package
        // into place (a folder is there): exit 2 after the run; one that is a report of the run replaced that report.
        var signingKey = SigningKeyFile();

        var err = await RefusedAsync("certify", "--api", "wavy-open-sessions", "--filter", "WAVY-011",
            "--package", Path.Combine(dir, package), "--signing-key", signingKey, "--report-dir", Path.Combine(dir, "out"));

        err.Should().Contain("is the run's report folder or one of its reports");
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse("nothing was run");
    }

    [Test]
    public async Task A_baseline_listing_a_requirement_twice_is_refused_in_one_line()
    {
        var json = JsonNode.Parse(baseline)!.AsObject();
        var requirements = json["requirements"]!.AsArray();
        requirements.Add(requirements[0]!.DeepClone());

        var err = await RefusedAsync("--baseline", Write("results.json", json.ToJsonString()), "--api", "wavy-open-sessions", "--filter", "WAVY-011", "--report-dir", Path.Combine(dir, "out"));

        err.Should().Contain("WAVY-011");
    }

    [TestCase("[]", "/")]
    [TestCase("\"x\"", "/")]
    [TestCase("""{"credentials":{"authenticationToken":7}}""", "/credentials/authenticationToken")]
    [TestCase("""{"testData":{"customerId":null}}""", "/testData/customerId")]
    public async Task A_mock_data_set_of_the_wrong_shape_is_refused_in_one_line(string json, string pointer)
    {
        var copy = CopyOfContracts();
        File.WriteAllText(Path.Combine(copy, "fixtures", "wavy-open-sessions", "dataset.json"), json);

        var err = await RefusedAsync("--contracts", copy, "--api", "wavy-open-sessions", "--filter", "WAVY-011", "--report-dir", Path.Combine(dir, "out"));

        err.Should().Contain("dataset.json").And.Contain($"at {pointer}");
    }

    [TestCase("--target", "/dev/zero", "--list")]
    [TestCase("--baseline", "/dev/zero", "--list")]
    [TestCase("verify", "package.zip", "--public-key", "/dev/zero")]
    [TestCase("certify", "--package", "package.zip", "--signing-key", "/dev/zero")]
    public async Task A_file_that_never_ends_is_refused_in_one_line_not_read_forever(params string[] args)
    {
        if (!File.Exists("/dev/zero"))
        {
            Assert.Ignore("no /dev/zero here");
        }

        var err = await RefusedAsync(args).WaitAsync(TimeSpan.FromSeconds(30));

        err.Should().Contain("/dev/zero").And.Contain("not a regular file");
    }

    [TestCase("--target", "{pipe}", "--list")]
    [TestCase("--baseline", "{pipe}", "--list")]
    [TestCase("verify", "package.zip", "--public-key", "{pipe}")]
    [TestCase("verify", "{pipe}", "--public-key", "{public-key}")]
    [TestCase("certify", "--package", "package.zip", "--signing-key", "{pipe}")]
    public async Task A_named_pipe_is_refused_in_one_line_not_waited_on(params string[] args)
    {
        var pipe = Path.Combine(dir, "pipe");
        if (OperatingSystem.IsWindows() || !MakeFifo(pipe))
        {
            Assert.Ignore("no mkfifo here");
        }

        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var publicKey = Write("public.pem", key.ExportSubjectPublicKeyInfoPem());
        args = [.. args.Select(a => a.Replace("{pipe}", pipe, StringComparison.Ordinal).Replace("{public-key}", publicKey, StringComparison.Ordinal))];

        // Opening a pipe waits for a writer, in the calling thread: the run goes to another, so the test can end.
        var run = Task.Run(() => RefusedAsync(args));
        if (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) != run)
        {
            using (new FileStream(pipe, FileMode.Open, FileAccess.Write))
            {
                // A writer that closes at once: the waiting open returns, and the read ends.
            }

            await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.Fail("the run waited on the named pipe for 30 s");
        }

        var err = await run;

        err.Should().Contain(pipe).And.Contain("not a regular file");
    }

    [TestCase("validated.sha256", "--api", "wavy-open-sessions", "--list")]
    [TestCase("schemas/wavy-open-sessions/contract.json", "--api", "wavy-open-sessions", "--list")]
    [TestCase("schemas/wavy-open-sessions/contract.json", "contracts")]
    [TestCase("fixtures/wavy-open-sessions/dataset.json", "--api", "wavy-open-sessions", "--filter", "WAVY-011")]
    [TestCase("pacts/ConformanceSuiteConsumer-wavy-open-sessions.json", "--api", "wavy-open-sessions", "--filter", "pact")]
    public async Task A_named_pipe_in_a_contracts_folder_is_refused_in_one_line_not_waited_on(string file, params string[] args)
    {
        var copy = CopyOfContracts();
        var pipe = Path.Combine(copy, file);
        File.Delete(pipe);
        if (OperatingSystem.IsWindows() || !MakeFifo(pipe))
        {
            Assert.Ignore("no mkfifo here");
        }

        string[] full = args[0] == "contracts" ? ["contracts", "--contracts", copy] : [.. args, "--contracts", copy, "--report-dir", Path.Combine(dir, "out")];
        var err = await RefusedNotWaitingAsync(pipe, full);

        err.Should().Contain(Path.GetFileName(file)).And.Contain("not a regular file");
    }

    [Test]
    public async Task A_named_pipe_a_schema_refers_to_is_refused_in_one_line_not_waited_on()
    {
        // The file a $ref names is read by the schema library, not by the contract loader: it opened the pipe and waited.
        var copy = CopyOfContracts();
        var listBody = Path.Combine(copy, "schemas", "opencx-chat-sessions", "list-body.schema.json");
        File.WriteAllText(listBody, File.ReadAllText(listBody).Replace("\"session.schema.json\"", "\"referred.schema.json\"", StringComparison.Ordinal));
        var pipe = Path.Combine(copy, "schemas", "opencx-chat-sessions", "referred.schema.json");
        if (OperatingSystem.IsWindows() || !MakeFifo(pipe))
        {
            Assert.Ignore("no mkfifo here");
        }

        var err = await RefusedNotWaitingAsync(pipe, "--contracts", copy, "--api", "opencx-chat-sessions", "--list");

        err.Should().Contain("list-body.schema.json").And.Contain($"{pipe} is not a regular file (a named pipe)");
    }

    [Test]
    public async Task A_schema_ref_to_a_url_is_refused_in_one_line_and_nothing_is_fetched()
    {
        // NJsonSchema fetches a $ref'd URL itself: a request outside the suite's HTTP layer, at load time.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/session.schema.json";
        var copy = CopyOfContracts();
        var listBody = Path.Combine(copy, "schemas", "opencx-chat-sessions", "list-body.schema.json");
        File.WriteAllText(listBody, File.ReadAllText(listBody).Replace("\"session.schema.json\"", $"\"{url}\"", StringComparison.Ordinal));

        var err = await RefusedAsync("--contracts", copy, "--api", "opencx-chat-sessions", "--list");

        err.Should().Contain("list-body.schema.json").And.Contain($"a $ref names the URL {url}");
        listener.Pending().Should().BeFalse("no connection was made to the URL");
    }

    /// <summary>Runs the CLI, expecting it to refuse a named pipe in one line; if it waits on the pipe, a writer lets it go and the test fails.</summary>
    private static async Task<string> RefusedNotWaitingAsync(string pipe, params string[] args)
    {
        // Opening a pipe waits for a writer, in the calling thread: the run goes to another, so the test can end.
        var run = Task.Run(() => RefusedAsync(args));
        if (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) != run)
        {
            using (new FileStream(pipe, FileMode.Open, FileAccess.Write))
            {
                // A writer that closes at once: the waiting open returns, and the read ends.
            }

            await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.Fail("the run waited on the named pipe for 30 s");
        }

        return await run;
    }

    [Test]
    public async Task An_output_file_that_is_a_named_pipe_is_refused_in_one_line_not_waited_on()
    {
        var pipe = Path.Combine(dir, "pipe");
        if (OperatingSystem.IsWindows() || !MakeFifo(pipe))
        {
            Assert.Ignore("no mkfifo here");
        }

        // Opening a pipe to write waits for a reader, in the calling thread: the run goes to another, so the test can end.
        var run = Task.Run(() => RefusedAsync("openapi", "--api", "wavy-open-sessions", "--out", pipe));
        if (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) != run)
        {
            using (var reader = new FileStream(pipe, FileMode.Open, FileAccess.Read))
            {
                // A reader that takes everything: the waiting open returns, and the write ends.
                await reader.CopyToAsync(Stream.Null);
            }

            await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.Fail("the openapi command waited on the named pipe for 30 s");
        }

        var err = await run;

        err.Should().Contain($"--out file {pipe} is not a regular file (a named pipe)").And.Contain("leave --out out for stdout");
    }

    internal static bool MakeFifo(string path)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start("mkfifo", [path]);
            return process.WaitForExit(10_000) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    [TestCase("wavy-open-sessions", "WAVY-011", "/customers", "\"x\"")]
    [TestCase("wavy-open-sessions", "WAVY-011", "/customers/0", "7")]
    [TestCase("wavy-open-sessions", "WAVY-011", "/customers/0/sessions", "\"x\"")]
    [TestCase("wavy-open-sessions", "WAVY-011", "/customers/0/customerId", "\"x\"")]
    [TestCase("wavy-open-sessions", "WAVY-011", "/customers/0/sessions/0/subAccountId", "\"x\"")]
    [TestCase("wavy-open-sessions", "WAVY-011", "/customers/0/sessions/0/source", "5")]
    [TestCase("wavy-open-sessions", "WAVY-011", "/credentials", "5")]
    [TestCase("opencx-chat-sessions", "OPENCX-001", "/items", "\"x\"")]
    [TestCase("opencx-chat-sessions", "OPENCX-001", "/items/0", "5")]
    [TestCase("opencx-chat-sessions", "OPENCX-001", "/pageSize", "\"x\"")]
    [TestCase("opencx-chat-sessions", "OPENCX-001", "/pageSize", "0")]
    [TestCase("opencx-chat-sessions", "OPENCX-001", "/listOnlyFields/0", "1")]
    [TestCase("chat-session-list", "CSL-001", "/items", "{}")]
    [TestCase("chat-session-list", "CSL-001", "/items/0", "null")]
    public async Task A_mock_data_set_member_of_the_wrong_shape_is_refused_in_one_line(string api, string filter, string pointer, string value)
    {
        var copy = CopyOfContracts();
        var file = Path.Combine(copy, "fixtures", api, "dataset.json");
        var json = JsonNode.Parse(File.ReadAllText(file))!;
        var tokens = pointer.Split('/')[1..];
        var parent = tokens[..^1].Aggregate(json, (node, token) => node is JsonArray array ? array[int.Parse(token, System.Globalization.CultureInfo.InvariantCulture)]! : node[token]!);
        if (parent is JsonArray list)
        {
            list[int.Parse(tokens[^1], System.Globalization.CultureInfo.InvariantCulture)] = JsonNode.Parse(value);
        }
        else
        {
            parent[tokens[^1]] = JsonNode.Parse(value);
        }

        File.WriteAllText(file, json.ToJsonString());

        var err = await RefusedAsync("--contracts", copy, "--api", api, "--filter", filter, "--report-dir", Path.Combine(dir, "out"));

        err.Should().Contain("dataset.json").And.Contain($"at {pointer}:");
    }

    [TestCase("PRIVATE KEY")]
    [TestCase("EC PRIVATE KEY")]
    public async Task A_private_key_given_as_the_public_key_is_refused_in_one_line(string form)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var pem = form == "PRIVATE KEY" ? key.ExportPkcs8PrivateKeyPem() : key.ExportECPrivateKeyPem();
        var package = Path.Combine(dir, "package.zip");
        using (var zip = System.IO.Compression.ZipFile.Open(package, System.IO.Compression.ZipArchiveMode.Create))
        {
            zip.CreateEntry("manifest.json");
        }

        var err = await RefusedAsync("verify", package, "--public-key", Write("signing-key.pem", pem));

        err.Should().Contain("signing-key.pem").And.Contain("is a private key");
    }

    [TestCase("""{"limit":"offset"}""", "/apis/chat-session-list/overrides/parameterNames/limit", "'offset', not renamed")]
    [TestCase("""{"limit":"size","offset":"size"}""", "/apis/chat-session-list/overrides/parameterNames/limit", "'offset' is renamed to as well")]
    [TestCase("""{"lmit":"size"}""", "/apis/chat-session-list/overrides/parameterNames/lmit", "no parameter 'lmit' to rename")]
    public async Task A_rename_onto_another_parameters_name_is_refused_in_one_line(string renames, string pointer, string other)
    {
        var profile = JsonNode.Parse(File.ReadAllText(Path.Combine(Harness.Layout.Root, "targets", "embedded-renamed.json")))!.AsObject();
        profile.Remove("$schema");
        profile["apis"]!["chat-session-list"]!["overrides"]!["parameterNames"] = JsonNode.Parse(renames);

        var err = await RefusedAsync("--target", Write("profile.json", profile.ToJsonString()), "--api", "chat-session-list", "--list");

        // The file and the pointer the user wrote, not the contract's file and a pointer into the overrides alone.
        err.Should().Contain("profile.json: at " + pointer + ":").And.Contain(other).And.NotContain("contract.json");
    }

    [Test]
    public async Task A_contract_the_overrides_make_invalid_names_the_profile_too()
    {
        // A merge patch that breaks the contract: the error's pointer is into the merged contract, and the profile is named beside it.
        var profile = JsonNode.Parse(File.ReadAllText(Path.Combine(Harness.Layout.Root, "targets", "embedded-renamed.json")))!.AsObject();
        profile.Remove("$schema");
        profile["apis"]!["chat-session-list"]!["overrides"]!["contract"] = JsonNode.Parse("""{"title": 5}""");

        var err = await RefusedAsync("--target", Write("profile.json", profile.ToJsonString()), "--api", "chat-session-list", "--list");

        err.Should().Contain("contract.json (with the overrides at /apis/chat-session-list/overrides of ").And.Contain("profile.json)").And.Contain("at /title");
    }

    [TestCase(1e308, "too big")]
    [TestCase(1e9, "too big")]
    [TestCase(1e-5, "too small")]
    [TestCase(1e-11, "too small")]
    public async Task A_rate_limit_the_pacing_cannot_keep_is_refused_in_one_line(double perMinute, string reason)
    {
        var profile = new JsonObject { ["name"] = "x", ["description"] = "a test profile", ["embedded"] = true, ["rateLimit"] = new JsonObject { ["requestsPerMinute"] = perMinute } };

        var err = await RefusedAsync("--target", Write("profile.json", profile.ToJsonString()), "--api", "wavy-open-sessions", "--filter", "WAVY-011", "--report-dir", Path.Combine(dir, "out"));

        err.Should().Contain("profile.json").And.Contain("at /rateLimit/requestsPerMinute:").And.Contain(reason);
    }

    [TestCase(1e308)]
    [TestCase(100_001)]
    public async Task A_decompression_ratio_past_its_bounds_is_refused_in_one_line(double ratio)
    {
        // Before, any number from 2 up was taken: 1e308 is no bound at all, and no compression bomb was ever stopped.
        var profile = new JsonObject { ["name"] = "x", ["description"] = "a test profile", ["embedded"] = true, ["maxDecompressionRatio"] = ratio };

        var err = await RefusedAsync("--target", Write("profile.json", profile.ToJsonString()), "--api", "wavy-open-sessions", "--list");

        err.Should().Contain("profile.json: at /maxDecompressionRatio: number is too big (at most 100000)");
    }

    [TestCase("""{"timeouts":{"patternSeconds":1e-9}}""", "/timeouts/patternSeconds", "less than the shortest time the suite can hold")]
    [TestCase("""{"latency":{"warnSeconds":1e-9}}""", "/latency/warnSeconds", "less than the shortest time the suite can hold")]
    [TestCase("""{"apis":{"chat-session-list":{"requestBudget":1099511627776}}}""", "/apis/chat-session-list/requestBudget", "1099511627776 is too big: at most 2147483647")]
    [TestCase("""{"maxUrlChars":3000000000}""", "/maxUrlChars", "3000000000 is too big: at most 2147483647")]
    public async Task A_profile_number_the_suite_cannot_hold_is_refused_in_one_line(string settings, string pointer, string reason)
    {
        // The schema takes any time above 0 and sets no maximum on these counts. Before, 1e-9 s was held as 0: a pattern's
        // bound of 0 made OPENCX-004 an ERROR at its first match ("ArgumentOutOfRangeException … 'matchTimeout'"), a
        // latency bound of 0 a deviation of every answer; and a count past 32 bits an "unexpected error
        // (InvalidOperationException …)" with a stack-trace file.
        var profile = JsonNode.Parse(settings)!.AsObject();
        profile["name"] = "x";
        profile["description"] = "a test profile";
        profile["embedded"] = true;

        var err = await RefusedAsync("--target", Write("profile.json", profile.ToJsonString()), "--api", "chat-session-list", "--list");

        err.Should().Contain($"profile.json: at {pointer}: ").And.Contain(reason).And.NotContain("unexpected error");
    }

    [TestCase("--run-timeout", "1e-300")]
    [TestCase("--pattern-timeout", "1e-300")]
    [TestCase("--request-timeout", "601")]
    [TestCase("--run-timeout", "1e12")]
    [TestCase("--pattern-timeout", "61")]
    public async Task A_timeout_past_the_profiles_bounds_is_refused_in_one_line(string option, string value)
    {
        var err = await RefusedAsync(option, value, "--list");

        err.Should().Contain($"{option} '{value}'").And.Contain("at most");
    }

    [TestCase("--api", ",,,")]
    [TestCase("--filter", ",")]
    [TestCase("--fault", " , ")]
    public async Task A_list_option_that_names_nothing_is_refused_not_taken_for_all(string option, string value)
    {
        var err = await RefusedAsync(option, value, "--list");

        err.Should().Contain($"{option} '{value}': names nothing");
    }

    [Test]
    public async Task A_credential_outside_ascii_is_refused_in_one_line_not_judged_as_a_provider_that_never_answered()
    {
        // The HTTP stack sends ASCII header values only. Before, every request with such a credential failed in the
        // stack, unsent, and was judged as the provider's: WAVY-006 FAIL 'expected 200 / received no response (Request
        // headers must contain only ASCII characters.)', NOT CONFORMANT, exit 1, for a provider never asked anything.
        var err = await CredentialRefusedAsync("SECRET-t\u00F6ken-4e1a", "WAVY-006");

        err.Should().Contain("gives a credential 'authenticationToken' for wavy-open-sessions that holds a character outside ASCII (U+00F6)");
    }

    [TestCase("?apikey=SECRET-q-91c0")]
    [TestCase("?code=SECRET-q-91c0#top")]
    [TestCase("#SECRET-f-0d2e")]
    public async Task A_base_url_with_a_query_or_fragment_is_refused_in_one_line_that_does_not_quote_it(string tail)
    {
        // An Azure Functions URL carries its key as ?code=: before, the suite dropped the query from every request
        // (endpoint paths are joined to the base's path alone), judged the provider on requests without it, and wrote
        // the URL, key and all, into results.json and report.html.
        await using var provider = await HostileProvider.StartAsync(http => Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(http.Response, "{}"));
        var variables = WavyVariables("token");
        var profile = Write("profile.json", new JsonObject
        {
            ["name"] = "x", ["description"] = "a test profile",
            ["apis"] = new JsonObject { ["wavy-open-sessions"] = new JsonObject
            {
                ["baseUrl"] = provider.Origin + "wavy" + tail,
                ["credentials"] = new JsonObject
                {
                    ["authenticationToken"] = new JsonObject { ["env"] = "CONFORMANCE_CREDENTIAL_authenticationToken" },
                    ["userName"] = new JsonObject { ["env"] = "CONFORMANCE_CREDENTIAL_userName" },
                },
            } },
        }.ToJsonString());

        var adHoc = await RefusedAsync(CliTests.Context(variables), "--base-url", provider.Origin + "wavy" + tail, "--api", "wavy-open-sessions", "--filter", "WAVY-006",
            "--report-dir", Path.Combine(dir, "out"));
        var profiled = await RefusedAsync(CliTests.Context(variables), "--target", profile, "--api", "wavy-open-sessions", "--filter", "WAVY-006",
            "--report-dir", Path.Combine(dir, "out"));

        adHoc.Should().Contain("the base URL has a query or a fragment").And.NotContain("SECRET");
        profiled.Should().Contain("profile.json: at /apis/wavy-open-sessions/baseUrl: has a query or a fragment").And.NotContain("SECRET");
        provider.Requests.Should().BeEmpty();
    }

    [TestCase("SECRET-cr-0b1d7e\r")]
    [TestCase("SECRET-crlf-5a2c91\r\n")]
    [TestCase("SECRET-nul-\0-77e3f0")]
    public async Task A_credential_with_a_control_character_is_refused_in_one_line_that_does_not_quote_it(string token)
    {
        // A token read from a file saved with Windows line ends keeps its '\r'. Before, every request that carried it
        // threw in the HTTP stack: 13 cases of a Wavy run ended in ERROR ('the check threw ArgumentException: Invalid
        // character found in header value') and the pact interactions in the relay's 500.
        var err = await CredentialRefusedAsync(token, "WAVY-001");

        err.Should().Contain("gives a credential 'authenticationToken' for wavy-open-sessions that holds a control character (U+");
    }

    [TestCase("1001\r")]
    [TestCase("1001\n")]
    [TestCase("10\u000001")]
    public async Task Test_data_with_a_control_character_is_refused_in_one_line_not_sent_as_the_provider_s_data(string customer)
    {
        // A customer id read from a .env file saved with Windows line ends keeps its '\r'. Before, it went into every
        // request as customerId=1001%0D, a right provider answered 400, and the run was NOT CONFORMANT: WAVY-006 FAIL
        // "expected 200 / received 400", WAVY-003 FAIL, every other check skipped on that precondition.
        var variables = WavyVariables("token");
        variables["CONFORMANCE_DATA_customerWithSessions"] = customer;

        var err = await RefusedBeforeAnyRequestAsync(variables, "WAVY-006");

        err.Should().Contain("gives test data 'customerWithSessions' for wavy-open-sessions that holds a control character (U+");
    }

    /// <summary>
    /// An ad-hoc Wavy run with <paramref name="token"/> as its token, refused before anything is sent (each test's token
    /// holds "SECRET", which the line may not quote); returns the line.
    /// </summary>
    private Task<string> CredentialRefusedAsync(string token, string requirement) => RefusedBeforeAnyRequestAsync(WavyVariables(token), requirement);

    /// <summary>
    /// An ad-hoc Wavy run with <paramref name="variables"/> (its reports to <paramref name="reports"/>, a folder of the
    /// test's by default), refused before anything is sent: exit 2, one line, no stack trace, nothing that holds
    /// "SECRET"; returns the line.
    /// </summary>
    private async Task<string> RefusedBeforeAnyRequestAsync(Dictionary<string, string> variables, string requirement, string? reports = null)
    {
        await using var provider = await HostileProvider.StartAsync(http => Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(http.Response, "{}"));

        var (exit, output, err) = await RunAsync(CliTests.Context(variables), "--base-url", provider.Origin.ToString(), "--api", "wavy-open-sessions", "--filter", requirement,
            "--report-dir", reports ?? Path.Combine(dir, "out"));

        exit.Should().Be(ExitCodes.UsageOrConfiguration, err + output);
        err.Should().StartWith("conformance: ").And.NotContain("   at ").And.NotContain("SECRET");
        err.TrimEnd().Split('\n').Should().HaveCount(1, err);
        provider.Requests.Should().BeEmpty("nothing is sent for a run the suite refused");
        return err;
    }

    [Test]
    public async Task A_report_folder_no_file_can_be_written_to_is_refused_before_anything_is_sent()
    {
        // A folder that exists but takes no file (sysfs; a read-only mount, a folder without write permission): before,
        // the whole run went against the target, and only then "some reports could not be written to /sys/kernel: …",
        // exit 2, every verdict lost.
        Assume.That(Directory.Exists("/sys/kernel"), "a folder that takes no file, even for root");

        var err = await RefusedBeforeAnyRequestAsync(WavyVariables("token"), "WAVY-006", "/sys/kernel");

        err.Should().Contain("cannot write the reports to /sys/kernel");
    }

    [TestCase("--help", "extra")]
    [TestCase("--version", "extra")]
    [TestCase("certify", "--help", "extra")]
    [TestCase("extra")]
    [TestCase("--list", "extra")]
    public async Task An_argument_the_command_does_not_take_is_refused_with_help_too(params string[] args)
    {
        // Before: with --help or --version, the parser reported no error for it: help printed, exit 0.
        var err = await RefusedAsync(args);

        err.Should().Contain("'extra'");
    }

    [TestCase("--help")]
    [TestCase("certify", "--help")]
    public async Task Help_alone_is_no_error(params string[] args)
    {
        var (exit, output, err) = await RunAsync(args);

        exit.Should().Be(ExitCodes.Conformant, err);
        output.Should().Contain("Usage:");
    }

    [Test]
    public async Task A_refused_report_folder_is_not_announced_as_where_the_results_are()
    {
        // Before: "conformance: 2 cases of wavy-open-sessions against 'embedded'; results in <dir>/file/out" on stdout, then
        // "cannot write the reports to …" on stderr: a script that keeps the first line looks for results never written.
        var file = Write("file", "a file, where the folder's parent should be");
        var reports = Path.Combine(file, "out");

        var (exit, output, err) = await RunAsync("--api", "wavy-open-sessions", "--filter", "WAVY-011", "--report-dir", reports);

        exit.Should().Be(ExitCodes.UsageOrConfiguration, err);
        err.Should().Contain($"cannot write the reports to {reports}");
        output.Should().NotContain(reports);
    }

    [Test]
    public async Task A_run_announces_its_cases_and_report_folder()
    {
        var reports = Path.Combine(dir, "out");

        var (exit, output, err) = await RunAsync("--api", "wavy-open-sessions", "--filter", "WAVY-011", "--report-dir", reports);

        exit.Should().Be(ExitCodes.Conformant, err);
        var results = ConformanceSuite.Running.RunResults.Read(Path.Combine(reports, "results.json"));
        output.Split('\n')[0].Should().Be($"conformance: {results.Requirements.Sum(r => r.Cases.Count)} cases of wavy-open-sessions against 'embedded'; results in {reports}");
    }

    [TestCase("--api", "wavy-open-sessions", "--filter", "WAVY-001")]
    [TestCase("--api", "wavy-open-sessions", "--list")]
    public async Task An_empty_base_url_is_refused_not_taken_for_the_embedded_mock(params string[] rest)
    {
        // A script's --base-url "$PROVIDER_URL" with the variable unset: before, the option was dropped and the run
        // went to the target profile's default, the embedded mock: PASS, exit 0, for a provider never reached.
        var err = await RefusedAsync(["--base-url", "", "--report-dir", Path.Combine(dir, "out"), .. rest]);

        err.Should().Contain("--base-url '': names no URL");
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse("nothing was run");
    }

    [TestCase("[]")]
    [TestCase("""{"provider":{"name":5},"interactions":[]}""")]
    [TestCase("""{"provider":{"name":"p"},"interactions":[{"description":"d","providerStates":[1],"request":{"method":"GET"}}]}""")]
    [TestCase("""{"provider":{"name":"p"},"provider":{"name":"q"},"interactions":[]}""")]
    public async Task A_pact_of_the_wrong_shape_is_refused_in_one_line(string json)
    {
        var copy = CopyOfContracts();
        File.WriteAllText(Path.Combine(copy, "pacts", "ConformanceSuiteConsumer-wavy-open-sessions.json"), json);

        var err = await RefusedAsync("--contracts", copy, "--api", "wavy-open-sessions", "--filter", "pact", "--report-dir", Path.Combine(dir, "out"));

        err.Should().Contain("ConformanceSuiteConsumer-wavy-open-sessions.json").And.Contain("not a pact file");
    }

    [Test]
    public async Task A_csv_spec_whose_pattern_is_no_regular_expression_is_refused_in_one_line()
    {
        var copy = CopyOfContracts();
        var spec = Path.Combine(copy, "schemas", "wavy-open-sessions", "open-sessions.csv-spec.json");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("\"^[0-9]{10,15}$\"", "\"([a-\"", StringComparison.Ordinal));

        var err = await RefusedAsync("--contracts", copy, "--api", "wavy-open-sessions", "--filter", "csv", "--report-dir", Path.Combine(dir, "out"));

        err.Should().Contain("open-sessions.csv-spec.json").And.Contain("/columns/0/rule/pattern").And.Contain("not a valid regular expression");
    }

    [TestCase("/delimiter", "\"\\\"\"", "the delimiter '\"' is the quote character")]
    [TestCase("/delimiter", "\"\\n\"", "the delimiter '\\n' ends a line")]
    [TestCase("/delimiter", "\"\\r\"", "the delimiter '\\r' ends a line")]
    [TestCase("/columns/2/name", "{\"name\": \"source\", \"basis\": {\"doc\": \"wavy-es\"}}", "column 'source' is named twice")]
    public async Task A_csv_spec_no_file_could_follow_is_refused_in_one_line_before_the_run(string pointer, string value, string reason)
    {
        // Before, a delimiter the CSV parser cannot take made every CSV case an ERROR ("the check threw
        // ConfigurationException: The escape character '"' and delimiter '"' cannot be the same."), and a column named
        // twice made a provider that followed the spec a DEVIATION ("expected each of the columns source,
        // session_created_at, source once / received 'source' 2 times").
        var copy = CopyOfContracts();
        var file = Path.Combine(copy, "schemas", "wavy-open-sessions", "open-sessions.csv-spec.json");
        var spec = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        if (pointer == "/delimiter")
        {
            spec["delimiter"] = JsonNode.Parse(value);
        }
        else
        {
            spec["columns"]!.AsArray().Add(JsonNode.Parse(value));
        }

        File.WriteAllText(file, spec.ToJsonString());

        var err = await RefusedAsync("--contracts", copy, "--api", "wavy-open-sessions", "--filter", "csv", "--report-dir", Path.Combine(dir, "out"));

        err.Should().Contain($"open-sessions.csv-spec.json: at {pointer}: ").And.Contain(reason);
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse("nothing was run");
    }

    [TestCase("\"id\": { \"type\": \"string\", \"pattern\": \"([a-\" }", "the pattern '([a-' is not a valid regular expression")]
    [TestCase("\"id\": { \"type\": \"string\", \"patternProperties\": { \"([a-\": {} } }", "the pattern '([a-' is not a valid regular expression")]
    [TestCase("\"id\": { \"$ref\": \"#/definitions/loop\" }", "a $ref leads back to itself through $refs alone")]
    public async Task A_schema_the_checks_cannot_use_is_refused_in_one_line_before_the_run(string property, string reason)
    {
        // Before, the schema loaded and the first check to use it threw mid-run: OPENCX-004 ERROR "the check threw
        // RegexParseException: Invalid pattern '([a-' …" or "InvalidOperationException: Cyclic references detected.", exit 1.
        var copy = CopyOfContracts();
        var session = Path.Combine(copy, "schemas", "opencx-chat-sessions", "session.schema.json");
        var json = JsonNode.Parse(File.ReadAllText(session))!.AsObject();
        if (property.Contains("loop", StringComparison.Ordinal))
        {
            json["definitions"]!["loop"] = new JsonObject { ["$ref"] = "#/definitions/loop" };
        }

        json["properties"]!["id"] = JsonNode.Parse("{" + property + "}")!["id"]!.DeepClone();
        File.WriteAllText(session, json.ToJsonString());

        var err = await RefusedAsync("--contracts", copy, "--api", "opencx-chat-sessions", "--filter", "OPENCX-004", "--report-dir", Path.Combine(dir, "out"));

        err.Should().StartWith($"conformance: {session}: at /: not a usable JSON Schema").And.Contain(reason);
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse("nothing was run");
    }

    [TestCase("--contracts", "", "--list")]
    [TestCase("--baseline", "", "--list")]
    [TestCase("openapi", "--api", "wavy-open-sessions", "--out", "")]
    public async Task An_empty_path_is_refused_in_one_line(params string[] args)
    {
        var err = await RefusedAsync(args);

        err.Should().Contain("empty");
    }

    [Test]
    public async Task An_unexpected_error_of_a_subcommand_is_one_line_not_a_stack_trace()
    {
        // A defect of the tool's own, reached by a subcommand: the variables the signing key is read from throw.
        var (exit, _, err) = await RunAsync(new CliContext { Variables = new ThrowingVariables() }, "certify", "--package", Path.Combine(dir, "package.zip"), "--signing-key-env", "KEY");

        exit.Should().Be(ExitCodes.UsageOrConfiguration, err);
        err.Should().StartWith("conformance: unexpected error (InvalidOperationException").And.NotContain("   at ");
        err.TrimEnd().Split('\n').Should().HaveCount(1, err);
        File.Delete(StackTraceLog(err));
    }

    /// <summary>The log file an unexpected error's one line names for its stack trace.</summary>
    private static string StackTraceLog(string err)
    {
        var log = System.Text.RegularExpressions.Regex.Match(err, @"\(stack trace in (?<file>[^()]+\.log)\)\s*$").Groups["file"].Value;
        log.Should().NotBeEmpty("the line names the log file of the stack trace: {0}", err);
        return log;
    }

    [Test]
    public async Task An_unexpected_error_before_a_run_keeps_its_stack_trace_in_a_log_file_the_line_names()
    {
        // The option parsing meets a defect of the tool's own: the variables an ad-hoc target's credentials come from throw.
        var (exit, _, err) = await RunAsync(new CliContext { Variables = new ThrowingVariables() }, "--base-url", "http://127.0.0.1:9/", "--api", "wavy-open-sessions", "--list");

        exit.Should().Be(ExitCodes.UsageOrConfiguration, err);
        err.TrimEnd().Split('\n').Should().HaveCount(1, err);
        err.Should().StartWith("conformance: unexpected error (InvalidOperationException").And.NotContain("   at ");
        var log = StackTraceLog(err);
        try
        {
            var trace = await File.ReadAllTextAsync(log);
            trace.Should().Contain("System.InvalidOperationException: the variables cannot be read").And.Contain("   at ").And.Contain(nameof(ThrowingVariables));
        }
        finally
        {
            File.Delete(log);
        }
    }

    [TestCase("[null]", "/verdict/notChecked/0")]
    [TestCase("""[{"api":"wavy-open-sessions","id":"WAVY-011","cases":[null]}]""", "/verdict/notChecked/0/cases/0")]
    public async Task A_manifest_with_a_null_item_is_not_verified_naming_it(string notChecked, string pointer)
    {
        // Before, a null among the requirements not checked reached the report's code: 'unexpected error (NullReferenceException)', exit 2.
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var package = Package(Manifest(notChecked: notChecked), key);

        var (exit, output, err) = await RunAsync("verify", package, "--public-key", Write("public.pem", key.ExportSubjectPublicKeyInfoPem()));

        exit.Should().Be(VerifyCommand.NotVerified, err + output);
        err.Should().BeEmpty();
        output.Should().Contain("NOT VERIFIED").And.Contain($"manifest.json: at {pointer}: null");
    }

    [Test]
    public async Task A_manifest_with_a_wrongly_typed_field_is_not_verified_naming_it()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var package = Package(Manifest(notChecked: """[{"api":"wavy-open-sessions","id":5,"cases":[]}]"""), key);

        var (exit, output, err) = await RunAsync("verify", package, "--public-key", Write("public.pem", key.ExportSubjectPublicKeyInfoPem()));

        exit.Should().Be(VerifyCommand.NotVerified, err + output);
        output.Should().Contain("NOT VERIFIED").And.Contain("manifest.json: not a certification manifest").And.Contain("$.verdict.notChecked[0].id");
    }

    [Test]
    public async Task A_manifest_that_is_not_verified_cannot_print_a_line_of_its_own_in_the_report()
    {
        // Before, a tampered manifest's target name printed as three lines: the second said the package was VERIFIED, in
        // the words of the real line, above the real verdict, and the third ran a CI runner's command.
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var forged = "n\\nconformance: VERIFIED: 12 files as the manifest lists them, none missing or extra\\r\\n::notice::certified\\u2028x";
        var package = Package(Manifest(notChecked: "[]").Replace("\"name\":\"n\"", $"\"name\":\"{forged}\"", StringComparison.Ordinal), key);

        var (exit, output, err) = await RunAsync("verify", package, "--public-key", Write("public.pem", other.ExportSubjectPublicKeyInfoPem()));

        exit.Should().Be(VerifyCommand.NotVerified, err + output);
        output.Should().Contain("who:     n\\nconformance: VERIFIED: 12 files").And.Contain("NOT VERIFIED");
        output.Split('\n').Should().NotContain(l => l.StartsWith("conformance: VERIFIED", StringComparison.Ordinal) || l.TrimStart().StartsWith("::", StringComparison.Ordinal), output)
            .And.NotContain(l => l.Contains('\u2028', StringComparison.Ordinal));
    }

    /// <summary>The manifest of an incomplete run that lists no file; {SIGNER} stands for the signing key's fingerprint.</summary>
    private static string Manifest(string notChecked) => $$$"""
        {"format":"conformance-certification/1","createdAt":"2026-01-01T00:00:00Z","tool":{"name":"t","version":"1"},
         "target":{"name":"n","description":"d","embedded":true,"baseUrls":{},"credentials":[]},
         "run":{"startedAt":"2026-01-01T00:00:00Z","finishedAt":"2026-01-01T00:00:00Z","apis":[],"requestCount":0},
         "verdict":{"outcome":"incomplete","notChecked":{{{notChecked}}},"conformant":false,"failOn":"fail","requirements":0,"counts":{}},
         "signer":{"algorithm":"ECDSA-P256-SHA256","publicKeySha256":"{SIGNER}"},"files":[]}
        """;

    /// <summary>A package of the manifest alone, signed with the key (so nothing but the manifest's content is wrong).</summary>
    private string Package(string manifest, System.Security.Cryptography.ECDsa key)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(manifest.Replace("{SIGNER}", ConformanceSuite.Engine.Certification.CertificationKeys.Fingerprint(key), StringComparison.Ordinal));
        var package = Path.Combine(dir, "package.zip");
        using var zip = System.IO.Compression.ZipFile.Open(package, System.IO.Compression.ZipArchiveMode.Create);
        using (var entry = zip.CreateEntry("manifest.json").Open())
        {
            entry.Write(bytes);
        }

        using (var signature = zip.CreateEntry("manifest.sig").Open())
        {
            signature.Write(ConformanceSuite.Engine.Certification.CertificationKeys.Sign(key, bytes));
        }

        return package;
    }

    /// <summary>Variables whose every read throws: a defect of the tool's own, for the catch-all to meet.</summary>
    private sealed class ThrowingVariables : IReadOnlyDictionary<string, string>
    {
        public string this[string key] => throw Defect();

        public IEnumerable<string> Keys => throw Defect();

        public IEnumerable<string> Values => throw Defect();

        public int Count => throw Defect();

        public bool ContainsKey(string key) => throw Defect();

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => throw Defect();

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value) => throw Defect();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private static InvalidOperationException Defect() => new("the variables cannot be read (a defect made for the test)");
    }

    /// <summary>The variables a Wavy ad-hoc run takes its credentials and test data from, with <paramref name="token"/> as its token.</summary>
    internal static Dictionary<string, string> WavyVariables(string token) => new()
    {
        ["CONFORMANCE_CREDENTIAL_authenticationToken"] = token, ["CONFORMANCE_CREDENTIAL_userName"] = "user",
        ["CONFORMANCE_DATA_customerWithSessions"] = "1001", ["CONFORMANCE_DATA_customerWithoutSessions"] = "1002", ["CONFORMANCE_DATA_subAccount"] = "11",
    };

    /// <summary>A copy of the contract data (schemas, fixtures, targets, pacts) in the test's folder, for a test to break.</summary>
    private string CopyOfContracts()
    {
        var copy = Path.Combine(dir, "contracts");
        CliTests.CopyDirectory(Harness.Layout.Root, copy, ["schemas", "fixtures", "targets", "pacts"]);
        return copy;
    }
}
