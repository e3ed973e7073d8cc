using ConformanceSuite.Csv;
using ConformanceSuite.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// The exact subset check behind WAVY-003: rows compared on their bytes as multisets, at any size, in bounded memory,
/// and an explicit "partial" whenever rows could not all be kept. Correctness only: nothing here is timed.
/// </summary>
[TestFixture]
public sealed class CsvSubsetTests
{
    private const string Header = "source,session_created_at";

    private static readonly CsvSpec Spec = new ContractLoader(Harness.Layout).Load("wavy-open-sessions").CsvSpecs.Values.Single();

    /// <summary>Forces spilling, sorted runs and several merge passes on a few thousand rows.</summary>
    private static readonly CsvRowSetOptions Tiny = new() { MemoryBudgetBytes = 4 * 1024, MergeFanIn = 2 };

    private static string Row(long i) => $"{5519900000000L + i},2019-02-13T10:{i % 60:00}:{i / 60 % 60:00}Z";

    private static IEnumerable<string> Rows(IEnumerable<int> numbers) => numbers.Select(i => Row(i));

    private static CsvAnalysis Analyze(IEnumerable<string> rows, CsvRowSetOptions? options = null, string header = Header)
    {
        using var stream = new RowStream(header, rows);
        return CsvAnalyzer.Analyze(stream, Spec, rowSet: options);
    }

    private static CsvSubsetComparison Compare(IEnumerable<string> subset, IEnumerable<string> superset, CsvRowSetOptions? options = null)
    {
        using var some = Analyze(subset, options);
        using var all = Analyze(superset, options);
        some.RowProblemCount.Should().Be(0, "the test rows are valid");
        return some.RowSet.CompareAsSubsetOf(all.RowSet);
    }

    public static IEnumerable<TestCaseData> Layouts()
    {
        yield return new TestCaseData((object?)null).SetName("{m} (in memory)");
        yield return new TestCaseData(Tiny).SetName("{m} (spilled, merged in passes)");
    }

    [TestCaseSource(nameof(Layouts))]
    public void A_strict_subset_in_another_order_is_a_strict_subset(CsvRowSetOptions? options)
    {
        var result = Compare(Rows(Enumerable.Range(1, 3000).Where(i => i % 3 == 0).Reverse()), Rows(Enumerable.Range(1, 3000)), options);

        result.Exact.Should().BeTrue();
        result.IsStrictSubset.Should().BeTrue();
        result.RowsNotInSuperset.Should().Be(0);
        result.SupersetRowsNotInSubset.Should().Be(2000);
    }

    [TestCaseSource(nameof(Layouts))]
    public void Equal_files_are_a_subset_but_not_a_strict_one(CsvRowSetOptions? options)
    {
        var result = Compare(Rows(Enumerable.Range(1, 3000).Reverse()), Rows(Enumerable.Range(1, 3000)), options);

        result.IsSubset.Should().BeTrue();
        result.IsEqual.Should().BeTrue();
        result.IsStrictSubset.Should().BeFalse("the same rows are not a strict subset");
    }

    [TestCaseSource(nameof(Layouts))]
    public void One_row_not_in_the_superset_is_found_and_shown(CsvRowSetOptions? options)
    {
        var foreign = "5519912345678,2021-06-01T00:00:00Z";
        var subset = Rows(Enumerable.Range(1, 1500)).Append(foreign).Concat(Rows(Enumerable.Range(1501, 1000)));

        var result = Compare(subset, Rows(Enumerable.Range(1, 3000)), options);

        result.Exact.Should().BeTrue();
        result.IsSubset.Should().BeFalse();
        result.RowsNotInSuperset.Should().Be(1);
        result.RepeatedRows.Should().Be(0);
        result.Examples.Should().Equal(foreign);
    }

