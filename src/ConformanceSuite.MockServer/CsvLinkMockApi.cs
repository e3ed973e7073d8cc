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
/// A reference provider for any API whose contract has one endpoint, without pagination, that answers a
/// JSON body linking to a CSV on the download origin: header credentials, a required integer query
/// parameter that selects the rows, an optional integer one that narrows them. Every name (path,
/// parameters, credentials, link member, CSV columns) comes from the contract, and so do the fault names
/// that embed one. The data set (fixtures/&lt;api&gt;/dataset.json) lists <c>customers</c>, each with its
/// <c>customerId</c> (the value of the required parameter) and its <c>sessions</c>: the CSV rows, by column
/// name, each with its <c>subAccountId</c> (the value of the optional parameter). Those are the data set's
/// own keys, so a target that renames a parameter leaves the data set as it is.
/// </summary>
public sealed class CsvLinkMockApi : IMockApi
{
    /// <summary>The shape this mock serves: decided from the contract's data alone.</summary>
    public static MockKind Kind { get; } = new(
        "csv-link",
        "one endpoint, without pagination or exports, whose JSON body links to a CSV download, with a required integer query parameter that selects the rows",
        contract => contract.Endpoints is [{ Download: not null, Pagination: null, Exports: null } endpoint] && RequiredParameter(endpoint) is not null,
        (layout, contract) => new CsvLinkMockApi(layout, contract));

    private const int MaxTickets = 10_000;
    /// <summary>The data set's own keys: its records, each record's value of the selecting parameter, its rows, and each row's value of the narrowing parameter.</summary>
    private const string RecordsKey = "customers";
    private const string SelectingKey = "customerId";
    private const string RowsKey = "sessions";
    private const string NarrowingKey = "subAccountId";

    private readonly ApiContract contract;
    private readonly EndpointSpec endpoint;
    private readonly CsvSpec spec;
    private readonly JsonObject dataset;
    private readonly ConcurrentDictionary<string, Ticket> tickets = new(StringComparer.Ordinal);

    /// <summary>The required parameter that selects the rows (a customer), and the optional one that narrows them (a sub-account), when there is one.</summary>
    private readonly string selecting;
    private readonly string? narrowing;

    /// <summary>The body member that holds the link (the last token of its pointer), and the name the renaming fault gives it instead.</summary>
    private readonly string linkName;
    private readonly string renamedLink;

    /// <summary>The column whose rule is a pattern (the phone number), and the date-time column, when there are such.</summary>
    private readonly CsvColumn? patternColumn;
    private readonly CsvColumn? dateTimeColumn;

    /// <summary>The first column with a name seen in the docs (the translated header).</summary>
    private readonly CsvColumn? seenColumn;

    public CsvLinkMockApi(RepositoryLayout layout, ApiContract contract)
    {
        ApiId = contract.Id;
        this.contract = contract;
        endpoint = contract.Endpoints.Single(e => e.Download is not null);
        spec = contract.CsvSpecs[endpoint.Download!.CsvSpec];
        selecting = RequiredParameter(endpoint)?.Name
            ?? throw new ConfigurationException($"{ApiId}: the CSV-link mock needs a required integer query parameter in the contract");
        narrowing = endpoint.Parameters.FirstOrDefault(p => !p.Required && p.In == "query" && p.Type == "integer")?.Name;
        linkName = endpoint.Download.LinkPointer.Split('/')[^1];
        renamedLink = Renamed(linkName);
        patternColumn = spec.Columns.FirstOrDefault(c => c.Rule?.Kind == "pattern");
        dateTimeColumn = spec.Columns.FirstOrDefault(c => c.Rule?.Kind == "iso8601-datetime");
        seenColumn = spec.Columns.FirstOrDefault(c => c.NamesSeenInDocs.Count > 0);
        var data = MockDataset.Load(layout, ApiId);
        dataset = data.Json;
        CheckShape(data);
        Credentials = data.Credentials;
        TestData = data.TestData;
        Faults = BuildFaults();
    }

    /// <summary>The data set as this mock reads it: records with an integer selecting value and rows, each row with its narrowing value and string columns.</summary>
    private void CheckShape(MockDataset data)
    {
        var customers = data.Objects(dataset, "", RecordsKey);
        for (var i = 0; i < customers.Count; i++)
        {
            var at = $"/{RecordsKey}/{i.ToString(CultureInfo.InvariantCulture)}";
            data.Integer(customers[i], at, SelectingKey, required: true);
            var rows = data.Objects(customers[i], at, RowsKey);
            for (var j = 0; j < rows.Count; j++)
            {
                var rowAt = $"{at}/{RowsKey}/{j.ToString(CultureInfo.InvariantCulture)}";
                data.Integer(rows[j], rowAt, NarrowingKey, required: narrowing is not null);
                foreach (var column in spec.Columns)
                {
                    data.OptionalString(rows[j], rowAt, column.Name);
                }
            }
        }
    }

