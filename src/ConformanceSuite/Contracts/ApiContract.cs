using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ConformanceSuite.Contracts;

/// <summary>One API as the documentation (and the project's assumptions) describe it.</summary>
public sealed record ApiContract
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    public required IReadOnlyDictionary<string, DocSource> Sources { get; init; }

    public IReadOnlyList<Assumption> Assumptions { get; init; } = [];

    public required AuthSpec Auth { get; init; }

    /// <summary>The provider's rate limit, documented or assumed: the default request budget of the walks is one minute of it.</summary>
    public RateLimitSpec? RateLimit { get; init; }

    public required IReadOnlyList<EndpointSpec> Endpoints { get; init; }

    public IReadOnlyDictionary<string, TestDataSlot> TestData { get; init; } = new Dictionary<string, TestDataSlot>();

    public required IReadOnlyDictionary<string, Scenario> Scenarios { get; init; }

    /// <summary>The folder the contract was loaded from; referenced files resolve against it.</summary>
    [JsonIgnore]
    public string Folder { get; init; } = "";

    /// <summary>The requirement catalogue's file name, relative to <see cref="Folder"/>.</summary>
    [JsonPropertyName("requirements")]
    public required string RequirementsFile { get; init; }

    [JsonPropertyName("docFindings")]
    public string? DocFindingsFile { get; init; }

    /// <summary>The requirement catalogue, loaded from <see cref="RequirementsFile"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<Requirement> Requirements { get; init; } = [];

    [JsonIgnore]
    public IReadOnlyList<DocFinding> DocFindings { get; init; } = [];

    /// <summary>Loaded JSON Schemas of response bodies, by file name relative to <see cref="Folder"/>.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, NJsonSchema.JsonSchema> BodySchemas { get; init; } = BodySchemaDictionary.Empty;

    [JsonIgnore]
    public IReadOnlyDictionary<string, CsvSpec> CsvSpecs { get; init; } = new Dictionary<string, CsvSpec>();

    /// <summary>True when a target overlay changed this contract.</summary>
    [JsonIgnore]
    public bool Overridden { get; init; }

    public EndpointSpec Endpoint(string id) =>
        Endpoints.FirstOrDefault(e => e.Id == id) ?? throw new ConfigurationException($"{Id}: no endpoint '{id}'.");

    public Scenario Scenario(string id) =>
        Scenarios.TryGetValue(id, out var s) ? s : throw new ConfigurationException($"{Id}: no scenario '{id}'.");

    public Assumption? FindAssumption(string id) => Assumptions.FirstOrDefault(a => a.Id == id);
}

public sealed record DocSource
{
    public required string Title { get; init; }

    public required string File { get; init; }

    public bool Canonical { get; init; }
}

public sealed record Assumption
{
    public required string Id { get; init; }

    public required string Topic { get; init; }

    public required string Default { get; init; }
}

public sealed record AuthSpec
{
    public required string Scheme { get; init; }

    public required IReadOnlyList<CredentialSpec> Credentials { get; init; }

    public required Rejection Rejection { get; init; }
}

public sealed record CredentialSpec
{
    public required string Name { get; init; }

    public string In { get; init; } = "header";

    /// <summary>An authorization scheme sent before the value (<c>Bearer</c>); null sends the value alone.</summary>
    public string? Scheme { get; init; }

    public string? Description { get; init; }

    public required Basis Basis { get; init; }
}

/// <summary>How a request that breaks a rule must be refused.</summary>
public sealed record Rejection
{
    public required int Status { get; init; }

    public IReadOnlyList<int> Tolerated { get; init; } = [];

    public required Basis Basis { get; init; }
}

