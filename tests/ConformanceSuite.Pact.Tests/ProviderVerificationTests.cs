using System.Text.Json.Nodes;
using ConformanceSuite.MockServer;
using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Pact.Tests;

/// <summary>
/// The committed pacts verified against the embedded mock (provider states on its state endpoint, the
/// pacts' example credentials accepted): every interaction passes; a fault mode of each provider makes
/// verification fail with the mismatch in the output; an empty verification is a failure.
/// </summary>
[TestFixture]
public sealed class ProviderVerificationTests
{
    private static readonly Dictionary<string, IReadOnlyDictionary<string, string>> ExampleCredentials = new()
    {
        ["wavy-open-sessions"] = new Dictionary<string, string> { ["authenticationToken"] = PactFiles.ExampleToken, ["userName"] = PactFiles.ExampleUser },
        ["opencx-chat-sessions"] = new Dictionary<string, string> { ["Authorization"] = PactFiles.ExampleToken },
        ["chat-session-list"] = new Dictionary<string, string> { ["Authorization"] = PactFiles.ExampleToken },
    };

    public static IEnumerable<TestCaseData> Providers()
    {
        yield return new TestCaseData("wavy-open-sessions", "body-file_url-renamed").SetName("pact: wavy-open-sessions verifies, and fails when file_url is renamed");
        yield return new TestCaseData("wavy-open-sessions-downloads", "csv-bom").SetName("pact: wavy-open-sessions-downloads verifies, and fails when the CSV has a BOM");
        yield return new TestCaseData("opencx-chat-sessions", "filter-ignored:status").SetName("pact: opencx-chat-sessions verifies, and fails when the status filter is ignored");
        yield return new TestCaseData("chat-session-list", "csv-empty-zero-bytes").SetName("pact: chat-session-list verifies, and fails when an empty CSV has no header");
    }

