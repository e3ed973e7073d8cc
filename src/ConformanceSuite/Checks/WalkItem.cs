using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.Checks;

/// <summary>
/// What a walk keeps of one listed item: its id, the page it came on, the text of the few fields the checks
/// read (the projection), and, for each of its first <see cref="MaxFields"/> top-level members, a hash of the
/// member's name and one of its value, so a later fetch of the item can be compared member by member without
/// keeping the item itself. No name is kept: an item costs the same whatever its members are called, and however
/// many there are past the bound.
/// </summary>
public sealed class WalkItem
{
    /// <summary>
    /// The most top-level members of an item whose values are kept (as hashes) to be compared: a bound on what one
    /// item costs, so that a provider's items with thousands of members cannot make a walk hold more than its bodies.
    /// </summary>
    public const int MaxFields = 64;

    private readonly WalkProjection projection;
    private readonly string?[] texts;

    /// <summary>For each kept member, in the item's order: the hash of its name, then the hash of its value.</summary>
    private readonly ulong[] fields;

    internal WalkItem(WalkProjection projection, string id, int page, string?[] texts, ulong[] fields, int fieldsNotKept)
    {
        this.projection = projection;
        Id = id;
        Page = page;
        this.texts = texts;
        this.fields = fields;
        FieldsNotKept = fieldsNotKept;
    }

    public string Id { get; }

    /// <summary>The kept texts and member hashes as held, for <see cref="WalkItems"/> to write out.</summary>
    internal (string?[] Texts, ulong[] Fields) Kept => (texts, fields);

    /// <summary>The number of the page the item came on.</summary>
    public int Page { get; }

    /// <summary>The text at <paramref name="pointer"/> (as <see cref="JsonPointer.Text(JsonNode?, string)"/> gives it); the pointer must be one the walk kept.</summary>
    public string? Text(string pointer) =>
        projection.IndexOf(pointer) is var i and >= 0 ? texts[i]
            : throw new InvalidOperationException($"the walk keeps no value at {pointer}: add it to the walk's projection");

    /// <summary>The text at <paramref name="pointer"/> when the walk kept it; false when it did not.</summary>
    public bool TryText(string pointer, out string? text)
    {
        var i = projection.IndexOf(pointer);
        text = i >= 0 ? texts[i] : null;
        return i >= 0;
    }

    /// <summary>True when the item has a non-null value at <paramref name="pointer"/>.</summary>
    public bool Present(string pointer) => Text(pointer) is not null;

    /// <summary>The kept members, in the item's order: the hash of each name (<see cref="TextHash(string)"/>) and of its value (<see cref="HashOf(JsonElement, IReadOnlySet{string})"/>).</summary>
    public IReadOnlyList<(ulong Name, ulong Value)> Fields => [.. Enumerable.Range(0, fields.Length / 2).Select(i => (fields[2 * i], fields[(2 * i) + 1]))];

    /// <summary>How many of the item's top-level members came past <see cref="MaxFields"/>: not kept, so not compared.</summary>
    public int FieldsNotKept { get; }

    /// <summary>The hash of the value the item had in its member <paramref name="name"/>; false when that member is not among those kept.</summary>
    public bool TryField(string name, out ulong value)
    {
        var key = TextHash(name);
        for (var i = 0; i < fields.Length; i += 2)
        {
            if (fields[i] == key)
            {
                value = fields[i + 1];
                return true;
            }
        }

        value = 0;
        return false;
    }

    /// <summary>The hash a member's name is kept as (and a walk's ids, to find one repeated).</summary>
    public static ulong TextHash(string text) => TextHash(text.AsSpan());

    /// <summary>As <see cref="TextHash(string)"/>, of a name's characters, wherever they lie.</summary>
    public static ulong TextHash(ReadOnlySpan<char> text) => XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text));

    /// <summary>
    /// The hash of a JSON value as <see cref="Fields"/> holds it (see <see cref="CanonicalHash"/>): member order does not count,
    /// nor how a text was escaped; an object's own members named in <paramref name="leftOut"/> are not in it (see <see cref="WalkProjection.HashOfMember"/>).
    /// </summary>
    public static ulong HashOf(JsonElement value, IReadOnlySet<string>? leftOut = null) => CanonicalHash.Of(value, leftOut?.ToArray());

    /// <summary>As <see cref="HashOf(JsonElement, IReadOnlySet{string})"/>, of a node (a fetched item's member): the node read as an element, so one canonical form serves both.</summary>
    public static ulong HashOf(JsonNode? value, IReadOnlySet<string>? leftOut = null) => HashOf(value, leftOut?.ToArray());

    /// <summary>As <see cref="HashOf(JsonNode?, IReadOnlySet{string}?)"/>, with the members left out as a projection holds them.</summary>
    internal static ulong HashOf(JsonNode? value, string[]? leftOut)
    {
        using var document = JsonDocument.Parse(value?.ToJsonString() ?? "null");
        return CanonicalHash.Of(document.RootElement, leftOut);
    }

    /// <summary>The projection the item was kept by.</summary>
    public WalkProjection Projection => projection;
}

