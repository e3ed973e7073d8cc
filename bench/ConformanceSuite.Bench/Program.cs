using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ConformanceSuite;
using ConformanceSuite.Contracts;
using ConformanceSuite.Csv;
using CsvHelper;
using CsvHelper.Configuration;

// CSV benchmarks, as ratios measured in one run (never asserted in tests).
//
//   dotnet run -c Release --project bench/ConformanceSuite.Bench [rows]
//
// 1. The CSV analyzer (every header and row rule, and the row store the subset check uses) against a raw
//    CsvHelper read of the same file (CsvParser.Read and every field's value, nothing else): time ratio and
//    peak memory of each, for [rows] rows (1,000,000 by default). The time ratio is also measured paired: both
//    reads, alternately, in one process, 11 times each; the median of the pairs' ratios is the figure least moved by
//    this machine's drift in speed.
// 2. The exact subset check (WAVY-003's engine): both files analysed, then compared, on 2 x [rows] rows and
//    on [rows] / 5 rows, to show that its peak memory does not grow with the number of rows.
//
// How memory is measured: every phase runs in a fresh child process (this program started again with
// --phase), so one phase's heap, JIT and GC state cannot inflate another's. A child reports its peak working
// set (Process.PeakWorkingSet64, the OS's high-water mark of resident memory, which includes the runtime itself:
// see the "runtime only" line), its peak managed heap (sampled every 2 ms) and the bytes it allocated.
// How time is measured: in the child, the phase runs once cold (that run is the one whose peak memory is
// reported), then --repeat more times warm. "ms" is the best (least) wall time of the warm runs, the usual
// figure on a shared machine, where other work can only add time; the median is shown beside it. "cpu ms" is
// the process's CPU time (all threads, the runtime's own included) in the best run. The raw read runs on one thread;
// the analyzer parses on one and, past its first batch of rows, checks them on a second beside it (two cores here), so
// its CPU time is its whole work, above its wall time: the CPU ratio says what the checks cost, the time ratio what a
// user waits.
// The input files are generated once, into a temporary folder deleted at the end, and read from disk by
// every phase, so both sides of a ratio read the very same bytes. The contract is loaded (and validated) here,
// in the parent; a child gets the CSV spec alone, as JSON, read with JsonDocument: loading the whole contract
// (JSON schemas and all) would add some 35 MiB to a child's working set that has nothing to do with reading a
// CSV. The "runtime + CSV spec" line shows what a child holds before it reads a row.
if (args.Length > 0 && args[0] == "--phase")
{
    return Child.Run(args);
}