public sealed record EndpointSpec
{
    public required string Id { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    public required Basis Basis { get; init; }

    public IReadOnlyDictionary<string, string> RequestHeaders { get; init; } = new Dictionary<string, string>();

    public required IReadOnlyList<ParameterSpec> Parameters { get; init; }

    public required SuccessSpec Success { get; init; }

    public DownloadSpec? Download { get; init; }

    /// <summary>How the endpoint pages its results, when it does.</summary>
    public PaginationSpec? Pagination { get; init; }

    /// <summary>How a request for something that does not exist is answered.</summary>
    public Rejection? NotFound { get; init; }

    /// <summary>Export formats (CSV and such), zip and file name parameters.</summary>
    public ExportsSpec? Exports { get; init; }

    public ParameterSpec Parameter(string name) =>
        Parameters.FirstOrDefault(p => p.Name == name)
        ?? throw new ConfigurationException($"endpoint '{Id}' has no parameter '{name}'.");
}

public sealed record ParameterSpec
{
    public required string Name { get; init; }

    public string In { get; init; } = "query";

    public required string Type { get; init; }

    public required bool Required { get; init; }

    public string? Description { get; init; }

    public required Basis Basis { get; init; }

    public IReadOnlyList<string> InvalidExamples { get; init; } = [];

    public Rejection? Rejection { get; init; }

    /// <summary>The allowed values, for an enum parameter.</summary>
    public IReadOnlyList<string> Enum { get; init; } = [];

    /// <summary>Basis of the enum values, when it differs from the parameter's.</summary>
    public Basis? EnumBasis { get; init; }

    /// <summary>Basis of the parameter's name (an assumption when the docs give none).</summary>
    public Basis? NameBasis { get; init; }

    /// <summary>The documented default, as it would be sent.</summary>
    public string? Default { get; init; }

    public double? Minimum { get; init; }

    public double? Maximum { get; init; }

    /// <summary>A comma-separated list of values.</summary>
    public bool List { get; init; }

    /// <summary>Values the checks try (field selections, sort orders, file names).</summary>
    public IReadOnlyList<string> Examples { get; init; } = [];

    /// <summary>A boolean flag that makes a body member present.</summary>
    public FlagSpec? Controls { get; init; }

    /// <summary>Selects the record fields returned.</summary>
    public SelectsSpec? Selects { get; init; }

    public SortSpec? Sort { get; init; }

    /// <summary>What the parameter does to the items of a list, when it filters them.</summary>
    public FilterSpec? Filter { get; init; }
}

/// <summary>
/// What a parameter does to the items of a list, one record type per kind (the <c>kind</c> member in the
/// contract): a contract naming a kind that does not exist, or leaving out what its kind needs, fails to load
/// with the file, the pointer and the reason.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(EqualsFilter), "equals")]
[JsonDerivedType(typeof(PresenceFilter), "presence")]
[JsonDerivedType(typeof(InFilter), "in")]
[JsonDerivedType(typeof(AtLeastFilter), "at-least")]
[JsonDerivedType(typeof(ContainsFilter), "contains")]
[JsonDerivedType(typeof(AfterFilter), "after")]
[JsonDerivedType(typeof(BeforeFilter), "before")]
[JsonDerivedType(typeof(DateRangeFilter), "date-range")]
public abstract record FilterSpec
{
    private static readonly Dictionary<Type, string> Kinds = typeof(FilterSpec).GetCustomAttributes(typeof(JsonDerivedTypeAttribute), false)
        .Cast<JsonDerivedTypeAttribute>().ToDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    /// <summary>The kind's name in the contract (<c>equals</c>, <c>date-range</c>, …).</summary>
    [JsonIgnore]
    public string Kind => Kinds[GetType()];

    /// <summary>Where the suite takes values to try from, for a filter without an enum (default: the filtered field).</summary>
    public string? Sample { get; init; }

