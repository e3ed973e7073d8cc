using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Running;
using ConformanceSuite.Targets;
using Microsoft.OpenApi;

namespace ConformanceSuite.Engine.OpenApi;

/// <summary>The serialisation of an exported document.</summary>
public enum OpenApiFormat
{
    Json,
    Yaml,
}

/// <summary>What to export: one API's contract, as a target profile has it in force.</summary>
public sealed record OpenApiExportSettings
{
    /// <summary>The API id (a folder of <c>schemas/</c>).</summary>
    public required string Api { get; init; }

    /// <summary>The target profile whose overrides apply: a name under <c>targets/</c> or a file path.</summary>
    public string Target { get; init; } = TargetProfiles.EmbeddedName;

    /// <summary>The contract data; null finds it (see <see cref="RepositoryLayout.Discover"/>).</summary>
    public string? ContractsDirectory { get; init; }
}

/// <summary>Where an exported contract comes from: the target whose overrides it carries, and the contract before them.</summary>
public sealed record OpenApiExportOrigin
{
    /// <summary>The target profile's name.</summary>
    public required string TargetName { get; init; }

    /// <summary>The profile's overrides of this API (as written in the profile), or null.</summary>
    public JsonNode? Overrides { get; init; }

    /// <summary>The contract without the overrides, to name what they renamed, moved or replaced; null when there are none.</summary>
    public ApiContract? Canonical { get; init; }
}

/// <summary>
/// Exports the contract in force for one API as an OpenAPI 3.1 document: paths and operations, parameters
/// (as renamed) with their types, enums, defaults and bounds, the security schemes, the success body schemas
/// inlined as components, CSV content, the error statuses the contract names, and <c>x-</c> extensions for
/// what OpenAPI cannot say (pagination, filter semantics, assumptions and the basis of every element).
/// </summary>
public static class OpenApiExporter
{
    /// <summary>Loads the contract in force (through the engine's plan, so a profile's overrides apply) and exports it.</summary>
    /// <exception cref="ConfigurationException">The API, the profile or the contract is wrong (one clear message).</exception>
    public static OpenApiDocument Export(OpenApiExportSettings settings)
    {
        var layout = RepositoryLayout.Discover(settings.ContractsDirectory);
        var known = layout.ApiIds();
        if (!known.Contains(settings.Api, StringComparer.Ordinal))
        {
            throw new ConfigurationException($"Unknown API '{settings.Api}'. Known APIs: {(known.Count == 0 ? "none" : string.Join(", ", known))}.");
        }

        var plan = ConformanceEngine.Plan(new RunSettings { Target = settings.Target, Apis = [settings.Api], ContractsDirectory = layout.Root });
        var contract = plan.Catalog.Contracts[settings.Api];
        var overrides = plan.Profile is { } profile ? TargetProfiles.Overrides(profile).GetValueOrDefault(settings.Api) : null;
        return Build(contract, new OpenApiExportOrigin
        {
            TargetName = plan.TargetName,
            Overrides = overrides,
            Canonical = overrides is null ? null : new ContractLoader(plan.Layout).Load(settings.Api),
        });
    }

    /// <summary>The document of a loaded contract.</summary>
    public static OpenApiDocument Build(ApiContract contract, OpenApiExportOrigin origin) => new DocumentBuilder(contract, origin).Build();

    /// <summary>The document as JSON or YAML text, ending with a line break.</summary>
    public static async Task<string> SerializeAsync(OpenApiDocument document, OpenApiFormat format, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var text = format == OpenApiFormat.Yaml
            ? await document.SerializeAsYamlAsync(OpenApiSpecVersion.OpenApi3_1, ct)
            : await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, ct);
        return text.EndsWith('\n') ? text : text + "\n";
    }

    /// <summary>YAML for a file named <c>*.yaml</c> or <c>*.yml</c>; JSON otherwise (and for stdout).</summary>
    public static OpenApiFormat FormatFor(string? file) =>
        file is not null && (file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            ? OpenApiFormat.Yaml
            : OpenApiFormat.Json;
}
