using ConformanceSuite.Checks;
using ConformanceSuite.Contracts;
using ConformanceSuite.MockServer;
using ConformanceSuite.Running;
using ConformanceSuite.Targets;
using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Tests;

/// <summary>The run's settings from environment variables, including an ad-hoc target for one API.</summary>
[TestFixture]
public sealed class SuiteSettingsTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Key, v => v.Value);
        return key => map.GetValueOrDefault(key);
    }

    [Test]
    public void Without_variables_the_run_targets_the_embedded_mock()
    {
        var settings = SuiteSettings.FromEnvironment(Env());

        settings.Profile!.Embedded.Should().BeTrue();
        settings.FailOn.Should().Be("fail");
        settings.ReportDir.Should().EndWith(Path.Combine("artifacts", "latest"));
    }

    [TestCase("CONFORMANCE_FAIL_ON", "sometimes", "expected 'fail' or 'deviation'")]
    [TestCase("CONFORMANCE_BASE_URL", "http://127.0.0.1:1", "set CONFORMANCE_API")]
    [TestCase("CONFORMANCE_TARGET", "nowhere", "not found")]
    public void A_bad_variable_is_a_clear_error(string key, string value, string message)
    {
        FluentActions.Invoking(() => SuiteSettings.FromEnvironment(Env((key, value))))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain(message);
    }

    [Test]
    public void Faults_need_the_embedded_target()
    {
        FluentActions.Invoking(() => SuiteSettings.FromEnvironment(Env(("CONFORMANCE_TARGET", "local-mock"), ("CONFORMANCE_FAULTS", "csv-bom"))))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("not the embedded mock");
    }

    [Test]
    public void A_missing_credential_variable_is_named()
    {
        var contract = new ContractLoader(Harness.Layout).Load("wavy-open-sessions");

        FluentActions.Invoking(() => TargetProfiles.FromEnvironment(contract, Env(("CONFORMANCE_BASE_URL", "http://127.0.0.1:1"))))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("CONFORMANCE_CREDENTIAL_authenticationToken");
    }

    [Test]
    public async Task An_ad_hoc_target_from_variables_certifies_the_mock()
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout });
        var api = mock.Target().Apis["wavy-open-sessions"];
        var env = new List<(string, string)> { ("CONFORMANCE_BASE_URL", api.BaseUrl.ToString()), ("CONFORMANCE_API", "wavy-open-sessions") };
        env.AddRange(api.Credentials.Select(c => ($"CONFORMANCE_CREDENTIAL_{c.Key}", c.Value)));
        env.AddRange(api.TestData.Select(d => ($"CONFORMANCE_DATA_{d.Key}", d.Value)));
        var settings = SuiteSettings.FromEnvironment(Env([.. env]));
        var catalog = settings.Catalog();

        var target = TargetProfiles.FromEnvironment(catalog.Contracts.Values.Single(), Env([.. env])) with { Http = Harness.FastHttp };
        using var session = new ConformanceSession(catalog, target);
        await session.RunAllAsync();

        settings.AdHoc.Should().BeTrue();
        session.Results().Requirements.Should().OnlyContain(r => r.Verdict == Verdict.Pass);
    }

    [Test]
    public void A_filter_selects_requirements_by_id_or_category()
    {
        var byId = CaseCatalog.Build(Harness.Layout, [], ["WAVY-004"]);
        var byCategory = CaseCatalog.Build(Harness.Layout, [], ["csv"]);

        byId.Cases.Select(c => c.Requirement.Id).Distinct().Should().Equal("WAVY-004");
        byCategory.Cases.Should().OnlyContain(c => c.Requirement.Category == "csv");
        FluentActions.Invoking(() => CaseCatalog.Build(Harness.Layout, [], ["WAVY-999"]))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("selects no requirement");
    }
}
