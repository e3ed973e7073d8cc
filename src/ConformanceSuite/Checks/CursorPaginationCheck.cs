using System.Globalization;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using NJsonSchema;

namespace ConformanceSuite.Checks;

/// <summary>
/// Cursor pagination invariants over a full walk: it ends within bounds, next is null on the last page,
/// no cursor repeats, no id twice, no empty page before the last, and the same cursor gives the same page.
/// </summary>
public sealed class CursorPaginationCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "cursor-pagination";

    public override string Kind => KindName;

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var endpoint = EndpointOf(run);
        var spec = endpoint.Pagination as CursorPagination ?? throw new ConfigurationException($"{run.Requirement.Id}: endpoint '{endpoint.Id}' has no cursor pagination");
        var walk = await run.Context.Probes.WalkAsync(run.Element.Name, null, ct);
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
        var spec = (CursorPagination)endpoint.Pagination!;
        var again = walk.Pages.Skip(1).FirstOrDefault(p => p.Cursor is not null);
        if (again is null)
        {
            run.Note("one page only: no cursor to ask for twice");
            return;
        }

        var query = new Dictionary<string, string>(walk.Query) { [spec.CursorParameter] = again.Cursor! };
        var exchange = await run.Context.Http.SendAsync(run.Context.Requests.Call(endpoint, query, run.Context.Values.Path(run.Element.Name), $"page {again.Number} again, same cursor"), ct);
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
