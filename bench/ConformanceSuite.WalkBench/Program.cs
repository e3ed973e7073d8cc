using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ConformanceSuite;
using ConformanceSuite.Checks;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;
using ConformanceSuite.MockServer;
using ConformanceSuite.Targets;
using RestSharp;

// Large-tenant benchmarks, as ratios measured in one run (never asserted in tests).
//
//   dotnet run -c Release --project bench/ConformanceSuite.WalkBench [--sizes 10000,100000] [--repeat 3] [--layer] [--no-certify] [--warm]
//
// --warm times each walk after one whole walk of the same list, untimed, in the same process: the cost of a page once
// the runtime has compiled what the walk runs, apart from that one-off cost. Without it (the figure the goal is read
// against, as a run of the tool pays it), the runtime is still compiling the suite's code well into a 100k walk: 1.3 s of
// processor time in the walk of the HTTP layer alone, against 0.6 s in a bare RestSharp loop's (perf, this machine), which
// is much of why the ratio is larger at 10k (one run: 2.64x cold, 1.88x warm; at 100k 2.20x and 1.78x).
//
// 1. A cursor walk of the whole opencx-chat-sessions list of the scaled mock (--scale N), by the suite's walk
//    (ListWalk: every page through the suite's HTTP layer, validated against the body schema, compact items
//    kept) against a bare HttpClient loop over the same pages (GET, parse, read the next cursor, nothing else):
//    time ratio (goal <= 1.5x) and peak working set of each, at each size (goal <= 150 MB, flat from 10k to
//    100k items), and the bytes each allocates per page (which, unlike times, a busy machine does not move). Each walk is timed once it is set up (contract loaded, client built, 20 pages walked untimed), and
//    runs with the tool's runtime settings (no profile-guided tiers). With --layer, three more walks show where the time goes: a bare
//    loop through RestSharp (the HTTP library the suite's layer is built on, with nothing of the suite's), the suite's
//    HTTP layer alone, and the suite's walk without schema validation. The mock runs in this process; each walk runs
//    in a fresh child process, so its peak working set is the walk's own (runtime included: see the "idle" line).
//    Each phase runs --repeat times (3 by default), the phases in turn, and its figure is its best time: one walk's
//    time varied by a factor of two from run to run here (a bare loop of 100k items: 2.6 s, then 4.9 s).
//    The mock is warmed by one untimed walk at each size before any phase is timed.
// 2. The memory of a certification at each size: the engine (in a fresh child process, as in 1) certifies
//    opencx-chat-sessions on the scaled mock, given as an ad-hoc target, with the default request budget (one minute
//    of the documented rate limit) and no pacing: its peak working set at each size (goal: flat), its verdicts and
//    its request count. A walk of the whole list is what a budget never allows; this is what a user's run costs.
// 3. A full certification of opencx-chat-sessions by the installed engine (the CLI, a child process) against the
//    mock scaled to 100,000 sessions, with the documented rate limit of 100 requests per minute: the request
//    count (goal <= 150), the verdicts (goal: no fail) and the wall time; --no-certify leaves this one out (it is paced:
//    a minute and a half).
if (args.Length > 0 && args[0] == "--phase")
{
    return await Child.RunAsync(args[1..]);
}

