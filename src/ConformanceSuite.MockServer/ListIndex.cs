using System.Globalization;

namespace ConformanceSuite.MockServer;

/// <summary>
/// One filter of a request over a list mock's items, by position: how many items it can match at most (the size
/// of its candidate set), its candidates in ascending position order (built only when it drives a scan), and an
/// O(1) test of one item.
/// </summary>
internal sealed record Constraint(int Count, Func<int, bool> Test, Func<ReadOnlyMemory<int>> Candidates);

/// <summary>
/// The indexes of a list mock's items, built once per data set (and fault set): each filter's value → ascending
/// positions, presence lists, and date or number fields sorted with binary search. A request scans only the
/// candidates of its most selective filter, from a position on, and stops as soon as it has what it needs.
/// </summary>
internal static class ListIndex
{
    /// <summary>
    /// The positions, from <paramref name="start"/> on and in ascending order, that every constraint accepts, at
    /// most <paramref name="want"/> of them; and how many positions were looked at.
    /// </summary>
    public static (List<int> Found, int Examined) Scan(int count, IReadOnlyList<Constraint> constraints, int start, int want)
    {
        var found = new List<int>(Math.Min(want, 1024));
        var examined = 0;
        start = Math.Clamp(start, 0, count);
        if (constraints.Count == 0)
        {
            for (var p = start; p < count && found.Count < want; p++)
            {
                examined++;
                found.Add(p);
            }

            return (found, examined);
        }

        var driver = constraints.MinBy(c => c.Count)!;
        var others = constraints.Where(c => !ReferenceEquals(c, driver)).ToArray();
        var candidates = driver.Candidates().Span;
        for (var i = LowerBound(candidates, start); i < candidates.Length && found.Count < want; i++)
        {
            var p = candidates[i];
            examined++;
            if (Accepts(others, p))
            {
                found.Add(p);
            }
        }

        return (found, examined);
    }

