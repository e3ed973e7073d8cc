using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.Checks;

/// <summary>
/// A request for something that does not exist gets the endpoint's not-found status; what does exist (an id the
/// list shows) is found first, so the not-found status is seen to tell the two apart.
/// </summary>
public sealed class NotFoundCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "not-found";

    public override string Kind => KindName;

    public override IReadOnlyList<Precondition> Preconditions => [Precondition.KnownId];

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var endpoint = EndpointOf(run);
        var rejection = endpoint.NotFound ?? throw new ConfigurationException($"{run.Requirement.Id}: endpoint '{endpoint.Id}' has no notFound status");
        var path = run.Context.Values.Path(run.Element.Name);
        // A provider that answers 404 to every id answers it to an unknown one too: the 404 proves something only
        // beside a 200 for an id that exists.
        var (name, known, _) = await run.Require.KnownIdAsync(endpoint, ct);
        run.Note($"{name}={known}, listed, answered {endpoint.Success.Status} first");
        var call = run.Context.Requests.Call(endpoint, run.Context.Values.Query(run.Element.Name), path, "something that does not exist");
        var exchange = await run.Context.Http.SendAsync(call, ct);
        Expect.Rejected(run, exchange, rejection, run.Requirement.Source, $"unknown {string.Join(", ", path.Select(kv => $"{kv.Key}={kv.Value}"))}");
    }
}

/// <summary>
/// Every item of a list walk is returned by the endpoint that takes its id: the success status, a body
/// valid against that endpoint's schema, the same id, the same value for every field both carry, and every field the
/// list shows with a value (but those the endpoint may leave out).
/// </summary>
public sealed class GetByIdCheck : ICheck
{
    private const int Shown = 5;

    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "get-by-id";

    public string Kind => KindName;

    public BindingNeeds Needs => BindingNeeds.Scenario | BindingNeeds.Parameter;

