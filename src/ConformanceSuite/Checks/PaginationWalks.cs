using ConformanceSuite.Contracts;

namespace ConformanceSuite.Checks;

/// <summary>
/// The walks a pagination check judges for a scenario: the bounded prefix of the list, and the walk the
/// whole-list checks use (the whole list, or its window) when that is another walk.
/// </summary>
public static class PaginationWalks
{
    public static async Task<IReadOnlyList<ListWalk>> OfAsync(CheckRun run, string scenarioId, WalkMode mode, CancellationToken ct)
    {
        var prefix = await run.Context.Probes.PrefixAsync(scenarioId, mode, ct);
        if (prefix.Broken)
        {
            return [prefix];
        }

        var whole = await run.Context.Probes.WalkAsync(scenarioId, null, ct, mode);
        run.Note(whole.Window is { } window
            ? $"judged on a prefix of {prefix.Pages.Count} pages and on the {window.Describe()}; request budget {run.Context.Probes.Budget.Source}"
            : ReferenceEquals(prefix, whole) && prefix.Complete ? $"judged on the whole list; request budget {run.Context.Probes.Budget.Source}"
            : $"judged on a prefix of {prefix.Pages.Count} pages; request budget {run.Context.Probes.Budget.Source}");

        return ReferenceEquals(prefix, whole) ? [prefix] : [prefix, whole];
    }

    /// <summary>Which walk a finding is about.</summary>
    public static string Subject(ListWalk walk) => walk.Window is not null
        ? $"{ListWalk.Describe(walk.Mode)} walk of the window"
        : walk.Ending == WalkEnding.Bounded ? $"{ListWalk.Describe(walk.Mode)} walk of a prefix" : $"{ListWalk.Describe(walk.Mode)} walk";

    /// <summary>The profile setting that would let a walk stopped by the suite go further.</summary>
    public static string Setting(CheckRun run, ListWalk walk) => walk.Ending switch
    {
        WalkEnding.OverBudget or WalkEnding.Bounded => run.Context.Probes.Budget.Setting,
        _ => $"apis.{run.Contract.Id}.overrides.contract (the endpoint's pagination.maxPages and maxSeconds)",
    };

    /// <summary>
    /// A walk that read no page (the request budget was spent before it began) saw nothing, so the case that asked
    /// for it is not checked (skipped, naming the budget): never a pass on nothing.
    /// </summary>
    public static void RequirePages(CheckRun run, ListWalk walk, string asked)
    {
        if (walk.Pages.Count == 0 && !walk.Broken)
        {
            CheckRun.Skip($"{asked} was not asked for: its walk read no page ({walk.EndingDetail ?? ListWalk.Describe(walk.Ending)})", Setting(run, walk));
        }
    }

    /// <summary>
    /// Fails the first five empty pages of <paramref name="walk"/> that are not its last (a page may be empty only when
    /// it is the last), on the pagination's empty-page basis: any walk of the list, filtered or not.
    /// </summary>
    public static void JudgeEmptyPages(CheckRun run, ListWalk walk, string subject)
    {
        foreach (var page in EarlyEmptyPages(walk).Take(5))
        {
            run.Fail(subject, new PaginationProblem(PaginationIssue.EmptyPage, page.Number, $"page {page.Number} of {walk.Pages.Count} empty"), walk.Spec.EmptyPageBasis ?? walk.Spec.Basis, run.Keep(page.Exchange));
        }
    }

    /// <summary>
    /// A complete cursor walk's last page has its next cursor, null: not absent, and not "" (the walk stops on an empty
    /// cursor as on null, but "" is a cursor of no page). Any walk of the list, filtered or not; nothing for an offset walk.
    /// </summary>
    public static void JudgeLastNext(CheckRun run, ListWalk walk, string subject)
    {
        if (LastNextProblem(walk) is { } detail)
        {
            run.Fail(subject, new PaginationProblem(PaginationIssue.MissingNext, walk.Pages.Count, detail), walk.Spec.Basis, run.Keep(walk.Pages[^1].Exchange));
        }
    }

    /// <summary>
    /// <see cref="JudgeEmptyPages"/> and <see cref="JudgeLastNext"/> for a walk of the list asked another way (filtered),
    /// each when <paramref name="whole"/>, the list as it is, keeps that rule: a provider may break it on such a walk
    /// alone, while the whole list's fault is the pagination requirement's, not said again by every filter.
    /// </summary>
    public static void JudgeOtherWalk(CheckRun run, ListWalk whole, ListWalk walk, string subject)
    {
        if (!EarlyEmptyPages(whole).Any())
        {
            JudgeEmptyPages(run, walk, subject);
        }

        if (LastNextProblem(whole) is null)
        {
            JudgeLastNext(run, walk, subject);
        }
    }

    private static IEnumerable<WalkPage> EarlyEmptyPages(ListWalk walk) =>
        walk.Pages.Take(walk.Complete ? walk.Pages.Count - 1 : walk.Pages.Count).Where(p => p.Count == 0);

    private static string? LastNextProblem(ListWalk walk) =>
        walk.Spec is not CursorPagination spec || !walk.Complete || walk.Pages.Count == 0 ? null
        : !walk.Pages[^1].NextPresent ? $"no {spec.NextPointer} at all"
        : walk.Pages[^1].Next is "" ? $"{spec.NextPointer} = \"\" on page {walk.Pages.Count}, not null"
        : null;

    /// <summary>When no walk reached the list's end, the rules about the end were not checked: the case is checked in part.</summary>
    public static void RequireAnEnd(CheckRun run, IReadOnlyList<ListWalk> walks)
    {
        if (!walks.Any(w => w.Complete || w.Broken))
        {
            run.CheckedInPart($"no walk reached the end of the list ({string.Join("; ", walks.Select(w => w.EndingDetail))}), so how it ends was not checked",
                Setting(run, walks[^1]));
        }
    }
}
