using ConformanceSuite.Checks;
using ConformanceSuite.Pact;
using ConformanceSuite.Running;
using NUnit.Framework;

namespace ConformanceSuite.Conformance;

/// <summary>
/// The committed consumer pacts (pacts/), verified against the run's target, one case per pact; the
/// verdicts join the run's reports. With the target's state URL every interaction runs; without one only
/// those that need no provider state. An empty verification is a failure.
/// </summary>
[TestFixture]
[Category("pact")]
public sealed class PactVerificationTests
{
    public static IEnumerable<TestCaseData> Pacts()
    {
        var folder = Path.Combine(ConformanceRun.Settings.Layout.Root, "pacts");
        if (!Directory.Exists(folder) || (ConformanceRun.Settings.Filter.Count > 0 && !ConformanceRun.Settings.Filter.Contains("pact")))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var provider = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!["provider"]!["name"]!.GetValue<string>();
            var api = ConformanceRun.Catalog.Contracts.Keys.FirstOrDefault(a => provider == a || provider.StartsWith(a + "-", StringComparison.Ordinal));
            if (api is not null)
            {
                yield return new TestCaseData(api, provider, file).SetName($"PACT [{provider}] the provider honours the consumer pact {Path.GetFileName(file)}").SetCategory(api).SetCategory("pact");
            }
        }
    }

    [TestCaseSource(nameof(Pacts))]
    public async Task Pact(string api, string provider, string file)
    {
        var session = ConformanceRun.Session;
        var started = DateTime.UtcNow;

        var (verdict, message, notes) = await Task.Run(() => Verify(session, api, provider, file));

        session.AddExternal(new RequirementResult
        {
            Api = api,
            Id = $"PACT {provider}",
            Title = $"The provider honours the consumer pact {Path.GetFileName(file)}",
            Level = "MUST",
            Category = "pact",
            Source = "consumer pact",
            RestsOnAssumption = false,
            Verdict = verdict,
            DurationMs = (DateTime.UtcNow - started).TotalMilliseconds,
            Cases =
            [
                new CaseOutcome
                {
                    Key = $"{api}/PACT/{provider}", Api = api, RequirementId = $"PACT {provider}", Element = provider, Verdict = verdict,
                    Message = message, Notes = notes, Findings = verdict == Verdict.Fail ? [new Finding(message, Aspect.Documented, null)] : [],
                },
            ],
        });
        await TestContext.Progress.WriteLineAsync($"[{api}] PACT [{provider}] {verdict.ToString().ToUpperInvariant()}");
        switch (verdict)
        {
            case Verdict.Pass:
                Assert.Pass(message);
                break;
            case Verdict.Skipped:
                Assert.Ignore(message);
                break;
            default:
                Assert.Fail(message);
                break;
        }

    }

    private static (Verdict Verdict, string Message, IReadOnlyList<string> Notes) Verify(ConformanceSession session, string api, string provider, string file)
    {
        var target = session.Target.Apis[api];
        if (ConformanceRun.Settings.Profile is { } profile && Targets.TargetProfiles.Overrides(profile).GetValueOrDefault(api) is System.Text.Json.Nodes.JsonObject o
            && (o.ContainsKey("parameterNames") || o.ContainsKey("paths")))
        {
            return (Verdict.Skipped, $"PACT [{provider}]: skipped: the consumer pacts describe the canonical contract, and this target renames parameters or moves paths; regenerate the pacts against the overridden contract to verify them", []);
        }

        var baseUrl = provider == api ? target.BaseUrl : target.Pact.Providers.GetValueOrDefault(provider);
        if (baseUrl is null)
        {
            return (Verdict.Skipped, $"PACT [{provider}]: skipped: the target gives no base URL for the pact provider '{provider}' (pact.providers in the profile)", []);
        }

        var headers = target.Pact.ExampleCredentials
            ? new Dictionary<string, string>()
            : session.Catalog.Contracts[api].Auth.Credentials.ToDictionary(c => c.Name, c => (c.Scheme is null ? "" : c.Scheme + " ") + target.Credentials[c.Name]);
        var broker = target.Pact.Broker;
        if (broker?.Token is { } token)
        {
            session.Redactor.AddSecret(token);
        }

        var verifier = new PactVerifier
        {
            Provider = provider,
            BaseUrl = baseUrl,
            // With a broker, the pacts come from it (and results go back when publishing); otherwise from pacts/.
            PactFiles = broker is null ? [file] : [],
            Broker = broker is null ? null : new BrokerSource(broker.Url, broker.Token, broker.Branch),
            Publish = broker is { Publish: true, ProviderVersion: { } version } ? new PublishOptions(version, broker.Branch) : null,
            StateUrl = target.Pact.StateUrl,
            CustomHeaders = headers,
            RequestTimeout = session.Target.Http.RequestTimeout,
            DisableTlsVerification = session.Target.Http.InsecureTls,
        };
        VerificationResult result;
        try
        {
            result = verifier.Verify();
        }
        catch (PactException ex)
        {
            return (Verdict.Fail, $"PACT [{provider}]: FAIL: {session.Redactor.Scrub(ex.Message)}", []);
        }

        var output = session.Redactor.Scrub(result.Output).Trim();
        var scope = target.Pact.StateUrl is null ? " (interactions without provider state only: the target gives no state URL)" : "";
        var notes = new List<string> { $"{result.Interactions} interactions verified{scope}" };
        return result.Passed
            ? (Verdict.Pass, $"pass ({result.Interactions} interactions{scope})", notes)
            : (Verdict.Fail, $"PACT [{provider}]: FAIL: {result.Summary}{scope}:{Environment.NewLine}{Excerpt(output)}", notes);
    }

    private static string Excerpt(string output) => output.Length > 4000 ? output[..4000] + "…" : output;
}
