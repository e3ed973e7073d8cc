using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace ConformanceSuite.Csv;

/// <summary>
/// Every row of one CSV, kept as a multiset of row keys for exact comparisons with another file, in bounded memory.
/// A row's key is the bytes of its spec columns in spec order (so reordered columns give the same row).
/// Rows are appended as they are read; the first mebibyte of them (or <see cref="CsvRowSetOptions.MemoryBudgetBytes"/>,
/// when smaller) stays in memory, and past it they are written to a file in a temporary folder, a mebibyte at a time
/// from a buffer that stays in the cache. Sorting waits for the first comparison: the rows are
/// read back a budget at a time, each part sorted in memory into a run, and the runs merged (at most
/// <see cref="CsvRowSetOptions.MergeFanIn"/> at a time, pass after pass) into one sorted file; a comparison is then
/// a single merge of two sorted streams.
/// Rows are ordered by a 64-bit hash, then by their bytes; equality is decided on the bytes, so the comparison
/// is exact: a hash collision cannot make a foreign row look like a member, it only costs a byte comparison.
/// </summary>
public sealed class CsvRowSet : IDisposable
{
    /// <summary>What sorting needs per row beyond its bytes (a hash and an offset), counted in the budget.</summary>
    private const int EntryBytes = 12;

    /// <summary>
    /// Rows are written out in pieces of this size; sorting reads them back in budget-sized runs. Writing them out is
    /// cheaper than filling the whole budget first: memory the process has not touched yet costs a page fault a page
    /// (dearer than the write on some virtual machines), and this buffer is reused, warm in the cache.
    /// </summary>
    private const int FlushBytes = 1024 * 1024;

    /// <summary>The row buffer's first size: a typical export's rows fit it.</summary>
    private const int FirstBytes = 16 * 1024;

    private readonly CsvRowSetOptions options;
    private readonly Lock gate = new();
    private readonly List<Region> chunks = [];
    private byte[]? arena;
    private int used;
    private int arenaRows;
    private readonly long spillAt;
    private int rowEnd;
    private SpillFolder? folder;
    private SpillFile? chunkFile;
    private SortedRows? sorted;
    private bool disposed;

    public CsvRowSet(CsvRowSetOptions? options = null, string delimiter = ",")
    {
        this.options = options ?? CsvRowSetOptions.Default;
        Delimiter = delimiter;
        spillAt = Math.Min(this.options.MemoryBudgetBytes, FlushBytes);
        if (this.options.MemoryBudgetBytes < 1024 || this.options.MergeFanIn < 2)
        {
            throw new ArgumentException("a row set needs a memory budget of at least 1 KiB and a merge fan-in of at least 2", nameof(options));
        }
    }

    /// <summary>The rows added (kept or not).</summary>
    public long Count { get; private set; }

    /// <summary>Why rows were not all kept (null when every row is): a comparison with this set is then partial.</summary>
    public string? IncompleteReason { get; private set; }

    public bool Complete => IncompleteReason is null;

    /// <summary>The profile setting that caps the rows kept on disk.</summary>
    public const string SpillSetting = "maxSpillBytes";

    /// <summary>The setting that would let every row be kept, when that is why they are not; null otherwise.</summary>
    public string? IncompleteSetting { get; private set; }

    /// <summary>Whether rows were written to the temporary folder (they passed a mebibyte, or the memory budget when smaller).</summary>
    public bool Spilled => SpilledChunks > 0;

    public long SpilledBytes { get; private set; }

    /// <summary>Writes to the temporary file (each of about <see cref="FlushBytes"/>, or the budget when smaller).</summary>
    public int SpilledChunks { get; private set; }

    /// <summary>Sorted runs made for comparisons (one per budget of spilled rows, or one for a set kept in memory).</summary>
    public int SortedRuns { get; private set; }

    /// <summary>Merge passes over the runs (0 when there was a single run).</summary>
    public int MergePasses { get; private set; }

    public long MemoryBudgetBytes => options.MemoryBudgetBytes;

    /// <summary>
    /// The most bytes this set held in its own buffers at once: its rows in memory, the arrays that sort them, the
    /// buffers of a merge. It stays within the budget plus the merge buffers, whatever the number of rows (only a
    /// single row larger than the budget can take it past).
    /// </summary>
    public long PeakBufferBytes { get; private set; }

    /// <summary>The delimiter the rows are shown with in messages.</summary>
    public string Delimiter { get; set; }

