using ConformanceSuite.Contracts;

namespace ConformanceSuite.Checks;

/// <summary>What a check needs its requirement's binding (<c>check</c> in requirements.json) to name.</summary>
[Flags]
public enum BindingNeeds
{
    /// <summary>Nothing: the check judges the API as a whole (its traffic, its pacts).</summary>
    None = 0,

    /// <summary>At least one scenario.</summary>
    Scenario = 1,

    /// <summary>A parameter (<c>check.parameter</c>).</summary>
    Parameter = 2,

    /// <summary>A baseline scenario to compare with (<c>check.baseline</c>).</summary>
    Baseline = 4,
}

/// <summary>
/// Checks every requirement's binding against its check when the catalog is built: what the check needs is
/// there, and each precondition it relies on is judged by a requirement of the same API. A mistake fails the
/// load with the file, the JSON pointer and the reason, never while a check runs.
/// </summary>
public static class CheckBindings
{
    public static void Validate(ApiContract contract, CheckRegistry registry)
    {
        var file = Path.Combine(contract.Folder, contract.RequirementsFile);
        for (var i = 0; i < contract.Requirements.Count; i++)
        {
            if (contract.Requirements[i].Check is not { } binding)
            {
                continue;
            }

            var pointer = $"/requirements/{i}/check";
            var check = registry.Get(binding.Kind);
            if (check.Needs.HasFlag(BindingNeeds.Scenario) && binding.Scenarios.Count == 0)
            {
                throw new ConfigurationException(file, pointer + "/scenarios", $"a '{binding.Kind}' check needs at least one scenario");
            }

            if (check.Needs.HasFlag(BindingNeeds.Parameter) && binding.Parameter is null)
            {
                throw new ConfigurationException(file, pointer + "/parameter", $"a '{binding.Kind}' check needs the parameter it is about");
            }

            if (check.Needs.HasFlag(BindingNeeds.Baseline) && binding.Baseline is null)
            {
                throw new ConfigurationException(file, pointer + "/baseline", $"a '{binding.Kind}' check needs the baseline scenario it compares with");
            }

            foreach (var precondition in check.Preconditions)
            {
                foreach (var scenario in binding.Scenarios.Append(binding.Baseline).OfType<string>().DefaultIfEmpty(null))
                {
                    if (precondition.CatalogJudgeIn(contract, scenario) is null)
                    {
                        throw new ConfigurationException(file, pointer,
                            $"a '{binding.Kind}' check relies on '{precondition.Describe}', which no requirement of {contract.Id} judges{(precondition.EachScenario ? $" for scenario '{scenario}'" : "")} (a check of kind {string.Join(" or ", precondition.JudgedBy)})");
                    }
                }
            }
        }
    }
}
