using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>
/// One thing a check found wrong, as a typed record: what was expected and what was received, in fields of
/// their own, with the exchange that shows it. Reports render <see cref="Message"/> (always
/// "subject: expected … / received …"); results.json carries the type and every field, and tests compare those.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(StatusMismatch), "status-mismatch")]
[JsonDerivedType(typeof(TransportProblem), "transport")]
[JsonDerivedType(typeof(CrossOriginRedirect), "cross-origin-redirect")]
[JsonDerivedType(typeof(SchemaViolationFinding), "schema-violation")]
[JsonDerivedType(typeof(NotJson), "not-json")]
[JsonDerivedType(typeof(HeaderMismatch), "header-mismatch")]
[JsonDerivedType(typeof(ValueMismatch), "value-mismatch")]
[JsonDerivedType(typeof(MissingItems), "missing-items")]
[JsonDerivedType(typeof(UnexpectedItem), "unexpected-item")]
[JsonDerivedType(typeof(ExtraItems), "extra-items")]
[JsonDerivedType(typeof(OrderViolation), "order-violation")]
[JsonDerivedType(typeof(CountMismatch), "count-mismatch")]
[JsonDerivedType(typeof(PaginationProblem), "pagination")]
[JsonDerivedType(typeof(CsvHeaderProblem), "csv-header")]
[JsonDerivedType(typeof(CsvRowProblem), "csv-row")]
[JsonDerivedType(typeof(ArchiveProblem), "archive")]
[JsonDerivedType(typeof(SlowResponse), "slow-response")]
[JsonDerivedType(typeof(RetriedRequest), "retried-request")]
[JsonDerivedType(typeof(CredentialExposure), "credential-exposure")]
[JsonDerivedType(typeof(PactMismatch), "pact-mismatch")]
public abstract record Finding
{
    private static readonly Dictionary<Type, string> Names = typeof(Finding).GetCustomAttributes<JsonDerivedTypeAttribute>()
        .ToDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    /// <summary>What was tried or looked at, when the finding needs saying (<c>without customerId</c>, <c>CSV_EXCEL</c>, <c>page 3</c>).</summary>
    public string? Subject { get; init; }

    /// <summary>Whether the broken rule is documented or assumed (set by the check run from the rule's basis).</summary>
    public Aspect Aspect { get; init; }

    /// <summary>The exchange that shows it, when one does.</summary>
    public HttpExchange? Evidence { get; init; }

    /// <summary>The type's name in results.json (<c>status-mismatch</c>, …).</summary>
    [JsonIgnore]
    public string Type => Names[GetType()];

    /// <summary>Every type's name, for validating expectations.</summary>
    public static IReadOnlyCollection<string> TypeNames => Names.Values;

    /// <summary>The finding in words: <c>subject: expected … / received …: explanation</c>.</summary>
    public string Message =>
        $"{(Subject is null ? "" : Subject + ": ")}{(Where is null ? "" : Where + ": ")}expected {ExpectedText} / received {ReceivedText}{(Explanation is null ? "" : ": " + Explanation)}";

    /// <summary>Where in the response, when the type knows (a page and item, a row, a pointer).</summary>
    [JsonIgnore]
    protected virtual string? Where => null;

    [JsonIgnore]
    protected abstract string ExpectedText { get; }

    [JsonIgnore]
    protected abstract string ReceivedText { get; }

    [JsonIgnore]
    protected virtual string? Explanation => null;

    public static Aspect AspectOf(Basis? basis) => basis is { IsAssumption: true } ? Aspect.Assumed : Aspect.Documented;

    /// <summary>
    /// What a response that should have answered <paramref name="expected"/> shows instead: no response, a redirect
    /// to another origin (not followed), or another status, read as <paramref name="reading"/>.
    /// </summary>
    public static Finding OfResponse(int expected, HttpExchange exchange, StatusReading reading = StatusReading.Other) =>
        exchange.Error is not null ? new TransportProblem(exchange.Error, expected)
        : exchange.BlockedRedirect is not null ? new CrossOriginRedirect(exchange.Status ?? 0, exchange.BlockedRedirect)
        : new StatusMismatch(expected, exchange.Status ?? 0, reading);

    /// <summary>
    /// The finding with every text in it passed through <paramref name="scrub"/> (a provider may send a secret
    /// back), then bounded (<see cref="ProviderText.Bounded(string)"/>).
    /// </summary>
    public Finding Scrubbed(Func<string, string> scrub)
    {
        var node = JsonSerializer.SerializeToNode(this with { Evidence = null }, Running.ResultsJson.Options)!;
        return Scrub(node, text => ProviderText.Bounded(scrub(text))).Deserialize<Finding>(Running.ResultsJson.Options)! with { Evidence = Evidence };
    }

