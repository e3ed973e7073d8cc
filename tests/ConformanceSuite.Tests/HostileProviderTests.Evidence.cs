using ConformanceSuite.Http;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// What the suite records of a provider that puts credential-shaped things, or characters that make a view lie, into
/// what it answers: the evidence must stay honest and readable, and carry no credential, in every artifact.
/// </summary>
public sealed partial class HostileProviderTests
{
    private const string ProviderUser = "prov-user-3d81c2";
    private const string ProviderPassword = "PROV-PASS-9e4b17a6";

    [Test]
    public async Task A_file_url_with_the_providers_own_user_information_is_masked_in_every_artifact_and_not_sent()
    {
        // The provider's own user information, not the user's: no secret the suite was given, so nothing masked it,
        // and the link was quoted whole in results.json, requests.jsonl, the HTML and Markdown reports and the log.
        await using var provider = await WavyAsync(async http =>
        {
            if (!http.Request.Path.Value!.EndsWith("/v1/session", StringComparison.Ordinal) || http.Request.Query["customerId"] != "1001"
                || http.Request.Headers["authenticationToken"] != Token)
            {
                return false;
            }

            http.Response.ContentType = "application/json";
            http.Response.Headers.Location = $"http://{ProviderUser}:{ProviderPassword}@{http.Request.Host}/files/1001.csv";
            await http.Response.WriteAsync(new JsonObject { ["file_url"] = $"http://{ProviderUser}:{ProviderPassword}@{http.Request.Host}/files/1001.csv" }.ToJsonString());
            return true;
        });

        var results = await WavyRunAsync(provider);

        provider.Requests.Where(r => r.PathAndQuery.StartsWith("/files/1001.csv", StringComparison.Ordinal)).Should().NotBeEmpty()
            .And.OnlyContain(r => !r.Headers.ContainsKey("Authorization"), "the stack sends no user information as credentials");
        var evidence = results.Requirements.SelectMany(r => r.Cases).SelectMany(c => c.Evidence).ToList();
        evidence.Should().Contain(e => e.Url == $"http://{Redactor.Mask}@{provider.Origin.Authority}/files/1001.csv", "the download is named, its user information masked");
        evidence.SelectMany(e => e.ResponseHeaders).Where(h => h.Key == "Location").Select(h => h.Value).Should().NotBeEmpty()
            .And.OnlyContain(v => v.StartsWith($"http://{Redactor.Mask}@", StringComparison.Ordinal));
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            File.ReadAllText(file).Should().NotContain(ProviderPassword, Path.GetFileName(file)).And.NotContain(ProviderUser, Path.GetFileName(file));
        }
    }
}
