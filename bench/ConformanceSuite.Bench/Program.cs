using System.Diagnostics;
using System.Globalization;
using System.Text;
using ConformanceSuite;
using ConformanceSuite.Contracts;
using ConformanceSuite.Csv;
using ConformanceSuite.Http;

// Measures the CSV row check (WAVY-012's engine) as ratios within one run, never as absolute targets:
// memory: bytes allocated and peak managed heap of the streaming analyzer vs. a whole-file baseline;
// speed: the analyzer's time per row vs. the baseline's. Usage: dotnet run -c Release --project bench/ConformanceSuite.Bench [rows]
var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var layout = RepositoryLayout.Discover();
var spec = new ContractLoader(layout).Load("wavy-open-sessions").CsvSpecs.Values.Single();

var streaming = Measure("streaming analyzer", () =>
{
    using var stream = new GeneratedCsv(rows);
    var analysis = CsvAnalyzer.Analyze(stream, spec);
    return analysis.RowCount;
});
var baseline = Measure("whole-file baseline", () =>
{
    using var stream = new GeneratedCsv(rows);
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    var text = Encoding.UTF8.GetString(buffer.ToArray());
    var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    return lines.Skip(1).Count(l => l.Split(',').Length == 2);
});

var bytes = new GeneratedCsv(rows).TotalBytes;
Console.WriteLine($"csv: {rows} rows, {bytes / 1024.0 / 1024.0:0.0} MiB");
Console.WriteLine($"{"",-22} {"ms",10} {"allocated MiB",14} {"peak heap MiB",14}");
foreach (var m in new[] { streaming, baseline })
{
    Console.WriteLine($"{m.Name,-22} {m.Milliseconds,10:0} {m.Allocated / 1048576.0,14:0.0} {m.PeakHeap / 1048576.0,14:0.0}");
}

Console.WriteLine($"ratio peak heap (streaming / file size): {streaming.PeakHeap / (double)bytes:0.00}");
Console.WriteLine($"ratio peak heap (streaming / baseline): {streaming.PeakHeap / (double)baseline.PeakHeap:0.00}");
Console.WriteLine($"ratio time (streaming / baseline): {streaming.Milliseconds / baseline.Milliseconds:0.00}");
return 0;

static Measurement Measure(string name, Func<long> work)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    long peak = 0;
    using var sampling = new Timer(_ => peak = Math.Max(peak, GC.GetTotalMemory(false) - before), null, 0, 5);
    var watch = Stopwatch.StartNew();
    var result = work();
    watch.Stop();
    peak = Math.Max(peak, GC.GetTotalMemory(false) - before);
    if (result <= 0)
    {
        throw new InvalidOperationException($"{name} read no rows");
    }

    return new Measurement(name, watch.Elapsed.TotalMilliseconds, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, peak);
}

internal sealed record Measurement(string Name, double Milliseconds, long Allocated, long PeakHeap);

/// <summary>A CSV made as it is read: the benchmark never holds the file itself.</summary>
internal sealed class GeneratedCsv(int rows) : ReadOnlyStream
{
    private static readonly byte[] Header = Encoding.UTF8.GetBytes("source,session_created_at\n");
    private byte[] pending = Header;
    private int offset;
    private int next;

    public long TotalBytes
    {
        get
        {
            long total = Header.Length;
            for (var i = 1; i <= rows; i++)
            {
                total += Row(i).Length;
            }

            return total;
        }
    }

    private static byte[] Row(int i) =>
        Encoding.UTF8.GetBytes($"{5519900000000L + i},2019-02-13T{i % 24:00}:{i % 60:00}:30Z\n");

    public override int Read(byte[] buffer, int start, int count)
    {
        if (offset == pending.Length)
        {
            if (next == rows)
            {
                return 0;
            }

            pending = Row(++next);
            offset = 0;
        }

        var n = Math.Min(count, pending.Length - offset);
        Array.Copy(pending, offset, buffer, start, n);
        offset += n;
        return n;
    }
}
