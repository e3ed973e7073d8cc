using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using ConformanceSuite.Checks;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;
using CsvHelper;
using CsvHelper.Configuration;

namespace ConformanceSuite.Csv;

/// <summary>
/// Reads a CSV once, as a stream, against a <see cref="CsvSpec"/>: header (names, order, delimiter, BOM,
/// encoding) and row rules. Every row is checked, in order, and kept in a <see cref="CsvRowSet"/> (bounded memory,
/// written to a temporary folder past its first mebibyte) for exact comparisons with another file.
/// It tolerates the delimiter and column order it finds, so each rule is judged on its own.
/// The caller's thread parses; past the first batch of rows, the rows are checked on a second thread beside it
/// (each in its raw text, split where it has no quotes), in file order, before <see cref="Analyze"/> returns.
/// </summary>
public static class CsvAnalyzer
{
    private static readonly char[] CandidateDelimiters = [',', ';', '\t', '|'];
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public const int MaxRowProblemsKept = 10;

    /// <summary>
    /// The longest header line read, in characters. A header is a few dozen: a file whose first line does not end
    /// within this is not a CSV with the spec's header, and reading on would hold the whole body as one string.
    /// </summary>
    public const int MaxHeaderChars = 64 * 1024;

    /// <summary>
    /// The most characters one record may take: a line that never ends, or a quote never closed, would otherwise
    /// be held whole (the parser keeps a record in memory until it ends). It is the suite's bound, not a rule of any
    /// spec: the rows from such a record on are not read, and the checks that need them say so.
    /// </summary>
    public const int MaxRecordChars = 1024 * 1024;

    /// <summary>
    /// Analyses a CSV in one pass. <paramref name="rowSet"/> says how its rows are kept for comparisons;
    /// <paramref name="patternTimeout"/> bounds a rule's pattern on one value (null: <see cref="PatternBound.DefaultLimit"/>).
    /// </summary>
    public static CsvAnalysis Analyze(Stream body, CsvSpec spec, IReadOnlyDictionary<string, DocFinding>? findings = null, int keepRows = 0, CsvRowSetOptions? rowSet = null,
        TimeSpan? patternTimeout = null)
    {
        var result = new CsvAnalysis(new CsvRowSet(rowSet, spec.Delimiter));
        var counting = new CountingStream(body, ownsInner: false);
        var head = new byte[3];
        var got = ReadUpTo(counting, head);
        result.HasBom = got == 3 && head.AsSpan().SequenceEqual(Bom);
        Stream rest = result.HasBom ? counting : new PrefixStream(head.AsMemory(0, got), counting);

        var invalid = new InvalidUtf8();
        var utf8 = (Encoding)new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).Clone();
        utf8.DecoderFallback = invalid;
        using var reader = new StreamReader(rest, utf8, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024);
        try
        {
            ReadHeader(reader, spec, result, findings, invalid);
            if (result.HeaderLine is not null)
            {
                ReadRows(reader, spec, result, keepRows, patternTimeout ?? PatternBound.DefaultLimit, invalid);
            }
        }
        catch (NotUtf8Exception)
        {
            result.HeaderProblems.Add(new(new CsvHeaderProblem(CsvHeaderIssue.Encoding, spec.Encoding, $"bytes that are not valid {spec.Encoding}", null), spec.Basis));
            NotRead(result, result.HeaderLine is null
                ? "the header line is not valid UTF-8: no rows were checked"
                : $"row {result.RowCount + 1:N0} is not valid UTF-8: it and the rows after it were not checked");
            // The rest is read as any file's is (under the download's bounds), so the file's size is its own, not what
            // the decoder had read ahead when the first invalid byte turned up.
            CountRest(counting);
        }
        catch (RecordTooLongException)
        {
            NotRead(result, $"row {result.RowCount + 1:N0} does not end within {MaxRecordChars:N0} characters (a line without an end, or a quote never closed; the suite's bound): it and the rows after it were not read");
        }
        catch
        {
            result.Dispose(); // rows spilled so far are deleted now, not when the process ends
            throw;
        }

