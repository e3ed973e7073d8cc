using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.MockServer;

/// <summary>
/// The records a list mock serves, by position in its served order: the fixture's own items and, with a scale,
/// generated copies of them. A generated item is never stored whole: it is its template (a fixture item), its own
/// id and one shift applied to every date-time the template has. Only an item a fault changed is stored whole.
/// Reading a field of an item is O(1); an item as JSON is made on demand, O(its size).
/// </summary>
/// <remarks>
/// Generation rule, for a scale of N over a fixture of T items (N ≥ T): the fixture's own items are kept as they
/// are. Item i (T ≤ i &lt; N) copies template i mod T with a new id of the fixture's id format (a uuid made from a
/// hash of the API id and i, or the fixture's prefix and the next free number), and its anchor date (the first
/// date the contract filters on, e.g. created_at) placed one <see cref="StepSeconds"/> apart over a span that ends
/// at the fixture's newest anchor date, never on a time another item has. Every other date-time of the template
/// keeps its offset from the anchor; every other value (enums, flags, numbers, nested objects) is the template's.
/// The served order keeps the fixture's convention: oldest first (or newest first) when the fixture is ordered so
/// by its anchor date, otherwise the fixture's items first and the generated ones after them, oldest first.
/// The same N gives the same data, byte for byte: nothing depends on a clock or a random source.
/// </remarks>
internal sealed partial class MockItems
{
    /// <summary>Seconds between two generated items' anchor dates: 100,000 items span about 347 days.</summary>
    public const int StepSeconds = 300;

    private readonly JsonObject[] templates;
    private readonly string?[] templateIds;
    private readonly HashSet<string>[] datePointers;
    private readonly int[] templateOf;
    private readonly string?[] ids;
    private readonly long[] shiftSeconds;

    // Changed only while the mock is set up (faults); read by concurrent requests afterwards.
    private readonly Dictionary<int, JsonObject> changed = [];

    // Per-template caches, filled on first use by concurrent requests.
    private readonly ConcurrentDictionary<string, string?[]> templateText = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long?[]> templateTicks = new(StringComparer.Ordinal);

    private MockItems(JsonObject[] templates, string idPointer, int[] templateOf, string?[] ids, long[] shiftSeconds)
    {
        this.templates = templates;
        IdPointer = idPointer;
        templateIds = [.. templates.Select(t => JsonPointer.Text(t, idPointer))];
        datePointers = [.. templates.Select(t => DatePointers(t).ToHashSet(StringComparer.Ordinal))];
        this.templateOf = templateOf;
        this.ids = ids;
        this.shiftSeconds = shiftSeconds;
    }

    /// <summary>How many items are served.</summary>
    public int Count => templateOf.Length;

    /// <summary>The pointer of each item's id.</summary>
    public string IdPointer { get; }

    /// <summary>
    /// Refuses a data set of <paramref name="total"/> items made from a fixture of <paramref name="count"/>: above the mock's
    /// bound, below the fixture (a scaled data set keeps all of it), or more than an empty fixture (nothing to copy).
    /// </summary>
    /// <exception cref="ConfigurationException">The data set cannot be made.</exception>
    public static void RefuseScale(string apiId, int count, int total)
    {
        if (total > MockOptions.MaxScale)
        {
            throw new ConfigurationException($"scale {total} is above the most the mock generates, {MockOptions.MaxScale} items");
        }

        if (total < count || total < 1)
        {
            throw new ConfigurationException(
                $"scale {total} is too small for {apiId}: its fixture (dataset.json) has {count} items, and a scaled data set keeps them all, so N must be at least {count}");
        }

        if (count == 0)
        {
            throw new ConfigurationException($"{apiId}: cannot scale the data set: its fixture has no items to copy");
        }
    }