    public string ApiId { get; }

    public IReadOnlyDictionary<string, string> Credentials { get; set; }

    public IReadOnlyDictionary<string, string> TestData { get; }

    public IReadOnlyDictionary<string, string> Faults { get; }

    private static ParameterSpec? RequiredParameter(EndpointSpec endpoint) =>
        endpoint.Parameters.FirstOrDefault(p => p.Required && p.In == "query" && p.Type == "integer");

    /// <summary>A member name in the other naming convention (file_url → fileUrl, fileUrl → file_url), so it is surely another name.</summary>
    private static string Renamed(string name)
    {
        if (name.Contains('_', StringComparison.Ordinal))
        {
            var parts = name.Split('_', StringSplitOptions.RemoveEmptyEntries);
            return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        }

        var snake = string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : c.ToString()));
        return snake != name ? snake : name.ToUpperInvariant() + "_";
    }

    /// <summary>
    /// The fault modes. Those about a parameter, the link member or a column are named after it; the first
    /// credential is the one a fault stops requiring, the last the one a fault stops verifying.
    /// </summary>
    private Dictionary<string, string> BuildFaults()
    {
        var credentials = contract.Auth.Credentials;
        var faults = new Dictionary<string, string>(TrafficFaults.Faults, StringComparer.Ordinal)
        {
            [$"{selecting}-not-required"] = $"a request without {selecting} is answered 200 (with the rows of every {selecting} of the data set)",
            [$"{selecting}-missing-422"] = $"a request without {selecting} is refused with 422 instead of 400",
            [$"{selecting}-type-unchecked"] = $"a non-integer {selecting} is answered 200 with an empty file",
        };
        if (narrowing is not null)
        {
            faults[$"{narrowing}-ignored"] = $"{narrowing} is accepted but does not narrow the rows";
            faults[$"{narrowing}-rejected"] = $"a request with {narrowing} is refused with 400";
            faults[$"{narrowing}-type-unchecked"] = $"a {narrowing} that is not an integer is ignored, not refused: the rows of the whole {selecting} come back";
            faults[$"{narrowing}-empty-falls-back"] = $"a {narrowing} without rows gets the rows of its whole {selecting}, not a header-only file";
            faults[$"{narrowing}-empty-zero-bytes"] = $"a {narrowing} without rows gets a 0-byte file (a {selecting} without rows still gets its header)";
        }

        if (credentials.Count > 0)
        {
            faults[$"{credentials[0].Name}-not-required"] = $"a request without {credentials[0].Name} is answered 200";
            faults[$"{credentials[^1].Name}-wrong-accepted"] = $"a wrong {credentials[^1].Name} is accepted";
        }

        faults["auth-403"] = "missing or wrong credentials get 403 instead of 401";
        faults[MockAuth.HalfChecked] = MockAuth.Faults[MockAuth.HalfChecked];
        faults[$"body-{linkName}-renamed"] = $"the success body says {renamedLink} instead of {linkName}";
        faults["body-not-json"] = "the success body is not JSON";
        faults[$"{linkName}-relative"] = $"{linkName} is a relative path";
        faults["content-type-text"] = "the JSON body is sent as text/plain";
        faults["download-requires-credentials"] = "the download answers 401 unless the API's credentials are sent to it";
        faults["download-stalls"] = "the download sends its headers, then stalls";
        faults["download-404"] = $"the {linkName} answers 404: the link leads nowhere";
        faults["download-404-narrowed"] = $"the {linkName} of a call with {NarrowingKey} answers 404; the others work";
        faults["redirect-cross-origin"] = "the authenticated call is redirected (307) to the download origin";
        faults["csv-bom"] = spec.BomRequired ? "the CSV lacks its UTF-8 BOM" : "the CSV starts with a UTF-8 BOM";
        if (spec.Delimiter != ";")
        {
            faults["csv-semicolon"] = "the CSV uses ';' as delimiter";
        }

        if (seenColumn is not null)
        {
            faults["csv-header-translated"] = $"the CSV header says '{seenColumn.NamesSeenInDocs[0].Name}' (a name seen in the docs) instead of '{seenColumn.Name}'";
        }

        faults["csv-columns-swapped"] = "the CSV columns come in the other order";
        if (patternColumn is not null)
        {
            faults[$"csv-{patternColumn.Name}-not-digits"] = $"{patternColumn.Name} values are formatted phone numbers (+55 19 ...), not digits";
        }

        if (dateTimeColumn is not null)
        {
            faults["csv-timestamp-not-iso"] = $"{dateTimeColumn.Name} values are dd/MM/yyyy HH:mm";
        }

        var empty = narrowing is null ? $"a {selecting} without rows" : $"a {selecting} or a {narrowing} without rows";
        faults["empty-csv-zero-bytes"] = $"{empty} gets a 0-byte file";
        faults["empty-csv-has-row"] = $"{empty} gets a row anyway";
        return faults;
    }

    public void Map(WebApplication api, WebApplication downloads, MockApiSetup setup)
    {
        var faults = setup.Faults;

        api.MapMethods(setup.Prefix + endpoint.Path, [endpoint.Method], Loopback.Answer(http =>
        {
            if (faults.Contains("redirect-cross-origin"))
            {
                return Results.Redirect(setup.DownloadBase() + http.Request.Path + http.Request.QueryString, permanent: false, preserveMethod: true);
            }

            var authProblem = CheckCredentials(http.Request.Headers, faults, setup.AcceptPactExamples);
            if (authProblem is not null)
            {
                return Error(faults.Contains("auth-403") ? 403 : contract.Auth.Rejection.Status, authProblem);
            }

            var query = http.Request.Query;
            long? customer = null;
            if (!query.TryGetValue(selecting, out var customerText) || string.IsNullOrEmpty(customerText))
            {
                if (faults.Contains($"{selecting}-missing-422"))
                {
                    return Error(422, $"{selecting} is required");
                }

                if (!faults.Contains($"{selecting}-not-required"))
                {
                    return Error(400, $"{selecting} is required");
                }
            }
            else if (long.TryParse(customerText, NumberStyles.None, CultureInfo.InvariantCulture, out var c))
            {
                customer = c;
            }
            else if (!faults.Contains($"{selecting}-type-unchecked"))
            {
                return Error(400, $"{selecting} must be an integer");
            }
            else
            {
                customer = -1;
            }

            long? subAccount = null;
            if (narrowing is not null && query.TryGetValue(narrowing, out var subText) && !string.IsNullOrEmpty(subText))
            {
                if (faults.Contains($"{narrowing}-rejected"))
                {
                    return Error(400, $"{narrowing} is not supported");
                }

                if (!long.TryParse(subText, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                {
                    if (!faults.Contains($"{narrowing}-type-unchecked"))
                    {
                        return Error(400, $"{narrowing} must be an integer");
                    }
                }
                else
                {
                    subAccount = faults.Contains($"{narrowing}-ignored") ? null : s;
                    if (faults.Contains($"{narrowing}-empty-falls-back") && !Rows(new Ticket(customer, subAccount)).Any())
                    {
                        // The wrong provider: an empty sub-account is taken for no sub-account at all.
                        subAccount = null;
                    }
                }
            }

            if (tickets.Count > MaxTickets)
            {
                tickets.Clear();
            }

            var token = Guid.NewGuid().ToString("N");
            tickets[token] = new Ticket(customer, subAccount);
            var link = faults.Contains($"{linkName}-relative")
                ? $"/files/{token}.csv"
                : $"{setup.DownloadBase()}{setup.Prefix}/files/{token}.csv";
            var body = new JsonObject();
            SetAt(body, endpoint.Download!.LinkPointer, faults.Contains($"body-{linkName}-renamed") ? renamedLink : linkName, link);
            if (setup.EchoCredentials)
            {
                body["echo"] = MockEcho.Of(contract, http);
            }

            var text = faults.Contains("body-not-json") ? $"{linkName}={link}" : MockEcho.Escape(body.ToJsonString());
            var contentType = faults.Contains("content-type-text") ? "text/plain; charset=utf-8" : endpoint.Success.ContentType + "; charset=utf-8";
            return Results.Text(text, contentType, Encoding.UTF8, endpoint.Success.Status);
        }));

        downloads.MapGet(setup.Prefix + "/files/{token}.csv", async http =>
        {
            var token = (string)http.Request.RouteValues["token"]!;
            var credentialHeaders = contract.Auth.Credentials.Select(c => c.Name)
                .Where(n => http.Request.Headers.ContainsKey(n)).ToList();
            setup.Audit.Record(http.Request.Path, credentialHeaders);
            if (faults.Contains("download-requires-credentials") && CheckCredentials(http.Request.Headers, new HashSet<string>(), setup.AcceptPactExamples) is { } problem)
            {
                await Error(401, problem).ExecuteAsync(http);
                return;
            }

            if (!tickets.TryGetValue(token, out var ticket) || faults.Contains("download-404") || (faults.Contains("download-404-narrowed") && ticket.SubAccount is not null))
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

            var bytes = Csv(Rows(ticket), faults, narrowed: ticket.SubAccount is not null);
            http.Response.ContentLength = bytes.Length;
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        });
    }

    /// <summary>Sets the link at the pointer, creating the objects on its way; the last token is given as the member name to use.</summary>
    private static void SetAt(JsonObject body, string pointer, string member, string value)
    {
        var tokens = pointer.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
        var target = body;
        foreach (var token in tokens.SkipLast(1))
        {
            var next = new JsonObject();
            target[token] = next;
            target = next;
        }

        target[member] = value;
    }

    /// <summary>Values of the required parameter a provider state made stand for a data-set record (pact examples).</summary>
    private readonly ConcurrentDictionary<long, long> customerAlias = new();

    private List<JsonObject> Customers => dataset[RecordsKey]!.AsArray().OfType<JsonObject>().ToList();

    public bool SetUpState(string state, JsonObject parameters)
    {
        var customers = Customers;
        long? Param(string name) => parameters[name] is JsonValue v && (v.TryGetValue<long>(out var n) || long.TryParse(v.ToString(), out n)) ? n : null;
        switch (state)
        {
            case "the request carries no credentials":
                return true;
            case var s when s.EndsWith("has open sessions", StringComparison.Ordinal) && Param(selecting) is { } withSessions:
                customerAlias[withSessions] = customers.First(c => c[RowsKey]!.AsArray().Count > 0)[SelectingKey]!.GetValue<long>();
                return true;
            case var s when s.EndsWith("has no open sessions", StringComparison.Ordinal) && Param(selecting) is { } without:
                customerAlias[without] = customers.First(c => c[RowsKey]!.AsArray().Count == 0)[SelectingKey]!.GetValue<long>();
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
        Customers
            .Where(c => ticket.Customer is null || c[SelectingKey]!.GetValue<long>() == (customerAlias.TryGetValue(ticket.Customer.Value, out var real) ? real : ticket.Customer))
            .SelectMany(c => c[RowsKey]!.AsArray().OfType<JsonObject>())
            .Where(s => ticket.SubAccount is null || s[NarrowingKey]!.GetValue<long>() == ticket.SubAccount);

    /// <param name="narrowed">Whether the rows are those of one value of the narrowing parameter (a sub-account's).</param>
    private byte[] Csv(IEnumerable<JsonObject> rows, IReadOnlySet<string> faults, bool narrowed)
    {
        var delimiter = faults.Contains("csv-semicolon") ? ";" : spec.Delimiter;
        var names = spec.Columns.Select(c => c.Name).ToList();
        var order = Enumerable.Range(0, names.Count).ToList();
        if (faults.Contains("csv-columns-swapped"))
        {
            order.Reverse();
        }

        var header = order.Select(i => faults.Contains("csv-header-translated") && spec.Columns[i] == seenColumn
            ? seenColumn.NamesSeenInDocs[0].Name
            : names[i]);
        var list = rows.ToList();
        if (list.Count == 0 && faults.Contains("empty-csv-has-row"))
        {
            // A row of the data set, where there should be none.
            list.Add(Customers.SelectMany(c => c[RowsKey]!.AsArray().OfType<JsonObject>()).First());
        }

        var sb = new StringBuilder();
        if (!(list.Count == 0 && (faults.Contains("empty-csv-zero-bytes") || (narrowed && faults.Contains($"{narrowing}-empty-zero-bytes")))))
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

    private string Format(string column, string value, IReadOnlySet<string> faults)
    {
        if (column == patternColumn?.Name && faults.Contains($"csv-{column}-not-digits") && value.Length >= 12)
        {
            return $"+{value[..2]} {value[2..4]} {value[4..^4]}-{value[^4..]}";
        }

        if (column == dateTimeColumn?.Name && faults.Contains("csv-timestamp-not-iso")
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
        {
            return t.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture);
        }

        return value;
    }

    private string? CheckCredentials(IHeaderDictionary headers, IReadOnlySet<string> faults, bool acceptPactExamples)
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

            if (given != expected && !(acceptPactExamples && given == PactExamples.For(credential.Name)) && !faults.Contains($"{credential.Name}-wrong-accepted")
                && !(faults.Contains(MockAuth.HalfChecked) && MockAuth.HalfMatches(given.ToString(), expected)))
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
