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

    /// <summary>
    /// A selection of two fields or more that the query lists in the CSV spec's own order is asked in the reverse order:
    /// a provider that writes its header in the order the request lists the fields, not in the spec's, then shows it.
    /// The same fields select the same records, so the export is still compared with the listing of the query as it was.
    /// </summary>
    public static void AskAgainstSpecOrder(CheckRun run, CsvSpec spec, ExportsSpec exports, Dictionary<string, string> query)
    {
        if (exports.FieldsParameter is not { } fields || !query.TryGetValue(fields, out var selection))
        {
            return;
        }

        var rank = spec.Columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var asked = selection.Split(',');
        var known = asked.Where(rank.ContainsKey).Select(n => rank[n]).ToList();
        if (known.Count < 2 || known.Zip(known.Skip(1)).Any(pair => pair.First > pair.Second))
        {
            return;
        }

        query[fields] = string.Join(",", asked.Reverse());
        run.Note($"{fields} asked as {query[fields]}, the reverse of the CSV spec's column order, so a header in the order of the request shows");
    }

    public static string Text(JsonNode? node) => JsonPointer.Text(node, "") ?? "";

    /// <summary>The JSON listing's records of a scenario (its cached valid call); null, with why, when it has none to compare with.</summary>
    public static async Task<(List<JsonObject>? Items, JsonNode? Body, string? Why)> ListingAsync(CheckRun run, string scenario, EndpointSpec endpoint, CancellationToken ct)
    {
        var listing = await run.Context.Probes.SuccessAsync(scenario, ct);
        if (listing.Status != endpoint.Success.Status || listing.Error is not null)
        {
            return (null, null, $"the JSON listing of scenario '{scenario}' answered {listing.Error ?? listing.Status.ToString()}");
        }

        try
        {
            var body = ProviderJson.Parse(listing.Body);
            return (JsonPointer.Objects(body, endpoint.Pagination?.ItemsPointer ?? ""), body, null);
        }
        catch (JsonException ex)
        {
            return (null, null, $"the JSON listing of scenario '{scenario}' is not JSON ({ProviderJson.Reason(ex, listing.Body)})");
        }
    }

    /// <summary>
    /// The CSV's rows against the JSON listing's count. A CSV read only in part (a row not UTF-8, a record past the suite's
    /// bound) counts the rows read, which shows too many rows but never too few: then the case says it checked in part.
    /// </summary>
    public static void CompareCount(CheckRun run, string subject, CsvAnalysis analysis, List<JsonObject> items, Basis basis, HttpExchange exchange)
    {
        if (analysis.RowsNotRead is { } unread && analysis.RowCount <= items.Count)
        {
            run.CheckedInPart($"{analysis.RowCount:N0} rows read, the rest not: {unread}");
        }
        else if (analysis.RowCount != items.Count)
        {
            run.Fail(subject, new CountMismatch("rows (as the JSON listing has)", CountRelation.Exactly, items.Count, analysis.RowCount), basis, exchange);
        }
    }

    /// <summary>
    /// Each CSV row's values against the JSON listing's record at the same place, column by column as far as the row
    /// goes; the first 5 differences are shown. Another value breaks <paramref name="basis"/>; the same value written
    /// otherwise (FALSE for false, 42.0 for 42, a date-time at another offset or in another form) breaks only
    /// <paramref name="writtenBasis"/>, the rule that values are written as the JSON listing writes them.
    /// </summary>
    public static void CompareRows(CheckRun run, string subject, CsvAnalysis analysis, List<JsonObject> items, Basis basis, Basis writtenBasis, HttpExchange exchange)
    {
        var names = analysis.HeaderNames;
        var differences = 0;
        for (var i = 0; i < Math.Min(items.Count, analysis.Rows.Count) && differences < 5; i++)
        {
            for (var c = 0; c < names.Count && c < analysis.Rows[i].Length && differences < 5; c++)
            {
                var node = items[i][names[c]];
                var json = Text(node);
                var value = analysis.Rows[i][c];
                if (value != json)
                {
                    differences++;
                    var same = SameValue(value, node);
                    run.Fail(subject, new CsvRowProblem(i + 1, null, names[c], value, $"the JSON listing's '{json}'{(same ? " (the same value, written otherwise)" : "")}"), same ? writtenBasis : basis, exchange);
                }
            }
        }
    }

    /// <summary>
    /// A value holding the delimiter, a quote or a line break must be quoted to stay one field. When no value of the
    /// listing holds one, a provider that never quotes writes the very same file: the note says that case saw no quoting.
    /// When values hold some of them only, a provider that quotes those alone (a line break left bare) writes the same
    /// file too: the note names what no value held.
    /// </summary>
    public static void NoteQuotingUnseen(CheckRun run, List<JsonObject> items, IReadOnlyList<string> names, string delimiter)
    {
        if (items.Count == 0)
        {
            return;
        }

        var texts = items.SelectMany(i => names.Select(n => Text(i[n]))).ToList();
        (string What, bool Seen)[] kinds =
        [
            ($"'{delimiter}'", texts.Any(t => t.Contains(delimiter, StringComparison.Ordinal))),
            ("a quote", texts.Any(t => t.Contains('"', StringComparison.Ordinal))),
            ("a line break", texts.Any(t => t.AsSpan().IndexOfAny('\r', '\n') >= 0)),
        ];
        var unseen = kinds.Where(k => !k.Seen).Select(k => k.What).ToList();
        if (unseen.Count == kinds.Length)
        {
            run.Note($"no value of the JSON listing holds '{delimiter}', a quote or a line break, so this case cannot tell a provider that never quotes its values from one that does");
        }
        else if (unseen.Count > 0)
        {
            run.Note($"no value of the JSON listing holds {string.Join(" or ", unseen)}, so this case cannot tell a provider that leaves {(unseen.Count == 1 ? "it" : "them")} unquoted from one that quotes {(unseen.Count == 1 ? "it" : "them")}");
        }
    }

    /// <summary>Whether a CSV value is the JSON value written another way: a boolean in another case, the same number, the same instant.</summary>
    private static bool SameValue(string text, JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return false;
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.True or JsonValueKind.False => string.Equals(text, value.GetValueKind() == JsonValueKind.True ? "true" : "false", StringComparison.OrdinalIgnoreCase),
            JsonValueKind.Number => double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n)
                && double.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var m) && n == m,
            JsonValueKind.String => IsoDates.Parse(value.GetValue<string>()) is { } at && text.Length > 0 && char.IsAsciiDigit(text[0]) && IsoDates.Parse(text) == at,
            _ => false,
        };
    }

    /// <summary>
    /// A successful download written to a temporary file, deleted when it is disposed: a zip is read from its end
    /// (its directory), so it cannot be checked as it streams, and held in memory it would take what the provider
    /// sends. Past <see cref="HttpSettings.MaxArchiveBytes"/> it is not kept (the exchange names the setting).
    /// </summary>
    public static async Task<(HttpExchange Exchange, FileStream? File)> SpoolAsync(CheckRun run, HttpCall call, CancellationToken ct)
    {
        var cap = run.Context.Http.Settings.MaxArchiveBytes;
        return await run.Context.Http.StreamAsync(call, (exchange, body) =>
        {
            if (!exchange.IsSuccess)
            {
                body.CopyTo(Stream.Null); // read for its excerpt, bounded by time
                return null;
            }

            var file = TemporaryFile.Stream("conformance-download");
            try
            {
                var buffer = new byte[64 * 1024];
                int n;
                while ((n = body.Read(buffer)) > 0)
                {
                    if (file.Length + n > cap)
                    {
                        throw new ResponseLimitException($"the download exceeds the size cap of {cap} bytes for a file the suite keeps to read (maxArchiveBytes)") { Setting = "maxArchiveBytes" };
                    }

                    file.Write(buffer, 0, n);
                }

                file.Position = 0;
                return file;
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }, ct);
    }

    /// <summary>
    /// A zip entry's content as the suite reads it: stopped past <see cref="HttpSettings.MaxDecompressionRatio"/> times
    /// its compressed size, past <paramref name="maxBytes"/>, and past the download's deadline (the provider's file is
    /// already here, but decoding it must not outlast the time a download is given).
    /// </summary>
    public static Stream Entry(CheckRun run, ZipArchiveEntry entry, long maxBytes, string capSetting, CancellationToken deadline, CancellationToken ct)
    {
        var settings = run.Context.Http.Settings;
        var decoded = Decoding.OfDecompressed(entry.Open(), entry.CompressedLength, settings.MaxDecompressionRatio, $"the zip entry {entry.FullName}");
        return new LimitedStream(decoded, maxBytes, settings.DownloadTimeout, $"{settings.DownloadTimeout.TotalSeconds:0.#} s (timeouts.downloadSeconds)", ct, deadline) { CapSetting = capSetting };
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

    /// <summary>Each scenario's JSON listing is one call (its one page is what the export must match).</summary>
    public bool WalksLists => false;

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
        JsonNode? listed;
        try
        {
            listed = ProviderJson.Parse(listing.Body);
        }
        catch (JsonException ex)
        {
            // The export is compared with the listing; a listing that is not JSON is the success-body check's to judge.
            CheckRun.Skip($"the JSON listing of scenario '{scenario}', which the export is compared with, is not JSON ({ProviderJson.Reason(ex, listing.Body)})");
            return;
        }

        var items = JsonPointer.Objects(listed, endpoint.Pagination?.ItemsPointer ?? "");

        Exports.AskAgainstSpecOrder(run, spec, exports, query);
        query[exports.FormatParameter] = formatName;
        var (exchange, analysis) = await run.Context.Http.StreamAsync(run.Context.Requests.Call(endpoint, query, run.Context.Values.Path(scenario), $"export {formatName} of '{scenario}'"),
            (ex, body) => ex.IsSuccess ? CsvAnalyzer.Analyze(body, spec, keepRows: Exports.RowsCompared, rowSet: CsvRowSetOptions.Capped(run.Context.Http.Settings.MaxSpillBytes),
                patternTimeout: run.Context.Http.Settings.PatternTimeout) : null, ct);
        using var rows = analysis; // the rows it kept, spilled past their budget
        run.Keep(exchange);
        if (analysis is null)
        {
            run.Fail(formatName, Finding.OfResponse(200, exchange), format.Basis, exchange);
            return;
        }

        if (Expect.MediaType(exchange.ContentType) != Expect.MediaType(format.ContentType))
        {
            run.Fail(formatName, new HeaderMismatch("Content-Type", format.ContentType, exchange.ContentType), format.ContentTypeBasis ?? format.Basis, exchange);
        }

        foreach (var problem in analysis.HeaderProblems)
        {
            run.Fail(formatName, problem.Finding, problem.Basis, exchange);
        }

        // A row with another number of fields than the header (a field left out, a trailing delimiter, a value not
        // quoted): the values below are compared only as far as each row goes, so it is named here.
        foreach (var problem in analysis.RowProblems.Take(5))
        {
            run.Fail(formatName, problem.Finding, problem.Basis, exchange);
        }

        if (analysis.RowProblemCount > 5)
        {
            run.Note($"{analysis.RowProblemCount} rows with problems in all; the first 5 are shown");
        }

        Exports.CompareCount(run, formatName, analysis, items, format.Basis, exchange);
        if (items.Count == 0 && analysis.HeaderLine is null && analysis.RowsNotRead is null)
        {
            run.Fail($"{formatName}, an empty listing", new CsvHeaderProblem(CsvHeaderIssue.Missing, "a header-only file", $"{analysis.Bytes} bytes, no header", null), spec.Empty.Basis, exchange);
        }

        // The same records is the format's rule; each value written as the JSON listing writes it may rest on an assumption.
        Exports.CompareRows(run, formatName, analysis, items, format.Basis, format.ValuesBasis ?? format.Basis, exchange);
        Exports.NoteQuotingUnseen(run, items, analysis.HeaderNames, spec.Delimiter);

        run.Note($"{analysis.RowCount} rows, header '{analysis.HeaderLine}'{(analysis.HasBom ? " after a BOM" : "")}");
    }
}

