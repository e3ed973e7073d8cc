using System.Net;
using System.Text.Json.Nodes;
using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Pact.Tests.Consumers;

/// <summary>The parts of a Session every consumer relies on, as matchers (uuid, enums, date-times).</summary>
internal static class Shapes
{
    public static JsonObject Also(this JsonObject o, string name, JsonNode value)
    {
        o[name] = value;
        return o;
    }

    public static JsonObject OpenCxSession(string? exactId = null, string? exactStatus = null) => new()
    {
        ["id"] = exactId is null ? Match.Uuid("3c90c3cc-0d44-4b50-8888-8dd25736052a") : exactId,
        ["status"] = exactStatus is null ? Match.OneOf("open", "open", "closed_resolved", "closed_unresolved") : Match.Equal(exactStatus),
        ["channel"] = new JsonObject { ["type"] = Match.OneOf("web", "web", "email", "phone_voice", "slack", "sms", "whatsapp", "instagram", "messenger", "api", "web_voice") },
        ["created_at"] = Match.DateTime("2023-11-07T05:31:56Z"),
        ["updated_at"] = Match.DateTime("2023-11-07T05:31:56Z"),
    };

    public static JsonObject ChatSession() => new()
    {
        ["id"] = Match.Type("cs-1000"),
        ["name"] = Match.Type("Ana Souza"),
        ["chatId"] = Match.Type("chat-300"),
        ["clientId"] = Match.Type("client-000"),
        ["messengerType"] = Match.OneOf("whatsapp", "whatsapp", "telegram", "instagram", "facebook", "viber"),
        ["operatorType"] = Match.OneOf("BOT", "BOT", "OPERATOR"),
        ["companyId"] = Match.Integer(101),
        ["messagesCount"] = Match.Integer(12),
        ["clientMessagesOnly"] = Match.Boolean(false),
        ["startedAt"] = Match.DateTime("2024-03-01T09:00:00+00:00"),
        ["createdAt"] = Match.DateTime("2024-03-01T09:00:00+00:00"),
        ["updatedAt"] = Match.DateTime("2024-03-01T09:20:00+00:00"),
    };

    public static JsonObject JsonContentType => Match.Regex("application/json", "^application/json(;.*)?$");
}

[TestFixture]
[Order(1)] // before CommittedPactsTests, which compares what they write
public sealed class WavyConsumerTests
{
    /// <summary>The core's logs of each test go to that test's output.</summary>
    [TearDown]
    public void RouteLogs() => TestContext.Out.WriteLine(PactCore.DrainLogs());

    private const string Provider = "wavy-open-sessions";

    private static PactBuilder Pact(string provider = Provider) => new(PactFiles.Consumer, provider, PactFiles.Regenerated);

    private static InteractionBuilder Authenticated(InteractionBuilder i) =>
        i.WithHeader("authenticationToken", PactFiles.ExampleToken).WithHeader("userName", PactFiles.ExampleUser);

    [TestCase(42L, "customer 42 has open sessions", TestName = "wavy: a customer with open sessions gets a file link")]
    [TestCase(7L, "customer 7 has no open sessions", TestName = "wavy: a customer without open sessions gets a file link too")]
    public async Task A_customer_gets_a_file_link(long customer, string state)
    {
        using var pact = Pact();
        Authenticated(pact.UponReceiving($"the open sessions of customer {customer}").Given(state, new JsonObject { ["customerId"] = customer })
                .WithRequest("GET", "/v1/session").WithQuery("customerId", customer.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .WillRespond(200).WithHeader("Content-Type", Shapes.JsonContentType)
            .WithJsonBody(new JsonObject { ["file_url"] = Match.Regex("https://chatclub-cdn.wavy.global/2019/02/13/633e33fc.csv", "^https?://.+") });

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new WavyClient(baseUrl, PactFiles.ExampleToken, PactFiles.ExampleUser);
            (await client.OpenSessionsFileAsync(customer)).Scheme.Should().BeOneOf("http", "https");
        });
    }

