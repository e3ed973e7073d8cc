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
        var byOffset = await run.Context.Probes.WalkAsync(run.Element.Name, null, ct, WalkMode.Offset);
        if (spec.PageParameter is null)
        {
            run.Note($"by offset: {byOffset.Pages.Count} pages, {byOffset.Items.Count} records; no page parameter to walk by; total {byOffset.Total?.ToString(CultureInfo.InvariantCulture) ?? "not reported"}");
            Judge(run, spec, byOffset);
            return;
        }

        var byPage = await run.Context.Probes.WalkAsync(run.Element.Name, null, ct, WalkMode.Page);
        run.Note($"by offset: {byOffset.Pages.Count} pages, {byOffset.Items.Count} records; by page: {byPage.Pages.Count} pages, {byPage.Items.Count} records; total {byOffset.Total?.ToString(CultureInfo.InvariantCulture) ?? "not reported"}");
        if (!Judge(run, spec, byOffset) || !Judge(run, spec, byPage))
        {
            return;
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

    /// <summary>One walk's own invariants: complete, no record twice, the total walked; false when it broke off.</summary>
    private static bool Judge(CheckRun run, OffsetPagination spec, ListWalk walk)
    {
        var subject = $"{ListWalk.Describe(walk.Mode)} walk";
        if (!walk.Complete)
        {
            run.Fail(subject, walk.Failure ?? new PaginationProblem(PaginationIssue.NoEnd, walk.Pages.Count, walk.EndingDetail!), spec.Basis,
                run.Keep(walk.FailedExchange ?? walk.Pages[^1].Exchange));
            return false;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var page in walk.Pages)
        {
            foreach (var id in page.Ids.Where(id => !seen.TryAdd(id, page.Number)).Take(3))
            {
                run.Fail(subject, new PaginationProblem(PaginationIssue.DuplicateId, page.Number, $"'{id}' on page {seen[id]} and again on page {page.Number}"), spec.Basis, run.Keep(page.Exchange));
            }
        }

        if (walk.Total is { } total && walk.Items.Count != total)
        {
            run.Fail(subject, new PaginationProblem(PaginationIssue.TotalMismatch, walk.Pages.Count, $"{walk.Items.Count} records walked, {total} reported"), spec.Basis, run.Keep(walk.Pages[^1].Exchange));
        }

        return true;
    }

    /// <summary>With both offset and page, offset wins: ask for offset 1 and a later page, and expect the record at position 2.</summary>
    private static async Task OffsetWinsAsync(CheckRun run, OffsetPagination spec, List<string> sequence, CancellationToken ct)
    {
        var offset = spec.OffsetParameter;
        if (spec.PageParameter is not { } page || sequence.Count < spec.WalkPageSize + 2)
        {
            return;
        }

        var (exchange, body) = await OneCall.SendAsync(run, run.Element.Name, new Dictionary<string, string?>
        {
            [spec.LimitParameter] = spec.WalkPageSize.ToString(CultureInfo.InvariantCulture),
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
