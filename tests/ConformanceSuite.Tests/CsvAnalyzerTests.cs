using System.Text.Json;
using ConformanceSuite.Csv;
using ConformanceSuite.Http;

namespace ConformanceSuite.Tests;

/// <summary>The CSV samples under fixtures/ and the streaming property of the analyzer.</summary>
[TestFixture]
public sealed class CsvAnalyzerTests
{
    private static readonly ApiContract Wavy = new ContractLoader(Harness.Layout).Load("wavy-open-sessions");
    private static readonly CsvSpec Spec = Wavy.CsvSpecs.Values.Single();

    public static IEnumerable<TestCaseData> Samples()
    {
        var folder = Path.Combine(Harness.Layout.ApiFixtures("wavy-open-sessions"), "csv");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "expectations.json")));
        foreach (var sample in doc.RootElement.GetProperty("samples").EnumerateObject())
        {
            yield return new TestCaseData(Path.Combine(folder, sample.Name), sample.Value.GetProperty("header").GetString(), sample.Value.GetProperty("rows").GetString())
                .SetName($"csv sample {sample.Name}");
        }
    }

    [TestCaseSource(nameof(Samples))]
    public void A_sample_gets_the_verdicts_its_expectations_name(string file, string header, string rows)
    {
        using var stream = File.OpenRead(file);

        var analysis = CsvAnalyzer.Analyze(stream, Spec, Wavy.DocFindings.ToDictionary(f => f.Id));

        Check(analysis.HeaderProblems, header);
        Check(analysis.RowProblems, rows);
    }

    private static void Check(IReadOnlyList<CsvProblem> problems, string expectation)
    {
        if (expectation == "ok")
        {
            problems.Should().BeEmpty();
        }
        else
        {
            problems.Should().Contain(p => p.Message.Contains(expectation, StringComparison.Ordinal), string.Join(" | ", problems.Select(p => p.Message)));
        }
    }

    [Test]
    public void A_value_a_backtracking_pattern_cannot_judge_within_its_bound_is_counted_apart_and_the_rest_are_judged()
    {
        // A user's contract gives the first column a pattern that backtracks; the second row's value makes it take
        // minutes. It is neither a problem nor checked; the rows around it are judged as ever.
        var spec = Spec with { Columns = [Spec.Columns[0] with { Rule = Spec.Columns[0].Rule! with { Kind = "pattern", Pattern = "^([0-9]+)+$" } }, .. Spec.Columns.Skip(1)] };
        var csv = $"source,session_created_at\n5519900000001,2019-02-13T10:15:30Z\n{new string('5', 34)}x,2019-02-13T10:15:30Z\nx1,2019-02-13T10:15:30Z\n";
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv));

        using var analysis = CsvAnalyzer.Analyze(stream, spec, patternTimeout: TimeSpan.FromSeconds(0.25));

        analysis.RowCount.Should().Be(3);
        analysis.ValuesNotJudged.Should().Be(1);
        analysis.NotJudged.Should().Be("row 2: the pattern '^([0-9]+)+$' of column 'source' took longer than 0.25 s on a value of 35 characters (a pattern that backtracks; the suite's bound, timeouts.patternSeconds)");
        analysis.RowProblems.Should().ContainSingle().Which.Message.Should().Contain("x1", "the row after it is judged");

        // Past three such values, the pattern is no longer tried: a thousand of them do not take a thousand seconds.
        var many = "source,session_created_at\n" + string.Concat(Enumerable.Range(0, 1000).Select(i => $"{new string('5', 30)}{i}x,2019-02-13T10:15:30Z\n"));
        using var slow = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(many));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var cut = CsvAnalyzer.Analyze(slow, spec, patternTimeout: TimeSpan.FromSeconds(0.25));

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60));
        cut.ValuesNotJudged.Should().Be(1000);
        cut.RowProblemCount.Should().Be(0);
    }

    [Test]
    public void Rows_are_read_as_a_stream_and_only_the_first_problems_are_kept()
    {
        const int rows = 200_000;
        using var stream = new GeneratedCsv(rows, badEvery: 1000);

        var analysis = CsvAnalyzer.Analyze(stream, Spec);

        analysis.RowCount.Should().Be(rows);
        analysis.RowProblemCount.Should().Be(rows / 1000);
        analysis.RowProblems.Should().HaveCount(CsvAnalyzer.MaxRowProblemsKept);
        stream.LargestRead.Should().BeLessThan(64 * 1024, "the analyzer reads in small blocks, never the whole file");
    }

    [TestCase(100)] // checked on the caller's thread
    [TestCase(5_000)] // checked beside the parser, batches still waiting when the body breaks off
    public void A_body_that_breaks_off_ends_the_analysis_with_its_own_error(int rows)
    {
        using var stream = new GeneratedCsv(rows, badEvery: 7) { BreaksOff = true };

        var analyze = () => CsvAnalyzer.Analyze(stream, Spec, rowSet: new CsvRowSetOptions { MemoryBudgetBytes = 1024 });

        // The provider's failure, as it was thrown: not a wrapper of the worker's, not a wait for rows that never come.
        analyze.Should().Throw<IOException>().WithMessage("the provider stopped sending");
    }

    [Test]
    public void A_bom_is_required_when_the_spec_says_so()
    {
        var excel = Spec with { Bom = "required", Delimiter = ";" };
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("source;session_created_at\n"));

        var analysis = CsvAnalyzer.Analyze(stream, excel);

        analysis.HeaderProblems.Should().ContainSingle(p => p.Message.Contains("expected a UTF-8 BOM", StringComparison.Ordinal));
    }

    [Test]
    public void Invalid_utf8_is_reported()
    {
        using var stream = new MemoryStream([.. "source,session_created_at\n55199"u8, 0xFF, 0xFE, .. "\n"u8]);

        var analysis = CsvAnalyzer.Analyze(stream, Spec);

        analysis.HeaderProblems.Select(p => p.Finding).OfType<Checks.CsvHeaderProblem>().Should().Contain(f => f.Issue == Checks.CsvHeaderIssue.Encoding);
        analysis.RowsNotRead.Should().Be("row 1 is not valid UTF-8: it and the rows after it were not checked");
        analysis.RowSetPartialReason.Should().Be(analysis.RowsNotRead, "the rows cannot be compared exactly either");
    }

    [Test]
    public void A_file_in_utf16_is_counted_whole_not_by_the_bytes_read_before_its_first_invalid_one()
    {
        // A Windows-born provider's header-only file in UTF-16 (FF FE, then two bytes a character): 54 bytes.
        byte[] file = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("source,session_created_at\n")];
        using var stream = new MemoryStream(file);

        using var analysis = CsvAnalyzer.Analyze(stream, Spec);

        analysis.Bytes.Should().Be(file.Length, "the file is that long; before, 3 (the bytes looked at for a BOM)");
        analysis.HeaderLine.Should().BeNull();
        analysis.HeaderProblems.Select(p => p.Finding).OfType<Checks.CsvHeaderProblem>().Should().ContainSingle(f => f.Issue == Checks.CsvHeaderIssue.Encoding);
        analysis.RowsNotRead.Should().Be("the header line is not valid UTF-8: no rows were checked");
    }

    [Test]
    public void A_latin1_file_is_read_up_to_the_row_that_is_not_utf8_and_counted_whole()
    {
        // 2,000 valid rows, then one with 'ã' in Latin-1 (E3, not UTF-8), then 2,000 more. Before, the decoder threw on
        // the block it read ahead that held it: fewer rows read than came before it, and only the bytes read so far counted.
        var rows = string.Concat(Enumerable.Range(0, 2000).Select(i => $"{5519900000000L + i},2019-02-13T10:15:30Z\n"));
        var file = Encoding.Latin1.GetBytes("source,session_created_at\n" + rows + "S\u00E3o Paulo,2019-02-13T10:15:30Z\n" + rows);
        using var stream = new MemoryStream(file);

        using var analysis = CsvAnalyzer.Analyze(stream, Spec);

        analysis.Bytes.Should().Be(file.Length);
        analysis.HeaderLine.Should().Be("source,session_created_at");
        analysis.RowCount.Should().Be(2000);
        analysis.RowProblemCount.Should().Be(0);
        analysis.RowsNotRead.Should().Be("row 2,001 is not valid UTF-8: it and the rows after it were not checked");
    }

    [Test]
    public void A_file_of_a_bom_alone_is_a_missing_header_that_does_not_say_0_bytes()
    {
        using var stream = new MemoryStream([0xEF, 0xBB, 0xBF]);

        using var analysis = CsvAnalyzer.Analyze(stream, Spec);

        analysis.Bytes.Should().Be(3);
        analysis.HeaderProblems.Select(p => p.Finding).Should().Contain(new Checks.CsvHeaderProblem(Checks.CsvHeaderIssue.Missing,
            "a header line 'source,session_created_at'", "a UTF-8 BOM (EF BB BF) and nothing after it", null));
    }

    [Test]
    public void A_first_line_that_does_not_end_within_the_bound_is_a_missing_header_and_no_row_is_read()
    {
        var first = new string('a', CsvAnalyzer.MaxHeaderChars + 1);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(first + "\nsource,session_created_at\n5519900000001,2019-02-13T10:15:30Z\n"));

        using var analysis = CsvAnalyzer.Analyze(stream, Spec);

        analysis.HeaderLine.Should().BeNull();
        analysis.RowCount.Should().Be(0);
        var problem = analysis.HeaderProblems.Should().ContainSingle().Subject;
        problem.Finding.Should().Be(new Checks.CsvHeaderProblem(Checks.CsvHeaderIssue.Missing, "a header line 'source,session_created_at'",
            $"a first line that does not end within {CsvAnalyzer.MaxHeaderChars:N0} characters, which starts '{new string('a', 200)}…'", null));
        problem.Basis.Should().Be(Spec.Columns[0].Basis, "the columns a header names are the documented rule");
        analysis.RowsNotRead.Should().Be($"the first line does not end within {CsvAnalyzer.MaxHeaderChars:N0} characters: no header, and no rows were read");
        analysis.RowSetPartialReason.Should().Be(analysis.RowsNotRead);
    }

    [Test]
    public void A_header_of_exactly_the_bound_is_read_and_so_is_one_that_ends_the_file_or_holds_a_nul()
    {
        var header = "source,session_created_at," + new string('x', CsvAnalyzer.MaxHeaderChars - 26);
        using (var stream = new MemoryStream(Encoding.UTF8.GetBytes(header + "\r\n5519900000001,2019-02-13T10:15:30Z,\n")))
        using (var analysis = CsvAnalyzer.Analyze(stream, Spec))
        {
            analysis.HeaderLine.Should().Be(header);
            analysis.RowCount.Should().Be(1);
            analysis.RowsNotRead.Should().BeNull();
        }

        foreach (var alone in new[] { "source,session_created_at", "source\0,session_created_at" })
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(alone));
            using var analysis = CsvAnalyzer.Analyze(stream, Spec);
            analysis.HeaderLine.Should().Be(alone, "a header without a line end at the end of the file, or with a NUL in it, is read whole");
            analysis.RowsNotRead.Should().BeNull();
        }
    }

    [Test]
    public void A_record_past_the_bound_ends_the_reading_there_and_one_just_inside_it_is_read_whole()
    {
        // A value of a million characters (inside the bound), a valid row, then a quote never closed over short lines.
        var inside = new string('7', 1_000_000);
        var body = $"source,session_created_at\n{inside},2019-02-13T10:15:30Z\n5519900000001,2019-02-13T10:15:30Z\n5519900000002,\""
                   + string.Concat(Enumerable.Repeat("aaaaaaaaaaaaaaa\n", 100_000)) + "\n5519900000003,2019-02-13T10:15:30Z\n";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));

        using var analysis = CsvAnalyzer.Analyze(stream, Spec);

        analysis.RowCount.Should().Be(2);
        Says(analysis.RowProblems.Should().ContainSingle().Subject, row: 1, line: 2, column: "source", value: inside);
        analysis.RowsNotRead.Should().Be($"row 3 does not end within {CsvAnalyzer.MaxRecordChars:N0} characters (a line without an end, or a quote never closed; the suite's bound): it and the rows after it were not read");
        analysis.RowSetPartialReason.Should().Be(analysis.RowsNotRead);
    }

    [Test]
    public void Problems_keep_their_order_and_numbers_far_into_a_file()
    {
        // 200,000 rows fill the parser's buffer many times over; a blank line after row 100 shifts the line numbers by one.
        var rows = Enumerable.Range(1, 200_000).Select(i => i % 1000 == 0 ? $"+55 {i},2019-02-13T10:15:30Z" : $"{5519900000000L + i},2019-02-13T10:15:30Z");
        var body = "source,session_created_at\n" + string.Join("\n", rows.Take(100)) + "\n\n" + string.Join("\n", rows.Skip(100)) + "\n5519900000000\n";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));

        using var analysis = CsvAnalyzer.Analyze(stream, Spec);

        analysis.RowCount.Should().Be(200_001);
        analysis.RowProblemCount.Should().Be(201);
        analysis.RowProblems.Should().HaveCount(CsvAnalyzer.MaxRowProblemsKept);
        for (var k = 1; k <= CsvAnalyzer.MaxRowProblemsKept; k++)
        {
            Says(analysis.RowProblems[k - 1], row: k * 1000, line: (k * 1000) + 2, column: "source", value: $"+55 {k * 1000}");
        }
    }

    [Test]
    public void A_short_row_far_into_a_file_is_reported_with_its_text()
    {
        var rows = Enumerable.Range(1, 50_000).Select(i => i == 30_000 ? "5519912345678" : $"{5519900000000L + i},2019-02-13T10:15:30Z");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("source,session_created_at\n" + string.Join("\n", rows) + "\n"));

        using var analysis = CsvAnalyzer.Analyze(stream, Spec);

        Says(analysis.RowProblems.Should().ContainSingle().Subject, row: 30_000, line: 30_001, column: null, value: "5519912345678");
        analysis.RowProblems[0].Message.Should().Contain("2 fields");
    }

    private static readonly string[] AwkwardLines =
    [
        "5519900000007,a,b", "\"x,y\",z", "  5519900000002 , 2019-02-13T10:15:30Z ", "5519900000001,2019-02-13T10:15:30Z", "\t5519900000004\t,x",
        "\u00e95519900000005,\u00fc\U0001F600", ",", "5519900000006,", ",2019-02-13T10:15:30Z", "5519900000008", "a'b,c;d|e", "ab\"c,d",
        "\"5519900000009\",\"2019-02-13T10:15:30Z\"", "5519900000010,2019-02-13T10:15:30Z,", "5519900000011,,", " , ",
    ];

    [TestCase("\n")]
    [TestCase("\r\n")]
    [TestCase("\r")]
    public void Rows_are_read_exactly_as_the_parser_reads_them(string newline)
    {
        // Most rows are split by the analyzer itself (no quotes); its row set must hold exactly the parser's fields.
        var lines = Enumerable.Range(0, 3000).Select(i => AwkwardLines[i % AwkwardLines.Length]).ToList();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("source,session_created_at" + newline + string.Join(newline, lines) + newline));

        using var analysis = CsvAnalyzer.Analyze(stream, Spec, keepRows: lines.Count);
        using var parsed = new CsvRowSet();
        foreach (var record in analysis.Rows)
        {
            parsed.Add([record.Length > 0 ? record[0] : null, record.Length > 1 ? record[1] : null]);
        }

        analysis.RowCount.Should().Be(lines.Count);
        analysis.RowSet.CompareAsSubsetOf(parsed).IsEqual.Should().BeTrue();
        Says(analysis.RowProblems[0], row: 1, line: 2, column: null, value: "5519900000007,a,b");
        Says(analysis.RowProblems[1], row: 2, line: 3, column: "source", value: "x,y");
        Says(analysis.RowProblems[2], row: 2, line: 3, column: "session_created_at", value: "z");
        Says(analysis.RowProblems[3], row: 3, line: 4, column: "source", value: "  5519900000002 ");
        Says(analysis.RowProblems[4], row: 3, line: 4, column: "session_created_at", value: " 2019-02-13T10:15:30Z ");
    }

    [Test]
    public void Long_values_and_rows_are_kept_and_shown_exactly_as_read()
    {
        // A key past 127 bytes, a value of 127 bytes and more, and rows longer than the parser's buffer (4,096
        // characters) take the row set's value-by-value path; a long row with a wrong field count is shown whole.
        string[] cycle =
        [
            $"{new string('1', 100)},{new string('2', 100)}", $"{new string('1', 127)},2019-02-13T10:15:30Z",
            $"5519900000001,{new string('x', 5000)}", $"{new string('y', 6000)},a,b", "5519900000002,2019-02-13T10:15:30Z",
        ];
        var lines = Enumerable.Range(0, 500).SelectMany(_ => cycle).ToList();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("source,session_created_at\n" + string.Join("\n", lines) + "\n"));

        using var analysis = CsvAnalyzer.Analyze(stream, Spec, keepRows: lines.Count);
        using var parsed = new CsvRowSet();
        foreach (var record in analysis.Rows)
        {
            parsed.Add([record[0], record.Length > 1 ? record[1] : null]);
        }

        analysis.RowCount.Should().Be(lines.Count);
        analysis.RowSet.CompareAsSubsetOf(parsed).IsEqual.Should().BeTrue();
        analysis.RowProblemCount.Should().Be(5 * 500);
        Says(analysis.RowProblems[0], row: 1, line: 2, column: "source", value: new string('1', 100));
        Says(analysis.RowProblems[1], row: 1, line: 2, column: "session_created_at", value: new string('2', 100));
        Says(analysis.RowProblems[2], row: 2, line: 3, column: "source", value: new string('1', 127));
        Says(analysis.RowProblems[3], row: 3, line: 4, column: "session_created_at", value: new string('x', 5000));
        Says(analysis.RowProblems[4], row: 4, line: 5, column: null, value: new string('y', 6000) + ",a,b");
    }

    [Test]
    public void A_file_and_its_fully_quoted_twin_give_the_same_rows_and_problems()
    {
        var lines = Enumerable.Range(0, 5000).Select(i => AwkwardLines[i % AwkwardLines.Length]).Where(l => !l.Contains('"', StringComparison.Ordinal)).ToList();
        var quoted = lines.Select(l => string.Join(',', l.Split(',').Select(f => $"\"{f}\"")));
        using var plainStream = new MemoryStream(Encoding.UTF8.GetBytes("source,session_created_at\n" + string.Join("\n", lines) + "\n"));
        using var quotedStream = new MemoryStream(Encoding.UTF8.GetBytes("source,session_created_at\n" + string.Join("\n", quoted) + "\n"));

        using var plain = CsvAnalyzer.Analyze(plainStream, Spec);
        using var twin = CsvAnalyzer.Analyze(quotedStream, Spec);

        plain.RowSet.CompareAsSubsetOf(twin.RowSet).IsEqual.Should().BeTrue();
        plain.RowProblemCount.Should().Be(twin.RowProblemCount).And.BeGreaterThan(0);
        plain.RowProblems.Select(p => p.Message.Replace("\"", "", StringComparison.Ordinal))
            .Should().Equal(twin.RowProblems.Select(p => p.Message.Replace("\"", "", StringComparison.Ordinal)));
    }

    /// <summary>A row problem names its row, its line, the column (for a rule) and the value exactly as read, quoted.</summary>
    private static void Says(CsvProblem problem, int row, int line, string? column, string value)
    {
        problem.Message.Should().StartWith($"row {row} (line {line})");
        if (column is not null)
        {
            problem.Message.Should().Contain(column).And.EndWith($"'{value}'");
        }
        else
        {
            problem.Message.Should().Contain($"{value}'", "a row with the wrong field count is shown whole");
        }
    }

    public static IEnumerable<string> DateTimes()
    {
        string[] fixedCases =
        [
            "2019-02-13T10:15:30Z", "2019-02-13T10:15", "2019-02-13T10:15+03", "2019-02-13T10:15-0330", "2019-02-13T10:15:30.1234567Z",
            "2019-02-13T10:15:30.12345678Z", "2019-02-13T10:15:30.123456789+01:00", "2019-02-13T23:59:60Z", "2019-02-13T24:00Z",
            "2019-02-29T10:15Z", "2020-02-29T10:15Z", "0000-01-01T00:00Z", "0001-01-01T00:00+01:00", "0001-01-01T00:00-01:00",
            "9999-12-31T23:59+14:00", "9999-12-31T23:59-01:00", "2019-02-13T10:15+14:00", "2019-02-13T10:15+14:01", "2019-02-13T10:15+15:00",
            "2019-02-13T10:15+13:59", "2019-02-13T10:15+05:60", "2019-02-13T10:15+0560", "2019-02-13T10:15:30Z\n", "2019-13-13T10:15Z",
            "2019-00-13T10:15Z", "2019-02-00T10:15Z", "2019-02-13T10:15-00:00", "2019-02-13 10:15:30Z", "2019-02-13T10:15:30", "13/02/2019 10:15",
            "2019-02-13T10:15:30.Z", "2019-02-13T10:15:30z", "2019-02-13t10:15:30Z", "\u0662\u0660\u0661\u0669-02-13T10:15Z", "", "2019-02-13T10:15:30+3",
            "2019-02-13T10:15:30+03:0", "2019-02-13T10:15:30+03:000", "2019-02-13T10:1", "2019-2-13T10:15Z", " 2019-02-13T10:15Z",
        ];
        foreach (var value in fixedCases)
        {
            yield return value;
        }

        // Variations of every part around its limits.
        var random = new Random(12345);
        for (var i = 0; i < 20_000; i++)
        {
            var year = random.Next(0, 3) switch { 0 => random.Next(0, 10), 1 => random.Next(9990, 10000), _ => random.Next(1900, 2100) };
            var text = $"{year:0000}-{random.Next(0, 14):00}-{random.Next(0, 33):00}T{random.Next(0, 26):00}:{random.Next(0, 62):00}";
            text += random.Next(0, 3) switch { 0 => "", 1 => $":{random.Next(0, 62):00}", _ => $":{random.Next(0, 62):00}.{new string('7', random.Next(0, 11))}" };
            text += random.Next(0, 5) switch { 0 => "", 1 => "Z", 2 => $"+{random.Next(0, 16):00}", 3 => $"-{random.Next(0, 16):00}{random.Next(0, 61):00}", _ => $"+{random.Next(12, 16):00}:{random.Next(0, 61):00}" };
            yield return text;
        }
    }

    [Test]
    public void The_fast_date_time_test_agrees_with_the_reference_on_every_value()
    {
        var rule = Spec.Columns.Single(c => c.Rule?.Kind == "iso8601-datetime").Rule!;
        var test = CsvRuleTests.For(rule);
        var fastAccepted = 0;

        foreach (var value in DateTimes())
        {
            var reference = CsvRuleTests.IsIsoDateTimeReference(value);
            if (CsvRuleTests.IsPlainIsoDateTime(value))
            {
                reference.Should().BeTrue($"the fast path accepted '{value}', so the reference must");
                fastAccepted++;
            }

            test(value).Should().Be(reference, $"'{value}' is judged as the reference judges it");
        }

        fastAccepted.Should().BeGreaterThan(1000, "the fast path takes the common values");
    }

    [TestCase("^[0-9]{10,15}$", true)]
    [TestCase(@"^\d{3}$", true)]
    [TestCase("^[a-fA-F0-9]+$", true)]
    [TestCase("^[A-Z]*$", true)]
    [TestCase("^[0-9]{4,}$", true)]
    [TestCase("^[0-9]{2}-[0-9]{2}$", false)]
    [TestCase("^[^,]+$", false)]
    public void The_fast_pattern_test_agrees_with_the_expression(string pattern, bool hasFastPath)
    {
        var test = CsvRuleTests.Pattern(pattern);
        // The expression as the suite reads it: '$' is the end of the value (so "12345678901\n" is no match).
        var regex = new System.Text.RegularExpressions.Regex(EcmaPattern.Translate(pattern));
        string[] values = ["", "1", "123", "1234567890", "123456789012345", "1234567890123456", "12345678901\n", "12 345", "+5519912345678",
            "abcDEF09", "ABC", "abc", "\u0661\u0662\u0663", "12-34", "a,b", "999999999999", "0000"];

        foreach (var value in values)
        {
            test(value).Should().Be(regex.IsMatch(value), $"'{value}' against {pattern}");
        }

        CsvRuleTests.HasFastPath(pattern).Should().Be(hasFastPath);
    }

    [TestCase("^[0-9]{10,15}$", @"^[0-9]{10,15}\z")]
    [TestCase(@"^a\$b$", @"^a\$b\z")]
    [TestCase("^[$]+(x|y$)", @"^[$]+(x|y\z)")]
    [TestCase("^[]$]$", @"^[]$]\z")]
    [TestCase("^[^]$]$", @"^[^]$]\z")]
    [TestCase("^[a-z-[$]]$", @"^[a-z-[$]]\z")]
    public void A_pattern_anchor_is_the_end_of_the_value_not_a_final_newline(string pattern, string read)
    {
        EcmaPattern.Translate(pattern).Should().Be(read);
        CsvRuleTests.Pattern(pattern)("5519900000001\n").Should().BeFalse();
    }

    [TestCase(@"^\d{3}$", "\u0661\u0662\u0663")]
    [TestCase(@"^\w+$", "caf\u00e9")]
    [TestCase("^a.b$", "a\rb")]
    public void A_csv_pattern_rule_reads_its_pattern_as_json_schema_does(string pattern, string value)
    {
        // .NET's reading takes each value (Arabic-Indic digits, a non-ASCII letter, a carriage return); ECMA-262's does not.
        System.Text.RegularExpressions.Regex.IsMatch(value, pattern).Should().BeTrue();
        CsvRuleTests.Pattern(pattern)(value).Should().BeFalse();
        CsvRuleTests.Pattern(pattern)(pattern.Contains('.') ? "a-b" : pattern.Contains('w') ? "cafe" : "123").Should().BeTrue();
    }

    /// <summary>A non-seekable stream that makes rows as they are read.</summary>
    private sealed class GeneratedCsv(int rows, int badEvery) : ReadOnlyStream
    {
        private byte[] pending = Encoding.UTF8.GetBytes("source,session_created_at\n");
        private int offset;
        private int next;

        public int LargestRead { get; private set; }

        /// <summary>When true, the body breaks off after its rows (as a provider's connection drops) instead of ending.</summary>
        public bool BreaksOff { get; init; }

        public override int Read(byte[] buffer, int start, int count)
        {
            LargestRead = Math.Max(LargestRead, count);
            if (offset == pending.Length)
            {
                if (next == rows)
                {
                    return BreaksOff ? throw new IOException("the provider stopped sending") : 0;
                }

                next++;
                var source = next % badEvery == 0 ? "+55 19" : (5519900000000L + next).ToString(System.Globalization.CultureInfo.InvariantCulture);
                pending = Encoding.UTF8.GetBytes($"{source},2019-02-13T10:15:30Z\n");
                offset = 0;
            }

            var n = Math.Min(count, pending.Length - offset);
            Array.Copy(pending, offset, buffer, start, n);
            offset += n;
            return n;
        }
    }
}
