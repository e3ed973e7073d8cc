using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>A field-selection parameter returns exactly the fields asked for.</summary>
public sealed class FieldSelectionCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "field-selection";

    public string Kind => KindName;

    public BindingNeeds Needs => BindingNeeds.Scenario | BindingNeeds.Parameter;

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var p = endpoint.Parameter(requirement.Check.Parameter!);
        return p.Examples.Select(e => new CaseElement(p.Name) { Value = e });
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var (name, selection) = (run.Element.Name, run.Element.Value);
        var p = endpoint.Parameter(name);
        var wanted = selection!.Split(',').ToHashSet(StringComparer.Ordinal);
        var (exchange, body) = await OneCall.SendAsync(run, scenario, new Dictionary<string, string?> { [p.Name] = selection }, run.Element.Key, ct);
        if (OneCall.Require(run, endpoint, exchange, body, run.Element.Key) is not { } json)
        {
            return;
        }

        var items = (JsonPointer.Read(json, endpoint.Pagination?.ItemsPointer ?? "") as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (items.Count == 0)
        {
            CheckRun.Skip($"no records came back to look at ({run.Element.Key})");
        }

        var problems = 0;
        for (var i = 0; i < items.Count && problems < 5; i++)
        {
            var got = items[i].Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
            if (!got.SetEquals(wanted))
            {
                problems++;
                var extra = got.Except(wanted).ToList();
                var missing = wanted.Except(got).ToList();
                run.Fail(run.Element.Key, new ValueMismatch($"record {i + 1}", $"exactly the fields {string.Join(",", wanted)}",
                        (extra.Count > 0 ? $"also {string.Join(",", extra)}" : "") + (extra.Count > 0 && missing.Count > 0 ? "; " : "")
                        + (missing.Count > 0 ? $"without {string.Join(",", missing)}" : "")),
                    p.Basis, run.Keep(exchange));
            }
        }

        run.Note($"{items.Count} records checked");
    }
}
