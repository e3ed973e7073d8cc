using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Csv;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>
/// The probes several checks of one API share, each made once per run: a scenario's valid call, its
/// download (analysed in one streaming pass), and walks of its list.
/// </summary>
public sealed class Probes(ApiContract contract, ConformanceHttpClient http, ScenarioValues values, RequestBuilder requests, CredentialSet credentials, RequestBudget budget, IReadOnlySet<string>? running = null) : IDisposable
{
    private readonly ProbeCache<string, HttpExchange> successes = new();
    private readonly ProbeCache<string, DownloadProbe> downloads = new();
    private readonly ProbeCache<WalkKey, ListWalk> walks = new();
    private readonly ProbeCache<string, WalkPlan> plans = new();

    /// <summary>The scenario's valid call.</summary>
    public Task<HttpExchange> SuccessAsync(string scenarioId, CancellationToken ct) =>
        successes.GetAsync(scenarioId, () => http.SendAsync(requests.Call(scenarioId, values.Query(scenarioId), $"valid call of scenario '{scenarioId}'"), ct));

    /// <summary>
    /// The download of a scenario (without credentials: the docs' link is meant to work without them), analysed
    /// in one streaming pass; <paramref name="link"/> resolves its link first, skipping when there is none.
    /// </summary>
    public Task<DownloadProbe> DownloadAsync(string scenarioId, Func<Task<(HttpExchange Success, Uri Link)>> link, CancellationToken ct) =>
        downloads.GetAsync(scenarioId, async () =>
        {
            var (success, url) = await link();
            var endpoint = contract.Endpoint(contract.Scenario(scenarioId).Endpoint);
            var spec = contract.CsvSpecs[endpoint.Download!.CsvSpec];
            var findings = contract.DocFindings.ToDictionary(f => f.Id);
            var call = new HttpCall { Url = url, Purpose = $"download of scenario '{scenarioId}' (no credentials)", Api = contract.Id, Credentials = null };
            var (exchange, analysis) = await http.StreamAsync(call, (ex, body) => ex.IsSuccess ? CsvAnalyzer.Analyze(body, spec, findings, rowSet: CsvRowSetOptions.Capped(http.Settings.MaxSpillBytes), patternTimeout: http.Settings.PatternTimeout) : null, ct);
            return new DownloadProbe(success, url, credentials.BelongsTo(url), exchange, analysis);
        });

    /// <summary>The API's request budget, shared by every walk and every fetch of a walked item.</summary>
    public RequestBudget Budget { get; } = budget;

    /// <summary>
    /// How a scenario's list is certified: a bounded prefix of it, and, when the whole list does not fit the
    /// request budget, the window the whole-list checks are confined to (made once per scenario).
    /// </summary>
    public Task<WalkPlan> PlanAsync(string scenarioId, CancellationToken ct) =>
        plans.GetAsync(scenarioId, () => WalkPlanner.PlanAsync(this, scenarioId, ct));

    /// <summary>
    /// A walk of a paginated scenario (with extra query values), confined to the scenario's window when it has
    /// one, bounded by the contract's page and time limits and by the request budget, so neither a broken
    /// provider nor a large tenant can hang the run; by cursor or by offset as the pagination style says,
    /// unless <paramref name="mode"/> asks for one; with extra values, an offset or page walk asks for pages of
    /// <paramref name="pageSize"/> items when given (the contract's walk page size otherwise). With
    /// <paramref name="unconfinedPages"/>, the extra values are asked as they are, with none of the window's, in at most
    /// that many pages: a query no window can confine (a date range's bound alone).
    /// </summary>
    public async Task<ListWalk> WalkAsync(string scenarioId, IReadOnlyDictionary<string, string>? extra, CancellationToken ct, WalkMode? mode = null, int? pageSize = null,
        int? unconfinedPages = null)
    {
        var how = mode ?? DefaultMode(scenarioId);
        if (unconfinedPages is { } pages && extra is { Count: > 0 })
        {
            return await WalkWithinAsync(scenarioId, extra, how, new WalkLimits(Budget, pages, PageSize: pageSize), null, ct);
        }

        if (!WholeListScenarios.Contains(scenarioId) && (extra is null || extra.Count == 0))
        {
            // No whole-list check needs more of this list than a prefix; when that is not all of it, and a list of
            // the same endpoint has a window, the list is walked within that window too, so its end is seen.
            return await WindowOfAsync(scenarioId, ct, how) is { } shared
                ? await WalkWithinAsync(scenarioId, shared.Query, how, new WalkLimits(Budget), shared, ct)
                : await PrefixAsync(scenarioId, how, ct);
        }

        var plan = await PlanAsync(scenarioId, ct);
        if (plan.Window is null && (extra is null || extra.Count == 0) && how == plan.Prefix.Mode && plan.Prefix.Complete)
        {
            return plan.Prefix;
        }

        var window = plan.Window?.Query ?? new Dictionary<string, string>();
        var merged = new Dictionary<string, string>(window, StringComparer.Ordinal);
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            merged[k] = v;
        }

