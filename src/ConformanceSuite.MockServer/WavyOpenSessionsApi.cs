using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.MockServer;

/// <summary>
/// Wavy's open-sessions endpoint as the contract describes it: header credentials, a required integer
/// customerId, an optional subAccountId filter, a JSON body whose file_url points to a CSV on the
/// download origin. Names (path, parameters, credentials, CSV columns) come from the contract.
/// </summary>
public sealed class WavyOpenSessionsApi : IMockApi
{
    private const int MaxTickets = 10_000;
    private readonly JsonObject dataset;
    private readonly ConcurrentDictionary<string, Ticket> tickets = new(StringComparer.Ordinal);

    public WavyOpenSessionsApi(RepositoryLayout layout)
    {
        var data = MockDataset.Load(layout, ApiId);
        dataset = data.Json;
        Credentials = data.Credentials;
        TestData = data.TestData;
    }

    public string ApiId => "wavy-open-sessions";

    public IReadOnlyDictionary<string, string> Credentials { get; set; }

    public IReadOnlyDictionary<string, string> TestData { get; }

    public IReadOnlyDictionary<string, string> Faults { get; } = new Dictionary<string, string>(TrafficFaults.Faults, StringComparer.Ordinal)
    {
        ["customerId-not-required"] = "a request without customerId is answered 200 (with every customer's sessions)",
        ["customerId-missing-422"] = "a request without customerId is refused with 422 instead of 400",
        ["customerId-type-unchecked"] = "a non-integer customerId is answered 200 with an empty file",
        ["subAccountId-ignored"] = "subAccountId is accepted but does not narrow the rows",
        ["subAccountId-rejected"] = "a request with subAccountId is refused with 400",
        ["authenticationToken-not-required"] = "a request without authenticationToken is answered 200",
        ["userName-wrong-accepted"] = "a wrong userName is accepted",
        ["auth-403"] = "missing or wrong credentials get 403 instead of 401",
        ["body-file_url-renamed"] = "the success body says fileUrl instead of file_url",
        ["body-not-json"] = "the success body is not JSON",
        ["file_url-relative"] = "file_url is a relative path",
        ["content-type-text"] = "the JSON body is sent as text/plain",
        ["download-requires-credentials"] = "the download answers 401 unless the API's credentials are sent to it",
        ["download-stalls"] = "the download sends its headers, then stalls",
        ["download-404"] = "the file_url answers 404: the link leads nowhere",
        ["redirect-cross-origin"] = "the authenticated call is redirected (307) to the download origin",
        ["csv-bom"] = "the CSV starts with a UTF-8 BOM",
        ["csv-semicolon"] = "the CSV uses ';' as delimiter",
        ["csv-header-translated"] = "the CSV header says 'origem' (the Portuguese page) instead of 'source'",
        ["csv-columns-swapped"] = "the CSV columns come in the other order",
        ["csv-source-not-digits"] = "source values are formatted phone numbers (+55 19 ...), not digits",
        ["csv-timestamp-not-iso"] = "session_created_at values are dd/MM/yyyy HH:mm",
        ["empty-csv-zero-bytes"] = "a customer without sessions gets a 0-byte file",
        ["empty-csv-has-row"] = "a customer without sessions gets a row anyway",
    };

