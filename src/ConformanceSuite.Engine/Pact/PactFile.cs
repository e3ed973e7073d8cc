using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConformanceSuite.Engine.Pact;

/// <summary>One interaction of a pact, as far as the suite needs it: its name, the states it needs, and its request's shape.</summary>
/// <param name="Key">The interaction's name in the reports: its description, made unique within the pact if it has to be.</param>
/// <param name="Description">The description the Pact core reports it by.</param>
/// <param name="States">The provider states it needs (empty: none).</param>
/// <param name="Method">The request's method.</param>
/// <param name="Path">The request's path, relative to the provider's base URL.</param>
/// <param name="QueryNames">The names of the request's query parameters.</param>
public sealed record PactInteraction(string Key, string Description, IReadOnlyList<string> States, string Method, string Path, IReadOnlyList<string> QueryNames);

/// <summary>A committed consumer pact (V3 or V4): its provider and its HTTP interactions.</summary>
public sealed record PactFile(string Path, string Provider, IReadOnlyList<PactInteraction> Interactions)
{
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Reads a pact; a file that is not a pact is a located configuration error.</summary>
    public static PactFile Read(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(InputFile.ReadAllText(path, "pact file"), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException(path, "", $"not a pact file: {ex.Message}");
        }

        // A value of another type than a pact's (a number for a name, an array for the file) throws on reading it.
        try
        {
            var provider = root?["provider"]?["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(provider) || root!["interactions"] is not JsonArray interactions)
            {
                throw new ConfigurationException(path, "", "not a pact file: it needs provider.name and interactions");
            }

            var list = new List<PactInteraction>();
            for (var i = 0; i < interactions.Count; i++)
            {
                if (interactions[i] is not JsonObject interaction || interaction["request"] is not JsonObject request)
                {
                    continue; // not an HTTP interaction (a message): the verifier does not send requests for it
                }

                var description = interaction["description"]?.GetValue<string>()
                    ?? throw new ConfigurationException(path, $"/interactions/{i}/description", "every interaction needs a description");
                var states = (interaction["providerStates"] as JsonArray ?? [])
                    .Select(s => s?["name"]?.GetValue<string>())
                    .Append(interaction["providerState"]?.GetValue<string>())
                    .OfType<string>()
                    .Where(s => s.Length > 0)
                    .ToList();
                list.Add(new PactInteraction(description, description, states,
                    request["method"]?.GetValue<string>()?.ToUpperInvariant() ?? "GET",
                    Text(request["path"]) ?? "/",
                    QueryNames(request["query"])));
            }

            // Two interactions may share a description when their states differ: their keys tell them apart.
            var unique = list.GroupBy(x => x.Description).SelectMany(g => g.Count() == 1
                ? g
                : g.Select(x => x with { Key = $"{x.Description} (given {string.Join(", ", x.States.DefaultIfEmpty("no state"))})" }));
            return new PactFile(path, provider, [.. unique]);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationException(path, "", $"not a pact file: a value has the wrong type ({ex.Message})");
        }
    }

    private static string? Text(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o => o["value"]?.GetValue<string>(), // a matcher with its example value
        _ => null,
    };

    private static List<string> QueryNames(JsonNode? query) => query switch
    {
        JsonObject o => [.. o.Select(kv => kv.Key).Order(StringComparer.Ordinal)],
        JsonValue v when v.TryGetValue<string>(out var s) => [.. s.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => Uri.UnescapeDataString(p.Split('=')[0])).Order(StringComparer.Ordinal)],
        _ => [],
    };
}
