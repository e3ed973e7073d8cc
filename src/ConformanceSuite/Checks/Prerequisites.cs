using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>
/// What a case needs met before its check can judge its own rule: the shared probes, required to have gone
/// well. One that did not skips the case, naming the precondition and the requirement that judges it; a
/// check may rely only on the preconditions it declares (<see cref="ICheck.Preconditions"/>).
/// </summary>
public sealed class Prerequisites(CheckRun run)
{
    private ApiContext Context => run.Context;

    /// <summary>The scenario's valid call, required to have answered its success status.</summary>
    public Task<HttpExchange> SuccessAsync(string scenarioId, CancellationToken ct)
    {
        Declared(Precondition.SuccessfulCall);
        return SuccessOfAsync(scenarioId, ct);
    }

    private async Task<HttpExchange> SuccessOfAsync(string scenarioId, CancellationToken ct)
    {
        var exchange = await Context.Probes.SuccessAsync(scenarioId, ct);
        var expected = Context.Contract.Endpoint(Context.Contract.Scenario(scenarioId).Endpoint).Success.Status;
        if (exchange.Status != expected || exchange.Error is not null)
        {
            var received = exchange.Error ?? exchange.Status.ToString() + (exchange.BlockedRedirect is null ? "" : $" to {exchange.BlockedRedirect}");
            NotMet(Precondition.SuccessfulCall, scenarioId, $"the valid call of scenario '{scenarioId}' did not answer {expected} but {received}");
        }

        return exchange;
    }

    /// <summary>
    /// An id the list shows, fetched from <paramref name="get"/> and required to have answered its success status: the
    /// list and the path parameter are those of the requirement that fetches every listed id (which judges this).
    /// </summary>
    public async Task<(string Parameter, string Id, HttpExchange Found)> KnownIdAsync(EndpointSpec get, CancellationToken ct)
    {
        Declared(Precondition.KnownId);
        var judge = Precondition.KnownId.JudgeIn(Context.Contract, null)!;
        var (list, name) = (judge.Check!.Scenarios[0], judge.Check.Parameter!);
        var page = await SuccessOfAsync(list, ct);
        var spec = Context.Contract.Endpoint(Context.Contract.Scenario(list).Endpoint).Pagination
            ?? throw new ConfigurationException($"{Context.Contract.Id}: scenario '{list}' of {judge.Id} has no paginated endpoint");
        // A body that is not JSON has no id to take; the success-body checks judge it.
        var id = (JsonPointer.Read(ProviderJson.TryParse(page.Body), spec.ItemsPointer) as JsonArray)?
            .Select(item => JsonPointer.Text(item, spec.IdPointer)) is { } listed ? RequestBuilder.FirstAskable(listed) : null;

        if (id is null)
        {
            CheckRun.Skip($"the first page of scenario '{list}' shows no item with an id at {spec.IdPointer} that a URL can carry: no known {name} could be fetched first, so a not-found answer would not tell what does not exist from what does");
        }

        var found = await Context.Http.SendAsync(Context.Requests.Call(get, new Dictionary<string, string>(), new Dictionary<string, string> { [name] = id }, $"get {id} (listed, before an unknown one)"), ct);
        run.Keep(found);
        if (found.Status != get.Success.Status || found.Error is not null)
        {
            NotMet(Precondition.KnownId, list, $"{name}={id}, the first id of scenario '{list}', did not answer {get.Success.Status} but {found.Error ?? found.Status.ToString()}");
        }

        return (name, id, found);
    }

    /// <summary>The scenario's download link, resolved from its success body.</summary>
    public async Task<(HttpExchange Success, Uri Link)> LinkAsync(string scenarioId, CancellationToken ct)
    {
        Declared(Precondition.DownloadLink);
        return await LinkOfAsync(scenarioId, ct);
    }

    /// <summary>The scenario's download, whatever it answered (the link required).</summary>
    public Task<DownloadProbe> DownloadAsync(string scenarioId, CancellationToken ct)
    {
        Declared(Precondition.DownloadLink);
        return Context.Probes.DownloadAsync(scenarioId, () => LinkOfAsync(scenarioId, ct), ct);
    }

    /// <summary>The scenario's download, required to have been read and analysed as a CSV.</summary>
    public async Task<DownloadProbe> CsvAsync(string scenarioId, CancellationToken ct)
    {
        Declared(Precondition.Download);
        var probe = await Context.Probes.DownloadAsync(scenarioId, () => LinkOfAsync(scenarioId, ct), ct);
        if (probe.Analysis is null)
        {
            // A download one of the suite's own limits stopped names the setting that would let it through.
            NotMet(Precondition.Download, scenarioId, $"the download of scenario '{scenarioId}' failed ({probe.Download.Error ?? $"status {probe.Download.Status}"})", probe.Download.Limit);
        }

        return probe;
    }

