using System.Text.Json;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.Checks;

/// <summary>Base for checks that apply once per scenario the requirement names.</summary>
public abstract class PerScenarioCheck : ICheck
{
    public abstract string Kind { get; }

    public virtual IReadOnlyList<Precondition> Preconditions => [];

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
            run.Fail(new NotJson(ProviderJson.Reason(ex, exchange.Body)), success.Basis, exchange);
            return;
        }

        var schema = run.Contract.BodySchemas[success.BodySchema];
        var violations = Contracts.SchemaValidator.Validate(schema, exchange.BodyText, out var inPart);
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
            run.Fail(new ValueMismatch(download.LinkPointer, "an absolute http(s) URL", $"'{raw}'"), download.LinkBasis ?? download.Basis, exchange);
        }
        else
        {
            run.Note($"link host: {uri.Authority}");
        }
    }
}

/// <summary>JSON responses say so in their Content-Type.</summary>
public sealed class JsonContentTypeCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "json-content-type";

    public override string Kind => KindName;

    public override IReadOnlyList<Precondition> Preconditions => [Precondition.SuccessfulCall];

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var success = EndpointOf(run).Success;
        var exchange = run.Keep(await run.Require.SuccessAsync(run.Element.Name, ct));
        var media = Expect.MediaType(exchange.ContentType);
        if (media != Expect.MediaType(success.ContentType))
        {
            run.Fail(new HeaderMismatch("Content-Type", success.ContentType, exchange.ContentType), success.ContentTypeBasis ?? success.Basis, exchange);
        }
    }
}