    private static JsonNode Scrub(JsonNode node, Func<string, string> scrub)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(kv => kv.Key).ToList())
                {
                    if (o[key] is { } child && key != "type")
                    {
                        o[key] = Scrub(child.DeepClone(), scrub);
                    }
                }

                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is { } item)
                    {
                        a[i] = Scrub(item.DeepClone(), scrub);
                    }
                }

                return a;
            case JsonValue v when v.TryGetValue<string>(out var s):
                return JsonValue.Create(scrub(s));
            default:
                return node;
        }
    }

    protected static string Quote(string? value) => value is null ? "none" : $"'{value}'";

    protected static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}

/// <summary>How a status other than the expected one reads.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StatusReading>))]
public enum StatusReading
{
    /// <summary>Just another status.</summary>
    Other,

    /// <summary>A request that breaks a rule was accepted (2xx or 3xx).</summary>
    NotRefused,

    /// <summary>A server error where a refusal of bad input was due.</summary>
    ServerError,

    /// <summary>A status the contract tolerates in place of the expected one (a deviation).</summary>
    Tolerated,

    /// <summary>A documented link leads nowhere (404, 410, a server error).</summary>
    BrokenLink,
}

/// <summary>Another status than the rule says.</summary>
public sealed record StatusMismatch(int Expected, int Received, StatusReading Reading) : Finding
{
    protected override string ExpectedText => Expected.ToString(CultureInfo.InvariantCulture);

    protected override string ReceivedText => Received.ToString(CultureInfo.InvariantCulture);

    protected override string? Explanation => Reading switch
    {
        StatusReading.NotRefused => "the request was not refused",
        StatusReading.ServerError => "a server error is not a refusal of bad input",
        StatusReading.Tolerated => "tolerated, reported as a deviation",
        StatusReading.BrokenLink => "the documented link is broken",
        _ => null,
    };
}

/// <summary>No response at all: refused connection, timeout, reset, TLS failure, a body cut off.</summary>
public sealed record TransportProblem(string Error, int? ExpectedStatus) : Finding
{
    protected override string ExpectedText => ExpectedStatus?.ToString(CultureInfo.InvariantCulture) ?? "a response";

    protected override string ReceivedText => $"no response ({Error})";
}

/// <summary>A redirect to another origin, which the suite does not follow.</summary>
public sealed record CrossOriginRedirect(int Status, string Location) : Finding
{
    protected override string ExpectedText => "an answer on the origin asked";

    protected override string ReceivedText => $"{Status} redirecting to {Location}, another origin (not followed, so no credential left)";
}

/// <summary>A body that does not validate against its JSON Schema.</summary>
public sealed record SchemaViolationFinding(string Schema, string Pointer, string Violation, string Reason) : Finding
{
    public static SchemaViolationFinding Of(string schema, SchemaViolation v) => new(schema, v.Pointer, v.Kind, v.Reason);

    protected override string ExpectedText => $"the body to validate against {Schema}";

    protected override string ReceivedText => $"at {(Pointer.Length == 0 ? "/" : Pointer)}: {Reason}";
}

/// <summary>A body that should be JSON and is not.</summary>
public sealed record NotJson(string? Detail) : Finding
{
    /// <summary>The body is JSON nested deeper than the suite reads: it judges nothing about the provider.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool PastSuiteBound { get; init; }

    /// <summary>A body the parser refused, and why (<see cref="ProviderJson.Reason(JsonException, byte[])"/>).</summary>
    public static NotJson Of(JsonException ex, byte[]? body) => new(ProviderJson.Reason(ex, body)) { PastSuiteBound = ProviderJson.PastMaxDepth(body) };

    /// <summary>The finding on a body that gave no JSON value (its reason null when it parses, as JSON's null does).</summary>
    public static NotJson Of(byte[]? body) => new(ProviderJson.Reason(body)) { PastSuiteBound = ProviderJson.PastMaxDepth(body) };

    protected override string ExpectedText => "a JSON body";

    protected override string ReceivedText => PastSuiteBound ? $"JSON {Detail}" : "something that is not JSON" + (Detail is null ? "" : $" ({Detail})");
}

/// <summary>A response header missing or with another value.</summary>
public sealed record HeaderMismatch(string Header, string Expected, string? Received) : Finding
{
    protected override string ExpectedText => $"{Header}: {Expected}";