    [Test]
    public async Task A_request_without_customerId_is_refused_with_400()
    {
        using var pact = Pact();
        Authenticated(pact.UponReceiving("a request without customerId").WithRequest("GET", "/v1/session")).WillRespond(400);

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new WavyClient(baseUrl, PactFiles.ExampleToken, PactFiles.ExampleUser);
            (await FluentActions.Awaiting(() => client.OpenSessionsFileAsync(null)).Should().ThrowAsync<ApiException>()).Which.Status.Should().Be(HttpStatusCode.BadRequest);
        });
    }

    [Test]
    public async Task A_request_without_credentials_is_refused_with_401()
    {
        using var pact = Pact();
        pact.UponReceiving("a request without credentials").Given("the request carries no credentials")
            .WithRequest("GET", "/v1/session").WithQuery("customerId", "42").WillRespond(401);

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new WavyClient(baseUrl, PactFiles.ExampleToken, PactFiles.ExampleUser);
            (await FluentActions.Awaiting(() => client.OpenSessionsFileAsync(42, withCredentials: false)).Should().ThrowAsync<ApiException>()).Which.Status.Should().Be(HttpStatusCode.Unauthorized);
        });
    }

    /// <summary>
    /// The CSV download, honestly: pact compares a text/csv body only byte for byte, so the interaction is the
    /// header-only file (exact header line) with its content type; the rows are the conformance checks' job.
    /// </summary>
    [Test]
    public async Task The_csv_of_a_customer_without_sessions_is_the_exact_header_line()
    {
        using var pact = Pact($"{Provider}-downloads");
        pact.UponReceiving("the CSV of customer 7, who has no open sessions")
            .Given("customer 7 has no open sessions", new JsonObject { ["customerId"] = 7, ["file"] = "pact-customer-7" })
            .WithRequest("GET", "/files/pact-customer-7.csv")
            .WillRespond(200).WithHeader("Content-Type", Match.Regex("text/csv; charset=utf-8", "^text/csv(;.*)?$"))
            .WithBody("text/csv", "source,session_created_at\n");

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new WavyDownloadClient(baseUrl);
            var (contentType, body) = await client.DownloadAsync("files/pact-customer-7.csv");
            contentType.Should().StartWith("text/csv");
            body.Should().Be("source,session_created_at\n");
        });
    }
}

[TestFixture]
[Order(2)] // before CommittedPactsTests, which compares what they write
public sealed class OpenCxConsumerTests
{
    /// <summary>The core's logs of each test go to that test's output.</summary>
    [TearDown]
    public void RouteLogs() => TestContext.Out.WriteLine(PactCore.DrainLogs());

    private const string Provider = "opencx-chat-sessions";
    private const string KnownId = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

    private static PactBuilder Pact() => new(PactFiles.Consumer, Provider, PactFiles.Regenerated);

    [Test]
    public async Task The_first_page_lists_sessions_and_a_cursor()
    {
        using var pact = Pact();
        pact.UponReceiving("the first page of sessions").Given("sessions exist")
            .WithRequest("GET", "/chat/sessions").WithHeader("Authorization", $"Bearer {PactFiles.ExampleToken}")
            .WillRespond(200).WithHeader("Content-Type", Shapes.JsonContentType)
            .WithJsonBody(new JsonObject { ["items"] = Match.EachLike(Shapes.OpenCxSession(), min: 1), ["next"] = Match.Type("djF8MTB8cHw2ZjliNTViNg") });

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new OpenCxClient(baseUrl, PactFiles.ExampleToken);
            var (items, next) = await client.ListAsync();
            items.Should().NotBeEmpty();
            next.Should().NotBeNullOrEmpty();
        });
    }

    [Test]
    public async Task A_status_filter_returns_only_that_status()
    {
        using var pact = Pact();
        pact.UponReceiving("the sessions with status open").Given("sessions exist")
            .WithRequest("GET", "/chat/sessions").WithQuery("status", "open").WithHeader("Authorization", $"Bearer {PactFiles.ExampleToken}")
            .WillRespond(200).WithHeader("Content-Type", Shapes.JsonContentType)
            .WithJsonBody(new JsonObject { ["items"] = Match.EachLike(Shapes.OpenCxSession(exactStatus: "open"), min: 1), ["next"] = Match.Type("djF8MTB8cHw2ZjliNTViNg") });

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new OpenCxClient(baseUrl, PactFiles.ExampleToken);
            (await client.ListAsync("open")).Items.Should().OnlyContain(i => i!["status"]!.GetValue<string>() == "open");
        });
    }

    [Test]
    public async Task A_session_is_fetched_by_id()
    {
        using var pact = Pact();
        pact.UponReceiving("a session by id").Given($"session {KnownId} exists", new JsonObject { ["id"] = KnownId })
            .WithRequest("GET", $"/chat/sessions/{KnownId}").WithHeader("Authorization", $"Bearer {PactFiles.ExampleToken}")
            .WillRespond(200).WithHeader("Content-Type", Shapes.JsonContentType)
            .WithJsonBody(Shapes.OpenCxSession(exactId: KnownId).Also("contact", new JsonObject
            {
                ["phone_number"] = Match.Regex("+15550000000", @"^\+?[0-9]{7,15}$"),
                ["email"] = Match.Type("contact0@example.com"),
            }));

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new OpenCxClient(baseUrl, PactFiles.ExampleToken);
            (await client.GetAsync(KnownId))!["id"]!.GetValue<string>().Should().Be(KnownId);
        });
    }

    [Test]
    public async Task An_unknown_session_is_404()
    {
        using var pact = Pact();
        pact.UponReceiving("an unknown session").Given("no session has that id")
            .WithRequest("GET", "/chat/sessions/00000000-0000-4000-8000-000000000000").WithHeader("Authorization", $"Bearer {PactFiles.ExampleToken}")
            .WillRespond(404);

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new OpenCxClient(baseUrl, PactFiles.ExampleToken);
            (await client.GetAsync("00000000-0000-4000-8000-000000000000")).Should().BeNull();
        });
    }

    [Test]
    public async Task A_request_without_credentials_is_401()
    {
        using var pact = Pact();
        pact.UponReceiving("a list request without credentials").Given("the request carries no credentials")
            .WithRequest("GET", "/chat/sessions").WillRespond(401);

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new OpenCxClient(baseUrl, token: null);
            (await FluentActions.Awaiting(() => client.ListAsync()).Should().ThrowAsync<ApiException>()).Which.Status.Should().Be(HttpStatusCode.Unauthorized);
        });
    }
}