/// <summary>
/// The hash of a JSON value's content, however it was written: a string is its text (escaped or not), a number its
/// text as sent (1 is not 1.0), an array its elements in order, an object its members in any order. Each kind hashes
/// with a seed of its own, so no two kinds' forms meet. An object is the sum of its members' hashes (each of its name
/// and its value), which needs no sorting and is the same in any member order; nothing is written out or allocated
/// but for a long array's element hashes and the text of an escaped string or name.
/// </summary>
internal static class CanonicalHash
{
    private const ulong StringSeed = 1, NumberSeed = 2, NameSeed = 3, ArraySeed = 4, MemberSeed = 5, ObjectSeed = 6, LiteralSeed = 7;

    /// <summary>Added to a text's seed when the text is a lone surrogate's UTF-16 units.</summary>
    private const ulong SurrogateFlag = 0x100;

    /// <summary>The longest array whose element hashes are held on the stack.</summary>
    private const int StackElements = 64;

    /// <param name="value">The value, as parsed.</param>
    /// <param name="leftOut">Members of this object (not of those within it) left out of its hash.</param>
    public static ulong Of(JsonElement value, string[]? leftOut = null)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                ulong sum = 0;
                foreach (var member in value.EnumerateObject())
                {
                    if (leftOut is null || !IsIn(member, leftOut))
                    {
                        Span<ulong> pair = [NameOf(member), Of(member.Value)];
                        sum += XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(pair), (long)MemberSeed);
                    }
                }

                return XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<ulong>(ref sum)), (long)ObjectSeed);
            case JsonValueKind.Array:
                var count = value.GetArrayLength();
                ulong[]? rented = null;
                var hashes = count <= StackElements ? stackalloc ulong[count] : (rented = System.Buffers.ArrayPool<ulong>.Shared.Rent(count)).AsSpan(0, count);
                var i = 0;
                foreach (var element in value.EnumerateArray())
                {
                    hashes[i++] = Of(element);
                }

                var hash = XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(hashes), (long)ArraySeed);
                if (rented is not null)
                {
                    System.Buffers.ArrayPool<ulong>.Shared.Return(rented);
                }

                return hash;
            case JsonValueKind.String:
                var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value)[1..^1];
                return raw.IndexOf((byte)'\\') < 0 ? XxHash3.HashToUInt64(raw, (long)StringSeed) : Unescaped(raw, StringSeed);
            case JsonValueKind.Number:
                return XxHash3.HashToUInt64(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value), (long)NumberSeed);
            default:
                // true, false and null: one byte each, its kind.
                return XxHash3.HashToUInt64([(byte)value.ValueKind], (long)LiteralSeed);
        }
    }

    private static ulong NameOf(JsonProperty member)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8PropertyName(member);
        return raw.IndexOf((byte)'\\') < 0 ? XxHash3.HashToUInt64(raw, (long)NameSeed) : Unescaped(raw, NameSeed);
    }

    /// <summary>
    /// A text that was sent with escapes (<paramref name="raw"/>, between its quotes), hashed as its UTF-8, as it would have
    /// been sent plain. The parser's own reading (GetString) refuses a lone surrogate, which a provider may send escaped:
    /// such a text is read here, escape by escape, and hashed as its UTF-16 units.
    /// </summary>
    private static ulong Unescaped(ReadOnlySpan<byte> raw, ulong seed)
    {
        var text = Utf16(raw);
        var bytes = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length) is var max && max <= 1024 ? stackalloc byte[max] : new byte[max];
        return System.Text.Unicode.Utf8.FromUtf16(text, bytes, out _, out var written, replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done
            ? XxHash3.HashToUInt64(bytes[..written], (long)seed)
            // A lone surrogate, sent escaped (no UTF-8 can carry it): its UTF-16 units, under a seed of their own.
            : XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.AsSpan()), (long)(seed | SurrogateFlag));
    }

    /// <summary>The text of a JSON string's escaped form: its UTF-8 runs and its escapes, each <c>\uXXXX</c> a UTF-16 unit as it stands.</summary>
    internal static string Utf16(ReadOnlySpan<byte> raw)
    {
        var text = new System.Text.StringBuilder(raw.Length);
        while (!raw.IsEmpty)
        {
            var at = raw.IndexOf((byte)'\\');
            text.Append(System.Text.Encoding.UTF8.GetString(at < 0 ? raw : raw[..at]));
            if (at < 0 || at + 1 >= raw.Length)
            {
                break;
            }

            var escape = raw[at + 1];
            if (escape == (byte)'u' && at + 6 <= raw.Length)
            {
                text.Append((char)int.Parse(raw.Slice(at + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture));
                raw = raw[(at + 6)..];
                continue;
            }

            text.Append(escape switch { (byte)'b' => '\b', (byte)'f' => '\f', (byte)'n' => '\n', (byte)'r' => '\r', (byte)'t' => '\t', _ => (char)escape });
            raw = raw[(at + 2)..];
        }

        return text.ToString();
    }

    private static bool IsIn(JsonProperty member, string[] names)
    {
        foreach (var name in names)
        {
            if (member.NameEquals(name))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// The item fields a walk keeps, by JSON pointer: the id, every field a filter, a sort or a date range of the
/// endpoint reads, and the item schema's enums. Of everything else, only hashes: the name and value of each of the
/// item's first <see cref="WalkItem.MaxFields"/> top-level members.
/// </summary>
public sealed class WalkProjection
{
    private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string> shared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> leftOut = new(StringComparer.Ordinal);

    /// <summary><see cref="leftOut"/> by a name's characters, so that a member's name is looked up without a string of its own.</summary>
    private readonly Dictionary<string, string[]>.AlternateLookup<ReadOnlySpan<char>> leftOutByName;

    /// <summary>The kept pointers by their first token (a top-level member's name): each with the tokens after it.</summary>
    private readonly Dictionary<string, List<(int Index, string[] After)>> byMember = new(StringComparer.Ordinal);

    private readonly Dictionary<string, List<(int Index, string[] After)>>.AlternateLookup<ReadOnlySpan<char>> byMemberName;

    /// <summary>The kept pointers to the item itself (no token).</summary>
    private readonly List<int> whole = [];

    /// <param name="pointers">The values to keep of each item, by JSON pointer.</param>
    /// <param name="sharedValues">Values that many items hold (the schema's enum values): one string each for the whole walk, not one per item.</param>
    /// <param name="membersLeftOut">Members of a top-level object member that its hash leaves out (a body of one listed item may leave them out: <see cref="SuccessSpec.MayLeaveOutWithin"/>).</param>
    public WalkProjection(IEnumerable<string> pointers, IEnumerable<string>? sharedValues = null, IEnumerable<(string Member, string Child)>? membersLeftOut = null)
    {
        foreach (var group in (membersLeftOut ?? []).GroupBy(m => m.Member, StringComparer.Ordinal))
        {
            leftOut[group.Key] = [.. group.Select(m => m.Child).Distinct(StringComparer.Ordinal)];
        }

        leftOutByName = leftOut.GetAlternateLookup<ReadOnlySpan<char>>();

        foreach (var pointer in pointers.Distinct(StringComparer.Ordinal))
        {
            var parts = JsonPointer.Tokens(pointer);
            if (parts.Length == 0)
            {
                whole.Add(index.Count);
            }
            else
            {
                (byMember.TryGetValue(parts[0], out var list) ? list : byMember[parts[0]] = []).Add((index.Count, parts[1..]));
            }

            index[pointer] = index.Count;
        }

        byMemberName = byMember.GetAlternateLookup<ReadOnlySpan<char>>();

        foreach (var value in sharedValues ?? [])
        {
            shared.TryAdd(value, value);
        }
    }

    public IReadOnlyCollection<string> Pointers => index.Keys;

    /// <summary>
    /// The hash of a top-level member's value as the walk keeps it: without the members of it this projection leaves out
    /// (a listed item's and a fetched one's alike, so both are compared on the rest).
    /// </summary>
    public ulong HashOfMember(string name, JsonNode? value) => WalkItem.HashOf(value, leftOut.GetValueOrDefault(name));

    internal int IndexOf(string pointer) => index.TryGetValue(pointer, out var i) ? i : -1;

    /// <summary>
    /// The projection of an endpoint's list: what the checks of that list read from its items. Built once for an
    /// endpoint of a contract (it reads the item schema's enums) and shared by every walk of that list: it is not changed
    /// once built.
    /// </summary>
    public static WalkProjection For(ApiContract contract, EndpointSpec endpoint)
    {
        if (Built.TryGetValue(endpoint, out var kept) && ReferenceEquals(kept.Item1, contract))
        {
            return kept.Item2;
        }

        var projection = Build(contract, endpoint);
        Built.AddOrUpdate(endpoint, Tuple.Create(contract, projection));
        return projection;
    }

    /// <summary>The projections built, by endpoint, with the contract each was built for; held no longer than the endpoint.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<EndpointSpec, Tuple<ApiContract, WalkProjection>> Built = new();

    private static WalkProjection Build(ApiContract contract, EndpointSpec endpoint)
    {
        var pointers = new List<string> { endpoint.Pagination!.IdPointer };
        foreach (var p in endpoint.Parameters)
        {
            switch (p.Filter)
            {
                case FieldFilter f:
                    pointers.Add(f.Field);
                    break;
                case ContainsFilter c:
                    pointers.AddRange(c.Fields);
                    break;
                case DateRangeFilter r:
                    pointers.AddRange(r.RangeFields.Values);
                    break;
            }

            if (p.Filter?.Sample is { } sample)
            {
                pointers.Add(sample);
            }

            if (p.Sort is { } sort)
            {
                pointers.AddRange(sort.Fields.Values);
            }
        }

        var enums = endpoint.Success.ItemSchema is { } itemSchema && contract.BodySchemas.TryGetValue(itemSchema, out var schema)
            ? SchemaEnums.Find(schema).ToList()
            : [];
        pointers.AddRange(enums.Select(e => e.Pointer));
        // A body of one listed item may leave out some members of an object member (the docs' example does): both bodies'
        // hashes of that member leave them out.
        return new WalkProjection(pointers, enums.SelectMany(e => e.Values), contract.Endpoints.SelectMany(e => e.Success.MayLeaveOutWithin));
    }

    /// <summary>Keeps what the checks need of one item (a JSON object, as the walk's page parsed it).</summary>
    public WalkItem Keep(JsonElement item, string id, int page)
    {
        // A walk of a large list keeps thousands of these: the id and the enum values are held once, not per pointer.
        var texts = new string?[index.Count];
        foreach (var i in whole)
        {
            texts[i] = Shared(JsonPointer.Text(item, []), id);
        }

        // One pass over the members: each kept pointer is read from the member it starts at, and each of the first
        // MaxFields members is hashed (its name and its value); the rest are only counted.
        Span<ulong> hashes = stackalloc ulong[2 * WalkItem.MaxFields];
        Span<char> chars = stackalloc char[JsonNames.MaxStackName];
        var count = 0;
        foreach (var member in item.EnumerateObject())
        {
            // The name read into characters on the stack (member.Name would be a string of its own each time); one with an
            // escape is read escape by escape (member.Name throws on an escaped lone surrogate).
            if (!JsonNames.TryPlain(member, chars, out var name))
            {
                name = CanonicalHash.Utf16(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8PropertyName(member));
            }

            if (byMemberName.TryGetValue(name, out var starting))
            {
                foreach (var (i, rest) in starting)
                {
                    texts[i] = Shared(JsonPointer.Text(member.Value, rest), id);
                }
            }

            if (count < WalkItem.MaxFields)
            {
                hashes[2 * count] = WalkItem.TextHash(name);
                hashes[(2 * count) + 1] = CanonicalHash.Of(member.Value, leftOut.Count > 0 && leftOutByName.TryGetValue(name, out var children) ? children : null);
            }

            count++;
        }

        var kept = Math.Min(count, WalkItem.MaxFields);
        return new WalkItem(this, id, page, texts, hashes[..(2 * kept)].ToArray(), count - kept);
    }

    /// <summary>A kept text: the id's own string when it is the id, the walk's one string when it is a shared value.</summary>
    private string? Shared(string? text, string id) => text is null ? null : text == id ? id : shared.GetValueOrDefault(text, text);
}