    protected override string ReceivedText => Received is null ? $"no {Header}" : $"'{Received}'";
}

/// <summary>A value in a body other than the rule says (<see cref="At"/>: a JSON pointer, a field, a record).</summary>
public sealed record ValueMismatch(string At, string Expected, string? Received) : Finding
{
    protected override string? Where => At;

    protected override string ExpectedText => Expected;

    protected override string ReceivedText => Received ?? "none";
}

/// <summary>Items that should have been returned and were not.</summary>
/// <param name="Expected">How many should have been.</param>
/// <param name="Missing">How many were left out.</param>
/// <param name="Example">One of them.</param>
/// <param name="Of">What they are (<c>matching items of the unfiltered walk</c>).</param>
public sealed record MissingItems(long Expected, long Missing, string? Example, string Of) : Finding
{
    protected override string ExpectedText => $"all {Expected} {Of}";

    protected override string ReceivedText => $"{Missing} left out" + (Example is null ? "" : $" (e.g. '{Example}')");
}

/// <summary>An item returned that the rule excludes (a filter it does not match).</summary>
public sealed record UnexpectedItem(int Page, string Item, string Expected, string Received) : Finding
{
    protected override string? Where => $"page {Page}, item '{Item}'";

    protected override string ExpectedText => Expected;

    protected override string ReceivedText => Received;
}

/// <summary>Rows or items that should not be there, counted, with one of them.</summary>
public sealed record ExtraItems(long Count, string Expected, string? Example) : Finding
{
    protected override string ExpectedText => Expected;

    protected override string ReceivedText => $"{Count} that do not" + (Example is null ? "" : $", such as '{Example}'");
}

/// <summary>Two neighbours out of the order asked for.</summary>
/// <param name="Position">The 1-based position of the first of the two.</param>
/// <param name="Expected">The order asked for.</param>
/// <param name="Received">The two, as they came.</param>
public sealed record OrderViolation(long Position, string Expected, string Received) : Finding
{
    protected override string? Where => $"records {Position} and {Position + 1} are out of order";

    protected override string ExpectedText => Expected;

    protected override string ReceivedText => Received;
}

/// <summary>How a count compares with what the rule says.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CountRelation>))]
public enum CountRelation
{
    /// <summary>Exactly the expected number.</summary>
    Exactly,

    /// <summary>At most the expected number.</summary>
    AtMost,

    /// <summary>Fewer than the expected number (a narrowing parameter).</summary>
    FewerThan,

    /// <summary>At least one.</summary>
    Some,
}

/// <summary>A number of rows, items or records other than the rule says.</summary>
public sealed record CountMismatch(string Of, CountRelation Relation, long Expected, long Received) : Finding
{
    protected override string ExpectedText => Relation switch
    {
        CountRelation.AtMost => $"at most {Expected} {Of}",
        CountRelation.FewerThan => $"fewer {Of} than the {Expected} without it",
        CountRelation.Some => $"some {Of}",
        _ => $"{Expected} {Of}",
    };

    protected override string ReceivedText => Received.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What a walk over a paginated list broke.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PaginationIssue>))]
public enum PaginationIssue
{
    /// <summary>A page could not be read: the walk broke off.</summary>
    BrokenOff,

    /// <summary>A cursor came back: the walk would go round for ever.</summary>
    Cycle,

    /// <summary>The walk did not end within its page or time bounds.</summary>
    NoEnd,

    /// <summary>The last page has no next member at all (not even null).</summary>
    MissingNext,

    /// <summary>An id on two pages.</summary>
    DuplicateId,

    /// <summary>An empty page before the last.</summary>
    EmptyPage,

    /// <summary>The same cursor gave another page.</summary>
    UnstableCursor,

    /// <summary>The walk by offset and by page give different sequences.</summary>
    WalksDiffer,

    /// <summary>With both offset and page given, offset did not win.</summary>
    OffsetPrecedence,

    /// <summary>The walked count differs from the reported total.</summary>
    TotalMismatch,
}

