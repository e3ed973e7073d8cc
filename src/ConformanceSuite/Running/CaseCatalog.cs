using ConformanceSuite.Checks;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.Running;

/// <summary>
/// Expands requirement × contract element into cases, for the selected APIs and filter. Every case of the
/// catalog ends with exactly one verdict in every report.
/// </summary>
public sealed class CaseCatalog
{
    private CaseCatalog(IReadOnlyDictionary<string, ApiContract> contracts, IReadOnlyList<(ApiContract Contract, Requirement Requirement)> requirements, IReadOnlyList<CheckCase> cases)
    {
        Contracts = contracts;
        Requirements = requirements;
        Cases = cases;
    }

    public IReadOnlyDictionary<string, ApiContract> Contracts { get; }

    /// <summary>The selected requirements in report order (waived ones included), each with its contract.</summary>
    public IReadOnlyList<(ApiContract Contract, Requirement Requirement)> Requirements { get; }

    public IReadOnlyList<CheckCase> Cases { get; }

    /// <param name="layout">The contract data.</param>
    /// <param name="apiIds">APIs to include; empty means every API with a contract.</param>
    /// <param name="filter">Requirement ids or categories; empty means all.</param>
    /// <param name="overlays">Contract overlays by API id (from the target profile).</param>
    /// <param name="registry">The check kinds.</param>
    /// <param name="extra">Requirements that do not come from the contract files (the pact verifications), by contract; they follow every contract's own.</param>
    /// <param name="overlaysFile">The target profile the overlays come from, named by an error in them.</param>
    public static CaseCatalog Build(RepositoryLayout layout, IReadOnlyCollection<string> apiIds, IReadOnlyCollection<string> filter,
        IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?>? overlays = null, CheckRegistry? registry = null,
        Func<ApiContract, IEnumerable<Requirement>>? extra = null, string? overlaysFile = null)
    {
        registry ??= CheckRegistry.Default;
        var loader = new ContractLoader(layout, registry.Kinds);
        var ids = apiIds.Count > 0 ? apiIds : layout.ApiIds();
        // Each API's files are read and validated independently, so they load side by side (a cold start's
        // wait on two cores); a broken one is reported as the first broken API in order, as a serial load would.
        var loading = ids.Select(id => Task.Run(() => loader.Load(id, overlays?.GetValueOrDefault(id), overlaysFile))).ToList();
        var contracts = new Dictionary<string, ApiContract>(StringComparer.Ordinal);
        foreach (var task in loading)
        {
            var contract = task.ConfigureAwait(false).GetAwaiter().GetResult();
            CheckBindings.Validate(contract, registry);
            contracts[contract.Id] = contract;
        }

        var requirements = contracts.Values.SelectMany(c => c.Requirements.Select(r => (Contract: c, Requirement: r)))
            .Concat(contracts.Values.SelectMany(c => (extra?.Invoke(c) ?? []).Select(r => (Contract: c, Requirement: r))))
            .Where(x => Selected(x.Requirement, filter))
            .ToList();
        var cases = new List<CheckCase>();
        foreach (var (contract, requirement) in requirements.Where(x => x.Requirement.Check is not null))
        {
            foreach (var element in registry.Get(requirement.Check!.Kind).Expand(contract, requirement))
            {
                cases.Add(new CheckCase(contract, requirement, element));
            }
        }

        if (filter.Count > 0 && cases.Count == 0)
        {
            throw new ConfigurationException($"the filter '{string.Join(",", filter)}' selects no requirement of {string.Join(", ", ids)}");
        }

        // A check that judges the requests other cases made (the traffic checks, WAVY-010's) runs after every other
        // case, the pact verifications (which follow the contracts' own) included, so it judges them all.
        return new CaseCatalog(contracts, requirements, [.. cases.OrderBy(c => registry.Get(c.Requirement.Check!.Kind).JudgesOtherCasesRequests ? 1 : 0)]);
    }

    private static bool Selected(Requirement r, IReadOnlyCollection<string> filter) =>
        filter.Count == 0 || filter.Any(f => string.Equals(f, r.Id, StringComparison.OrdinalIgnoreCase)
                                             || string.Equals(f, r.Category, StringComparison.OrdinalIgnoreCase));
}