    /// <summary>Adds a row: the values of the spec's columns in spec order (null for a field the row lacks).</summary>
    public void Add(ReadOnlySpan<string?> fields)
    {
        if (!BeginRow())
        {
            return;
        }

        foreach (var field in fields)
        {
            // At most 3 UTF-8 bytes a UTF-16 char and 5 bytes a length, with room to move the row's length along.
            Reserve(rowEnd + 10 + (3L * (field?.Length ?? 0)));
            rowEnd += field is null ? WriteMissing(arena.AsSpan(rowEnd)) : WriteField(arena.AsSpan(rowEnd), field);
        }

        EndRow();
    }

    /// <summary>
    /// Adds a row whose values are slices of <paramref name="chars"/>: value k at [starts[k], starts[k] + lengths[k]),
    /// or missing when lengths[k] is -1. Room for the whole row is made at once.
    /// </summary>
    internal void Add(ReadOnlySpan<char> chars, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
    {
        if (!BeginRow())
        {
            return;
        }

        var most = rowEnd + 5L;
        foreach (var length in lengths)
        {
            most += 5 + (3L * Math.Max(length, 0));
        }

        Reserve(most);
        for (var k = 0; k < lengths.Length; k++)
        {
            var into = arena.AsSpan(rowEnd);
            rowEnd += lengths[k] < 0 ? WriteMissing(into) : WriteField(into, chars.Slice(starts[k], lengths[k]));
        }

        EndRow();
    }

    /// <summary>
    /// Adds a row given as its text, when its values are all its fields in order (<paramref name="delimiters"/> are
    /// where the text splits): the text is narrowed to the key in one pass, each delimiter becoming the next value's
    /// length. False, and nothing added, when the text is not all ASCII or a value is not shorter than 127 bytes:
    /// the caller then adds the row value by value.
    /// </summary>
    internal bool TryAddText(ReadOnlySpan<char> text, ReadOnlySpan<int> delimiters)
    {
        if (IncompleteReason is not null || sorted is not null || disposed)
        {
            return false; // the value-by-value path counts the row, or says why it cannot
        }

        // The key: a length byte for the first value, then the text, each delimiter overwritten by a length byte.
        Reserve(used + 6L + text.Length);
        var key = arena.AsSpan(used + 1, text.Length + 1);
        if (Ascii.FromUtf16(text, key[1..], out _) != OperationStatus.Done)
        {
            return false;
        }

        var start = 0;
        foreach (var end in delimiters)
        {
            if (end - start >= 127)
            {
                return false;
            }

            key[start] = (byte)(end - start + 1);
            start = end + 1;
        }

        if (text.Length - start >= 127)
        {
            return false;
        }

        key[start] = (byte)(text.Length - start + 1);
        Count++;
        rowEnd = used + 1 + key.Length;
        EndRow();
        return true;
    }

    /// <summary>Starts a row; false when rows are no longer kept. One byte is left for the row's length.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(arena))]
    private bool BeginRow()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Count++;
        if (IncompleteReason is not null)
        {
            return false;
        }

        if (sorted is not null)
        {
            throw new InvalidOperationException("rows cannot be added to a row set once it has been compared");
        }

        // One byte is left for the row's length, moved along in the rare case it needs more (at most 5).
        Reserve(used + 5);
        rowEnd = used + 1;
        return true;
    }

    /// <summary>
    /// Writes a value as varint(byte length + 1) and its UTF-8 bytes at the start of <paramref name="into"/>, which has
    /// room for 5 + 3 bytes a char; returns the bytes written. ASCII (nearly every value) is copied as it is narrowed.
    /// </summary>
    private static int WriteField(Span<byte> into, ReadOnlySpan<char> field)
    {
        if (Ascii.FromUtf16(field, into[1..], out var n) != OperationStatus.Done)
        {
            Utf8.FromUtf16(field[n..], into[(1 + n)..], out _, out var rest);
            n += rest;
        }

        return Place(into, n + 1, n) + n;
    }

    private static int WriteMissing(Span<byte> into)
    {
        into[0] = 0;
        return 1;
    }