    public required Basis Basis { get; init; }
}

/// <summary>A filter on one field of an item.</summary>
public abstract record FieldFilter : FilterSpec
{
    /// <summary>JSON pointer of the field within an item.</summary>
    public required string Field { get; init; }
}

/// <summary>The item's field equals the value.</summary>
public sealed record EqualsFilter : FieldFilter;

/// <summary>true: the field is present and not null; false: absent or null.</summary>
public sealed record PresenceFilter : FieldFilter;

/// <summary>The item's field is one of a comma-separated list of values.</summary>
public sealed record InFilter : FieldFilter;

/// <summary>The item's number is at least the value.</summary>
public sealed record AtLeastFilter : FieldFilter;

/// <summary>A date-time bound on the field.</summary>
public abstract record DateBoundFilter : FieldFilter
{
    /// <summary>True excludes an item exactly at the bound.</summary>
    public bool Strict { get; init; }
}

/// <summary>The item's date-time is after the value.</summary>
public sealed record AfterFilter : DateBoundFilter;

/// <summary>The item's date-time is before the value.</summary>
public sealed record BeforeFilter : DateBoundFilter;

/// <summary>The value is found (case-insensitively) in one of several fields.</summary>
public sealed record ContainsFilter : FilterSpec
{
    /// <summary>The fields searched.</summary>
    public required IReadOnlyList<string> Fields { get; init; }
}

/// <summary>A selector parameter: its value names the item field that two other parameters bound, inclusively.</summary>
public sealed record DateRangeFilter : FilterSpec
{
    /// <summary>The parameters that carry the range.</summary>
    public required string StartParameter { get; init; }

    public required string EndParameter { get; init; }

    /// <summary>The selector's values and the item field each one names.</summary>
    public required IReadOnlyDictionary<string, string> RangeFields { get; init; }

    /// <summary>Basis of "one bound given alone bounds its own side only" (default: the filter's basis).</summary>
    public Basis? OneBoundBasis { get; init; }
}

/// <summary>
/// How an endpoint pages its results, one record type per style (the <c>style</c> member in the contract):
/// where the items and ids are, and the bounds of a walk.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "style")]
[JsonDerivedType(typeof(CursorPagination), "cursor")]
[JsonDerivedType(typeof(OffsetPagination), "offset")]
public abstract record PaginationSpec
{
    /// <summary>The style's name in the contract (<c>cursor</c> or <c>offset</c>).</summary>
    [JsonIgnore]
    public string Style => this is CursorPagination ? "cursor" : "offset";

    public required string ItemsPointer { get; init; }

    public required string IdPointer { get; init; }

    /// <summary>A walk stops as a failure past this many pages.</summary>
    public int MaxPages { get; init; } = 100;

    /// <summary>A walk stops as a failure past this many seconds.</summary>
    public double MaxSeconds { get; init; } = 120;

    /// <summary>A walk keeps at most this many items for the filter and get-by-id checks.</summary>
    public int MaxItems { get; init; } = 20_000;

    /// <summary>More empty pages than this in a row, each with a next cursor, and the list is taken as endless.</summary>
    public int MaxEmptyPages { get; init; } = 3;

    public required Basis Basis { get; init; }

    /// <summary>Basis of "a page may be empty only when it is the last".</summary>
    public Basis? EmptyPageBasis { get; init; }
}

/// <summary>Each page names the cursor of the next one.</summary>
public sealed record CursorPagination : PaginationSpec
{
    /// <summary>The query parameter that carries the cursor.</summary>
    public required string CursorParameter { get; init; }

    /// <summary>Where in the body the next cursor is (null on the last page).</summary>
    public required string NextPointer { get; init; }

    /// <summary>Basis of "the same cursor twice gives the same page".</summary>
    public Basis? StableCursorBasis { get; init; }
}

/// <summary>Pages by offset (and, where the API has one, by page number), a limit at a time, with a total.</summary>
public sealed record OffsetPagination : PaginationSpec
{
    public required string OffsetParameter { get; init; }

    public required string LimitParameter { get; init; }

    /// <summary>The page-number parameter, when the API has one.</summary>
    public string? PageParameter { get; init; }

    /// <summary>Where in the body the total is, when the body reports one.</summary>
    public string? TotalPointer { get; init; }

    /// <summary>Basis of "the total of a filtered list counts the records the filters select, not the whole list" (else <see cref="PaginationSpec.Basis"/>).</summary>
    public Basis? FilteredTotalBasis { get; init; }

    /// <summary>The number of the first page (1 when pages count from one).</summary>
    public int PageBase { get; init; } = 1;

    /// <summary>The page size offset and page walks ask for (one that does not divide the total tests a short last page).</summary>
    public int WalkPageSize { get; init; } = 7;
}

public sealed record SuccessSpec
{
    public required int Status { get; init; }