[TestFixture]
[Order(3)] // before CommittedPactsTests, which compares what they write
public sealed class ChatSessionListConsumerTests
{
    /// <summary>The core's logs of each test go to that test's output.</summary>
    [TearDown]
    public void RouteLogs() => TestContext.Out.WriteLine(PactCore.DrainLogs());

    private const string Provider = "chat-session-list";

    private static PactBuilder Pact() => new(PactFiles.Consumer, Provider, PactFiles.Regenerated);

    [Test]
    public async Task The_list_and_the_total_come_back_when_asked()
    {
        using var pact = Pact();
        pact.UponReceiving("the record list with the total").Given("sessions exist")
            .WithRequest("GET", "/chat-sessions").WithQuery("list", "true").WithQuery("count", "true").WithQuery("limit", "5")
            .WithHeader("Authorization", $"Bearer {PactFiles.ExampleToken}")
            .WillRespond(200).WithHeader("Content-Type", Shapes.JsonContentType)
            .WithJsonBody(new JsonObject { ["total"] = Match.Integer(36), ["list"] = Match.EachLike(Shapes.ChatSession(), min: 1) });

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new ChatSessionListClient(baseUrl, PactFiles.ExampleToken);
            var (total, list) = await client.ListAsync(5);
            total.Should().BeGreaterThan(0);
            list.Should().NotBeEmpty();
        });
    }

    [Test]
    public async Task An_empty_csv_export_is_the_exact_header_of_the_selected_fields()
    {
        using var pact = Pact();
        pact.UponReceiving("a CSV export of id and name matching no session").Given("no session matches")
            .WithRequest("GET", "/chat-sessions").WithQuery("format", "CSV").WithQuery("fields", "id,name").WithQuery("id", "pact-no-such-session")
            .WithHeader("Authorization", $"Bearer {PactFiles.ExampleToken}")
            .WillRespond(200).WithHeader("Content-Type", Match.Regex("text/csv; charset=utf-8", "^text/csv(;.*)?$"))
            .WithBody("text/csv", "id,name\n");

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new ChatSessionListClient(baseUrl, PactFiles.ExampleToken);
            (await client.ExportCsvAsync("id,name", "pact-no-such-session")).Csv.Should().Be("id,name\n");
        });
    }

    [Test]
    public async Task An_invalid_limit_is_400()
    {
        using var pact = Pact();
        pact.UponReceiving("a limit out of range").WithRequest("GET", "/chat-sessions").WithQuery("limit", "0")
            .WithHeader("Authorization", $"Bearer {PactFiles.ExampleToken}").WillRespond(400);

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new ChatSessionListClient(baseUrl, PactFiles.ExampleToken);
            (await client.StatusForLimitAsync("0")).Should().Be(HttpStatusCode.BadRequest);
        });
    }

    [Test]
    public async Task A_request_without_credentials_is_401()
    {
        using var pact = Pact();
        pact.UponReceiving("a request without credentials").Given("the request carries no credentials")
            .WithRequest("GET", "/chat-sessions").WithQuery("limit", "5").WillRespond(401);

        await pact.VerifyAsync(async baseUrl =>
        {
            using var client = new ChatSessionListClient(baseUrl, token: null);
            (await client.StatusForLimitAsync("5")).Should().Be(HttpStatusCode.Unauthorized);
        });
    }
}
