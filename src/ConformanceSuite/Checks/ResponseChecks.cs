using System.Text.Json;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.Checks;

/// <summary>Base for checks that apply once per scenario the requirement names.</summary>
public abstract class PerScenarioCheck : ICheck
{
    public abstract string Kind { get; }

    public virtual IReadOnlyList<Precondition> Preconditions => [];

    public virtual bool JudgesOtherCasesRequests => false;

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) =>
        requirement.Check!.Scenarios.Select(s => new CaseElement(s));

    public abstract Task RunAsync(CheckRun run, CancellationToken ct);

    protected static EndpointSpec EndpointOf(CheckRun run) =>
        run.Contract.Endpoint(run.Contract.Scenario(run.Element.Name).Endpoint);
}

/// <summary>A valid call answers the success status with a body that validates against the body schema.</summary>
public sealed class SuccessBodySchemaCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "success-body-schema";

    public override string Kind => KindName;

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var success = EndpointOf(run).Success;
        var exchange = run.Keep(await run.Context.Probes.SuccessAsync(run.Element.Name, ct));
        if (exchange.Status != success.Status || exchange.Error is not null)
        {
            run.Fail(Finding.OfResponse(success.Status, exchange), success.Basis, exchange);
            return;
        }

        try
        {
            using var _ = ProviderJson.Document(exchange.Body);
        }
        catch (JsonException ex)
        {
            run.Fail(NotJson.Of(ex, exchange.Body), success.Basis, exchange);
            return;
        }

        var schema = run.Contract.BodySchemas[success.BodySchema];
        var violations = Contracts.SchemaValidator.Validate(schema, exchange.BodyText, out var inPart, run.Context.Http.Settings.PatternTimeout);
        foreach (var violation in violations)
        {
            run.Fail(SchemaViolationFinding.Of(success.BodySchema, violation), success.Basis, exchange);
        }

        if (inPart is not null)
        {
            run.CheckedInPart(inPart);
        }
    }
}

/// <summary>The download link in the success body is an absolute http(s) URL.</summary>
public sealed class DownloadLinkUrlCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "download-link-url";

    public override string Kind => KindName;

    public override IReadOnlyList<Precondition> Preconditions => [Precondition.SuccessfulCall];

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var download = EndpointOf(run).Download ?? throw new ConfigurationException($"{run.Requirement.Id}: endpoint has no download");
        var exchange = run.Keep(await run.Require.SuccessAsync(run.Element.Name, ct));
        var raw = Probes.ReadString(exchange, download.LinkPointer);
        if (raw is null)
        {
            CheckRun.Skip($"precondition not met: the body has no string at {download.LinkPointer} (judged by the body schema requirement)");
        }

        // Formats.IsAbsoluteUri first: .NET on Unix takes "/files/x.csv" for an absolute file: URI.
        if (!Contracts.Formats.IsAbsoluteUri(raw) || !Uri.TryCreate(raw, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            var why = Contracts.Formats.HasSpaceOrControl(raw) ? ", which holds a space or a control character (no URL does; .NET would trim or escape it)" : "";
            run.Fail(new ValueMismatch(download.LinkPointer, "an absolute http(s) URL", $"'{raw}'{why}"), download.LinkBasis ?? download.Basis, exchange);
        }
        else
        {
            run.Note($"link host: {uri.Authority}");
        }
    }
}

/// <summary>
/// Every JSON response of the API says so in its Content-Type: not only each scenario's valid call, but every
/// successful response the run read whole for the API (the pages of every walk, the fetches, a probe the provider
/// accepted), so a provider that labels only its first page right does not pass. It judges the API's traffic
/// up to its case, so requirements place it after the API's other cases, before the traffic checks.
/// </summary>
public sealed class JsonContentTypeCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "json-content-type";

    /// <summary>How many wrongly labelled responses are named one by one; the rest are counted.</summary>
    private const int Named = 10;

    public string Kind => KindName;

    public IReadOnlyList<Precondition> Preconditions => [Precondition.SuccessfulCall];

    /// <summary>One case: the API's JSON responses as a whole, each scenario's valid call among them.</summary>
    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) => [new CaseElement("every JSON response")];

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var success = run.Requirement.Check!.Scenarios.Select(s => run.Contract.Endpoint(run.Contract.Scenario(s).Endpoint).Success).ToList();
        foreach (var scenario in run.Requirement.Check.Scenarios)
        {
            // Made (or taken from the run's cache) first, so a run of this requirement alone judges them too.
            run.Keep(await run.Require.SuccessAsync(scenario, ct));
        }

        var expected = success.Select(s => Expect.MediaType(s.ContentType)).ToHashSet(StringComparer.Ordinal);
        var (judged, wrong) = (0, 0);
        // Read whole, answered with success, the checks' own: what the suite read as the API's JSON (a download or
        // an export is streamed, and the Pact relay's traffic is the verifier's).
        foreach (var e in run.Context.Http.Log.Entries.Where(e => e.Api == run.Contract.Id && e.Channel is null && !e.Streamed && e.IsSuccess && e.Error is null))
        {
            judged++;
            if (expected.Contains(Expect.MediaType(e.ContentType)))
            {
                continue;
            }

            if (++wrong <= Named)
            {
                run.Fail(e.Purpose, new HeaderMismatch("Content-Type", success[0].ContentType, e.ContentType), success[0].ContentTypeBasis ?? success[0].Basis, e);
            }
        }

        run.Note($"{judged} JSON responses of the run judged{(wrong > Named ? $"; {wrong} carry another Content-Type (the first {Named} are shown)" : "")}");
    }
}
