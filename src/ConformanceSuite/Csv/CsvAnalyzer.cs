using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
/// spilled to a temporary folder past its budget) for exact comparisons with another file.
/// It tolerates the delimiter and column order it finds, so each rule is judged on its own.
/// The parser's thread only reads; for files of more than one batch, a second thread checks the rows read so far.
/// </summary>
public static class CsvAnalyzer
{
    private static readonly char[] CandidateDelimiters = [',', ';', '\t', '|'];
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public const int MaxRowProblemsKept = 10;

    /// <summary>Rows handed to the checking thread at a time (a file with fewer is checked on the caller's thread).</summary>
    private const int BatchRows = 4096;

    /// <summary>Analyses a CSV in one pass. <paramref name="rowSet"/> says how its rows are kept for comparisons.</summary>
    public static CsvAnalysis Analyze(Stream body, CsvSpec spec, IReadOnlyDictionary<string, DocFinding>? findings = null, int keepRows = 0, CsvRowSetOptions? rowSet = null)
    {
        var result = new CsvAnalysis(new CsvRowSet(rowSet, spec.Delimiter));
        var counting = new CountingStream(body, ownsInner: false);
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
            result.HeaderProblems.Add(new(new CsvHeaderProblem(CsvHeaderIssue.Encoding, spec.Encoding, $"bytes that are not valid {spec.Encoding}", null), spec.Basis));
            result.RowSet.MarkIncomplete($"the file stops being valid UTF-8 after row {result.RowCount:N0}: later rows were not read");
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

    private static void ReadHeader(StreamReader reader, CsvSpec spec, CsvAnalysis result, IReadOnlyDictionary<string, DocFinding>? findings)
    {
        var line = reader.ReadLine();
        var expectedHeader = string.Join(spec.Delimiter, spec.Columns.Select(c => c.Name));
        if (line is null)
        {
            result.HeaderProblems.Add(new(new CsvHeaderProblem(CsvHeaderIssue.Missing, $"a header line '{expectedHeader}'", "0 bytes", null), spec.Empty.Basis));
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

        var present = names.Where(expectedNames.Contains).ToList();
        var wanted = expectedNames.Where(names.Contains).ToList();
        if (present.Count == wanted.Count && !present.SequenceEqual(wanted))
        {
            result.HeaderProblems.Add(new(new CsvHeaderProblem(CsvHeaderIssue.Order, $"the column order {string.Join(",", wanted)}", string.Join(",", present), null), spec.OrderBasis ?? spec.Basis));
        }
    }

    private static void ReadRows(StreamReader reader, CsvSpec spec, CsvAnalysis result, int keepRows)
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

        // The row's key takes the found columns in spec order, and each rule tests one of those values. The parser's
        // thread only puts rows into a batch; the row set and the rules take the batch on a second thread (in row
        // order, so problems keep their order and numbers). The whole record is made only for a row with a problem.
        var keyed = spec.Columns.Where(index.ContainsKey).ToArray();
        var positions = keyed.Select(c => index[c]).ToArray();
        var rules = keyed.Select((c, k) => (Column: c, Key: k, Test: c.Rule is null ? null : CsvRuleTests.For(c.Rule)))
            .Where(r => r.Test is not null)
            .Select(r => new RowRule(r.Column, r.Key, r.Test!))
            .ToArray();
        var checker = new RowChecker(result, spec, rules, positions, names.Count);
        using var parser = new CsvParser(reader, Config(delimiter));
        using var pipeline = new RowPipeline(keyed.Length, positions.DefaultIfEmpty(-1).Max() + 1, BatchRows, checker.Check);
        var read = false;
        try
        {
            ReadInto(parser, pipeline, result, positions, names.Count, delimiter, keepRows);
            read = true;
            pipeline.Complete();
        }
        finally
        {
            if (!read)
            {
                pipeline.Drain(); // the reader failed: the rows read before are still checked, as they would be one by one
            }
        }

        result.RowSet.Finish();
    }

    /// <summary>
    /// The parser's loop: each row's keyed fields into the current batch. Compiled fully optimized at once: it runs
    /// once per file, and tiered compilation would leave much of a large file to unoptimized code.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadInto(CsvParser parser, RowPipeline pipeline, CsvAnalysis result, int[] positions, int expectedFields, char delimiter, int keepRows)
    {
        var line = 1L;
        while (parser.Read())
        {
            line++;
            var fields = parser.Count;
            if (fields == 1 && parser[0].Length == 0)
            {
                continue; // a trailing blank line is not a row
            }

            result.RowCount++;
            if (result.Rows.Count < keepRows)
            {
                result.Rows.Add(parser.Record ?? []);
            }

            var batch = pipeline.Current;
            var n = batch.Count;
            batch.Lines[n] = line;
            batch.Fields[n] = fields;

            // A row without quotes is handed over as its text: its fields are the text between delimiters (checked
            // against the parser's own count), split by the checking thread. Other rows go field by field.
            var text = parser.RawRecord.AsSpan();
            if (IsPlain(ref text, delimiter, fields, batch.Delimiters(n)))
            {
                batch.SetText(n, text);
            }
            else
            {
                for (var k = 0; k < positions.Length; k++)
                {
                    batch.Set(n, k, positions[k] < fields ? parser[positions[k]] : null);
                }

                if (fields != expectedFields)
                {
                    batch.Records[n] = string.Join(delimiter, parser.Record ?? []);
                }
            }

            batch.Count = n + 1;
            if (batch.Full)
            {
                pipeline.Submit();
            }
        }
    }

    /// <summary>
    /// Whether a raw record (its line ending then cut off) has no quote and as many fields, split at the delimiter, as
    /// the parser counted: then its fields are exactly the text between delimiters. The first delimiters' positions go
    /// to <paramref name="delimiters"/>. One pass, 16 characters at a time where the hardware allows.
    /// </summary>
    private static bool IsPlain(ref ReadOnlySpan<char> text, char delimiter, int fields, Span<int> delimiters)
    {
        var length = text.Length;
        if (length > 0 && text[length - 1] == '\n')
        {
            length--;
        }

        if (length > 0 && text[length - 1] == '\r')
        {
            length--;
        }

        text = text[..length];
        var found = 0;
        var at = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            var delimiters16 = Vector256.Create((ushort)delimiter);
            var quotes16 = Vector256.Create((ushort)'"');
            for (; at + Vector256<ushort>.Count <= length; at += Vector256<ushort>.Count)
            {
                var chars = Vector256.LoadUnsafe(ref first, (nuint)at);
                if (Vector256.EqualsAny(chars, quotes16))
                {
                    return false;
                }

                for (var bits = Vector256.Equals(chars, delimiters16).ExtractMostSignificantBits(); bits != 0; bits &= bits - 1)
                {
                    if (found < delimiters.Length)
                    {
                        delimiters[found] = at + BitOperations.TrailingZeroCount(bits);
                    }

                    found++;
                }
            }
        }

        for (; at < length; at++)
        {
            var c = text[at];
            if (c == delimiter)
            {
                if (found < delimiters.Length)
                {
                    delimiters[found] = at;
                }

                found++;
            }
            else if (c == '"')
            {
                return false;
            }
        }

        return found + 1 == fields;
    }

