using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Csv;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>What the export checks share: the export spec, the JSON listing, and the CSV spec narrowed to the selected fields.</summary>
internal static class Exports
{
    public const int RowsCompared = 10_000;

    public static ExportsSpec Of(EndpointSpec endpoint) =>
        endpoint.Exports ?? throw new ConfigurationException($"endpoint '{endpoint.Id}' has no exports");

    /// <summary>The CSV spec with only the selected fields (in spec order), when the query selects some.</summary>
    public static CsvSpec Narrow(CsvSpec spec, ExportsSpec exports, IReadOnlyDictionary<string, string> query)
    {
        if (exports.FieldsParameter is not { } fields || !query.TryGetValue(fields, out var selection))
        {
            return spec;
        }

        var wanted = selection.Split(',').ToHashSet(StringComparer.Ordinal);
        return spec with { Columns = spec.Columns.Where(c => wanted.Contains(c.Name)).ToList() };
    }

    public static string Text(JsonNode? node) => JsonPointer.Text(node, "") ?? "";

    public static async Task<(HttpExchange Exchange, byte[]? Bytes)> DownloadAsync(CheckRun run, HttpCall call, CancellationToken ct)
    {
        var (exchange, bytes) = await run.Context.Http.StreamAsync(call, (ex, body) =>
        {
            using var buffer = new MemoryStream();
            body.CopyTo(buffer);
            return buffer.ToArray();
        }, ct);
        return (exchange, bytes);
    }
}

/// <summary>
/// Each CSV format of the export: the spec's BOM and delimiter, the header of the selected fields, the
/// same rows as the JSON listing of the same query, and only the header when the listing is empty.
/// </summary>
public sealed class ExportCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "export";

    public string Kind => KindName;

    public IReadOnlyList<Precondition> Preconditions { get; } = [Precondition.SuccessfulCall];

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) =>
        requirement.Check!.Scenarios.SelectMany(s =>
            Exports.Of(contract.Endpoint(contract.Scenario(s).Endpoint)).Formats.Where(f => f.Value.CsvSpec is not null).Select(f => new CaseElement(f.Key) { Scenario = s }));

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var (formatName, scenario) = (run.Element.Name, run.Element.Scenario!);
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var exports = Exports.Of(endpoint);
        var format = exports.Formats[formatName];
        var query = run.Context.Values.Query(scenario);
        var spec = Exports.Narrow(run.Contract.CsvSpecs[format.CsvSpec!], exports, query);

        var listing = run.Keep(await run.Require.SuccessAsync(scenario, ct));
        var items = (JsonPointer.Read(ProviderJson.Parse(listing.Body), endpoint.Pagination?.ItemsPointer ?? "") as JsonArray)?.OfType<JsonObject>().ToList() ?? [];

        query[exports.FormatParameter] = formatName;
        var (exchange, analysis) = await run.Context.Http.StreamAsync(run.Context.Requests.Call(endpoint, query, run.Context.Values.Path(scenario), $"export {formatName} of '{scenario}'"),
            (ex, body) => ex.IsSuccess ? CsvAnalyzer.Analyze(body, spec, keepRows: Exports.RowsCompared) : null, ct);
        using var rows = analysis; // the rows it kept, spilled past their budget
        run.Keep(exchange);
        if (analysis is null)
        {
            run.Fail(formatName, Finding.OfResponse(200, exchange), format.Basis, exchange);
            return;
        }

        if (Expect.MediaType(exchange.ContentType) != Expect.MediaType(format.ContentType))
        {
            run.Fail(formatName, new HeaderMismatch("Content-Type", format.ContentType, exchange.ContentType), format.Basis, exchange);
        }

        foreach (var problem in analysis.HeaderProblems)
        {
            run.Fail(formatName, problem.Finding, problem.Basis, exchange);
        }

        if (analysis.RowCount != items.Count)
        {
            run.Fail(formatName, new CountMismatch("rows (as the JSON listing has)", CountRelation.Exactly, items.Count, analysis.RowCount), format.Basis, exchange);
        }

        if (items.Count == 0 && analysis.HeaderLine is null)
        {
            run.Fail($"{formatName}, an empty listing", new CsvHeaderProblem(CsvHeaderIssue.Missing, "a header-only file", $"{analysis.Bytes} bytes, no header", null), spec.Empty.Basis, exchange);
        }

        var names = analysis.HeaderNames;
        var differences = 0;
        for (var i = 0; i < Math.Min(items.Count, analysis.Rows.Count) && differences < 5; i++)
        {
            for (var c = 0; c < names.Count && c < analysis.Rows[i].Length && differences < 5; c++)
            {
                var json = Exports.Text(items[i][names[c]]);
                if (analysis.Rows[i][c] != json)
                {
                    differences++;
                    run.Fail(formatName, new CsvRowProblem(i + 1, null, names[c], analysis.Rows[i][c], $"the JSON listing's '{json}'"), format.Basis, exchange);
                }
            }
        }

        run.Note($"{analysis.RowCount} rows, header '{analysis.HeaderLine}'{(analysis.HasBom ? " after a BOM" : "")}");
    }
}