    private void EndRow()
    {
        var keyLength = rowEnd - used - 1;
        used += Place(arena.AsSpan(used), keyLength, keyLength) + keyLength;
        arenaRows++;
        if (used + (arenaRows * (long)EntryBytes) >= spillAt)
        {
            Spill();
        }
    }

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(arena))]
    private void Reserve(long size)
    {
        if (arena is null || size > arena.Length)
        {
            Grow(checked((int)size));
        }
    }

    /// <summary>Writes <paramref name="length"/> as a varint at the start of <paramref name="span"/>, where one byte was left
    /// for it before <paramref name="count"/> bytes; returns the bytes the varint takes.</summary>
    private static int Place(Span<byte> span, int length, int count)
    {
        if (length < 0x80)
        {
            span[0] = (byte)length;
            return 1;
        }

        var size = RowFormat.VarintSize((uint)length);
        span.Slice(1, count).CopyTo(span[size..]);
        RowFormat.WriteVarint(span, (uint)length);
        return size;
    }

    /// <summary>Ends the adding: spilled rows go to disk and the memory buffer is released (or trimmed when kept).</summary>
    public void Finish()
    {
        if (IncompleteReason is not null || disposed)
        {
            return;
        }

        if (Spilled)
        {
            if (arenaRows > 0)
            {
                Spill();
            }

            arena = null;
        }
        else if (arena is not null && arena.Length - used > 4096)
        {
            Array.Resize(ref arena, used);
        }
    }

    /// <summary>
    /// Compares this set, as the candidate subset, with <paramref name="superset"/>, as multisets: a row that
    /// appears k times here must appear at least k times there. Exact whenever both sets kept every row.
    /// </summary>
    public CsvSubsetComparison CompareAsSubsetOf(CsvRowSet superset)
    {
        ArgumentNullException.ThrowIfNull(superset);
        ObjectDisposedException.ThrowIf(disposed, this);
        ObjectDisposedException.ThrowIf(superset.disposed, superset);
        var partial = (IncompleteReason, superset.IncompleteReason) switch
        {
            (null, null) => null,
            (string mine, null) => $"the subset's rows are not all kept: {mine}",
            (null, string theirs) => $"the superset's rows are not all kept: {theirs}",
            (string mine, string theirs) => $"the subset's rows are not all kept: {mine}; nor the superset's: {theirs}",
        };
        if (partial is not null)
        {
            return Partial(superset, partial) with { PartialSetting = IncompleteSetting ?? superset.IncompleteSetting };
        }

        try
        {
            using var mine = OpenSorted();
            using var theirs = superset.OpenSorted();
            return Walk(mine, theirs, superset);
        }
        catch (IOException ex)
        {
            return Partial(superset, $"sorting the rows in the temporary folder failed: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            return Partial(superset, $"sorting the rows in the temporary folder failed: {ex.Message}");
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            Release();
        }
    }

    private CsvSubsetComparison Partial(CsvRowSet superset, string why) => new()
    {
        Exact = false,
        PartialReason = $"subset compared by row counts only: {why}",
        Rows = Count,
        SupersetRows = superset.Count,
    };

    /// <summary>One merge of the two sorted streams: equal rows pair off; what is left on either side is counted.</summary>
    private CsvSubsetComparison Walk(IRowCursor mine, IRowCursor theirs, CsvRowSet superset)
    {
        long foreign = 0, repeats = 0, missing = 0;
        var examples = new List<string>();
        var last = new byte[256];
        var lastLength = -1;
        ulong lastHash = 0;
        var hasMine = mine.MoveNext();
        var hasTheirs = theirs.MoveNext();
        while (hasMine)
        {
            var order = hasTheirs ? RowFormat.Compare(mine.Hash, mine.Key, theirs.Hash, theirs.Key) : -1;
            if (order == 0)
            {
                var key = mine.Key;
                if (key.Length > last.Length)
                {
                    last = new byte[key.Length * 2];
                }

                key.CopyTo(last);
                lastLength = key.Length;
                lastHash = mine.Hash;
                hasMine = mine.MoveNext();
                hasTheirs = theirs.MoveNext();
            }
            else if (order < 0)
            {
                foreign++;
                if (lastLength >= 0 && lastHash == mine.Hash && mine.Key.SequenceEqual(last.AsSpan(0, lastLength)))
                {
                    repeats++;
                }

                if (examples.Count < 3)
                {
                    examples.Add(RowFormat.Text(mine.Key, Delimiter));
                }

                hasMine = mine.MoveNext();
            }
            else
            {
                missing++;
                hasTheirs = theirs.MoveNext();
            }
        }

        while (hasTheirs)
        {
            missing++;
            hasTheirs = theirs.MoveNext();
        }

        return new CsvSubsetComparison
        {
            Exact = true,
            Rows = Count,
            SupersetRows = superset.Count,
            RowsNotInSuperset = foreign,
            RepeatedRows = repeats,
            SupersetRowsNotInSubset = missing,
            Examples = examples,
            Spilled = Spilled || superset.Spilled,
            SortedRuns = SortedRuns + superset.SortedRuns,
            MergePasses = Math.Max(MergePasses, superset.MergePasses),
        };
    }

    private IRowCursor OpenSorted()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            sorted ??= Sort();
            return sorted.Open();
        }
    }

    private SortedRows Sort()
    {
        Finish();
        if (!Spilled)
        {
            var data = arena ?? [];
            var hashes = new ulong[arenaRows];
            var offsets = new int[arenaRows];
            Track(data.Length + ((long)arenaRows * EntryBytes));
            RowFormat.Sort(data, used, hashes, offsets, arenaRows, options.Hash);
            SortedRuns = 1;
            return new SortedRows(data, hashes, offsets, arenaRows);
        }

        // Each chunk, sorted in memory, becomes a run of one file; the runs are merged fan-in at a time into a
        // new file, pass after pass, until one run is left. Every buffer is the size of a chunk or fixed.
        var runsFile = folder!.Create();
        var runs = new List<Region>();
        try
        {
            var largest = chunks.Max(c => c.Length);
            var rows = chunks.Max(c => c.Rows);
            var buffer = new byte[largest];
            var hashes = new ulong[rows];
            var offsets = new int[rows];
            Track(largest + ((long)rows * EntryBytes) + RunWriter.BufferBytes);
            foreach (var chunk in chunks)
            {
                chunkFile!.ReadExactly(chunk.Start, buffer.AsSpan(0, (int)chunk.Length));
                RowFormat.Sort(buffer, (int)chunk.Length, hashes, offsets, chunk.Rows, options.Hash);
                var start = runsFile.Length;
                var writer = new RunWriter(runsFile);
                for (var i = 0; i < chunk.Rows; i++)
                {
                    writer.Write(hashes[i], RowFormat.KeyAt(buffer, offsets[i]));
                }

                writer.Flush();
                runs.Add(new Region(start, runsFile.Length - start, chunk.Rows));
            }

            SortedRuns = runs.Count;
            while (runs.Count > 1)
            {
                var merged = folder.Create();
                var next = new List<Region>();
                try
                {
                    foreach (var group in runs.Chunk(options.MergeFanIn))
                    {
                        var start = merged.Length;
                        var writer = new RunWriter(merged);
                        Track((group.Length + 1L) * RunWriter.BufferBytes);
                        RunMerge.Merge(group.Select(r => (IRowCursor)new RunReader(runsFile, r)).ToList(), writer);
                        writer.Flush();
                        next.Add(new Region(start, merged.Length - start, group.Sum(r => r.Rows)));
                    }
                }
                catch
                {
                    merged.Dispose();
                    throw;
                }

                runsFile.Dispose();
                runsFile = merged;
                runs = next;
                MergePasses++;
            }
        }
        catch
        {
            runsFile.Dispose();
            throw;
        }

        // The unsorted chunks are no longer needed: the sorted file holds every row.
        chunkFile!.Dispose();
        chunkFile = null;
        return new SortedRows(runsFile, runs.Count == 0 ? new Region(0, 0, 0) : runs[0]);
    }

    /// <summary>
    /// Makes room for <paramref name="needed"/> bytes, uninitialized. The buffer starts small and doubles, up to the
    /// point where rows are written out (<see cref="FlushBytes"/> or the budget) plus room for a row: a large file's
    /// buffer stops there, and a small export's stays small. (Made at the budget's size at once, every export's check cost 8 MiB of the large
    /// object heap, and each such array counts toward a full collection: 9 MB a check of a 2 KB export.)
    /// Only a row larger than the whole budget makes it larger.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(arena))]
    private void Grow(int needed)
    {
        var budget = (int)Math.Min(options.MemoryBudgetBytes, Array.MaxLength);
        var most = (int)Math.Min(budget, spillAt + FirstBytes); // the rows written out at spillAt, with room for one more
        var doubled = (int)Math.Min(most, Math.Max(FirstBytes, 2L * (arena?.Length ?? 0)));
        var larger = GC.AllocateUninitializedArray<byte>(Math.Max(needed, doubled));
        Track(larger.Length + (arena?.Length ?? 0L)); // while it grows, the old buffer is still there
        arena?.AsSpan(0, Math.Max(used, rowEnd)).CopyTo(larger); // with the row being added, if any
        arena = larger;
    }

    /// <summary>Writes the rows in memory as a chunk of the temporary file; past the spill limit or on a disk error, stops keeping rows.</summary>
    private void Spill()
    {
        if (SpilledBytes + used > options.MaxSpillBytes)
        {
            Abandon($"at row {Count:N0} the rows passed the spill limit of {options.MaxSpillBytes:N0} bytes ({SpillSetting})");
            IncompleteSetting = SpillSetting;
            return;
        }

        try
        {
            folder ??= new SpillFolder(options.TempFolder ?? Path.GetTempPath());
            chunkFile ??= folder.Create();
            var start = chunkFile.Length;
            chunkFile.Append(arena.AsSpan(0, used));
            // Pieces written one after the other are read back as one run while the run fits the budget.
            if (chunks.Count > 0 && chunks[^1] is var last && last.Start + last.Length == start
                && last.Length + used + ((long)last.Rows + arenaRows) * EntryBytes <= options.MemoryBudgetBytes)
            {
                chunks[^1] = last with { Length = last.Length + used, Rows = last.Rows + arenaRows };
            }
            else
            {
                chunks.Add(new Region(start, used, arenaRows));
            }

            SpilledChunks++;
            SpilledBytes += used;
            used = 0;
            rowEnd = 0;
            arenaRows = 0;
        }
        catch (IOException ex)
        {
            Abandon($"at row {Count:N0} the temporary folder could not be written ({ex.Message})");
        }
        catch (UnauthorizedAccessException ex)
        {
            Abandon($"at row {Count:N0} the temporary folder could not be written ({ex.Message})");
        }
    }

    /// <summary>Stops keeping rows and says why: comparisons with this set become partial.</summary>
    internal void MarkIncomplete(string reason)
    {
        if (IncompleteReason is null)
        {
            Abandon(reason);
        }
    }

    private void Track(long bytes) => PeakBufferBytes = Math.Max(PeakBufferBytes, bytes);

    private void Abandon(string reason)
    {
        IncompleteReason = reason;
        Release();
    }

    private void Release()
    {
        sorted?.Dispose();
        sorted = null;
        chunkFile?.Dispose();
        chunkFile = null;
        folder?.Dispose();
        arena = null;
        used = 0;
        arenaRows = 0;
        chunks.Clear();
    }

    /// <summary>The sorted form of a set: in memory, or one run of a temporary file.</summary>
    private sealed class SortedRows : IDisposable
    {
        private readonly byte[]? data;
        private readonly ulong[]? hashes;
        private readonly int[]? offsets;
        private readonly int rows;
        private readonly SpillFile? file;
        private readonly Region region;

        public SortedRows(byte[] data, ulong[] hashes, int[] offsets, int rows) => (this.data, this.hashes, this.offsets, this.rows) = (data, hashes, offsets, rows);

        public SortedRows(SpillFile file, Region region) => (this.file, this.region) = (file, region);

        public IRowCursor Open() => file is null ? new MemoryCursor(data!, hashes!, offsets!, rows) : new RunReader(file, region);

        public void Dispose() => file?.Dispose();
    }
}

