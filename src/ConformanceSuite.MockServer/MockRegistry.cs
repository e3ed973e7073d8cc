using ConformanceSuite.Contracts;

namespace ConformanceSuite.MockServer;

/// <summary>
/// One kind of mock: the contract shape it serves, decided from the contract's data alone, and how it makes
/// the mock of a contract of that shape.
/// </summary>
/// <param name="Name">The kind's name, for messages (<c>csv-link</c>).</param>
/// <param name="Shape">The shape it serves, in words, for messages.</param>
/// <param name="Serves">Whether a contract has that shape.</param>
/// <param name="Create">The mock of a contract of that shape, with its fixture data set from the layout.</param>
public sealed record MockKind(string Name, string Shape, Func<ApiContract, bool> Serves, Func<RepositoryLayout, ApiContract, IMockApi> Create);

/// <summary>Every mock kind the reference mock knows, by name; exactly one of them serves a contract.</summary>
public sealed class MockRegistry
{
    private readonly Dictionary<string, MockKind> kinds;

    public MockRegistry(IEnumerable<MockKind> kinds)
    {
        this.kinds = kinds.ToDictionary(k => k.Name, StringComparer.Ordinal);
    }

    public static MockRegistry Default { get; } = new(
    [
        CsvLinkMockApi.Kind,
        CursorListMockApi.Kind,
        OffsetListMockApi.Kind,
    ]);

    public IReadOnlySet<string> Names => kinds.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>Every kind, in registration order.</summary>
    public IReadOnlyList<MockKind> All => [.. kinds.Values];

    /// <summary>This registry with more kinds (a kind of the same name replaces the existing one).</summary>
    public MockRegistry With(params MockKind[] more) =>
        new(kinds.Values.Where(k => more.All(m => m.Name != k.Name)).Concat(more));

    /// <summary>The one kind that serves the contract.</summary>
    /// <exception cref="ConfigurationException">No kind serves it, or more than one does: the message names the API, its shape and the kinds'.</exception>
    public MockKind For(ApiContract contract)
    {
        var serving = kinds.Values.Where(k => k.Serves(contract)).ToList();
        return serving.Count switch
        {
            1 => serving[0],
            0 => throw new ConfigurationException(
                $"no mock serves {contract.Id}: its contract has {ShapeOf(contract)}, and the mock serves {Describe(kinds.Values)}"),
            _ => throw new ConfigurationException(
                $"more than one mock serves {contract.Id} ({ShapeOf(contract)}): {Describe(serving)}; each contract shape must be served by exactly one mock kind"),
        };
    }

    /// <summary>The mock of the contract, made by the one kind that serves it.</summary>
    /// <exception cref="ConfigurationException">No kind serves it, or more than one does.</exception>
    public IMockApi Create(RepositoryLayout layout, ApiContract contract) => For(contract).Create(layout, contract);

    private static string Describe(IEnumerable<MockKind> kinds) =>
        string.Join("; ", kinds.Select(k => $"{k.Name} ({k.Shape})"));

    /// <summary>What a contract has that the kinds tell apart: its endpoints, each with its pagination, download link and exports.</summary>
    public static string ShapeOf(ApiContract contract) =>
        $"{contract.Endpoints.Count} endpoint(s): " + string.Join(", ", contract.Endpoints.Select(e =>
            $"{e.Method} {e.Path} ({(e.Pagination is { } p ? p.Style + " pagination" : "no pagination")}"
            + $", {(e.Download is null ? "no download link" : "a download link to a CSV")}"
            + $", {(e.Exports is null ? "no exports" : "exports")}"
            + $"{(e.Parameters.Any(x => x.In == "path") ? ", a path parameter" : "")})"));
}