/// <summary>zip=true: a valid zip with exactly one entry, named after the file name (or the default), holding the export.</summary>
public sealed class ZipExportCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "zip-export";

    /// <summary>Each scenario's JSON listing is one call (its one page is what the export must match).</summary>
    public bool WalksLists => false;

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

        // Each further scenario narrows the query (a filter, a sort, a slice, some fields): a zip that leaves out what
        // its query asks holds other records than the listing. Every format once, named by its scenario.
        foreach (var other in requirement.Check.Scenarios.Skip(1))
        {
            foreach (var format in Exports.Of(contract.Endpoint(contract.Scenario(other).Endpoint)).Formats.Keys)
            {
                yield return new CaseElement(format) { Scenario = other };
            }
        }
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Element.Scenario ?? run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var exports = Exports.Of(endpoint);
        var zip = exports.Zip ?? throw new ConfigurationException($"{run.Requirement.Id}: the exports have no zip");
        var (formatName, filename) = (run.Element.Name, run.Element.File);
        var format = exports.Formats[formatName];
        var query = run.Context.Values.Query(scenario);
        if (format.CsvSpec is { } entrySpec)
        {
            Exports.AskAgainstSpecOrder(run, run.Contract.CsvSpecs[entrySpec], exports, query);
        }

        query[exports.FormatParameter] = formatName;
        query[exports.ZipParameter!] = "true";
        if (filename is not null)
        {
            query[exports.FilenameParameter!] = filename;
        }

        var (exchange, file) = await Exports.SpoolAsync(run, run.Context.Requests.Call(endpoint, query, run.Context.Values.Path(scenario), $"zip of {formatName}"), ct);
        await using var spooled = file;
        run.Keep(exchange);
        if (!exchange.IsSuccess || file is null)
        {
            run.Fail(run.Element.Key, Finding.OfResponse(200, exchange), zip.Basis, exchange);
            return;
        }

        if (Expect.MediaType(exchange.ContentType) != Expect.MediaType(zip.ContentType))
        {
            run.Fail(run.Element.Key, new HeaderMismatch("Content-Type", zip.ContentType, exchange.ContentType), zip.Basis, exchange);
        }

        var expectedName = $"{filename ?? exports.DefaultFilename}.{format.Extension}";
        // Opening the archive makes an object of every entry its directory holds: what the directory says of
        // itself is read first, and a directory far past one entry's is judged by that alone.
        if (ZipDirectory.Of(file) is { } directory && (directory.Bytes > ZipDirectory.MaxBytes || directory.Entries > ZipDirectory.MaxEntries))
        {
            run.Fail(run.Element.Key, new ArchiveProblem(ArchiveIssue.EntryCount, $"exactly one entry, {expectedName}",
                $"a directory of {directory.Entries:N0} entries in {directory.Bytes:N0} bytes, as its end record says (not read: more than {ZipDirectory.MaxEntries} entries or {ZipDirectory.MaxBytes:N0} bytes)"), zip.Basis, exchange);
            return;
        }

        ZipArchive archive;
        try
        {
            archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            run.Fail(run.Element.Key, new ArchiveProblem(ArchiveIssue.NotAnArchive, "a valid zip archive", $"{file.Length} bytes that are not one ({ex.Message})"), endpoint.Parameter(exports.ZipParameter!).Basis, exchange);
            return;
        }

        using (archive)
        {
            if (archive.Entries.Count != 1)
            {
                run.Fail(run.Element.Key, new ArchiveProblem(ArchiveIssue.EntryCount, $"exactly one entry, {expectedName}", $"{archive.Entries.Count}: {string.Join(", ", archive.Entries.Take(10).Select(e => e.FullName))}{(archive.Entries.Count > 10 ? ", …" : "")}"), zip.Basis, exchange);
                return;
            }

            var entry = archive.Entries[0];
            if (entry.FullName != expectedName)
            {
                run.Fail(run.Element.Key, new ArchiveProblem(ArchiveIssue.EntryName, expectedName, entry.FullName), zip.Basis, exchange);
            }

            using var deadline = new CancellationTokenSource(run.Context.Http.Settings.DownloadTimeout);
            try
            {
                var csv = format.CsvSpec is { } spec ? Exports.Narrow(run.Contract.CsvSpecs[spec], exports, query) : null;
                var listing = await Exports.ListingAsync(run, scenario, endpoint, ct);
                // A query that selects fields gets records of those fields alone, which the body schema's records (every
                // required field) are not: such a JSON entry is judged by the listing of the same query only.
                var selects = exports.FieldsParameter is { } fields && query.ContainsKey(fields);
                await CheckEntryAsync(run, entry, exchange, csv, (selects ? null : endpoint.Success.BodySchema, format.Basis), (listing, endpoint.Pagination?.ItemsPointer ?? "", zip.Basis), deadline.Token, ct);
            }
            catch (ResponseLimitException limit)
            {
                // The entry was not read to its end at a limit of the suite's own: its content is not judged (what was
                // found before, its name, is still judged: CaseRunner keeps it).
                CheckRun.Skip($"the content of {entry.FullName} was not checked: {limit.Message}", limit.Setting);
            }
            catch (InvalidDataException ex)
            {
                run.Fail(run.Element.Key, new ArchiveProblem(ArchiveIssue.NotAnArchive, $"an entry {entry.FullName} that decompresses", $"one that does not ({ex.Message})"), endpoint.Parameter(exports.ZipParameter!).Basis, exchange);
            }
        }
    }

    /// <summary>
    /// The entry's content: a CSV judged on its header against <paramref name="csv"/>, or else JSON validated against
    /// the body schema; then either compared with the JSON listing of the same query (what the export without zip
    /// gives: the CSV's rows as the export check compares them, the JSON as it is).
    /// </summary>
    private static async Task CheckEntryAsync(CheckRun run, ZipArchiveEntry entry, HttpExchange exchange, CsvSpec? csv, (string? Name, Basis Basis) schema,
        ((List<JsonObject>? Items, JsonNode? Body, string? Why) Listing, string ItemsPointer, Basis Basis) same, CancellationToken deadline, CancellationToken ct)
    {
        var subject = $"{run.Element.Key}, in {entry.FullName}";
        if (same.Listing.Why is { } why)
        {
            run.CheckedInPart($"{entry.FullName} was not compared with the JSON listing: {why}");
        }

        if (csv is not null)
        {
            // What this check judges of a CSV entry is its header: a bound that stops the entry after the header still
            // leaves that judged, and says how far it read. One that stops it before a row was read may have cut the
            // header itself, and judges nothing.
            await using var content = new StopAtLimit(Exports.Entry(run, entry, long.MaxValue, "", deadline, ct));
            using var analysis = CsvAnalyzer.Analyze(content, csv, keepRows: Exports.RowsCompared, rowSet: CsvRowSetOptions.Capped(run.Context.Http.Settings.MaxSpillBytes),
                patternTimeout: run.Context.Http.Settings.PatternTimeout);
            if (content.Stopped is { } early && analysis.RowCount == 0)
            {
                throw early;
            }

            foreach (var problem in analysis.HeaderProblems)
            {
                run.Fail($"{run.Element.Key}, in {entry.FullName}", problem.Finding, problem.Basis, exchange);
            }

            if (content.Stopped is { } limit)
            {
                run.CheckedInPart($"{entry.FullName}: its header and {analysis.RowCount:N0} rows were read, the rest not: {limit.Message}", limit.Setting);
            }
            else if (same.Listing.Items is { } items)
            {
                Exports.CompareCount(run, subject, analysis, items, same.Basis, exchange);
                Exports.CompareRows(run, subject, analysis, items, same.Basis, same.Basis, exchange);
            }

            run.Note($"{entry.FullName}: {analysis.RowCount} rows{(content.Stopped is null ? "" : " read")}");
            return;
        }

        using var reader = new StreamReader(Exports.Entry(run, entry, run.Context.Http.Settings.MaxBufferedBytes, "maxBufferedBytes", deadline, ct));
        var text = await reader.ReadToEndAsync(ct);
        if (schema.Name is null)
        {
            run.Note($"{entry.FullName} was not validated against the body schema: its query selects fields, so its records hold those alone");
        }
        else
        {
            var violations = SchemaValidator.Validate(run.Contract.BodySchemas[schema.Name], text, out var inPart, run.Context.Http.Settings.PatternTimeout);
            foreach (var v in violations)
            {
                run.Fail($"{run.Element.Key}, in {entry.FullName}", SchemaViolationFinding.Of(schema.Name, v), schema.Basis, exchange);
            }

            if (inPart is not null)
            {
                run.CheckedInPart($"{entry.FullName}: {inPart}");
            }
        }

        if (same.Listing.Items is { } listed)
        {
            CompareJson(run, subject, text, listed, same.Listing.Body, same.ItemsPointer, same.Basis, exchange);
        }

        run.Note($"{entry.FullName}: {text.Length} characters of JSON");
    }

    /// <summary>A JSON entry against the JSON listing: the same records in the same order, and the same body around them.</summary>
    private static void CompareJson(CheckRun run, string subject, string text, List<JsonObject> listed, JsonNode? listing, string itemsPointer, Basis basis, HttpExchange exchange)
    {
        JsonNode? body;
        try
        {
            body = ProviderJson.Parse(System.Text.Encoding.UTF8.GetBytes(text));
        }
        catch (JsonException ex)
        {
            run.Fail(subject, new NotJson(ex.Message), basis, exchange);
            return;
        }

        var items = JsonPointer.Objects(body, itemsPointer);
        if (items.Count != listed.Count)
        {
            run.Fail(subject, new CountMismatch($"records at {itemsPointer} (as the JSON listing has)", CountRelation.Exactly, listed.Count, items.Count), basis, exchange);
            return;
        }

        var at = Enumerable.Range(0, items.Count).FirstOrDefault(i => !JsonNode.DeepEquals(items[i], listed[i]), -1);
        if (at >= 0)
        {
            run.Fail(subject, new ValueMismatch($"{itemsPointer}/{at}", $"the JSON listing's record {at + 1}, {JsonPointer.Show(listed[at], "null")}", JsonPointer.Show(items[at], "null")), basis, exchange);
        }
        else if (!JsonNode.DeepEquals(body, listing))
        {
            run.Fail(subject, new ValueMismatch("", "the JSON listing's body (the same records, and the same members beside them)", JsonPointer.Show(body, "null")), basis, exchange);
        }
    }
}

