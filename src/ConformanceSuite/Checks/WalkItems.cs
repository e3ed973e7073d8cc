using System.Collections;
using ConformanceSuite.Csv;

namespace ConformanceSuite.Checks;

/// <summary>
/// The items a walk keeps, in walk order. The first <see cref="HeldItems"/> are held as they are; past that, each
/// one added is written to a temporary file (<see cref="TemporaryFile"/>: gone with the walk) and memory keeps only where it
/// starts. An item written out is read back when it is asked for, whole. So a walk's memory does not grow with the
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

    /// <summary>Where each item written out starts in the file (the buffer's items included), by its index past the held ones.</summary>
    private readonly List<long> offsets = [];
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
                return items.Count + offsets.Count;
            }
        }
    }

    /// <summary>True once items have gone to the temporary file.</summary>
    public bool Spilled => offsets.Count > 0;

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

            offsets.Add(Written + pending.Length);
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
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                if (index < items.Count)
                {
                    return items[index];
                }

                var k = index - items.Count;
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, offsets.Count, nameof(index));
                bytes = ReadBack(k, k);
            }

            using var reader = new BinaryReader(new MemoryStream(bytes), System.Text.Encoding.UTF8);
            var item = Read(reader);
            Consumed(reader, bytes.Length);
            return item;
        }
    }

    /// <summary>The items there are when the enumeration starts, one at a time: those written out are read back a chunk at a time.</summary>
    public IEnumerator<WalkItem> GetEnumerator()
    {
        int count;
        lock (gate)
        {
            count = items.Count + offsets.Count;
        }

        for (var i = 0; i < count && i < items.Count; i++)
        {
            yield return items[i];
        }

        for (var k = 0; k < count - items.Count;)
        {
            byte[] chunk;
            int last;
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                // The items that start within a chunk's length of this one, and at least this one.
                last = k;
                while (last + 1 < count - items.Count && offsets[last + 1] - offsets[k] < ChunkBytes)
                {
                    last++;
                }

                chunk = ReadBack(k, last);
            }

            using var reader = new BinaryReader(new MemoryStream(chunk), System.Text.Encoding.UTF8);
            var decoded = new WalkItem[last - k + 1];
            for (var i = 0; i < decoded.Length; i++)
            {
                decoded[i] = Read(reader);
            }

            Consumed(reader, chunk.Length);
            foreach (var item in decoded)
            {
                yield return item;
            }

            k = last + 1;
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

    /// <summary>The bytes of the items written out from <paramref name="first"/> to <paramref name="last"/> (by index past the held ones), read back from the file; under the lock.</summary>
    private byte[] ReadBack(int first, int last)
    {
        Flush();
        var start = offsets[first];
        var bytes = new byte[(last + 1 < offsets.Count ? offsets[last + 1] : Written) - start];
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
