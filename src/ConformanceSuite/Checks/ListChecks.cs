using System.Globalization;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using NJsonSchema;

namespace ConformanceSuite.Checks;

/// <summary>Every page of a walk answers the success status and validates against the body schema (items included).</summary>
public sealed class PageItemsSchemaCheck : PerScenarioCheck
{
    public override string Kind => "page-items-schema";

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var endpoint = EndpointOf(run);
        var walk = await run.Context.WalkAsync(run.Element.Key, null, ct);
        if (walk.FailedExchange is { } failed)
        {
            run.Fail($"{walk.EndingDetail}", endpoint.Success.Basis, run.Keep(failed));
        }

        var itemsPointer = endpoint.Pagination!.ItemsPointer + "/";
        foreach (var page in walk.Pages)
        {
            foreach (var v in page.Violations)
            {
                var basis = v.Kind == "PropertyRequired" && v.Pointer.StartsWith(itemsPointer, StringComparison.Ordinal)
                    ? endpoint.Success.ItemRequiredBasis ?? endpoint.Success.Basis
                    : endpoint.Success.Basis;
                run.Fail($"page {page.Number}: expected the body to validate against {endpoint.Success.BodySchema} / {v}", basis, run.Keep(page.Exchange));
            }
        }

        run.Note($"{walk.Pages.Count} pages, {walk.Items.Count} items validated");
        if (endpoint.Success.ItemSchema is { } itemSchema)
        {
            foreach (var line in EnumCoverage.Describe(run.Contract.BodySchemas[itemSchema], walk.Items))
            {
                run.Note(line);
            }
        }
    }
}

/// <summary>Which values of each enum in an item schema a walk observed.</summary>
public static class EnumCoverage
{
    public static IEnumerable<string> Describe(JsonSchema itemSchema, IReadOnlyList<JsonObject> items)
    {
        foreach (var (pointer, values) in SchemaEnums.Find(itemSchema))
        {
            var seen = items.Select(i => JsonPointer.Text(i, pointer)).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var missing = values.Where(v => !seen.Contains(v)).ToList();
            yield return $"enum coverage {pointer}: {values.Count - missing.Count}/{values.Count} observed"
                         + (missing.Count > 0 ? $" (not observed: {string.Join(", ", missing)})" : "");
        }
    }
}

/// <summary>
/// Cursor pagination invariants over a full walk: it ends within bounds, next is null on the last page,
/// no cursor repeats, no id twice, no empty page before the last, and the same cursor gives the same page.
/// </summary>
public sealed class CursorPaginationCheck : PerScenarioCheck
{
    public override string Kind => "cursor-pagination";

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var endpoint = EndpointOf(run);
        var spec = endpoint.Pagination ?? throw new ConfigurationException($"{run.Requirement.Id}: endpoint '{endpoint.Id}' has no pagination");
        var walk = await run.Context.WalkAsync(run.Element.Key, null, ct);
        run.Note($"{walk.Pages.Count} pages, {walk.Items.Count} items, ended: {walk.Ending}");
        switch (walk.Ending)
        {
            case "error":
                run.Fail($"the walk broke off: {walk.EndingDetail}", spec.Basis, run.Keep(walk.FailedExchange!));
                return;
            case "cycle":
                run.Fail($"expected every cursor to lead forward / {walk.EndingDetail}: a cycle", spec.Basis, run.Keep(walk.Pages[^1].Exchange));
                break;
            case "page-limit" or "time-limit":
                run.Fail($"expected the walk to end / it {walk.EndingDetail}", spec.Basis, run.Keep(walk.Pages[^1].Exchange));
                break;
        }

        if (walk.Complete && walk.Pages.Count > 0 && !walk.Pages[^1].NextPresent)
        {
            run.Fail($"expected {spec.NextPointer} on the last page, null / received no {spec.NextPointer} at all", spec.Basis, run.Keep(walk.Pages[^1].Exchange));
        }