var repeat = int.Parse(Option("--repeat", "3"), CultureInfo.InvariantCulture);
Child.Warm = args.Contains("--warm");
var sizes = Option("--sizes", "10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
var layout = RepositoryLayout.Discover();
const string Api = "opencx-chat-sessions";
Console.WriteLine($"walk: {Api}, sizes {string.Join(", ", sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))}; every walk in a fresh process; {Environment.ProcessorCount} cores"
    + (Child.Warm ? "; warm: each walk timed after one whole walk untimed in its process" : ""));
Console.WriteLine();
Console.WriteLine($"{"phase",-28} {"items",9} {"pages",7} {"ms",8} {"peak WS MiB",12} {"cpu ms",8} {"mock cpu ms",12}");
var idle = Child.Start("idle", "http://127.0.0.1:1/", []);
Console.WriteLine(idle.Line());
var byWalk = new Dictionary<int, (Measurement Bare, Measurement Suite)>();
var parts = new Dictionary<int, List<Measurement>>();
var certified = new Dictionary<int, Measurement>();
foreach (var n in sizes)
{
    await using var mock = await MockHost.StartAsync(new MockOptions { Layout = layout, Scale = n, Required = [Api] });
    var target = mock.Target().Apis[Api];
    var credentials = target.Credentials.Select(kv => $"{kv.Key}={kv.Value}").ToArray();
    var testData = target.TestData.Select(kv => $"{Child.DataPrefix}{kv.Key}={kv.Value}").ToArray();
    // The mock runs in this process, and its code is compiled as it serves: one untimed walk first, so that no
    // phase's figure holds the mock's own warm-up (it went into the first phase's, the bare loop's, alone).
    Child.Start("bare", target.BaseUrl.ToString(), credentials);
    // Where the walk's time goes (--layer): RestSharp alone, the HTTP layer alone, then the walk without its schema validation.
    string[] phases = args.Contains("--layer") ? ["bare", "restsharp", "layer", "unvalidated", "suite"] : ["bare", "suite"];
    // Each phase runs --repeat times, the phases in turn (bare, suite, bare, suite, ...), so a slow spell of the machine
    // falls on all of them; a phase's figure is its best (least) time, the usual figure on a shared machine, where
    // other work can only add time. Its peak working set is the largest of its runs.
    var runs = phases.ToDictionary(p => p, _ => new List<Measurement>());
    for (var round = 0; round < repeat; round++)
    {
        foreach (var phase in phases)
        {
            runs[phase].Add(Child.Start(phase, target.BaseUrl.ToString(), credentials));
        }
    }

    var best = phases.ToDictionary(p => p, p => runs[p].MinBy(m => m.Milliseconds)! with { PeakWorkingSet = runs[p].Max(m => m.PeakWorkingSet) });
    foreach (var phase in phases)
    {
        Console.WriteLine(best[phase].Line() + (repeat > 1 ? $"   (of {repeat}: {string.Join(", ", runs[phase].Select(m => m.Milliseconds.ToString("0", CultureInfo.InvariantCulture)))} ms)" : ""));
    }

    var (bare, suite) = (best["bare"], best["suite"]);
    parts[n] = [.. phases.Where(p => p is "restsharp" or "layer" or "unvalidated").Select(p => best[p])];
    if (bare.Items != n || suite.Items != n)
    {
        throw new InvalidOperationException($"a walk of {n} items saw {bare.Items} (bare) and {suite.Items} (suite)");
    }

    byWalk[n] = (bare, suite);
    var run = Child.Start("certify", target.BaseUrl.ToString(), [.. credentials, .. testData]);
    Console.WriteLine(run.Line());
    certified[n] = run;
}

Console.WriteLine();
foreach (var (n, (bare, suite)) in byWalk)
{
    Console.WriteLine($"{n,9:N0} items: ratio time (suite walk / bare HttpClient loop{(Child.Warm ? ", warm" : "")}): {suite.Milliseconds / bare.Milliseconds:0.00}x (goal <= 1.5x); suite walk peak {suite.PeakWorkingSet / 1048576.0:0.0} MiB (goal <= 150 MB), bare {bare.PeakWorkingSet / 1048576.0:0.0} MiB");
    foreach (var part in parts[n])
    {
        Console.WriteLine($"{"",16}{part.Name} / bare: {part.Milliseconds / bare.Milliseconds:0.00}x");
    }

    // Where a ratio of times comes from, in processor time per page (the walk's own, and the mock's while it served it).
    var (suiteCpu, bareCpu) = (suite.CpuPerPage(), bare.CpuPerPage());
    Console.WriteLine($"{"",16}processor time per page: suite walk {suiteCpu.Walk:0} us, bare loop {bareCpu.Walk:0} us; " + (Child.Warm
        ? "the mock's is not known warm (it served the untimed walk too)"
        : $"the mock serving each {suiteCpu.Mock:0} us and {bareCpu.Mock:0} us; both sides together {(suiteCpu.Walk + suiteCpu.Mock) / (bareCpu.Walk + bareCpu.Mock):0.00}x"));
    foreach (var part in parts[n])
    {
        Console.WriteLine($"{"",16}processor time per page, {part.Name}: {part.CpuPerPage().Walk:0} us" + (Child.Warm ? "" : $" (mock {part.CpuPerPage().Mock:0} us)"));
    }

    Console.WriteLine($"{"",16}allocated per page: suite walk {suite.AllocatedPerPage / 1024:0.0} KiB, bare loop {bare.AllocatedPerPage / 1024:0.0} KiB"
        + string.Concat(parts[n].Select(p => $", {p.Name} {p.AllocatedPerPage / 1024:0.0} KiB")));
}

if (byWalk.Count > 1)
{
    var (small, large) = (byWalk[sizes.Min()].Suite, byWalk[sizes.Max()].Suite);
    Console.WriteLine($"ratio peak working set of the suite walk ({sizes.Max():N0} / {sizes.Min():N0} items): {large.PeakWorkingSet / (double)small.PeakWorkingSet:0.00}x (flat = about 1)");
    // The runtime's own share of the growth (its heap budgets and compiled code grow with a longer run) is what the bare loop's peak does.
    var (bareSmall, bareLarge) = (byWalk[sizes.Min()].Bare, byWalk[sizes.Max()].Bare);
    Console.WriteLine($"growth of the peak from {sizes.Min():N0} to {sizes.Max():N0} items: suite walk {(large.PeakWorkingSet - small.PeakWorkingSet) / 1048576.0:0.0} MiB, bare loop {(bareLarge.PeakWorkingSet - bareSmall.PeakWorkingSet) / 1048576.0:0.0} MiB");
    Console.WriteLine($"what the suite walk holds when done (managed heap after a full collection): {small.LiveBytes / 1048576.0:0.0} MiB at {sizes.Min():N0} items, {large.LiveBytes / 1048576.0:0.0} MiB at {sizes.Max():N0}: {(large.LiveBytes - small.LiveBytes) / (double)(sizes.Max() - sizes.Min()):0} bytes per item more (the bare loop: {bareSmall.LiveBytes / 1048576.0:0.0} and {bareLarge.LiveBytes / 1048576.0:0.0} MiB)");
}

foreach (var (n, run) in certified)
{
    Console.WriteLine($"{n,9:N0} items: {run.Name}, with the default request budget; peak {run.PeakWorkingSet / 1048576.0:0.0} MiB");
}

if (certified.Count > 1)
{
    var (small, large) = (certified[sizes.Min()], certified[sizes.Max()]);
    Console.WriteLine($"ratio peak working set of the certification ({sizes.Max():N0} / {sizes.Min():N0} items): {large.PeakWorkingSet / (double)small.PeakWorkingSet:0.00}x (flat = about 1)");
}

if (!args.Contains("--no-certify"))
{
    Console.WriteLine();
    Certify.Run(layout, 100_000);
}

return 0;

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

/// <summary>What a child process measured.</summary>
/// <remarks>
/// <see cref="CpuMs"/> is the child's own processor time over what <see cref="Milliseconds"/> times; <see cref="MockCpuMs"/>
/// the processor time of this process (the mock, serving the child) over the child's whole life. On a shared machine
/// they move far less than the time does, and they say which side a ratio of times comes from.
/// </remarks>
internal sealed record Measurement(string Name, long Items, int Pages, double Milliseconds, long PeakWorkingSet, long LiveBytes, double CpuMs, double MockCpuMs, long AllocatedBytes)
{
    /// <summary>Bytes allocated per page over the timed walk: the same from run to run, whatever else the machine does.</summary>
    public double AllocatedPerPage => Pages == 0 ? 0 : AllocatedBytes / (double)Pages;

    public string Line() =>
        $"{Name,-28} {Items,9:N0} {Pages,7:N0} {Milliseconds,8:0} {PeakWorkingSet / 1048576.0,12:0.0} {CpuMs,8:0} {(double.IsNaN(MockCpuMs) ? "-" : MockCpuMs.ToString("0", CultureInfo.InvariantCulture)),12}";

    /// <summary>Processor time per page, in microseconds: the walk's own, and the mock's.</summary>
    public (double Walk, double Mock) CpuPerPage() => Pages == 0 ? (0, 0) : (CpuMs * 1000 / Pages, MockCpuMs * 1000 / Pages);
}

/// <summary>The walks, each run in a process of its own.</summary>
internal static class Child
{
    private const string Api = "opencx-chat-sessions";

    /// <summary>Marks a test-data value among the arguments given to a child (the rest are credentials).</summary>
    public const string DataPrefix = "data:";

    /// <summary>The pages each walk first goes through untimed.</summary>
    private const int WarmUpPages = 20;

    /// <summary>The argument that has a child walk the whole list untimed before its timed walk (--warm).</summary>
    public const string WarmFlag = "--warm-whole";

    /// <summary>True when the walks are timed warm: each child walks the whole list once untimed first.</summary>
    public static bool Warm { get; set; }

    public static Measurement Start(string phase, string baseUrl, string[] credentials)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(Child).Assembly.Location);
        }

        foreach (var a in new[] { "--phase", phase, baseUrl }.Concat(credentials).Concat(Warm ? [WarmFlag] : []))
        {
            info.ArgumentList.Add(a);
        }

        var mockCpu = ProcessorTime();
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        mockCpu = ProcessorTime() - mockCpu;
        var f = (output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "").Split('\t');
        if (process.ExitCode != 0 || f.Length != 8)
        {
            throw new InvalidOperationException($"phase {phase} failed ({process.ExitCode}): {output} {errors.Result}");
        }

        return new Measurement(f[0], long.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture),
            double.Parse(f[3], CultureInfo.InvariantCulture), long.Parse(f[4], CultureInfo.InvariantCulture), long.Parse(f[5], CultureInfo.InvariantCulture),
            // Warm, the child walked the list twice and the mock served both walks: its time is not the timed walk's alone.
            double.Parse(f[6], CultureInfo.InvariantCulture), Warm && phase != "certify" ? double.NaN : mockCpu.TotalMilliseconds, long.Parse(f[7], CultureInfo.InvariantCulture));
    }

    /// <summary>This process's processor time so far, all its threads.</summary>
    private static TimeSpan ProcessorTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>The processor time when the timed part of the walk started (<see cref="Begin"/>).</summary>
    private static TimeSpan cpuAtStart;

    /// <summary>The bytes this process had allocated when the timed part of the walk started.</summary>
    private static long allocatedAtStart;

    /// <summary>Starts the timed part of a walk: the clock, and the processor time.</summary>
    private static void Begin(Stopwatch clock)
    {
        cpuAtStart = ProcessorTime();
        allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
        clock.Restart();
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var (phase, baseUrl) = (args[0], new Uri(args[1]));
        var warm = args.Contains(WarmFlag);
        args = [.. args.Where(a => a != WarmFlag)];
        var credentials = args[2..].Where(a => !a.StartsWith(DataPrefix, StringComparison.Ordinal)).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (phase == "certify")
        {
            var data = args[2..].Where(a => a.StartsWith(DataPrefix, StringComparison.Ordinal)).Select(a => a[DataPrefix.Length..].Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            return await CertifyAsync(baseUrl, credentials, data);
        }

        // Each phase restarts the clock once it is set up (contract loaded, client built): the walk is what is timed.
        // It first walks a few pages untimed, so the first pages' JIT and connection set-up are not in the figure of
        // either side (they made the 10k bare loop's time vary by half from run to run).
        var clock = Stopwatch.StartNew();
        Task<(long, int, string)> Walk(int? pages) => phase switch
        {
            "idle" => Task.FromResult((0L, 0, "idle (runtime only)")),
            "bare" => BareAsync(baseUrl, credentials, clock, pages),
            "restsharp" => RestSharpAsync(baseUrl, credentials, clock, pages),
            "suite" => SuiteAsync(baseUrl, credentials, clock, validate: true, pages),
            "unvalidated" => SuiteAsync(baseUrl, credentials, clock, validate: false, pages),
            "layer" => LayerAsync(baseUrl, credentials, clock, pages),
            _ => throw new ArgumentException($"unknown phase {phase}"),
        };
        await Walk(warm ? null : WarmUpPages);
        var (items, pages, name) = await Walk(null);
        var ms = clock.Elapsed.TotalMilliseconds;
        var cpu = (ProcessorTime() - cpuAtStart).TotalMilliseconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedAtStart;
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        // What the walk holds once it is done (the managed heap after a full collection, the walk still alive): its
        // own memory, apart from the runtime's heap budgets and garbage, which the peak working set includes.
        var live = GC.GetTotalMemory(forceFullCollection: true);
        Retain(null);
        Console.WriteLine(string.Join('\t', name, items.ToString(CultureInfo.InvariantCulture), pages.ToString(CultureInfo.InvariantCulture),
            ms.ToString("0.0", CultureInfo.InvariantCulture), self.PeakWorkingSet64.ToString(CultureInfo.InvariantCulture), live.ToString(CultureInfo.InvariantCulture),
            cpu.ToString("0.0", CultureInfo.InvariantCulture), allocated.ToString(CultureInfo.InvariantCulture)));
        return 0;
    }

    /// <summary>
    /// A certification of the list API by the engine, as the tool runs one, with the request budget a profile gets by
    /// default; the Pact verifications are left out (they are the same whatever the tenant's size). Prints its
    /// outcome, request count, time and this process's peak working set.
    /// </summary>
    private static async Task<int> CertifyAsync(Uri baseUrl, Dictionary<string, string> credentials, Dictionary<string, string> data)
    {
        var reports = Directory.CreateTempSubdirectory("conformance-walkbench-certify-");
        try
        {
            var requirements = new ContractLoader(RepositoryLayout.Discover()).Load(Api).Requirements.Select(r => r.Id).ToList();
            var clock = Stopwatch.StartNew();
            var results = await ConformanceSuite.Engine.ConformanceEngine.RunAsync(new ConformanceSuite.Engine.RunSettings
            {
                AdHoc = new ConformanceSuite.Engine.AdHocTarget(baseUrl.ToString(), credentials, data),
                Apis = [Api],
                Filter = requirements,
                ReportDirectory = reports.FullName,
            });
            var ms = clock.Elapsed.TotalMilliseconds;
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            var counts = string.Join(", ", results.Counts.Where(c => c.Value > 0).Select(c => $"{c.Value} {c.Key}"));
            Console.WriteLine(string.Join('\t', $"certification: {results.Outcome.ToString().ToUpperInvariant()}, {counts}; {results.RequestCount} requests",
                results.Requirements.Sum(r => r.Cases.Count).ToString(CultureInfo.InvariantCulture), results.RequestCount.ToString(CultureInfo.InvariantCulture),
                ms.ToString("0.0", CultureInfo.InvariantCulture), self.PeakWorkingSet64.ToString(CultureInfo.InvariantCulture), GC.GetTotalMemory(forceFullCollection: true).ToString(CultureInfo.InvariantCulture),
                self.TotalProcessorTime.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture), GC.GetTotalAllocatedBytes(precise: true).ToString(CultureInfo.InvariantCulture)));
            return 0;
        }
        finally
        {
            reports.Delete(recursive: true);
        }
    }

    /// <summary>The walk last made, kept alive until what it holds is measured; the one before is disposed.</summary>
    private static ListWalk? retained;

    private static void Retain(ListWalk? walk)
    {
        retained?.Dispose();
        retained = walk;
    }

    /// <summary>The suite's HTTP layer as a run has it: every credential redacted, every exchange logged.</summary>
    private static ConformanceHttpClient Http(Dictionary<string, string> credentials, RequestLog log)
    {
        var redactor = new Redactor();
        foreach (var value in credentials.Values)
        {
            redactor.AddSecret(value);
        }

        return new ConformanceHttpClient(new HttpSettings(), redactor, log);
    }

    /// <summary>The suite's walk: the HTTP layer (log, redaction, caps), schema validation of each page, compact items.</summary>
    private static async Task<(long, int, string)> SuiteAsync(Uri baseUrl, Dictionary<string, string> credentials, Stopwatch clock, bool validate, int? pageLimit)
    {
        var layout = RepositoryLayout.Discover();
        var loaded = new ContractLoader(layout).Load(Api);
        // The walk of the whole list is the point here: the contract's page and time bounds are lifted.
        var contract = loaded with
        {
            Endpoints = [.. loaded.Endpoints.Select(e => e.Pagination is CursorPagination c ? e with { Pagination = c with { MaxPages = 1_000_000, MaxSeconds = 3600 } } : e)],
        };
        using var log = new RequestLog();
        using var http = Http(credentials, log);
        using var context = new ApiContext(contract, new ApiTarget { ApiId = Api, BaseUrl = baseUrl, Credentials = credentials }, http);
        Begin(clock);
        var walk = await ListWalk.RunAsync(contract, http, context.Requests, context.Values, "all-sessions", context.Values.Query("all-sessions"), WalkMode.Cursor,
            new WalkLimits(new RequestBudget(int.MaxValue, "unbounded, for the benchmark"), pageLimit, Validate: validate), null, CancellationToken.None);
        if (!walk.Complete && pageLimit is null)
        {
            throw new InvalidOperationException($"the walk did not complete: {walk.EndingDetail}");
        }

        Retain(walk); // until its memory is measured
        return (walk.ItemCount, walk.Pages.Count, validate ? "suite walk (ListWalk)" : "suite walk, schema not checked");
    }

    /// <summary>The suite's HTTP layer alone: each page through it, the next cursor read, nothing else kept.</summary>
    private static async Task<(long, int, string)> LayerAsync(Uri baseUrl, Dictionary<string, string> credentials, Stopwatch clock, int? pageLimit)
    {
        var layout = RepositoryLayout.Discover();
        var contract = new ContractLoader(layout).Load(Api);
        using var log = new RequestLog();
        using var http = Http(credentials, log);
        using var context = new ApiContext(contract, new ApiTarget { ApiId = Api, BaseUrl = baseUrl, Credentials = credentials }, http);
        var endpoint = contract.Endpoint("list-sessions");
        Begin(clock);
        string? cursor = null;
        long items = 0;
        var pages = 0;
        do
        {
            var query = context.Values.Query("all-sessions");
            if (cursor is not null)
            {
                query["cursor"] = cursor;
            }

            var exchange = await http.SendAsync(context.Requests.Call(endpoint, query, context.Values.Path("all-sessions"), "page"), CancellationToken.None);
            using var json = JsonDocument.Parse(exchange.Body);
            (var count, cursor) = Page(json.RootElement);
            items += count;
            exchange.Body = null;
            pages++;
        }
        while (cursor is not null && pages != pageLimit);
        return (items, pages, "suite HTTP layer only");
    }

    /// <summary>A page's item count and next cursor (null on the last page).</summary>
    private static (int Items, string? Next) Page(JsonElement root) =>
        (root.GetProperty("items").GetArrayLength(),
         root.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null);

    /// <summary>
    /// The same loop through RestSharp, as the suite's layer configures it (no redirects followed, no library time
    /// limit, no decompression) and nothing of the suite's: the floor of any walk built on that library.
    /// </summary>
    private static async Task<(long, int, string)> RestSharpAsync(Uri baseUrl, Dictionary<string, string> credentials, Stopwatch clock, int? pageLimit)
    {
        using var client = new RestClient(new RestClientOptions
        {
            FollowRedirects = false,
            Timeout = Timeout.InfiniteTimeSpan,
            ThrowOnAnyError = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        });
        var list = baseUrl.ToString().TrimEnd('/') + "/chat/sessions";
        Begin(clock);
        string? cursor = null;
        long items = 0;
        var pages = 0;
        do
        {
            var request = new RestRequest(new Uri(cursor is null ? list : list + "?cursor=" + Uri.EscapeDataString(cursor)));
            foreach (var (name, value) in credentials)
            {
                request.AddHeader(name, HeaderValue(name, value));
            }

            var response = await client.ExecuteAsync(request);
            if (!response.IsSuccessful || response.RawBytes is not { } body)
            {
                throw new InvalidOperationException($"page {pages}: {(int)response.StatusCode} {response.ErrorMessage}");
            }

            using var json = JsonDocument.Parse(body);
            (var count, cursor) = Page(json.RootElement);
            items += count;
            pages++;
        }
        while (cursor is not null && pages != pageLimit);
        return (items, pages, "bare RestSharp loop");
    }

    /// <summary>A credential as the bare loops send it: the OpenCX token as a bearer token, anything else as it is.</summary>
    private static string HeaderValue(string name, string value) => name == "Authorization" ? $"Bearer {value}" : value;

    /// <summary>A bare HttpClient loop: GET each page, parse it, count its items, follow next.</summary>
    private static async Task<(long, int, string)> BareAsync(Uri baseUrl, Dictionary<string, string> credentials, Stopwatch clock, int? pageLimit)
    {
        using var client = new HttpClient();
        foreach (var (name, value) in credentials)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(name, HeaderValue(name, value));
        }

        var list = new Uri(baseUrl.ToString().TrimEnd('/') + "/chat/sessions");
        Begin(clock);
        string? cursor = null;
        long items = 0;
        var pages = 0;
        do
        {
            var url = cursor is null ? list : new Uri(list + "?cursor=" + Uri.EscapeDataString(cursor));
            using var response = await client.GetAsync(url);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            using var json = await JsonDocument.ParseAsync(body);
            (var count, cursor) = Page(json.RootElement);
            items += count;
            pages++;
        }
        while (cursor is not null && pages != pageLimit);
        return (items, pages, "bare HttpClient loop");
    }
}

