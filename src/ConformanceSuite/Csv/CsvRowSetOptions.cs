namespace ConformanceSuite.Csv;

/// <summary>A 64-bit hash of a row's bytes. It only orders rows; equality is always decided on the bytes.</summary>
public delegate ulong CsvRowHasher(ReadOnlySpan<byte> row);

/// <summary>How a <see cref="CsvRowSet"/> keeps its rows: how much memory, where it spills, how it orders.</summary>
public sealed class CsvRowSetOptions
{
    public static CsvRowSetOptions Default { get; } = new();

    /// <summary>The default options with at most <paramref name="maxSpillBytes"/> of rows on disk (the profile's <c>maxSpillBytes</c>).</summary>
    public static CsvRowSetOptions Capped(long maxSpillBytes) => new() { MaxSpillBytes = maxSpillBytes };

    /// <summary>
    /// Memory for sorting rows, counted as their bytes plus 12 bytes a row. Rows past the first mebibyte (or this
    /// budget, when smaller) are written to a temporary file as they are read; when a comparison needs them they are
    /// read back in parts of this size, each sorted on its own, then merged. Memory use is this budget plus fixed
    /// buffers, whatever the rows.
    /// </summary>
    public long MemoryBudgetBytes { get; init; } = 8L * 1024 * 1024;

    /// <summary>Where the temporary folder for spilled rows is made (the system's temporary folder when null).</summary>
    public string? TempFolder { get; init; }

    /// <summary>
    /// The most bytes of rows written to disk. Past it rows are no longer kept and the set says why
    /// (<see cref="CsvRowSet.IncompleteReason"/>): comparisons then fall back to row counts, and say so. Unbounded here;
    /// the checks take the profile's cap (<see cref="Capped"/>).
    /// </summary>
    public long MaxSpillBytes { get; init; } = long.MaxValue;

    /// <summary>How many sorted runs one merge reads at once (each with a 64 KiB buffer).</summary>
    public int MergeFanIn { get; init; } = 32;

    /// <summary>The hash that orders rows (a fast 64-bit hash by default). Any function is correct: rows with equal
    /// hashes are ordered and compared by their bytes, so a collision costs time, never a wrong answer.</summary>
    public CsvRowHasher Hash { get; init; } = RowHash.Of;
}