    /// <summary>
    /// The walk of a scenario's whole list (or of the window the suite confined it to), required to have
    /// completed: a walk the provider broke names the requirement that judges it, one the suite's own limits
    /// stopped names the setting that would let it go further.
    /// </summary>
    public async Task<ListWalk> CompleteWalkAsync(string scenarioId, CancellationToken ct)
    {
        var (walk, missing) = await WholeListAsync(scenarioId, ct);
        if (missing is { } m)
        {
            NotMet(Precondition.CompleteWalk, scenarioId, m.What, m.Setting);
        }

        return walk;
    }

    /// <summary>
    /// Like <see cref="CompleteWalkAsync"/>, except when only the suite's own limits (the budget, the bounds, no
    /// window to confine the list to) kept the whole list from being walked: then the bounded prefix of the list
    /// comes back with why, so a check can still judge what it can and say what it could not.
    /// </summary>
    public async Task<(ListWalk Walk, NotWalked? Missing)> WholeListOrPrefixAsync(string scenarioId, CancellationToken ct)
    {
        var (walk, missing) = await WholeListAsync(scenarioId, ct);
        if (missing is { ProviderCaused: true } m)
        {
            NotMet(Precondition.CompleteWalk, scenarioId, m.What, m.Setting);
        }

        return missing is null ? (walk, null) : (await Context.Probes.PrefixAsync(scenarioId, Context.Probes.DefaultMode(scenarioId), ct), missing);
    }

    /// <summary>Why a whole list was not walked, the setting that would let it be, and whether the provider caused it.</summary>
    public sealed record NotWalked(string What, string? Setting, bool ProviderCaused);

    private async Task<(ListWalk Walk, NotWalked? Missing)> WholeListAsync(string scenarioId, CancellationToken ct)
    {
        Declared(Precondition.CompleteWalk);
        var plan = await Context.Probes.PlanAsync(scenarioId, ct);
        run.Note($"scenario '{scenarioId}' certified on {plan.Describe(Context.Probes.Budget)}");
        var walk = await Context.Probes.WalkAsync(scenarioId, null, ct);
        if (walk.Complete && !walk.ItemsTruncated)
        {
            return (walk, null);
        }

        var bounds = $"apis.{Context.Contract.Id}.overrides.contract (the pagination bounds)";
        var why = walk.ItemsTruncated ? $"more than {walk.Items.Count} items (the contract's pagination.maxItems)"
            : plan.Unwalkable ?? walk.EndingDetail ?? ListWalk.Describe(walk.Ending);
        var setting = walk.ItemsTruncated || walk.Ending is WalkEnding.PageLimit or WalkEnding.TimeLimit ? bounds
            : walk.StoppedBySuite ? Context.Probes.Budget.Setting
            : null;
        return (walk, new NotWalked($"the walk of scenario '{scenarioId}' did not complete ({why})", setting, walk.Broken));
    }

    private async Task<(HttpExchange Success, Uri Link)> LinkOfAsync(string scenarioId, CancellationToken ct)
    {
        var success = await SuccessOfAsync(scenarioId, ct);
        var download = Context.Contract.Endpoint(Context.Contract.Scenario(scenarioId).Endpoint).Download
            ?? throw new ConfigurationException($"{Context.Contract.Id}: scenario '{scenarioId}' has no download in its endpoint");
        var raw = Probes.ReadString(success, download.LinkPointer);
        Uri? link = null;
        if (raw is null || !Uri.TryCreate(raw, UriKind.Absolute, out link) || link.Scheme is not ("http" or "https"))
        {
            NotMet(Precondition.DownloadLink, scenarioId,
                $"no absolute http(s) link at {download.LinkPointer} of scenario '{scenarioId}': received {(raw is null ? "none" : $"'{raw}'")}");
        }

        return (success, link!);
    }

    /// <summary>A check must declare what it relies on: the catalog checks that a requirement judges each declared precondition.</summary>
    private void Declared(Precondition precondition)
    {
        if (!run.Check.Preconditions.Contains(precondition))
        {
            throw new InvalidOperationException($"check '{run.Check.Kind}' relies on '{precondition.Describe}' without declaring it in its Preconditions");
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void NotMet(Precondition precondition, string scenarioId, string what, string? setting = null)
    {
        var judge = precondition.JudgeIn(Context.Contract, scenarioId);
        CheckRun.Skip($"precondition not met: {what}" + (judge is null ? $" (no requirement judges it for scenario '{scenarioId}')" : $" (judged by {judge.Id})"), setting);
    }
}