    private static bool Accepts(Constraint[] constraints, int position)
    {
        foreach (var c in constraints)
        {
            if (!c.Test(position))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The first index whose value is ≥ <paramref name="value"/> (the length when none is).</summary>
    public static int LowerBound(ReadOnlySpan<int> sorted, int value)
    {
        var (lo, hi) = (0, sorted.Length);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The first index whose key is ≥ (or, <paramref name="orEqual"/> false, &gt;) <paramref name="key"/>.</summary>
    public static int Bound<T>(T[] sortedKeys, T key, bool orEqual)
        where T : IComparable<T>
    {
        var (lo, hi) = (0, sortedKeys.Length);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = sortedKeys[mid].CompareTo(key);
            if (c < 0 || (c == 0 && !orEqual))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Ascending lists merged into one ascending list without repeats: pairwise merges, O(total · log lists).</summary>
    public static ReadOnlyMemory<int> Union(IReadOnlyList<ReadOnlyMemory<int>> lists)
    {
        var merged = lists.Where(l => l.Length > 0).ToList();
        if (merged.Count == 0)
        {
            return ReadOnlyMemory<int>.Empty;
        }

        while (merged.Count > 1)
        {
            var next = new List<ReadOnlyMemory<int>>((merged.Count + 1) / 2);
            for (var i = 0; i + 1 < merged.Count; i += 2)
            {
                next.Add(Merge(merged[i].Span, merged[i + 1].Span));
            }

            if (merged.Count % 2 == 1)
            {
                next.Add(merged[^1]);
            }

            merged = next;
        }

        return merged[0];
    }

    private static ReadOnlyMemory<int> Merge(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var result = new int[a.Length + b.Length];
        var (i, j, n) = (0, 0, 0);
        while (i < a.Length || j < b.Length)
        {
            var take = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i++] : b[j++];
            if (n == 0 || result[n - 1] != take)
            {
                result[n++] = take;
            }
        }

        return result.AsMemory(0, n);
    }
}

/// <summary>
/// The values of one field: each distinct value's id, the value id of each position, and each value's ascending
/// positions (all in one array, value after value, so a field of unique values costs no object per item).
/// </summary>
internal sealed class ValueIndex
{
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);
    private readonly List<string> values = [];
    private readonly int[] valueOf;
    private readonly int[] starts;
    private readonly int[] positions;

    public ValueIndex(MockItems items, string pointer)
    {
        valueOf = new int[items.Count];
        var counts = new List<int>();
        for (var p = 0; p < items.Count; p++)
        {
            var text = items.Text(p, pointer);
            if (text is null)
            {
                valueOf[p] = -1;
                continue;
            }

            if (!ids.TryGetValue(text, out var id))
            {
                ids[text] = id = values.Count;
                values.Add(text);
                counts.Add(0);
            }

            valueOf[p] = id;
            counts[id]++;
        }

        // Each value's run starts where the runs before it end; positions go in ascending, so each run is sorted.
        starts = new int[values.Count + 1];
        for (var id = 0; id < values.Count; id++)
        {
            starts[id + 1] = starts[id] + counts[id];
        }

        positions = new int[starts[^1]];
        var next = starts[..^1];
        for (var p = 0; p < valueOf.Length; p++)
        {
            if (valueOf[p] >= 0)
            {
                positions[next[valueOf[p]]++] = p;
            }
        }
    }

    /// <summary>The distinct values, by value id.</summary>
    public IReadOnlyList<string> Values => values;

    /// <summary>The value id of a text; -1 when no item has it.</summary>
    public int IdOf(string text) => ids.GetValueOrDefault(text, -1);

    /// <summary>The value id at a position; -1 for none.</summary>
    public int ValueAt(int position) => valueOf[position];

    /// <summary>The ascending positions of a value id.</summary>
    public ReadOnlyMemory<int> PositionsOf(int id) => id < 0 ? ReadOnlyMemory<int>.Empty : positions.AsMemory(starts[id], starts[id + 1] - starts[id]);

    /// <summary>Items whose value is exactly the text.</summary>
    public Constraint Equal(string text)
    {
        var id = IdOf(text);
        var list = PositionsOf(id);
        return new Constraint(list.Length, p => id >= 0 && valueOf[p] == id, () => list);
    }

    /// <summary>Items whose value is one of the value ids.</summary>
    public Constraint AnyOf(IReadOnlyCollection<int> valueIds)
    {
        var set = valueIds.Where(id => id >= 0).ToHashSet();
        var lists = set.Select(PositionsOf).ToList();
        return new Constraint(lists.Sum(l => l.Length), p => valueOf[p] >= 0 && set.Contains(valueOf[p]), () => ListIndex.Union(lists));
    }
}

/// <summary>Whether each item has a (non-null) value at a pointer, with both position lists.</summary>
internal sealed class PresenceIndex
{
    private readonly bool[] present;
    private readonly int[] with;
    private readonly int[] without;

    public PresenceIndex(MockItems items, string pointer)
    {
        present = new bool[items.Count];
        var (yes, no) = (new List<int>(), new List<int>());
        for (var p = 0; p < items.Count; p++)
        {
            present[p] = items.Present(p, pointer);
            (present[p] ? yes : no).Add(p);
        }

        (with, without) = (yes.ToArray(), no.ToArray());
    }

    /// <summary>Items that have the value (<paramref name="wanted"/> true) or lack it.</summary>
    public Constraint Is(bool wanted)
    {
        var list = wanted ? with : without;
        return new Constraint(list.Length, p => present[p] == wanted, () => list);
    }
}

/// <summary>
/// A field of ordered values (date-times as UTC ticks, numbers): each position's value, and the positions that
/// have one sorted by it (ties by position), for ranges found by binary search. When the served order already
/// follows the field, a range is a run of ascending positions as it is; otherwise its positions are sorted once
/// per range and kept for the next requests (a walk asks for the same range page after page).
/// </summary>
internal sealed class RangeIndex<T>
    where T : struct, IComparable<T>
{
    private readonly T[] valueOf;
    private readonly bool[] has;
    private readonly int[] sorted;
    private readonly T[] sortedKeys;
    private readonly bool followsOrder;
    private readonly LinkedList<(int Lo, int Hi, int[] Positions)> recent = new();
    private const int Remembered = 16;

    public RangeIndex(int count, Func<int, T?> value)
    {
        valueOf = new T[count];
        has = new bool[count];
        var with = 0;
        for (var p = 0; p < count; p++)
        {
            if (value(p) is { } v)
            {
                (valueOf[p], has[p]) = (v, true);
                with++;
            }
        }

        sorted = new int[with];
        for (var (p, i) = (0, 0); p < count; p++)
        {
            if (has[p])
            {
                sorted[i++] = p;
            }
        }

        // Stable by position: Array.Sort is not, so ties are broken by the position explicitly.
        Array.Sort(sorted, (a, b) => valueOf[a].CompareTo(valueOf[b]) is var c && c != 0 ? c : a.CompareTo(b));
        sortedKeys = [.. sorted.Select(p => valueOf[p])];
        followsOrder = true;
        for (var i = 1; i < sorted.Length && followsOrder; i++)
        {
            followsOrder = sorted[i - 1] < sorted[i];
        }
    }

    public T? ValueAt(int position) => has[position] ? valueOf[position] : null;

    /// <summary>The first sorted index at or above a low bound: values ≥ it (inclusive) or &gt; it.</summary>
    public int LowIndex(T low, bool inclusive) => ListIndex.Bound(sortedKeys, low, orEqual: inclusive);

    /// <summary>The sorted index just past a high bound: values ≤ it (inclusive) or &lt; it come before.</summary>
    public int HighIndex(T high, bool inclusive) => ListIndex.Bound(sortedKeys, high, orEqual: !inclusive);

    /// <summary>How many items have a value.</summary>
    public int Length => sortedKeys.Length;

    /// <summary>
    /// Items whose value is within sorted indexes [lo, hi) (from <see cref="LowIndex"/> and <see cref="HighIndex"/>);
    /// <paramref name="test"/> is the same rule for one value, which the indexes must agree with.
    /// </summary>
    public Constraint Range(int lo, int hi, Func<T, bool> test)
    {
        hi = Math.Max(lo, hi);
        return new Constraint(hi - lo, p => has[p] && test(valueOf[p]), () => Ascending(lo, hi));
    }

    private ReadOnlyMemory<int> Ascending(int lo, int hi)
    {
        if (followsOrder)
        {
            return sorted.AsMemory(lo, hi - lo);
        }

        lock (recent)
        {
            for (var node = recent.First; node is not null; node = node.Next)
            {
                if (node.Value.Lo == lo && node.Value.Hi == hi)
                {
                    recent.Remove(node);
                    recent.AddFirst(node);
                    return node.Value.Positions;
                }
            }
        }

        var positions = sorted[lo..hi];
        Array.Sort(positions);
        lock (recent)
        {
            recent.AddFirst((lo, hi, positions));
            while (recent.Count > Remembered)
            {
                recent.RemoveLast();
            }
        }

        return positions;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{sorted.Length} values, {(followsOrder ? "in" : "not in")} served order");
}

/// <summary>How much work a list mock did: requests answered and item positions looked at, in all and at most in one request.</summary>
public sealed class MockWork
{
    private long requests;
    private long examined;
    private long most;

    public long Requests => Interlocked.Read(ref requests);

    public long Examined => Interlocked.Read(ref examined);

    /// <summary>The most positions one request looked at.</summary>
    public long MostInOneRequest => Interlocked.Read(ref most);

    internal void Record(int positions)
    {
        Interlocked.Increment(ref requests);
        Interlocked.Add(ref examined, positions);
        long seen;
        while (positions > (seen = Interlocked.Read(ref most)) && Interlocked.CompareExchange(ref most, positions, seen) != seen)
        {
        }
    }

    public void Reset()
    {
        Interlocked.Exchange(ref requests, 0);
        Interlocked.Exchange(ref examined, 0);
        Interlocked.Exchange(ref most, 0);
    }
}