    public required string ContentType { get; init; }

    public Basis? ContentTypeBasis { get; init; }

    public required string BodySchema { get; init; }

    /// <summary>For a list: the schema of one item (enum coverage is read from it).</summary>
    public string? ItemSchema { get; init; }

    /// <summary>Basis of the item schema's required fields, when that is not the body's basis (an assumption, say).</summary>
    public Basis? ItemRequiredBasis { get; init; }

    /// <summary>
    /// For a body of one listed item: the members the list shows that it may leave out (the docs' own example does),
    /// each a top-level member's name, or <c>member/child</c> for a member of a top-level object member.
    /// </summary>
    public IReadOnlyList<string> MayLeaveOut { get; init; } = [];

    /// <summary>The top-level members of <see cref="MayLeaveOut"/>.</summary>
    public IEnumerable<string> MayLeaveOutMembers => MayLeaveOut.Where(m => !m.Contains('/', StringComparison.Ordinal));

    /// <summary>The members of top-level object members in <see cref="MayLeaveOut"/> (<c>member/child</c>), as (member, child).</summary>
    public IEnumerable<(string Member, string Child)> MayLeaveOutWithin =>
        MayLeaveOut.Select(m => m.Split('/', 2)).Where(p => p.Length == 2).Select(p => (p[0], p[1]));

    public required Basis Basis { get; init; }
}

public sealed record DownloadSpec
{
    /// <summary>JSON pointer of the link in the success body.</summary>
    public required string LinkPointer { get; init; }

    public Basis? LinkBasis { get; init; }

    /// <summary><c>none</c>: the link must work without credentials.</summary>
    public required string Credentials { get; init; }

    public Basis? CredentialsBasis { get; init; }

    public required string CsvSpec { get; init; }

    public required Basis Basis { get; init; }
}

public sealed record TestDataSlot
{
    public required string Description { get; init; }

    public string? Parameter { get; init; }

    /// <summary><c>uuid</c>: when the target gives no value, the suite makes a fresh random one.</summary>
    public string? Generate { get; init; }
}

/// <summary>A named, valid request: the query values may reference test-data slots as <c>{slot}</c>.</summary>
public sealed record Scenario
{
    public required string Endpoint { get; init; }

    public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();

    /// <summary>Values of the endpoint's path parameters (<c>{name}</c> in its path).</summary>
    public IReadOnlyDictionary<string, string> Path { get; init; } = new Dictionary<string, string>();

    /// <summary>The test-data slots this scenario needs.</summary>
    public IEnumerable<string> Slots() =>
        Query.Values.Concat(Path.Values).Where(v => v.Length > 2 && v[0] == '{' && v[^1] == '}').Select(v => v[1..^1]);
}

public sealed record Requirement
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    public required RequirementLevel Level { get; init; }

    public required string Category { get; init; }

    public required Basis Source { get; init; }

    public IReadOnlyList<string> Assumptions { get; init; } = [];

    public string? Waived { get; init; }

    public CheckBinding? Check { get; init; }

    /// <summary>The API the requirement belongs to (set at load time).</summary>
    public string Api { get; init; } = "";

    /// <summary>True when a verdict on this requirement rests (wholly or partly) on an assumption.</summary>
    public bool RestsOnAssumption => Source.IsAssumption || Assumptions.Count > 0;

    public bool IsShould => Level == RequirementLevel.Should;
}

/// <summary>How binding a requirement is (RFC 2119): a broken MUST on a documented rule fails; a broken SHOULD deviates.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RequirementLevel>))]
public enum RequirementLevel
{
    [JsonStringEnumMemberName("MUST")]
    Must,

    [JsonStringEnumMemberName("SHOULD")]
    Should,
}

public sealed record CheckBinding
{
    public required string Kind { get; init; }

    public required IReadOnlyList<string> Scenarios { get; init; }

    public string? Parameter { get; init; }

    /// <summary>Several parameters, for checks that expand over a chosen set.</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];

    public string? Baseline { get; init; }

