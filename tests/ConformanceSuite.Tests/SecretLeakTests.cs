using ConformanceSuite.MockServer;
using System.Text;
using ConformanceSuite.Cli;
using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Tests;

/// <summary>
/// No secret leaks: fresh credential values are planted (in the provider and in the environment the
/// profile reads), a passing run goes through the real entry point against a provider that echoes
/// credentials back, and every artifact (reports, request log, run log) and the console output are
/// searched for the planted values in every form they could take. (A failing run, under both front ends
/// with the TRX and test log, is in <see cref="NUnitFrontEndTests"/>.)
/// </summary>
[TestFixture]
public sealed class SecretLeakTests
{
    private string dir = "";
    private Dictionary<string, string> canaries = [];

    [SetUp]
    public void Plant()
    {
        dir = Path.Combine(Path.GetTempPath(), "cs-leak-" + Guid.NewGuid().ToString("N"));
        string Canary(string what) => $"CANARY-{what}-{Guid.NewGuid():N}";
        canaries = new Dictionary<string, string>
        {
            ["WAVY_AUTH_TOKEN"] = Canary("wavy-token"),
            ["WAVY_USER_NAME"] = Canary("wavy-user"),
            ["OPENCX_TOKEN"] = Canary("opencx"),
            ["CSL_TOKEN"] = Canary("csl-jwt"),
        };
    }

    [TearDown]
    public void Clean()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task No_planted_credential_appears_anywhere_in_a_passing_run()
    {
        string[] planted =
        [
            "--credential", $"wavy-open-sessions:authenticationToken={canaries["WAVY_AUTH_TOKEN"]}",
            "--credential", $"wavy-open-sessions:userName={canaries["WAVY_USER_NAME"]}",
            "--credential", $"opencx-chat-sessions:Authorization={canaries["OPENCX_TOKEN"]}",
            "--credential", $"chat-session-list:Authorization={canaries["CSL_TOKEN"]}",
            "--echo-credentials",
            "--accept-pact-examples",
        ];
        using var mock = await MockProcess.StartWithAsync([], planted);
        // The profile's variables: the mock's addresses, and the planted credentials in place of the mock's own.
        var variables = ExternalProcessTests.LocalMockEnvironment(mock);
        foreach (var (key, value) in canaries)
        {
            variables[key] = value;
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(["--target", "local-mock", "--report-dir", dir], stdout, stderr, CliTests.Context(variables));

        exit.Should().Be(ExitCodes.Conformant, stderr.ToString() + stdout);
        var artifacts = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToList();
        artifacts.Select(Path.GetFileName).Should().Contain(Running.RunResults.ReportFiles);
        var places = artifacts.Select(f => (Where: Path.GetFileName(f), Text: File.ReadAllText(f)))
            .Append((Where: "console output", Text: stdout.ToString()))
            .Append((Where: "console errors", Text: stderr.ToString()))
            .ToList();
        (await File.ReadAllTextAsync(Path.Combine(dir, "requests.jsonl"))).Should().Contain("[redacted]", "the echoed credentials were seen and redacted");
        foreach (var (name, secret) in canaries)
        {
            foreach (var form in Forms(secret))
            {
                places.Where(p => p.Text.Contains(form, StringComparison.Ordinal)).Select(p => p.Where)
                    .Should().BeEmpty($"the planted {name} must not appear, in any form ({form})");
            }
        }
    }

    /// <summary>
    /// The forms a secret could take in an artifact: raw, URL-encoded, base64 (standard and URL-safe, also
    /// inside a longer encoded value such as Basic credentials), hex, JSON \u-escaped, with its scheme, and its
    /// random part alone. Written here, apart from the redactor's own list, so a form it forgets is still found.
    /// </summary>
    internal static IEnumerable<string> Forms(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        yield return secret;
        yield return Uri.EscapeDataString(secret);
        yield return "Bearer " + secret;
        yield return secret[8..];
        yield return Convert.ToHexString(bytes);
        yield return Convert.ToHexStringLower(bytes);
        yield return string.Concat(secret.Select(c => $"\\u{(int)c:x4}"));
        yield return string.Concat(secret.Select(c => $"\\u{(int)c:X4}"));
        for (var offset = 0; offset < 3; offset++)
        {
            // Surrounded by other bytes: the middle of the encoding depends on the secret alone.
            var encoded = Convert.ToBase64String([.. new byte[offset], .. bytes, 0, 0, 0]);
            var middle = encoded[4..^8];
            yield return middle;
            yield return middle.Replace('+', '-').Replace('/', '_');
        }
    }
}
