using ConformanceSuite.Targets;

namespace ConformanceSuite.Tests;

/// <summary>Target profiles: env references only for secrets, clear errors, base URLs with path prefixes.</summary>
[TestFixture]
public sealed class TargetProfileTests
{
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-targets-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    private string Write(string json)
    {
        var file = Path.Combine(dir, "t.json");
        File.WriteAllText(file, json);
        return file;
    }

    private const string Wavy = "wavy-open-sessions";

    [Test]
    public void A_literal_secret_is_refused()
    {
        var file = Write("""{"name":"t","apis":{"wavy-open-sessions":{"baseUrl":"http://x","credentials":{"userName":"alice"}}}}""");

        FluentActions.Invoking(() => TargetProfiles.Read(Harness.Layout, file)).Should().Throw<ConfigurationException>()
            .Which.Message.Should().Contain("/apis/wavy-open-sessions/credentials/userName").And.Contain("literal credential is refused");
    }

    [Test]
    public void The_longest_url_sent_comes_from_the_profile_and_may_not_go_under_what_servers_must_take()
    {
        const string Api = """ "apis":{"wavy-open-sessions":{"baseUrl":"http://x"}} """;

        TargetProfiles.Read(Harness.Layout, Write($$"""{"name":"t","maxUrlChars":9000,{{Api}}}""")).Http.MaxUrlChars.Should().Be(9000);
        TargetProfiles.Read(Harness.Layout, Write($$"""{"name":"t",{{Api}}}""")).Http.MaxUrlChars.Should().Be(16_384);
        FluentActions.Invoking(() => TargetProfiles.Read(Harness.Layout, Write($$"""{"name":"t","maxUrlChars":7999,{{Api}}}"""))).Should().Throw<ConfigurationException>()
            .Which.Message.Should().Contain("/maxUrlChars");
    }

    [Test]
    public void The_pattern_bound_comes_from_the_profile_with_a_default_of_a_second()
    {
        const string Api = """ "apis":{"wavy-open-sessions":{"baseUrl":"http://x"}} """;

        TargetProfiles.Read(Harness.Layout, Write($$"""{"name":"t","timeouts":{"patternSeconds":0.3},{{Api}}}""")).Http.PatternTimeout.Should().Be(TimeSpan.FromSeconds(0.3));
        TargetProfiles.Read(Harness.Layout, Write($$"""{"name":"t",{{Api}}}""")).Http.PatternTimeout.Should().Be(TimeSpan.FromSeconds(1));
        FluentActions.Invoking(() => TargetProfiles.Read(Harness.Layout, Write($$"""{"name":"t","timeouts":{"patternSeconds":0},{{Api}}}"""))).Should().Throw<ConfigurationException>()
            .Which.Message.Should().Contain("/timeouts/patternSeconds");
    }

    [Test]
    public void The_least_rate_of_a_body_comes_from_the_profile_with_a_default_of_a_kibibyte_a_second_and_0_for_none()
    {
        const string Api = """ "apis":{"wavy-open-sessions":{"baseUrl":"http://x"}} """;
        long Rate(string timeouts) => TargetProfiles.Read(Harness.Layout, Write($$"""{"name":"t"{{timeouts}},{{Api}}}""")).Http.MinBytesPerSecond;

        Rate(""","timeouts":{"minBytesPerSecond":65536}""").Should().Be(65536);
        Rate(""","timeouts":{"minBytesPerSecond":0}""").Should().Be(0);
        Rate("").Should().Be(1024);
        FluentActions.Invoking(() => Rate(""","timeouts":{"minBytesPerSecond":-1}""")).Should().Throw<ConfigurationException>()
            .Which.Message.Should().Contain("/timeouts/minBytesPerSecond");
        FluentActions.Invoking(() => Rate(""","timeouts":{"minBytesPerSecond":1.5}""")).Should().Throw<ConfigurationException>()
            .Which.Message.Should().Contain("/timeouts/minBytesPerSecond");
    }

