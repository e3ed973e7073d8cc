using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;
using NJsonSchema;

namespace ConformanceSuite.Checks;

/// <summary>The sort parameter, for each example: the walk comes back in that order, and nothing is dropped.</summary>
public sealed class SortOrderCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "sort-order";

    public string Kind => KindName;

    public IReadOnlyList<Precondition> Preconditions { get; } = [Precondition.CompleteWalk];

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var p = endpoint.Parameter(requirement.Check.Parameter ?? endpoint.Parameters.FirstOrDefault(x => x.Sort is not null)?.Name
            ?? throw new ConfigurationException($"{requirement.Id}: no sort parameter"));
        return p.Examples.Select(e => new CaseElement(p.Name) { Value = e });
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var (name, given) = (run.Element.Name, run.Element.Value);
        var p = endpoint.Parameter(name);
        var value = given!;
        var sort = p.Sort!;
        var names = new List<string>();
        var keys = value.Split(',').Select(k =>
        {
            var desc = k.StartsWith(sort.DescPrefix, StringComparison.Ordinal);
            var name = desc ? k[sort.DescPrefix.Length..] : k.StartsWith(sort.AscPrefix, StringComparison.Ordinal) ? k[sort.AscPrefix.Length..] : k;
            var field = sort.Fields.TryGetValue(name, out var f) ? f : throw new ConfigurationException($"sort example '{k}' names no sort field");
            names.Add(name);
            return (Field: field, Desc: desc, Type: TypeOf(run.Contract, endpoint, field));
        }).ToList();
        var all = await run.Require.CompleteWalkAsync(scenario, ct);
        var sorted = await run.Context.Probes.WalkAsync(scenario, new Dictionary<string, string> { [p.Name] = value }, ct);
        if (FailedBroken(run, $"{p.Name}={value}", sorted, p.Basis))
        {
            return;
        }

        PaginationWalks.RequirePages(run, sorted, $"{p.Name}={value}");
        PageItemsSchemaCheck.JudgeOtherWalk(run, endpoint, all, sorted, $"{p.Name}={value}");

        JudgeOrder(run, $"{p.Name}={value}", sorted, keys, "", sort);
        if (sort.TextOrderBasis is not null && keys.Any(k => k.Type == SortValue.Text) && !CaseChangesOrder(all, keys))
        {
            // A pass here says nothing of how text is compared: the data cannot show it.
            run.Note($"no two records of the list change places when text is compared whatever its case (every {string.Join(" and ", keys.Where(k => k.Type == SortValue.Text).Select(k => k.Field))} is written alike), "
                + "so this case cannot tell a provider that sorts text ignoring case from one that sorts it in ordinal order");
        }

        if (!sorted.Complete || sorted.ItemsTruncated)
        {
            run.CheckedInPart($"the sorted walk stopped before its end ({sorted.EndingDetail ?? $"more than {sorted.Items.Count} records"}): the order of what came was checked, not that nothing is missing",
                PaginationWalks.Setting(run, sorted));
            return;
        }

        var missing = all.ItemCount - sorted.ItemCount;
        if (missing != 0)
        {
            run.Fail($"{p.Name}={value}", new CountMismatch("records (as the unsorted walk has)", CountRelation.Exactly, all.ItemCount, sorted.ItemCount), p.Basis, run.Keep(sorted.Pages[0].Exchange));
        }

        // The right number in the right order can still be the wrong records: a sort without a stable tie-break cuts
        // a run of equal keys differently on each page, so a walk sees some records twice and others never.
        foreach (var (id, first, page) in sorted.Duplicates.Take(3))
        {
            run.Fail($"{p.Name}={value}", new PaginationProblem(PaginationIssue.DuplicateId, page, $"'{id}' on page {first} and again on page {page}"), p.Basis, run.Keep(sorted.Pages[page - 1].Exchange));
        }

        var walked = sorted.Ids.ToHashSet(StringComparer.Ordinal);
        var lost = all.Items.Where(i => !walked.Contains(i.Id)).ToList();
        if (lost.Count > 0)
        {
            run.Fail($"{p.Name}={value}", new MissingItems(all.ItemCount, lost.Count, lost[0].Id, "records of the unsorted walk"), p.Basis, run.Keep(sorted.Pages[0].Exchange));
        }

        run.Note($"{sorted.Items.Count} records in {sorted.Pages.Count} pages checked in order");
        // The keys' values of the unsorted walk, read once (the items a walk keeps on disk are not held), for a sort of two
        // fields or more: a field after the first is judged by the ties it orders.
        List<string?[]> rows = keys.Count < 2 ? [] : [.. all.Items.Select(i => keys.Select(k => i.Text(k.Field)).ToArray())];
        if (rows.Count >= 2)
        {
            await MirrorsAsync(run, scenario, p, sort, rows, keys, names, value, (walk, subject) => PageItemsSchemaCheck.JudgeOtherWalk(run, endpoint, all, walk, subject), ct);
        }

        if (all.Items.Count < 2)
        {
            // One record, or none, is in every order: a provider that ignores the sort returns the very same list.
            run.CheckedInPart($"the list holds {all.Items.Count} record{(all.Items.Count == 1 ? "" : "s")}, so this case cannot tell a provider that ignores {p.Name} from one that sorts");
        }
        else if (Neighbours(all.Items).All(n => Compare(n.Before, n.Item, keys) <= 0))
        {
            // The list comes in this order unasked: a provider that ignores the sort would pass this case too.
            run.CheckedInPart($"the unsorted list already comes in the order {p.Name}={value} asks for, so this case cannot tell a provider that ignores {p.Name} from one that sorts; the examples in the opposite order can");
        }
        else if (UnexercisedKey(rows, keys.Count) is { } unused)
        {
            // A field after the first orders only the records that tie on the fields before it: with no such tie, a
            // provider that ignores it returns the very same order.
            run.CheckedInPart($"no two records tie on {string.Join(", then ", keys.Take(unused).Select(k => k.Field))} with different values of {keys[unused].Field}, so this case cannot tell a provider that ignores {Describe(keys[unused])} from one that applies it");
        }
    }

    /// <summary>
    /// Each field after the first that orders something in the data, asked the other way too (the fields before it as
    /// they are): whatever order a provider that ignores that field, or its direction, gives the ties, it is right for
    /// one direction only, so this case does not rest on the examples asking both.
    /// </summary>
    private static async Task MirrorsAsync(CheckRun run, string scenario, ParameterSpec p, SortSpec sort, List<string?[]> rows,
        List<(string Field, bool Desc, SortValue Type)> keys, List<string> names, string value, Action<ListWalk, string> validate, CancellationToken ct)
    {
        for (var j = 1; j < keys.Count; j++)
        {
            if (!Orders(rows, j))
            {
                continue;
            }

            var flipped = keys.Select((k, i) => i == j ? k with { Desc = !k.Desc } : k).ToList();
            var mirror = string.Join(",", flipped.Select((k, i) => (k.Desc ? sort.DescPrefix : sort.AscPrefix) + names[i]));
            var walk = await run.Context.Probes.WalkAsync(scenario, new Dictionary<string, string> { [p.Name] = mirror }, ct);
            if (FailedBroken(run, $"{p.Name}={mirror}", walk, p.Basis))
            {
                continue;
            }

            if (walk.Pages.Count == 0)
            {
                run.CheckedInPart($"{p.Name}={mirror} ({names[j]} the other way) was not asked for: its walk read no page ({walk.EndingDetail})", PaginationWalks.Setting(run, walk));
                continue;
            }

            validate(walk, $"{p.Name}={mirror}"); // its pages against the body schema, as the case's own sorted walk
            JudgeOrder(run, $"{p.Name}={mirror}", walk, flipped, $" (asked by this case: {value} with {names[j]} the other way)", sort);
            run.Note($"also asked {p.Name}={mirror} ({names[j]} the other way): {walk.Items.Count} records checked in order");
        }
    }

    /// <summary>A sorted walk the provider broke (a cycle, an endless list, an unreadable page) fails the case: true when it did.</summary>
    private static bool FailedBroken(CheckRun run, string asked, ListWalk walk, Basis? basis)
    {
        if (walk.Broken)
        {
            run.Fail(asked, walk.Failure ?? new PaginationProblem(PaginationIssue.NoEnd, walk.Pages.Count, walk.EndingDetail!), basis, run.Keep(walk.FailedExchange ?? walk.Pages[^1].Exchange));
        }

        return walk.Broken;
    }

    /// <summary>
    /// Fails the first five neighbours of a sorted walk that come out of the order <paramref name="keys"/> ask for. A pair
    /// in order when text is compared whatever its case (ana before Bruno) breaks the text order's rule, ordinal, which
    /// may be an assumption where the sort itself is documented (A-CSL-18).
    /// </summary>
    private static void JudgeOrder(CheckRun run, string asked, ListWalk walk, List<(string Field, bool Desc, SortValue Type)> keys, string why, SortSpec sort)
    {
        var wrong = 0;
        foreach (var (i, before, item) in Neighbours(walk.Items))
        {
            if (Compare(before, item, keys) > 0 && ++wrong <= 5)
            {
                var caseOnly = Compare(before, item, keys, StringComparison.OrdinalIgnoreCase) <= 0;
                run.Fail(asked, new OrderViolation(i, string.Join(", then ", keys.Select(Describe)) + why, $"{Show(before, keys)} before {Show(item, keys)}"),
                    caseOnly ? sort.TextOrderBasis ?? sort.Basis : sort.Basis, run.Keep(walk.Pages[item.Page - 1].Exchange));
            }
        }
    }

    /// <summary>True when some two rows tie on their first <paramref name="used"/> keys with different values of the next.</summary>
    private static bool Orders(List<string?[]> rows, int used) =>
        rows.GroupBy(r => string.Join("\u0000", r.Take(used).Select(v => v ?? "\u0001")), StringComparer.Ordinal)
            .Any(group => group.Select(r => r[used]).Distinct(StringComparer.Ordinal).Skip(1).Any());

    private static string Describe((string Field, bool Desc, SortValue Type) key) => $"{key.Field} {(key.Desc ? "descending" : "ascending")}";

    /// <summary>
    /// The first sort key after the first that orders nothing in the data: no two items tie on the keys before it with
    /// different values of it. Null when every key has such a tie. (Whatever order a provider that ignores the key gives
    /// the ties, it is right for one direction of the key only: the examples ask for both.)
    /// </summary>
    private static int? UnexercisedKey(List<string?[]> rows, int keyCount)
    {
        for (var used = 1; used < keyCount; used++)
        {
            if (!Orders(rows, used))
            {
                return used;
            }
        }

        return null;
    }

    /// <summary>Each item but the first, with its place and the item before it: one pass, so items a walk keeps on disk are read once.</summary>
    private static IEnumerable<(int Index, WalkItem Before, WalkItem Item)> Neighbours(IEnumerable<WalkItem> items)
    {
        WalkItem? before = null;
        var i = 0;
        foreach (var item in items)
        {
            if (before is not null)
            {
                yield return (i, before, item);
            }

            before = item;
            i++;
        }
    }

    /// <summary>
    /// Whether a sort that compares text ignoring case would put two records of <paramref name="all"/> the other way round
    /// from the ordinal order <paramref name="keys"/> ask for: in ordinal order, some neighbour after another that
    /// ignoring case comes before it. (Records tied ignoring case may come either way, so they show nothing.)
    /// </summary>
    private static bool CaseChangesOrder(ListWalk all, List<(string Field, bool Desc, SortValue Type)> keys)
    {
        var ordered = all.Items.ToList();
        ordered.Sort((a, b) => Compare(a, b, keys));
        return ordered.Zip(ordered.Skip(1)).Any(pair => Compare(pair.First, pair.Second, keys, StringComparison.OrdinalIgnoreCase) > 0);
    }

    private static int Compare(WalkItem a, WalkItem b, List<(string Field, bool Desc, SortValue Type)> keys, StringComparison text = StringComparison.Ordinal)
    {
        foreach (var (field, desc, type) in keys)
        {
            var c = CompareValues(a.Text(field), b.Text(field), type, text);
            if (c != 0)
            {
                return desc ? -c : c;
            }
        }

        return 0;
    }

    /// <summary>How a sort field's values compare: as the item schema types the field; by what they look like when it does not say.</summary>
    private enum SortValue
    {
        Unknown,
        Date,
        Number,
        Text,
    }

    /// <summary>The type the item schema gives the top-level field at <paramref name="pointer"/>.</summary>
    private static SortValue TypeOf(ApiContract contract, EndpointSpec endpoint, string pointer)
    {
        var tokens = JsonPointer.Tokens(pointer);
        if (tokens.Length != 1 || endpoint.Success.ItemSchema is not { } name || !contract.BodySchemas.TryGetValue(name, out var schema)
            || !schema.ActualSchema.ActualProperties.TryGetValue(tokens[0], out var property))
        {
            return SortValue.Unknown;
        }

        var actual = property.ActualSchema;
        return actual.Format == "date-time" ? SortValue.Date
            : actual.Type.HasFlag(JsonObjectType.Integer) || actual.Type.HasFlag(JsonObjectType.Number) ? SortValue.Number
            : actual.Type.HasFlag(JsonObjectType.String) ? SortValue.Text
            : SortValue.Unknown;
    }

    private static int CompareValues(string? a, string? b, SortValue type, StringComparison text = StringComparison.Ordinal)
    {
        // A string field sorts as text (A-CSL-18: name in ordinal order) even when its values look like numbers or dates.
        if (type is SortValue.Unknown or SortValue.Date && a is not null && (type == SortValue.Date || a.Contains('T', StringComparison.Ordinal))
            && IsoDates.Parse(a) is { } da && IsoDates.Parse(b) is { } db)
        {
            return da.CompareTo(db);
        }

        if (type is SortValue.Unknown or SortValue.Number
            && double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var na) && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var nb))
        {
            return na.CompareTo(nb);
        }

        return string.Compare(a, b, text);
    }

    private static string Show(WalkItem item, List<(string Field, bool Desc, SortValue Type)> keys) =>
        "(" + string.Join(", ", keys.Select(k => $"{k.Field}={item.Text(k.Field)}")) + ")";
}
