using ConformanceSuite.Targets;

namespace ConformanceSuite.Tests;

/// <summary>
/// A target's overrides change the contract without code: a renamed parameter or another path, with the
/// mock configured the same way, keeps every check green; renaming every parameter at once shows that no
/// check hard-codes a name.
/// </summary>
[TestFixture]
public sealed class OverrideTests
{
    private const string Api = "chat-session-list";

    private static async Task<(RunResults Results, MockHost Mock)> RunWithAsync(JsonNode overrides)
    {
        var byApi = new Dictionary<string, JsonNode?> { [Api] = overrides };
        var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, Overrides = byApi });
        var target = mock.Target(http: Harness.FastHttp);
        var catalog = CaseCatalog.Build(Harness.Layout, [Api], [], byApi);
        using var session = new ConformanceSession(catalog, target);
        await session.RunAllAsync();
        return (session.Results(), mock);
    }

    [Test]
    public async Task Renaming_limit_to_pageSize_and_moving_the_path_keeps_every_check_green()
    {
        var overrides = JsonNode.Parse("""{"parameterNames":{"limit":"pageSize"},"paths":{"list-sessions":"/v2/sessions"}}""")!;

        var (results, mock) = await RunWithAsync(overrides);
        await using var _ = mock;

        results.Requirements.Should().HaveCount(25).And.OnlyContain(r => r.Verdict == Verdict.Pass, Harness.Verdicts(results));
        results.Apis.Single().Overridden.Should().BeTrue();
        var urls = results.Requirements.SelectMany(r => r.Cases).SelectMany(c => c.Evidence).Select(e => e.Url).ToList();
        urls.Should().Contain(u => u.Contains("/v2/sessions?", StringComparison.Ordinal) && u.Contains("pageSize=", StringComparison.Ordinal));
        urls.Should().NotContain(u => u.Contains("limit=", StringComparison.Ordinal), "the old name is gone from every request");
    }

    [Test]
    public async Task Renaming_every_parameter_at_once_keeps_every_check_green()
    {
        var contract = new ContractLoader(Harness.Layout).Load(Api);
        var renames = new JsonObject();
        foreach (var p in contract.Endpoints.SelectMany(e => e.Parameters))
        {
            renames[p.Name] = "x_" + p.Name;
        }

        var (results, mock) = await RunWithAsync(new JsonObject { ["parameterNames"] = renames });
        await using var _ = mock;

        results.Requirements.Should().OnlyContain(r => r.Verdict == Verdict.Pass, Harness.Verdicts(results));
        results.Requirements.SelectMany(r => r.Cases).SelectMany(c => c.Evidence).Select(e => new Uri(e.Url).Query.TrimStart('?'))
            .SelectMany(q => q.Split('&', StringSplitOptions.RemoveEmptyEntries)).Select(kv => kv.Split('=')[0])
            .Should().OnlyContain(name => name.StartsWith("x_", StringComparison.Ordinal), "no check sends a name of its own");
    }

    [Test]
    public async Task The_mock_configured_with_the_rename_no_longer_knows_the_old_name()
    {
        var overrides = JsonNode.Parse("""{"parameterNames":{"limit":"pageSize"}}""")!;
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, Overrides = new Dictionary<string, JsonNode?> { [Api] = overrides } });
        var target = mock.Target(http: Harness.FastHttp);
        var catalog = CaseCatalog.Build(Harness.Layout, [Api], ["CSL-006"]);
        using var session = new ConformanceSession(catalog, target);

        await session.RunAllAsync();

        session.Results().Requirements.Single().Verdict.Should().Be(Verdict.Fail, "a suite that still says limit is not understood by a provider that says pageSize");
    }

    [Test]
    public void An_override_of_an_unknown_parameter_or_endpoint_is_a_clear_error()
    {
        var loader = new ContractLoader(Harness.Layout);

        FluentActions.Invoking(() => loader.Load(Api, JsonNode.Parse("""{"parameterNames":{"lmit":"pageSize"}}""")))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("/overrides/parameterNames").And.Contain("no parameter 'lmit'");
        FluentActions.Invoking(() => loader.Load(Api, JsonNode.Parse("""{"paths":{"list":"/x"}}""")))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("no endpoint 'list'");
    }

    [Test]
    public void An_enums_override_replaces_the_values_the_checks_try()
    {
        var contract = new ContractLoader(Harness.Layout).Load(Api, JsonNode.Parse("""{"enums":{"operatorType":["BOT","HUMAN","OPERATOR"]}}"""));

        contract.Endpoints[0].Parameter("operatorType").Enum.Should().Equal("BOT", "HUMAN", "OPERATOR");
        var requirement = contract.Requirements.Single(r => r.Id == "CSL-014");
        CheckRegistry.Default.Get(ListFilterCheck.KindName).Expand(contract, requirement).Select(e => e.Key)
            .Should().Equal("operatorType=BOT", "operatorType=HUMAN", "operatorType=OPERATOR");
    }
}
