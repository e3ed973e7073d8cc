using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ConformanceSuite.Contracts;

/// <summary>
/// Loads an API's contract and the files it names, validating each against its format schema
/// (so a malformed file fails with file, JSON pointer and reason) and then cross-checking references.
/// </summary>
public sealed class ContractLoader
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        // A contract names a filter's kind and a pagination's style wherever it likes in the object.
        AllowOutOfOrderMetadataProperties = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { RefuseOtherVariantsMembers } },
    };

    /// <summary>
    /// A variant record (a filter kind, a pagination style) refuses a member it does not have, so a member that
    /// belongs to another variant is a load error with its pointer rather than silently ignored.
    /// </summary>
    private static void RefuseOtherVariantsMembers(JsonTypeInfo info)
    {
        if (info.Kind == JsonTypeInfoKind.Object && (info.Type.IsAssignableTo(typeof(FilterSpec)) || info.Type.IsAssignableTo(typeof(PaginationSpec))))
        {
            info.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        }
    }

    private readonly RepositoryLayout layout;
    private readonly IReadOnlySet<string>? knownCheckKinds;

    /// <param name="layout">Where the data lives.</param>
    /// <param name="knownCheckKinds">When given, a requirement naming another check kind is an error.</param>
    public ContractLoader(RepositoryLayout layout, IReadOnlySet<string>? knownCheckKinds = null)
    {
        this.layout = layout;
        this.knownCheckKinds = knownCheckKinds;
    }

    /// <param name="apiId">The API (a folder of schemas/).</param>
    /// <param name="overlay">The target's overrides of its contract, if any.</param>
    /// <param name="overlayFile">The target profile the overrides come from (at <c>/apis/&lt;apiId&gt;/overrides</c>), named by an error in them; null names the contract.</param>
    public ApiContract Load(string apiId, JsonNode? overlay = null, string? overlayFile = null)
    {
        var folder = layout.ApiSchemas(apiId);
        var file = Path.Combine(folder, "contract.json");
        if (!File.Exists(file))
        {
            var known = Directory.Exists(layout.Schemas) ? string.Join(", ", layout.ApiIds()) : "none";
            throw new ConfigurationException($"Unknown API '{apiId}': no {file}. Known APIs: {known}.");
        }

        return LoadFile(file, overlay, overlayFile is null ? null : (overlayFile, ContractOverrides.ProfilePointer(apiId)));
    }

    /// <param name="file">The contract file.</param>
    /// <param name="overlay">The target's overrides of the contract, if any.</param>
    /// <param name="overlaySource">Where the overrides were written (the profile and the pointer of the overrides object), named by an error in them; null names the contract.</param>
    public ApiContract LoadFile(string file, JsonNode? overlay = null, (string File, string Pointer)? overlaySource = null) =>
        overlay is null ? LoadedContracts.GetOrLoad(file, layout, knownCheckKinds, () => LoadFresh(file, null, null)) : LoadFresh(file, overlay, overlaySource);

    private ApiContract LoadFresh(string file, JsonNode? overlay, (string File, string Pointer)? overlaySource)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var node = ReadValidated(file, "contract.schema.json");
        if (overlay is not null)
        {
            node = ContractOverrides.ApplyToContract(node, overlay, overlaySource?.File ?? file + " (with the target's overrides)", overlaySource?.Pointer ?? "/overrides");
            // The contract as the overrides made it: its pointer is into that, and the file the user wrote is named beside it.
            SchemaValidator.EnsureValid(overlaySource is { } source ? $"{file} (with the overrides at {source.Pointer} of {source.File})" : file + " (with the target's overrides)",
                node, layout.FormatSchema("contract.schema.json"));
        }

        var contract = Bind<ApiContract>(file, node) with { Folder = folder, Overridden = overlay is not null };

        var requirementsFile = Path.Combine(folder, node["requirements"]!.GetValue<string>());
        var catalogue = Bind<RequirementCatalogue>(requirementsFile,
            ContractOverrides.ApplyToRequirements(ReadValidated(requirementsFile, "requirements.schema.json"), overlay));
        if (catalogue.Api != contract.Id)
        {
            throw new ConfigurationException(requirementsFile, "/api", $"names API '{catalogue.Api}', but the contract is '{contract.Id}'");
        }

        var findings = Array.Empty<DocFinding>() as IReadOnlyList<DocFinding>;
        if (node["docFindings"]?.GetValue<string>() is { } findingsName)
        {
            var findingsFile = Path.Combine(folder, findingsName);
            findings = Bind<DocFindingList>(findingsFile, ReadValidated(findingsFile, "doc-findings.schema.json")).Findings;
            CheckFindings(findingsFile, findings, contract, catalogue.Requirements);
        }

        var bodySchemas = new BodySchemaDictionary();
        var csvSpecs = new Dictionary<string, CsvSpec>(StringComparer.Ordinal);
        for (var i = 0; i < contract.Endpoints.Count; i++)
        {
            var endpoint = contract.Endpoints[i];
            var schemaFile = Path.Combine(folder, endpoint.Success.BodySchema);
            if (!File.Exists(schemaFile))
            {
                throw new ConfigurationException(file, $"/endpoints/{i}/success/bodySchema", $"names {endpoint.Success.BodySchema}, which does not exist");
            }

            bodySchemas.Add(endpoint.Success.BodySchema, schemaFile, eager: !layout.IsValidated(schemaFile));
            if (endpoint.Success.ItemSchema is { } itemSchema)
            {
                var itemFile = Path.Combine(folder, itemSchema);
                if (!File.Exists(itemFile))
                {
                    throw new ConfigurationException(file, $"/endpoints/{i}/success/itemSchema", $"names {itemSchema}, which does not exist");
                }

                bodySchemas.Add(itemSchema, itemFile, eager: !layout.IsValidated(itemFile));
            }

            if (endpoint.Download is { } download)
            {
                var specFile = Path.Combine(folder, download.CsvSpec);
                if (!File.Exists(specFile))
                {
                    throw new ConfigurationException(file, $"/endpoints/{i}/download/csvSpec", $"names {download.CsvSpec}, which does not exist");
                }

                csvSpecs[download.CsvSpec] = ReadCsvSpec(specFile);
            }

            foreach (var (format, export) in endpoint.Exports?.Formats ?? new Dictionary<string, ExportFormat>())
            {
                if (export.CsvSpec is not { } csvSpec)
                {
                    continue;
                }

                var specFile = Path.Combine(folder, csvSpec);
                if (!File.Exists(specFile))
                {
                    throw new ConfigurationException(file, $"/endpoints/{i}/exports/formats/{format}/csvSpec", $"names {csvSpec}, which does not exist");
                }

                csvSpecs[csvSpec] = ReadCsvSpec(specFile);
            }
        }

        var result = contract with
        {
            Requirements = catalogue.Requirements.Select(r => r with { Api = contract.Id }).ToList(),
            DocFindings = findings,
            BodySchemas = bodySchemas,
            CsvSpecs = csvSpecs,
        };
        new ContractCrossCheck(result, file, requirementsFile, knownCheckKinds).Run();
        return result;
    }

    /// <summary>
    /// A CSV spec no file could follow is the contract's error, not the provider's: a delimiter that quotes or ends a line
    /// (no CSV can use it; the parser refuses it), a column named twice (its header would break the spec's own rule), or
    /// a pattern that is no regular expression (compiled once here).
    /// </summary>
    private CsvSpec ReadCsvSpec(string specFile)
    {
        var spec = Bind<CsvSpec>(specFile, ReadValidated(specFile, "csv-spec.schema.json"));
        if (spec.Delimiter is "\"" or "\r" or "\n")
        {
            throw new ConfigurationException(specFile, "/delimiter", spec.Delimiter == "\""
                ? "the delimiter '\"' is the quote character: no CSV can use it"
                : $"the delimiter '{(spec.Delimiter == "\r" ? "\\r" : "\\n")}' ends a line: no CSV can use it");
        }

        for (var j = 0; j < spec.Columns.Count; j++)
        {
            if (spec.Columns.Take(j).Any(c => c.Name == spec.Columns[j].Name))
            {
                throw new ConfigurationException(specFile, $"/columns/{j}/name", $"column '{spec.Columns[j].Name}' is named twice: a header that follows the spec would break its rule that each column is named once");
            }
        }

        for (var j = 0; j < spec.Columns.Count; j++)
        {
            if (spec.Columns[j].Rule is { Kind: "pattern", Pattern: { } pattern })
            {
                try
                {
                    _ = new System.Text.RegularExpressions.Regex(EcmaPattern.Translate(pattern), System.Text.RegularExpressions.RegexOptions.CultureInvariant);
                }
                catch (ArgumentException ex)
                {
                    throw new ConfigurationException(specFile, $"/columns/{j}/rule/pattern", $"not a valid regular expression: {ex.Message}");
                }
            }
        }

        return spec;
    }

    /// <summary>A doc finding names only requirements and doc sources that exist: a typo would silently detach it from what it explains.</summary>
    private static void CheckFindings(string file, IReadOnlyList<DocFinding> findings, ApiContract contract, IReadOnlyList<Requirement> requirements)
    {
        for (var i = 0; i < findings.Count; i++)
        {
            for (var j = 0; j < findings[i].Affects.Count; j++)
            {
                var id = findings[i].Affects[j];
                if (requirements.All(r => r.Id != id))
                {
                    throw new ConfigurationException(file, $"/findings/{i}/affects/{j}", $"finding {findings[i].Id} names requirement '{id}', which {contract.Id} does not have");
                }
            }

            for (var j = 0; j < findings[i].Sources.Count; j++)
            {
                var source = findings[i].Sources[j];
                if (!contract.Sources.ContainsKey(source))
                {
                    throw new ConfigurationException(file, $"/findings/{i}/sources/{j}", $"finding {findings[i].Id} names doc source '{source}', which the contract does not list");
                }
            }
        }
    }

    private JsonNode ReadValidated(string file, string formatSchema)
    {
        if (!File.Exists(file))
        {
            throw new ConfigurationException(file, "", "the file does not exist");
        }

        var node = SchemaValidator.ParseJson(file, InputFile.ReadAllText(file, "contract file"));
        var format = layout.FormatSchema(formatSchema);
        if (!layout.IsValidated(file, format))
        {
            SchemaValidator.EnsureValid(file, node, format);
        }

        return node;
    }

    private static T Bind<T>(string file, JsonNode node)
    {
        try
        {
            return node.Deserialize<T>(JsonOptions) ?? throw new ConfigurationException(file, "", "empty document");
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException(file, Pointer(ex.Path), ex.Message.Split(" Path: ")[0]);
        }
    }

    /// <summary>A JSON path of System.Text.Json (<c>$.endpoints[0].parameters[3].filter</c>) as a JSON pointer (<c>/endpoints/0/parameters/3/filter</c>).</summary>
    private static string Pointer(string? path) =>
        System.Text.RegularExpressions.Regex.Replace((path ?? "$").TrimStart('$'), @"\[(\d+)\]|\['([^']*)'\]|\.([^.\[]+)", m =>
            "/" + (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value));

    private sealed record RequirementCatalogue
    {
        public required string Api { get; init; }

        public required IReadOnlyList<Requirement> Requirements { get; init; }
    }

    private sealed record DocFindingList
    {
        public required IReadOnlyList<DocFinding> Findings { get; init; }
    }
}
