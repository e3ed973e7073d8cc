using System.Text.Unicode;

namespace ConformanceSuite.Csv;

/// <summary>
/// Every row of one CSV, kept as a multiset of row keys for exact comparisons with another file, in bounded memory.
/// A row's key is the bytes of its spec columns in spec order (so reordered columns give the same row).
/// Rows are appended as they are read; within <see cref="CsvRowSetOptions.MemoryBudgetBytes"/> they stay in memory,
/// beyond it they are written to a file in a temporary folder. Sorting waits for the first comparison: the rows are
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

    /// <summary>Once a set spills, rows are written in pieces of this size; sorting reads them back in budget-sized runs.</summary>
    private const int FlushBytes = 1024 * 1024;

    private readonly CsvRowSetOptions options;
    private readonly Lock gate = new();
    private readonly List<Region> chunks = [];
    private byte[]? arena;
    private int used;
    private int arenaRows;
    private long spillAt;
    private int rowEnd;
    private bool keeping;
    private SpillFolder? folder;
    private SpillFile? chunkFile;
    private SortedRows? sorted;
    private bool disposed;

    public CsvRowSet(CsvRowSetOptions? options = null, string delimiter = ",")
    {
        this.options = options ?? CsvRowSetOptions.Default;
        Delimiter = delimiter;
        spillAt = this.options.MemoryBudgetBytes;
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

    /// <summary>Whether rows were written to the temporary folder (the set passed its memory budget).</summary>
    public bool Spilled => SpilledChunks > 0;

    public long SpilledBytes { get; private set; }

    /// <summary>Writes to the temporary file (the first of a budget's size, then of <see cref="FlushBytes"/>).</summary>
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
        BeginRow();
        foreach (var field in fields)
        {
            if (field is null)
            {
                AddMissingField();
            }
            else
            {
                AddField(field);
            }
        }

        EndRow();
    }

    /// <summary>Starts a row; its fields follow (<see cref="AddField"/>, <see cref="AddMissingField"/>), then <see cref="EndRow"/>.</summary>
    internal void BeginRow()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Count++;
        keeping = IncompleteReason is null;
        if (!keeping)
        {
            return;
        }

        if (sorted is not null)
        {
            throw new InvalidOperationException("rows cannot be added to a row set once it has been compared");
        }

        // One byte is left for the row's length, moved along in the rare case it needs more (at most 5).
        Reserve(used + 5);
        rowEnd = used + 1;
    }

    internal void AddField(ReadOnlySpan<char> field)
    {
        if (!keeping)
        {
            return;
        }

        // At most 3 UTF-8 bytes a UTF-16 char and 5 bytes a length, with room to move the row's length along.
        Reserve(rowEnd + 10 + (3L * field.Length));
        var into = arena.AsSpan(rowEnd);
        Utf8.FromUtf16(field, into[1..], out _, out var n);
        rowEnd += Place(into, n + 1, n) + n;
    }

    internal void AddMissingField()
    {
        if (!keeping)
        {
            return;
        }

        Reserve(rowEnd + 6);
        arena![rowEnd++] = 0;
    }

    internal void EndRow()
    {
        if (!keeping)
        {
            return;
        }

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
            return Partial(superset, partial);
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
    /// Makes room for <paramref name="needed"/> bytes. The buffer is made once at the budget's size, uninitialized:
    /// memory pages count only once rows are written to them, and no smaller buffers are left behind by growing.
    /// Only a row larger than the whole budget makes it larger.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(arena))]
    private void Grow(int needed)
    {
        var budget = (int)Math.Min(options.MemoryBudgetBytes, Array.MaxLength);
        var larger = GC.AllocateUninitializedArray<byte>(Math.Max(needed, budget));
        Track(larger.Length + (arena?.Length ?? 0L)); // while it grows, the old buffer is still there
        arena?.AsSpan(0, Math.Max(used, rowEnd)).CopyTo(larger); // with the row being added, if any
        arena = larger;
    }

    /// <summary>Writes the rows in memory as a chunk of the temporary file; past the spill limit or on a disk error, stops keeping rows.</summary>
    private void Spill()
    {
        if (SpilledBytes + used > options.MaxSpillBytes)
        {
            Abandon($"at row {Count:N0} the rows passed the spill limit of {options.MaxSpillBytes:N0} bytes");
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
            spillAt = Math.Min(spillAt, FlushBytes); // once spilling, small writes from a buffer that stays in the cache
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