        // Every walk's pages are validated against the body schema: a filtered walk's too, which its filter's case judges
        // (a provider may break the items of a filtered list alone). A list no window confines, and longer than its
        // prefix, is walked filtered as far as a prefix too: no filtered walk can show what it left out then, and one
        // that goes on to the budget's end leaves the other checks none.
        var bound = plan.Window is null && !plan.Prefix.Complete ? WalkPlanner.PrefixPages(Budget, contract.Endpoint(contract.Scenario(scenarioId).Endpoint).Pagination!) : (int?)null;
        return await WalkWithinAsync(scenarioId, merged, how, new WalkLimits(Budget, bound, PageSize: pageSize), plan.Window, ct);
    }

    /// <summary>
    /// The window a check that pages through the scenario's list is confined to: the scenario's own when its
    /// whole-list checks needed one; for another list, when its prefix is not all of it, the window of a whole-list
    /// scenario of the same endpoint. None when the list fits the budget as it is.
    /// </summary>
    public async Task<WalkWindow?> WindowOfAsync(string scenarioId, CancellationToken ct, WalkMode? mode = null)
    {
        if (WholeListScenarios.Contains(scenarioId))
        {
            return (await PlanAsync(scenarioId, ct)).Window;
        }

        var endpoint = contract.Scenario(scenarioId).Endpoint;
        var primary = WholeListScenarios.FirstOrDefault(s => contract.Scenario(s).Endpoint == endpoint);
        return primary is null || (await PrefixAsync(scenarioId, mode ?? DefaultMode(scenarioId), ct)).Complete ? null : (await PlanAsync(primary, ct)).Window;
    }

    /// <summary>A walk of exactly the query given (the scenario's values and <paramref name="extra"/>), within <paramref name="limits"/>.</summary>
    internal Task<ListWalk> WalkWithinAsync(string scenarioId, IReadOnlyDictionary<string, string> extra, WalkMode how, WalkLimits limits, WalkWindow? window, CancellationToken ct)
    {
        var query = values.Query(scenarioId);
        foreach (var (k, v) in extra)
        {
            query[k] = v;
        }

        var endpoint = contract.Scenario(scenarioId).Endpoint;
        var key = new WalkKey(endpoint, how, string.Join("&", query.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")), limits.PageSize);
        return walks.GetAsync(key, () => ListWalk.RunAsync(contract, http, requests, values, scenarioId, query, how, limits, window, ct));
    }

    /// <summary>The walk mode a scenario's pagination style implies.</summary>
    public WalkMode DefaultMode(string scenarioId)
    {
        var spec = contract.Endpoint(contract.Scenario(scenarioId).Endpoint).Pagination
            ?? throw new ConfigurationException($"{contract.Id}: scenario '{scenarioId}' has no paginated endpoint");
        return spec is CursorPagination ? WalkMode.Cursor : WalkMode.Offset;
    }

    internal ApiContract Contract => contract;

    /// <summary>A bounded prefix of the scenario's unfiltered list (the whole list when it is short).</summary>
    public Task<ListWalk> PrefixAsync(string scenarioId, WalkMode mode, CancellationToken ct)
    {
        var spec = contract.Endpoint(contract.Scenario(scenarioId).Endpoint).Pagination!;
        return WalkWithinAsync(scenarioId, new Dictionary<string, string>(), mode, new WalkLimits(Budget, WalkPlanner.PrefixPages(Budget, spec)), null, ct);
    }

    /// <summary>The scenarios whose whole list some requirement's check needs (the first scenario of its binding).</summary>
    private IReadOnlySet<string> WholeListScenarios => wholeListScenarios ??= contract.Requirements
        .Where(r => r.Check is { } c && NeedsWholeList(c.Kind))
        .Select(r => r.Check!.Scenarios[0]).ToHashSet(StringComparer.Ordinal);

    private IReadOnlySet<string>? wholeListScenarios;

    private static bool NeedsWholeList(string kind) =>
        CheckRegistry.Default.Kinds.Contains(kind) && CheckRegistry.Default.Get(kind).Preconditions.Contains(Precondition.CompleteWalk);

    /// <summary>True when a requirement of the run fetches the scenario's walked items one by one (a get by id).</summary>
    internal bool FetchesItems(string scenarioId) =>
        RunningOn(scenarioId, GetByIdCheck.KindName).Any();

    /// <summary>The pairs of filters the scenario's list is walked with together (the filter-combination cases of the run on it).</summary>
    internal int FilterPairs(string scenarioId) =>
        RunningOn(scenarioId, FilterCombinationCheck.KindName)
            .Sum(r => new FilterCombinationCheck().Expand(contract, r).Count());

    /// <summary>
    /// The parameters of the scenario's endpoint that the run's filter and sort checks on its list try (a binding that
    /// names none tries all its filters or sorts): a window is sized for their walks only.
    /// </summary>
    internal IReadOnlySet<string> TriedParameters(string scenarioId)
    {
        var endpoint = contract.Endpoint(contract.Scenario(scenarioId).Endpoint);
        return RunningOn(scenarioId, ListFilterCheck.KindName, SortOrderCheck.KindName)
            .SelectMany(r => r.Check!.SelectedParameters is { Count: > 0 } named ? named : endpoint.Parameters.Select(p => p.Name))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>True when a requirement of the run walks the scenario's list by page number as well as by offset.</summary>
    internal bool WalksByPage(string scenarioId) =>
        WalkPlanner.PagedByNumber(contract.Endpoint(contract.Scenario(scenarioId).Endpoint)) && RunningOn(scenarioId, OffsetPaginationCheck.KindName).Any();

    /// <summary>The requirements the run checks (all of the contract's when it was not told): a window is sized for their requests only.</summary>
    private IEnumerable<Requirement> Running => running is null ? contract.Requirements : contract.Requirements.Where(r => running.Contains(r.Id));

    /// <summary>The run's requirements of one of <paramref name="kinds"/> whose check is bound first to the scenario.</summary>
    private IEnumerable<Requirement> RunningOn(string scenarioId, params string[] kinds) =>
        Running.Where(r => r.Check is { } c && kinds.Contains(c.Kind) && c.Scenarios.Count > 0 && c.Scenarios[0] == scenarioId);

    /// <summary>
    /// The requests a scenario's list may take from the budget: every other paginated scenario a check of the run may
    /// walk keeps a prefix's worth, and the lists whose whole-list checks the run has share the rest with this one. A
    /// requirement the run leaves out keeps nothing: a run of one check gets the budget that check needs.
    /// </summary>
    internal int ShareOf(string scenarioId)
    {
        if (Budget.Limit == int.MaxValue)
        {
            return int.MaxValue;
        }

        var checks = Running.Where(r => r.Check is not null).Select(r => r.Check!).ToList();
        var sharing = checks.Where(c => NeedsWholeList(c.Kind)).Select(c => c.Scenarios[0]).Append(scenarioId).ToHashSet(StringComparer.Ordinal);
        // A kind the suite does not know is taken to walk its lists.
        var walked = checks.Where(c => !CheckRegistry.Default.Kinds.Contains(c.Kind) || CheckRegistry.Default.Get(c.Kind).WalksLists)
            .SelectMany(c => c.Scenarios).ToHashSet(StringComparer.Ordinal);
        var paginated = contract.Scenarios.Where(s => contract.Endpoint(s.Value.Endpoint).Pagination is not null).Select(s => s.Key).ToList();
        var reserved = paginated.Where(s => !sharing.Contains(s) && walked.Contains(s))
            .Sum(s => WalkPlanner.PrefixPages(Budget, contract.Endpoint(contract.Scenario(s).Endpoint).Pagination!));
        return Math.Max(0, Budget.Limit - reserved) / Math.Max(1, paginated.Count(sharing.Contains));
    }

    /// <summary>The string at <paramref name="pointer"/> of a JSON body; null when there is none (or the body is not JSON).</summary>
    public static string? ReadString(HttpExchange exchange, string pointer) =>
        JsonPointer.Read(ProviderJson.TryParse(exchange.Body), pointer) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Releases the rows the CSV analyses kept (written to a temporary folder past their first mebibyte), and the items the walks kept past their first few thousand.</summary>
    public void Dispose()
    {
        foreach (var probe in downloads.Completed)
        {
            probe.Analysis?.Dispose();
        }

        downloads.Clear();
        foreach (var walk in walks.Completed)
        {
            walk.Dispose();
        }

        walks.Clear();
    }

    private sealed record WalkKey(string Endpoint, WalkMode Mode, string Query, int? PageSize);
}

/// <summary>A scenario's download and what the CSV analysis found (null when the download failed).</summary>
public sealed record DownloadProbe(HttpExchange Success, Uri Link, bool SameOriginAsApi, HttpExchange Download, CsvAnalysis? Analysis);