        var firstPage = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicates = 0;
        foreach (var page in walk.Pages)
        {
            foreach (var id in page.Ids)
            {
                if (!firstPage.TryAdd(id, page.Number) && ++duplicates <= 5)
                {
                    run.Fail($"expected each id once / '{id}' is on page {firstPage[id]} and again on page {page.Number}", spec.Basis, run.Keep(page.Exchange));
                }
            }
        }

        if (duplicates > 5)
        {
            run.Note($"{duplicates} repeated ids in all; the first 5 are shown");
        }

        foreach (var page in walk.Pages.Take(walk.Pages.Count - 1).Where(p => p.Ids.Count == 0).Take(5))
        {
            run.Fail($"expected no empty page before the last / page {page.Number} of {walk.Pages.Count} is empty", spec.EmptyPageBasis ?? spec.Basis, run.Keep(page.Exchange));
        }

        await SameCursorSamePageAsync(run, walk, endpoint, ct);
    }

    private static string First(IReadOnlyList<string> ids) => ids.Count > 0 ? ids[0] : "none";

    private static async Task SameCursorSamePageAsync(CheckRun run, CursorWalk walk, EndpointSpec endpoint, CancellationToken ct)
    {
        var spec = endpoint.Pagination!;
        var again = walk.Pages.Skip(1).FirstOrDefault(p => p.Cursor is not null);
        if (again is null)
        {
            run.Note("one page only: no cursor to ask for twice");
            return;
        }

        var query = new Dictionary<string, string>(walk.Query) { [spec.CursorParameter] = again.Cursor! };
        var exchange = await run.Context.SendAsync(run.Context.Call(endpoint, query, run.Context.ScenarioPath(run.Element.Key), $"page {again.Number} again, same cursor"), ct);
        var page = CursorWalk.Parse(exchange, spec, run.Contract.BodySchemas[endpoint.Success.BodySchema], endpoint.Success.Status, out _, out var problem);
        if (page is null)
        {
            run.Fail($"the same cursor asked for again: {problem}", spec.Basis, run.Keep(exchange));
            return;
        }

        if (!page.Ids.SequenceEqual(again.Ids, StringComparer.Ordinal) || page.Next != again.Next)
        {
            var basis = spec.StableCursorBasis ?? spec.Basis;
            run.Fail($"expected the same page for the same cursor (page {again.Number}: {again.Ids.Count} items, first '{First(again.Ids)}') / received {page.Ids.Count} items, first '{First(page.Ids)}'",
                basis, run.Keep(exchange));
        }
    }
}

/// <summary>
/// A list filter, for every value it takes: every item on every page matches, and no item of the
/// unfiltered walk that matches is left out. Date bounds are taken from the data (an existing value,
/// so strictness is tested).
/// </summary>
public sealed class ListFilterCheck : ICheck
{
    public string Kind => "list-filter";

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var selected = requirement.Check.SelectedParameters;
        foreach (var p in endpoint.Parameters.Where(p => p.Filter is not null && (selected.Count == 0 || selected.Contains(p.Name))))
        {
            if (p.Filter!.Kind is "equals" or "presence")
            {
                foreach (var value in p.Enum)
                {
                    yield return new CaseElement($"{p.Name}={value}");
                }
            }
            else
            {
                yield return new CaseElement(p.Name);
            }
        }
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var cut = run.Element.Key.IndexOf('=', StringComparison.Ordinal);
        var parameter = endpoint.Parameter(cut < 0 ? run.Element.Key : run.Element.Key[..cut]);
        var filter = parameter.Filter!;
        var all = await run.Context.RequireCompleteWalkAsync(scenario, ct);
        string value;
        if (cut >= 0)
        {
            value = run.Element.Key[(cut + 1)..];
        }
        else
        {
            var dates = all.Items.Select(i => JsonPointer.Text(i, filter.Field)).OfType<string>()
                .Select(t => (Text: t, Ok: DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var d), Date: d))
                .Where(x => x.Ok).OrderBy(x => x.Date).ToList();
            if (dates.Count == 0)
            {
                CheckRun.Skip($"no item of '{scenario}' has a date at {filter.Field} to take a bound from");
            }

