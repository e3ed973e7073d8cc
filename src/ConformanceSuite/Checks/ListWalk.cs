using System.Diagnostics;
using System.Text.Json;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>
/// One page of a walk: the cursor sent, what came back (the exchange, by its place in the request log), how
/// many items and which ids in a hash, and where it points next.
/// </summary>
public sealed record WalkPage(int Number, string? Cursor, LoggedExchange Source, int Count, string? FirstId, ulong IdsHash, string? Next, bool NextPresent)
{
    /// <summary>What the body schema found wrong with the page, once it is processed (the first 20); one shared empty list for a valid page.</summary>
    public IReadOnlyList<SchemaViolation> Violations { get; internal set; } = [];

    /// <summary>The page's exchange, whole (its body released once read): from the request log, which may read it back from its file.</summary>
    public HttpExchange Exchange => Source.Exchange;

    /// <summary>The total the page reported (offset pagination), if any.</summary>
    public long? Total { get; init; }
}

/// <summary>How a walk ended.</summary>
public enum WalkEnding
{
    /// <summary>The last page came (no next cursor, a short or empty page, or the total reached).</summary>
    Complete,

    /// <summary>A cursor came back: the walk would go round for ever.</summary>
    Cycle,

    /// <summary>Empty pages kept coming, each with a next cursor: the list would never end.</summary>
    Endless,

    /// <summary>Past the contract's page bound (the suite's limit, not the provider's fault).</summary>
    PageLimit,

    /// <summary>Past the contract's time bound (the suite's limit).</summary>
    TimeLimit,

    /// <summary>Stopped on purpose after a bounded prefix of a list too long to walk in the request budget.</summary>
    Bounded,

    /// <summary>The API's request budget ran out (the suite's limit).</summary>
    OverBudget,

    /// <summary>A page could not be read.</summary>
    Error,
}

/// <summary>How a walk moves through the list.</summary>
public enum WalkMode
{
    /// <summary>Following each page's next cursor.</summary>
    Cursor,

    /// <summary>By offset, a page size at a time.</summary>
    Offset,

    /// <summary>By page number.</summary>
    Page,
}

/// <summary>
/// What bounds a walk besides the contract: the API's request budget and, for a prefix, a page count; and
/// whether its pages are validated against the body schema (the walks the page-schema check judges are; a
/// filtered or sorted walk, judged on its items only, need not be); for an offset or page walk, the page size
/// it asks for when not the contract's walk page size; for a walk that only tries whether a window is small enough,
/// the reported total past which it stops after its first page, when that page is not the last
/// (<paramref name="StopAbove"/>).
/// </summary>
public sealed record WalkLimits(RequestBudget Budget, int? Pages = null, bool Validate = true, int? PageSize = null, int? StopAbove = null);

/// <summary>
/// A walk over a paginated list, by cursor, by offset or by page number: pages in order, a compact record of
/// each item (<see cref="WalkItem"/>, up to a cap), repeated ids, and how it ended (<see cref="WalkEnding"/>).
/// Each page body is validated against the endpoint's body schema as it arrives, then released: memory grows
/// with a hash of each id (to find repeats), never with whole items, and past the first few hundred pages
/// (<see cref="WalkPages.HeldPages"/>) and few thousand kept items (<see cref="WalkItems.HeldItems"/>) not with
/// those either: they are in temporary files.
/// </summary>
public sealed class ListWalk : IDisposable
{
    private const int DuplicatesShown = 5;
    private readonly FirstPages firstPageOfId = new();
    private readonly List<(string Id, int FirstPage, int Page)> duplicates = [];
    private int emptyRun;

    /// <summary>The pages in processing, oldest first, and the last of them (each waits for the one before).</summary>
    private readonly Queue<Task> outstanding = new();
    private Task processing = Task.CompletedTask;

    /// <summary>
    /// How many pages may be in processing (validation and kept items, one page at a time in page order) while the
    /// walk goes on: a few, so neither the fetching nor the processing waits on the other's every page, and memory
    /// stays bounded however fast pages come (measured on a 100k walk, paired: 0.94 of the time with 2, for 2 to 4 MiB more at the peak).
    /// </summary>
    public const int ProcessingDepth = 8;

    /// <summary>The most pages that waited for their processing at once (at most <see cref="ProcessingDepth"/>).</summary>
    public int MostWaiting { get; private set; }

    /// <summary>The pages read, in walk order (past the first few hundred, in a temporary file).</summary>
    public WalkPages Pages { get; } = new();

