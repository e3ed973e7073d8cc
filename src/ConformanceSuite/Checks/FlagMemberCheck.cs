using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>A boolean flag makes its body member present exactly when it is true (and its default applies when it is absent).</summary>
public sealed class FlagMemberCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "flag-member";

    public string Kind => KindName;

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var endpoint = contract.Endpoint(contract.Scenario(requirement.Check!.Scenarios[0]).Endpoint);
        var selected = requirement.Check.SelectedParameters;
        return endpoint.Parameters.Where(p => p.Controls is not null && (selected.Count == 0 || selected.Contains(p.Name))).Select(p => new CaseElement(p.Name));
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        var p = endpoint.Parameter(run.Element.Name);
        var member = p.Controls!.Member;
        foreach (var value in new[] { "true", "false", null })
        {
            var (exchange, body) = await OneCall.SendAsync(run, scenario, new Dictionary<string, string?> { [p.Name] = value }, $"{p.Name}={value ?? "(absent)"}", ct);
            var what = value is null ? $"without {p.Name} (default {p.Default ?? "none"})" : $"{p.Name}={value}";
            if (OneCall.Require(run, endpoint, exchange, body, what) is not { } json)
            {
                continue;
            }

            var wanted = (value ?? p.Default) == "true";
            JsonPointer.Read(json, member, out var present);
            if (present != wanted)
            {
                // Asked for and missing: maybe named otherwise (the member name is assumed). Present unasked: the documented flag is ignored.
                var basis = wanted ? p.Controls.Basis : p.Basis;
                run.Fail(what, new ValueMismatch(member, wanted ? "present" : "absent", present ? "present" : "absent"), basis, run.Keep(exchange));
            }
        }
    }
}
