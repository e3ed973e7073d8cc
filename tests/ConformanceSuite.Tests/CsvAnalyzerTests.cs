using System.Text;
using System.Text.Json;
using ConformanceSuite.Contracts;
using ConformanceSuite.Csv;
using ConformanceSuite.Http;
using FluentAssertions;
using NUnit.Framework;

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

        analysis.HeaderProblems.Should().Contain(p => p.Message.Contains("not valid UTF-8", StringComparison.Ordinal));
    }

    /// <summary>A non-seekable stream that makes rows as they are read.</summary>
    private sealed class GeneratedCsv(int rows, int badEvery) : ReadOnlyStream
    {
        private byte[] pending = Encoding.UTF8.GetBytes("source,session_created_at\n");
        private int offset;
        private int next;

        public int LargestRead { get; private set; }

        public override int Read(byte[] buffer, int start, int count)
        {
            LargestRead = Math.Max(LargestRead, count);
            if (offset == pending.Length)
            {
                if (next == rows)
                {
                    return 0;
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