        result.Bytes = counting.Count;
        if (spec.BomRequired && !result.HasBom && result.Bytes > 0)
        {
            result.HeaderProblems.Insert(0, new(new CsvHeaderProblem(CsvHeaderIssue.Bom, "a UTF-8 BOM (EF BB BF) first", "none", null), spec.Basis));
        }
        else if (!spec.BomRequired && result.HasBom)
        {
            result.HeaderProblems.Insert(0, new(new CsvHeaderProblem(CsvHeaderIssue.Bom, "no BOM", "a UTF-8 BOM (EF BB BF) before the header", null), spec.Basis));
        }

        return result;
    }

    /// <summary>A value its column's pattern could not judge within the expression's bound: it is not a problem, and not checked.</summary>
    private static void NotJudged(CsvAnalysis result, CsvColumn column, int length, TimeSpan bound)
    {
        result.ValuesNotJudged++;
        result.NotJudged ??= $"row {result.RowCount:N0}: the pattern '{ProviderText.Bounded(column.Rule!.Pattern ?? "")}' of column '{column.Name}' took longer than {bound.TotalSeconds:0.##} s on a value of {length:N0} characters (a pattern that backtracks; the suite's bound, timeouts.patternSeconds)";
    }

    /// <summary>The rows from some point on were not read: the row set cannot be compared exactly, and the row checks say so.</summary>
    private static void NotRead(CsvAnalysis result, string reason)
    {
        result.RowsNotRead = reason;
        result.RowSet.MarkIncomplete(reason);
    }

    private static void ReadHeader(StreamReader reader, CsvSpec spec, CsvAnalysis result, IReadOnlyDictionary<string, DocFinding>? findings, InvalidUtf8 invalid)
    {
        var line = ReadLine(reader, MaxHeaderChars, out var ended);
        invalid.ThrowIfIn(line);
        var expectedHeader = string.Join(spec.Delimiter, spec.Columns.Select(c => c.Name));
        if (line is null)
        {
            result.HeaderProblems.Add(new(new CsvHeaderProblem(CsvHeaderIssue.Missing, $"a header line '{expectedHeader}'",
                result.HasBom ? "a UTF-8 BOM (EF BB BF) and nothing after it" : "0 bytes", null), spec.Empty.Basis));
            return;
        }

        if (!ended)
        {
            result.HeaderProblems.Add(new(new CsvHeaderProblem(CsvHeaderIssue.Missing, $"a header line '{expectedHeader}'",
                $"a first line that does not end within {MaxHeaderChars:N0} characters, which starts '{line[..Math.Min(line.Length, 200)]}…'", null),
                spec.Columns.Count > 0 ? spec.Columns[0].Basis : spec.Basis)); // the columns the header names are the documented rule
            NotRead(result, $"the first line does not end within {MaxHeaderChars:N0} characters: no header, and no rows were read");
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
            result.HeaderProblems.Add(new(new CsvHeaderProblem(CsvHeaderIssue.Delimiter, $"the delimiter '{Show(expected)}'", $"'{Show(seen)}' in the header '{line}'", null), spec.Basis));
        }

        result.HeaderNames = SplitLine(line, result.DelimiterSeen.Value);
        var names = result.HeaderNames;
        var expectedNames = spec.Columns.Select(c => c.Name).ToList();
        foreach (var column in spec.Columns.Where(c => !names.Contains(c.Name)))
        {
            var alias = column.NamesSeenInDocs.FirstOrDefault(a => names.Contains(a.Name));
            var received = alias is null
                ? $"a header without it: '{line}'"
                : $"'{alias.Name}' in its place, a name seen in the docs ({alias.Finding}{FindingSummary(findings, alias.Finding)}), in the header '{line}'";
            result.HeaderProblems.Add(new(new CsvHeaderProblem(CsvHeaderIssue.Names, $"a column '{column.Name}'", received, alias?.Finding), column.Basis));
        }

        foreach (var extra in names.Where(n => !expectedNames.Contains(n) && !spec.Columns.Any(c => c.NamesSeenInDocs.Any(a => a.Name == n))))
        {
            result.HeaderProblems.Add(new(new CsvHeaderProblem(CsvHeaderIssue.Names, $"only the columns {string.Join(", ", expectedNames)}", $"an extra column '{extra}'", null), spec.Basis));
        }

        // A spec's column (or a name the docs gave it) named again is no extra column by name, yet the header is not the
        // spec's, and the rows' second value under that name would be read by nobody.
        foreach (var repeated in names.Where(n => expectedNames.Contains(n) || spec.Columns.Any(c => c.NamesSeenInDocs.Any(a => a.Name == n)))
                     .GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            result.HeaderProblems.Add(new(new CsvHeaderProblem(CsvHeaderIssue.Names, $"each of the columns {string.Join(", ", expectedNames)} once",
                $"'{repeated.Key}' {repeated.Count()} times in the header '{line}'", null), spec.Basis));
        }

        var present = names.Where(expectedNames.Contains).ToList();
        var wanted = expectedNames.Where(names.Contains).ToList();
        if (present.Count == wanted.Count && !present.SequenceEqual(wanted))
        {
            result.HeaderProblems.Add(new(new CsvHeaderProblem(CsvHeaderIssue.Order, $"the column order {string.Join(",", wanted)}", string.Join(",", present), null), spec.OrderBasis ?? spec.Basis));
        }
    }

    private static void ReadRows(StreamReader reader, CsvSpec spec, CsvAnalysis result, int keepRows, TimeSpan patternTimeout, InvalidUtf8 invalid)
    {
        var delimiter = result.DelimiterSeen ?? spec.Delimiter[0];
        result.RowSet.Delimiter = delimiter.ToString();
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

        // The row's key takes the found columns in spec order, and each rule tests one of those values. Each row is
        // checked as soon as it is read, in order, so problems keep their order and numbers.
        var keyed = spec.Columns.Where(index.ContainsKey).ToArray();
        var positions = keyed.Select(c => index[c]).ToArray();
        var rules = keyed.Select((c, k) => (Column: c, Key: k, Test: c.Rule is null ? null : CsvRuleTests.For(c.Rule, length => NotJudged(result, c, length, patternTimeout), patternTimeout)))
            .Where(r => r.Test is not null)
            .Select(r => new RowRule(r.Column, r.Key, r.Test!))
            .ToArray();
        var bound = new RecordBound(reader);
        using var parser = new CsvParser(bound, Config(delimiter));
        new RowChecker(result, spec, rules, positions, names.Count, delimiter, invalid).ReadAll(parser, bound, keepRows);
        result.RowSet.Finish();
    }

    /// <summary>A raw record without its line ending (LF, CR or CRLF).</summary>
    private static ReadOnlySpan<char> WithoutLineEnd(ReadOnlySpan<char> text)
    {
        if (text.Length > 0 && text[^1] == '\n')
        {
            text = text[..^1];
        }

        return text.Length > 0 && text[^1] == '\r' ? text[..^1] : text;
    }

    /// <summary>
    /// Whether a record's text (without its line ending) has no quote and as many fields, split at the delimiter, as
    /// the parser counted: then its fields are exactly the text between delimiters. Two vectorized passes.
    /// </summary>
    private static bool IsPlain(ReadOnlySpan<char> text, char delimiter, int fields) =>
        !text.Contains('"') && text.Count(delimiter) + 1 == fields;

    /// <summary>Where the first delimiters of a plain record's text are, as many as <paramref name="delimiters"/> holds (or the text has).</summary>
    private static void FindDelimiters(ReadOnlySpan<char> text, char delimiter, Span<int> delimiters)
    {
        var from = 0;
        for (var k = 0; k < delimiters.Length; k++)
        {
            var at = text[from..].IndexOf(delimiter);
            if (at < 0)
            {
                return;
            }

            delimiters[k] = from + at;
            from += at + 1;
        }
    }

    /// <summary>
    /// Reads the rows and checks each one: into the row set, then its field count or its rules, in file order. The
    /// parser's thread reads a row, tells whether it is plain (no quotes, and as many fields as delimiters say), and
    /// adds it to a batch, with the parser's fields when it is not; the checks run on the batches, on the caller's thread
    /// for a file of one batch or less, and past that on a worker thread beside the parser
    /// (<see cref="BatchPipeline{T}"/>), so a large file is read at nearly the parser's own speed on two cores.
    /// A plain row is checked in its raw text (one string a row, the parser's), split at its delimiters; the keyed
    /// fields of a row with quotes are copied, as the parser unquoted them, into a buffer of the checker's.
    /// </summary>
    private sealed class RowChecker(CsvAnalysis result, CsvSpec spec, RowRule[] rules, int[] positions, int expectedFields, char delimiter, InvalidUtf8 invalid)
    {
        /// <summary>The rows a batch holds.</summary>
        public const int BatchRows = 1024;

        /// <summary>The full batches that may wait for the checks: the parser waits for room past them.</summary>
        private const int BatchesAhead = 4;

        /// <summary>How many of a plain row's first delimiters are kept: as many as the keyed fields need.</summary>
        private readonly int kept = positions.DefaultIfEmpty(-1).Max() + 1;

        /// <summary>Keyed field k of the current row at [starts[k], starts[k] + lengths[k]) of its characters; length -1 when missing.</summary>
        private readonly int[] starts = new int[positions.Length];
        private readonly int[] lengths = new int[positions.Length];

        /// <summary>Whether the key is the whole row, field by field in order: then a row without quotes with that many fields is its key as it stands.</summary>
        private readonly bool wholeRow = positions.Length > 0 && positions.Select((p, k) => p == k).All(x => x);

        /// <summary>The keyed fields of a row with quotes, one after the other.</summary>
        private char[] unquoted = new char[256];

        private RowBatch NewBatch() => new(BatchRows, kept);

        /// <summary>
        /// The parser's loop. Compiled fully optimized at once: it runs once per file, and tiered compilation would
        /// leave much of a large file to unoptimized code. Rows read before the parser stops (at its end, or at a row
        /// that is not UTF-8 or too long, which throws) are all checked before this returns or throws.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void ReadAll(CsvParser parser, RecordBound bound, int keepRows)
        {
            var batch = NewBatch();
            BatchPipeline<RowBatch>? pipeline = null;
            var line = 1L;
            try
            {
                while (parser.Read())
                {
                    bound.Mark();
                    line++;
                    var raw = parser.RawRecord;
                    if (invalid.Seen)
                    {
                        invalid.ThrowIfIn(raw);
                    }

                    var fields = parser.Count;
                    if (fields == 1 && parser[0].Length == 0)
                    {
                        continue; // a trailing blank line is not a row
                    }

                    if (result.Rows.Count < keepRows)
                    {
                        result.Rows.Add(parser.Record ?? []);
                    }

                    if (!batch.Add(raw, fields, line, delimiter))
                    {
                        batch.Records[batch.Count - 1] = parser.Record ?? [];
                    }

                    if (batch.Count == BatchRows)
                    {
                        pipeline ??= new BatchPipeline<RowBatch>(Check, NewBatch, BatchesAhead);
                        batch = pipeline.Hand(batch);
                    }
                }
            }
            finally
            {
                if (pipeline is null)
                {
                    Check(batch);
                }
                else
                {
                    using (pipeline)
                    {
                        pipeline.Finish(batch);
                    }
                }
            }
        }

        /// <summary>Checks a batch's rows in order, then empties it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Check(RowBatch batch)
        {
            var rowSet = result.RowSet;
            for (var i = 0; i < batch.Count; i++)
            {
                result.RowCount++;
                var text = batch.Texts[i].AsSpan(0, batch.Lengths[i]);
                var fields = batch.Fields[i];
                var record = batch.Records[i];
                var delimiters = batch.Delimiters.AsSpan(i * kept, kept);
                ReadOnlySpan<char> chars;
                if (record is null)
                {
                    FindDelimiters(text, delimiter, delimiters);
                    Split(delimiters, text.Length, fields);
                    chars = text;
                }
                else
                {
                    chars = Unquote(record, fields);
                }

                var asText = record is null && wholeRow && fields == positions.Length && rowSet.TryAddText(text, delimiters[..(fields - 1)]);
                if (!asText)
                {
                    rowSet.Add(chars, starts, lengths);
                }

                if (fields != expectedFields)
                {
                    ReportFieldCount(record, batch.Lines[i], fields, text);
                    continue;
                }

                foreach (var rule in rules)
                {
                    var value = chars.Slice(starts[rule.Key], lengths[rule.Key]);
                    if (!rule.Test(value))
                    {
                        ReportRule(batch.Lines[i], rule, value);
                    }
                }
            }

            batch.Clear();
        }

        /// <summary>Finds the keyed fields of a row without quotes (its text <paramref name="length"/> long) at its delimiters.</summary>
        private void Split(ReadOnlySpan<int> delimiters, int length, int fields)
        {
            for (var k = 0; k < positions.Length; k++)
            {
                var field = positions[k];
                if (field >= fields)
                {
                    (starts[k], lengths[k]) = (0, -1);
                    continue;
                }

                var start = field == 0 ? 0 : delimiters[field - 1] + 1;
                var end = field == fields - 1 ? length : delimiters[field];
                (starts[k], lengths[k]) = (start, end - start);
            }
        }

        /// <summary>Copies the keyed fields of a row with quotes, as the parser unquoted them; returns the copy.</summary>
        private ReadOnlySpan<char> Unquote(string[] record, int fields)
        {
            var used = 0;
            for (var k = 0; k < positions.Length; k++)
            {
                if (positions[k] >= fields)
                {
                    (starts[k], lengths[k]) = (0, -1);
                    continue;
                }

                var value = record[positions[k]];
                if (used + value.Length > unquoted.Length)
                {
                    Array.Resize(ref unquoted, Math.Max(unquoted.Length * 2, used + value.Length));
                }

                value.CopyTo(unquoted.AsSpan(used));
                (starts[k], lengths[k]) = (used, value.Length);
                used += value.Length;
            }

            return unquoted.AsSpan(0, used);
        }

        /// <summary>A row with the wrong number of fields, shown whole: its text, or the parser's fields joined.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void ReportFieldCount(string[]? record, long line, int fields, ReadOnlySpan<char> text)
        {
            var shown = record is null ? text.ToString() : string.Join(delimiter, record);
            AddRowProblem(result, new(new CsvRowProblem(result.RowCount, line, null, $"{fields} fields: {shown}", $"{expectedFields} fields"), spec.Basis));
        }

        /// <summary>A value that breaks its column's rule, shown as read.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void ReportRule(long line, RowRule rule, ReadOnlySpan<char> value) =>
            AddRowProblem(result, new(new CsvRowProblem(result.RowCount, line, rule.Column.Name, value.ToString(), rule.Column.Rule!.Describe), rule.Column.Rule.Basis));
    }

    /// <summary>
    /// Rows read and not yet checked: each one's raw text (its line ending cut off: the first <see cref="Lengths"/>
    /// characters), field count and line; for a row that is not plain, the parser's fields. <see cref="Delimiters"/>
    /// has room for the first delimiters of each (<c>kept</c> a row), which the checks find.
    /// </summary>
    private sealed class RowBatch(int rows, int kept)
    {
        public readonly string[] Texts = new string[rows];
        public readonly int[] Lengths = new int[rows];
        public readonly int[] Fields = new int[rows];
        public readonly long[] Lines = new long[rows];
        public readonly string[]?[] Records = new string[]?[rows];
        public readonly int[] Delimiters = new int[rows * kept];

        public int Count { get; private set; }

        /// <summary>Adds a row; false when it is not plain (its fields, <see cref="Records"/>, are then the caller's to set).</summary>
        public bool Add(string raw, int fields, long line, char delimiter)
        {
            var i = Count++;
            var text = WithoutLineEnd(raw);
            (Texts[i], Lengths[i], Fields[i], Lines[i], Records[i]) = (raw, text.Length, fields, line, null);
            return IsPlain(text, delimiter, fields);
        }

        /// <summary>Empties the batch, letting go of its rows.</summary>
        public void Clear()
        {
            Array.Clear(Texts, 0, Count);
            Array.Clear(Records, 0, Count);
            Count = 0;
        }
    }

    private sealed record RowRule(CsvColumn Column, int Key, CsvValueTest Test);

    private static void AddRowProblem(CsvAnalysis result, CsvProblem problem)
    {
        result.RowProblemCount++;
        if (result.RowProblems.Count < MaxRowProblemsKept)
        {
            result.RowProblems.Add(problem);
        }
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

    /// <summary>
    /// A line as <see cref="TextReader.ReadLine"/> reads one (ended by LF, CR or CRLF, the end not included; null at
    /// the end of the text), of at most <paramref name="limit"/> characters: <paramref name="ended"/> is false when
    /// the line goes on past them (the first <paramref name="limit"/> are returned, and the rest is left unread).
    /// </summary>
    private static string? ReadLine(TextReader reader, int limit, out bool ended)
    {
        var line = new StringBuilder();
        while (true)
        {
            var c = reader.Read();
            if (c < 0)
            {
                ended = true;
                return line.Length == 0 ? null : line.ToString();
            }

            if (c is '\n' or '\r')
            {
                if (c == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }

                ended = true;
                return line.ToString();
            }

            if (line.Length == limit)
            {
                ended = false;
                return line.ToString();
            }

            line.Append((char)c);
        }
    }

    /// <summary>
    /// Marks each sequence of bytes that is not UTF-8 with U+FFFD and notes that it did. The reader decodes a block
    /// ahead of the parser, so a decoder that threw would stop the file at the block that holds the first invalid byte,
    /// rows before it unread; marked, the row that holds it is found as it is read. A U+FFFD the file itself holds
    /// (valid UTF-8) is taken for a mark only once a mark was made, and then at worst names a row before the invalid one.
    /// </summary>
    private sealed class InvalidUtf8 : DecoderFallback
    {
        public bool Seen { get; private set; }

        public override int MaxCharCount => 1;

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(this);

        /// <summary>Stops the reading when the text holds a mark.</summary>
        public void ThrowIfIn(string? text)
        {
            if (Seen && text is not null && text.Contains('\uFFFD', StringComparison.Ordinal))
            {
                throw new NotUtf8Exception();
            }
        }

        private sealed class Buffer(InvalidUtf8 owner) : DecoderFallbackBuffer
        {
            private bool pending;

            public override int Remaining => pending ? 1 : 0;

            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                owner.Seen = true;
                pending = true;
                return true;
            }

            public override char GetNextChar()
            {
                var next = pending ? '\uFFFD' : '\0';
                pending = false;
                return next;
            }

            public override bool MovePrevious() => false;

            public override void Reset() => pending = false;
        }
    }

    /// <summary>A line or record holds bytes that are not UTF-8.</summary>
    private sealed class NotUtf8Exception() : Exception("a CSV record that is not valid UTF-8");

    /// <summary>Reads the rest of the body to count it; a body the download's bounds stop is counted as far as it came.</summary>
    private static void CountRest(Stream counting)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (counting.Read(buffer, 0, buffer.Length) > 0)
            {
            }
        }
        catch (IOException)
        {
            // The download's own limit (its deadline, an idle body): what was read is what is known.
        }
    }

    /// <summary>A record went on past <see cref="MaxRecordChars"/>.</summary>
    private sealed class RecordTooLongException() : Exception("a CSV record longer than the suite reads");

    /// <summary>
    /// The text the parser reads, counted since the last record it returned (<see cref="Mark"/>): past
    /// <see cref="MaxRecordChars"/> and the parser's read-ahead, the record is too long, and reading stops.
    /// </summary>
    private sealed class RecordBound(TextReader inner) : TextReader
    {
        /// <summary>What the parser may hold beyond its current record (it reads ahead a buffer at a time).</summary>
        private const int ReadAhead = 64 * 1024;

        private long sinceMark;

        /// <summary>The parser returned a record: the count starts again.</summary>
        public void Mark() => sinceMark = 0;

        public override int Peek() => inner.Peek();

        public override int Read()
        {
            var c = inner.Read();
            Counted(c < 0 ? 0 : 1);
            return c;
        }

        public override int Read(char[] buffer, int index, int count) => Counted(inner.Read(buffer, index, count));

        public override int Read(Span<char> buffer) => Counted(inner.Read(buffer));

        private int Counted(int n)
        {
            if (n > 0 && (sinceMark += n) > MaxRecordChars + ReadAhead)
            {
                throw new RecordTooLongException();
            }

            return n;
        }
    }

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