var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
const int Pairs = 11;
var folder = Directory.CreateTempSubdirectory("conformance-bench-");
try
{
    var full = Path.Combine(folder.FullName, "rows.csv");
    var big = Path.Combine(folder.FullName, "subset-baseline.csv");
    var bigPart = Path.Combine(folder.FullName, "subset-narrowed.csv");
    var small = Path.Combine(folder.FullName, "small-baseline.csv");
    var smallPart = Path.Combine(folder.FullName, "small-narrowed.csv");
    var specFile = Path.Combine(folder.FullName, "csv-spec.json");
    var spec = new ContractLoader(RepositoryLayout.Discover()).Load("wavy-open-sessions").CsvSpecs.Values.Single();
    File.WriteAllText(specFile, JsonSerializer.Serialize(spec));
    if (JsonSerializer.Serialize(SpecFile.Read(specFile)) != JsonSerializer.Serialize(spec))
    {
        throw new InvalidOperationException("the CSV spec does not read back as written");
    }

    var bytes = Data.Write(full, rows, keepEvery: 1);
    Data.Write(big, 2 * rows, keepEvery: 1);
    Data.Write(bigPart, 2 * rows, keepEvery: 3);
    Data.Write(small, rows / 5, keepEvery: 1);
    Data.Write(smallPart, rows / 5, keepEvery: 3);

    Console.WriteLine($"csv: {rows:N0} rows, {bytes / 1048576.0:0.0} MiB; every phase in a fresh process; {Environment.ProcessorCount} cores");
    Console.WriteLine();
    var idle = Child.Start("idle", 0);
    var specOnly = Child.Start("spec", 0, specFile);
    var raw = Child.Start("csvhelper", 5, full);
    var analyzer = Child.Start("analyzer", 5, specFile, full);
    Console.WriteLine(Measurement.Heading);
    foreach (var m in new[] { idle, specOnly, raw, analyzer })
    {
        Console.WriteLine(m.Line());
    }

    // The time ratio, paired: both reads in one process, one after the other, so a drift of this machine's speed
    // (20 to 30 % over minutes on a shared 2-core VM) falls on both sides of each pair, not on one phase's process.
    var paired = Child.Start("paired", 0, specFile, full, Pairs.ToString(CultureInfo.InvariantCulture));
    Console.WriteLine();
    Console.WriteLine($"ratio time (analyzer / raw CsvHelper read), paired in one process: {paired.Detail} (goal <= 1.3x)");
    Console.WriteLine($"ratio time, each in a process of its own: {analyzer.Milliseconds / raw.Milliseconds:0.00}x best, {analyzer.Median / raw.Median:0.00}x median");
    Console.WriteLine($"ratio CPU time (analyzer / raw CsvHelper read): {analyzer.CpuMilliseconds / raw.CpuMilliseconds:0.00}x");
    Console.WriteLine($"analyzer speed: {analyzer.RowsPerSecond / 1e6:0.00}M rows/s (goal >= 2M); raw CsvHelper: {raw.RowsPerSecond / 1e6:0.00}M rows/s");
    Console.WriteLine($"ratio peak working set (analyzer / raw CsvHelper read): {analyzer.PeakWorkingSet / (double)raw.PeakWorkingSet:0.00}x; analyzer peak {analyzer.PeakWorkingSet / 1048576.0:0.0} MiB (goal <= 64 MiB)");
    Console.WriteLine();

    var subsetBig = Child.Start("subset", 1, specFile, big, bigPart);
    var subsetSmall = Child.Start("subset", 1, specFile, small, smallPart);
    Console.WriteLine(Measurement.Heading);
    foreach (var m in new[] { subsetSmall, subsetBig })
    {
        Console.WriteLine(m.Line());
        Console.WriteLine($"  {m.Detail}");
    }

    Console.WriteLine();
    Console.WriteLine($"ratio peak working set (subset on {subsetBig.Rows:N0} rows / on {subsetSmall.Rows:N0} rows): {subsetBig.PeakWorkingSet / (double)subsetSmall.PeakWorkingSet:0.00}x (flat = about 1)");
    Console.WriteLine($"ratio peak heap (subset on {subsetBig.Rows:N0} rows / on {subsetSmall.Rows:N0} rows): {subsetBig.PeakHeap / (double)subsetSmall.PeakHeap:0.00}x");
    return 0;
}
finally
{
    folder.Delete(recursive: true);
}

/// <summary>What a child process measured.</summary>
internal sealed record Measurement(string Name, long Rows, double Milliseconds, double Median, double CpuMilliseconds, long PeakWorkingSet, long PeakHeap, long Allocated, string Detail)
{
    public static string Heading =>
        $"{"phase",-36} {"rows",10} {"ms",7} {"median",7} {"cpu ms",7} {"rows/s",11} {"peak WS MiB",12} {"peak heap MiB",14} {"alloc MiB",10}";

    public double RowsPerSecond => Rows / (Milliseconds / 1000);

    public string Line() =>
        $"{Name,-36} {Rows,10:N0} {Milliseconds,7:0} {Median,7:0} {CpuMilliseconds,7:0} {(Rows == 0 ? "" : RowsPerSecond.ToString("N0", CultureInfo.InvariantCulture)),11} "
        + $"{PeakWorkingSet / 1048576.0,12:0.0} {PeakHeap / 1048576.0,14:0.0} {Allocated / 1048576.0,10:0.0}";
}

