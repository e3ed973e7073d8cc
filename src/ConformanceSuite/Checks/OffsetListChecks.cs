using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>Helpers for checks that make one call of a scenario with a few query changes and read its body.</summary>
internal static class OneCall
{
    public static async Task<(HttpExchange Exchange, JsonNode? Body)> SendAsync(CheckRun run, string scenario, IReadOnlyDictionary<string, string?> changes, string purpose, CancellationToken ct)
    {
        var query = run.Context.ScenarioQuery(scenario);
        foreach (var (k, v) in changes)
        {
            if (v is null)
            {
                query.Remove(k);
            }
            else
            {
                query[k] = v;
            }
        }

        var exchange = await run.Context.SendAsync(run.Context.Call(scenario, query, purpose), ct);
        JsonNode? body = null;
        if (exchange.IsSuccess)
        {
            try
            {
                body = JsonNode.Parse(exchange.Body ?? []);
            }
            catch (JsonException)
            {
                body = null;
            }
        }

        return (exchange, body);
    }

    /// <summary>The body, or a finding that the call did not give one (returns null).</summary>
    public static JsonNode? Require(CheckRun run, EndpointSpec endpoint, HttpExchange exchange, JsonNode? body, string what)
    {
        if (body is not null)
        {
            return body;
        }

        run.Fail(what, exchange.IsSuccess ? new NotJson(null) : Finding.OfResponse(endpoint.Success.Status, exchange), endpoint.Success.Basis, run.Keep(exchange));
        return null;
    }
}

/// <summary>A boolean flag makes its body member present exactly when it is true (and its default applies when it is absent).</summary>
public sealed class FlagMemberCheck : ICheck
{
    public string Kind => "flag-member";

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var selected = requirement.Check.SelectedParameters;
        return endpoint.Parameters.Where(p => p.Controls is not null && (selected.Count == 0 || selected.Contains(p.Name))).Select(p => new CaseElement(p.Name));
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var p = endpoint.Parameter(run.Element.Key);
        var member = p.Controls!.Member;
        foreach (var value in new[] { "true", "false", null })
        {
            var (exchange, body) = await OneCall.SendAsync(run, scenario, new Dictionary<string, string?> { [p.Name] = value }, $"{p.Name}={value ?? "(absent)"}", ct);
            var what = value is null ? $"without {p.Name} (default {p.Default ?? "none"})" : $"{p.Name}={value}";
            if (OneCall.Require(run, endpoint, exchange, body, what) is not { } json)
            {
                continue;
            }

            var wanted = (value ?? p.Default) == "true";
            JsonPointer.Read(json, member, out var present);
            if (present != wanted)
            {
                // Asked for and missing: maybe named otherwise (the member name is assumed). Present unasked: the documented flag is ignored.
                var basis = wanted ? p.Controls.Basis : p.Basis;
                run.Fail(what, new ValueMismatch(member, wanted ? "present" : "absent", present ? "present" : "absent"), basis, run.Keep(exchange));
            }
        }
    }
}

/// <summary>The page-size parameter: its documented default holds, and no page exceeds the size asked for.</summary>
public sealed class PageSizeCheck : ICheck
{
    public string Kind => "page-size";

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var p = endpoint.Parameter(requirement.Check.Parameter ?? endpoint.Pagination?.LimitParameter
            ?? throw new ConfigurationException($"{requirement.Id}: '{Kind}' needs a limit parameter"));
        var values = new List<string?> { null, "1", endpoint.Pagination?.WalkPageSize.ToString(CultureInfo.InvariantCulture) };
        if (p.Maximum is { } max)
        {
            values.Add(max.ToString(CultureInfo.InvariantCulture));
        }

