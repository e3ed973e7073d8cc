using ConformanceSuite.MockServer;
using ConformanceSuite.Testing;
using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Pact.Tests;

/// <summary>
/// The committed pacts are usable by any Pact tool: the official CLI (npm @pact-foundation/pact-cli,
/// `pact-verifier`, pinned by tools/pact-cli/package-lock.json) verifies each one against the mock started
/// as a separate process, with its provider-state endpoint.
/// </summary>
[TestFixture]
public sealed class OfficialCliInteropTests
{
    private MockProcess? mock;

    /// <summary>One mock process serves every pact: each verification sets up its own provider states.</summary>
    [OneTimeSetUp]
    public async Task StartAsync() => mock = await MockProcess.StartWithAsync([], ["--accept-pact-examples"]);

    [OneTimeTearDown]
    public void Stop() => mock?.Dispose();

    private static string Verifier()
    {
        var tool = Path.Combine(PactFiles.Layout.Root, "tools", "pact-cli");
        var bin = Path.Combine(tool, "node_modules", ".bin", "pact-verifier");
        if (!File.Exists(bin))
        {
            var (exit, stdout, stderr) = ProcessRun.Run("npm", ["ci", "--no-audit", "--no-fund", "--prefix", tool], TimeSpan.FromMinutes(5));
            exit.Should().Be(0, $"npm ci in tools/pact-cli: {stdout}{stderr}");
        }

        return bin;
    }

    public static IEnumerable<TestCaseData> Pacts() =>
        Directory.EnumerateFiles(Path.Combine(PactFiles.Layout.Root, "pacts"), "*.json").Order(StringComparer.Ordinal)
            .Select(f => new TestCaseData(f).SetName($"official pact-verifier verifies {Path.GetFileName(f)}"));

    [TestCaseSource(nameof(Pacts))]
    public async Task The_official_cli_verifies_the_committed_pact(string file)
    {
        var verifier = Verifier();
        var mock = this.mock!;
        var provider = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(file))!["provider"]!["name"]!.GetValue<string>();
        var api = provider.Replace("-downloads", "", StringComparison.Ordinal);
        var origin = new Uri(mock.Ready.GetProperty(provider.EndsWith("-downloads", StringComparison.Ordinal) ? "downloadOrigin" : "apiOrigin").GetString()!);
        var states = new Uri(new Uri(mock.Ready.GetProperty("apiOrigin").GetString()!), MockHost.ProviderStatePath);
        var report = Path.Combine(Path.GetTempPath(), $"cs-pact-cli-{Guid.NewGuid():N}.json");

        var (exit, stdout, stderr) = ProcessRun.Run(verifier,
        [
            "--file", file, "--provider-name", provider, "--hostname", origin.Host, "--port", origin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--base-path", "/" + api, "--state-change-url", states.ToString(), "--no-colour", "--json", report,
        ], TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["PACT_DO_NOT_TRACK"] = "true" });
        var output = stdout + stderr;

        TestContext.Out.WriteLine(output);
        exit.Should().Be(0, output);
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(report))!;
        File.Delete(report);
        json["result"]!.GetValue<bool>().Should().BeTrue();
        output.Should().Contain("Verifying a pact between");
    }
}