/// <summary>A pagination invariant broken over a walk.</summary>
public sealed record PaginationProblem(PaginationIssue Issue, int? Page, string Detail) : Finding
{
    protected override string ExpectedText => Issue switch
    {
        PaginationIssue.BrokenOff => "a complete walk",
        PaginationIssue.Cycle => "every cursor to lead forward",
        PaginationIssue.NoEnd => "the walk to end",
        PaginationIssue.MissingNext => "a null next cursor on the last page",
        PaginationIssue.DuplicateId => "each id once",
        PaginationIssue.EmptyPage => "no empty page before the last",
        PaginationIssue.UnstableCursor => "the same page for the same cursor",
        PaginationIssue.WalksDiffer => "the same sequence by offset and by page",
        PaginationIssue.OffsetPrecedence => "the offset to win over the page",
        _ => "the walked count to equal the reported total",
    };

    protected override string ReceivedText => Detail;
}

/// <summary>What is wrong with a CSV's first line or bytes.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CsvHeaderIssue>))]
public enum CsvHeaderIssue
{
    /// <summary>No header line at all.</summary>
    Missing,

    /// <summary>A byte-order mark where none is allowed, or none where one is required.</summary>
    Bom,

    /// <summary>Another delimiter.</summary>
    Delimiter,

    /// <summary>Other column names (missing, extra, renamed).</summary>
    Names,

    /// <summary>The right names in another order.</summary>
    Order,

    /// <summary>Not valid in the spec's encoding.</summary>
    Encoding,
}

/// <summary>A CSV header that breaks its spec.</summary>
/// <param name="Issue">What is wrong.</param>
/// <param name="Expected">What the spec says.</param>
/// <param name="Received">What the file has.</param>
/// <param name="DocFinding">The doc finding that explains the name received, when a doc page shows it.</param>
public sealed record CsvHeaderProblem(CsvHeaderIssue Issue, string Expected, string Received, string? DocFinding) : Finding
{
    protected override string ExpectedText => Expected;

    protected override string ReceivedText => Received;
}

/// <summary>A CSV row, or one of its values, that breaks its rule.</summary>
/// <param name="Row">The 1-based data row.</param>
/// <param name="Line">The 1-based line of the file it starts on, when known (a quoted value may span lines).</param>
/// <param name="Column">The column, or null for the row as a whole (its number of fields).</param>
/// <param name="Value">What the row or the value holds.</param>
/// <param name="Rule">What it should be.</param>
public sealed record CsvRowProblem(long Row, long? Line, string? Column, string Value, string Rule) : Finding
{
    protected override string? Where => $"row {Row}{(Line is null ? "" : $" (line {Line})")}{(Column is null ? "" : ", " + Column)}";

    protected override string ExpectedText => Rule;

    protected override string ReceivedText => $"'{Value}'";
}

/// <summary>What is wrong with an archive.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ArchiveIssue>))]
public enum ArchiveIssue
{
    /// <summary>Not a readable archive.</summary>
    NotAnArchive,

    /// <summary>Another number of entries.</summary>
    EntryCount,

    /// <summary>An entry of another name.</summary>
    EntryName,
}

/// <summary>A zip export that breaks its rules.</summary>
public sealed record ArchiveProblem(ArchiveIssue Issue, string Expected, string Received) : Finding
{
    protected override string ExpectedText => Expected;

    protected override string ReceivedText => Received;
}

/// <summary>A response slower than the latency threshold (or none before the deadline).</summary>
public sealed record SlowResponse(string Request, string Purpose, double DurationMs, double ThresholdSeconds, string? Error) : Finding
{
    protected override string ExpectedText => $"a response within {Number(ThresholdSeconds)} s (latency.warnSeconds)";

    protected override string ReceivedText =>
        $"{Request} ({Purpose}) in {DurationMs.ToString("0", CultureInfo.InvariantCulture)} ms" + (Error is null ? "" : $", and then no response: {Error}");
}

/// <summary>A request answered only after the suite retried a 429 or 503.</summary>
public sealed record RetriedRequest(string Request, string Purpose, int Status, int Retries) : Finding
{
    protected override string ExpectedText => "an answer the first time";

    protected override string ReceivedText => $"{Request} ({Purpose}) answered {Status} only after {Retries} {(Retries == 1 ? "retry" : "retries")}";
}

/// <summary>A credential sent outside its origin.</summary>
public sealed record CredentialExposure(string Origin, IReadOnlyList<string> Credentials, string Url) : Finding
{
    protected override string ExpectedText => $"no credential to leave {Origin}";

    protected override string ReceivedText => $"{string.Join(", ", Credentials)} sent to {Url}";
}

/// <summary>A pact interaction the provider does not honour, with the Pact core's mismatch.</summary>
public sealed record PactMismatch(string Mismatch) : Finding
{
    protected override string ExpectedText => "the response the pact describes";

    protected override string ReceivedText => Mismatch;
}
