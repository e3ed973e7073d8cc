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
            run.Fail(walk.Failure!, endpoint.Success.Basis, run.Keep(failed));
        }

        var itemsPointer = endpoint.Pagination!.ItemsPointer + "/";
        foreach (var page in walk.Pages)
        {
            foreach (var v in page.Violations)
            {
                var basis = v.Kind == "PropertyRequired" && v.Pointer.StartsWith(itemsPointer, StringComparison.Ordinal)
                    ? endpoint.Success.ItemRequiredBasis ?? endpoint.Success.Basis
                    : endpoint.Success.Basis;
                run.Fail($"page {page.Number}", SchemaViolationFinding.Of(endpoint.Success.BodySchema, v), basis, run.Keep(page.Exchange));
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
            case WalkEnding.Error:
                run.Fail(walk.Failure!, spec.Basis, run.Keep(walk.FailedExchange!));
                return;
            case WalkEnding.Cycle:
                run.Fail(new PaginationProblem(PaginationIssue.Cycle, walk.Pages.Count, walk.EndingDetail!), spec.Basis, run.Keep(walk.Pages[^1].Exchange));
                break;
            case WalkEnding.PageLimit or WalkEnding.TimeLimit:
                run.Fail(new PaginationProblem(PaginationIssue.NoEnd, walk.Pages.Count, walk.EndingDetail!), spec.Basis, run.Keep(walk.Pages[^1].Exchange));
                break;
        }

        if (walk.Complete && walk.Pages.Count > 0 && !walk.Pages[^1].NextPresent)
        {
            run.Fail(new PaginationProblem(PaginationIssue.MissingNext, walk.Pages.Count, $"no {spec.NextPointer} at all"), spec.Basis, run.Keep(walk.Pages[^1].Exchange));
        }

        var firstPage = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicates = 0;
        foreach (var page in walk.Pages)
        {
            foreach (var id in page.Ids)
            {
                if (!firstPage.TryAdd(id, page.Number) && ++duplicates <= 5)
                {
                    run.Fail(new PaginationProblem(PaginationIssue.DuplicateId, page.Number, $"'{id}' on page {firstPage[id]} and again on page {page.Number}"), spec.Basis, run.Keep(page.Exchange));
                }
            }
        }

        if (duplicates > 5)
        {
            run.Note($"{duplicates} repeated ids in all; the first 5 are shown");
        }

        foreach (var page in walk.Pages.Take(walk.Pages.Count - 1).Where(p => p.Ids.Count == 0).Take(5))
        {
            run.Fail(new PaginationProblem(PaginationIssue.EmptyPage, page.Number, $"page {page.Number} of {walk.Pages.Count} empty"), spec.EmptyPageBasis ?? spec.Basis, run.Keep(page.Exchange));
        }

        await SameCursorSamePageAsync(run, walk, endpoint, ct);
    }

    private static string First(IReadOnlyList<string> ids) => ids.Count > 0 ? ids[0] : "none";

    private static async Task SameCursorSamePageAsync(CheckRun run, ListWalk walk, EndpointSpec endpoint, CancellationToken ct)
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
        var page = ListWalk.Parse(exchange, spec, run.Contract.BodySchemas[endpoint.Success.BodySchema], endpoint.Success.Status, out _, out var problem);

        if (page is null)
        {
            run.Fail($"page {again.Number} asked for again, same cursor", problem!, spec.Basis, run.Keep(exchange));
            return;
        }

        if (!page.Ids.SequenceEqual(again.Ids, StringComparer.Ordinal) || page.Next != again.Next)
        {
            var basis = spec.StableCursorBasis ?? spec.Basis;
            run.Fail(new PaginationProblem(PaginationIssue.UnstableCursor, again.Number,
                $"{page.Ids.Count} items, first '{First(page.Ids)}', where page {again.Number} had {again.Ids.Count}, first '{First(again.Ids)}'"), basis, run.Keep(exchange));
        }
    }
}