/// <summary>
/// What <see cref="CsvRowSet.CompareAsSubsetOf"/> found. When <see cref="Exact"/> is false, no row was compared and
/// <see cref="PartialReason"/> says why: the caller must report the subset as not fully checked, never as a pass.
/// </summary>
public sealed record CsvSubsetComparison
{
    /// <summary>Whether every row of both files was compared (exactly, on its bytes).</summary>
    public required bool Exact { get; init; }

    /// <summary>Why the comparison is not exact, e.g. "subset compared by row counts only: …"; null when exact.</summary>
    public string? PartialReason { get; init; }

    /// <summary>The setting that would have let the comparison be exact, when a cap of the suite's is why it is not.</summary>
    public string? PartialSetting { get; init; }

    public long Rows { get; init; }

    public long SupersetRows { get; init; }

    /// <summary>Rows of the subset with no partner in the superset, counting repeats.</summary>
    public long RowsNotInSuperset { get; init; }

    /// <summary>Of those, rows that do appear in the superset, but fewer times.</summary>
    public long RepeatedRows { get; init; }

    /// <summary>Rows of the superset with no partner in the subset: more than zero makes the subset strict.</summary>
    public long SupersetRowsNotInSubset { get; init; }

    /// <summary>The first rows not in the superset, as text.</summary>
    public IReadOnlyList<string> Examples { get; init; } = [];

    /// <summary>Whether either set was spilled to the temporary folder.</summary>
    public bool Spilled { get; init; }

    public int SortedRuns { get; init; }

    public int MergePasses { get; init; }

    public bool IsSubset => Exact && RowsNotInSuperset == 0;

    public bool IsStrictSubset => IsSubset && SupersetRowsNotInSubset > 0;

    public bool IsEqual => IsSubset && SupersetRowsNotInSubset == 0;
}