            value = dates[dates.Count / 2].Text;
            run.Note($"bound {parameter.Name}={value} (the median {filter.Field} of the unfiltered walk)");
        }

        var matches = Predicate(filter, value);
        var filtered = await run.Context.WalkAsync(scenario, new Dictionary<string, string> { [parameter.Name] = value }, ct);
        if (!filtered.Complete)
        {
            run.Fail($"{parameter.Name}={value}: expected a complete walk / {filtered.EndingDetail ?? filtered.Ending}", parameter.Basis,
                run.Keep(filtered.FailedExchange ?? filtered.Pages[^1].Exchange));
            return;
        }

        var wrong = 0;
        var itemIndex = 0;
        foreach (var page in filtered.Pages)
        {
            for (var i = 0; i < page.Ids.Count; i++, itemIndex++)
            {
                var item = filtered.Items[itemIndex];
                var verdict = matches(item);
                if (verdict == Match.Yes)
                {
                    continue;
                }

                if (++wrong <= 5)
                {
                    var shown = JsonPointer.Read(item, filter.Field)?.ToJsonString() ?? "absent";
                    var basis = verdict == Match.AtBound ? filter.Basis : parameter.Basis;
                    run.Fail($"{parameter.Name}={value}: page {page.Number}, item '{page.Ids[i]}': expected {Describe(filter, value)} / received {filter.Field} = {shown}",
                        basis, run.Keep(page.Exchange));
                }
            }
        }

        if (wrong > 5)
        {
            run.Note($"{wrong} items did not match in all; the first 5 are shown");
        }

        var returned = filtered.Pages.SelectMany(p => p.Ids).ToHashSet(StringComparer.Ordinal);
        var expected = all.Items.Where(i => matches(i) == Match.Yes).Select(i => JsonPointer.Text(i, all.Spec.IdPointer) ?? "").ToList();
        var missing = expected.Where(id => !returned.Contains(id)).ToList();
        if (missing.Count > 0)
        {
            run.Fail($"{parameter.Name}={value}: expected all {expected.Count} matching items of the unfiltered walk / {missing.Count} left out (e.g. '{missing[0]}')",
                parameter.Basis, run.Keep(filtered.Pages[0].Exchange));
        }

        run.Note($"{returned.Count} items over {filtered.Pages.Count} pages; {expected.Count} expected from the unfiltered walk");
    }

    private enum Match
    {
        Yes,
        No,
        AtBound,
    }

    private static Func<JsonObject, Match> Predicate(FilterSpec filter, string value) => filter.Kind switch
    {
        "equals" => item => JsonPointer.Text(item, filter.Field) == value ? Match.Yes : Match.No,
        "presence" => item =>
        {
            var present = JsonPointer.Read(item, filter.Field) is not null;
            return present == (value == "true") ? Match.Yes : Match.No;
        },
        "after" or "before" => item =>
        {
            var bound = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            if (!DateTimeOffset.TryParse(JsonPointer.Text(item, filter.Field), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
            {
                return Match.No;
            }

            var c = at.CompareTo(bound);
            if (c == 0)
            {
                return filter.Strict ? Match.AtBound : Match.Yes;
            }

            return (filter.Kind == "after" ? c > 0 : c < 0) ? Match.Yes : Match.No;
        },
        _ => throw new ConfigurationException($"unknown filter kind '{filter.Kind}'"),
    };

    private static string Describe(FilterSpec filter, string value) => filter.Kind switch
    {
        "equals" => $"{filter.Field} = \"{value}\"",
        "presence" => value == "true" ? $"{filter.Field} present" : $"no {filter.Field}",
        _ => $"{filter.Field} {(filter.Kind == "after" ? ">" : "<")}{(filter.Strict ? "" : "=")} {value}",
    };
}