        return values.Distinct().Select(v => new CaseElement(v is null ? $"{p.Name} (default {p.Default})" : $"{p.Name}={v}"));
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var spec = endpoint.Pagination!;
        var p = endpoint.Parameter(run.Binding.Parameter ?? spec.LimitParameter!);
        var all = await run.Context.RequireCompleteWalkAsync(scenario, ct);
        var total = all.Total ?? all.Items.Count;
        var value = run.Element.Split().Value;
        var size = int.Parse(value ?? p.Default ?? throw new ConfigurationException($"{p.Name} has no documented default"), CultureInfo.InvariantCulture);
        var changes = new Dictionary<string, string?> { [p.Name] = value };
        if (spec.OffsetParameter is { } offset)
        {
            changes[offset] = null;
        }

        var (exchange, body) = await OneCall.SendAsync(run, scenario, changes, run.Element.Key, ct);
        if (OneCall.Require(run, endpoint, exchange, body, run.Element.Key) is not { } json)
        {
            return;
        }

        var count = (JsonPointer.Read(json, spec.ItemsPointer) as JsonArray)?.Count ?? 0;
        var expected = (int)Math.Min(size, total);
        run.Note($"{count} records for {run.Element.Key}, {total} in all");
        if (count > size)
        {
            run.Fail(run.Element.Key, new CountMismatch("records", CountRelation.AtMost, size, count), p.Basis, run.Keep(exchange));
        }
        else if (value is null && count != expected)
        {
            run.Fail(run.Element.Key, new CountMismatch("records (the default page)", CountRelation.Exactly, expected, count), p.Basis, run.Keep(exchange));
        }
        else if (count < expected)
        {
            run.Note($"a page shorter than asked while more records exist ({count} < {expected})");
        }
    }
}

/// <summary>
/// Offset and page pagination over full walks: no duplicate, no record skipped, the same sequence either
/// way, and the walked count equal to the reported total.
/// </summary>
public sealed class OffsetPaginationCheck : PerScenarioCheck
{
    public override string Kind => "offset-pagination";

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var spec = EndpointOf(run).Pagination!;
        var byOffset = await run.Context.WalkAsync(run.Element.Key, null, ct, WalkMode.Offset);
        var byPage = await run.Context.WalkAsync(run.Element.Key, null, ct, WalkMode.Page);
        run.Note($"by offset: {byOffset.Pages.Count} pages, {byOffset.Items.Count} records; by page: {byPage.Pages.Count} pages, {byPage.Items.Count} records; total {byOffset.Total?.ToString(CultureInfo.InvariantCulture) ?? "not reported"}");
        foreach (var walk in new[] { byOffset, byPage })
        {
            if (!walk.Complete)
            {
                run.Fail($"{ListWalk.Describe(walk.Mode)} walk", walk.Failure ?? new PaginationProblem(PaginationIssue.NoEnd, walk.Pages.Count, walk.EndingDetail!), spec.Basis,
                    run.Keep(walk.FailedExchange ?? walk.Pages[^1].Exchange));
                return;
            }

            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var page in walk.Pages)
            {
                foreach (var id in page.Ids.Where(id => !seen.TryAdd(id, page.Number)).Take(3))
                {
                    run.Fail($"{ListWalk.Describe(walk.Mode)} walk", new PaginationProblem(PaginationIssue.DuplicateId, page.Number, $"'{id}' on page {seen[id]} and again on page {page.Number}"), spec.Basis, run.Keep(page.Exchange));
                }
            }