    [TestCaseSource(nameof(Layouts))]
    public void A_row_that_differs_in_one_field_only_is_not_in_the_superset(CsvRowSetOptions? options)
    {
        var changed = $"{5519900000000L + 7},2019-02-13T10:07:01Z"; // row 7's source, another time

        var result = Compare(Rows([1, 2, 3]).Append(changed), Rows(Enumerable.Range(1, 3000)), options);

        result.RowsNotInSuperset.Should().Be(1);
        result.Examples.Should().Equal(changed);
    }

    [TestCaseSource(nameof(Layouts))]
    public void A_row_repeated_more_often_than_in_the_superset_is_not_in_it(CsvRowSetOptions? options)
    {
        // As sets these would pass (every distinct row is in the superset); as multisets they must not.
        var subset = Rows(Enumerable.Range(1, 1000)).Append(Row(5)).Append(Row(5)).Append(Row(900));

        var result = Compare(subset, Rows(Enumerable.Range(1, 3000)), options);

        result.IsSubset.Should().BeFalse();
        result.RowsNotInSuperset.Should().Be(3);
        result.RepeatedRows.Should().Be(3, "all three appear in the superset, only fewer times");
    }

    [TestCaseSource(nameof(Layouts))]
    public void Rows_repeated_in_the_superset_may_appear_once_or_as_often(CsvRowSetOptions? options)
    {
        var superset = Rows(Enumerable.Range(1, 2000)).Concat(Rows(Enumerable.Range(1, 2000))).ToList();

        var once = Compare(Rows(Enumerable.Range(1, 2000)), superset, options);
        var twice = Compare(superset.AsEnumerable().Reverse(), superset, options);

        once.IsStrictSubset.Should().BeTrue();
        once.SupersetRowsNotInSubset.Should().Be(2000);
        twice.IsEqual.Should().BeTrue();
    }

    [TestCaseSource(nameof(Layouts))]
    public void A_fingerprint_collision_cannot_make_a_foreign_row_a_member(CsvRowSetOptions? options)
    {
        // Every row gets the same 64-bit hash: a comparison of fingerprints would find every row "present".
        var colliding = new CsvRowSetOptions
        {
            MemoryBudgetBytes = options?.MemoryBudgetBytes ?? CsvRowSetOptions.Default.MemoryBudgetBytes,
            MergeFanIn = options?.MergeFanIn ?? CsvRowSetOptions.Default.MergeFanIn,
            Hash = _ => 0x5EED,
        };
        var foreign = "5519912345678,2021-06-01T00:00:00Z";

        var caught = Compare(Rows(Enumerable.Range(1, 1000).Reverse()).Append(foreign), Rows(Enumerable.Range(1, 3000)), colliding);
        var strict = Compare(Rows(Enumerable.Range(1, 1000).Reverse()), Rows(Enumerable.Range(1, 3000)), colliding);
        var equal = Compare(Rows(Enumerable.Range(1, 3000).Reverse()), Rows(Enumerable.Range(1, 3000)), colliding);

        caught.RowsNotInSuperset.Should().Be(1);
        caught.Examples.Should().Equal(foreign);
        strict.IsStrictSubset.Should().BeTrue();
        equal.IsEqual.Should().BeTrue();
    }

    [Test]
    public void Two_rows_with_the_same_fingerprint_are_told_apart_by_their_bytes()
    {
        // Only the two rows below collide; with the default hash they would still be told apart, so the collision is
        // made on purpose: the superset holds A, the subset holds B, and B must be reported.
        var a = "5519900000001,2019-02-13T10:00:00Z";
        var b = "5519900000002,2019-02-13T10:00:00Z";
        var keyA = Key(a);
        var keyB = Key(b);
        var options = new CsvRowSetOptions { Hash = row => row.SequenceEqual(keyA) || row.SequenceEqual(keyB) ? 7UL : RowHash.Of(row) };
        options.Hash(keyA).Should().Be(options.Hash(keyB), "the test needs a real collision");

        var result = Compare([b], [a, "5519900000003,2019-02-13T10:00:00Z"], options);

        result.RowsNotInSuperset.Should().Be(1);
        result.Examples.Should().Equal(b);
    }

