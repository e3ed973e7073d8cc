using System.Text.Json.Nodes;

namespace ConformanceSuite.Contracts;

/// <summary>
/// A target's overrides of a contract, applied before validation: <c>parameterNames</c> (rename a
/// parameter everywhere it is referenced), <c>paths</c> (endpoint id to path), <c>enums</c> (parameter to
/// its values) and <c>contract</c> (an RFC 7396 merge patch for anything else). Keys name the contract's
/// own (canonical) parameters and endpoints.
/// </summary>
public static class ContractOverrides
{
    /// <summary>Applies a target's overrides to a contract's JSON.</summary>
    /// <param name="contract">The contract as its file holds it.</param>
    /// <param name="overrides">The overrides object.</param>
    /// <param name="file">The file the overrides were written in (the target profile), named by an error in them.</param>
    /// <param name="pointer">The overrides object's pointer in that file (<c>/apis/&lt;id&gt;/overrides</c> in a profile).</param>
    /// <exception cref="ConfigurationException">An override names what the contract does not have, or renames a parameter onto another's name.</exception>
    public static JsonNode ApplyToContract(JsonNode contract, JsonNode? overrides, string file, string pointer)
    {
        if (overrides is not JsonObject o)
        {
            return contract;
        }

        var result = o["contract"] is { } patch ? JsonMergePatch.Apply(contract, patch)! : contract.DeepClone();
        var endpoints = result["endpoints"] as JsonArray ?? [];
        foreach (var (id, path) in o["paths"] as JsonObject ?? [])
        {
            var endpoint = endpoints.OfType<JsonObject>().FirstOrDefault(e => (string?)e["id"] == id)
                ?? throw new ConfigurationException(file, pointer + "/paths", $"no endpoint '{id}' to give a path");
            endpoint["path"] = path!.DeepClone();
        }

        foreach (var (name, values) in o["enums"] as JsonObject ?? [])
        {
            var parameters = Parameters(endpoints, name).ToList();
            if (parameters.Count == 0)
            {
                throw new ConfigurationException(file, pointer + "/enums", $"no parameter '{name}' to give values");
            }

            parameters.ForEach(p => p["enum"] = values!.DeepClone());
        }

        var renames = Renames(o);
        foreach (var (from, to) in renames)
        {
            if (!Parameters(endpoints, from).Any())
            {
                throw new ConfigurationException(file, pointer + "/parameterNames/" + Escape(from), $"no parameter '{from}' to rename");
            }
        }

        // A rename onto a name another parameter keeps, or is renamed to as well, would make two parameters one.
        var names = endpoints.OfType<JsonObject>().SelectMany(e => (e["parameters"] as JsonArray ?? []).OfType<JsonObject>())
            .Select(p => p["name"] is JsonValue v && v.TryGetValue<string>(out var n) ? n : null).OfType<string>().Distinct(StringComparer.Ordinal);
        foreach (var shared in names.GroupBy(n => renames.GetValueOrDefault(n, n), StringComparer.Ordinal).Where(g => g.Skip(1).Any()))
        {
            var renamed = shared.Where(renames.ContainsKey).Order(StringComparer.Ordinal).First();
            var other = shared.Where(n => n != renamed).Order(StringComparer.Ordinal).First();
            throw new ConfigurationException(file, pointer + "/parameterNames/" + Escape(renamed),
                $"renames '{renamed}' to '{shared.Key}', "
                + (renames.ContainsKey(other) ? $"the name '{other}' is renamed to as well" : $"the name of another parameter ('{other}', not renamed)")
                + ": two parameters cannot share one name");
        }

        Rename(result, renames, inScenario: false);
        return result;
    }

    /// <summary>The pointer of a profile's overrides of an API: <c>/apis/&lt;id&gt;/overrides</c>.</summary>
    public static string ProfilePointer(string apiId) => "/apis/" + Escape(apiId) + "/overrides";

    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>Parameter renames reach the requirement catalogue too (check.parameter, check.parameters).</summary>
    public static JsonNode ApplyToRequirements(JsonNode requirements, JsonNode? overrides)
    {
        var renames = overrides is JsonObject o ? Renames(o) : [];
        if (renames.Count == 0)
        {
            return requirements;
        }

        var result = requirements.DeepClone();
        Rename(result, renames, inScenario: false);
        return result;
    }

    private static Dictionary<string, string> Renames(JsonObject o) =>
        (o["parameterNames"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>(), StringComparer.Ordinal);

    private static IEnumerable<JsonObject> Parameters(JsonArray endpoints, string name) =>
        endpoints.OfType<JsonObject>().SelectMany(e => (e["parameters"] as JsonArray ?? []).OfType<JsonObject>()).Where(p => (string?)p["name"] == name);

    /// <summary>Renames every parameter reference: a parameter's name, scenario query/path keys, and properties named parameter(s) or *Parameter.</summary>
    private static void Rename(JsonNode? node, IReadOnlyDictionary<string, string> renames, bool inScenario)
    {
        if (renames.Count == 0)
        {
            return;
        }

        switch (node)
        {
            case JsonArray array:
                foreach (var child in array)
                {
                    Rename(child, renames, inScenario);
                }

                break;
            case JsonObject obj:
                foreach (var key in obj.Select(kv => kv.Key).ToList())
                {
                    var value = obj[key];
                    var isReference = key is "parameter" or "parameters" or "name" && obj.ContainsKey("in") || key is "parameter" or "parameters" || key.EndsWith("Parameter", StringComparison.Ordinal);
                    if (isReference && value is JsonValue v && v.TryGetValue<string>(out var s) && renames.TryGetValue(s, out var to))
                    {
                        obj[key] = to;
                    }
                    else if (isReference && value is JsonArray names && key != "name" && names.All(n => n is JsonValue))
                    {
                        for (var i = 0; i < names.Count; i++)
                        {
                            if (names[i] is JsonValue n && n.TryGetValue<string>(out var ns) && renames.TryGetValue(ns, out var nto))
                            {
                                names[i] = nto;
                            }
                        }
                    }
                    else if (inScenario && key is "query" or "path" && value is JsonObject map)
                    {
                        foreach (var (from, toName) in renames.Where(r => map.ContainsKey(r.Key)))
                        {
                            var moved = map[from]!.DeepClone();
                            map.Remove(from);
                            map[toName] = moved;
                        }
                    }
                    else
                    {
                        Rename(value, renames, inScenario || key == "scenarios");
                    }
                }

                break;
        }
    }
}