    /// <summary>The items kept, in walk order, up to the contract's item cap (past the first few thousand, in a temporary file).</summary>
    public required WalkItems Items { get; init; }

    /// <summary>Every item the walk saw, kept or not.</summary>
    public long ItemCount { get; private set; }

    public bool ItemsTruncated { get; private set; }

    /// <summary>Ids seen on an earlier page (up to five, with where), and how many in all.</summary>
    public IReadOnlyList<(string Id, int FirstPage, int Page)> Duplicates => duplicates;

    public int DuplicateCount { get; private set; }

    public WalkEnding Ending { get; private set; } = WalkEnding.Complete;

    public string? EndingDetail { get; private set; }

    public HttpExchange? FailedExchange { get; private set; }

    /// <summary>For a walk that ended in an error: what was wrong with the page that could not be read.</summary>
    public Finding? Failure { get; private set; }

    /// <summary>Null when every page was validated whole; otherwise the first page that was not, and what of it was (<see cref="SchemaValidator.MaxValidatedElements"/>).</summary>
    public string? ValidatedInPart { get; private set; }

    public bool Complete => Ending == WalkEnding.Complete;

    /// <summary>True when the walk stopped at one of the suite's own limits (bounds, budget), not for anything the provider did.</summary>
    public bool StoppedBySuite => Ending is WalkEnding.PageLimit or WalkEnding.TimeLimit or WalkEnding.Bounded or WalkEnding.OverBudget;

    /// <summary>True when the provider made the walk fail: a page that could not be read, a cycle, an endless list.</summary>
    public bool Broken => Ending is WalkEnding.Error or WalkEnding.Cycle or WalkEnding.Endless;

    public required PaginationSpec Spec { get; init; }

    public required IReadOnlyDictionary<string, string> Query { get; init; }

    public WalkMode Mode { get; init; } = WalkMode.Cursor;

    /// <summary>The window the walk was confined to, if any (see <see cref="WalkWindow"/>).</summary>
    public WalkWindow? Window { get; init; }

