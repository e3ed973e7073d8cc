using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ConformanceSuite.Cli;

namespace ConformanceSuite.Tests;

/// <summary>
/// A fourth API of an existing shape needs data only: each existing API, copied under a new id, with its
/// requirement ids and its endpoint paths renamed, into a contracts folder of its own, is certified against
/// the embedded mock with no C# change, every requirement passing and every request going to the renamed
/// path. An API of a shape no mock serves stops an embedded run of it with one line, and leaves the runs of
/// the other APIs of the same folder as they were.
/// </summary>
[TestFixture]
public sealed partial class FourthApiTests
{
    /// <summary>The prefix of the copy's requirement ids, and the path its endpoints move to.</summary>
    private const string Prefix = "ACME";
    private const string NewPath = "/v3/conversations";

    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-fourth-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    public static IEnumerable<TestCaseData> Apis() =>
    [
        new TestCaseData("wavy-open-sessions", "acme-csv-link").SetName("a copy of wavy-open-sessions as acme-csv-link is certified without code"),
        new TestCaseData("opencx-chat-sessions", "acme-cursor-list").SetName("a copy of opencx-chat-sessions as acme-cursor-list is certified without code"),
        new TestCaseData("chat-session-list", "acme-offset-list").SetName("a copy of chat-session-list as acme-offset-list is certified without code"),
    ];

    [TestCaseSource(nameof(Apis))]
    public async Task A_copy_under_a_new_id_and_path_is_certified_against_the_embedded_mock(string original, string copy)
    {
        var contracts = Contracts();
        var oldPaths = AddCopy(contracts, original, copy);
        var reports = Path.Combine(contracts, "out");

        var (exit, output, err) = await RunAsync("--contracts", contracts, "--api", copy, "--report-dir", reports);

        exit.Should().Be(ExitCodes.Conformant, err + output);
        output.Should().Contain("CONFORMANT: ").And.NotContain("NOT CONFORMANT").And.NotContain("INCOMPLETE");
        var results = RunResults.Read(Path.Combine(reports, "results.json"));
        results.Outcome.Should().Be(RunOutcome.Conformant);
        var originals = new ContractLoader(Harness.Layout).Load(original).Requirements;
        results.Requirements.Should().HaveCount(originals.Count, "every requirement of the copy runs, and it has no pact of its own")
            .And.OnlyContain(r => r.Api == copy);
        results.Requirements.Select(r => r.Id).Should().BeEquivalentTo(originals.Select(r => RenamedId(r.Id)));
        results.Requirements.Where(r => r.Verdict != Verdict.Pass).Select(r => $"{r.Id}={r.Verdict}").Should().BeEmpty("every requirement of the copy passes");

        var paths = File.ReadLines(Path.Combine(reports, "requests.jsonl"))
            .Select(l => new Uri(JsonNode.Parse(l)!["url"]!.GetValue<string>()).AbsolutePath)
            .ToList();
        paths.Should().Contain(p => p.StartsWith($"/{copy}{NewPath}", StringComparison.Ordinal), "the copy is served under its id, at its renamed path");
        paths.Should().NotContain(p => oldPaths.Any(old => p.Contains(old, StringComparison.Ordinal)), "nothing goes to the old path");
        paths.Should().NotContain(p => p.StartsWith($"/{original}/", StringComparison.Ordinal), "nothing goes to the original API");
    }

    [Test]
    public async Task A_copy_is_certified_in_a_signed_package_that_verifies()
    {
        const string Original = "wavy-open-sessions";
        const string Copy = "acme-csv-link";
        var contracts = Contracts();
        AddCopy(contracts, Original, Copy);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyFile = Path.Combine(dir, "signing-key.pem");
        var publicKeyFile = Path.Combine(dir, "public-key.pem");
        await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(publicKeyFile, key.ExportSubjectPublicKeyInfoPem());
        var package = Path.Combine(dir, "acme.zip");

        var (exit, output, err) = await RunAsync("certify", "--contracts", contracts, "--api", Copy, "--report-dir", Path.Combine(dir, "out"),
            "--package", package, "--signing-key", keyFile);
        var (verified, verifyOutput, verifyErr) = await RunAsync("verify", package, "--public-key", publicKeyFile);

        exit.Should().Be(ExitCodes.Conformant, err + output);
        output.Should().Contain("verdict conformant");
        verified.Should().Be(VerifyCommand.Verified, verifyErr + verifyOutput);
        verifyOutput.Should().Contain("VERIFIED").And.Contain($"what:    {Copy}").And.Contain("verdict: conformant:");
        using var zip = ZipFile.OpenRead(package);
        zip.Entries.Select(e => e.FullName).Should().Contain([$"contracts/schemas/{Copy}/contract.json", $"contracts/schemas/{Copy}/requirements.json"])
            .And.NotContain(n => n.StartsWith($"contracts/schemas/{Original}/", StringComparison.Ordinal), "only the contracts the run used");
    }

