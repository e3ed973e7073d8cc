using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConformanceSuite.Contracts;
using ConformanceSuite.Running;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace ConformanceSuite.Engine.OpenApi;

/// <summary>Builds one API's OpenAPI document from its contract; see <see cref="OpenApiExporter"/>.</summary>
internal sealed class DocumentBuilder
{
    private readonly ApiContract contract;
    private readonly OpenApiExportOrigin origin;
    private readonly OpenApiDocument doc = new();
    private readonly SchemaInliner schemas;

    /// <summary>The profile's renames, new name to contract name.</summary>
    private readonly Dictionary<string, string> canonicalNames = new(StringComparer.Ordinal);

    public DocumentBuilder(ApiContract contract, OpenApiExportOrigin origin)
    {
        this.contract = contract;
        this.origin = origin;
        schemas = new SchemaInliner(contract.Folder);
        foreach (var (from, to) in origin.Overrides?["parameterNames"] as JsonObject ?? [])
        {
            if (to is JsonValue v && v.TryGetValue<string>(out var name))
            {
                canonicalNames[name] = from;
            }
        }
    }

    public OpenApiDocument Build()
    {
        doc.Info = new OpenApiInfo
        {
            Title = contract.Title,
            Version = ToolInfo.AssemblyVersion,
            Description = Description(),
        };
        // The provider's base URL belongs to a target profile, not to the contract: a relative server keeps the
        // document the same for every provider (and sends no "try it" call to a production host by default).
        doc.Servers = [new OpenApiServer { Url = "/", Description = "The provider's base URL (a target profile's baseUrl, which may carry a path prefix) goes in front of every path." }];
        doc.Tags = new HashSet<OpenApiTag> { new() { Name = contract.Id, Description = contract.Title } };
        doc.Components = new OpenApiComponents
        {
            Schemas = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
            SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal),
        };
        doc.Paths = new OpenApiPaths();

        AddSecuritySchemes();
        var bodies = contract.Endpoints.ToDictionary(e => e.Id, BodyComponents, StringComparer.Ordinal);
        schemas.EnsureResolved();
        AddSchemaComponents();
        foreach (var endpoint in contract.Endpoints)
        {
            if (!doc.Paths.TryGetValue(endpoint.Path, out var item))
            {
                doc.Paths[endpoint.Path] = item = new OpenApiPathItem { Operations = new() };
            }

            ((OpenApiPathItem)item).Operations![new HttpMethod(endpoint.Method)] = Operation(endpoint, bodies[endpoint.Id]);
        }