            if (walk.Total is { } total && walk.Items.Count != total)
            {
                run.Fail($"{ListWalk.Describe(walk.Mode)} walk", new PaginationProblem(PaginationIssue.TotalMismatch, walk.Pages.Count, $"{walk.Items.Count} records walked, {total} reported"), spec.Basis, run.Keep(walk.Pages[^1].Exchange));
            }
        }

        var a = byOffset.Pages.SelectMany(p => p.Ids).ToList();
        var b = byPage.Pages.SelectMany(p => p.Ids).ToList();
        await OffsetWinsAsync(run, spec, a, ct);
        var at = Enumerable.Range(0, Math.Min(a.Count, b.Count)).FirstOrDefault(i => a[i] != b[i], -1);
        if (at >= 0 || a.Count != b.Count)
        {
            var where = at >= 0 ? $"position {at + 1}: '{a[at]}' by offset, '{b[at]}' by page" : $"{a.Count} records by offset, {b.Count} by page";
            var basis = run.Requirement.Assumptions.Count > 0 ? Basis.Assumed(run.Requirement.Assumptions[^1]) : spec.Basis;
            run.Fail(new PaginationProblem(PaginationIssue.WalksDiffer, null, $"a difference at {where}"), basis, run.Keep(byPage.Pages[Math.Min(byPage.Pages.Count - 1, Math.Max(0, at) / spec.WalkPageSize)].Exchange));
        }
    }

    /// <summary>With both offset and page, offset wins: ask for offset 1 and a later page, and expect the record at position 2.</summary>
    private static async Task OffsetWinsAsync(CheckRun run, PaginationSpec spec, List<string> sequence, CancellationToken ct)
    {
        if (spec.OffsetParameter is not { } offset || spec.PageParameter is not { } page || sequence.Count < spec.WalkPageSize + 2)
        {
            return;
        }

        var (exchange, body) = await OneCall.SendAsync(run, run.Element.Key, new Dictionary<string, string?>
        {
            [spec.LimitParameter!] = spec.WalkPageSize.ToString(CultureInfo.InvariantCulture),
            [offset] = "1",
            [page] = (spec.PageBase + 1).ToString(CultureInfo.InvariantCulture),
        }, $"{offset} and {page} together", ct);
        var first = (JsonPointer.Read(body, spec.ItemsPointer) as JsonArray)?.OfType<JsonObject>().Select(i => JsonPointer.Text(i, spec.IdPointer)).FirstOrDefault();
        if (first != sequence[1])
        {
            var basis = run.Requirement.Assumptions.Count > 0 ? Basis.Assumed(run.Requirement.Assumptions[^1]) : spec.Basis;
            run.Fail($"{offset}=1 with {page}={spec.PageBase + 1}", new PaginationProblem(PaginationIssue.OffsetPrecedence, null, $"a list starting at '{first ?? "nothing"}', not at '{sequence[1]}'"), basis, run.Keep(exchange));
        }
    }
}

/// <summary>The sort parameter, for each example: the walk comes back in that order, and nothing is dropped.</summary>
public sealed class SortOrderCheck : ICheck
{
    public string Kind => "sort-order";

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var p = endpoint.Parameter(requirement.Check.Parameter ?? endpoint.Parameters.FirstOrDefault(x => x.Sort is not null)?.Name
            ?? throw new ConfigurationException($"{requirement.Id}: no sort parameter"));
        return p.Examples.Select(e => new CaseElement($"{p.Name}={e}"));
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var (name, given) = run.Element.Split();
        var p = endpoint.Parameter(name);
        var value = given!;
        var sort = p.Sort!;
        var keys = value.Split(',').Select(k =>
        {
            var desc = k.StartsWith(sort.DescPrefix, StringComparison.Ordinal);
            var name = desc ? k[sort.DescPrefix.Length..] : k.StartsWith(sort.AscPrefix, StringComparison.Ordinal) ? k[sort.AscPrefix.Length..] : k;
            return (Field: sort.Fields.TryGetValue(name, out var f) ? f : throw new ConfigurationException($"sort example '{k}' names no sort field"), Desc: desc);
        }).ToList();
        var all = await run.Context.RequireCompleteWalkAsync(scenario, ct);
        var sorted = await run.Context.WalkAsync(scenario, new Dictionary<string, string> { [p.Name] = value }, ct);
        if (!sorted.Complete)
        {
            run.Fail($"{p.Name}={value}", sorted.Failure ?? new PaginationProblem(PaginationIssue.NoEnd, sorted.Pages.Count, sorted.EndingDetail!), p.Basis, run.Keep(sorted.FailedExchange ?? sorted.Pages[^1].Exchange));
            return;
        }