    [TestCase("maxArchiveBytes")]
    [TestCase("maxSpillBytes")]
    public void A_cap_on_what_is_kept_on_disk_comes_from_the_profile_with_a_default_of_a_gibibyte(string key)
    {
        // The largest zip kept to be read, and the most bytes of a CSV's rows kept for a comparison.
        const string Api = """ "apis":{"wavy-open-sessions":{"baseUrl":"http://x"}} """;
        long Cap(string profile) => TargetProfiles.Read(Harness.Layout, Write(profile)).Http is var http && key == "maxArchiveBytes" ? http.MaxArchiveBytes : http.MaxSpillBytes;

        Cap($$"""{"name":"t","{{key}}":2097152,{{Api}}}""").Should().Be(2L * 1024 * 1024);
        Cap($$"""{"name":"t",{{Api}}}""").Should().Be(1024L * 1024 * 1024);
        FluentActions.Invoking(() => Cap($$"""{"name":"t","{{key}}":1048575,{{Api}}}""")).Should().Throw<ConfigurationException>()
            .Which.Message.Should().Contain($"/{key}");
    }

    [Test]
    public void A_profile_may_open_every_address_to_a_provider_s_links()
    {
        const string Api = """ "apis":{"wavy-open-sessions":{"baseUrl":"http://x"}} """;

        TargetProfiles.Read(Harness.Layout, Write($$"""{"name":"t","allowPrivateAddresses":true,{{Api}}}""")).Http.AllowPrivateAddresses.Should().BeTrue();
        TargetProfiles.Read(Harness.Layout, Write($$"""{"name":"t",{{Api}}}""")).Http.AllowPrivateAddresses.Should().BeFalse();
    }

    [Test]
    public void Credentials_and_values_come_from_the_environment()
    {
        var file = Write("""
            {"name":"t","apis":{"wavy-open-sessions":{
              "baseUrl":{"env":"T_BASE","default":"http://127.0.0.1:1/gateway/v2"},
              "credentials":{"authenticationToken":{"env":"T_TOKEN"},"userName":{"env":"T_USER"}},
              "testData":{"customerWithSessions":{"env":"T_CUSTOMER"},"subAccount":"11"}}}}
            """);
        var env = new Dictionary<string, string> { ["T_TOKEN"] = "tok", ["T_USER"] = "usr", ["T_CUSTOMER"] = "7" };

        var target = TargetProfiles.Resolve(TargetProfiles.Read(Harness.Layout, file), [Wavy], env.GetValueOrDefault);

        var api = target.Apis[Wavy];
        api.Credentials.Should().Equal(new Dictionary<string, string> { ["authenticationToken"] = "tok", ["userName"] = "usr" });
        api.TestData.Should().Equal(new Dictionary<string, string> { ["customerWithSessions"] = "7", ["subAccount"] = "11" });
        api.Resolve("/v1/session").Should().Be(new Uri("http://127.0.0.1:1/gateway/v2/v1/session"), "a base URL keeps its path prefix");
    }

    [Test]
    public void A_credential_variable_that_is_not_set_is_a_clear_error()
    {
        var file = Write("""{"name":"t","apis":{"wavy-open-sessions":{"baseUrl":"http://x","credentials":{"userName":{"env":"T_NOT_SET_ANYWHERE"}}}}}""");

        FluentActions.Invoking(() => TargetProfiles.Resolve(TargetProfiles.Read(Harness.Layout, file), [Wavy], _ => null))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("T_NOT_SET_ANYWHERE, which is not set");
    }

    [Test]
    public void A_base_url_variable_that_is_not_set_is_named()
    {
        // Before: "a base URL is required", of a profile that gives one, by a variable the user forgot to export.
        var file = Write("""{"name":"t","apis":{"wavy-open-sessions":{"baseUrl":{"env":"T_URL_NOT_SET"},"credentials":{}}}}""");

        FluentActions.Invoking(() => TargetProfiles.Resolve(TargetProfiles.Read(Harness.Layout, file), [Wavy], _ => null))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("the base URL comes from the environment variable T_URL_NOT_SET, which is not set");
    }

    [Test]
    public void Every_variable_the_run_needs_that_is_not_set_is_named_at_once()
    {
        // Before: only the first; a user with a profile of three APIs found the others one run at a time.
        var file = Write("""
            {"name":"t","apis":{
              "wavy-open-sessions":{"baseUrl":{"env":"T_WAVY_URL"},"credentials":{"authenticationToken":{"env":"T_WAVY_TOKEN"},"userName":{"env":"T_WAVY_USER"}}},
              "opencx-chat-sessions":{"baseUrl":{"env":"T_OPENCX_URL","default":"http://x"},"credentials":{"Authorization":{"env":"T_OPENCX_TOKEN"}}}}}
            """);
        var env = new Dictionary<string, string> { ["T_WAVY_USER"] = "usr" };

        var message = FluentActions.Invoking(() => TargetProfiles.Resolve(TargetProfiles.Read(Harness.Layout, file), [Wavy, "opencx-chat-sessions"], env.GetValueOrDefault))
            .Should().Throw<ConfigurationException>().Which.Message;

        message.Should().Contain("3 environment variables the run needs are not set: T_WAVY_URL (the base URL of wavy-open-sessions), "
            + "T_WAVY_TOKEN (credential 'authenticationToken' of wavy-open-sessions), T_OPENCX_TOKEN (credential 'Authorization' of opencx-chat-sessions)");
        message.Should().NotContain("T_WAVY_USER", "it is set").And.NotContain("T_OPENCX_URL", "it has a default");
    }

