using System.Globalization;
using System.Text.Json.Nodes;
using ConformanceSuite.Checks;
using ConformanceSuite.Engine;
using ConformanceSuite.Running;
using FluentAssertions;
using Microsoft.AspNetCore.Http;
using NUnit.Framework;

namespace ConformanceSuite.Tests;

/// <summary>
/// Providers of the tests' own that check credentials, but not everywhere the docs ask: each must not pass the
/// authentication requirement it breaks. The same provider without its twist is right, and passes every one of
/// OPENCX-001 to OPENCX-003.
/// </summary>
[TestFixture]
public sealed class EvasionAuthTests
{
    private const string Token = "EVASION-AUTH-TOKEN-5b7e20d1";
    private const int PageSize = 3;
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-evasion-auth-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    /// <summary>Seven OpenCX sessions, an hour apart, all open on the web.</summary>
    private static readonly JsonObject[] Sessions =
    [
        .. Enumerable.Range(0, 7).Select(i => new JsonObject
        {
            ["id"] = $"2d4e6f80-1a2b-4c3d-9e8f-{i:000000000000}",
            ["status"] = "open",
            ["channel"] = new JsonObject { ["type"] = "web" },
            ["created_at"] = new DateTime(2024, 5, 2, 8 + i, 0, 0, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["updated_at"] = new DateTime(2024, 5, 2, 8 + i, 30, 0, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        }),
    ];

    /// <summary>
    /// A right OpenCX provider: every call needs Authorization: Bearer and the token (401 otherwise), the list in
    /// pages of <see cref="PageSize"/> behind a cursor, each session by its id, 404 for an unknown one; unless
    /// <paramref name="exempt"/> lets a request through without looking at its credentials.
    /// </summary>
    private static Task<HostileProvider> OpenCxAsync(Func<HttpRequest, bool>? exempt = null) =>
        HostileProvider.StartAsync(async http =>
        {
            if (exempt?.Invoke(http.Request) != true && http.Request.Headers.Authorization != $"Bearer {Token}")
            {
                http.Response.StatusCode = 401;
                return;
            }

            var path = http.Request.Path.Value ?? "";
            http.Response.ContentType = "application/json";
            if (path == "/chat/sessions" && http.Request.Query.All(q => q.Key == "status" && q.Value == "open" || q.Key == "cursor"))
            {
                var cursor = http.Request.Query["cursor"].ToString();
                var at = cursor.Length == 0 ? 0 : int.Parse(cursor.AsSpan(1), CultureInfo.InvariantCulture);
                var body = new JsonObject
                {
                    ["items"] = new JsonArray([.. Sessions.Skip(at).Take(PageSize).Select(s => s.DeepClone())]),
                    ["next"] = at + PageSize < Sessions.Length ? $"p{at + PageSize}" : null,
                };
                await http.Response.WriteAsync(body.ToJsonString());
                return;
            }

            if (path.StartsWith("/chat/sessions/", StringComparison.Ordinal)
                && Sessions.FirstOrDefault(s => (string)s["id"]! == path["/chat/sessions/".Length..]) is { } found)
            {
                await http.Response.WriteAsync(found.ToJsonString());
                return;
            }

            http.Response.StatusCode = path == "/chat/sessions" ? 400 : 404;
        });

    private static readonly string[] OpenCxAuth = ["OPENCX-001", "OPENCX-002", "OPENCX-003"];

    private Task<RunResults> RunOpenCxAsync(HostileProvider provider, params string[] requirements) => ConformanceEngine.RunAsync(new RunSettings
    {
        Apis = ["opencx-chat-sessions"],
        Filter = requirements.Length == 0 ? OpenCxAuth : requirements,
        AdHoc = new AdHocTarget(provider.Origin.ToString(), new Dictionary<string, string> { ["Authorization"] = Token }, new Dictionary<string, string>()),
        ReportDirectory = dir,
        ContractsDirectory = Harness.Layout.Root,
        RequestTimeout = TimeSpan.FromSeconds(2),
        RunTimeout = TimeSpan.FromSeconds(60),
    });

    private static RequirementResult Requirement(RunResults results, string id) => results.Requirements.Single(r => r.Id == id);

    private static void ShouldPass(RunResults results, IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            var requirement = Requirement(results, id);
            requirement.Verdict.Should().Be(Verdict.Pass, $"{id}: " + string.Join("; ", requirement.Cases.Where(c => c.Verdict != Verdict.Pass).Select(c => c.Message)));
        }
    }

    [Test]
    public async Task The_right_OpenCX_provider_passes_every_auth_requirement()
    {
        await using var provider = await OpenCxAsync();

        ShouldPass(await RunOpenCxAsync(provider), OpenCxAuth);
    }

    [Test]
    public async Task A_get_by_id_that_needs_no_credentials_is_not_a_pass()
    {
        // "Every call: Authorization: Bearer <token>". The list checks the token; GET /chat/sessions/{id} answers
        // anyone who knows an id.
        await using var provider = await OpenCxAsync(exempt: r => r.Path.Value!.StartsWith("/chat/sessions/", StringComparison.Ordinal));

        var results = await RunOpenCxAsync(provider);

        foreach (var id in OpenCxAuth)
        {
            var requirement = Requirement(results, id);
            requirement.Verdict.Should().Be(Verdict.Fail, id);
            requirement.Cases.SelectMany(c => c.Findings).OfType<StatusMismatch>().Should().Contain(f => f.Expected == 401 && f.Received == 200, id);
        }
    }
}
