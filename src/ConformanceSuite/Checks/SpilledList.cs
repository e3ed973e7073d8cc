using System.Collections;
using ConformanceSuite.Csv;

namespace ConformanceSuite.Checks;

/// <summary>
/// What a walk keeps of each item or page, in walk order, in memory that does not grow with the walk: the first
/// few thousand are held as they are; past that, each one added is written to a temporary file
/// (<see cref="TemporaryFile"/>: gone with the walk) and memory keeps only where each group of <see cref="Group"/>
/// of them starts (under a byte each). One written out is read back when it is asked for, whole, with the others of
/// its group. A walk of ordinary size (a few hundred pages of ten) writes nothing.
/// </summary>
public abstract class SpilledList<T> : IReadOnlyList<T>, IDisposable
{
    /// <summary>Items written out are gathered in a buffer of about this size before it goes to the file.</summary>
    private const int ChunkBytes = 64 * 1024;

    private readonly Lock gate = new();
    private readonly int held;
    private readonly string filePrefix;
    private readonly List<T> items = [];

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

    /// <param name="heldItems">How many are held before the file is used.</param>
    /// <param name="filePrefix">The start of the temporary file's name.</param>
    protected SpilledList(int heldItems, string filePrefix)
    {
        held = heldItems;
        this.filePrefix = filePrefix;
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

    public void Add(T item)
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
            Write(writer, item);
            if (pending.Length >= ChunkBytes)
            {
                Flush();
            }
        }
    }

    public T this[int index]
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
    public IEnumerator<T> GetEnumerator()
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

        GC.SuppressFinalize(this);
    }

    /// <summary>Writes one of them, as <see cref="Read"/> reads it back.</summary>
    protected abstract void Write(BinaryWriter writer, T item);

    /// <summary>Reads back one written by <see cref="Write"/>.</summary>
    protected abstract T Read(BinaryReader reader);

    /// <summary>Decodes <paramref name="count"/> items, all the bytes hold.</summary>
    private T[] Decode(byte[] bytes, int count)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), System.Text.Encoding.UTF8);
        var decoded = new T[count];
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
            throw new InvalidDataException($"the walk's file is damaged: {length} bytes read back, {reader.BaseStream.Position} of them decoded");
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

        file ??= new SpillFile(TemporaryFile.Open(Path.Combine(Path.GetTempPath(), $"{filePrefix}-{Guid.NewGuid():N}")));
        file.Append(pending.GetBuffer().AsSpan(0, (int)pending.Length));
        pending.SetLength(0);
    }
}
