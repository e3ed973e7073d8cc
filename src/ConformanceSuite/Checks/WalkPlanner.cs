using System.Globalization;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.Checks;

/// <summary>
/// How a scenario's list is certified: a bounded prefix of it (pagination invariants hold there too), and,
/// when the whole list does not fit the request budget, the window the whole-list checks are confined to.
/// </summary>
/// <param name="Prefix">The first pages of the list, up to the prefix bound (the whole list when it is short).</param>
/// <param name="Window">The window, when one was needed and found.</param>
/// <param name="Unwalkable">Why the whole-list checks cannot be done within the budget; null when they can.</param>
public sealed record WalkPlan(ListWalk Prefix, WalkWindow? Window, string? Unwalkable)
{
    public string Describe(RequestBudget budget) =>
        (Window is { } w ? $"the {w.Describe()}"
            : Prefix.Complete ? $"the whole list ({Prefix.ItemCount.ToString(CultureInfo.InvariantCulture)} items in {Prefix.Pages.Count} pages)"
            : $"a prefix of {Prefix.Pages.Count} pages only: {Unwalkable}")
        + $"; request budget {budget.Source}";
}

/// <summary>
/// Chooses a scenario's window: walks a bounded prefix; when the list ends there and the whole-list checks fit
/// the budget, no window; otherwise a window on a date field the list filters by both ways (after and before),
/// sized from the dates the prefix saw so the checks' estimated requests fit the scenario's share of the
/// budget, and narrowed until a walk of it ends within its page bound.
/// </summary>
internal static class WalkPlanner
{
    private const int Attempts = 6;

    /// <summary>True when the endpoint's list is paged by number as well as by offset (a page parameter).</summary>
    public static bool PagedByNumber(EndpointSpec endpoint) => endpoint.Pagination is OffsetPagination { PageParameter: not null };

    /// <summary>The pages of a prefix: a twentieth of the budget, at least 2, at most the contract's page bound.</summary>
    public static int PrefixPages(RequestBudget budget, PaginationSpec spec) =>
        budget.Limit == int.MaxValue ? spec.MaxPages : Math.Clamp(budget.Limit / 20, 2, spec.MaxPages);

