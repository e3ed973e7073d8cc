using ConformanceSuite.Contracts;

namespace ConformanceSuite.Csv;

/// <summary>A problem found in a CSV (a <see cref="Checks.CsvHeaderProblem"/> or <see cref="Checks.CsvRowProblem"/>), with the basis of the rule it breaks.</summary>
public sealed record CsvProblem(Checks.Finding Finding, Basis Basis)
{
    public string Message => Finding.Message;
}

/// <summary>What one streaming pass over a CSV found.</summary>
public sealed class CsvAnalysis(CsvRowSet rowSet) : IDisposable
{
    public CsvAnalysis()
        : this(new CsvRowSet())
    {
    }

    public long Bytes { get; set; }

    public bool HasBom { get; set; }

    public string? HeaderLine { get; set; }

    public char? DelimiterSeen { get; set; }

    public IReadOnlyList<string> HeaderNames { get; set; } = [];

    public List<CsvProblem> HeaderProblems { get; } = [];

    public long RowCount { get; set; }

    public List<CsvProblem> RowProblems { get; } = [];

    public long RowProblemCount { get; set; }

    /// <summary>
    /// Every row, kept for exact comparisons with another file (bounded memory; written to a temporary folder past
    /// its first mebibyte). Compare with <see cref="CsvRowSet.CompareAsSubsetOf"/>.
    /// </summary>
    public CsvRowSet RowSet { get; } = rowSet;

    /// <summary>
    /// Null when every row was kept, so a subset comparison with this file is exact; otherwise why it is not
    /// (the comparison then falls back to row counts and says so in <see cref="CsvSubsetComparison.PartialReason"/>).
    /// </summary>
    public string? RowSetPartialReason => RowSet.IncompleteReason;

    /// <summary>Null when every row was read; otherwise why the rows from some point on were not (so the row checks covered only those before).</summary>
    public string? RowsNotRead { get; set; }

    /// <summary>Values a rule's pattern could not judge within its time bound: neither problems nor checked.</summary>
    public long ValuesNotJudged { get; set; }

    /// <summary>The first of those values: where, which pattern, and why; null when every value was judged.</summary>
    public string? NotJudged { get; set; }

    public List<string> Notes { get; } = [];

    /// <summary>The first rows as read (only when asked for, to compare with another listing).</summary>
    public List<string[]> Rows { get; } = [];

    /// <summary>Deletes the rows spilled to the temporary folder, if any.</summary>
    public void Dispose() => RowSet.Dispose();
}