        doc.Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal);
        X(doc.Extensions, "x-api-id", contract.Id);
        X(doc.Extensions, "x-sources", new JsonObject(contract.Sources.Select(s => KeyValuePair.Create<string, JsonNode?>(s.Key, new JsonObject
        {
            ["title"] = s.Value.Title,
            ["file"] = s.Value.File,
            ["canonical"] = s.Value.Canonical,
        }))));
        X(doc.Extensions, "x-assumptions", new JsonArray(contract.Assumptions.Select(a => (JsonNode)new JsonObject
        {
            ["id"] = a.Id,
            ["topic"] = a.Topic,
            ["default"] = a.Default,
        }).ToArray()));
        var target = new JsonObject { ["name"] = origin.TargetName };
        if (origin.Overrides is { } overrides)
        {
            target["overrides"] = overrides.DeepClone();
        }

        X(doc.Extensions, "x-target", target);
        X(doc.Extensions, "x-generated-by", $"ConformanceSuite {ToolInfo.AssemblyVersion}");
        return doc;
    }

    private string Description()
    {
        var overridden = origin.Overrides is null
            ? $"The target profile '{origin.TargetName}' overrides nothing of it."
            : $"With the overrides of the target profile '{origin.TargetName}' (x-target): renamed parameters keep their contract name in x-canonical-name, moved paths in x-canonical-path, replaced enums in x-canonical-enum.";
        return $"""
            {contract.Title}, exported by ConformanceSuite from its contract (schemas/{contract.Id}/contract.json). {overridden}

            The contract keeps apart what the vendor documents and what the project assumes where the documentation is silent: x-basis on an element names its documentation page (a key of x-sources) or the assumption it rests on (an id of x-assumptions, with its topic and default). Every assumption is a default a target profile may override.

            Extensions say what OpenAPI cannot: x-pagination (the paging style and where its cursor, items and total are), x-filter (what a parameter does to the items of a list), x-sort, x-controls and x-selects (what a parameter does to the body), x-rejection (how an invalid value is refused), x-exports and x-download (the CSV and other downloads).
            """;
    }

    private void AddSecuritySchemes()
    {
        foreach (var credential in contract.Auth.Credentials)
        {
            var extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal);
            X(extensions, "x-basis", Basis(credential.Basis));
            OpenApiSecurityScheme scheme;
            if (credential.Scheme is { } prefix && string.Equals(credential.Name, "Authorization", StringComparison.OrdinalIgnoreCase))
            {
                scheme = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = prefix.ToLowerInvariant(), Description = credential.Description };
            }
            else
            {
                // OpenAPI's http schemes live in the Authorization header only; any other header is an API key.
                scheme = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    Name = credential.Name,
                    In = ParameterLocation.Header,
                    Description = credential.Scheme is null ? credential.Description : $"{credential.Description} (sent as '{credential.Scheme} <value>')".TrimStart(),
                };
                if (credential.Scheme is not null)
                {
                    X(extensions, "x-value-prefix", credential.Scheme + " ");
                }
            }

            scheme.Extensions = extensions;
            doc.Components!.SecuritySchemes![credential.Name] = scheme;
        }
    }

    /// <summary>The components of an endpoint's body and item schemas (the item's required fields carry their basis).</summary>
    private Body BodyComponents(EndpointSpec endpoint)
    {
        var body = schemas.Add(endpoint.Success.BodySchema);
        var item = endpoint.Success.ItemSchema is { } itemFile ? schemas.Add(itemFile) : body;
        if (endpoint.Success.ItemRequiredBasis is { } basis)
        {
            schemas.Components[item]["x-required-basis"] = Basis(basis);
        }

        var fields = (schemas.Components[item]["properties"] as JsonObject ?? []).Select(p => p.Key).ToList();
        return new Body(body, (string?)schemas.Components[body]["title"] ?? "Success", fields);
    }

    /// <summary>An endpoint's body component, its title, and the field names of its items.</summary>
    private sealed record Body(string Component, string Title, IReadOnlyList<string> ItemFields);

    private void AddSchemaComponents()
    {
        var reader = new OpenApiJsonReader();
        foreach (var (name, node) in schemas.Components)
        {
            var schema = reader.ReadFragment<OpenApiSchema>(node, OpenApiSpecVersion.OpenApi3_1, doc, out var diagnostic);
            if (schema is null || diagnostic.Errors.Count > 0)
            {
                throw new ConfigurationException($"{contract.Id}: the body schema {(string?)node["x-contract-file"]} cannot be read as an OpenAPI 3.1 schema: {string.Join("; ", diagnostic.Errors)}");
            }

            doc.Components!.Schemas![name] = schema;
        }
    }

    private OpenApiOperation Operation(EndpointSpec endpoint, Body body)
    {
        var canonical = origin.Canonical?.Endpoints.FirstOrDefault(e => e.Id == endpoint.Id);
        var operation = new OpenApiOperation
        {
            OperationId = endpoint.Id,
            Summary = Humanize(endpoint.Id),
            Tags = new HashSet<OpenApiTagReference> { new(contract.Id, doc) },
            Parameters = endpoint.Parameters.Select(p => (IOpenApiParameter)Parameter(p, canonical, body)).ToList(),
            Responses = Responses(endpoint, body),
            Security = [Security()],
            Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal),
        };
        X(operation.Extensions, "x-basis", Basis(endpoint.Basis));
        if (canonical is not null && canonical.Path != endpoint.Path)
        {
            X(operation.Extensions, "x-canonical-path", canonical.Path);
        }

        if (endpoint.RequestHeaders.Count > 0)
        {
            // OpenAPI ignores header parameters named Content-Type, so the headers the docs ask for on every call go here.
            X(operation.Extensions, "x-request-headers", new JsonObject(endpoint.RequestHeaders.Select(h => KeyValuePair.Create<string, JsonNode?>(h.Key, h.Value))));
        }

        if (endpoint.Pagination is { } pagination)
        {
            X(operation.Extensions, "x-pagination", Pagination(pagination));
        }

        if (endpoint.Exports is { } exports)
        {
            X(operation.Extensions, "x-exports", Exports(exports));
        }

        return operation;
    }

    private OpenApiSecurityRequirement Security()
    {
        var requirement = new OpenApiSecurityRequirement();
        foreach (var credential in contract.Auth.Credentials)
        {
            requirement[new OpenApiSecuritySchemeReference(credential.Name, doc)] = [];
        }

        return requirement;
    }

    private OpenApiParameter Parameter(ParameterSpec p, EndpointSpec? canonicalEndpoint, Body body)
    {
        var location = p.In switch
        {
            "query" => ParameterLocation.Query,
            "path" => ParameterLocation.Path,
            "header" => ParameterLocation.Header,
            _ => throw new ConfigurationException($"{contract.Id}: parameter '{p.Name}' is in '{p.In}', which OpenAPI does not know"),
        };
        var value = ValueSchema(p);
        if (p.Selects is not null && p.Enum.Count == 0 && body.ItemFields.Count > 0)
        {
            // It selects record fields: their names are the item schema's properties.
            value.Enum = body.ItemFields.Select(f => (JsonNode)f).ToList();
        }

        if (p.Sort is { } sortKeys && p.Enum.Count == 0)
        {
            // A sort key with an optional direction prefix, as a pattern (ECMA-262) on each item.
            var prefixes = string.Join('|', new[] { sortKeys.AscPrefix, sortKeys.DescPrefix }.Where(x => x.Length > 0).Select(Regex.Escape));
            var keys = string.Join('|', sortKeys.Fields.Keys.Select(Regex.Escape));
            value.Pattern = prefixes.Length == 0 ? $"^(?:{keys})$" : $"^(?:{prefixes})?(?:{keys})$";
        }

        var parameter = new OpenApiParameter
        {
            Name = p.Name,
            In = location,
            Required = p.Required || location == ParameterLocation.Path,
            Description = p.Description,
            Schema = p.List ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = value } : value,
            Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal),
        };
        if (p.List)
        {
            // A comma-separated list: form (query) or simple (path, header) style, not exploded.
            parameter.Style = location == ParameterLocation.Query ? ParameterStyle.Form : ParameterStyle.Simple;
            parameter.Explode = false;
        }

        if (p.Default is { } defaultText)
        {
            ((OpenApiSchema)parameter.Schema).Default = p.List ? new JsonArray(Items(defaultText).Select(v => Typed(p, v, "default")).ToArray()) : Typed(p, defaultText, "default");
        }

        if (p.Examples.Count > 0)
        {
            ((OpenApiSchema)parameter.Schema).Examples = p.Examples
                .Select(e => p.List ? new JsonArray(Items(e).Select(v => Typed(p, v, "example")).ToArray()) : Typed(p, e, "example"))
                .ToList();
        }

        var x = parameter.Extensions;
        X(x, "x-basis", Basis(p.Basis));
        X(x, "x-name-basis", p.NameBasis is null ? null : Basis(p.NameBasis));
        X(x, "x-enum-basis", p.EnumBasis is null ? null : Basis(p.EnumBasis));
        var canonicalName = canonicalNames.GetValueOrDefault(p.Name) ?? p.Name;
        if (canonicalName != p.Name)
        {
            X(x, "x-canonical-name", canonicalName);
        }

        if (canonicalEndpoint?.Parameters.FirstOrDefault(c => c.Name == canonicalName) is { } canonical && !canonical.Enum.SequenceEqual(p.Enum, StringComparer.Ordinal))
        {
            X(x, "x-canonical-enum", new JsonArray(canonical.Enum.Select(v => (JsonNode)v).ToArray()));
        }

        X(x, "x-filter", p.Filter is null ? null : Filter(p.Filter));
        if (p.Controls is { } controls)
        {
            X(x, "x-controls", new JsonObject
            {
                ["member"] = controls.Member,
                ["description"] = $"true: the body has {controls.Member}; false or absent: it has not",
                ["basis"] = Basis(controls.Basis),
            });
        }

        if (p.Selects is { } selects)
        {
            X(x, "x-selects", new JsonObject
            {
                ["description"] = "selects the record fields returned (names of the item schema's properties)",
                ["basis"] = Basis(selects.Basis),
            });
        }

        if (p.Sort is { } sort)
        {
            var xSort = new JsonObject
            {
                ["fields"] = new JsonObject(sort.Fields.Select(f => KeyValuePair.Create<string, JsonNode?>(f.Key, f.Value))),
                ["ascPrefix"] = sort.AscPrefix,
                ["descPrefix"] = sort.DescPrefix,
                ["description"] = $"sort keys, each with an optional '{sort.AscPrefix}' (ascending) or '{sort.DescPrefix}' (descending) in front (URL-encoded in the query, as '+' would read as a space); fields maps each key to the item field it sorts by",
                ["basis"] = Basis(sort.Basis),
            };
            if (sort.TextOrderBasis is { } textOrder)
            {
                xSort["textOrderBasis"] = Basis(textOrder);
            }

            X(x, "x-sort", xSort);
        }

        X(x, "x-rejection", p.Rejection is null ? null : Rejection(p.Rejection));
        if (p.InvalidExamples.Count > 0)
        {
            X(x, "x-invalid-examples", new JsonArray(p.InvalidExamples.Select(v => (JsonNode)v).ToArray()));
        }

        return parameter;
    }

    /// <summary>The schema of one value: type and format, enum, bounds.</summary>
    private OpenApiSchema ValueSchema(ParameterSpec p)
    {
        var schema = p.Type switch
        {
            "integer" => new OpenApiSchema { Type = JsonSchemaType.Integer },
            "number" => new OpenApiSchema { Type = JsonSchemaType.Number },
            "boolean" => new OpenApiSchema { Type = JsonSchemaType.Boolean },
            "date-time" => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
            "uuid" => new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" },
            "string" => new OpenApiSchema { Type = JsonSchemaType.String },
            _ => throw new ConfigurationException($"{contract.Id}: parameter '{p.Name}' has the type '{p.Type}', which the export does not know"),
        };
        var allBooleans = p.Type == "boolean" && p.Enum.Order(StringComparer.Ordinal).SequenceEqual(["false", "true"], StringComparer.Ordinal);
        if (p.Enum.Count > 0 && !allBooleans)
        {
            schema.Enum = p.Enum.Select(v => Typed(p, v, "enum value")).ToList();
        }

        if (p.Minimum is { } min)
        {
            schema.Minimum = min.ToString(CultureInfo.InvariantCulture);
        }

        if (p.Maximum is { } max)
        {
            schema.Maximum = max.ToString(CultureInfo.InvariantCulture);
        }

        return schema;
    }

    private JsonNode Typed(ParameterSpec p, string text, string what)
    {
        JsonNode? value = p.Type switch
        {
            "integer" => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? JsonValue.Create(l) : null,
            "number" => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? JsonValue.Create(d) : null,
            "boolean" => text switch { "true" => JsonValue.Create(true), "false" => JsonValue.Create(false), _ => null },
            _ => JsonValue.Create(text),
        };
        return value ?? throw new ConfigurationException($"{contract.Id}: parameter '{p.Name}' is of type {p.Type}, but its {what} '{text}' is not");
    }

    private static string[] Items(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static JsonObject Filter(FilterSpec filter)
    {
        var result = new JsonObject { ["kind"] = filter.Kind, ["description"] = FilterText(filter) };
        switch (filter)
        {
            case FieldFilter f:
                result["field"] = f.Field;
                if (f is DateBoundFilter bound)
                {
                    result["strict"] = bound.Strict;
                }

                break;
            case ContainsFilter c:
                result["fields"] = new JsonArray(c.Fields.Select(f => (JsonNode)f).ToArray());
                break;
            case DateRangeFilter r:
                result["startParameter"] = r.StartParameter;
                result["endParameter"] = r.EndParameter;
                result["rangeFields"] = new JsonObject(r.RangeFields.Select(f => KeyValuePair.Create<string, JsonNode?>(f.Key, f.Value)));
                if (r.OneBoundBasis is { } oneBound)
                {
                    result["oneBoundBasis"] = Basis(oneBound);
                }

                break;
        }

        result["basis"] = Basis(filter.Basis);
        return result;
    }

    /// <summary>What a filter keeps, in words (fields are JSON pointers within an item).</summary>
    private static string FilterText(FilterSpec filter) => filter switch
    {
        EqualsFilter f => $"keeps the items whose {f.Field} equals the value",
        PresenceFilter f => $"true keeps the items that have {f.Field} (present and not null); false keeps those that have not",
        AfterFilter f => $"keeps the items whose {f.Field} is {(f.Strict ? "strictly after" : "at or after")} the value",
        BeforeFilter f => $"keeps the items whose {f.Field} is {(f.Strict ? "strictly before" : "at or before")} the value",
        InFilter f => $"keeps the items whose {f.Field} is one of the values listed",
        AtLeastFilter f => $"keeps the items whose {f.Field} is at least the value",
        ContainsFilter f => $"keeps the items where {string.Join(" or ", f.Fields)} contains the value",
        DateRangeFilter f => $"names the item field that {f.StartParameter} and {f.EndParameter} bound (rangeFields maps each value to its field)",
        _ => filter.Kind,
    };

    private static JsonObject Rejection(Rejection rejection)
    {
        var result = new JsonObject { ["status"] = rejection.Status };
        if (rejection.Tolerated.Count > 0)
        {
            result["tolerated"] = new JsonArray(rejection.Tolerated.Select(t => (JsonNode)t).ToArray());
        }

        result["basis"] = Basis(rejection.Basis);
        return result;
    }

    private static JsonObject Pagination(PaginationSpec p)
    {
        var result = new JsonObject { ["style"] = p.Style };
        void Set(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                result[key] = value;
            }
        }

        var cursor = p as CursorPagination;
        var offset = p as OffsetPagination;
        Set("cursorParameter", cursor?.CursorParameter);
        Set("offsetParameter", offset?.OffsetParameter);
        Set("pageParameter", offset?.PageParameter);
        Set("limitParameter", offset?.LimitParameter);
        if (offset is { PageParameter: not null })
        {
            result["pageBase"] = offset.PageBase;
        }

        Set("itemsPointer", p.ItemsPointer);
        Set("nextPointer", cursor?.NextPointer);
        Set("totalPointer", offset?.TotalPointer);
        Set("idPointer", p.IdPointer);
        result["description"] = p switch
        {
            CursorPagination c => $"cursor paging: the items are at {c.ItemsPointer}; the next page is asked for with {c.CursorParameter}=<the value at {c.NextPointer}>, which is null on the last page",
            OffsetPagination o => $"offset paging: {string.Join(" or ", new[] { o.OffsetParameter, o.PageParameter is null ? null : $"{o.PageParameter} (the first page is {o.PageBase})" }.OfType<string>())}, "
                                  + $"with {o.LimitParameter} items a page; the items are at {o.ItemsPointer}" + (o.TotalPointer is null ? "" : $", the total at {o.TotalPointer}"),
            _ => p.Style,
        };
        result["basis"] = Basis(p.Basis);
        if (p.EmptyPageBasis is { } empty)
        {
            result["emptyPageBasis"] = Basis(empty);
        }

        if (offset?.FilteredTotalBasis is { } filteredTotal)
        {
            result["filteredTotalBasis"] = Basis(filteredTotal);
        }

        if (cursor?.StableCursorBasis is { } stable)
        {
            result["stableCursorBasis"] = Basis(stable);
        }

        return result;
    }

    private static JsonObject Exports(ExportsSpec exports)
    {
        var result = new JsonObject { ["formatParameter"] = exports.FormatParameter };
        if (exports.ZipParameter is not null)
        {
            result["zipParameter"] = exports.ZipParameter;
        }

        if (exports.FilenameParameter is not null)
        {
            result["filenameParameter"] = exports.FilenameParameter;
        }

        if (exports.FieldsParameter is not null)
        {
            result["fieldsParameter"] = exports.FieldsParameter;
        }

        result["defaultFilename"] = exports.DefaultFilename;
        var formats = new JsonObject();
        foreach (var (name, format) in exports.Formats)
        {
            var entry = new JsonObject { ["extension"] = format.Extension, ["contentType"] = format.ContentType };
            if (format.CsvSpec is not null)
            {
                entry["csvSpec"] = format.CsvSpec;
            }

            entry["basis"] = Basis(format.Basis);
            if (format.ContentTypeBasis is { } contentType)
            {
                entry["contentTypeBasis"] = Basis(contentType);
            }

            if (format.ValuesBasis is { } values)
            {
                entry["valuesBasis"] = Basis(values);
            }

            formats[name] = entry;
        }

        result["formats"] = formats;
        if (exports.Zip is { } zip)
        {
            result["zip"] = new JsonObject { ["contentType"] = zip.ContentType, ["basis"] = Basis(zip.Basis) };
        }

        if (exports.ContentDisposition is { } disposition)
        {
            result["contentDisposition"] = new JsonObject { ["basis"] = Basis(disposition.Basis) };
        }

        return result;
    }

    private OpenApiResponses Responses(EndpointSpec endpoint, Body body)
    {
        var errors = new SortedDictionary<int, ErrorResponse>();
        ErrorResponse At(int status) => errors.TryGetValue(status, out var e) ? e : errors[status] = new ErrorResponse();

        var names = string.Join(", ", contract.Auth.Credentials.Select(c => c.Name));
        var auth = contract.Auth.Rejection;
        At(auth.Status).Add($"Missing or wrong credentials ({names}).", auth.Basis);
        foreach (var tolerated in auth.Tolerated)
        {
            At(tolerated).Add($"Tolerated in place of {auth.Status} for missing or wrong credentials; reported as a deviation.", auth.Basis);
        }

        foreach (var group in endpoint.Parameters.Where(p => p.Rejection is not null).GroupBy(p => p.Rejection!.Status))
        {
            var which = string.Join(", ", group.Select(p => p.Required ? $"{p.Name} (missing or invalid)" : p.Name));
            var response = At(group.Key);
            response.Add($"Invalid input parameters: {which}.", group.Select(p => p.Rejection!.Basis).ToArray());
            response.Parameters.AddRange(group.Select(p => p.Name));
            foreach (var p in group)
            {
                foreach (var tolerated in p.Rejection!.Tolerated)
                {
                    At(tolerated).Add($"Tolerated in place of {group.Key} for an invalid {p.Name}; reported as a deviation.", p.Rejection.Basis);
                }
            }
        }

        if (endpoint.NotFound is { } notFound)
        {
            var pathParameters = endpoint.Parameters.Where(p => p.In == "path").Select(p => p.Name).ToList();
            At(notFound.Status).Add(pathParameters.Count == 0 ? "Not found." : $"Not found: no resource has that {string.Join(", ", pathParameters)}.", notFound.Basis);
            foreach (var tolerated in notFound.Tolerated)
            {
                At(tolerated).Add($"Tolerated in place of {notFound.Status} for something that does not exist; reported as a deviation.", notFound.Basis);
            }
        }

        var responses = new OpenApiResponses();
        var success = Success(endpoint, body);
        var successStatus = endpoint.Success.Status;
        foreach (var status in errors.Keys.Append(successStatus).Distinct().Order())
        {
            if (status == successStatus)
            {
                responses[status.ToString(CultureInfo.InvariantCulture)] = success;
                continue;
            }

            var error = errors[status];
            var extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal);
            X(extensions, "x-basis", Bases(error.Bases));
            if (error.Parameters.Count > 0)
            {
                X(extensions, "x-parameters", new JsonArray(error.Parameters.Distinct().Select(n => (JsonNode)n).ToArray()));
            }

            responses[status.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = string.Join(" ", error.Descriptions.Distinct()),
                Extensions = extensions,
            };
        }

        return responses;
    }

    private OpenApiResponse Success(EndpointSpec endpoint, Body body)
    {
        var spec = endpoint.Success;
        var content = new Dictionary<string, IOpenApiMediaType>(StringComparer.OrdinalIgnoreCase);
        var json = new OpenApiMediaType
        {
            Schema = new OpenApiSchemaReference(body.Component, doc),
            Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal),
        };
        X(json.Extensions, "x-basis", spec.ContentTypeBasis is null ? null : Basis(spec.ContentTypeBasis));
        content[spec.ContentType] = json;
        var response = new OpenApiResponse
        {
            Description = body.Title,
            Content = content,
            Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal),
        };
        X(response.Extensions, "x-basis", Basis(spec.Basis));

        if (endpoint.Exports is { } exports)
        {
            foreach (var group in exports.Formats.GroupBy(f => f.Value.ContentType, StringComparer.OrdinalIgnoreCase))
            {
                var formatNames = new JsonArray(group.Select(f => (JsonNode)f.Key).ToArray());
                var formatBases = Bases(group.Select(f => f.Value.Basis));
                if (content.TryGetValue(group.Key, out var existing))
                {
                    X(existing.Extensions!, "x-formats", formatNames);
                    X(existing.Extensions!, "x-format-basis", formatBases);
                    continue;
                }

                var media = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = $"the records as {string.Join(" or ", group.Select(f => f.Key))} ({exports.FormatParameter}=…)" },
                    Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal),
                };
                X(media.Extensions, "x-formats", formatNames);
                X(media.Extensions, "x-basis", formatBases);
                var csv = new JsonObject();
                foreach (var (name, format) in group.Where(f => f.Value.CsvSpec is not null))
                {
                    csv[name] = CsvSpec(format.CsvSpec!);
                }

                if (csv.Count > 0)
                {
                    X(media.Extensions, "x-csv", csv);
                }

                content[group.Key] = media;
            }

            if (exports.Zip is { } zip && exports.ZipParameter is { } zipParameter)
            {
                var media = new OpenApiMediaType { Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal) };
                X(media.Extensions, "x-zip", new JsonObject
                {
                    ["parameter"] = zipParameter,
                    ["description"] = $"{zipParameter}=true: an archive holding one entry, <{exports.FilenameParameter ?? "filename"} or {exports.DefaultFilename}>.<the format's extension>",
                });
                X(media.Extensions, "x-basis", Basis(zip.Basis));
                content[zip.ContentType] = media;
            }

            if (exports.ContentDisposition is { } disposition && exports.FilenameParameter is { } filename)
            {
                var header = new OpenApiHeader
                {
                    Description = $"With {filename}: attachment; filename=\"<{filename}>.<extension>\" (the format's extension, or zip).",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal),
                };
                X(header.Extensions, "x-basis", Basis(disposition.Basis));
                response.Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.OrdinalIgnoreCase) { ["Content-Disposition"] = header };
            }
        }

        if (endpoint.Download is { } download)
        {
            var csvContent = new JsonObject
            {
                ["text/csv"] = new JsonObject
                {
                    ["schema"] = new JsonObject { ["type"] = "string" },
                    ["x-csv"] = CsvSpec(download.CsvSpec),
                },
            };
            var node = new JsonObject
            {
                ["linkPointer"] = download.LinkPointer,
                ["description"] = $"the body's {download.LinkPointer} links to a CSV download, possibly on another origin; credentials: {download.Credentials}",
                ["credentials"] = download.Credentials,
                ["content"] = csvContent,
                ["basis"] = Basis(download.Basis),
            };
            if (download.LinkBasis is { } linkBasis)
            {
                node["linkBasis"] = Basis(linkBasis);
            }

            if (download.CredentialsBasis is { } credentialsBasis)
            {
                node["credentialsBasis"] = Basis(credentialsBasis);
            }

            X(response.Extensions, "x-download", node);
        }

        return response;
    }

    /// <summary>A CSV spec file as the contract has it (encoding, BOM, delimiter, columns and their rules, each with its basis).</summary>
    private JsonNode CsvSpec(string file)
    {
        var path = Path.Combine(contract.Folder, file);
        var node = SchemaValidator.ParseJson(path, InputFile.ReadAllText(path, "contract file"));
        if (node is JsonObject o)
        {
            o.Remove("$schema");
            o.Insert(0, "x-contract-file", file);
        }

        return node;
    }

    private static JsonObject Basis(Basis basis)
    {
        var result = new JsonObject();
        if (basis.Doc is not null)
        {
            result["doc"] = basis.Doc;
        }

        if (basis.Section is not null)
        {
            result["section"] = basis.Section;
        }

        if (basis.Assumption is not null)
        {
            result["assumption"] = basis.Assumption;
        }

        return result;
    }

    /// <summary>One basis as an object, several (distinct) as an array of them.</summary>
    private static JsonNode Bases(IEnumerable<Basis> bases)
    {
        var distinct = bases.DistinctBy(b => b.ToString()).ToList();
        return distinct.Count == 1 ? Basis(distinct[0]) : new JsonArray(distinct.Select(b => (JsonNode)Basis(b)).ToArray());
    }

    private static void X(IDictionary<string, IOpenApiExtension> extensions, string key, JsonNode? value)
    {
        if (value is not null)
        {
            extensions[key] = new JsonNodeExtension(value);
        }
    }

    /// <summary><c>list-sessions</c> is "List sessions".</summary>
    private static string Humanize(string id)
    {
        var words = id.Replace('-', ' ').Replace('_', ' ').Trim();
        return words.Length == 0 ? id : char.ToUpperInvariant(words[0]) + words[1..];
    }

    private sealed class ErrorResponse
    {
        public List<string> Descriptions { get; } = [];

        public List<Basis> Bases { get; } = [];

        public List<string> Parameters { get; } = [];

        public void Add(string description, params Basis[] bases)
        {
            Descriptions.Add(description);
            Bases.AddRange(bases);
        }
    }
}
