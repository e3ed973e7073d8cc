using System.Collections;
using ConformanceSuite.Csv;

namespace ConformanceSuite.Checks;

/// <summary>
/// The items a walk keeps, in walk order. The first <see cref="HeldItems"/> are held as they are; past that, each
/// one added is written to a temporary file (<see cref="TemporaryFile"/>: gone with the walk) and memory keeps only where
/// each group of <see cref="Group"/> of them starts (under a byte an item). An item written out is read back when it is
/// asked for, whole, with the others of its group. So a walk's memory does not grow with the
/// items it keeps, however many the contract's <c>pagination.maxItems</c> lets it keep: a walk of ordinary size
/// (a few hundred pages of ten) writes nothing.
/// </summary>
public sealed class WalkItems : IReadOnlyList<WalkItem>, IDisposable
{
    /// <summary>How many items are held in memory before the rest go to a temporary file.</summary>
    public const int HeldItems = 4096;

    /// <summary>Items written out are gathered in a buffer of about this size before it goes to the file.</summary>
    private const int ChunkBytes = 64 * 1024;

    private readonly Lock gate = new();
    private readonly WalkProjection projection;
    private readonly int held;
    private readonly List<WalkItem> items = [];

    /// <summary>How many items written out share one place in <see cref="groupStarts"/>: an item is found by reading its group.</summary>
    public const int Group = 16;

    /// <summary>Where each group of <see cref="Group"/> items written out starts in the file (the buffer's included), in order.</summary>
    private readonly List<long> groupStarts = [];

    /// <summary>How many items were written out.</summary>
    private int spilledCount;
    private readonly MemoryStream pending = new();
    private readonly BinaryWriter writer;
    private SpillFile? file;
    private bool disposed;

    /// <param name="projection">The projection every item of the walk was kept by (it is not written out).</param>
    /// <param name="heldItems">How many items are held before the file is used (<see cref="HeldItems"/>; tests use fewer).</param>
    public WalkItems(WalkProjection projection, int heldItems = HeldItems)
    {
        this.projection = projection;
        held = heldItems;
        writer = new BinaryWriter(pending, System.Text.Encoding.UTF8, leaveOpen: true);
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return items.Count + spilledCount;
            }
        }
    }

    /// <summary>True once items have gone to the temporary file.</summary>
    public bool Spilled => spilledCount > 0;

    public void Add(WalkItem item)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (items.Count < held)
            {
                items.Add(item);
                return;
            }

            if (spilledCount % Group == 0)
            {
                groupStarts.Add(Written + pending.Length);
            }

            spilledCount++;
            Write(item);
            if (pending.Length >= ChunkBytes)
            {
                Flush();
            }
        }
    }

    public WalkItem this[int index]
    {
        get
        {
            byte[] bytes;
            int k;
            int inGroup;
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                if (index < items.Count)
                {
                    return items[index];
                }

                k = index - items.Count;
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, spilledCount, nameof(index));
                bytes = ReadBack(k / Group, k / Group);
                inGroup = Math.Min(Group, spilledCount - (k / Group * Group));
            }

            return Decode(bytes, inGroup)[k % Group];
        }
    }

    /// <summary>The items there are when the enumeration starts, one at a time: those written out are read back a chunk at a time.</summary>
    public IEnumerator<WalkItem> GetEnumerator()
    {
        int count;
        lock (gate)
        {
            count = items.Count + spilledCount;
        }

        for (var i = 0; i < count && i < items.Count; i++)
        {
            yield return items[i];
        }

        var written = count - items.Count;
        for (var g = 0; g * Group < written;)
        {
            byte[] chunk;
            int last;
            int have;
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                // The groups that start within a chunk's length of this one, and at least this one.
                last = g;
                while ((last + 1) * Group < written && groupStarts[last + 1] - groupStarts[g] < ChunkBytes)
                {
                    last++;
                }

                chunk = ReadBack(g, last);
                have = Math.Min((last + 1) * Group, spilledCount) - (g * Group);
            }

            // Only the items there were when the enumeration started, though the last group may have grown since.
            foreach (var item in Decode(chunk, have).Take(written - (g * Group)))
            {
                yield return item;
            }

            g = last + 1;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            file?.Dispose();
            file = null;
            writer.Dispose();
            pending.Dispose();
        }
    }

    private void Write(WalkItem item)
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

    private WalkItem Read(BinaryReader reader)
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

    /// <summary>Decodes <paramref name="count"/> items, all the bytes hold.</summary>
    private WalkItem[] Decode(byte[] bytes, int count)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), System.Text.Encoding.UTF8);
        var decoded = new WalkItem[count];
        for (var i = 0; i < decoded.Length; i++)
        {
            decoded[i] = Read(reader);
        }

        Consumed(reader, bytes.Length);
        return decoded;
    }

    /// <summary>The bytes of the groups of items written out from <paramref name="first"/> to <paramref name="last"/>, read back from the file; under the lock.</summary>
    private byte[] ReadBack(int first, int last)
    {
        Flush();
        var start = groupStarts[first];
        var bytes = new byte[(last + 1 < groupStarts.Count ? groupStarts[last + 1] : Written) - start];
        file!.ReadExactly(start, bytes);
        return bytes;
    }

    /// <summary>Items are read back from exactly the bytes they were written to: anything else is a damaged file, never a wrong item.</summary>
    private static void Consumed(BinaryReader reader, int length)
    {
        if (reader.BaseStream.Position != length)
        {
            throw new InvalidDataException($"the walk's item file is damaged: {length} bytes read back, {reader.BaseStream.Position} of them decoded");
        }
    }

    /// <summary>The bytes in the file so far.</summary>
    private long Written => file?.Length ?? 0;

    /// <summary>Writes the buffered items to the file (made on the first write).</summary>
    private void Flush()
    {
        if (pending.Length == 0)
        {
            return;
        }

        file ??= new SpillFile(TemporaryFile.Open(Path.Combine(Path.GetTempPath(), $"conformance-walk-{Guid.NewGuid():N}")));
        file.Append(pending.GetBuffer().AsSpan(0, (int)pending.Length));
        pending.SetLength(0);
    }
}