        var wrong = 0;
        for (var i = 1; i < sorted.Items.Count; i++)
        {
            var order = Compare(sorted.Items[i - 1], sorted.Items[i], keys);
            if (order > 0 && ++wrong <= 5)
            {
                var page = sorted.Pages[Math.Min(sorted.Pages.Count - 1, i / Math.Max(1, sorted.Pages[0].Ids.Count))];
                run.Fail($"{p.Name}={value}", new OrderViolation(i, string.Join(", then ", keys.Select(k => $"{k.Field} {(k.Desc ? "descending" : "ascending")}")), $"{Show(sorted.Items[i - 1], keys)} before {Show(sorted.Items[i], keys)}"), sort.Basis, run.Keep(page.Exchange));
            }
        }

        var missing = all.Items.Count - sorted.Items.Count;
        if (missing != 0)
        {
            run.Fail($"{p.Name}={value}", new CountMismatch("records (as the unsorted walk has)", CountRelation.Exactly, all.Items.Count, sorted.Items.Count), p.Basis, run.Keep(sorted.Pages[0].Exchange));
        }

        run.Note($"{sorted.Items.Count} records in {sorted.Pages.Count} pages checked in order");
    }

    private static int Compare(JsonObject a, JsonObject b, List<(string Field, bool Desc)> keys)
    {
        foreach (var (field, desc) in keys)
        {
            var c = CompareValues(JsonPointer.Text(a, field), JsonPointer.Text(b, field));
            if (c != 0)
            {
                return desc ? -c : c;
            }
        }

        return 0;
    }

    private static int CompareValues(string? a, string? b)
    {
        if (a is not null && a.Contains('T', StringComparison.Ordinal) && IsoDates.Parse(a) is { } da && IsoDates.Parse(b) is { } db)
        {
            return da.CompareTo(db);
        }

        if (double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var na) && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var nb))
        {
            return na.CompareTo(nb);
        }

        return string.CompareOrdinal(a, b);
    }

    private static string Show(JsonObject item, List<(string Field, bool Desc)> keys) =>
        "(" + string.Join(", ", keys.Select(k => $"{k.Field}={JsonPointer.Text(item, k.Field)}")) + ")";
}

/// <summary>A field-selection parameter returns exactly the fields asked for.</summary>
public sealed class FieldSelectionCheck : ICheck
{
    public string Kind => "field-selection";

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var p = endpoint.Parameter(requirement.Check.Parameter ?? throw new ConfigurationException($"{requirement.Id}: '{Kind}' needs check.parameter"));
        return p.Examples.Select(e => new CaseElement($"{p.Name}={e}"));
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var (name, selection) = run.Element.Split();
        var p = endpoint.Parameter(name);
        var wanted = selection!.Split(',').ToHashSet(StringComparer.Ordinal);
        var (exchange, body) = await OneCall.SendAsync(run, scenario, new Dictionary<string, string?> { [p.Name] = selection }, run.Element.Key, ct);
        if (OneCall.Require(run, endpoint, exchange, body, run.Element.Key) is not { } json)
        {
            return;
        }

        var items = (JsonPointer.Read(json, endpoint.Pagination?.ItemsPointer ?? "") as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (items.Count == 0)
        {
            CheckRun.Skip($"no records came back to look at ({run.Element.Key})");
        }

        var problems = 0;
        for (var i = 0; i < items.Count && problems < 5; i++)
        {
            var got = items[i].Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
            if (!got.SetEquals(wanted))
            {
                problems++;
                var extra = got.Except(wanted).ToList();
                var missing = wanted.Except(got).ToList();
                run.Fail(run.Element.Key, new ValueMismatch($"record {i + 1}", $"exactly the fields {string.Join(",", wanted)}",
                        (extra.Count > 0 ? $"also {string.Join(",", extra)}" : "") + (extra.Count > 0 && missing.Count > 0 ? "; " : "")
                        + (missing.Count > 0 ? $"without {string.Join(",", missing)}" : "")),
                    p.Basis, run.Keep(exchange));
            }
        }

        run.Note($"{items.Count} records checked");
    }
}