    /// <summary>The fixture's items (served in their order), or with a scale the fixture's and generated ones, N in all.</summary>
    /// <param name="apiId">The API, part of every generated uuid (two APIs never share one).</param>
    /// <param name="fixture">The data set's items.</param>
    /// <param name="idPointer">Where an item's id is.</param>
    /// <param name="anchorPointer">The date generated items are spread by (e.g. /created_at); null: the first date-time the first item has.</param>
    /// <param name="scale">N, the total count; null serves the fixture as it is.</param>
    /// <exception cref="ConfigurationException">N is below the fixture's count, or the fixture has no id or anchor date to copy.</exception>
    public static MockItems Create(string apiId, IReadOnlyList<JsonObject> fixture, string idPointer, string? anchorPointer, int? scale)
    {
        var templates = fixture.Select(i => (JsonObject)i.DeepClone()).ToArray();
        var count = templates.Length;
        var total = scale ?? count;
        RefuseScale(apiId, count, total);
        var fixtureIds = templates.Select(t => JsonPointer.Text(t, idPointer)).ToArray();
        var generated = total - count;
        if (generated == 0)
        {
            return new MockItems(templates, idPointer, [.. Enumerable.Range(0, count)], fixtureIds, new long[count]);
        }

        if (fixtureIds.Any(id => id is null))
        {
            throw new ConfigurationException($"{apiId}: cannot scale the data set: an item of the fixture has no id at {idPointer}");
        }

        anchorPointer ??= DatePointers(templates[0]).FirstOrDefault()
                          ?? throw new ConfigurationException($"{apiId}: cannot scale the data set: its items have no date-time to spread the copies over");
        var anchors = new long[count];
        for (var k = 0; k < count; k++)
        {
            anchors[k] = (JsonPointer.Text(templates[k], anchorPointer) is { } text && IsoDates.IsStrict(text) ? IsoDates.Parse(text) : null)?.UtcTicks
                         ?? throw new ConfigurationException($"{apiId}: cannot scale the data set: fixture item {k} has no date-time at {anchorPointer}");
        }

        // The anchor date of generated item g (g = 0 the oldest): a step apart, ending a step before the newest
        // fixture date; a time some item has already is moved a second earlier, so no two items share one. The
        // shift is whole seconds, so a template's date-times keep their form (fractions, offset) when shifted.
        var taken = anchors.ToHashSet();
        var newest = anchors.Max();
        var genAnchor = new long[generated];
        var genShift = new long[generated];
        for (var g = 0; g < generated; g++)
        {
            var template = (count + g) % count;
            var shift = (newest - ((long)(generated - g) * StepSeconds * TimeSpan.TicksPerSecond) - anchors[template]) / TimeSpan.TicksPerSecond;
            while (!taken.Add(anchors[template] + (shift * TimeSpan.TicksPerSecond)))
            {
                shift--;
            }

            genShift[g] = shift;
            genAnchor[g] = anchors[template] + (shift * TimeSpan.TicksPerSecond);
        }

        var order = Order(anchors, genAnchor);
        var newId = IdMaker(apiId, fixtureIds!);
        var templateOf = new int[total];
        var ids = new string?[total];
        var shifts = new long[total];
        var unique = new HashSet<string>(StringComparer.Ordinal);
        for (var p = 0; p < total; p++)
        {
            var i = order[p];
            templateOf[p] = i % count;
            ids[p] = i < count ? fixtureIds[i]! : newId(i);
            shifts[p] = i < count ? 0 : genShift[i - count];
            if (!unique.Add(ids[p]!))
            {
                throw new ConfigurationException($"{apiId}: cannot scale the data set: the id {ids[p]} would be served twice");
            }
        }

        return new MockItems(templates, idPointer, templateOf, ids, shifts);
    }