/// <summary>The whole certification of a scaled tenant by the tool itself, at the documented rate limit.</summary>
internal static class Certify
{
    public static void Run(RepositoryLayout layout, int sessions)
    {
        var work = Directory.CreateTempSubdirectory("conformance-walkbench-");
        try
        {
            var profile = Path.Combine(work.FullName, "embedded-rate-limited.json");
            File.WriteAllText(profile, $$"""
                {
                  "$schema": "{{Path.Combine(layout.Root, "schemas", "_format", "target.schema.json").Replace("\\", "/", StringComparison.Ordinal)}}",
                  "name": "embedded-rate-limited",
                  "description": "The embedded mock at the documented rate limit of OpenCX, with no request budget of its own: the default, one minute of that limit.",
                  "embedded": true,
                  "rateLimit": { "requestsPerMinute": 100 },
                  "timeouts": { "requestSeconds": 30, "runSeconds": 1200 }
                }
                """);
            using (var build = Process.Start(new ProcessStartInfo("dotnet", ["build", "-c", "Release", "-v", "quiet", "-nologo", Path.Combine(layout.Root, "src", "ConformanceSuite.Cli")]) { RedirectStandardOutput = true })!)
            {
                build.StandardOutput.ReadToEnd();
                build.WaitForExit();
            }

            var cli = Path.Combine(layout.Root, "src", "ConformanceSuite.Cli", "bin", "Release", "net10.0", "conformance.dll");
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = layout.Root };
            foreach (var a in new[] { cli, "--target", profile, "--api", "opencx-chat-sessions", "--scale", sessions.ToString(CultureInfo.InvariantCulture), "--report-dir", Path.Combine(work.FullName, "out") })
            {
                info.ArgumentList.Add(a);
            }

            var clock = Stopwatch.StartNew();
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var verdict = output.Split('\n').LastOrDefault(l => l.Contains("requests; target", StringComparison.Ordinal)) ?? output;
            var requests = File.ReadLines(Path.Combine(work.FullName, "out", "requests.jsonl")).Count();
            Console.WriteLine($"certification of opencx-chat-sessions, {sessions:N0} sessions, 100 requests/minute: exit {process.ExitCode}, {clock.Elapsed.TotalSeconds:0} s");
            Console.WriteLine($"  {verdict.Trim()}");
            Console.WriteLine($"  requests: {requests} (goal <= 150)");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
