using System.Collections.Concurrent;
using ConformanceSuite.Contracts;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Checks;

/// <summary>
/// A scenario's query and path values with its test-data slots (<c>{slot}</c>) filled from the target; a slot
/// the target lacks skips the case naming the profile setting, unless the contract lets the suite make a value.
/// </summary>
public sealed class ScenarioValues(ApiContract contract, ApiTarget target)
{
    private readonly ConcurrentDictionary<string, string> generated = new(StringComparer.Ordinal);

    /// <summary>The scenario's query, slots filled.</summary>
    public Dictionary<string, string> Query(string scenarioId) => Fill(scenarioId, contract.Scenario(scenarioId).Query);

    /// <summary>True when <paramref name="value"/> is one the suite made up for a slot the target gives no value for (it differs from run to run).</summary>
    public bool IsMadeUp(string value) => generated.Values.Contains(value, StringComparer.Ordinal);

    /// <summary>The scenario's path parameters, slots filled.</summary>
    public Dictionary<string, string> Path(string scenarioId) => Fill(scenarioId, contract.Scenario(scenarioId).Path);

    private Dictionary<string, string> Fill(string scenarioId, IReadOnlyDictionary<string, string> values)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, raw) in values)
        {
            if (raw.Length > 2 && raw[0] == '{' && raw[^1] == '}')
            {
                var slot = raw[1..^1];
                var spec = contract.TestData.GetValueOrDefault(slot);
                if (target.TestData.TryGetValue(slot, out var value) && !string.IsNullOrWhiteSpace(value))
                {
                    result[name] = value;
                }
                else if (spec?.Generate == "uuid")
                {
                    result[name] = generated.GetOrAdd(slot, _ => Guid.NewGuid().ToString());
                }
                else
                {
                    CheckRun.Skip($"the target gives no test data '{slot}' ({spec?.Description ?? slot}), which scenario '{scenarioId}' needs",
                        $"apis.{contract.Id}.testData.{slot}");
                }
            }
            else
            {
                result[name] = raw;
            }
        }

        return result;
    }
}