    private static async Task<(VerificationResult Result, int Interactions)> VerifyAsync(string provider, params string[] faults)
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = PactFiles.Layout, Faults = faults, Credentials = ExampleCredentials });
        var file = Path.Combine(PactFiles.Committed, PactFiles.FileFor(provider));
        var interactions = JsonNode.Parse(await File.ReadAllTextAsync(file))!["interactions"]!.AsArray().Count;
        var api = provider.Replace("-downloads", "", StringComparison.Ordinal);
        var baseUrl = provider.EndsWith("-downloads", StringComparison.Ordinal) ? new Uri(mock.DownloadOrigin, "/" + api) : mock.BaseUrl(api);
        var verifier = new PactVerifier
        {
            Provider = provider,
            BaseUrl = baseUrl,
            PactFiles = [file],
            StateUrl = new Uri(mock.ApiOrigin, MockHost.ProviderStatePath),
        };
        var result = await Task.Run(verifier.Verify);
        TestContext.Out.WriteLine(result.Output);
        return (result, interactions);
    }

    [TestCaseSource(nameof(Providers))]
    public async Task The_committed_pact_verifies_against_the_mock_and_fails_against_a_fault(string provider, string fault)
    {
        var (clean, interactions) = await VerifyAsync(provider);
        var (faulty, _) = await VerifyAsync(provider, fault);

        clean.Passed.Should().BeTrue(clean.Output);
        clean.Interactions.Should().Be(interactions, "every interaction of the pact is verified");
        faulty.Passed.Should().BeFalse();
        faulty.ExitCode.Should().Be(1);
        faulty.Output.Should().MatchRegex("(?i)mismatch|failed|expected", "the report carries the mismatch");
    }

    [Test]
    public async Task An_empty_verification_is_a_failure_not_a_pass()
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = PactFiles.Layout, Credentials = ExampleCredentials });
        var verifier = new PactVerifier
        {
            Provider = "wavy-open-sessions-downloads",
            BaseUrl = new Uri(mock.DownloadOrigin, "/wavy-open-sessions"),
            PactFiles = [Path.Combine(PactFiles.Committed, PactFiles.FileFor("wavy-open-sessions-downloads"))],
            StateUrl = null, // only interactions without state: this pact has none
        };

        var result = await Task.Run(verifier.Verify);

        result.Interactions.Should().Be(0);
        result.Passed.Should().BeFalse();
        result.Summary.Should().Contain("empty verification is a failure");
    }

    [Test]
    public async Task Broker_publish_options_reach_the_verifier()
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = PactFiles.Layout, Credentials = ExampleCredentials });
        var verifier = new PactVerifier
        {
            Provider = "chat-session-list",
            BaseUrl = mock.BaseUrl("chat-session-list"),
            PactFiles = [Path.Combine(PactFiles.Committed, PactFiles.FileFor("chat-session-list"))],
            StateUrl = new Uri(mock.ApiOrigin, MockHost.ProviderStatePath),
            Publish = new PublishOptions("1.2.3+abc", Branch: "main", BuildUrl: "https://ci.example/build/7", Tags: ["prod", "eu"]),
        };

        var result = await Task.Run(verifier.Verify);

        result.Applied.Should().Contain("publish version=1.2.3+abc branch=main tags=prod,eu build=https://ci.example/build/7");
        result.Passed.Should().BeTrue("publishing applies to broker sources only; file sources verify as before");
    }

    [Test]
    public async Task A_broker_source_with_its_token_and_branch_reaches_the_verifier()
    {
        const string token = "broker-token-never-printed-7f3a";
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var verifier = new PactVerifier
        {
            Provider = "chat-session-list",
            BaseUrl = new Uri("http://127.0.0.1:9/chat-session-list"),
            Broker = new BrokerSource(new Uri($"http://127.0.0.1:{port}/"), token, ProviderBranch: "main"),
            Publish = new PublishOptions("1.2.3", Branch: "main"),
        };

        var result = await Task.Run(verifier.Verify);

        result.Applied.Should().Contain($"broker http://127.0.0.1:{port}/ (token set, branch main)").And.Contain(a => a.StartsWith("publish version=1.2.3", StringComparison.Ordinal));
        result.Passed.Should().BeFalse("no broker answers here");
        (result.Output + result.Logs).Should().Contain($"127.0.0.1:{port}", "the verifier tried the broker it was given");
        string.Join("|", result.Applied).Should().NotContain(token);
    }

    [Test]
    public void The_library_resolver_maps_every_platform_to_its_npm_package()
    {
        using var _ = new AssertionScopeHolder();
        PactCore.LibraryFor(System.Runtime.InteropServices.OSPlatform.Linux, System.Runtime.InteropServices.Architecture.X64)!.Value.Package.Should().Be("pact-core-linux-x64-glibc");
        PactCore.LibraryFor(System.Runtime.InteropServices.OSPlatform.Linux, System.Runtime.InteropServices.Architecture.Arm64)!.Value.File.Should().EndWith("linux-arm64/libpact_ffi.so");
        PactCore.LibraryFor(System.Runtime.InteropServices.OSPlatform.OSX, System.Runtime.InteropServices.Architecture.Arm64)!.Value.File.Should().EndWith("libpact_ffi.dylib");
        PactCore.LibraryFor(System.Runtime.InteropServices.OSPlatform.Windows, System.Runtime.InteropServices.Architecture.X64)!.Value.File.Should().EndWith("pact_ffi.dll");
        PactCore.LibraryFor(System.Runtime.InteropServices.OSPlatform.Windows, System.Runtime.InteropServices.Architecture.Arm64).Should().BeNull();
        PactCore.Version().Should().Be("0.5.8", "the lockfile pins pact-core 20.2.0");
    }

    private sealed class AssertionScopeHolder : IDisposable
    {
        private readonly FluentAssertions.Execution.AssertionScope scope = new();

        public void Dispose() => scope.Dispose();
    }
}
