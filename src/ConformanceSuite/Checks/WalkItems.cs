namespace ConformanceSuite.Checks;

/// <summary>
/// The items a walk keeps, in walk order: past the first <see cref="HeldItems"/>, in a temporary file
/// (<see cref="SpilledList{T}"/>). So a walk's memory does not grow with the items it keeps, however many the
/// contract's <c>pagination.maxItems</c> lets it keep.
/// </summary>
/// <param name="projection">The projection every item of the walk was kept by (it is not written out).</param>
/// <param name="heldItems">How many items are held before the file is used (<see cref="HeldItems"/>; tests use fewer).</param>
public sealed class WalkItems(WalkProjection projection, int heldItems = WalkItems.HeldItems) : SpilledList<WalkItem>(heldItems, "conformance-walk")
{
    /// <summary>How many items are held in memory before the rest go to a temporary file.</summary>
    public const int HeldItems = 4096;

    protected override void Write(BinaryWriter writer, WalkItem item)
    {
        var (texts, fields) = item.Kept;
        writer.Write(item.Id);
        writer.Write7BitEncodedInt(item.Page);
        writer.Write7BitEncodedInt(item.FieldsNotKept);
        writer.Write7BitEncodedInt(texts.Length);
        foreach (var text in texts)
        {
            writer.Write(text is not null);
            if (text is not null)
            {
                writer.Write(text);
            }
        }

        writer.Write7BitEncodedInt(fields.Length);
        foreach (var value in fields)
        {
            writer.Write(value);
        }
    }

    protected override WalkItem Read(BinaryReader reader)
    {
        var id = reader.ReadString();
        var page = reader.Read7BitEncodedInt();
        var notKept = reader.Read7BitEncodedInt();
        var texts = new string?[reader.Read7BitEncodedInt()];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = reader.ReadBoolean() ? reader.ReadString() : null;
        }

        var fields = new ulong[reader.Read7BitEncodedInt()];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = reader.ReadUInt64();
        }

        return new WalkItem(projection, id, page, texts, fields, notKept);
    }
}
