using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>The download link works without any credential.</summary>
public sealed class DownloadAnonymousCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "download-anonymous";

    public override string Kind => KindName;

    public override IReadOnlyList<Precondition> Preconditions => [Precondition.DownloadLink];

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var download = EndpointOf(run).Download!;
        var probe = await run.Require.DownloadAsync(run.Element.Name, ct);
        var exchange = run.Keep(probe.Download);
        var basis = download.CredentialsBasis ?? download.Basis;
        if (exchange.CredentialsSent.Count > 0)
        {
            throw new CredentialConfinementException($"the download was sent with {string.Join(", ", exchange.CredentialsSent)}");
        }

        const string Subject = "the download, without credentials";
        if (exchange.Error is not null || exchange.BlockedRedirect is not null)
        {
            run.Fail(Subject, Finding.OfResponse(200, exchange), basis, exchange);
        }
        else if (exchange.Status is 401 or 403)
        {
            // Refused without credentials: the link exists, only the assumption that it needs none is broken.
            run.Fail(Subject, new StatusMismatch(200, exchange.Status.Value, StatusReading.Other), basis, exchange);
        }
        else if (!exchange.IsSuccess)
        {
            // Not found, gone, or a server error: the documented link to the CSV does not lead to one.
            run.Fail(Subject, new StatusMismatch(200, exchange.Status ?? 0, StatusReading.BrokenLink), download.Basis, exchange);
        }
        else
        {
            var (link, served) = (CredentialSet.OriginOf(probe.Link), ServedFrom(probe));
            run.Note($"downloaded {exchange.BodyBytes} bytes from {served}{(served == link ? "" : $" (the link on {link} redirected there)")} without credentials");
        }
    }

    /// <summary>The origin the download's bytes came from: the link's, or the one its redirects led to (the exchange is the last hop's).</summary>
    internal static string ServedFrom(DownloadProbe probe) =>
        probe.Download.Redirects.Count > 0 && Uri.TryCreate(probe.Download.Url, UriKind.Absolute, out var url)
            ? CredentialSet.OriginOf(url)
            : CredentialSet.OriginOf(probe.Link);
}

/// <summary>
/// Credentials stay on the API origin: no authenticated call is redirected elsewhere, and no request
/// of this run to another origin carried one (the suite's own guarantee, shown as evidence).
/// </summary>
public sealed class CredentialsConfinedCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "credentials-confined";

    public override string Kind => KindName;

    public override IReadOnlyList<Precondition> Preconditions => [Precondition.DownloadLink];

    /// <summary>Every authenticated call of the API is judged: those other cases make after this one's place in the catalog too.</summary>
    public override bool JudgesOtherCasesRequests => true;

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var basis = run.Requirement.Source;
        var success = run.Keep(await run.Context.Probes.SuccessAsync(run.Element.Name, ct));
        if (success.BlockedRedirect is not null)
        {
            run.Fail("the authenticated call", new CrossOriginRedirect(success.Status ?? 0, success.BlockedRedirect), basis, success);
        }

        var apiOrigin = CredentialSet.OriginOf(run.Context.Target.BaseUrl);
        if (success.IsSuccess)
        {
            try
            {
                var probe = await run.Require.DownloadAsync(run.Element.Name, ct);
                run.Keep(probe.Download);
                var linkOrigin = CredentialSet.OriginOf(probe.Link);
                // Said only of a download that got an answer: one the suite did not send was not fetched at all.
                var fetched = probe.Download.Status is null ? $"it was not fetched: {probe.Download.Error}" : "it was fetched without credentials";
                var served = DownloadAnonymousCheck.ServedFrom(probe);
                var hop = served == linkOrigin ? "" : $", redirected to {served}";
                run.Note(linkOrigin == apiOrigin
                    ? $"the download is on the API origin {apiOrigin}{hop}; {fetched}{(probe.Download.Status is null ? "" : " all the same")}"
                    : $"the download origin {linkOrigin}{hop} differs from the API origin {apiOrigin}; {fetched}");
            }
            catch (SkipCheckException skip)
            {
                run.Note($"no download to inspect: {skip.Message}");
            }
        }

        // One pass over the run's log (past its bound, read back from its file): every call of this API that carried a
        // credential (another API's go to its own origin, with its own). One the API's provider redirected to another
        // origin (a probe of another check, the sub-account's call): the requirement is about each authenticated call,
        // not this one alone. One the suite sent to another origin: its own guarantee, shown as evidence (the download
        // above included).
        var (redirected, leaked) = (new List<HttpExchange>(), new List<HttpExchange>());
        foreach (var e in run.Context.Http.Log.Entries.Where(e => e.CredentialsSent.Count > 0 && e.Api == run.Contract.Id))
        {
            if (e.BlockedRedirect is not null && !e.IsSameEntry(success))
            {
                redirected.Add(e);
            }

            if (Uri.TryCreate(e.Url, UriKind.Absolute, out var u) && CredentialSet.OriginOf(u) != apiOrigin)
            {
                leaked.Add(e);
            }
        }

        foreach (var e in redirected)
        {
            run.Fail($"the authenticated call ({e.Purpose})", new CrossOriginRedirect(e.Status ?? 0, e.BlockedRedirect!), basis, run.Keep(e));
        }

        foreach (var e in leaked)
        {
            run.Fail(new CredentialExposure(apiOrigin, [.. e.CredentialsSent], e.Url), basis, e);
        }

        if (success.Status is null && redirected.Count == 0 && leaked.Count == 0)
        {
            // An authenticated call that got no answer was not seen to stay on its origin, nor not to.
            CheckRun.Skip($"the authenticated call of scenario '{run.Element.Name}' got no answer ({success.Error}): whether it is sent to another origin was not seen");
        }

        run.Note($"{run.Context.Http.Log.Count} requests so far in this run; none sent a credential outside {apiOrigin}" + (leaked.Count > 0 ? " — except the ones reported" : ""));
    }
}
