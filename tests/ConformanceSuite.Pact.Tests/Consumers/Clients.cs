using System.Net;
using System.Text.Json.Nodes;
using RestSharp;

namespace ConformanceSuite.Pact.Tests.Consumers;

/// <summary>A refusal from the API, as a consumer sees it.</summary>
public sealed class ApiException(HttpStatusCode status, string body) : Exception($"{(int)status}: {body}")
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>What a consumer team would write against Wavy's open sessions: the file link, then the CSV.</summary>
public sealed class WavyClient(Uri baseUrl, string token, string user) : IDisposable
{
    private readonly RestClient client = new(baseUrl);

    public async Task<Uri> OpenSessionsFileAsync(long? customerId, bool withCredentials = true)
    {
        var request = new RestRequest("v1/session");
        if (customerId is { } id)
        {
            request.AddQueryParameter("customerId", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (withCredentials)
        {
            request.AddHeader("authenticationToken", token).AddHeader("userName", user);
        }

        var response = await client.ExecuteAsync(request);
        if (!response.IsSuccessful)
        {
            throw new ApiException(response.StatusCode, response.Content ?? "");
        }

        return new Uri(JsonNode.Parse(response.Content!)!["file_url"]!.GetValue<string>());
    }

    public void Dispose() => client.Dispose();
}

/// <summary>The download side of Wavy: a plain GET, no credentials.</summary>
public sealed class WavyDownloadClient(Uri baseUrl) : IDisposable
{
    private readonly RestClient client = new(baseUrl);

    public async Task<(string ContentType, string Body)> DownloadAsync(string path)
    {
        var response = await client.ExecuteAsync(new RestRequest(path));
        return response.IsSuccessful
            ? (response.ContentType ?? "", response.Content ?? "")
            : throw new ApiException(response.StatusCode, response.Content ?? "");
    }

    public void Dispose() => client.Dispose();
}

/// <summary>What a consumer team would write against OpenCX chat sessions.</summary>
public sealed class OpenCxClient(Uri baseUrl, string? token) : IDisposable
{
    private readonly RestClient client = new(baseUrl);

    public async Task<(JsonArray Items, string? Next)> ListAsync(string? status = null)
    {
        var request = Authorized(new RestRequest("chat/sessions"));
        if (status is not null)
        {
            request.AddQueryParameter("status", status);
        }

        var body = await SendAsync(request);
        return (body["items"]!.AsArray(), body["next"]?.GetValue<string>());
    }

    public async Task<JsonObject?> GetAsync(string id)
    {
        var response = await client.ExecuteAsync(Authorized(new RestRequest($"chat/sessions/{id}")));
        return response.StatusCode == HttpStatusCode.NotFound
            ? null
            : response.IsSuccessful ? JsonNode.Parse(response.Content!)!.AsObject() : throw new ApiException(response.StatusCode, response.Content ?? "");
    }

    private RestRequest Authorized(RestRequest request) => token is null ? request : request.AddHeader("Authorization", $"Bearer {token}");

    private async Task<JsonObject> SendAsync(RestRequest request)
    {
        var response = await client.ExecuteAsync(request);
        return response.IsSuccessful ? JsonNode.Parse(response.Content!)!.AsObject() : throw new ApiException(response.StatusCode, response.Content ?? "");
    }

    public void Dispose() => client.Dispose();
}

/// <summary>What a consumer team would write against the chat session list.</summary>
public sealed class ChatSessionListClient(Uri baseUrl, string? token) : IDisposable
{
    private readonly RestClient client = new(baseUrl);

    public async Task<(long Total, JsonArray List)> ListAsync(int limit)
    {
        var request = Request().AddQueryParameter("list", "true").AddQueryParameter("count", "true")
            .AddQueryParameter("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var response = await client.ExecuteAsync(request);
        if (!response.IsSuccessful)
        {
            throw new ApiException(response.StatusCode, response.Content ?? "");
        }

        var body = JsonNode.Parse(response.Content!)!;
        return (body["total"]!.GetValue<long>(), body["list"]!.AsArray());
    }

    public async Task<(string ContentType, string Csv)> ExportCsvAsync(string fields, string id)
    {
        var request = Request().AddQueryParameter("format", "CSV").AddQueryParameter("fields", fields).AddQueryParameter("id", id);
        var response = await client.ExecuteAsync(request);
        return response.IsSuccessful ? (response.ContentType ?? "", response.Content ?? "") : throw new ApiException(response.StatusCode, response.Content ?? "");
    }

    public async Task<HttpStatusCode> StatusForLimitAsync(string limit)
    {
        var response = await client.ExecuteAsync(Request().AddQueryParameter("limit", limit));
        return response.StatusCode;
    }

    private RestRequest Request() => token is null ? new RestRequest("chat-sessions") : new RestRequest("chat-sessions").AddHeader("Authorization", $"Bearer {token}");

    public void Dispose() => client.Dispose();
}
