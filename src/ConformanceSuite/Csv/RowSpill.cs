using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace ConformanceSuite.Csv;

/// <summary>
/// The temporary folder of one row set. Each file is opened once and read by position. On Unix its name (and
/// the then empty folder) is removed as soon as it is open, so nothing is left on disk even if the process dies;
/// on Windows the files are opened delete-on-close and the folder is removed by <see cref="Dispose"/>.
/// </summary>
internal sealed class SpillFolder(string parent) : IDisposable
{
    private int next;

    public string Path { get; } = System.IO.Path.Combine(parent, "conformance-csv-rows-" + Guid.NewGuid().ToString("N"));

    public SpillFile Create()
    {
        Directory.CreateDirectory(Path);
        var handle = TemporaryFile.Open(System.IO.Path.Combine(Path, $"{Interlocked.Increment(ref next)}.rows"));
        if (!OperatingSystem.IsWindows())
        {
            DeleteFolder(); // empty: its file has no name any more
        }

        return new SpillFile(handle);
    }

    public void Dispose() => DeleteFolder();

    private void DeleteFolder()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
            // On Windows a file still open is deleted when it closes; the folder may outlive it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>One temporary file: appended to, read by position.</summary>
internal sealed class SpillFile(SafeFileHandle handle) : IDisposable
{
    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        RandomAccess.Write(handle, data, Length);
        Length += data.Length;
    }

    public void ReadExactly(long offset, Span<byte> into)
    {
        while (into.Length > 0)
        {
            var n = RandomAccess.Read(handle, into, offset);
            if (n == 0)
            {
                throw new EndOfStreamException("a temporary row file ended early");
            }

            into = into[n..];
            offset += n;
        }
    }

    public int Read(long offset, Span<byte> into) => RandomAccess.Read(handle, into, offset);

    public void Dispose() => handle.Dispose();
}

/// <summary>A region of a temporary file: a chunk of unsorted rows, or a sorted run.</summary>
internal readonly record struct Region(long Start, long Length, int Rows);

/// <summary>Rows in (hash, bytes) order, one at a time.</summary>
internal interface IRowCursor : IDisposable
{
    ulong Hash { get; }

    ReadOnlySpan<byte> Key { get; }

    bool MoveNext();
}