    [Test]
    public void A_small_export_s_rows_take_a_buffer_of_their_size_not_the_budget_s()
    {
        // An export of a few rows is what most checks read: each used to take a buffer of the whole budget (8 MiB).
        using var few = Analyze(Rows(Enumerable.Range(1, 50)));
        using var more = Analyze(Rows(Enumerable.Range(1, 5_000)));

        few.RowSet.PeakBufferBytes.Should().BeLessThanOrEqualTo(64 * 1024, "fifty rows of forty bytes");
        more.RowSet.PeakBufferBytes.Should().BeInRange(few.RowSet.PeakBufferBytes + 1, 1024 * 1024, "the buffer grows with the rows, up to where they are written out");
        more.RowSet.Spilled.Should().BeFalse();
        few.RowSet.CompareAsSubsetOf(more.RowSet).IsStrictSubset.Should().BeTrue();
    }

    [Test]
    public void Reordered_columns_give_the_same_rows()
    {
        var swapped = Enumerable.Range(1, 10).Select(i => string.Join(',', Row(i).Split(',').Reverse()));
        using var some = Analyze(swapped, header: "session_created_at,source");
        using var all = Analyze(Rows(Enumerable.Range(1, 20)));

        var result = some.RowSet.CompareAsSubsetOf(all.RowSet);

        result.IsStrictSubset.Should().BeTrue();
    }

    [Test]
    public void Streamed_rows_far_past_the_budget_are_compared_exactly_in_the_same_memory_as_a_fifth_of_them()
    {
        // A quarter of the default budget, so 500,000 rows pass it as far as 2,000,000 pass the default (the
        // end-to-end run of two million rows is in LargeCsvTests).
        const int rows = 500_000;
        var options = new CsvRowSetOptions { MemoryBudgetBytes = CsvRowSetOptions.Default.MemoryBudgetBytes / 4 };
        var foreign = "5519999999999,2022-01-01T00:00:00Z";
        var narrowed = Rows(Enumerable.Range(1, rows).Where(i => i % 3 == 0).Reverse()).Take(75_000)
            .Append(foreign)
            .Concat(Rows(Enumerable.Range(1, rows).Where(i => i % 3 == 0).Reverse()).Skip(75_000));

        using var all = Analyze(Rows(Enumerable.Range(1, rows)), options);
        using var some = Analyze(narrowed, options);
        var result = some.RowSet.CompareAsSubsetOf(all.RowSet);

        all.RowCount.Should().Be(rows);
        result.Exact.Should().BeTrue();
        result.RowsNotInSuperset.Should().Be(1);
        result.Examples.Should().Equal(foreign);
        result.SupersetRowsNotInSubset.Should().Be(rows - (rows / 3));
        result.Spilled.Should().BeTrue("500,000 rows are far past a quarter of the memory budget");
        all.RowSet.SortedRuns.Should().BeGreaterThan(1);

        using var small = Analyze(Rows(Enumerable.Range(1, rows / 5)), options);
        using var smallPart = Analyze(Rows(Enumerable.Range(1, rows / 5).Where(i => i % 3 == 0)), options);
        smallPart.RowSet.CompareAsSubsetOf(small.RowSet).IsStrictSubset.Should().BeTrue();
        var bound = options.MemoryBudgetBytes + ((options.MergeFanIn + 1) * 64 * 1024);
        all.RowSet.PeakBufferBytes.Should().BeLessThanOrEqualTo(bound, "the budget plus the merge buffers");
        small.RowSet.PeakBufferBytes.Should().BeLessThanOrEqualTo(bound);
        all.RowSet.PeakBufferBytes.Should().BeLessThanOrEqualTo((long)(small.RowSet.PeakBufferBytes * 1.25), $"memory does not grow with the rows (a fifth of them: {small.RowSet.PeakBufferBytes:N0} bytes at most)");
    }

