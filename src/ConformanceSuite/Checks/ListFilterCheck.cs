using System.Globalization;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using NJsonSchema;

namespace ConformanceSuite.Checks;

/// <summary>
/// A list filter, for every value it takes: every item on every page matches, and no item of the
/// unfiltered walk that matches is left out. Values come from the parameter's enum or, for filters
/// without one, from the data itself (the median item, or one near it that tells the field from the endpoint's
/// other date fields), so bounds are existing values and strictness or inclusiveness is really tested; a date
/// bound is that item's instant written at another UTC offset.
/// </summary>
public sealed class ListFilterCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "list-filter";

    public string Kind => KindName;

    public IReadOnlyList<Precondition> Preconditions { get; } = [Precondition.CompleteWalk];

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var selected = requirement.Check.SelectedParameters;
        foreach (var p in endpoint.Parameters.Where(p => p.Filter is not null && (selected.Count == 0 || selected.Contains(p.Name))))
        {
            var filter = p.Filter!;
            if (filter is DateRangeFilter range)
            {
                foreach (var value in range.RangeFields.Keys)
                {
                    yield return new CaseElement(p.Name) { Value = value };
                }
            }
            else if (filter is EqualsFilter or PresenceFilter or InFilter && p.Enum.Count > 0)
            {
                foreach (var value in p.Enum)
                {
                    yield return new CaseElement(p.Name) { Value = value };
                }

                if (filter is InFilter && p.Enum.Count > 1)
                {
                    yield return new CaseElement(p.Name) { Value = $"{p.Enum[0]},{p.Enum[1]}" };
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
        var (name, given) = (run.Element.Name, run.Element.Value);
        var parameter = endpoint.Parameter(name);
        var filter = parameter.Filter!;
        var (all, notWalked) = await run.Require.WholeListOrPrefixAsync(scenario, ct);
        var value = given ?? Sample(run, filter, all, parameter)!;
        await JudgeAsync(run, scenario, parameter, value, all, notWalked, ct);
        if (given is null && filter is DateBoundFilter bound && Date(value) is { } at && (bound is AfterFilter ? at.UtcDateTime > DateTime.MinValue.AddSeconds(1) : at.UtcDateTime < DateTime.MaxValue.AddSeconds(-1)))
        {
            // The bound is an item's instant, so a provider that reads it later than it is (its clock time as UTC, not
            // its +05:30 offset; rounded up) leaves out only items just past it, and a sparse list has none there: the
            // item at the bound is excluded either way. A second before it (after the bound for a before filter), the
            // item is inside, written at an offset that moves a misread bound past it (-05:30 for a before filter).
            var after = bound is AfterFilter;
            var near = AtAnotherOffset(at.AddSeconds(after ? -1 : 1).ToUniversalTime(), later: after);
            run.Note($"value {name}={near} too: a second {(after ? "before" : "after")} that bound, so the item at it is inside, at an offset that a provider reading the clock time and not the offset moves past it");
            await JudgeAsync(run, scenario, parameter, near, all, notWalked, ct);
        }

        if (filter is DateRangeFilter range)
        {
            await OneBoundAsync(run, scenario, parameter, range, value, all, notWalked, ct);
        }

        // A keyword searched in several fields but taken from one of them does not show the others are searched: a
        // provider that searches only that one returns the very items expected. A keyword from each other field too.
        if (given is null && filter is ContainsFilter contains)
        {
            foreach (var field in contains.Fields.Where(f => f != filter.Sample))
            {
                if (Sample(run, filter, all, parameter, field) is { } other)
                {
                    await JudgeAsync(run, scenario, parameter, other, all, notWalked, ct);
                }
            }
        }
    }

    /// <summary>One value of the filter: every item the filtered walk returns matches, and none of the unfiltered walk that matches is left out.</summary>
    private static async Task JudgeAsync(CheckRun run, string scenario, ParameterSpec parameter, string value, ListWalk all, Prerequisites.NotWalked? notWalked, CancellationToken ct)
    {
        var filter = parameter.Filter!;
        var (query, test, describe, note) = Build(parameter, filter, value, all);
        if (note is not null)
        {
            run.Note(note);
        }

        await JudgeWalkAsync(run, scenario, parameter, new Asked(query, test, describe, FieldsOf(filter, value), filter.Basis, parameter.Basis, parameter.Name), all, notWalked, ct);
    }

    /// <summary>
    /// A filtered query to judge: what an item must pass (<see cref="Test"/>, shown as <see cref="Describe"/> with its
    /// <see cref="Fields"/>), the basis of a finding about an item at the filter's bound (<see cref="BoundBasis"/>) and of
    /// one about any other item (<see cref="Basis"/>), and what a provider that passes whatever it returns may ignore.
    /// A <see cref="Secondary"/> query is not the case's own (a lone bound, smaller pages): a walk of it that read no page
    /// leaves the case checked in part, not skipped. <see cref="PageSize"/>: the page size its walk asks for, when not the contract's.
    /// <see cref="UnconfinedPages"/>: for a query no window can confine (a date range's bound alone), the most pages its walk,
    /// asked without the window, may take; what it returns from outside the window is judged by the filter only.
    /// </summary>
    private sealed record Asked(Dictionary<string, string> Query, Test Test, string Describe, IReadOnlyList<string> Fields, Basis BoundBasis, Basis Basis, string Ignored,
        bool Secondary = false, int? PageSize = null, int? UnconfinedPages = null);

    /// <summary>
    /// One filtered query, judged on its walk (<see cref="JudgeOneWalkAsync"/>) and, when that walk's items all came on its
    /// first page, on a walk in smaller pages too; then whether the case could tell a provider that ignores the filter at all.
    /// Every filtered query of the check goes through here, so each is judged alike. False when its walk could not be
    /// judged whole (it broke off, or stopped before its end): then no item was looked for in the unfiltered walk.
    /// </summary>
    private static async Task<bool> JudgeWalkAsync(CheckRun run, string scenario, ParameterSpec parameter, Asked asked, ListWalk all, Prerequisites.NotWalked? notWalked, CancellationToken ct)
    {
        if (await JudgeOneWalkAsync(run, scenario, asked, all, notWalked, ct) is not (var filtered, var returned, var expected))
        {
            return false;
        }

        // A provider that applies the filter to the first page alone (a later page's query rebuilt without it) passes
        // every query whose items all fit one page: the same query again in pages of half as many, so that a page after
        // the first holds some. A cursor list's page size is the provider's, so only an offset walk can ask for this.
        // And one that serves pages asked by number by a path that leaves the filter out passes every walk by offset.
        // A case that fails already is not asked again: its verdict cannot change, and its findings would come twice.
        if (filtered.Spec is OffsetPagination offset)
        {
            if (run.Findings.Any(f => f.Aspect == Aspect.Documented))
            {
                run.Note($"{Shown(asked.Query)} was not asked again in smaller pages or by page number: the case fails already");
            }
            else
            {
                if (returned.Count > 1 && filtered.Pages.Skip(1).All(p => p.Count == 0))
                {
                    await JudgeOneWalkAsync(run, scenario, asked with { Secondary = true, PageSize = (returned.Count + 1) / 2 }, all, notWalked, ct);
                }

                await ByNumberAsync(run, scenario, asked, filtered, offset, ct);
            }
        }

        await CountAloneAsync(run, scenario, asked, filtered, ct);
        if (parameter.Filter is ContainsFilter)
        {
            await OtherCaseAsync(run, scenario, parameter, parameter.Filter, asked.Query, returned, ct);
        }

        if (all.Items.Count == 0)
        {
            // Nothing to leave out: a provider that ignores the filter returns the very same nothing.
            run.CheckedInPart($"the {(all.Window is null ? "list" : "window")} is empty, so this case cannot tell a provider that ignores {asked.Ignored} from one that applies it");
        }
        else if (expected == 0)
        {
            // Nothing to return: a provider that takes the value and never matches it (a value it accepts but no item of
            // its ever carries, or one its filter reads otherwise) returns the very same nothing.
            var none = $"no item of the {(all.Window is null ? "list" : "window")} matches {Shown(asked.Query)}, so this case cannot tell a provider whose {parameter.Name} filter matches nothing from one that applies it";
            run.CheckedInPart(none);
        }
        else if (expected == all.Items.Count)
        {
            // Every item matches: a provider that ignores the filter would return the very same items.
            run.CheckedInPart($"every item of the {(all.Window is null ? "list" : "window")} matches {Shown(asked.Query)}, "
                + $"so this case cannot tell a provider that ignores {asked.Ignored} from one that applies it");
        }

        return true;
    }

    /// <summary>
    /// The first page of a filtered query asked for by page number (where the endpoint takes one): each of its items must
    /// match as the offset walk's do. Only that: which records the page holds, against the offset walk's, is the pagination
    /// requirement's (a page base or a page size wrong for every list), so a fault there is not said again by every filter.
    /// </summary>
    private static async Task ByNumberAsync(CheckRun run, string scenario, Asked asked, ListWalk walk, OffsetPagination offset, CancellationToken ct)
    {
        if (offset.PageParameter is not { } pageParameter)
        {
            return;
        }

        var shown = $"{Shown(asked.Query)}&{pageParameter}={offset.PageBase}";
        var page = await ListWalk.RunAsync(run.Contract, run.Context.Http, run.Context.Requests, run.Context.Values, scenario, new Dictionary<string, string>(walk.Query, StringComparer.Ordinal),
            WalkMode.Page, new WalkLimits(run.Context.Probes.Budget, Pages: 1), walk.Window, ct);
        if (page.Broken || page.Pages.Count == 0)
        {
            run.Note($"{shown}: no page to judge ({page.EndingDetail ?? ListWalk.Describe(page.Ending)}); a page asked by number with the filter was not checked");
            return;
        }

        FailUnmatched(run, shown, page, asked.Test, asked.Describe, asked.Fields, asked.BoundBasis, asked.Basis);
    }

    /// <summary>
    /// The total of a filtered query asked for alone (the count flag true, the list flag false), against the records its
    /// walk returned: a provider that counts by another path when no list is asked for (a count of the whole table)
    /// passes every walk, whose pages carry the list's total. On the filtered total's basis (A-CSL-23 where assumed).
    /// </summary>
    private static async Task CountAloneAsync(CheckRun run, string scenario, Asked asked, ListWalk walk, CancellationToken ct)
    {
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        if (walk.Spec is not OffsetPagination { TotalPointer: { } pointer } offset
            || endpoint.Parameters.FirstOrDefault(p => p.Controls?.Member == pointer) is not { } count
            || endpoint.Parameters.FirstOrDefault(p => p.Controls?.Member == offset.ItemsPointer) is not { } list)
        {
            return;
        }

        var changes = walk.Query.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal);
        (changes[count.Name], changes[list.Name]) = ("true", "false");
        var shown = $"{Shown(asked.Query)}&{count.Name}=true&{list.Name}=false";
        var (exchange, body) = await OneCall.SendAsync(run, scenario, changes, $"the total alone of {shown}", ct);
        if (OneCall.Require(run, endpoint, exchange, body, shown) is not { } json)
        {
            return;
        }

        if (JsonPointer.Read(json, pointer) is not JsonValue value || !value.TryGetValue<long>(out var total))
        {
            run.Note($"{shown}: no number at {pointer}, so the total asked for alone was not compared (the flag's own requirement judges its member)");
        }
        else if (total != walk.ItemCount)
        {
            run.Fail(shown, new PaginationProblem(PaginationIssue.TotalMismatch, 1, $"{walk.ItemCount} records walked with {Shown(asked.Query)}, {total} reported as its total when asked for alone"),
                offset.FilteredTotalBasis ?? offset.Basis, run.Keep(exchange));
        }
    }

    /// <summary>
    /// The walk of one filtered query, judged: its items (schema, and the test), its pages (a repeated id, an empty page
    /// before the last, a reported total against the walk), and against the unfiltered walk (none that matches is left
    /// out, none is one the list does not hold). The walk, the ids it returned and how many items of the unfiltered
    /// walk match, when it got that far; null when it could not tell whether any is missing.
    /// </summary>
    private static async Task<(ListWalk Walk, HashSet<string> Returned, int Expected)?> JudgeOneWalkAsync(CheckRun run, string scenario, Asked asked, ListWalk all, Prerequisites.NotWalked? notWalked,
        CancellationToken ct)
    {
        var (query, test, basis) = (asked.Query, asked.Test, asked.Basis);
        run.Note($"asked: {Shown(query)}{(asked.PageSize is { } size ? $", in pages of {size}" : "")}");

        if (await WalkAsync(run, scenario, query, basis, ct, asked.PageSize, asked.UnconfinedPages) is not (var filtered, var shown))
        {
            return null;
        }

        // A walk asked without the window (a lone bound, a range on another field) reaches records outside it.
        var unconfined = all.Window is { } window && (asked.UnconfinedPages is not null || window.LeftBy(query)) ? window : null;
        PageItemsSchemaCheck.JudgeOtherWalk(run, run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint), all, filtered, shown, unconfined);

        if (!asked.Secondary)
        {
            PaginationWalks.RequirePages(run, filtered, shown);
        }

        FailUnmatched(run, shown, filtered, test, asked.Describe, asked.Fields, asked.BoundBasis, basis);

        // A filtered walk is a walk of the list too: a cursor that goes back (or a page that repeats an item) on it
        // returns each matching item, but not once. The first repeat is shown (the pagination checks show more).
        if (filtered.Duplicates.Count > 0)
        {
            var (id, first, page) = filtered.Duplicates[0];
            var more = filtered.DuplicateCount > 1 ? $"; {filtered.DuplicateCount} repeated ids in all" : "";
            run.Fail(shown, new PaginationProblem(PaginationIssue.DuplicateId, page, $"'{id}' on page {first} and again on page {page}{more}"), filtered.Spec.Basis,
                run.Keep(filtered.Pages[page - 1].Exchange));
        }

        // And an empty page before its last, or a last page whose next is not null, which a walk of the list as it is
        // may not have either (when it has, that is the pagination requirement's).
        PaginationWalks.JudgeOtherWalk(run, all, filtered, shown);

        // A total the body reports counts what the query selects: a total of the whole list, whatever the filter, passes
        // every item above (a walk ends on its short page, not on the total) and tells a client the wrong page count.
        if (filtered.Complete && filtered.Total is { } total && total != filtered.ItemCount && filtered.Spec is OffsetPagination offset)
        {
            run.Fail(shown, new PaginationProblem(PaginationIssue.TotalMismatch, filtered.Pages.Count,
                    $"{filtered.ItemCount} records walked with {shown}, {total} reported as its total{(all.Total == total ? $" (the total of the {(all.Window is null ? "unfiltered walk" : "window's walk")})" : "")}"),
                offset.FilteredTotalBasis ?? offset.Basis, run.Keep(filtered.Pages[0].Exchange));
        }

        if (notWalked is not null)
        {
            run.CheckedInPart($"the items the filter returned were checked, but not that none is missing: {notWalked.What}", notWalked.Setting);
            return null;
        }

        if (!filtered.Complete || filtered.ItemsTruncated)
        {
            var stopped = $"the walk of {shown} stopped before its end ({StoppedAt(filtered)}): the items it returned were checked, but not that none is missing";
            if (asked.UnconfinedPages is not null && !filtered.ItemsTruncated)
            {
                // A query asked without the window may reach past it, over much of the list (the end alone, or the start in
                // a list whose first pages do not hold its newest items), where no window bounds it: what its walk did not
                // reach is said in a note. A walk that kept fewer items than it saw leaves the case checked in part, as anywhere.
                run.Note($"{stopped}, as a walk outside the window");
            }
            else
            {
                run.CheckedInPart(stopped, PaginationWalks.Setting(run, filtered));
            }

            return null;
        }

        var returned = filtered.Ids.ToHashSet(StringComparer.Ordinal);
        var expected = all.Items.Where(i => test(i).Matches).ToList();
        var missing = expected.Where(i => !returned.Contains(i.Id)).ToList();
        if (missing.Count > 0)
        {
            run.Fail(shown, new MissingItems(expected.Count, missing.Count, missing[0].Id, all.Window is null ? "matching items of the unfiltered walk" : "matching items of the window's walk"),
                missing.All(i => test(i).AtBound) ? asked.BoundBasis : basis, run.Keep(filtered.Pages[0].Exchange));
        }

        // And nothing the list itself does not hold: an item only a filter returns is one the unfiltered walk skipped
        // (or one the filter made up), so the filter's "all of them" was measured against a list short of it.
        // A filter that moves the endpoint's one date range to another field, or gives it one bound alone, walks the whole
        // list, not the window: what it returns from outside the window is judged by the filter only (above), not looked
        // for in the window.
        var walked = all.Ids.ToHashSet(StringComparer.Ordinal);
        var extra = filtered.Items.Where(i => !walked.Contains(i.Id) && (unconfined is null || unconfined.Holds(Date(i.Text(unconfined.Field))))).ToList();
        if (unconfined is not null)
        {
            var outside = filtered.Items.Count(i => !unconfined.Holds(Date(i.Text(unconfined.Field))));
            run.Note((asked.UnconfinedPages is not null
                    ? $"{shown} is asked without the window, whose range on {unconfined.Field} a lone bound would change: "
                    : $"{shown} replaces the window's date range ({unconfined.Selector!.Value.Parameter}={unconfined.Selector.Value.Value}), the one range the endpoint takes: ")
                + (outside == 1 ? "1 item it returned lies outside the window and was" : $"{outside} items it returned lie outside the window and were") + " checked against the filter only");
        }

        if (extra.Count > 0)
        {
            run.Fail(shown, new ExtraItems(extra.Count, $"only items the {(all.Window is null ? "unfiltered walk" : "window's walk")} returned too", extra[0].Id),
                basis, run.Keep(filtered.Pages[extra[0].Page - 1].Exchange));
        }

        run.Note($"{shown}: {returned.Count} items over {filtered.Pages.Count} pages; {expected.Count} expected from the {(all.Window is null ? "unfiltered walk" : "window's walk")}");
        return (filtered, returned, expected.Count);
    }

    /// <summary>
    /// Fails the first five items of <paramref name="walk"/> that <paramref name="test"/> does not match, each showing its
    /// <paramref name="fields"/>: on <paramref name="boundBasis"/> when it is at the filter's bound, else on <paramref name="basis"/>.
    /// How many did not match, when more, goes into a note.
    /// </summary>
    private static void FailUnmatched(CheckRun run, string shown, ListWalk walk, Test test, string describe, IReadOnlyList<string> fields, Basis boundBasis, Basis basis)
    {
        var wrong = 0;
        foreach (var item in walk.Items)
        {
            var (matches, atBound) = test(item);
            if (!matches && ++wrong <= 5)
            {
                var got = string.Join(", ", fields.Select(f => $"{f} = {item.Text(f) ?? "absent"}"));
                run.Fail(shown, new UnexpectedItem(item.Page, item.Id, describe, got), atBound ? boundBasis : basis, run.Keep(walk.Pages[item.Page - 1].Exchange));
            }
        }

        if (wrong > 5)
        {
            run.Note($"{wrong} items of {shown} did not match in all; the first 5 are shown");
        }
    }

    /// <summary>
    /// A date range given one bound alone: the start without the end, then the end without the start, each bounding its
    /// own side only (A-CSL-24 where the docs give the two only as a range). A provider that ignores a lone bound, or
    /// reads it as the other one, passes every range given both. The start is near the first quartile and the end near
    /// the third, so records lie on both sides of each, written at another UTC offset as the range's bounds are. Each
    /// walk is judged as a range's is (its total, repeated ids, items the list does not hold, ...): a provider may serve
    /// a lone bound by another path than a range. A finding about the lone bound's meaning rests on its own basis; one
    /// at the bound itself, on the range's (its inclusiveness); the others, on their own rules'.
    /// </summary>
    private static async Task OneBoundAsync(CheckRun run, string scenario, ParameterSpec parameter, DateRangeFilter range, string value, ListWalk all,
        Prerequisites.NotWalked? notWalked, CancellationToken ct)
    {
        if (notWalked is not null)
        {
            run.Note("a range given one bound alone was not tried: the unfiltered walk is not complete");
            return;
        }

        var field = FieldsOf(range, value)[0];
        var dates = all.Items.Select(i => (Text: i.Text(field), Date: Date(i.Text(field)))).Where(x => x.Date is not null).OrderBy(x => x.Date).ToList();
        if (dates.Count < 2)
        {
            run.Note($"a range given one bound alone was not tried: fewer than two items of the unfiltered walk have a date at {field}");
            return;
        }

        // In a window, each bound alone is walked without the window, in at most the window's pages and two more: the
        // window's items on the bound's side must all come back, and what comes from outside the window is judged by the
        // bound only. The window reaches past the newest item of the list's first pages, so where those hold the newest of
        // all, the start's walk on the window's own field ends within the window (on another field, a record created
        // before the window and changed since comes too). The end's reaches past the window's start, over the whole list
        // before it: its walk stops at its bound, having judged the records it returned (a provider that ignores the lone
        // end, or reads it as a start, returns records after it on its first pages), and says what it did not check.
        foreach (var fromStart in new[] { true, false })
        {
            var (text, bound) = dates[fromStart ? dates.Count / 4 : dates.Count * 3 / 4];
            var alone = fromStart ? range.StartParameter : range.EndParameter;
            var query = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [parameter.Name] = value,
                [alone] = AtAnotherOffset(bound!.Value, later: fromStart),
            };
            Test test = item => (Date(item.Text(field)) is { } at && (fromStart ? at >= bound : at <= bound), Date(item.Text(field)) == bound);
            var asked = new Asked(query, test, $"{field} {(fromStart ? ">=" : "<=")} {text}", [field], range.Basis, range.OneBoundBasis ?? range.Basis, $"{alone} alone", Secondary: true,
                UnconfinedPages: all.Window is null ? null : all.Pages.Count + 2);
            if (!await JudgeWalkAsync(run, scenario, parameter, asked, all, notWalked: null, ct))
            {
                continue; // nothing was looked for, so how far the data reaches says nothing
            }

            // The data reaches only so far past the bound: a provider that closes the range itself (a default span after a
            // lone start) returns the very same records when it closes it beyond the farthest one.
            var reach = fromStart ? dates[^1].Date!.Value - bound.Value : bound.Value - dates[0].Date!.Value;
            run.Note($"{alone} alone was judged on records up to {reach.TotalDays.ToString("0.##", CultureInfo.InvariantCulture)} days {(fromStart ? "after" : "before")} it: "
                + "a provider that closes the range itself at least that far away returns the same records");
        }
    }

    /// <summary>
    /// A contains filter matches whatever the case (A-CSL-12), but its keyword comes from the data in the data's own
    /// case, so a provider matching case-sensitively returns the very items expected: the same keyword in the other
    /// case must return them too. The rule is the filter's (an assumption where the docs do not say).
    /// </summary>
    private static async Task OtherCaseAsync(CheckRun run, string scenario, ParameterSpec parameter, FilterSpec filter, Dictionary<string, string> query, HashSet<string> returned, CancellationToken ct)
    {
        var value = query[parameter.Name];
        var other = value.ToUpperInvariant() is var upper && upper != value ? upper : value.ToLowerInvariant();
        if (other == value)
        {
            run.Note($"{parameter.Name}={value} has no letters: the keyword in another case was not tried");
            return;
        }

        var otherQuery = new Dictionary<string, string>(query, StringComparer.Ordinal) { [parameter.Name] = other };
        if (await WalkAsync(run, scenario, otherQuery, filter.Basis, ct) is not (var walk, var shown))
        {
            return;
        }

        if (!walk.Complete || walk.ItemsTruncated)
        {
            run.CheckedInPart($"the walk of {shown} stopped before its end ({StoppedAt(walk)}): that the keyword matches in another case was not checked",
                PaginationWalks.Setting(run, walk));
            return;
        }

        var found = walk.Ids.ToHashSet(StringComparer.Ordinal);
        var lost = returned.Where(id => !found.Contains(id)).ToList();
        if (lost.Count > 0)
        {
            run.Fail(shown, new MissingItems(returned.Count, lost.Count, lost[0], $"items {parameter.Name}={value} returns (the same keyword in another case)"), filter.Basis,
                run.Keep(walk.Pages[0].Exchange));
        }
    }

    /// <summary>
    /// A filtered walk (in pages of <paramref name="pageSize"/> when given), with its query as findings show it; null, a
    /// finding made, when the walk broke off.
    /// </summary>
    internal static async Task<(ListWalk Walk, string Shown)?> WalkAsync(CheckRun run, string scenario, Dictionary<string, string> query, Basis basis, CancellationToken ct, int? pageSize = null,
        int? unconfinedPages = null)
    {
        var walk = await run.Context.Probes.WalkAsync(scenario, query, ct, pageSize: pageSize, unconfinedPages: unconfinedPages);
        var shown = Shown(query) + (pageSize is { } size && walk.Spec is OffsetPagination offset ? $"&{offset.LimitParameter}={size}" : "");
        if (!walk.Broken)
        {
            return (walk, shown);
        }

        run.Fail(shown, walk.Failure ?? new PaginationProblem(PaginationIssue.BrokenOff, walk.Pages.Count, walk.EndingDetail ?? ListWalk.Describe(walk.Ending)), basis,
            run.Keep(walk.FailedExchange ?? walk.Pages[^1].Exchange));
        return null;
    }

    /// <summary>A query as notes and findings show it.</summary>
    internal static string Shown(IReadOnlyDictionary<string, string> query) => string.Join("&", query.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>Why a walk that did not break off stopped before its end.</summary>
    internal static string StoppedAt(ListWalk walk) => walk.EndingDetail ?? $"more than {walk.Items.Count} items";

    /// <summary>A value to filter by, taken from the data (the median item), when the parameter has no enum.</summary>
    /// <remarks><paramref name="from"/> names another field to take it from (a searched field beside the sample); null when no item has a value there.</remarks>
    private static string? Sample(CheckRun run, FilterSpec filter, ListWalk all, ParameterSpec parameter, string? from = null)
    {
        var pointer = from ?? filter.Sample ?? (filter as FieldFilter)?.Field
            ?? throw new ConfigurationException($"parameter '{parameter.Name}': a '{filter.Kind}' filter without an enum needs a sample pointer to take values from");
        var values = all.Items.Select(i => i.Text(pointer)).OfType<string>().ToList();
        if (values.Count == 0)
        {
            if (from is not null)
            {
                run.Note($"no item of the unfiltered walk has a value at {pointer}: {parameter.Name} was not tried with a keyword from it");
                return null;
            }

            CheckRun.Skip($"no item of the unfiltered walk has a value at {pointer} to filter {parameter.Name} by");
        }

        if (filter is EqualsFilter)
        {
            return Exact(run, parameter, pointer, values);
        }

        if (filter is AtLeastFilter)
        {
            // Only a number can be a bound: a provider's value that is none ("12 messages") is not taken.
            values = [.. values.Where(v => Number(v) is not null).OrderBy(Number)];
            if (values.Count == 0)
            {
                CheckRun.Skip($"no item of the unfiltered walk has a number at {pointer} to filter {parameter.Name} by");
            }
        }
        else if (filter is DateBoundFilter)
        {
            // Only a date can be a bound: a provider's value that is none (a number of seconds, a date out of range) is not taken.
            values = [.. values.Where(v => IsoDates.Parse(v) is not null).OrderBy(v => IsoDates.Parse(v))];
            if (values.Count == 0)
            {
                CheckRun.Skip($"no item of the unfiltered walk has a date at {pointer} to filter {parameter.Name} by");
            }
        }

        var value = filter is DateBoundFilter bound ? DateBound(run, parameter, bound, all, values) : values[values.Count / 2];
        if (filter is ContainsFilter && value.Length > 3)
        {
            value = value[1..^1]; // a true substring, not the whole value
        }

        if (filter is DateBoundFilter && IsoDates.Parse(value) is { } instant)
        {
            // The same instant at another UTC offset than the item's: a provider that compares the text, or reads the
            // bound's clock time and not its offset, then lets the wrong items through or leaves the right ones out.
            var taken = value;
            value = AtAnotherOffset(instant);
            run.Note($"value {parameter.Name}={value}, the {pointer} of {(taken == values[values.Count / 2] ? "the median item" : "an item")} of the unfiltered walk ({taken}) at another UTC offset");
            return value;
        }

        run.Note($"value {parameter.Name}={value}, taken from {pointer} of the median item of the unfiltered walk");
        return value;
    }

    /// <summary>
    /// The bound of a date filter, from its field's <paramref name="values"/> (sorted): the one nearest the median (of the
    /// 64 nearest) that some item not at it has on one side by the filter's field and on the other by each other date
    /// field the endpoint's filters read, with items on both sides of it, so that a provider that applies the filter to
    /// another field (updated_after to created_at) returns other items; the median's otherwise, and a note that this
    /// case cannot tell those fields apart. By the median alone, two dates a short while apart put the same items on
    /// each side of it, and the wrong field passed whole.
    /// </summary>
    private static string DateBound(CheckRun run, ParameterSpec parameter, DateBoundFilter filter, ListWalk all, List<string> values)
    {
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(run.Binding.Scenarios[0]).Endpoint);
        var others = endpoint.Parameters.SelectMany(p => p.Filter switch
        {
            DateBoundFilter d => [d.Field],
            DateRangeFilter r => r.RangeFields.Values,
            _ => Enumerable.Empty<string>(),
        }).Where(f => f != filter.Field).Distinct(StringComparer.Ordinal).ToList();
        var median = values.Count / 2;
        if (others.Count == 0)
        {
            return values[median];
        }

        var rows = all.Items.Select(i => (At: Date(i.Text(filter.Field)), Others: others.Select(o => Date(i.Text(o))).ToArray())).Where(r => r.At is not null).ToList();
        var after = filter is AfterFilter;
        bool Inside(DateTimeOffset? date, DateTimeOffset bound) => date is { } d && (after ? d > bound : d < bound);
        for (var step = 0; step < Math.Min(values.Count, 64); step++)
        {
            var k = median + ((step + 1) / 2 * (step % 2 == 0 ? 1 : -1));
            if (k < 0 || k >= values.Count || IsoDates.Parse(values[k]) is not { } bound)
            {
                continue;
            }

            // Items at the bound are judged by the filter's strictness: they tell nothing of the field.
            var off = rows.Where(r => r.At != bound).ToList();
            if (off.Any(r => Inside(r.At, bound)) && off.Any(r => !Inside(r.At, bound))
                && Enumerable.Range(0, others.Count).All(o => off.Any(r => Inside(r.At, bound) != Inside(r.Others[o], bound))))
            {
                return values[k];
            }
        }

        run.Note($"no value of {filter.Field} in the unfiltered walk has items on either side of it by {filter.Field} and by {string.Join(" or ", others)} at once, so this case cannot tell a filter on {filter.Field} from one on {string.Join(" or ", others)}");
        return values[median];
    }

    /// <summary>
    /// A value of an equality filter: one that begins or ends another value of the data when there is one, so that a
    /// provider matching a prefix, a suffix or a substring returns items an exact match does not; the median item's
    /// otherwise, and a note that this case cannot tell those from an exact match.
    /// </summary>
    private static string Exact(CheckRun run, ParameterSpec parameter, string pointer, List<string> values)
    {
        // Sorted, a value that begins others comes just before the first of them (the same, reversed, for ends).
        var distinct = values.Distinct(StringComparer.Ordinal).ToList();
        var forwards = distinct.Order(StringComparer.Ordinal).ToList();
        var backwards = distinct.Select(Reversed).Order(StringComparer.Ordinal).ToList();
        var begins = Enumerable.Range(0, Math.Max(0, forwards.Count - 1)).Where(i => forwards[i + 1].StartsWith(forwards[i], StringComparison.Ordinal)).Select(i => forwards[i]);
        var ends = Enumerable.Range(0, Math.Max(0, backwards.Count - 1)).Where(i => backwards[i + 1].StartsWith(backwards[i], StringComparison.Ordinal)).Select(i => Reversed(backwards[i]));
        if (begins.Concat(ends).FirstOrDefault() is { } part)
        {
            var wider = values.Where(v => v != part && (v.StartsWith(part, StringComparison.Ordinal) || v.EndsWith(part, StringComparison.Ordinal))).ToList();
            run.Note($"value {parameter.Name}={part}, taken from {pointer} of the unfiltered walk because it begins or ends the value of {wider.Count} other items (such as {wider[0]}): a prefix or substring match returns them too");
            return part;
        }

        var value = values[values.Count / 2];
        run.Note($"value {parameter.Name}={value}, taken from {pointer} of the median item of the unfiltered walk; no value at {pointer} begins or ends another, so this case cannot tell an exact match from a prefix or substring match");
        return value;
    }

    private static string Reversed(string text) => string.Create(text.Length, text, (span, s) =>
    {
        s.AsSpan().CopyTo(span);
        span.Reverse();
    });

    /// <summary>
    /// An instant written at +05:30 (<paramref name="later"/>: its clock later than in UTC) or at -05:30 when its own
    /// offset is zero (the other one on the first and last days of the calendar, whose clock at that offset would be
    /// in year 0 or 10000), in UTC (Z) otherwise; fractions of a second kept.
    /// </summary>
    private static string AtAnotherOffset(DateTimeOffset instant, bool later = true)
    {
        if (instant.Offset != TimeSpan.Zero)
        {
            return instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
        }

        var utc = instant.UtcDateTime;
        var ahead = later ? utc < DateTime.MaxValue.AddDays(-1) : utc <= DateTime.MinValue.AddDays(1);
        return instant.ToOffset(ahead ? new TimeSpan(5, 30, 0) : new TimeSpan(-5, -30, 0)).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
    }

    /// <summary>The fields an item is judged on: the filtered field, the searched ones, or the one a date range's selector names.</summary>
    /// <summary>The item fields a filter given <paramref name="value"/> reads, as findings show them.</summary>
    internal static IReadOnlyList<string> FieldsOf(FilterSpec filter, string value) => filter switch
    {
        FieldFilter f => [f.Field],
        ContainsFilter c => c.Fields,
        DateRangeFilter r when r.RangeFields.TryGetValue(value, out var field) => [field],
        _ => [],
    };

    private delegate (bool Matches, bool AtBound) Test(WalkItem item);

    /// <summary>Whether an item matches filter parameter <paramref name="p"/> given <paramref name="value"/> (an item at a strict bound does not).</summary>
    internal static Func<WalkItem, bool> Matcher(ParameterSpec p, string value, ListWalk all)
    {
        var test = Build(p, p.Filter!, value, all).Test;
        return item => test(item).Matches;
    }

    private static (Dictionary<string, string> Query, Test Test, string Describe, string? Note) Build(ParameterSpec p, FilterSpec filter, string value, ListWalk all)
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal) { [p.Name] = value };
        switch (filter)
        {
            case EqualsFilter f:
                return (query, item => (item.Text(f.Field) == value, false), $"{f.Field} = {value}", null);
            case PresenceFilter f:
                return (query, item => (item.Present(f.Field) == (value == "true"), false),
                    value == "true" ? $"{f.Field} present" : $"no {f.Field}", null);
            case InFilter f:
                var set = value.Split(',').ToHashSet(StringComparer.Ordinal);
                return (query, item => (item.Text(f.Field) is { } v && set.Contains(v), false), $"{f.Field} in [{value}]", null);
            case AtLeastFilter f:
                var min = Number(value) ?? throw new ConfigurationException($"parameter '{p.Name}': the value '{value}' is not a number to filter {f.Field} by");
                return (query, item => (Number(item.Text(f.Field)) is { } n && n >= min, false),
                    $"{f.Field} >= {value}", null);
            case ContainsFilter f:
                return (query, item => (f.Fields.Any(x => item.Text(x)?.Contains(value, StringComparison.OrdinalIgnoreCase) == true), false),
                    $"'{value}' in {string.Join(" or ", f.Fields)}", null);
            case DateBoundFilter f:
                var bound = Date(value)!.Value;
                var after = f is AfterFilter;
                return (query, item =>
                {
                    if (Date(item.Text(f.Field)) is not { } at)
                    {
                        return (false, false);
                    }

                    var c = at.CompareTo(bound);
                    return c == 0 ? (!f.Strict, true) : ((after ? c > 0 : c < 0), false);
                }, $"{f.Field} {(after ? ">" : "<")}{(f.Strict ? "" : "=")} {value}", null);
            case DateRangeFilter f:
                var field = FieldsOf(f, value)[0];
                var dates = all.Items.Select(i => (Text: i.Text(field), Date: Date(i.Text(field))))
                    .Where(x => x.Date is not null).OrderBy(x => x.Date).ToList();
                if (dates.Count == 0)
                {
                    CheckRun.Skip($"no item of the unfiltered walk has a date at {field}");
                }

                var (si, ei, note) = RangeBounds(f, field, dates.Select(d => d.Date!.Value).ToList(), all);
                var (start, end) = (dates[si], dates[ei]);
                // Each bound is its item's instant at another UTC offset, the start's clock later and the end's earlier: a
                // provider that compares the text, or reads a bound's clock time and not its offset, leaves out the
                // items at the bounds (the data's own text would read the same either way).
                query[f.StartParameter] = AtAnotherOffset(start.Date!.Value, later: true);
                query[f.EndParameter] = AtAnotherOffset(end.Date!.Value, later: false);
                return (query, item =>
                {
                    if (Date(item.Text(field)) is not { } at)
                    {
                        return (false, false);
                    }

                    var edge = at == start.Date || at == end.Date;
                    return (at >= start.Date && at <= end.Date, edge);
                }, $"{start.Text} <= {field} <= {end.Text}", note);
            default:
                throw new InvalidOperationException($"the list filter check does not know the filter type {filter.GetType().Name}");
        }
    }

    private static DateTimeOffset? Date(string? text) => IsoDates.Parse(text);

    /// <summary>
    /// The bounds of a date range on <paramref name="field"/>, as indexes into its <paramref name="dates"/> (sorted): the
    /// pair nearest the quartiles (of the 16 nearest each) such that, for each other field the range can apply to, some
    /// item at neither bound is inside the range by one field and outside by the other; so a provider that applies the
    /// range to another field than the one dateRangeField names returns other items away from the bounds too, not only
    /// at them (where their absence reads as an exclusive bound). The quartiles otherwise, with a note.
    /// </summary>
    private static (int Start, int End, string? Note) RangeBounds(DateRangeFilter filter, string field, List<DateTimeOffset> dates, ListWalk all)
    {
        var (q1, q3) = (dates.Count / 4, dates.Count * 3 / 4);
        var others = filter.RangeFields.Values.Where(o => o != field).Distinct(StringComparer.Ordinal).ToList();
        if (others.Count == 0)
        {
            return (q1, q3, null);
        }

        var rows = all.Items.Select(i => (At: Date(i.Text(field)), Others: others.Select(o => Date(i.Text(o))).ToArray())).Where(r => r.At is not null).ToList();
        static int Near(int middle, int step) => middle + ((step + 1) / 2 * (step % 2 == 0 ? 1 : -1));
        for (var a = 0; a < 16; a++)
        {
            for (var b = 0; b < 16; b++)
            {
                var (s, e) = (Near(q1, a), Near(q3, b));
                if (s < 0 || e >= dates.Count || s > e)
                {
                    continue;
                }

                var (start, end) = (dates[s], dates[e]);
                bool Inside(DateTimeOffset? d) => d is { } x && x >= start && x <= end;
                var off = rows.Where(r => r.At != start && r.At != end).ToList();
                if (Enumerable.Range(0, others.Count).All(o => off.Any(r => Inside(r.At) != Inside(r.Others[o]))))
                {
                    return (s, e, null);
                }
            }
        }

        return (q1, q3, $"no bounds near the quartiles of {field} put an item at neither bound on either side by {field} and by {string.Join(" or ", others)} at once, so this case cannot tell a range on {field} from one on {string.Join(" or ", others)} but at the bounds");
    }

    private static double? Number(string? text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;
}