    public static async Task<WalkPlan> PlanAsync(Probes probes, string scenarioId, CancellationToken ct)
    {
        var contract = probes.Contract;
        var endpoint = contract.Endpoint(contract.Scenario(scenarioId).Endpoint);
        var spec = endpoint.Pagination!;
        var budget = probes.Budget;
        var mode = probes.DefaultMode(scenarioId);
        var startSpent = budget.Spent;
        var prefix = await probes.PrefixAsync(scenarioId, mode, ct);
        if (prefix.Broken)
        {
            return new WalkPlan(prefix, null, null); // the checks judge the broken walk itself
        }

        var pageSize = Math.Max(1, prefix.Pages.Count == 0 ? 1 : prefix.Pages.Max(p => p.Count));
        var cost = Cost.Of(endpoint, probes.TriedParameters(scenarioId), probes.FetchesItems(scenarioId), probes.FilterPairs(scenarioId), probes.WalksByPage(scenarioId) ? PrefixPages(budget, spec) : null, pageSize);
        var share = Math.Min(probes.ShareOf(scenarioId), budget.Remaining + (budget.Spent - startSpent));
        if (prefix.Complete && cost.For(prefix.ItemCount) <= share)
        {
            return new WalkPlan(prefix, null, null);
        }

        var why = prefix.Complete
            ? $"the whole list ({prefix.ItemCount.ToString(CultureInfo.InvariantCulture)} items) would need some {cost.For(prefix.ItemCount).ToString(CultureInfo.InvariantCulture)} requests, more than this list's share of the budget ({share.ToString(CultureInfo.InvariantCulture)})"
            : $"the list goes on past a prefix of {prefix.Pages.Count} pages ({prefix.ItemCount.ToString(CultureInfo.InvariantCulture)} items)";
        if (Pair(endpoint, contract.Scenario(scenarioId)) is not { } pair)
        {
            return new WalkPlan(prefix, null, prefix.Complete ? null : $"{why}, and the endpoint has no pair of after/before date filters on one field, nor a date range, to confine the checks to a window");
        }

        var dates = prefix.Items.Select(i => IsoDates.Parse(i.Text(pair.Field))).OfType<DateTimeOffset>().ToList();
        if (dates.Count == 0)
        {
            return new WalkPlan(prefix, null, $"{why}, and no item of the prefix has a date at {pair.Field} to place a window");
        }

        // In UTC: the window is written in UTC, and a date near the ends of the calendar at an offset has no room on its clock.
        var newest = dates.Max().ToUniversalTime();
        var span = Math.Max(60, (newest - dates.Min()).TotalSeconds);
        var density = dates.Count / span;
        var seconds = 0.0;
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            // Never more items than a walk keeps (the contract's pagination.maxItems): the checks need them all.
            var target = Math.Min(cost.ItemsWithin(share - (budget.Spent - startSpent)), spec.MaxItems);
            if (target < 2)
            {
                return new WalkPlan(prefix, null, $"{why}, and the budget left ({budget.Remaining.ToString(CultureInfo.InvariantCulture)} requests) cannot cover a window of even two items");
            }

            // The first window aims a little short of the budget's items, as the prefix's dates only estimate its density.
            // (It aimed at 0.6 when the estimate of the requests left out most of the filter pairs' walks: at 60 sessions
            // a window of 13 items, too few for two of the pairs to find items that tell a provider combining them from
            // one applying either alone.)
            seconds = seconds == 0 ? target * 0.8 / density : seconds;
            var before = Shifted(newest, 1);
            var after = Shifted(before, -Math.Max(1, Math.Round(seconds)));
            var window = new WalkWindow(pair.Field, pair.After, pair.Before, Iso(after), Iso(before))
            {
                Selector = pair.Selector,
                Reason = $"{why}; sized for about {target.ToString(CultureInfo.InvariantCulture)} items to fit the request budget (attempt {attempt.ToString(CultureInfo.InvariantCulture)} of {Attempts.ToString(CultureInfo.InvariantCulture)})",
            };
            var bound = (int)Math.Ceiling(target / (double)pageSize) + 1;
            var spentBefore = budget.Spent - startSpent;
            var walk = await probes.WalkWithinAsync(scenarioId, window.Query, mode, new WalkLimits(budget, bound, StopAbove: bound * pageSize), window, ct);
            if (walk.Broken)
            {
                return new WalkPlan(prefix, window, null); // the checks judge it
            }

            // An item outside the window, in a walk that ended or one stopped at its bound alike, shows the filters do
            // not confine the list: no narrowing would help, and the rest of the budget is left to the checks (the
            // filter's own check judges it).
            if (walk.Items.FirstOrDefault(i => !window.Holds(IsoDates.Parse(i.Text(pair.Field)))) is { } outside)
            {
                return new WalkPlan(prefix, null,
                    $"{why}, and the window's own filters let through an item outside it ('{outside.Id}', {pair.Field} = {outside.Text(pair.Field) ?? "absent"}, on page {outside.Page} of {window.AfterParameter}={window.After}&{window.BeforeParameter}={window.Before}), so the list cannot be confined to a window");
            }

            if (walk.Complete)
            {
                // The checks judge the window as the list: a window that holds less than the prefix saw in it (an empty
                // one above all) would let them pass on the items the provider chose to show.
                if (!walk.ItemsTruncated && Missing(prefix, walk, window) is { } missing)
                {
                    return new WalkPlan(prefix, null,
                        $"{why}, and the window's own filters left out an item inside it ('{missing.Id}', {pair.Field} = {missing.Text(pair.Field)}, on page {missing.Page} of the prefix; {window.AfterParameter}={window.After}&{window.BeforeParameter}={window.Before} returned {walk.ItemCount.ToString(CultureInfo.InvariantCulture)} items), so the list cannot be confined to a window");
                }

                if (walk.ItemCount == 0)
                {
                    if (attempt < Attempts)
                    {
                        seconds *= 8; // nothing there: widen
                        continue;
                    }

                    return new WalkPlan(prefix, null, $"{why}, and every window tried was empty, the last {window.AfterParameter}={window.After}&{window.BeforeParameter}={window.Before}");
                }

                // The walk may end a page or two past the items it was sized for (its bound is in pages): a window whose
                // checks would need more than the share left is narrowed, so they do not run out of budget on it (at
                // 2,000 sessions and a budget of 100, the get by id ran last and fetched 27 of the window's 30 items).
                // The last attempt's window is taken as it is: its checks judge what the budget lets them, and say so.
                if (cost.For(walk.ItemCount) > share - spentBefore && attempt < Attempts)
                {
                    seconds *= Math.Clamp(0.9 * target / walk.ItemCount, 0.05, 0.9);
                    continue;
                }

                return new WalkPlan(prefix, window, null);
            }

            if (walk.Ending != WalkEnding.Bounded)
            {
                return new WalkPlan(prefix, null, $"{why}, and no window fitted: {walk.EndingDetail}");
            }

            // A walk stopped at its bound saw only that many items; a list that reports its total says how many the
            // window holds, so the next one is sized from that (a list not in date order makes the first guess far off).
            seconds *= walk.Total is { } total && total > walk.ItemCount
                ? Math.Clamp(0.6 * target / total, 1e-6, 0.5)
                : Math.Clamp(0.5 * target / Math.Max(1, walk.ItemCount), 0.05, 0.5);
        }

