using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;
using CsvHelper;
using CsvHelper.Configuration;

namespace ConformanceSuite.Csv;

/// <summary>
/// Reads a CSV once, as a stream, against a <see cref="CsvSpec"/>: header (names, order, delimiter, BOM,
/// encoding) and row rules. Rows are checked one by one and only their fingerprints are kept.
/// It tolerates the delimiter and column order it finds, so each rule is judged on its own.
/// </summary>
public static class CsvAnalyzer
{
    private static readonly char[] CandidateDelimiters = [',', ';', '\t', '|'];
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private static readonly Regex Iso8601 = new(
        @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$",
        RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));

    public const int MaxRowProblemsKept = 10;

    public static CsvAnalysis Analyze(Stream body, CsvSpec spec, IReadOnlyDictionary<string, DocFinding>? findings = null, int keepRows = 0)
    {
        var result = new CsvAnalysis();
        var counting = new CountingStream(body);
        var head = new byte[3];
        var got = ReadUpTo(counting, head);
        result.HasBom = got == 3 && head.AsSpan().SequenceEqual(Bom);
        Stream rest = result.HasBom ? counting : new PrefixStream(head.AsMemory(0, got), counting);

        var strictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        using var reader = new StreamReader(rest, strictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024);
        try
        {
            ReadHeader(reader, spec, result, findings);
            if (result.HeaderLine is not null)
            {
                ReadRows(reader, spec, result, keepRows);
            }
        }
        catch (DecoderFallbackException)
        {
            result.HeaderProblems.Add(new("the file is not valid UTF-8", spec.Basis));
        }

        result.Bytes = counting.Count;
        if (spec.BomRequired && !result.HasBom && result.Bytes > 0)
        {
            result.HeaderProblems.Insert(0, new("expected a UTF-8 BOM (EF BB BF) first / received none", spec.Basis));
        }
        else if (!spec.BomRequired && result.HasBom)
        {
            result.HeaderProblems.Insert(0, new("expected no BOM / received a UTF-8 BOM (EF BB BF) before the header", spec.Basis));
        }

        return result;
    }

    private static void ReadHeader(StreamReader reader, CsvSpec spec, CsvAnalysis result, IReadOnlyDictionary<string, DocFinding>? findings)
    {
        var line = reader.ReadLine();
        var expectedHeader = string.Join(spec.Delimiter, spec.Columns.Select(c => c.Name));
        if (line is null)
        {
            result.HeaderProblems.Add(new($"expected a header line '{expectedHeader}' / received 0 bytes", spec.Empty.Basis));
            return;
        }

        result.HeaderLine = line;
        var expected = spec.Delimiter[0];
        var seen = line.Contains(expected, StringComparison.Ordinal)
            ? expected
            : CandidateDelimiters.FirstOrDefault(d => line.Contains(d, StringComparison.Ordinal));
        result.DelimiterSeen = seen == default ? expected : seen;
        if (seen != default && seen != expected)
        {
            result.HeaderProblems.Add(new($"expected the delimiter '{Show(expected)}' / received '{Show(seen)}' in the header '{line}'", spec.Basis));
        }

        result.HeaderNames = SplitLine(line, result.DelimiterSeen.Value);
        var names = result.HeaderNames;
        var expectedNames = spec.Columns.Select(c => c.Name).ToList();
        foreach (var column in spec.Columns.Where(c => !names.Contains(c.Name)))
        {
            var alias = column.NamesSeenInDocs.FirstOrDefault(a => names.Contains(a.Name));
            var why = alias is null
                ? ""
                : $" (received '{alias.Name}', a name seen in the docs: {alias.Finding}{FindingSummary(findings, alias.Finding)})";
            result.HeaderProblems.Add(new($"expected a column '{column.Name}' / it is missing from the header '{line}'{why}", column.Basis));
        }

        foreach (var extra in names.Where(n => !expectedNames.Contains(n) && !spec.Columns.Any(c => c.NamesSeenInDocs.Any(a => a.Name == n))))
        {
            result.HeaderProblems.Add(new($"expected only the columns {string.Join(", ", expectedNames)} / received an extra column '{extra}'", spec.Basis));
        }

        var present = names.Where(expectedNames.Contains).ToList();
        var wanted = expectedNames.Where(names.Contains).ToList();
        if (present.Count == wanted.Count && !present.SequenceEqual(wanted))
        {
            result.HeaderProblems.Add(new($"expected the column order {string.Join(",", wanted)} / received {string.Join(",", present)}", spec.OrderBasis ?? spec.Basis));
        }
    }

    private static void ReadRows(StreamReader reader, CsvSpec spec, CsvAnalysis result, int keepRows)
    {
        var delimiter = result.DelimiterSeen ?? spec.Delimiter[0];
        var names = result.HeaderNames;
        var index = new Dictionary<CsvColumn, int>();
        for (var i = 0; i < spec.Columns.Count; i++)
        {
            var column = spec.Columns[i];
            var at = IndexOf(names, column.Name);
            if (at < 0)
            {
                at = column.NamesSeenInDocs.Select(a => IndexOf(names, a.Name)).FirstOrDefault(x => x >= 0, -1);
            }

            if (at < 0 && i < names.Count)
            {
                at = i;
                result.Notes.Add($"column '{column.Name}' not found by name; its rule is applied to position {i + 1}");
            }

            if (at >= 0)
            {
                index[column] = at;
            }
        }

        var rules = spec.Columns.Where(c => c.Rule is not null && index.ContainsKey(c))
            .Select(c => (Column: c, At: index[c], Test: RuleTest(c.Rule!)))
            .ToList();

        using var parser = new CsvParser(reader, Config(delimiter));
        var line = 1L;
        while (parser.Read())
        {
            line++;
            var record = parser.Record ?? [];
            if (record.Length == 1 && record[0].Length == 0)
            {
                continue; // a trailing blank line is not a row
            }

            result.RowCount++;
            if (result.Rows.Count < keepRows)
            {
                result.Rows.Add(record);
            }

            if (result.RowFingerprints.Count < CsvAnalysis.MaxFingerprints)
            {
                result.RowFingerprints.Add(Fingerprint(record, rules.Select(r => r.At)));
            }
            else
            {
                result.FingerprintsComplete = false;
            }

            if (record.Length != names.Count)
            {
                AddRowProblem(result, new($"row {result.RowCount} (line {line}): expected {names.Count} fields / received {record.Length}: '{string.Join(delimiter, record)}'", spec.Basis));
                continue;
            }

            foreach (var (column, at, test) in rules)
            {
                var value = record[at];
                if (!test(value))
                {
                    AddRowProblem(result, new($"row {result.RowCount} (line {line}): {column.Name} expected {column.Rule!.Describe} / received '{value}'", column.Rule.Basis));
                }
            }
        }
    }

    private static void AddRowProblem(CsvAnalysis result, CsvProblem problem)
    {
        result.RowProblemCount++;
        if (result.RowProblems.Count < MaxRowProblemsKept)
        {
            result.RowProblems.Add(problem);
        }
    }

    private static Func<string, bool> RuleTest(CsvRule rule) => rule.Kind switch
    {
        "pattern" => new Regex(rule.Pattern ?? ".*", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)).IsMatch,
        "iso8601-datetime" => v => Iso8601.IsMatch(v) && DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _),
        "integer" => v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        "non-empty" => v => v.Length > 0,
        _ => throw new ConfigurationException($"unknown CSV rule kind '{rule.Kind}'"),
    };

    /// <summary>FNV-1a over the rule columns (in spec order), so reordered columns give the same row.</summary>
    private static ulong Fingerprint(string[] record, IEnumerable<int> columns)
    {
        var hash = 14695981039346656037UL;
        foreach (var at in columns)
        {
            var field = at < record.Length ? record[at] : "";
            foreach (var ch in field)
            {
                hash = (hash ^ ch) * 1099511628211UL;
            }

            hash = (hash ^ 0x1F) * 1099511628211UL;
        }

        return hash;
    }

    public static IReadOnlyList<string> SplitLine(string line, char delimiter)
    {
        using var parser = new CsvParser(new StringReader(line), Config(delimiter));
        return parser.Read() ? parser.Record ?? [] : [];
    }

    private static CsvConfiguration Config(char delimiter) => new(CultureInfo.InvariantCulture)
    {
        Delimiter = delimiter.ToString(),
        HasHeaderRecord = false,
        BadDataFound = null,
        MissingFieldFound = null,
        DetectColumnCountChanges = false,
        IgnoreBlankLines = false,
    };

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string FindingSummary(IReadOnlyDictionary<string, DocFinding>? findings, string id) =>
        findings is not null && findings.TryGetValue(id, out var f) ? $" — {f.Summary}" : "";

    private static string Show(char c) => c == '\t' ? "\\t" : c.ToString();

    private static int ReadUpTo(Stream s, byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = s.Read(buffer, total, buffer.Length - total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private sealed class CountingStream(Stream inner) : ReadOnlyStream
    {
        public long Count { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            Count += n;
            return n;
        }

        public override long Position { get => Count; set => throw new NotSupportedException(); }
    }

    private sealed class PrefixStream(ReadOnlyMemory<byte> prefix, Stream inner) : ReadOnlyStream
    {
        private int used;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (used < prefix.Length)
            {
                var n = Math.Min(count, prefix.Length - used);
                prefix.Span.Slice(used, n).CopyTo(buffer.AsSpan(offset, n));
                used += n;
                return n;
            }

            return inner.Read(buffer, offset, count);
        }
    }
}