/// <summary>
/// A list filter, for every value it takes: every item on every page matches, and no item of the
/// unfiltered walk that matches is left out. Values come from the parameter's enum or, for filters
/// without one, from the data itself (the median item), so bounds are existing values and strictness
/// or inclusiveness is really tested.
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
            var filter = p.Filter!;
            if (filter.Kind == "date-range")
            {
                foreach (var value in filter.RangeFields.Keys)
                {
                    yield return new CaseElement($"{p.Name}={value}");
                }
            }
            else if (filter.Kind is "equals" or "presence" or "in" && p.Enum.Count > 0)
            {
                foreach (var value in p.Enum)
                {
                    yield return new CaseElement($"{p.Name}={value}");
                }

                if (filter.Kind == "in" && p.Enum.Count > 1)
                {
                    yield return new CaseElement($"{p.Name}={p.Enum[0]},{p.Enum[1]}");
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
        var (name, given) = run.Element.Split();
        var parameter = endpoint.Parameter(name);
        var filter = parameter.Filter!;
        var all = await run.Context.RequireCompleteWalkAsync(scenario, ct);
        var value = given ?? Sample(run, filter, all, parameter);
        var (query, test, describe) = Build(parameter, filter, value, all);
        run.Note($"asked: {string.Join("&", query.Select(kv => $"{kv.Key}={kv.Value}"))}");

        var filtered = await run.Context.WalkAsync(scenario, query, ct);
        var shown = string.Join("&", query.Select(kv => $"{kv.Key}={kv.Value}"));
        if (!filtered.Complete)
        {
            run.Fail(shown, new PaginationProblem(PaginationIssue.BrokenOff, filtered.Pages.Count, filtered.EndingDetail ?? ListWalk.Describe(filtered.Ending)), parameter.Basis,
                run.Keep(filtered.FailedExchange ?? filtered.Pages[^1].Exchange));
            return;
        }

        var wrong = 0;
        var itemIndex = 0;
        foreach (var page in filtered.Pages)
        {
            for (var i = 0; i < page.Ids.Count && itemIndex < filtered.Items.Count; i++, itemIndex++)
            {
                var (matches, atBound) = test(filtered.Items[itemIndex]);
                if (!matches && ++wrong <= 5)
                {
                    var item = filtered.Items[itemIndex];
                    var got = string.Join(", ", (filter.Fields.Count > 0 ? filter.Fields : [FieldOf(filter, value)])
                        .Select(f => $"{f} = {JsonPointer.Show(JsonPointer.Read(item, f))}"));
                    run.Fail(shown, new UnexpectedItem(page.Number, page.Ids[i], describe, got), atBound ? filter.Basis : parameter.Basis, run.Keep(page.Exchange));
                }
            }
        }

        if (wrong > 5)
        {
            run.Note($"{wrong} items did not match in all; the first 5 are shown");
        }

        var returned = filtered.Pages.SelectMany(p => p.Ids).ToHashSet(StringComparer.Ordinal);
        var expected = all.Items.Where(i => test(i).Matches).ToList();
        var missing = expected.Where(i => !returned.Contains(JsonPointer.Text(i, all.Spec.IdPointer) ?? "")).ToList();
        if (missing.Count > 0)
        {
            var basis = missing.All(i => test(i).AtBound) ? filter.Basis : parameter.Basis;
            run.Fail(shown, new MissingItems(expected.Count, missing.Count, JsonPointer.Text(missing[0], all.Spec.IdPointer), "matching items of the unfiltered walk"),
                basis, run.Keep(filtered.Pages[0].Exchange));
        }

        run.Note($"{returned.Count} items over {filtered.Pages.Count} pages; {expected.Count} expected from the unfiltered walk");
    }

    /// <summary>A value to filter by, taken from the data (the median item), when the parameter has no enum.</summary>
    private static string Sample(CheckRun run, FilterSpec filter, ListWalk all, ParameterSpec parameter)
    {
        var pointer = filter.Sample ?? filter.Field;
        var values = all.Items.Select(i => JsonPointer.Text(i, pointer)).OfType<string>().ToList();
        if (values.Count == 0)
        {
            CheckRun.Skip($"no item of the unfiltered walk has a value at {pointer} to filter {parameter.Name} by");
        }

        if (filter.Kind is "after" or "before" or "at-least")
        {
            values = filter.Kind == "at-least"
                ? [.. values.OrderBy(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0)]
                : [.. values.OrderBy(v => IsoDates.Parse(v) ?? default)];
        }

        var value = values[values.Count / 2];
        if (filter.Kind == "contains" && value.Length > 3)
        {
            value = value[1..^1]; // a true substring, not the whole value
        }

        run.Note($"value {parameter.Name}={value}, taken from {pointer} of the median item of the unfiltered walk");
        return value;
    }

    private static string FieldOf(FilterSpec filter, string value) =>
        filter.Kind == "date-range" && filter.RangeFields.TryGetValue(value, out var f) ? f : filter.Field;

    private delegate (bool Matches, bool AtBound) Test(JsonObject item);

    private static (Dictionary<string, string> Query, Test Test, string Describe) Build(ParameterSpec p, FilterSpec filter, string value, ListWalk all)
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal) { [p.Name] = value };
        switch (filter.Kind)
        {
            case "equals":
                return (query, item => (JsonPointer.Text(item, filter.Field) == value, false), $"{filter.Field} = {value}");
            case "presence":
                return (query, item => ((JsonPointer.Read(item, filter.Field) is not null) == (value == "true"), false),
                    value == "true" ? $"{filter.Field} present" : $"no {filter.Field}");
            case "in":
                var set = value.Split(',').ToHashSet(StringComparer.Ordinal);
                return (query, item => (JsonPointer.Text(item, filter.Field) is { } v && set.Contains(v), false), $"{filter.Field} in [{value}]");
            case "at-least":
                var min = double.Parse(value, CultureInfo.InvariantCulture);
                return (query, item => (double.TryParse(JsonPointer.Text(item, filter.Field), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= min, false),
                    $"{filter.Field} >= {value}");
            case "contains":
                return (query, item => (filter.Fields.Any(f => JsonPointer.Text(item, f)?.Contains(value, StringComparison.OrdinalIgnoreCase) == true), false),
                    $"'{value}' in {string.Join(" or ", filter.Fields)}");
            case "after" or "before":
                var bound = Date(value)!.Value;
                return (query, item =>
                {
                    if (Date(JsonPointer.Text(item, filter.Field)) is not { } at)
                    {
                        return (false, false);
                    }

                    var c = at.CompareTo(bound);
                    return c == 0 ? (!filter.Strict, true) : ((filter.Kind == "after" ? c > 0 : c < 0), false);
                }, $"{filter.Field} {(filter.Kind == "after" ? ">" : "<")}{(filter.Strict ? "" : "=")} {value}");
            case "date-range":
                var field = FieldOf(filter, value);
                var dates = all.Items.Select(i => (Text: JsonPointer.Text(i, field), Date: Date(JsonPointer.Text(i, field))))
                    .Where(x => x.Date is not null).OrderBy(x => x.Date).ToList();
                if (dates.Count == 0)
                {
                    CheckRun.Skip($"no item of the unfiltered walk has a date at {field}");
                }

                var (start, end) = (dates[dates.Count / 4], dates[dates.Count * 3 / 4]);
                query[filter.StartParameter!] = start.Text!;
                query[filter.EndParameter!] = end.Text!;
                return (query, item =>
                {
                    if (Date(JsonPointer.Text(item, field)) is not { } at)
                    {
                        return (false, false);
                    }

                    var edge = at == start.Date || at == end.Date;
                    return (at >= start.Date && at <= end.Date, edge);
                }, $"{start.Text} <= {field} <= {end.Text}");
            default:
                throw new ConfigurationException($"unknown filter kind '{filter.Kind}'");
        }
    }

    private static DateTimeOffset? Date(string? text) => IsoDates.Parse(text);
}