    public void Map(WebApplication api, WebApplication downloads, MockApiSetup setup)
    {
        var contract = setup.Contract;
        var endpoint = contract.Endpoints[0];
        var spec = contract.CsvSpecs[endpoint.Download!.CsvSpec];
        var customerParam = endpoint.Parameters.First(p => p.Required).Name;
        var subAccountParam = endpoint.Parameters.First(p => !p.Required).Name;
        var faults = setup.Faults;

        api.MapMethods(setup.Prefix + endpoint.Path, [endpoint.Method], (HttpContext http) =>
        {
            if (faults.Contains("redirect-cross-origin"))
            {
                return Results.Redirect(setup.DownloadBase() + http.Request.Path + http.Request.QueryString, permanent: false, preserveMethod: true);
            }

            var authProblem = CheckCredentials(contract, http.Request.Headers, faults, setup.AcceptPactExamples);
            if (authProblem is not null)
            {
                return Error(faults.Contains("auth-403") ? 403 : contract.Auth.Rejection.Status, authProblem);
            }

            var query = http.Request.Query;
            long? customer = null;
            if (!query.TryGetValue(customerParam, out var customerText) || string.IsNullOrEmpty(customerText))
            {
                if (faults.Contains("customerId-missing-422"))
                {
                    return Error(422, $"{customerParam} is required");
                }

                if (!faults.Contains("customerId-not-required"))
                {
                    return Error(400, $"{customerParam} is required");
                }
            }
            else if (long.TryParse(customerText, NumberStyles.None, CultureInfo.InvariantCulture, out var c))
            {
                customer = c;
            }
            else if (!faults.Contains("customerId-type-unchecked"))
            {
                return Error(400, $"{customerParam} must be an integer");
            }
            else
            {
                customer = -1;
            }

            long? subAccount = null;
            if (query.TryGetValue(subAccountParam, out var subText) && !string.IsNullOrEmpty(subText))
            {
                if (faults.Contains("subAccountId-rejected"))
                {
                    return Error(400, $"{subAccountParam} is not supported");
                }

                if (!long.TryParse(subText, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                {
                    return Error(400, $"{subAccountParam} must be an integer");
                }

                subAccount = faults.Contains("subAccountId-ignored") ? null : s;
            }

            if (tickets.Count > MaxTickets)
            {
                tickets.Clear();
            }

            var token = Guid.NewGuid().ToString("N");
            tickets[token] = new Ticket(customer, subAccount);
            var link = faults.Contains("file_url-relative")
                ? $"/files/{token}.csv"
                : $"{setup.DownloadBase()}{setup.Prefix}/files/{token}.csv";
            var linkName = endpoint.Download.LinkPointer.TrimStart('/');
            var body = faults.Contains("body-file_url-renamed")
                ? new JsonObject { ["fileUrl"] = link }
                : new JsonObject { [linkName] = link };
            if (setup.EchoCredentials)
            {
                body["echo"] = MockEcho.Of(contract, http);
            }

            var text = faults.Contains("body-not-json") ? $"{linkName}={link}" : MockEcho.Escape(body.ToJsonString());
            var contentType = faults.Contains("content-type-text") ? "text/plain; charset=utf-8" : endpoint.Success.ContentType + "; charset=utf-8";
            return Results.Text(text, contentType, Encoding.UTF8, endpoint.Success.Status);
        });

        downloads.MapGet(setup.Prefix + "/files/{token}.csv", async (HttpContext http, string token) =>
        {
            var credentialHeaders = contract.Auth.Credentials.Select(c => c.Name)
                .Where(n => http.Request.Headers.ContainsKey(n)).ToList();
            setup.Audit.Record(http.Request.Path, credentialHeaders);
            if (faults.Contains("download-requires-credentials") && CheckCredentials(contract, http.Request.Headers, new HashSet<string>(), setup.AcceptPactExamples) is { } problem)
            {
                await Error(401, problem).ExecuteAsync(http);
                return;
            }

            if (!tickets.TryGetValue(token, out var ticket) || faults.Contains("download-404"))
            {
                await Error(404, "no such file").ExecuteAsync(http);
                return;
            }

            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/csv; charset=utf-8";
            if (faults.Contains("download-stalls"))
            {
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await http.Response.WriteAsync(spec.Columns[0].Name, http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                try
                {
                    await Task.Delay(setup.StallFor, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            var bytes = Csv(spec, Rows(ticket), faults);
            http.Response.ContentLength = bytes.Length;
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        });
    }

    /// <summary>Customer ids a provider state made stand for a data-set customer (pact examples).</summary>
    private readonly ConcurrentDictionary<long, long> customerAlias = new();

    public bool SetUpState(string state, JsonObject parameters)
    {
        var customers = dataset["customers"]!.AsArray().OfType<JsonObject>().ToList();
        long? Param(string name) => parameters[name] is JsonValue v && (v.TryGetValue<long>(out var n) || long.TryParse(v.ToString(), out n)) ? n : null;
        switch (state)
        {
            case "the request carries no credentials":
                return true;
            case var s when s.EndsWith("has open sessions", StringComparison.Ordinal) && Param("customerId") is { } withSessions:
                customerAlias[withSessions] = customers.First(c => c["sessions"]!.AsArray().Count > 0)["customerId"]!.GetValue<long>();
                return true;
            case var s when s.EndsWith("has no open sessions", StringComparison.Ordinal) && Param("customerId") is { } without:
                customerAlias[without] = customers.First(c => c["sessions"]!.AsArray().Count == 0)["customerId"]!.GetValue<long>();
                if (parameters["file"] is JsonValue file)
                {
                    tickets[file.ToString()] = new Ticket(customerAlias[without], null);
                }

                return true;
            default:
                return false;
        }
    }

    private IEnumerable<JsonObject> Rows(Ticket ticket) =>
        dataset["customers"]!.AsArray().OfType<JsonObject>()
            .Where(c => ticket.Customer is null || c["customerId"]!.GetValue<long>() == (customerAlias.TryGetValue(ticket.Customer.Value, out var real) ? real : ticket.Customer))
            .SelectMany(c => c["sessions"]!.AsArray().OfType<JsonObject>())
            .Where(s => ticket.SubAccount is null || s["subAccountId"]!.GetValue<long>() == ticket.SubAccount);

    private static byte[] Csv(CsvSpec spec, IEnumerable<JsonObject> rows, IReadOnlySet<string> faults)
    {
        var delimiter = faults.Contains("csv-semicolon") ? ";" : spec.Delimiter;
        var names = spec.Columns.Select(c => c.Name).ToList();
        var order = Enumerable.Range(0, names.Count).ToList();
        if (faults.Contains("csv-columns-swapped"))
        {
            order.Reverse();
        }

        var header = order.Select(i => faults.Contains("csv-header-translated") && i == 0 && spec.Columns[0].NamesSeenInDocs.Count > 0
            ? spec.Columns[0].NamesSeenInDocs[0].Name
            : names[i]);
        var list = rows.ToList();
        if (list.Count == 0 && faults.Contains("empty-csv-has-row"))
        {
            list.Add(new JsonObject { ["source"] = "5519911112222", ["session_created_at"] = "2019-02-13T10:15:30Z" });
        }

        var sb = new StringBuilder();
        if (!(list.Count == 0 && faults.Contains("empty-csv-zero-bytes")))
        {
            sb.Append(string.Join(delimiter, header)).Append('\n');
        }

        foreach (var row in list)
        {
            var values = names.Select(n => Format(n, row[n]?.GetValue<string>() ?? "", faults)).ToList();
            sb.Append(string.Join(delimiter, order.Select(i => values[i]))).Append('\n');
        }

        var body = Encoding.UTF8.GetBytes(sb.ToString());
        var bom = spec.BomRequired != faults.Contains("csv-bom");
        return bom ? [0xEF, 0xBB, 0xBF, .. body] : body;
    }

    private static string Format(string column, string value, IReadOnlySet<string> faults)
    {
        if (column == "source" && faults.Contains("csv-source-not-digits") && value.Length >= 12)
        {
            return $"+{value[..2]} {value[2..4]} {value[4..^4]}-{value[^4..]}";
        }

        if (column == "session_created_at" && faults.Contains("csv-timestamp-not-iso")
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
        {
            return t.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture);
        }

        return value;
    }

    private string? CheckCredentials(ApiContract contract, IHeaderDictionary headers, IReadOnlySet<string> faults, bool acceptPactExamples)
    {
        foreach (var credential in contract.Auth.Credentials)
        {
            var expected = Credentials[credential.Name];
            if (!headers.TryGetValue(credential.Name, out var given) || string.IsNullOrEmpty(given))
            {
                if (faults.Contains($"{credential.Name}-not-required"))
                {
                    continue;
                }

                return $"missing {credential.Name}";
            }

            if (given != expected && !(acceptPactExamples && given == PactExamples.For(credential.Name)) && !faults.Contains($"{credential.Name}-wrong-accepted"))
            {
                return $"wrong {credential.Name}";
            }
        }

        return null;
    }

    private static IResult Error(int status, string message) =>
        Results.Text(JsonSerializer.Serialize(new { error = message }), "application/json; charset=utf-8", Encoding.UTF8, status);

    private sealed record Ticket(long? Customer, long? SubAccount);
}