    [Test]
    public void A_profile_without_the_api_asked_for_is_a_clear_error()
    {
        var file = Write("""{"name":"t","apis":{}}""");

        FluentActions.Invoking(() => TargetProfiles.Resolve(TargetProfiles.Read(Harness.Layout, file), [Wavy], _ => null))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("no entry for API 'wavy-open-sessions'");
    }

    [Test]
    public void A_bad_base_url_is_a_clear_error()
    {
        var file = Write("""{"name":"t","apis":{"wavy-open-sessions":{"baseUrl":"ftp://x"}}}""");

        FluentActions.Invoking(() => TargetProfiles.Resolve(TargetProfiles.Read(Harness.Layout, file), [Wavy], _ => null))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("not an absolute http(s) URL");
    }

    [Test]
    public void Pact_broker_options_come_from_the_profile_and_the_environment()
    {
        var file = Write("""
            {"name":"t","apis":{"wavy-open-sessions":{"baseUrl":"http://127.0.0.1:1",
              "pact":{"stateUrl":"http://127.0.0.1:1/states","broker":{"url":"https://broker.example.com","token":{"env":"T_BROKER"},"providerVersion":{"env":"T_SHA"},"branch":"main","publish":true}}}}}
            """);
        var env = new Dictionary<string, string> { ["T_BROKER"] = "secret-broker-token", ["T_SHA"] = "abc123" };

        var pact = TargetProfiles.Resolve(TargetProfiles.Read(Harness.Layout, file), [Wavy], env.GetValueOrDefault).Apis[Wavy].Pact;

        pact.StateUrl.Should().Be(new Uri("http://127.0.0.1:1/states"));
        pact.Broker.Should().Be(new PactBroker(new Uri("https://broker.example.com"), "secret-broker-token", "abc123", "main", true));
    }

    [TestCase("""{"url":"https://b.example","token":{"env":"T_UNSET_TOKEN"}}""", "T_UNSET_TOKEN, which is not set")]
    [TestCase("""{"url":"https://b.example","publish":true}""", "publishing results needs the provider version")]
    [TestCase("""{"url":"https://b.example","token":"literal"}""", "/pact/broker/token")]
    public void Bad_pact_broker_options_are_clear_errors(string broker, string message)
    {
        var file = Write("""{"name":"t","apis":{"wavy-open-sessions":{"baseUrl":"http://127.0.0.1:1","pact":{"broker":""" + broker + "}}}}");

        FluentActions.Invoking(() => TargetProfiles.Resolve(TargetProfiles.Read(Harness.Layout, file), [Wavy], _ => null))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain(message);
    }

    [TestCase("SECRET-broker-7c1e\r\n", "holds a control character (U+000D)")]
    [TestCase("SECRET-br\u00F6ker-7c1e", "holds a character outside ASCII (U+00F6)")]
    public void A_broker_token_no_header_can_carry_is_refused_without_quoting_it(string token, string why)
    {
        // The relay sends it to the broker on every request: before, each one failed in the HTTP stack.
        var file = Write("""{"name":"t","apis":{"wavy-open-sessions":{"baseUrl":"http://127.0.0.1:1","pact":{"broker":{"url":"https://b.example","token":{"env":"T_TOKEN"}}}}}}""");

        var error = FluentActions.Invoking(() => TargetProfiles.Resolve(TargetProfiles.Read(Harness.Layout, file), [Wavy], v => v == "T_TOKEN" ? token : null))
            .Should().Throw<ConfigurationException>().Which.Message;

        error.Should().Contain("/pact/broker/token").And.Contain($"the broker token from T_TOKEN {why}").And.NotContain("SECRET");
    }

    [Test]
    public void An_unknown_profile_lists_the_known_ones()
    {
        FluentActions.Invoking(() => TargetProfiles.Read(Harness.Layout, "nowhere"))
            .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("embedded");
    }
}
