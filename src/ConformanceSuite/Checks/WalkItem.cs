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

    /// <summary>The kept members, in the item's order: the hash of each name (<see cref="TextHash"/>) and of its value (<see cref="HashOf(JsonElement, IReadOnlySet{string})"/>).</summary>
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
    public static ulong TextHash(string text) => XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.AsSpan()));

    /// <summary>
    /// The hash of a JSON value as <see cref="Fields"/> holds it: object members in name order, so member order does not
    /// count; an object's own members named in <paramref name="leftOut"/> are not in it (see <see cref="WalkProjection.HashOfMember"/>).
    /// </summary>
    public static ulong HashOf(JsonElement value, IReadOnlySet<string>? leftOut = null) => (hasher ??= new CanonicalHasher()).Hash(value, leftOut);

    /// <summary>As <see cref="HashOf(JsonElement, IReadOnlySet{string})"/>, of a node (a fetched item's member): the node read as an element, so one canonical form serves both.</summary>
    public static ulong HashOf(JsonNode? value, IReadOnlySet<string>? leftOut = null)
    {
        using var document = JsonDocument.Parse(value?.ToJsonString() ?? "null");
        return HashOf(document.RootElement, leftOut);
    }

    /// <summary>The projection the item was kept by.</summary>
    public WalkProjection Projection => projection;

    /// <summary>One buffer and writer per thread, reused for every value hashed on it.</summary>
    [ThreadStatic]
    private static CanonicalHasher? hasher;

    private sealed class CanonicalHasher : IDisposable
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> buffer = new(1024);
        private readonly Utf8JsonWriter writer;

        public CanonicalHasher() => writer = new Utf8JsonWriter(buffer);

        public ulong Hash(JsonElement value, IReadOnlySet<string>? leftOut)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            WriteCanonical(writer, value, leftOut);
            writer.Flush();
            return XxHash3.HashToUInt64(buffer.WrittenSpan);
        }

        public void Dispose() => writer.Dispose();
    }

    /// <summary>Writes a value canonically: object members in name order (but those of <paramref name="leftOut"/>, of this object only), everything else as the writer writes it.</summary>
    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element, IReadOnlySet<string>? leftOut = null)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var members = new List<JsonProperty>();
                foreach (var member in element.EnumerateObject())
                {
                    if (leftOut is null || !leftOut.Contains(member.Name))
                    {
                        members.Add(member);
                    }
                }

                members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                foreach (var member in members)
                {
                    writer.WritePropertyName(member.Name);
                    WriteCanonical(writer, member.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var value in element.EnumerateArray())
                {
                    WriteCanonical(writer, value);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
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

    /// <summary>Each kept pointer's tokens, by its index: split once for the walk, not once per item.</summary>
    private readonly List<string[]> tokens = [];
    private readonly Dictionary<string, string> shared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlySet<string>> leftOut = new(StringComparer.Ordinal);

    /// <param name="pointers">The values to keep of each item, by JSON pointer.</param>
    /// <param name="sharedValues">Values that many items hold (the schema's enum values): one string each for the whole walk, not one per item.</param>
    /// <param name="membersLeftOut">Members of a top-level object member that its hash leaves out (a body of one listed item may leave them out: <see cref="SuccessSpec.MayLeaveOutWithin"/>).</param>
    public WalkProjection(IEnumerable<string> pointers, IEnumerable<string>? sharedValues = null, IEnumerable<(string Member, string Child)>? membersLeftOut = null)
    {
        foreach (var group in (membersLeftOut ?? []).GroupBy(m => m.Member, StringComparer.Ordinal))
        {
            leftOut[group.Key] = group.Select(m => m.Child).ToHashSet(StringComparer.Ordinal);
        }

        foreach (var pointer in pointers.Distinct(StringComparer.Ordinal))
        {
            index[pointer] = index.Count;
            tokens.Add(JsonPointer.Tokens(pointer));
        }

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

    /// <summary>The projection of an endpoint's list: what the checks of that list read from its items.</summary>
    public static WalkProjection For(ApiContract contract, EndpointSpec endpoint)
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
        var texts = new string?[tokens.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            var text = JsonPointer.Text(item, tokens[i]);
            texts[i] = text is null ? null : text == id ? id : shared.GetValueOrDefault(text, text);
        }

        // Each of the first MaxFields members: the hash of its name and of its value; the rest are only counted.
        var count = 0;
        foreach (var _ in item.EnumerateObject())
        {
            count++;
        }

        var kept = Math.Min(count, WalkItem.MaxFields);
        var fields = new ulong[2 * kept];
        var n = 0;
        foreach (var member in item.EnumerateObject())
        {
            if (n == fields.Length)
            {
                break;
            }

            var name = member.Name; // a string of its own each time it is read
            fields[n++] = WalkItem.TextHash(name);
            fields[n++] = WalkItem.HashOf(member.Value, leftOut.GetValueOrDefault(name));
        }

        return new WalkItem(this, id, page, texts, fields, count - kept);
    }
}