/// <summary>
/// The record formats. A row's key is its fields in spec order, each as a varint (byte length + 1, or 0 for a
/// missing field) and its UTF-8 bytes. In memory and in unsorted chunks a record is varint(key length), key;
/// in a sorted run it is the 8-byte hash first.
/// </summary>
internal static class RowFormat
{
    public static int VarintSize(uint value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;

    public static int WriteVarint(Span<byte> into, uint value)
    {
        var n = 0;
        while (value >= 0x80)
        {
            into[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        into[n++] = (byte)value;
        return n;
    }

    /// <summary>Reads a varint; false when the bytes end before it does.</summary>
    public static bool TryReadVarint(ReadOnlySpan<byte> from, out uint value, out int size)
    {
        value = 0;
        for (size = 0; size < 5 && size < from.Length; size++)
        {
            var b = from[size];
            value |= (uint)(b & 0x7F) << (7 * size);
            if (b < 0x80)
            {
                size++;
                return true;
            }
        }

        return false;
    }

    /// <summary>The key of the record at <paramref name="offset"/> of an unsorted buffer.</summary>
    public static ReadOnlySpan<byte> KeyAt(byte[] data, int offset)
    {
        TryReadVarint(data.AsSpan(offset), out var length, out var size);
        return data.AsSpan(offset + size, (int)length);
    }

    public static int Compare(ulong hashA, ReadOnlySpan<byte> keyA, ulong hashB, ReadOnlySpan<byte> keyB) =>
        hashA != hashB ? hashA.CompareTo(hashB) : keyA.SequenceCompareTo(keyB);

    /// <summary>A key as text: its fields joined by the delimiter (for messages).</summary>
    public static string Text(ReadOnlySpan<byte> key, string delimiter, int maxChars = 200)
    {
        var text = new System.Text.StringBuilder();
        var first = true;
        while (key.Length > 0 && TryReadVarint(key, out var tagged, out var size))
        {
            key = key[size..];
            var length = tagged == 0 ? 0 : (int)tagged - 1;
            if (!first)
            {
                text.Append(delimiter);
            }

            text.Append(System.Text.Encoding.UTF8.GetString(key[..length]));
            key = key[length..];
            first = false;
        }

        return text.Length > maxChars ? text.ToString(0, maxChars) + "…" : text.ToString();
    }

    /// <summary>Indexes the records of an unsorted buffer, hashes them and sorts them in (hash, bytes) order.</summary>
    public static void Sort(byte[] data, int length, ulong[] hashes, int[] offsets, int rows, CsvRowHasher hash)
    {
        var at = 0;
        for (var i = 0; i < rows; i++)
        {
            TryReadVarint(data.AsSpan(at, Math.Min(5, length - at)), out var keyLength, out var size);
            offsets[i] = at;
            hashes[i] = hash(data.AsSpan(at + size, (int)keyLength));
            at += size + (int)keyLength;
        }

        if (at != length)
        {
            throw new InvalidDataException($"a row chunk holds {length} bytes, its {rows} rows {at}");
        }

        Array.Sort(hashes, offsets, 0, rows);
        var comparer = Comparer<int>.Create((x, y) => KeyAt(data, x).SequenceCompareTo(KeyAt(data, y)));
        for (var start = 0; start < rows;)
        {
            var end = start + 1;
            while (end < rows && hashes[end] == hashes[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(offsets, start, end - start, comparer);
            }

            start = end;
        }
    }
}

/// <summary>A sorted in-memory buffer read as a cursor.</summary>
internal sealed class MemoryCursor(byte[] data, ulong[] hashes, int[] offsets, int rows) : IRowCursor
{
    private int index = -1;

    public ulong Hash => hashes[index];

    public ReadOnlySpan<byte> Key => RowFormat.KeyAt(data, offsets[index]);

    public bool MoveNext() => ++index < rows;

    public void Dispose() { }
}

/// <summary>Writes sorted records (hash, varint length, key) to a temporary file through a buffer.</summary>
internal sealed class RunWriter(SpillFile file)
{
    /// <summary>The buffer of a writer, and of each reader of a run.</summary>
    public const int BufferBytes = 64 * 1024;

    private readonly byte[] buffer = new byte[BufferBytes];
    private int used;

    public void Write(ulong hash, ReadOnlySpan<byte> key)
    {
        var need = 8 + 5 + key.Length;
        if (used + need > buffer.Length)
        {
            Flush();
        }

        if (need > buffer.Length)
        {
            Span<byte> head = stackalloc byte[13];
            BinaryPrimitives.WriteUInt64LittleEndian(head, hash);
            var n = 8 + RowFormat.WriteVarint(head[8..], (uint)key.Length);
            file.Append(head[..n]);
            file.Append(key);
            return;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(used), hash);
        used += 8;
        used += RowFormat.WriteVarint(buffer.AsSpan(used), (uint)key.Length);
        key.CopyTo(buffer.AsSpan(used));
        used += key.Length;
    }

    public void Flush()
    {
        if (used > 0)
        {
            file.Append(buffer.AsSpan(0, used));
            used = 0;
        }
    }
}

/// <summary>Reads a sorted run (a region of a temporary file) record by record through a buffer.</summary>
internal sealed class RunReader(SpillFile file, Region region) : IRowCursor
{
    private byte[] buffer = new byte[RunWriter.BufferBytes];
    private long next = region.Start;
    private readonly long end = region.Start + region.Length;
    private int position;
    private int filled;
    private int keyStart;
    private int keyLength;

    public ulong Hash { get; private set; }

    public ReadOnlySpan<byte> Key => buffer.AsSpan(keyStart, keyLength);

    public bool MoveNext()
    {
        position = keyStart + keyLength;
        if (!Ensure(8))
        {
            return false;
        }

        Hash = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(position));
        uint length;
        int size;
        while (!RowFormat.TryReadVarint(buffer.AsSpan(position + 8, filled - position - 8), out length, out size))
        {
            if (!Ensure(filled - position + 1))
            {
                throw new InvalidDataException("a sorted run ends inside a record");
            }
        }

        if (!Ensure(8 + size + (int)length))
        {
            throw new InvalidDataException("a sorted run ends inside a record");
        }

        keyStart = position + 8 + size;
        keyLength = (int)length;
        return true;
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available from <see cref="position"/>; false at the end of the run.</summary>
    private bool Ensure(int count)
    {
        if (filled - position >= count)
        {
            return true;
        }

        if (filled - position == 0 && next == end)
        {
            return false;
        }

        var kept = filled - position;
        if (count > buffer.Length)
        {
            var larger = new byte[Math.Max(count, buffer.Length * 2)];
            buffer.AsSpan(position, kept).CopyTo(larger);
            buffer = larger;
        }
        else
        {
            buffer.AsSpan(position, kept).CopyTo(buffer);
        }

        keyStart -= position;
        position = 0;
        filled = kept;
        while (filled < count && next < end)
        {
            var n = file.Read(next, buffer.AsSpan(filled, (int)Math.Min(buffer.Length - filled, end - next)));
            if (n == 0)
            {
                throw new EndOfStreamException("a temporary row file ended early");
            }

            filled += n;
            next += n;
        }

        if (filled < count)
        {
            throw new InvalidDataException("a sorted run ends inside a record");
        }

        return true;
    }

    public void Dispose() { }
}

/// <summary>Merges sorted cursors into one sorted stream of records (a binary heap of cursors).</summary>
internal static class RunMerge
{
    public static void Merge(IReadOnlyList<IRowCursor> inputs, RunWriter output)
    {
        var heap = new int[inputs.Count];
        var size = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].MoveNext())
            {
                heap[size++] = i;
                Up(heap, size - 1, inputs);
            }
        }

        while (size > 0)
        {
            var top = inputs[heap[0]];
            output.Write(top.Hash, top.Key);
            if (!top.MoveNext())
            {
                heap[0] = heap[--size];
            }

            Down(heap, size, inputs);
        }
    }

    private static bool Less(IReadOnlyList<IRowCursor> c, int a, int b) =>
        RowFormat.Compare(c[a].Hash, c[a].Key, c[b].Hash, c[b].Key) < 0;

    private static void Up(int[] heap, int at, IReadOnlyList<IRowCursor> c)
    {
        while (at > 0)
        {
            var parent = (at - 1) / 2;
            if (!Less(c, heap[at], heap[parent]))
            {
                return;
            }

            (heap[at], heap[parent]) = (heap[parent], heap[at]);
            at = parent;
        }
    }

    private static void Down(int[] heap, int size, IReadOnlyList<IRowCursor> c)
    {
        var at = 0;
        while (true)
        {
            var smallest = at;
            var left = (2 * at) + 1;
            var right = left + 1;
            if (left < size && Less(c, heap[left], heap[smallest]))
            {
                smallest = left;
            }

            if (right < size && Less(c, heap[right], heap[smallest]))
            {
                smallest = right;
            }

            if (smallest == at)
            {
                return;
            }

            (heap[at], heap[smallest]) = (heap[smallest], heap[at]);
            at = smallest;
        }
    }
}