/// <summary>The phases, each run in a process of its own.</summary>
internal static class Child
{
    public static Measurement Start(string phase, int repeat, params string[] files)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(Child).Assembly.Location);
        }

        foreach (var a in new[] { "--phase", phase, repeat.ToString(CultureInfo.InvariantCulture) }.Concat(files))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        var f = last.Split('\t');
        if (process.ExitCode != 0 || f.Length != 9)
        {
            throw new InvalidOperationException($"phase {phase} failed ({process.ExitCode}): {output}");
        }

        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        long L(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        return new Measurement(f[0], L(1), D(2), D(3), D(4), L(5), L(6), L(7), f[8]);
    }

    public static int Run(string[] args)
    {
        var phase = args[1];
        var repeat = int.Parse(args[2], CultureInfo.InvariantCulture);
        var files = args[3..];
        // The spec is read before measuring: it is not part of the CSV work.
        var spec = phase is "analyzer" or "subset" or "spec" or "paired" ? SpecFile.Read(files[0]) : null;
        Func<(long Rows, string Detail)> work = phase switch
        {
            "idle" or "spec" => () => (0, "nothing read"),
            "csvhelper" => () => (RawRead(files[0]), ""),
            "analyzer" => () => Analyze(spec!, files[1]),
            "subset" => () => Subset(spec!, files[1], files[2]),
            "paired" => () => Paired(spec!, files[1], int.Parse(files[2], CultureInfo.InvariantCulture)),
            _ => throw new ArgumentException($"unknown phase {phase}"),
        };
        var name = phase switch
        {
            "idle" => "runtime only",
            "spec" => "runtime + CSV spec",
            "csvhelper" => "raw CsvHelper read",
            "analyzer" => "CSV analyzer (all rules)",
            "paired" => "analyzer and raw read, paired",
            _ => "subset check (both files + compare)",
        };

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        long peakHeap = 0;
        var sampling = true;
        var sampler = new Thread(() =>
        {
            while (Volatile.Read(ref sampling))
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false) - heapBefore);
                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        sampler.Start();

        using var me = Process.GetCurrentProcess();
        var (cold, (rows, detail)) = Timed(me, work);
        Volatile.Write(ref sampling, false);
        sampler.Join();
        peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false) - heapBefore);
        me.Refresh();
        var peakWorkingSet = me.PeakWorkingSet64;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var runs = Enumerable.Range(0, repeat).Select(_ => Timed(me, work).Time).OrderBy(t => t.Wall).ToList();
        if (runs.Count == 0)
        {
            runs.Add(cold);
        }

        var best = runs[0];
        var median = runs[runs.Count / 2].Wall;
        string S(double d) => d.ToString("R", CultureInfo.InvariantCulture);
        string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        Console.WriteLine(string.Join('\t', name, N(rows), S(best.Wall), S(median), S(best.Cpu), N(peakWorkingSet), N(peakHeap), N(allocated), detail));
        return 0;
    }

    private static ((double Wall, double Cpu) Time, T Result) Timed<T>(Process me, Func<T> work)
    {
        me.Refresh();
        var cpu = me.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var result = work();
        watch.Stop();
        me.Refresh();
        return ((watch.Elapsed.TotalMilliseconds, (me.TotalProcessorTime - cpu).TotalMilliseconds), result);
    }

    /// <summary>
    /// The baseline: CsvHelper's parser over the same bytes, decoded the same way, every field's value read. Compiled
    /// fully optimized at once, as the analyzer's own loop is, so neither side runs in unoptimized code.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long RawRead(string file)
    {
        using var stream = File.OpenRead(file);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, true), false, 16 * 1024);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = false, BadDataFound = null, MissingFieldFound = null };
        using var parser = new CsvParser(reader, config);
        long rows = -1; // the header is not a row
        long chars = 0;
        while (parser.Read())
        {
            rows++;
            for (var i = 0; i < parser.Count; i++)
            {
                chars += parser[i].Length;
            }
        }

        return chars > 0 ? rows : throw new InvalidOperationException("no fields read");
    }

    /// <summary>
    /// The analyzer and the raw read, <paramref name="pairs"/> times each, alternating (which goes first alternates
    /// too), after one untimed run of each: the median of the pairs' time ratios, and their range.
    /// </summary>
    private static (long, string) Paired(CsvSpec spec, string file, int pairs)
    {
        RawRead(file);
        var (rows, _) = Analyze(spec, file);
        var ratios = new List<double>();
        for (var i = 0; i < pairs; i++)
        {
            double Time(Action read)
            {
                var clock = Stopwatch.StartNew();
                read();
                return clock.Elapsed.TotalMilliseconds;
            }

            var rawFirst = i % 2 == 0;
            var raw = rawFirst ? Time(() => RawRead(file)) : 0;
            var analyzer = Time(() => Analyze(spec, file));
            raw = rawFirst ? raw : Time(() => RawRead(file));
            ratios.Add(analyzer / raw);
        }

        ratios.Sort();
        var median = ratios.Count % 2 == 1 ? ratios[ratios.Count / 2] : (ratios[ratios.Count / 2 - 1] + ratios[ratios.Count / 2]) / 2;
        return (rows, string.Create(CultureInfo.InvariantCulture, $"{median:0.00}x, the median of {pairs} pairs ({ratios[0]:0.00}x to {ratios[^1]:0.00}x)"));
    }

    private static (long, string) Analyze(CsvSpec spec, string file)
    {
        using var stream = File.OpenRead(file);
        using var analysis = CsvAnalyzer.Analyze(stream, spec);
        if (analysis.RowProblemCount != 0 || analysis.HeaderProblems.Count != 0)
        {
            throw new InvalidOperationException($"the generated file should be valid: {analysis.RowProblems.FirstOrDefault()?.Message}");
        }

        return (analysis.RowCount, "");
    }

    private static (long, string) Subset(CsvSpec spec, string baselineFile, string narrowedFile)
    {
        using var baselineStream = File.OpenRead(baselineFile);
        using var all = CsvAnalyzer.Analyze(baselineStream, spec);
        using var narrowedStream = File.OpenRead(narrowedFile);
        using var some = CsvAnalyzer.Analyze(narrowedStream, spec);
        var watch = Stopwatch.StartNew();
        var c = some.RowSet.CompareAsSubsetOf(all.RowSet);
        watch.Stop();
        if (!c.IsStrictSubset)
        {
            throw new InvalidOperationException($"the narrowed file should be a strict subset: {c}");
        }

        return (all.RowCount + some.RowCount,
            $"{all.RowCount:N0} + {some.RowCount:N0} rows; exact: {c.Exact}; strict subset: {c.IsStrictSubset}; rows not in the baseline: {c.RowsNotInSuperset}; "
            + $"spilled: {c.Spilled} ({all.RowSet.SpilledBytes / 1048576.0:0.0} + {some.RowSet.SpilledBytes / 1048576.0:0.0} MiB), {c.SortedRuns} sorted runs, {c.MergePasses} merge passes, "
            + $"budget {all.RowSet.MemoryBudgetBytes / 1048576.0:0} MiB a file, row buffers peak {Math.Max(all.RowSet.PeakBufferBytes, some.RowSet.PeakBufferBytes) / 1048576.0:0.0} MiB; "
            + $"sort + compare {watch.Elapsed.TotalMilliseconds:0} ms of the total");
    }
}

