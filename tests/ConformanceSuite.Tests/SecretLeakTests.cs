using ConformanceSuite.Cli;

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
    private PlantedCredentials planted = null!;

    [SetUp]
    public void Plant()
    {
        dir = Path.Combine(Path.GetTempPath(), "cs-leak-" + Guid.NewGuid().ToString("N"));
        planted = PlantedCredentials.Fresh();
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
        var (mock, variables) = await planted.StartEchoingMockAsync([]);
        using var _ = mock;

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(["--target", "local-mock", "--report-dir", dir], stdout, stderr, CliTests.Context(variables));

        exit.Should().Be(ExitCodes.Conformant, stderr.ToString() + stdout);
        var artifacts = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToList();
        artifacts.Select(Path.GetFileName).Should().Contain(Running.RunResults.ReportFiles);
        (await File.ReadAllTextAsync(Path.Combine(dir, "requests.jsonl"))).Should().Contain("[redacted]", "the echoed credentials were seen and redacted");
        planted.ShouldBeIn(none: artifacts.Select(f => (Path.GetFileName(f), File.ReadAllText(f)))
            .Append(("console output", stdout.ToString()))
            .Append(("console errors", stderr.ToString())));
    }

    /// <summary>
    /// The forms a secret could take in an artifact: raw, URL-encoded, base64 (standard and URL-safe, also
    /// inside a longer encoded value such as Basic credentials), base32 (inside a longer value too), ROT13, hex,
    /// JSON \u-escaped, with its scheme, and its random part alone. Written here, apart from the redactor's own list, so
    /// a form it forgets is still found.
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

        // Base32 inside a longer value, of the secret's bytes after 0 to 4 others (a character is 5 bits); and ROT13.
        for (var offset = 0; offset < 5; offset++)
        {
            var encoded = SimpleBase.Base32.Rfc4648.Encode([.. new byte[offset], .. bytes, 0, 0, 0, 0, 0], padding: false);
            yield return encoded[8..^16];
        }

        yield return Rot13(secret);
    }

    /// <summary>Each ASCII letter of <paramref name="text"/> thirteen places on in its alphabet; written here, apart from the redactor's.</summary>
    internal static string Rot13(string text) => string.Concat(text.Select(c =>
        char.IsAsciiLetter(c) ? (char)((char.IsAsciiLetterLower(c) ? 'a' : 'A') + ((char.ToLowerInvariant(c) - 'a' + 13) % 26)) : c));
}

/// <summary>
/// Fresh credential values (canaries) for a leak test: planted in a mock process that echoes credentials back,
/// and in the variables the local-mock profile reads, then searched for in every form (<see cref="SecretLeakTests.Forms"/>).
/// </summary>
internal sealed class PlantedCredentials
{
    private PlantedCredentials(Dictionary<string, string> canaries) => Canaries = canaries;

    /// <summary>Each profile variable that carries a credential, with its planted value.</summary>
    public IReadOnlyDictionary<string, string> Canaries { get; }

    public static PlantedCredentials Fresh()
    {
        string Canary(string what) => $"CANARY-{what}-{Guid.NewGuid():N}";
        return new(new Dictionary<string, string>
        {
            ["WAVY_AUTH_TOKEN"] = Canary("wavy-token"),
            ["WAVY_USER_NAME"] = Canary("wavy-user"),
            ["OPENCX_TOKEN"] = Canary("opencx"),
            ["CSL_TOKEN"] = Canary("csl-jwt"),
        });
    }

    /// <summary>The mock as a separate process with <paramref name="faults"/>, taking the planted values for its own and echoing them back; and the profile's variables for it.</summary>
    public async Task<(MockProcess Mock, Dictionary<string, string> Variables)> StartEchoingMockAsync(string[] faults)
    {
        var mock = await MockProcess.StartWithAsync(faults,
        [
            "--credential", $"wavy-open-sessions:authenticationToken={Canaries["WAVY_AUTH_TOKEN"]}",
            "--credential", $"wavy-open-sessions:userName={Canaries["WAVY_USER_NAME"]}",
            "--credential", $"opencx-chat-sessions:Authorization={Canaries["OPENCX_TOKEN"]}",
            "--credential", $"chat-session-list:Authorization={Canaries["CSL_TOKEN"]}",
            "--echo-credentials",
            "--accept-pact-examples",
        ]);
        // The profile's variables: the mock's addresses, and the planted credentials in place of the mock's own.
        var variables = ExternalProcessTests.LocalMockEnvironment(mock);
        foreach (var (key, value) in Canaries)
        {
            variables[key] = value;
        }

        return (mock, variables);
    }

    /// <summary>Asserts that no planted value appears in any of the places, in any form.</summary>
    public void ShouldBeIn(IEnumerable<(string Where, string Text)> none)
    {
        var places = none.ToList();
        // The wrong-credential check sends each value one character off: that is the secret too.
        foreach (var (name, secret) in Canaries.SelectMany(c => new[] { c, new(c.Key + " one character off", Http.CredentialSet.NearMiss(c.Value)!) }))
        {
            foreach (var form in SecretLeakTests.Forms(secret))
            {
                places.Where(p => p.Text.Contains(form, StringComparison.Ordinal)).Select(p => p.Where)
                    .Should().BeEmpty($"the planted {name} must not appear, in any form ({form})");
            }
        }
    }
}
