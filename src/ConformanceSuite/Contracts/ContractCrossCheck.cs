namespace ConformanceSuite.Contracts;

/// <summary>The references a schema cannot express: ids that must exist elsewhere in the contract.</summary>
internal sealed class ContractCrossCheck(ApiContract contract, string contractFile, string requirementsFile, IReadOnlySet<string>? knownCheckKinds)
{
    public void Run()
    {
        for (var i = 0; i < contract.Endpoints.Count; i++)
        {
            var e = contract.Endpoints[i];
            CheckBasis(contractFile, $"/endpoints/{i}/basis", e.Basis);
            for (var j = 0; j < e.Parameters.Count; j++)
            {
                CheckBasis(contractFile, $"/endpoints/{i}/parameters/{j}/basis", e.Parameters[j].Basis);
                if (e.Parameters[j].Rejection is { } r)
                {
                    CheckBasis(contractFile, $"/endpoints/{i}/parameters/{j}/rejection/basis", r.Basis);
                }
            }
        }

        CheckBasis(contractFile, "/auth/rejection/basis", contract.Auth.Rejection.Basis);
        foreach (var (name, scenario) in contract.Scenarios)
        {
            var pointer = $"/scenarios/{name}";
            var endpoint = contract.Endpoints.FirstOrDefault(e => e.Id == scenario.Endpoint)
                ?? throw new ConfigurationException(contractFile, pointer + "/endpoint", $"no endpoint '{scenario.Endpoint}'");
            foreach (var key in scenario.Query.Keys.Where(k => endpoint.Parameters.All(p => p.Name != k)))
            {
                throw new ConfigurationException(contractFile, $"{pointer}/query/{key}", $"endpoint '{endpoint.Id}' has no parameter '{key}'");
            }

            foreach (var slot in scenario.Slots().Where(s => !contract.TestData.ContainsKey(s)))
            {
                throw new ConfigurationException(contractFile, pointer, $"uses test-data slot '{slot}', which testData does not declare");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < contract.Requirements.Count; i++)
        {
            var r = contract.Requirements[i];
            var pointer = $"/requirements/{i}";
            if (!seen.Add(r.Id))
            {
                throw new ConfigurationException(requirementsFile, pointer + "/id", $"duplicate requirement id '{r.Id}'");
            }

            CheckBasis(requirementsFile, pointer + "/source", r.Source);
            foreach (var a in r.Assumptions.Where(a => contract.FindAssumption(a) is null))
            {
                throw new ConfigurationException(requirementsFile, pointer + "/assumptions", $"unknown assumption '{a}'");
            }

            if (r.Check is not { } check)
            {
                continue;
            }

            if (knownCheckKinds is not null && !knownCheckKinds.Contains(check.Kind))
            {
                throw new ConfigurationException(requirementsFile, pointer + "/check/kind",
                    $"unknown check kind '{check.Kind}'; known kinds: {string.Join(", ", knownCheckKinds.Order(StringComparer.Ordinal))}");
            }

            foreach (var s in check.Scenarios.Append(check.Baseline).OfType<string>().Where(s => !contract.Scenarios.ContainsKey(s)))
            {
                throw new ConfigurationException(requirementsFile, pointer + "/check", $"unknown scenario '{s}'");
            }

            if (check.Parameter is { } p && contract.Endpoints.All(e => e.Parameters.All(x => x.Name != p)))
            {
                throw new ConfigurationException(requirementsFile, pointer + "/check/parameter", $"no endpoint has a parameter '{p}'");
            }
        }
    }

    private void CheckBasis(string file, string pointer, Basis basis)
    {
        if (basis.Doc is { } doc && !contract.Sources.ContainsKey(doc))
        {
            throw new ConfigurationException(file, pointer + "/doc", $"unknown doc source '{doc}'; known: {string.Join(", ", contract.Sources.Keys)}");
        }

        if (basis.Assumption is { } a && contract.FindAssumption(a) is null)
        {
            throw new ConfigurationException(file, pointer + "/assumption", $"unknown assumption '{a}'");
        }
    }
}