    public IReadOnlyList<Precondition> Preconditions { get; } = [Precondition.CompleteWalk];

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) =>
        [new CaseElement(requirement.Check!.Parameter!)];

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var name = run.Element.Name;
        var get = run.Contract.Endpoints.FirstOrDefault(e => e.Parameters.Any(p => p.In == "path" && p.Name == name))
            ?? throw new ConfigurationException($"{run.Requirement.Id}: no endpoint has a path parameter '{name}'");
        var walk = await run.Require.CompleteWalkAsync(scenario, ct);
        var idPointer = walk.Spec.IdPointer;
        var schema = run.Contract.BodySchemas[get.Success.BodySchema];
        var sameValuesBasis = run.LastAssumptionOr(get.Basis);
        // The walk keeps member names as hashes: a member the fetch leaves out is named when the schema names it.
        var names = schema.ActualSchema.ActualProperties.Keys.ToDictionary(WalkItem.TextHash, n => n);
        // The top-level members the get may leave out (a member of one is left out of both bodies' hashes of it: WalkProjection).
        var mayLeaveOut = get.Success.MayLeaveOutMembers.Select(WalkItem.TextHash).ToList();
        var problems = 0;
        var checkedIds = new HashSet<string>(StringComparer.Ordinal);
        var cut = 0;
        string? validatedInPart = null;
        string? unaddressable = null;
        foreach (var item in walk.Items)
        {
            var id = item.Id;
            if (string.IsNullOrEmpty(id) || checkedIds.Contains(id))
            {
                continue;
            }

            if (RequestBuilder.IsDotSegment(id))
            {
                // Asked for, it would be another path's answer, judged as this item's.
                unaddressable ??= id;
                continue;
            }

            if (!run.Context.Probes.Budget.TrySpend())
            {
                run.CheckedInPart($"{checkedIds.Count} of {walk.Items.Count} walked items fetched: the request budget ({run.Context.Probes.Budget.Limit}) is spent", run.Context.Probes.Budget.Setting);
                break;
            }

            checkedIds.Add(id);

            var exchange = await run.Context.Http.SendAsync(
                run.Context.Requests.Call(get, new Dictionary<string, string>(), new Dictionary<string, string> { [name] = id }, $"get {id}"), ct);
            var subject = $"{name}={id} (listed)";
            if (exchange.Status != get.Success.Status || exchange.Error is not null)
            {
                Report(run, ref problems, subject, Finding.OfResponse(get.Success.Status, exchange), get.Basis, exchange);
                continue;
            }

            JsonNode? body;
            try
            {
                body = ProviderJson.Parse(exchange.Body);
            }
            catch (JsonException ex)
            {
                Report(run, ref problems, subject, NotJson.Of(ex, exchange.Body), get.Success.Basis, exchange);
                continue;
            }

            var violations = SchemaValidator.Validate(schema, exchange.BodyText, out var inPart, run.Context.Http.Settings.PatternTimeout);
            validatedInPart ??= inPart is null ? null : $"{subject}: {inPart}";
            foreach (var v in violations)
            {
                var basis = v.Kind == "PropertyRequired" ? get.Success.ItemRequiredBasis ?? get.Success.Basis : get.Success.Basis;
                Report(run, ref problems, subject, SchemaViolationFinding.Of(get.Success.BodySchema, v), basis, exchange);
            }

            if (JsonPointer.Text(body, idPointer) != id)
            {
                Report(run, ref problems, subject, new ValueMismatch(idPointer, $"the same id, '{id}'", JsonPointer.Text(body, idPointer) is { } other ? $"'{other}'" : null), get.Basis, exchange);
                continue;
            }

            if (body is JsonObject obj)
            {
                // Each member the fetch and the list both have (the list's first WalkItem.MaxFields) must hold the same value.
                cut += item.FieldsNotKept > 0 ? 1 : 0;
                foreach (var (field, got) in obj)
                {
                    if (item.TryField(field, out var listed) && item.Projection.HashOfMember(field, got) != listed)
                    {
                        var at = JsonPointer.Member(field);
                        var shown = item.TryText(at, out var text) ? text ?? "null" : "another value (the walk keeps its hash)";
                        Report(run, ref problems, subject, new ValueMismatch(at, $"what the list showed, {shown}", JsonPointer.Show(got, "null")), sameValuesBasis, exchange);
                    }
                }

                // A member the list showed with a value and the fetch leaves out: not the session the list showed. (One
                // shown as null and left out is the same absent value; one the fetch adds, more than a summary showed.)
                var fetched = obj.Select(m => WalkItem.TextHash(m.Key)).Concat(mayLeaveOut).ToHashSet();
                foreach (var (nameHash, valueHash) in item.Fields)
                {
                    if (valueHash != NullHash && !fetched.Contains(nameHash))
                    {
                        var at = names.TryGetValue(nameHash, out var member) ? JsonPointer.Member(member) : "a member of the listed item (the walk keeps a hash of its name, not the name)";
                        var shown = member is not null && item.TryText(at, out var text) ? text ?? "null" : "a value";
                        Report(run, ref problems, subject, new ValueMismatch(at, $"what the list showed, {shown}", null), sameValuesBasis, exchange);
                    }
                }
            }
        }

        if (checkedIds.Count == 0)
        {
            // Nothing fetched, nothing checked: an empty list, ids no URL can carry, or the budget spent before the first.
            CheckRun.Skip(walk.Items.Count == 0 ? $"scenario '{scenario}' lists no item to fetch"
                : run.Partial ?? (unaddressable is not null ? DotSegmentNote(name, unaddressable, get) : $"no listed item has an id at {idPointer} to fetch"),
                run.PartialSetting);
        }

        if (problems > Shown)
        {
            run.Note($"{problems} problems in all; the first {Shown} are shown");
        }

        run.Note($"{checkedIds.Count} listed ids fetched one by one");
        if (cut > 0)
        {
            run.Note($"{cut} of them had more than {WalkItem.MaxFields} top-level members in the list: their first {WalkItem.MaxFields} were compared with the fetch, the rest not");
        }

        if (unaddressable is not null)
        {
            run.CheckedInPart(DotSegmentNote(name, unaddressable, get));
        }

        if (validatedInPart is not null)
        {
            // Beside what the budget may have cut already: both are said.
            run.CheckedInPart(validatedInPart);
        }
    }

    private static readonly ulong NullHash = WalkItem.HashOf((JsonNode?)null);

    private static string DotSegmentNote(string name, string id, EndpointSpec get) =>
        $"{name}={id} (listed) not fetched: '{id}' is a dot segment, which no URL can carry as the {{{name}}} of {get.Path}";

    private static void Report(CheckRun run, ref int problems, string subject, Finding finding, Basis basis, Http.HttpExchange exchange)
    {
        if (++problems <= Shown)
        {
            run.Fail(subject, finding, basis, run.Keep(exchange));
        }
    }

}
