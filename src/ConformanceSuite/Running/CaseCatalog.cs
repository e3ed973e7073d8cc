using ConformanceSuite.Checks;
using ConformanceSuite.Contracts;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Running;

/// <summary>Expands requirement × contract element into cases, for the selected APIs and filter.</summary>
public sealed class CaseCatalog
{
    private CaseCatalog(IReadOnlyDictionary<string, ApiContract> contracts, IReadOnlyList<CheckCase> cases)
    {
        Contracts = contracts;
        Cases = cases;
    }

    public IReadOnlyDictionary<string, ApiContract> Contracts { get; }

    public IReadOnlyList<CheckCase> Cases { get; }

    /// <param name="layout">The repository data.</param>
    /// <param name="apiIds">APIs to include; empty means every API with a contract.</param>
    /// <param name="filter">Requirement ids or categories; empty means all.</param>
    /// <param name="overrides">Contract overlays by API id (from the target profile).</param>
    /// <param name="registry">The check kinds.</param>
    public static CaseCatalog Build(RepositoryLayout layout, IReadOnlyCollection<string> apiIds, IReadOnlyCollection<string> filter,
        IReadOnlyDictionary<string, ApiTarget>? overrides = null, CheckRegistry? registry = null)
    {
        registry ??= CheckRegistry.Default;
        var loader = new ContractLoader(layout, registry.Kinds);
        var ids = apiIds.Count > 0 ? apiIds : layout.ApiIds();
        var contracts = new Dictionary<string, ApiContract>(StringComparer.Ordinal);
        var cases = new List<CheckCase>();
        foreach (var id in ids)
        {
            var overlay = overrides is not null && overrides.TryGetValue(id, out var t) ? t.Overrides : null;
            var contract = loader.Load(id, overlay);
            contracts[id] = contract;
            foreach (var requirement in contract.Requirements.Where(r => r.Check is not null && Selected(r, filter)))
            {
                foreach (var element in registry.Get(requirement.Check!.Kind).Expand(contract, requirement))
                {
                    cases.Add(new CheckCase(contract, requirement, element));
                }
            }
        }

        if (filter.Count > 0 && cases.Count == 0)
        {
            throw new ConfigurationException($"the filter '{string.Join(",", filter)}' selects no requirement of {string.Join(", ", ids)}");
        }

        return new CaseCatalog(contracts, cases);
    }

    private static bool Selected(Requirement r, IReadOnlyCollection<string> filter) =>
        filter.Count == 0 || filter.Any(f => string.Equals(f, r.Id, StringComparison.OrdinalIgnoreCase)
                                             || string.Equals(f, r.Category, StringComparison.OrdinalIgnoreCase));
}
