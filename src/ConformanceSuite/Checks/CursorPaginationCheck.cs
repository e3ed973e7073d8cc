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
        var walks = await PaginationWalks.OfAsync(run, run.Element.Name, WalkMode.Cursor, ct);
        foreach (var walk in walks)
        {
            if (!Judge(run, spec, walk))
            {
                return;
            }
        }

        PaginationWalks.RequireAnEnd(run, walks);

        var judged = await run.Context.Probes.WalkAsync(run.Element.Name, null, ct);
        await SameCursorSamePageAsync(run, judged, endpoint, ct);
    }

    /// <summary>One walk's invariants; false when it broke off so nothing more can be judged.</summary>
    private static bool Judge(CheckRun run, CursorPagination spec, ListWalk walk)
    {
        var subject = PaginationWalks.Subject(walk);
        run.Note($"{subject}: {walk.Pages.Count} pages, {walk.ItemCount} items, ended: {ListWalk.Describe(walk.Ending)}");
        switch (walk.Ending)
        {
            case WalkEnding.Error:
                run.Fail(subject, walk.Failure!, spec.Basis, run.Keep(walk.FailedExchange!));
                return false;
            case WalkEnding.Cycle:
                run.Fail(subject, new PaginationProblem(PaginationIssue.Cycle, walk.Pages.Count, walk.EndingDetail!), spec.Basis, run.Keep(walk.Pages[^1].Exchange));
                break;
            case WalkEnding.Endless:
                run.Fail(subject, new PaginationProblem(PaginationIssue.NoEnd, walk.Pages.Count, walk.EndingDetail!), spec.Basis, run.Keep(walk.Pages[^1].Exchange));
                break;
            case WalkEnding.PageLimit or WalkEnding.TimeLimit or WalkEnding.OverBudget:
                run.CheckedInPart($"{subject} stopped at the suite's limit before the list ended ({walk.EndingDetail})", PaginationWalks.Setting(run, walk));
                break;
        }

        PaginationWalks.JudgeLastNext(run, walk, subject);

        foreach (var (id, first, page) in walk.Duplicates)
        {
            run.Fail(subject, new PaginationProblem(PaginationIssue.DuplicateId, page, $"'{id}' on page {first} and again on page {page}"), spec.Basis, run.Keep(walk.Pages[page - 1].Exchange));
        }

        if (walk.DuplicateCount > walk.Duplicates.Count)
        {
            run.Note($"{walk.DuplicateCount} repeated ids in all; the first {walk.Duplicates.Count} are shown");
        }

        PaginationWalks.JudgeEmptyPages(run, walk, subject);
        return true;
    }

    private static string First(string? id) => id ?? "none";

    private static async Task SameCursorSamePageAsync(CheckRun run, ListWalk walk, EndpointSpec endpoint, CancellationToken ct)
    {
        var spec = (CursorPagination)endpoint.Pagination!;
        var again = walk.Pages.Skip(1).FirstOrDefault(p => p.Cursor is not null);
        if (again is null)
        {
            run.Note("one page only: no cursor to ask for twice");
            return;
        }

        if (!run.Context.Probes.Budget.TrySpend())
        {
            run.CheckedInPart("page 2 not asked for again with the same cursor: the request budget is spent", run.Context.Probes.Budget.Setting);
            return;
        }

        var query = new Dictionary<string, string>(walk.Query) { [spec.CursorParameter] = again.Cursor! };
        var exchange = await run.Context.Http.SendAsync(run.Context.Requests.Call(endpoint, query, run.Context.Values.Path(run.Element.Name), $"page {again.Number} again, same cursor"), ct);
        var page = ListWalk.Parse(exchange, spec, endpoint.Success.Status, out var problem);

        if (page is null)
        {
            run.Fail($"page {again.Number} asked for again, same cursor", problem!, spec.Basis, run.Keep(exchange));
            return;
        }

        if (page.IdsHash != again.IdsHash || page.Next != again.Next)
        {
            var basis = spec.StableCursorBasis ?? spec.Basis;
            run.Fail(new PaginationProblem(PaginationIssue.UnstableCursor, again.Number,
                $"{page.Count} items, first '{First(page.FirstId)}', where page {again.Number} had {again.Count}, first '{First(again.FirstId)}'"), basis, run.Keep(exchange));
        }
    }
}
