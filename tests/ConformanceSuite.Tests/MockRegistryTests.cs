namespace ConformanceSuite.Tests;

/// <summary>The mock is chosen by the contract's shape: exactly one mock kind serves each contract, or the reason is one clear message.</summary>
[TestFixture]
public sealed class MockRegistryTests
{
    private static ApiContract Load(string api) => new ContractLoader(Harness.Layout).Load(api);

    [TestCase("wavy-open-sessions", "csv-link")]
    [TestCase("opencx-chat-sessions", "cursor-list")]
    [TestCase("chat-session-list", "offset-list")]
    public void Each_api_of_the_data_is_served_by_the_kind_of_its_shape(string api, string kind)
    {
        var contract = Load(api);

        MockRegistry.Default.For(contract).Name.Should().Be(kind);
        MockRegistry.Default.All.Where(k => k.Name != kind).Should().OnlyContain(k => !k.Serves(contract), "the shapes are disjoint");
        var mock = MockRegistry.Default.Create(Harness.Layout, contract);
        mock.ApiId.Should().Be(api);
        mock.Should().BeAssignableTo<IMockApi>();
    }

    [Test]
    public void The_mock_serves_every_api_of_the_data_and_names_none_unserved()
    {
        MockHost.Implementations(Harness.Layout).Select(m => m.ApiId).Should().BeEquivalentTo(Harness.Layout.ApiIds());
    }

    [Test]
    public void A_contract_two_kinds_serve_is_a_configuration_error_naming_the_api_and_both_kinds()
    {
        var twin = CsvLinkMockApi.Kind with { Name = "csv-link-twin" };
        var registry = MockRegistry.Default.With(twin);

        var act = () => registry.For(Load("wavy-open-sessions"));

        act.Should().Throw<ConfigurationException>()
            .WithMessage("more than one mock serves wavy-open-sessions (1 endpoint(s): GET /v1/session (no pagination, a download link to a CSV, no exports))*csv-link (*csv-link-twin (*");
        registry.For(Load("opencx-chat-sessions")).Name.Should().Be("cursor-list", "the other shapes are still served");
    }

    [Test]
    public void A_contract_no_kind_serves_is_a_configuration_error_naming_the_api_its_shape_and_the_kinds()
    {
        var registry = new MockRegistry([CursorListMockApi.Kind, OffsetListMockApi.Kind]);

        var act = () => registry.For(Load("wavy-open-sessions"));

        act.Should().Throw<ConfigurationException>()
            .WithMessage("no mock serves wavy-open-sessions: its contract has 1 endpoint(s): GET /v1/session (no pagination, a download link to a CSV, no exports), and the mock serves cursor-list (*); offset-list (*)");
    }

    [Test]
    public void The_csv_link_fault_names_follow_the_contract_names()
    {
        // The same API (so the same data set) with its parameters, credentials and link member renamed.
        var contract = Load("wavy-open-sessions");
        var endpoint = contract.Endpoints[0];
        var renamed = contract with
        {
            Auth = contract.Auth with { Credentials = [.. contract.Auth.Credentials.Select(c => c with { Name = "X-" + c.Name })] },
            Endpoints =
            [
                endpoint with
                {
                    Parameters = [.. endpoint.Parameters.Select(p => p with { Name = p.Name + "2" })],
                    Download = endpoint.Download! with { LinkPointer = "/download_link" },
                },
            ],
        };

        var original = MockRegistry.Default.Create(Harness.Layout, contract).Faults.Keys.ToList();
        var copy = MockRegistry.Default.Create(Harness.Layout, renamed).Faults.Keys.ToList();

        original.Should().Contain(["customerId-not-required", "subAccountId-ignored", "authenticationToken-not-required", "userName-wrong-accepted", "body-file_url-renamed", "file_url-relative", "csv-source-not-digits"]);
        copy.Should().Contain(["customerId2-not-required", "customerId2-missing-422", "customerId2-type-unchecked", "subAccountId2-ignored", "subAccountId2-rejected",
            "X-authenticationToken-not-required", "X-userName-wrong-accepted", "body-download_link-renamed", "download_link-relative", "csv-source-not-digits"]);
        copy.Should().NotContain(["customerId-not-required", "subAccountId-ignored", "authenticationToken-not-required", "userName-wrong-accepted", "body-file_url-renamed", "file_url-relative"]);
        copy.Should().HaveSameCount(original);
    }
}
