using System.Globalization;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.Checks;

/// <summary>
/// Filters given together: the list returns the items that each of them returns alone, and no other (they combine as
/// AND). A provider that applies one filter of several (the first it reads, the last) or either of them (OR) passes
/// every filter given alone; only two together tell. Each case is a pair: each filter the binding names (the endpoint's
/// filters, in the contract's order, when it names none) with the next one. A name may come again, so the list can pair a
/// filter with others than its neighbours: two lower date bounds, say, which a provider that keeps one bound per side
/// (whatever field each names) applies only one of. The provider's own walks of each filter alone are the measure, so a
/// filter that is wrong alone is its own requirement's, not this one's.
/// </summary>
public sealed class FilterCombinationCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "filter-combination";

    /// <summary>The most items of the unfiltered walk the values of a pair are chosen on (a choice, not a judgement).</summary>
    private const int MaxSample = 5000;

    public string Kind => KindName;

    public IReadOnlyList<Precondition> Preconditions { get; } = [Precondition.CompleteWalk];

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var selected = requirement.Check.SelectedParameters;
        var names = selected.Count > 0 ? selected : [.. endpoint.Parameters.Where(p => p.Filter is not null).Select(p => p.Name)];
        foreach (var name in names)
        {
            if (endpoint.Parameter(name).Filter is null)
            {
                throw new ConfigurationException($"{contract.Id} {requirement.Id}: a '{KindName}' check combines filters, and parameter '{name}' is none");
            }
        }

        var pairs = new HashSet<(string, string)>();
        for (var i = 0; i + 1 < names.Count; i++)
        {
            var (a, b) = (names[i], names[i + 1]);
            if (a == b || !pairs.Add(string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a)))
            {
                throw new ConfigurationException($"{contract.Id} {requirement.Id}: a '{KindName}' check pairs each filter with the next, and {a} with {b} {(a == b ? "is a filter with itself" : "comes twice")}");
            }

            yield return new CaseElement($"{a}+{b}");
        }
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var names = run.Element.Name.Split('+');
        var (p, q) = (endpoint.Parameter(names[0]), endpoint.Parameter(names[1]));
        var (all, _) = await run.Require.WholeListOrPrefixAsync(scenario, ct);
        var sample = all.Items.Take(MaxSample).ToList();
        var (a, b) = Choose(run, p, q, all, sample);
        var basis = run.Requirement.Source;

        var alone = new Dictionary<string, string>(StringComparer.Ordinal) { [p.Name] = a };
        var other = new Dictionary<string, string>(StringComparer.Ordinal) { [q.Name] = b };
        var both = new Dictionary<string, string>(StringComparer.Ordinal) { [p.Name] = a, [q.Name] = b };
        run.Note($"asked: {ListFilterCheck.Shown(both)}, and each of the two alone");
        if (await ListFilterCheck.WalkAsync(run, scenario, alone, basis, ct) is not (var first, var firstShown)
            || await ListFilterCheck.WalkAsync(run, scenario, other, basis, ct) is not (var second, var secondShown)
            || await ListFilterCheck.WalkAsync(run, scenario, both, basis, ct) is not (var together, var shown))
        {
            return;
        }

        if (new[] { first, second, together }.FirstOrDefault(w => !w.Complete || w.ItemsTruncated) is { } stopped)
        {
            run.CheckedInPart($"the walk of {ListFilterCheck.Shown(stopped.Query)} stopped before its end ({ListFilterCheck.StoppedAt(stopped)}): the filters together were not compared with each alone",
                PaginationWalks.Setting(run, stopped));
            return;
        }

        var byFirst = first.Ids.ToHashSet(StringComparer.Ordinal);
        var bySecond = second.Ids.ToHashSet(StringComparer.Ordinal);
        var expected = byFirst.Where(bySecond.Contains).ToHashSet(StringComparer.Ordinal);
        var fields = new[] { (p, a), (q, b) }.SelectMany(x => ListFilterCheck.FieldsOf(x.Item1.Filter!, x.Item2)).Distinct(StringComparer.Ordinal).ToList();
        var describe = $"only items both {firstShown} and {secondShown} return alone";
        var wrong = 0;
        foreach (var item in together.Items.Where(i => !expected.Contains(i.Id)))
        {
            if (++wrong <= 5)
            {
                var lacking = string.Join(" and ", new[] { (byFirst, firstShown), (bySecond, secondShown) }.Where(x => !x.Item1.Contains(item.Id)).Select(x => x.Item2));
                var got = $"an item {lacking} alone does not return ({string.Join(", ", fields.Select(f => $"{f} = {item.Text(f) ?? "absent"}"))})";
                run.Fail(shown, new UnexpectedItem(item.Page, item.Id, describe, got), basis, run.Keep(together.Pages[item.Page - 1].Exchange));
            }
        }

        if (wrong > 5)
        {
            run.Note($"{wrong} items of {shown} are not returned by both filters alone; the first 5 are shown");
        }

        var returned = together.Ids.ToHashSet(StringComparer.Ordinal);
        var missing = expected.Where(id => !returned.Contains(id)).ToList();
        if (missing.Count > 0)
        {
            run.Fail(shown, new MissingItems(expected.Count, missing.Count, missing[0], $"items both {firstShown} and {secondShown} return alone"), basis,
                run.Keep(together.Pages[0].Exchange));
        }

        run.Note($"{returned.Count} items with {shown}; {byFirst.Count} with {firstShown} alone, {bySecond.Count} with {secondShown} alone, {expected.Count} with both");
        if (expected.Count == 0 || expected.Count == byFirst.Count || expected.Count == bySecond.Count)
        {
            // One filter's items all among the other's: applying that one alone gives the very items expected.
            var cannot = expected.Count == 0
                ? $"no item is returned by both {firstShown} and {secondShown} alone, so this case cannot tell a provider that combines them from one that returns nothing for two filters"
                : $"every item {(expected.Count == byFirst.Count ? firstShown : secondShown)} returns alone is returned by {(expected.Count == byFirst.Count ? secondShown : firstShown)} alone too, so this case cannot tell a provider that applies only one of them from one that combines them";
            run.CheckedInPart(cannot);
        }
    }

    /// <summary>
    /// A value of each filter such that, in the unfiltered walk, some item matches both, some the first alone and some
    /// the second alone (the most of the fewest of the three): then a provider that applies only one of them, or either
    /// of them, returns other items than one that applies both. Values from the parameter's enum; for a date bound, a
    /// date halfway between two neighbouring dates of its field, so no item lies at the bound and the bound's own
    /// strictness (its filter's requirement) plays no part.
    /// </summary>
    private static (string A, string B) Choose(CheckRun run, ParameterSpec p, ParameterSpec q, ListWalk all, List<WalkItem> sample)
    {
        var first = Candidates(p, all, sample);
        var second = Candidates(q, all, sample);
        var best = (A: first[0].Value, B: second[0].Value, Score: -1, Counts: (Both: 0, First: 0, Second: 0));
        foreach (var (a, matchA) in first)
        {
            foreach (var (b, matchB) in second)
            {
                var (both, onlyA, onlyB) = (0, 0, 0);
                for (var i = 0; i < sample.Count; i++)
                {
                    both += matchA[i] && matchB[i] ? 1 : 0;
                    onlyA += matchA[i] && !matchB[i] ? 1 : 0;
                    onlyB += !matchA[i] && matchB[i] ? 1 : 0;
                }

                var score = Math.Min(both, Math.Min(onlyA, onlyB));
                if (score > best.Score)
                {
                    best = (a, b, score, (both, onlyA, onlyB));
                }
            }
        }

        run.Note(string.Create(CultureInfo.InvariantCulture,
            $"values {p.Name}={best.A} and {q.Name}={best.B}: of {sample.Count} items of the unfiltered walk, {best.Counts.Both} match both, {best.Counts.First} the first alone, {best.Counts.Second} the second alone"));
        return (best.A, best.B);
    }

    /// <summary>The values a filter is tried with, each with which items of <paramref name="sample"/> it matches.</summary>
    private static List<(string Value, bool[] Matches)> Candidates(ParameterSpec p, ListWalk all, List<WalkItem> sample)
    {
        IEnumerable<string> values;
        if (p.Filter is DateBoundFilter date)
        {
            var dates = sample.Select(i => IsoDates.Parse(i.Text(date.Field))).OfType<DateTimeOffset>().Select(d => d.UtcTicks).Distinct().Order().ToList();
            var ticks = Enumerable.Range(1, 7).Select(j => dates.Count * j / 8).Where(k => k >= 1 && k < dates.Count).Distinct()
                .Select(k => dates[k - 1] + ((dates[k] - dates[k - 1]) / 2)).Where(t => !dates.Contains(t)).ToList();
            if (ticks.Count == 0 && dates.Count > 0)
            {
                // One date alone (or none between two): a second before the first and after the last, still no item at a bound.
                ticks = [.. new[] { dates[0] - TimeSpan.TicksPerSecond, dates[^1] + TimeSpan.TicksPerSecond }.Where(t => t > DateTime.MinValue.Ticks && t < DateTime.MaxValue.Ticks)];
            }

            values = ticks.Select(t => new DateTime(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
        }
        else if (p.Filter is EqualsFilter or PresenceFilter or InFilter && p.Enum.Count > 0)
        {
            values = p.Enum;
        }
        else
        {
            values = [];
            CheckRun.Skip($"{p.Name} is a '{p.Filter!.Kind}' filter without an enum: this check takes a filter's values from its enum or, for a date bound, from the dates of the data");
        }

        var result = values.Select(v => (v, ListFilterCheck.Matcher(p, v, all) is var matches ? sample.Select(matches).ToArray() : [])).ToList();
        if (result.Count == 0)
        {
            CheckRun.Skip($"no item of the unfiltered walk has a date at {((DateBoundFilter)p.Filter!).Field} to put a bound of {p.Name} near");
        }

        return result;
    }
}