        return new WalkPlan(prefix, null, $"{why}, and no window small enough was found in {Attempts} attempts");
    }

    /// <summary>An item of the prefix dated inside the window that a complete walk of the window did not return; null when there is none.</summary>
    private static WalkItem? Missing(ListWalk prefix, ListWalk walk, WalkWindow window)
    {
        var returned = walk.Ids.ToHashSet(StringComparer.Ordinal);
        return prefix.Items.FirstOrDefault(i => window.Holds(IsoDates.Parse(i.Text(window.Field))) && !returned.Contains(i.Id));
    }

    /// <summary>
    /// A UTC instant moved by some seconds, stopped at the ends of the calendar: a provider's date may be
    /// 9999-12-31T23:59:59Z or year 1, and a window widened from it may reach past either.
    /// </summary>
    private static DateTimeOffset Shifted(DateTimeOffset at, double seconds)
    {
        var ticks = seconds * TimeSpan.TicksPerSecond;
        return ticks >= DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks ? DateTimeOffset.MaxValue
            : ticks <= DateTimeOffset.MinValue.UtcTicks - at.UtcTicks ? DateTimeOffset.MinValue
            : at.AddTicks((long)ticks);
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record WindowPair(string Field, string After, string Before, (string Parameter, string Value)? Selector = null);

    /// <summary>
    /// An after and a before filter on the same date field, neither fixed by the scenario; else a date range on a
    /// field a parameter names (its first field), none of its three parameters fixed by the scenario.
    /// </summary>
    private static WindowPair? Pair(EndpointSpec endpoint, Scenario scenario)
    {
        var fixedNames = scenario.Query.Keys.ToHashSet(StringComparer.Ordinal);
        var afters = endpoint.Parameters.Where(p => p.Filter is AfterFilter && !fixedNames.Contains(p.Name)).ToList();
        foreach (var a in afters)
        {
            var field = ((AfterFilter)a.Filter!).Field;
            if (endpoint.Parameters.FirstOrDefault(p => p.Filter is BeforeFilter b && b.Field == field && !fixedNames.Contains(p.Name)) is { } b)
            {
                return new WindowPair(field, a.Name, b.Name);
            }
        }

        return endpoint.Parameters
            .Where(p => p.Filter is DateRangeFilter r && r.RangeFields.Count > 0 && !fixedNames.Overlaps([p.Name, r.StartParameter, r.EndParameter]))
            .Select(p => (p.Name, Range: (DateRangeFilter)p.Filter!))
            .Select(p => p.Range.RangeFields.First() is var (name, field) ? new WindowPair(field, p.Range.StartParameter, p.Range.EndParameter, (p.Name, name)) : null)
            .FirstOrDefault();
    }

    /// <summary>
    /// The requests the whole-list checks of an endpoint are estimated to need for a list of n items: the walk of
    /// it and one walk per filter and sort (each a share of the pages, plus a page for each value tried), a walk and a
    /// quarter and a page for each pair of filters given together, and one fetch per item where there is a get by id.
    /// A list that is paged by number too is walked that way as well (a prefix and the whole list or its window), and
    /// each filter value's first page is asked for by number; a date range is walked on each of its fields with each
    /// bound alone as well as with both. Only the filters and sorts the run tries count.
    /// </summary>
    private sealed record Cost(double PerItem, int Overhead)
    {
        public static Cost Of(EndpointSpec endpoint, IReadOnlySet<string> tried, bool withGet, int filterPairs, int? pagePrefix, int pageSize)
        {
            // A pair walks each filter alone, at the value it chose (a date halfway between two items' dates, which no
            // filter check walks), then both: mostly a half, a half and a quarter of the list, and a last page of its
            // own. (Counted as a page a pair, the estimate fell short: in an OpenCX window of 485 items, its 8 pairs
            // walked some 6 windows' worth of pages, and the get by id, last, ran out of budget.)
            var walks = 1 + 1.25 * filterPairs + (pagePrefix is null ? 0 : 1);
            var values = 3 + filterPairs + (pagePrefix ?? 0);
            // Each value tried has its first page asked for by number as well, where the list is paged by number.
            var perValue = PagedByNumber(endpoint) ? 2 : 1;
            foreach (var p in endpoint.Parameters.Where(p => tried.Contains(p.Name)))
            {
                if (p.Filter is not null)
                {
                    // A date range's fields each take a walk with the range, and the whole list one with each bound
                    // alone: some two walks a field. (Counted as one walk for them all, and with no walk by page
                    // number, the estimate for chat-session-list's 100 sessions was 272 requests, within the list's
                    // share (285 of 300); the walks took 296, and the last filter walk found the budget spent.)
                    var rangeFields = (p.Filter as DateRangeFilter)?.RangeFields.Count;
                    walks += rangeFields is { } fields ? 2 * fields : 1;
                    values += perValue * (rangeFields ?? (p.Enum.Count > 0 ? p.Enum.Count + 1 : 1));
                }

                if (p.Sort is not null)
                {
                    walks += p.Examples.Count;
                    values += p.Examples.Count;
                }
            }

            return new Cost((withGet ? 1 : 0) + walks / (double)pageSize, values);
        }

        public int For(long items) => (int)Math.Ceiling(items * PerItem) + Overhead;

        public int ItemsWithin(int requests) => (int)Math.Floor((requests - Overhead) / PerItem);
    }
}