/// <summary>zip=true: a valid zip with exactly one entry, named after the file name (or the default), holding the export.</summary>
public sealed class ZipExportCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "zip-export";

    public string Kind => KindName;

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var scenario = requirement.Check!.Scenarios[0];
        var endpoint = contract.Endpoint(contract.Scenario(scenario).Endpoint);
        var exports = Exports.Of(endpoint);
        var filename = exports.FilenameParameter is { } f && endpoint.Parameter(f).Examples is { Count: > 0 } names ? names[0] : null;
        foreach (var format in exports.Formats.Keys)
        {
            yield return new CaseElement(format);
            if (filename is not null && exports.Formats[format].CsvSpec is not null)
            {
                yield return new CaseElement(format) { File = filename };
            }
        }
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var exports = Exports.Of(endpoint);
        var zip = exports.Zip ?? throw new ConfigurationException($"{run.Requirement.Id}: the exports have no zip");
        var (formatName, filename) = (run.Element.Name, run.Element.File);
        var format = exports.Formats[formatName];
        var query = run.Context.Values.Query(scenario);
        query[exports.FormatParameter] = formatName;
        query[exports.ZipParameter!] = "true";
        if (filename is not null)
        {
            query[exports.FilenameParameter!] = filename;
        }

        var (exchange, bytes) = await Exports.DownloadAsync(run, run.Context.Requests.Call(endpoint, query, run.Context.Values.Path(scenario), $"zip of {formatName}"), ct);
        run.Keep(exchange);
        if (!exchange.IsSuccess || bytes is null)
        {
            run.Fail(run.Element.Key, Finding.OfResponse(200, exchange), zip.Basis, exchange);
            return;
        }

        if (Expect.MediaType(exchange.ContentType) != Expect.MediaType(zip.ContentType))
        {
            run.Fail(run.Element.Key, new HeaderMismatch("Content-Type", zip.ContentType, exchange.ContentType), zip.Basis, exchange);
        }

        ZipArchive archive;
        try
        {
            archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        }
        catch (InvalidDataException ex)
        {
            run.Fail(run.Element.Key, new ArchiveProblem(ArchiveIssue.NotAnArchive, "a valid zip archive", $"{bytes.Length} bytes that are not one ({ex.Message})"), endpoint.Parameter(exports.ZipParameter!).Basis, exchange);
            return;
        }

        using (archive)
        {
            var expectedName = $"{filename ?? exports.DefaultFilename}.{format.Extension}";
            if (archive.Entries.Count != 1)
            {
                run.Fail(run.Element.Key, new ArchiveProblem(ArchiveIssue.EntryCount, $"exactly one entry, {expectedName}", $"{archive.Entries.Count}: {string.Join(", ", archive.Entries.Select(e => e.FullName))}"), zip.Basis, exchange);
                return;
            }

            var entry = archive.Entries[0];
            if (entry.FullName != expectedName)
            {
                run.Fail(run.Element.Key, new ArchiveProblem(ArchiveIssue.EntryName, expectedName, entry.FullName), zip.Basis, exchange);
            }

            using var content = entry.Open();
            if (format.CsvSpec is { } csvSpec)
            {
                using var analysis = CsvAnalyzer.Analyze(content, Exports.Narrow(run.Contract.CsvSpecs[csvSpec], exports, query));
                foreach (var problem in analysis.HeaderProblems)
                {
                    run.Fail($"{run.Element.Key}, in {entry.FullName}", problem.Finding, problem.Basis, exchange);
                }

                run.Note($"{entry.FullName}: {analysis.RowCount} rows");
            }
            else
            {
                using var reader = new StreamReader(content);
                var text = await reader.ReadToEndAsync(ct);
                foreach (var v in SchemaValidator.Validate(run.Contract.BodySchemas[endpoint.Success.BodySchema], text))
                {
                    run.Fail($"{run.Element.Key}, in {entry.FullName}", SchemaViolationFinding.Of(endpoint.Success.BodySchema, v), format.Basis, exchange);
                }

                run.Note($"{entry.FullName}: {text.Length} characters of JSON");
            }
        }
    }
}

/// <summary>filename sets Content-Disposition: attachment; filename="&lt;filename&gt;.&lt;ext&gt;" on a download.</summary>
public sealed class ContentDispositionCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "content-disposition";

    public string Kind => KindName;

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var exports = Exports.Of(endpoint);
        var examples = endpoint.Parameter(exports.FilenameParameter ?? throw new ConfigurationException($"{requirement.Id}: the exports have no filename parameter")).Examples;
        // A name of the test's own when the contract gives no example: not the default, so the parameter is seen to work.
        var filename = examples.Count > 0 ? examples[0] : exports.DefaultFilename + "-renamed";
        return exports.Formats.Where(f => f.Value.CsvSpec is not null).Select(f => new CaseElement(f.Key) { File = filename });
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var exports = Exports.Of(endpoint);
        var basis = exports.ContentDisposition?.Basis ?? endpoint.Basis;
        var (formatName, filename) = (run.Element.Name, run.Element.File!);
        var query = run.Context.Values.Query(scenario);
        query[exports.FormatParameter] = formatName;
        query[exports.FilenameParameter!] = filename;
        var (exchange, _) = await Exports.DownloadAsync(run, run.Context.Requests.Call(endpoint, query, run.Context.Values.Path(scenario), $"{formatName} as {filename}"), ct);
        run.Keep(exchange);
        var expected = $"{filename}.{exports.Formats[formatName].Extension}";
        if (!exchange.IsSuccess)
        {
            run.Fail(run.Element.Key, Finding.OfResponse(200, exchange), basis, exchange);
            return;
        }

        if (!exchange.ResponseHeaders.TryGetValue("Content-Disposition", out var header) || !ContentDispositionHeaderValue.TryParse(header, out var disposition))
        {
            run.Fail(run.Element.Key, new HeaderMismatch("Content-Disposition", $"attachment; filename=\"{expected}\"", header), basis, exchange);
            return;
        }

        var name = (disposition.FileNameStar ?? disposition.FileName)?.Trim('"');
        if (!string.Equals(disposition.DispositionType, "attachment", StringComparison.OrdinalIgnoreCase) || name != expected)
        {
            run.Fail(run.Element.Key, new HeaderMismatch("Content-Disposition", $"attachment; filename=\"{expected}\"", header), basis, exchange);
        }
    }
}
