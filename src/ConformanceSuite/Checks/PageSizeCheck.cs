using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>The page-size parameter: its documented default holds, and no page exceeds the size asked for.</summary>
public sealed class PageSizeCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "page-size";

    public string Kind => KindName;

    public IReadOnlyList<Precondition> Preconditions { get; } = [Precondition.CompleteWalk];

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var paging = endpoint.Pagination as OffsetPagination;
        var p = endpoint.Parameter(requirement.Check.Parameter ?? paging?.LimitParameter
            ?? throw new ConfigurationException($"{requirement.Id}: '{Kind}' needs a limit parameter"));
        var values = new List<string?> { null, "1", paging?.WalkPageSize.ToString(CultureInfo.InvariantCulture) };
        if (p.Maximum is { } max)
        {
            values.Add(max.ToString(CultureInfo.InvariantCulture));
        }

        return values.Distinct().Select(v => v is null ? new CaseElement(p.Name) { Note = $"default {p.Default}" } : new CaseElement(p.Name) { Value = v });
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var spec = endpoint.Pagination!;
        var p = endpoint.Parameter(run.Binding.Parameter ?? ((OffsetPagination)spec).LimitParameter);
        var all = await run.Require.CompleteWalkAsync(scenario, ct);
        var total = all.ItemCount; // what the walk counted: the reported total is judged by the pagination check, not trusted here
        var value = run.Element.Value;
        var size = int.Parse(value ?? p.Default ?? throw new ConfigurationException($"{p.Name} has no documented default"), CultureInfo.InvariantCulture);
        var changes = new Dictionary<string, string?> { [p.Name] = value };
        if (spec is OffsetPagination { OffsetParameter: var offset })
        {
            changes[offset] = null;
        }

        // The total is the walk's: on a list confined to a window, the window's, so the page is asked for within it.
        all.Window?.AddTo(changes);

        var (exchange, body) = await OneCall.SendAsync(run, scenario, changes, run.Element.Key, ct);
        if (OneCall.Require(run, endpoint, exchange, body, run.Element.Key) is not { } json)
        {
            return;
        }

        var count = (JsonPointer.Read(json, spec.ItemsPointer) as JsonArray)?.Count ?? 0;
        var expected = (int)Math.Min(size, total);
        run.Note($"{count} records for {run.Element.Key}, {total} in all");

        // The walk asked each of its pages for this size: the first page is not the only one that must keep to it (a
        // provider whose last page takes the few records left after it holds more, and both walks agree on that).
        if (spec is OffsetPagination paging && size == paging.WalkPageSize && all.Mode != WalkMode.Cursor)
        {
            if (all.Pages.FirstOrDefault(page => page.Count > size) is { } over)
            {
                run.Fail($"{run.Element.Key}, page {over.Number} of the {ListWalk.Describe(all.Mode)} walk", new CountMismatch("records", CountRelation.AtMost, size, over.Count), p.Basis, run.Keep(over.Exchange));
            }
            else
            {
                run.Note($"none of the {all.Pages.Count} pages of the {ListWalk.Describe(all.Mode)} walk, each asked for {size}, held more");
            }
        }

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
            // Fewer than asked while more exist: the limit was not applied (a provider that answers its default page
            // whatever is asked passes every other case). The rule that a page is full is an assumption.
            var basis = run.LastAssumptionOr(p.Basis);
            run.Fail(run.Element.Key, new CountMismatch("records (a full page: fewer only when no more exist)", CountRelation.Exactly, expected, count), basis, run.Keep(exchange));
        }
    }
}
