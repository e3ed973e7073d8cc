using ConformanceSuite.Cli;

namespace ConformanceSuite.Tests;

/// <summary>
/// An OpenCX tenant of 100,000 sessions (the embedded mock with --scale), certified with the default request
/// budget, one minute of the documented rate limit: conformant, on a window the suite chose, with every walk and
/// fetch within the budget and the whole certification within 150 requests.
/// </summary>
[TestFixture]
[Order(7)] // long-running: started early so the short fixtures fill in around it
public sealed class LargeTenantTests
{
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-large-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    [Test]
    public async Task A_tenant_of_100k_sessions_is_certified_within_the_default_budget()
    {
        var profile = Harness.EmbeddedProfile(dir, "embedded-default-budget");
        var reports = Path.Combine(dir, "out");

        var (exit, output) = await Harness.CliAsync("--target", profile, "--api", "opencx-chat-sessions", "--scale", "100000", "--report-dir", reports);

        exit.Should().Be(ExitCodes.Conformant, output);
        var results = RunResults.Read(Path.Combine(reports, "results.json"));
        results.Outcome.Should().Be(RunOutcome.Conformant);
        results.Requirements.Should().OnlyContain(r => r.Verdict == Verdict.Pass);
        var requests = File.ReadLines(Path.Combine(reports, "requests.jsonl")).Select(l => JsonNode.Parse(l)!["purpose"]!.GetValue<string>()).ToList();
        requests.Count.Should().BeLessThanOrEqualTo(150, "a certification of a large tenant fits in a minute and a half of the rate limit");
        requests.Count(p => p.StartsWith("page ", StringComparison.Ordinal) || p.StartsWith("get ", StringComparison.Ordinal))
            .Should().BeLessThanOrEqualTo(100, "every walk and fetch of the whole-list checks comes out of the budget of 100 requests");
        var notes = results.Requirements.SelectMany(r => r.Cases).SelectMany(c => c.Notes).ToList();
        notes.Should().Contain(n => n.Contains("window /created_at strictly between", StringComparison.Ordinal) && n.Contains("request budget 100 requests", StringComparison.Ordinal),
            "the reports say which window and which budget were used");
        results.Requirements.Single(r => r.Id == "OPENCX-014").Cases.SelectMany(c => c.Notes).Should().Contain(n => n.Contains("listed ids fetched one by one", StringComparison.Ordinal));
    }
}
