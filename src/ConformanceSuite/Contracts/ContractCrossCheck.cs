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
            if (e.Pagination is { } pagination)
            {
                (string Key, string? Name)[] named = pagination switch
                {
                    CursorPagination c => [("cursorParameter", c.CursorParameter)],
                    OffsetPagination o => [("offsetParameter", o.OffsetParameter), ("limitParameter", o.LimitParameter), ("pageParameter", o.PageParameter)],
                    _ => [],
                };
                foreach (var (key, name) in named.Where(n => n.Name is not null || n.Key != "pageParameter"))
                {
                    if (name is null || e.Parameters.All(p => p.Name != name))
                    {
                        throw new ConfigurationException(contractFile, $"/endpoints/{i}/pagination/{key}", $"endpoint '{e.Id}' has no parameter '{name}'");
                    }
                }
            }

            if (e.Exports is { } exports)
            {
                foreach (var (key, name) in new[] { ("formatParameter", (string?)exports.FormatParameter), ("zipParameter", exports.ZipParameter), ("filenameParameter", exports.FilenameParameter), ("fieldsParameter", exports.FieldsParameter) })
                {
                    if (name is not null && e.Parameters.All(p => p.Name != name))
                    {
                        throw new ConfigurationException(contractFile, $"/endpoints/{i}/exports/{key}", $"endpoint '{e.Id}' has no parameter '{name}'");
                    }
                }
            }

            for (var j = 0; j < e.Parameters.Count; j++)
            {
                var parameter = e.Parameters[j];
                if (parameter.In == "path" && !e.Path.Contains("{" + parameter.Name + "}", StringComparison.Ordinal))
                {
                    throw new ConfigurationException(contractFile, $"/endpoints/{i}/parameters/{j}/in", $"path parameter '{parameter.Name}' does not appear in the path {e.Path}");
                }

                if (parameter.Filter is { } filter)
                {
                    CheckBasis(contractFile, $"/endpoints/{i}/parameters/{j}/filter/basis", filter.Basis);
                    foreach (var (key, name) in filter is DateRangeFilter range ? [("startParameter", range.StartParameter), ("endParameter", range.EndParameter)] : Array.Empty<(string, string)>())
                    {
                        if (e.Parameters.All(p => p.Name != name))
                        {
                            throw new ConfigurationException(contractFile, $"/endpoints/{i}/parameters/{j}/filter/{key}", $"endpoint '{e.Id}' has no parameter '{name}'");
                        }
                    }

                    if (filter is not FieldFilter && filter.Sample is null && parameter.Enum.Count == 0 && filter is not DateRangeFilter)
                    {
                        throw new ConfigurationException(contractFile, $"/endpoints/{i}/parameters/{j}/filter", $"a '{filter.Kind}' filter without an enum needs a sample pointer to take values from");
                    }
                }

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

            foreach (var key in scenario.Path.Keys.Where(k => !endpoint.Parameters.Any(p => p.Name == k && p.In == "path")))
            {
                throw new ConfigurationException(contractFile, $"{pointer}/path/{key}", $"endpoint '{endpoint.Id}' has no path parameter '{key}'");
            }

            foreach (var missing in endpoint.Parameters.Where(p => p.In == "path" && !scenario.Path.ContainsKey(p.Name)))
            {
                throw new ConfigurationException(contractFile, pointer, $"endpoint '{endpoint.Id}' needs a value for its path parameter '{missing.Name}'");
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

            if (knownCheckKinds is not null)
            {
                CheckKind(requirementsFile, pointer, check, knownCheckKinds);
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

    /// <summary>
    /// The one rule that depends on the check kinds known to the caller: each requirement's check is of one of them. A
    /// contract kept from a load against other kinds, or none (<see cref="LoadedContracts"/>), passed every other rule,
    /// so the first requirement this refuses is the error a fresh load against these kinds would give.
    /// </summary>
    public static void CheckKinds(ApiContract contract, IReadOnlySet<string> knownCheckKinds)
    {
        var requirementsFile = Path.Combine(contract.Folder, contract.RequirementsFile);
        for (var i = 0; i < contract.Requirements.Count; i++)
        {
            if (contract.Requirements[i].Check is { } check)
            {
                CheckKind(requirementsFile, $"/requirements/{i}", check, knownCheckKinds);
            }
        }
    }

    private static void CheckKind(string requirementsFile, string pointer, CheckBinding check, IReadOnlySet<string> knownCheckKinds)
    {
        if (!knownCheckKinds.Contains(check.Kind))
        {
            throw new ConfigurationException(requirementsFile, pointer + "/check/kind",
                $"unknown check kind '{check.Kind}'; known kinds: {string.Join(", ", knownCheckKinds.Order(StringComparer.Ordinal))}");
        }
    }
}