    [Test]
    public async Task An_api_no_mock_serves_stops_its_embedded_run_with_one_line_and_leaves_the_others_running()
    {
        const string Unserved = "acme-two-links";
        var contracts = Contracts();
        AddCopy(contracts, "wavy-open-sessions", Unserved);
        // A second download endpoint: two CSV links is a shape no mock kind serves.
        var file = Path.Combine(contracts, "schemas", Unserved, "contract.json");
        var contract = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var second = contract["endpoints"]![0]!.DeepClone();
        second["id"] = "open-sessions-v4";
        second["path"] = "/v4/conversations";
        contract["endpoints"]!.AsArray().Add(second);
        await File.WriteAllTextAsync(file, contract.ToJsonString());

        var (exit, output, err) = await RunAsync("--contracts", contracts, "--api", Unserved, "--report-dir", Path.Combine(dir, "unserved"));
        var (other, otherOutput, otherErr) = await RunAsync("--contracts", contracts, "--api", "wavy-open-sessions", "--report-dir", Path.Combine(dir, "other"));

        exit.Should().Be(ExitCodes.UsageOrConfiguration, output);
        err.TrimEnd().Split('\n').Should().ContainSingle()
            .Which.Should().StartWith($"conformance: no mock serves {Unserved}: ")
            .And.Contain("2 endpoint(s)").And.Contain("/v4/conversations")
            .And.Contain("csv-link (").And.Contain("cursor-list (").And.Contain("offset-list (").And.NotContain("   at ");
        other.Should().Be(ExitCodes.Conformant, otherErr + otherOutput);
        otherOutput.Should().Contain("CONFORMANT: ");
        otherErr.Should().NotContain(Unserved);
    }

    /// <summary>A copy of the repository's contract data (schemas, fixtures, targets, pacts) in the test's folder.</summary>
    private string Contracts()
    {
        var contracts = Path.Combine(dir, "contracts");
        CliTests.CopyDirectory(Harness.Layout.Root, contracts, ["schemas", "fixtures", "targets", "pacts"]);
        return contracts;
    }

    /// <summary>
    /// Adds a copy of an API under a new id, as someone adding an API of an existing shape would: its files under
    /// <c>schemas/</c> and <c>fixtures/</c>, with the id replaced, every requirement id given the new prefix
    /// (ids are unique across the catalog), and every endpoint path moved from the list's path to
    /// <see cref="NewPath"/>. Returns the old paths.
    /// </summary>
    private static List<string> AddCopy(string contracts, string original, string copy)
    {
        var requirementIds = new ContractLoader(Harness.Layout).Load(original).Requirements.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var folder in new[] { "schemas", "fixtures" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(contracts, folder, original), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(contracts, folder, copy, Path.GetRelativePath(Path.Combine(contracts, folder, original), file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var text = File.ReadAllText(file).Replace(original, copy, StringComparison.Ordinal);
                File.WriteAllText(target, RequirementId().Replace(text, m => requirementIds.Contains(m.Value) ? RenamedId(m.Value) : m.Value));
            }
        }

        var contractFile = Path.Combine(contracts, "schemas", copy, "contract.json");
        var contract = JsonNode.Parse(File.ReadAllText(contractFile))!;
        var endpoints = contract["endpoints"]!.AsArray().Select(e => e!).ToList();
        var basePath = endpoints.Select(e => e["path"]!.GetValue<string>()).MinBy(p => p.Length)!;
        var oldPaths = endpoints.Select(e => e["path"]!.GetValue<string>()).ToList();
        foreach (var endpoint in endpoints)
        {
            var path = endpoint["path"]!.GetValue<string>();
            path.Should().StartWith(basePath, "every endpoint of the copied API lives under its list's path");
            endpoint["path"] = NewPath + path[basePath.Length..];
        }

        File.WriteAllText(contractFile, contract.ToJsonString());
        new ContractLoader(new RepositoryLayout(contracts)).Load(copy).Endpoints.Should().OnlyContain(e => e.Path.StartsWith(NewPath, StringComparison.Ordinal));
        return oldPaths;
    }

    /// <summary>WAVY-001 → ACME-001: the copy's requirement ids, unique across the catalog and in the format's pattern.</summary>
    private static string RenamedId(string id) => $"{Prefix}-{id[(id.LastIndexOf('-') + 1)..]}";

    [GeneratedRegex(@"\b[A-Z]+-[0-9]{3}\b")]
    private static partial Regex RequirementId();

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, CliTests.Context(null));
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