/// <summary>The CSV spec as the parent wrote it, read back with JsonDocument (lighter than a reflection-based deserializer).</summary>
internal static class SpecFile
{
    public static CsvSpec Read(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = doc.RootElement;
        return new CsvSpec
        {
            Id = Text(root, "Id"),
            Encoding = Text(root, "Encoding"),
            Bom = Text(root, "Bom"),
            Delimiter = Text(root, "Delimiter"),
            Basis = Basis(root.GetProperty("Basis")),
            OrderBasis = root.TryGetProperty("OrderBasis", out var order) && order.ValueKind == JsonValueKind.Object ? Basis(order) : null,
            Empty = new CsvEmptyRule { Rule = Text(root.GetProperty("Empty"), "Rule"), Basis = Basis(root.GetProperty("Empty").GetProperty("Basis")) },
            Columns = [.. root.GetProperty("Columns").EnumerateArray().Select(c => new CsvColumn
            {
                Name = Text(c, "Name"),
                Basis = Basis(c.GetProperty("Basis")),
                NamesSeenInDocs = [.. c.GetProperty("NamesSeenInDocs").EnumerateArray().Select(a => new NameSeenInDocs { Name = Text(a, "Name"), Finding = Text(a, "Finding") })],
                Rule = c.TryGetProperty("Rule", out var rule) && rule.ValueKind == JsonValueKind.Object
                    ? new CsvRule { Kind = Text(rule, "Kind"), Pattern = Optional(rule, "Pattern"), Describe = Text(rule, "Describe"), Basis = Basis(rule.GetProperty("Basis")) }
                    : null,
            })],
        };
    }

    private static string Text(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static string? Optional(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static Basis Basis(JsonElement e) => new() { Doc = Optional(e, "doc"), Section = Optional(e, "section"), Assumption = Optional(e, "assumption") };
}

/// <summary>The generated files: valid rows with varied timestamps; a narrowed file keeps every third row, in reverse order.</summary>
internal static class Data
{
    public static long Write(string path, int rows, int keepEvery)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        file.Write("source,session_created_at\n"u8);
        Span<byte> line = stackalloc byte[64];
        for (var k = 0; k < rows; k++)
        {
            var i = keepEvery == 1 ? k : rows - 1 - k;
            if (i % keepEvery != 0)
            {
                continue;
            }

            var s = (5519900000000L + (i * 7919L % 9_000_000_000L)).ToString(CultureInfo.InvariantCulture);
            var stamp = (i % 4) switch
            {
                0 => $"20{10 + (i % 15):00}-{1 + (i % 12):00}-{1 + (i % 28):00}T{i % 24:00}:{i % 60:00}:{(i / 60) % 60:00}Z",
                1 => $"20{10 + (i % 15):00}-{1 + (i % 12):00}-{1 + (i % 28):00}T{i % 24:00}:{i % 60:00}:{(i / 60) % 60:00}.{i % 1000:000}+03:00",
                2 => $"20{10 + (i % 15):00}-{1 + (i % 12):00}-{1 + (i % 28):00}T{i % 24:00}:{i % 60:00}-0500",
                _ => $"20{10 + (i % 15):00}-{1 + (i % 12):00}-{1 + (i % 28):00}T{i % 24:00}:{i % 60:00}:{(i / 60) % 60:00}",
            };
            var n = Encoding.UTF8.GetBytes($"{s},{stamp}\n", line);
            file.Write(line[..n]);
        }

        return file.Length;
    }
}
