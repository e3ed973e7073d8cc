using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using ConformanceSuite.Cli;
using FluentAssertions.Execution;

namespace ConformanceSuite.Tests;

/// <summary>
/// <c>conformance certify</c> and <c>conformance verify</c> through the real entry point: a signed package of a
/// conformant and of a failing run verifies; every kind of tampering (each entry changed, each entry removed,
/// a file added, the manifest re-hashed, another signer, the wrong key) is caught and named; no credential
/// and no part of the signing key is anywhere in a package; bad input is one line and exit 2.
/// </summary>
[TestFixture]
public sealed class CertificationTests
{
    private const string Api = "wavy-open-sessions";

    private string dir = "";
    private ECDsa key = null!;
    private string keyFile = "";
    private string publicKeyFile = "";

    /// <summary>The package of a conformant run of the embedded mock, certified once; tests tamper with copies.</summary>
    private string package = "";
    private (int Exit, string Out, string Err) certified;

    [OneTimeSetUp]
    public async Task Certify()
    {
        Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-cert-" + Guid.NewGuid().ToString("N")));
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        keyFile = Write("signing-key.pem", key.ExportPkcs8PrivateKeyPem());
        publicKeyFile = Write("public-key.pem", key.ExportSubjectPublicKeyInfoPem());
        package = Path.Combine(dir, "conformant.zip");
        certified = await RunAsync("certify", "--api", Api, "--report-dir", Path.Combine(dir, "conformant"), "--package", package, "--signing-key", keyFile);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        key.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    [Test]
    public void A_manifest_without_a_known_revision_or_runtime_still_reads()
    {
        // A tool built outside a git checkout knows no revision; the writer leaves a null out, so the reader must not need it.
        using var zip = System.IO.Compression.ZipFile.OpenRead(package);
        using var reader = new StreamReader(zip.GetEntry(Engine.Certification.CertificationManifest.ManifestEntry)!.Open());
        var json = System.Text.Json.Nodes.JsonNode.Parse(reader.ReadToEnd())!;
        json["tool"]!.AsObject().Remove("revision");
        json["tool"]!.AsObject().Remove("runtime");

        var manifest = Engine.Certification.CertificationManifest.Parse(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), out var problem);

        problem.Should().BeNull();
        manifest!.Tool.Revision.Should().BeNull();
        manifest.Tool.Name.Should().NotBeNullOrEmpty();
    }

    [Test]
    public async Task A_conformant_run_writes_a_package_that_verifies_and_says_who_what_when_and_the_verdict()
    {
        certified.Exit.Should().Be(ExitCodes.Conformant, certified.Err + certified.Out);
        certified.Out.Should().Contain(package).And.Contain("verdict conformant");

        var (exit, output, err) = await RunAsync("verify", package, "--public-key", publicKeyFile);

        exit.Should().Be(VerifyCommand.Verified, err + output);
        output.Should().Contain("VERIFIED").And.Contain("embedded: the embedded reference mock").And.Contain($"what:    {Api}")
            .And.Contain($"ConformanceSuite {ToolInfo.AssemblyVersion}, revision").And.Contain("verdict: conformant:")
            .And.Contain("started ").And.Contain("finished ");
        err.Should().BeEmpty();
    }

