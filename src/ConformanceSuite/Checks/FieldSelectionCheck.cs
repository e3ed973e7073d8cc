using System.Globalization;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>A field-selection parameter returns exactly the fields asked for.</summary>
public sealed class FieldSelectionCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "field-selection";

    public string Kind => KindName;

    public BindingNeeds Needs => BindingNeeds.Scenario | BindingNeeds.Parameter;

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var p = endpoint.Parameter(requirement.Check.Parameter!);
        return p.Examples.Select(e => new CaseElement(p.Name) { Value = e });
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var (name, selection) = (run.Element.Name, run.Element.Value);
        var p = endpoint.Parameter(name);
        var wanted = selection!.Split(',').ToHashSet(StringComparer.Ordinal);
        var offsets = endpoint.Pagination as OffsetPagination;
        var limit = offsets is not null && run.Context.Values.Query(scenario).TryGetValue(offsets.LimitParameter, out var l)
            && int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : (int?)null;
        var (records, problems, offset, uncompared) = (0, 0, 0, (string?)null);
        // A list too long for the budget is paged through within the window its whole-list checks are confined to.
        var window = offsets is null ? null : await run.Context.Probes.WindowOfAsync(scenario, ct);
        if (window is not null)
        {
            run.Note($"judged on the {window.Describe()}");
        }

        // Without a window, a list that goes on past the budget is paged through a prefix's worth, as the walks are,
        // not to the end of the budget: that would leave the checks after this one none.
        var maxPages = offsets is null ? 0 : window is null ? WalkPlanner.PrefixPages(run.Context.Probes.Budget, offsets) : offsets.MaxPages;

        for (var page = 1; ; page++)
        {
            var changes = new Dictionary<string, string?> { [p.Name] = selection };
            window?.AddTo(changes);

            if (limit is { } size && window is not null)
            {
                changes[offsets!.LimitParameter] = size.ToString(CultureInfo.InvariantCulture);
            }

            if (offset > 0)
            {
                changes[offsets!.OffsetParameter] = offset.ToString(CultureInfo.InvariantCulture);
            }

            var what = offset == 0 ? run.Element.Key : $"{run.Element.Key}, {offsets!.OffsetParameter}={offset}";
            var (exchange, body) = await OneCall.SendAsync(run, scenario, changes, what, ct);
            if (OneCall.Require(run, endpoint, exchange, body, what) is not { } json)
            {
                return;
            }

            var items = Items(endpoint, json);
            if (page == 1 && items.Count == 0)
            {
                CheckRun.Skip($"no records came back to look at ({run.Element.Key})");
            }

            // The same records without the selection (the scenario's own call, then the same offsets): each selected
            // field must hold the value the whole record has, not only be there.
            changes.Remove(p.Name);
            var whole = offset == 0 && window is null ? await run.Context.Probes.SuccessAsync(scenario, ct) : (await OneCall.SendAsync(run, scenario, changes, $"{what} without {p.Name}", ct)).Exchange;
            var full = whole.IsSuccess ? Items(endpoint, ProviderJson.TryParse(whole.Body)) : [];
            if (full.Count < items.Count)
            {
                uncompared ??= $"the values of records {offset + full.Count + 1} on were not compared: the same call without {p.Name} gave {(whole.IsSuccess ? $"{full.Count} records" : $"status {whole.Status?.ToString(CultureInfo.InvariantCulture) ?? whole.Error}")}";
            }

            for (var i = 0; i < items.Count && problems < 5; i++)
            {
                var record = $"record {offset + i + 1}";
                var got = items[i].Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
                if (!got.SetEquals(wanted))
                {
                    problems++;
                    var extra = got.Except(wanted).ToList();
                    var missing = wanted.Except(got).ToList();
                    run.Fail(what, new ValueMismatch(record, $"exactly the fields {string.Join(",", wanted)}",
                            (extra.Count > 0 ? $"also {string.Join(",", extra)}" : "") + (extra.Count > 0 && missing.Count > 0 ? "; " : "")
                            + (missing.Count > 0 ? $"without {string.Join(",", missing)}" : "")),
                        p.Basis, run.Keep(exchange));
                }

                foreach (var field in wanted.Where(f => i < full.Count && items[i].ContainsKey(f)))
                {
                    if (problems < 5 && !JsonNode.DeepEquals(items[i][field], full[i][field]))
                    {
                        problems++;
                        run.Fail(what, new ValueMismatch($"{record}, {field}", $"{JsonPointer.Show(full[i][field], "null")}, as the record without {p.Name} has it",
                            JsonPointer.Show(items[i][field], "null")), p.Basis, run.Keep(exchange));
                        run.Keep(whole);
                    }
                }
            }

            records += items.Count;
            if (limit is not null && items.Count < limit && window is not null && page == 1 && items.Count > 1 && problems == 0)
            {
                // The window fits one page: a selection kept only on the first page would not show. Once more, in pages
                // of half the window, so a second page is seen.
                if (!run.Context.Probes.Budget.TrySpend() || !run.Context.Probes.Budget.TrySpend())
                {
                    run.CheckedInPart($"the window's {items.Count} records fit one page, and the request budget ({run.Context.Probes.Budget.Limit}) is spent: no second page was asked for", run.Context.Probes.Budget.Setting);
                    break;
                }

                run.Note($"the window's {items.Count} records fit one page of {offsets!.LimitParameter}={limit}: paged again by {(items.Count + 1) / 2}");
                (limit, records, page) = ((items.Count + 1) / 2, 0, 0);
                continue;
            }

            if (limit is null || items.Count < limit)
            {
                break;
            }

            // A full page: the records after it may come otherwise (a selection applied to the first page only).
            if (page >= maxPages || !run.Context.Probes.Budget.TrySpend() || !run.Context.Probes.Budget.TrySpend())
            {
                var why = page < maxPages ? $"the request budget ({run.Context.Probes.Budget.Limit}) is spent"
                    : maxPages == offsets!.MaxPages ? $"the contract's page bound ({offsets.MaxPages})"
                    : $"the list goes on past a prefix of {maxPages} pages, and no window confines it ({run.Context.Probes.Budget.Describe()})";
                run.CheckedInPart($"the first {records} records were checked, the rest not: {why}",
                    page < maxPages || maxPages != offsets!.MaxPages ? run.Context.Probes.Budget.Setting : $"apis.{run.Contract.Id}.overrides.contract (the pagination bounds)");
                break;
            }

            offset += items.Count;
        }

        if (uncompared is not null)
        {
            run.CheckedInPart(uncompared);
        }

        run.Note($"{records} records checked, their values compared by position with the same calls without {p.Name}");
    }

    private static List<JsonObject> Items(EndpointSpec endpoint, JsonNode? json) => JsonPointer.Objects(json, endpoint.Pagination?.ItemsPointer ?? "");
}