/// <summary>filename sets Content-Disposition: attachment; filename="&lt;filename&gt;.&lt;ext&gt;" on a download: each format's, and each zip's (.zip).</summary>
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
        // Every format is a file to download once a file name is asked (JSON too, the listing's own format), and so is
        // each zip, named <filename>.zip.
        var plain = exports.Formats.Keys.Select(f => new CaseElement(f) { File = filename });
        var zipped = exports.Zip is null || exports.ZipParameter is null ? [] : exports.Formats.Keys.Select(f => new CaseElement(f) { File = filename, Note = $"{exports.ZipParameter}=true" });
        return [.. plain, .. zipped];
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var exports = Exports.Of(endpoint);
        var basis = exports.ContentDisposition?.Basis ?? endpoint.Basis;
        var (formatName, filename) = (run.Element.Name, run.Element.File!);
        var zipped = run.Element.Note is not null;
        var query = run.Context.Values.Query(scenario);
        query[exports.FormatParameter] = formatName;
        query[exports.FilenameParameter!] = filename;
        if (zipped)
        {
            query[exports.ZipParameter!] = "true";
        }

        // Only the headers are judged: the body is read (for its excerpt and size) but not kept, bounded by time.
        var (exchange, _) = await run.Context.Http.StreamAsync(run.Context.Requests.Call(endpoint, query, run.Context.Values.Path(scenario), $"{formatName} as {filename}"),
            (_, body) =>
            {
                body.CopyTo(Stream.Null);
                return true;
            }, ct);
        run.Keep(exchange);
        var expected = $"{filename}.{(zipped ? exports.Zip!.Extension : exports.Formats[formatName].Extension)}";
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

/// <summary>A stream that ends where one of the suite's bounds stops the stream under it, and keeps which bound it was.</summary>
internal sealed class StopAtLimit(Stream inner) : ReadOnlyStream
{
    public ResponseLimitException? Stopped { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (Stopped is not null)
        {
            return 0;
        }

        try
        {
            return inner.Read(buffer, offset, count);
        }
        catch (ResponseLimitException limit)
        {
            Stopped = limit;
            return 0;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
