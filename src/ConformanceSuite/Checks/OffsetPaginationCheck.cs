using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>
/// Offset and page pagination over full walks: no duplicate, no record skipped, the same sequence either
/// way, and the walked count equal to the reported total.
/// </summary>
public sealed class OffsetPaginationCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "offset-pagination";

    public override string Kind => KindName;

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var spec = EndpointOf(run).Pagination as OffsetPagination
            ?? throw new ConfigurationException($"{run.Requirement.Id}: scenario '{run.Element.Name}' has no offset pagination");
        var byOffset = await PaginationWalks.OfAsync(run, run.Element.Name, WalkMode.Offset, ct);
        if (!byOffset.All(w => Judge(run, spec, w)))
        {
            return;
        }

        await PastTheTotalAsync(run, spec, byOffset, ct);
        PaginationWalks.RequireAnEnd(run, byOffset);
        if (spec.PageParameter is null)
        {
            run.Note($"no page parameter to walk by; total {byOffset[0].Total?.ToString(CultureInfo.InvariantCulture) ?? "not reported"}");
            return;
        }

        var byPage = await PaginationWalks.OfAsync(run, run.Element.Name, WalkMode.Page, ct);
        if (!byPage.All(w => Judge(run, spec, w)))
        {
            return;
        }

        await PastTheTotalAsync(run, spec, byPage, ct);

        var a = byOffset[^1];
        var b = byPage[^1];
        await OffsetWinsAsync(run, spec, a, ct);
        // Both walks' pages side by side, in one pass (pages past the first few hundred are read back from a file).
        var alike = a.Pages.Zip(b.Pages, (x, y) => x.IdsHash == y.IdsHash).TakeWhile(same => same).Count();
        var at = alike < Math.Min(a.Pages.Count, b.Pages.Count) ? alike : -1;
        if (at >= 0 || (a.Complete && b.Complete && a.ItemCount != b.ItemCount))
        {
            var where = at >= 0
                ? $"page {at + 1}: first '{a.Pages[at].FirstId}' of {a.Pages[at].Count} by offset, first '{b.Pages[at].FirstId}' of {b.Pages[at].Count} by page"
                : $"{a.ItemCount} records by offset, {b.ItemCount} by page";
            var basis = run.LastAssumptionOr(spec.Basis);
            run.Fail(new PaginationProblem(PaginationIssue.WalksDiffer, null, $"a difference at {where}"), basis, run.Keep(b.Pages[Math.Max(0, Math.Min(b.Pages.Count - 1, at))].Exchange));
        }
    }

    /// <summary>One walk's own invariants: no record twice, the total walked; false when it broke off.</summary>
    private static bool Judge(CheckRun run, OffsetPagination spec, ListWalk walk)
    {
        var subject = PaginationWalks.Subject(walk);
        run.Note($"{subject}: {walk.Pages.Count} pages, {walk.ItemCount} records, ended: {ListWalk.Describe(walk.Ending)}; total {walk.Total?.ToString(CultureInfo.InvariantCulture) ?? "not reported"}");
        if (walk.Broken)
        {
            run.Fail(subject, walk.Failure ?? new PaginationProblem(PaginationIssue.NoEnd, walk.Pages.Count, walk.EndingDetail!), spec.Basis,
                run.Keep(walk.FailedExchange ?? walk.Pages[^1].Exchange));
            return false;
        }

        if (walk.StoppedBySuite && walk.Ending != WalkEnding.Bounded)
        {
            run.CheckedInPart($"{subject} stopped at the suite's limit before the list ended ({walk.EndingDetail})", PaginationWalks.Setting(run, walk));
        }

        foreach (var (id, first, page) in walk.Duplicates.Take(3))
        {
            run.Fail(subject, new PaginationProblem(PaginationIssue.DuplicateId, page, $"'{id}' on page {first} and again on page {page}"), spec.Basis, run.Keep(walk.Pages[page - 1].Exchange));
        }

        if (walk.Complete && walk.Total is { } total && walk.ItemCount != total)
        {
            run.Fail(subject, new PaginationProblem(PaginationIssue.TotalMismatch, walk.Pages.Count, $"{walk.ItemCount} records walked, {total} reported"), spec.Basis, run.Keep(walk.Pages[^1].Exchange));
        }

        return true;
    }

    /// <summary>
    /// A walk that ended on a full page because it had walked the reported total trusted that total: the page after
    /// it is asked for, and must be empty. Otherwise a total short by whole pages (35 of 36 records at 7 a page, or
    /// the count of the page answered) ends every walk early, and the walked count equals it.
    /// </summary>
    private static async Task PastTheTotalAsync(CheckRun run, OffsetPagination spec, IReadOnlyList<ListWalk> walks, CancellationToken ct)
    {
        foreach (var walk in walks.Where(w => w.Complete && w.Total is { } t && w.ItemCount == t && w.Pages.Count > 0 && w.Pages[^1].Count == spec.WalkPageSize))
        {
            var byOffset = walk.Mode == WalkMode.Offset;
            var parameter = byOffset ? spec.OffsetParameter : spec.PageParameter!;
            var position = byOffset ? walk.ItemCount : spec.PageBase + walk.Pages.Count;
            var query = new Dictionary<string, string>(walk.Query, StringComparer.Ordinal) { [parameter] = position.ToString(CultureInfo.InvariantCulture) };
            var subject = PaginationWalks.Subject(walk);
            var endpoint = EndpointOf(run);
            var exchange = await run.Context.Http.SendAsync(run.Context.Requests.Call(endpoint, query, run.Context.Values.Path(run.Element.Name),
                $"the page after the total of the {subject}"), ct);
            if (ListWalk.Parse(exchange, spec, endpoint.Success.Status, out var problem) is not { } page)
            {
                run.CheckedInPart($"{subject}: the page after the reported total ({parameter}={position}) could not be read ({problem!.Message}), so that no record lies past the total was not checked");
                continue;
            }

            if (page.Count > 0)
            {
                run.Fail(subject, new PaginationProblem(PaginationIssue.TotalMismatch, walk.Pages.Count + 1,
                    $"{walk.ItemCount} records walked to the reported total of {walk.Total}, but {parameter}={position} still returned {page.Count} (the first '{page.FirstId}')"), spec.Basis, run.Keep(exchange));
            }
        }
    }

    /// <summary>
    /// With both offset and page, offset wins: ask for offset 1 and a later page, and expect the record at position 2
    /// of <paramref name="walk"/>, asked with the same query (its window's too, when it has one).
    /// </summary>
    private static async Task OffsetWinsAsync(CheckRun run, OffsetPagination spec, ListWalk walk, CancellationToken ct)
    {
        var offset = spec.OffsetParameter;
        var sequence = walk.Ids.Take(2).ToList();
        if (spec.PageParameter is not { } page || walk.ItemCount < spec.WalkPageSize + 2)
        {
            return;
        }

        var query = walk.Query.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal);
        query[spec.LimitParameter] = spec.WalkPageSize.ToString(CultureInfo.InvariantCulture);
        query[offset] = "1";
        query[page] = (spec.PageBase + 1).ToString(CultureInfo.InvariantCulture);
        var (exchange, body) = await OneCall.SendAsync(run, run.Element.Name, query, $"{offset} and {page} together", ct);
        var first = (JsonPointer.Read(body, spec.ItemsPointer) as JsonArray)?.OfType<JsonObject>().Select(i => JsonPointer.Text(i, spec.IdPointer)).FirstOrDefault();
        if (first != sequence[1])
        {
            var basis = run.LastAssumptionOr(spec.Basis);
            run.Fail($"{offset}=1 with {page}={spec.PageBase + 1}", new PaginationProblem(PaginationIssue.OffsetPrecedence, null, $"a list starting at '{first ?? "nothing"}', not at '{sequence[1]}'"), basis, run.Keep(exchange));
        }
    }
}
