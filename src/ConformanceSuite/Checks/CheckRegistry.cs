namespace ConformanceSuite.Checks;

/// <summary>Every check kind the suite knows, by the name requirements use.</summary>
public sealed class CheckRegistry
{
    private readonly Dictionary<string, ICheck> checks;

    public CheckRegistry(IEnumerable<ICheck> checks)
    {
        this.checks = checks.ToDictionary(c => c.Kind, StringComparer.Ordinal);
    }

    public static CheckRegistry Default { get; } = new(
    [
        new RequiredParameterCheck(),
        new ParameterTypeCheck(),
        new OptionalParameterNarrowsCheck(),
        CredentialCheck.Missing(),
        CredentialCheck.Wrong(),
        CredentialCheck.Malformed(),
        new SuccessBodySchemaCheck(),
        new DownloadLinkUrlCheck(),
        new JsonContentTypeCheck(),
        new DownloadAnonymousCheck(),
        new CredentialsConfinedCheck(),
        new CsvHeaderCheck(),
        new CsvRowsCheck(),
        new CsvEmptyCheck(),
        new PageItemsSchemaCheck(),
        new CursorPaginationCheck(),
        new ListFilterCheck(),
        new FilterCombinationCheck(),
        new NotFoundCheck(),
        new GetByIdCheck(),
        new FlagMemberCheck(),
        new PageSizeCheck(),
        new OffsetPaginationCheck(),
        new SortOrderCheck(),
        new FieldSelectionCheck(),
        new ExportCheck(),
        new ZipExportCheck(),
        new ContentDispositionCheck(),
        new ResponseTimeCheck(),
        new AvailabilityCheck(),
    ]);

    public IReadOnlySet<string> Kinds => checks.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>Every check, in registration order.</summary>
    public IReadOnlyList<ICheck> All => [.. checks.Values];

    /// <summary>This registry with more kinds (a kind of the same name replaces the existing one).</summary>
    public CheckRegistry With(params ICheck[] more) =>
        new(checks.Values.Where(c => more.All(m => m.Kind != c.Kind)).Concat(more));

    public ICheck Get(string kind) =>
        checks.TryGetValue(kind, out var check) ? check : throw new ConfigurationException($"unknown check kind '{kind}'");
}