    [Test]
    public void The_temporary_folder_is_gone_once_the_sets_are_disposed()
    {
        var parent = Directory.CreateTempSubdirectory("csv-subset-test-");
        try
        {
            var options = new CsvRowSetOptions { MemoryBudgetBytes = 4 * 1024, MergeFanIn = 2, TempFolder = parent.FullName };
            using (var all = Analyze(Rows(Enumerable.Range(1, 3000)), options))
            using (var some = Analyze(Rows(Enumerable.Range(1, 1000)), options))
            {
                some.RowSet.CompareAsSubsetOf(all.RowSet).IsStrictSubset.Should().BeTrue();
                all.RowSet.Spilled.Should().BeTrue();
                all.RowSet.MergePasses.Should().BeGreaterThan(1);
            }

            parent.EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Should().BeEmpty();
        }
        finally
        {
            parent.Delete(recursive: true);
        }
    }

    [Test]
    public void Past_the_spill_limit_the_comparison_says_it_is_partial_and_never_passes()
    {
        var limited = new CsvRowSetOptions { MemoryBudgetBytes = 4 * 1024, MaxSpillBytes = 20 * 1024 };
        using var all = Analyze(Rows(Enumerable.Range(1, 5000)), limited);
        using var some = Analyze(Rows(Enumerable.Range(1, 10)));

        var result = some.RowSet.CompareAsSubsetOf(all.RowSet);

        all.RowSetPartialReason.Should().Contain("spill limit of 20,480 bytes");
        all.RowCount.Should().Be(5000, "the rows are still counted and checked");
        result.Exact.Should().BeFalse();
        result.PartialReason.Should().StartWith("subset compared by row counts only: the superset's rows are not all kept");
        result.IsSubset.Should().BeFalse("a partial comparison is never a pass");
        result.IsStrictSubset.Should().BeFalse();
    }

    [Test]
    public void A_file_cut_short_by_invalid_utf8_is_not_compared_as_if_complete()
    {
        using var body = new MemoryStream();
        body.Write(Encoding.UTF8.GetBytes(Header + "\n" + string.Concat(Rows(Enumerable.Range(1, 3000)).Select(r => r + "\n"))));
        body.Write([0xFF, 0xFE, (byte)'\n']);
        body.Write(Encoding.UTF8.GetBytes(string.Concat(Rows(Enumerable.Range(3001, 100)).Select(r => r + "\n"))));
        body.Position = 0;
        using var all = CsvAnalyzer.Analyze(body, Spec);
        using var some = Analyze(Rows(Enumerable.Range(1, 10)));

        var result = some.RowSet.CompareAsSubsetOf(all.RowSet);

        all.HeaderProblems.Should().Contain(p => p.Message.Contains("not valid UTF-8", StringComparison.OrdinalIgnoreCase));
        all.RowSetPartialReason.Should().Contain("valid UTF-8");
        result.Exact.Should().BeFalse();
    }

    /// <summary>A row's key as the row set stores it: each field as varint(length + 1) and its UTF-8 bytes.</summary>
    private static byte[] Key(string row)
    {
        var key = new List<byte>();
        foreach (var field in row.Split(','))
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            key.Add((byte)(bytes.Length + 1));
            key.AddRange(bytes);
        }

        return [.. key];
    }

    /// <summary>A non-seekable CSV made as it is read, from a header and rows: never held whole.</summary>
    private sealed class RowStream(string header, IEnumerable<string> rows) : ReadOnlyStream
    {
        private readonly IEnumerator<string> next = rows.GetEnumerator();
        private byte[] pending = Encoding.UTF8.GetBytes(header + "\n");
        private int offset;

        public override int Read(byte[] buffer, int start, int count)
        {
            if (offset == pending.Length)
            {
                if (!next.MoveNext())
                {
                    return 0;
                }

                pending = Encoding.UTF8.GetBytes(next.Current + "\n");
                offset = 0;
            }

            var n = Math.Min(count, pending.Length - offset);
            Array.Copy(pending, offset, buffer, start, n);
            offset += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                next.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