    /// <summary>The parameter names this binding selects (<see cref="Parameter"/> and <see cref="Parameters"/>); empty means all.</summary>
    public IReadOnlyList<string> SelectedParameters => Parameter is null ? Parameters : [Parameter, .. Parameters];
}

public sealed record DocFinding
{
    public required string Id { get; init; }

    public required string Summary { get; init; }

    public IReadOnlyList<string> Sources { get; init; } = [];

    public required string Resolution { get; init; }

    public IReadOnlyList<string> Affects { get; init; } = [];
}

public sealed record CsvSpec
{
    public required string Id { get; init; }

    public required string Encoding { get; init; }

    /// <summary><c>forbidden</c> or <c>required</c>.</summary>
    public required string Bom { get; init; }

    public required string Delimiter { get; init; }

    public required Basis Basis { get; init; }

    public Basis? OrderBasis { get; init; }

    public required IReadOnlyList<CsvColumn> Columns { get; init; }

    public required CsvEmptyRule Empty { get; init; }

    public bool BomRequired => Bom == "required";
}

public sealed record CsvColumn
{
    public required string Name { get; init; }

    public required Basis Basis { get; init; }

    public IReadOnlyList<NameSeenInDocs> NamesSeenInDocs { get; init; } = [];

    public CsvRule? Rule { get; init; }
}

public sealed record NameSeenInDocs
{
    public required string Name { get; init; }

    public required string Finding { get; init; }
}

public sealed record CsvRule
{
    public required string Kind { get; init; }

    public string? Pattern { get; init; }

    public required string Describe { get; init; }

    public required Basis Basis { get; init; }
}

public sealed record CsvEmptyRule
{
    public required string Rule { get; init; }

    public required Basis Basis { get; init; }
}

/// <summary>The raw JSON of a contract, before binding, for overlays.</summary>
public sealed record ContractDocument(string File, JsonObject Json);

public sealed record FlagSpec
{
    public required string Member { get; init; }

    public required Basis Basis { get; init; }
}

public sealed record SelectsSpec
{
    public required Basis Basis { get; init; }
}

/// <summary>A sort parameter: the sort keys (name to item field) and the direction prefixes.</summary>
public sealed record SortSpec
{
    public required IReadOnlyDictionary<string, string> Fields { get; init; }

    public string AscPrefix { get; init; } = "+";

    public string DescPrefix { get; init; } = "-";

    public required Basis Basis { get; init; }

    /// <summary>Basis of "text keys sort in ordinal order, case counting" (default: the sort's basis).</summary>
    public Basis? TextOrderBasis { get; init; }
}

public sealed record ExportsSpec
{
    public required string FormatParameter { get; init; }

    public string? ZipParameter { get; init; }

    public string? FilenameParameter { get; init; }

    public string? FieldsParameter { get; init; }

    public required string DefaultFilename { get; init; }

    public required IReadOnlyDictionary<string, ExportFormat> Formats { get; init; }

    public ZipSpec? Zip { get; init; }

    public BasisOnly? ContentDisposition { get; init; }
}

public sealed record ExportFormat
{
    public required string Extension { get; init; }

    public required string ContentType { get; init; }

    public string? CsvSpec { get; init; }

    public required Basis Basis { get; init; }

    /// <summary>Where <see cref="ContentType"/> comes from: <see cref="Basis"/> unless the contract says otherwise.</summary>
    public Basis? ContentTypeBasis { get; init; }

    /// <summary>Where the rule that each value is written as the JSON listing writes it comes from: <see cref="Basis"/> unless the contract says otherwise.</summary>
    public Basis? ValuesBasis { get; init; }
}

public sealed record ZipSpec
{
    public required string ContentType { get; init; }

    /// <summary>The extension of the archive's download name (<c>&lt;filename&gt;.zip</c>).</summary>
    public string Extension { get; init; } = "zip";

    public required Basis Basis { get; init; }
}

public sealed record BasisOnly
{
    public required Basis Basis { get; init; }
}

/// <summary>A provider's rate limit, with where it comes from.</summary>
public sealed record RateLimitSpec
{
    public required int RequestsPerMinute { get; init; }

    public required Basis Basis { get; init; }
}
