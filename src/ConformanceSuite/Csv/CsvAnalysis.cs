using ConformanceSuite.Contracts;

namespace ConformanceSuite.Csv;

/// <summary>A problem found in a CSV, with the basis of the rule it breaks.</summary>
public sealed record CsvProblem(string Message, Basis Basis);

/// <summary>What one streaming pass over a CSV found.</summary>
public sealed class CsvAnalysis
{
    /// <summary>Rows whose fingerprints are kept for set comparisons; past this the set is marked incomplete.</summary>
    public const int MaxFingerprints = 5_000_000;

    public long Bytes { get; set; }

    public bool HasBom { get; set; }

    public string? HeaderLine { get; set; }

    public char? DelimiterSeen { get; set; }

    public IReadOnlyList<string> HeaderNames { get; set; } = [];

    public List<CsvProblem> HeaderProblems { get; } = [];

    public long RowCount { get; set; }

    public List<CsvProblem> RowProblems { get; } = [];

    public long RowProblemCount { get; set; }

    public HashSet<ulong> RowFingerprints { get; } = [];

    public bool FingerprintsComplete { get; set; } = true;

    public List<string> Notes { get; } = [];

    /// <summary>The first rows as read (only when asked for, to compare with another listing).</summary>
    public List<string[]> Rows { get; } = [];
}