    /// <summary>The mode in words (<c>offset</c>), for purposes and messages.</summary>
    public static string Describe(WalkMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>An ending in words (<c>page limit</c>).</summary>
    public static string Describe(WalkEnding ending) => ending switch
    {
        WalkEnding.PageLimit => "page limit",
        WalkEnding.TimeLimit => "time limit",
        WalkEnding.OverBudget => "request budget spent",
        _ => ending.ToString().ToLowerInvariant(),
    };

    /// <summary>The total the first page reported, if the body carries one.</summary>
    public long? Total => Pages.Count > 0 ? Pages[0].Total : null;

    /// <summary>The ids of the kept items, in walk order.</summary>
    public IEnumerable<string> Ids => Items.Select(i => i.Id);

    /// <summary>Walks the list of <paramref name="scenarioId"/>'s endpoint with <paramref name="query"/>, by <paramref name="mode"/>.</summary>
    public static Task<ListWalk> RunAsync(ApiContract contract, ConformanceHttpClient http, RequestBuilder requests, ScenarioValues values,
        string scenarioId, Dictionary<string, string> query, WalkMode mode, WalkLimits limits, WalkWindow? window, CancellationToken ct)
    {
        var endpoint = contract.Endpoint(contract.Scenario(scenarioId).Endpoint);
        var context = new WalkContext(contract, http, requests, values, limits, WalkProjection.For(contract, endpoint), window);
        return FinishedAsync(mode == WalkMode.Cursor ? RunCursorAsync(context, scenarioId, query, ct) : RunNumberedAsync(context, scenarioId, query, mode, ct));
    }

    private static async Task<ListWalk> FinishedAsync(Task<ListWalk> walking) => await (await walking).FinishAsync();

    private sealed record WalkContext(ApiContract Contract, ConformanceHttpClient Http, RequestBuilder Requests, ScenarioValues Values, WalkLimits Limits, WalkProjection Projection, WalkWindow? Window);

    /// <summary>Whether the walk may ask for one more page; when not, how it ends.</summary>
    private bool MayGoOn(WalkContext context, Stopwatch clock)
    {
        // A bound does not stop a walk in a run of empty pages, for as many more as it takes to tell a list that goes on
        // with no items from one that ends: those pages add no item for the checks to pay for. (A window's walk, sized
        // to its items, stopped there and a provider whose list never ended had its windows narrowed instead.)
        if (context.Limits.Pages is { } bound && Pages.Count >= bound && !(emptyRun > 0 && Pages.Count <= bound + Spec.MaxEmptyPages))
        {
            End(WalkEnding.Bounded, $"stopped after a prefix of {bound} pages");
        }
        else if (Pages.Count >= Spec.MaxPages)
        {
            End(WalkEnding.PageLimit, $"did not end within {Spec.MaxPages} pages (the contract's pagination.maxPages)");
        }
        else if (clock.Elapsed.TotalSeconds > Spec.MaxSeconds)
        {
            End(WalkEnding.TimeLimit, $"did not end within {Spec.MaxSeconds:0.#} s ({Pages.Count} pages; the contract's pagination.maxSeconds)");
        }
        else if (!context.Limits.Budget.TrySpend())
        {
            End(WalkEnding.OverBudget, $"the request budget of {context.Limits.Budget.Limit} requests was spent after {Pages.Count} pages of this walk");
        }
        else
        {
            return true;
        }

        return false;
    }

    /// <summary>
    /// True (and the walk ended at its bound) when a walk that tries a window has read a page that is not the last of
    /// a list whose first page reports more items than the window was sized for: walking it to its page bound would
    /// only spend the budget the checks need (a list far denser in time than its prefix suggested took a whole
    /// attempt's pages each time). A short first page ends the walk as the list's end before this is asked, so a
    /// provider that reports a total it does not have cannot keep every window from being walked.
    /// </summary>
    private bool TooManyReported(WalkContext context)
    {
        if (context.Limits.StopAbove is not { } most || Total is not { } total || total <= most)
        {
            return false;
        }

        End(WalkEnding.Bounded, $"stopped after its first page: the list reports {total} items, more than the {most} it was sized for");
        return true;
    }

    /// <summary>Offset or page walk: limit fixed at the walk page size, until a short or empty page, or the total.</summary>
    private static async Task<ListWalk> RunNumberedAsync(WalkContext context, string scenarioId, Dictionary<string, string> query, WalkMode mode, CancellationToken ct)
    {
        var endpoint = context.Contract.Endpoint(context.Contract.Scenario(scenarioId).Endpoint);
        var spec = endpoint.Pagination as OffsetPagination
            ?? throw new ConfigurationException($"{context.Contract.Id}: endpoint '{endpoint.Id}' has no offset pagination to walk by {Describe(mode)}");
        if (mode == WalkMode.Page && spec.PageParameter is null)
        {
            throw new ConfigurationException($"{context.Contract.Id}: endpoint '{endpoint.Id}' has no page parameter to walk by page");
        }

        var schema = context.Contract.BodySchemas[endpoint.Success.BodySchema];
        var size = context.Limits.PageSize ?? spec.WalkPageSize;
        query[spec.LimitParameter] = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var walk = new ListWalk { Spec = spec, Query = new Dictionary<string, string>(query), Mode = mode, Window = context.Window, Items = new WalkItems(context.Projection) };
        var clock = Stopwatch.StartNew();
        var byOffset = mode == WalkMode.Offset;
        long position = byOffset ? 0 : spec.PageBase;
        var filters = string.Join("&", query.Select(kv => $"{kv.Key}={kv.Value}"));
        while (walk.MayGoOn(context, clock))
        {
            var pageQuery = new Dictionary<string, string>(query)
            {
                [byOffset ? spec.OffsetParameter : spec.PageParameter!] = position.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            var number = walk.Pages.Count + 1;
            var exchange = await context.Http.SendAsync(context.Requests.Call(endpoint, pageQuery, context.Values.Path(scenarioId),
                $"{Describe(mode)} walk, page {number} of '{scenarioId}' with {filters}"), ct);
            var page = await walk.ReadAsync(context, exchange, schema, endpoint.Success.Status, number, $"{(byOffset ? spec.OffsetParameter : spec.PageParameter)}={position}");
            if (page is null)
            {
                return walk;
            }

            position = byOffset ? position + page.Count : position + 1;
            if (page.Count == 0 || page.Count < size || (walk.Total is { } total && walk.ItemCount >= total))
            {
                return walk;
            }

            if (walk.TooManyReported(context))
            {
                return walk;
            }
        }

        return walk;
    }

    private static async Task<ListWalk> RunCursorAsync(WalkContext context, string scenarioId, Dictionary<string, string> query, CancellationToken ct)
    {
        var endpoint = context.Contract.Endpoint(context.Contract.Scenario(scenarioId).Endpoint);
        var spec = endpoint.Pagination as CursorPagination
            ?? throw new ConfigurationException($"{context.Contract.Id}: endpoint '{endpoint.Id}' has no cursor pagination to walk by cursor");
        var schema = context.Contract.BodySchemas[endpoint.Success.BodySchema];
        var walk = new ListWalk { Spec = spec, Query = new Dictionary<string, string>(query), Mode = WalkMode.Cursor, Window = context.Window, Items = new WalkItems(context.Projection) };
        var seen = new FirstPages();
        var clock = Stopwatch.StartNew();
        string? cursor = null;
        var filters = string.Join("&", query.Select(kv => $"{kv.Key}={kv.Value}"));
        while (walk.MayGoOn(context, clock))
        {
            var pageQuery = new Dictionary<string, string>(query);
            if (cursor is not null)
            {
                pageQuery[spec.CursorParameter] = cursor;
            }

            var number = walk.Pages.Count + 1;
            var exchange = await context.Http.SendAsync(context.Requests.Call(endpoint, pageQuery, context.Values.Path(scenarioId),
                $"page {number} of '{scenarioId}'{(filters.Length > 0 ? " with " + filters : "")}"), ct);
            var page = await walk.ReadAsync(context, exchange, schema, endpoint.Success.Status, number, cursor);
            if (page is null || string.IsNullOrEmpty(page.Next) || walk.TooManyReported(context))
            {
                return walk;
            }

            // Each next cursor followed, by its hash with the page that gave it; a hash seen before is a cycle when that
            // page's cursor is this very one (pages past the first few hundred are read back to compare).
            if (!seen.TryAdd(WalkItem.TextHash(page.Next), number, out var earlier) && walk.Pages[earlier - 1].Next == page.Next)
            {
                walk.End(WalkEnding.Cycle, $"page {number} points back to cursor '{Short(page.Next)}', already followed");
                return walk;
            }

            if (walk.emptyRun > spec.MaxEmptyPages)
            {
                walk.End(WalkEnding.Endless, $"{walk.emptyRun} empty pages in a row, each with a next cursor (pages {number - walk.emptyRun + 1} to {number})");
                return walk;
            }

            cursor = page.Next;
        }

        return walk;
    }

    /// <summary>
    /// Reads one page into the walk: its shape (items, next cursor, total) at once, so the walk can go on; its
    /// schema validation and what the checks keep of its items on a worker, one page at a time in page order,
    /// while the next page is fetched. Null (and the walk ended) when it is not a usable page.
    /// </summary>
    private async Task<WalkPage?> ReadAsync(WalkContext context, HttpExchange exchange, NJsonSchema.JsonSchema schema, int status, int number, string? cursor)
    {
        var document = Parse(exchange, Spec, status, out var page, out var items, out var ids, out var problem);
        if (page is null)
        {
            document?.Dispose();
            Fail(number, exchange, problem!);
            return null;
        }

        // The page holds its exchange by its place in the request log: in a large run, the log has it on disk.
        page = page with { Number = number, Cursor = cursor };
        Pages.Add(page);
        ItemCount += items.Count;
        emptyRun = page.Count == 0 ? emptyRun + 1 : 0;
        // The page is read: the exchange keeps only its excerpt as evidence. Its processing gets the bytes (the parsed
        // document holds them until then), made into text only when the schema validation needs it.
        var body = exchange.Body!;
        exchange.Body = null;

        // At most ProcessingDepth pages are in processing: past that, the walk waits for the oldest.
        while (outstanding.Count >= ProcessingDepth)
        {
            await outstanding.Dequeue();
        }

        processing = ProcessAsync(processing, context, schema, body, document!, items, ids, page);
        outstanding.Enqueue(processing);
        MostWaiting = Math.Max(MostWaiting, outstanding.Count);
        return page;
    }

    private async Task ProcessAsync(Task before, WalkContext context, NJsonSchema.JsonSchema schema, byte[] body, JsonDocument document, List<JsonElement> items, List<string> ids, WalkPage page)
    {
        using var parsed = document;
        try
        {
            await before;
            await Task.Yield();
            Process(context, schema, body, parsed, items, ids, page);
        }
        finally
        {
            // Kept as it now is (past the first few hundred, written out): its violations are known.
            Pages.Processed(page);
        }
    }

    private void Process(WalkContext context, NJsonSchema.JsonSchema schema, byte[] body, JsonDocument parsed, List<JsonElement> items, List<string> ids, WalkPage page)
    {
        var number = page.Number;
        if (context.Limits.Validate)
        {
            if (SchemaValidator.Validate(schema, parsed.RootElement, body, out var inPart, context.Http.Settings.PatternTimeout) is { Count: > 0 } violations)
            {
                // Read once the walk is finished (FinishAsync waits for this).
                page.Violations = [.. violations.Take(20)];
            }

            if (inPart is not null)
            {
                ValidatedInPart ??= $"page {number}: {inPart}";
            }
        }
        for (var i = 0; i < items.Count; i++)
        {
            // The id read when the page came (the page's first id is this same string).
            var (item, id) = (items[i], ids[i]);
            if (!firstPageOfId.TryAdd(WalkItem.TextHash(id), number, out var first) && ++DuplicateCount <= DuplicatesShown)
            {
                duplicates.Add((id, first, number));
            }

            if (Items.Count < Spec.MaxItems)
            {
                Items.Add(context.Projection.Keep(item, id, number));
            }
            else
            {
                ItemsTruncated = true;
            }
        }
    }

    /// <summary>Removes the temporary files of the items and pages kept past the first few thousand and hundred.</summary>
    public void Dispose()
    {
        Items.Dispose();
        Pages.Dispose();
    }

    /// <summary>Waits for the pages still being processed: the walk's items, repeated ids and violations are then all there.</summary>
    private async Task<ListWalk> FinishAsync()
    {
        await processing;
        return this;
    }

    /// <summary>The hash of a sequence of ids, to compare two pages without keeping their ids.</summary>
    public static ulong SequenceHash(IEnumerable<string> ids)
    {
        var hash = new System.IO.Hashing.XxHash3();
        foreach (var id in ids)
        {
            hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(id.AsSpan()));
            hash.Append([0, 0]);
        }

        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>Reads one page; null (with the problem) when it is not a usable page.</summary>
    public static WalkPage? Parse(HttpExchange exchange, PaginationSpec spec, int status, out Finding? problem)
    {
        using var parsed = Parse(exchange, spec, status, out var page, out _, out _, out problem);
        return page;
    }

    /// <summary>
    /// Reads one page: its items (the objects of its items array, as elements of the returned document, which the
    /// caller disposes once it is done with them) and the id of each ("" for an item without one). The page is
    /// null, with the problem, when it is not a usable page.
    /// </summary>
    private static JsonDocument? Parse(HttpExchange exchange, PaginationSpec spec, int status, out WalkPage? page, out List<JsonElement> items, out List<string> ids, out Finding? problem)
    {
        page = null;
        items = [];
        ids = [];
        problem = null;
        if (exchange.Error is not null || exchange.Status != status)
        {
            problem = Finding.OfResponse(status, exchange);
            return null;
        }

        JsonDocument document;
        try
        {
            document = ProviderJson.Document(exchange.Body);
        }
        catch (JsonException ex)
        {
            problem = NotJson.Of(ex, exchange.Body);
            return null;
        }

        var body = document.RootElement;
        var found = JsonPointer.TryRead(body, JsonPointer.Tokens(spec.ItemsPointer), out var array);
        if (!found || array.ValueKind != JsonValueKind.Array)
        {
            problem = new ValueMismatch(spec.ItemsPointer, "an array of items", found && array.ValueKind != JsonValueKind.Null ? array.ValueKind.ToString().ToLowerInvariant() : null);
            return document;
        }

        var idTokens = JsonPointer.Tokens(spec.IdPointer);
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                items.Add(element);
                ids.Add(JsonPointer.Text(element, idTokens) ?? "");
            }
        }

        var nextPresent = false;
        string? nextText = null;
        if (spec is CursorPagination cursor && JsonPointer.TryRead(body, JsonPointer.Tokens(cursor.NextPointer), out var next))
        {
            nextPresent = true;
            nextText = JsonPointer.Text(next, []);
        }

        long? total = spec is OffsetPagination { TotalPointer: { } tp } && JsonPointer.TryRead(body, JsonPointer.Tokens(tp), out var t)
                      && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var n) ? n : null;
        page = new WalkPage(0, null, new LoggedExchange(exchange), ids.Count, ids.FirstOrDefault(), SequenceHash(ids), nextText, nextPresent) { Total = total };
        return document;
    }

    private void End(WalkEnding ending, string detail)
    {
        Ending = ending;
        EndingDetail = detail;
    }

    private void Fail(int page, HttpExchange exchange, Finding problem)
    {
        FailedExchange = exchange;
        Failure = problem with { Subject = $"page {page}" };
        End(WalkEnding.Error, Failure.Message);
    }

    public static string Short(string cursor) => cursor.Length > 24 ? cursor[..24] + "…" : cursor;
}