    [Test]
    public void The_package_holds_every_report_the_contracts_in_force_and_a_manifest_signed_over_its_bytes()
    {
        var entries = Entries(package);
        var names = entries.Select(e => e.Name).ToList();
        names.Should().OnlyHaveUniqueItems();
        names.Should().Contain(RunResults.ReportFiles.Select(f => "reports/" + f));
        names.Should().Contain(["manifest.json", "manifest.sig", "target.json", "contracts/targets/embedded.json", "contracts/schemas/_format/contract.schema.json",
            $"contracts/schemas/{Api}/contract.json", $"contracts/schemas/{Api}/requirements.json", $"contracts/pacts/ConformanceSuiteConsumer-{Api}.json"]);
        names.Should().NotContain(n => n.Contains("opencx", StringComparison.Ordinal), "only the contracts the run used");

        // Checked here without the tool's verifier: every other entry is listed with its SHA-256 and size, the
        // signature holds over the manifest's exact bytes, and the manifest names the key's fingerprint.
        var bytes = entries.Single(e => e.Name == "manifest.json").Bytes;
        key.VerifyData(bytes, entries.Single(e => e.Name == "manifest.sig").Bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence).Should().BeTrue();
        var manifest = JsonNode.Parse(bytes)!;
        manifest["signer"]!["publicKeySha256"]!.GetValue<string>().Should().Be(Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())));
        var listed = manifest["files"]!.AsArray().ToDictionary(f => f!["path"]!.GetValue<string>(), f => (Sha: f!["sha256"]!.GetValue<string>(), Size: f["size"]!.GetValue<long>()));
        listed.Keys.Should().BeEquivalentTo(names.Except(["manifest.json", "manifest.sig"]));
        foreach (var (name, content) in entries.Where(e => listed.ContainsKey(e.Name)))
        {
            listed[name].Should().Be((Convert.ToHexStringLower(SHA256.HashData(content)), (long)content.Length), name);
        }

        var results = JsonNode.Parse(entries.Single(e => e.Name == "reports/results.json").Bytes)!;
        manifest["verdict"]!["outcome"]!.GetValue<string>().Should().Be("conformant");
        manifest["verdict"]!["counts"]!.ToJsonString().Should().Be(results["counts"]!.ToJsonString());
        manifest["tool"]!["version"]!.GetValue<string>().Should().Be(results["tool"]!["version"]!.GetValue<string>());
        manifest["run"]!["startedAt"]!.GetValue<DateTimeOffset>().Should().Be(results["startedAt"]!.GetValue<DateTimeOffset>());
        manifest["target"]!["credentials"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().BeEquivalentTo(["authenticationToken", "userName"]);
    }

    [Test]
    public async Task A_run_with_faults_writes_a_package_too_and_its_verdict_says_not_conformant()
    {
        var faulted = Path.Combine(dir, "faulted.zip");

        var run = await RunAsync("certify", "--api", Api, "--fault", "csv-bom,customerId-not-required", "--report-dir", Path.Combine(dir, "faulted"),
            "--package", faulted, "--signing-key", keyFile);
        var (exit, output, err) = await RunAsync("verify", faulted, "--public-key", publicKeyFile);

        run.Exit.Should().Be(ExitCodes.NotConformant, run.Err + run.Out);
        run.Out.Should().Contain("verdict not-conformant");
        exit.Should().Be(VerifyCommand.Verified, err + output);
        output.Should().Contain("VERIFIED").And.Contain("verdict: not conformant:").And.Contain("faults switched on: csv-bom, customerId-not-required");
        JsonNode.Parse(Entries(faulted).Single(e => e.Name == "manifest.json").Bytes)!["verdict"]!["conformant"]!.GetValue<bool>().Should().BeFalse();
    }

    [Test]
    public async Task An_interrupted_run_is_not_certified_even_with_accept_incomplete()
    {
        using var interrupt = new CancellationTokenSource();
        await interrupt.CancelAsync();
        var path = Path.Combine(dir, "interrupted.zip");
        var settings = new Engine.RunSettings
        {
            Apis = [Api], ReportDirectory = Path.Combine(dir, "interrupted"), ContractsDirectory = Harness.Layout.Root, Interrupt = interrupt.Token,
        };

        var certification = await Engine.Certification.Certifier.RunAsync(settings, key, path, acceptIncomplete: true);

        certification.Manifest.Should().BeNull();
        certification.PackagePath.Should().BeNull();
        File.Exists(path).Should().BeFalse("a run stopped before its end certifies nothing");
        certification.Results.Requirements.SelectMany(r => r.Cases).Should().OnlyContain(c => c.Verdict == Verdict.Error);
    }

    [Test]
    public async Task A_profile_with_overrides_packages_the_contract_in_force()
    {
        var overridden = Path.Combine(dir, "renamed.zip");

        // The pacts describe the canonical contract, so a renamed target's run is incomplete: refused without
        // --accept-incomplete, and with it the package says so.
        var refused = await RunAsync("certify", "--target", "embedded-renamed", "--api", "chat-session-list", "--report-dir", Path.Combine(dir, "refused"),
            "--package", Path.Combine(dir, "refused.zip"), "--signing-key", keyFile);
        var run = await RunAsync("certify", "--target", "embedded-renamed", "--api", "chat-session-list", "--report-dir", Path.Combine(dir, "renamed"),
            "--package", overridden, "--signing-key", keyFile, "--accept-incomplete");
        var (exit, output, _) = await RunAsync("verify", overridden, "--public-key", publicKeyFile);

        refused.Exit.Should().Be(ExitCodes.Incomplete);
        refused.Err.Should().Contain("no certification package: the run is incomplete").And.Contain("--accept-incomplete");
        File.Exists(Path.Combine(dir, "refused.zip")).Should().BeFalse("an incomplete run is not certified unless accepted");
        run.Exit.Should().Be(ExitCodes.Conformant, run.Err + run.Out);
        run.Out.Should().Contain("INCOMPLETE:");
        exit.Should().Be(VerifyCommand.Verified, output);
        output.Should().Contain("contract overridden by the target profile").And.Contain("INCOMPLETE: nothing fails, but 1 requirements were not fully checked (PACT chat-session-list)");
        var entries = Entries(overridden);
        entries.Select(e => e.Name).Should().Contain(["contracts/targets/embedded-renamed.json", "contracts/schemas/chat-session-list/contract.json", "effective/chat-session-list/overrides.json"]);
        var effective = Encoding.UTF8.GetString(entries.Single(e => e.Name == "effective/chat-session-list/contract.json").Bytes);
        var original = Encoding.UTF8.GetString(entries.Single(e => e.Name == "contracts/schemas/chat-session-list/contract.json").Bytes);
        effective.Should().Contain("\"/v2/sessions\"").And.Contain("\"pageSize\"");
        original.Should().NotContain("/v2/sessions").And.NotContain("pageSize");
    }

    [Test]
    public async Task Every_entry_changed_by_one_byte_is_caught_and_named()
    {
        var names = Entries(package).Select(e => e.Name).ToList();
        names.Should().Contain(["reports/report.md", "reports/requests.jsonl", "reports/conformance.log", $"contracts/schemas/{Api}/contract.json", "target.json", "manifest.json", "manifest.sig"]);

        using var scope = new AssertionScope();
        foreach (var name in names)
        {
            var copy = Tampered($"flip-{names.IndexOf(name)}", entries => entries.Select(e => e.Name == name ? (e.Name, Flip(e.Bytes)) : e));

            var (exit, output, _) = await RunAsync("verify", copy, "--public-key", publicKeyFile);

            exit.Should().Be(VerifyCommand.NotVerified, $"one byte of {name} changed");
            output.Should().Contain(name is "manifest.json" or "manifest.sig" ? "manifest.sig: bad signature" : $"{name}: changed", $"one byte of {name} changed");
        }
    }

    [Test]
    public async Task Every_entry_removed_is_caught_and_named()
    {
        var names = Entries(package).Select(e => e.Name).ToList();

        using var scope = new AssertionScope();
        foreach (var name in names)
        {
            var copy = Tampered($"remove-{names.IndexOf(name)}", entries => entries.Where(e => e.Name != name));

            var (exit, output, _) = await RunAsync("verify", copy, "--public-key", publicKeyFile);

            exit.Should().Be(VerifyCommand.NotVerified, $"{name} removed");
            output.Should().Contain($"{name}: missing", $"{name} removed");
        }
    }

    [Test]
    public async Task An_added_file_or_a_second_entry_of_a_listed_name_is_caught_and_named()
    {
        var added = Tampered("added", entries => entries.Append(("reports/extra.txt", "an afterthought"u8.ToArray())));
        var doubled = Tampered("doubled", entries => entries.Append(("reports/report.md", "## all green"u8.ToArray())));

        var (exit, output, _) = await RunAsync("verify", added, "--public-key", publicKeyFile);
        var (doubledExit, doubledOutput, _) = await RunAsync("verify", doubled, "--public-key", publicKeyFile);

        exit.Should().Be(VerifyCommand.NotVerified);
        output.Should().Contain("reports/extra.txt: extra file");
        doubledExit.Should().Be(VerifyCommand.NotVerified);
        doubledOutput.Should().Contain("reports/report.md: the archive holds 2 entries of that name");
    }

    [Test]
    public async Task A_changed_report_with_the_manifest_rehashed_but_not_re_signed_is_caught_by_the_signature()
    {
        var copy = Tampered("rehashed", entries => Rehash(entries, "reports/report.md", "## ConformanceSuite: conformant, trust me\n"u8.ToArray()));

        var (exit, output, _) = await RunAsync("verify", copy, "--public-key", publicKeyFile);

        exit.Should().Be(VerifyCommand.NotVerified);
        output.Should().Contain("manifest.sig: bad signature").And.NotContain("reports/report.md: changed", "the manifest's hashes match the changed file; only the signature tells");
    }

    [Test]
    public async Task A_package_re_signed_with_another_key_is_caught_and_verifies_only_with_that_key()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherPublic = Write("other-public.pem", other.ExportSubjectPublicKeyInfoPem());
        var copy = Tampered("resigned", entries => Rehash(entries, "reports/report.md", "## forged\n"u8.ToArray(), other));

        var (exit, output, _) = await RunAsync("verify", copy, "--public-key", publicKeyFile);
        var (otherExit, otherOutput, _) = await RunAsync("verify", copy, "--public-key", otherPublic);

        exit.Should().Be(VerifyCommand.NotVerified);
        output.Should().Contain("manifest.sig: bad signature").And.Contain("wrong key: manifest.json names the signer's key sha256 "
            + Convert.ToHexStringLower(SHA256.HashData(other.ExportSubjectPublicKeyInfo())));
        otherExit.Should().Be(VerifyCommand.Verified, "the forgery is consistent in itself: only the key given tells it apart");
        otherOutput.Should().Contain("VERIFIED");
    }

    [Test]
    public async Task Verifying_with_the_wrong_public_key_is_caught_and_named()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherPublic = Write("wrong-public.pem", other.ExportSubjectPublicKeyInfoPem());

        var (exit, output, _) = await RunAsync("verify", package, "--public-key", otherPublic);

        exit.Should().Be(VerifyCommand.NotVerified);
        output.Should().Contain("wrong key:").And.Contain("manifest.sig: bad signature").And.Contain("NOT verified: do not rely on it");
    }

    [Test]
    public async Task No_credential_and_no_part_of_the_signing_key_is_in_a_package_of_a_live_target()
    {
        string Canary(string what) => $"CANARY-{what}-{Guid.NewGuid():N}";
        var canaries = new Dictionary<string, string>
        {
            ["WAVY_AUTH_TOKEN"] = Canary("wavy-token"),
            ["WAVY_USER_NAME"] = Canary("wavy-user"),
            ["OPENCX_TOKEN"] = Canary("opencx"),
            ["CSL_TOKEN"] = Canary("csl-jwt"),
        };
        await using var mock = await MockHost.StartAsync(new MockOptions
        {
            Layout = Harness.Layout,
            Contracts = Harness.Contracts,
            AcceptPactExamples = true,
            EchoCredentials = true,
            Credentials = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                [Api] = new Dictionary<string, string> { ["authenticationToken"] = canaries["WAVY_AUTH_TOKEN"], ["userName"] = canaries["WAVY_USER_NAME"] },
                ["opencx-chat-sessions"] = new Dictionary<string, string> { ["Authorization"] = canaries["OPENCX_TOKEN"] },
                ["chat-session-list"] = new Dictionary<string, string> { ["Authorization"] = canaries["CSL_TOKEN"] },
            },
        });
        // The local-mock profile, with one test-data value that asks for the signing key's variable: the run must not get it.
        var profile = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Harness.Layout.Targets, "local-mock.json")))!;
        profile["apis"]![Api]!["testData"]!["subAccount"] = new JsonObject { ["env"] = CertifyCommand.DefaultKeyVariable, ["default"] = "11" };
        var profileFile = Write("leaky-local-mock.json", profile.ToJsonString());
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = signer.ExportPkcs8PrivateKeyPem();
        var variables = LocalMockVariables(mock);
        foreach (var (name, value) in canaries)
        {
            variables[name] = value;
        }

        variables[CertifyCommand.DefaultKeyVariable] = pem;
        var live = Path.Combine(dir, "live.zip");

        var (exit, output, err) = await RunWithAsync(CliTests.Context(variables), "certify", "--target", profileFile, "--report-dir", Path.Combine(dir, "live"), "--package", live);

        exit.Should().Be(ExitCodes.Conformant, err + output);
        var entries = Entries(live);
        Encoding.UTF8.GetString(entries.Single(e => e.Name == "reports/requests.jsonl").Bytes).Should().Contain("[redacted]", "the echoed credentials were seen and redacted");
        Encoding.UTF8.GetString(entries.Single(e => e.Name == "target.json").Bytes).Should().Contain("WAVY_AUTH_TOKEN", "credentials are named, by their variables");
        var places = entries.Select(e => (Where: e.Name, Text: Encoding.UTF8.GetString(e.Bytes), e.Bytes))
            .Append((Where: "the archive's bytes", Text: Encoding.Latin1.GetString(File.ReadAllBytes(live)), Bytes: File.ReadAllBytes(live)))
            .Append((Where: "console output", Text: output, Bytes: Encoding.UTF8.GetBytes(output)))
            .Append((Where: "console errors", Text: err, Bytes: Encoding.UTF8.GetBytes(err)))
            .ToList();
        var der = signer.ExportPkcs8PrivateKey();
        var scalar = signer.ExportParameters(includePrivateParameters: true).D!;
        var body = string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).Select(l => l.Trim()));
        var secrets = canaries.SelectMany(c => SecretLeakTests.Forms(c.Value).Select(form => (What: c.Key, Form: form)))
            .Concat(SecretLeakTests.Forms(pem).Concat(SecretLeakTests.Forms(body)).Select(form => (What: "the signing key's PEM", Form: form)))
            .Concat(pem.Split('\n').Where(l => l.Length >= 16 && !l.StartsWith("-----", StringComparison.Ordinal)).Select(line => (What: "a line of the signing key's PEM", Form: line.Trim())))
            .Concat(ByteForms(der).Select(form => (What: "the signing key's DER", Form: form)))
            .Concat(ByteForms(scalar).Select(form => (What: "the signing key's private scalar", Form: form)))
            .ToList();

        using var scope = new AssertionScope();
        foreach (var (what, form) in secrets)
        {
            places.Where(p => p.Text.Contains(form, StringComparison.Ordinal)).Select(p => p.Where).Should().BeEmpty($"{what} must not appear in any form ({form})");
        }

        foreach (var (what, raw) in new[] { ("the signing key's DER", der), ("the signing key's private scalar", scalar) })
        {
            places.Where(p => p.Bytes.AsSpan().IndexOf(raw) >= 0).Select(p => p.Where).Should().BeEmpty($"{what} must not appear as raw bytes");
        }
    }

    public static IEnumerable<TestCaseData> BadSigningKeys()
    {
        yield return new TestCaseData("missing", "does not exist").SetName("certify: a missing key file is exit 2");
        yield return new TestCaseData("public", "is a public key").SetName("certify: a public key as the signing key is exit 2");
        yield return new TestCaseData("p384", "curve").SetName("certify: an EC key on another curve than P-256 is exit 2");
        yield return new TestCaseData("rsa", "not an EC P-256 key").SetName("certify: an RSA key is exit 2");
        yield return new TestCaseData("garbage", "not an EC P-256 key").SetName("certify: a file that holds no PEM key is exit 2");
        yield return new TestCaseData("none", "no signing key").SetName("certify: no key at all is exit 2");
        yield return new TestCaseData("unset-variable", "SOME_UNSET_KEY").SetName("certify: --signing-key-env naming an unset variable is exit 2");
    }

    [TestCaseSource(nameof(BadSigningKeys))]
    public async Task A_bad_signing_key_is_one_line_exit_2_before_anything_runs(string kind, string expected)
    {
        using var rsa = RSA.Create(2048);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        string[] keyArgs = kind switch
        {
            "missing" => ["--signing-key", Path.Combine(dir, "no-such-key.pem")],
            "public" => ["--signing-key", publicKeyFile],
            "p384" => ["--signing-key", Write("p384.pem", p384.ExportPkcs8PrivateKeyPem())],
            "rsa" => ["--signing-key", Write("rsa.pem", rsa.ExportPkcs8PrivateKeyPem())],
            "garbage" => ["--signing-key", Write("garbage.pem", "not a key at all\n")],
            "unset-variable" => ["--signing-key-env", "SOME_UNSET_KEY"],
            _ => [],
        };
        var reports = Path.Combine(dir, "bad-key-" + kind);
        var target = Path.Combine(dir, $"bad-key-{kind}.zip");

        var (exit, output, err) = await RunAsync(["certify", "--api", Api, "--report-dir", reports, "--package", target, .. keyArgs]);

        exit.Should().Be(ExitCodes.UsageOrConfiguration, output);
        OneLine(err).Should().Contain(expected);
        Directory.Exists(reports).Should().BeFalse("a bad key stops certify before the run");
        File.Exists(target).Should().BeFalse();
        (err + output).Should().NotContain(key.ExportPkcs8PrivateKeyPem().Split('\n')[1]);
    }

    [Test]
    public async Task An_unwritable_package_path_is_one_line_exit_2_before_anything_runs()
    {
        var reports = Path.Combine(dir, "unwritable");
        var underAFile = Path.Combine(keyFile, "package.zip");

        var (exit, output, err) = await RunAsync("certify", "--api", Api, "--report-dir", reports, "--package", underAFile, "--signing-key", keyFile);
        var (folderExit, _, folderErr) = await RunAsync("certify", "--api", Api, "--report-dir", reports, "--package", dir, "--signing-key", keyFile);

        exit.Should().Be(ExitCodes.UsageOrConfiguration, output);
        OneLine(err).Should().Contain("cannot write the certification package").And.Contain(underAFile);
        folderExit.Should().Be(ExitCodes.UsageOrConfiguration);
        OneLine(folderErr).Should().Contain("is a folder");
        Directory.Exists(reports).Should().BeFalse("an unwritable package path stops certify before the run");
    }

    [Test]
    public async Task Certify_refuses_the_gate_s_fail_on_new_before_anything_runs()
    {
        var reports = Path.Combine(dir, "gate");
        var gated = Path.Combine(dir, "gate.zip");
        var baseline = Path.Combine(dir, "conformant", "results.json");

        var (exit, _, err) = await RunAsync("certify", "--api", Api, "--report-dir", reports, "--package", gated, "--signing-key", keyFile,
            "--fail-on", "new", "--baseline", baseline);

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        OneLine(err).Should().Contain("certify judges the provider as it is");
        File.Exists(gated).Should().BeFalse();
        Directory.Exists(reports).Should().BeFalse();
    }

    [Test]
    public async Task A_run_that_cannot_reach_its_target_writes_no_package_and_leaves_nothing_behind()
    {
        var profile = Write("unreachable.json", """
            {"name":"unreachable","apis":{"wavy-open-sessions":{"baseUrl":"http://127.0.0.1:9/wavy",
              "credentials":{"authenticationToken":{"env":"CS_TEST_TOKEN"},"userName":{"env":"CS_TEST_USER"}}}}}
            """);
        var folder = Path.Combine(dir, "unreachable");
        Directory.CreateDirectory(folder);
        var variables = new Dictionary<string, string> { ["CS_TEST_TOKEN"] = "t0ken-value", ["CS_TEST_USER"] = "user-value" };

        var (exit, _, err) = await RunWithAsync(CliTests.Context(variables), "certify", "--target", profile, "--api", Api,
            "--report-dir", Path.Combine(dir, "unreachable-reports"), "--package", Path.Combine(folder, "package.zip"), "--signing-key", keyFile);

        exit.Should().Be(ExitCodes.Unreachable, err);
        Directory.EnumerateFileSystemEntries(folder).Should().BeEmpty("no package, and no partial one");
    }

    public static IEnumerable<TestCaseData> BadPackages()
    {
        yield return new TestCaseData("missing", "no such package").SetName("verify: a missing package is exit 2");
        yield return new TestCaseData("not-zip", "not a zip archive").SetName("verify: a file that is not a zip is exit 2");
        yield return new TestCaseData("corrupt-directory", "not a zip archive, so not a certification package: its directory cannot be read (Number of entries expected")
            .SetName("verify: a zip whose directory does not match its end record is exit 2");
        yield return new TestCaseData("missing-key", "does not exist").SetName("verify: a missing public key file is exit 2");
        yield return new TestCaseData("garbage-key", "not an EC P-256 key").SetName("verify: a public key file that holds no key is exit 2");
    }

    [TestCaseSource(nameof(BadPackages))]
    public async Task Bad_verify_input_is_one_line_exit_2(string kind, string expected)
    {
        var path = kind switch
        {
            "missing" => Path.Combine(dir, "no-such-package.zip"),
            "not-zip" => Write("not-a-zip.zip", "PK? no, just text"),
            "corrupt-directory" => CorruptDirectory(),
            _ => package,
        };
        var publicKey = kind switch
        {
            "missing-key" => Path.Combine(dir, "no-such-public-key.pem"),
            "garbage-key" => Write("garbage-public.pem", "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n"),
            _ => publicKeyFile,
        };

        var (exit, output, err) = await RunAsync("verify", path, "--public-key", publicKey);

        exit.Should().Be(ExitCodes.UsageOrConfiguration, output);
        OneLine(err).Should().Contain(expected);
    }

    /// <summary>
    /// A copy of the package whose end record counts one entry more than its central directory holds: the archive
    /// opens, and only a read of its directory finds it broken. (Before, that read threw past the verifier: "unexpected
    /// error (InvalidDataException; a defect of the tool …)", exit 2 with a stack-trace file.)
    /// </summary>
    private string CorruptDirectory()
    {
        var bytes = File.ReadAllBytes(package);
        var end = bytes.Length - 22; // the end record, with no comment after it
        BitConverter.ToUInt32(bytes, end).Should().Be(0x06054b50, "the package ends with its end record");
        bytes[end + 8]++;
        bytes[end + 10]++;
        var path = Path.Combine(dir, "corrupt-directory.zip");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>An error's text: exactly one line, no stack trace.</summary>
    private static string OneLine(string err)
    {
        err.TrimEnd('\n', '\r').Should().NotContain("\n", "a usage or configuration error is one line").And.NotContain("   at ").And.StartWith("conformance: ");
        return err;
    }

    private string Write(string name, string text)
    {
        var file = Path.Combine(dir, name);
        File.WriteAllText(file, text);
        return file;
    }

    private static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunWithAsync(CliTests.Context(), args);

    private static async Task<(int Exit, string Out, string Err)> RunWithAsync(CliContext context, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, context);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Every entry of an archive, in order, duplicates included.</summary>
    private static List<(string Name, byte[] Bytes)> Entries(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.Select(e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return (e.FullName, copy.ToArray());
        }).ToList();
    }

    /// <summary>A copy of the certified package with its entries changed; a valid zip, so only the verification can tell.</summary>
    private string Tampered(string name, Func<List<(string Name, byte[] Bytes)>, IEnumerable<(string Name, byte[] Bytes)>> change)
    {
        var path = Path.Combine(dir, $"tampered-{name}.zip");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entryName, bytes) in change(Entries(package)).ToList())
        {
            using var stream = zip.CreateEntry(entryName).Open();
            stream.Write(bytes);
        }

        return path;
    }

    private static byte[] Flip(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        copy[copy.Length / 2] ^= 0x01;
        return copy;
    }

    /// <summary>One file replaced and the manifest's line for it re-hashed; re-signed only when a key is given (its fingerprint then named as the signer's).</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> Rehash(List<(string Name, byte[] Bytes)> entries, string file, byte[] content, ECDsa? signer = null)
    {
        var manifest = JsonNode.Parse(entries.Single(e => e.Name == "manifest.json").Bytes)!;
        var line = manifest["files"]!.AsArray().Single(f => f!["path"]!.GetValue<string>() == file)!;
        line["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content));
        line["size"] = content.Length;
        if (signer is not null)
        {
            manifest["signer"]!["publicKeySha256"] = Convert.ToHexStringLower(SHA256.HashData(signer.ExportSubjectPublicKeyInfo()));
        }

        var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return entries.Select(e => e.Name switch
        {
            _ when e.Name == file => (e.Name, content),
            "manifest.json" => (e.Name, bytes),
            "manifest.sig" when signer is not null => (e.Name, signer.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
            _ => e,
        });
    }

    /// <summary>The variables the local-mock profile reads, for a mock started in this process.</summary>
    private static Dictionary<string, string> LocalMockVariables(MockHost mock) => new()
    {
        ["WAVY_BASE_URL"] = mock.BaseUrl(Api).ToString(),
        ["OPENCX_BASE_URL"] = mock.BaseUrl("opencx-chat-sessions").ToString(),
        ["CSL_BASE_URL"] = mock.BaseUrl("chat-session-list").ToString(),
        ["MOCK_STATE_URL"] = new Uri(mock.ApiOrigin, MockHost.ProviderStatePath).ToString(),
        ["WAVY_DOWNLOADS_URL"] = new Uri(mock.DownloadOrigin, "/" + Api).ToString(),
    };

    /// <summary>The text forms raw bytes could take: hex (either case), and base64 (standard and URL-safe) at every alignment inside a longer value.</summary>
    private static IEnumerable<string> ByteForms(byte[] bytes)
    {
        yield return Convert.ToHexString(bytes);
        yield return Convert.ToHexStringLower(bytes);
        for (var offset = 0; offset < 3; offset++)
        {
            var middle = Convert.ToBase64String([.. new byte[offset], .. bytes, 0, 0, 0])[4..^8];
            yield return middle;
            yield return middle.Replace('+', '-').Replace('/', '_');
        }
    }
}