    /// <summary>
    /// The served order, as indexes i (fixture items 0..T-1, generated T..N-1): merged by anchor date when the
    /// fixture is ordered by it (either way), otherwise the fixture's items first and the generated ones after.
    /// </summary>
    private static int[] Order(long[] fixture, long[] generated)
    {
        var count = fixture.Length;
        var ascending = fixture.Zip(fixture.Skip(1)).All(x => x.First <= x.Second);
        var descending = !ascending && fixture.Zip(fixture.Skip(1)).All(x => x.First >= x.Second);
        var order = new int[count + generated.Length];
        if (!ascending && !descending)
        {
            for (var i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            return order;
        }

        // Generated anchors ascend with g; newest first walks them backwards.
        int Gen(int k) => ascending ? k : generated.Length - 1 - k;
        bool FixtureFirst(long f, long g) => ascending ? f < g : f > g;
        var (a, b) = (0, 0);
        for (var p = 0; p < order.Length; p++)
        {
            if (b >= generated.Length || (a < count && FixtureFirst(fixture[a], generated[Gen(b)])))
            {
                order[p] = a++;
            }
            else
            {
                order[p] = count + Gen(b++);
            }
        }

        return order;
    }

    [GeneratedRegex(@"^(.*?)(\d{1,18})$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingNumber();

    /// <summary>New ids in the fixture's format: uuids from a hash of (API, index); a shared prefix and the next free numbers; or the template's id and the index.</summary>
    private static Func<int, string> IdMaker(string apiId, string[] fixtureIds)
    {
        var count = fixtureIds.Length;
        if (fixtureIds.All(id => Guid.TryParseExact(id, "D", out _)))
        {
            var upper = fixtureIds.Any(id => id.Any(char.IsUpper)) && !fixtureIds.Any(id => id.Any(char.IsLower));
            return i =>
            {
                Span<byte> hash = stackalloc byte[32];
                SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{apiId}/{i}")), hash);
                hash[6] = (byte)((hash[6] & 0x0F) | 0x40); // version 4
                hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
                var hex = upper ? Convert.ToHexString(hash[..16]) : Convert.ToHexStringLower(hash[..16]);
                return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
            };
        }

        var numbered = fixtureIds.Select(id => TrailingNumber().Match(id)).ToList();
        if (numbered.All(m => m.Success) && numbered.Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).Count() == 1)
        {
            var prefix = numbered[0].Groups[1].Value;
            var width = numbered.Min(m => m.Groups[2].Length);
            var next = numbered.Max(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)) + 1;
            return i => prefix + (next + i - count).ToString("D" + width.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        return i => string.Create(CultureInfo.InvariantCulture, $"{fixtureIds[i % count]}-{i}");
    }

    /// <summary>The pointers of every string value that is a full date-time with a zone, objects and arrays walked.</summary>
    private static IEnumerable<string> DatePointers(JsonNode? node, string at = "")
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    foreach (var pointer in DatePointers(child, at + "/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)))
                    {
                        yield return pointer;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var pointer in DatePointers(array[i], at + "/" + i.ToString(CultureInfo.InvariantCulture)))
                    {
                        yield return pointer;
                    }
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text) && IsoDates.IsStrict(text):
                yield return at;
                break;
        }
    }

    /// <summary>A date-time moved by whole seconds, written in the original's form: its offset, its fraction, seconds if it had them.</summary>
    private static string Shift(string original, long seconds)
    {
        var m = DateForm().Match(original);
        var at = IsoDates.Parse(original)!.Value.AddSeconds(seconds);
        var format = m.Groups["seconds"].Success || seconds % 60 != 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm";
        return at.ToString(format, CultureInfo.InvariantCulture) + m.Groups["fraction"].Value + m.Groups["zone"].Value;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?<seconds>:\d{2})?(?<fraction>\.\d+)?(?<zone>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex DateForm();

    /// <summary>The item at a position, as its own JSON object (a copy: the caller may change it).</summary>
    public JsonObject Item(int position)
    {
        if (changed.TryGetValue(position, out var own))
        {
            return (JsonObject)own.DeepClone();
        }

        var t = templateOf[position];
        var item = (JsonObject)templates[t].DeepClone();
        if (ids[position] is { } id && !string.Equals(id, templateIds[t], StringComparison.Ordinal))
        {
            SetAt(item, IdPointer, IdValue(t, id));
        }

        if (shiftSeconds[position] != 0)
        {
            foreach (var pointer in datePointers[t])
            {
                SetAt(item, pointer, JsonValue.Create(Shift(TemplateText(t, pointer)!, shiftSeconds[position])));
            }
        }

        return item;
    }

    /// <summary>Changes one item (a fault breaking the data itself); from then on it is stored whole. Call before building indexes.</summary>
    public void Change(int position, Action<JsonObject> edit)
    {
        if (!changed.TryGetValue(position, out var own))
        {
            changed[position] = own = Item(position);
        }

        edit(own);
    }

    /// <summary>The value at a pointer as text (<see cref="JsonPointer.Text"/>): strings as they are, other values as JSON; null for null or absent.</summary>
    public string? Text(int position, string pointer)
    {
        if (changed.TryGetValue(position, out var own))
        {
            return JsonPointer.Text(own, pointer);
        }

        if (pointer == IdPointer)
        {
            return ids[position];
        }

        var t = templateOf[position];
        var text = TemplateText(t, pointer);
        return text is not null && shiftSeconds[position] != 0 && datePointers[t].Contains(pointer) ? Shift(text, shiftSeconds[position]) : text;
    }

    /// <summary>Whether the pointer reaches a value that is not JSON null.</summary>
    public bool Present(int position, string pointer) =>
        JsonPointer.Read(changed.TryGetValue(position, out var own) ? own : templates[templateOf[position]], pointer) is not null;

    /// <summary>The value at a pointer as a date-time (UTC ticks), read as <see cref="IsoDates.Parse"/> reads it; null when it is not one.</summary>
    public long? Ticks(int position, string pointer)
    {
        if (changed.TryGetValue(position, out var own) || pointer == IdPointer)
        {
            return IsoDates.Parse(Text(position, pointer))?.UtcTicks;
        }

        var t = templateOf[position];
        var perTemplate = templateTicks.GetOrAdd(pointer, p => [.. Enumerable.Range(0, templates.Length).Select(k => IsoDates.Parse(TemplateText(k, p))?.UtcTicks)]);

        return perTemplate[t] is { } ticks && datePointers[t].Contains(pointer) ? ticks + (shiftSeconds[position] * TimeSpan.TicksPerSecond) : perTemplate[t];
    }

    /// <summary>A top-level member's value as JSON text (as <c>item[name]?.ToJsonString()</c> gives it); null when absent.</summary>
    public string? MemberJson(int position, string name)
    {
        if (changed.TryGetValue(position, out var own))
        {
            return own[name]?.ToJsonString();
        }

        var t = templateOf[position];
        if (templates[t][name] is not { } node)
        {
            return null;
        }

        var pointer = "/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
        if (pointer == IdPointer && ids[position] is { } id && !string.Equals(id, templateIds[t], StringComparison.Ordinal))
        {
            return IdValue(t, id).ToJsonString();
        }

        return shiftSeconds[position] != 0 && datePointers[t].Contains(pointer)
            ? JsonValue.Create(Shift(TemplateText(t, pointer)!, shiftSeconds[position])).ToJsonString()
            : node.ToJsonString();
    }

    /// <summary>A new id as JSON of the template id's kind: a number stays a number.</summary>
    private JsonValue IdValue(int template, string id) =>
        JsonPointer.Read(templates[template], IdPointer) is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
        && long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : JsonValue.Create(id);

    private string? TemplateText(int template, string pointer) =>
        templateText.GetOrAdd(pointer, p => [.. templates.Select(t => JsonPointer.Text(t, p))])[template];

    /// <summary>Writes a value at a pointer whose parent exists.</summary>
    private static void SetAt(JsonObject item, string pointer, JsonNode value)
    {
        var tokens = pointer.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        JsonNode parent = item;
        foreach (var token in tokens[..^1])
        {
            parent = parent is JsonArray array ? array[int.Parse(token, CultureInfo.InvariantCulture)]! : parent[token]!;
        }

        if (parent is JsonArray list)
        {
            list[int.Parse(tokens[^1], CultureInfo.InvariantCulture)] = value;
        }
        else
        {
            parent[tokens[^1]] = value;
        }
    }
}