    /// <summary>Checks a batch of rows, in order: each into the row set, then its field count or its rules.</summary>
    private sealed class RowChecker(CsvAnalysis result, CsvSpec spec, RowRule[] rules, int[] positions, int expectedFields)
    {
        /// <summary>Row i's field k at [starts[k], starts[k] + lengths[k]) of the batch's characters; length -1 when missing.</summary>
        private readonly int[] starts = new int[positions.Length];
        private readonly int[] lengths = new int[positions.Length];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Check(RowBatch batch)
        {
            var rowSet = result.RowSet;
            var chars = batch.Chars;
            for (var i = 0; i < batch.Count; i++)
            {
                Locate(batch, i);
                rowSet.BeginRow();
                for (var k = 0; k < positions.Length; k++)
                {
                    if (lengths[k] < 0)
                    {
                        rowSet.AddMissingField();
                    }
                    else
                    {
                        rowSet.AddField(chars.Slice(starts[k], lengths[k]));
                    }
                }

                rowSet.EndRow();
                var number = batch.FirstRow + i;
                if (batch.Fields[i] != expectedFields)
                {
                    var record = batch.IsText(i) ? batch.Text(i).ToString() : batch.Records[i];
                    AddRowProblem(result, new(new CsvRowProblem(number, batch.Lines[i], null, $"{batch.Fields[i]} fields: {record}", $"{expectedFields} fields"), spec.Basis));
                    continue;
                }

                foreach (var rule in rules)
                {
                    var value = chars.Slice(starts[rule.Key], lengths[rule.Key]);
                    if (!rule.Test(value))
                    {
                        AddRowProblem(result, new(new CsvRowProblem(number, batch.Lines[i], rule.Column.Name, value.ToString(), rule.Column.Rule!.Describe), rule.Column.Rule.Basis));
                    }
                }
            }
        }

        /// <summary>Finds the keyed fields of row i: split from its text, or as the parser gave them.</summary>
        private void Locate(RowBatch batch, int i)
        {
            if (!batch.IsText(i))
            {
                for (var k = 0; k < positions.Length; k++)
                {
                    starts[k] = batch.Starts[(i * batch.Width) + k];
                    lengths[k] = batch.Lengths[(i * batch.Width) + k];
                }

                return;
            }

            // A row kept as text has exactly Fields[i] - 1 delimiters, the first of them noted by the reader.
            var offset = batch.TextStarts[i];
            var fields = batch.Fields[i];
            var delimiters = batch.Delimiters(i);
            for (var k = 0; k < positions.Length; k++)
            {
                var field = positions[k];
                if (field >= fields)
                {
                    lengths[k] = -1;
                    continue;
                }

                var start = field == 0 ? 0 : delimiters[field - 1] + 1;
                var end = field == fields - 1 ? batch.TextLengths[i] : delimiters[field];
                starts[k] = offset + start;
                lengths[k] = end - start;
            }
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
