using ConformanceSuite.Cli;

namespace ConformanceSuite.Tests;

/// <summary>
/// Probes that cannot tell a wrong provider from a right one are never counted as checked. A provider whose
/// data happens to make a case meaningless (every item already matches the filter, the list already comes in
/// the order asked for) would pass that case even if it ignored the parameter: the case is checked in part, the
/// run is incomplete, and the report says why.
/// </summary>
[TestFixture]
public sealed class ProbeDiscriminationTests
{
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-probe-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    [Test]
    public async Task A_filter_value_every_item_matches_is_checked_in_part()
    {
        var contracts = Contracts();
        EditItems(contracts, "opencx-chat-sessions", item => item["status"] = "open");

        var results = await RunAsync(contracts, "opencx-chat-sessions", "OPENCX-008");

        var open = results.Requirements.Single(r => r.Id == "OPENCX-008").Cases.Single(c => c.Element == "status=open");
        open.Partial.Should().Contain("cannot tell a provider that ignores status");
        // A value no item has tells a provider that ignores it (it would return every item), but not one whose filter
        // matches nothing for it (a value it takes and never returns): those are checked in part for that reason.
        results.Requirements.Single(r => r.Id == "OPENCX-008").Cases.Where(c => c.Element != "status=open").Should().OnlyContain(c => c.Partial != null
            && c.Partial.Contains("cannot tell a provider whose status filter matches nothing", StringComparison.Ordinal) && !c.Partial.Contains("ignores", StringComparison.Ordinal));
        results.Outcome.Should().Be(RunOutcome.Incomplete);
    }

    [Test]
    public async Task A_sort_the_list_already_has_is_checked_in_part()
    {
        var contracts = Contracts();
        var file = Path.Combine(contracts, "fixtures", "chat-session-list", "dataset.json");
        var data = JsonNode.Parse(File.ReadAllText(file))!;
        var sorted = data["items"]!.AsArray().Select(i => i!.DeepClone()).OrderBy(i => i["startedAt"]!.GetValue<string>(), StringComparer.Ordinal).ToList();
        data["items"] = new JsonArray([.. sorted]);
        File.WriteAllText(file, data.ToJsonString());

        var results = await RunAsync(contracts, "chat-session-list", "CSL-010");

        var cases = results.Requirements.Single(r => r.Id == "CSL-010").Cases;
        cases.Single(c => c.Element == "sort=+started_at").Partial.Should().Contain("cannot tell a provider that ignores sort");
        cases.Single(c => c.Element == "sort=-started_at").Partial.Should().BeNull("the opposite order tells them apart");
        results.Outcome.Should().Be(RunOutcome.Incomplete);
    }

    private string Contracts()
    {
        var contracts = Path.Combine(dir, "contracts");
        CliTests.CopyDirectory(Harness.Layout.Root, contracts, ["schemas", "fixtures", "targets", "pacts"]);
        return contracts;
    }

    private static void EditItems(string contracts, string api, Action<JsonObject> change)
    {
        var file = Path.Combine(contracts, "fixtures", api, "dataset.json");
        var data = JsonNode.Parse(File.ReadAllText(file))!;
        foreach (var item in data["items"]!.AsArray().OfType<JsonObject>())
        {
            change(item);
        }

        File.WriteAllText(file, data.ToJsonString());
    }

    private async Task<RunResults> RunAsync(string contracts, string api, string filter)
    {
        var reports = Path.Combine(dir, "out");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(["--contracts", contracts, "--api", api, "--filter", filter, "--report-dir", reports], stdout, stderr, CliTests.Context(null));
        exit.Should().Be(ExitCodes.Incomplete, stdout.ToString() + stderr);
        return RunResults.Read(Path.Combine(reports, "results.json"));
    }
}
